-- Hostile identifiers: quotes, spaces, semicolons, upper case and SQL in the
-- names of schemas, tables, columns and labels work, and inject nothing.
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql

CREATE SCHEMA "odd ""schema""; x";
CREATE TABLE "odd ""schema""; x"."Ent; DROP TABLE x; --" (
    "Key ""k""" text PRIMARY KEY,
    "group; SELECT 1" text,
    "title'); DROP TABLE y; --" text,
    "State" text);
INSERT INTO "odd ""schema""; x"."Ent; DROP TABLE x; --"
VALUES ('a''b', 'g"1', 'it''s; --', 'Open'), ('c d', NULL, 'plain', 'Closed');
CREATE TABLE "Src $1 %s" ("k;ey" text, "t s""" timestamptz);
INSERT INTO "Src $1 %s" VALUES ('a''b', '2024-01-01 00:00+00'), ('a''b', '2024-01-01 00:01+00'),
                               ('c d', '2024-01-02 00:00+00');

SELECT coverage.set_entities('"odd ""schema""; x"."Ent; DROP TABLE x; --"', 'Key "k"',
                             'group; SELECT 1', '{"title''); DROP TABLE y; --"}', 'State');
SELECT coverage.add_source('"Src $1 %s"', 'k;ey', 't s"', 'lab"el; --');
SELECT coverage.set_max_gap('5 minutes');
SELECT status, entities FROM coverage.refresh();
\d coverage.entity_coverage
SELECT * FROM coverage.entity_coverage ORDER BY key;
SELECT jsonb_pretty(coverage.stats(search => 'it''s; --') #- '{summary,refreshed_at}');
SELECT coverage.stats(group_key => 'g"1') #> '{groups,0,entities,0,key}' AS key;
SELECT coverage.stats(status => 'Closed') #> '{groups,0,entities,0,key}' AS key;
SELECT coverage.drop_source('"Src $1 %s"');
SELECT count(*) FROM coverage.sources;

DROP EXTENSION coverage_ext;
DROP SCHEMA "odd ""schema""; x" CASCADE;
DROP TABLE "Src $1 %s";
