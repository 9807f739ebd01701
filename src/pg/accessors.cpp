// Plain accessors of a coverage value, merge() and equality.
#include <cstring>

#include "guard.hpp"
#include "value.hpp"

#include "coverage/core/window.hpp"

using namespace coverage;

COVERAGE_FUNCTION(coverage_num_segments) {
    PG_RETURN_INT32(pg::value_header_arg(fcinfo, 0)->count);
}

COVERAGE_FUNCTION(coverage_num_points) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    const core::Segment* segs = pg::segments_of(v);
    int64 total = 0;  // cannot overflow: input checked that the sum fits
    for (int32 i = 0; i < v->count; ++i) total += segs[i].points;
    PG_RETURN_INT64(total);
}

COVERAGE_FUNCTION(coverage_first_ts) {
    const pg::CoverageValue* v = pg::value_header_arg(fcinfo, 0);
    if (v->count == 0) PG_RETURN_NULL();
    PG_RETURN_TIMESTAMPTZ(pg::value_segment_arg(fcinfo, 0, 0).start);
}

COVERAGE_FUNCTION(coverage_last_ts) {
    const pg::CoverageValue* v = pg::value_header_arg(fcinfo, 0);
    if (v->count == 0) PG_RETURN_NULL();
    PG_RETURN_TIMESTAMPTZ(pg::value_segment_arg(fcinfo, 0, v->count - 1).end);
}

COVERAGE_FUNCTION(coverage_max_gap) {
    PG_RETURN_INTERVAL_P(pg::interval_from_gap(pg::gap_of(pg::value_header_arg(fcinfo, 0))));
}

COVERAGE_FUNCTION(coverage_covered) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    uint64_t usecs = core::covered_total(pg::segments_of(v), static_cast<size_t>(v->count));
    PG_RETURN_INTERVAL_P(pg::interval_from_usecs(usecs));
}

COVERAGE_FUNCTION(coverage_covers) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    TimestampTz t = PG_GETARG_TIMESTAMPTZ(1);
    PG_RETURN_BOOL(core::covers(pg::segments_of(v), static_cast<size_t>(v->count), t));
}

COVERAGE_FUNCTION(coverage_merge) {
    const pg::CoverageValue* a = pg::value_arg(fcinfo, 0);
    const pg::CoverageValue* b = pg::value_arg(fcinfo, 1);
    core::Gap gap = pg::gap_of(a);
    pg::require_same_gap(gap, pg::gap_of(b), "merge");
    size_t na = static_cast<size_t>(a->count), nb = static_cast<size_t>(b->count);
    auto* out = static_cast<core::Segment*>(
        palloc_extended((na + nb) * sizeof(core::Segment) + 1, MCXT_ALLOC_HUGE));
    size_t n = pg::merge_segments(pg::segments_of(a), na, pg::segments_of(b), nb, gap, out);
    pg::CoverageValue* result = pg::make_value(gap, out, n);
    pfree(out);
    PG_RETURN_POINTER(result);
}

// Values are canonical (sorted, joined, reserved bits zero), so equal coverage
// is equal bytes.
static bool values_equal(FunctionCallInfo fcinfo) {
    const pg::CoverageValue* a = pg::value_arg(fcinfo, 0);
    const pg::CoverageValue* b = pg::value_arg(fcinfo, 1);
    return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

COVERAGE_FUNCTION(coverage_eq) {
    PG_RETURN_BOOL(values_equal(fcinfo));
}
COVERAGE_FUNCTION(coverage_ne) {
    PG_RETURN_BOOL(!values_equal(fcinfo));
}
