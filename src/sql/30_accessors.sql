-- ===================================================================
-- Accessors
-- ===================================================================

CREATE FUNCTION coverage.segments(coverage.coverage) RETURNS coverage.segment[]
    AS 'MODULE_PATHNAME', 'coverage_segments' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.num_segments(coverage.coverage) RETURNS integer
    AS 'MODULE_PATHNAME', 'coverage_num_segments' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.num_points(coverage.coverage) RETURNS bigint
    AS 'MODULE_PATHNAME', 'coverage_num_points' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.first_ts(coverage.coverage) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'coverage_first_ts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.last_ts(coverage.coverage) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'coverage_last_ts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.max_gap(coverage.coverage) RETURNS interval
    AS 'MODULE_PATHNAME', 'coverage_max_gap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.covered(coverage.coverage) RETURNS interval
    AS 'MODULE_PATHNAME', 'coverage_covered' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.covers(coverage.coverage, timestamptz) RETURNS boolean
    AS 'MODULE_PATHNAME', 'coverage_covers' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
