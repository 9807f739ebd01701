#!/usr/bin/env python3
"""Benchmark of incremental refresh and of the ingest overhead of change capture.

Builds a source of --rows rows (10,000 markets, one point a minute with an outage every
200 points), refreshes it fully, then times over --rounds rounds, each made of:

  * coverage.refresh(full => true) on the whole source;
  * coverage.refresh() after 0.1% and after 1% new rows, inserted in 1,000-row
    statements at random markets (so spread over most entities), appended in time as a
    collector does, and after 1% new rows at a tenth of the markets;

and reports each incremental refresh's share of the full refresh of its round (median
and middle half). Then, over --ingest-rounds rounds after an untimed one, ingest into
two identical tables, one a captured source and one not, one right after the other
(which first alternates): COPY of 100,000 rows, 100 INSERTs of 1,000 rows, 1,000
single-row INSERTs (each its own transaction); once for an orderbook-delta-like table
(six columns, an index on (ticker, ts)) and once for a bare (key, time) table without
index, the worst case. A third pair of bare tables measures what capture through a
transition table costs at the least: a statement trigger that collects the new rows in
one and ignores them. The overhead is the median of the rounds' ratios, with their
middle half.

    python3 bench/incremental.py                 # 10M rows, 5 + 15 rounds
    python3 bench/incremental.py --rows 1000000  # a quicker run
    python3 bench/incremental.py --skip-refresh  # the ingest only
    python3 bench/incremental.py --skip-refresh --steady  # with a refresh every round
    python3 bench/incremental.py --skip-refresh --steady --truncate-pending  # as before
    python3 bench/incremental.py --rows 20000 --rounds 1 --ingest-rounds 1   # smoke run

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
    ap.add_argument("--rounds", type=int, default=5, help="timed refresh rounds (default 5)")
    ap.add_argument("--ingest-rounds", type=int, default=15,
                    help="timed ingest rounds (default 15)")
    ap.add_argument("--skip-refresh", action="store_true",
                    help="measure the ingest only (on a source of 10,000 rows)")
    ap.add_argument("--steady", action="store_true",
                    help="refresh and vacuum coverage.pending after every ingest round, so "
                         "that writers fill the pages refresh emptied, as with regular "
                         "refreshes")
    ap.add_argument("--truncate-pending", action="store_true",
                    help="let vacuum give coverage.pending's empty pages back "
                         "(vacuum_truncate on, the setting before a425db9), for comparison")
    ap.add_argument("--port", type=int,
                    default=int(os.environ.get("COVERAGE_PGPORT") or 55470))
    ap.add_argument("--dbname", default="coverage_bench_incremental")
    args = ap.parse_args()
    if args.rows < 10_000:
        ap.error("--rows must be at least 10000")
    if args.rounds < 1 or args.ingest_rounds < 1:
        ap.error("--rounds and --ingest-rounds must be at least 1")
    if args.skip_refresh:
        args.rows = 10_000
    return args


def transition_table_only(table):
    """What any capture by a statement trigger's transition table costs at least: a
    trigger on `table` that collects the new rows and does nothing with them."""
    return ["""CREATE FUNCTION ignore_new_rows() RETURNS trigger LANGUAGE plpgsql
               AS 'BEGIN RETURN NULL; END'""",
            f"""CREATE TRIGGER collect AFTER INSERT ON {table}
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
                EXECUTE FUNCTION ignore_new_rows()"""]


def prepare(args, info):
    with connect(info, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.dbname}"')
        conn.execute(f'CREATE DATABASE "{args.dbname}"')
    conn = connect(info, args.dbname)
    per_market = args.rows // MARKETS
    log(f"generating {per_market * MARKETS:,} rows over {MARKETS:,} markets")
    for sql in [
        "CREATE EXTENSION coverage_ext",
        *(["ALTER TABLE coverage.pending SET (vacuum_truncate = on)"]
          if args.truncate_pending else []),
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
        *[f"CREATE TABLE {t} (ticker text, ts timestamptz)"
          for t in ("bare_plain", "bare_captured", "bare_plain_2", "bare_transitions")],
        *transition_table_only("bare_transitions"),
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


def timed(conn, sql, cpu=None):
    """Runs `sql`; returns ((elapsed s, server CPU s or NaN), its first row)."""
    start, start_cpu = time.perf_counter(), cpu() if cpu else 0.0
    row = conn.execute(sql).fetchone()
    return (time.perf_counter() - start, (cpu() - start_cpu) if cpu else float("nan")), row


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


INGEST_OPS = ("copy", "batch", "single")


def backend_cpu(conn):
    """A function returning the CPU time (s) the server process of `conn` has used so
    far, from /proc/<pid>/schedstat (nanoseconds; the server runs on this machine);
    None when that cannot be read. Unlike elapsed time, other work on the machine
    hardly changes it."""
    path = f"/proc/{conn.info.backend_pid}/schedstat"
    try:
        open(path).read()
    except OSError:
        return None
    return lambda: int(open(path).read().split()[0]) / 1e9


def ingest(conn, table, work, op, cpu):
    """Writes the workload into `table` one way; returns (elapsed s, server CPU s)."""
    start, start_cpu = time.perf_counter(), cpu() if cpu else 0.0
    if op == "copy":
        with conn.cursor().copy(f"COPY {table} FROM STDIN") as cp:
            cp.write(work.copy)
    elif op == "batch":
        for _ in range(COPY_ROWS // BATCH):
            conn.execute(f"INSERT INTO {table} VALUES {work.values}")
    else:
        placeholders = ", ".join(["%s"] * work.width)
        for row in work.singles:
            conn.execute(f"INSERT INTO {table} VALUES ({placeholders})", row)
    return time.perf_counter() - start, (cpu() - start_cpu) if cpu else float("nan")


def measure_ingest(conn, pairs, rounds, steady=False):
    """Times every way of writing into each pair of tables, the two tables of a pair
    right after each other (in turn first), one untimed round first; returns, per
    (table, op), the elapsed and server CPU times of the rounds, and per (captured
    table, op) the captured/plain ratios of each round, elapsed and CPU. Pairing the
    two runs of a round cancels most of the drift of a shared machine."""
    cpu = backend_cpu(conn)
    times, ratios = {}, {}
    for r in range(-1, rounds):
        log(f"ingest round {r + 1}/{rounds}" + (" (warm-up)" if r < 0 else ""))
        for plain, capt, work in pairs:
            for op in INGEST_OPS:
                t = {table: ingest(conn, table, work, op, cpu)
                     for table in ((plain, capt) if r % 2 == 0 else (capt, plain))}
                if r >= 0:
                    for table in (plain, capt):
                        times.setdefault((table, op), []).append(t[table])
                    ratios.setdefault((capt, op), []).append(
                        tuple(c / p for c, p in zip(t[capt], t[plain])))
        if steady:
            conn.execute("SELECT coverage.refresh()")
            conn.execute("VACUUM coverage.pending")
    return times, ratios


def spread(values):
    """The middle half of the values (first and third quartile)."""
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def main():
    args = parse_args()
    info, started = start_cluster(args)
    try:
        run(args, info)
    finally:
        if started:
            cluster(args, "stop")


def measure_refresh(conn, args, per_market):
    """Times, round after round, a full refresh and incremental ones after new rows;
    returns the times per kind and the entities each incremental refresh rewrote."""
    rows = per_market * MARKETS
    kinds = (("0.1%", rows // 1000, MARKETS), ("1%", rows // 100, MARKETS),
             ("1% few", rows // 100, MARKETS // 10))
    times = {k: [] for k in ("full", *(name for name, _, _ in kinds))}
    written = {}
    cpu = backend_cpu(conn)
    minute = per_market + (per_market // 200) * 20 + 60
    for r in range(args.rounds):
        log(f"refresh round {r + 1}/{args.rounds}")
        t, _ = timed(conn, "SELECT entities FROM coverage.refresh(full => true)", cpu)
        times["full"].append(t)
        for name, count, markets in kinds:
            append_rows(conn, count, minute, markets)
            minute += 15
            t, row = timed(conn, "SELECT entities FROM coverage.refresh()", cpu)
            times[name].append(t)
            written[name] = row[0]
    # The incremental refreshes stored what a full one computes.
    _, row = timed(conn, "SELECT entities FROM coverage.refresh(full => true)")
    assert row[0] == 0, f"a full refresh after the incremental ones rewrote {row[0]} entities"
    return times, written


def run(args, info):
    conn, per_market = prepare(args, info)
    rows = per_market * MARKETS
    if not args.skip_refresh:
        refresh, written = measure_refresh(conn, args, per_market)
    pairs = (("ingest_plain", "ingest_captured", Workload(6)),
             ("bare_plain", "bare_captured", Workload(2)),
             ("bare_plain_2", "bare_transitions", Workload(2)))
    times, ratios = measure_ingest(conn, pairs, args.ingest_rounds, args.steady)
    pending = conn.execute("SELECT count(*) FROM coverage.pending").fetchone()[0]
    conn.close()

    med = statistics.median
    targets = []
    if not args.skip_refresh:
        f = med(t for t, _ in refresh["full"])
        f_cpu = med(c for _, c in refresh["full"])
        print(f"\nsource rows: {rows:,}, entities: {MARKETS:,}, rounds: {args.rounds}")
        print("\n| refresh | elapsed | share of the round's full refresh, elapsed "
              "(middle half) | server CPU | share, server CPU (middle half) |")
        print("|---|---:|---:|---:|---:|")
        print(f"| full, {rows:,} rows | {f:.3f} s | 100% | {f_cpu:.3f} s | 100% |")
        for name, label in (("0.1%", f"after 0.1% new rows ({rows // 1000:,})"),
                            ("1%", f"after 1% new rows ({rows // 100:,})"),
                            ("1% few", "after 1% new rows at a tenth of the markets")):
            cells = []
            for i in (0, 1):
                share = [t[i] / full[i] for t, full in zip(refresh[name], refresh["full"])]
                lo, hi = spread(share)
                cells.append((med(t[i] for t in refresh[name]), med(share), lo, hi))
            print(f"| {label}, {written[name]:,} entities rewritten | " + " | ".join(
                f"{t:.3f} s | {m:.1%} ({lo:.1%} to {hi:.1%})" for t, m, lo, hi in cells) + " |")
            if name == "1%":
                targets.append(("refresh after 1% new rows <= 5% of full", cells[0][1] <= 0.05))
    print(f"\ningest rounds: {args.ingest_rounds} (plus one warm-up), each table of a pair "
          "right after the other" + (", refresh and vacuum of coverage.pending after each"
                                     if args.steady else ""))
    print("\n| write | table | without | with capture | overhead, elapsed (middle half) "
          "| overhead, server CPU (middle half) |")
    print("|---|---|---:|---:|---:|---:|")
    for plain_t, capt_t, what in (("ingest_plain", "ingest_captured",
                                   "6 columns, `(key, ts)` index"),
                                  ("bare_plain", "bare_captured", "bare `(key, ts)`, no index"),
                                  ("bare_plain_2", "bare_transitions",
                                   "bare, transition table only")):
        for op, label, n in (("copy", f"`COPY` of {COPY_ROWS:,} rows", COPY_ROWS),
                             ("batch", f"{COPY_ROWS // BATCH} `INSERT`s of {BATCH:,} rows",
                              COPY_ROWS),
                             ("single", f"{SINGLE_ROWS:,} single-row `INSERT`s", SINGLE_ROWS)):
            plain = med(t for t, _ in times[(plain_t, op)])
            capt = med(t for t, _ in times[(capt_t, op)])
            cells = []
            for i in (0, 1):
                over = [x[i] - 1 for x in ratios[(capt_t, op)]]
                lo, hi = spread(over)
                cells.append(f"{med(over):+.1%} ({lo:+.1%} to {hi:+.1%})")
            if op == "single":
                extra = med(c[1] - p[1] for c, p in zip(times[(capt_t, op)],
                                                        times[(plain_t, op)]))
                cells[1] += f", {extra / n * 1e6:+.1f} µs an insert"
            print(f"| {label} | {what} | {plain:.3f} s | {capt:.3f} s | {cells[0]} | "
                  f"{cells[1]} |")
            if op != "single" and capt_t != "bare_transitions":
                targets.append((f"{op} ingest overhead ({what}) <= 10%",
                                med(x[0] - 1 for x in ratios[(capt_t, op)]) <= 0.10))
    print(f"\n(pending rows left by the ingest rounds: {pending:,})")
    for label, ok in targets:
        print(f"target: {label}: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
