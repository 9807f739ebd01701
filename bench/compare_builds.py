#!/usr/bin/env python3
"""coverage_agg as installed against the floor and, optionally, another commit's build.

Times the floor (count, min, max) and the installed coverage_agg, grouped by market over
unordered sources of bench.py's data set (made if missing; all three tables, or the ones
--sources names, in that order) in a hash aggregate, interleaved in alternating order,
each on a fresh connection. With --baseline, the other commit is built into the server's
library directory under a name of its own, declared as coverage_ab.agg(timestamptz,
interval), checked to give the same values, and timed in the same rounds. Prints medians
of elapsed and backend CPU time, their ratios to the floor, and peak backend memory.
With --workers N, every contender runs as bench.py's forced parallel plans do (N workers
and the leader; CPU time is then the leader's alone).

    make install && python3 bench/compare_builds.py --baseline a214eea
    python3 bench/compare_builds.py --sources book_deltas,book_snapshots
    python3 bench/compare_builds.py --baseline a214eea --workers 1

Both libraries are linked with -Bsymbolic (see the Makefile), so that neither calls the
other's copy of a function of the same name. PG_CONFIG picks the server; writing into its
library directory takes the rights `make install` takes. The other build's library and
its schema are removed at the end.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import bench  # re-executes under /usr/bin/python3 when psycopg is missing
from workload import GAP, HASHED, Contender, floor_sql, parallel_gucs

AB_SCHEMA = "coverage_ab"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", help="git revision to compare against")
    ap.add_argument("--sources", default="book_deltas,book_snapshots,trades",
                    help="tables to read, in this order (default all three)")
    ap.add_argument("--rounds", type=int, default=7, help="timed rounds (default 7)")
    ap.add_argument("--workers", type=int, default=0,
                    help="parallel workers besides the leader (default 0: serial plans)")
    bench.add_data_set_args(ap)
    args = ap.parse_args()
    # What bench.prepare_database and bench.start_cluster read.
    args.regenerate = False
    return args


def pg_config(flag):
    exe = os.environ.get("PG_CONFIG", "pg_config")
    return subprocess.run([exe, flag], check=True, text=True,
                          stdout=subprocess.PIPE).stdout.strip()


def build_baseline(rev):
    """Builds `rev` in a scratch worktree; returns the path of its installed library."""
    short = subprocess.run(["git", "-C", bench.REPO, "rev-parse", "--short", rev], check=True,
                           text=True, stdout=subprocess.PIPE).stdout.strip()
    scratch = tempfile.mkdtemp(prefix="coverage-ab-")
    tree = os.path.join(scratch, "tree")
    subprocess.run(["git", "-C", bench.REPO, "worktree", "add", "--detach", "-q", tree, short],
                   check=True)
    try:
        bench.log(f"building {short}")
        subprocess.run(["make", "-s", "-j2", "-C", tree, "SHLIB_LINK=-lstdc++ -Wl,-Bsymbolic",
                        "coverage_ext.so"], check=True, stdout=subprocess.DEVNULL)
        target = os.path.join(pg_config("--pkglibdir"), f"coverage_ext_ab_{short}.so")
        shutil.copyfile(os.path.join(tree, "coverage_ext.so"), target)
        os.chmod(target, 0o755)
        return short, target
    finally:
        subprocess.run(["git", "-C", bench.REPO, "worktree", "remove", "--force", tree],
                       check=False)
        shutil.rmtree(scratch, ignore_errors=True)


def declare_baseline(conn, library):
    conn.execute(f"DROP SCHEMA IF EXISTS {AB_SCHEMA} CASCADE")
    conn.execute(f"CREATE SCHEMA {AB_SCHEMA}")
    conn.execute(f"""CREATE FUNCTION {AB_SCHEMA}.transfn(coverage.coverage, timestamptz,
        interval) RETURNS coverage.coverage AS '{library}', 'coverage_agg_transfn'
        LANGUAGE C IMMUTABLE PARALLEL SAFE""")
    conn.execute(f"""CREATE FUNCTION {AB_SCHEMA}.combinefn(coverage.coverage,
        coverage.coverage) RETURNS coverage.coverage AS '{library}', 'coverage_agg_combinefn'
        LANGUAGE C IMMUTABLE PARALLEL SAFE""")
    conn.execute(f"""CREATE FUNCTION {AB_SCHEMA}.finalfn(coverage.coverage)
        RETURNS coverage.coverage AS '{library}', 'coverage_agg_finalfn'
        LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE""")
    conn.execute(f"""CREATE AGGREGATE {AB_SCHEMA}.agg(timestamptz, interval) (
        SFUNC = {AB_SCHEMA}.transfn, STYPE = coverage.coverage,
        COMBINEFUNC = {AB_SCHEMA}.combinefn, FINALFUNC = {AB_SCHEMA}.finalfn,
        PARALLEL = SAFE)""")


def sources_sql(tables):
    known = {"book_deltas", "book_snapshots", "trades"}
    names = tables.split(",")
    if not names or not set(names) <= known:
        raise SystemExit(f"--sources takes a list of {', '.join(sorted(known))}")
    return "(" + " UNION ALL ".join(f"SELECT market, ts FROM {t}" for t in names) + ") p"


def aggregate_sql(aggregate, sources):
    return f"SELECT p.market, {aggregate}(p.ts, {GAP}) AS cov FROM {sources} GROUP BY p.market"


def digest(conn, sql):
    return conn.execute("SELECT md5(string_agg(q.market || ' ' || q.cov::text, ','"
                        f" ORDER BY q.market)) FROM ({sql}) q").fetchone()[0]


def main():
    args = parse_args()
    info, started = bench.start_cluster(args)
    library = None
    try:
        sources = sources_sql(args.sources)
        gucs = parallel_gucs(args.workers) if args.workers > 0 else HASHED
        contenders = {"floor": floor_sql(sources),
                      "installed": aggregate_sql("coverage.coverage_agg", sources)}
        if args.baseline:
            short, library = build_baseline(args.baseline)
        bench.prepare_database(args, info)
        if library is not None:
            contenders[short] = aggregate_sql(f"{AB_SCHEMA}.agg", sources)
            with bench.connect(info, args.dbname) as conn:
                declare_baseline(conn, library)
                bench.apply_gucs(conn, gucs)
                if digest(conn, contenders["installed"]) != digest(conn, contenders[short]):
                    bench.log("the two builds give different values")
                    return 1
            bench.log("same values")
        bench.log("timing")
        runs = {name: [] for name in contenders}
        for r in range(args.rounds):
            order = list(contenders) if r % 2 == 0 else list(reversed(contenders))
            for name in order:
                runs[name].append(bench.run_once(info, args.dbname,
                                                 Contender(name, name, "ab", gucs,
                                                           contenders[name])))
            bench.log(f"  round {r + 1}/{args.rounds}, load {os.getloadavg()[0]:.2f}")
        # run_once gives (elapsed s, peak memory added in kB, backend CPU s).
        floor_el, floor_cpu = (statistics.median(x[i] for x in runs["floor"]) for i in (0, 2))
        print("| build | elapsed | vs floor | CPU | vs floor | peak memory |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, xs in runs.items():
            el, cpu = (statistics.median(x[i] for x in xs) for i in (0, 2))
            peak = max(x[1] for x in xs) / 1024
            print(f"| {name} | {el:.3f} s | {el / floor_el:.2f}x | {cpu:.3f} s |"
                  f" {cpu / floor_cpu:.2f}x | {peak:.1f} MB |")
        return 0
    finally:
        if library is not None:
            with bench.connect(info, args.dbname) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {AB_SCHEMA} CASCADE")
            os.remove(library)
        if started:
            bench.cluster(args, "stop")


if __name__ == "__main__":
    sys.exit(main())
