// libFuzzer target: the accumulator and the merge. The input spells a max_gap, two
// multisets of points in the order they arrive and the buffer sizes to use. Each side
// is accumulated the way the aggregate does it (try_add_point, pending entries, flushes
// into exactly sized arrays), the two results are merged in bounded steps and also
// rolled up through pending entries, and everything is compared with the brute-force
// answer: sort all points, cut where neighbours are more than max_gap apart.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <memory>

#include "coverage/core/accumulator.hpp"
#include "coverage/core/merge.hpp"
#include "harness.hpp"

using namespace coverage;
using core::Segment;

namespace {

// A segment array with no slack, so that AddressSanitizer sees any write past the room
// the core was promised.
struct Exact {
    std::unique_ptr<Segment[]> data;
    size_t size = 0;

    explicit Exact(size_t n) : data(new Segment[n]), size(n) {}
};

// The aggregate's accumulator over exactly sized arrays and a pending buffer of the
// fuzzer's choosing (the server uses 256 to 1M entries; small sizes flush often).
class Accumulating {
public:
    Accumulating(const core::Gap& gap, size_t pending_capacity)
        : segments_(1), pending_(new unsigned char[core::pending_buffer_bytes(pending_capacity)]) {
        acc_ = core::make_accumulator(segments_.data.get(), segments_.size, gap);
        acc_.pending = core::init_pending_buffer(pending_.get(), pending_capacity);
    }

    void add_point(int64_t p) {
        if (!core::has_room_for(acc_, p)) grow();
        if (core::try_add_point(acc_, p)) return;
        if (core::pending_full(acc_)) flush();
        core::add_pending(acc_, Segment{p, p, 1});
    }

    // The roll-up path: whole segments wait as pending entries.
    void add_segment(const Segment& s) {
        if (core::pending_full(acc_)) flush();
        core::add_pending(acc_, s);
    }

    void flush() {
        if (acc_.count > acc_.capacity) grow();  // the last segment's slot
        Exact out(core::flushed_bound(acc_));
        size_t n = core::flush_pending(acc_, out.data.get());
        fuzz::require(n <= out.size, "flush stays within its bound");
        install(std::move(out), n);
    }

    std::vector<Segment> result() {
        flush();
        return std::vector<Segment>(acc_.segments, acc_.segments + acc_.count);
    }

private:
    void grow() {
        // (an appended segment may have filled the array, the last one left outside)
        Exact bigger(std::max<size_t>(acc_.capacity * 2, acc_.count + 1));
        size_t held = std::min<size_t>(acc_.count, acc_.capacity);
        std::copy(acc_.segments, acc_.segments + held, bigger.data.get());
        install(std::move(bigger), acc_.count);
    }

    void install(Exact next, size_t count) {
        segments_ = std::move(next);
        acc_.segments = segments_.data.get();
        acc_.capacity = static_cast<uint32_t>(segments_.size);
        acc_.count = static_cast<uint32_t>(count);
    }

    Exact segments_;
    std::unique_ptr<unsigned char[]> pending_;  // exactly a buffer's bytes, for ASan
    core::Accumulator acc_;
};

std::vector<Segment> reference(std::vector<int64_t> points, const core::Gap& gap) {
    std::sort(points.begin(), points.end());
    std::vector<Segment> out;
    for (size_t i = 0; i < points.size(); ++i) {
        if (i > 0 && core::distance(points[i - 1], points[i]) <= gap.limit) {
            out.back().end = points[i];
            ++out.back().points;
        } else {
            out.push_back(Segment{points[i], points[i], 1});
        }
    }
    return out;
}

core::Gap consume_gap(FuzzedDataProvider& in) {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0:
            return core::make_gap(0, 0, in.ConsumeIntegralInRange<int64_t>(0, 64));
        case 1:
            return core::make_gap(0, 0, in.ConsumeIntegralInRange<int64_t>(0, 1 << 20));
        case 2:
            return core::make_gap(0, in.ConsumeIntegral<int32_t>() & INT32_MAX,
                                  in.ConsumeIntegral<int64_t>() & INT64_MAX);
        default:  // near the distance between the timestamp limits
            return core::make_gap(0, 106751991 + in.ConsumeIntegralInRange<int32_t>(0, 4),
                                  in.ConsumeIntegralInRange<int64_t>(0, core::kUsecsPerDay));
    }
}

// Mostly points close together (so segments join, split and bridge), now and then the
// extremes of the timestamp range (so distances need all 64 bits).
int64_t consume_point(FuzzedDataProvider& in, int64_t base, int64_t spread) {
    switch (in.ConsumeIntegralInRange<int>(0, 15)) {
        case 0:
            return core::kMinTimestamp + in.ConsumeIntegralInRange<int64_t>(0, 3);
        case 1:
            return core::kEndTimestamp - 1 - in.ConsumeIntegralInRange<int64_t>(0, 3);
        case 2:
            return in.ConsumeIntegralInRange<int64_t>(core::kMinTimestamp,
                                                      core::kEndTimestamp - 1);
        default:
            return base + in.ConsumeIntegralInRange<int64_t>(0, spread);
    }
}

std::vector<Segment> merge_in_steps(const std::vector<Segment>& a, const std::vector<Segment>& b,
                                    const core::Gap& gap, size_t budget) {
    Exact out(a.size() + b.size() + 1);
    core::MergeCursor c =
        core::start_merge(a.data(), a.size(), b.data(), b.size(), gap, out.data.get());
    while (!core::merge_step(c, budget)) {
    }
    fuzz::require(c.sink.count <= a.size() + b.size(), "merge output within its bound");
    return std::vector<Segment>(out.data.get(), out.data.get() + c.sink.count);
}

void check(const std::vector<Segment>& got, const std::vector<Segment>& want, const char* what) {
    if (!fuzz::same_segments(got, want)) fuzz::violated(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    core::Gap gap = consume_gap(in);
    size_t pending = in.ConsumeIntegralInRange<size_t>(1, 16);
    size_t budget = in.ConsumeIntegralInRange<size_t>(1, 8);
    int64_t spread =
        std::max<int64_t>(static_cast<int64_t>(std::min<uint64_t>(gap.limit, 64)), 1) *
        in.ConsumeIntegralInRange<int64_t>(1, 8);
    size_t left_count = in.ConsumeIntegralInRange<size_t>(0, 512);
    std::vector<int64_t> left, right;
    while (in.remaining_bytes() > 0) {
        (left.size() < left_count ? left : right).push_back(consume_point(in, 0, spread * 64));
    }

    std::vector<int64_t> all = left;
    all.insert(all.end(), right.begin(), right.end());
    Accumulating a(gap, pending), b(gap, pending), reversed(gap, pending);
    for (int64_t p : left) a.add_point(p);
    for (int64_t p : right) b.add_point(p);
    for (auto p = all.rbegin(); p != all.rend(); ++p) reversed.add_point(*p);
    std::vector<Segment> sa = a.result(), sb = b.result();
    check(sa, reference(left, gap), "accumulated left side differs from reference");
    check(sb, reference(right, gap), "accumulated right side differs from reference");

    std::vector<Segment> want = reference(all, gap);
    // The reference is a valid value: it must satisfy the validator and read back.
    fuzz::check_round_trips(fuzz::Value{gap, want});
    check(reversed.result(), want, "reversed input differs from reference");
    check(merge_in_steps(sa, sb, gap, budget), want, "merge(a, b) differs from reference");
    check(merge_in_steps(sb, sa, gap, budget), want, "merge(b, a) differs from reference");
    Accumulating rolled(gap, pending);
    for (const Segment& s : sb) rolled.add_segment(s);
    for (const Segment& s : sa) rolled.add_segment(s);
    check(rolled.result(), want, "roll-up through pending entries differs from reference");
    return 0;
}
