// The boundary between PostgreSQL and C++. Every SQL-callable function is
// written as
//
//   COVERAGE_FUNCTION(coverage_num_segments) { ...body using fcinfo... }
//
// which makes the extern "C" entry point the server looks up by name and runs
// the body inside a try block. A C++ exception is copied into plain data, its
// scope is left, and only then is it raised as an ereport: an ereport is a
// longjmp and must not skip C++ destructors. The bodies in turn keep no objects
// with destructors alive while they call server functions that may raise errors.
#pragma once

#include "postgres.hpp"

namespace coverage::pg {

// An error caught from C++, held as plain data until it is reported.
struct PendingError {
    int sqlstate;
    char message[256];
    char detail[512];
};

// Fills `out` from the exception being handled; call only inside a catch block.
void capture_current_exception(PendingError* out) noexcept;
[[noreturn]] void report_error(const PendingError* error);

// Runs `body` (a lambda capturing only pointers and plain values) where the server
// calls us through a plain C callback rather than the function manager.
template <typename Body>
void call_guarded(Body body) {
    PendingError pending_error;
    try {
        body();
        return;
    } catch (...) {
        capture_current_exception(&pending_error);
    }
    report_error(&pending_error);
}

}  // namespace coverage::pg

#define COVERAGE_FUNCTION(name)                                      \
    static Datum name##_body(FunctionCallInfo fcinfo);               \
    extern "C" {                                                     \
    PG_FUNCTION_INFO_V1(name);                                       \
    Datum name(PG_FUNCTION_ARGS) {                                   \
        coverage::pg::PendingError pending_error;                    \
        try {                                                        \
            return name##_body(fcinfo);                              \
        } catch (...) {                                              \
            coverage::pg::capture_current_exception(&pending_error); \
        }                                                            \
        coverage::pg::report_error(&pending_error);                  \
    }                                                                \
    }                                                                \
    static Datum name##_body(FunctionCallInfo fcinfo)
