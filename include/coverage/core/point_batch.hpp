// The compact form in which the insert trigger records the points of a statement
// (coverage.pending.batch), read back by coverage._pending_points. The trigger runs
// on every write of a collector and the bytes it writes are most of its cost, so each
// point takes a few bytes rather than the 20 of a text array and a timestamp array:
//
//   uint8  version (1)
//   then per point, until the end:
//     varint key    2n: a new key of n bytes follows, which takes the next key
//                   number (0, 1, ...); 2n + 1: the key numbered n
//     varint time   zigzag of the difference to the previous point's time
//                   (the first one's to 0), modulo 2^64
//
// Varints are little-endian base 128 (7 bits a byte, high bit set on all but the
// last). A key may be given a number more than once: the writer keeps a cache of
// recent keys, not a set, and the reader does not care.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace coverage::core {

constexpr uint8_t kBatchVersion = 1;
// Most bytes a point takes besides its key's bytes: key reference or length, time.
constexpr size_t kBatchPointOverhead = 10 + 10;

inline unsigned char* put_varint(unsigned char* out, uint64_t v) {
    while (v >= 0x80) {
        *out++ = static_cast<unsigned char>(v | 0x80);
        v >>= 7;
    }
    *out++ = static_cast<unsigned char>(v);
    return out;
}

// Times are stored as differences, mapped so that small ones of either sign are small.
inline uint64_t time_delta(int64_t ts, int64_t previous) {
    auto d = static_cast<int64_t>(static_cast<uint64_t>(ts) - static_cast<uint64_t>(previous));
    return (static_cast<uint64_t>(d) << 1) ^ static_cast<uint64_t>(d >> 63);
}

// A point is written as a key (new, or the number of a known one), then its time.
// A new key: returns the end of what it wrote, at most 5 bytes plus the key.
inline unsigned char* put_new_key(unsigned char* out, const char* key, uint32_t length) {
    out = put_varint(out, uint64_t{length} << 1);
    std::memcpy(out, key, length);
    return out + length;
}

inline unsigned char* put_known_key(unsigned char* out, uint64_t key_number) {
    return put_varint(out, (key_number << 1) | 1);
}

inline unsigned char* put_time(unsigned char* out, int64_t ts, int64_t previous_ts) {
    return put_varint(out, time_delta(ts, previous_ts));
}

// Reads a batch point by point; read_point throws invalid_binary on a malformed one.
struct BatchReader {
    const unsigned char* begin;
    const unsigned char* pos;
    const unsigned char* end;
    uint64_t keys;    // key numbers given so far
    int64_t last_ts;  // time of the last point read
};

struct BatchPoint {
    bool new_key;
    uint64_t key_number;  // of a known key
    size_t key_offset;    // of a new key's bytes, from the start of the batch
    uint32_t key_length;
    int64_t ts;
};

// A point with its key, for writing whole batches.
struct KeyedPoint {
    std::string key;
    int64_t ts;
};

// A whole batch in a vector, each key given once and then referred to by number
// (`repeat_keys` false: every key given anew, as after the trigger's cache
// missed). The trigger writes into server memory with the put_ functions above
// and a cache of recent keys; this is the reference form for tests and fuzzing.
std::vector<unsigned char> write_batch(const std::vector<KeyedPoint>& points,
                                       bool repeat_keys = true);

// Checks the version byte and positions the reader on the first point.
BatchReader open_batch(const unsigned char* data, size_t size);
// False at the end of the batch.
bool read_point(BatchReader& reader, BatchPoint* point);

}  // namespace coverage::core
