// Canonical gap tolerances (see Gap in types.hpp).
#include <climits>
#include <string>

#include "coverage/core/error.hpp"
#include "coverage/core/types.hpp"

namespace coverage::core {

Gap make_gap(int32_t months, int32_t days, int64_t usecs) {
    if (months != 0)
        fail(ErrorKind::invalid_parameter, "max_gap must not have a month or year part",
             "A month has no fixed length; use days instead.");
    __int128 total = static_cast<__int128>(days) * kUsecsPerDay + usecs;
    if (total < 0) fail(ErrorKind::invalid_parameter, "max_gap must not be negative");

    Gap gap;
    __int128 whole_days = total / kUsecsPerDay;
    gap.days = whole_days > INT32_MAX ? INT32_MAX : static_cast<int32_t>(whole_days);
    gap.usecs = static_cast<int64_t>(total - static_cast<__int128>(gap.days) * kUsecsPerDay);
    gap.limit =
        total > static_cast<__int128>(UINT64_MAX) ? UINT64_MAX : static_cast<uint64_t>(total);
    return gap;
}

}  // namespace coverage::core

#include "coverage/core/no_postgres.hpp"
