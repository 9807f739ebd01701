-- The two database roles the API example connects as, with the grants docs/view.md
-- recommends and nothing more: the read role may call coverage.stats() and read the view,
-- the refresh role may call coverage.refresh(). Run it as a superuser in the database that
-- has coverage_ext:
--
--   psql -v reader=coverage_api_reader -v refresher=coverage_api_refresher -f roles.sql
--
-- Roles belong to the whole cluster and are created when missing; the grants are per
-- database. Both may log in without a password only where pg_hba.conf trusts them (as on
-- the clusters of scripts/cluster.sh); elsewhere give them a password.

\set ON_ERROR_STOP on
\if :{?reader}
\else
\set reader coverage_api_reader
\endif
\if :{?refresher}
\else
\set refresher coverage_api_refresher
\endif

SELECT format('CREATE ROLE %I LOGIN', r)
  FROM unnest(ARRAY[:'reader', :'refresher']) AS r
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec

GRANT USAGE ON SCHEMA coverage TO :"reader", :"refresher";
GRANT SELECT ON coverage.entity_coverage TO :"reader";
GRANT EXECUTE ON FUNCTION coverage.stats(text, text, text, integer, integer) TO :"reader";
GRANT EXECUTE ON FUNCTION coverage.refresh(boolean, boolean) TO :"refresher";
