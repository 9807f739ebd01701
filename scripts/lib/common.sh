# shellcheck shell=bash
# Helpers shared by scripts/cluster.sh and scripts/test.sh. Source it after setting PROG.

# Messages go to stderr so that stdout stays clean for output meant for eval or parsing.
note() { printf '%s: %s\n' "${PROG:-coverage}" "$*" >&2; }
die() { note "error: $*"; exit 1; }

# The major version of the PostgreSQL that PG_CONFIG points at, e.g. "15".
pg_major() {
    local version
    version=$("$PG_CONFIG" --version) || return 1
    version=${version#PostgreSQL }
    printf '%s\n' "${version%%[!0-9]*}"
}

# Fails with a clear message when PG_CONFIG is neither a path nor a command on PATH.
require_pg_config() {
    command -v "$PG_CONFIG" >/dev/null 2>&1 ||
        die "PG_CONFIG \"$PG_CONFIG\" not found (install postgresql-server-dev-15, or set it)"
}

# Prints a script's header comment (lines 2 to $2 of file $1) as its usage, then exits with
# status $3 (default 2, for a bad command line).
usage_from_header() {
    sed -n "2,$2s/^# \{0,1\}//p" "$1" >&2
    exit "${3:-2}"
}
