// Questions about a segment set and a window of time: how much is covered, which
// stretches are not, and a coarse picture of it. Segments are closed spans; a
// span's length is end - start, so a lone point covers no time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "coverage/core/types.hpp"

namespace coverage::core {

struct Bound {
    int64_t value;
    bool inclusive;
    bool infinite;  // -infinity for a lower bound, +infinity for an upper one
};

// A range of time as tstzrange has it; `empty` for the empty range.
struct Window {
    Bound lower;
    Bound upper;
    bool empty;
};

struct Stretch {
    Bound lower;
    Bound upper;
};

bool covers(const Segment* segs, size_t n, int64_t t);

// Total length of the segments. At most the distance between the timestamp limits,
// so it fits in 64 unsigned bits.
uint64_t covered_total(const Segment* segs, size_t n);
uint64_t covered_in_window(const Segment* segs, size_t n, const Window& window);

// The parts of the window no segment covers, in time order. `out` needs room for
// n + 1 stretches; returns how many were written.
size_t uncovered_stretches(const Segment* segs, size_t n, const Window& window, Stretch* out);

enum class Cell : uint8_t { empty, partial, full };

// Splits the finite window [lower, upper) into `width` equal slices and says of
// each whether segments cover every microsecond of it, some of it (or hold a point
// in it), or none.
void timeline(const Segment* segs, size_t n, int64_t lower, int64_t upper, size_t width,
              Cell* out);

}  // namespace coverage::core
