-- ---------------------------------------------------------------------------
-- coverage.entity_coverage: the entities table joined to the stored coverage.
--
-- Its columns follow the configuration (search columns, one "<label>_points"
-- per source), so the configuration functions rebuild it with dynamic SQL in
-- which every identifier is quoted (%I, or regclass text, which quotes).
-- Joining the entities table live means every entity has its row, with or
-- without points, and its group, search and status columns are always
-- current; only the coverage columns wait for a refresh.
--
-- The view stays a member of the extension (DROP EXTENSION takes it along,
-- pg_dump leaves it to CREATE EXTENSION), and grants on it survive a rebuild.
-- Before any configuration it is an empty placeholder with the fixed columns,
-- so that grants can be given at install time.
-- ---------------------------------------------------------------------------

-- The CREATE VIEW statement of coverage.entity_coverage for the current
-- configuration or, with live, of coverage.entity_coverage_live: the same
-- columns plus refresh_needed, with the pending coverage of the captured
-- sources merged in (coverage._live_pending).
CREATE FUNCTION coverage._view_sql(live boolean) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    cfg   coverage.settings := coverage._settings(false);
    name  text := CASE WHEN live THEN 'entity_coverage_live' ELSE 'entity_coverage' END;
    cov   text := CASE WHEN live THEN 'l.coverage' ELSE 's.coverage' END;
    cols  text[];
    parts text[] := '{}';
    joins text := '';
    src   record;
BEGIN
    IF cfg.entities IS NULL THEN
        RETURN format('CREATE VIEW coverage.%I AS SELECT NULL::text AS key, '
            'NULL::text AS group_key, NULL::text AS status, '
            'NULL::coverage.coverage AS coverage, NULL::timestamptz AS first_ts, '
            'NULL::timestamptz AS last_ts, NULL::integer AS num_segments, '
            'NULL::interval AS covered%s WHERE false',
            name, CASE WHEN live THEN ', NULL::boolean AS refresh_needed' ELSE '' END);
    END IF;
    cols := ARRAY[format('e.%I AS key', cfg.key_column),
                  coalesce('e.' || quote_ident(cfg.group_column), 'NULL::text') || ' AS group_key']
         || ARRAY(SELECT format('e.%I', c)
                    FROM unnest(cfg.search_columns) WITH ORDINALITY AS u (c, i) ORDER BY i)
         || (coalesce('e.' || quote_ident(cfg.status_column), 'NULL::text') || ' AS status')
         || (cov || ' AS coverage');
    -- The per-source counts come from the entity's merged row (source_points),
    -- so the view joins one stored row per entity, not one per source.
    joins := format(E'\n  LEFT JOIN coverage.entity_store s ON s.entity_key = e.%I::text',
                    cfg.key_column);
    FOR src IN SELECT row_number() OVER (ORDER BY s.label) AS n, s.*
                 FROM coverage.sources s ORDER BY s.label LOOP
        IF live THEN
            joins := joins || format(E'\n  LEFT JOIN coverage._live_pending q%1$s'
                                     ' ON q%1$s.source = %2$L::regclass'
                                     ' AND q%1$s.entity_key = e.%3$I::text',
                                     src.n, src.source::text, cfg.key_column);
            cols := cols || format('coalesce(s.source_points[%1$s], 0)'
                                   ' + coalesce(coverage.num_points(q%2$s.coverage), 0) AS %3$I',
                                   src.slot, src.n, src.label || '_points');
            parts := parts || format('(q%s.coverage)', src.n);
        ELSE
            cols := cols || format('coalesce(s.source_points[%s], 0) AS %I',
                                   src.slot, src.label || '_points');
        END IF;
    END LOOP;
    IF live THEN
        cols := cols || ARRAY['coverage.first_ts(l.coverage) AS first_ts',
                              'coverage.last_ts(l.coverage) AS last_ts',
                              'coalesce(coverage.num_segments(l.coverage), 0) AS num_segments',
                              'coalesce(coverage.covered(l.coverage), ''0'') AS covered'];
        -- Changes the pending coverage cannot show: the configuration changed,
        -- the entity is new since the last refresh, or rows of it were
        -- updated, deleted or truncated.
        cols := cols || format('(SELECT r.needs_full FROM coverage.refresh_state r)'
                               ' OR NOT EXISTS (SELECT FROM coverage.known_entities k'
                               ' WHERE k.entity_key = e.%1$I::text)'
                               ' OR e.%1$I::text IN'
                               ' (SELECT d.entity_key FROM coverage._live_dirty d)'
                               ' OR EXISTS (SELECT FROM coverage._live_dirty d'
                               ' WHERE d.entity_key IS NULL) AS refresh_needed',
                               cfg.key_column);
        -- The stored merged coverage and each source's pending coverage
        -- (merging is associative).  (rollup skips NULLs, and gives NULL when
        -- all are)
        joins := joins || E'\n  CROSS JOIN LATERAL (SELECT coverage.rollup(v.c) AS coverage'
                       || ' FROM (VALUES ' || array_to_string(ARRAY['(s.coverage)'] || parts, ', ')
                       || ') AS v (c)) AS l';
    ELSE
        cols := cols || ARRAY['s.first_ts', 's.last_ts',
                              'coalesce(s.num_segments, 0) AS num_segments',
                              'coalesce(s.covered, ''0'') AS covered'];
    END IF;
    RETURN format(E'CREATE VIEW coverage.%I AS\nSELECT %s\n  FROM %s e%s',
                  name, array_to_string(cols, E',\n         '), cfg.entities::text, joins);
END
$$;

-- (Re)creates one of the two views from the configuration, keeping its grants.
CREATE FUNCTION coverage._build_view(live boolean) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    stmt   text := coverage._view_sql(live);
    name   text := CASE WHEN live THEN 'entity_coverage_live' ELSE 'entity_coverage' END;
    acl    aclitem[];
    view_owner oid;
    had_view boolean;
    g      record;
BEGIN
    SELECT c.relacl, c.relowner INTO acl, view_owner
      FROM pg_class c WHERE c.oid = to_regclass(format('coverage.%I', name));
    had_view := FOUND;
    IF had_view THEN
        -- A member cannot be dropped; it is released, dropped, recreated and
        -- added back.  Views of users built on it make the DROP fail, loudly.
        EXECUTE format('ALTER EXTENSION coverage_ext DROP VIEW coverage.%I', name);
        EXECUTE format('DROP VIEW coverage.%I', name);
    END IF;
    EXECUTE stmt;
    IF had_view THEN
        -- (At install time the new view joins the extension by itself.)
        EXECUTE format('ALTER EXTENSION coverage_ext ADD VIEW coverage.%I', name);
    END IF;
    FOR g IN SELECT a.grantee, a.privilege_type, a.is_grantable
               FROM aclexplode(acl) a WHERE a.grantee <> view_owner LOOP
        EXECUTE format('GRANT %s ON coverage.%I TO %s%s', g.privilege_type, name,
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                            ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
                       CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    IF live THEN
        COMMENT ON VIEW coverage.entity_coverage_live IS
            'coverage.entity_coverage with the changes captured since the last refresh';
        UPDATE coverage.refresh_state SET live_view_sql = stmt;
    ELSE
        COMMENT ON VIEW coverage.entity_coverage IS
            'coverage of each entity; columns follow the configuration, '
            'contents coverage.refresh()';
        UPDATE coverage.refresh_state SET view_sql = stmt;
    END IF;
END
$$;

-- Both views.
CREATE FUNCTION coverage._build_view() RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
BEGIN ATOMIC
    SELECT coverage._build_view(false);
    SELECT coverage._build_view(true);
END;

-- Rebuilds the view when it does not match the configuration: after a
-- restore, the configuration comes back but the view is the placeholder.
CREATE FUNCTION coverage._sync_view() RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
BEGIN
    IF coverage._view_sql(false) IS DISTINCT FROM (SELECT r.view_sql FROM coverage.refresh_state r)
    THEN
        PERFORM coverage._build_view(false);
    END IF;
    IF coverage._view_sql(true)
       IS DISTINCT FROM (SELECT r.live_view_sql FROM coverage.refresh_state r) THEN
        PERFORM coverage._build_view(true);
    END IF;
END
$$;

-- The pending points per captured source and entity, folded with the
-- maximum gap, while the stored coverage fits the configuration.
CREATE VIEW coverage._live_pending AS
SELECT c.source, u.k AS entity_key,
       coverage.coverage_agg(u.t, s.max_gap) FILTER (WHERE isfinite(u.t)) AS coverage
  FROM coverage.pending p
  JOIN coverage.captured c ON p.relid = ANY (c.members)
 CROSS JOIN coverage._pending_points(p.batch) AS u (k, t)
 CROSS JOIN coverage.settings s
 WHERE s.max_gap IS NOT NULL
   AND NOT (SELECT r.needs_full FROM coverage.refresh_state r)
 GROUP BY c.source, u.k;

-- The entities of captured sources marked for recomputation (NULL: all).
CREATE VIEW coverage._live_dirty AS
SELECT d.entity_key
  FROM coverage.dirty d
  JOIN coverage.captured c ON d.relid = ANY (c.members);

SELECT coverage._build_view();
