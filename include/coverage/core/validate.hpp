// Checks that a stream of segments forms a valid coverage value, one segment at
// a time, so that readers of text, binary and serialized states share one rule set.
#pragma once

#include <cstddef>

#include "coverage/core/error.hpp"
#include "coverage/core/types.hpp"

namespace coverage::core {

struct SegmentValidator {
    Gap gap;
    ErrorKind kind;  // invalid_text or invalid_binary: what a violation is reported as
    size_t seen = 0;
    int64_t total_points = 0;
    int64_t previous_end = 0;

    // Throws CoreError(kind) unless `s` may follow the segments already checked:
    // finite times, start <= end, at least one point and two in a segment longer
    // than zero, and more than max_gap after the previous segment.
    void check(const Segment& s);
};

}  // namespace coverage::core
