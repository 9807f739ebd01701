# shellcheck shell=bash
# Debian packages and install rights, shared by scripts/test.sh and scripts/demo.sh. Source it
# after scripts/lib/common.sh.

# What building the extension and running a cluster need; the test command adds its tools.
BUILD_PACKAGES=(build-essential postgresql-15 postgresql-server-dev-15)

# Prints those of the given packages that dpkg does not list as installed.
missing_packages() {
    local pkg
    for pkg in "$@"; do
        [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == *" installed" ]] ||
            echo "$pkg"
    done
}

apt_install() {
    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
            note "missing Debian packages: $*"
            note "install them as root, or run again with --no-install"
            return 1
        fi
        sudo=(sudo -n)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# Installs those of the given packages that are missing. apt-get update runs only when
# something is missing: it is the slow part.
ensure_packages() {
    if ! command -v dpkg-query >/dev/null; then
        note "not a Debian system: skipping the package check"
        return 0
    fi
    local missing=()
    mapfile -t missing < <(missing_packages "$@")
    if ((${#missing[@]} == 0)); then
        note "Debian packages: all present"
        return 0
    fi
    note "installing Debian packages: ${missing[*]}"
    apt_install "${missing[@]}"
}

can_write_install_dirs() {
    [[ $EUID -eq 0 ]] && return 0
    [[ -w $("$PG_CONFIG" --pkglibdir) && -w $("$PG_CONFIG" --sharedir)/extension ]]
}
