// The aggregates' transition state, held as an expanded coverage object.
//
// Why not an `internal` state: the state type is coverage.coverage, so a partial
// result is an ordinary coverage value. Parallel workers hand it over flattened,
// and engines that ship partial aggregates between nodes as text (Citus) can move
// it with the type's own output and input functions. Between rows, the function
// manager passes the same read/write pointer back, so the state is updated in
// place and never copied (PostgreSQL's expanded-object protocol).
#pragma once

#include <cstring>

#include "postgres.hpp"

extern "C" {
#include "utils/expandeddatum.h"
}

#include "aggregate_state.hpp"

namespace coverage::pg {

struct ExpandedState {
    ExpandedObjectHeader header;  // must come first
    core::Accumulator acc;
    // Where the accumulator's arrays live: the object's own context.
    MemoryContext arrays() const { return header.eoh_context; }
};
// The chunk size the aggregate context rounds a state up to: one more byte would
// double it, and 10,000 groups' states would take 1.3 MB more.
static_assert(sizeof(ExpandedState) == 128, "an expanded state fills a 128-byte chunk");

// A new, empty state for `gap`: its header in `parent`, its arrays in the context under
// `parent` that holds the arrays of all our states there.
ExpandedState* new_expanded_state(MemoryContext parent, const core::Gap& gap);

// Argument `n` as a state this aggregate may update in place: our own read/write
// expanded object, or else a private copy of the value expanded under `parent`.
ExpandedState* writable_state_arg(FunctionCallInfo fcinfo, int n, MemoryContext parent);

extern const ExpandedObjectMethods kStateMethods;

// The state behind a datum when it is one of our read/write expanded objects, else
// nullptr. Inline and free of server calls: coverage_agg's transition function asks
// this once per row.
inline ExpandedState* our_rw_state(Datum d) {
    Pointer p = DatumGetPointer(d);
    if (!VARATT_IS_EXTERNAL_EXPANDED_RW(p)) return nullptr;
    varatt_expanded ref;  // what DatumGetEOHP reads, without the call
    memcpy(&ref, VARDATA_EXTERNAL(p), sizeof ref);
    if (ref.eohptr->eoh_methods != &kStateMethods) return nullptr;
    return reinterpret_cast<ExpandedState*>(ref.eohptr);
}

inline Datum state_datum(ExpandedState* es) {
    return EOHPGetRWDatum(&es->header);
}

// The segments of a coverage argument, whether it is flat or one of our expanded
// objects (whose pending entries are joined first).
struct SegmentsView {
    core::Gap gap;
    const core::Segment* segments;
    size_t count;
};
SegmentsView segments_arg(FunctionCallInfo fcinfo, int n);

}  // namespace coverage::pg
