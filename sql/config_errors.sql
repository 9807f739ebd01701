-- Configuration of the coverage view: each function validates what it is
-- given and names the culprit, with the SQLSTATE of the kind of mistake.
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql

-- Runs a statement and shows its SQLSTATE and message instead of failing.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE cfg_markets (id text PRIMARY KEY, event text, title text, state text,
                          num integer);
CREATE TABLE cfg_trades (market text, ts timestamptz, local_ts timestamp, n integer);
CREATE SEQUENCE cfg_seq;

-- Nothing can be added before the entities are known.
SELECT pg_temp.try($$SELECT coverage.add_source('cfg_trades', 'market', 'ts')$$);
SELECT coverage.add_source('cfg_trades', 'market', 'ts');
-- Refresh needs entities and a maximum gap.
SELECT pg_temp.try($$SELECT coverage.refresh()$$);

-- set_entities: the table, then each column.
SELECT pg_temp.try($$SELECT coverage.set_entities('no_such_table', 'id')$$);
SELECT pg_temp.try($$SELECT coverage.set_entities('cfg_seq', 'id')$$);
SELECT pg_temp.try($$SELECT coverage.set_entities(NULL, 'id')$$);
SELECT pg_temp.try($$SELECT coverage.set_entities('cfg_markets', NULL)$$);
SELECT pg_temp.try($$SELECT coverage.set_entities('cfg_markets', 'nope')$$);
SELECT pg_temp.try($$SELECT coverage.set_entities('cfg_markets', 'id', 'nope')$$);
SELECT pg_temp.try($$SELECT coverage.set_entities('cfg_markets', 'id', NULL, '{title,nope}')$$);
SELECT pg_temp.try($$SELECT coverage.set_entities('cfg_markets', 'id', NULL, '{}', 'nope')$$);
SELECT pg_temp.try($$SELECT coverage.set_entities('cfg_markets', 'id', NULL, '{title,title}')$$);
-- A search column may not take the name of a fixed column of the view.
ALTER TABLE cfg_markets ADD COLUMN covered text;
SELECT pg_temp.try($$SELECT coverage.set_entities('cfg_markets', 'id', NULL, '{covered}')$$);
ALTER TABLE cfg_markets DROP COLUMN covered;
-- Nothing was stored by the failed calls.
SELECT count(*) FROM coverage.settings;
SELECT coverage.set_entities('cfg_markets', 'id', 'event', '{title}', 'state');
SELECT entities, key_column, group_column, search_columns, status_column, max_gap
  FROM coverage.settings;
-- Refresh still needs the maximum gap.
SELECT coverage.refresh();

-- add_source: table, columns, key type, time type, label.
SELECT pg_temp.try($$SELECT coverage.add_source('nope', 'market', 'ts')$$);
SELECT pg_temp.try($$SELECT coverage.add_source('cfg_trades', 'nope', 'ts')$$);
SELECT pg_temp.try($$SELECT coverage.add_source('cfg_trades', 'market', 'nope')$$);
SELECT pg_temp.try($$SELECT coverage.add_source('cfg_trades', 'n', 'ts')$$);
SELECT pg_temp.try($$SELECT coverage.add_source('cfg_trades', 'market', 'local_ts')$$);
SELECT pg_temp.try($$SELECT coverage.add_source('cfg_trades', 'market', NULL)$$);
SELECT pg_temp.try($$SELECT coverage.add_source('cfg_trades', 'market', 'ts', '')$$);
SELECT pg_temp.try($$SELECT coverage.add_source('cfg_trades', 'market', 'ts', repeat('x', 57))$$);
-- The full messages, with detail and hint.
SELECT coverage.add_source('cfg_trades', 'n', 'ts');
SELECT coverage.add_source('cfg_trades', 'market', 'local_ts');
-- A view is a source too; labels must be unique.
CREATE VIEW cfg_trades_v AS SELECT market, ts FROM cfg_trades;
SELECT coverage.add_source('cfg_trades', 'market', 'ts');
SELECT coverage.add_source('cfg_trades_v', 'market', 'ts', 'trades');
SELECT pg_temp.try($$SELECT coverage.add_source('cfg_trades_v', 'market', 'ts', 'cfg_trades')$$);
SELECT source, key_column, ts_column, label FROM coverage.sources ORDER BY label;
-- Calling again changes a source: here its label.
SELECT coverage.add_source('cfg_trades_v', 'market', 'ts', 'view');
SELECT source, label FROM coverage.sources ORDER BY label;
-- A search column cannot take the name of a point count either.
ALTER TABLE cfg_markets ADD COLUMN view_points text;
SELECT pg_temp.try($$SELECT coverage.set_entities('cfg_markets', 'id', NULL, '{view_points}')$$);
ALTER TABLE cfg_markets DROP COLUMN view_points;
-- Entities whose key type no longer fits the sources are refused.
SELECT pg_temp.try($$SELECT coverage.set_entities('cfg_markets', 'num')$$);

-- drop_source
SELECT pg_temp.try($$SELECT coverage.drop_source('cfg_markets')$$);
SELECT pg_temp.try($$SELECT coverage.drop_source('nope')$$);
SELECT coverage.drop_source('cfg_trades_v');
SELECT source, label FROM coverage.sources ORDER BY label;

-- set_max_gap: the rules of coverage_agg.
SELECT pg_temp.try($$SELECT coverage.set_max_gap(NULL)$$);
SELECT pg_temp.try($$SELECT coverage.set_max_gap('-1 second')$$);
SELECT pg_temp.try($$SELECT coverage.set_max_gap('1 day -25 hours')$$);
SELECT pg_temp.try($$SELECT coverage.set_max_gap('1 month')$$);
SELECT pg_temp.try($$SELECT coverage.set_max_gap('1 year')$$);
SELECT coverage.set_max_gap('1 day -23 hours');
SELECT coverage.set_max_gap('0');
SELECT coverage.set_max_gap('100000 days');
SELECT max_gap FROM coverage.settings;

-- Tables change after they are configured: refresh checks again.
ALTER TABLE cfg_trades RENAME COLUMN ts TO ts2;
SELECT pg_temp.try($$SELECT coverage.refresh()$$);
ALTER TABLE cfg_trades RENAME COLUMN ts2 TO ts;
SELECT status, entities FROM coverage.refresh();

-- The configuration tables are kept by pg_dump.
SELECT c.relname
  FROM pg_extension x, unnest(x.extconfig) AS t (oid) JOIN pg_class c ON c.oid = t.oid
 WHERE x.extname = 'coverage_ext' ORDER BY 1;

DROP EXTENSION coverage_ext;
DROP VIEW cfg_trades_v;
DROP TABLE cfg_markets, cfg_trades;
DROP SEQUENCE cfg_seq;
