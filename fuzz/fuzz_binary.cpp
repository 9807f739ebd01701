// libFuzzer target: the binary input of the type (BinaryReader + SegmentValidator), as
// coverage_recv and the aggregates' deserialize run it. A valid value re-encodes to the
// very same bytes (the form is canonical) and reads back through text unchanged.
#include <cstring>

#include "harness.hpp"

using namespace coverage;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Value v;
    try {
        v = fuzz::decode_binary(data, size);
    } catch (const core::CoreError& e) {
        fuzz::require(e.kind() == core::ErrorKind::invalid_binary,
                      "binary input fails only with invalid_binary");
        return 0;
    }
    std::vector<unsigned char> again = fuzz::encode_binary(v);
    fuzz::require(again.size() == size && std::memcmp(again.data(), data, size) == 0,
                  "a valid binary value re-encodes to the same bytes");
    fuzz::check_round_trips(v);
    return 0;
}
