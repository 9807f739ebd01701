// Points of coverage_agg's rows held back and added to their states in batches.
//
// Why: in a hash aggregate over thousands of groups, each row's state is a cache miss
// the row waits for (the state is a pointer away from the group's hash entry; see the
// README, Performance). A row of the common kind only needs its point added, so the
// transition function notes the state and the point here without touching the state,
// and a batch of them is added later with the states fetched ahead (prefetched), so
// that the misses overlap instead of following one another: 1.42x -> 1.19x the plain
// scan on the benchmark's 10,000 markets.
//
// A state must never be read while some of its points wait here: whatever reads one
// (the final and combine functions, flattening) calls apply_deferred_points first.
// Points of states whose memory goes away unread (a rescan resets the aggregate's
// memory) are dropped by a reset callback on that memory (see watch_states_context).
#pragma once

#include "expanded_state.hpp"

namespace coverage::pg {

// The max_gap a transition function last noted (note_gap) in canonical form, when
// `gap` spells it as noted; else nullptr. Each aggregate of a query keeps its own, with
// its call information, so that two aggregates of different max_gap do not take turns.
const core::Gap* noted_gap(FmgrInfo* flinfo, const Interval* gap);
void note_gap(FmgrInfo* flinfo, const Interval* gap, const core::Gap& canonical);

// Holds back a row's point for `state_datum`, a read/write state of ours that the
// executor passed back to the aggregate that created it, when `gap` spells the max_gap
// noted for `flinfo` (false otherwise, and nothing done). The gap is checked against
// the state's when the point is added (22023 then). Touches no state.
bool defer_point(FmgrInfo* flinfo, Datum state_datum, int64 point, const Interval* gap);

// Adds every point held back, in this backend, to its state.
void apply_deferred_points();

// Drops, when `parent` is reset or deleted, the points held back for the states whose
// arrays live in `states`, a child of `parent` that holds them. Called once per such
// context, when it is made.
void watch_states_context(MemoryContext parent, MemoryContext states);

}  // namespace coverage::pg
