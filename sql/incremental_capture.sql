-- Change capture: the triggers add_source installs and drop_source removes,
-- what each kind of statement records, and the cases that fall back to
-- recomputing a source fully.
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_cov_writer;
RESET client_min_messages;

CREATE TABLE ic_items (id text PRIMARY KEY);
INSERT INTO ic_items VALUES ('a'), ('b'), ('c');
CREATE TABLE ic_points (k text, ts timestamptz, note text);
CREATE TABLE ic_part (k text, ts timestamptz) PARTITION BY LIST (k);
CREATE TABLE ic_part_a PARTITION OF ic_part FOR VALUES IN ('a');
CREATE TABLE ic_part_rest PARTITION OF ic_part DEFAULT;
CREATE VIEW ic_view AS SELECT k, ts FROM ic_points;

-- The capture triggers of every relation, with their state.
CREATE VIEW ic_triggers AS
SELECT t.tgrelid::regclass AS rel, t.tgname, t.tgenabled,
       pg_get_triggerdef(t.oid) LIKE '%EXECUTE FUNCTION coverage._capture%(%' AS captures
  FROM pg_trigger t
 WHERE t.tgfoid IN ('coverage._capture'::regproc, 'coverage._capture_insert'::regproc)
 ORDER BY 1, 2;
-- What is waiting for the next refresh.
CREATE VIEW ic_waiting AS
SELECT 'pending' AS kind, p.relid::regclass AS rel, u.k AS entity_key, u.t AS point
  FROM coverage.pending p, coverage._pending_points(p.batch) AS u (k, t)
UNION ALL
SELECT 'dirty', d.relid::regclass, d.entity_key, NULL FROM coverage.dirty d
 ORDER BY 1, 2, 3, 4;

SELECT coverage.set_entities('ic_items', 'id');
SELECT coverage.set_max_gap('1 hour');
SELECT coverage.add_source('ic_points', 'k', 'ts', 'points');
SELECT coverage.add_source('ic_part', 'k', 'ts', 'part');
SELECT coverage.add_source('ic_view', 'k', 'ts', 'view');
-- The tables and every partition carry the four triggers; the view none.
SELECT * FROM ic_triggers;
SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
 WHERE t.tgrelid = 'ic_part'::regclass ORDER BY t.tgname;
-- A source is captured from its first (full) refresh onwards.
SELECT source, cardinality(members) AS members FROM coverage.captured ORDER BY 1;
SELECT status, entities FROM coverage.refresh();
SELECT source, cardinality(members) AS members FROM coverage.captured ORDER BY 1;

-- One pending row per statement, with the points of its rows: those of no
-- entity are kept until refresh (the entity may appear), NULL keys and times
-- are not.
INSERT INTO ic_points VALUES ('a', '2024-01-01 00:00+00'), ('a', '2024-01-01 00:30+00'),
                             ('b', '2024-01-01 00:00+00'), ('z', '2024-01-01 00:00+00'),
                             (NULL, '2024-01-01 00:00+00'), ('c', NULL);
INSERT INTO ic_points VALUES ('a', '2024-01-01 05:00+00'), ('b', 'infinity');
INSERT INTO ic_part VALUES ('a', '2024-01-02 00:00+00'), ('b', '2024-01-02 00:00+00');
INSERT INTO ic_part_a VALUES ('a', '2024-01-03 00:00+00');
COPY ic_points (k, ts) FROM STDIN;
c	2024-01-04 00:00:00+00
\.
SELECT count(*) AS statements FROM coverage.pending;
SELECT * FROM ic_waiting;
-- An update of other columns marks nothing; one of key or time marks the
-- entities of the old and of the new rows.
UPDATE ic_points SET note = 'x';
SELECT count(*) FROM coverage.dirty;
UPDATE ic_points SET k = 'c' WHERE k = 'b' AND isfinite(ts);
DELETE FROM ic_part_rest;
SELECT * FROM ic_waiting WHERE kind = 'dirty';
SELECT status, entities FROM coverage.refresh();
SELECT * FROM ic_waiting;
SELECT entity_key, source, coverage FROM coverage._source_coverage ORDER BY 1, 2;
DELETE FROM ic_points WHERE NOT isfinite(ts);  -- no more warnings from here on

-- A rolled-back insert leaves nothing behind.
BEGIN;
INSERT INTO ic_points VALUES ('a', '2024-03-01 00:00+00');
SELECT count(*) FROM coverage.pending;
ROLLBACK;
SELECT count(*) FROM coverage.pending;
SELECT status, entities FROM coverage.refresh();

-- A large statement is cut into rows of at most 8 kB, which stay in the
-- table's pages (nothing toasted); a key too long for a row gets a row of its
-- own.  Refresh reads every point of them.
INSERT INTO ic_points (k, ts)
SELECT 'a', timestamptz '2024-02-01 00:00+00' + i * interval '1 minute'
  FROM generate_series(1, 5000) i;
SELECT count(*) > 1 AS several_rows, max(pg_column_size(p.batch)) <= 8000 AS small,
       sum((SELECT count(*) FROM coverage._pending_points(p.batch))) AS points
  FROM coverage.pending p;
SELECT pg_relation_size(reltoastrelid) AS toasted FROM pg_class
 WHERE oid = 'coverage.pending'::regclass;
-- Pages that refresh empties stay with the table when it is vacuumed, for
-- writers to fill again rather than extend it.
SELECT reloptions FROM pg_class WHERE oid = 'coverage.pending'::regclass;
INSERT INTO ic_points (k, ts) VALUES ('a', '2024-02-10 00:00+00'),
                                     (repeat('x', 9000), '2024-02-10 00:00+00'),
                                     ('a', '2024-02-11 00:00+00');
SELECT length(u.entity_key) AS key_length, u.point
  FROM coverage.pending p, coverage._pending_points(p.batch) u
 WHERE u.point >= '2024-02-10' ORDER BY u.point, 1;
SELECT status, entities FROM coverage.refresh();
SELECT ss.coverage OPERATOR(coverage.=)
       (SELECT coverage.coverage_agg(ts, (SELECT max_gap FROM coverage.settings))
          FROM ic_points WHERE k = 'a') AS same_as_source
  FROM coverage._source_coverage ss
 WHERE ss.source = 'ic_points'::regclass AND ss.entity_key = 'a';
DELETE FROM ic_points WHERE ts >= '2024-02-01';
SELECT status, entities FROM coverage.refresh();

-- A statement of many points over many keys, interleaved: cut into rows of
-- at most 8 kB, each naming its keys anew; every point arrives and each key's
-- coverage is what its rows give.
INSERT INTO ic_items SELECT 'm' || i FROM generate_series(0, 699) i;
INSERT INTO ic_points (k, ts)
SELECT 'm' || (i % 700), timestamptz '2024-04-01 00:00+00' + i * interval '1 second'
  FROM generate_series(1, 70000) i;
SELECT count(*) AS pending_rows, max(pg_column_size(p.batch)) <= 8000 AS small,
       sum((SELECT count(*) FROM coverage._pending_points(p.batch))) AS points,
       sum((SELECT count(DISTINCT u.entity_key) FROM coverage._pending_points(p.batch) u))
         AS keys_named
  FROM coverage.pending p;
SELECT status, entities FROM coverage.refresh();
SELECT count(*) AS keys, bool_and(ss.coverage OPERATOR(coverage.=) src.coverage) AS same
  FROM coverage._source_coverage ss
  JOIN (SELECT k, coverage.coverage_agg(ts, (SELECT max_gap FROM coverage.settings))
          FROM ic_points WHERE k LIKE 'm%' GROUP BY k) AS src (k, coverage)
    ON src.k = ss.entity_key
 WHERE ss.source = 'ic_points'::regclass;
DELETE FROM ic_points WHERE k LIKE 'm%';
DELETE FROM ic_items WHERE id LIKE 'm%';
SELECT status, entities FROM coverage.refresh();
-- The pages that refresh emptied are kept through a vacuum, and the next
-- statement's points fill them instead of extending the table.
VACUUM coverage.pending;
SELECT pg_relation_size('coverage.pending') AS pending_bytes \gset
SELECT :pending_bytes > 0 AS pages_kept;
INSERT INTO ic_points (k, ts)
SELECT 'a', timestamptz '2024-05-01 00:00+00' + i * interval '1 minute'
  FROM generate_series(1, 5000) i;
SELECT pg_relation_size('coverage.pending') = :pending_bytes AS no_page_added;
DELETE FROM ic_points WHERE ts >= '2024-05-01';
SELECT status, entities FROM coverage.refresh();

-- TRUNCATE marks the whole source, here through a partition.
TRUNCATE ic_part_a;
SELECT * FROM ic_waiting;
SELECT status, entities FROM coverage.refresh();
SELECT entity_key, points FROM coverage._source_coverage
 WHERE source = 'ic_part'::regclass ORDER BY 1;

-- A role that may only insert into a source needs nothing of coverage.
CREATE ROLE regress_cov_writer;
GRANT INSERT, UPDATE, DELETE, SELECT ON ic_points TO regress_cov_writer;
SET SESSION AUTHORIZATION regress_cov_writer;
INSERT INTO ic_points VALUES ('b', '2024-01-05 00:00+00');
UPDATE ic_points SET ts = ts + interval '1 minute' WHERE k = 'b';
SELECT has_schema_privilege('coverage', 'USAGE') AS coverage_usage;
RESET SESSION AUTHORIZATION;
SELECT * FROM ic_waiting;
SELECT status, entities FROM coverage.refresh();

-- A new partition: inserts through the root are captured, but one written
-- directly before it has triggers would not be; the next refresh gives it
-- triggers and recomputes that source fully.
CREATE TABLE ic_part_c PARTITION OF ic_part FOR VALUES IN ('c');
INSERT INTO ic_part_c VALUES ('c', '2024-01-06 00:00+00');
SELECT count(*) FROM coverage.pending;
SELECT status, entities FROM coverage.refresh();
SELECT rel, tgname FROM ic_triggers WHERE rel = 'ic_part_c'::regclass;
SELECT key, part_points FROM coverage.entity_coverage ORDER BY key;
-- Detaching takes its rows out of the source: detected the same way.
ALTER TABLE ic_part DETACH PARTITION ic_part_c;
SELECT status, entities FROM coverage.refresh();
SELECT key, part_points FROM coverage.entity_coverage ORDER BY key;
SELECT count(*) FROM ic_triggers WHERE rel = 'ic_part_c'::regclass;
INSERT INTO ic_part_c VALUES ('c', '2024-01-07 00:00+00');
SELECT count(*) FROM coverage.pending;

-- A disabled trigger: the source is recomputed fully while it stays so.
ALTER TABLE ic_points DISABLE TRIGGER coverage_capture_delete;
DELETE FROM ic_points WHERE k = 'c';
SELECT status, entities FROM coverage.refresh();
SELECT key, points_points FROM coverage.entity_coverage ORDER BY key;
ALTER TABLE ic_points ENABLE TRIGGER coverage_capture_delete;

-- A trigger dropped by hand comes back at the next refresh, which recomputes.
DROP TRIGGER coverage_capture_insert ON ic_points;
INSERT INTO ic_points VALUES ('c', '2024-01-08 00:00+00');
SELECT status, entities FROM coverage.refresh();
SELECT key, points_points FROM coverage.entity_coverage ORDER BY key;
SELECT count(*) FROM ic_triggers WHERE rel = 'ic_points'::regclass;

-- A configured column renamed: writes go on, the source is marked for a
-- full recomputation, and refresh names the column until it is back.
ALTER TABLE ic_points RENAME COLUMN ts TO ts_renamed;
INSERT INTO ic_points VALUES ('a', '2024-01-09 00:00+00');
DELETE FROM ic_points WHERE k = 'c';
SELECT * FROM ic_waiting;
\set VERBOSITY terse
SELECT status, entities FROM coverage.refresh();
\set VERBOSITY default
ALTER TABLE ic_points RENAME COLUMN ts_renamed TO ts;
SELECT status, entities FROM coverage.refresh();
SELECT key, points_points FROM coverage.entity_coverage ORDER BY key;

-- Reconfiguring a source's columns recreates its triggers; the next refresh
-- recomputes it fully.
ALTER TABLE ic_points ADD COLUMN ts2 timestamptz;
UPDATE ic_points SET ts2 = ts + interval '1 day';
SELECT coverage.add_source('ic_points', 'k', 'ts2', 'points');
SELECT DISTINCT pg_get_triggerdef(t.oid) LIKE '%(''k'', ''ts2'')' AS new_args
  FROM pg_trigger t WHERE t.tgrelid = 'ic_points'::regclass;
SELECT source FROM coverage.captured ORDER BY 1;
SELECT status, entities FROM coverage.refresh();

-- A source that is a partition of another source shares its rows: neither
-- is captured, both are recomputed by every refresh.
SELECT coverage.add_source('ic_part_a', 'k', 'ts', 'part_a');
SELECT status, entities FROM coverage.refresh();
SELECT rel, count(*) FROM ic_triggers GROUP BY 1 ORDER BY 1;
SELECT source FROM coverage.captured ORDER BY 1;
INSERT INTO ic_part VALUES ('a', '2024-01-11 00:00+00');
SELECT status, entities FROM coverage.refresh();
SELECT key, part_points, part_a_points FROM coverage.entity_coverage ORDER BY key;
SELECT coverage.drop_source('ic_part_a');
SELECT status, entities FROM coverage.refresh();
SELECT source FROM coverage.captured ORDER BY 1;
SELECT rel, count(*) FROM ic_triggers GROUP BY 1 ORDER BY 1;

-- drop_source removes the triggers from the table and its partitions, and
-- what they captured.
INSERT INTO ic_part VALUES ('b', '2024-01-12 00:00+00');
SELECT coverage.drop_source('ic_part');
SELECT rel, count(*) FROM ic_triggers GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM coverage.pending;
-- DROP EXTENSION takes the remaining triggers along.
DROP VIEW ic_triggers, ic_waiting;
DROP EXTENSION coverage_ext;
SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'coverage_capture_%';
INSERT INTO ic_points VALUES ('a', '2024-02-01 00:00+00');

DROP VIEW ic_view;
DROP TABLE ic_items, ic_points, ic_part, ic_part_c;
REVOKE ALL ON SCHEMA public FROM regress_cov_writer;
DROP ROLE regress_cov_writer;
