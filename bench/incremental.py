#!/usr/bin/env python3
"""Benchmark of incremental refresh and of the ingest overhead of change capture.

Builds a source of --rows rows (10,000 markets, one point a minute with an outage every
200 points), refreshes it fully, then times, interleaved over --rounds rounds:

  * coverage.refresh(full => true) on the whole source;
  * coverage.refresh() after 0.1% and after 1% new rows, inserted in 1,000-row
    statements at random markets (so spread over most entities), appended in time as a
    collector does, and after 1% new rows at a tenth of the markets;
  * ingest into two identical tables, one a captured source and one not: COPY of
    100,000 rows, 100 INSERTs of 1,000 rows, 1,000 single-row INSERTs (each its own
    transaction); once for an orderbook-delta-like table (six columns, an index on
    (ticker, ts)) and once for a bare (key, time) table without index, the worst case.

It prints the medians, the ratios and a Markdown table for the README.

    python3 bench/incremental.py                 # 10M rows, 5 rounds
    python3 bench/incremental.py --rows 1000000  # a quicker run
    python3 bench/incremental.py --rows 20000 --rounds 1   # smoke run

Cluster, port and PG_CONFIG as for bench/bench.py, whose helpers it uses.
"""
import argparse
import os
import random
import statistics
import time

# bench.py brings psycopg (re-executing under the system python3 when needed) and the
# helpers that start, reach and stop the throwaway cluster.
from bench import cluster, connect, log, start_cluster

MARKETS = 10_000
BATCH = 1_000
COPY_ROWS = 100_000
SINGLE_ROWS = 1_000


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000,
                    help="rows of the refreshed source (default 10M)")
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    ap.add_argument("--port", type=int,
                    default=int(os.environ.get("COVERAGE_PGPORT") or 55470))
    ap.add_argument("--dbname", default="coverage_bench_incremental")
    args = ap.parse_args()
    if args.rows < 10_000:
        ap.error("--rows must be at least 10000")
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    return args


def prepare(args, info):
    with connect(info, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.dbname}"')
        conn.execute(f'CREATE DATABASE "{args.dbname}"')
    conn = connect(info, args.dbname)
    per_market = args.rows // MARKETS
    log(f"generating {per_market * MARKETS:,} rows over {MARKETS:,} markets")
    for sql in [
        "CREATE EXTENSION coverage_ext",
        "SET work_mem = '256MB'",
        "SELECT setseed(0.42)",
        f"""CREATE TABLE markets AS
            SELECT format('M%s', lpad(i::text, 5, '0')) AS ticker, 'E' || i % 2000 AS event
              FROM generate_series(1, {MARKETS}) i""",
        "ALTER TABLE markets ADD PRIMARY KEY (ticker)",
        "CREATE TABLE ticks (ticker text, ts timestamptz)",
        # one point a minute, 20 minutes of silence every 200 points
        f"""INSERT INTO ticks
            SELECT m.ticker, timestamptz '2024-01-01 00:00+00'
                             + j * interval '1 minute' + (j / 200) * interval '20 minutes'
                             + random() * interval '30 seconds'
              FROM markets m, generate_series(0, {per_market - 1}) j""",
        "CREATE INDEX ON ticks (ticker)",
        # Ingest targets: an orderbook-delta-like table with its (ticker, ts) index, and
        # the bare minimum of a source (key and time, no index), the worst case.
        *[f"CREATE TABLE {t} (ticker text, ts timestamptz, price numeric, size numeric,"
          f" side char, seq bigint)" for t in ("ingest_plain", "ingest_captured")],
        "CREATE INDEX ON ingest_plain (ticker, ts)",
        "CREATE INDEX ON ingest_captured (ticker, ts)",
        "CREATE TABLE bare_plain (ticker text, ts timestamptz)",
        "CREATE TABLE bare_captured (ticker text, ts timestamptz)",
        "VACUUM ANALYZE markets, ticks",
        "SELECT coverage.set_entities('markets', 'ticker', 'event')",
        "SELECT coverage.add_source('ticks', 'ticker', 'ts')",
        "SELECT coverage.add_source('ingest_captured', 'ticker', 'ts')",
        "SELECT coverage.add_source('bare_captured', 'ticker', 'ts')",
        "SELECT coverage.set_max_gap('15 minutes')",
    ]:
        conn.execute(sql)
    conn.execute("SELECT coverage.refresh(full => true)")
    return conn, per_market


def timed(conn, sql):
    start = time.perf_counter()
    row = conn.execute(sql).fetchone()
    return time.perf_counter() - start, row


def append_rows(conn, count, minute, markets=MARKETS):
    """Inserts `count` new rows in 1,000-row statements at random markets among the first
    `markets`, after `minute`."""
    for done in range(0, count, BATCH):
        n = min(BATCH, count - done)
        conn.execute(
            f"""INSERT INTO ticks
                SELECT format('M%%s', lpad((1 + floor(random() * {markets}))::int::text, 5,
                                         '0')),
                       timestamptz '2024-01-01 00:00+00' + %s * interval '1 minute'
                       + random() * interval '10 minutes'
                  FROM generate_series(1, {n})""", (minute,))


def ingest_rows(count, seed):
    rng = random.Random(seed)
    return [(f"M{rng.randrange(1, MARKETS + 1):05d}",
             f"2024-02-01 00:00:{rng.randrange(60):02d}.{rng.randrange(10**6):06d}+00",
             f"{rng.randrange(1, 100)}.{rng.randrange(100):02d}", str(rng.randrange(1, 5000)),
             rng.choice("ab"), str(rng.randrange(10**12))) for _ in range(count)]


class Workload:
    """The same rows for every table: COPY text, a 1,000-row VALUES list, single rows."""

    def __init__(self, width):
        self.width = width
        cut = lambda rows: [r[:width] for r in rows]
        self.copy = "".join("\t".join(r) + "\n" for r in cut(ingest_rows(COPY_ROWS, 1)))
        self.copy = self.copy.encode()
        self.values = ", ".join("(" + ", ".join(f"'{v}'" for v in r) + ")"
                                for r in cut(ingest_rows(BATCH, 2)))
        self.singles = cut(ingest_rows(SINGLE_ROWS, 3))


def ingest(conn, table, work):
    """Times the three ways of writing into `table`; returns seconds for each."""
    t = {}
    start = time.perf_counter()
    with conn.cursor().copy(f"COPY {table} FROM STDIN") as cp:
        cp.write(work.copy)
    t["copy"] = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(COPY_ROWS // BATCH):
        conn.execute(f"INSERT INTO {table} VALUES {work.values}")
    t["batch"] = time.perf_counter() - start
    placeholders = ", ".join(["%s"] * work.width)
    start = time.perf_counter()
    for row in work.singles:
        conn.execute(f"INSERT INTO {table} VALUES ({placeholders})", row)
    t["single"] = time.perf_counter() - start
    return t


def main():
    args = parse_args()
    info, started = start_cluster(args)
    try:
        run(args, info)
    finally:
        if started:
            cluster(args, "stop")


def run(args, info):
    conn, per_market = prepare(args, info)
    rows = per_market * MARKETS
    small, large = rows // 1000, rows // 100
    full, incr_small, incr_large, incr_few = [], [], [], []
    written = {}
    minute = per_market + (per_market // 200) * 20 + 60
    for r in range(args.rounds):
        log(f"round {r + 1}/{args.rounds}: refresh")
        t, row = timed(conn, "SELECT entities FROM coverage.refresh(full => true)")
        full.append(t)
        for count, markets, times, name in ((small, MARKETS, incr_small, "0.1%"),
                                            (large, MARKETS, incr_large, "1%"),
                                            (large, MARKETS // 10, incr_few, "1% few")):
            append_rows(conn, count, minute, markets)
            minute += 15
            t, row = timed(conn, "SELECT entities FROM coverage.refresh()")
            times.append(t)
            written[name] = row[0]
    # The incremental refreshes stored what a full one computes.
    t, row = timed(conn, "SELECT entities FROM coverage.refresh(full => true)")
    assert row[0] == 0, f"a full refresh after the incremental ones rewrote {row[0]} entities"

    pairs = (("ingest_plain", "ingest_captured", Workload(6)),
             ("bare_plain", "bare_captured", Workload(2)))
    runs = {t: [] for plain, capt, _ in pairs for t in (plain, capt)}
    for r in range(args.rounds):
        log(f"round {r + 1}/{args.rounds}: ingest")
        for plain, capt, work in pairs:
            for table in ((plain, capt) if r % 2 == 0 else (capt, plain)):
                runs[table].append(ingest(conn, table, work))
    pending = conn.execute("SELECT count(*) FROM coverage.pending").fetchone()[0]
    conn.close()

    med = statistics.median
    f, s, l, w = med(full), med(incr_small), med(incr_large), med(incr_few)
    print(f"\nsource rows: {rows:,}, entities: {MARKETS:,}, rounds: {args.rounds}")
    print("\n| measurement | median | ratio |")
    print("|---|---:|---:|")
    print(f"| full refresh, {rows:,} rows | {f:.3f} s | 1 |")
    print(f"| incremental refresh after 0.1% new rows ({small:,}; {written['0.1%']:,} "
          f"entities rewritten) | {s:.3f} s | {s / f:.2%} of full |")
    print(f"| incremental refresh after 1% new rows ({large:,}; {written['1%']:,} "
          f"entities rewritten) | {l:.3f} s | {l / f:.2%} of full |")
    print(f"| incremental refresh after 1% new rows at a tenth of the markets "
          f"({written['1% few']:,} entities rewritten) | {w:.3f} s | {w / f:.2%} of full |")
    targets = [("refresh after 1% new rows <= 5% of full", l / f <= 0.05)]
    for plain_t, capt_t, what in (("ingest_plain", "ingest_captured",
                                   "6 columns, (ticker, ts) index"),
                                  ("bare_plain", "bare_captured", "2 columns, no index")):
        for key, label, n in (("copy", f"COPY of {COPY_ROWS:,} rows", COPY_ROWS),
                              ("batch", f"{COPY_ROWS // BATCH} INSERTs of {BATCH:,} rows",
                               COPY_ROWS),
                              ("single", f"{SINGLE_ROWS:,} single-row INSERTs", SINGLE_ROWS)):
            plain = med(x[key] for x in runs[plain_t])
            capt = med(x[key] for x in runs[capt_t])
            print(f"| {label} ({what}): without / with capture | {plain:.3f} s / "
                  f"{capt:.3f} s ({(capt - plain) / n * 1e6:+.1f} µs a row) | "
                  f"{capt / plain - 1:+.1%} |")
            if key != "single":
                targets.append((f"{key} ingest overhead ({what}) <= 10%",
                                capt / plain - 1 <= 0.10))
    print(f"\n(pending rows left by the ingest rounds: {pending:,})")
    for label, ok in targets:
        print(f"target: {label}: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
