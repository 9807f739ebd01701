-- coverage_agg holds back the points of its common rows and adds them in batches of
-- 256 (src/pg/deferred_points.hpp). Results must not depend on it: whatever reads a
-- state first adds what waits for it, and memory that goes away drops what waited.
-- (quietly: whether an earlier test created it depends on which tests run)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_ext;
RESET client_min_messages;
SET timezone = 'UTC';
SET max_parallel_workers_per_gather = 0;

-- 40 groups, 3,000 rows interleaved across them, with gaps, in a shuffled order.
CREATE TEMP TABLE points AS
SELECT g, timestamptz '2024-01-01' + (i * 7 + g) * interval '1 minute'
          + CASE WHEN i % 50 < 5 THEN interval '3 hours' ELSE interval '0' END AS ts
  FROM generate_series(1, 40) g, generate_series(1, 75) i
 ORDER BY md5(g::text || i::text);

-- The hash aggregate (batches applied mid-scan and at the end) against the sorted one.
CREATE TEMP TABLE hashed AS
SELECT g, coverage.coverage_agg(ts, '10 minutes') AS cov FROM points GROUP BY g;
SET enable_hashagg = off;
CREATE TEMP TABLE sorted AS
SELECT g, coverage.coverage_agg(ts, '10 minutes') AS cov FROM points GROUP BY g;
RESET enable_hashagg;
SELECT count(*) AS groups, sum(coverage.num_points(cov)) AS points,
       sum(coverage.num_segments(cov)) AS segments FROM hashed;
SELECT count(*) AS differing FROM hashed h JOIN sorted s USING (g)
 WHERE h.cov::text <> s.cov::text;

-- A hash aggregate short of memory spills groups to disk and aggregates them in
-- later passes, resetting its memory between them.
SET enable_hashagg = off;
CREATE TEMP TABLE small_groups AS
SELECT g * 100 + extract(epoch FROM ts)::bigint / 60 % 50 AS k,
       coverage.coverage_agg(ts, '10 minutes') AS cov
  FROM points GROUP BY 1;
RESET enable_hashagg;
SET work_mem = '64kB';
SELECT count(*) AS groups, count(*) FILTER (WHERE q.cov::text <> r.cov::text) AS differing
  FROM (SELECT g * 100 + extract(epoch FROM ts)::bigint / 60 % 50 AS k,
               coverage.coverage_agg(ts, '10 minutes') AS cov
          FROM points GROUP BY 1) q
  JOIN small_groups r USING (k);
CREATE FUNCTION pg_temp.hash_batches(query text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'HashAgg Batches')::int;
END $$;
SELECT pg_temp.hash_batches($$SELECT g * 100 + extract(epoch FROM ts)::bigint / 60 % 50,
                                     coverage.coverage_agg(ts, '10 minutes')
                                FROM points GROUP BY 1$$) > 1 AS spilled;
RESET work_mem;

-- Two aggregates of different max_gap in one query each keep their own.
SELECT count(*) AS differing
  FROM (SELECT g, coverage.coverage_agg(ts, '10 minutes') AS a,
               coverage.coverage_agg(ts, '1 hour') AS b
          FROM points GROUP BY g) q
  JOIN hashed h USING (g)
  JOIN (SELECT g, coverage.coverage_agg(ts, '1 hour') AS b FROM points GROUP BY g) o USING (g)
 WHERE q.a::text <> h.cov::text OR q.b::text <> o.b::text;

-- Grouping sets: each set's states in memory of its own, hashed and sorted.
SELECT count(*) AS differing
  FROM (SELECT g % 4 AS k, g, coverage.coverage_agg(ts, '10 minutes') AS cov
          FROM points GROUP BY GROUPING SETS ((g % 4), (g), ())) q
  LEFT JOIN hashed h ON q.g = h.g
  LEFT JOIN (SELECT g % 4 AS k, coverage.coverage_agg(ts, '10 minutes') AS cov
               FROM points GROUP BY g % 4) m ON q.g IS NULL AND q.k = m.k
 WHERE q.cov::text IS DISTINCT FROM coalesce(h.cov, m.cov,
         (SELECT coverage.coverage_agg(ts, '10 minutes') FROM points))::text;
SET enable_hashagg = off;
SELECT count(*) AS differing
  FROM (SELECT g, coverage.coverage_agg(ts, '10 minutes') AS cov
          FROM points GROUP BY GROUPING SETS ((g), ())) q
  LEFT JOIN hashed h USING (g)
 WHERE q.cov::text IS DISTINCT FROM coalesce(h.cov,
         (SELECT coverage.coverage_agg(ts, '10 minutes') FROM points))::text;
RESET enable_hashagg;

-- A change of max_gap within a group found when its batch is applied: still 22023.
\set VERBOSITY sqlstate
SELECT g, coverage.coverage_agg(ts, CASE WHEN g = 1 OR ts < '2024-01-01 05:00' THEN
                                      interval '10 minutes' ELSE interval '11 minutes' END)
  FROM points GROUP BY g;
\set VERBOSITY default

-- An error in the middle of the scan, with points held back, leaves nothing behind:
-- the next queries are right.
SELECT g, coverage.coverage_agg(ts + (1 / (2900 - n)) * interval '1 s', '10 minutes')
  FROM (SELECT g, ts, row_number() OVER () AS n FROM points) p GROUP BY g;
SELECT count(*) AS differing FROM hashed h
  JOIN (SELECT g, coverage.coverage_agg(ts, '10 minutes') AS cov FROM points GROUP BY g) q
 USING (g) WHERE h.cov::text <> q.cov::text;

-- A cursor read in part while other aggregates run in the same transaction.
BEGIN;
DECLARE c CURSOR FOR
SELECT g, coverage.coverage_agg(ts, '10 minutes') AS cov FROM points GROUP BY g ORDER BY g;
FETCH 2 FROM c;
SELECT count(*) AS differing FROM hashed h
  JOIN (SELECT g, coverage.coverage_agg(ts, '10 minutes') AS cov FROM points GROUP BY g) q
 USING (g) WHERE h.cov::text <> q.cov::text;
FETCH 2 FROM c;
CLOSE c;
COMMIT;

-- A correlated subquery: the aggregate is scanned again for every outer row, its
-- memory reset in between.
SELECT o.g, (SELECT coverage.num_points(coverage.coverage_agg(p.ts, '10 minutes'))
               FROM points p WHERE p.g <= o.g) AS points
  FROM generate_series(1, 40, 13) o (g);
SELECT o.g, (SELECT count(*) FROM (SELECT p.g, coverage.coverage_agg(p.ts, '10 minutes')
                                     FROM points p WHERE p.g <= o.g GROUP BY p.g
                                     LIMIT 2) s) AS groups
  FROM generate_series(1, 40, 13) o (g);

-- As a window aggregate the state is read after every row; no point is held back.
SELECT count(*) AS rows, max(coverage.num_points(cov)) AS last_points
  FROM (SELECT coverage.coverage_agg(ts, '10 minutes') OVER (PARTITION BY g ORDER BY ts) AS cov
          FROM points) w;
