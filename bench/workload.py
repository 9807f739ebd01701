"""The benchmark's data set and its contenders (see bench.py)."""
from dataclasses import dataclass, field

DB_GAP = "15 minutes"  # max_gap of the market data: snapshots come about every 10
MEM_GAP = "1 minute"   # max_gap of the memory test: points come about every 50 ms
PERIOD_START = "2024-03-04 00:00:00+00"
PERIOD = "2 days"

# Feed-wide outages: the collector was down for every market. The 7-minute one opens a
# gap only where it falls between two snapshots that were already far apart.
GLOBAL_OUTAGES = ("{[2024-03-04 06:10+00,2024-03-04 06:55+00),"
                  "[2024-03-04 17:00+00,2024-03-04 17:20+00),"
                  "[2024-03-05 02:00+00,2024-03-05 04:30+00),"
                  "[2024-03-05 13:40+00,2024-03-05 13:47+00)}")
# Outages of one feed only; the snapshots keep the coverage going through them.
DELTA_OUTAGES = "{[2024-03-05 09:00+00,2024-03-05 10:30+00)}"
TRADE_OUTAGES = "{[2024-03-04 20:00+00,2024-03-04 22:00+00)}"


def activity_feed(table, count_column, feed_outages, payload):
    """Fills a feed whose rows fall at random through each market's life, in time order."""
    return f"""
        INSERT INTO {table}
        SELECT p.market, p.ts, {payload}
          FROM (SELECT m.market, m.outages,
                       m.life_start + random() * (m.life_end - m.life_start) AS ts
                  FROM bench_markets m, generate_series(1, m.{count_column})) p
         WHERE NOT p.outages @> p.ts AND NOT '{feed_outages}'::tstzmultirange @> p.ts
         ORDER BY p.ts"""


def generate_sql(rows):
    """Statements that (re)create the data set of about `rows` source rows.

    About 1,000 rows per market (at most 10,000 markets, five per event on average).
    Markets differ in lifetime and activity; 1% have not started and have no rows.
    Snapshots come at one fixed pace for every live market, deltas and trades at a
    rate that follows the market's activity. Rows inside an outage (feed-wide, of one
    market, or of one feed) are missing. Each table is filled in time order, as a
    collector appends.
    """
    markets = min(10_000, max(20, rows // 1000))
    events = max(1, markets // 5)
    return [
        "DROP TABLE IF EXISTS bench_meta, bench_markets, book_deltas, book_snapshots,"
        " trades, mem_points CASCADE",
        "SET work_mem = '1GB'",
        "SET max_parallel_workers_per_gather = 0",
        "SELECT setseed(0.4242)",
        f"""
        CREATE TABLE bench_markets AS
        WITH r AS (
            SELECT i, random() AS r_start, random() AS r_end, exp(random() * 3) AS activity,
                   random() < 0.01 AS upcoming, 1 + floor(random() * {events})::int AS ev,
                   random() AS o1, random() AS o1_at, random() AS o1_len,
                   random() AS o2, random() AS o2_at, random() AS o2_len
              FROM generate_series(1, {markets}) AS i
        ), life AS (
            SELECT r.*, s.life_start,
                   CASE WHEN r.r_end < 0.25
                        THEN s.life_start + (s.period_end - s.life_start)
                                            * (0.3 + r.r_end / 0.25 * 0.6)
                        ELSE s.period_end END AS life_end
              FROM r, LATERAL (
                SELECT '{PERIOD_START}'::timestamptz
                       + CASE WHEN r.r_start < 0.3 THEN r.r_start / 0.3 * 0.6 ELSE 0 END
                         * interval '{PERIOD}' AS life_start,
                       '{PERIOD_START}'::timestamptz + interval '{PERIOD}' AS period_end) s
        ), sized AS (
            SELECT l.*, CASE WHEN l.upcoming THEN 0
                             ELSE extract(epoch FROM l.life_end - l.life_start) END AS secs
              FROM life l
        ), outaged AS (
            SELECT s.*, '{GLOBAL_OUTAGES}'::tstzmultirange
                   + CASE WHEN o1 < 0.5 THEN tstzmultirange(tstzrange(
                         life_start + o1_at * (life_end - life_start),
                         life_start + o1_at * (life_end - life_start)
                         + interval '5 minutes' * exp(o1_len * 4.3)))
                     ELSE '{{}}' END
                   + CASE WHEN o2 < 0.2 THEN tstzmultirange(tstzrange(
                         life_start + o2_at * (life_end - life_start),
                         life_start + o2_at * (life_end - life_start)
                         + interval '5 minutes' * exp(o2_len * 4.3)))
                     ELSE '{{}}' END AS outages
              FROM sized s
        ), kept AS (
            -- Seconds of the market's life outside its outages: rows are drawn over
            -- the whole life and those in an outage dropped, so the draw is scaled up.
            SELECT o.*, greatest(o.secs - (
                       SELECT coalesce(sum(extract(epoch FROM upper(x) - lower(x))), 0)
                         FROM unnest(o.outages * tstzmultirange(
                                  tstzrange(o.life_start, o.life_end))) AS x), 0) AS live
              FROM outaged o
        )
        SELECT format('MKT-%s', lpad(i::text, 5, '0')) AS market,
               format('EVT-%s', lpad(ev::text, 4, '0')) AS event,
               format('Will outcome %s of event %s resolve yes?', i, ev) AS title,
               CASE WHEN upcoming THEN 'upcoming'
                    WHEN life_end < '{PERIOD_START}'::timestamptz + interval '{PERIOD}'
                    THEN 'closed' ELSE 'open' END AS status,
               life_start, life_end, outages,
               round(0.60 * {rows} * activity * live / sum(activity * live) OVER ()
                     * secs / greatest(live, 1))::int AS n_deltas,
               round(0.15 * {rows} * activity * live / sum(activity * live) OVER ()
                     * secs / greatest(live, 1))::int AS n_trades,
               floor(secs / (sum(live) OVER () / (0.25 * {rows})))::int AS n_snapshots,
               sum(live) OVER () / (0.25 * {rows}) * interval '1 second' AS snapshot_every
          FROM kept
        """,
        "ALTER TABLE bench_markets ADD PRIMARY KEY (market)",
        """
        CREATE TABLE book_deltas (market text NOT NULL, ts timestamptz NOT NULL,
                                  side "char" NOT NULL, price float8, size float8)""",
        """
        CREATE TABLE book_snapshots (market text NOT NULL, ts timestamptz NOT NULL,
                                     mid float8, spread float8, depth int)""",
        """
        CREATE TABLE trades (market text NOT NULL, ts timestamptz NOT NULL,
                             price float8, size float8)""",
        """
        INSERT INTO book_snapshots
        SELECT p.market, p.ts, round((0.05 + random() * 0.9)::numeric, 3),
               round((random() * 0.02)::numeric, 3), (random() * 5000)::int
          FROM (SELECT m.market, m.outages,
                       m.life_start + (k + 0.35 + 0.3 * random()) * m.snapshot_every AS ts
                  FROM bench_markets m, generate_series(0, m.n_snapshots - 1) AS k) p
         WHERE NOT p.outages @> p.ts
         ORDER BY p.ts""",
        activity_feed("book_deltas", "n_deltas", DELTA_OUTAGES,
                      "CASE WHEN random() < 0.5 THEN 'b' ELSE 'a' END,"
                      " round((0.05 + random() * 0.9)::numeric, 3),"
                      " round((random() * 1000)::numeric, 1)"),
        activity_feed("trades", "n_trades", TRADE_OUTAGES,
                      "round((0.05 + random() * 0.9)::numeric, 3),"
                      " round((random() * 200)::numeric, 1)"),
        # Ten dense stretches a day apart, each about rows/10 points 50 ms apart on
        # average, stored in random order.
        f"""
        CREATE TABLE mem_points AS
        SELECT '{PERIOD_START}'::timestamptz + (i % 10) * interval '1 day'
               + random() * ({rows // 10} * interval '50 milliseconds') AS ts
          FROM generate_series(0, {rows - 1}) AS i
         ORDER BY random()""",
        "CREATE INDEX ON book_deltas (market, ts)",
        "CREATE INDEX ON book_snapshots (market, ts)",
        "CREATE INDEX ON trades (market, ts)",
        # Index-only scans for the ordered contenders need the visibility map.
        "VACUUM ANALYZE bench_markets, book_deltas, book_snapshots, trades, mem_points",
    ]


SOURCES = ("(SELECT market, ts FROM book_deltas UNION ALL SELECT market, ts FROM book_snapshots"
           " UNION ALL SELECT market, ts FROM trades) p")
# The same rows in (market, ts) order: a Merge Append of the three (market, ts) indexes.
# Ordering by market alone would leave each market's rows in source order.
ORDERED_SOURCES = SOURCES.replace(") p", " ORDER BY market, ts) p")
GAP = f"'{DB_GAP}'::interval"



def floor_sql(sources):
    return (f"SELECT p.market, count(*) AS n, min(p.ts) AS first_ts, max(p.ts) AS last_ts"
            f" FROM {sources} GROUP BY p.market")


def coverage_sql(sources):
    return (f"SELECT p.market, coverage.coverage_agg(p.ts, {GAP}) AS cov"
            f" FROM {sources} GROUP BY p.market")


FLOOR = floor_sql(SOURCES)
COVERAGE = coverage_sql(SOURCES)
# Gaps and islands: a point more than max_gap after its predecessor starts a segment;
# a running count of such starts numbers the segments.
WINDOW = f"""SELECT market, min(ts) AS start_ts, max(ts) AS end_ts, count(*) AS points
  FROM (SELECT market, ts, count(*) FILTER (WHERE starts) OVER (PARTITION BY market
               ORDER BY ts ROWS UNBOUNDED PRECEDING) AS seg
          FROM (SELECT p.market, p.ts, p.ts - lag(p.ts) OVER (PARTITION BY p.market
                       ORDER BY p.ts) > {GAP} AS starts
                  FROM {SOURCES}) a) b
 GROUP BY market, seg"""
# Closed ranges [ts, ts + gap] overlap or touch exactly when the points lie at most
# max_gap apart, so each merged range is a segment stretched by max_gap at its end.
RANGE_AGG = f"SELECT p.market, range_agg(tstzrange(p.ts, p.ts + {GAP}, '[]')) AS r" \
            f" FROM {SOURCES} GROUP BY p.market"
MEM_SCAN = "SELECT count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts FROM mem_points"
MEM_COVERAGE = f"SELECT coverage.coverage_agg(ts, '{MEM_GAP}') AS cov FROM mem_points"

# Rows (market, start_ts, end_ts, points) for the identity check.
COVERAGE_SEGMENTS = "SELECT q.market, s.start_ts, s.end_ts, s.points" \
                    " FROM ({sql}) q, unnest(coverage.segments(q.cov)) s"
COVERAGE_SUMMARY = "SELECT q.market, coverage.first_ts(q.cov) AS start_ts," \
                   " coverage.last_ts(q.cov) AS end_ts, coverage.num_points(q.cov) AS points" \
                   " FROM ({sql}) q"
FLOOR_SUMMARY = "SELECT q.market, q.first_ts AS start_ts, q.last_ts AS end_ts, q.n AS points" \
                " FROM ({sql}) q"
RANGE_SEGMENTS = (f"SELECT q.market, lower(x.seg) AS start_ts, upper(x.seg) - {GAP} AS end_ts,"
                  " NULL::bigint AS points FROM ({sql}) q, unnest(q.r) AS x (seg)")

BASE = {"max_parallel_workers_per_gather": 0, "work_mem": "1GB", "jit": "off"}
NO_INDEX = {"enable_indexscan": "off", "enable_indexonlyscan": "off",
            "enable_bitmapscan": "off"}
HASHED = {**BASE, **NO_INDEX, "enable_sort": "off"}
ORDERED = {**BASE, "enable_hashagg": "off", "enable_seqscan": "off",
           "enable_bitmapscan": "off", "enable_sort": "off"}
INDEXED = {**BASE, "enable_seqscan": "off", "enable_bitmapscan": "off"}


def parallel_gucs(workers):
    return {**HASHED, "max_parallel_workers_per_gather": workers, "parallel_setup_cost": 0,
            "parallel_tuple_cost": 0, "min_parallel_table_scan_size": 0}


@dataclass
class Contender:
    name: str
    label: str
    group: str
    gucs: dict
    sql: str
    # A query of rows (market, start_ts, end_ts, points) and the contenders it must
    # match; None for contenders that are only timed.
    identity: str = None
    identity_group: str = "segments"
    plan_has: list = field(default_factory=list)
    plan_lacks: list = field(default_factory=list)
    statement: str = None  # what is timed, when not the query itself
    timed: bool = True

    @property
    def explainable(self):
        return self.statement is None

    @property
    def timed_sql(self):
        # Results go to /dev/null on the server: output functions run, no network.
        return self.statement or f"COPY ({self.sql}) TO '/dev/null'"


HASH_PLAN = dict(plan_has=["HashAggregate", "Seq Scan"],
                 plan_lacks=["Index", "Gather", "Sort  ("])
ORDERED_PLAN = dict(plan_has=["GroupAggregate", "Merge Append", "Index Only Scan"],
                    plan_lacks=["Seq Scan", "Sort  ("])


def contenders(workers):
    seg = COVERAGE_SEGMENTS.format(sql=COVERAGE)
    out = [
        Contender("floor_hash", "floor: count, min, max (hash aggregate)", "core", HASHED,
                  FLOOR, FLOOR_SUMMARY.format(sql=FLOOR), "summary", **HASH_PLAN),
        Contender("cov_hash", "coverage_agg (hash aggregate)", "core", HASHED, COVERAGE, seg,
                  **HASH_PLAN),
        Contender("floor_ordered", "floor over input ordered by (market, ts)", "core",
                  ORDERED, floor_sql(ORDERED_SOURCES),
                  FLOOR_SUMMARY.format(sql=floor_sql(ORDERED_SOURCES)), "summary",
                  **ORDERED_PLAN),
        Contender("cov_ordered", "coverage_agg over input ordered by (market, ts)", "core",
                  ORDERED, coverage_sql(ORDERED_SOURCES),
                  COVERAGE_SEGMENTS.format(sql=coverage_sql(ORDERED_SOURCES)),
                  **ORDERED_PLAN),
        Contender("window_index", "window SQL, (market, ts) index", "sql", INDEXED, WINDOW,
                  WINDOW, plan_has=["WindowAgg", "Index Only Scan"]),
        Contender("window_noindex", "window SQL, no index", "sql", {**BASE, **NO_INDEX},
                  WINDOW, WINDOW, plan_has=["WindowAgg", "Seq Scan"], plan_lacks=["Index"]),
        Contender("range_agg", "range_agg(tstzrange(ts, ts + gap, '[]'))", "sql", HASHED,
                  RANGE_AGG, RANGE_SEGMENTS.format(sql=RANGE_AGG), **HASH_PLAN),
        Contender("floor_parallel", f"floor, forced parallel ({workers} worker(s))",
                  "parallel", parallel_gucs(workers), FLOOR, FLOOR_SUMMARY.format(sql=FLOOR),
                  "summary", plan_has=["Gather", "Partial HashAggregate"]),
        Contender("cov_parallel", f"coverage_agg, forced parallel ({workers} worker(s))",
                  "parallel", parallel_gucs(workers), COVERAGE, seg,
                  plan_has=["Gather", "Partial HashAggregate"]),
        Contender("mem_scan", "plain scan of 10-segment shuffled points", "memory",
                  {**BASE, **NO_INDEX}, MEM_SCAN,
                  f"SELECT NULL AS market, first_ts AS start_ts, last_ts AS end_ts,"
                  f" n AS points FROM ({MEM_SCAN}) q", "memory",
                  plan_has=["Seq Scan"], plan_lacks=["Gather"]),
        Contender("mem_cov", "coverage_agg of 10-segment shuffled points", "memory",
                  {**BASE, **NO_INDEX}, MEM_COVERAGE,
                  "SELECT NULL AS market, coverage.first_ts(cov) AS start_ts,"
                  " coverage.last_ts(cov) AS end_ts, coverage.num_points(cov) AS points"
                  f" FROM ({MEM_COVERAGE}) q WHERE coverage.num_segments(cov) = 10",
                  "memory", plan_has=["Seq Scan"], plan_lacks=["Gather"]),
        Contender("refresh_full", "coverage.refresh(full => true)", "refresh", BASE, None,
                  "SELECT e.key AS market, s.start_ts, s.end_ts, s.points"
                  " FROM coverage.entity_coverage e, unnest(coverage.segments(e.coverage)) s",
                  statement="SELECT * FROM coverage.refresh(full => true)"),
        Contender("mv_refresh", "REFRESH MATERIALIZED VIEW (window SQL)", "refresh", INDEXED,
                  None, "SELECT market, start_ts, end_ts, points FROM bench_window_mv",
                  statement="REFRESH MATERIALIZED VIEW bench_window_mv"),
    ]
    # The floor's per-market count, first and last point must match coverage_agg's.
    out.append(Contender("cov_summary", "", "core", HASHED, COVERAGE,
                         COVERAGE_SUMMARY.format(sql=COVERAGE), "summary", timed=False))
    return out


def identity_sql(c):
    """Segment count, digest of the spans, and of spans with points (NULL without)."""
    return f"""
        SELECT count(*),
               md5(string_agg(format('%s|%s|%s', market, start_ts, end_ts), ','
                              ORDER BY market, start_ts)),
               CASE WHEN bool_and(points IS NOT NULL) THEN
               md5(string_agg(format('%s|%s|%s|%s', market, start_ts, end_ts, points), ','
                              ORDER BY market, start_ts)) END
          FROM ({c.identity}) i"""
