// Helpers shared by the libFuzzer targets: decoding and encoding whole values the way
// the PostgreSQL layer does, the invariants every valid value keeps, and a failure
// that aborts, which libFuzzer records as a crash together with the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "coverage/core/binary_format.hpp"
#include "coverage/core/error.hpp"
#include "coverage/core/text_format.hpp"
#include "coverage/core/types.hpp"
#include "coverage/core/validate.hpp"

namespace coverage::fuzz {

using core::Gap;
using core::Segment;

struct Value {
    Gap gap;
    std::vector<Segment> segments;
};

[[noreturn]] inline void violated(const char* what) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
}

inline void require(bool ok, const char* what) {
    if (!ok) violated(what);
}

inline bool same_segments(const std::vector<Segment>& a, const std::vector<Segment>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].start != b[i].start || a[i].end != b[i].end || a[i].points != b[i].points)
            return false;
    return true;
}

// Checks each segment that `next` yields with the value's validator, as every input
// function of the type does.
template <class Next>
Value read_validated(const Gap& gap, core::ErrorKind kind, Next next) {
    Value v{gap, {}};
    core::SegmentValidator validator{gap, kind};
    for (Segment s; next(&s);) {
        validator.check(s);
        v.segments.push_back(s);
    }
    return v;
}

// Parses and validates text as coverage_in does; throws CoreError on bad input.
inline Value parse_text(const char* data, size_t size) {
    core::TextReader r{data, data, data + size};
    Gap gap = core::read_text_header(r);
    return read_validated(gap, core::ErrorKind::invalid_text,
                          [&r](Segment* s) { return core::read_text_segment(r, s); });
}

inline std::string format_text(const Value& v) {
    char buf[core::kSegmentTextMax];
    std::string out(buf, core::format_gap(v.gap, buf));
    for (const Segment& s : v.segments) {
        size_t n = core::format_segment(s, buf);
        require(n < core::kSegmentTextMax, "formatted segment fits its buffer");
        out += ' ';
        out.append(buf, n);
    }
    return out;
}

// Decodes and validates the binary form as coverage_recv does; throws CoreError.
inline Value decode_binary(const unsigned char* data, size_t size) {
    core::BinaryReader r{data, data + size};
    size_t count = 0;
    Gap gap = core::read_binary_header(r, &count);
    require(count <= core::kMaxSegments, "segment count within the datum limit");
    require(size == core::binary_size(count), "header count matches the length");
    size_t read = 0;
    Value v = read_validated(gap, core::ErrorKind::invalid_binary, [&](Segment* s) {
        if (read == count) return false;
        *s = core::read_binary_segment(r);
        ++read;
        return true;
    });
    require(r.pos == r.end, "binary reader consumed the whole value");
    return v;
}

inline std::vector<unsigned char> encode_binary(const Value& v) {
    std::vector<unsigned char> out(core::binary_size(v.segments.size()));
    core::write_binary_header(v.gap, v.segments.size(), out.data());
    for (size_t i = 0; i < v.segments.size(); ++i)
        core::write_binary_segment(v.segments[i], out.data() + core::binary_size(i));
    return out;
}

// What every stored value promises, checked independently of SegmentValidator.
inline void check_value_invariants(const Value& v) {
    int64_t total = 0;
    for (size_t i = 0; i < v.segments.size(); ++i) {
        const Segment& s = v.segments[i];
        require(core::is_valid_timestamp(s.start) && core::is_valid_timestamp(s.end),
                "finite times");
        require(s.start <= s.end, "start <= end");
        require(s.points >= 1 && (s.start == s.end || s.points >= 2), "enough points");
        require(!__builtin_add_overflow(total, s.points, &total), "total fits bigint");
        if (i > 0) {
            const Segment& p = v.segments[i - 1];
            require(p.end < s.start, "disjoint and sorted");
            require(core::distance(p.end, s.start) > v.gap.limit, "more than max_gap apart");
        }
    }
}

// Both forms of a valid value must read back to the same value.
inline void check_round_trips(const Value& v) {
    check_value_invariants(v);
    std::string text = format_text(v);
    Value from_text = parse_text(text.data(), text.size());
    require(from_text.gap == v.gap, "text round trip keeps max_gap");
    require(same_segments(from_text.segments, v.segments), "text round trip keeps segments");
    std::vector<unsigned char> bytes = encode_binary(v);
    Value from_binary = decode_binary(bytes.data(), bytes.size());
    require(from_binary.gap == v.gap, "binary round trip keeps max_gap");
    require(same_segments(from_binary.segments, v.segments), "binary round trip keeps segments");
}

}  // namespace coverage::fuzz
