#!/usr/bin/env bash
# The project's test command: bash scripts/test.sh [--no-install] [--only unit|regress|suites]
#
# Installs missing Debian packages, builds and installs the extension, runs the GoogleTest
# suite, then pg_regress and the isolation tests on a throwaway cluster (scripts/cluster.sh),
# then every test/suites/*.sh. The last line printed is always "N passed, N failed", and the
# exit status is non-zero when anything failed, a build or setup step included.
#
# Environment: PG_CONFIG (default pg_config), COVERAGE_PGPORT (default 55432),
# COVERAGE_KEEP_CLUSTER=1 to leave the cluster running afterwards for psql,
# COVERAGE_SUITE_TIMEOUT in seconds for each extra suite (default 1200).
# Logs of every step: build/test-logs/.
set -euo pipefail

PROG=test.sh
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$SCRIPT_DIR/.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=scripts/lib/counts.sh
source "$SCRIPT_DIR/lib/counts.sh"
# shellcheck source=scripts/lib/deps.sh
source "$SCRIPT_DIR/lib/deps.sh"

export PG_CONFIG=${PG_CONFIG:-pg_config}
export COVERAGE_PGPORT=${COVERAGE_PGPORT:-55432}
SUITE_TIMEOUT=${COVERAGE_SUITE_TIMEOUT:-1200}
CLUSTER=$SCRIPT_DIR/cluster.sh
LOG_DIR=$REPO/build/test-logs

# clang brings libFuzzer only with libclang-rt, which apt would add merely as a recommendation.
DEB_PACKAGES=("${BUILD_PACKAGES[@]}" libgtest-dev googletest libbenchmark-dev clang
    libclang-rt-14-dev valgrind python3-fastapi python3-psycopg python3-jwt python3-httpx
    python3-pytest)

INSTALL_DEPS=1
ONLY=all
TOTAL_PASSED=0
TOTAL_FAILED=0
SUMMARY=()
DIFF_FILES=()
CLUSTER_UP=0
FINISHED=0

usage() { usage_from_header "${BASH_SOURCE[0]}" 12 "${1:-2}"; }

parse_args() {
    while (($#)); do
        case $1 in
        --no-install) INSTALL_DEPS=0 ;;
        --only)
            [[ ${2:-} =~ ^(unit|regress|suites)$ ]] || usage
            ONLY=$2
            shift
            ;;
        --only=*) parse_args --only "${1#--only=}" ;;
        -h | --help) usage 0 ;;
        *) usage ;;
        esac
        shift
    done
}

section() { printf '\n==== %s ====\n' "$*"; }

# Runs a command with its output shown and kept in $LOG_DIR/<name>.log; returns its status.
run_logged() {
    local name=$1
    shift
    "$@" 2>&1 | tee "$LOG_DIR/$name.log"
}

# One summary line per step; the wording avoids the "N passed, N failed" of the total.
record() {
    local name=$1 passed=$2 failed=$3 info=${4:-}
    SUMMARY+=("$(printf '  %-26s %5d passed %5d failed%s' "$name" "$passed" "$failed" \
        "${info:+   ($info)}")")
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
}

# A setup step that failed counts as one failed test, so a broken build cannot pass for 0/0.
step_failed() {
    record "$1" 0 1 "error, see build/test-logs/$2.log"
}

# A test run that exited non-zero with no failed test to show for it (a compile error, a
# crash, a lost connection) likewise counts one failure.
record_result() {
    local name=$1 status=$2 passed=$3 failed=$4 log=$5
    if ((status != 0 && failed == 0)); then
        record "$name" "$passed" 1 "exit status $status, see build/test-logs/$log"
    else
        record "$name" "$passed" "$failed"
    fi
}

skip() { SUMMARY+=("$(printf '  %-26s skipped (%s)' "$1" "$2")"); }

wants() { [[ $ONLY == all || $ONLY == "$1" ]]; }

stage_deps() {
    ((INSTALL_DEPS)) || return 0
    section "Debian packages"
    run_logged apt ensure_packages "${DEB_PACKAGES[@]}" || step_failed "Debian packages" apt
}

check_pg_config() {
    if ! command -v "$PG_CONFIG" >/dev/null 2>&1; then
        note "PG_CONFIG \"$PG_CONFIG\" not found"
        record "PostgreSQL (pg_config)" 0 1 "PG_CONFIG \"$PG_CONFIG\" not found"
        return 1
    fi
    note "using $("$PG_CONFIG" --version) from $("$PG_CONFIG" --bindir)"
    [[ $(pg_major) == 15 ]] || note "warning: this project targets PostgreSQL 15"
}

stage_build() {
    section "build"
    run_logged build make -j2 PG_CONFIG="$PG_CONFIG" && return 0
    step_failed build build
    return 1
}

stage_install() {
    section "install into $("$PG_CONFIG" --pkglibdir)"
    local cmd=(make install PG_CONFIG="$PG_CONFIG")
    if ! can_write_install_dirs; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            cmd=(sudo -n "${cmd[@]}")
        else
            note "cannot write the install directories of $PG_CONFIG: run as root," \
                "with passwordless sudo, or point PG_CONFIG at a private copy"
            : >"$LOG_DIR/install.log"
            step_failed install install
            return 1
        fi
    fi
    run_logged install "${cmd[@]}" && return 0
    step_failed install install
    return 1
}

stage_unit() {
    section "unit tests (GoogleTest)"
    local status=0
    run_logged unit make unittest PG_CONFIG="$PG_CONFIG" || status=$?
    # shellcheck disable=SC2046 # two numbers, split on purpose
    record_result "unit (GoogleTest)" "$status" $(gtest_counts "$LOG_DIR/unit.log") unit.log
}

stage_cluster() {
    section "cluster on port $COVERAGE_PGPORT"
    CLUSTER_UP=1
    if run_logged cluster "$CLUSTER" start; then
        eval "$("$CLUSTER" env)"
        return 0
    fi
    step_failed cluster cluster
    return 1
}

stop_cluster() {
    ((CLUSTER_UP)) || return 0
    CLUSTER_UP=0
    if [[ ${COVERAGE_KEEP_CLUSTER:-0} == 1 ]]; then
        note "cluster left running (COVERAGE_KEEP_CLUSTER=1): scripts/cluster.sh psql"
        return 0
    fi
    "$CLUSTER" stop >>"$LOG_DIR/cluster.log" 2>&1 ||
        note "could not stop the cluster, see build/test-logs/cluster.log"
}

# One make installcheck per kind of test: the PGXS recipe stops after a failing pg_regress,
# which would leave the isolation tests unrun and uncounted.
run_installcheck() {
    local name=$1 label=$2 diffs=$3 status=0
    shift 3
    section "$label"
    run_logged "$name" make installcheck PG_CONFIG="$PG_CONFIG" "$@" || status=$?
    # shellcheck disable=SC2046 # two numbers, split on purpose
    record_result "$label" "$status" $(regress_counts "$LOG_DIR/$name.log") "$name.log"
    ((status == 0)) || DIFF_FILES+=("$diffs")
}

stage_regress() {
    local tests=()
    tests=(sql/*.sql)
    if ((${#tests[@]})); then
        run_installcheck regress "pg_regress" regression.diffs ISOLATION=
    fi
    tests=(specs/*.spec)
    if ((${#tests[@]})); then
        run_installcheck isolation "isolation" output_iso/regression.diffs REGRESS=
    fi
}

# Shows the suite's output indented, so that its own counts line is not taken for the total;
# its standard output is kept in the log, whose last line gives the counts.
run_suite() {
    local suite=$1 name status=0 counts
    name=$(basename "$suite" .sh)
    local cmd=("$suite") log=$LOG_DIR/suite-$name.log
    section "suite $name"
    if [[ ! -x $suite ]]; then
        note "$suite is not executable; running it with bash"
        cmd=(bash "$suite")
    fi
    { timeout -k 10 "$SUITE_TIMEOUT" "${cmd[@]}" </dev/null | tee "$log"; } 2>&1 |
        sed -u 's/^/    /' || status=$?
    ((status != 124)) || note "suite $name timed out after $SUITE_TIMEOUT s"
    if ! counts=$(suite_counts "$log"); then
        record "suite $name" 0 1 "exit status $status, no \"N passed, N failed\" last line"
        return 0
    fi
    # shellcheck disable=SC2086 # two numbers, split on purpose
    record_result "suite $name" "$status" $counts "suite-$name.log"
}

# test/suites/*.sh is the hook for later test kinds (API tests, fuzz smoke runs). They run
# from the repo root with the cluster's PG* variables, PG_CONFIG and COVERAGE_REPO set.
stage_suites() {
    local suites=() suite
    suites=(test/suites/*.sh)
    if ((${#suites[@]} == 0)); then
        note "no extra suites in test/suites/"
        return 0
    fi
    export COVERAGE_REPO=$REPO
    PATH="$("$PG_CONFIG" --bindir):$PATH"
    export PATH
    for suite in "${suites[@]}"; do
        run_suite "$suite"
    done
}

show_diffs() {
    local file
    for file in "${DIFF_FILES[@]}"; do
        [[ -s $file ]] || continue
        section "$file (first 200 lines)"
        head -n 200 "$file"
    done
}

print_summary() {
    section "summary (logs in build/test-logs/, took $SECONDS s)"
    if ((${#SUMMARY[@]})); then
        printf '%s\n' "${SUMMARY[@]}"
    fi
    echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
}

# Runs on every exit: the cluster is stopped, and even an aborted run ends with the total.
on_exit() {
    local status=$?
    trap - EXIT
    stop_cluster
    if ((!FINISHED)); then
        record "aborted" 0 1 "exit status $status"
        print_summary
        exit $((status == 0 ? 1 : status))
    fi
}

run_stages() {
    stage_deps
    check_pg_config || return 0
    local ready=0
    if [[ $ONLY != unit ]]; then
        stage_build && stage_install && ready=1
    fi
    if wants unit; then
        stage_unit
    fi
    [[ $ONLY == unit ]] && return 0
    if ((ready)); then
        stage_cluster || ready=0
    fi
    if ((!ready)); then
        skip "server tests" "build, install or cluster start failed"
        return 0
    fi
    if wants regress; then
        stage_regress
    fi
    if wants suites; then
        stage_suites
    fi
}

main() {
    parse_args "$@"
    cd "$REPO"
    shopt -s nullglob
    mkdir -p "$LOG_DIR"
    trap on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    run_stages
    stop_cluster
    show_diffs
    FINISHED=1
    print_summary
    ((TOTAL_FAILED == 0))
}

main "$@"
