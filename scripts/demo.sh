#!/usr/bin/env bash
# coverage_ext in one command: bash scripts/demo.sh [--markets N] [--days D] [--no-install]
#
# Installs the missing Debian packages, builds and installs the extension, starts a
# throwaway cluster (scripts/cluster.sh, port 55433 unless COVERAGE_PGPORT says otherwise),
# creates the database coverage_demo afresh, loads a generated prediction-market data set
# (examples/demo/data.sql), configures and refreshes the coverage view and prints a report.
# It ends with the commands to explore the data in psql and to stop the cluster.
#
#   --markets N    markets in the data set (default 300)
#   --days D       days of collected data (default 21)
#   --no-install   do not check or install Debian packages
#
# PG_CONFIG picks the PostgreSQL installation (default: pg_config on PATH).
set -euo pipefail

PROG=demo.sh
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$SCRIPT_DIR/.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=scripts/lib/deps.sh
source "$SCRIPT_DIR/lib/deps.sh"

export PG_CONFIG=${PG_CONFIG:-pg_config}
# Not the test command's port, so that a demo left running and a test run do not meet.
export COVERAGE_PGPORT=${COVERAGE_PGPORT:-55433}
DATABASE=coverage_demo
LOG_DIR=$REPO/build/demo-logs
MARKETS=300
DAYS=21
INSTALL_DEPS=1

usage() { usage_from_header "${BASH_SOURCE[0]}" 14 "${1:-2}"; }

# A whole number within bounds, for an option's value.
check_count() {
    local option=$1 value=$2 max=$3
    [[ $value =~ ^[0-9]+$ ]] && ((value >= 1 && value <= max)) ||
        die "$option takes a whole number from 1 to $max, not \"$value\""
}

parse_args() {
    while (($#)); do
        case $1 in
        --markets | --days)
            (($# >= 2)) || usage
            if [[ $1 == --markets ]]; then MARKETS=$2; else DAYS=$2; fi
            shift
            ;;
        --markets=* | --days=*) parse_args "${1%%=*}" "${1#*=}" ;;
        --no-install) INSTALL_DEPS=0 ;;
        -h | --help) usage 0 ;;
        *) usage ;;
        esac
        shift
    done
    check_count --markets "$MARKETS" 1000000
    check_count --days "$DAYS" 3650
}

# Runs a step with its output in $LOG_DIR/<name>.log, shown only when the step fails.
quietly() {
    local name=$1 log=$LOG_DIR/$1.log
    shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "$name failed; the whole log is $log"
    fi
}

install_extension() {
    local cmd=(make install PG_CONFIG="$PG_CONFIG")
    if ! can_write_install_dirs; then
        command -v sudo >/dev/null && sudo -n true 2>/dev/null ||
            die "cannot write the install directories of $PG_CONFIG: run as root," \
                "with passwordless sudo, or point PG_CONFIG at a private copy"
        cmd=(sudo -n "${cmd[@]}")
    fi
    "${cmd[@]}"
}

# The command a user types to reach this cluster again, from the directory they are in.
cluster_command() {
    local script=scripts/cluster.sh prefix=
    [[ $PWD == "$REPO" ]] || script=$REPO/scripts/cluster.sh
    [[ $PG_CONFIG == pg_config ]] || prefix="PG_CONFIG=$(printf '%q' "$PG_CONFIG") "
    printf '%sCOVERAGE_PGPORT=%s bash %q' "$prefix" "$COVERAGE_PGPORT" "$script"
}

run_sql() {
    "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

load_demo() {
    note "creating database $DATABASE with $MARKETS markets over $DAYS days"
    # FORCE ends sessions left open on it, say a psql from the previous run.
    run_sql -d postgres -c 'SET client_min_messages = warning' \
        -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" -c "CREATE DATABASE $DATABASE"
    run_sql -d "$DATABASE" -c 'CREATE EXTENSION coverage_ext' \
        -v markets="$MARKETS" -v days="$DAYS" -f "$REPO/examples/demo/data.sql" \
        -f "$REPO/examples/demo/coverage.sql"
}

print_next_steps() {
    local cmd
    cmd=$(cluster_command)
    cat <<EOF

== explore it in psql
  $cmd psql -d $DATABASE

  For example:
    SELECT coverage.stats(search => 'bitcoin', page_size => 2);
    SELECT key, coverage.gaps(coverage) FROM coverage.entity_coverage LIMIT 5;
    SELECT * FROM coverage.refresh();

== stop the cluster (add --clean to delete its files)
  $cmd stop
EOF
}

main() {
    parse_args "$@"
    cd "$REPO"
    mkdir -p "$LOG_DIR"
    if ((INSTALL_DEPS)); then
        quietly packages ensure_packages "${BUILD_PACKAGES[@]}"
    fi
    require_pg_config
    [[ $(pg_major) == 15 ]] || note "warning: this project targets PostgreSQL 15"
    note "building and installing into $("$PG_CONFIG" --pkglibdir) (log in $LOG_DIR)"
    quietly build make -j2 PG_CONFIG="$PG_CONFIG"
    quietly install install_extension
    quietly cluster bash "$SCRIPT_DIR/cluster.sh" start
    eval "$(bash "$SCRIPT_DIR/cluster.sh" env)"
    BINDIR=$("$PG_CONFIG" --bindir)
    load_demo
    run_sql -d "$DATABASE" -f "$REPO/examples/demo/report.sql"
    print_next_steps
}

main "$@"
