// Plain data shared by the whole core. Times are PostgreSQL's timestamptz
// representation: microseconds since 2000-01-01 00:00:00 UTC.
#pragma once

#include <cstddef>
#include <cstdint>

namespace coverage::core {

constexpr int64_t kUsecsPerSecond = 1000000;
constexpr int64_t kUsecsPerDay = 86400 * kUsecsPerSecond;
// The finite timestamptz range: 4714-11-24 00:00:00 UTC BC inclusive to
// 294277-01-01 00:00:00 UTC exclusive. Anything outside is rejected on input.
constexpr int64_t kMinTimestamp = -211813488000000000LL;
constexpr int64_t kEndTimestamp = 9223371331200000000LL;

// The most segments one value may hold: PostgreSQL datums stop at 1 GB, and
// the value's header and a little slack must fit beside the segments.
constexpr size_t kMaxSegments = (0x3fffffffUL - 1024) / 24;

inline bool is_valid_timestamp(int64_t t) {
    return t >= kMinTimestamp && t < kEndTimestamp;
}

// A maximal run of points: the closed span [start, end] and how many points it holds.
struct Segment {
    int64_t start;
    int64_t end;
    int64_t points;
};
static_assert(sizeof(Segment) == 24, "a stored segment is three 64-bit words");

// Distance b - a for a <= b. Two valid timestamps can lie further apart than
// INT64_MAX, so the difference is taken in unsigned arithmetic, where it is exact.
inline uint64_t distance(int64_t a, int64_t b) {
    return static_cast<uint64_t>(b) - static_cast<uint64_t>(a);
}

// The gap tolerance in canonical form: days * 24h + usecs with 0 <= usecs < 1 day,
// except that days saturates at INT32_MAX and usecs then holds the rest. Two
// tolerances are equal exactly when their canonical forms are.
struct Gap {
    int32_t days = 0;
    int64_t usecs = 0;
    // The tolerance in microseconds, saturated to UINT64_MAX. Saturation is exact for
    // comparisons because no two valid timestamps are UINT64_MAX apart.
    uint64_t limit = 0;

    bool operator==(const Gap& other) const { return days == other.days && usecs == other.usecs; }
    bool operator!=(const Gap& other) const { return !(*this == other); }

    // True when a point at b (b >= a) joins a run that ends at a.
    bool joins(int64_t a, int64_t b) const { return distance(a, b) <= limit; }
};

// Builds the canonical tolerance from an interval's fields; throws CoreError
// (invalid_parameter) for a month part or a negative total.
Gap make_gap(int32_t months, int32_t days, int64_t usecs);

}  // namespace coverage::core
