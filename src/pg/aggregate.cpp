// The SQL-callable pieces of coverage_agg and rollup: transition, combine and
// final functions over an expanded coverage object (see expanded_state.hpp).
#include "deferred_points.hpp"
#include "expanded_state.hpp"
#include "guard.hpp"
#include "value.hpp"

using namespace coverage;
using pg::ExpandedState;

using pg::aggregate_context;
using pg::reject_changing_gap;

namespace {

// Merges the coverage in argument 1 into the state in argument 0. Values of
// another max_gap are an error: a changing max_gap within a group when
// `rolling_up` is false, mismatched stored values when it is true.
Datum merge_into_state(FunctionCallInfo fcinfo, MemoryContext context, bool rolling_up) {
    ExpandedState* into = PG_ARGISNULL(0) ? nullptr : pg::writable_state_arg(fcinfo, 0, context);
    if (PG_ARGISNULL(1)) {
        if (into == nullptr) PG_RETURN_NULL();
        return pg::state_datum(into);
    }
    pg::SegmentsView from = pg::segments_arg(fcinfo, 1);
    if (into == nullptr) {
        into = pg::new_expanded_state(context, from.gap);
    } else if (rolling_up) {
        pg::require_same_gap(into->acc.gap, from.gap, "roll up");
    } else if (into->acc.gap != from.gap) {
        reject_changing_gap();
    }
    pg::add_segments(&into->acc, into->arrays(), from.segments, from.count);
    return pg::state_datum(into);
}

// A row of a plain or hashed aggregate (not a window) that only adds its point to a
// state this aggregate already holds, with max_gap spelled as noted: held back, the
// state untouched (deferred_points.hpp).
bool defer_row(FunctionCallInfo fcinfo) {
    if (fcinfo->context == nullptr || !IsA(fcinfo->context, AggState)) return false;
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) return false;
    TimestampTz ts = PG_GETARG_TIMESTAMPTZ(1);
    return !TIMESTAMP_NOT_FINITE(ts) &&
           pg::defer_point(fcinfo->flinfo, PG_GETARG_DATUM(0), ts, PG_GETARG_INTERVAL_P(2));
}

// A row of a window aggregate that needs nothing but the accumulator's inline step: a
// point for a state this aggregate already holds, with max_gap spelled as noted and
// equal to the group's, finite, and room enough in the array. Calls no server
// function, allocates nothing, cannot throw.
bool add_point_fast(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) return false;
    ExpandedState* es = pg::our_rw_state(PG_GETARG_DATUM(0));
    if (es == nullptr) return false;
    core::Accumulator& acc = es->acc;
    TimestampTz ts = PG_GETARG_TIMESTAMPTZ(1);
    const core::Gap* gap = pg::noted_gap(fcinfo->flinfo, PG_GETARG_INTERVAL_P(2));
    return gap != nullptr && *gap == acc.gap && !TIMESTAMP_NOT_FINITE(ts) &&
           core::has_room_for(acc, ts) && core::try_add_point(acc, ts);
}

// Every other row: the first of a group, NULLs, errors, growth, queued points.
Datum agg_transfn_general(FunctionCallInfo fcinfo) {
    MemoryContext context = aggregate_context(fcinfo, "coverage_agg_transfn");
    const Interval* gap = pg::gap_arg(fcinfo, 2);
    ExpandedState* es = PG_ARGISNULL(0) ? nullptr : pg::writable_state_arg(fcinfo, 0, context);
    if (PG_ARGISNULL(1)) {
        if (es == nullptr) PG_RETURN_NULL();
        return pg::state_datum(es);
    }

    TimestampTz ts = PG_GETARG_TIMESTAMPTZ(1);
    core::Gap canonical = pg::canonical_gap(gap);
    if (es == nullptr) {
        es = pg::new_expanded_state(context, canonical);
    } else if (es->acc.gap != canonical) {
        reject_changing_gap();
    }
    pg::note_gap(fcinfo->flinfo, gap, canonical);
    if (TIMESTAMP_NOT_FINITE(ts))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("coverage_agg does not accept infinite timestamps")));
    pg::add_point(&es->acc, es->arrays(), ts);
    return pg::state_datum(es);
}

}  // namespace

// coverage_agg(timestamptz, interval): one call per row. The two fast paths skip the
// C++ guard (whose frame alone cost more than the point) and AggCheckCallContext: a
// read/write state of ours exists only inside the aggregate that created it, after
// the general path checked the context, and the executor passes an aggregate's state
// back only to that aggregate's transition function. Profile and figures: README,
// Performance.
extern "C" {
PG_FUNCTION_INFO_V1(coverage_agg_transfn);
Datum coverage_agg_transfn(PG_FUNCTION_ARGS) {
    if (defer_row(fcinfo) || add_point_fast(fcinfo)) return PG_GETARG_DATUM(0);
    Datum result = 0;
    pg::call_guarded([fcinfo, &result] { result = agg_transfn_general(fcinfo); });
    return result;
}
}

// Combines partial results of coverage_agg (parallel workers, partial aggregation).
COVERAGE_FUNCTION(coverage_agg_combinefn) {
    MemoryContext context = aggregate_context(fcinfo, "coverage_agg_combinefn");
    return merge_into_state(fcinfo, context, false);
}

// rollup(coverage): one stored value per row; also rollup's combine function.
COVERAGE_FUNCTION(coverage_rollup_transfn) {
    MemoryContext context = aggregate_context(fcinfo, "coverage_rollup_transfn");
    return merge_into_state(fcinfo, context, true);
}

// coverage_agg's result: NULL when there were no points.
COVERAGE_FUNCTION(coverage_agg_finalfn) {
    aggregate_context(fcinfo, "coverage_agg_finalfn");
    pg::SegmentsView view = pg::segments_arg(fcinfo, 0);
    if (view.count == 0) PG_RETURN_NULL();
    PG_RETURN_POINTER(pg::make_value(view.gap, view.segments, view.count));
}

// rollup's result: the merged value, empty when only empty values came in.
COVERAGE_FUNCTION(coverage_rollup_finalfn) {
    aggregate_context(fcinfo, "coverage_rollup_finalfn");
    pg::SegmentsView view = pg::segments_arg(fcinfo, 0);
    PG_RETURN_POINTER(pg::make_value(view.gap, view.segments, view.count));
}
