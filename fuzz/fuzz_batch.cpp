// libFuzzer target: the reader of captured points (coverage.pending.batch), as
// coverage._pending_keys and _pending_times run it on whatever the table holds. Any
// input either reads as points whose keys lie inside the batch or fails with
// invalid_binary; the points read, written again the way the insert trigger writes
// them, read back the same.
#include <string>
#include <vector>

#include "coverage/core/error.hpp"
#include "coverage/core/point_batch.hpp"
#include "harness.hpp"

using namespace coverage;

namespace {

using Point = core::KeyedPoint;

// Every point of a batch, or a CoreError.
std::vector<Point> read_all(const unsigned char* data, size_t size) {
    core::BatchReader reader = core::open_batch(data, size);
    std::vector<std::string> keys;
    std::vector<Point> points;
    core::BatchPoint p;
    while (core::read_point(reader, &p)) {
        if (p.new_key) {
            fuzz::require(p.key_number == keys.size(), "new keys are numbered in order");
            fuzz::require(p.key_offset <= size && p.key_length <= size - p.key_offset,
                          "a key lies inside the batch");
            keys.emplace_back(reinterpret_cast<const char*>(data) + p.key_offset, p.key_length);
        }
        fuzz::require(p.key_number < keys.size(), "a point's key was given before it");
        points.push_back(Point{keys[p.key_number], p.ts});
    }
    return points;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<Point> points;
    try {
        points = read_all(data, size);
    } catch (const core::CoreError& e) {
        fuzz::require(e.kind() == core::ErrorKind::invalid_binary,
                      "a malformed batch fails only with invalid_binary");
        return 0;
    }
    std::vector<unsigned char> again = core::write_batch(points);
    std::vector<Point> back = read_all(again.data(), again.size());
    fuzz::require(back.size() == points.size(), "a rewritten batch holds as many points");
    for (size_t i = 0; i < back.size(); ++i) {
        fuzz::require(back[i].key == points[i].key && back[i].ts == points[i].ts,
                      "a rewritten batch reads back the same points");
    }
    return 0;
}
