// The transition state shared by coverage_agg, rollup and refresh's fold: a core
// Accumulator whose arrays are palloc'd in a memory context of the aggregate.
//
// Why plain arrays and no C++ object: the state must outlive every C++ scope and
// be freed with its context (final functions may run more than once, and an
// error may abandon the state at any point), so nothing in it needs a destructor.
#pragma once

#include "postgres.hpp"

#include "coverage/core/accumulator.hpp"

namespace coverage::pg {

// An accumulator's arrays live in a memory context its owner names on every call that
// may allocate: the expanded object's own context (expanded_state.hpp), or the fold's
// aggregate context (pending_fold.cpp). The accumulator itself holds no context: with
// its object header it fills a 128-byte chunk (see core::Accumulator), and the context
// would take it to the next size, 256 bytes.
//
// The first array is allocated by the first point.
inline core::Accumulator new_accumulator(const core::Gap& gap) {
    return core::make_accumulator(nullptr, 0, gap);
}
void add_point(core::Accumulator* acc, MemoryContext context, int64 point);
void add_segments(core::Accumulator* acc, MemoryContext context, const core::Segment* segs,
                  size_t n);
// Joins the pending entries so that acc->segments alone holds the result.
void flush(core::Accumulator* acc, MemoryContext context);

// What the transition functions of coverage_agg and of refresh's fold share.
// The context of the aggregate that calls `name`; an error outside an aggregate.
MemoryContext aggregate_context(FunctionCallInfo fcinfo, const char* name);
// Argument `n`, a max_gap: 22004 when NULL.
const Interval* gap_arg(FunctionCallInfo fcinfo, int n);
// `gap` in canonical form: 22023 for a month part or a negative interval. (The last
// interval canonicalized is remembered: rows pass the same one again and again.)
core::Gap canonical_gap(const Interval* gap);
// 22023 unless `gap` is the tolerance a group began with, `group_gap` (equal
// tolerances may be spelled differently).
void require_unchanged_gap(const core::Gap& group_gap, const Interval* gap);
[[noreturn]] void reject_changing_gap();

}  // namespace coverage::pg
