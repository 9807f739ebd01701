// Building and reading stored coverage values (see value.hpp).
#include "value.hpp"

#include <algorithm>
#include <cstring>

namespace coverage::pg {

core::Gap gap_of(const CoverageValue* v) {
    return core::make_gap(0, v->gap_days, v->gap_usecs);
}

void check_segment_limit(size_t count) {
    if (count > core::kMaxSegments)
        ereport(ERROR,
                (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                 errmsg("coverage value would exceed the maximum size"),
                 errdetail("A coverage value holds at most %zu segments.", core::kMaxSegments)));
}

void write_value_header(CoverageValue* v, size_t size, const core::Gap& gap, size_t count) {
    SET_VARSIZE(v, size);
    v->count = static_cast<int32>(count);
    v->gap_days = gap.days;
    v->flags = 0;
    v->gap_usecs = gap.usecs;
}

CoverageValue* allocate_value(const core::Gap& gap, size_t count) {
    check_segment_limit(count);
    size_t size = value_size(count);
    auto* v = static_cast<CoverageValue*>(palloc(size));
    write_value_header(v, size, gap, count);
    return v;
}

CoverageValue* make_value(const core::Gap& gap, const core::Segment* segs, size_t count) {
    CoverageValue* v = allocate_value(gap, count);
    if (count > 0) memcpy(segments_of(v), segs, count * sizeof(core::Segment));
    return v;
}

// Fetching a toasted value is the server's work and checks for no interrupts: 48 MB
// take tens of milliseconds, and decompressing them as long again. The type's storage is
// therefore `external` (out of line, uncompressed), and such a value is read here a slice
// at a time, which lets a cancel land within a few milliseconds.
constexpr int32 kFetchSliceBytes = 1 << 20;

static varlena* fetch_in_slices(varlena* attr, int32 size) {
    auto* result = static_cast<varlena*>(palloc_extended(size + VARHDRSZ, MCXT_ALLOC_HUGE));
    SET_VARSIZE(result, size + VARHDRSZ);
    for (int32 offset = 0; offset < size; offset += kFetchSliceBytes) {
        int32 length = std::min(kFetchSliceBytes, size - offset);
        varlena* slice = detoast_attr_slice(attr, offset, length);
        Assert(VARSIZE(slice) == static_cast<Size>(length) + VARHDRSZ);
        memcpy(VARDATA(result) + offset, VARDATA(slice), length);
        pfree(slice);
        CHECK_FOR_INTERRUPTS();
    }
    return result;
}

const CoverageValue* value_arg(FunctionCallInfo fcinfo, int n) {
    auto* attr = reinterpret_cast<varlena*>(DatumGetPointer(PG_GETARG_DATUM(n)));
    if (VARATT_IS_EXTERNAL_ONDISK(attr)) {
        varatt_external pointer;
        VARATT_EXTERNAL_GET_POINTER(pointer, attr);
        int32 size = static_cast<int32>(VARATT_EXTERNAL_GET_EXTSIZE(pointer));
        if (!VARATT_EXTERNAL_IS_COMPRESSED(pointer) && size > kFetchSliceBytes)
            return reinterpret_cast<const CoverageValue*>(fetch_in_slices(attr, size));
    }
    return reinterpret_cast<const CoverageValue*>(PG_DETOAST_DATUM(PG_GETARG_DATUM(n)));
}

// Offsets of slices count from the end of the 4-byte varlena header.
constexpr int32 kHeaderData = sizeof(CoverageValue) - VARHDRSZ;

// Argument `n` when it is a plain varlena in memory, readable in place; else NULL.
static const CoverageValue* plain_arg(FunctionCallInfo fcinfo, int n) {
    auto* attr = reinterpret_cast<varlena*>(DatumGetPointer(PG_GETARG_DATUM(n)));
    return VARATT_IS_EXTENDED(attr) ? nullptr : reinterpret_cast<const CoverageValue*>(attr);
}

const CoverageValue* value_header_arg(FunctionCallInfo fcinfo, int n) {
    if (const CoverageValue* v = plain_arg(fcinfo, n)) return v;
    return reinterpret_cast<const CoverageValue*>(
        PG_DETOAST_DATUM_SLICE(PG_GETARG_DATUM(n), 0, kHeaderData));
}

core::Segment value_segment_arg(FunctionCallInfo fcinfo, int n, int32 i) {
    if (const CoverageValue* v = plain_arg(fcinfo, n)) return segments_of(v)[i];
    constexpr int32 seg_size = sizeof(core::Segment);
    varlena* slice =
        PG_DETOAST_DATUM_SLICE(PG_GETARG_DATUM(n), kHeaderData + i * seg_size, seg_size);
    core::Segment segment;
    memcpy(&segment, VARDATA(slice), seg_size);
    return segment;
}

core::Gap gap_from_interval(const Interval* interval) {
    return core::make_gap(interval->month, interval->day, interval->time);
}

Interval* interval_from_usecs(uint64_t usecs) {
    auto* result = static_cast<Interval*>(palloc(sizeof(Interval)));
    result->month = 0;
    result->day = static_cast<int32>(usecs / core::kUsecsPerDay);
    result->time = static_cast<int64>(usecs % core::kUsecsPerDay);
    return result;
}

Interval* interval_from_gap(const core::Gap& gap) {
    auto* result = static_cast<Interval*>(palloc(sizeof(Interval)));
    result->month = 0;
    result->day = gap.days;
    result->time = gap.usecs;
    return result;
}

}  // namespace coverage::pg

#include "coverage/core/merge.hpp"
#include "coverage/core/text_format.hpp"

namespace coverage::pg {

size_t merge_segments(const core::Segment* a, size_t na, const core::Segment* b, size_t nb,
                      const core::Gap& gap, core::Segment* out) {
    core::MergeCursor cursor = core::start_merge(a, na, b, nb, gap, out);
    while (!core::merge_step(cursor, 65536)) CHECK_FOR_INTERRUPTS();
    return cursor.sink.count;
}

void require_same_gap(const core::Gap& a, const core::Gap& b, const char* what) {
    if (a == b) return;
    char left[core::kGapTextMax], right[core::kGapTextMax];
    core::format_gap(a, left);
    core::format_gap(b, right);
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("cannot %s coverage values with different max_gap", what),
                    errdetail("One has %s, the other %s.", left, right)));
}

}  // namespace coverage::pg
