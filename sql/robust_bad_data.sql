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

SET client_min_messages = warning;
DROP EXTENSION coverage_ext CASCADE;
RESET client_min_messages;
DROP TABLE rb_items, rb_points;
