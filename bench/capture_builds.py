#!/usr/bin/env python3
"""Capture triggers of two builds side by side: what each adds to the same writes.

Loads another commit's build of the insert trigger (coverage._capture_insert) beside the
installed one and times the same writes into bare (key, ts) tables in one server: a
table with a trigger that only collects a transition table, one captured by the
installed build, one by the other build's trigger, each right after (or, every other
round, right before) the same write into a table without trigger, whose time it is
compared with; pairing cancels most of the drift of a shared machine. After each round a
refresh and a vacuum of coverage.pending, as with regular refreshes (the other build's
rows, of a table that is no source, are deleted first). Prints the median overheads over
the plain table with their middle half, elapsed and backend CPU time.

    make install && python3 bench/capture_builds.py --baseline a7d937b
    python3 bench/capture_builds.py --baseline a7d937b --work-mem 256MB --rounds 30

The other build writes rows in its own format; they are deleted unread. Cluster, port
and PG_CONFIG as for bench/bench.py.
"""
import argparse
import os
import statistics
import sys

import bench  # re-executes under /usr/bin/python3 when psycopg is missing
from compare_builds import build_baseline
from incremental import (MARKETS, Workload, backend_cpu, ingest, spread,
                         transition_table_only)

TABLES = ("bare_plain", "bare_transitions", "bare_captured", "bare_other")
OPS = ("copy", "batch")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", required=True, help="git revision to compare against")
    ap.add_argument("--rounds", type=int, default=20, help="timed rounds (default 20)")
    ap.add_argument("--work-mem", default="4MB",
                    help="work_mem of the writing session (default 4MB, the server's)")
    ap.add_argument("--port", type=int,
                    default=int(os.environ.get("COVERAGE_PGPORT") or 55470))
    ap.add_argument("--dbname", default="coverage_bench_capture")
    return ap.parse_args()


def prepare(info, dbname, library, work_mem):
    with bench.connect(info, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    conn = bench.connect(info, dbname)
    for sql in [
        "SET client_min_messages = warning",
        "CREATE EXTENSION coverage_ext",
        f"""CREATE TABLE markets AS SELECT format('M%s', lpad(i::text, 5, '0')) AS ticker
              FROM generate_series(1, {MARKETS}) i""",
        "ALTER TABLE markets ADD PRIMARY KEY (ticker)",
        *[f"CREATE TABLE {t} (ticker text, ts timestamptz)" for t in TABLES],
        *transition_table_only("bare_transitions"),
        f"""CREATE FUNCTION other_capture_insert() RETURNS trigger
            AS '{library}', 'coverage_capture_insert' LANGUAGE C""",
        """CREATE TRIGGER capture AFTER INSERT ON bare_other
           REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
           EXECUTE FUNCTION other_capture_insert('ticker', 'ts')""",
        "SELECT coverage.set_entities('markets', 'ticker')",
        "SELECT coverage.add_source('bare_captured', 'ticker', 'ts')",
        "SELECT coverage.set_max_gap('15 minutes')",
        "SELECT coverage.refresh(full => true)",
        f"SET work_mem = '{work_mem}'",
    ]:
        conn.execute(sql)
    return conn


def main():
    args = parse_args()
    info, started = bench.start_cluster(args)
    library = None
    try:
        short, library = build_baseline(args.baseline)
        conn = prepare(info, args.dbname, library, args.work_mem)
        cpu = backend_cpu(conn)
        work = Workload(2)
        ratios = {}
        for r in range(-1, args.rounds):
            bench.log(f"round {r + 1}/{args.rounds}" + (" (warm-up)" if r < 0 else ""))
            for op in OPS:
                for table in TABLES[1:]:
                    pair = ("bare_plain", table) if r % 2 == 0 else (table, "bare_plain")
                    t = {name: ingest(conn, name, work, op, cpu) for name in pair}
                    if r >= 0:
                        ratios.setdefault((table, op), []).append(
                            [c / p for c, p in zip(t[table], t["bare_plain"])])
            conn.execute("DELETE FROM coverage.pending WHERE relid = 'bare_other'::regclass")
            conn.execute("SELECT coverage.refresh()")
            conn.execute("VACUUM coverage.pending")
        conn.close()
        labels = {"bare_transitions": "transition table only", "bare_captured": "installed",
                  "bare_other": short}
        print(f"\nwork_mem {args.work_mem}, {args.rounds} rounds; overhead over the plain "
              "table, median of the rounds (middle half)\n")
        print("| write | trigger | elapsed | server CPU |")
        print("|---|---|---:|---:|")
        for op, what in (("copy", "`COPY` of 100,000 rows"),
                         ("batch", "100 `INSERT`s of 1,000 rows")):
            for table in TABLES[1:]:
                cells = []
                for i in (0, 1):
                    over = [x[i] - 1 for x in ratios[(table, op)]]
                    lo, hi = spread(over)
                    cells.append(f"{statistics.median(over):+.1%} ({lo:+.1%} to {hi:+.1%})")
                print(f"| {what} | {labels[table]} | {cells[0]} | {cells[1]} |")
        return 0
    finally:
        if library is not None:
            os.remove(library)
        if started:
            bench.cluster(args, "stop")


if __name__ == "__main__":
    sys.exit(main())
