// Memory management of the aggregate state (see aggregate_state.hpp). The core
// never allocates; these functions keep the room it needs ready.
#include "aggregate_state.hpp"

#include <algorithm>
#include <cstring>

#include "value.hpp"

namespace coverage::pg {

namespace {

// The first array: 144 bytes, just over the states context's chunk limit (see
// states_context), so that every array is a block of its own, which goes back to
// malloc when the array grows. At 5 segments (a 128-byte chunk) the first arrays of
// 10,000 groups lay freed on the context's free list at the peak, 1 MB of it.
constexpr size_t kFirstArraySegments = 6;
// Pending entries wait until there are as many as segments (at least 16, at most
// 1M): each rebuild then costs O(1) amortized per entry, and the buffer never
// outgrows the segment array by more than a constant. The floor is low because a
// hash aggregate holds a state per group: at 256 (6 kB) the buffers of 10,000
// groups took 60 MB.
constexpr size_t kMinPending = 16;
constexpr size_t kMaxPending = 1 << 20;

core::Segment* allocate_segments(MemoryContext context, size_t n) {
    return static_cast<core::Segment*>(MemoryContextAllocHuge(context, n * sizeof(core::Segment)));
}

// The segments a grown array holds: an eighth more but at least 4 more, or `needed`
// if more. Not double: a hash aggregate keeps thousands of arrays at their peak at
// once, each a block of its own, so the unused room is memory that stays touched.
// Over 10,000 markets, growth by half left 62,000 segments' room unused (1.5 MB) at
// the peak; by a quarter the peak was 0.8 MB lower, by an eighth 0.5 MB lower still
// but 4% slower, for the many one-segment steps of small arrays; the floor of 4 keeps
// the eighth's memory at the quarter's speed (bench/compare_builds.py).
size_t grown_capacity(size_t capacity, size_t needed) {
    return std::max({needed, kFirstArraySegments, capacity + std::max<size_t>(capacity / 8, 4)});
}

// Installs `segments`, which hold `count` and have room for `capacity`, in place of
// the accumulator's array, which goes back to its context.
void replace_segments(core::Accumulator* acc, core::Segment* segments, size_t count,
                      size_t capacity) {
    if (acc->segments != nullptr) pfree(acc->segments);
    acc->segments = segments;
    acc->count = static_cast<uint32>(count);
    acc->capacity = static_cast<uint32>(capacity);
}

// Gives the array room for `capacity` segments, keeping the ones it holds.
void resize_segments(core::Accumulator* acc, MemoryContext context, size_t capacity) {
    size_t bytes = capacity * sizeof(core::Segment);
    acc->segments = acc->segments == nullptr
                        ? allocate_segments(context, capacity)
                        : static_cast<core::Segment*>(repalloc_huge(acc->segments, bytes));
    acc->capacity = static_cast<uint32>(capacity);
}

void reserve_segments(core::Accumulator* acc, MemoryContext context, size_t needed) {
    if (needed <= acc->capacity) return;
    check_segment_limit(needed - 1);
    resize_segments(acc, context,
                    std::min(grown_capacity(acc->capacity, needed), core::kMaxSegments + 1));
}

// Writes the last segment back to the array, first giving it its slot when an appended
// segment filled the array (see core::has_room_for): that slot alone, since whoever
// reads the array mostly replaces it or hands it out next.
void store_tail(core::Accumulator* acc, MemoryContext context) {
    if (acc->count > acc->capacity) resize_segments(acc, context, acc->count);
    core::store_tail(*acc);
}

size_t pending_target(const core::Accumulator* acc) {
    return std::clamp(static_cast<size_t>(acc->count), kMinPending, kMaxPending);
}

void reserve_pending(core::Accumulator* acc, MemoryContext context, size_t n) {
    size_t waiting = core::pending_count(*acc);
    if (acc->pending != nullptr && waiting + n <= acc->pending->capacity) return;
    size_t target = std::max(pending_target(acc), n);
    if (waiting + n > target) {
        flush(acc, context);
        waiting = 0;
    }
    if (acc->pending != nullptr && waiting + n <= acc->pending->capacity) return;
    size_t capacity = std::max(target, waiting + n);
    size_t bytes = core::pending_buffer_bytes(capacity);
    if (acc->pending == nullptr) {
        acc->pending = core::init_pending_buffer(MemoryContextAllocHuge(context, bytes), capacity);
    } else {
        acc->pending = static_cast<core::PendingBuffer*>(repalloc_huge(acc->pending, bytes));
        acc->pending->capacity = static_cast<uint32>(capacity);
    }
}

// Replaces the segment array by its merge with `segs`; the caller has flushed.
void merge_into(core::Accumulator* acc, MemoryContext context, const core::Segment* segs,
                size_t n) {
    size_t capacity = acc->count + n + 1;
    core::Segment* out = allocate_segments(context, capacity);
    size_t count = merge_segments(acc->segments, acc->count, segs, n, acc->gap, out);
    check_segment_limit(count);
    acc->unjoined = 0;
    replace_segments(acc, out, count, capacity);
    core::sync_tail(*acc);
}

// Pending entries are sorted in runs of this many, with interrupt checks between: one
// sort of a million entries takes a good part of a second that no cancel could cut short.
constexpr size_t kSortRun = 1 << 16;

// Sorts the pending entries and joins them into segments (sorted, disjoint), left at the
// front of the pending buffer. Runs are sorted one by one, then merged pairwise by
// merge_segments, which checks for interrupts too. A cancel may leave the buffer half
// merged; the state is then discarded with the aborted query, like any other.
void join_pending(core::Accumulator* acc, MemoryContext context) {
    if (acc->pending == nullptr) return;
    core::Segment* entries = acc->pending->entries;
    size_t n = acc->pending->count;
    for (size_t i = 0; i < n; i += kSortRun) {
        core::sort_by_start(entries + i, std::min(kSortRun, n - i));
        CHECK_FOR_INTERRUPTS();
    }
    size_t runs = (n + kSortRun - 1) / kSortRun;
    if (runs <= 1) return;
    // Run r keeps its slot from r * kSortRun on: joining only shortens it, so a merge of
    // two neighbouring runs fits the slot of the first, in the other buffer.
    auto* length = static_cast<size_t*>(palloc(runs * sizeof(size_t)));
    for (size_t r = 0; r < runs; ++r) length[r] = std::min(kSortRun, n - r * kSortRun);
    core::Segment* scratch = allocate_segments(context, n);
    core::Segment* from = entries;
    core::Segment* to = scratch;
    for (size_t width = 1; width < runs; width *= 2) {
        for (size_t r = 0; r < runs; r += 2 * width) {
            size_t partner = r + width;
            core::Segment* out = to + r * kSortRun;
            if (partner >= runs) {
                memcpy(out, from + r * kSortRun, length[r] * sizeof(core::Segment));
                continue;
            }
            length[r] = merge_segments(from + r * kSortRun, length[r], from + partner * kSortRun,
                                       length[partner], acc->gap, out);
        }
        std::swap(from, to);
    }
    if (from != entries) memcpy(entries, from, length[0] * sizeof(core::Segment));
    acc->pending->count = static_cast<uint32>(length[0]);
    pfree(scratch);
    pfree(length);
}

}  // namespace

void flush(core::Accumulator* acc, MemoryContext context) {
    store_tail(acc, context);
    if (!core::needs_flush(*acc)) return;
    // Sorted, joined and merged in steps that check for interrupts: a flush can join a
    // million pending entries into tens of millions of segments.
    join_pending(acc, context);
    size_t capacity = core::flushed_bound(*acc) + 1;
    core::Segment* out = allocate_segments(context, capacity);
    size_t waiting = core::pending_count(*acc);
    const core::Segment* entries = core::pending_entries(*acc);
    size_t count = merge_segments(acc->segments, acc->count, entries, waiting, acc->gap, out);
    check_segment_limit(count);
    if (acc->pending != nullptr) acc->pending->count = 0;
    acc->unjoined = 0;
    replace_segments(acc, out, count, capacity);
    core::sync_tail(*acc);
}

MemoryContext aggregate_context(FunctionCallInfo fcinfo, const char* name) {
    MemoryContext context = nullptr;
    if (!AggCheckCallContext(fcinfo, &context))
        elog(ERROR, "%s called in non-aggregate context", name);
    return context;
}

const Interval* gap_arg(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("max_gap must not be null")));
    return PG_GETARG_INTERVAL_P(n);
}

namespace {

struct GapSpelling {
    Interval raw;
    core::Gap canonical;
    bool known;
};
GapSpelling last_gap_spelling{};

}  // namespace

core::Gap canonical_gap(const Interval* gap) {
    const Interval& raw = last_gap_spelling.raw;
    if (!last_gap_spelling.known || gap->time != raw.time || gap->day != raw.day ||
        gap->month != raw.month) {
        core::Gap canonical = gap_from_interval(gap);
        last_gap_spelling = GapSpelling{*gap, canonical, true};
    }
    return last_gap_spelling.canonical;
}

void require_unchanged_gap(const core::Gap& group_gap, const Interval* gap) {
    if (canonical_gap(gap) != group_gap) reject_changing_gap();
}

void reject_changing_gap() {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("max_gap must be the same for every row of a group")));
    pg_unreachable();
}

void add_point(core::Accumulator* acc, MemoryContext context, int64 point) {
    if (!core::has_room_for(*acc, point)) reserve_segments(acc, context, acc->count + 1);
    if (core::try_add_point(*acc, point)) return;
    reserve_pending(acc, context, 1);
    core::add_pending(*acc, core::Segment{point, point, 1});
}

void add_segments(core::Accumulator* acc, MemoryContext context, const core::Segment* segs,
                  size_t n) {
    if (n == 0) return;
    store_tail(acc, context);
    const core::Segment* last = acc->count > 0 ? &acc->segments[acc->count - 1] : nullptr;
    bool all_after = core::pending_count(*acc) == 0 &&
                     (last == nullptr ||
                      (segs[0].start > last->end && !acc->gap.joins(last->end, segs[0].start)));
    if (all_after) {  // time-ordered roll-ups: a plain append
        reserve_segments(acc, context, acc->count + n + 1);
        memcpy(acc->segments + acc->count, segs, n * sizeof(core::Segment));
        acc->count += static_cast<uint32>(n);
        core::sync_tail(*acc);
        return;
    }
    if (n > pending_target(acc)) {
        flush(acc, context);
        merge_into(acc, context, segs, n);
        return;
    }
    reserve_pending(acc, context, n);
    memcpy(acc->pending->entries + acc->pending->count, segs, n * sizeof(core::Segment));
    acc->pending->count += static_cast<uint32>(n);
}

}  // namespace coverage::pg
