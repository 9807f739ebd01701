#!/usr/bin/env python3
"""The floor and coverage_agg, serial, alone and beside another session's coverage_agg.

A parallel plan runs its processes side by side, sharing the third-level cache and the
memory bandwidth. This shows what that sharing costs each contender without a parallel
plan: bench.py's serial hash aggregates (the floor and coverage_agg over all three
sources), timed alone and while a second connection runs coverage_agg over and over,
in rounds that alternate the two conditions. Prints medians and each one's slowdown.

    python3 bench/contention.py                 # 2 x 3 rounds of each condition
    python3 bench/contention.py --rounds 5

Cluster, port and data set as for bench/bench.py.
"""
import argparse
import contextlib
import os
import statistics
import sys
import threading

import bench  # re-executes under /usr/bin/python3 when psycopg is missing
from workload import COVERAGE, FLOOR, HASHED, Contender


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds of each condition, twice over (default 3)")
    bench.add_data_set_args(ap)
    args = ap.parse_args()
    args.regenerate = False  # what bench.prepare_database reads
    return args


class Neighbour:
    """Another session running coverage_agg until stopped."""

    def __init__(self, info, dbname):
        self.info, self.dbname = info, dbname
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        with bench.connect(self.info, self.dbname) as conn:
            bench.apply_gucs(conn, HASHED)
            while not self.stopping.is_set():
                conn.execute(f"COPY ({COVERAGE}) TO '/dev/null'")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()


def main():
    args = parse_args()
    info, started = bench.start_cluster(args)
    try:
        bench.prepare_database(args, info)
        contenders = [Contender("floor", "floor", "contention", HASHED, FLOOR),
                      Contender("coverage_agg", "coverage_agg", "contention", HASHED, COVERAGE)]
        times = {}
        for condition in ("alone", "beside coverage_agg") * 2:
            bench.log(f"{condition}, load {os.getloadavg()[0]:.2f}")
            beside = (Neighbour(info, args.dbname) if condition != "alone"
                      else contextlib.nullcontext())
            with beside:
                for _ in range(args.rounds):
                    for c in contenders:
                        elapsed = bench.run_once(info, args.dbname, c)[0]
                        times.setdefault((c.name, condition), []).append(elapsed)
        print("| contender | alone | beside coverage_agg | slowdown |")
        print("|---|---:|---:|---:|")
        for c in contenders:
            alone = statistics.median(times[(c.name, "alone")])
            beside = statistics.median(times[(c.name, "beside coverage_agg")])
            print(f"| {c.name} | {alone:.3f} s | {beside:.3f} s | {beside / alone:.2f}x |")
        return 0
    finally:
        if started:
            bench.cluster(args, "stop")


if __name__ == "__main__":
    sys.exit(main())
