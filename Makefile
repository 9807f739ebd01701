# coverage_ext: PGXS build of the extension, plus the C++ unit tests.
#
#   make && make install          build and install into the server of pg_config
#   make unittest                 build and run the GoogleTest suite of the core
#   make installcheck             pg_regress + isolation tests against a running server
#   make corebench                build and run the Google Benchmark of the core
#
# scripts/test.sh does all of it on a throwaway cluster.

EXTENSION   = coverage_ext
EXTVERSION  = 0.1.0
MODULE_big  = coverage_ext

CORE_SRCS   = $(sort $(wildcard src/core/*.cpp))
PG_SRCS     = $(sort $(wildcard src/pg/*.cpp))
OBJS        = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)
# PGXS tracks no header dependencies: every object is rebuilt when any header changes,
# since a struct that changes size under a stale object corrupts memory.
HEADERS     = $(wildcard include/coverage/core/*.hpp src/pg/*.hpp)

# The install script is assembled from the ordered pieces in src/sql/.
SQL_PIECES  = $(sort $(wildcard src/sql/*.sql))
DATA_built  = $(EXTENSION)--$(EXTVERSION).sql

REGRESS     = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
ISOLATION   = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
# PGXS passes --dbname=$(CONTRIB_TESTDB) last, so the database is named here.
CONTRIB_TESTDB = coverage_regress
ISOLATION_TESTDB = coverage_isolation

WARNINGS    = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
              -Wno-sign-compare -Wno-register
# -Bsymbolic: the library calls its own functions even when another library loaded into
# the server exports the same names (another build of this one: bench/compare_builds.py).
# Since no call of ours can be redirected anyway, -fno-semantic-interposition lets the
# compiler inline a function into its callers in the same file, which it does not do
# for an exported function of a -fPIC build otherwise (the per-row path of coverage_agg).
PG_CXXFLAGS = -std=c++17 -Iinclude -fno-semantic-interposition $(WARNINGS) $(EXTRA_CXXFLAGS)
SHLIB_LINK  = -lstdc++ -Wl,-Bsymbolic $(EXTRA_LDFLAGS)

PG_CONFIG  ?= pg_config
PGXS       := $(shell $(PG_CONFIG) --pgxs)
# No JIT bitcode: the server's clang would need our C++ flags, and nothing gains from
# inlining. Must precede the include, where pgxs.mk decides on the bitcode rules.
override with_llvm = no
include $(PGXS)

$(OBJS): $(HEADERS)

$(DATA_built): $(SQL_PIECES)
	cat $^ > $@

# --- unit tests of the pure C++ core (no PostgreSQL headers on the include path) ---
UNIT_SRCS   = $(sort $(wildcard test/unit/*.cpp))
UNIT_BIN    = build/unit_tests
UNIT_FLAGS  = -std=c++17 -O1 -g -Iinclude -Wall -Wextra -Werror $(EXTRA_CXXFLAGS)

$(UNIT_BIN): $(UNIT_SRCS) $(CORE_SRCS) $(wildcard include/coverage/core/*.hpp)
	@mkdir -p build
	$(CXX) $(UNIT_FLAGS) -o $@ $(UNIT_SRCS) $(CORE_SRCS) -lgtest -lgtest_main -pthread $(EXTRA_LDFLAGS)

.PHONY: unittest
unittest: $(UNIT_BIN)
	./$(UNIT_BIN)

# --- Google Benchmark of the core (bench/core_bench.cpp); BENCH_ARGS go to the binary ---
# Optimized like the server build (-O2 -fwrapv -fno-strict-aliasing).
CORE_BENCH  = build/core_bench

$(CORE_BENCH): bench/core_bench.cpp $(CORE_SRCS) $(wildcard include/coverage/core/*.hpp)
	@mkdir -p build
	$(CXX) -std=c++17 -O2 -g -fwrapv -fno-strict-aliasing -Iinclude -Wall -Wextra -Werror \
		$(EXTRA_CXXFLAGS) -o $@ \
		bench/core_bench.cpp $(CORE_SRCS) -lbenchmark -pthread $(EXTRA_LDFLAGS)

.PHONY: corebench
corebench: $(CORE_BENCH)
	./$(CORE_BENCH) $(BENCH_ARGS)

EXTRA_CLEAN = build results output_iso regression.diffs regression.out
