// The out-of-line paths of the accumulator (see accumulator.hpp).
#include "coverage/core/accumulator.hpp"

#include <algorithm>

#include "coverage/core/merge.hpp"

namespace coverage::core {

bool add_point_before_last(Accumulator& acc, int64_t point) {
    // The last segment starts after the point, so a right neighbour always exists.
    Segment* first = acc.segments;
    Segment* last = acc.segments + acc.count - 1;
    Segment* right = std::upper_bound(first, last, point,
                                      [](int64_t p, const Segment& s) { return p < s.start; });
    Segment* left = right == first ? nullptr : right - 1;
    if (left != nullptr && point <= left->end) {
        ++left->points;
        return true;
    }
    bool joins_left = left != nullptr && acc.gap.joins(left->end, point);
    bool joins_right = acc.gap.joins(point, right->start);
    if (joins_left == joins_right) return false;  // a bridge or a new segment: rebuild
    if (joins_left) {
        left->end = point;
        ++left->points;
    } else {
        right->start = point;
        ++right->points;
    }
    return true;
}

void sort_by_start(Segment* segs, size_t n) {
    std::sort(segs, segs + n,
              [](const Segment& x, const Segment& y) { return x.start < y.start; });
}

size_t flush_pending(Accumulator& acc, Segment* out) {
    sort_by_start(acc.pending, acc.pending_count);
    MergeCursor cursor =
        start_merge(acc.segments, acc.count, acc.pending, acc.pending_count, acc.gap, out);
    merge_step(cursor, acc.count + acc.pending_count);
    acc.pending_count = 0;
    return cursor.sink.count;
}

}  // namespace coverage::core

#include "coverage/core/no_postgres.hpp"
