// The aggregate state: segments of the points seen so far, kept exact whatever
// the input order, in memory that grows with the number of segments.
//
// The caller owns the memory (the PostgreSQL layer keeps it in the aggregate
// memory context) and keeps two promises before each call: `segments` has room
// for one more segment, and `pending` has room for one more entry (but see
// has_room_for). Nothing here allocates, so no server error can ever unwind
// through this code.
#pragma once

#include <cstddef>
#include <cstdint>

#include "coverage/core/types.hpp"

namespace coverage::core {

// Entries not yet joined into an accumulator's segments: any order, may overlap. A
// point that would bridge two segments or open one in the middle waits here, so that
// the array is rebuilt once per many such points instead of once per point. Most
// states never need one, so the accumulator holds a pointer, and the count and room
// live with the entries.
struct PendingBuffer {
    uint32_t count;
    uint32_t capacity;
    Segment entries[];  // `capacity` of them (a flexible array member, as in C)
};

// The bytes a buffer of `capacity` entries takes.
constexpr size_t pending_buffer_bytes(size_t capacity) {
    return offsetof(PendingBuffer, entries) + capacity * sizeof(Segment);
}
// An empty buffer in `memory` (at least pending_buffer_bytes(capacity), aligned as a
// Segment).
inline PendingBuffer* init_pending_buffer(void* memory, size_t capacity) {
    auto* buffer = static_cast<PendingBuffer*>(memory);
    buffer->count = 0;
    buffer->capacity = static_cast<uint32_t>(capacity);
    return buffer;
}

// 80 bytes, so that a PostgreSQL expanded object around it (48 bytes of header) fills
// a 128-byte chunk: counts are 32-bit (a value holds at most kMaxSegments) and what
// the common path never reads (the pending entries) is behind a pointer.
struct Accumulator {
    // The fields the common path reads come first, so that with the header of the
    // state around them they take as few cache lines as they can.
    // The last segment, and the only up-to-date copy of it: segments[count - 1] may
    // be stale, or even missing (capacity == count - 1: an appended segment filled
    // the array, see has_room_for). With thousands of groups, touching the array
    // costs a cache miss a row, for reads and, on a loaded machine, for writes as
    // well. Whoever reads the array makes room for the last segment and calls
    // store_tail first; whoever replaces the array or its last segment calls
    // sync_tail.
    Segment tail{};
    uint32_t count = 0;     // segments[0, count) hold the segments
    uint32_t capacity = 0;  // room in `segments`: at least count - 1
    Gap gap;
    // Sorted by start, disjoint, neighbours more than gap apart (but see `unjoined`).
    Segment* segments = nullptr;
    // The segment a point before the last one touched most recently. Sources read
    // one after the other each replay time in order, so the next such point lands
    // at this segment or the one after; only a stale hint costs a binary search.
    uint32_t hint = 0;
    // Neighbours that lie within gap of each other because a point that bridged
    // them stretched the left one in place instead of queuing; a flush joins them.
    // Bridging points are most of what a second source adds (snapshots filling the
    // gaps between sparse deltas), and queuing each of them once held the
    // aggregate's memory at three times its segments. Once they are half the
    // segments, add_point_before_last joins them in place (or, for a long array,
    // queues further bridges for the caller's flush), so that shuffled input, where
    // most points bridge, still gets its array shrunk.
    uint32_t unjoined = 0;
    PendingBuffer* pending = nullptr;  // none until a point needs to wait
};
static_assert(sizeof(Accumulator) == 80, "an accumulator and its object header fill 128 bytes");
static_assert(kMaxSegments < UINT32_MAX, "segment counts fit 32 bits");

// An empty accumulator over a segment array the caller owns.
inline Accumulator make_accumulator(Segment* segments, size_t capacity, const Gap& gap) {
    Accumulator acc;
    acc.segments = segments;
    acc.capacity = static_cast<uint32_t>(capacity);
    acc.gap = gap;
    return acc;
}

inline size_t pending_count(const Accumulator& acc) {
    return acc.pending == nullptr ? 0 : acc.pending->count;
}
// The pending entries, pending_count of them (nullptr when there is no buffer).
inline Segment* pending_entries(const Accumulator& acc) {
    return acc.pending == nullptr ? nullptr : acc.pending->entries;
}
// Whether add_pending needs the caller to provide room first.
inline bool pending_full(const Accumulator& acc) {
    return acc.pending == nullptr || acc.pending->count == acc.pending->capacity;
}

inline void sync_tail(Accumulator& acc) {
    if (acc.count > 0) acc.tail = acc.segments[acc.count - 1];
}
// Makes segments[0, count) complete: writes the last segment back to the array, which
// must have room for count segments.
inline void store_tail(Accumulator& acc) {
    if (acc.count > 0) acc.segments[acc.count - 1] = acc.tail;
}

// Whether try_add_point may take `point` without more room in `segments`: a point at
// or after the last segment's start needs room for the segment it may close, one
// before it room for one more segment. So an array fills up to its last slot before
// it must grow, and holds the last segment only when someone reads it, which saves
// a hash aggregate a segment's room per group on average.
inline bool has_room_for(const Accumulator& acc, int64_t point) {
    return acc.count < acc.capacity ||
           (acc.count == acc.capacity && acc.count > 0 && point >= acc.tail.start);
}

// Handles a point that lands before the last segment in place: inside a segment,
// stretching one end, bridging two (counted in `unjoined`), or opening a segment
// with few segments after it (uses the room for one more). False: it opens a
// segment far from the end and must go to `pending`.
bool add_point_before_last(Accumulator& acc, int64_t point);

// Adds one point if that needs no rebuild; false when the caller must queue it with
// add_pending. The common cases (time-ordered input, points inside known segments)
// never queue.
inline bool try_add_point(Accumulator& acc, int64_t point) {
    Segment& last = acc.tail;
    if (acc.count > 0 && point >= last.start) {
        if (point > last.end) {
            if (!acc.gap.joins(last.end, point)) {
                acc.segments[acc.count - 1] = last;
                last = Segment{point, point, 1};
                ++acc.count;
                return true;
            }
            last.end = point;
        }
        ++last.points;
        return true;
    }
    if (acc.count == 0) {
        acc.tail = Segment{point, point, 1};
        acc.count = 1;
        return true;
    }
    return add_point_before_last(acc, point);
}

inline void add_pending(Accumulator& acc, const Segment& s) {
    acc.pending->entries[acc.pending->count++] = s;
}

// Segments the state holds once pending entries are joined: an upper bound for
// the output array of flush_pending.
inline size_t flushed_bound(const Accumulator& acc) {
    return acc.count + pending_count(acc);
}

// Sorts segments by start: what flush_pending does to the pending entries first, for
// callers that sort and merge them in pieces themselves (checking for interrupts).
void sort_by_start(Segment* segs, size_t n);

// Whether flush_pending has anything to do.
inline bool needs_flush(const Accumulator& acc) {
    return pending_count(acc) > 0 || acc.unjoined > 0;
}

// Joins the pending entries (and unjoined neighbours) into the segments, writing the
// result to `out`, which must have room for flushed_bound(acc) segments and must not
// alias acc.segments.
// Returns the new segment count; the caller then installs `out` as acc.segments.
size_t flush_pending(Accumulator& acc, Segment* out);

}  // namespace coverage::core
