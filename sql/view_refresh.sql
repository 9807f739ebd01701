-- coverage.entity_coverage before and after refreshes: one row per entity,
-- rows rewritten only where coverage changed, errors leave the old contents.
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql

CREATE TABLE vr_markets (id text PRIMARY KEY, event text, title text, state text);
INSERT INTO vr_markets VALUES ('A', 'E1', 'Alpha', 'open'), ('B', 'E1', 'Beta', 'closed'),
                              ('C', NULL, 'Gamma', 'open'), ('D', 'E2', 'Delta', 'open');
CREATE TABLE vr_trades (market text, ts timestamptz);
CREATE TABLE vr_quotes (mkt text, at timestamptz, d integer DEFAULT 1);
-- A view is a source too; this one can be made to fail (division by zero).
CREATE VIEW vr_quotes_v AS SELECT mkt, at + (1 / d) * interval '0' AS at FROM vr_quotes;
INSERT INTO vr_trades VALUES
    ('A', '2024-01-01 00:00+00'), ('A', '2024-01-01 00:30+00'), ('A', '2024-01-01 05:00+00'),
    ('B', '2024-01-02 00:00+00'),
    ('ZZZ', '2024-01-01 00:00+00'),     -- not an entity: left out
    (NULL, '2024-01-01 00:00+00'),      -- no key: left out
    ('A', NULL),                        -- no time: ignored
    ('D', 'infinity'), ('D', '-infinity');  -- no points in time: skipped
INSERT INTO vr_quotes (mkt, at) VALUES ('A', '2024-01-01 01:00+00'), ('C', '2024-01-03 00:00+00');

SELECT coverage.set_entities('vr_markets', 'id', 'event', '{title}', 'state');
SELECT coverage.add_source('vr_trades', 'market', 'ts', 'trades');
SELECT coverage.add_source('vr_quotes_v', 'mkt', 'at', 'quotes');
SELECT coverage.set_max_gap('1 hour');
\d coverage.entity_coverage

-- Before the first refresh every entity is there, without coverage.
SELECT * FROM coverage.entity_coverage ORDER BY key;
SELECT refreshed_at FROM coverage.refresh_state;

-- The first refresh writes the three entities that have points.
SELECT status, entities, started_at <= clock_timestamp() AS started,
       duration >= '0' AS timed
  FROM coverage.refresh();
SELECT key, group_key, title, status, coverage, quotes_points, trades_points,
       first_ts, last_ts, num_segments, covered
  FROM coverage.entity_coverage ORDER BY key;
SELECT refreshed_at IS NOT NULL AS refreshed FROM coverage.refresh_state;
DELETE FROM vr_trades WHERE NOT isfinite(ts);  -- no more warnings from here on
-- The coverage merges all sources; each source is stored on its own too.
SELECT entity_key, points, coverage FROM coverage._source_coverage
 ORDER BY source::text, entity_key;

-- Nothing changed: nothing is rewritten (full or not).
SELECT status, entities FROM coverage.refresh();
SELECT status, entities FROM coverage.refresh(full => true);
SELECT status, entities FROM coverage.refresh(wait => true);

-- New points for one entity rewrite that entity's row only.
INSERT INTO vr_trades VALUES ('B', '2024-01-02 00:45+00');
SELECT status, entities FROM coverage.refresh();
SELECT key, trades_points, num_segments, covered FROM coverage.entity_coverage WHERE key = 'B';

-- Entities follow the entities table at once; their coverage after a refresh.
INSERT INTO vr_markets VALUES ('E', 'E2', 'Epsilon', 'open');
INSERT INTO vr_trades VALUES ('E', '2024-01-05 00:00+00');
DELETE FROM vr_markets WHERE id = 'C';
SELECT key, group_key, coverage IS NOT NULL AS has_coverage
  FROM coverage.entity_coverage ORDER BY key;
SELECT status, entities FROM coverage.refresh();  -- E written, C removed
SELECT entity_key FROM coverage.entity_store ORDER BY 1;

-- An entity whose points all go away loses its coverage.
DELETE FROM vr_trades WHERE market = 'B';
SELECT status, entities FROM coverage.refresh();
SELECT key, coverage, trades_points, first_ts, num_segments, covered
  FROM coverage.entity_coverage WHERE key = 'B';

-- Another maximum gap recomputes every entity with points.
SELECT coverage.set_max_gap('10 hours');
SELECT status, entities FROM coverage.refresh();
SELECT key, coverage FROM coverage.entity_coverage ORDER BY key;

-- An error in the middle of a refresh (here a source that divides by zero)
-- rolls it back: the previous contents stay, and the lock is released.
INSERT INTO vr_trades VALUES ('A', '2024-02-01 00:00+00');
INSERT INTO vr_quotes VALUES ('A', '2024-02-01 00:00+00', 0);
SELECT coverage.refresh();
SELECT key, trades_points, coverage FROM coverage.entity_coverage WHERE key = 'A';
SELECT count(*) AS advisory_locks FROM pg_locks WHERE locktype = 'advisory';
DELETE FROM vr_quotes WHERE d = 0;
SELECT status, entities FROM coverage.refresh();
SELECT key, trades_points, coverage FROM coverage.entity_coverage WHERE key = 'A';

-- Dropping a source takes its points out of the coverage at once.
SELECT coverage.drop_source('vr_quotes_v');
SELECT key, coverage, trades_points FROM coverage.entity_coverage ORDER BY key;
SELECT count(*) FROM coverage._source_coverage;
-- Its counts too (stats() and the view read them from the per-entity rows).
SELECT entity_key, source_points FROM coverage.entity_store ORDER BY 1;
SELECT coverage.stats() -> 'summary' -> 'points' AS points;

-- Added again, it takes the free slot; an entity without points in the first
-- source has a NULL there.  A full refresh finds the same counts.
SELECT coverage.add_source('vr_quotes_v', 'mkt', 'at', 'quotes');
SELECT label, slot FROM coverage.sources ORDER BY slot;
SELECT status, entities FROM coverage.refresh();
SELECT entity_key, source_points FROM coverage.entity_store ORDER BY 1;
SELECT status, entities FROM coverage.refresh(full => true);
SELECT key, quotes_points, trades_points FROM coverage.entity_coverage ORDER BY key;
SELECT coverage.stats() -> 'summary' -> 'points' AS points;
-- Dropping the first source leaves its slot empty in every row.
SELECT coverage.drop_source('vr_trades');
SELECT entity_key, source_points FROM coverage.entity_store ORDER BY 1;
SELECT coverage.add_source('vr_trades', 'market', 'ts', 'trades');
SELECT label, slot FROM coverage.sources ORDER BY slot;

-- Refresh returns one row, also as a composite.
SELECT (coverage.refresh()).status;

-- Read through another column, a source's stored coverage is forgotten at once
-- (its slot emptied, the merged coverage rebuilt) and recomputed by the next refresh.
SELECT status, entities FROM coverage.refresh();
ALTER TABLE vr_trades ADD COLUMN ts2 timestamptz;
UPDATE vr_trades SET ts2 = ts + interval '1 day';
SELECT coverage.add_source('vr_trades', 'market', 'ts2', 'trades');
SELECT entity_key, source_points, num_points FROM coverage.entity_store ORDER BY 1;
SELECT status, entities FROM coverage.refresh();
SELECT entity_key, source_points, first_ts FROM coverage.entity_store ORDER BY 1;

-- The view and its storage go with the extension.
DROP EXTENSION coverage_ext;
SELECT to_regclass('coverage.entity_coverage');
DROP VIEW vr_quotes_v;
DROP TABLE vr_markets, vr_trades, vr_quotes;
