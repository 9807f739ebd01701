// Conversions of a coverage value: the segment array, jsonb and multiranges.
#include "guard.hpp"
#include "ranges.hpp"
#include "value.hpp"

using namespace coverage;

// segments(coverage) -> coverage.segment[]; the element type comes from the
// function's declared result, so the schema is never looked up by name.
COVERAGE_FUNCTION(coverage_segments) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    const core::Segment* segs = pg::segments_of(v);
    Oid array_type = get_fn_expr_rettype(fcinfo->flinfo);
    Oid element_type = get_element_type(array_type);
    if (!OidIsValid(element_type)) elog(ERROR, "coverage_segments must return an array");
    TupleDesc desc = lookup_rowtype_tupdesc_copy(element_type, -1);
    desc = BlessTupleDesc(desc);

    size_t n = static_cast<size_t>(v->count);
    Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
    for (size_t i = 0; i < n; ++i) {
        Datum values[3] = {TimestampTzGetDatum(segs[i].start), TimestampTzGetDatum(segs[i].end),
                           Int64GetDatum(segs[i].points)};
        bool nulls[3] = {false, false, false};
        elements[i] = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
        pg::check_interrupts_every(i);
    }
    int16 typlen;
    bool typbyval;
    char typalign;
    get_typlenbyvalalign(element_type, &typlen, &typbyval, &typalign);
    PG_RETURN_ARRAYTYPE_P(
        construct_array(elements, static_cast<int>(n), element_type, typlen, typbyval, typalign));
}

namespace {

void push_key(JsonbParseState** state, const char* key) {
    JsonbValue v;
    v.type = jbvString;
    v.val.string.val = const_cast<char*>(key);
    v.val.string.len = static_cast<int>(strlen(key));
    pushJsonbValue(state, WJB_KEY, &v);
}

// A timestamptz as to_jsonb(timestamptz) writes it (ISO 8601, session time zone).
void push_time(JsonbParseState** state, const char* key, int64 t) {
    char buf[MAXDATELEN + 1];
    JsonEncodeDateTime(buf, TimestampTzGetDatum(t), TIMESTAMPTZOID, nullptr);
    push_key(state, key);
    JsonbValue v;
    v.type = jbvString;
    v.val.string.val = pstrdup(buf);
    v.val.string.len = static_cast<int>(strlen(buf));
    pushJsonbValue(state, WJB_VALUE, &v);
}

}  // namespace

// to_jsonb(coverage): [{"start": ..., "end": ..., "points": n}, ...]. STABLE: the
// times are written in the session's time zone, as to_jsonb(timestamptz) does.
COVERAGE_FUNCTION(coverage_to_jsonb) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    const core::Segment* segs = pg::segments_of(v);
    JsonbParseState* state = nullptr;
    pushJsonbValue(&state, WJB_BEGIN_ARRAY, nullptr);
    for (int32 i = 0; i < v->count; ++i) {
        pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
        push_time(&state, "start", segs[i].start);
        push_time(&state, "end", segs[i].end);
        push_key(&state, "points");
        JsonbValue points;
        points.type = jbvNumeric;
        points.val.numeric = int64_to_numeric(segs[i].points);
        pushJsonbValue(&state, WJB_VALUE, &points);
        pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
        pg::check_interrupts_every(static_cast<size_t>(i));
    }
    JsonbValue* result = pushJsonbValue(&state, WJB_END_ARRAY, nullptr);
    PG_RETURN_POINTER(JsonbValueToJsonb(result));
}

// to_multirange(coverage): each segment as the closed range [start, end].
COVERAGE_FUNCTION(coverage_to_multirange) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    const core::Segment* segs = pg::segments_of(v);
    size_t n = static_cast<size_t>(v->count);
    auto* stretches = static_cast<core::Stretch*>(palloc(sizeof(core::Stretch) * (n + 1)));
    for (size_t i = 0; i < n; ++i)
        stretches[i] = core::Stretch{core::Bound{segs[i].start, true, false},
                                     core::Bound{segs[i].end, true, false}};
    PG_RETURN_MULTIRANGE_P(pg::make_tstz_multirange(stretches, n));
}
