// Points held back for coverage_agg's states (see deferred_points.hpp).
#include "deferred_points.hpp"

#include "aggregate_state.hpp"
#include "guard.hpp"

namespace coverage::pg {

namespace {

// 4 kB of entries: they stay in the CPU's first-level cache while they wait.
constexpr int kBatchPoints = 256;
// States fetched this many entries ahead: enough misses in flight to overlap, few
// enough that the first is still cached when its turn comes.
constexpr int kFetchAhead = 8;

struct DeferredPoint {
    ExpandedState* state;
    int64 point;
};

// The max_gap one aggregate's transition function noted and the points it held back.
// It lives with the function's call information (for the query), and is listed for
// this backend so that whoever reads a state can apply every batch first.
struct Batch {
    Batch* prev;
    Batch* next;
    MemoryContextCallback unlink;  // when the query's memory goes
    bool noted;
    Interval raw;   // the noted max_gap as given
    core::Gap gap;  // and canonical: every entry's
    int count;
    DeferredPoint entries[kBatchPoints];
};

Batch* batches = nullptr;

void unlink_batch(void* arg) {
    auto* batch = static_cast<Batch*>(arg);
    if (batch->prev != nullptr) batch->prev->next = batch->next;
    if (batch->next != nullptr) batch->next->prev = batch->prev;
    if (batches == batch) batches = batch->next;
}

Batch* batch_for(FmgrInfo* flinfo) {
    auto* batch = static_cast<Batch*>(flinfo->fn_extra);
    if (batch != nullptr) return batch;
    batch = static_cast<Batch*>(MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(Batch)));
    batch->next = batches;
    if (batches != nullptr) batches->prev = batch;
    batches = batch;
    batch->unlink.func = unlink_batch;
    batch->unlink.arg = batch;
    MemoryContextRegisterResetCallback(flinfo->fn_mcxt, &batch->unlink);
    flinfo->fn_extra = batch;
    return batch;
}

// The state behind a read/write datum of ours, computed without reading it (the datum
// points into the object's header; see EOHPGetRWDatum). Checked when the point is added.
ExpandedState* state_of(Datum rw_datum) {
    return reinterpret_cast<ExpandedState*>(DatumGetPointer(rw_datum) -
                                            offsetof(ExpandedObjectHeader, eoh_rw_ptr));
}

void fetch_ahead(const ExpandedState* es) {
    // The fields a point reads span the object's first 128 bytes (two or three lines).
    __builtin_prefetch(es, 1);
    __builtin_prefetch(reinterpret_cast<const char*>(es) + 64, 1);
    __builtin_prefetch(reinterpret_cast<const char*>(es) + 127, 1);
}

// The array slots a point is likely to touch: the last segment's (a new segment closes
// it) and the hinted one (a point before the last segment). Read from a state fetched
// earlier; a prefetch of any address is harmless.
void fetch_segments_ahead(const ExpandedState* es) {
    if (es->header.eoh_methods != &kStateMethods) return;
    const core::Accumulator& acc = es->acc;
    __builtin_prefetch(acc.segments + acc.hint, 1);
    __builtin_prefetch(acc.segments + acc.count - 1, 1);
}

// Adds a batch's points to their states. The batch is emptied first: an error abandons
// the rest, with the query.
void apply_batch(Batch* batch) {
    int n = batch->count;
    batch->count = 0;
    for (int i = 0; i < n && i < kFetchAhead; ++i) fetch_ahead(batch->entries[i].state);
    for (int i = 0; i < n; ++i) {
        if (i + kFetchAhead < n) fetch_ahead(batch->entries[i + kFetchAhead].state);
        if (i + kFetchAhead / 2 < n)
            fetch_segments_ahead(batch->entries[i + kFetchAhead / 2].state);
        ExpandedState* es = batch->entries[i].state;
        if (es->header.eoh_methods != &kStateMethods)
            elog(ERROR, "coverage_agg's transition state is not a coverage state");
        core::Accumulator& acc = es->acc;
        if (acc.gap != batch->gap) reject_changing_gap();
        int64 point = batch->entries[i].point;
        if (core::has_room_for(acc, point) && core::try_add_point(acc, point)) continue;
        add_point(&acc, es->arrays(), point);
    }
}

// The reset callback of watch_states_context: `arg` is the states' context.
void drop_points_of(void* arg) {
    for (Batch* batch = batches; batch != nullptr; batch = batch->next) {
        int kept = 0;
        for (int i = 0; i < batch->count; ++i) {
            // (the headers live in the context being reset, which is still intact)
            if (batch->entries[i].state->header.eoh_context != arg)
                batch->entries[kept++] = batch->entries[i];
        }
        batch->count = kept;
    }
}

}  // namespace

const core::Gap* noted_gap(FmgrInfo* flinfo, const Interval* gap) {
    const auto* batch = static_cast<const Batch*>(flinfo->fn_extra);
    if (batch == nullptr || !batch->noted || gap->time != batch->raw.time ||
        gap->day != batch->raw.day || gap->month != batch->raw.month)
        return nullptr;
    return &batch->gap;
}

void note_gap(FmgrInfo* flinfo, const Interval* gap, const core::Gap& canonical) {
    Batch* batch = batch_for(flinfo);
    if (batch->count > 0 && batch->gap != canonical) call_guarded([batch] { apply_batch(batch); });
    batch->noted = true;
    batch->raw = *gap;
    batch->gap = canonical;
}

bool defer_point(FmgrInfo* flinfo, Datum state_datum, int64 point, const Interval* gap) {
    if (noted_gap(flinfo, gap) == nullptr) return false;
    auto* batch = static_cast<Batch*>(flinfo->fn_extra);
    batch->entries[batch->count++] = DeferredPoint{state_of(state_datum), point};
    if (batch->count == kBatchPoints) call_guarded([batch] { apply_batch(batch); });
    return true;
}

void apply_deferred_points() {
    for (Batch* batch = batches; batch != nullptr; batch = batch->next) {
        if (batch->count > 0) apply_batch(batch);
    }
}

void watch_states_context(MemoryContext parent, MemoryContext states) {
    auto* callback = static_cast<MemoryContextCallback*>(
        MemoryContextAlloc(parent, sizeof(MemoryContextCallback)));
    callback->func = drop_points_of;
    callback->arg = states;
    MemoryContextRegisterResetCallback(parent, callback);
}

}  // namespace coverage::pg
