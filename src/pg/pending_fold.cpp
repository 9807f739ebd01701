// coverage._fold_pending(batch bytea, max_gap interval): folds the captured points of
// many batches (coverage.pending) into coverage per entity key, in one pass and one
// hash table keyed by the key's bytes. Its result, a coverage._folded_points, holds
// three arrays in step: the keys, their coverage (NULL for a key whose points were
// all infinite) and the number of infinite times skipped for each.
//
// Why not unnest the points and GROUP BY the key: a hash aggregate over text forms a
// tuple, hashes and compares a datum for every point, which cost about 0.2 µs a
// point, most of an incremental refresh's folding. A batch names each key once and
// then refers to it by number, so here a key is hashed once per batch and each point
// costs an array index and the accumulator's step.
#include "aggregate_state.hpp"
#include "guard.hpp"
#include "value.hpp"

#include "coverage/core/point_batch.hpp"

extern "C" {
#include "common/hashfn.h"
#include "utils/hsearch.h"
}

using namespace coverage;

namespace {

// A key's bytes, which the hash table compares (not as a C string: keys are text).
struct KeyRef {
    const char* data;
    uint32 length;
};

struct FoldEntry {
    KeyRef key;  // must come first: dynahash keys start the entry
    int64 infinite;
    core::Accumulator acc;  // arrays in FoldState::context
};

// Lives in the aggregate context, with the table and every entity's arrays.
struct FoldState {
    MemoryContext context;
    HTAB* entities;
    core::Gap gap;
    // The entry of each key number of the batch being read.
    FoldEntry** by_number;
    size_t by_number_capacity;
};

uint32 hash_key(const void* key, Size) {
    const auto* k = static_cast<const KeyRef*>(key);
    return hash_bytes(reinterpret_cast<const unsigned char*>(k->data),
                      static_cast<int>(k->length));
}

int compare_keys(const void* a, const void* b, Size) {
    const auto* x = static_cast<const KeyRef*>(a);
    const auto* y = static_cast<const KeyRef*>(b);
    if (x->length != y->length) return 1;
    return memcmp(x->data, y->data, x->length);
}

FoldState* new_fold_state(MemoryContext context, const Interval* gap) {
    auto* fs = static_cast<FoldState*>(MemoryContextAllocZero(context, sizeof(FoldState)));
    fs->context = context;
    fs->gap = pg::canonical_gap(gap);
    HASHCTL ctl;
    ctl.keysize = sizeof(KeyRef);
    ctl.entrysize = sizeof(FoldEntry);
    ctl.hash = hash_key;
    ctl.match = compare_keys;
    ctl.hcxt = context;
    fs->entities = hash_create("coverage pending fold", 1024, &ctl,
                               HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
    fs->by_number_capacity = 64;
    fs->by_number = static_cast<FoldEntry**>(
        MemoryContextAlloc(context, fs->by_number_capacity * sizeof(FoldEntry*)));
    return fs;
}

// The entry of a key met in a batch, created with a copy of its bytes the first time.
FoldEntry* entry_for(FoldState* fs, const char* data, uint32 length) {
    KeyRef key{data, length};
    bool found = false;
    auto* entry = static_cast<FoldEntry*>(hash_search(fs->entities, &key, HASH_ENTER, &found));
    if (!found) {
        char* copy = static_cast<char*>(MemoryContextAlloc(fs->context, length + 1));
        memcpy(copy, data, length);
        entry->key = KeyRef{copy, length};
        entry->infinite = 0;
        entry->acc = pg::new_accumulator(fs->gap);
    }
    return entry;
}

void fold_batch(FoldState* fs, bytea* batch) {
    const auto* data = reinterpret_cast<const unsigned char*>(VARDATA_ANY(batch));
    core::BatchReader reader = core::open_batch(data, VARSIZE_ANY_EXHDR(batch));
    core::BatchPoint point;
    size_t count = 0;
    while (core::read_point(reader, &point)) {
        if (point.new_key) {
            if (point.key_number == fs->by_number_capacity) {
                fs->by_number_capacity *= 2;
                fs->by_number = static_cast<FoldEntry**>(
                    repalloc_huge(fs->by_number, fs->by_number_capacity * sizeof(FoldEntry*)));
            }
            fs->by_number[point.key_number] = entry_for(
                fs, reinterpret_cast<const char*>(data + point.key_offset), point.key_length);
        }
        FoldEntry* entry = fs->by_number[point.key_number];
        if (TIMESTAMP_NOT_FINITE(point.ts)) {
            ++entry->infinite;
        } else {
            pg::add_point(&entry->acc, fs->context, point.ts);
        }
        pg::check_interrupts_every(count++);
    }
}

Datum array_of(Datum* elements, bool* nulls, int count, Oid element_type) {
    int16 length = 0;
    bool by_value = false;
    char align = 0;
    get_typlenbyvalalign(element_type, &length, &by_value, &align);
    int dims[1] = {count};
    int lower_bounds[1] = {1};
    return PointerGetDatum(construct_md_array(elements, nulls, 1, dims, lower_bounds, element_type,
                                              length, by_value, align));
}

}  // namespace

COVERAGE_FUNCTION(coverage_fold_pending_transfn) {
    MemoryContext context = pg::aggregate_context(fcinfo, "coverage._fold_pending");
    const Interval* gap = pg::gap_arg(fcinfo, 2);
    FoldState* fs = PG_ARGISNULL(0) ? new_fold_state(context, gap)
                                    : reinterpret_cast<FoldState*>(PG_GETARG_POINTER(0));
    pg::require_unchanged_gap(fs->gap, gap);
    if (!PG_ARGISNULL(1)) fold_batch(fs, PG_GETARG_BYTEA_PP(1));
    PG_RETURN_POINTER(fs);
}

COVERAGE_FUNCTION(coverage_fold_pending_finalfn) {
    pg::aggregate_context(fcinfo, "coverage._fold_pending");
    auto* fs = reinterpret_cast<FoldState*>(PG_GETARG_POINTER(0));
    TupleDesc result_type = nullptr;
    if (get_call_result_type(fcinfo, nullptr, &result_type) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "coverage._fold_pending must return a composite type");
    Oid coverage_type = get_element_type(TupleDescAttr(result_type, 1)->atttypid);

    auto count = static_cast<size_t>(hash_get_num_entries(fs->entities));
    auto* keys = static_cast<Datum*>(palloc(count * sizeof(Datum) + 1));
    auto* coverages = static_cast<Datum*>(palloc(count * sizeof(Datum) + 1));
    auto* no_coverage = static_cast<bool*>(palloc(count + 1));
    auto* infinite = static_cast<Datum*>(palloc(count * sizeof(Datum) + 1));
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, fs->entities);
    size_t i = 0;
    while (auto* entry = static_cast<FoldEntry*>(hash_seq_search(&scan))) {
        keys[i] = PointerGetDatum(
            cstring_to_text_with_len(entry->key.data, static_cast<int>(entry->key.length)));
        pg::flush(&entry->acc, fs->context);
        const core::Accumulator& acc = entry->acc;
        no_coverage[i] = acc.count == 0;
        coverages[i] = acc.count == 0
                           ? Datum(0)
                           : PointerGetDatum(pg::make_value(fs->gap, acc.segments, acc.count));
        infinite[i] = Int64GetDatum(entry->infinite);
        pg::check_interrupts_every(i++);
    }
    Datum fields[3] = {array_of(keys, nullptr, static_cast<int>(count), TEXTOID),
                       array_of(coverages, no_coverage, static_cast<int>(count), coverage_type),
                       array_of(infinite, nullptr, static_cast<int>(count), INT8OID)};
    bool field_nulls[3] = {false, false, false};
    result_type = BlessTupleDesc(result_type);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_type, fields, field_nulls)));
}
