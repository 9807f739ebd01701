// Between tstzrange/tstzmultirange and the core's Window/Stretch (see ranges.hpp).
#include "ranges.hpp"

namespace coverage::pg {

namespace {

TypeCacheEntry* tstzrange_cache(FunctionCallInfo fcinfo) {
    return lookup_type_cache(TSTZRANGEOID, TYPECACHE_RANGE_INFO);
}

core::Bound bound_from(const RangeBound& b) {
    bool infinite = b.infinite || TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(b.val));
    return core::Bound{infinite ? 0 : DatumGetTimestampTz(b.val), b.inclusive, infinite};
}

RangeBound bound_to(const core::Bound& b, bool lower) {
    RangeBound r;
    r.val = TimestampTzGetDatum(b.value);
    r.infinite = b.infinite;
    r.inclusive = b.infinite ? false : b.inclusive;
    r.lower = lower;
    return r;
}

}  // namespace

core::Window window_arg(FunctionCallInfo fcinfo, int n) {
    RangeType* range = PG_GETARG_RANGE_P(n);
    TypeCacheEntry* cache = tstzrange_cache(fcinfo);
    RangeBound lower, upper;
    bool empty;
    range_deserialize(cache, range, &lower, &upper, &empty);
    core::Window w{bound_from(lower), bound_from(upper), empty};
    // A range from +infinity or up to -infinity holds no finite time.
    if (!lower.infinite && TIMESTAMP_IS_NOEND(DatumGetTimestampTz(lower.val))) w.empty = true;
    if (!upper.infinite && TIMESTAMP_IS_NOBEGIN(DatumGetTimestampTz(upper.val))) w.empty = true;
    return w;
}

MultirangeType* make_tstz_multirange(const core::Stretch* stretches, size_t n) {
    TypeCacheEntry* cache = lookup_type_cache(TSTZRANGEOID, TYPECACHE_RANGE_INFO);
    auto** ranges = static_cast<RangeType**>(palloc(sizeof(RangeType*) * (n > 0 ? n : 1)));
    for (size_t i = 0; i < n; ++i) {
        RangeBound lower = bound_to(stretches[i].lower, true);
        RangeBound upper = bound_to(stretches[i].upper, false);
        ranges[i] = make_range(cache, &lower, &upper, false);
        if ((i & 0xffff) == 0xffff) CHECK_FOR_INTERRUPTS();
    }
    return make_multirange(TSTZMULTIRANGEOID, cache, static_cast<int32>(n), ranges);
}

}  // namespace coverage::pg
