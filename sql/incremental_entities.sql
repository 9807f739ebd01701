-- The watch on the entities table: an incremental refresh compares the
-- entity keys with those of the last refresh only after a write that may have
-- changed them, or when the watch cannot be trusted; either way entities that
-- come, go or change their key get the coverage a full refresh gives them.
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql

CREATE TABLE ie_items (id text, grp text) PARTITION BY LIST (grp);
CREATE TABLE ie_items_a PARTITION OF ie_items FOR VALUES IN ('a');
CREATE TABLE ie_items_b PARTITION OF ie_items FOR VALUES IN ('b');
INSERT INTO ie_items VALUES ('e1', 'a'), ('e2', 'a'), ('e3', 'b');
CREATE TABLE ie_points (k text, ts timestamptz);
INSERT INTO ie_points SELECT 'e' || i, '2024-01-01 00:00+00'::timestamptz + j * interval '1 hour'
                        FROM generate_series(1, 5) i, generate_series(0, i) j;

-- The watch triggers, with their definition.
CREATE VIEW ie_watch AS
SELECT t.tgrelid::regclass AS rel, t.tgenabled, pg_get_triggerdef(t.oid) AS def
  FROM pg_trigger t
 WHERE t.tgfoid = 'coverage._entities_changed()'::regprocedure
 ORDER BY 1;
-- Whether the watch can be trusted, as refresh sees it.
CREATE VIEW ie_intact AS
SELECT coverage._sync_entities_watch(s, false) AS intact FROM coverage.settings s;
-- Stored points per entity, against the points of the entities table's keys.
CREATE VIEW ie_check AS
SELECT i.id, es.num_points AS stored,
       (SELECT count(*) FROM ie_points p WHERE p.k = i.id) AS expected
  FROM ie_items i LEFT JOIN coverage.entity_store es ON es.entity_key = i.id
UNION ALL
SELECT es.entity_key, es.num_points, NULL FROM coverage.entity_store es
 WHERE es.entity_key NOT IN (SELECT id FROM ie_items)
 ORDER BY 1;

SELECT coverage.set_entities('ie_items', 'id', 'grp');
SELECT coverage.add_source('ie_points', 'k', 'ts', 'p');
SELECT coverage.set_max_gap('1 hour');
-- The table and each partition carry the watch, on the key column only.
SELECT * FROM ie_watch;
SELECT status, entities FROM coverage.refresh();
SELECT * FROM ie_intact;
SELECT * FROM ie_check;

-- Writes that cannot change the keys record nothing.
UPDATE ie_items SET grp = grp WHERE id = 'e1';
SELECT count(*) FROM coverage.entities_changed;
-- Inserting (through the root or into a partition), deleting and changing
-- a key record the statement; the next refresh consumes the marks and
-- recomputes the entities concerned.
INSERT INTO ie_items VALUES ('e4', 'a');
INSERT INTO ie_items_b VALUES ('e5', 'b');
SELECT relid::regclass FROM coverage.entities_changed ORDER BY 1;
INSERT INTO ie_points VALUES ('e1', '2024-01-05 00:00+00');
SELECT status, entities FROM coverage.refresh();
SELECT count(*) FROM coverage.entities_changed;
SELECT * FROM ie_check;
DELETE FROM ie_items WHERE id = 'e2';
UPDATE ie_items SET id = 'e6' WHERE id = 'e3';
INSERT INTO ie_points VALUES ('e6', '2024-01-01 00:00+00');
SELECT status, entities FROM coverage.refresh();
SELECT * FROM ie_check;
UPDATE ie_items SET id = 'e3' WHERE id = 'e6';
TRUNCATE ie_items_b;
SELECT status, entities FROM coverage.refresh();
SELECT * FROM ie_check;
INSERT INTO ie_items VALUES ('e3', 'b'), ('e5', 'b');
SELECT status, entities FROM coverage.refresh();

-- A disabled watch is not trusted: refresh compares the keys each time,
-- and leaves the trigger as its owner set it.
ALTER TABLE ie_items_b DISABLE TRIGGER coverage_entities_watch;
SELECT * FROM ie_intact;
INSERT INTO ie_items_b VALUES ('e2', 'b');
SELECT count(*) FROM coverage.entities_changed;
SELECT status, entities FROM coverage.refresh();
SELECT * FROM ie_check;
SELECT rel, tgenabled FROM ie_watch;
ALTER TABLE ie_items_b ENABLE TRIGGER coverage_entities_watch;
SELECT * FROM ie_intact;

-- A partition attached later carries no watch: not trusted until
-- set_entities runs again, which watches it too.
CREATE TABLE ie_items_c (id text, grp text);
INSERT INTO ie_items_c VALUES ('e1', 'c');
ALTER TABLE ie_items ATTACH PARTITION ie_items_c FOR VALUES IN ('c');
SELECT * FROM ie_intact;
INSERT INTO ie_items_c VALUES ('e6', 'c');
SELECT count(*) FROM coverage.entities_changed;
SELECT status, entities FROM coverage.refresh();
SELECT * FROM ie_check;
SELECT coverage.set_entities('ie_items', 'id', 'grp');
SELECT rel FROM ie_watch;
SELECT * FROM ie_intact;

-- Another key column: the watch follows it.
ALTER TABLE ie_items ADD COLUMN code text;
SELECT coverage.set_entities('ie_items', 'code', 'grp');
SELECT def FROM ie_watch;
SELECT coverage.set_entities('ie_items', 'id', 'grp');
SELECT status, entities FROM coverage.refresh();

-- Entities in a view: nothing to watch, compared at every refresh.
CREATE VIEW ie_items_view AS SELECT id, grp FROM ie_items WHERE id <> 'e5';
SELECT coverage.set_entities('ie_items_view', 'id', 'grp');
SELECT * FROM ie_watch;
SELECT * FROM ie_intact;
SELECT status, entities FROM coverage.refresh();
SELECT entity_key, num_points FROM coverage.entity_store ORDER BY 1;
SELECT coverage.set_entities('ie_items', 'id', 'grp');
SELECT rel FROM ie_watch;

-- The triggers go with the extension.
DROP VIEW ie_watch, ie_intact, ie_check;
DROP EXTENSION coverage_ext;
SELECT count(*) FROM pg_trigger t WHERE t.tgname = 'coverage_entities_watch';
DROP VIEW ie_items_view;
DROP TABLE ie_items, ie_points;
