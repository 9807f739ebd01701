-- rollup() and merge(): exact combination of stored results.
-- (quietly: whether an earlier test created it depends on which tests run)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_ext;
RESET client_min_messages;
SET timezone = 'UTC';

CREATE TEMP TABLE rm_points AS
SELECT (i % 7) AS part, '2024-01-01'::timestamptz + make_interval(secs => (i * 13) % 4000) AS ts
FROM generate_series(1, 3000) i;
CREATE TEMP TABLE rm_parts AS
SELECT part, coverage.coverage_agg(ts, '5 seconds') AS c FROM rm_points GROUP BY part;

-- Rolling up the parts equals aggregating all points, in any order.
SELECT (SELECT coverage.rollup(c ORDER BY part) FROM rm_parts)::text
     = (SELECT coverage.coverage_agg(ts, '5 seconds') FROM rm_points)::text AS rollup_exact,
       (SELECT coverage.rollup(c ORDER BY part DESC) FROM rm_parts)::text
     = (SELECT coverage.rollup(c ORDER BY md5(part::text)) FROM rm_parts)::text AS any_order;
-- merge() pairwise gives the same.
WITH RECURSIVE folded(n, c) AS (
    SELECT 1, (SELECT c FROM rm_parts WHERE part = 0)
    UNION ALL
    SELECT n + 1, coverage.merge(f.c, p.c) FROM folded f JOIN rm_parts p ON p.part = f.n
)
SELECT c::text = (SELECT coverage.coverage_agg(ts, '5 seconds') FROM rm_points)::text
       AS merge_exact
FROM folded WHERE n = 7;

-- Overlapping and near spans join, counts add; far ones stay apart.
SELECT coverage.merge('max_gap=10s [2024-01-01T00:00:00Z,2024-01-01T00:01:00Z]:5',
                      'max_gap=10s [2024-01-01T00:00:30Z,2024-01-01T00:02:00Z]:4
                                   [2024-01-01T00:02:11Z,2024-01-01T00:02:11Z]:1
                                   [2024-01-01T00:05:00Z,2024-01-01T00:05:00Z]:1');
SELECT coverage.merge('max_gap=10s', 'max_gap=10s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:1');
SELECT coverage.merge(NULL, 'max_gap=10s');
-- Roll-ups skip NULLs; no rows or only NULLs give NULL; only empty values, empty.
SELECT coverage.rollup(c) FROM (VALUES (NULL::coverage.coverage)) s(c);
SELECT coverage.rollup(c) FROM (SELECT 'max_gap=1s'::coverage.coverage WHERE false) s(c);
SELECT coverage.rollup(c) FROM (VALUES ('max_gap=1s'::coverage.coverage), (NULL)) s(c);
-- '1 day' and '24:00:00' are one tolerance.
SELECT coverage.merge((SELECT coverage.coverage_agg(now(), '1 day')),
                      (SELECT coverage.coverage_agg(now(), '24:00:00'))) IS NOT NULL AS same_gap;

-- Different max_gap: 22023.
\set VERBOSITY sqlstate
SELECT coverage.merge('max_gap=10s', 'max_gap=11s');
SELECT coverage.rollup(c) FROM (VALUES ('max_gap=10s'::coverage.coverage), ('max_gap=11s')) s(c);
\set VERBOSITY default
SELECT coverage.merge('max_gap=10s', 'max_gap=11s');
SELECT coverage.rollup(c) FROM (VALUES ('max_gap=10s'::coverage.coverage), ('max_gap=11s')) s(c);
-- Point counts that would overflow bigint.
SELECT coverage.num_points(coverage.merge(
    'max_gap=0s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:900000000000000000',
    'max_gap=0s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:900000000000000000')) AS fits;
SELECT coverage.rollup(c) FROM (
    SELECT 'max_gap=0s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:900000000000000000'
           ::coverage.coverage FROM generate_series(1, 11)) s(c);

-- Many small values, out of order: the roll-up state buffers and stays exact.
CREATE TEMP TABLE rm_many AS
SELECT i, coverage.coverage_agg('2024-01-01'::timestamptz + make_interval(secs => i * 3), '3 s') c
FROM generate_series(1, 5000) i GROUP BY i;
SELECT coverage.num_segments(coverage.rollup(c ORDER BY md5(i::text))) AS segments,
       coverage.num_points(coverage.rollup(c ORDER BY md5(i::text))) AS points
FROM rm_many;
SELECT coverage.rollup(c ORDER BY md5(i::text))::text
     = coverage.rollup(c ORDER BY i)::text AS shuffled_rollup_exact
FROM rm_many;
