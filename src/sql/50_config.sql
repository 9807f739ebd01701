-- ---------------------------------------------------------------------------
-- Configuration of the coverage view: which table lists the entities, which
-- tables are sources of points, and the maximum gap.
--
-- The two tables below hold only what a user chose, so pg_dump keeps them
-- (pg_extension_config_dump).  Relations are stored as regclass: renames
-- follow, a dump restores them by name, and pg_upgrade accepts the type.
-- Nothing is inserted here at install time, so a restore (which runs this
-- script first and then loads the dumped rows) never meets a duplicate key.
-- ---------------------------------------------------------------------------

CREATE TABLE coverage.settings (
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    entities       regclass,
    key_column     name,
    group_column   name,
    search_columns name[] NOT NULL DEFAULT '{}',
    status_column  name,
    max_gap        interval
);
COMMENT ON TABLE coverage.settings IS
    'coverage view configuration (one row); change it with the coverage.set_* functions';

CREATE TABLE coverage.sources (
    source     regclass PRIMARY KEY,
    key_column name NOT NULL,
    ts_column  name NOT NULL,
    label      text NOT NULL UNIQUE,
    -- The source's element in coverage.entity_store.source_points, kept for
    -- its lifetime (the lowest free one when added).
    slot       integer NOT NULL UNIQUE CHECK (slot > 0)
);
COMMENT ON TABLE coverage.sources IS
    'tables whose rows are points of the entities; change with coverage.add_source/drop_source';

SELECT pg_catalog.pg_extension_config_dump('coverage.settings', '');
SELECT pg_catalog.pg_extension_config_dump('coverage.sources', '');

-- Every configuration function and coverage.refresh take this transaction-scoped
-- advisory lock, so configuration never changes under a running refresh.  The
-- key is the ASCII of "coverage" read as a bigint; it is part of the documented
-- surface (docs/view.md) so that operators can see it in pg_locks.
CREATE FUNCTION coverage._lock_key() RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
RETURN 7165075710252509029;  -- x'636f766572616765' = 'coverage'

-- The columns the views always have; search columns and labels must not collide.
CREATE FUNCTION coverage._reserved_columns() RETURNS name[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
RETURN ARRAY['key', 'group_key', 'status', 'coverage',
             'first_ts', 'last_ts', 'num_segments', 'covered', 'refresh_needed']::name[];

-- A relation that can be read as a set of rows: table, partitioned table,
-- view, materialized view or foreign table.
CREATE FUNCTION coverage._check_relation(rel regclass, what text) RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    kind "char";
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION '% must not be null', what USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = rel;
    IF NOT FOUND THEN
        -- A configured relation that was dropped since leaves a bare OID behind.
        RAISE EXCEPTION '% with OID % does not exist', what, rel::oid
            USING ERRCODE = 'undefined_table',
                  HINT = 'Configure the coverage view again.';
    END IF;
    IF kind NOT IN ('r', 'p', 'v', 'm', 'f') THEN
        RAISE EXCEPTION '"%" is not a table or view', rel::text
            USING ERRCODE = 'wrong_object_type';
    END IF;
END
$$;

-- The type of a column, after checking that it exists and, when configuring
-- (as_user), that the session user may read it: configuring runs as
-- the extension owner, and must not let an admin expose a table it cannot read
-- itself.  session_user, because current_user is the owner inside SECURITY
-- DEFINER.  Refresh does not check: whoever configured a source allowed it.
CREATE FUNCTION coverage._column_type(rel regclass, col name, what text,
                                      as_user boolean) RETURNS regtype
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    typ regtype;
BEGIN
    IF col IS NULL THEN
        RAISE EXCEPTION '% must not be null', what USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT a.atttypid INTO typ
      FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of relation "%" does not exist', col, rel::text
            USING ERRCODE = 'undefined_column';
    END IF;
    IF as_user AND NOT has_column_privilege(session_user, rel, col, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied for column "%" of relation "%"', col, rel::text
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN typ;
END
$$;

-- Checks a source against the entities table; used when a source is added,
-- when the entities change, and again by refresh (tables change after setup).
CREATE FUNCTION coverage._check_source(src regclass, key_col name, ts_col name,
                                       as_user boolean)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    cfg      coverage.settings;
    src_key  regtype;
    ent_key  regtype;
    ts_type  regtype;
BEGIN
    cfg := coverage._settings(true);
    PERFORM coverage._check_relation(src, 'source');
    src_key := coverage._column_type(src, key_col, 'key column', as_user);
    ts_type := coverage._column_type(src, ts_col, 'time column', as_user);
    ent_key := coverage._column_type(cfg.entities, cfg.key_column, 'entity key column',
                                     as_user);
    IF src_key <> ent_key THEN
        RAISE EXCEPTION 'key column "%" of relation "%" is of type % '
                        'but the entity key is of type %',
                        key_col, src::text, src_key, ent_key
            USING ERRCODE = 'datatype_mismatch',
                  DETAIL = format('The entity key is column "%s" of relation "%s".',
                                  cfg.key_column, cfg.entities::text);
    END IF;
    IF ts_type <> 'timestamptz'::regtype THEN
        RAISE EXCEPTION 'time column "%" of relation "%" is of type % '
                        'but must be timestamp with time zone',
                        ts_col, src::text, ts_type
            USING ERRCODE = 'datatype_mismatch',
                  HINT = 'Add the source through a view that converts the column.';
    END IF;
END
$$;

-- Checks every configured source, in label order.
CREATE FUNCTION coverage._check_sources(as_user boolean) RETURNS void
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
BEGIN ATOMIC
    SELECT count(coverage._check_source(s.source, s.key_column, s.ts_column, as_user))
      FROM (SELECT * FROM coverage.sources ORDER BY label) AS s;
END;

-- Checks the entities configuration: relation, columns, and that no search
-- column takes the name of a fixed column or of a point count of the view.
CREATE FUNCTION coverage._check_entities(cfg coverage.settings, as_user boolean)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    col name;
BEGIN
    PERFORM coverage._check_relation(cfg.entities, 'entities table');
    PERFORM coverage._column_type(cfg.entities, cfg.key_column, 'key column', as_user);
    IF cfg.group_column IS NOT NULL THEN
        PERFORM coverage._column_type(cfg.entities, cfg.group_column, 'group column', as_user);
    END IF;
    IF cfg.status_column IS NOT NULL THEN
        PERFORM coverage._column_type(cfg.entities, cfg.status_column, 'status column', as_user);
    END IF;
    FOREACH col IN ARRAY cfg.search_columns LOOP
        PERFORM coverage._column_type(cfg.entities, col, 'search column', as_user);
        IF col = ANY (coverage._reserved_columns())
           OR col IN (SELECT (s.label || '_points')::name FROM coverage.sources s) THEN
            RAISE EXCEPTION 'search column "%" has the name of a column of '
                            'coverage.entity_coverage', col
                USING ERRCODE = 'duplicate_column',
                      HINT = 'Search that column through a view of the entities table '
                             'that renames it.';
        END IF;
    END LOOP;
    IF cardinality(cfg.search_columns)
       > (SELECT count(DISTINCT c) FROM unnest(cfg.search_columns) AS c) THEN
        RAISE EXCEPTION 'search columns must not repeat' USING ERRCODE = 'duplicate_column';
    END IF;
END
$$;

-- The configuration row; with must_have_entities, an error when there is none.
CREATE FUNCTION coverage._settings(must_have_entities boolean) RETURNS coverage.settings
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    cfg coverage.settings;
BEGIN
    SELECT * INTO cfg FROM coverage.settings;
    IF must_have_entities AND cfg.entities IS NULL THEN
        RAISE EXCEPTION 'coverage entities are not configured'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Call coverage.set_entities first.';
    END IF;
    RETURN cfg;
END
$$;

-- The configuration functions below run as the extension owner (they rebuild
-- the view, which the owner owns, and write the configuration tables), so each
-- pins search_path.  Each takes the refresh lock, waiting for a running refresh,
-- and rebuilds coverage.entity_coverage, whose columns follow the configuration.

CREATE FUNCTION coverage.set_entities(entities regclass, key_column name,
                                      group_column name DEFAULT NULL,
                                      search_columns name[] DEFAULT '{}',
                                      status_column name DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    cfg coverage.settings;
BEGIN
    PERFORM pg_advisory_xact_lock(coverage._lock_key());
    cfg := coverage._settings(false);
    cfg.singleton := true;
    cfg.entities := entities;
    cfg.key_column := key_column;
    cfg.group_column := group_column;
    cfg.search_columns := coalesce(search_columns, '{}');
    cfg.status_column := status_column;
    PERFORM coverage._check_entities(cfg, true);
    INSERT INTO coverage.settings VALUES (cfg.*)
        ON CONFLICT (singleton) DO UPDATE
        SET entities = excluded.entities, key_column = excluded.key_column,
            group_column = excluded.group_column, search_columns = excluded.search_columns,
            status_column = excluded.status_column;
    -- The sources must still fit the (maybe new) entity key.
    PERFORM coverage._check_sources(true);
    -- Stored coverage belongs to the old entity keys: recompute it all.
    UPDATE coverage.refresh_state SET needs_full = true;
    -- From now on, writes that may change the keys are recorded, so that
    -- incremental refreshes compare the keys only after such writes.
    PERFORM coverage._sync_entities_watch(cfg, true);
    PERFORM coverage._build_view();
END
$$;
COMMENT ON FUNCTION coverage.set_entities(regclass, name, name, name[], name) IS
    'sets the table of entities shown by coverage.entity_coverage';

CREATE FUNCTION coverage.add_source(source regclass, key_column name, ts_column name,
                                    label text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    lbl text;
    src coverage.sources;
BEGIN
    PERFORM pg_advisory_xact_lock(coverage._lock_key());
    PERFORM coverage._check_source(source, key_column, ts_column, true);
    lbl := coalesce(label, (SELECT c.relname FROM pg_class c WHERE c.oid = source));
    -- The label names the view column "<label>_points", which must fit in a name.
    IF lbl = '' OR octet_length(lbl || '_points') > 63 THEN
        RAISE EXCEPTION 'invalid source label "%"', lbl
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A label must be non-empty and at most 56 bytes long.';
    END IF;
    IF EXISTS (SELECT FROM coverage.sources s WHERE s.label = lbl
                                            AND s.source <> add_source.source) THEN
        RAISE EXCEPTION 'source label "%" is already in use', lbl
            USING ERRCODE = 'duplicate_object',
                  HINT = 'Pass a different label to coverage.add_source.';
    END IF;
    IF (lbl || '_points')::name = ANY (coverage._reserved_columns())
       OR (lbl || '_points')::name = ANY ((coverage._settings(true)).search_columns) THEN
        RAISE EXCEPTION 'source label "%" gives a column name already in use', lbl
            USING ERRCODE = 'duplicate_column',
                  HINT = 'Pass a different label to coverage.add_source.';
    END IF;
    -- Points already stored for this source stay valid under a new label, not
    -- when they were read through other columns.
    IF EXISTS (SELECT FROM coverage.sources s
                WHERE s.source = add_source.source
                  AND (s.key_column, s.ts_column) <> (add_source.key_column,
                                                      add_source.ts_column)) THEN
        PERFORM coverage._clear_slot(s.slot) FROM coverage.sources s
          WHERE s.source = add_source.source;
        PERFORM coverage._rebuild_entities(NULL);
    END IF;
    INSERT INTO coverage.sources AS s (source, key_column, ts_column, label, slot)
    VALUES (source, key_column, ts_column, lbl,
            -- (the configuration lock keeps two callers from taking the same)
            (SELECT min(n) FROM generate_series(1, (SELECT count(*) + 1
                                                      FROM coverage.sources)::integer) n
              WHERE NOT EXISTS (SELECT FROM coverage.sources o WHERE o.slot = n)))
        ON CONFLICT ON CONSTRAINT sources_pkey DO UPDATE
        SET key_column = excluded.key_column, ts_column = excluded.ts_column,
            label = excluded.label
        RETURNING * INTO src;
    -- Capture starts now (new triggers wait for the table's writers to
    -- finish); a new source, or one read through other columns, is then
    -- computed fully by the next refresh and incrementally after that.
    IF NOT coverage._sync_capture(src) THEN
        DELETE FROM coverage.captured c WHERE c.source = add_source.source;
    END IF;
    PERFORM coverage._build_view();
END
$$;
COMMENT ON FUNCTION coverage.add_source(regclass, name, name, text) IS
    'adds (or changes) a table whose rows are points of the entities';

CREATE FUNCTION coverage.drop_source(source regclass) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    rels oid[];
    slot integer;
BEGIN
    PERFORM pg_advisory_xact_lock(coverage._lock_key());
    rels := coverage._members(source) || coalesce((SELECT c.members FROM coverage.captured c
                                                    WHERE c.source = drop_source.source), '{}');
    DELETE FROM coverage.sources s WHERE s.source = drop_source.source RETURNING s.slot INTO slot;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'relation "%" is not a coverage source', source::text
            USING ERRCODE = 'undefined_object';
    END IF;
    -- Capture stops with it, and what it captured is dropped.  Its stored
    -- coverage goes with it; the merged coverage of the entities is rebuilt
    -- from the other sources' stored values at once.
    PERFORM coverage._clear_slot(slot);
    PERFORM coverage._drop_capture(rels);
    DELETE FROM coverage.pending p WHERE p.relid = ANY (rels);
    DELETE FROM coverage.dirty d WHERE d.relid = ANY (rels);
    PERFORM coverage._rebuild_entities(NULL);
    PERFORM coverage._build_view();
END
$$;
COMMENT ON FUNCTION coverage.drop_source(regclass) IS 'removes a source of the coverage view';

CREATE FUNCTION coverage.set_max_gap(max_gap interval) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, coverage, pg_temp
AS $$
BEGIN
    -- The same rules as coverage_agg, checked now rather than at the next refresh.
    IF max_gap IS NULL THEN
        RAISE EXCEPTION 'maximum gap must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF date_part('month', max_gap) <> 0 OR date_part('year', max_gap) <> 0 THEN
        RAISE EXCEPTION 'maximum gap "%" must not have a month or year part', max_gap
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A month has no fixed length; use days instead.';
    END IF;
    IF extract(epoch FROM max_gap) < 0 THEN
        RAISE EXCEPTION 'maximum gap "%" must not be negative', max_gap
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(coverage._lock_key());
    INSERT INTO coverage.settings (singleton, max_gap) VALUES (true, max_gap)
        ON CONFLICT (singleton) DO UPDATE SET max_gap = excluded.max_gap
        WHERE settings.max_gap IS DISTINCT FROM excluded.max_gap;
    IF FOUND THEN
        UPDATE coverage.refresh_state SET needs_full = true;
    END IF;
END
$$;
COMMENT ON FUNCTION coverage.set_max_gap(interval) IS
    'sets the maximum gap between the points of one segment in coverage.entity_coverage';
