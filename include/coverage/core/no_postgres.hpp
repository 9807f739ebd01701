// Included last by every .cpp file of the pure core: the core must compile without the
// server's headers so that it can be unit-tested, fuzzed and benchmarked alone.
#pragma once

#if defined(POSTGRES_H) || defined(C_H) || defined(PG_VERSION_NUM)
#error "the coverage core must not include PostgreSQL headers"
#endif
