// The keys and the times of a batch of captured points (coverage.pending.batch,
// written by the insert trigger in src/pg/capture.cpp), as two arrays in step:
// coverage._pending_keys(bytea) text[] and coverage._pending_times(bytea)
// timestamptz[]. Refresh unnests them in its select list, which streams their
// elements without a copy; a set-returning function of (key, time) rows cost
// refresh about 0.4 µs more a point (a tuple formed per point, a field read
// from it per use), which is more than folding the point.
#include "guard.hpp"

#include "coverage/core/point_batch.hpp"

namespace {

namespace core = coverage::core;

core::BatchReader open_batch_arg(bytea* batch) {
    return core::open_batch(reinterpret_cast<const unsigned char*>(VARDATA_ANY(batch)),
                            VARSIZE_ANY_EXHDR(batch));
}

// A one-dimensional array without NULLs, allocated with room for its elements
// (`data_bytes`), which the caller writes from ARR_DATA_PTR on.
ArrayType* new_array(size_t count, size_t data_bytes, Oid element_type) {
    size_t size = ARR_OVERHEAD_NONULLS(1) + data_bytes;
    if (count > MaxArraySize || !AllocSizeIsValid(size)) {
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("captured points do not fit in an array")));
    }
    auto* array = static_cast<ArrayType*>(palloc0(size));
    SET_VARSIZE(array, size);
    array->ndim = 1;
    array->dataoffset = 0;
    array->elemtype = element_type;
    ARR_DIMS(array)[0] = static_cast<int>(count);
    ARR_LBOUND(array)[0] = 1;
    return array;
}

// Bytes of a text element of `length` bytes in an array: a 4-byte header, the
// bytes, padding to the alignment of text (int).
size_t text_element_bytes(uint32 length) {
    return INTALIGN(VARHDRSZ + size_t{length});
}

}  // namespace

COVERAGE_FUNCTION(coverage_pending_keys) {
    bytea* batch = PG_GETARG_BYTEA_PP(0);
    auto* data = reinterpret_cast<const unsigned char*>(VARDATA_ANY(batch));
    // First pass: validates the batch and sizes the array.
    core::BatchReader reader = open_batch_arg(batch);
    core::BatchPoint point;
    // Length of each key number's bytes, and where they are in the batch.
    size_t key_capacity = 64;
    auto* key_offset = static_cast<size_t*>(palloc(key_capacity * sizeof(size_t)));
    auto* key_length = static_cast<uint32*>(palloc(key_capacity * sizeof(uint32)));
    size_t data_bytes = 0;
    size_t count = 0;
    while (core::read_point(reader, &point)) {
        if (point.new_key) {
            if (point.key_number == key_capacity) {
                key_capacity *= 2;
                key_offset =
                    static_cast<size_t*>(repalloc_huge(key_offset, key_capacity * sizeof(size_t)));
                key_length =
                    static_cast<uint32*>(repalloc_huge(key_length, key_capacity * sizeof(uint32)));
            }
            key_offset[point.key_number] = point.key_offset;
            key_length[point.key_number] = point.key_length;
        }
        data_bytes += text_element_bytes(key_length[point.key_number]);
        if ((++count & 0xffff) == 0) {
            CHECK_FOR_INTERRUPTS();
        }
    }
    ArrayType* keys = new_array(count, data_bytes, TEXTOID);
    char* out = ARR_DATA_PTR(keys);
    reader = open_batch_arg(batch);
    while (core::read_point(reader, &point)) {
        uint32 length = key_length[point.key_number];
        SET_VARSIZE(out, VARHDRSZ + length);
        memcpy(VARDATA(out), data + key_offset[point.key_number], length);
        out += text_element_bytes(length);  // (padding stays zero)
    }
    PG_RETURN_ARRAYTYPE_P(keys);
}

COVERAGE_FUNCTION(coverage_pending_times) {
    bytea* batch = PG_GETARG_BYTEA_PP(0);
    core::BatchReader reader = open_batch_arg(batch);
    core::BatchPoint point;
    size_t count = 0;
    while (core::read_point(reader, &point)) {
        if ((++count & 0xffff) == 0) {
            CHECK_FOR_INTERRUPTS();
        }
    }
    ArrayType* times = new_array(count, count * sizeof(TimestampTz), TIMESTAMPTZOID);
    auto* out = reinterpret_cast<TimestampTz*>(ARR_DATA_PTR(times));
    reader = open_batch_arg(batch);
    while (core::read_point(reader, &point)) {
        *out++ = point.ts;
    }
    PG_RETURN_ARRAYTYPE_P(times);
}
