-- Limits: absurd numbers in text or binary input fail with 22P02 or 22P03 before any
-- allocation that the input's own size does not bound; every bigint point count and
-- every finite time survives a round trip through text; point counts beyond bigint
-- fail with 22003. Values over the 1 GB datum limit (54000) need gigabytes of memory
-- to build and are checked outside this suite (README, "Limits").
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql

-- Runs a statement and reports its SQLSTATE, message and detail, or "ok".
CREATE FUNCTION pg_temp.outcome(statement text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ' ' || SQLERRM || coalesce(' / ' || nullif(detail, ''), '');
END $$;

-- Text input: numbers past every limit.
SELECT label, pg_temp.outcome(format('SELECT %L::coverage.coverage', input)) AS outcome
FROM (VALUES
    ('count just past bigint',
     'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:9223372036854775808'),
    ('count of 40 digits',
     'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:' || repeat('9', 40)),
    ('count of a million digits',
     'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:' || repeat('9', 1000000)),
    ('year 999999',
     'max_gap=5s [999999-12-31T23:59:59Z,999999-12-31T23:59:59Z]:1'),
    ('year -999999',
     'max_gap=5s [-999999-01-01T00:00:00Z,-999999-01-01T00:00:00Z]:1'),
    ('year of seven digits',
     'max_gap=5s [1000000-01-01T00:00:00Z,1000000-01-01T00:00:00Z]:1'),
    ('max_gap of 16 digits', 'max_gap=9999999999999999s'),
    ('max_gap of a million digits', 'max_gap=' || repeat('9', 1000000) || 's'),
    ('fraction of 7 digits', 'max_gap=0.0000001s'),
    ('total past bigint',
     'max_gap=0s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:9223372036854775807 '
     || '[2024-01-01T00:00:01Z,2024-01-01T00:00:01Z]:1'),
    ('largest count', 'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:'
     || '9223372036854775807'),
    ('last finite time', 'max_gap=5s [294276-12-31T23:59:59.999999Z,'
     || '294276-12-31T23:59:59.999999Z]:1')
) t(label, input);

-- Counts of 19 digits, made by merging, read back from their own text form.
WITH v AS (
    SELECT coverage.merge(c, c) AS c
      FROM (SELECT 'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:999999999999999999'
                   ::coverage.coverage AS c) s
)
SELECT c, c::text::coverage.coverage OPERATOR(coverage.=) c AS reads_back FROM v;
-- A merge past bigint is an error, not a wrap-around.
SELECT pg_temp.outcome($$
    SELECT coverage.merge(c, c)
      FROM (SELECT 'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:9223372036854775807'
                   ::coverage.coverage AS c) s$$) AS merge_past_bigint;
SELECT pg_temp.outcome($$
    SELECT coverage.rollup(c)
      FROM (SELECT 'max_gap=5s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:5000000000000000000'
                   ::coverage.coverage AS c FROM generate_series(1, 2)) s$$) AS rollup_past_bigint;

-- Binary input: segment counts that the bytes cannot back are rejected from the header
-- alone. 44739199 is the largest count a value may hold.
SELECT '/tmp/coverage_limits_' || pg_backend_pid() AS binfile \gset
CREATE TEMP TABLE rl_values (c coverage.coverage);
SELECT label, pg_temp.outcome(format(
           'COPY (SELECT %L::bytea) TO %L (FORMAT binary); '
           'COPY rl_values FROM %L (FORMAT binary)',
           bytes, :'binfile', :'binfile')) AS outcome
FROM (VALUES
    ('largest count, no segments',
     '\x01000000000000000000000000' || lpad(to_hex(44739199), 8, '0')),
    ('count one past the limit',
     '\x01000000000000000000000000' || lpad(to_hex(44739200), 8, '0')),
    ('count 2^31 - 1', '\x01000000000000000000000000' || to_hex(2147483647)),
    ('count 1, two segments', '\x0100000000000000000000000000000001'
     || repeat('000000000000000a000000000000000a0000000000000001', 2))
) t(label, bytes);
SELECT count(*) AS values_read FROM rl_values;
