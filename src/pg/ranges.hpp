// tstzrange and tstzmultirange on the PostgreSQL side of the core's Window and
// Stretch types.
#pragma once

#include "postgres.hpp"

#include "coverage/core/window.hpp"

namespace coverage::pg {

// A tstzrange argument as a core Window. Bounds at -infinity/infinity count as
// unbounded.
core::Window window_arg(FunctionCallInfo fcinfo, int n);

MultirangeType* make_tstz_multirange(const core::Stretch* stretches, size_t n);

}  // namespace coverage::pg
