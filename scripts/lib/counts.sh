# shellcheck shell=bash
# Parsers that turn a test log into "PASSED FAILED" (two numbers on one line).

# GoogleTest ends with "[  PASSED  ] N tests." and, when some fail, also
# "[  FAILED  ] N tests, listed below:". Sums over every binary in the log.
gtest_counts() {
    awk '/^\[  PASSED  \] [0-9]+ tests?\./ { p += $4 }
         /^\[  FAILED  \] [0-9]+ tests?, listed below:/ { f += $4 }
         END { print p + 0, f + 0 }' "$1"
}

# pg_regress and pg_isolation_regress of PostgreSQL 15 print one line per test:
#   "test name                         ... ok           12 ms"
#   "     name                         ... FAILED       12 ms"   (inside a parallel group)
# "failed (ignored)" is a failure the schedule tolerates; pg_regress exits 0 for it, and so
# it counts as passed here too.
regress_counts() {
    awk '/ \.\.\. ok( |$)/ { p++ }
         / \.\.\. failed \(ignored\)/ { p++ }
         / \.\.\. FAILED/ { f++ }
         END { print p + 0, f + 0 }' "$1"
}

# An extra suite reports its own counts as the last non-empty line of its standard output:
# "N passed, N failed". Fails when that line is missing.
suite_counts() {
    local last
    last=$(grep -v '^[[:space:]]*$' "$1" | tail -n 1 | tr -d '\r') || true
    [[ $last =~ ^[[:space:]]*([0-9]+)\ passed,\ ([0-9]+)\ failed[[:space:]]*$ ]] || return 1
    echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}
