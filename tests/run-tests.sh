#!/bin/bash
# run-tests.sh: runs guestnet's tests and prints one closing line
#   N passed, N failed, N skipped
# exiting non-zero if anything failed.
#
# Usage: run-tests.sh TEST...
# Each TEST is a program (C unit test or shell script) that prints lines
#   PASS: name | FAIL: name: why | SKIP: name: why
# A program that exits non-zero without a FAIL line, or prints no line at
# all, counts as one failure.  Under CI=true a SKIP counts as a failure:
# CI must not skip for lack of root or a package.
#
# Environment: TESTS='pattern ...' runs only tests whose file name matches
# one of the shell patterns; GN_TEST_TIMEOUT (seconds, default 900) bounds
# each program; logs go to tests/logs/NAME.log under the current folder.
set -u

logdir=${GN_TEST_LOGDIR:-$PWD/tests/logs}
mkdir -p "$logdir"
timeout_s=${GN_TEST_TIMEOUT:-900}
passed=0 failed=0 skipped=0
failed_names=()

selected() {
    local name=$1 pat
    [ -z "${TESTS:-}" ] && return 0
    for pat in $TESTS; do
        # shellcheck disable=SC2053
        [[ $name == $pat ]] && return 0
    done
    return 1
}

for t in "$@"; do
    name=$(basename "$t")
    selected "$name" || continue
    log=$logdir/$name.log
    start=$(date +%s)
    printf '%-32s ' "$name"
    timeout -k 10 "$timeout_s" "$t" > "$log" 2>&1 < /dev/null
    rc=$?
    secs=$(( $(date +%s) - start ))
    p=$(grep -ac '^PASS: ' "$log")
    f=$(grep -ac '^FAIL: ' "$log")
    s=$(grep -ac '^SKIP: ' "$log")
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
            echo "FAIL: $name: timed out after ${timeout_s}s" >> "$log"
        else
            echo "FAIL: $name: exited with status $rc" >> "$log"
        fi
        f=1
    elif [ $rc -eq 0 ] && [ $((p + f + s)) -eq 0 ]; then
        echo "FAIL: $name: ran no checks" >> "$log"
        f=1
    fi
    if [ "${CI:-}" = true ] && [ "$s" -gt 0 ]; then
        sed -i 's/^SKIP: \(.*\)$/FAIL: \1 (a skip is a failure under CI=true)/' "$log"
        f=$((f + s)) s=0
    fi
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    printf '%3d passed, %d failed, %d skipped  (%ds)\n' "$p" "$f" "$s" "$secs"
    if [ "$f" -gt 0 ]; then
        failed_names+=("$name")
        grep -aE '^(FAIL|SKIP): ' "$log" | sed 's/^/    /'
        echo "    log: $log (last lines follow)"
        tail -n 15 "$log" | sed 's/^/    | /'
    elif [ "$s" -gt 0 ]; then
        grep -a '^SKIP: ' "$log" | sed 's/^/    /'
    fi
done

if [ ${#failed_names[@]} -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
