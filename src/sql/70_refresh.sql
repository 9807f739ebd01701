-- ---------------------------------------------------------------------------
-- coverage.refresh: brings the stored coverage up to date.
--
-- Guard: a transaction-scoped advisory lock (coverage._lock_key()), tried
-- (skip at once) or waited for.  Being transaction-scoped, an error or a
-- cancel releases it together with the rollback of every row written, so the
-- previous contents stay readable.  Rows are written one by one and only
-- where they changed (INSERT ... ON CONFLICT ... WHERE changed, DELETE of the
-- gone), never TRUNCATE or DROP, so readers are never blocked.
-- ---------------------------------------------------------------------------

-- Recomputes the stored coverage of one source from all its rows; returns the
-- number of (source, entity) rows written.  Rows whose key is NULL or not an
-- entity's are left out.  Infinite timestamps are no points in time (they
-- usually stand for "open-ended"), and coverage_agg rejects them: they are
-- skipped, with a warning that counts them.  Aggregating before the semi-join
-- with the entities keeps the join to one row per key, not per point.
CREATE FUNCTION coverage._refresh_source(src coverage.sources, max_gap interval) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    cfg      coverage.settings := coverage._settings(true);
    infinite bigint;
    written  bigint;
BEGIN
    EXECUTE format($q$
        WITH agg AS (
            SELECT r.%1$I AS kv, r.%1$I::text AS k,
                   coverage.coverage_agg(r.%2$I, $1) FILTER (WHERE isfinite(r.%2$I)) AS cov,
                   count(*) FILTER (WHERE NOT isfinite(r.%2$I)) AS infinite
              FROM %3$s r
             WHERE r.%1$I IS NOT NULL
             GROUP BY r.%1$I
        ), fresh AS (
            SELECT a.k, a.cov FROM agg a
             WHERE a.cov IS NOT NULL AND EXISTS (SELECT FROM %4$s e WHERE e.%5$I = a.kv)
        ), gone AS (
            DELETE FROM coverage.source_store ss
             WHERE ss.source = $2
               AND NOT EXISTS (SELECT FROM fresh f WHERE f.k = ss.entity_key)
            RETURNING 1
        ), changed AS (
            INSERT INTO coverage.source_store AS ss (source, entity_key, coverage, points)
            SELECT $2, f.k, f.cov, coverage.num_points(f.cov) FROM fresh f
                ON CONFLICT (source, entity_key) DO UPDATE
                SET coverage = excluded.coverage, points = excluded.points
                WHERE ss.coverage IS DISTINCT FROM excluded.coverage
            RETURNING 1
        )
        SELECT (SELECT coalesce(sum(a.infinite), 0) FROM agg a),
               (SELECT count(*) FROM gone) + (SELECT count(*) FROM changed)
        $q$, src.key_column, src.ts_column, src.source::text, cfg.entities::text, cfg.key_column)
        INTO infinite, written
        USING max_gap, src.source;
    IF infinite > 0 THEN
        RAISE WARNING 'skipped % rows with an infinite timestamp in source "%"',
                      infinite, src.source::text
            USING DETAIL = format('Column "%s" holds them; they are no points in time.',
                                  src.ts_column);
    END IF;
    RETURN written;
END
$$;

-- Merges the stored per-source coverage into the per-entity rows, writing only
-- the rows that change; returns the number of entity rows written or deleted.
-- Reads no source, so drop_source can call it too.
CREATE FUNCTION coverage._rebuild_entities() RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
BEGIN ATOMIC
    WITH fresh AS (
        SELECT ss.entity_key, coverage.rollup(ss.coverage) AS cov
          FROM coverage.source_store ss
         GROUP BY ss.entity_key
    ), gone AS (
        DELETE FROM coverage.entity_store es
         WHERE NOT EXISTS (SELECT FROM fresh f WHERE f.entity_key = es.entity_key)
        RETURNING 1
    ), changed AS (
        INSERT INTO coverage.entity_store AS es
               (entity_key, coverage, num_segments, num_points, first_ts, last_ts, covered)
        SELECT f.entity_key, f.cov, coverage.num_segments(f.cov), coverage.num_points(f.cov),
               coverage.first_ts(f.cov), coverage.last_ts(f.cov), coverage.covered(f.cov)
          FROM fresh f
            ON CONFLICT (entity_key) DO UPDATE
            SET coverage = excluded.coverage, num_segments = excluded.num_segments,
                num_points = excluded.num_points, first_ts = excluded.first_ts,
                last_ts = excluded.last_ts, covered = excluded.covered
            WHERE es.coverage IS DISTINCT FROM excluded.coverage
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM changed);
END;

CREATE FUNCTION coverage.refresh(wait boolean DEFAULT false, "full" boolean DEFAULT false,
                                 OUT status text, OUT started_at timestamptz,
                                 OUT duration interval, OUT entities bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    cfg     coverage.settings;
    src     coverage.sources;
    written bigint := 0;
BEGIN
    started_at := clock_timestamp();
    IF refresh.wait THEN
        PERFORM pg_advisory_xact_lock(coverage._lock_key());
    ELSIF NOT pg_try_advisory_xact_lock(coverage._lock_key()) THEN
        status := 'skipped';
        entities := 0;
        duration := clock_timestamp() - started_at;
        RETURN;
    END IF;

    -- Tables change after they are configured: check again, naming the culprit.
    cfg := coverage._settings(true);
    IF cfg.max_gap IS NULL THEN
        RAISE EXCEPTION 'maximum gap of the coverage view is not configured'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Call coverage.set_max_gap first.';
    END IF;
    PERFORM coverage._check_entities(cfg, false);
    PERFORM coverage._check_sources(false);
    PERFORM coverage._sync_view();

    -- Until sources capture their changes (issue 5) every refresh recomputes
    -- from the source rows, so "full" and refresh_state.needs_full change
    -- nothing yet: both ways write only the rows that differ.
    FOR src IN SELECT * FROM coverage.sources s ORDER BY s.label LOOP
        written := written + coverage._refresh_source(src, cfg.max_gap);
    END LOOP;
    entities := coverage._rebuild_entities();
    IF written > 0 THEN
        -- Fresh statistics keep the plans of stats() right after a big first
        -- refresh; ANALYZE does not block readers.
        ANALYZE coverage.source_store, coverage.entity_store;
    END IF;
    UPDATE coverage.refresh_state SET refreshed_at = started_at, needs_full = false;
    status := 'refreshed';
    duration := clock_timestamp() - started_at;
END
$$;
COMMENT ON FUNCTION coverage.refresh(boolean, boolean) IS
    'brings coverage.entity_coverage up to date; skips (or waits) while another refresh runs';
