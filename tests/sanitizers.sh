#!/bin/bash
# sanitizers: the unit tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer (configure --enable-sanitizers) pass: no
# memory error, no leak, no undefined behaviour in the code they drive
# (the parsers, the replica and its change feeds, the port view and the
# sliced pipeline that holds pointers into it, the flow and meter tables).
# One check per unit test program; a failure shows the sanitizer's report.
#
# The build lives in .cache/sanitizers of the source tree (ignored by git)
# from a copy of the tracked and new files: the source tree is configured
# in place, and automake builds elsewhere only from an unconfigured tree.
# A second run copies again (unchanged files keep their times) and builds
# only what changed.  Needs root for test-netdev and test-dev-worker.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

gn_require_root
gn_require_cmd autoreconf autoconf
gn_require_cmd git git

# A make of its own, not a part of the "make check" that runs this.
unset MAKEFLAGS MFLAGS MAKELEVEL
cache=$GN_SRCDIR/.cache/sanitizers
src=$cache/src
build=$cache/build
mkdir -p "$src" "$build"
log=$cache/build.log

# The files of the tree as they are now, tracked or new (not ignored).
if ! git -C "$GN_SRCDIR" ls-files -co --exclude-standard -z \
        | tar -C "$GN_SRCDIR" --null -T - -cf - \
        | tar -C "$src" -xpf -; then
    gn_fail copy "could not copy the source tree to $src"
    gn_done
fi

ovs_args=$("$GN_SRCDIR/scripts/build-ovs.sh" 2>/dev/null | tail -n 1)
args="$ovs_args --enable-Werror --enable-sanitizers"
if [ ! -f "$build/Makefile" ] || [ "$(cat "$cache/args" 2>/dev/null)" != "$args" ] \
        || [ "$src/configure.ac" -nt "$build/Makefile" ]; then
    # shellcheck disable=SC2086
    if ! (cd "$src" && ./autogen.sh > "$log" 2>&1) \
            || ! (cd "$build" && "$src/configure" $args >> "$log" 2>&1); then
        gn_fail configure "see $log"
        tail -n 20 "$log"
        gn_done
    fi
    echo "$args" > "$cache/args"
fi
units=$(make -s --no-print-directory -C "$build" print-unit-tests)
# "all" first: it makes the generated headers (BUILT_SOURCES) too.
# shellcheck disable=SC2086
if ! make -C "$build" -j"$(nproc)" all >> "$log" 2>&1 \
        || ! make -C "$build" -j"$(nproc)" $units >> "$log" 2>&1; then
    gn_fail build "see $log"
    grep -E -A3 'error' "$log" | tail -n 30
    gn_done
fi
gn_pass build

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1
for unit in $units; do
    name=$(basename "$unit")
    out=$cache/$name.log
    if (cd "$build" && "./$unit") > "$out" 2>&1 \
            && ! grep -qE '^FAIL: |ERROR: (Address|Leak)Sanitizer|runtime error:' \
                 "$out"; then
        gn_pass "$name"
    else
        gn_fail "$name" "see $out"
        grep -E -m 20 '^FAIL: |Sanitizer|runtime error:|^    #[0-9] ' "$out"
    fi
done
gn_done
