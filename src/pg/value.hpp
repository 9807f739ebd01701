// The stored coverage value: a varlena of a fixed header and the segment array,
// in native byte order, aligned for 64-bit access (the type has alignment double).
#pragma once

#include "postgres.hpp"

#include "coverage/core/types.hpp"

namespace coverage::pg {

struct CoverageValue {
    int32 vl_len_;  // varlena header; never touch directly
    int32 count;    // number of segments
    int32 gap_days;
    int32 flags;  // reserved, always zero so equal values are equal bytes
    int64 gap_usecs;
};
static_assert(sizeof(CoverageValue) == 24, "segments start 8-aligned after the header");

inline core::Segment* segments_of(CoverageValue* v) {
    return reinterpret_cast<core::Segment*>(reinterpret_cast<char*>(v) + sizeof(CoverageValue));
}
inline const core::Segment* segments_of(const CoverageValue* v) {
    return segments_of(const_cast<CoverageValue*>(v));
}

core::Gap gap_of(const CoverageValue* v);

// Fills in the varlena and value header of `v`, `size` bytes long.
void write_value_header(CoverageValue* v, size_t size, const core::Gap& gap, size_t count);
inline size_t value_size(size_t count) {
    return sizeof(CoverageValue) + count * sizeof(core::Segment);
}

// A new value with room for `count` segments and the header filled in; the caller
// copies the segments. Raises program_limit_exceeded past the datum size limit.
CoverageValue* allocate_value(const core::Gap& gap, size_t count);
CoverageValue* make_value(const core::Gap& gap, const core::Segment* segs, size_t count);

// Argument `n` of the call, detoasted. A value stored out of line without compression
// is fetched in slices with a check for interrupts between them (see value.cpp).
const CoverageValue* value_arg(FunctionCallInfo fcinfo, int n);

// Only the header of argument `n` (segment count and max_gap), or only its segment `i`:
// of a value stored out of line, just the toast chunks that hold them are read.
const CoverageValue* value_header_arg(FunctionCallInfo fcinfo, int n);
core::Segment value_segment_arg(FunctionCallInfo fcinfo, int n, int32 i);

// Raises program_limit_exceeded when `count` segments cannot form one value.
void check_segment_limit(size_t count);

// Checks for interrupts every 64k iterations of a long loop.
inline void check_interrupts_every(size_t i) {
    if ((i & 0xffff) == 0xffff) CHECK_FOR_INTERRUPTS();
}

// Interval <-> canonical tolerance; an invalid interval raises 22023.
core::Gap gap_from_interval(const Interval* interval);
Interval* interval_from_usecs(uint64_t usecs);
Interval* interval_from_gap(const core::Gap& gap);

}  // namespace coverage::pg

namespace coverage::pg {

// The binary form (see coverage/core/binary_format.hpp) as a bytea, and back into a
// validated value; shared by send/receive and the aggregates' serialize/deserialize.
bytea* encode_binary(const core::Gap& gap, const core::Segment* segs, size_t count);
CoverageValue* decode_binary(const char* data, size_t length);

}  // namespace coverage::pg

namespace coverage::pg {

// Merges two sorted segment arrays into `out` (room for na + nb), checking for
// interrupts between bounded steps. Returns the number of segments written.
size_t merge_segments(const core::Segment* a, size_t na, const core::Segment* b, size_t nb,
                      const core::Gap& gap, core::Segment* out);

// Raises 22023 unless two tolerances are equal; `what` names the operation.
void require_same_gap(const core::Gap& a, const core::Gap& b, const char* what);

}  // namespace coverage::pg
