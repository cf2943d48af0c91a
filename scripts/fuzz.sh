#!/bin/bash
# fuzz.sh: builds guestnet's libFuzzer targets (fuzz/) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs each for a
# while on its seed corpus.
#
# Usage: [FUZZ_CPU=1] [FUZZ_JOBS=N] scripts/fuzz.sh [SECONDS [TARGET...]]
#        (TARGET: api-request, config, dhcp, dhcp6, http, jsonrpc, ofp,
#        port-spec, replica; all by default; SECONDS 60 by default, CPU
#        seconds with FUZZ_CPU=1; FUZZ_JOBS targets at a time, 1 by
#        default)
#
# The build lives in .cache/fuzz (a copy of the checkout's files, as
# tests/sanitizers.sh makes it); each target's corpus grows in
# .cache/fuzz/corpus/TARGET from fuzz/corpus/TARGET.  Prints one line per
# target, "fuzz TARGET: N runs in S s, C coverage, clean" (or "CRASH"
# with the input saved as .cache/fuzz/crash-TARGET), and exits 1 if any
# target crashed, leaked or tripped a sanitizer.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
targets=${*:-api-request config dhcp dhcp6 http jsonrpc ofp port-spec replica}
cache=$top/.cache/fuzz
src=$cache/src
build=$cache/build
log=$cache/build.log
mkdir -p "$cache" "$src" "$build"
: > "$log"
unset MAKEFLAGS MFLAGS MAKELEVEL

command -v clang >/dev/null \
    || { echo "fuzz: needs clang (apt-get install clang)" >&2; exit 2; }
git_() { git -c safe.directory="$top" -C "$top" "$@"; }
git_ ls-files -co --exclude-standard -z > "$cache/files.new" \
    || { echo "fuzz: $top is not a git checkout" >&2; exit 2; }
if ! cmp -s "$cache/files" "$cache/files.new"; then
    rm -rf "$src" "$build"
    mkdir -p "$src" "$build"
fi
mv "$cache/files.new" "$cache/files"
tar -C "$top" --null --ignore-failed-read -T "$cache/files" -cf - 2>>"$log" \
    | tar -C "$src" -xpf - \
    || { echo "fuzz: copying the tree failed (see $log)" >&2; exit 2; }

ovs_args=$("$top/scripts/build-ovs.sh" 2>/dev/null | tail -n 1)
args="$ovs_args --enable-fuzzing"
if [ ! -f "$build/Makefile" ] \
        || [ "$(cat "$cache/args" 2>/dev/null)" != "$args" ] \
        || [ "$src/configure.ac" -nt "$build/Makefile" ]; then
    # shellcheck disable=SC2086
    { (cd "$src" && ./autogen.sh) && (cd "$build" && CC=clang \
        "$src/configure" $args); } >> "$log" 2>&1 \
        || { echo "fuzz: configure failed (see $log)" >&2;
             tail -n 20 "$log" >&2; exit 2; }
    echo "$args" > "$cache/args"
fi
progs=""
for t in $targets; do
    progs="$progs fuzz/fuzz-$t"
done
# shellcheck disable=SC2086
make -C "$build" -j"$(nproc)" $progs >> "$log" 2>&1 \
    || { echo "fuzz: build failed (see $log)" >&2;
         grep -E -A3 'error' "$log" | tail -n 30 >&2; exit 2; }

# run_target TARGET: runs one target, prints its line, returns 1 if it
# crashed.  With FUZZ_CPU=1, SECONDS counts the target's CPU time (user
# and system) rather than wall time, so a run at low priority on a busy
# machine still fuzzes for as long as asked: the target is interrupted
# (SIGINT, which libFuzzer answers with its final stats) once its CPU
# time reaches SECONDS.  Never stop (SIGSTOP) a run: libFuzzer would take
# the pause for a slow input.  An interrupted run skips the leak check at exit
# that http relies on; the wall-time runs (tests/fuzz-smoke.sh) make it.
run_target() {
    local t=$1 corpus=$cache/corpus/$1 out=$cache/run-$1.log
    local extra="" limit=$seconds timeout pid rc ticks cpu runs secs cov start
    mkdir -p "$corpus"
    rm -f "$cache"/crash-"$t"-*
    # http keeps state from one input to the next (connections closing,
    # adds waiting for OVSDB), so every input would look like a leak and
    # stop the world for LeakSanitizer: its leaks are checked at exit.
    [ "$t" = http ] && extra="-detect_leaks=0"
    # -timeout is wall time: at low priority on a busy machine an input
    # may wait for a CPU far longer than it runs, so a run counted in CPU
    # time allows a minute.
    timeout=10
    [ "${FUZZ_CPU:-0}" = 1 ] && limit=0 && timeout=60
    # -fork would hide the sanitizers' reports; one process, one core.
    # shellcheck disable=SC2086
    (cd "$cache" && ASAN_OPTIONS=detect_leaks=1 exec "$build/fuzz/fuzz-$t" \
        -max_total_time="$limit" -print_final_stats=1 -rss_limit_mb=2048 \
        -timeout="$timeout" -artifact_prefix="$cache/crash-$t-" $extra \
        "$corpus" "$src/fuzz/corpus/$t") > "$out" 2>&1 &
    pid=$!
    start=$SECONDS
    ticks=$(getconf CLK_TCK)
    cpu=0
    if [ "${FUZZ_CPU:-0}" = 1 ]; then
        while kill -0 "$pid" 2>/dev/null; do
            # Fields 14 and 15 of /proc/PID/stat: user and system time.
            cpu=$(awk -v t="$ticks" '{ sub(/.*\) /, ""); print int(($12 + $13) / t) }' \
                  "/proc/$pid/stat" 2>/dev/null) || break
            if [ "${cpu:-0}" -ge "$seconds" ]; then
                kill -INT "$pid" 2>/dev/null
                break
            fi
            sleep 5
        done
    fi
    wait "$pid"
    rc=$?
    # An interrupt at the CPU limit ends the run with libFuzzer's
    # "interrupted" status (72); a sanitizer's report never does.
    [ "$rc" = 72 ] && grep -q 'run interrupted' "$out" \
        && ! grep -qE 'ERROR: |runtime error' "$out" && rc=0
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$out")
    secs=$((SECONDS - start))
    cov=$(sed -n 's/^stat::.*//; s/.*cov: \([0-9]*\).*/\1/p' "$out" \
          | tail -n 1)
    if [ "$rc" = 0 ] && [ -n "$runs" ]; then
        if [ "${FUZZ_CPU:-0}" = 1 ]; then
            echo "fuzz $t: ${runs} runs in ${secs} s (${cpu} s CPU), coverage ${cov:-?}, clean"
        else
            echo "fuzz $t: ${runs} runs in ${secs} s, coverage ${cov:-?}, clean"
        fi
        return 0
    fi
    echo "fuzz $t: CRASH (exit $rc; input: $(ls "$cache"/crash-"$t"-* \
        2>/dev/null | head -n 1); log: $out)"
    grep -E 'ERROR|SUMMARY|runtime error' "$out" | head -n 5
    return 1
}

# FUZZ_JOBS targets run at a time (1 by default), each on one core.
jobs=${FUZZ_JOBS:-1}
status=0
running=0
for t in $targets; do
    run_target "$t" > "$cache/result-$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
for t in $targets; do
    cat "$cache/result-$t"
    grep -q ', clean$' "$cache/result-$t" || status=1
done
exit $status
