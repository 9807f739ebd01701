// Brute-force reference implementations and a vector-backed accumulator for the
// property tests: the obvious way to compute segments, against which the core's
// order-independent, buffered way is checked.
#pragma once

#include <algorithm>
#include <random>
#include <vector>

#include "coverage/core/accumulator.hpp"
#include "coverage/core/merge.hpp"

namespace coverage::test {

using core::Gap;
using core::Segment;

inline bool operator==(const Segment& a, const Segment& b) {
    return a.start == b.start && a.end == b.end && a.points == b.points;
}

// Sort all points, cut where the distance exceeds the gap.
inline std::vector<Segment> reference_segments(std::vector<int64_t> points, const Gap& gap) {
    std::sort(points.begin(), points.end());
    std::vector<Segment> out;
    for (int64_t p : points) {
        if (!out.empty() && gap.joins(out.back().end, p)) {
            out.back().end = p;
            ++out.back().points;
        } else {
            out.push_back(Segment{p, p, 1});
        }
    }
    return out;
}

// Memory for a pending buffer of `capacity` entries, for the accumulators of the tests.
class PendingStorage {
public:
    explicit PendingStorage(size_t capacity)
        : memory_(capacity + 1), buffer_(core::init_pending_buffer(memory_.data(), capacity)) {}
    PendingStorage(const PendingStorage&) = delete;
    PendingStorage& operator=(const PendingStorage&) = delete;
    core::PendingBuffer* get() { return buffer_; }

private:
    std::vector<Segment> memory_;  // (a Segment more than the entries: room for the count)
    core::PendingBuffer* buffer_;
};

// The accumulator with std::vector storage and deliberately small buffers, so
// that flushes, bridges and growth happen often.
class VectorAccumulator {
public:
    explicit VectorAccumulator(const Gap& gap, size_t pending_capacity = 4)
        : segments_(1), pending_(pending_capacity) {
        acc_ = core::make_accumulator(segments_.data(), segments_.size(), gap);
        acc_.pending = pending_.get();
    }

    void add(int64_t p) {
        // As the aggregate does: the array fills to its last slot before it grows.
        if (!core::has_room_for(acc_, p))
            grow(std::max<size_t>(acc_.capacity * 2, acc_.count + 1));
        if (core::try_add_point(acc_, p)) return;
        if (core::pending_full(acc_)) flush();
        core::add_pending(acc_, Segment{p, p, 1});
    }

    void flush() {
        if (acc_.count > acc_.capacity) grow(acc_.count);  // the last segment's slot
        std::vector<Segment> out(core::flushed_bound(acc_) + 1);
        size_t n = core::flush_pending(acc_, out.data());
        segments_.swap(out);
        acc_.segments = segments_.data();
        acc_.capacity = static_cast<uint32_t>(segments_.size());
        acc_.count = static_cast<uint32_t>(n);
    }

    std::vector<Segment> result() {
        flush();
        return std::vector<Segment>(segments_.begin(), segments_.begin() + acc_.count);
    }

private:
    void grow(size_t capacity) {
        segments_.resize(capacity);
        acc_.segments = segments_.data();
        acc_.capacity = static_cast<uint32_t>(capacity);
    }

    std::vector<Segment> segments_;
    PendingStorage pending_;
    core::Accumulator acc_;
};

inline std::vector<Segment> merge(const std::vector<Segment>& a, const std::vector<Segment>& b,
                                  const Gap& gap) {
    std::vector<Segment> out(a.size() + b.size());
    core::MergeCursor c =
        core::start_merge(a.data(), a.size(), b.data(), b.size(), gap, out.data());
    while (!core::merge_step(c, 3)) {
    }
    out.resize(c.sink.count);
    return out;
}

}  // namespace coverage::test
