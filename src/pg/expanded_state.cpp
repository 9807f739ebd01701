// Expanded coverage objects as aggregate states (see expanded_state.hpp).
#include "expanded_state.hpp"

#include <cstring>

#include "deferred_points.hpp"
#include "guard.hpp"
#include "value.hpp"

namespace coverage::pg {

namespace {

Size flat_size(ExpandedObjectHeader* header) {
    auto* es = reinterpret_cast<ExpandedState*>(header);
    call_guarded([es] {
        apply_deferred_points();
        flush(&es->acc, es->arrays());
    });
    return value_size(es->acc.count);
}

void flatten_into(ExpandedObjectHeader* header, void* result, Size size) {
    auto* es = reinterpret_cast<ExpandedState*>(header);
    const core::Accumulator& acc = es->acc;
    // flat_size ran first and joined the pending entries.
    Assert(core::pending_count(acc) == 0 && size == value_size(acc.count));
    auto* v = static_cast<CoverageValue*>(result);
    write_value_header(v, size, acc.gap, acc.count);
    if (acc.count > 0) memcpy(segments_of(v), acc.segments, acc.count * sizeof(core::Segment));
}

}  // namespace

const ExpandedObjectMethods kStateMethods = {flat_size, flatten_into};

namespace {

ExpandedState* as_our_object(Datum d) {
    if (!VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d))) return nullptr;
    ExpandedObjectHeader* header = DatumGetEOHP(d);
    return header->eoh_methods == &kStateMethods ? reinterpret_cast<ExpandedState*>(header)
                                                 : nullptr;
}

// Names the one context under an aggregate context that holds the arrays of all our
// states there, and that their headers name as theirs; found again by the address of
// this name.
const char kStatesContextName[] = "coverage aggregate states";

// Why one context for all the states under `parent`, not one per state: a context
// costs at least its first 1 kB block, more than a typical state, and a hash
// aggregate holds a state per group (10,000 groups: 10 MB of mostly empty blocks).
// Sharing is safe because nothing ever deletes or moves one of these objects alone:
// the executor deletes a read/write state only when the transition function returns
// another datum, and ours return the state they were given; such a state never leaves
// its aggregate (the functions that make one refuse to run outside an aggregate); the
// states go when the aggregate context is reset, with this child.
MemoryContext states_context(MemoryContext parent) {
    for (MemoryContext c = parent->firstchild; c != nullptr; c = c->nextchild) {
        if (c->name != kStatesContextName) continue;
        // Back to the head of the list, so that other children created since (say,
        // another aggregate's per-group contexts) do not lengthen the next search.
        if (c != parent->firstchild) MemoryContextSetParent(c, parent);
        return c;
    }
    // Blocks of 1 kB, which makes every chunk over 128 bytes (every segment array) a
    // block of its own, handed back to malloc when freed: the arrays grow in steps,
    // and with larger blocks each step left the smaller chunk on a free list of its
    // size that the other groups, growing in step, rarely reused (8 kB blocks: 17.5 MB
    // in the context at the peak over 10,000 markets, 4.3 MB of it on free lists).
    MemoryContext states =
        AllocSetContextCreateInternal(parent, kStatesContextName, 0, 1024, 1024);
    watch_states_context(parent, states);
    return states;
}

}  // namespace

// The header itself goes in `parent`, where a hash aggregate has just put the new
// group's key and per-group data: the three then share cache lines or neighbour each
// other, and the state costs a row little beyond the lines the executor touched for
// the group anyway (in a block of the states context it was a cache miss a row more:
// 3 to 7% of the aggregate's time over 10,000 groups, bench/compare_builds.py). The
// object still names the states context as its own, a child of the aggregate context,
// which is what the executor checks before it keeps a state as it is.
ExpandedState* new_expanded_state(MemoryContext parent, const core::Gap& gap) {
    MemoryContext context = states_context(parent);
    auto* es = static_cast<ExpandedState*>(MemoryContextAlloc(parent, sizeof(ExpandedState)));
    EOH_init_header(&es->header, &kStateMethods, context);
    es->acc = new_accumulator(gap);
    return es;
}

ExpandedState* writable_state_arg(FunctionCallInfo fcinfo, int n, MemoryContext parent) {
    Datum d = PG_GETARG_DATUM(n);
    if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d))) {
        ExpandedState* es = as_our_object(d);
        if (es != nullptr) return es;
    }
    SegmentsView view = segments_arg(fcinfo, n);
    ExpandedState* es = new_expanded_state(parent, view.gap);
    add_segments(&es->acc, es->arrays(), view.segments, view.count);
    return es;
}

SegmentsView segments_arg(FunctionCallInfo fcinfo, int n) {
    apply_deferred_points();
    ExpandedState* es = as_our_object(PG_GETARG_DATUM(n));
    if (es != nullptr) {
        flush(&es->acc, es->arrays());
        return SegmentsView{es->acc.gap, es->acc.segments, es->acc.count};
    }
    const CoverageValue* v = value_arg(fcinfo, n);
    return SegmentsView{gap_of(v), segments_of(v), static_cast<size_t>(v->count)};
}

}  // namespace coverage::pg
