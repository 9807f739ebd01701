// The compact form of captured points: round trips, and rejection of malformed batches.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "coverage/core/error.hpp"
#include "coverage/core/point_batch.hpp"

namespace coverage::core {
// (found by the comparisons of vectors of points below)
bool operator==(const KeyedPoint& a, const KeyedPoint& b) {
    return a.key == b.key && a.ts == b.ts;
}
}  // namespace coverage::core

namespace coverage::test {
namespace {

using Point = core::KeyedPoint;

std::vector<unsigned char> encode(const std::vector<Point>& points, bool repeat = true) {
    return core::write_batch(points, repeat);
}

std::vector<Point> decode(const std::vector<unsigned char>& batch) {
    core::BatchReader reader = core::open_batch(batch.data(), batch.size());
    std::vector<std::string> keys;
    std::vector<Point> points;
    core::BatchPoint p;
    while (core::read_point(reader, &p)) {
        if (p.new_key) {
            EXPECT_EQ(p.key_number, keys.size());
            keys.emplace_back(reinterpret_cast<const char*>(batch.data()) + p.key_offset,
                              p.key_length);
        }
        points.push_back(Point{keys.at(p.key_number), p.ts});
    }
    return points;
}

TEST(PointBatch, RoundTrip) {
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    std::vector<Point> points = {{"a", 1000}, {"bb", 999},       {"a", -5},        {"", 0},
                                 {"a", kMax}, {"bb", kMin},      {"bb", kMin + 1}, {"", kMax},
                                 {"c", 0},    {"long key é", 1}, {"a", 1 << 30}};
    EXPECT_EQ(decode(encode(points)), points);
    EXPECT_EQ(decode(encode(points, false)), points);
    EXPECT_TRUE(decode(encode({})).empty());
}

TEST(PointBatch, SmallDifferencesTakeFewBytes) {
    std::vector<Point> points;
    for (int i = 0; i < 100; ++i) points.push_back(Point{"key", 1'700'000'000'000'000 + i * 60});
    // The first point takes its key with its length and an 8-byte time; each other
    // one a byte of reference and a byte for its 60 µs step.
    EXPECT_EQ(encode(points).size(), 1 + (1 + 3 + 8) + 99 * 2);
}

void expect_invalid(const std::vector<unsigned char>& batch) {
    try {
        decode(batch);
        ADD_FAILURE() << "accepted";
    } catch (const core::CoreError& e) {
        EXPECT_EQ(e.kind(), core::ErrorKind::invalid_binary);
    }
}

TEST(PointBatch, RejectsMalformed) {
    expect_invalid({});
    expect_invalid({2});
    expect_invalid({1, 0x05, 0x00});             // refers to a key never given
    expect_invalid({1, 0x00, 0x05, 'a'});        // key cut off
    expect_invalid({1, 0x00, 0x01, 'a'});        // time missing
    expect_invalid({1, 0x00, 0x01, 'a', 0x80});  // time cut off
    std::vector<unsigned char> too_long = {1, 0x00, 0x01, 'a'};
    too_long.insert(too_long.end(), 10, 0xff);
    expect_invalid(too_long);
}

}  // namespace
}  // namespace coverage::test
