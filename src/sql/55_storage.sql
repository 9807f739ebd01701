-- ---------------------------------------------------------------------------
-- Storage behind coverage.entity_coverage.
--
-- Coverage is kept per (source, entity) and, merged over the sources, per
-- entity.  Refresh rewrites single rows and only those that changed, so
-- readers keep reading the committed rows (MVCC) and never wait.  Keeping the
-- per-source values lets a source be dropped without reading any source, and
-- lets incremental refresh (issue 5) merge new points into one source's value
-- and re-merge only the entities that changed.
--
-- Entity keys are stored as their text form: the key type is only known when
-- configured, and these tables are created once, with the extension.  Keys
-- are always written from the entity key value itself, so the text is the
-- one the view joins on.
--
-- The tables are derived data: pg_dump does not keep them (like a
-- materialized view's contents), and a restored database refreshes once.
-- ---------------------------------------------------------------------------

CREATE TABLE coverage.source_store (
    source     regclass NOT NULL REFERENCES coverage.sources (source) ON DELETE CASCADE,
    entity_key text NOT NULL,
    coverage   coverage.coverage NOT NULL,
    points     bigint NOT NULL,
    PRIMARY KEY (source, entity_key)
);
COMMENT ON TABLE coverage.source_store IS
    'coverage of each entity in each source, as of the last refresh';

-- The accessor values are stored beside the coverage so that stats() can sum
-- and sort them over thousands of entities without detoasting any coverage.
CREATE TABLE coverage.entity_store (
    entity_key   text PRIMARY KEY,
    coverage     coverage.coverage NOT NULL,
    num_segments integer NOT NULL,
    num_points   bigint NOT NULL,
    first_ts     timestamptz NOT NULL,
    last_ts      timestamptz NOT NULL,
    covered      interval NOT NULL
);
COMMENT ON TABLE coverage.entity_store IS
    'coverage of each entity over all sources, as of the last refresh';

-- Bookkeeping of refresh, one row.  Not dumped: after a restore the stores are
-- empty, and this row says so (never refreshed, view to be rebuilt).
CREATE TABLE coverage.refresh_state (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    refreshed_at timestamptz,
    -- Set when stored coverage no longer matches the configuration (another
    -- max_gap or entities table): the next refresh must recompute everything.
    needs_full   boolean NOT NULL DEFAULT true,
    -- The CREATE VIEW statement the view was last built from.
    view_sql     text
);
INSERT INTO coverage.refresh_state DEFAULT VALUES;
