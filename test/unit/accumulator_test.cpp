// Property tests: the accumulator and merge agree with the brute-force reference
// for every input order and plan.
#include <gtest/gtest.h>

#include "coverage/core/error.hpp"
#include "reference.hpp"

namespace coverage::test {
namespace {

constexpr int64_t kSecond = core::kUsecsPerSecond;

std::vector<Segment> accumulate(const std::vector<int64_t>& points, const Gap& gap,
                                size_t pending = 4) {
    VectorAccumulator acc(gap, pending);
    for (int64_t p : points) acc.add(p);
    return acc.result();
}

void expect_same(const std::vector<Segment>& got, const std::vector<Segment>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].start, want[i].start) << "segment " << i;
        EXPECT_EQ(got[i].end, want[i].end) << "segment " << i;
        EXPECT_EQ(got[i].points, want[i].points) << "segment " << i;
    }
}

// Random points in a few clusters with random spacing around the gap.
std::vector<int64_t> random_points(std::mt19937_64& rng, size_t n, int64_t gap_usecs) {
    std::vector<int64_t> points;
    int64_t spread = std::max<int64_t>(gap_usecs, 1) * 3;
    int64_t base = static_cast<int64_t>(rng() % 1000000) * kSecond;
    for (size_t i = 0; i < n; ++i) {
        base += static_cast<int64_t>(rng() % static_cast<uint64_t>(spread));
        points.push_back(base);
        if (rng() % 5 == 0) points.push_back(base);  // duplicates count
    }
    return points;
}

TEST(Accumulator, LonePointIsZeroLengthSegment) {
    auto got = accumulate({42}, core::make_gap(0, 0, kSecond));
    expect_same(got, {Segment{42, 42, 1}});
}

TEST(Accumulator, PointsExactlyMaxGapApartJoinOneMicrosecondMoreSplits) {
    Gap gap = core::make_gap(0, 0, 10 * kSecond);
    expect_same(accumulate({0, 10 * kSecond}, gap), {Segment{0, 10 * kSecond, 2}});
    expect_same(accumulate({0, 10 * kSecond + 1}, gap),
                {Segment{0, 0, 1}, Segment{10 * kSecond + 1, 10 * kSecond + 1, 1}});
}

TEST(Accumulator, ZeroGapJoinsOnlyEqualPoints) {
    Gap gap = core::make_gap(0, 0, 0);
    expect_same(accumulate({5, 5, 6, 5}, gap), {Segment{5, 5, 3}, Segment{6, 6, 1}});
}

TEST(Accumulator, BridgingPointJoinsTwoSegments) {
    Gap gap = core::make_gap(0, 0, 10);
    expect_same(accumulate({0, 20, 10}, gap), {Segment{0, 20, 3}});
}

// An accumulator over fixed arrays, fed and flushed step by step, for the tests that
// look at its state between points.
struct FixedAccumulator {
    FixedAccumulator(size_t capacity, int64_t gap_usecs) : segs(capacity), pending(8) {
        acc = core::make_accumulator(segs.data(), segs.size(), core::make_gap(0, 0, gap_usecs));
        acc.pending = pending.get();
    }
    std::vector<Segment> segments() {
        core::store_tail(acc);
        return std::vector<Segment>(segs.begin(), segs.begin() + acc.count);
    }
    std::vector<Segment> flushed() {
        std::vector<Segment> out(core::flushed_bound(acc) + 1);
        out.resize(core::flush_pending(acc, out.data()));
        return out;
    }
    std::vector<Segment> segs;
    PendingStorage pending;
    core::Accumulator acc;
};

// A full array still takes points at or after the last segment's start: one that opens
// a segment moves the last one into the final slot and leaves the new one outside, in
// `tail` alone, until the owner makes room. A point before the last segment needs room
// for one more segment.
TEST(Accumulator, FullArrayTakesAppendsUntilTheLastSegmentIsOutside) {
    FixedAccumulator f(2, 10);
    core::Accumulator& acc = f.acc;
    ASSERT_TRUE(core::has_room_for(acc, 0));
    ASSERT_TRUE(core::try_add_point(acc, 0));
    ASSERT_TRUE(core::try_add_point(acc, 100));
    ASSERT_EQ(acc.count, 2u);
    EXPECT_FALSE(core::has_room_for(acc, 50));  // before the last segment
    EXPECT_TRUE(core::has_room_for(acc, 100));
    EXPECT_TRUE(core::has_room_for(acc, 200));
    ASSERT_TRUE(core::try_add_point(acc, 200));  // opens a third segment
    EXPECT_EQ(acc.count, 3u);
    EXPECT_EQ(acc.capacity, 2u);
    expect_same(std::vector<Segment>(f.segs.begin(), f.segs.end()),
                {Segment{0, 0, 1}, Segment{100, 100, 1}});
    EXPECT_EQ(acc.tail.start, 200);
    EXPECT_FALSE(core::has_room_for(acc, 205));  // even joining it: the owner must grow
    EXPECT_FALSE(core::has_room_for(acc, 300));
}

// A bridging point stretches the left neighbour in place and queues nothing; the
// two stay apart, counted as unjoined, until a flush joins them. Points landing between
// them meanwhile keep stretching the left one.
TEST(Accumulator, BridgeStretchesInPlaceUntilTheFlush) {
    FixedAccumulator f(8, 10);
    core::Accumulator& acc = f.acc;
    for (int64_t p : {0, 20, 40}) ASSERT_TRUE(core::try_add_point(acc, p));
    ASSERT_EQ(acc.count, 3u);
    EXPECT_TRUE(core::try_add_point(acc, 10));  // bridges [0] and [20]
    EXPECT_TRUE(core::try_add_point(acc, 15));  // between them still
    EXPECT_EQ(core::pending_count(acc), 0u);
    EXPECT_EQ(acc.unjoined, 1u);
    EXPECT_TRUE(core::needs_flush(acc));
    expect_same(f.segments(), {Segment{0, 15, 3}, Segment{20, 20, 1}, Segment{40, 40, 1}});
    expect_same(f.flushed(), {Segment{0, 20, 4}, Segment{40, 40, 1}});
    EXPECT_EQ(acc.unjoined, 0u);
}

// Once half the segments wait to be joined, the next bridge joins them in place first.
TEST(Accumulator, BridgesJoinedInPlaceOnceHalfTheSegmentsWait) {
    FixedAccumulator f(8, 10);
    core::Accumulator& acc = f.acc;
    for (int64_t p = 0; p <= 100; p += 20) ASSERT_TRUE(core::try_add_point(acc, p));
    for (int64_t p : {10, 50, 90}) ASSERT_TRUE(core::try_add_point(acc, p));
    EXPECT_EQ(acc.count, 6u);
    EXPECT_EQ(acc.unjoined, 3u);
    EXPECT_TRUE(core::try_add_point(acc, 30));  // joins the waiting pairs, then bridges
    EXPECT_EQ(core::pending_count(acc), 0u);
    EXPECT_EQ(acc.unjoined, 1u);
    expect_same(f.segments(), {Segment{0, 30, 4}, Segment{40, 60, 3}, Segment{80, 100, 3}});
    EXPECT_EQ(acc.tail.start, 80);
    EXPECT_EQ(acc.tail.points, 3);
    expect_same(f.flushed(), {Segment{0, 60, 7}, Segment{80, 100, 3}});
}

// A point that opens a segment in the middle is shifted in place when at most 64
// segments follow it, and queued when more do.
TEST(Accumulator, NewSegmentShiftedInNearTheEndQueuedFarFromIt) {
    FixedAccumulator f(80, 1);
    core::Accumulator& acc = f.acc;
    for (int64_t p = 0; p < 70 * 10; p += 10) ASSERT_TRUE(core::try_add_point(acc, p));
    ASSERT_EQ(acc.count, 70u);
    EXPECT_TRUE(core::try_add_point(acc, 655));  // 5 segments follow: shifted in
    EXPECT_EQ(acc.count, 71u);
    expect_same(std::vector<Segment>(f.segs.begin() + 65, f.segs.begin() + 68),
                {Segment{650, 650, 1}, Segment{655, 655, 1}, Segment{660, 660, 1}});
    EXPECT_EQ(acc.tail.start, 690);
    EXPECT_FALSE(core::try_add_point(acc, 5));  // 70 follow: queued by the caller
    EXPECT_EQ(acc.count, 71u);
}

TEST(Accumulator, HugeGapJoinsTimestampExtremes) {
    Gap gap = core::make_gap(0, INT32_MAX, INT64_MAX);
    std::vector<int64_t> points = {core::kEndTimestamp - 1, core::kMinTimestamp, 0};
    expect_same(accumulate(points, gap),
                {Segment{core::kMinTimestamp, core::kEndTimestamp - 1, 3}});
}

TEST(Accumulator, ExtremesSplitUnderLargeButFiniteGap) {
    Gap gap = core::make_gap(0, 0, INT64_MAX);  // less than the full timestamp span
    auto got = accumulate({core::kMinTimestamp, core::kEndTimestamp - 1}, gap);
    EXPECT_EQ(got.size(), 2u);
}

TEST(AccumulatorProperty, AnyOrderMatchesReference) {
    std::mt19937_64 rng(12345);
    for (int round = 0; round < 3000; ++round) {
        int64_t gap_usecs = static_cast<int64_t>(rng() % 100);
        Gap gap = core::make_gap(0, 0, gap_usecs);
        auto points = random_points(rng, 1 + rng() % 200, gap_usecs);
        auto want = reference_segments(points, gap);
        switch (round % 4) {
            case 0:
                break;  // sorted
            case 1:
                std::shuffle(points.begin(), points.end(), rng);
                break;
            case 2:
                std::reverse(points.begin(), points.end());
                break;  // adversarial
            case 3: {   // interleave the two halves: every point bridges or splits
                std::vector<int64_t> mixed;
                for (size_t i = 0, j = points.size() / 2; i < points.size() / 2; ++i, ++j) {
                    mixed.push_back(points[j]);
                    mixed.push_back(points[i]);
                }
                if (points.size() % 2) mixed.push_back(points.back());
                points = mixed;
                break;
            }
        }
        expect_same(accumulate(points, gap, 1 + rng() % 8), want);
        if (HasFailure()) return;
    }
}

TEST(MergeProperty, SplitAccumulateMergeMatchesReference) {
    std::mt19937_64 rng(777);
    for (int round = 0; round < 2000; ++round) {
        int64_t gap_usecs = static_cast<int64_t>(rng() % 50);
        Gap gap = core::make_gap(0, 0, gap_usecs);
        auto points = random_points(rng, 1 + rng() % 150, gap_usecs);
        std::shuffle(points.begin(), points.end(), rng);
        size_t cut = rng() % (points.size() + 1);
        std::vector<int64_t> left(points.begin(), points.begin() + cut);
        std::vector<int64_t> right(points.begin() + cut, points.end());
        auto merged = merge(accumulate(left, gap), accumulate(right, gap), gap);
        expect_same(merged, reference_segments(points, gap));
        if (HasFailure()) return;
    }
}

TEST(Merge, MergeIsCommutativeAndHasEmptyIdentity) {
    Gap gap = core::make_gap(0, 0, 5);
    std::vector<Segment> a = {{0, 3, 2}, {20, 20, 1}}, b = {{8, 12, 2}};
    expect_same(merge(a, b, gap), merge(b, a, gap));
    expect_same(merge(a, {}, gap), a);
    expect_same(merge(a, b, gap), {Segment{0, 12, 4}, Segment{20, 20, 1}});
}

TEST(Merge, PointCountOverflowIsAnError) {
    Gap gap = core::make_gap(0, 0, 5);
    std::vector<Segment> a = {{0, 3, INT64_MAX}}, b = {{1, 2, 2}};
    try {
        merge(a, b, gap);
        FAIL() << "expected an error";
    } catch (const core::CoreError& e) {
        EXPECT_EQ(e.kind(), core::ErrorKind::value_out_of_range);
    }
}

}  // namespace
}  // namespace coverage::test
