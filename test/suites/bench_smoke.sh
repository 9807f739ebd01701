#!/usr/bin/env bash
# Keeps bench/bench.py from rotting: a tiny data set, every contender's plan and identity
# check, one timed round. The times it prints mean nothing at this size and are not judged.
set -uo pipefail

REPO=${COVERAGE_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
status=0
python3 "$REPO/bench/bench.py" --rows 20000 --rounds 1 --warmup 0 --stats-runs 1 \
    --dbname coverage_bench_smoke --port "${COVERAGE_PGPORT:-55432}" || status=$?
if ((status == 0)); then
    echo "1 passed, 0 failed"
else
    echo "bench_smoke: bench/bench.py exited with status $status" >&2
    echo "0 passed, 1 failed"
fi
