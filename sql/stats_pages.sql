-- coverage.stats(): pagination counts groups, a group never splits across
-- pages, Ungrouped comes last, and page bounds are checked.
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql

-- Integer keys and groups: JSON keeps their type, groups sort as numbers.
-- Group g has g entities (1 + 2 + ... + 5 = 15), plus 3 without a group.
CREATE TABLE sp_items (id integer PRIMARY KEY, grp integer);
INSERT INTO sp_items SELECT g * 10 + i, g FROM generate_series(1, 5) g, generate_series(1, g) i;
INSERT INTO sp_items VALUES (1, NULL), (2, NULL), (3, NULL);
-- A group numbered 10 sorts after 5 (as a number, not as text).
UPDATE sp_items SET grp = 10 WHERE grp = 1;
CREATE TABLE sp_points (item integer, ts timestamptz);
INSERT INTO sp_points SELECT id, '2024-01-01'::timestamptz + i * interval '1 minute'
  FROM sp_items, generate_series(1, 3) i;
SELECT coverage.set_entities('sp_items', 'id', 'grp');
SELECT coverage.add_source('sp_points', 'item', 'ts', 'p');
SELECT coverage.set_max_gap('1 minute');
SELECT status, entities FROM coverage.refresh();

-- groups of a page with their entity keys, and the page fields.
CREATE FUNCTION pg_temp.page(j jsonb) RETURNS TABLE (groups text, page jsonb)
LANGUAGE sql AS $$
    SELECT string_agg(g ->> 'label' || '(' || (g ->> 'entity_count') || '):'
                      || (SELECT string_agg(e ->> 'key', ',')
                            FROM jsonb_array_elements(g -> 'entities') e),
                      ' ' ORDER BY n),
           j - '{summary,groups}'::text[]
      FROM jsonb_array_elements(j -> 'groups') WITH ORDINALITY AS x (g, n)
$$;

SELECT * FROM pg_temp.page(coverage.stats());
SELECT * FROM pg_temp.page(coverage.stats(page_size => 2));
SELECT * FROM pg_temp.page(coverage.stats(page => 2, page_size => 2));
SELECT * FROM pg_temp.page(coverage.stats(page => 3, page_size => 2));  -- last page
SELECT * FROM pg_temp.page(coverage.stats(page => 4, page_size => 2));  -- past the end
SELECT * FROM pg_temp.page(coverage.stats(page => 1, page_size => 1));
SELECT * FROM pg_temp.page(coverage.stats(page => 6, page_size => 1));  -- Ungrouped alone
SELECT * FROM pg_temp.page(coverage.stats(page => 1, page_size => 500));
SELECT * FROM pg_temp.page(coverage.stats(page => 2147483647, page_size => 500));
-- JSON types of keys and group keys follow the columns.
SELECT jsonb_typeof(g -> 'group_key') AS group_key, jsonb_typeof(g #> '{entities,0,key}') AS key
  FROM jsonb_array_elements(coverage.stats(page_size => 1) -> 'groups') g;
-- The summary covers every matching entity, not only the page.
SELECT (coverage.stats(page => 2, page_size => 1) -> 'summary') - 'refreshed_at'::text;

-- Bounds: page from 1, page_size from 1 to 500.
SELECT coverage.stats(page => 0);
SELECT coverage.stats(page => -1);
SELECT coverage.stats(page => NULL);
SELECT coverage.stats(page_size => 0);
SELECT coverage.stats(page_size => 501);
SELECT coverage.stats(page_size => NULL);
SELECT coverage.stats(page => 0, page_size => 0);
\set VERBOSITY sqlstate
SELECT coverage.stats(page => 0);
SELECT coverage.stats(page_size => 501);
\set VERBOSITY default

DROP EXTENSION coverage_ext;
DROP TABLE sp_items, sp_points;
