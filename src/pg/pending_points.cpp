// coverage._pending_points(bytea): the (key, time) rows of a batch of captured points
// (coverage.pending.batch, written by the insert trigger in src/pg/capture.cpp), for
// refresh and the live view. One row per call: a statement's batch holds up to a
// million points, which refresh streams into coverage_agg without a copy.
#include "guard.hpp"

#include "coverage/core/point_batch.hpp"

namespace {

namespace core = coverage::core;

// What one call of the set-returning function keeps between rows, in its
// multi-call memory context: the batch, the reader, and each key number's text
// (made once per key, returned for each of its points).
struct PendingScan {
    bytea* batch;
    core::BatchReader reader;
    Datum* keys;
    uint64 key_capacity;
};

}  // namespace

COVERAGE_FUNCTION(coverage_pending_points) {
    FuncCallContext* funcctx;
    if (SRF_IS_FIRSTCALL()) {
        funcctx = SRF_FIRSTCALL_INIT();
        MemoryContext old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) {
            elog(ERROR, "coverage._pending_points must return a composite type");
        }
        funcctx->tuple_desc = BlessTupleDesc(desc);
        auto* scan = static_cast<PendingScan*>(palloc(sizeof(PendingScan)));
        scan->batch = PG_GETARG_BYTEA_P_COPY(0);
        scan->reader =
            core::open_batch(reinterpret_cast<const unsigned char*>(VARDATA(scan->batch)),
                             VARSIZE(scan->batch) - VARHDRSZ);
        scan->key_capacity = 64;
        scan->keys = static_cast<Datum*>(palloc(scan->key_capacity * sizeof(Datum)));
        funcctx->user_fctx = scan;
        MemoryContextSwitchTo(old);
    }
    funcctx = SRF_PERCALL_SETUP();
    auto* scan = static_cast<PendingScan*>(funcctx->user_fctx);
    core::BatchPoint point;
    if (!core::read_point(scan->reader, &point)) {
        SRF_RETURN_DONE(funcctx);
    }
    if (point.new_key) {
        MemoryContext old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
        if (point.key_number == scan->key_capacity) {
            scan->key_capacity *= 2;
            scan->keys =
                static_cast<Datum*>(repalloc_huge(scan->keys, scan->key_capacity * sizeof(Datum)));
        }
        scan->keys[point.key_number] = PointerGetDatum(cstring_to_text_with_len(
            VARDATA(scan->batch) + point.key_offset, static_cast<int>(point.key_length)));
        MemoryContextSwitchTo(old);
    }
    Datum values[2] = {scan->keys[point.key_number], TimestampTzGetDatum(point.ts)};
    bool nulls[2] = {false, false};
    HeapTuple tuple = heap_form_tuple(funcctx->tuple_desc, values, nulls);
    SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
}
