#!/usr/bin/env bash
# Keeps the benchmark scripts from rotting on a tiny data set: bench/bench.py runs every
# contender's plan and identity check and one timed round; bench/compare_builds.py builds
# HEAD beside the installed library and checks that both give the same values (in
# parallel plans, which need the most of the other build); bench/contention.py runs a
# round of each condition; bench/capture_builds.py a round of HEAD's trigger beside the
# installed one. The times they print mean nothing at this size and are not
# judged.
set -uo pipefail

REPO=${COVERAGE_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
PORT=${COVERAGE_PGPORT:-55432}
passed=0
failed=0
run() {
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        echo "bench_smoke: $name exited with status $?" >&2
        failed=$((failed + 1))
    fi
}
run bench.py python3 "$REPO/bench/bench.py" --rows 20000 --rounds 1 --warmup 0 \
    --stats-runs 1 --dbname coverage_bench_smoke --port "$PORT"
run compare_builds.py python3 "$REPO/bench/compare_builds.py" --baseline HEAD --rows 20000 \
    --rounds 1 --workers 1 --dbname coverage_bench_smoke --port "$PORT"
run contention.py python3 "$REPO/bench/contention.py" --rows 20000 --rounds 1 \
    --dbname coverage_bench_smoke --port "$PORT"
run capture_builds.py python3 "$REPO/bench/capture_builds.py" --baseline HEAD --rounds 1 \
    --dbname coverage_bench_capture_smoke --port "$PORT"
echo "$passed passed, $failed failed"
