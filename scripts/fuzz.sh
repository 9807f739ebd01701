#!/usr/bin/env bash
# libFuzzer runs of the pure C++ core, under AddressSanitizer, UndefinedBehaviorSanitizer
# and LeakSanitizer:
#
#   bash scripts/fuzz.sh [--runs N | --seconds S] [--build-only] [TARGET...]
#
# TARGET is text, binary, merge or batch (default: all four, one after another). --runs stops
# each target after N executions, --seconds after S seconds (default: 10 seconds).
# Builds with clang into build/fuzz/ and fuzzes from the seed corpus in fuzz/corpus/<target>/;
# inputs found on the way are kept in build/fuzz/corpus/<target>/ and a crashing input is
# written to build/fuzz/artifacts/. Prints one line per target and exits non-zero when a
# target crashed, leaked, hit undefined behaviour, broke an invariant or failed to build.
# Environment: CLANGXX (default clang++), FUZZ_FLAGS (more libFuzzer options), FUZZ_OUT
# (default build/fuzz; give long runs their own so that a smoke run cannot disturb them).
set -euo pipefail

PROG=fuzz.sh
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$SCRIPT_DIR/.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

ALL_TARGETS=(text binary merge batch)
OUT=${FUZZ_OUT:-$REPO/build/fuzz}
CLANGXX=${CLANGXX:-clang++}
# shellcheck disable=SC2054 # the commas belong to one compiler option
SANITIZE=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
CXXFLAGS=(-std=c++17 -g -O1 -Wall -Wextra -Werror -I"$REPO/include" "${SANITIZE[@]}")

usage() {
    sed -n '2,16s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
    exit "${1:-2}"
}

LIMIT=(-max_total_time=10)
BUILD_ONLY=0
TARGETS=()
while (($#)); do
    case $1 in
    --runs)
        [[ ${2:-} =~ ^[0-9]+$ ]] || usage
        LIMIT=(-runs="$2")
        shift
        ;;
    --seconds)
        [[ ${2:-} =~ ^[0-9]+$ ]] || usage
        LIMIT=(-max_total_time="$2")
        shift
        ;;
    --build-only) BUILD_ONLY=1 ;;
    -h | --help) usage 0 ;;
    text | binary | merge | batch) TARGETS+=("$1") ;;
    *) usage ;;
    esac
    shift
done
((${#TARGETS[@]})) || TARGETS=("${ALL_TARGETS[@]}")
command -v "$CLANGXX" >/dev/null ||
    die "$CLANGXX not found (apt-get install clang libclang-rt-14-dev)"

# True when $1 is missing or older than any of the remaining files.
stale() {
    local target=$1 dep
    shift
    [[ -e $target ]] || return 0
    for dep in "$@"; do
        [[ $dep -nt $target ]] && return 0
    done
    return 1
}

# The core is compiled once with coverage instrumentation; each target links it.
build_core() {
    local src obj headers=("$REPO"/include/coverage/core/*.hpp)
    mkdir -p "$OUT/obj"
    CORE_OBJS=()
    for src in "$REPO"/src/core/*.cpp; do
        obj=$OUT/obj/$(basename "$src" .cpp).o
        if stale "$obj" "$src" "${headers[@]}"; then
            "$CLANGXX" "${CXXFLAGS[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" || return 1
        fi
        CORE_OBJS+=("$obj")
    done
}

build_target() {
    local name=$1 bin=$OUT/fuzz_$1 src=$REPO/fuzz/fuzz_$1.cpp
    if stale "$bin" "$src" "$REPO/fuzz/harness.hpp" "${CORE_OBJS[@]}"; then
        "$CLANGXX" "${CXXFLAGS[@]}" -fsanitize=fuzzer "$src" "${CORE_OBJS[@]}" -o "$bin" ||
            return 1
    fi
}

# Text and binary inputs up to 4 kB reach every parser state. A merge input of 128 bytes
# holds some 40 points, enough for every join, bridge and flush with pending buffers of 1
# to 16 entries; longer ones only make each execution slower (4x at 512 bytes).
max_len() {
    if [[ $1 == merge ]]; then echo 128; else echo 4096; fi
}

# Runs one target; its full log goes to build/fuzz/<target>.log.
run_target() {
    local name=$1 log=$OUT/$1.log status=0 done_line
    mkdir -p "$OUT/corpus/$name" "$OUT/artifacts"
    # The writable corpus comes first: libFuzzer adds new inputs to the first directory only.
    # shellcheck disable=SC2086 # FUZZ_FLAGS holds several options, split on purpose
    ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1 \
        UBSAN_OPTIONS=print_stacktrace=1 \
        "$OUT/fuzz_$name" "${LIMIT[@]}" -max_len="$(max_len "$name")" -detect_leaks=1 \
        -print_final_stats=1 \
        -artifact_prefix="$OUT/artifacts/$name-" ${FUZZ_FLAGS:-} \
        "$OUT/corpus/$name" "$REPO/fuzz/corpus/$name" >"$log" 2>&1 || status=$?
    done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1) || true
    if ((status == 0)) && [[ -n $done_line ]]; then
        printf 'ok    %-7s %s\n' "$name" "$done_line"
        return 0
    fi
    printf 'FAIL  %-7s exit status %d, see %s\n' "$name" "$status" "${log#"$REPO"/}"
    grep -E 'ERROR|SUMMARY|invariant|runtime error|Test unit written' "$log" | head -n 20 >&2 ||
        true
    return 1
}

failed=0
if ! build_core; then
    echo "FAIL  build of the core with $CLANGXX"
    exit 1
fi
for target in "${TARGETS[@]}"; do
    if ! build_target "$target"; then
        printf 'FAIL  %-7s build\n' "$target"
        failed=1
        continue
    fi
    ((BUILD_ONLY)) && continue
    run_target "$target" || failed=1
done
exit "$failed"
