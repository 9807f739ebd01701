// The out-of-line paths of the accumulator (see accumulator.hpp).
#include "coverage/core/accumulator.hpp"

#include <algorithm>
#include <cstring>

#include "coverage/core/merge.hpp"

namespace coverage::core {

namespace {

// Most segments moved to open one in the middle in place: 1.5 kB, a few cache lines.
constexpr size_t kMaxShiftedSegments = 64;

// The first segment that starts after `point`, given that the last one does: the
// hinted segment or its successor when they bracket the point, else by search.
Segment* first_after(Accumulator& acc, int64_t point) {
    Segment* segs = acc.segments;
    size_t last = acc.count - 1;
    for (size_t i = acc.hint; i < last && i <= acc.hint + 1; ++i) {
        if (segs[i].start <= point && point < segs[i + 1].start) return segs + i + 1;
    }
    return std::upper_bound(segs, segs + last, point,
                            [](int64_t p, const Segment& s) { return p < s.start; });
}

// Most segments joined in place in one pass: 1.5 MB, well under a millisecond. A
// longer array leaves its unjoined neighbours to the caller's flush, which checks for
// interrupts as it goes.
constexpr size_t kMaxCompactedSegments = 1 << 16;

// Joins the unjoined neighbours in place; false (and nothing changed) when the array
// is too long for one pass or a joined point count would overflow, which the flush
// reports as an error.
bool compact(Accumulator& acc) {
    if (acc.count > kMaxCompactedSegments) return false;
    Segment* segs = acc.segments;
    // (a dry run first: the array must stay as it was when a count would overflow)
    int64_t run = segs[0].points;
    for (size_t r = 1; r < acc.count; ++r) {
        if (!acc.gap.joins(segs[r - 1].end, segs[r].start)) {
            run = segs[r].points;
        } else if (__builtin_add_overflow(run, segs[r].points, &run)) {
            return false;
        }
    }
    size_t w = 0;
    for (size_t r = 1; r < acc.count; ++r) {
        if (acc.gap.joins(segs[w].end, segs[r].start)) {
            segs[w].end = std::max(segs[w].end, segs[r].end);
            segs[w].points += segs[r].points;
        } else {
            segs[++w] = segs[r];
        }
    }
    acc.count = static_cast<uint32_t>(w + 1);
    acc.unjoined = 0;
    acc.hint = 0;
    sync_tail(acc);
    return true;
}

}  // namespace

bool add_point_before_last(Accumulator& acc, int64_t point) {
    store_tail(acc);
    // The last segment starts after the point, so a right neighbour always exists.
    Segment* right = first_after(acc, point);
    Segment* left = right == acc.segments ? nullptr : right - 1;
    acc.hint = left == nullptr ? 0 : static_cast<uint32_t>(left - acc.segments);
    if (left != nullptr && point <= left->end) {
        ++left->points;
        return true;
    }
    bool joins_left = left != nullptr && acc.gap.joins(left->end, point);
    bool joins_right = acc.gap.joins(point, right->start);
    if (!joins_left && !joins_right) {
        // A new segment: shifted in when few segments follow it (a second source
        // replaying time in order opens its segments near the end), else queued so
        // that a long array is not moved once per point.
        auto at = static_cast<size_t>(right - acc.segments);
        if (acc.count - at > kMaxShiftedSegments) return false;
        std::memmove(right + 1, right, (acc.count - at) * sizeof(Segment));
        *right = Segment{point, point, 1};
        ++acc.count;
        acc.hint = static_cast<uint32_t>(at);
        return true;
    }
    if (joins_left && joins_right) {
        // A bridge: the left one is stretched in place. Once half the segments wait to
        // be joined, they are joined first (amortized O(1) a bridge, and the array
        // shrinks as shuffled input fills its gaps).
        bool newly = !acc.gap.joins(left->end, right->start);
        if (newly && acc.unjoined * 2 >= acc.count) {
            if (!compact(acc)) return false;
            return add_point_before_last(acc, point);  // (the array has changed)
        }
        acc.unjoined += newly ? 1 : 0;
    }
    if (joins_left) {
        left->end = point;
        ++left->points;
    } else {
        right->start = point;
        ++right->points;
        sync_tail(acc);  // `right` may be the last segment
    }
    return true;
}

void sort_by_start(Segment* segs, size_t n) {
    std::sort(segs, segs + n,
              [](const Segment& x, const Segment& y) { return x.start < y.start; });
}

size_t flush_pending(Accumulator& acc, Segment* out) {
    store_tail(acc);
    size_t waiting = pending_count(acc);
    Segment* entries = pending_entries(acc);
    sort_by_start(entries, waiting);
    MergeCursor cursor = start_merge(acc.segments, acc.count, entries, waiting, acc.gap, out);
    merge_step(cursor, acc.count + waiting);
    if (acc.pending != nullptr) acc.pending->count = 0;
    acc.unjoined = 0;
    if (cursor.sink.count > 0) acc.tail = out[cursor.sink.count - 1];
    return cursor.sink.count;
}

}  // namespace coverage::core

#include "coverage/core/no_postgres.hpp"
