// The SQL-callable pieces of coverage_agg and rollup: transition, combine,
// serialize, deserialize and final functions over an AggregateState.
#include <cstring>

#include "aggregate_state.hpp"
#include "guard.hpp"
#include "value.hpp"

using namespace coverage;
using pg::AggregateState;

namespace {

MemoryContext aggregate_context(FunctionCallInfo fcinfo, const char* name) {
    MemoryContext context = nullptr;
    if (!AggCheckCallContext(fcinfo, &context))
        elog(ERROR, "%s called in non-aggregate context", name);
    return context;
}

AggregateState* state_arg(FunctionCallInfo fcinfo, int n) {
    return PG_ARGISNULL(n) ? nullptr : reinterpret_cast<AggregateState*>(PG_GETARG_POINTER(n));
}

Datum state_or_null(FunctionCallInfo fcinfo, AggregateState* st) {
    if (st == nullptr) PG_RETURN_NULL();
    PG_RETURN_POINTER(st);
}

// A fresh state in `context` holding a copy of `segs`.
AggregateState* state_from_segments(MemoryContext context, const core::Gap& gap,
                                    const core::Segment* segs, size_t n) {
    AggregateState* st = pg::new_state(context, gap);
    pg::add_segments(st, segs, n);
    return st;
}

}  // namespace

// coverage_agg(timestamptz, interval): one call per row.
COVERAGE_FUNCTION(coverage_agg_transfn) {
    MemoryContext context = aggregate_context(fcinfo, "coverage_agg_transfn");
    AggregateState* st = state_arg(fcinfo, 0);
    if (PG_ARGISNULL(2))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("max_gap must not be null")));
    if (PG_ARGISNULL(1)) return state_or_null(fcinfo, st);

    TimestampTz ts = PG_GETARG_TIMESTAMPTZ(1);
    const Interval* gap = PG_GETARG_INTERVAL_P(2);
    if (st == nullptr) {
        st = pg::new_state(context, pg::gap_from_interval(gap));
        st->raw_gap = *gap;
    } else if (memcmp(&st->raw_gap, gap, sizeof(Interval)) != 0) {
        // Equal tolerances may be spelled differently ('1 day' and '24:00:00').
        if (pg::gap_from_interval(gap) != st->acc.gap)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("max_gap must be the same for every row of a group")));
    }
    if (TIMESTAMP_NOT_FINITE(ts))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("coverage_agg does not accept infinite timestamps")));
    pg::add_point(st, ts);
    PG_RETURN_POINTER(st);
}

// rollup(coverage): one stored value per row.
COVERAGE_FUNCTION(coverage_rollup_transfn) {
    MemoryContext context = aggregate_context(fcinfo, "coverage_rollup_transfn");
    AggregateState* st = state_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) return state_or_null(fcinfo, st);

    const pg::CoverageValue* v = pg::value_arg(fcinfo, 1);
    core::Gap gap = pg::gap_of(v);
    if (st == nullptr)
        st = pg::new_state(context, gap);
    else
        pg::require_same_gap(st->acc.gap, gap, "roll up");
    pg::add_segments(st, pg::segments_of(v), static_cast<size_t>(v->count));
    PG_RETURN_POINTER(st);
}

// Combines partial states (parallel workers, partial aggregation).
COVERAGE_FUNCTION(coverage_combinefn) {
    MemoryContext context = aggregate_context(fcinfo, "coverage_combinefn");
    AggregateState* into = state_arg(fcinfo, 0);
    AggregateState* from = state_arg(fcinfo, 1);
    if (from == nullptr) return state_or_null(fcinfo, into);

    pg::flush(from);
    if (into == nullptr) {
        into = state_from_segments(context, from->acc.gap, from->acc.segments, from->acc.count);
        into->raw_gap = from->raw_gap;
        PG_RETURN_POINTER(into);
    }
    pg::require_same_gap(into->acc.gap, from->acc.gap, "combine");
    pg::add_segments(into, from->acc.segments, from->acc.count);
    PG_RETURN_POINTER(into);
}

COVERAGE_FUNCTION(coverage_serializefn) {
    aggregate_context(fcinfo, "coverage_serializefn");
    AggregateState* st = state_arg(fcinfo, 0);
    pg::flush(st);
    PG_RETURN_BYTEA_P(pg::encode_binary(st->acc.gap, st->acc.segments, st->acc.count));
}

// Validates what it reads like coverage_recv: a state is data from elsewhere.
COVERAGE_FUNCTION(coverage_deserializefn) {
    aggregate_context(fcinfo, "coverage_deserializefn");
    bytea* bytes = PG_GETARG_BYTEA_PP(0);
    pg::CoverageValue* v = pg::decode_binary(VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes));
    AggregateState* st = state_from_segments(CurrentMemoryContext, pg::gap_of(v),
                                             pg::segments_of(v), static_cast<size_t>(v->count));
    pfree(v);
    PG_RETURN_POINTER(st);
}

// coverage_agg's result: NULL when there were no points.
COVERAGE_FUNCTION(coverage_agg_finalfn) {
    aggregate_context(fcinfo, "coverage_agg_finalfn");
    AggregateState* st = state_arg(fcinfo, 0);
    if (st == nullptr) PG_RETURN_NULL();
    pg::flush(st);
    if (st->acc.count == 0) PG_RETURN_NULL();
    PG_RETURN_POINTER(pg::make_value(st->acc.gap, st->acc.segments, st->acc.count));
}

// rollup's result: the merged value, empty when only empty values came in.
COVERAGE_FUNCTION(coverage_rollup_finalfn) {
    aggregate_context(fcinfo, "coverage_rollup_finalfn");
    AggregateState* st = state_arg(fcinfo, 0);
    if (st == nullptr) PG_RETURN_NULL();
    pg::flush(st);
    PG_RETURN_POINTER(pg::make_value(st->acc.gap, st->acc.segments, st->acc.count));
}
