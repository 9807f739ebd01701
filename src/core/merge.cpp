// Segment joining and the bounded-step merge (see merge.hpp).
#include "coverage/core/merge.hpp"

#include "coverage/core/error.hpp"

namespace coverage::core {

int64_t add_points(int64_t a, int64_t b) {
    int64_t sum;
    if (__builtin_add_overflow(a, b, &sum))
        fail(ErrorKind::value_out_of_range, "coverage point count is out of range for bigint");
    return sum;
}

void SegmentSink::push(const Segment& s) {
    if (count > 0) {
        Segment& last = out[count - 1];
        if (s.start <= last.end || gap.joins(last.end, s.start)) {
            if (s.end > last.end) last.end = s.end;
            last.points = add_points(last.points, s.points);
            return;
        }
    }
    out[count++] = s;
}

MergeCursor start_merge(const Segment* a, size_t a_count, const Segment* b, size_t b_count,
                        const Gap& gap, Segment* out) {
    return MergeCursor{a, a_count, 0, b, b_count, 0, SegmentSink{out, 0, gap}};
}

bool merge_step(MergeCursor& c, size_t budget) {
    for (; budget > 0; --budget) {
        bool a_left = c.a_next < c.a_count;
        bool b_left = c.b_next < c.b_count;
        if (!a_left && !b_left) return true;
        bool take_a = a_left && (!b_left || c.a[c.a_next].start <= c.b[c.b_next].start);
        c.sink.push(take_a ? c.a[c.a_next++] : c.b[c.b_next++]);
    }
    return c.a_next == c.a_count && c.b_next == c.b_count;
}

}  // namespace coverage::core

#include "coverage/core/no_postgres.hpp"
