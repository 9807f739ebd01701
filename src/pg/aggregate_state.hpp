// The transition state shared by coverage_agg and rollup: a core Accumulator
// whose arrays are palloc'd in the memory context that holds the state.
//
// Why plain arrays and no C++ object: the state must outlive every C++ scope and
// be freed with its context (final functions may run more than once, and an
// error may abandon the state at any point), so nothing in it needs a destructor.
#pragma once

#include "postgres.hpp"

#include "coverage/core/accumulator.hpp"

namespace coverage::pg {

// The segments a state holds in itself before it needs an array: a state with a few
// segments allocates nothing more, and the 184 bytes of an expanded state's other
// fields plus these fill the 256-byte chunk its allocator rounds them up to anyway.
constexpr size_t kInlineSegments = 3;

struct AggregateState {
    // (first, so that with the accumulator's leading fields it shares the cache lines
    // of the expanded object's header)
    Interval raw_gap;  // the max_gap as first given: a cheap same-gap test per row
    core::Accumulator acc;
    MemoryContext context;  // holds both arrays (but see inline_segments)
    // acc.segments until more are needed; the state must therefore stay where
    // init_state put it.
    core::Segment inline_segments[kInlineSegments];
};

// Sets up, in place, an empty state whose arrays live in `context`.
void init_state(AggregateState* st, MemoryContext context, const core::Gap& gap);
void add_point(AggregateState* st, int64 point);
void add_segments(AggregateState* st, const core::Segment* segs, size_t n);
// Joins the pending entries so that acc.segments alone holds the result.
void flush(AggregateState* st);

// What the transition functions of coverage_agg and of refresh's fold share.
// The context of the aggregate that calls `name`; an error outside an aggregate.
MemoryContext aggregate_context(FunctionCallInfo fcinfo, const char* name);
// Argument `n`, a max_gap: 22004 when NULL.
const Interval* gap_arg(FunctionCallInfo fcinfo, int n);
// 22023 unless `gap` is the tolerance a group began with, given as `raw` and
// canonically as `canonical` (equal tolerances may be spelled differently).
void require_unchanged_gap(const Interval& raw, const core::Gap& canonical, const Interval* gap);
[[noreturn]] void reject_changing_gap();

}  // namespace coverage::pg
