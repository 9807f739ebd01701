// Questions about a window of time: covered(c, w), ratio, gaps, timeline.
#include "guard.hpp"
#include "ranges.hpp"
#include "value.hpp"

using namespace coverage;

namespace {

constexpr int32 kMaxTimelineWidth = 10000;

[[noreturn]] void reject_window(const char* function) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s needs a window with finite bounds", function)));
    pg_unreachable();
}

// The window as the half-open span [lower, upper) of a finite, non-empty range;
// false for an empty range.
bool finite_span(const core::Window& w, const char* function, int64* lower, int64* upper) {
    if (w.empty) return false;
    if (w.lower.infinite || w.upper.infinite) reject_window(function);
    *lower = w.lower.value;
    *upper = w.upper.value;
    return true;
}

}  // namespace

COVERAGE_FUNCTION(coverage_covered_window) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    core::Window w = pg::window_arg(fcinfo, 1);
    uint64_t usecs = core::covered_in_window(pg::segments_of(v), static_cast<size_t>(v->count), w);
    PG_RETURN_INTERVAL_P(pg::interval_from_usecs(usecs));
}

// Covered share of a finite window; NULL for an empty or zero-length window.
COVERAGE_FUNCTION(coverage_ratio) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    core::Window w = pg::window_arg(fcinfo, 1);
    int64 lower, upper;
    if (!finite_span(w, "ratio", &lower, &upper) || upper == lower) PG_RETURN_NULL();
    uint64_t usecs = core::covered_in_window(pg::segments_of(v), static_cast<size_t>(v->count), w);
    PG_RETURN_FLOAT8(static_cast<double>(usecs) /
                     static_cast<double>(core::distance(lower, upper)));
}

static MultirangeType* uncovered(const pg::CoverageValue* v, const core::Window& w) {
    size_t n = static_cast<size_t>(v->count);
    auto* stretches = static_cast<core::Stretch*>(palloc(sizeof(core::Stretch) * (n + 1)));
    size_t count = core::uncovered_stretches(pg::segments_of(v), n, w, stretches);
    return pg::make_tstz_multirange(stretches, count);
}

// gaps(coverage): the open stretches between consecutive segments.
COVERAGE_FUNCTION(coverage_gaps) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    const core::Segment* segs = pg::segments_of(v);
    core::Window w{};
    w.empty = v->count == 0;
    if (!w.empty) {
        w.lower = core::Bound{segs[0].start, true, false};
        w.upper = core::Bound{segs[v->count - 1].end, true, false};
    }
    PG_RETURN_MULTIRANGE_P(uncovered(v, w));
}

// gaps(coverage, window): the parts of the window no segment covers.
COVERAGE_FUNCTION(coverage_gaps_window) {
    PG_RETURN_MULTIRANGE_P(uncovered(pg::value_arg(fcinfo, 0), pg::window_arg(fcinfo, 1)));
}

// timeline(coverage, window, width): one character per equal slice of the window.
COVERAGE_FUNCTION(coverage_timeline) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    core::Window w = pg::window_arg(fcinfo, 1);
    int32 width = PG_GETARG_INT32(2);
    if (width < 1 || width > kMaxTimelineWidth)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("timeline width must be between 1 and %d", kMaxTimelineWidth)));
    int64 lower = 0, upper = 0;
    if (!finite_span(w, "timeline", &lower, &upper))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("timeline needs a non-empty window")));
    if (w.upper.inclusive) ++upper;  // a closed window shows its last microsecond too

    auto* cells = static_cast<core::Cell*>(palloc(sizeof(core::Cell) * width));
    core::timeline(pg::segments_of(v), static_cast<size_t>(v->count), lower, upper,
                   static_cast<size_t>(width), cells);
    // Block characters where the database speaks UTF-8, ASCII elsewhere.
    bool utf8 = GetDatabaseEncoding() == PG_UTF8;
    const char* glyphs[3] = {utf8 ? "\u00b7" : ".", utf8 ? "\u2592" : "+", utf8 ? "\u2588" : "#"};
    StringInfoData out;
    initStringInfo(&out);
    for (int32 i = 0; i < width; ++i)
        appendStringInfoString(&out, glyphs[static_cast<int>(cells[i])]);
    PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}
