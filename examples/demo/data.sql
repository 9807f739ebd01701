-- A generated prediction-market data set: events, markets, and what a market-data collector
-- recorded about them (order book snapshots, order book deltas, trades), with the collector's
-- outages. Used by scripts/demo.sh and by the API tests (test/suites/api.sh).
--
--   psql -v markets=300 -v days=21 -f examples/demo/data.sql
--
-- Run it in a fresh database, as scripts/demo.sh and the API tests do: it replaces its own
-- tables, but not once the coverage view of coverage_ext uses them.
--
-- Variables (all optional): markets (default 300), days of collection (default 21), seed
-- (default 0.42, for setseed). The same values always give the same rows: every random
-- choice comes from setseed's sequence, in an order fixed by ORDER BY and serial plans.
--
-- The collection period starts on 2024-03-01 00:00 UTC. In it:
-- - about nine markets in ten belong to an event (1 to 8 markets each), the rest to none;
-- - markets open and close at different times, some before the period, some after it;
--   status is settled, closed (awaiting settlement) or open;
-- - every market has its own rates: snapshots every 5, 10 or 15 minutes, deltas and trades
--   at a rate that follows its liquidity, trades busier towards the close;
-- - collector outages (table collector_outages) leave a hole in every market at once, and
--   a few markets also lost their feed for a while on their own (market_feed_lapses);
-- - a few markets were listed but never collected, so they have no data at all.

\set ON_ERROR_STOP on
\if :{?markets}
\else
\set markets 300
\endif
\if :{?days}
\else
\set days 21
\endif
\if :{?seed}
\else
\set seed 0.42
\endif

-- Parallel workers do not share the leader's random sequence; serial plans keep the
-- data the same from run to run.
SET max_parallel_workers_per_gather = 0;
SET client_min_messages = warning;

DROP TABLE IF EXISTS trades, orderbook_deltas, orderbook_snapshots, market_feed_lapses,
    markets, events, collector_outages, collection_period, demo_series;
RESET client_min_messages;

CREATE TABLE collection_period (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    period     tstzrange NOT NULL
);
INSERT INTO collection_period (period)
SELECT tstzrange('2024-03-01 00:00+00', '2024-03-01 00:00+00'::timestamptz
                 + make_interval(days => :days));

-- The kinds of events a prediction market lists. title_fmt takes the strike and the date;
-- each event of a series closes at a fixed hour, and its markets are strikes step apart.
CREATE TABLE demo_series (
    series      text PRIMARY KEY,
    category    text NOT NULL,
    event_fmt   text NOT NULL,
    title_fmt   text NOT NULL,
    strike_tag  text NOT NULL,
    strike_base numeric NOT NULL,
    strike_step numeric NOT NULL,
    listed_days integer NOT NULL,
    close_hour  integer NOT NULL
);
INSERT INTO demo_series VALUES
    ('KXBTCD', 'Crypto', 'Bitcoin price on %s', 'Bitcoin above $%s on %s?', 'T', 60000, 1000,
     6, 17),
    ('KXETHD', 'Crypto', 'Ethereum price on %s', 'Ethereum above $%s on %s?', 'T', 3200, 50,
     6, 17),
    ('KXHIGHNY', 'Climate', 'Highest temperature in NYC on %s',
     'NYC high above %s°F on %s?', 'B', 40, 2, 4, 23),
    ('KXINX', 'Financials', 'S&P 500 close on %s', 'S&P 500 above %s on %s?', 'B', 5000, 25,
     10, 20),
    ('KXGASD', 'Economics', 'Average US gas price on %s', 'Gas above $%s on %s?', 'T', 3.2,
     0.05, 14, 18),
    ('KXNBAPTS', 'Sports', 'NBA points leader on %s', 'A player scores more than %s on %s?',
     'P', 30, 2, 2, 3);

CREATE TABLE events (
    event_ticker  text PRIMARY KEY,
    series_ticker text NOT NULL REFERENCES demo_series,
    title         text NOT NULL,
    category      text NOT NULL,
    close_time    timestamptz NOT NULL
);

CREATE TABLE markets (
    ticker        text PRIMARY KEY,
    event_ticker  text REFERENCES events,
    title         text NOT NULL,
    status        text NOT NULL CHECK (status IN ('open', 'closed', 'settled')),
    open_time     timestamptz NOT NULL,
    close_time    timestamptz NOT NULL,
    -- How the collector followed the market: its snapshot interval and the mean rates of
    -- book changes and trades per hour (kept to make the data explainable).
    snapshot_every interval NOT NULL,
    deltas_per_hour double precision NOT NULL,
    trades_per_hour double precision NOT NULL,
    collected     boolean NOT NULL
);
CREATE INDEX ON markets (event_ticker);

CREATE TABLE collector_outages (
    starts_at timestamptz NOT NULL,
    ends_at   timestamptz NOT NULL,
    reason    text NOT NULL
);

CREATE TABLE market_feed_lapses (
    ticker    text NOT NULL REFERENCES markets,
    starts_at timestamptz NOT NULL,
    ends_at   timestamptz NOT NULL
);

CREATE TABLE orderbook_snapshots (
    ticker      text NOT NULL,
    ts          timestamptz NOT NULL,
    best_yes    integer NOT NULL,
    best_no     integer NOT NULL,
    depth       integer NOT NULL
);
CREATE TABLE orderbook_deltas (
    ticker text NOT NULL,
    ts     timestamptz NOT NULL,
    side   text NOT NULL,
    price  integer NOT NULL,
    delta  integer NOT NULL
);
CREATE TABLE trades (
    trade_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticker       text NOT NULL,
    created_time timestamptz NOT NULL,
    yes_price    integer NOT NULL,
    count        integer NOT NULL,
    taker_side   text NOT NULL
);

SELECT setseed(:seed) \g /dev/null

-- Outages: one every four days or so, from twenty minutes to a day (most are short, a few
-- long). They may overlap; a hole is a hole.
INSERT INTO collector_outages
SELECT s, s + d, reason
  FROM (SELECT lower(p.period) + (upper(p.period) - lower(p.period)) * random() AS s,
               make_interval(mins => 20 + (1440 * random() ^ 2)::integer) AS d,
               (ARRAY['websocket disconnect', 'host reboot', 'disk full', 'expired API key',
                      'deploy gone wrong'])[1 + (n % 5)] AS reason
          FROM collection_period p, generate_series(1, greatest(2, :days / 4)) AS n
         ORDER BY n) AS o;

-- Events: per series, k-th event closes k spacings after the start, so tickers (series and
-- closing date and hour) are unique, and the latest events close after the period (open).
-- Each gets 1 to 8 markets; events whose markets are beyond the wanted count are dropped.
CREATE TEMP TABLE event_plan AS
WITH p AS (SELECT lower(period) AS t0, upper(period) AS t1 FROM collection_period),
series AS (SELECT s.*, row_number() OVER (ORDER BY s.series) - 1 AS si,
                  count(*) OVER () AS ns
             FROM demo_series s),
per AS (SELECT ceil(:markets * 0.9 / 4.5 / (SELECT count(*) FROM demo_series))::integer + 1
               AS n_events),
slots AS (
    SELECT s.*, k, per.n_events,
           date_trunc('day', p.t0 + (p.t1 - p.t0 + interval '6 days') * (k - 0.5)
                             / per.n_events) + make_interval(hours => s.close_hour) AS close_time
      FROM series s, per, p, generate_series(1, per.n_events) AS k
)
SELECT series, category, event_fmt, title_fmt, strike_tag, strike_base, strike_step,
       listed_days, close_time,
       format('%s-%s%s', series, upper(to_char(close_time, 'YYMONDD')),
              to_char(close_time, 'HH24')) AS event_ticker,
       1 + floor(random() * 8)::integer AS n_markets,
       row_number() OVER (ORDER BY k, series) AS ord
  FROM (SELECT * FROM slots ORDER BY k, series) AS x;

-- Tickers must be unique even when many events make a series close several times a day.
DELETE FROM event_plan a USING event_plan b
 WHERE a.event_ticker = b.event_ticker AND a.ord > b.ord;

CREATE TEMP TABLE market_plan AS
SELECT e.event_ticker, e.ord, j,
       format('%s-%s%s', e.event_ticker, e.strike_tag,
              trim_scale(e.strike_base + e.strike_step * (j - 1))) AS ticker,
       format(e.title_fmt, trim_scale(e.strike_base + e.strike_step * (j - 1)),
              to_char(e.close_time, 'Mon FMDD')) AS title,
       e.close_time, e.listed_days,
       sum(1) OVER (ORDER BY e.ord, j) AS running
  FROM event_plan e, generate_series(1, e.n_markets) AS j;
DELETE FROM market_plan WHERE running > round(:markets * 0.9);
DELETE FROM event_plan e WHERE NOT EXISTS (SELECT FROM market_plan m
                                            WHERE m.event_ticker = e.event_ticker);

INSERT INTO events
SELECT event_ticker, series, format(event_fmt, to_char(close_time, 'Mon FMDD')), category,
       close_time
  FROM event_plan ORDER BY ord;

-- Ungrouped markets: one-off questions with no event, listed for one to eight weeks.
INSERT INTO market_plan (event_ticker, ord, j, ticker, title, close_time, listed_days, running)
SELECT NULL, 1000000 + i, 1, format('KXONEOFF-%s', lpad(i::text, 4, '0')),
       format('Will %s by %s?',
              (ARRAY['the bill pass the Senate', 'the launch happen on schedule',
                     'the merger be approved', 'the strike end', 'the storm make landfall',
                     'the album top the charts', 'the rover land safely'])[1 + i % 7],
              to_char(c, 'Mon FMDD')),
       c, 7 + (i * 11) % 50, NULL
  FROM (SELECT i, date_trunc('hour', p.t0 + (p.t1 - p.t0 + interval '6 days') * random()) AS c
          FROM (SELECT lower(period) AS t0, upper(period) AS t1 FROM collection_period) p,
               generate_series(1, :markets - (SELECT count(*) FROM market_plan)) AS i
         ORDER BY i) AS u;

-- Per market: opening time (some strikes are added after the event was listed), liquidity
-- (skewed: most markets are quiet), and whether the collector ever followed it.
INSERT INTO markets
SELECT m.ticker, m.event_ticker, m.title,
       CASE WHEN m.close_time > upper(p.period) THEN 'open'
            WHEN m.close_time > upper(p.period) - interval '1 day' THEN 'closed'
            ELSE 'settled' END,
       m.close_time - make_interval(days => m.listed_days) + r.late,
       m.close_time,
       CASE WHEN r.liquidity > 0.6 THEN interval '5 minutes'
            WHEN r.liquidity > 0.25 THEN interval '10 minutes'
            ELSE interval '15 minutes' END,
       0.5 + 20 * r.liquidity ^ 2,
       0.1 + 6 * r.liquidity ^ 3,
       r.never > 0.03
  FROM collection_period p,
       (SELECT m.*, row_number() OVER (ORDER BY m.ord, m.j) AS n FROM market_plan m) AS m,
       LATERAL (SELECT random() ^ 1.5 AS liquidity,
                       CASE WHEN m.j > 2 AND random() < 0.3
                            THEN make_interval(hours => (random() * 24 * m.listed_days / 2)
                                                        ::integer)
                            ELSE interval '0' END AS late,
                       random() AS never) AS r
 ORDER BY m.n;

-- A few markets lost their own feed for a while (a stale subscription), 2 to 30 hours.
INSERT INTO market_feed_lapses
SELECT ticker, s, least(s + make_interval(hours => (2 + 28 * random())::integer), e)
  FROM (SELECT m.ticker, w.s0 + (w.e - w.s0) * random() AS s, w.e, random() AS pick
          FROM markets m, collection_period p,
               LATERAL (SELECT greatest(m.open_time, lower(p.period)) AS s0,
                               least(m.close_time, upper(p.period)) AS e) AS w
         WHERE m.collected AND w.e > w.s0 + interval '1 day'
         ORDER BY m.ticker) AS x
 WHERE pick < 0.08;

-- What the collector saw of each market: the part of its life inside the period, minus the
-- outages and its own lapses.
CREATE TEMP TABLE windows AS
SELECT m.ticker, m.snapshot_every, m.deltas_per_hour, m.trades_per_hour,
       greatest(m.open_time, lower(p.period)) AS s,
       least(m.close_time, upper(p.period)) AS e,
       coalesce((SELECT range_agg(tstzrange(o.starts_at, o.ends_at)) FROM collector_outages o),
                '{}')
           + coalesce((SELECT range_agg(tstzrange(l.starts_at, l.ends_at))
                         FROM market_feed_lapses l WHERE l.ticker = m.ticker), '{}')
           AS blackout
  FROM markets m, collection_period p
 WHERE m.collected AND m.open_time < upper(p.period) AND m.close_time > lower(p.period);

INSERT INTO orderbook_snapshots
SELECT w.ticker, t, 1 + (random() * 98)::integer, 1 + (random() * 98)::integer,
       (random() * 5000)::integer
  FROM (SELECT * FROM windows ORDER BY ticker) AS w,
       LATERAL (SELECT t + random() * interval '20 seconds' AS t
                  FROM generate_series(w.s, w.e, w.snapshot_every) AS t) AS g
 WHERE NOT w.blackout @> g.t;

INSERT INTO orderbook_deltas
SELECT w.ticker, t, CASE WHEN random() < 0.5 THEN 'yes' ELSE 'no' END,
       1 + (random() * 98)::integer, (random() * 400)::integer - 200
  FROM (SELECT * FROM windows ORDER BY ticker) AS w,
       LATERAL (SELECT w.s + (w.e - w.s) * random() AS t
                  FROM generate_series(1, (w.deltas_per_hour
                                           * extract(epoch FROM w.e - w.s) / 3600)::integer)) g
 WHERE NOT w.blackout @> g.t;

-- Trades cluster towards the close: the power moves uniform draws to the end.
INSERT INTO trades (ticker, created_time, yes_price, count, taker_side)
SELECT w.ticker, t, 1 + (random() * 98)::integer, 1 + (random() * random() * 500)::integer,
       CASE WHEN random() < 0.5 THEN 'yes' ELSE 'no' END
  FROM (SELECT * FROM windows ORDER BY ticker) AS w,
       LATERAL (SELECT w.e - (w.e - w.s) * random() ^ 1.7 AS t
                  FROM generate_series(1, (w.trades_per_hour
                                           * extract(epoch FROM w.e - w.s) / 3600)::integer)) g
 WHERE NOT w.blackout @> g.t;

ANALYZE events, markets, collector_outages, market_feed_lapses, orderbook_snapshots,
    orderbook_deltas, trades;
