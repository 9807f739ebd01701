-- Accessors of a coverage value.
-- (quietly: whether an earlier test created it depends on which tests run)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_ext;
RESET client_min_messages;
SET timezone = 'UTC';

CREATE TEMP TABLE acc_values (name text, c coverage.coverage);
INSERT INTO acc_values VALUES
    ('two', 'max_gap=300s [2024-01-01T00:00:00Z,2024-01-01T01:00:00Z]:120
                          [2024-01-01T02:00:00Z,2024-01-01T02:30:00Z]:30'),
    ('lone', 'max_gap=0s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:1'),
    ('empty', 'max_gap=60s'),
    ('null', NULL);

SELECT name, coverage.num_segments(c), coverage.num_points(c), coverage.first_ts(c),
       coverage.last_ts(c), coverage.max_gap(c), coverage.covered(c)
FROM acc_values ORDER BY name;
SELECT name, coverage.segments(c) FROM acc_values ORDER BY name;
SELECT (s).start_ts, (s).end_ts, (s).points
FROM (SELECT unnest(coverage.segments(c)) AS s FROM acc_values WHERE name = 'two') x;

-- covers: inside, on both ends, between segments, infinities.
SELECT t, coverage.covers(c, t)
FROM acc_values, unnest(ARRAY['2024-01-01 00:00', '2024-01-01 01:00', '2024-01-01 01:00:00.000001',
                              '2024-01-01 02:15', '-infinity', 'infinity']::timestamptz[]) t
WHERE name = 'two' ORDER BY t;
SELECT coverage.covers(c, NULL) FROM acc_values WHERE name = 'two';

-- covered() as an interval: days appear as PostgreSQL writes timestamp differences.
SELECT coverage.covered('max_gap=90000s [2024-01-01T00:00:00Z,2024-01-02T02:00:00Z]:2');
-- The whole timestamp range, without overflow.
SELECT coverage.covered(coverage.coverage_agg(ts, '2147483647 days'))
FROM (VALUES ('4714-11-24 00:00:00+00 BC'::timestamptz),
             ('294276-12-31 23:59:59.999999+00')) s(ts);
-- max_gap comes back in canonical form.
SELECT coverage.max_gap(coverage.coverage_agg(now(), g))
FROM unnest(ARRAY['0', '1 microsecond', '24:00:00', '1 day 1 hour', '36 hours',
                  '2147483647 days 2562047788:00:54.775807']::interval[]) g GROUP BY g ORDER BY g;
