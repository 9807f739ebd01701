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

-- The CREATE VIEW statement for the current configuration.
CREATE FUNCTION coverage._view_sql() RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    cfg   coverage.settings := coverage._settings(false);
    cols  text[];
    joins text := '';
    src   record;
BEGIN
    IF cfg.entities IS NULL THEN
        RETURN 'CREATE VIEW coverage.entity_coverage AS SELECT NULL::text AS key, '
            'NULL::text AS group_key, NULL::text AS status, '
            'NULL::coverage.coverage AS coverage, NULL::timestamptz AS first_ts, '
            'NULL::timestamptz AS last_ts, NULL::integer AS num_segments, '
            'NULL::interval AS covered WHERE false';
    END IF;
    cols := ARRAY[format('e.%I AS key', cfg.key_column),
                  coalesce('e.' || quote_ident(cfg.group_column), 'NULL::text') || ' AS group_key']
         || ARRAY(SELECT format('e.%I', c)
                    FROM unnest(cfg.search_columns) WITH ORDINALITY AS u (c, i) ORDER BY i)
         || (coalesce('e.' || quote_ident(cfg.status_column), 'NULL::text') || ' AS status')
         || 's.coverage'::text;
    FOR src IN SELECT row_number() OVER (ORDER BY s.label) AS n, s.*
                 FROM coverage.sources s ORDER BY s.label LOOP
        cols := cols || format('coalesce(p%s.points, 0) AS %I', src.n, src.label || '_points');
        joins := joins || format(E'\n  LEFT JOIN coverage.source_store p%1$s'
                                 ' ON p%1$s.source = %2$L::regclass'
                                 ' AND p%1$s.entity_key = e.%3$I::text',
                                 src.n, src.source::text, cfg.key_column);
    END LOOP;
    cols := cols || ARRAY['s.first_ts', 's.last_ts',
                          'coalesce(s.num_segments, 0) AS num_segments',
                          'coalesce(s.covered, ''0'') AS covered'];
    RETURN format(E'CREATE VIEW coverage.entity_coverage AS\nSELECT %s\n  FROM %s e\n'
                  '  LEFT JOIN coverage.entity_store s ON s.entity_key = e.%I::text%s',
                  array_to_string(cols, E',\n         '), cfg.entities::text,
                  cfg.key_column, joins);
END
$$;

-- (Re)creates the view from the configuration, keeping its grants.
CREATE FUNCTION coverage._build_view() RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    stmt   text := coverage._view_sql();
    acl    aclitem[];
    view_owner oid;
    had_view boolean;
    g      record;
BEGIN
    SELECT c.relacl, c.relowner INTO acl, view_owner
      FROM pg_class c WHERE c.oid = to_regclass('coverage.entity_coverage');
    had_view := FOUND;
    IF had_view THEN
        -- A member cannot be dropped; it is released, dropped, recreated and
        -- added back.  Views of users built on it make the DROP fail, loudly.
        ALTER EXTENSION coverage_ext DROP VIEW coverage.entity_coverage;
        DROP VIEW coverage.entity_coverage;
    END IF;
    EXECUTE stmt;
    IF had_view THEN
        -- (At install time the new view joins the extension by itself.)
        ALTER EXTENSION coverage_ext ADD VIEW coverage.entity_coverage;
    END IF;
    FOR g IN SELECT a.grantee, a.privilege_type, a.is_grantable
               FROM aclexplode(acl) a WHERE a.grantee <> view_owner LOOP
        EXECUTE format('GRANT %s ON coverage.entity_coverage TO %s%s', g.privilege_type,
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                            ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
                       CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    COMMENT ON VIEW coverage.entity_coverage IS
        'coverage of each entity; columns follow the configuration, contents coverage.refresh()';
    UPDATE coverage.refresh_state SET view_sql = stmt;
END
$$;

-- Rebuilds the view when it does not match the configuration: after a
-- restore, the configuration comes back but the view is the placeholder.
CREATE FUNCTION coverage._sync_view() RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
BEGIN
    IF coverage._view_sql() IS DISTINCT FROM (SELECT r.view_sql FROM coverage.refresh_state r)
    THEN
        PERFORM coverage._build_view();
    END IF;
END
$$;

SELECT coverage._build_view();
