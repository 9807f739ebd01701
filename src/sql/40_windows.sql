-- ===================================================================
-- Windows of time, ranges, JSON and the psql timeline
-- ===================================================================

CREATE FUNCTION coverage.covered(coverage.coverage, tstzrange) RETURNS interval
    AS 'MODULE_PATHNAME', 'coverage_covered_window'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.ratio(coverage.coverage, tstzrange) RETURNS double precision
    AS 'MODULE_PATHNAME', 'coverage_ratio' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.gaps(coverage.coverage) RETURNS tstzmultirange
    AS 'MODULE_PATHNAME', 'coverage_gaps' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.gaps(coverage.coverage, tstzrange) RETURNS tstzmultirange
    AS 'MODULE_PATHNAME', 'coverage_gaps_window' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.to_multirange(coverage.coverage) RETURNS tstzmultirange
    AS 'MODULE_PATHNAME', 'coverage_to_multirange'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- STABLE, not IMMUTABLE: times are written in the session's TimeZone.
CREATE FUNCTION coverage.to_jsonb(coverage.coverage) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'coverage_to_jsonb' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.timeline(coverage.coverage, tstzrange, width integer DEFAULT 60)
    RETURNS text AS 'MODULE_PATHNAME', 'coverage_timeline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (coverage.coverage AS tstzmultirange)
    WITH FUNCTION coverage.to_multirange(coverage.coverage);
CREATE CAST (coverage.coverage AS jsonb) WITH FUNCTION coverage.to_jsonb(coverage.coverage);
