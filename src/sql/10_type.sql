-- coverage_ext install script, assembled from src/sql/*.sql in name order.
\echo Use "CREATE EXTENSION coverage_ext" to load this file. \quit

-- ===================================================================
-- The coverage type: an immutable, validated set of time segments
-- ===================================================================

CREATE TYPE coverage.coverage;

CREATE FUNCTION coverage.coverage_in(cstring) RETURNS coverage.coverage
    AS 'MODULE_PATHNAME', 'coverage_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_out(coverage.coverage) RETURNS cstring
    AS 'MODULE_PATHNAME', 'coverage_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_recv(internal) RETURNS coverage.coverage
    AS 'MODULE_PATHNAME', 'coverage_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_send(coverage.coverage) RETURNS bytea
    AS 'MODULE_PATHNAME', 'coverage_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE coverage.coverage (
    INPUT = coverage.coverage_in,
    OUTPUT = coverage.coverage_out,
    RECEIVE = coverage.coverage_recv,
    SEND = coverage.coverage_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    -- Out of line without compression: large values can then be read in slices, so a
    -- cancel is never stuck behind a long fetch or decompression (see value.cpp), and
    -- first_ts, last_ts and num_segments read just the chunks they need.
    STORAGE = external
);
COMMENT ON TYPE coverage.coverage IS
    'time segments (start, end, points) of a set of timestamps, with their max_gap';

-- One segment, as coverage.segments() returns them.
CREATE TYPE coverage.segment AS (start_ts timestamptz, end_ts timestamptz, points bigint);

-- Equality: same max_gap and the same segments.
CREATE FUNCTION coverage.coverage_eq(coverage.coverage, coverage.coverage) RETURNS boolean
    AS 'MODULE_PATHNAME', 'coverage_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION coverage.coverage_ne(coverage.coverage, coverage.coverage) RETURNS boolean
    AS 'MODULE_PATHNAME', 'coverage_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR coverage.= (
    LEFTARG = coverage.coverage, RIGHTARG = coverage.coverage,
    FUNCTION = coverage.coverage_eq, COMMUTATOR = OPERATOR(coverage.=),
    NEGATOR = OPERATOR(coverage.<>), RESTRICT = eqsel, JOIN = eqjoinsel
);
CREATE OPERATOR coverage.<> (
    LEFTARG = coverage.coverage, RIGHTARG = coverage.coverage,
    FUNCTION = coverage.coverage_ne, COMMUTATOR = OPERATOR(coverage.<>),
    NEGATOR = OPERATOR(coverage.=), RESTRICT = neqsel, JOIN = neqjoinsel
);
