-- Windows of time: covered(c, w), ratio, gaps, to_multirange.
-- (quietly: whether an earlier test created it depends on which tests run)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_ext;
RESET client_min_messages;
SET timezone = 'UTC';

CREATE TEMP TABLE win AS SELECT
    'max_gap=300s [2024-01-01T01:00:00Z,2024-01-01T02:00:00Z]:120
                  [2024-01-01T03:00:00Z,2024-01-01T03:00:00Z]:1
                  [2024-01-01T04:00:00Z,2024-01-01T05:00:00Z]:60'::coverage.coverage AS c;

-- covered and ratio over windows that hold everything, cut a segment, miss all data.
SELECT w, coverage.covered(c, w), round(coverage.ratio(c, w)::numeric, 4) AS ratio
FROM win, unnest(ARRAY[
    '[2024-01-01 00:00, 2024-01-01 06:00)',
    '[2024-01-01 01:30, 2024-01-01 04:30]',
    '(2024-01-01 02:00, 2024-01-01 04:00)',
    '[2024-01-01 03:00, 2024-01-01 03:00]',
    '[2024-01-02, 2024-01-03)',
    'empty']::tstzrange[]) w;
-- Unbounded windows: covered works, ratio needs finite bounds.
SELECT coverage.covered(c, '(,)'), coverage.covered(c, '[2024-01-01 04:30,)'),
       coverage.covered(c, '[-infinity, infinity]') FROM win;
SELECT coverage.ratio(c, '[2024-01-01,)') FROM win;
SELECT coverage.ratio(c, '[-infinity,2024-01-01)') FROM win;

-- gaps(): the open stretches between segments.
SELECT coverage.gaps(c) FROM win;
SELECT coverage.gaps('max_gap=0s [2024-01-01T00:00:00Z,2024-01-01T00:00:00Z]:1');
SELECT coverage.gaps('max_gap=0s');
-- gaps(c, window): leading and trailing stretches included, bounds respected.
SELECT w, coverage.gaps(c, w)
FROM win, unnest(ARRAY[
    '[2024-01-01 00:00, 2024-01-01 06:00)',
    '(2024-01-01 01:00, 2024-01-01 03:00]',
    '[2024-01-01 01:30, 2024-01-01 01:45]',
    '[2024-01-01 02:00, 2024-01-01 04:00)',
    '[2024-01-02, 2024-01-03)',
    '(,)',
    'empty']::tstzrange[]) w;
-- Gaps and segments together rebuild the window exactly.
SELECT coverage.gaps(c, w) + c::tstzmultirange = w::tstzmultirange AS partition,
       coverage.gaps(c, w) * c::tstzmultirange = '{}'::tstzmultirange AS disjoint
FROM win, (VALUES ('[2024-01-01 00:00, 2024-01-01 06:00]'::tstzrange)) v(w);

-- to_multirange and its cast: closed ranges, a lone point is [t,t].
SELECT coverage.to_multirange(c), c::tstzmultirange = coverage.to_multirange(c) AS cast_same
FROM win;
SELECT coverage.to_multirange('max_gap=0s');
