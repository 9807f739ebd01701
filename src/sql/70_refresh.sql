-- ---------------------------------------------------------------------------
-- coverage.refresh: brings the stored coverage up to date.
--
-- Guard: a transaction-scoped advisory lock (coverage._lock_key()), tried
-- (skip at once) or waited for.  Being transaction-scoped, an error or a
-- cancel releases it together with the rollback of every row written, so the
-- previous contents stay readable.  Rows are written one by one: recomputed
-- ones only where they changed (INSERT ... ON CONFLICT ... WHERE changed,
-- DELETE of the gone), those that gained points merged in place (UPDATE);
-- never TRUNCATE or DROP, so readers are never blocked.
-- ---------------------------------------------------------------------------

-- Brings the stored coverage of one source up to date and consumes its
-- captured changes.  With keys NULL it recomputes every entity from the
-- source rows; otherwise it recomputes only the entities in keys (distinct),
-- and merges the pending coverage of the others into their stored values.
-- Returns the entity keys whose coverage in this source it recomputed and
-- changed (written), whose merged coverage the caller rebuilds with
-- coverage._rebuild_entities, and those whose new coverage it merged into
-- both the source's and the merged value (merged).
--
-- One statement, hence one snapshot: the pending rows it deletes are exactly
-- those whose source rows the recomputation sees.  Pending points of an
-- entity it recomputes are dropped (they are read from the source again);
-- rows committed after the snapshot stay for the next refresh.
--
-- Rows whose key is NULL or not a known entity's are left out.  Infinite
-- timestamps are no points in time (they usually stand for "open-ended"), and
-- coverage_agg rejects them: they are skipped, with a warning that counts the
-- ones read.  Aggregating before the semi-join with the entities keeps the
-- join to one row per key, not per point.
--
-- A recomputed value goes in at the source's slot, written $S in the
-- statements below and replaced by the number of the parameter that carries
-- the slot, which differs between the two statements.  An entity
-- without a row gets one whose merged coverage is that value, which is right
-- unless another source has points too, and the rebuild of the written keys
-- fixes it then.
CREATE FUNCTION coverage._refresh_source(src coverage.sources, members oid[], max_gap interval,
                                         keys text[], OUT written text[], OUT merged text[])
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    key_type text;
    infinite bigint;
    -- Writes the recomputed values of CTE `fresh` (k, cov) at the slot; where
    -- a value is unchanged nothing is written.
    store_fresh CONSTANT text := $w$
                INSERT INTO coverage.entity_store AS es (entity_key, coverage, source_coverage,
                                                         source_points)
                SELECT f.k, f.cov, array_fill(NULL::coverage.coverage, ARRAY[$S - 1]) || f.cov,
                       array_fill(NULL::bigint, ARRAY[$S - 1]) || coverage.num_points(f.cov)
                  FROM fresh f
                    ON CONFLICT (entity_key) DO UPDATE
                    SET source_coverage[$S] = excluded.source_coverage[$S],
                        source_points[$S] = excluded.source_points[$S]
                    WHERE es.source_coverage[$S] IS DISTINCT FROM excluded.source_coverage[$S]
                RETURNING es.entity_key$w$;
BEGIN
    IF keys IS NULL THEN
        EXECUTE replace(format($q$
            WITH pend AS (
                -- (Points read from the source again: a data-modifying
                -- CTE runs whether or not it is read.)
                DELETE FROM coverage.pending p WHERE p.relid = ANY ($3)
            ), agg AS (
                SELECT r.%1$I::text AS k,
                       coverage.coverage_agg(r.%2$I, $1) FILTER (WHERE isfinite(r.%2$I)) AS cov,
                       count(*) FILTER (WHERE NOT isfinite(r.%2$I)) AS infinite
                  FROM %3$s r
                 WHERE r.%1$I IS NOT NULL
                 GROUP BY r.%1$I
            ), fresh AS (
                SELECT a.k, a.cov FROM agg a
                 WHERE a.cov IS NOT NULL
                   AND EXISTS (SELECT FROM coverage.known_entities e WHERE e.entity_key = a.k)
            ), gone AS (
                UPDATE coverage.entity_store es
                   SET source_coverage[$S] = NULL, source_points[$S] = NULL
                 WHERE es.source_coverage[$S] IS NOT NULL
                   AND NOT EXISTS (SELECT FROM fresh f WHERE f.k = es.entity_key)
                RETURNING es.entity_key
            ), changed AS (%4$s
            )
            SELECT (SELECT coalesce(sum(a.infinite), 0) FROM agg a),
                   ARRAY(SELECT g.entity_key FROM gone g
                         UNION ALL SELECT c.entity_key FROM changed c)
            $q$, src.key_column, src.ts_column, src.source::text, store_fresh), '$S', '$2')
            INTO infinite, written
            USING max_gap, src.slot, members;
        merged := '{}';
    ELSE
        key_type := format_type(coverage._column_type(src.source, src.key_column,
                                                      'key column', false), NULL);
        EXECUTE replace(format($q$
            WITH pend AS (
                DELETE FROM coverage.pending p WHERE p.relid = ANY ($4)
                RETURNING p.batch
            ), folded AS (
                SELECT coverage._fold_pending(p.batch, $1) AS f FROM pend p
            ), fold AS (
                -- New points per entity; those of recomputed entities go unused.
                SELECT u.k, u.cov, u.infinite
                  FROM folded s,
                       unnest((s.f).keys, (s.f).coverages, (s.f).infinite) AS u (k, cov, infinite)
            ), agg AS (
                SELECT r.%1$I::text AS k,
                       coverage.coverage_agg(r.%2$I, $1) FILTER (WHERE isfinite(r.%2$I)) AS cov,
                       count(*) FILTER (WHERE NOT isfinite(r.%2$I)) AS infinite
                  FROM %3$s r JOIN unnest($3) AS d (k) %4$s
                 WHERE r.%1$I IS NOT NULL
                 GROUP BY r.%1$I
            ), redo AS (
                -- Entities recomputed, with or without points (NULL: none, or
                -- no longer an entity).
                SELECT d.k, a.cov
                  FROM unnest($3) AS d (k) LEFT JOIN agg a ON a.k = d.k
                                         AND EXISTS (SELECT FROM coverage.known_entities e
                                                      WHERE e.entity_key = d.k)
            ), delta AS (
                -- New coverage of the entities not recomputed.
                SELECT n.k, n.cov FROM fold n
                 WHERE n.cov IS NOT NULL
                   AND NOT EXISTS (SELECT FROM unnest($3) AS d (k) WHERE d.k = n.k)
            ), gone AS (
                UPDATE coverage.entity_store es
                   SET source_coverage[$S] = NULL, source_points[$S] = NULL
                 WHERE es.entity_key IN (SELECT r.k FROM redo r WHERE r.cov IS NULL)
                   AND es.source_coverage[$S] IS NOT NULL
                RETURNING es.entity_key
            ), fresh AS (
                SELECT r.k, r.cov FROM redo r WHERE r.cov IS NOT NULL
            ), changed AS (%5$s
            ), grown AS (
                -- Merging is exact and associative: the stored values plus
                -- the new points are what a recomputation gives, without
                -- reading the other sources, and the counts add up.  A stored
                -- row is a known entity's (a removed one is recomputed, hence
                -- not here).
                UPDATE coverage.entity_store es
                   SET coverage = coverage.merge(es.coverage, d.cov),
                       source_coverage[$S] = coalesce(
                           coverage.merge(es.source_coverage[$S], d.cov), d.cov),
                       source_points[$S] = coalesce(es.source_points[$S], 0)
                                           + coverage.num_points(d.cov)
                  FROM delta d
                 WHERE es.entity_key = d.k
                RETURNING es.entity_key
            ), added AS (
                -- Entities without a row yet; keys of no entity are left out.
                INSERT INTO coverage.entity_store (entity_key, coverage, source_coverage,
                                                   source_points)
                SELECT d.k, d.cov, array_fill(NULL::coverage.coverage, ARRAY[$S - 1]) || d.cov,
                       array_fill(NULL::bigint, ARRAY[$S - 1]) || coverage.num_points(d.cov)
                  FROM delta d
                 WHERE d.k NOT IN (SELECT g.entity_key FROM grown g)
                   AND EXISTS (SELECT FROM coverage.known_entities e WHERE e.entity_key = d.k)
                RETURNING entity_key
            )
            SELECT (SELECT coalesce(sum(a.infinite), 0) FROM agg a)
                       + (SELECT coalesce(sum(n.infinite), 0) FROM fold n
                           WHERE NOT EXISTS (SELECT FROM unnest($3) AS d (k) WHERE d.k = n.k)),
                   ARRAY(SELECT g.entity_key FROM gone g
                         UNION ALL SELECT c.entity_key FROM changed c),
                   ARRAY(SELECT g.entity_key FROM grown g
                         UNION ALL SELECT a.entity_key FROM added a)
            $q$, src.key_column, src.ts_column, src.source::text,
            -- (An empty list must not scan the source at all.)
            CASE WHEN cardinality(keys) = 0 THEN 'ON false'
                 ELSE format('ON r.%I = d.k::%s', src.key_column, key_type) END,
            store_fresh), '$S', '$5')
            INTO infinite, written, merged
            USING max_gap, src.source, keys, members, src.slot;
    END IF;
    IF infinite > 0 THEN
        RAISE WARNING 'skipped rows with an infinite timestamp in source "%"', src.source::text
            USING DETAIL = format('Rows skipped: %s. Infinite times in column "%s" are no '
                                  'points in time.', infinite, src.ts_column);
    END IF;
END
$$;

-- Brings the merged coverage of the given entities (all with NULL) up to
-- their per-source values, trims the per-source arrays to their last value
-- and deletes the rows left without any, writing only the rows that change;
-- returns the keys of the rows written or deleted.  Reads no source, so
-- drop_source can call it too.
CREATE FUNCTION coverage._rebuild_entities(keys text[]) RETURNS text[]
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
BEGIN ATOMIC
    WITH fresh AS (
        SELECT es.entity_key, m.cov,
               es.source_coverage[1:m.last] AS source_coverage,
               ARRAY(SELECT coverage.num_points(c)
                       FROM unnest(es.source_coverage[1:m.last]) WITH ORDINALITY AS u (c, i)
                      ORDER BY u.i) AS source_points
          FROM coverage.entity_store es,
               LATERAL (SELECT coverage.rollup(u.c) FILTER (WHERE u.c IS NOT NULL) AS cov,
                               (max(u.i) FILTER (WHERE u.c IS NOT NULL))::integer AS last
                          FROM unnest(es.source_coverage) WITH ORDINALITY AS u (c, i)) m
         WHERE keys IS NULL OR es.entity_key = ANY (keys)
    ), gone AS (
        DELETE FROM coverage.entity_store es
         WHERE es.entity_key IN (SELECT f.entity_key FROM fresh f WHERE f.cov IS NULL)
        RETURNING es.entity_key
    ), changed AS (
        UPDATE coverage.entity_store es
           SET coverage = f.cov, source_coverage = f.source_coverage,
               source_points = f.source_points
          FROM fresh f
         WHERE es.entity_key = f.entity_key AND f.cov IS NOT NULL
           -- (the per-source values themselves are only ever trimmed here)
           AND (es.coverage IS DISTINCT FROM f.cov
                OR cardinality(es.source_coverage) <> cardinality(f.source_coverage)
                OR es.source_points IS DISTINCT FROM f.source_points)
        RETURNING es.entity_key
    )
    SELECT ARRAY(SELECT g.entity_key FROM gone g UNION ALL SELECT c.entity_key FROM changed c);
END;

-- Brings coverage.known_entities up to the entities table; returns the keys
-- added and removed.  Their coverage is recomputed by an incremental refresh
-- (a new entity may have points from before; a removed one loses its rows).
CREATE FUNCTION coverage._sync_entities(cfg coverage.settings, OUT added text[],
                                        OUT removed text[])
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
BEGIN
    EXECUTE format($q$
        WITH cur AS (
            SELECT DISTINCT e.%1$I::text AS k FROM %2$s e WHERE e.%1$I IS NOT NULL
        ), ins AS (
            INSERT INTO coverage.known_entities (entity_key)
            SELECT c.k FROM cur c
             WHERE NOT EXISTS (SELECT FROM coverage.known_entities k WHERE k.entity_key = c.k)
            RETURNING entity_key
        ), del AS (
            DELETE FROM coverage.known_entities k
             WHERE NOT EXISTS (SELECT FROM cur c WHERE c.k = k.entity_key)
            RETURNING entity_key
        )
        SELECT ARRAY(SELECT entity_key FROM ins), ARRAY(SELECT entity_key FROM del)
        $q$, cfg.key_column, cfg.entities::text)
        INTO added, removed;
END
$$;

CREATE FUNCTION coverage.refresh(wait boolean DEFAULT false, "full" boolean DEFAULT false,
                                 OUT status text, OUT started_at timestamptz,
                                 OUT duration interval, OUT entities bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, coverage, pg_temp
-- Estimates of the captured points (unnested arrays, a pending table whose
-- statistics lag) put incremental statements past jit_above_cost, and
-- compiling took longer than running them: 0.24 s against 0.17 s for 1% new
-- rows over 10,000 entities; a full refresh ran 5% faster without it too.
SET jit = off
AS $$
DECLARE
    cfg      coverage.settings;
    src      coverage.sources;
    written  bigint := 0;
    all_full boolean;
    src_full boolean;
    whole    boolean;
    watched  boolean;
    members  oid[];
    keys     text[];
    added    text[] := '{}';
    removed  text[] := '{}';
    touched  text[];
    rewritten text[] := '{}';
    res      record;
    merged   text[] := '{}';
    merging  integer := 0;
    any_full boolean := false;
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

    -- Incremental unless asked for, or the stored coverage no longer fits the
    -- configuration (another maximum gap or entities table, a restore).
    all_full := refresh."full" OR (SELECT r.needs_full FROM coverage.refresh_state r);
    -- The entity keys are compared only when a write may have changed them.
    -- Marks are consumed before the comparison, whose later snapshot sees
    -- their writes; a mark committed in between only costs one more
    -- comparison next time.
    watched := coverage._sync_entities_watch(cfg, false);
    WITH m AS (DELETE FROM coverage.entities_changed RETURNING 1)
    SELECT watched AND NOT EXISTS (SELECT FROM m) INTO watched;
    IF all_full OR NOT watched THEN
        SELECT e.added, e.removed INTO added, removed FROM coverage._sync_entities(cfg) e;
    END IF;
    touched := removed;
    FOR src IN SELECT * FROM coverage.sources s ORDER BY s.label LOOP
        src_full := NOT coverage._sync_capture(src) OR all_full;
        members := coalesce((SELECT c.members FROM coverage.captured c
                              WHERE c.source = src.source), '{}');
        -- The marks visible now; their changes are all visible to the later
        -- statement of _refresh_source.  Marks committed in between stay
        -- and recompute their entities once more next time, which is harmless.
        WITH d AS (
            DELETE FROM coverage.dirty d WHERE d.relid = ANY (members) RETURNING d.entity_key
        )
        SELECT coalesce(bool_or(d.entity_key IS NULL), false), array_agg(DISTINCT d.entity_key)
          INTO whole, keys FROM d;
        src_full := src_full OR whole;
        IF NOT src_full THEN
            -- Entities added or removed since the last refresh are recomputed.
            keys := ARRAY(SELECT DISTINCT k FROM unnest(coalesce(keys, '{}') || added || removed)
                                                 AS k
                           WHERE k IS NOT NULL);
        END IF;
        -- Nothing to recompute and no new points: nothing to write.  (Its
        -- statement, planned anew each time, is most of a refresh that finds
        -- nothing new; points committed after this check stay for the next.)
        IF NOT src_full AND cardinality(keys) = 0
           AND NOT EXISTS (SELECT FROM coverage.pending p WHERE p.relid = ANY (members)) THEN
            CONTINUE;
        END IF;
        res := coverage._refresh_source(src, members, cfg.max_gap,
                                        CASE WHEN NOT src_full THEN keys END);
        written := written + cardinality(res.written);
        touched := touched || res.written;
        rewritten := rewritten || res.written;
        merged := merged || res.merged;
        merging := merging + (cardinality(res.merged) > 0)::integer;
        any_full := any_full OR src_full;
    END LOOP;
    -- Rows of relations that no longer belong to a captured source (a
    -- detached partition, a dropped source's leftovers) would never be read.
    DELETE FROM coverage.pending p
     WHERE NOT EXISTS (SELECT FROM coverage.captured c WHERE p.relid = ANY (c.members));
    DELETE FROM coverage.dirty d
     WHERE NOT EXISTS (SELECT FROM coverage.captured c WHERE d.relid = ANY (c.members));
    -- Entities recomputed in some source are merged again from their
    -- per-source values; the others had their new points merged in already.
    IF all_full OR cardinality(touched) > 0 THEN
        rewritten := rewritten || coverage._rebuild_entities(
            CASE WHEN NOT all_full THEN ARRAY(SELECT DISTINCT k FROM unnest(touched) AS k) END);
    END IF;
    -- (a key repeats when several sources or the rebuild wrote the entity's row)
    entities := CASE WHEN cardinality(rewritten) = 0 AND merging <= 1 THEN cardinality(merged)
                     ELSE (SELECT count(DISTINCT k) FROM unnest(rewritten || merged) AS k) END;
    IF any_full AND written > 0 THEN
        -- Fresh statistics keep the plans of stats() right after a big first
        -- refresh; ANALYZE does not block readers.  Incremental refreshes
        -- write few rows and leave statistics to autovacuum.
        ANALYZE coverage.entity_store;
    END IF;
    UPDATE coverage.refresh_state SET refreshed_at = started_at, needs_full = false;
    status := 'refreshed';
    duration := clock_timestamp() - started_at;
END
$$;
COMMENT ON FUNCTION coverage.refresh(boolean, boolean) IS
    'brings coverage.entity_coverage up to date; skips (or waits) while another refresh runs';
