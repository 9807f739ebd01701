-- ---------------------------------------------------------------------------
-- Privileges of the coverage view's objects.
--
-- Configuring and refreshing are for an admin role, reading coverage data for
-- a read role: nothing here is left to PUBLIC (functions are executable by
-- PUBLIC unless revoked).  docs/view.md shows the grants for both roles.
-- The internal functions (coverage._*) run only inside the owner's functions.
-- ---------------------------------------------------------------------------

DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN
        SELECT p.oid FROM pg_proc p
         WHERE p.pronamespace = 'coverage'::regnamespace
           AND p.proname IN ('set_entities', 'add_source', 'drop_source', 'set_max_gap',
                             'refresh', 'stats', '_lock_key', '_reserved_columns',
                             '_check_relation', '_column_type', '_check_source',
                             '_check_sources',
                             '_check_entities', '_settings', '_view_sql', '_build_view',
                             '_sync_view', '_refresh_source', '_rebuild_entities', '_clear_slot',
                             '_stats_entities_sql', '_stats_search_json', '_stats_points_sql',
                             '_capture',
                             '_capture_insert', '_fold_pending', '_fold_pending_transfn',
                             '_fold_pending_finalfn',
                             '_capture_triggers', '_members', '_capturable',
                             '_drop_capture', '_sync_capture', '_sync_entities',
                             '_entities_changed', '_sync_entities_watch')
    LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
    END LOOP;
END
$$;

-- Tables and the view grant nothing to PUBLIC by default; say so explicitly.
REVOKE ALL ON coverage.settings, coverage.sources, coverage._source_coverage,
              coverage.entity_store, coverage.refresh_state, coverage.entity_coverage,
              coverage.pending, coverage.dirty, coverage.captured, coverage.known_entities,
              coverage.entities_changed, coverage.entity_coverage_live, coverage._live_pending,
              coverage._live_dirty
    FROM PUBLIC;
