// The validity rules of a coverage value (see validate.hpp).
#include "coverage/core/validate.hpp"

#include <string>

namespace coverage::core {

namespace {

[[noreturn]] void reject(ErrorKind kind, size_t index, const std::string& what) {
    const char* message = kind == ErrorKind::invalid_text
                              ? "invalid input syntax for type coverage"
                              : "invalid binary data for type coverage";
    fail(kind, message, "Segment " + std::to_string(index + 1) + " " + what);
}

}  // namespace

void SegmentValidator::check(const Segment& s) {
    if (!is_valid_timestamp(s.start) || !is_valid_timestamp(s.end))
        reject(kind, seen, "has a time outside the finite timestamptz range.");
    if (s.start > s.end) reject(kind, seen, "ends before it starts.");
    if (s.points < 1) reject(kind, seen, "must hold at least one point.");
    if (s.points < 2 && s.end > s.start)
        reject(kind, seen, "is longer than zero and so must hold at least two points.");
    if (seen > 0 && (s.start <= previous_end || gap.joins(previous_end, s.start)))
        reject(kind, seen, "does not start more than max_gap after the previous one ends.");
    if (__builtin_add_overflow(total_points, s.points, &total_points))
        reject(kind, seen, "brings the total point count out of the range of bigint.");
    previous_end = s.end;
    ++seen;
}

}  // namespace coverage::core

#include "coverage/core/no_postgres.hpp"
