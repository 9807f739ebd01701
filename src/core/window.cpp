// Window queries over a segment set (see window.hpp).
#include "coverage/core/window.hpp"

#include <algorithm>

namespace coverage::core {

namespace {

// The first segment that ends at or after t.
const Segment* first_ending_from(const Segment* segs, size_t n, int64_t t) {
    return std::lower_bound(segs, segs + n, t,
                            [](const Segment& s, int64_t v) { return s.end < v; });
}

bool is_nonempty(const Bound& lower, const Bound& upper) {
    if (lower.infinite || upper.infinite) return true;
    if (lower.value != upper.value) return lower.value < upper.value;
    return lower.inclusive && upper.inclusive;
}

// True when the segment starting at `start` begins beyond the window's upper bound.
bool starts_after(int64_t start, const Bound& upper) {
    if (upper.infinite) return false;
    return start > upper.value || (start == upper.value && !upper.inclusive);
}

}  // namespace

bool covers(const Segment* segs, size_t n, int64_t t) {
    const Segment* s = first_ending_from(segs, n, t);
    return s != segs + n && s->start <= t;
}

uint64_t covered_total(const Segment* segs, size_t n) {
    uint64_t total = 0;
    for (size_t i = 0; i < n; ++i) total += distance(segs[i].start, segs[i].end);
    return total;
}

uint64_t covered_in_window(const Segment* segs, size_t n, const Window& w) {
    if (w.empty) return 0;
    uint64_t total = 0;
    const Segment* s = w.lower.infinite ? segs : first_ending_from(segs, n, w.lower.value);
    for (; s != segs + n && !starts_after(s->start, w.upper); ++s) {
        int64_t from = w.lower.infinite ? s->start : std::max(s->start, w.lower.value);
        int64_t to = w.upper.infinite ? s->end : std::min(s->end, w.upper.value);
        if (to > from) total += distance(from, to);
    }
    return total;
}

size_t uncovered_stretches(const Segment* segs, size_t n, const Window& w, Stretch* out) {
    if (w.empty) return 0;
    size_t written = 0;
    Bound cursor = w.lower;  // where the next uncovered stretch may begin
    const Segment* s = w.lower.infinite ? segs : first_ending_from(segs, n, w.lower.value);
    for (; s != segs + n && !starts_after(s->start, w.upper); ++s) {
        if (cursor.infinite || cursor.value < s->start)
            out[written++] = Stretch{cursor, Bound{s->start, false, false}};
        cursor = Bound{s->end, false, false};
        if (!w.upper.infinite && s->end >= w.upper.value) return written;
    }
    if (is_nonempty(cursor, w.upper)) out[written++] = Stretch{cursor, w.upper};
    return written;
}

void timeline(const Segment* segs, size_t n, int64_t lower, int64_t upper, size_t width,
              Cell* out) {
    const unsigned __int128 span = distance(lower, upper);
    const Segment* first = first_ending_from(segs, n, lower);
    const Segment* end = segs + n;
    for (size_t k = 0; k < width; ++k) {
        int64_t a = static_cast<int64_t>(static_cast<uint64_t>(lower) +
                                         static_cast<uint64_t>(span * k / width));
        int64_t b = static_cast<int64_t>(static_cast<uint64_t>(lower) +
                                         static_cast<uint64_t>(span * (k + 1) / width));
        while (first != end && first->end < a) ++first;
        uint64_t covered = 0;
        bool touched = false;
        for (const Segment* s = first; s != end && s->start < b; ++s) {
            touched = true;
            // Cells are judged in whole microseconds: a segment covers [start, end + 1µs),
            // so a slice that ends where a segment ends is still covered throughout.
            int64_t from = std::max(s->start, a), to = std::min(s->end + 1, b);
            if (to > from) covered += distance(from, to);
        }
        out[k] = !touched                               ? Cell::empty
                 : (b > a && covered == distance(a, b)) ? Cell::full
                                                        : Cell::partial;
    }
}

}  // namespace coverage::core

#include "coverage/core/no_postgres.hpp"
