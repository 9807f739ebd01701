#!/usr/bin/env bash
# The GoogleTest suite of the core built with AddressSanitizer (leak checks included) and
# UndefinedBehaviorSanitizer, every report fatal, into build/sanitize/ so that it never
# mixes with the normal build. Ends with "N passed, N failed"; exits non-zero on failure.
set -uo pipefail

REPO=${COVERAGE_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
# shellcheck source=scripts/lib/counts.sh
source "$REPO/scripts/lib/counts.sh"
cd "$REPO" || exit 1

SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
BIN=build/sanitize/unit_tests
LOG=build/sanitize/unit.log
mkdir -p build/sanitize

status=0
ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1 \
    make --no-print-directory unittest UNIT_BIN="$BIN" PG_CONFIG="${PG_CONFIG:-pg_config}" \
    EXTRA_CXXFLAGS="$SANITIZE" EXTRA_LDFLAGS="$SANITIZE" >"$LOG" 2>&1 || status=$?
grep -E '^\[ +(OK|FAILED) +\]|runtime error|ERROR: AddressSanitizer|ERROR: LeakSanitizer' \
    "$LOG" || true
read -r passed failed < <(gtest_counts "$LOG")
if ((status != 0 && failed == 0)); then
    echo "sanitized unit tests exited with status $status (see $LOG):"
    tail -n 30 "$LOG"
    failed=1
fi
echo "$passed passed, $failed failed"
((status == 0 && failed == 0))
