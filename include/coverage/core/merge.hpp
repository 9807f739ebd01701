// Joining time-ordered segments, the one operation behind flushes, combines,
// roll-ups and merge(): spans that overlap or lie at most max_gap apart become
// one segment whose point count is the sum.
#pragma once

#include <cstddef>

#include "coverage/core/types.hpp"

namespace coverage::core {

// Appends segments, given in order of start, to `out`, joining where they touch.
// `out` must have room for every segment pushed.
struct SegmentSink {
    Segment* out;
    size_t count;
    Gap gap;

    void push(const Segment& s);
};

// A two-way merge that runs in bounded steps, so that the caller can check for
// interrupts between steps. Both inputs are sorted by start; they may overlap.
struct MergeCursor {
    const Segment* a;
    size_t a_count;
    size_t a_next;
    const Segment* b;
    size_t b_count;
    size_t b_next;
    SegmentSink sink;
};

MergeCursor start_merge(const Segment* a, size_t a_count, const Segment* b, size_t b_count,
                        const Gap& gap, Segment* out);

// Consumes at most `budget` input segments; true once both inputs are used up.
bool merge_step(MergeCursor& cursor, size_t budget);

// Adds point counts, throwing value_out_of_range on overflow of int64.
int64_t add_points(int64_t a, int64_t b);

}  // namespace coverage::core
