#!/usr/bin/env bash
# A few seconds of each libFuzzer target (scripts/fuzz.sh) under ASan, UBSan and leak
# detection: one passed test per target that ran clean. Long runs: see README "Fuzzing".
# Ends with "N passed, N failed"; exits non-zero on failure.
set -uo pipefail

REPO=${COVERAGE_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
SECONDS_PER_TARGET=${COVERAGE_FUZZ_SMOKE_SECONDS:-4}

passed=0
failed=0
if ! bash "$REPO/scripts/fuzz.sh" --build-only; then
    echo "building the fuzz targets failed"
    failed=1
else
    for target in text binary merge batch; do
        if bash "$REPO/scripts/fuzz.sh" --seconds "$SECONDS_PER_TARGET" "$target"; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
    done
fi
echo "$passed passed, $failed failed"
((failed == 0))
