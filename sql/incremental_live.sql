-- coverage.entity_coverage_live: the stored coverage with the points inserted
-- since the last refresh merged in at read time, and refresh_needed where
-- only a refresh can tell (updates, deletes, truncates, new entities, a new
-- configuration).  After a refresh it equals coverage.entity_coverage.
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_cov_live_reader;
RESET client_min_messages;

-- Before configuration it is an empty placeholder, like the view.
SELECT * FROM coverage.entity_coverage_live;

CREATE TABLE il_items (id integer PRIMARY KEY, grp text, title text);
INSERT INTO il_items SELECT i, 'g' || i % 3, 'item ' || i FROM generate_series(1, 12) i;
CREATE TABLE il_a (item integer, at timestamptz);
CREATE TABLE il_b (item integer, at timestamptz) PARTITION BY HASH (item);
CREATE TABLE il_b0 PARTITION OF il_b FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE il_b1 PARTITION OF il_b FOR VALUES WITH (MODULUS 2, REMAINDER 1);
SELECT coverage.set_entities('il_items', 'id', 'grp', '{title}');
SELECT coverage.add_source('il_a', 'item', 'at', 'a');
SELECT coverage.add_source('il_b', 'item', 'at', 'b');
SELECT coverage.set_max_gap('30 minutes');
\d coverage.entity_coverage_live

-- Rows of either view that the other does not have.  (A function: a view on
-- top of coverage's views would stop the configuration from rebuilding them.)
CREATE FUNCTION pg_temp.differences() RETURNS bigint LANGUAGE sql STABLE AS $$
    WITH l AS (SELECT key, group_key, title, status, coverage::text, a_points, b_points,
                      first_ts, last_ts, num_segments, covered
                 FROM coverage.entity_coverage_live),
         v AS (SELECT key, group_key, title, status, coverage::text, a_points, b_points,
                      first_ts, last_ts, num_segments, covered
                 FROM coverage.entity_coverage)
    SELECT (SELECT count(*) FROM (SELECT * FROM l EXCEPT SELECT * FROM v) d)
         + (SELECT count(*) FROM (SELECT * FROM v EXCEPT SELECT * FROM l) d)
$$;

INSERT INTO il_a VALUES (1, '2024-01-01 00:00+00'), (1, '2024-01-01 00:20+00'),
                        (2, '2024-01-01 00:00+00');
-- Until the first refresh the stored coverage does not fit the configuration:
-- live shows the stored coverage (none), every entity needs a refresh.
SELECT key, coverage, a_points, refresh_needed FROM coverage.entity_coverage_live
 WHERE key <= 3 ORDER BY key;
SELECT status, entities FROM coverage.refresh();
SELECT pg_temp.differences();
SELECT count(*) FILTER (WHERE refresh_needed) AS needing FROM coverage.entity_coverage_live;

-- New points show at once, merged exactly into the stored coverage (here
-- bridging two segments of entity 1), from both sources and from statements
-- through the root or into a partition; the refreshed view waits.
INSERT INTO il_a VALUES (1, '2024-01-01 01:10+00'), (1, '2024-01-01 00:45+00'),
                        (3, '2024-01-02 00:00+00'), (99, '2024-01-02 00:00+00');
INSERT INTO il_b VALUES (1, '2024-01-01 00:10+00'), (2, '2024-01-01 03:00+00');
INSERT INTO il_b0 VALUES (1, '2024-01-05 00:00+00');
SELECT key, coverage, a_points, b_points, first_ts, last_ts, num_segments, covered,
       refresh_needed
  FROM coverage.entity_coverage_live WHERE key <= 3 ORDER BY key;
SELECT key, coverage, a_points, b_points FROM coverage.entity_coverage
 WHERE key <= 3 ORDER BY key;
-- After the refresh both views agree.
SELECT status, entities FROM coverage.refresh();
SELECT pg_temp.differences();

-- Updates and deletes cannot be merged: the entity shows its coverage with
-- the new points and refresh_needed; a new entity too (its older points are
-- read by the next refresh); a truncate marks all entities of the source.
UPDATE il_a SET at = at + interval '1 day' WHERE item = 2;
DELETE FROM il_b WHERE item = 1 AND at > '2024-01-04';
INSERT INTO il_a VALUES (13, '2024-01-03 00:00+00');
INSERT INTO il_items VALUES (13, 'g1', 'item 13');
SELECT key, a_points, b_points, refresh_needed FROM coverage.entity_coverage_live
 WHERE refresh_needed OR key <= 3 ORDER BY key;
SELECT status, entities FROM coverage.refresh();
SELECT pg_temp.differences();
TRUNCATE il_b0;
SELECT count(*) FILTER (WHERE refresh_needed) AS needing FROM coverage.entity_coverage_live;
SELECT status, entities FROM coverage.refresh();
SELECT pg_temp.differences();

-- Random inserts only: live before the refresh equals the view after it.
SELECT setseed(0.25);
CREATE TEMP TABLE il_before AS SELECT * FROM coverage.entity_coverage_live WHERE false;
DO $$
BEGIN
    FOR r IN 1 .. 10 LOOP
        INSERT INTO il_a SELECT 1 + floor(random() * 14)::int,
                                '2024-01-01 00:00+00'::timestamptz
                                + floor(random() * 300) * interval '10 minutes'
                           FROM generate_series(1, 1 + floor(random() * 20)::int);
        INSERT INTO il_b SELECT 1 + floor(random() * 14)::int,
                                '2024-01-01 00:00+00'::timestamptz
                                + floor(random() * 300) * interval '10 minutes'
                           FROM generate_series(1, 1 + floor(random() * 20)::int);
        IF EXISTS (SELECT FROM coverage.entity_coverage_live WHERE refresh_needed) THEN
            RAISE EXCEPTION 'round %: an insert asks for a refresh', r;
        END IF;
        TRUNCATE il_before;
        INSERT INTO il_before SELECT * FROM coverage.entity_coverage_live;
        PERFORM coverage.refresh();
        IF EXISTS (SELECT key, coverage::text, a_points, b_points, first_ts, last_ts,
                          num_segments, covered FROM il_before
                   EXCEPT
                   SELECT key, coverage::text, a_points, b_points, first_ts, last_ts,
                          num_segments, covered FROM coverage.entity_coverage) THEN
            RAISE EXCEPTION 'round %: live differs from the refreshed view', r;
        END IF;
    END LOOP;
END
$$;
SELECT pg_temp.differences();

-- Another maximum gap: pending values of the old one are not merged, every
-- entity needs the (full) refresh, which makes the views agree again.
INSERT INTO il_a VALUES (4, '2024-02-01 00:00+00');
SELECT coverage.set_max_gap('1 hour');
SELECT count(*) FILTER (WHERE refresh_needed) AS needing,
       count(*) FILTER (WHERE coverage::text LIKE '%2024-02-01%') AS with_new_point
  FROM coverage.entity_coverage_live;
SELECT status, entities > 0 AS rewrote FROM coverage.refresh();
SELECT pg_temp.differences();

-- A read role needs SELECT on the view only; the grant survives rebuilds.
CREATE ROLE regress_cov_live_reader;
GRANT USAGE ON SCHEMA coverage TO regress_cov_live_reader;
GRANT SELECT ON coverage.entity_coverage_live TO regress_cov_live_reader;
SELECT coverage.add_source('il_a', 'item', 'at', 'a2');
INSERT INTO il_a VALUES (5, '2024-03-01 00:00+00');
SET SESSION AUTHORIZATION regress_cov_live_reader;
SELECT key, a2_points, refresh_needed FROM coverage.entity_coverage_live WHERE key = 5;
SELECT count(*) FROM coverage.entity_coverage;
SELECT count(*) FROM coverage._live_pending;
RESET SESSION AUTHORIZATION;

DROP TABLE il_before;
DROP EXTENSION coverage_ext;
DROP TABLE il_items, il_a, il_b;
REVOKE USAGE ON SCHEMA coverage FROM regress_cov_live_reader;
DROP ROLE regress_cov_live_reader;
