-- ---------------------------------------------------------------------------
-- coverage.stats: one page of the coverage view as the JSON of DESIGN.md.
--
-- One query: the matching entities (filters on the entities table) are read
-- once; their distinct groups are numbered with dense_rank; the summary sums
-- the stored accessor values and per-source counts of coverage.entity_store
-- over all of them; only the entities of the groups whose number falls on the
-- page get their JSON built, segments and point counts included.  Both read
-- one stored row per entity, the per-source counts included.
--
-- It runs as the extension owner (SECURITY DEFINER, search_path pinned) so a
-- read role needs EXECUTE on it only, not SELECT on the entities table.
-- ---------------------------------------------------------------------------

-- The matching entities of the configuration, as a query with the columns
-- kv (key), k (key as text), gv (group), g (group as text), status (as text)
-- and s_1 .. s_n (the search columns); filtered by $1 search, $2 status and
-- $3 group_key.
CREATE FUNCTION coverage._stats_entities_sql(cfg coverage.settings) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    -- (quote_ident of NULL is NULL, where format('%I') would raise)
    grp    text := coalesce('e.' || quote_ident(cfg.group_column), 'NULL::text');
    st     text := coalesce('e.' || quote_ident(cfg.status_column) || '::text', 'NULL::text');
    cols   text := '';
    search text;
BEGIN
    IF cfg.entities IS NULL THEN
        RETURN 'SELECT NULL::text AS kv, NULL::text AS k, NULL::text AS gv, NULL::text AS g, '
               'NULL::text AS status WHERE false';
    END IF;
    search := format('strpos(lower(e.%I::text), lower($1)) > 0', cfg.key_column);
    FOR i IN 1 .. cardinality(cfg.search_columns) LOOP
        cols := cols || format(', e.%I AS s_%s', cfg.search_columns[i], i);
        -- strpos, not LIKE: the search is literal, % and _ are plain characters.
        search := search || format(' OR strpos(lower(e.%I::text), lower($1)) > 0',
                                   cfg.search_columns[i]);
    END LOOP;
    RETURN format('SELECT e.%1$I AS kv, e.%1$I::text AS k, %2$s AS gv, %2$s::text AS g, '
                  '%3$s AS status%4$s FROM %5$s e '
                  'WHERE ($1 IS NULL OR %6$s) AND ($2 IS NULL OR %3$s = $2) '
                  'AND ($3 IS NULL OR %2$s::text = $3)',
                  cfg.key_column, grp, st, cols, cfg.entities::text, search);
END
$$;

-- The "search" object of an entity on the page: {"column": value, ...}.
CREATE FUNCTION coverage._stats_search_json(cfg coverage.settings) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
RETURN coalesce((SELECT 'jsonb_build_object(' || string_agg(format('%L, p.s_%s', c, i), ', '
                                                              ORDER BY i) || ')'
                   FROM unnest(cfg.search_columns) WITH ORDINALITY AS u (c, i)),
                '''{}''::jsonb');

-- A jsonb expression {"<label>": count, ...} over the sources, each count
-- being count_fmt with %s the source's slot in entity_store.source_points.
-- (jsonb_build_object takes at most 50 pairs, hence chunks.)
CREATE FUNCTION coverage._stats_points_sql(count_fmt text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
RETURN coalesce((SELECT string_agg(c.obj, ' || ' ORDER BY c.chunk)
                   FROM (SELECT s.n / 50 AS chunk,
                                'jsonb_build_object('
                                || string_agg(format('%L, ', s.label)
                                              || format(count_fmt, s.slot),
                                              ', ' ORDER BY s.n) || ')' AS obj
                           FROM (SELECT so.label, so.slot,
                                        row_number() OVER (ORDER BY so.label) - 1 AS n
                                   FROM coverage.sources so) s
                          GROUP BY s.n / 50) c),
                '''{}''::jsonb');

CREATE FUNCTION coverage.stats(search text DEFAULT NULL, status text DEFAULT NULL,
                               group_key text DEFAULT NULL, page integer DEFAULT 1,
                               page_size integer DEFAULT 20)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, coverage, pg_temp
-- The per-entity subqueries inflate the cost estimate past jit_above_cost, and
-- compiling would take longer (~50 ms) than the whole query on 10,000 entities.
SET jit = off
AS $$
DECLARE
    cfg    coverage.settings := coverage._settings(false);
    result jsonb;
BEGIN
    IF page IS NULL OR page < 1 THEN
        RAISE EXCEPTION 'page must be at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF page_size IS NULL OR page_size NOT BETWEEN 1 AND 500 THEN
        RAISE EXCEPTION 'page_size must be between 1 and 500'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format($q$
        WITH x AS MATERIALIZED (
            %1$s
        ), grp AS (
            -- Numbering the distinct groups, not the entities, sorts far fewer rows.
            SELECT d.gv, dense_rank() OVER (ORDER BY d.gv NULLS LAST) AS gno
              FROM (SELECT DISTINCT x.gv FROM x) d
        ), summary AS (
            SELECT jsonb_build_object(
                       'entities', count(*),
                       'entities_with_data', count(es.entity_key),
                       'groups', (SELECT count(*) FROM grp),
                       'segments', coalesce(sum(es.num_segments), 0),
                       'points', %3$s,
                       'first_ts', min(es.first_ts),
                       'last_ts', max(es.last_ts),
                       'refreshed_at', (SELECT r.refreshed_at FROM coverage.refresh_state r))
                       AS obj,
                   (SELECT count(*) FROM grp) AS total_groups
              FROM x LEFT JOIN coverage.entity_store es ON es.entity_key = x.k
        ), page_rows AS (
            -- The entities of the groups on the page: a hash join for the groups
            -- with a key, and the group without one (always numbered last) apart.
            SELECT g.gno, p.* FROM grp g JOIN x p ON p.gv = g.gv
             WHERE g.gno > ($4 - 1)::bigint * $5 AND g.gno <= $4::bigint * $5
            UNION ALL
            SELECT g.gno, p.* FROM grp g JOIN x p ON p.gv IS NULL
             WHERE g.gv IS NULL AND g.gno > ($4 - 1)::bigint * $5 AND g.gno <= $4::bigint * $5
        ), on_page AS (
            SELECT p.gno, (array_agg(p.gv))[1] AS gv, min(p.g) AS g, count(*) AS n,
                   jsonb_agg(jsonb_build_object(
                       'key', p.kv,
                       'status', p.status,
                       'search', %2$s,
                       'first_ts', es.first_ts,
                       'last_ts', es.last_ts,
                       'num_segments', coalesce(es.num_segments, 0),
                       'covered_seconds', coalesce(trim_scale(extract(epoch FROM es.covered)), 0),
                       'points', %4$s,
                       'segments', coalesce(coverage.to_jsonb(es.coverage), '[]'))
                       ORDER BY p.kv) AS entities
              FROM page_rows p
              LEFT JOIN coverage.entity_store es ON es.entity_key = p.k
             GROUP BY p.gno
        )
        SELECT jsonb_build_object(
                   'summary', s.obj,
                   'groups', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                          'group_key', o.gv,
                                          'label', coalesce(o.g, 'Ungrouped'),
                                          'entity_count', o.n,
                                          'entities', o.entities) ORDER BY o.gno), '[]')
                                FROM on_page o),
                   'page', $4,
                   'page_size', $5,
                   'total_groups', s.total_groups,
                   'total_pages', (s.total_groups + $5 - 1) / $5)
          FROM summary s
        $q$, coverage._stats_entities_sql(cfg), coverage._stats_search_json(cfg),
        coverage._stats_points_sql('coalesce(sum(es.source_points[%s]), 0)'),
        coverage._stats_points_sql('coalesce(es.source_points[%s], 0)'))
        INTO result
        USING search, status, group_key, page, page_size;
    RETURN result;
END
$$;
COMMENT ON FUNCTION coverage.stats(text, text, text, integer, integer) IS
    'one page of coverage.entity_coverage as JSON, with a summary of all matching entities';
