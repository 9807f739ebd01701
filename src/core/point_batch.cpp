// Reading the compact form of captured points (see point_batch.hpp).
#include "coverage/core/point_batch.hpp"

#include "coverage/core/error.hpp"
#include "coverage/core/no_postgres.hpp"

namespace coverage::core {

namespace {

[[noreturn]] void corrupt(const char* what) {
    fail(ErrorKind::invalid_binary, "invalid captured points", what);
}

uint64_t get_varint(BatchReader& reader) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (reader.pos == reader.end) corrupt("A number is cut off.");
        unsigned char byte = *reader.pos++;
        v |= static_cast<uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return v;
    }
    corrupt("A number is longer than 64 bits.");
}

}  // namespace

std::vector<unsigned char> write_batch(const std::vector<KeyedPoint>& points, bool repeat_keys) {
    std::vector<unsigned char> out(1, kBatchVersion);
    std::vector<const std::string*> keys;
    int64_t last = 0;
    for (const KeyedPoint& p : points) {
        size_t at = out.size();
        out.resize(at + kBatchPointOverhead + p.key.size());
        unsigned char* end = out.data() + at;
        size_t number = 0;
        while (repeat_keys && number < keys.size() && *keys[number] != p.key) ++number;
        if (!repeat_keys || number == keys.size()) {
            end = put_new_key(end, p.key.data(), static_cast<uint32_t>(p.key.size()));
            keys.push_back(&p.key);
        } else {
            end = put_known_key(end, number);
        }
        end = put_time(end, p.ts, last);
        last = p.ts;
        out.resize(static_cast<size_t>(end - out.data()));
    }
    return out;
}

BatchReader open_batch(const unsigned char* data, size_t size) {
    if (size < 1 || data[0] != kBatchVersion) corrupt("Unknown version.");
    return BatchReader{data, data + 1, data + size, 0, 0};
}

bool read_point(BatchReader& reader, BatchPoint* point) {
    if (reader.pos == reader.end) return false;
    uint64_t ref = get_varint(reader);
    point->new_key = (ref & 1) == 0;
    if (point->new_key) {
        uint64_t length = ref >> 1;
        if (length > static_cast<uint64_t>(reader.end - reader.pos)) {
            corrupt("A key is longer than the rest of the batch.");
        }
        point->key_offset = static_cast<size_t>(reader.pos - reader.begin);
        point->key_length = static_cast<uint32_t>(length);
        point->key_number = reader.keys++;
        reader.pos += length;
    } else {
        if ((ref >> 1) >= reader.keys) corrupt("A point refers to a key not given yet.");
        point->key_number = ref >> 1;
    }
    uint64_t zigzag = get_varint(reader);
    auto delta = static_cast<uint64_t>(static_cast<int64_t>(zigzag >> 1) ^
                                       -static_cast<int64_t>(zigzag & 1));
    point->ts = static_cast<int64_t>(static_cast<uint64_t>(reader.last_ts) + delta);
    reader.last_ts = point->ts;
    return true;
}

}  // namespace coverage::core
