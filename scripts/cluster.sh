#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and for interactive psql sessions.
#
#   scripts/cluster.sh start            create (first time) and start it; reuses a running one
#   scripts/cluster.sh stop [--clean]   fast shutdown; --clean also deletes its files
#   scripts/cluster.sh status           exit 0 when running, 3 when not (as pg_ctl does)
#   scripts/cluster.sh env              export lines: eval "$(scripts/cluster.sh env)"
#   scripts/cluster.sh psql [ARGS...]   psql connected to it as postgres
#
# PG_CONFIG picks the installation (default: pg_config on PATH); COVERAGE_PGPORT the port
# (default 55432). It listens on a unix socket only, in <repo>/.pgcluster/<port>/socket.
set -euo pipefail

PROG=cluster.sh
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$SCRIPT_DIR/.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

PG_CONFIG=${PG_CONFIG:-pg_config}
PORT=${COVERAGE_PGPORT:-55432}
SERVER_USER=postgres

usage() { usage_from_header "${BASH_SOURCE[0]}" 11; }

# The server refuses to run as root, so as root everything server-side runs as postgres.
as_server() {
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u "$SERVER_USER" -- "$@")
    else
        "$@"
    fi
}

# Debian's postgresql-common creates the user; a private build on a bare machine may lack it.
ensure_server_user() {
    [[ $EUID -eq 0 ]] || return 0
    id -u "$SERVER_USER" >/dev/null 2>&1 && return 0
    note "creating the OS user $SERVER_USER to run the server"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash "$SERVER_USER"
}

# Where the cluster lives. As root the server (user postgres) must reach it; when the repo
# is not traversable for postgres (say, a clone under /root), use a directory in /tmp named
# after the repo path, so that every subcommand finds the same place again.
cluster_base() {
    if [[ $EUID -ne 0 ]] || as_server test -x "$REPO"; then
        printf '%s\n' "$REPO/.pgcluster/$PORT"
    else
        local tag
        tag=$(printf '%s' "$REPO" | cksum | cut -d' ' -f1)
        printf '%s\n' "/tmp/coverage_ext-cluster-$tag/$PORT"
    fi
}

set_paths() {
    if [[ ! $PORT =~ ^[0-9]+$ ]] || ((PORT < 1024 || PORT > 65535)); then
        die "COVERAGE_PGPORT must be a port number from 1024 to 65535, not \"$PORT\""
    fi
    require_pg_config
    BINDIR=$("$PG_CONFIG" --bindir)
    [[ -x $BINDIR/postgres ]] || die "no server binaries in $BINDIR (from $PG_CONFIG)"
    ensure_server_user
    BASE=$(cluster_base)
    DATA=$BASE/data
    SOCKET=$BASE/socket
    LOG=$BASE/server.log
}

# The /tmp fallback must not be a directory someone else planted there.
check_fallback_parent() {
    local parent=${BASE%/*}
    [[ $parent == "$REPO/.pgcluster" ]] && return 0
    note "the repo is not traversable for user $SERVER_USER; using $BASE"
    [[ ! -L $parent ]] || die "$parent is a symbolic link; remove it"
    [[ ! -e $parent || $(stat -c %u "$parent") == 0 ]] || die "$parent is not owned by root"
}

# Creates the directories; the server's user must own its base, and reach it from /.
prepare_dirs() {
    check_fallback_parent
    mkdir -p "$SOCKET"
    chmod 755 "${BASE%/*}"
    if [[ $EUID -eq 0 ]]; then
        chown "$SERVER_USER:" "$BASE" "$SOCKET"
    fi
    chmod 700 "$BASE" "$SOCKET"
}

postmaster_pid() {
    [[ -f $DATA/postmaster.pid ]] && head -n 1 "$DATA/postmaster.pid"
}

# True when the pid file names a live postgres process; a pid reused by another program
# after a reboot must not pass for our server.
server_alive() {
    local pid state
    pid=$(postmaster_pid) || return 1
    [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]] || return 1
    # A killed postmaster stays a zombie until its parent (often init) reaps it.
    state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ $state != Z ]]
}

server_ready() {
    # pg_isready takes -t 0 as "wait forever", so the quick check waits one second.
    # As postgres: under its own name root would leave "role does not exist" in the log.
    "$BINDIR/pg_isready" -q -h "$SOCKET" -p "$PORT" -U postgres -d postgres -t "${1:-1}"
}

# A data directory is reused only when it is complete and of the same major version.
data_usable() {
    [[ -f $DATA/global/pg_control && -f $DATA/PG_VERSION ]] &&
        [[ $(cat "$DATA/PG_VERSION") == "$(pg_major)" ]]
}

init_data() {
    local locale=C
    # UTF8 is needed for the timeline's block characters; C.UTF-8 also sorts by code point.
    locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && locale=C.UTF-8
    rm -rf "$DATA"
    note "initdb in $DATA"
    as_server "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
        --locale="$locale" --no-sync --no-instructions >"$BASE/initdb.log" 2>&1 ||
        { cat "$BASE/initdb.log" >&2; die "initdb failed"; }
    echo "include 'coverage_cluster.conf'" >>"$DATA/postgresql.conf"
}

# Rewritten at every start, so a reused data directory picks up changed settings.
write_conf() {
    cat >"$DATA/coverage_cluster.conf" <<EOF
# Written by scripts/cluster.sh at each start; edits here are lost.
port = $PORT
listen_addresses = ''
unix_socket_directories = '$SOCKET'
shared_preload_libraries = ''
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
max_worker_processes = 8
max_parallel_workers = 8
max_parallel_workers_per_gather = 2
log_min_messages = warning
log_line_prefix = '%m [%p] '
EOF
    if [[ $EUID -eq 0 ]]; then
        chown "$SERVER_USER:" "$DATA/coverage_cluster.conf"
    fi
}

pg_ctl_start() {
    as_server "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -s start
}

# Reuses a running server; a stale pid file or a data directory that will not start is
# replaced by a fresh one rather than left for the developer to clean up.
cmd_start() {
    prepare_dirs
    if server_alive && server_ready 30; then
        note "already running on port $PORT (socket dir $SOCKET)"
        return 0
    fi
    server_alive && die "a server holds $DATA but does not answer on $SOCKET"
    # Not alive, so any lock files are stale; postgres itself would take a zombie's pid in
    # them for a live server.
    rm -f "$DATA/postmaster.pid" "$SOCKET"/.s.PGSQL.*
    data_usable || init_data
    write_conf
    if ! pg_ctl_start; then
        note "could not start on the existing data directory; recreating it"
        tail -n 20 "$LOG" >&2 || true
        init_data
        write_conf
        pg_ctl_start || { tail -n 40 "$LOG" >&2; die "could not start the server"; }
    fi
    note "started on port $PORT (socket dir $SOCKET, log $LOG)"
}

cmd_stop() {
    local clean=${1:-}
    [[ -z $clean || $clean == --clean ]] || usage
    if server_alive; then
        as_server "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 -s stop
        note "stopped (port $PORT)"
    else
        note "not running (port $PORT)"
    fi
    if [[ $clean == --clean ]]; then
        rm -rf "$BASE"
        note "removed $BASE"
    fi
}

cmd_status() {
    if server_alive && server_ready; then
        echo "running: port $PORT, pid $(postmaster_pid), socket dir $SOCKET, data $DATA"
        return 0
    fi
    echo "not running: port $PORT, data $DATA"
    return 3
}

cmd_env() {
    printf 'export PGHOST=%q\n' "$SOCKET"
    printf 'export PGPORT=%q\n' "$PORT"
    printf 'export PGUSER=postgres\n'
    printf 'export PGDATABASE=postgres\n'
}

cmd_psql() {
    PGHOST=$SOCKET PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres exec "$BINDIR/psql" "$@"
}

main() {
    local cmd=${1:-}
    [[ -n $cmd ]] || usage
    shift
    case $cmd in
    start | stop | status | env | psql) ;;
    -h | --help | *) usage ;;
    esac
    set_paths
    case $cmd in
    start) cmd_start ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    psql) cmd_psql "$@" ;;
    esac
}

main "$@"
