// libFuzzer target: the text input of the type (TextReader + SegmentValidator), as
// coverage_in runs it. Bad input must end in CoreError(invalid_text), never in a crash, a leak or
// undefined behaviour; good input must round-trip.
#include "harness.hpp"

using namespace coverage;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The server hands coverage_in a NUL-terminated C string: it stops at the first NUL.
    std::string text(reinterpret_cast<const char*>(data), size);
    text.resize(std::char_traits<char>::length(text.c_str()));
    fuzz::Value v;
    try {
        v = fuzz::parse_text(text.data(), text.size());
    } catch (const core::CoreError& e) {
        fuzz::require(e.kind() == core::ErrorKind::invalid_text,
                      "text input fails only with invalid_text");
        return 0;
    }
    // Every segment takes at least "[" + two 20-character times + "," + "]:1" of input.
    fuzz::require(v.segments.size() <= text.size() / 45, "segments bounded by input length");
    fuzz::check_round_trips(v);
    return 0;
}
