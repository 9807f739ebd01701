-- The coverage type's text and binary forms: round trips and validation.
-- (quietly: whether an earlier test created it depends on which tests run)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_ext;
RESET client_min_messages;
SET timezone = 'UTC';
-- The = and <> operators live in schema coverage.
SET search_path = public, coverage;

-- Text form round-trips, including an empty value, fractions and far years.
SELECT 'max_gap=300s [2024-01-01T00:00:00Z,2024-01-01T01:00:00Z]:120'::coverage.coverage;
SELECT 'max_gap=0s'::coverage.coverage;
SELECT ' max_gap=0.5s [ -4713-11-24T00:00:00Z , -4713-11-24T00:00:00Z ]:1
         [294276-12-31T23:59:59.999999Z,294276-12-31T23:59:59.999999Z]:7 '::coverage.coverage;
SELECT 'max_gap=86400s [2024-01-01T00:00:00.25Z,2024-01-03T00:00:00Z]:2'::coverage.coverage::text
       ::coverage.coverage;

-- Malformed text: every error is 22P02 and says where.
SELECT ''::coverage.coverage;
SELECT 'max_gap=5'::coverage.coverage;
SELECT 'max_gap=5m'::coverage.coverage;
SELECT 'max_gap=-5s'::coverage.coverage;
SELECT 'max_gap=1234567890123456s'::coverage.coverage;
SELECT 'max_gap=5s [2024-01-01T00:00:00Z]:1'::coverage.coverage;
SELECT 'max_gap=5s [2024-01-01 00:00:00Z,2024-01-01T00:00:00Z]:1'::coverage.coverage;
SELECT 'max_gap=5s [2024-01-01T00:00:00+01,2024-01-01T00:00:00Z]:1'::coverage.coverage;
SELECT 'max_gap=5s [2023-02-29T00:00:00Z,2023-02-29T00:00:00Z]:1'::coverage.coverage;
SELECT 'max_gap=5s [294277-01-01T00:00:00Z,294277-01-01T00:00:00Z]:1'::coverage.coverage;
SELECT 'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:1 trailing'::coverage.coverage;
SELECT 'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:99999999999999999999'
       ::coverage.coverage;

-- Well-formed text that breaks the rules of a coverage value.
SELECT 'max_gap=5s [2024-01-01T00:00:01Z,2024-01-01T00:00:00Z]:2'::coverage.coverage;
SELECT 'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:0'::coverage.coverage;
SELECT 'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:09Z]:1'::coverage.coverage;
SELECT 'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:1
                   [2024-01-01T00:00:05Z,2024-01-01T00:00:05Z]:1'::coverage.coverage;
SELECT 'max_gap=5s [2024-01-01T00:00:10Z,2024-01-01T00:00:10Z]:1
                   [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:1'::coverage.coverage;
-- Ten segments of 999999999999999999 points: the total no longer fits a bigint.
SELECT ('max_gap=0s ' || string_agg(format('[%s,%s]:999999999999999999',
            to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
            ' '))::coverage.coverage
FROM generate_series('2024-01-01'::timestamptz, '2024-01-01 00:00:09', '1 second') t;
-- Just more than max_gap apart is fine.
SELECT 'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:1
                   [2024-01-01T00:00:05.000001Z,2024-01-01T00:00:05.000001Z]:1'::coverage.coverage;

-- Binary send/receive round-trips through COPY BINARY (files written by the server).
SELECT '/tmp/coverage_regress_' || pg_backend_pid() AS binfile \gset
CREATE TEMP TABLE io_src (c coverage.coverage);
INSERT INTO io_src VALUES
    ('max_gap=300s [2024-01-01T00:00:00Z,2024-01-01T01:00:00Z]:120
                   [2024-01-02T00:00:00Z,2024-01-02T00:00:00Z]:1'),
    ('max_gap=0s'), (NULL);
COPY io_src TO :'binfile' (FORMAT binary);
CREATE TEMP TABLE io_dst (c coverage.coverage);
COPY io_dst FROM :'binfile' (FORMAT binary);
SELECT d.c, s.c = d.c AS same FROM io_src s JOIN io_dst d ON s.c = d.c ORDER BY 1::text;
SELECT count(*) AS nulls FROM io_dst WHERE c IS NULL;

-- Binary input is validated like text: bytes written as a bytea column and read
-- back as coverage. Layout: version, gap days, gap usecs, count, segments.
CREATE TEMP TABLE io_bad (b bytea);
CREATE FUNCTION pg_temp.read_as_coverage(bytes bytea) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE io_bad;
    INSERT INTO io_bad VALUES (bytes);
    EXECUTE format('COPY io_bad TO %L (FORMAT binary)', current_setting('my.binfile'));
    EXECUTE format('COPY io_dst FROM %L (FORMAT binary)', current_setting('my.binfile'));
END $$;
SELECT set_config('my.binfile', :'binfile', false) IS NOT NULL AS ok;
\set SHOW_CONTEXT never
SELECT pg_temp.read_as_coverage('\x01');                                     -- too short
SELECT pg_temp.read_as_coverage('\x02' || '\x00000000000000000000000000000000'::bytea);
SELECT pg_temp.read_as_coverage('\x01' || '\x0000000000000000004c4b4000000001'::bytea);
SELECT pg_temp.read_as_coverage('\x01' || '\x00000000ffffffffffffffff00000000'::bytea);
SELECT pg_temp.read_as_coverage('\x01' || '\x0000000000000000004c4b40ffffffff'::bytea);
SELECT pg_temp.read_as_coverage('\x01' || '\x0000000000000000004c4b4000000002'::bytea
    || '\x000000000000000a000000000000000a0000000000000001'::bytea     -- [10,10]:1
    || '\x000000000000000000000000000000000000000000000001'::bytea);  -- [0,0]:1
SELECT pg_temp.read_as_coverage('\x01' || '\x0000000000000000004c4b4000000001'::bytea
    || '\x7fffffffffffffff7fffffffffffffff0000000000000001'::bytea);  -- infinity
-- A valid one goes through.
SELECT pg_temp.read_as_coverage('\x01' || '\x0000000000000000004c4b4000000001'::bytea
    || '\x000000000000000a000000000000000a0000000000000001'::bytea);
SELECT c FROM io_dst WHERE c::text LIKE '%2000-01-01%';

-- Equality and inequality compare max_gap and segments.
SELECT 'max_gap=5s'::coverage.coverage = 'max_gap=5s'::coverage.coverage AS same_empty,
       'max_gap=5s'::coverage.coverage = 'max_gap=6s'::coverage.coverage AS other_gap,
       'max_gap=5s'::coverage.coverage <> 'max_gap=6s'::coverage.coverage AS differ;
