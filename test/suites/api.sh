#!/usr/bin/env bash
# Tests of the API example (examples/api) against the running cluster of scripts/test.sh.
#
# Creates the database coverage_api_test afresh on the cluster named by PGHOST and PGPORT
# (as PGUSER, a superuser), loads a small data set with the demo's generator, configures
# and refreshes the coverage view, creates the API's roles, then runs pytest with Debian's
# python3. The last line is "N passed, N failed"; the exit status is non-zero on failure.
set -uo pipefail

REPO=${COVERAGE_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
export COVERAGE_API_TEST_DB=coverage_api_test
# Debian's python3 has the python3-* packages; a python3 earlier on PATH (pyenv, a venv)
# may lack them.
PYTHON=${COVERAGE_PYTHON:-/usr/bin/python3}
[[ -x $PYTHON ]] || PYTHON=python3

finish() {
    echo "$1 passed, $2 failed"
    exit $(($2 > 0))
}

psql_db() {
    psql -X -q -v ON_ERROR_STOP=1 "$@"
}

setup_database() {
    psql_db -d postgres -c 'SET client_min_messages = warning' \
        -c "DROP DATABASE IF EXISTS $COVERAGE_API_TEST_DB WITH (FORCE)" \
        -c "CREATE DATABASE $COVERAGE_API_TEST_DB" &&
        psql_db -d "$COVERAGE_API_TEST_DB" -c 'CREATE EXTENSION coverage_ext' \
            -v markets=100 -v days=7 -f "$REPO/examples/demo/data.sql" \
            -f "$REPO/examples/demo/coverage.sql" -f "$REPO/examples/api/roles.sql" \
            -c 'SELECT status FROM coverage.refresh()' >/dev/null
}

# pytest ends with a line like "=== 2 failed, 40 passed, 1 error in 3.21s ===". Errors
# (a fixture that broke) count as failures.
pytest_counts() {
    local line passed failed errors
    line=$(grep -E '^=+ .* in [0-9.]+s' "$1" | tail -n 1)
    passed=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
    failed=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    errors=$(grep -oE '[0-9]+ errors?' <<<"$line" | grep -oE '[0-9]+')
    echo "${passed:-0} $((${failed:-0} + ${errors:-0}))"
}

main() {
    if ! setup_database; then
        echo "api.sh: could not set up database $COVERAGE_API_TEST_DB" >&2
        finish 0 1
    fi
    local log status=0 passed failed
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    (cd "$REPO/examples/api" && "$PYTHON" -m pytest -rfE) 2>&1 | tee "$log" || status=$?
    read -r passed failed < <(pytest_counts "$log")
    # Exit status 5 is "no tests collected": a suite that tests nothing has failed. Any
    # other non-zero status with no failed test to show (an import error, a crash) too.
    if ((status != 0 && failed == 0)); then
        echo "api.sh: pytest exited with status $status" >&2
        failed=1
    fi
    finish "$passed" "$failed"
}

main "$@"
