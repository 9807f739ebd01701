// coverage._capture_insert(): the statement-level AFTER INSERT trigger of the
// sources (src/sql/56_capture.sql). It runs on every write of a collector, so
// it is written here rather than in PL/pgSQL, where a dynamic query costs a
// parse and a plan per statement: it reads the statement's transition table
// directly, writes each key (as text) and time in a compact form
// (coverage/core/point_batch.hpp: a statement's repeated keys once, times as
// differences), and appends it as one row of coverage.pending with a plain
// heap insert (the table has no index, trigger or constraint beyond NOT NULL,
// which the row meets), without the executor.
// It never fails a write for coverage's sake: a table that no longer fits its
// configuration is marked for refresh instead. No C++ object lives across the
// server calls, which may raise.
#include "guard.hpp"

#include "coverage/core/point_batch.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "common/hashfn.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"
}

namespace {

namespace core = coverage::core;

// Most bytes of a batch in one row of coverage.pending: a statement inserting
// more appends several rows. Rows this small stay in the table's own pages
// (its toast_tuple_target lets a row fill a page, src/sql/55_storage.sql):
// one larger value would be cut into toast chunks of 2 kB, each a heap insert
// plus an index insert, which is more than a writer should pay for capture.
// (A row holds the relid and the batch behind a 24-byte tuple header.)
constexpr int kRowBytes = 8000;

// Recent keys of a batch, by hash, each with its number in the batch and the
// place of its bytes there: a statement's repeated keys are written once, for
// the cost of a hash. A direct-mapped cache rather than a set (a slot holds the
// last key that hashed to it), so that it never probes; its size follows the
// keys given, up to kCacheMax slots of 16 bytes, which stay in a core's own
// cache (a larger table made most lookups a cache miss in COPY).
struct KeyCacheEntry {
    uint32 hash;
    uint32 length;
    uint32 offset;
    uint32 number;  // key number + 1; 0: empty slot
};
constexpr uint32 kCacheMin = 64;
constexpr uint32 kCacheMax = 1 << 14;

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

// The points of a statement being written in their compact form
// (coverage/core/point_batch.hpp), in a bytea: `data` starts with the room for
// the varlena header.
struct Batch {
    StringInfoData data;
    int64 count;
    uint64 keys;          // key numbers given
    TimestampTz last_ts;  // of the last point written
    KeyCacheEntry* cache;
    uint32 cache_mask;
};

void batch_start(Batch* batch) {
    initStringInfo(&batch->data);
    appendStringInfoSpaces(&batch->data, VARHDRSZ);
    appendStringInfoChar(&batch->data, static_cast<char>(core::kBatchVersion));
    batch->count = 0;
    batch->keys = 0;
    batch->last_ts = 0;
    batch->cache = static_cast<KeyCacheEntry*>(palloc0(kCacheMin * sizeof(KeyCacheEntry)));
    batch->cache_mask = kCacheMin - 1;
}

// The cache slot for a key. It grows with the keys given (a fresh, empty one: the
// keys of the old one are merely given a second number if they come again).
KeyCacheEntry* cache_slot(Batch* batch, uint32 hash) {
    if (batch->keys > batch->cache_mask && batch->cache_mask + 1 < kCacheMax) {
        uint32 size = (batch->cache_mask + 1) * 4;
        pfree(batch->cache);
        batch->cache = static_cast<KeyCacheEntry*>(palloc0(size * sizeof(KeyCacheEntry)));
        batch->cache_mask = size - 1;
    }
    return &batch->cache[hash & batch->cache_mask];
}

// Whether a point with a key of `length` bytes surely fits in the batch's row.
// (A key too long for any row gets a row of its own, toasted as usual.)
bool batch_has_room(const Batch* batch, uint32 length) {
    return batch->count == 0 ||
           batch->data.len + core::kBatchPointOverhead + length <= size_t{kRowBytes};
}

void batch_add(Batch* batch, const char* key, uint32 length, TimestampTz ts) {
    uint32 hash =
        hash_bytes(reinterpret_cast<const unsigned char*>(key), static_cast<int>(length));
    KeyCacheEntry* slot = cache_slot(batch, hash);
    bool known = slot->number > 0 && slot->hash == hash && slot->length == length &&
                 memcmp(batch->data.data + slot->offset, key, length) == 0;
    enlargeStringInfo(&batch->data, static_cast<int>(core::kBatchPointOverhead + length));
    auto* start = reinterpret_cast<unsigned char*>(batch->data.data);
    unsigned char* out = start + batch->data.len;
    if (known) {
        out = core::put_known_key(out, slot->number - 1);
    } else {
        out = core::put_new_key(out, key, length);
        *slot = KeyCacheEntry{hash, length, static_cast<uint32>(out - start - length),
                              static_cast<uint32>(++batch->keys)};
    }
    out = core::put_time(out, ts, batch->last_ts);
    batch->data.len = static_cast<int>(out - start);
    batch->last_ts = ts;
    ++batch->count;
}

void append_batch(Oid relid, Batch* batch) {
    SET_VARSIZE(batch->data.data, batch->data.len);
    Datum values[2] = {ObjectIdGetDatum(relid), PointerGetDatum(batch->data.data)};
    bool nulls[2] = {false, false};
    insert_row("pending", 2, values, nulls);
    pfree(batch->data.data);
    pfree(batch->cache);
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
    Batch batch;
    batch_start(&batch);
    while (tuplestore_gettupleslot(rows, true, false, slot)) {
        bool key_null;
        bool ts_null;
        Datum key = slot_getattr(slot, key_att, &key_null);
        Datum ts = slot_getattr(slot, ts_att, &ts_null);
        // Rows without a key or a time are no points of any entity.
        if (!key_null && !ts_null) {
            const char* key_bytes;
            uint32 key_length;
            text* key_text = nullptr;
            char* key_string = nullptr;
            if (key_is_text) {
                // (a short or compressed value is unpacked only when it must be)
                key_text = reinterpret_cast<text*>(PG_DETOAST_DATUM_PACKED(key));
                key_bytes = VARDATA_ANY(key_text);
                key_length = static_cast<uint32>(VARSIZE_ANY_EXHDR(key_text));
            } else {
                key_string = OutputFunctionCall(&key_out, key);
                key_bytes = key_string;
                key_length = static_cast<uint32>(strlen(key_string));
            }
            if (!batch_has_room(&batch, key_length)) {
                append_batch(RelationGetRelid(rel), &batch);
                batch_start(&batch);
            }
            batch_add(&batch, key_bytes, key_length, DatumGetTimestampTz(ts));
            if (key_string != nullptr) {
                pfree(key_string);
            } else if (key_text != reinterpret_cast<text*>(DatumGetPointer(key))) {
                pfree(key_text);
            }
        }
        CHECK_FOR_INTERRUPTS();
    }
    ExecDropSingleTupleTableSlot(slot);
    if (batch.count > 0) {
        append_batch(RelationGetRelid(rel), &batch);
    } else {
        pfree(batch.data.data);
        pfree(batch.cache);
    }
    return PointerGetDatum(nullptr);
}
