-- The aggregate's flush sorts its pending points in runs of 64k, checking for interrupts
-- between runs, and merges the runs pairwise. Shuffled input whose flushes hold one to
-- five runs (an odd number leaves a run without a partner in some passes) must give
-- exactly what time-ordered input gives.
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql
SET max_parallel_workers_per_gather = 0;

-- i * 7919 mod n is a permutation of 0 .. n - 1 for these n. Point p lies at p + p / 3
-- seconds: runs of three points one second apart, two seconds between runs, so with a
-- max_gap of one second every run of three joins, and with 0 none do.
SELECT n, max_gap, coverage.num_segments(shuffled) AS segments,
       coverage.num_points(shuffled) AS points,
       shuffled OPERATOR(coverage.=) ordered AS same_as_ordered
FROM (VALUES (100000), (330000), (600000)) v(n),
     (VALUES (interval '0'), (interval '1 second')) g(max_gap),
     LATERAL (
        SELECT coverage.coverage_agg(ts, g.max_gap) AS shuffled,
               coverage.coverage_agg(ts, g.max_gap ORDER BY ts) AS ordered
          FROM (SELECT '2000-01-01'::timestamptz + make_interval(secs => p + p / 3) AS ts
                  FROM (SELECT (i * 7919) % v.n AS p
                          FROM generate_series(0::bigint, v.n - 1) i) s) t) a
ORDER BY n, max_gap;
