-- Bad rows in a source (NULL key, key of no entity, NULL time, +-infinity) arriving after
-- a refresh, through the insert capture and incremental refresh: they are left out as
-- DESIGN.md says (infinite times with a warning that counts them), the live view and the
-- refreshed view agree, and nothing refreshed before is lost. The full recompute agrees.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS coverage_ext CASCADE;
CREATE EXTENSION coverage_ext;
RESET client_min_messages;
SET TimeZone = 'UTC';

CREATE TABLE rb_items (id text PRIMARY KEY);
INSERT INTO rb_items VALUES ('a'), ('b'), ('c');
CREATE TABLE rb_points (id text, ts timestamptz);
INSERT INTO rb_points VALUES ('a', '2024-01-01 00:00+00'), ('a', '2024-01-01 00:10+00'),
                             ('b', '2024-01-01 00:00+00');
SELECT coverage.set_entities('rb_items', 'id');
SELECT coverage.add_source('rb_points', 'id', 'ts', 'p');
SELECT coverage.set_max_gap('1 hour');
SELECT status, entities FROM coverage.refresh();
SELECT key, coverage, p_points FROM coverage.entity_coverage ORDER BY key;

INSERT INTO rb_points VALUES (NULL, '2024-01-01 00:20+00'), ('a', NULL), ('a', 'infinity'),
                             ('b', '-infinity'), ('c', 'infinity'), ('zz', '2024-01-01');
SELECT key, coverage, p_points, refresh_needed
  FROM coverage.entity_coverage_live ORDER BY key;
SELECT status, entities FROM coverage.refresh();
SELECT key, coverage, p_points FROM coverage.entity_coverage ORDER BY key;
-- One good point among bad ones still counts.
INSERT INTO rb_points VALUES ('c', '2024-01-02 00:00+00'), ('c', 'infinity'), (NULL, NULL);
SELECT key, coverage, p_points, refresh_needed
  FROM coverage.entity_coverage_live WHERE key = 'c';
SELECT status, entities FROM coverage.refresh();
SELECT key, coverage, p_points FROM coverage.entity_coverage ORDER BY key;
SELECT status, entities FROM coverage.refresh(full => true);
SELECT key, coverage, p_points FROM coverage.entity_coverage ORDER BY key;

-- The captured points are read back exactly, and a malformed batch is an
-- error (22P03), not a crash.
SELECT p.entity_key, p.point
  FROM coverage._pending_points('\x01066b2d310401010002'::bytea) AS p;
SELECT coverage._pending_keys('\x02'::bytea);
SELECT coverage._pending_times('\x01030a'::bytea);
SELECT coverage._pending_keys('\x010a6b'::bytea);
SELECT coverage._pending_times('\x010000ffffffffffffffffffff'::bytea);

-- Refresh folds captured batches per key in one pass (coverage._fold_pending): a key
-- may recur within and across batches, a key with only infinite times has no
-- coverage but its count, a malformed batch is 22P03 and a changing max_gap 22023.
SELECT u.k, u.cov, u.infinite
  FROM (SELECT coverage._fold_pending(v.b, '1 hour') AS f
          FROM (VALUES ('\x01066b2d310401010002'::bytea), ('\x01066b2d3104'),
                       ('\x010262feffffffffffffffff01'), ('\x01026280909de91a')) v (b)) s,
       unnest((s.f).keys, (s.f).coverages, (s.f).infinite) AS u (k, cov, infinite)
 ORDER BY 1;
SELECT u.k, u.cov, u.infinite
  FROM (SELECT coverage._fold_pending(v.b, '1 hour') AS f
          FROM (VALUES ('\x010262feffffffffffffffff01'::bytea)) v (b)) s,
       unnest((s.f).keys, (s.f).coverages, (s.f).infinite) AS u (k, cov, infinite);
SELECT coverage._fold_pending(v.b, '1 hour') IS NULL AS nothing_folded
  FROM (VALUES ('\x01'::bytea)) v (b) WHERE false;
SELECT coverage._fold_pending(v.b, '1 hour') FROM (VALUES ('\x010a6b'::bytea)) v (b);
SELECT coverage._fold_pending(v.b, v.g)
  FROM (VALUES ('\x01066b2d3104'::bytea, interval '1 hour'),
               ('\x01066b2d3104', interval '2 hours')) v (b, g);
SELECT coverage._fold_pending(v.b, NULL) FROM (VALUES ('\x01066b2d3104'::bytea)) v (b);

SET client_min_messages = warning;
DROP EXTENSION coverage_ext CASCADE;
RESET client_min_messages;
DROP TABLE rb_items, rb_points;
