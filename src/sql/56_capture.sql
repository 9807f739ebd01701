-- ---------------------------------------------------------------------------
-- Change capture on the sources, for incremental refresh.
--
-- Every table (or partitioned table) that is a source, and each of its
-- partitions and inheritance children, gets four statement-level AFTER
-- triggers:
--
--   INSERT    appends the key and time of the statement's new rows (its
--             transition table) to coverage.pending, in one compact bytea
--             (coverage._capture_insert, in C++: src/pg/capture.cpp).  Folding
--             them per entity here would cost the writer an aggregate state
--             per entity, and a collector's statement touches many entities
--             once each; refresh folds them, with the maximum gap of its time;
--   UPDATE    appends the entities whose (key, time) rows changed to
--   DELETE    coverage.dirty, to be recomputed from their source rows;
--   TRUNCATE  appends a mark that stands for every entity of the source
--             (these three run coverage._capture()).
--
-- A statement fires the statement triggers of the relation it names only, so
-- an insert through the partitioned root is captured once, by the root's
-- trigger, and one into a partition once, by the partition's.  Views, foreign
-- tables and materialized views cannot carry these triggers: such sources are
-- recomputed fully by every refresh, as is a source that is a partition or
-- child of another source (or has one as a partition), whose rows two sources
-- would share.
--
-- A role that inserts into a source needs no privilege on coverage's tables:
-- coverage._capture runs as the extension owner, and coverage._capture_insert
-- appends with a plain heap insert, which checks none; it is no SECURITY
-- DEFINER function, whose switch of user and search_path would cost every
-- insert statement, and it resolves no name through search_path.
--
-- The key and time columns are trigger arguments: the triggers are recreated
-- whenever a source's columns change, which waits for the writers of that
-- table, and a writer then never reads a configuration older than its
-- triggers.
-- ---------------------------------------------------------------------------

CREATE FUNCTION coverage._capture_insert() RETURNS trigger
    AS 'MODULE_PATHNAME', 'coverage_capture_insert'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION coverage._capture_insert() IS
    'insert trigger of the sources: records the new points for incremental refresh';

-- The points of a coverage.pending batch, in the order they were inserted: the
-- keys and the times as two arrays in step, which refresh unnests in its
-- select list (streamed, not copied), and as (key, time) rows for the live
-- view and for reading.
-- Left executable by PUBLIC, as the value type's functions are: the live view
-- calls them with the privileges of its reader, and they only decode their
-- argument.
CREATE FUNCTION coverage._pending_keys(batch bytea) RETURNS text[]
    AS 'MODULE_PATHNAME', 'coverage_pending_keys'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION coverage._pending_keys(bytea) IS
    'the entity keys of a batch of captured points, one per point';
CREATE FUNCTION coverage._pending_times(batch bytea) RETURNS timestamptz[]
    AS 'MODULE_PATHNAME', 'coverage_pending_times'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION coverage._pending_times(bytea) IS
    'the times of a batch of captured points';
CREATE FUNCTION coverage._pending_points(batch bytea, OUT entity_key text,
                                         OUT point timestamptz)
    RETURNS SETOF record
    LANGUAGE sql IMMUTABLE PARALLEL SAFE  -- (not STRICT, so that it is inlined)
BEGIN ATOMIC
    SELECT u.k, u.t
      FROM unnest(coverage._pending_keys(batch), coverage._pending_times(batch)) AS u (k, t);
END;
COMMENT ON FUNCTION coverage._pending_points(bytea) IS
    'the entity keys and times of a batch of captured points';
-- The captured points of many batches folded into coverage per entity key, for
-- an incremental refresh (src/pg/pending_fold.cpp): keys, their coverage (NULL
-- where every time was infinite) and the infinite times skipped, in step.
CREATE TYPE coverage._folded_points AS (
    keys      text[],
    coverages coverage.coverage[],
    infinite  bigint[]
);
CREATE FUNCTION coverage._fold_pending_transfn(internal, bytea, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'coverage_fold_pending_transfn'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE FUNCTION coverage._fold_pending_finalfn(internal) RETURNS coverage._folded_points
    AS 'MODULE_PATHNAME', 'coverage_fold_pending_finalfn'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
CREATE AGGREGATE coverage._fold_pending(batch bytea, max_gap interval) (
    SFUNC = coverage._fold_pending_transfn,
    STYPE = internal,
    FINALFUNC = coverage._fold_pending_finalfn,
    FINALFUNC_MODIFY = READ_WRITE
);
COMMENT ON AGGREGATE coverage._fold_pending(bytea, interval) IS
    'coverage per entity key of batches of captured points';

CREATE FUNCTION coverage._capture() RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    key_col name := TG_ARGV[0];
    ts_col  name := TG_ARGV[1];
BEGIN
    -- A write never fails for coverage's sake: when the table no longer has
    -- the configured columns (renamed, dropped), the source is marked for a
    -- full recomputation, and refresh reports what is wrong.
    IF (SELECT count(*) FROM pg_attribute a
         WHERE a.attrelid = TG_RELID AND a.attname IN (key_col, ts_col)
           AND a.attnum > 0 AND NOT a.attisdropped) < 2 THEN
        INSERT INTO coverage.dirty (relid, entity_key) VALUES (TG_RELID, NULL);
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- Only entities whose multiset of (key, time) changed: an update of
        -- other columns costs nothing at refresh.  Compared as text, which
        -- every key type has, so that no key type can make the update fail.
        EXECUTE format($q$
            INSERT INTO coverage.dirty (relid, entity_key)
            SELECT DISTINCT $1, d.k
              FROM ((SELECT o.%1$I::text AS k, o.%2$I AS t FROM old_rows o
                     EXCEPT ALL SELECT n.%1$I::text, n.%2$I FROM new_rows n)
                    UNION ALL
                    (SELECT n.%1$I::text, n.%2$I FROM new_rows n
                     EXCEPT ALL SELECT o.%1$I::text, o.%2$I FROM old_rows o)) d
             WHERE d.k IS NOT NULL
            $q$, key_col, ts_col)
            USING TG_RELID;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('INSERT INTO coverage.dirty (relid, entity_key) '
                       'SELECT DISTINCT $1, o.%1$I::text FROM old_rows o '
                       'WHERE o.%1$I IS NOT NULL', key_col)
            USING TG_RELID;
    ELSE
        INSERT INTO coverage.dirty (relid, entity_key) VALUES (TG_RELID, NULL);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION coverage._capture() IS
    'update, delete and truncate trigger of the sources: marks entities for refresh';

-- The trigger names, one per event, with the event, the transition tables
-- and the function.
CREATE FUNCTION coverage._capture_triggers(OUT name name, OUT event text,
                                           OUT transitions text, OUT func regproc)
RETURNS SETOF record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
BEGIN ATOMIC
    SELECT t.name::name, t.event, t.transitions, t.func::regproc
      FROM (VALUES ('coverage_capture_insert', 'INSERT', 'REFERENCING NEW TABLE AS new_rows',
                    'coverage._capture_insert'),
                   ('coverage_capture_update', 'UPDATE',
                    'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows',
                    'coverage._capture'),
                   ('coverage_capture_delete', 'DELETE', 'REFERENCING OLD TABLE AS old_rows',
                    'coverage._capture'),
                   ('coverage_capture_truncate', 'TRUNCATE', '', 'coverage._capture'))
           AS t (name, event, transitions, func);
END;

-- A relation with its partitions and inheritance children, at every level,
-- sorted: the relations whose rows a query of it reads.
CREATE FUNCTION coverage._members(rel regclass) RETURNS oid[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
BEGIN ATOMIC
    WITH RECURSIVE tree (relid) AS (
        SELECT rel::oid
        UNION
        SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid
    )
    SELECT array_agg(t.relid ORDER BY t.relid) FROM tree t;
END;

-- Whether a source can capture its changes: a table or partitioned table
-- whose rows no other source shares (through partitions or inheritance).
CREATE FUNCTION coverage._capturable(src regclass) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, coverage, pg_temp
BEGIN ATOMIC
    SELECT EXISTS (SELECT FROM pg_class c WHERE c.oid = src AND c.relkind IN ('r', 'p'))
       AND NOT EXISTS (SELECT FROM coverage.sources s
                        WHERE s.source <> src
                          AND (s.source::oid = ANY (coverage._members(src))
                               OR src::oid = ANY (coverage._members(s.source))));
END;

-- Drops the capture triggers of the given relations (those that still exist).
CREATE FUNCTION coverage._drop_capture(rels oid[]) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    trg record;
BEGIN
    FOR trg IN SELECT t.tgname, t.tgrelid::regclass AS rel
                 FROM pg_trigger t
                WHERE t.tgrelid = ANY (rels)
                  AND t.tgfoid IN (SELECT n.func FROM coverage._capture_triggers() n)
                ORDER BY t.tgrelid, t.tgname LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', trg.tgname, trg.rel);
    END LOOP;
END
$$;

-- Makes sure that every member of a source carries the four capture triggers
-- for its current columns, creating the missing or outdated ones; returns
-- false when some change may have gone uncaptured (a trigger was missing,
-- outdated or disabled, or the members changed since the last refresh), so
-- that the source must be recomputed fully.
CREATE FUNCTION coverage._sync_capture(src coverage.sources) RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    rels    oid[] := coverage._members(src.source);
    -- The trigger arguments as pg_trigger stores them: each ends with a zero byte.
    args    text := encode(convert_to(src.key_column, getdatabaseencoding()) || '\x00'::bytea
                           || convert_to(src.ts_column, getdatabaseencoding()) || '\x00'::bytea,
                           'hex');
    intact  boolean;
    trg     record;
BEGIN
    IF NOT coverage._capturable(src.source) THEN
        PERFORM coverage._drop_capture(rels);
        DELETE FROM coverage.captured c WHERE c.source = src.source;
        RETURN false;
    END IF;
    intact := EXISTS (SELECT FROM coverage.captured c
                       WHERE c.source = src.source AND c.members = rels);
    -- A detached partition keeps no triggers of the source it left (unless
    -- it is now a source of its own).
    PERFORM coverage._drop_capture(ARRAY(
        SELECT unnest(c.members) FROM coverage.captured c WHERE c.source = src.source
        EXCEPT SELECT unnest(rels)
        EXCEPT SELECT unnest(coverage._members(s.source)) FROM coverage.sources s
                WHERE s.source <> src.source));
    FOR trg IN
        SELECT m.relid::regclass AS rel, n.name, n.event, n.transitions, n.func, t.tgenabled,
               encode(t.tgargs, 'hex') AS stored_args
          FROM unnest(rels) AS m (relid)
         CROSS JOIN coverage._capture_triggers() n
          LEFT JOIN pg_trigger t ON t.tgrelid = m.relid AND t.tgname = n.name
                                AND t.tgfoid = n.func
         ORDER BY m.relid, n.name LOOP
        IF trg.stored_args IS DISTINCT FROM args THEN
            IF trg.stored_args IS NOT NULL THEN
                EXECUTE format('DROP TRIGGER %I ON %s', trg.name, trg.rel);
            END IF;
            EXECUTE format('CREATE TRIGGER %I AFTER %s ON %s %s FOR EACH STATEMENT '
                           'EXECUTE FUNCTION %s(%L, %L)',
                           trg.name, trg.event, trg.rel, trg.transitions, trg.func,
                           src.key_column, src.ts_column);
            -- DROP EXTENSION takes the triggers along.
            EXECUTE format('ALTER TRIGGER %I ON %s DEPENDS ON EXTENSION coverage_ext',
                           trg.name, trg.rel);
            intact := false;
        ELSIF trg.tgenabled NOT IN ('O', 'A') THEN
            -- Disabled (or firing only in replica mode): left as the owner set
            -- it, and the source is recomputed fully while it stays so.
            intact := false;
        END IF;
    END LOOP;
    INSERT INTO coverage.captured AS c VALUES (src.source, rels)
        ON CONFLICT (source) DO UPDATE SET members = excluded.members
        WHERE c.members IS DISTINCT FROM excluded.members;
    RETURN intact;
END
$$;

-- ---------------------------------------------------------------------------
-- Watch on the entities table.
--
-- Refresh must learn which entity keys were added or removed since the last
-- refresh; comparing the entities table with coverage.known_entities reads
-- both whole, which is most of an incremental refresh's cost when few points
-- arrived.  So the entities table (and each of its partitions) carries one
-- statement trigger, AFTER INSERT OR UPDATE OF the key column OR DELETE OR
-- TRUNCATE, that appends a row to coverage.entities_changed; refresh
-- compares only when there is such a row, or when the watch cannot be
-- trusted (just set up, changed, disabled, or the entities "table" is a view).
-- Updates of other columns (a status, a title) fire nothing.
-- ---------------------------------------------------------------------------

CREATE FUNCTION coverage._entities_changed() RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, coverage, pg_temp
AS $$
BEGIN
    INSERT INTO coverage.entities_changed (relid) VALUES (TG_RELID);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION coverage._entities_changed() IS
    'statement trigger of the entities table: records that its keys may have changed';

-- Whether every member of the entities table carries the watch trigger on
-- its current key column, enabled, as when the keys were last compared:
-- false when a write may have gone unrecorded (a trigger missing, outdated or
-- disabled, the members changed, or the entities are no table), so that
-- refresh must compare the keys.  With repair (set_entities), it first makes
-- it so: creates the missing or outdated triggers and drops those of other
-- relations.  Refresh does not repair: the DDL would lock out the readers of
-- the entities table until it commits.
CREATE FUNCTION coverage._sync_entities_watch(cfg coverage.settings, repair boolean)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
AS $$
DECLARE
    rels   oid[] := CASE WHEN (SELECT c.relkind FROM pg_class c WHERE c.oid = cfg.entities)
                               IN ('r', 'p')
                         THEN coverage._members(cfg.entities) ELSE '{}' END;
    intact boolean := cardinality(rels) > 0
                      AND (repair OR (SELECT r.entities_watched
                                        FROM coverage.refresh_state r) = rels);
    trg    record;
BEGIN
    FOR trg IN
        SELECT t.tgname, t.tgrelid::regclass AS rel
          FROM pg_trigger t
         WHERE repair AND t.tgfoid = 'coverage._entities_changed()'::regprocedure
           AND t.tgrelid <> ALL (rels)
         ORDER BY t.tgrelid LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', trg.tgname, trg.rel);
    END LOOP;
    FOR trg IN
        SELECT m.relid::regclass AS rel, a.attnum, t.tgname, t.tgenabled,
               -- (an int2vector counts from 0, an array from 1)
               ARRAY(SELECT unnest(t.tgattr::int2[])) AS cols
          FROM unnest(rels) AS m (relid)
          LEFT JOIN pg_attribute a ON a.attrelid = m.relid AND a.attname = cfg.key_column
                                  AND NOT a.attisdropped
          LEFT JOIN pg_trigger t ON t.tgrelid = m.relid AND t.tgname = 'coverage_entities_watch'
                                AND t.tgfoid = 'coverage._entities_changed()'::regprocedure
         ORDER BY m.relid LOOP
        IF trg.attnum IS NULL THEN
            -- (a child without the key column: nothing to watch, compare)
            intact := false;
        ELSIF trg.tgname IS NULL OR trg.cols <> ARRAY[trg.attnum] THEN
            intact := false;
            CONTINUE WHEN NOT repair;
            IF trg.tgname IS NOT NULL THEN
                EXECUTE format('DROP TRIGGER coverage_entities_watch ON %s', trg.rel);
            END IF;
            EXECUTE format('CREATE TRIGGER coverage_entities_watch AFTER INSERT OR UPDATE OF %I '
                           'OR DELETE OR TRUNCATE ON %s FOR EACH STATEMENT '
                           'EXECUTE FUNCTION coverage._entities_changed()',
                           cfg.key_column, trg.rel);
            -- DROP EXTENSION takes the triggers along.
            EXECUTE format('ALTER TRIGGER coverage_entities_watch ON %s '
                           'DEPENDS ON EXTENSION coverage_ext', trg.rel);
        ELSIF trg.tgenabled NOT IN ('O', 'A') THEN
            intact := false;
        END IF;
    END LOOP;
    IF repair THEN
        UPDATE coverage.refresh_state SET entities_watched = nullif(rels, '{}');
    END IF;
    RETURN coalesce(intact, false);
END
$$;
