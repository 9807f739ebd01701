// Turning C++ exceptions into PostgreSQL errors (see guard.hpp).
#include "guard.hpp"

#include <cstring>
#include <new>

#include "coverage/core/error.hpp"

namespace coverage::pg {

namespace {

int sqlstate_of(core::ErrorKind kind) {
    switch (kind) {
        case core::ErrorKind::invalid_parameter:
            return ERRCODE_INVALID_PARAMETER_VALUE;
        case core::ErrorKind::null_value:
            return ERRCODE_NULL_VALUE_NOT_ALLOWED;
        case core::ErrorKind::invalid_text:
            return ERRCODE_INVALID_TEXT_REPRESENTATION;
        case core::ErrorKind::invalid_binary:
            return ERRCODE_INVALID_BINARY_REPRESENTATION;
        case core::ErrorKind::program_limit:
            return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
        case core::ErrorKind::value_out_of_range:
            return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
        case core::ErrorKind::internal:
            break;
    }
    return ERRCODE_INTERNAL_ERROR;
}

void fill(PendingError* out, int sqlstate, const char* message, const char* detail) {
    out->sqlstate = sqlstate;
    strlcpy(out->message, message, sizeof out->message);
    strlcpy(out->detail, detail, sizeof out->detail);
}

}  // namespace

void capture_current_exception(PendingError* out) noexcept {
    try {
        throw;
    } catch (const core::CoreError& e) {
        fill(out, sqlstate_of(e.kind()), e.what(), e.detail().c_str());
    } catch (const std::bad_alloc&) {
        fill(out, ERRCODE_OUT_OF_MEMORY, "out of memory", "");
    } catch (const std::exception& e) {
        fill(out, ERRCODE_INTERNAL_ERROR, "unexpected C++ exception in coverage_ext", e.what());
    } catch (...) {
        fill(out, ERRCODE_INTERNAL_ERROR, "unexpected C++ exception in coverage_ext", "");
    }
}

void report_error(const PendingError* error) {
    ereport(ERROR, (errcode(error->sqlstate), errmsg_internal("%s", error->message),
                    error->detail[0] != '\0' ? errdetail_internal("%s", error->detail) : 0));
    pg_unreachable();
}

}  // namespace coverage::pg
