#!/usr/bin/env bash
# Checks that every C++ file is formatted as .clang-format says and that no source
# line is 100 columns or more. Prints "N passed, N failed": one check per file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

passed=0
failed=0
while IFS= read -r file; do
    problems=""
    if ! clang-format --dry-run -Werror "$file" >/dev/null 2>&1; then
        problems="not clang-formatted (run: clang-format -i $file)"
    fi
    long=$(awk 'length > 99 { n++ } END { print n + 0 }' "$file")
    if [ "$long" -gt 0 ]; then
        problems="${problems:+$problems; }$long lines of 100 columns or more"
    fi
    if [ -n "$problems" ]; then
        echo "FAIL $file: $problems"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.c')
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
