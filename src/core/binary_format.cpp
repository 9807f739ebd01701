// Encoding and decoding the binary form (see binary_format.hpp).
#include "coverage/core/binary_format.hpp"

#include <climits>
#include <string>

#include "coverage/core/error.hpp"

namespace coverage::core {

namespace {

void put_u64(uint64_t v, unsigned char* out) {
    for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<unsigned char>(v & 0xff);
}

void put_u32(uint32_t v, unsigned char* out) {
    for (int i = 3; i >= 0; --i, v >>= 8) out[i] = static_cast<unsigned char>(v & 0xff);
}

uint64_t get_u64(const unsigned char* in) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | in[i];
    return v;
}

uint32_t get_u32(const unsigned char* in) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | in[i];
    return v;
}

[[noreturn]] void malformed(const std::string& detail) {
    fail(ErrorKind::invalid_binary, "invalid binary data for type coverage", detail);
}

}  // namespace

void write_binary_header(const Gap& gap, size_t count, unsigned char* out) {
    out[0] = kBinaryVersion;
    put_u32(static_cast<uint32_t>(gap.days), out + 1);
    put_u64(static_cast<uint64_t>(gap.usecs), out + 5);
    put_u32(static_cast<uint32_t>(count), out + 13);
}

void write_binary_segment(const Segment& s, unsigned char* out) {
    put_u64(static_cast<uint64_t>(s.start), out);
    put_u64(static_cast<uint64_t>(s.end), out + 8);
    put_u64(static_cast<uint64_t>(s.points), out + 16);
}

Gap read_binary_header(BinaryReader& r, size_t* count) {
    size_t available = static_cast<size_t>(r.end - r.pos);
    if (available < kBinaryHeaderSize)
        malformed("The value is " + std::to_string(available) +
                  " bytes, shorter than its header.");
    if (r.pos[0] != kBinaryVersion)
        malformed("Unknown format version " + std::to_string(r.pos[0]) + ".");
    int32_t days = static_cast<int32_t>(get_u32(r.pos + 1));
    int64_t usecs = static_cast<int64_t>(get_u64(r.pos + 5));
    int32_t n = static_cast<int32_t>(get_u32(r.pos + 13));
    r.pos += kBinaryHeaderSize;

    bool canonical = days >= 0 && usecs >= 0 && (usecs < kUsecsPerDay || days == INT32_MAX);
    if (!canonical) malformed("The max_gap is negative or not in canonical form.");
    if (n < 0 || static_cast<size_t>(n) > kMaxSegments)
        malformed("The segment count " + std::to_string(n) + " is out of range.");
    size_t expected = static_cast<size_t>(n) * kBinarySegmentSize;
    if (static_cast<size_t>(r.end - r.pos) != expected)
        malformed("The segment count " + std::to_string(n) + " needs " + std::to_string(expected) +
                  " bytes after the header, but " + std::to_string(r.end - r.pos) + " follow it.");
    *count = static_cast<size_t>(n);
    return make_gap(0, days, usecs);
}

Segment read_binary_segment(BinaryReader& r) {
    if (static_cast<size_t>(r.end - r.pos) < kBinarySegmentSize)
        malformed("The value ends inside a segment.");
    Segment s{static_cast<int64_t>(get_u64(r.pos)), static_cast<int64_t>(get_u64(r.pos + 8)),
              static_cast<int64_t>(get_u64(r.pos + 16))};
    r.pos += kBinarySegmentSize;
    return s;
}

}  // namespace coverage::core

#include "coverage/core/no_postgres.hpp"
