-- Cancellation: statement_timeout stops long coverage_agg, merge, rollup and refresh
-- queries with 57014 (query_canceled), the session goes on working, and a cancelled
-- refresh leaves the previous view contents and a free lock. Each query below would run
-- for minutes; the timeout is what ends it (an assertion on time would be flaky, so
-- there is none: a cancel that never landed shows up as a hung or failed test).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS coverage_ext CASCADE;
CREATE EXTENSION coverage_ext;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
\set VERBOSITY sqlstate

-- Two values of 100k segments each, interleaved so that every merge does full work.
CREATE TEMP TABLE rc_wide AS
SELECT k, coverage.coverage_agg('2000-01-01'::timestamptz + make_interval(secs => 2 * i + k),
                                '0') AS c
  FROM generate_series(0, 1) k, generate_series(0, 99999) i
 GROUP BY k;
SELECT k, coverage.num_segments(c) FROM rc_wide ORDER BY k;

SET statement_timeout = '300ms';
-- coverage_agg over 40M shuffled points (i * 7919 mod 40M is a permutation), each its own
-- segment: the state keeps flushing pending points into millions of segments.
SELECT coverage.num_segments(coverage.coverage_agg(
           '2000-01-01'::timestamptz + make_interval(secs => (i * 7919) % 40000000), '0'))
  FROM (SELECT generate_series(0::bigint, 39999999) AS i) s;
-- The same points joining into one segment: the cheap path per point, for a long time.
SELECT coverage.num_segments(coverage.coverage_agg(
           '2000-01-01'::timestamptz + make_interval(secs => (i * 7919) % 40000000), '1 s'))
  FROM (SELECT generate_series(0::bigint, 39999999) AS i) s;
-- merge() of two 100k-segment values, a million times.
SELECT count(coverage.merge(a.c, b.c))
  FROM rc_wide a, rc_wide b, generate_series(1, 1000000)
 WHERE a.k = 0 AND b.k = 1;
-- rollup() of the same values a million times over.
SELECT coverage.num_points(coverage.rollup(w.c)) FROM rc_wide w, generate_series(1, 1000000);
RESET statement_timeout;

-- The session is usable and nothing is left half-done.
SELECT coverage.num_segments(coverage.merge(a.c, b.c))
  FROM rc_wide a, rc_wide b WHERE a.k = 0 AND b.k = 1;
SELECT coverage.coverage_agg(ts, '1 minute')
  FROM (VALUES ('2024-01-01 00:00+00'::timestamptz), ('2024-01-01 00:01+00')) v(ts);

-- Refresh: a source whose size a knob sets, first small, then endless.
CREATE TABLE rc_items (id text PRIMARY KEY);
INSERT INTO rc_items VALUES ('a'), ('b');
CREATE TABLE rc_knob (n bigint);
INSERT INTO rc_knob VALUES (3);
CREATE VIEW rc_points AS
SELECT CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS item,
       '2024-01-01'::timestamptz + make_interval(secs => (i * 7919) % 40000000) AS ts
  FROM generate_series(0::bigint, (SELECT n - 1 FROM rc_knob)) i;
SELECT coverage.set_entities('rc_items', 'id');
SELECT coverage.add_source('rc_points', 'item', 'ts', 'p');
SELECT coverage.set_max_gap('1 hour');
SELECT status, entities FROM coverage.refresh();
CREATE TEMP TABLE rc_before AS
SELECT key, coverage::text AS c, p_points, num_segments FROM coverage.entity_coverage;
SELECT key, coverage, p_points FROM coverage.entity_coverage ORDER BY key;

UPDATE rc_knob SET n = 40000000;
SET statement_timeout = '300ms';
SELECT status, entities FROM coverage.refresh();
RESET statement_timeout;
-- The view reads as before, no advisory lock is left, and the next refresh runs.
SELECT (SELECT array_agg((key, coverage::text, p_points, num_segments) ORDER BY key)
          FROM coverage.entity_coverage)
       = (SELECT array_agg((key, c, p_points, num_segments) ORDER BY key) FROM rc_before)
       AS unchanged;
SELECT count(*) AS advisory_locks FROM pg_locks WHERE locktype = 'advisory';
UPDATE rc_knob SET n = 4;
SELECT status, entities FROM coverage.refresh();
SELECT key, coverage, p_points FROM coverage.entity_coverage ORDER BY key;

SET client_min_messages = warning;
DROP EXTENSION coverage_ext CASCADE;
RESET client_min_messages;
DROP VIEW rc_points;
DROP TABLE rc_items, rc_knob;
