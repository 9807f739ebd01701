// The text form of a coverage value, independent of DateStyle and TimeZone so
// that output is immutable and always reads back:
//
//   max_gap=300s [2024-01-01T00:00:00Z,2024-01-01T01:00:00Z]:120 [...]:1
//
// Times are ISO 8601 in UTC with up to six fractional digits; years before 1 AD
// use astronomical numbering (1 BC is 0000, 2 BC is -0001).
#pragma once

#include <cstddef>

#include "coverage/core/types.hpp"

namespace coverage::core {

constexpr size_t kTimestampTextMax = 40;
constexpr size_t kGapTextMax = 64;
constexpr size_t kSegmentTextMax = 2 * kTimestampTextMax + 32;

// Each writes a NUL-terminated string into `out` (of at least the size above)
// and returns its length.
size_t format_timestamp(int64_t t, char* out);
size_t format_gap(const Gap& gap, char* out);        // "max_gap=300s"
size_t format_segment(const Segment& s, char* out);  // "[start,end]:points"

// Reads the text form piece by piece so the caller can grow its own storage and
// check for interrupts between segments. Malformed input throws invalid_text;
// the reader does not check the order of segments (SegmentValidator does).
struct TextReader {
    const char* begin;
    const char* pos;
    const char* end;
};

Gap read_text_header(TextReader& reader);
// False once only white space is left.
bool read_text_segment(TextReader& reader, Segment* out);

// Civil calendar helpers, exposed for tests: days since 1970-01-01.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

}  // namespace coverage::core
