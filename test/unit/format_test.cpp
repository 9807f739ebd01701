// Text and binary forms: round trips, exact spellings and rejection of bad input.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "coverage/core/binary_format.hpp"
#include "coverage/core/error.hpp"
#include "coverage/core/text_format.hpp"
#include "coverage/core/validate.hpp"
#include "reference.hpp"

namespace coverage::test {
namespace {

struct Parsed {
    Gap gap;
    std::vector<Segment> segments;
};

Parsed parse_text(const std::string& text) {
    core::TextReader r{text.data(), text.data(), text.data() + text.size()};
    Parsed p{core::read_text_header(r), {}};
    core::SegmentValidator v{p.gap, core::ErrorKind::invalid_text};
    Segment s;
    while (core::read_text_segment(r, &s)) {
        v.check(s);
        p.segments.push_back(s);
    }
    return p;
}

std::string format_text(const Gap& gap, const std::vector<Segment>& segs) {
    char buf[core::kSegmentTextMax];
    std::string out(buf, core::format_gap(gap, buf));
    for (const Segment& s : segs) out += " " + std::string(buf, core::format_segment(s, buf));
    return out;
}

std::vector<unsigned char> encode(const Gap& gap, const std::vector<Segment>& segs) {
    std::vector<unsigned char> out(core::binary_size(segs.size()));
    core::write_binary_header(gap, segs.size(), out.data());
    for (size_t i = 0; i < segs.size(); ++i)
        core::write_binary_segment(segs[i], out.data() + core::binary_size(i));
    return out;
}

Parsed decode(const std::vector<unsigned char>& bytes) {
    core::BinaryReader r{bytes.data(), bytes.data() + bytes.size()};
    size_t n = 0;
    Parsed p{core::read_binary_header(r, &n), {}};
    core::SegmentValidator v{p.gap, core::ErrorKind::invalid_binary};
    for (size_t i = 0; i < n; ++i) {
        p.segments.push_back(core::read_binary_segment(r));
        v.check(p.segments.back());
    }
    return p;
}

std::string timestamp_text(int64_t t) {
    char buf[core::kTimestampTextMax];
    return std::string(buf, core::format_timestamp(t, buf));
}

core::ErrorKind error_kind_of_text(const std::string& text) {
    try {
        parse_text(text);
    } catch (const core::CoreError& e) {
        return e.kind();
    }
    return core::ErrorKind::internal;  // no error at all: never expected below
}

TEST(Gap, CanonicalFormMakesEqualTolerancesEqual) {
    EXPECT_EQ(core::make_gap(0, 1, 0), core::make_gap(0, 0, core::kUsecsPerDay));
    EXPECT_EQ(core::make_gap(0, 1, -3600 * core::kUsecsPerSecond).usecs,
              23 * 3600 * core::kUsecsPerSecond);
    EXPECT_THROW(core::make_gap(1, 0, 0), core::CoreError);
    EXPECT_THROW(core::make_gap(0, 0, -1), core::CoreError);
    EXPECT_EQ(core::make_gap(0, INT32_MAX, INT64_MAX).limit, UINT64_MAX);
}

TEST(TextFormat, TimestampsAcrossTheWholeRange) {
    EXPECT_EQ(timestamp_text(0), "2000-01-01T00:00:00Z");
    EXPECT_EQ(timestamp_text(-1), "1999-12-31T23:59:59.999999Z");
    EXPECT_EQ(timestamp_text(1500000), "2000-01-01T00:00:01.5Z");
    EXPECT_EQ(timestamp_text(core::kMinTimestamp), "-4713-11-24T00:00:00Z");
    EXPECT_EQ(timestamp_text(core::kEndTimestamp - 1), "294276-12-31T23:59:59.999999Z");
    EXPECT_EQ(core::days_from_civil(1970, 1, 1), 0);
    EXPECT_EQ(core::days_from_civil(2000, 3, 1), 11017);
}

TEST(TextFormat, RoundTripsRandomValues) {
    std::mt19937_64 rng(99);
    for (int round = 0; round < 2000; ++round) {
        Gap gap = core::make_gap(0, static_cast<int32_t>(rng() % 3),
                                 static_cast<int64_t>(rng() % core::kUsecsPerDay));
        std::vector<Segment> segs;
        int64_t t = core::kMinTimestamp + static_cast<int64_t>(rng() % 1000000000);
        for (int i = 0, n = static_cast<int>(rng() % 6); i < n; ++i) {
            int64_t len = rng() % 2 ? 0 : static_cast<int64_t>(rng() % (1LL << 40));
            segs.push_back(Segment{t, t + len, len > 0 ? 2 + static_cast<int64_t>(rng() % 9) : 1});
            // In 128 bits: the step can carry t past INT64_MAX (UBSan found it).
            __int128 next = static_cast<__int128>(t) + len + gap.limit + 1 + rng() % (1ULL << 61);
            if (next >= core::kEndTimestamp - (1LL << 41)) break;
            t = static_cast<int64_t>(next);
        }
        std::string text = format_text(gap, segs);
        Parsed back = parse_text(text);
        EXPECT_EQ(back.gap, gap) << text;
        ASSERT_EQ(back.segments.size(), segs.size()) << text;
        for (size_t i = 0; i < segs.size(); ++i) EXPECT_TRUE(back.segments[i] == segs[i]) << text;
        Parsed binary = decode(encode(gap, segs));
        EXPECT_EQ(binary.gap, gap);
        ASSERT_EQ(binary.segments.size(), segs.size());
        if (HasFailure()) return;
    }
}

TEST(TextFormat, ExactSpelling) {
    Gap gap = core::make_gap(0, 1, 1500000);
    std::vector<Segment> segs = {{0, 60 * core::kUsecsPerSecond, 3}};
    EXPECT_EQ(format_text(gap, segs),
              "max_gap=86401.5s [2000-01-01T00:00:00Z,2000-01-01T00:01:00Z]:3");
    EXPECT_EQ(format_text(core::make_gap(0, 0, 0), {}), "max_gap=0s");
    EXPECT_EQ(format_text(core::make_gap(0, INT32_MAX, INT64_MAX), {}),
              "max_gap=194765959137654.775807s");
}

// Binary input, merges and roll-ups reach point counts of 19 digits; their text form
// must read back (found by fuzzing: the reader stopped at 18 digits).
TEST(TextFormat, EveryBigintPointCountRoundTrips) {
    Gap gap = core::make_gap(0, 0, 5);
    for (int64_t points : {INT64_MAX, INT64_C(1000000000000000000)}) {
        std::vector<Segment> segs = {{0, 0, points}};
        Parsed back = parse_text(format_text(gap, segs));
        ASSERT_EQ(back.segments.size(), 1u);
        EXPECT_EQ(back.segments[0].points, points);
    }
}

TEST(TextFormat, HugeGapRoundTrips) {
    Gap gap = core::make_gap(0, INT32_MAX, INT64_MAX);
    EXPECT_EQ(parse_text(format_text(gap, {})).gap, gap);
}

TEST(TextFormat, WhiteSpaceIsAllowedBetweenTokens) {
    Parsed p = parse_text("  max_gap=5s  [ 2000-01-01T00:00:00Z , 2000-01-01T00:00:03Z ]:2 \n");
    ASSERT_EQ(p.segments.size(), 1u);
    EXPECT_EQ(p.segments[0].end, 3 * core::kUsecsPerSecond);
}

TEST(TextFormat, RejectsMalformedInput) {
    const char* bad[] = {
        "",
        "max_gap=",
        "max_gap=5",
        "max_gap=-5s",
        "max_gap=1234567890123456s",  // more than 15 digits
        "max_gap=5s [",
        "max_gap=5s [2000-01-01T00:00:00Z]:1",
        "max_gap=5s [2000-01-01T00:00:00Z,2000-01-01T00:00:00Z]",
        "max_gap=5s [2000-01-01T00:00:00Z,2000-01-01T00:00:00Z]:",
        "max_gap=5s [2000-01-01T00:00:00Z,2000-01-01T00:00:00Z]:1x",
        "max_gap=5s [2000-02-30T00:00:00Z,2000-02-30T00:00:00Z]:1",
        "max_gap=5s [2000-01-01T24:00:00Z,2000-01-01T24:00:00Z]:1",
        "max_gap=5s [2000-01-01T00:00:00+01,2000-01-01T00:00:00Z]:1",
        "max_gap=5s [2000-01-01T00:00:00.1234567Z,2000-01-01T00:00:00Z]:1",
        "max_gap=5s [294277-01-01T00:00:00Z,294277-01-01T00:00:00Z]:1",
        "max_gap=5s [-4713-11-23T00:00:00Z,-4713-11-23T00:00:00Z]:1",
        "max_gap=5s [2000-01-01T00:00:00Z,2000-01-01T00:00:00Z]:9223372036854775808",
        "max_gap=5s [2000-01-01T00:00:00Z,2000-01-01T00:00:00Z]:09223372036854775807",
        // Years far beyond the range, whose microseconds do not fit 64 bits (found by
        // fuzzing: the product used to overflow before the range check).
        "max_gap=5s [999999-12-31T23:59:59Z,999999-12-31T23:59:59Z]:1",
        "max_gap=5s [-999999-01-01T00:00:00Z,-999999-01-01T00:00:00Z]:1",
    };
    for (const char* text : bad)
        EXPECT_EQ(error_kind_of_text(text), core::ErrorKind::invalid_text) << text;
}

TEST(Validate, RejectsInvalidSegmentSequences) {
    const char* bad[] = {
        "max_gap=5s [2000-01-01T00:00:01Z,2000-01-01T00:00:00Z]:2",  // ends before it starts
        "max_gap=5s [2000-01-01T00:00:00Z,2000-01-01T00:00:00Z]:0",  // no points
        "max_gap=5s [2000-01-01T00:00:00Z,2000-01-01T00:00:01Z]:1",  // long, one point
        "max_gap=5s [2000-01-01T00:00:00Z,2000-01-01T00:00:00Z]:1 "
        "[2000-01-01T00:00:05Z,2000-01-01T00:00:05Z]:1",  // within max_gap
        "max_gap=0s [2000-01-01T00:00:09Z,2000-01-01T00:00:09Z]:1 "
        "[2000-01-01T00:00:05Z,2000-01-01T00:00:05Z]:1",  // out of order
        "max_gap=0s [2000-01-01T00:00:00Z,2000-01-01T00:00:00Z]:999999999999999999 "
        "[2000-01-01T00:00:05Z,2000-01-01T00:00:05Z]:999999999999999999 "
        "[2000-01-01T00:00:09Z,2000-01-01T00:00:09Z]:999999999999999999 "
        "[2000-01-01T00:00:19Z,2000-01-01T00:00:19Z]:999999999999999999 "
        "[2000-01-01T00:00:29Z,2000-01-01T00:00:29Z]:999999999999999999 "
        "[2000-01-01T00:00:39Z,2000-01-01T00:00:39Z]:999999999999999999 "
        "[2000-01-01T00:00:49Z,2000-01-01T00:00:49Z]:999999999999999999 "
        "[2000-01-01T00:00:59Z,2000-01-01T00:00:59Z]:999999999999999999 "
        "[2000-01-01T00:01:59Z,2000-01-01T00:01:59Z]:999999999999999999 "
        "[2000-01-01T00:02:59Z,2000-01-01T00:02:59Z]:999999999999999999",  // sum overflows
    };
    for (const char* text : bad)
        EXPECT_EQ(error_kind_of_text(text), core::ErrorKind::invalid_text) << text;
}

TEST(BinaryFormat, RejectsMalformedInput) {
    Gap gap = core::make_gap(0, 0, 5);
    auto good = encode(gap, {{0, 0, 1}, {100, 200, 2}});
    auto expect_bad = [](std::vector<unsigned char> bytes) {
        try {
            decode(bytes);
            ADD_FAILURE() << "accepted malformed binary input";
        } catch (const core::CoreError& e) {
            EXPECT_EQ(e.kind(), core::ErrorKind::invalid_binary);
        }
    };
    expect_bad({});
    expect_bad(std::vector<unsigned char>(good.begin(), good.end() - 1));  // truncated
    auto extra = good;
    extra.push_back(0);
    expect_bad(extra);
    auto version = good;
    version[0] = 2;
    expect_bad(version);
    auto count = good;
    count[13] = 0x7f;  // absurd segment count
    expect_bad(count);
    auto negative_gap = good;
    negative_gap[5] = 0x80;
    expect_bad(negative_gap);
    auto order = encode(gap, {{100, 200, 2}, {0, 0, 1}});
    expect_bad(order);
    EXPECT_EQ(decode(good).segments.size(), 2u);
}

}  // namespace
}  // namespace coverage::test
