#!/usr/bin/env bash
# The pg_regress suite (sql/*.sql) against a server that runs under valgrind's memcheck:
#
#   bash scripts/valgrind.sh [TEST...]          (default: every test in sql/)
#
# Builds and installs the extension into PG_CONFIG's server (as scripts/test.sh does), sets
# up a throwaway cluster with scripts/cluster.sh on port COVERAGE_VALGRIND_PORT (default
# 55434, beside the tests' 55432 and the demo's 55433), restarts its postmaster under
# valgrind (every backend is a fork, so every backend is checked), runs the tests, stops
# the server and reads the reports. The server is not built with USE_VALGRIND, so memcheck
# sees palloc'd chunks only as parts of larger malloc'd blocks: it finds reads of
# uninitialised memory and wild accesses, not every overrun inside a memory context
# (AddressSanitizer on the core covers those). scripts/valgrind.supp silences known
# reports of the server itself.
#
# Reports land in build/valgrind/ (one file per process). Counts the reports whose stack or
# origin passes through coverage_ext, lists the server's own by kind, and exits non-zero on
# a report of ours or a failed test. Takes many minutes: it is not part of scripts/test.sh.
set -euo pipefail

PROG=valgrind.sh
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$SCRIPT_DIR/.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

export PG_CONFIG=${PG_CONFIG:-pg_config}
export COVERAGE_PGPORT=${COVERAGE_VALGRIND_PORT:-55434}
CLUSTER=$SCRIPT_DIR/cluster.sh
OUT=$REPO/build/valgrind
SUPP=$SCRIPT_DIR/valgrind.supp
command -v valgrind >/dev/null || die "valgrind not found (apt-get install valgrind)"
require_pg_config
BINDIR=$("$PG_CONFIG" --bindir)

cd "$REPO"
make -s -j2 PG_CONFIG="$PG_CONFIG" >/dev/null
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null

# cluster.sh creates and configures the data directory; then its server makes way for
# one under valgrind on the same directory and socket.
"$CLUSTER" start >/dev/null
eval "$("$CLUSTER" env)"
DATA=$(dirname "$PGHOST")/data
"$CLUSTER" stop >/dev/null
VG_LOGS=$(dirname "$PGHOST")/valgrind
rm -rf "$VG_LOGS" "$OUT"
mkdir -p "$VG_LOGS" "$OUT"
chown postgres: "$VG_LOGS"
cp "$SUPP" "$VG_LOGS/valgrind.supp"

stop_server() {
    runuser -u postgres -- "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 300 stop >/dev/null 2>&1 ||
        true
}
trap stop_server EXIT

note "starting the server under valgrind (logs in build/valgrind/)"
(cd / && runuser -u postgres -- valgrind --tool=memcheck --error-limit=no --num-callers=40 \
    --track-origins=yes --read-var-info=no --suppressions="$VG_LOGS/valgrind.supp" \
    --gen-suppressions=all --log-file="$VG_LOGS/%p.log" \
    "$BINDIR/postgres" -D "$DATA" >"$VG_LOGS/server.log" 2>&1 &)
for _ in $(seq 1 120); do
    "$BINDIR/pg_isready" -q -h "$PGHOST" -p "$PGPORT" -t 1 && break
    sleep 1
done
"$BINDIR/pg_isready" -q -h "$PGHOST" -p "$PGPORT" || die "the server under valgrind did not start"

tests=("$@")
if ((${#tests[@]} == 0)); then
    for file in sql/*.sql; do tests+=("$(basename "$file" .sql)"); done
fi
status=0
make installcheck PG_CONFIG="$PG_CONFIG" ISOLATION= REGRESS="${tests[*]}" \
    >"$OUT/regress.log" 2>&1 || status=$?
grep -E '^(test| ) .*\.\.\. ' "$OUT/regress.log" || true
stop_server
trap - EXIT
cp "$VG_LOGS"/*.log "$OUT"/

# Each memcheck report is a block of "==pid==" lines that ends with a blank one. A report
# whose stack or origin passes through coverage_ext is ours; the others are the server's
# and are listed by kind and innermost named server function.
REPORT_START='^==[0-9]+== (Invalid|Conditional jump|Use of uninit|Syscall param|Mismatched|'
REPORT_START+='Source and|Argument|Jump to|Process terminating)'
ours=0
others=0
: >"$OUT/server-reports.txt"
for log in "$OUT"/[0-9]*.log; do
    counts=$(awk -v list="$OUT/server-reports.txt" -v start="$REPORT_START" '
        $0 ~ start {
            in_block = 1; ours = 0; kind = $0; sub(/^==[0-9]+== /, "", kind); where = ""; next
        }
        in_block && /coverage_ext|coverage::/ { ours = 1 }
        in_block && where == "" && /(at|by) 0x[0-9A-F]+: [A-Za-z_]+ \(in .*postgres\)/ {
            where = $4
        }
        in_block && /^==[0-9]+== *$/ {
            in_block = 0
            if (ours) o++; else { x++; print kind " in " where >> list }
        }
        END { print o + 0, x + 0 }' "$log")
    read -r o x <<<"$counts"
    ours=$((ours + o))
    others=$((others + x))
    ((o == 0)) || note "$o report(s) through coverage_ext in ${log#"$REPO"/}"
done
processes=$(find "$OUT" -name '[0-9]*.log' | wc -l)
echo "valgrind: $processes processes, $ours report(s) through coverage_ext," \
    "$others in the server alone:"
sort "$OUT/server-reports.txt" | uniq -c | sort -rn
((status == 0)) || note "pg_regress failed, see build/valgrind/regress.log"
((status == 0 && ours == 0))
