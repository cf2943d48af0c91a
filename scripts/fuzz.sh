#!/bin/bash
# fuzz.sh: builds guestnet's libFuzzer targets (fuzz/) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs each for a
# while on its seed corpus.
#
# Usage: scripts/fuzz.sh [SECONDS [TARGET...]]    (TARGET: api-request,
#        config, dhcp, dhcp6, http, jsonrpc, ofp, port-spec, replica; all
#        by default; SECONDS 60 by default)
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

status=0
for t in $targets; do
    corpus=$cache/corpus/$t
    out=$cache/run-$t.log
    mkdir -p "$corpus"
    rm -f "$cache/crash-$t"
    # http keeps state from one input to the next (connections closing,
    # adds waiting for OVSDB), so every input would look like a leak and
    # stop the world for LeakSanitizer: its leaks are checked at exit.
    extra=""
    [ "$t" = http ] && extra="-detect_leaks=0"
    # -fork would hide the sanitizers' reports; one process, one core.
    # shellcheck disable=SC2086
    (cd "$cache" && ASAN_OPTIONS=detect_leaks=1 "$build/fuzz/fuzz-$t" \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 \
        -timeout=10 -artifact_prefix="$cache/crash-$t-" $extra \
        "$corpus" "$src/fuzz/corpus/$t") > "$out" 2>&1
    rc=$?
    runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$out")
    secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$out")
    cov=$(sed -n 's/^stat::.*//; s/.*cov: \([0-9]*\).*/\1/p' "$out" \
          | tail -n 1)
    if [ "$rc" = 0 ] && [ -n "$runs" ]; then
        echo "fuzz $t: ${runs} runs in ${secs} s, coverage ${cov:-?}, clean"
    else
        status=1
        echo "fuzz $t: CRASH (exit $rc; input: $(ls "$cache"/crash-"$t"-* \
            2>/dev/null | head -n 1); log: $out)"
        grep -E 'ERROR|SUMMARY|runtime error' "$out" | head -n 5
    fi
done
exit $status
