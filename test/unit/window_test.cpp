// Window questions checked against brute force over microsecond grids.
#include <gtest/gtest.h>

#include "coverage/core/window.hpp"
#include "reference.hpp"

namespace coverage::test {
namespace {

using core::Bound;
using core::Window;

bool inside(const Bound& lower, const Bound& upper, double t) {
    bool above = lower.infinite || t > lower.value || (t == lower.value && lower.inclusive);
    bool below = upper.infinite || t < upper.value || (t == upper.value && upper.inclusive);
    return above && below;
}

TEST(Window, CoversAndCoveredTotal) {
    std::vector<Segment> s = {{0, 10, 2}, {20, 20, 1}, {30, 35, 3}};
    EXPECT_TRUE(core::covers(s.data(), s.size(), 0));
    EXPECT_TRUE(core::covers(s.data(), s.size(), 20));
    EXPECT_FALSE(core::covers(s.data(), s.size(), 11));
    EXPECT_FALSE(core::covers(s.data(), s.size(), 36));
    EXPECT_EQ(core::covered_total(s.data(), s.size()), 15u);
}

TEST(WindowProperty, UncoveredStretchesAreTheComplementWithinTheWindow) {
    std::mt19937_64 rng(4242);
    for (int round = 0; round < 2000; ++round) {
        std::vector<Segment> segs;
        for (int64_t t = static_cast<int64_t>(rng() % 5); t < 60; t += 2 + rng() % 6) {
            int64_t len = static_cast<int64_t>(rng() % 4);
            segs.push_back(Segment{t, t + len, len ? 2 : 1});
            t += len;
        }
        Window w{Bound{static_cast<int64_t>(rng() % 70) - 5, rng() % 2 == 0, rng() % 6 == 0},
                 Bound{static_cast<int64_t>(rng() % 70), rng() % 2 == 0, rng() % 6 == 0}, false};
        std::vector<core::Stretch> out(segs.size() + 1);
        size_t n = core::uncovered_stretches(segs.data(), segs.size(), w, out.data());
        // Every half-microsecond step inside the window is either covered or in
        // exactly one stretch.
        for (double t = -10; t <= 75; t += 0.5) {
            if (!inside(w.lower, w.upper, t)) continue;
            bool covered = false;
            for (const Segment& s : segs) covered |= t >= s.start && t <= s.end;
            int in_stretches = 0;
            for (size_t i = 0; i < n; ++i) in_stretches += inside(out[i].lower, out[i].upper, t);
            EXPECT_EQ(in_stretches, covered ? 0 : 1) << "round " << round << " t " << t;
        }
        // And no stretch reaches outside the window.
        for (size_t i = 0; i < n; ++i) {
            for (double t = -10; t <= 75; t += 0.5) {
                if (inside(out[i].lower, out[i].upper, t)) {
                    EXPECT_TRUE(inside(w.lower, w.upper, t)) << "round " << round;
                }
            }
        }
        if (HasFailure()) return;
    }
}

TEST(WindowProperty, CoveredInWindowMatchesBruteForce) {
    std::mt19937_64 rng(5);
    for (int round = 0; round < 2000; ++round) {
        std::vector<Segment> segs;
        for (int64_t t = static_cast<int64_t>(rng() % 5); t < 100; t += 2 + rng() % 9) {
            int64_t len = static_cast<int64_t>(rng() % 7);
            segs.push_back(Segment{t, t + len, len ? 2 : 1});
            t += len;
        }
        int64_t lo = static_cast<int64_t>(rng() % 110) - 5;
        int64_t hi = lo + static_cast<int64_t>(rng() % 50);
        Window w{Bound{lo, true, false}, Bound{hi, false, false}, false};
        uint64_t want = 0;
        for (int64_t t = lo; t < hi; ++t)  // unit cells [t, t+1) fully inside a segment
            for (const Segment& s : segs) want += (t >= s.start && t + 1 <= s.end);
        EXPECT_EQ(core::covered_in_window(segs.data(), segs.size(), w), want);
        if (HasFailure()) return;
    }
}

TEST(Timeline, CellsSayFullPartialOrEmpty) {
    std::vector<Segment> segs = {{0, 40, 5}, {55, 55, 1}};
    std::vector<core::Cell> cells(10);
    core::timeline(segs.data(), segs.size(), 0, 100, 10, cells.data());
    using core::Cell;
    std::vector<Cell> want = {Cell::full,    Cell::full,  Cell::full,  Cell::full,  Cell::partial,
                              Cell::partial, Cell::empty, Cell::empty, Cell::empty, Cell::empty};
    EXPECT_EQ(cells, want);
}

TEST(Timeline, WindowNarrowerThanWidth) {
    std::vector<Segment> segs = {{2, 2, 1}};
    std::vector<core::Cell> cells(8);
    core::timeline(segs.data(), segs.size(), 0, 4, 8, cells.data());
    int marked = 0;
    for (core::Cell c : cells) marked += c != core::Cell::empty;
    EXPECT_GE(marked, 1);
}

}  // namespace
}  // namespace coverage::test
