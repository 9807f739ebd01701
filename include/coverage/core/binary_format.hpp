// The binary form of a coverage value, used by send/receive and by the
// aggregate's serialize/deserialize. Network byte order:
//
//   uint8  version (1)
//   int32  max_gap days     int64 max_gap microseconds   (canonical, see Gap)
//   int32  segment count
//   count x (int64 start, int64 end, int64 points)
#pragma once

#include <cstddef>
#include <cstdint>

#include "coverage/core/types.hpp"

namespace coverage::core {

constexpr uint8_t kBinaryVersion = 1;
constexpr size_t kBinaryHeaderSize = 1 + 4 + 8 + 4;
constexpr size_t kBinarySegmentSize = 24;

inline size_t binary_size(size_t count) {
    return kBinaryHeaderSize + count * kBinarySegmentSize;
}

// Writes binary_size(count) bytes; the caller writes the segments after the header.
void write_binary_header(const Gap& gap, size_t count, unsigned char* out);
void write_binary_segment(const Segment& s, unsigned char* out);

// Reads the header and checks that exactly `count` segments follow, throwing
// invalid_binary otherwise; segments are then read one by one (and checked by a
// SegmentValidator).
struct BinaryReader {
    const unsigned char* pos;
    const unsigned char* end;
};

Gap read_binary_header(BinaryReader& reader, size_t* count);
Segment read_binary_segment(BinaryReader& reader);

}  // namespace coverage::core
