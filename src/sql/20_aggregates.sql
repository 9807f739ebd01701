-- ===================================================================
-- Aggregates: coverage_agg over points, rollup over stored values
-- ===================================================================
-- Both keep an internal state (see src/pg/aggregate_state.hpp) and share the
-- combine, serialize and deserialize functions, so both run in parallel plans.

CREATE FUNCTION coverage.coverage_agg_transfn(internal, timestamptz, interval)
    RETURNS internal AS 'MODULE_PATHNAME', 'coverage_agg_transfn'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_agg_finalfn(internal) RETURNS coverage.coverage
    AS 'MODULE_PATHNAME', 'coverage_agg_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_rollup_transfn(internal, coverage.coverage)
    RETURNS internal AS 'MODULE_PATHNAME', 'coverage_rollup_transfn'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_rollup_finalfn(internal) RETURNS coverage.coverage
    AS 'MODULE_PATHNAME', 'coverage_rollup_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_combinefn(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'coverage_combinefn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_serializefn(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'coverage_serializefn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_deserializefn(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'coverage_deserializefn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE coverage.coverage_agg(ts timestamptz, max_gap interval) (
    SFUNC = coverage.coverage_agg_transfn,
    STYPE = internal,
    FINALFUNC = coverage.coverage_agg_finalfn,
    COMBINEFUNC = coverage.coverage_combinefn,
    SERIALFUNC = coverage.coverage_serializefn,
    DESERIALFUNC = coverage.coverage_deserializefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE coverage.coverage_agg(timestamptz, interval) IS
    'segments of the points, joining points at most max_gap apart';

CREATE AGGREGATE coverage.rollup(coverage.coverage) (
    SFUNC = coverage.coverage_rollup_transfn,
    STYPE = internal,
    FINALFUNC = coverage.coverage_rollup_finalfn,
    COMBINEFUNC = coverage.coverage_combinefn,
    SERIALFUNC = coverage.coverage_serializefn,
    DESERIALFUNC = coverage.coverage_deserializefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE coverage.rollup(coverage.coverage) IS
    'merges coverage values that share one max_gap';

CREATE FUNCTION coverage.merge(coverage.coverage, coverage.coverage) RETURNS coverage.coverage
    AS 'MODULE_PATHNAME', 'coverage_merge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
