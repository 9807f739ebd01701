// The one exception type of the core. The PostgreSQL layer turns it into an
// ereport with the SQLSTATE that `kind` names, after leaving every C++ scope.
#pragma once

#include <stdexcept>
#include <string>

namespace coverage::core {

enum class ErrorKind {
    invalid_parameter,   // 22023
    null_value,          // 22004
    invalid_text,        // 22P02
    invalid_binary,      // 22P03
    program_limit,       // 54000
    value_out_of_range,  // 22003
    internal,            // XX000
};

class CoreError : public std::runtime_error {
public:
    CoreError(ErrorKind kind, const std::string& message, const std::string& detail = {})
        : std::runtime_error(message), kind_(kind), detail_(detail) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string& detail() const noexcept { return detail_; }

private:
    ErrorKind kind_;
    std::string detail_;
};

[[noreturn]] inline void fail(ErrorKind kind, const std::string& message,
                              const std::string& detail = {}) {
    throw CoreError(kind, message, detail);
}

}  // namespace coverage::core
