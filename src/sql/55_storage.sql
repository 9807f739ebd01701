-- ---------------------------------------------------------------------------
-- Storage behind coverage.entity_coverage.
--
-- One row per entity: its coverage merged over the sources, and the coverage
-- of each source at the source's slot (coverage.sources.slot).  Refresh
-- rewrites single rows and only those that changed, so readers keep reading
-- the committed rows (MVCC) and never wait.  Keeping each source's value lets
-- a source be dropped without reading any source, and lets a refresh
-- recompute one source of an entity without reading the others.  Keeping them
-- in the entity's row rather than one row per (source, entity) lets an
-- incremental refresh merge new points with one row write per entity and
-- source instead of two, which was a third of its time.
--
-- The table leaves half of each page free: an incremental refresh rewrites
-- the rows of the entities that gained points, and with room on the page the
-- new version is a HOT update, which writes no index entry (no indexed column
-- changes).
--
-- Entity keys are stored as their text form: the key type is only known when
-- configured, and the table is created once, with the extension.  Keys are
-- always written from the entity key value itself, so the text is the one the
-- view joins on.
--
-- The table is derived data: pg_dump does not keep it (like a materialized
-- view's contents), and a restored database refreshes once.
-- ---------------------------------------------------------------------------

-- The accessor values are stored beside the coverage so that stats() can sum
-- and sort them over thousands of entities without detoasting any coverage.
-- Generated: computed once per row written, from the value written, by the
-- executor itself (an incremental refresh merges into the stored value and
-- never computes the merged value twice).
CREATE TABLE coverage.entity_store (
    entity_key   text PRIMARY KEY,
    coverage     coverage.coverage NOT NULL,
    num_segments integer NOT NULL GENERATED ALWAYS AS (coverage.num_segments(coverage)) STORED,
    num_points   bigint NOT NULL GENERATED ALWAYS AS (coverage.num_points(coverage)) STORED,
    first_ts     timestamptz NOT NULL GENERATED ALWAYS AS (coverage.first_ts(coverage)) STORED,
    last_ts      timestamptz NOT NULL GENERATED ALWAYS AS (coverage.last_ts(coverage)) STORED,
    covered      interval NOT NULL GENERATED ALWAYS AS (coverage.covered(coverage)) STORED,
    -- The entity's coverage in each source, and its point count there (for
    -- stats() and the views), at the source's slot.  NULL where the entity has
    -- no point in that source, and both arrays end at the last source that has
    -- one, so a row is canonical whatever the order of writes: a refresh sets
    -- one element in place (an assignment past the end pads with NULLs) and
    -- coverage._rebuild_entities trims what a removal leaves at the end.
    -- Slots outlive relabelling; drop_source clears the dropped one.
    source_coverage coverage.coverage[] NOT NULL,
    source_points   bigint[] NOT NULL
) WITH (fillfactor = 50);
-- Kept out of line uncompressed, as the coverage type is: compression costs
-- every rewrite and gains little on segment arrays.
ALTER TABLE coverage.entity_store ALTER COLUMN source_coverage SET STORAGE EXTERNAL;
COMMENT ON TABLE coverage.entity_store IS
    'coverage of each entity, merged and per source, as of the last refresh';

-- Each source's coverage of each entity, one row each: for reading and for
-- the tests (the refresh functions write coverage.entity_store directly).
CREATE VIEW coverage._source_coverage AS
SELECT s.source, es.entity_key, es.source_coverage[s.slot] AS coverage,
       es.source_points[s.slot] AS points
  FROM coverage.entity_store es
  JOIN coverage.sources s ON es.source_coverage[s.slot] IS NOT NULL;
COMMENT ON VIEW coverage._source_coverage IS
    'coverage of each entity in each source, as of the last refresh';

-- Forgets every entity's coverage in the source at `slot` (dropped, or read
-- through other columns from now on); coverage._rebuild_entities then
-- re-merges the entities and trims their arrays.
CREATE FUNCTION coverage._clear_slot(slot integer) RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, coverage, pg_temp
BEGIN ATOMIC
    UPDATE coverage.entity_store es
       SET source_coverage[slot] = NULL, source_points[slot] = NULL
     WHERE es.source_coverage[slot] IS NOT NULL;
END;

-- Bookkeeping of refresh, one row.  Not dumped: after a restore the stores are
-- empty, and this row says so (never refreshed, view to be rebuilt).
CREATE TABLE coverage.refresh_state (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    refreshed_at timestamptz,
    -- Set when stored coverage no longer matches the configuration (another
    -- max_gap or entities table): the next refresh must recompute everything.
    needs_full   boolean NOT NULL DEFAULT true,
    -- The CREATE VIEW statements the views were last built from.
    view_sql     text,
    live_view_sql text,
    -- The relations of the entities table whose writes coverage.entities_changed
    -- records (its partitions too), as of the last comparison of its keys
    -- with coverage.known_entities; NULL when none are watched.
    entities_watched oid[]
);
INSERT INTO coverage.refresh_state DEFAULT VALUES;

-- ---------------------------------------------------------------------------
-- Change capture (56_capture.sql fills these, refresh consumes them).
--
-- Both tables are append-only and have no index, no primary key and no
-- foreign key: an inserting statement adds its rows and touches nothing else,
-- so concurrent writers of the same source never wait for each other (a
-- unique index would make the second of two writers of one entity wait for
-- the first to commit; an upsert that merges into one row per entity would
-- serialize them on that row; a foreign key would share-lock the source's
-- configuration row).  Refresh reads them whole, which costs in proportion to
-- what changed since the last refresh, and deletes exactly the rows it read.
-- Rows are keyed by the relation that was written (relid): a partition of a
-- partitioned source has its own triggers, and coverage.captured maps it to
-- its source.
-- ---------------------------------------------------------------------------

-- New points: the key (as text) and time of each row a statement inserted,
-- a row per statement (or per 8 kB of points), in a compact binary form that
-- coverage._pending_keys and _pending_times read (src/pg/capture.cpp writes
-- it; the format is described in include/coverage/core/point_batch.hpp).  Its
-- bytes are most of what capture costs a writer, hence a few bytes a point
-- rather than arrays of text and timestamps.  Kept uncompressed: compressing
-- costs the writer more than it saves on such short-lived rows.  A row may
-- fill a page before it is toasted: a batch cut into toast chunks cost a
-- writer an index insert for each 2 kB.  Its emptied pages are kept when it
-- is vacuumed (vacuum_truncate off): writers then fill pages that refresh
-- emptied instead of extending the table a page at a time, which on
-- PostgreSQL 15 is a file write per page; and vacuum never takes the lock
-- that truncating needs, which would make writers wait.
CREATE TABLE coverage.pending (
    relid  oid NOT NULL,
    batch  bytea NOT NULL
) WITH (toast_tuple_target = 8160, vacuum_truncate = false);
ALTER TABLE coverage.pending ALTER COLUMN batch SET STORAGE EXTERNAL;
COMMENT ON TABLE coverage.pending IS
    'points inserted into sources since the last refresh, a row per statement or 8 kB';

-- Entities whose source rows were updated or deleted, to recompute from the
-- source; a NULL key stands for every entity of the source (TRUNCATE).
CREATE TABLE coverage.dirty (
    relid      oid NOT NULL,
    entity_key text
);
COMMENT ON TABLE coverage.dirty IS
    'entities whose source rows changed since the last refresh; NULL key: all of them';

-- The sources whose changes are captured, and the relations that carry their
-- triggers (the source and its partitions or inheritance children).  A source
-- is captured from the refresh that recomputed it fully onwards; a source not
-- listed here is recomputed fully by every refresh.
CREATE TABLE coverage.captured (
    source  regclass PRIMARY KEY REFERENCES coverage.sources (source) ON DELETE CASCADE,
    members oid[] NOT NULL
);
COMMENT ON TABLE coverage.captured IS
    'sources whose changes are captured by triggers, with the relations carrying them';

-- The entity keys of the last refresh: the keys added to or removed from the
-- entities table since then are the ones whose coverage must be recomputed.
CREATE TABLE coverage.known_entities (
    entity_key text PRIMARY KEY
);
COMMENT ON TABLE coverage.known_entities IS 'entity keys as of the last refresh';

-- Writes to the entities table that may have added or removed keys, one row
-- per statement (coverage._entities_changed, a statement trigger): refresh
-- compares the entities table with coverage.known_entities only when there
-- is one, and deletes the rows it saw.  Append-only for the same reason as
-- coverage.pending.
CREATE TABLE coverage.entities_changed (
    relid oid NOT NULL
);
COMMENT ON TABLE coverage.entities_changed IS
    'writes to the entities table since the last refresh that may have changed its keys';
