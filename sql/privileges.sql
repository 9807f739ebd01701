-- Privileges: configuration and refresh are revoked from PUBLIC, reading can
-- be granted to a read role, owner-run functions pin search_path.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS coverage_ext CASCADE;
CREATE EXTENSION coverage_ext;
DROP ROLE IF EXISTS regress_cov_reader;
DROP ROLE IF EXISTS regress_cov_admin;
DROP ROLE IF EXISTS regress_cov_nobody;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
\set SHOW_CONTEXT never

CREATE TABLE pv_items (id text PRIMARY KEY);
INSERT INTO pv_items VALUES ('a'), ('b');
CREATE TABLE pv_points (item text, ts timestamptz);
INSERT INTO pv_points VALUES ('a', '2024-01-01 00:00+00');
CREATE TABLE pv_secret (item text, ts timestamptz);

CREATE ROLE regress_cov_reader;
CREATE ROLE regress_cov_admin;
CREATE ROLE regress_cov_nobody;
-- The grants of docs/view.md.
GRANT USAGE ON SCHEMA coverage TO regress_cov_reader, regress_cov_admin;
GRANT SELECT ON coverage.entity_coverage TO regress_cov_reader;
GRANT EXECUTE ON FUNCTION coverage.stats(text, text, text, integer, integer)
    TO regress_cov_reader;
GRANT regress_cov_reader TO regress_cov_admin;
GRANT EXECUTE ON FUNCTION coverage.set_entities(regclass, name, name, name[], name),
                          coverage.add_source(regclass, name, name, text),
                          coverage.drop_source(regclass),
                          coverage.set_max_gap(interval),
                          coverage.refresh(boolean, boolean)
    TO regress_cov_admin;
GRANT SELECT ON pv_items, pv_points TO regress_cov_admin;
GRANT USAGE ON SCHEMA coverage TO regress_cov_nobody;

-- The admin configures and refreshes; the sources it names must be readable
-- by it (checked for the session user, as configuring runs as the owner).
SET SESSION AUTHORIZATION regress_cov_admin;
SELECT coverage.set_entities('pv_items', 'id');
SELECT coverage.add_source('pv_points', 'item', 'ts');
SELECT coverage.add_source('pv_secret', 'item', 'ts');
SELECT coverage.set_max_gap('1 hour');
SELECT status, entities FROM coverage.refresh();
-- but it cannot touch the storage directly.
DELETE FROM coverage.entity_store;
RESET SESSION AUTHORIZATION;

-- The reader reads the view and stats(), and nothing else.
SET SESSION AUTHORIZATION regress_cov_reader;
SELECT key, pv_points_points, num_segments FROM coverage.entity_coverage ORDER BY key;
SELECT coverage.stats() -> 'summary' ->> 'entities_with_data' AS with_data;
SELECT coverage.refresh();
SELECT coverage.set_max_gap('1 day');
SELECT coverage.drop_source('pv_points');
SELECT * FROM coverage.entity_store;
SELECT * FROM coverage.settings;
RESET SESSION AUTHORIZATION;

-- A role without grants gets permission denied (42501) everywhere.
SET SESSION AUTHORIZATION regress_cov_nobody;
\set VERBOSITY sqlstate
SELECT * FROM coverage.entity_coverage;
SELECT coverage.stats();
SELECT coverage.refresh();
SELECT coverage.add_source('pv_points', 'item', 'ts');
SELECT coverage.set_entities('pv_items', 'id');
SELECT coverage._build_view();
\set VERBOSITY default
RESET SESSION AUTHORIZATION;

-- Grants on the view survive its rebuild by the configuration functions
-- (a new label keeps the stored points: the columns read are the same).
SELECT coverage.add_source('pv_points', 'item', 'ts', 'renamed');
SET SESSION AUTHORIZATION regress_cov_reader;
SELECT key, renamed_points FROM coverage.entity_coverage ORDER BY key;
RESET SESSION AUTHORIZATION;

-- The functions that run as their owner pin search_path; labels are truthful.
SELECT p.proname, p.prosecdef, p.provolatile, p.proparallel, p.proconfig
  FROM pg_proc p
 WHERE p.pronamespace = 'coverage'::regnamespace
   AND p.proname IN ('set_entities', 'add_source', 'drop_source', 'set_max_gap',
                     'refresh', 'stats')
 ORDER BY 1;
-- Nothing of the view's API is executable by PUBLIC, except the decoder of
-- captured points, which the live view calls with its reader's privileges.
SELECT p.proname
  FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
 WHERE p.pronamespace = 'coverage'::regnamespace AND a.grantee = 0
   AND (p.proname IN ('set_entities', 'add_source', 'drop_source', 'set_max_gap',
                      'refresh', 'stats')
        OR (p.proname LIKE '\_%'
            AND p.proname NOT IN ('_pending_points', '_pending_keys', '_pending_times')));

DROP EXTENSION coverage_ext;
DROP TABLE pv_items, pv_points, pv_secret;
REVOKE USAGE ON SCHEMA coverage FROM regress_cov_reader, regress_cov_admin, regress_cov_nobody;
DROP ROLE regress_cov_reader, regress_cov_admin, regress_cov_nobody;
