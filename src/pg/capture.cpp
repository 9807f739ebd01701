// coverage._capture_insert(): the statement-level AFTER INSERT trigger of the
// sources (src/sql/56_capture.sql). It runs on every write of a collector, so
// it is written here rather than in PL/pgSQL, where a dynamic query costs a
// parse and a plan per statement: it reads the statement's transition table
// directly, builds the array of keys (as text) and the array of times, and
// appends them as one row of coverage.pending through a plan kept for the
// session. It never fails a write for coverage's sake: a table that no longer
// fits its configuration is marked for refresh instead. No C++ object lives
// across the server calls, which may raise.
#include "guard.hpp"

extern "C" {
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "utils/tuplestore.h"
}

namespace {

// Column number of a trigger argument naming a column of the relation, or 0
// when there is none (renamed or dropped since the source was configured).
AttrNumber column_of(Relation rel, const char* name) {
    int attnum = SPI_fnumber(RelationGetDescr(rel), name);
    return attnum > 0 ? static_cast<AttrNumber>(attnum) : 0;
}

SPIPlanPtr points_plan = nullptr;
SPIPlanPtr mark_plan = nullptr;

// Runs an insert into one of coverage's tables in its own SPI connection,
// through a plan prepared once per session (the plan cache revalidates it
// when the extension is recreated).
void append(SPIPlanPtr* plan, const char* query, int nargs, Oid* types, Datum* values) {
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "SPI_connect failed");
    }
    if (*plan == nullptr) {
        SPIPlanPtr fresh = SPI_prepare(query, nargs, types);
        if (fresh == nullptr) {
            elog(ERROR, "could not prepare \"%s\": %s", query, SPI_result_code_string(SPI_result));
        }
        SPI_keepplan(fresh);
        *plan = fresh;
    }
    int rc = SPI_execute_plan(*plan, values, nullptr, false, 0);
    if (rc != SPI_OK_INSERT) {
        elog(ERROR, "could not record a change of a coverage source: %s",
             SPI_result_code_string(rc));
    }
    SPI_finish();
}

}  // namespace

COVERAGE_FUNCTION(coverage_capture_insert) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("coverage._capture_insert() must be called as a trigger")));
    }
    TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_AFTER(trigger->tg_event) ||
        !TRIGGER_FIRED_FOR_STATEMENT(trigger->tg_event) ||
        !TRIGGER_FIRED_BY_INSERT(trigger->tg_event) || trigger->tg_newtable == nullptr ||
        trigger->tg_trigger->tgnargs != 2) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("coverage._capture_insert() must be an AFTER INSERT statement "
                               "trigger with a NEW TABLE and two arguments")));
    }
    Relation rel = trigger->tg_relation;
    AttrNumber key_att = column_of(rel, trigger->tg_trigger->tgargs[0]);
    AttrNumber ts_att = column_of(rel, trigger->tg_trigger->tgargs[1]);
    TupleDesc desc = RelationGetDescr(rel);
    if (key_att == 0 || ts_att == 0 ||
        TupleDescAttr(desc, ts_att - 1)->atttypid != TIMESTAMPTZOID) {
        // The table no longer fits its configuration: the write goes ahead (it
        // is no concern of the writer), the source is marked for a full
        // recomputation, and refresh reports what is wrong.
        Oid types[1] = {OIDOID};
        Datum values[1] = {ObjectIdGetDatum(RelationGetRelid(rel))};
        append(&mark_plan, "INSERT INTO coverage.dirty (relid, entity_key) VALUES ($1, NULL)", 1,
               types, values);
        return PointerGetDatum(nullptr);
    }
    Oid key_output;
    bool key_varlena;
    getTypeOutputInfo(TupleDescAttr(desc, key_att - 1)->atttypid, &key_output, &key_varlena);
    FmgrInfo key_out;
    fmgr_info(key_output, &key_out);

    // A read pointer of our own, as a scan of the transition table in a query
    // would take: other triggers of the statement read the same tuplestore.
    Tuplestorestate* rows = trigger->tg_newtable;
    int reader = tuplestore_alloc_read_pointer(rows, EXEC_FLAG_REWIND);
    tuplestore_select_read_pointer(rows, reader);
    tuplestore_rescan(rows);
    TupleTableSlot* slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
    ArrayBuildState* keys = initArrayResult(TEXTOID, CurrentMemoryContext, false);
    ArrayBuildState* points = initArrayResult(TIMESTAMPTZOID, CurrentMemoryContext, false);
    int64 count = 0;
    while (tuplestore_gettupleslot(rows, true, false, slot)) {
        bool key_null;
        bool ts_null;
        Datum key = slot_getattr(slot, key_att, &key_null);
        Datum ts = slot_getattr(slot, ts_att, &ts_null);
        // Rows without a key or a time are no points of any entity.
        if (!key_null && !ts_null) {
            text* key_text = cstring_to_text(OutputFunctionCall(&key_out, key));
            accumArrayResult(keys, PointerGetDatum(key_text), false, TEXTOID,
                             CurrentMemoryContext);
            accumArrayResult(points, ts, false, TIMESTAMPTZOID, CurrentMemoryContext);
            ++count;
        }
        CHECK_FOR_INTERRUPTS();
    }
    ExecDropSingleTupleTableSlot(slot);
    if (count > 0) {
        Oid types[3] = {OIDOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID};
        Datum values[3] = {ObjectIdGetDatum(RelationGetRelid(rel)),
                           makeArrayResult(keys, CurrentMemoryContext),
                           makeArrayResult(points, CurrentMemoryContext)};
        append(&points_plan,
               "INSERT INTO coverage.pending (relid, keys, points) VALUES ($1, $2, $3)", 3, types,
               values);
    }
    return PointerGetDatum(nullptr);
}
