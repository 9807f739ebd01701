// coverage._capture_insert(): the statement-level AFTER INSERT trigger of the
// sources (src/sql/56_capture.sql). It runs on every write of a collector, so
// it is written here rather than in PL/pgSQL, where a dynamic query costs a
// parse and a plan per statement: it reads the statement's transition table
// directly, writes the keys (as text) and the times straight into the final
// array layout, one copy of each, and appends them as one row of
// coverage.pending with a plain heap insert (the table has no index, trigger
// or constraint beyond NOT NULL, which the row meets), without the executor.
// It never fails a write for coverage's sake: a table that no longer fits its
// configuration is marked for refresh instead. No C++ object lives across the
// server calls, which may raise.
#include "guard.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"
}

namespace {

// Points per row of coverage.pending: a statement inserting more rows appends
// several, which bounds the memory the trigger holds and keeps each array far
// below the 1 GB limit of a value.
constexpr int64 kChunkPoints = int64{1} << 20;

// Column number of a trigger argument naming a column of the relation, or 0
// when there is none (renamed or dropped since the source was configured).
AttrNumber column_of(Relation rel, const char* name) {
    int attnum = SPI_fnumber(RelationGetDescr(rel), name);
    return attnum > 0 ? static_cast<AttrNumber>(attnum) : 0;
}

// Appends a row to one of coverage's bookkeeping tables (coverage.pending,
// coverage.dirty). Looked up by name at each call: a cached OID would outlive
// DROP EXTENSION. The lock is kept until the end of the transaction, as the
// executor does.
void insert_row(const char* table, int natts, Datum* values, bool* nulls) {
    Oid relid = get_relname_relid(table, get_namespace_oid("coverage", false));
    if (!OidIsValid(relid)) {
        elog(ERROR, "relation \"coverage.%s\" does not exist", table);
    }
    Relation rel = table_open(relid, RowExclusiveLock);
    if (RelationGetDescr(rel)->natts != natts) {
        elog(ERROR, "relation \"coverage.%s\" does not have %d columns", table, natts);
    }
    HeapTuple tuple = heap_form_tuple(RelationGetDescr(rel), values, nulls);
    simple_heap_insert(rel, tuple);
    heap_freetuple(tuple);
    table_close(rel, NoLock);
}

// A one-dimensional array being written element by element straight into its
// final layout: `data` holds the array header's room, then the elements.
struct ArrayBuffer {
    StringInfoData data;
    int64 count;
};

void array_start(ArrayBuffer* array) {
    initStringInfo(&array->data);
    appendStringInfoSpaces(&array->data, ARR_OVERHEAD_NONULLS(1));
    memset(array->data.data, 0, ARR_OVERHEAD_NONULLS(1));
    array->count = 0;
}

// Appends a text element: a 4-byte length header and the bytes, aligned as
// text elements are (int).
void array_add_text(ArrayBuffer* array, const char* bytes, int len) {
    int32 header = 0;
    SET_VARSIZE(&header, len + VARHDRSZ);
    appendBinaryStringInfo(&array->data, reinterpret_cast<const char*>(&header), VARHDRSZ);
    appendBinaryStringInfo(&array->data, bytes, len);
    while (array->data.len % sizeof(int32) != 0) {
        appendStringInfoChar(&array->data, '\0');
    }
    ++array->count;
}

void array_add_timestamp(ArrayBuffer* array, TimestampTz ts) {
    appendBinaryStringInfo(&array->data, reinterpret_cast<const char*>(&ts), sizeof(ts));
    ++array->count;
}

// Fills in the header; the buffer is the array from then on.
Datum array_finish(ArrayBuffer* array, Oid element_type) {
    ArrayType* result = reinterpret_cast<ArrayType*>(array->data.data);
    SET_VARSIZE(result, array->data.len);
    result->ndim = 1;
    result->dataoffset = 0;
    result->elemtype = element_type;
    ARR_DIMS(result)[0] = static_cast<int>(array->count);
    ARR_LBOUND(result)[0] = 1;
    return PointerGetDatum(result);
}

void append_points(Oid relid, ArrayBuffer* keys, ArrayBuffer* points) {
    Datum values[3] = {ObjectIdGetDatum(relid), array_finish(keys, TEXTOID),
                       array_finish(points, TIMESTAMPTZOID)};
    bool nulls[3] = {false, false, false};
    insert_row("pending", 3, values, nulls);
    pfree(keys->data.data);
    pfree(points->data.data);
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
        Datum values[2] = {ObjectIdGetDatum(RelationGetRelid(rel)), PointerGetDatum(nullptr)};
        bool nulls[2] = {false, true};
        insert_row("dirty", 2, values, nulls);
        return PointerGetDatum(nullptr);
    }
    // A text or varchar key is its own text form: its bytes are copied as they
    // are; any other key type goes through its output function.
    Oid key_type = TupleDescAttr(desc, key_att - 1)->atttypid;
    bool key_is_text = key_type == TEXTOID || key_type == VARCHAROID;
    FmgrInfo key_out;
    if (!key_is_text) {
        Oid key_output;
        bool key_varlena;
        getTypeOutputInfo(key_type, &key_output, &key_varlena);
        fmgr_info(key_output, &key_out);
    }

    // A read pointer of our own, as a scan of the transition table in a query
    // would take: other triggers of the statement read the same tuplestore.
    Tuplestorestate* rows = trigger->tg_newtable;
    int reader = tuplestore_alloc_read_pointer(rows, EXEC_FLAG_REWIND);
    tuplestore_select_read_pointer(rows, reader);
    tuplestore_rescan(rows);
    TupleTableSlot* slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
    ArrayBuffer keys;
    ArrayBuffer points;
    array_start(&keys);
    array_start(&points);
    while (tuplestore_gettupleslot(rows, true, false, slot)) {
        bool key_null;
        bool ts_null;
        Datum key = slot_getattr(slot, key_att, &key_null);
        Datum ts = slot_getattr(slot, ts_att, &ts_null);
        // Rows without a key or a time are no points of any entity.
        if (!key_null && !ts_null) {
            if (key_is_text) {
                // (a short or compressed value is unpacked only when it must be)
                text* key_text = reinterpret_cast<text*>(PG_DETOAST_DATUM_PACKED(key));
                array_add_text(&keys, VARDATA_ANY(key_text),
                               static_cast<int>(VARSIZE_ANY_EXHDR(key_text)));
                if (key_text != reinterpret_cast<text*>(DatumGetPointer(key))) {
                    pfree(key_text);
                }
            } else {
                char* key_string = OutputFunctionCall(&key_out, key);
                array_add_text(&keys, key_string, static_cast<int>(strlen(key_string)));
                pfree(key_string);
            }
            array_add_timestamp(&points, DatumGetTimestampTz(ts));
            if (points.count == kChunkPoints) {
                append_points(RelationGetRelid(rel), &keys, &points);
                array_start(&keys);
                array_start(&points);
            }
        }
        CHECK_FOR_INTERRUPTS();
    }
    ExecDropSingleTupleTableSlot(slot);
    if (points.count > 0) {
        append_points(RelationGetRelid(rel), &keys, &points);
    }
    return PointerGetDatum(nullptr);
}
