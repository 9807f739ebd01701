-- ===================================================================
-- Aggregates: coverage_agg over points, rollup over stored values
-- ===================================================================
-- The state type is coverage.coverage itself, updated in place as an expanded
-- object (src/pg/expanded_state.hpp): partial results are plain coverage values,
-- so parallel workers, stored partials and engines that ship partial aggregates
-- as text can all combine them. The support functions refuse to run outside an
-- aggregate.

CREATE FUNCTION coverage.coverage_agg_transfn(coverage.coverage, timestamptz, interval)
    RETURNS coverage.coverage AS 'MODULE_PATHNAME', 'coverage_agg_transfn'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_agg_combinefn(coverage.coverage, coverage.coverage)
    RETURNS coverage.coverage AS 'MODULE_PATHNAME', 'coverage_agg_combinefn'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_agg_finalfn(coverage.coverage) RETURNS coverage.coverage
    AS 'MODULE_PATHNAME', 'coverage_agg_finalfn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_rollup_transfn(coverage.coverage, coverage.coverage)
    RETURNS coverage.coverage AS 'MODULE_PATHNAME', 'coverage_rollup_transfn'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_rollup_finalfn(coverage.coverage) RETURNS coverage.coverage
    AS 'MODULE_PATHNAME', 'coverage_rollup_finalfn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE coverage.coverage_agg(ts timestamptz, max_gap interval) (
    SFUNC = coverage.coverage_agg_transfn,
    STYPE = coverage.coverage,
    FINALFUNC = coverage.coverage_agg_finalfn,
    COMBINEFUNC = coverage.coverage_agg_combinefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE coverage.coverage_agg(timestamptz, interval) IS
    'segments of the points, joining points at most max_gap apart';

CREATE AGGREGATE coverage.rollup(coverage.coverage) (
    SFUNC = coverage.coverage_rollup_transfn,
    STYPE = coverage.coverage,
    FINALFUNC = coverage.coverage_rollup_finalfn,
    COMBINEFUNC = coverage.coverage_rollup_transfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE coverage.rollup(coverage.coverage) IS
    'merges coverage values that share one max_gap';

CREATE FUNCTION coverage.merge(coverage.coverage, coverage.coverage) RETURNS coverage.coverage
    AS 'MODULE_PATHNAME', 'coverage_merge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
