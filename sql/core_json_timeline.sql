-- JSON conversion and the psql timeline.
-- (quietly: whether an earlier test created it depends on which tests run)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_ext;
RESET client_min_messages;
SET timezone = 'UTC';

CREATE TEMP TABLE jt AS SELECT
    'max_gap=300s [2024-01-01T01:00:00Z,2024-01-01T02:00:00Z]:120
                  [2024-01-01T03:00:00.5Z,2024-01-01T03:00:00.5Z]:1'::coverage.coverage AS c;

-- ISO 8601 times exactly as to_jsonb(timestamptz) writes them, in the session zone.
SELECT coverage.to_jsonb(c) FROM jt;
SELECT c::jsonb = coverage.to_jsonb(c) AS cast_same,
       coverage.to_jsonb(c) -> 0 ->> 'start'
           = to_jsonb('2024-01-01 01:00+00'::timestamptz) #>> '{}'
           AS matches_to_jsonb
FROM jt;
SET timezone = 'America/New_York';
SELECT coverage.to_jsonb(c) -> 0 FROM jt;
SET timezone = 'UTC';
SELECT coverage.to_jsonb('max_gap=1s');
SELECT jsonb_array_length(coverage.to_jsonb(c)), (coverage.to_jsonb(c) -> 0 ->> 'points')::bigint
FROM jt;

-- timeline: covered throughout, partly covered or holding a point, empty.
SELECT coverage.timeline(c, '[2024-01-01 00:00, 2024-01-01 06:00)', 24) FROM jt;
SELECT coverage.timeline(c, '[2024-01-01 00:00, 2024-01-01 06:00)') FROM jt;
SELECT length(coverage.timeline(c, '[2024-01-01 00:00, 2024-01-01 06:00)')) FROM jt;
SELECT coverage.timeline(c, '[2024-01-01 01:00, 2024-01-01 02:00]', 4) FROM jt;
SELECT coverage.timeline(c, '[2024-02-01, 2024-03-01)', 10) FROM jt;
SELECT coverage.timeline(c, '[2024-01-01 03:00, 2024-01-01 03:00:01)', 1) FROM jt;
-- A window shorter (in microseconds) than the width still draws width characters.
SELECT coverage.timeline('max_gap=0s [2024-01-01T00:00:00.000002Z,2024-01-01T00:00:00.000002Z]:1',
                         '[2024-01-01 00:00:00, 2024-01-01 00:00:00.000004)', 8);
-- Bad windows and widths: 22023.
\set VERBOSITY sqlstate
SELECT coverage.timeline(c, '[2024-01-01,)', 10) FROM jt;
SELECT coverage.timeline(c, 'empty', 10) FROM jt;
SELECT coverage.timeline(c, '[2024-01-01, 2024-01-02)', 0) FROM jt;
SELECT coverage.timeline(c, '[2024-01-01, 2024-01-02)', 10001) FROM jt;
\set VERBOSITY default
SELECT coverage.timeline(c, '[2024-01-01,)', 10) FROM jt;
SELECT coverage.timeline(c, 'empty', 10) FROM jt;
SELECT coverage.timeline(c, '[2024-01-01, 2024-01-02)', 0) FROM jt;
SELECT coverage.timeline(c, NULL, 10) FROM jt;
