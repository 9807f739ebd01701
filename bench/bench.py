#!/usr/bin/env python3
"""End-to-end benchmark of coverage_ext against the SQL ways of computing coverage.

Generates an orderbook-like data set (three source tables of market rows appended in
time order, with outages), checks that every contender yields the same segments, then
times the contenders interleaved and prints medians, ratios and peak backend memory.

    python3 bench/bench.py                    # 10M rows, 1 warm-up + 5 rounds
    python3 bench/bench.py --rows 1000000     # a quicker run
    python3 bench/bench.py --rows 20000 --rounds 1 --warmup 0   # smoke run

The cluster is scripts/cluster.sh on --port (default $COVERAGE_PGPORT, else 55470):
a running one is reused and left running, one started here is stopped at the end.
PG_CONFIG picks the server; the extension must be installed into it (make install).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

try:
    import psycopg
except ImportError:
    # Debian's python3-psycopg serves the system interpreter; a python3 earlier on PATH
    # (pyenv, a venv) may lack it.
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

from workload import (DB_GAP, MEM_GAP, WINDOW, Contender, contenders, generate_sql,
                      identity_sql)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER = os.path.join(REPO, "scripts", "cluster.sh")
DATA_VERSION = 4  # bump when the generated data changes shape


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000,
                    help="source rows over the three tables (default 10M)")
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    ap.add_argument("--port", type=int,
                    default=int(os.environ.get("COVERAGE_PGPORT") or 55470))
    ap.add_argument("--dbname", default="coverage_bench")
    ap.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1),
                    help="workers per Gather in the forced parallel plans")
    ap.add_argument("--only", default="",
                    help="comma-separated contender groups: core,sql,parallel,memory,"
                         "refresh (default all)")
    ap.add_argument("--stats-runs", type=int, default=20, help="calls per stats() query")
    ap.add_argument("--regenerate", action="store_true",
                    help="rebuild the data set even when one of the same size exists")
    ap.add_argument("--keep-cluster", action="store_true",
                    help="leave a cluster started here running")
    args = ap.parse_args()
    if args.rows < 1000:
        ap.error("--rows must be at least 1000")
    if args.rounds < 1 or args.warmup < 0:
        ap.error("--rounds must be at least 1 and --warmup at least 0")
    return args


def add_data_set_args(ap):
    """The options of a script that times queries over this script's data set: its size,
    and the cluster's port and database, as here."""
    ap.add_argument("--rows", type=int, default=10_000_000,
                    help="rows of bench.py's data set (default 10M)")
    ap.add_argument("--port", type=int,
                    default=int(os.environ.get("COVERAGE_PGPORT") or 55470))
    ap.add_argument("--dbname", default="coverage_bench")


# --- cluster -------------------------------------------------------------------------

def cluster(args, *cmd, check=True):
    env = dict(os.environ, COVERAGE_PGPORT=str(args.port))
    return subprocess.run([CLUSTER, *cmd], env=env, check=check, text=True,
                          stdout=subprocess.PIPE)


def start_cluster(args):
    """Starts the cluster unless it runs already; returns (conninfo dict, started)."""
    running = cluster(args, "status", check=False).returncode == 0
    if not running:
        cluster(args, "start")
    env = {}
    for line in cluster(args, "env").stdout.splitlines():
        m = re.match(r"export (\w+)=(.*)$", line)
        if m:
            env[m.group(1)] = m.group(2).strip("'\"")
    info = dict(host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"])
    return info, not running


def connect(info, dbname):
    return psycopg.connect(dbname=dbname, autocommit=True, **info)


# --- data set ------------------------------------------------------------------------

def prepare_database(args, info):
    with connect(info, "postgres") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              [args.dbname]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.dbname}"')
    with connect(info, args.dbname) as conn:
        # A fresh extension each run: the installed SQL may have changed since.
        conn.execute("DROP EXTENSION IF EXISTS coverage_ext CASCADE")
        conn.execute("CREATE EXTENSION coverage_ext")
        meta = None
        if conn.execute("SELECT to_regclass('bench_meta')").fetchone()[0]:
            meta = conn.execute("SELECT rows, version FROM bench_meta").fetchone()
        if args.regenerate or meta != (args.rows, DATA_VERSION):
            log(f"generating the data set ({args.rows} rows)")
            t0 = time.monotonic()
            for stmt in generate_sql(args.rows):
                conn.execute(stmt)
            conn.execute("CREATE TABLE bench_meta (rows bigint, version int)")
            conn.execute("INSERT INTO bench_meta VALUES (%s, %s)", [args.rows, DATA_VERSION])
            log(f"  generated in {time.monotonic() - t0:.0f} s")
        conn.execute("SET max_parallel_workers_per_gather = 0")
        conn.execute("SET work_mem = '1GB'")
        conn.execute("SET jit = off")
        # Configured again each run (the extension is new); the first refresh fills it.
        conn.execute("SELECT coverage.set_entities('bench_markets', 'market', 'event', "
                     "ARRAY['title']::name[], 'status')")
        for table, label in (("book_deltas", "deltas"), ("book_snapshots", "snapshots"),
                             ("trades", "trades")):
            conn.execute("SELECT coverage.add_source(%s, 'market', 'ts', %s)", [table, label])
        conn.execute("SELECT coverage.set_max_gap(%s)", [DB_GAP])
        conn.execute("SELECT coverage.refresh(full => true)")
        conn.execute("DROP MATERIALIZED VIEW IF EXISTS bench_window_mv")
        conn.execute("CREATE MATERIALIZED VIEW bench_window_mv AS " + WINDOW)
        return describe_data(conn)


def describe_data(conn):
    row = conn.execute("""
        SELECT (SELECT count(*) FROM book_deltas) + (SELECT count(*) FROM book_snapshots)
                 + (SELECT count(*) FROM trades),
               (SELECT count(*) FROM bench_markets),
               (SELECT count(DISTINCT event) FROM bench_markets),
               (SELECT sum(num_segments) FROM coverage.entity_store),
               (SELECT count(*) FROM mem_points),
               pg_size_pretty(pg_total_relation_size('book_deltas')
                              + pg_total_relation_size('book_snapshots')
                              + pg_total_relation_size('trades'))""").fetchone()
    return dict(rows=row[0], markets=row[1], events=row[2], segments=row[3],
                mem_points=row[4], size=row[5])


# --- running one contender -----------------------------------------------------------

def private_peak_kb(pid):
    """Peak resident memory of a backend less its shared memory, or None without /proc.

    VmHWM counts the shared buffers a backend has touched, which depends on the scans'
    buffer rings, not on the query's own memory. Touched shared memory never shrinks,
    so subtracting what is touched by now leaves the peak of the backend's own memory.
    """
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "RssShmem"):
                    fields[key] = int(rest.split()[0])
    except OSError:
        return None
    if len(fields) < 2:
        return None
    return fields["VmHWM"] - fields["RssShmem"]


def apply_gucs(conn, gucs):
    for name, value in gucs.items():
        conn.execute(f"SET {name} = '{value}'")


def backend_cpu_s(pid):
    """CPU time (s) the server process `pid` has used so far, or None without /proc."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except OSError:
        return None


def run_once(info, dbname, c: Contender):
    """Runs a contender on a fresh backend: (seconds, peak memory added in kB or None,
    backend CPU seconds or None).

    The backend is new so that its peak memory belongs to this statement alone; an EXPLAIN
    first loads the catalog caches, so that neither the time nor the baseline includes
    them. Results go to /dev/null on the server, so no contender pays for the network.
    """
    with connect(info, dbname) as conn:
        apply_gucs(conn, c.gucs)
        if c.explainable:
            conn.execute("EXPLAIN " + c.sql)
        pid = conn.info.backend_pid
        base, cpu0 = private_peak_kb(pid), backend_cpu_s(pid)
        t0 = time.perf_counter()
        conn.execute(c.timed_sql)
        elapsed = time.perf_counter() - t0
        peak, cpu1 = private_peak_kb(pid), backend_cpu_s(pid)
    added = None if base is None or peak is None else peak - base
    cpu = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
    return elapsed, added, cpu


# --- identity and plans --------------------------------------------------------------

def check_plans(info, dbname, cs):
    bad = []
    with connect(info, dbname) as conn:
        for c in cs:
            if not c.explainable:
                continue
            conn.execute("RESET ALL")
            apply_gucs(conn, c.gucs)
            plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + c.sql))
            for needle in c.plan_has:
                if needle not in plan:
                    bad.append(f"{c.name}: plan lacks \"{needle}\":\n{plan}")
            for needle in c.plan_lacks:
                if needle in plan:
                    bad.append(f"{c.name}: plan has \"{needle}\":\n{plan}")
    return bad


def check_identity(info, dbname, cs):
    """Digests of every contender's segments under its own settings; all must agree."""
    digests = {}
    with connect(info, dbname) as conn:
        for c in cs:
            if c.identity is None:
                continue
            conn.execute("RESET ALL")
            apply_gucs(conn, c.gucs)
            digests[c.name] = conn.execute(identity_sql(c)).fetchone()
    failures = []
    groups = {}
    for c in cs:
        if c.name in digests:
            groups.setdefault(c.identity_group, []).append(c.name)
    for group, names in groups.items():
        ref = digests[names[0]]
        for name in names[1:]:
            got = digests[name]
            # Column 0: segment count; 1: digest of the spans; 2: of spans and points
            # (NULL for range_agg, which cannot count points).
            same = got[0] == ref[0] and got[1] == ref[1] and (
                got[2] is None or ref[2] is None or got[2] == ref[2])
            if not same:
                failures.append(f"{group}: {name} {got} differs from {names[0]} {ref}")
    return digests, failures


# --- timing --------------------------------------------------------------------------

def time_contenders(args, info, cs):
    times = {c.name: [] for c in cs}
    mems = {c.name: [] for c in cs}
    total = args.warmup + args.rounds
    for r in range(total):
        warm = r < args.warmup
        # Rotate the order each round, so no contender always follows the same one.
        order = cs[r % len(cs):] + cs[:r % len(cs)]
        t0 = time.monotonic()
        for c in order:
            elapsed, added, _ = run_once(info, args.dbname, c)
            if not warm:
                times[c.name].append(elapsed)
                if added is not None:
                    mems[c.name].append(added)
        load = os.getloadavg()[0]
        log(f"  {'warm-up' if warm else 'round'} {r + 1 - (0 if warm else args.warmup)}"
            f"/{args.warmup if warm else args.rounds}: {time.monotonic() - t0:.0f} s,"
            f" load {load:.2f}")
    return ({k: statistics.median(v) for k, v in times.items() if v},
            {k: max(v) for k, v in mems.items() if v})


def time_stats(args, info):
    calls = [
        ("stats() page 1", "SELECT coverage.stats()"),
        ("stats() page 50", "SELECT coverage.stats(page => 50)"),
        ("stats() search", "SELECT coverage.stats(search => 'mkt-001')"),
        ("stats() status and page 3",
         "SELECT coverage.stats(status => 'open', page => 3, page_size => 50)"),
    ]
    out = []
    with connect(info, args.dbname) as conn:
        for label, sql in calls:
            conn.execute(sql)  # plans and caches once, as a long-lived API connection would
            samples = []
            for _ in range(args.stats_runs):
                t0 = time.perf_counter()
                conn.execute(sql).fetchone()
                samples.append(time.perf_counter() - t0)
            out.append((label, statistics.median(samples)))
    return out


def segment_bytes(info, dbname):
    """Bytes one more stored segment costs in a coverage value."""
    with connect(info, dbname) as conn:
        return conn.execute("""
            WITH v AS (
                SELECT n, pg_column_size(coverage.coverage_agg(
                           '2024-01-01'::timestamptz + i * interval '1 hour', '1 minute')) AS b
                  FROM (VALUES (1), (1001)) AS n (n), generate_series(1, n) AS i
                 GROUP BY n)
            SELECT (max(b) - min(b)) / 1000.0 FROM v""").fetchone()[0]


# --- report --------------------------------------------------------------------------

def fmt_mb(kb):
    return "n/a" if kb is None else f"{kb / 1024:.1f} MB"


def ratio_rows(med, mem, cs, workers):
    """(comparison, ratio text, target, met) for every comparison whose inputs ran."""
    rows = []

    def have(*names):
        return all(n in med for n in names)

    def ratio(label, num, den, target, ok):
        if have(num, den):
            r = med[num] / med[den]
            rows.append((label, f"{r:.2f}x", target, ok(r)))

    ratio("coverage_agg unordered / floor (hash aggregate)", "cov_hash", "floor_hash",
          "<= 1.1x", lambda r: r <= 1.1)
    ratio("coverage_agg ordered / floor (ordered input)", "cov_ordered", "floor_ordered",
          "<= 1.0x", lambda r: r <= 1.0)
    ratio("window SQL, (market, ts) index / coverage_agg", "window_index", "cov_hash",
          ">= 3.5x", lambda r: r >= 3.5)
    ratio("window SQL, no index / coverage_agg", "window_noindex", "cov_hash",
          ">= 10x", lambda r: r >= 10)
    ratio("range_agg / coverage_agg", "range_agg", "cov_hash", ">= 3.5x", lambda r: r >= 3.5)
    if "range_agg" in mem and "cov_hash" in mem:
        r = mem["range_agg"] / max(mem["cov_hash"], 1)
        rows.append(("range_agg / coverage_agg, peak memory", f"{r:.0f}x", ">= 50x", r >= 50))
    if have("floor_hash", "floor_parallel", "cov_hash", "cov_parallel"):
        fs = med["floor_hash"] / med["floor_parallel"]
        cs_ = med["cov_hash"] / med["cov_parallel"]
        rows.append((f"parallel speed-up, floor ({workers} worker(s) + leader)",
                     f"{fs:.2f}x", "", None))
        rows.append(("parallel speed-up, coverage_agg", f"{cs_:.2f}x",
                     ">= floor's", cs_ >= fs))
    if "mem_scan" in mem and "mem_cov" in mem:
        d = (mem["mem_cov"] - mem["mem_scan"]) / 1024
        rows.append(("peak memory, 10 segments shuffled: coverage_agg - plain scan",
                     f"{d:+.2f} MB", "<= 1 MB", d <= 1))
    ratio("full refresh of the view / bare coverage_agg", "refresh_full", "cov_hash",
          "<= 1.5x", lambda r: r <= 1.5)
    ratio("REFRESH MATERIALIZED VIEW (window SQL) / full refresh", "mv_refresh",
          "refresh_full", "about 3x", lambda r: r >= 3)
    return rows


def print_report(args, data, cs, med, mem, stats, seg_bytes, load):
    verdict = {True: "met", False: "NOT met", None: ""}
    print()
    print(f"Data: {data['rows']:,} rows in 3 tables ({data['size']}), {data['markets']:,}"
          f" markets in {data['events']:,} events, {data['segments']:,} segments at"
          f" max_gap {DB_GAP}; memory test: {data['mem_points']:,} shuffled points in"
          f" 10 segments (max_gap {MEM_GAP}).")
    print(f"Rounds: {args.warmup} warm-up + {args.rounds} timed, interleaved; medians."
          f" Load average at the end: {load:.2f}.")
    print()
    print("| contender | median | vs floor | peak backend memory added |")
    print("|---|---:|---:|---:|")
    floor = med.get("floor_hash")
    for c in cs:
        if c.name not in med or not c.timed:
            continue
        rel = f"{med[c.name] / floor:.2f}x" if floor else ""
        print(f"| {c.label} | {med[c.name]:.3f} s | {rel} | {fmt_mb(mem.get(c.name))} |")
    print()
    print("| comparison | measured | target | |")
    print("|---|---:|---:|---|")
    for label, value, target, ok in ratio_rows(med, mem, cs, args.workers):
        print(f"| {label} | {value} | {target} | {verdict[ok]} |")
    if seg_bytes is not None:
        print(f"| bytes per stored segment | {seg_bytes:.0f} | <= 32 |"
              f" {verdict[seg_bytes <= 32]} |")
    for label, secs in stats:
        print(f"| {label}, {data['markets']:,} entities | {secs * 1000:.1f} ms | < 50 ms |"
              f" {verdict[secs < 0.05]} |")


def main():
    args = parse_args()
    groups = set(filter(None, args.only.split(","))) or None
    info, started = start_cluster(args)
    try:
        data = prepare_database(args, info)
        log(f"data: {data}")
        cs = [c for c in contenders(args.workers) if groups is None or c.group in groups]
        bad = check_plans(info, args.dbname, cs)
        if bad:
            log("unexpected plans:\n" + "\n".join(bad))
            return 1
        log("plans as intended; checking identity")
        digests, failures = check_identity(info, args.dbname, cs)
        for name, d in digests.items():
            log(f"  {name}: {d[0]} segments, {d[1]}")
        if failures:
            log("contenders disagree:\n" + "\n".join(failures))
            return 1
        log("identical segments; timing")
        med, mem = time_contenders(args, info, [c for c in cs if c.timed])
        stats = time_stats(args, info) if groups is None or "refresh" in groups else []
        seg = segment_bytes(info, args.dbname)
        print_report(args, data, cs, med, mem, stats, seg, os.getloadavg()[0])
        return 0
    finally:
        if started and not args.keep_cluster:
            cluster(args, "stop")


if __name__ == "__main__":
    sys.exit(main())
