// Text and binary input/output of the coverage type. Input validates everything
// it reads: a stored value is trusted by every other function.
#include <algorithm>

#include "guard.hpp"
#include "value.hpp"

#include "coverage/core/binary_format.hpp"
#include "coverage/core/text_format.hpp"
#include "coverage/core/validate.hpp"

using namespace coverage;

namespace {

// Grows a palloc'd segment array by doubling; `capacity` is updated.
core::Segment* grow_array(core::Segment* segs, size_t* capacity) {
    pg::check_segment_limit(*capacity + 1);
    *capacity = std::min(*capacity * 2, core::kMaxSegments);
    return static_cast<core::Segment*>(repalloc(segs, *capacity * sizeof(core::Segment)));
}

}  // namespace

COVERAGE_FUNCTION(coverage_in) {
    const char* text = PG_GETARG_CSTRING(0);
    core::TextReader reader{text, text, text + strlen(text)};
    core::Gap gap = core::read_text_header(reader);
    core::SegmentValidator validator{gap, core::ErrorKind::invalid_text};

    size_t capacity = 16, count = 0;
    auto* segs = static_cast<core::Segment*>(palloc(capacity * sizeof(core::Segment)));
    core::Segment s;
    while (core::read_text_segment(reader, &s)) {
        validator.check(s);
        if (count == capacity) segs = grow_array(segs, &capacity);
        segs[count++] = s;
        pg::check_interrupts_every(count);
    }
    PG_RETURN_POINTER(pg::make_value(gap, segs, count));
}

COVERAGE_FUNCTION(coverage_out) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    const core::Segment* segs = pg::segments_of(v);
    StringInfoData out;
    initStringInfo(&out);
    char buf[core::kSegmentTextMax];
    appendBinaryStringInfo(&out, buf, static_cast<int>(core::format_gap(pg::gap_of(v), buf)));
    for (int32 i = 0; i < v->count; ++i) {
        appendStringInfoChar(&out, ' ');
        appendBinaryStringInfo(&out, buf, static_cast<int>(core::format_segment(segs[i], buf)));
        pg::check_interrupts_every(static_cast<size_t>(i));
    }
    PG_RETURN_CSTRING(out.data);
}

// The binary form is shared with the aggregate's serialize/deserialize.
namespace coverage::pg {

bytea* encode_binary(const core::Gap& gap, const core::Segment* segs, size_t count) {
    size_t size = core::binary_size(count);
    auto* result = static_cast<bytea*>(palloc(VARHDRSZ + size));
    SET_VARSIZE(result, VARHDRSZ + size);
    auto* out = reinterpret_cast<unsigned char*>(VARDATA(result));
    core::write_binary_header(gap, count, out);
    for (size_t i = 0; i < count; ++i)
        core::write_binary_segment(segs[i], out + core::binary_size(i));
    return result;
}

CoverageValue* decode_binary(const char* data, size_t length) {
    auto* bytes = reinterpret_cast<const unsigned char*>(data);
    core::BinaryReader reader{bytes, bytes + length};
    size_t count = 0;
    core::Gap gap = core::read_binary_header(reader, &count);
    core::SegmentValidator validator{gap, core::ErrorKind::invalid_binary};
    CoverageValue* v = allocate_value(gap, count);
    core::Segment* segs = segments_of(v);
    for (size_t i = 0; i < count; ++i) {
        segs[i] = core::read_binary_segment(reader);
        validator.check(segs[i]);
        check_interrupts_every(i);
    }
    return v;
}

}  // namespace coverage::pg

COVERAGE_FUNCTION(coverage_recv) {
    StringInfo buf = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
    size_t length = static_cast<size_t>(buf->len - buf->cursor);
    pg::CoverageValue* v = pg::decode_binary(buf->data + buf->cursor, length);
    buf->cursor = buf->len;
    PG_RETURN_POINTER(v);
}

COVERAGE_FUNCTION(coverage_send) {
    const pg::CoverageValue* v = pg::value_arg(fcinfo, 0);
    PG_RETURN_BYTEA_P(
        pg::encode_binary(pg::gap_of(v), pg::segments_of(v), static_cast<size_t>(v->count)));
}
