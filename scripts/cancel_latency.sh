#!/usr/bin/env bash
# Measures how long after pg_cancel_backend a long coverage query stops: for each case a
# session runs the query inside a PL/pgSQL block that catches query_canceled and notes
# clock_timestamp(); a second session notes clock_timestamp() and sends the signal after
# a delay. Both times come from the server's clock; the difference is the latency.
#
#   bash scripts/cancel_latency.sh [ROUNDS]      (default 3 rounds per case)
#
# Runs against the cluster of scripts/cluster.sh (PG_CONFIG, COVERAGE_PGPORT), in a
# scratch database coverage_cancel that it creates and drops. Prints one line per case:
# the latencies in milliseconds, "done" for a round whose query ended before the signal.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
eval "$("$SCRIPT_DIR/cluster.sh" env)"
PATH="$("${PG_CONFIG:-pg_config}" --bindir):$PATH"
ROUNDS=${1:-3}
DB=coverage_cancel
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$DB")

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
drop_db() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; }
trap drop_db EXIT

# 20M points, one per second; two values of 2M segments each for merge and rollup.
"${PSQL[@]}" <<'SQL'
CREATE EXTENSION coverage_ext;
CREATE TABLE points AS
SELECT '2000-01-01'::timestamptz + make_interval(secs => (i * 7919) % 20000000) AS ts
  FROM generate_series(0::bigint, 19999999) i;
CREATE TABLE wide AS
SELECT k, coverage.coverage_agg('2000-01-01'::timestamptz
                                + make_interval(secs => 2 * i + k), '0') AS c
  FROM generate_series(0, 1) k, generate_series(0, 1999999) i GROUP BY k;
VACUUM ANALYZE points, wide;
SQL

# Shuffled points (i * 7919 mod 20M is a permutation): with max_gap 0 every point is its
# own segment and the state keeps flushing pending points into millions of segments; with
# max_gap 1 s the points join into a few. Results are used, or the planner drops them.
declare -A CASES=(
    [agg_sparse]="SELECT coverage.num_segments(coverage.coverage_agg(ts, '0')) FROM points"
    [agg_dense]="SELECT coverage.num_segments(coverage.coverage_agg(ts, '1 s')) FROM points"
    [merge]="SELECT count(coverage.merge(a.c, b.c))
               FROM wide a, wide b, generate_series(1, 1000)"
    [rollup]="SELECT coverage.num_segments(coverage.rollup(w.c))
                FROM wide w, generate_series(1, 1000)"
)

# Prints the latency of one cancel in milliseconds.
measure() {
    local query=$1 delay=$2 out
    out=$(mktemp)
    "${PSQL[@]}" >"$out" 2>&1 <<SQL &
SET application_name = 'cancel_probe';
SET max_parallel_workers_per_gather = 0;
DO \$\$
BEGIN
    PERFORM * FROM ($query) q;
    RAISE NOTICE 'finished';
EXCEPTION WHEN query_canceled THEN
    RAISE NOTICE 'canceled_at=%', extract(epoch FROM clock_timestamp());
END
\$\$;
SQL
    local runner=$!
    local sent
    sent=$("${PSQL[@]}" -At <<SQL
SELECT pg_sleep($delay);
SELECT extract(epoch FROM clock_timestamp()), pg_cancel_backend(pid)
  FROM pg_stat_activity WHERE application_name = 'cancel_probe' AND state = 'active';
SQL
)
    wait "$runner"
    local canceled
    canceled=$(sed -n 's/.*canceled_at=//p' "$out")
    rm -f "$out"
    # "done": the query finished before the signal (raise the delays for a faster machine).
    if [[ -z $canceled || $sent != *"|t" ]]; then
        echo "done"
        return
    fi
    awk -v a="${sent%%|*}" -v b="$canceled" 'BEGIN { printf "%.1f", (b - a) * 1000 }'
}

for name in agg_sparse agg_dense merge rollup; do
    results=()
    for ((round = 0; round < ROUNDS; ++round)); do
        results+=("$(measure "${CASES[$name]}" "$((2 + round)).$((round * 37 % 100))")")
    done
    printf '%-13s %s ms\n' "$name" "${results[*]}"
done
