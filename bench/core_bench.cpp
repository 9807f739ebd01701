// Google Benchmark of the pure C++ core: how many points per second the
// accumulator takes in the orders the aggregate meets, and how fast segment
// arrays merge (combine, rollup, merge()). Build and run: make corebench.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include "coverage/core/accumulator.hpp"
#include "coverage/core/merge.hpp"

namespace {

using coverage::core::Accumulator;
using coverage::core::Gap;
using coverage::core::Segment;

constexpr int64_t kSecond = coverage::core::kUsecsPerSecond;

// The accumulator with the memory policy of src/pg/aggregate_state.cpp (segment arrays
// grow by a quarter, pending entries wait until there are as many as segments, at least 16),
// on std::vector instead of palloc.
class Driver {
public:
    explicit Driver(const Gap& gap) : segments_(4) {
        acc_ = coverage::core::make_accumulator(segments_.data(), segments_.size(), gap);
    }

    void add(int64_t point) {
        if (acc_.count == acc_.capacity) {
            segments_.resize(segments_.size() + segments_.size() / 4);
            acc_.segments = segments_.data();
            acc_.capacity = static_cast<uint32_t>(segments_.size());
        }
        if (coverage::core::try_add_point(acc_, point)) return;
        size_t target = std::clamp<size_t>(acc_.count, 16, 1 << 20);
        if (coverage::core::pending_count(acc_) == target) flush();
        if (acc_.pending == nullptr || acc_.pending->capacity < target) {
            // (one Segment more than the entries: room for the count)
            size_t waiting = coverage::core::pending_count(acc_);
            pending_.resize(target + 1);
            acc_.pending = coverage::core::init_pending_buffer(pending_.data(), target);
            acc_.pending->count = static_cast<uint32_t>(waiting);
        }
        coverage::core::add_pending(acc_, Segment{point, point, 1});
    }

    size_t finish() {
        flush();
        return acc_.count;
    }

private:
    void flush() {
        if (!coverage::core::needs_flush(acc_)) return;
        std::vector<Segment> out(coverage::core::flushed_bound(acc_) + 1);
        size_t n = coverage::core::flush_pending(acc_, out.data());
        segments_.swap(out);
        acc_.segments = segments_.data();
        acc_.capacity = static_cast<uint32_t>(segments_.size());
        acc_.count = static_cast<uint32_t>(n);
    }

    std::vector<Segment> segments_;
    std::vector<Segment> pending_;
    Accumulator acc_;
};

Gap gap_of(int64_t usecs) {
    return coverage::core::make_gap(0, 0, usecs);
}

// One market's points, time-ordered, about a second apart, with an outage longer
// than the gap every 10,000 points.
std::vector<int64_t> ordered_points(size_t n) {
    std::mt19937_64 rng(42);
    std::vector<int64_t> points(n);
    int64_t t = 0;
    for (size_t i = 0; i < n; ++i) {
        t += static_cast<int64_t>(rng() % (2 * kSecond));
        if (i % 10000 == 9999) t += 3600 * kSecond;
        points[i] = t;
    }
    return points;
}

void run_points(benchmark::State& state, const std::vector<int64_t>& points, const Gap& gap) {
    size_t segments = 0;
    for (auto _ : state) {
        Driver d(gap);
        for (int64_t p : points) d.add(p);
        segments = d.finish();
        benchmark::DoNotOptimize(segments);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * points.size()));
    state.counters["segments"] = static_cast<double>(segments);
}

// Time-ordered input: an index-ordered scan, or a single source appended in order.
void BM_PointsSorted(benchmark::State& state) {
    run_points(state, ordered_points(static_cast<size_t>(state.range(0))), gap_of(60 * kSecond));
}

// Three sources of one market, each time-ordered, one after the other: what a
// hash aggregate over a UNION ALL of three appended tables sees.
void BM_PointsThreeSources(benchmark::State& state) {
    std::vector<int64_t> all = ordered_points(static_cast<size_t>(state.range(0)));
    std::vector<int64_t> points;
    for (size_t source = 0; source < 3; ++source)
        for (size_t i = source; i < all.size(); i += 3) points.push_back(all[i]);
    run_points(state, points, gap_of(60 * kSecond));
}

// Shuffled points forming 10 dense segments: the worst order for the buffer.
void BM_PointsShuffled(benchmark::State& state) {
    size_t n = static_cast<size_t>(state.range(0));
    std::mt19937_64 rng(7);
    std::vector<int64_t> points(n);
    int64_t span = static_cast<int64_t>(n / 10) * 50000;  // 50 ms apart on average
    for (size_t i = 0; i < n; ++i)
        points[i] = static_cast<int64_t>(i % 10) * 86400 * kSecond +
                    static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
    run_points(state, points, gap_of(60 * kSecond));
}

// Merges two arrays of n segments whose spans interleave, half of them joining.
void BM_Merge(benchmark::State& state) {
    size_t n = static_cast<size_t>(state.range(0));
    std::vector<Segment> a(n), b(n), out(2 * n);
    for (size_t i = 0; i < n; ++i) {
        int64_t base = static_cast<int64_t>(i) * 100 * kSecond;
        a[i] = Segment{base, base + 10 * kSecond, 10};
        int64_t off = i % 2 == 0 ? 15 * kSecond : 50 * kSecond;  // joins a[i] or stands alone
        b[i] = Segment{base + off, base + off + 10 * kSecond, 10};
    }
    Gap gap = gap_of(10 * kSecond);
    for (auto _ : state) {
        auto cursor = coverage::core::start_merge(a.data(), n, b.data(), n, gap, out.data());
        coverage::core::merge_step(cursor, 2 * n);
        benchmark::DoNotOptimize(cursor.sink.count);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 2 * n));
}

BENCHMARK(BM_PointsSorted)->Arg(1 << 20);
BENCHMARK(BM_PointsThreeSources)->Arg(1 << 20);
BENCHMARK(BM_PointsShuffled)->Arg(1 << 20)->Arg(10 << 20);
BENCHMARK(BM_Merge)->Arg(1 << 10)->Arg(1 << 20);

}  // namespace

BENCHMARK_MAIN();
