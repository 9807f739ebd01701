-- coverage.stats(): the JSON shape, every filter, literal search, Ungrouped.
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql

-- Before any configuration: the empty shape.
SELECT jsonb_pretty(coverage.stats());

CREATE TABLE sf_markets (id text PRIMARY KEY, event text, title text, note text, state text);
INSERT INTO sf_markets VALUES
    ('MKT-A', 'EVT-1', 'Rate 100% sure', NULL, 'open'),
    ('MKT-B', 'EVT-1', 'Beta_x', 'back\slash', 'closed'),
    ('MKT-C', NULL, 'Gamma', NULL, 'open'),
    ('MKT-D', 'EVT-2', 'Delta', 'mostly EMPTY', 'open'),
    ('mkt-e', NULL, 'Epsilon', NULL, NULL);
CREATE TABLE sf_trades (market text, ts timestamptz);
CREATE TABLE sf_quotes (market text, ts timestamptz);
INSERT INTO sf_trades VALUES
    ('MKT-A', '2024-01-01 00:00+00'), ('MKT-A', '2024-01-01 00:30:00.5+00'),
    ('MKT-A', '2024-01-01 05:00+00'), ('MKT-B', '2024-01-02 00:00+00');
INSERT INTO sf_quotes VALUES ('MKT-A', '2024-01-01 01:00+00'), ('MKT-C', '2024-01-03 00:00+00');
SELECT coverage.set_entities('sf_markets', 'id', 'event', '{title,note}', 'state');
SELECT coverage.add_source('sf_trades', 'market', 'ts', 'trades');
SELECT coverage.add_source('sf_quotes', 'market', 'ts', 'quotes');
SELECT coverage.set_max_gap('1 hour');

-- Configured but never refreshed: every entity, no data yet.
SELECT jsonb_pretty(coverage.stats() -> 'summary');

SELECT status, entities FROM coverage.refresh();
-- The whole document; groups by key, Ungrouped (group_key null) last.
SELECT jsonb_pretty(coverage.stats() #- '{summary,refreshed_at}');
SELECT (coverage.stats() #>> '{summary,refreshed_at}')::timestamptz
       = (SELECT refreshed_at FROM coverage.refresh_state) AS refreshed_at_matches;

-- A short form for the filters below: groups and their entity keys, summary.
CREATE FUNCTION pg_temp.brief(j jsonb) RETURNS TABLE (groups text, summary jsonb)
LANGUAGE sql AS $$
    SELECT string_agg(g ->> 'label' || ':' || (SELECT string_agg(e ->> 'key', ',')
                                                 FROM jsonb_array_elements(g -> 'entities') e),
                      ' ' ORDER BY n),
           (j -> 'summary') - 'refreshed_at'::text
      FROM jsonb_array_elements(j -> 'groups') WITH ORDINALITY AS x (g, n)
$$;

-- search: case-insensitive substring of the key or a search column.
SELECT * FROM pg_temp.brief(coverage.stats(search => 'mkt-a'));
SELECT * FROM pg_temp.brief(coverage.stats(search => 'MKT'));
SELECT * FROM pg_temp.brief(coverage.stats(search => 'gAmMa'));
SELECT * FROM pg_temp.brief(coverage.stats(search => 'empty'));   -- second search column
SELECT * FROM pg_temp.brief(coverage.stats(search => ''));        -- everything
SELECT * FROM pg_temp.brief(coverage.stats(search => 'nothing like it'));
-- LIKE characters are plain characters.
SELECT * FROM pg_temp.brief(coverage.stats(search => '%'));
SELECT * FROM pg_temp.brief(coverage.stats(search => '_'));
SELECT * FROM pg_temp.brief(coverage.stats(search => 'a_x'));
SELECT * FROM pg_temp.brief(coverage.stats(search => 'k\s'));
SELECT * FROM pg_temp.brief(coverage.stats(search => 'mkt-%'));

-- status and group_key: exact matches, combinable.
SELECT * FROM pg_temp.brief(coverage.stats(status => 'open'));
SELECT * FROM pg_temp.brief(coverage.stats(status => 'OPEN'));
SELECT * FROM pg_temp.brief(coverage.stats(group_key => 'EVT-1'));
SELECT * FROM pg_temp.brief(coverage.stats(group_key => 'EVT'));
SELECT * FROM pg_temp.brief(coverage.stats(search => 'a', status => 'open', group_key => 'EVT-1'));

-- Without a group column everything is Ungrouped; without a status column
-- every status is null (and a status filter matches nothing).
SELECT coverage.set_entities('sf_markets', 'id');
SELECT jsonb_pretty(coverage.stats(search => 'MKT-C') #- '{summary,refreshed_at}');
SELECT * FROM pg_temp.brief(coverage.stats(status => 'open'));

DROP EXTENSION coverage_ext;
DROP TABLE sf_markets, sf_trades, sf_quotes;
