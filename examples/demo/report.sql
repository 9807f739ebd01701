-- The demo's report: what coverage_ext found in the data of examples/demo/data.sql, after
-- examples/demo/coverage.sql configured the view. Timelines span the whole collection
-- period; one character is an equal slice of it: █ recorded throughout, ▒ partly, · not.

\set ON_ERROR_STOP on
\set width 64
\pset footer off

\echo '== coverage.refresh()'
SELECT status, entities, date_trunc('milliseconds', duration) AS duration
  FROM coverage.refresh();

\echo '== coverage.stats() -> ''summary'''
\pset tuples_only on
\pset format unaligned
SELECT jsonb_pretty(coverage.stats() -> 'summary');
\pset format aligned
\echo

\echo '== collector outages (table collector_outages)'
\pset tuples_only off
SELECT to_char(starts_at, 'Mon DD HH24:MI') AS starts, to_char(ends_at, 'Mon DD HH24:MI') AS ends,
       reason
  FROM collector_outages ORDER BY starts_at;

\pset tuples_only on
\pset format unaligned
-- A ruler over the timelines: the date at every seventh day, or every 14th, 21st... when
-- the period is long; a label that would run into the next is left out.
CREATE FUNCTION pg_temp.ruler(period tstzrange, width integer) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT rtrim(string_agg(CASE WHEN n > length(label) THEN rpad(label, n)
                                 ELSE repeat(' ', n) END, '' ORDER BY d))
      FROM (SELECT d, to_char(d, 'Mon FMDD') AS label,
                   lead(pos, 1, width) OVER (ORDER BY d) - pos AS n
              FROM (SELECT d, floor(extract(epoch FROM d - lower(period))
                                    / extract(epoch FROM upper(period) - lower(period))
                                    * width)::integer AS pos
                      FROM generate_series(lower(period), upper(period) - interval '1 day',
                                           make_interval(days => 7 * ceil(
                                               extract(epoch FROM upper(period) - lower(period))
                                               / 86400 / 28)::integer)) AS d) AS t) AS r
$$;

-- One line per market: ticker, timeline over the period, status.
CREATE FUNCTION pg_temp.market_line(ticker text, status text, cov coverage.coverage,
                                    period tstzrange, width integer) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT rpad(ticker, 24) || coalesce(coverage.timeline(cov, period, width),
                                        rpad('(no data)', width)) || ' ' || status
$$;

\echo
\echo '== every market at once: coverage.rollup() of all markets over the period'
SELECT rpad('', 24) || pg_temp.ruler(period, :width) FROM collection_period
UNION ALL
SELECT rpad('all markets', 24) || coverage.timeline(coverage.rollup(c.coverage), p.period,
                                                    :width)
  FROM coverage.entity_coverage c, collection_period p GROUP BY p.period;

-- Three events: those whose markets were recorded longest; then the first ungrouped markets
-- and the markets without any data.
\echo
\echo '== three events and their markets, then some ungrouped markets'
WITH shown AS (
    SELECT group_key, sum(covered) AS covered
      FROM coverage.entity_coverage WHERE group_key IS NOT NULL
     GROUP BY group_key ORDER BY covered DESC, group_key LIMIT 3
), blocks AS (
    SELECT 1 AS block, s.group_key AS sort_key, 0 AS line,
           format('%s: %s (%s markets)', e.event_ticker, e.title,
                  (SELECT count(*) FROM markets m WHERE m.event_ticker = e.event_ticker)) AS text
      FROM shown s JOIN events e ON e.event_ticker = s.group_key
    UNION ALL
    SELECT 1, c.group_key, row_number() OVER (PARTITION BY c.group_key ORDER BY c.key),
           pg_temp.market_line(c.key, c.status, c.coverage, p.period, :width)
      FROM coverage.entity_coverage c JOIN shown s USING (group_key), collection_period p
    UNION ALL
    SELECT 2, NULL, 0, 'Ungrouped (first 5 of '
                       || (SELECT count(*) FROM markets WHERE event_ticker IS NULL) || ')'
    UNION ALL
    (SELECT 2, NULL, row_number() OVER (ORDER BY c.key),
            pg_temp.market_line(c.key, c.status, c.coverage, p.period, :width)
       FROM coverage.entity_coverage c, collection_period p
      WHERE c.group_key IS NULL ORDER BY c.key LIMIT 5)
    UNION ALL
    SELECT 3, NULL, 0, 'Without any data ('
                       || (SELECT count(*) FROM coverage.entity_coverage
                            WHERE coverage IS NULL) || ' markets, first 3)'
    UNION ALL
    (SELECT 3, NULL, row_number() OVER (ORDER BY c.key),
            pg_temp.market_line(c.key, c.status, c.coverage, p.period, :width)
       FROM coverage.entity_coverage c, collection_period p
      WHERE c.coverage IS NULL ORDER BY c.key LIMIT 3)
)
SELECT CASE WHEN line = 0 THEN E'\n' || text || E'\n' || rpad('', 24)
                               || pg_temp.ruler(p.period, :width)
            ELSE text END
  FROM blocks, collection_period p ORDER BY block, sort_key, line;

\echo
\echo '== the longest gaps inside a market''s life, outages excepted (coverage.gaps)'
\pset tuples_only off
\pset format aligned
SELECT c.key AS ticker, to_char(lower(g), 'Mon DD HH24:MI') AS gap_from,
       to_char(upper(g), 'Mon DD HH24:MI') AS gap_to, date_trunc('minute', upper(g) - lower(g))
           AS length
  FROM coverage.entity_coverage c, unnest(coverage.gaps(c.coverage)) AS g
 WHERE NOT EXISTS (SELECT FROM collector_outages o
                    WHERE tstzrange(o.starts_at, o.ends_at) && g)
 ORDER BY upper(g) - lower(g) DESC, c.key LIMIT 5;
