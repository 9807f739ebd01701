-- Parallel aggregation: partial states are serialized, combined and give the
-- serial result.
-- (quietly: whether an earlier test created it depends on which tests run)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_ext;
RESET client_min_messages;
SET timezone = 'UTC';

CREATE TABLE par_points AS
SELECT i % 50 AS entity,
       '2024-01-01'::timestamptz
         + make_interval(secs => (i / 50) * 10 + CASE WHEN (i / 50) % 97 = 0 THEN 600 ELSE 0 END)
         AS ts
FROM generate_series(1, 200000) i;
ANALYZE par_points;

SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT entity, coverage.coverage_agg(ts, '30 seconds') FROM par_points GROUP BY entity;
CREATE TABLE par_result AS
SELECT entity, coverage.coverage_agg(ts, '30 seconds') AS c FROM par_points GROUP BY entity;

EXPLAIN (COSTS OFF) SELECT coverage.coverage_agg(ts, '30 seconds') FROM par_points;
CREATE TEMP TABLE par_total AS SELECT coverage.coverage_agg(ts, '30 seconds') AS c FROM par_points;

-- Stored per-minute partial results roll up in parallel to the same value.
CREATE TABLE par_parts AS
SELECT entity, date_trunc('minute', ts) AS minute, coverage.coverage_agg(ts, '30 seconds') AS c
FROM par_points GROUP BY 1, 2;
ANALYZE par_parts;
EXPLAIN (COSTS OFF) SELECT coverage.rollup(c) FROM par_parts;
SELECT coverage.rollup(c)::text = (SELECT c FROM par_total)::text AS parallel_rollup_exact
FROM par_parts;

-- A partial result is an ordinary coverage value: a distributed engine can ship
-- it between nodes as text and combine it with the aggregate's combine function.
CREATE AGGREGATE pg_temp.combine_partials(coverage.coverage) (
    SFUNC = coverage.coverage_agg_combinefn, STYPE = coverage.coverage,
    FINALFUNC = coverage.coverage_agg_finalfn);
WITH shards AS (
    SELECT entity % 3 AS shard, coverage.coverage_agg(ts, '30 seconds')::text AS partial
    FROM par_points GROUP BY 1
)
SELECT pg_temp.combine_partials(partial::coverage.coverage ORDER BY shard DESC)::text
       = (SELECT c FROM par_total)::text AS text_partials_combine_exactly
FROM shards;
-- The support functions run only inside aggregates.
SELECT coverage.coverage_agg_transfn(NULL, now(), '1 second');
SELECT coverage.coverage_agg_combinefn('max_gap=1s', 'max_gap=1s');
SELECT coverage.coverage_rollup_finalfn('max_gap=1s');

SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser_result AS
SELECT entity, coverage.coverage_agg(ts, '30 seconds') AS c FROM par_points GROUP BY entity;
SELECT count(*) AS entities,
       count(*) FILTER (WHERE p.c::text = s.c::text) AS identical,
       min(coverage.num_segments(s.c)) AS min_segments,
       sum(coverage.num_points(s.c)) AS points
FROM par_result p JOIN ser_result s USING (entity);
SELECT (SELECT c FROM par_total)::text
     = (SELECT coverage.coverage_agg(ts, '30 seconds') FROM par_points)::text AS total_identical;

DROP TABLE par_points, par_result, par_parts;
