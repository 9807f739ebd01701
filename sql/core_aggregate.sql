-- coverage_agg: semantics, order independence and errors.
-- (quietly: whether an earlier test created it depends on which tests run)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_ext;
RESET client_min_messages;
SET timezone = 'UTC';

-- No rows, only NULLs: NULL.
SELECT coverage.coverage_agg(ts, '1 minute') FROM (SELECT now() WHERE false) s(ts);
SELECT coverage.coverage_agg(ts, '1 minute') FROM (VALUES (NULL::timestamptz)) s(ts);
-- A single point; all points equal (duplicates count).
SELECT coverage.coverage_agg(ts, '1 minute') FROM (VALUES ('2024-01-01 00:00'::timestamptz)) s(ts);
SELECT coverage.coverage_agg('2024-01-01 00:00'::timestamptz, '0') FROM generate_series(1, 5);
-- NULLs are ignored among points.
SELECT coverage.coverage_agg(ts, '1 minute')
FROM (VALUES ('2024-01-01 00:00'::timestamptz), (NULL), ('2024-01-01 00:01')) s(ts);

-- Exactly max_gap apart joins; one microsecond more splits.
SELECT coverage.coverage_agg(ts, '10 seconds')
FROM (VALUES ('2024-01-01 00:00:00'::timestamptz), ('2024-01-01 00:00:10')) s(ts);
SELECT coverage.coverage_agg(ts, '10 seconds')
FROM (VALUES ('2024-01-01 00:00:00'::timestamptz), ('2024-01-01 00:00:10.000001')) s(ts);
-- max_gap 0: only equal points join.
SELECT coverage.coverage_agg(ts, '0')
FROM (VALUES ('2024-01-01 00:00:00'::timestamptz), ('2024-01-01 00:00:00'),
             ('2024-01-01 00:00:00.000001')) s(ts);
-- A day is 24 hours: both spellings give the same value, and may even mix.
SELECT coverage.coverage_agg(ts, g)
FROM (VALUES ('2024-01-01'::timestamptz, '1 day'::interval),
             ('2024-01-02', '24:00:00'), ('2024-01-04', '1 day')) s(ts, g);
-- Tiny and huge gaps, next to the timestamp limits.
SELECT coverage.coverage_agg(ts, '1 microsecond')
FROM (VALUES ('2024-01-01 00:00:00'::timestamptz), ('2024-01-01 00:00:00.000001'),
             ('2024-01-01 00:00:00.000003')) s(ts);
SELECT coverage.coverage_agg(ts, '2147483647 days 2562047788:00:54.775807')
FROM (VALUES ('4714-11-24 00:00:00+00 BC'::timestamptz),
             ('294276-12-31 23:59:59.999999+00')) s(ts);
SELECT coverage.num_segments(coverage.coverage_agg(ts, '100000000 days'))
FROM (VALUES ('4714-11-24 00:00:00+00 BC'::timestamptz),
             ('294276-12-31 23:59:59.999999+00')) s(ts);

-- The result does not depend on input order.
CREATE TEMP TABLE agg_points AS
SELECT '2024-01-01'::timestamptz + make_interval(secs => (i * 7) % 1000 + (i % 3) * 5000) AS ts
FROM generate_series(1, 5000) i;
SELECT (SELECT coverage.coverage_agg(ts, '3 seconds' ORDER BY ts) FROM agg_points)::text
     = (SELECT coverage.coverage_agg(ts, '3 seconds' ORDER BY ts DESC) FROM agg_points)::text
   AND (SELECT coverage.coverage_agg(ts, '3 seconds' ORDER BY md5(ts::text)) FROM agg_points)::text
     = (SELECT coverage.coverage_agg(ts, '3 seconds') FROM agg_points)::text AS order_independent;
-- And it matches the window-function formulation of gaps and islands.
WITH ordered AS (
    SELECT ts, CASE WHEN ts - lag(ts) OVER (ORDER BY ts) <= '3 seconds' THEN 0 ELSE 1 END AS brk
    FROM agg_points
), islands AS (
    SELECT ts, sum(brk) OVER (ORDER BY ts ROWS UNBOUNDED PRECEDING) AS island FROM ordered
), expected AS (
    SELECT array_agg(ROW(s, e, n)::coverage.segment ORDER BY s) AS segs
    FROM (SELECT min(ts) s, max(ts) e, count(*) n FROM islands GROUP BY island) x
)
SELECT segs = (SELECT coverage.segments(coverage.coverage_agg(ts, '3 seconds')) FROM agg_points)
       AS matches_sql, array_length(segs, 1) AS segments
FROM expected;

-- Grouped, with empty groups coming out as NULL.
SELECT g, coverage.num_segments(coverage.coverage_agg(ts, '1 hour'))
FROM (VALUES (1, '2024-01-01'::timestamptz), (1, '2024-01-01 05:00'), (2, NULL)) s(g, ts)
GROUP BY g ORDER BY g;

-- Many groups in one hash aggregate, of 1 to 12 segments each, their points in three
-- orders: the first segments a state holds in itself, then in an array that grows.
CREATE TEMP TABLE agg_groups AS
SELECT k AS g, '2024-01-01'::timestamptz + make_interval(mins => s * 10, secs => p) AS ts
FROM generate_series(1, 12) k, generate_series(1, k) s, generate_series(0, 4) p;
SET enable_sort = off;
EXPLAIN (COSTS OFF)
SELECT g, coverage.coverage_agg(ts, '1 minute') FROM agg_groups GROUP BY g;
WITH expected AS (
    SELECT g, coverage.coverage_agg(ts, '1 minute' ORDER BY ts) AS c FROM agg_groups GROUP BY g
), orders AS (
    SELECT 'ascending' AS ord, g, ts FROM (SELECT * FROM agg_groups ORDER BY ts) s
    UNION ALL
    SELECT 'descending', g, ts FROM (SELECT * FROM agg_groups ORDER BY ts DESC) s
    UNION ALL
    SELECT 'shuffled', g, ts FROM (SELECT * FROM agg_groups ORDER BY md5(ts::text)) s
), got AS (
    SELECT ord, g, coverage.coverage_agg(ts, '1 minute') AS c FROM orders GROUP BY ord, g
)
SELECT got.ord, count(*) AS groups, bool_and(got.c::text = e.c::text) AS as_ordered,
       bool_and(coverage.num_segments(got.c) = got.g
                AND coverage.num_points(got.c) = 5 * got.g) AS segments_and_points
FROM got JOIN expected e USING (g) GROUP BY got.ord ORDER BY got.ord;
RESET enable_sort;

-- Errors.
SELECT coverage.coverage_agg(ts, NULL) FROM (VALUES (now())) s(ts);
SELECT coverage.coverage_agg(ts, '-1 second') FROM (VALUES (now())) s(ts);
SELECT coverage.coverage_agg(ts, '1 mon') FROM (VALUES (now())) s(ts);
SELECT coverage.coverage_agg(ts, '1 year -12 mon')  -- no month part left: valid
FROM (VALUES ('2024-01-01'::timestamptz)) s(ts);
SELECT coverage.coverage_agg(ts, '1 day -25 hours') FROM (VALUES (now())) s(ts);
SELECT coverage.coverage_agg(ts, '1 minute') FROM (VALUES ('infinity'::timestamptz)) s(ts);
SELECT coverage.coverage_agg(ts, '1 minute') FROM (VALUES (now()), ('-infinity')) s(ts);
SELECT coverage.coverage_agg(ts, g)
FROM (VALUES (now(), '1 minute'::interval), (now(), '2 minutes')) s(ts, g);
-- Groups of different tolerances, rows interleaved, each group's rows in turn: each
-- group keeps its own, and a change within a group is caught even when the new
-- max_gap is the one the row before (another group's) used.
SELECT k, coverage.coverage_agg(ts, g)
FROM (VALUES ('a', '2024-01-01 00:00'::timestamptz, '1 minute'::interval),
             ('b', '2024-01-01 00:00', '5 minutes'), ('a', '2024-01-01 00:03', '60 s'),
             ('b', '2024-01-01 00:03', '5 minutes'), ('a', '2024-01-01 00:04', '1 minute'),
             ('b', '2024-01-01 00:10', '300 s')) s(k, ts, g)
GROUP BY k ORDER BY k;
SELECT k, coverage.coverage_agg(ts, g)
FROM (VALUES ('a', '2024-01-01 00:00'::timestamptz, '1 minute'::interval),
             ('b', '2024-01-01 00:00', '5 minutes'), ('a', '2024-01-01 00:03', '1 minute'),
             ('b', '2024-01-01 00:03', '1 minute')) s(k, ts, g)
GROUP BY k;
-- SQLSTATEs of the errors above.
\set VERBOSITY sqlstate
SELECT coverage.coverage_agg(ts, NULL) FROM (VALUES (now())) s(ts);
SELECT coverage.coverage_agg(ts, '1 mon') FROM (VALUES (now())) s(ts);
SELECT coverage.coverage_agg(ts, '1 minute') FROM (VALUES ('infinity'::timestamptz)) s(ts);
SELECT coverage.coverage_agg(ts, g)
FROM (VALUES (now(), '1 minute'::interval), (now(), '2 minutes')) s(ts, g);
\set VERBOSITY default

-- As a window aggregate the final function runs repeatedly on a growing state.
SELECT ts, coverage.num_segments(coverage.coverage_agg(ts, '1 minute') OVER (ORDER BY ts))
FROM (VALUES ('2024-01-01 00:00'::timestamptz), ('2024-01-01 00:10'),
             ('2024-01-01 00:05'), ('2024-01-01 00:00:30')) s(ts)
ORDER BY ts;
