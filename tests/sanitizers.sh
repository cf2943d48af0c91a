#!/bin/bash
# sanitizers: the unit tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer (configure --enable-sanitizers) pass: no
# memory error, no leak, no undefined behaviour in the code they drive
# (the parsers, the replica and its change feeds, the port view and the
# sliced pipeline that holds pointers into it, the flow and meter tables).
# One check per unit test program, and two for guestnetd built the same
# way, running tests/api-endpoints.sh and tests/api-bulk.sh; a failure
# shows the sanitizer's report.
#
# The build lives in .cache/sanitizers of the source tree (ignored by git)
# from a copy of the tracked and new files of the git checkout: the source
# tree is configured in place, and automake builds elsewhere only from an
# unconfigured tree.  A second run copies again (unchanged files keep
# their times) and builds only what changed; if the list of files changed,
# the copy starts afresh.  Needs root for test-netdev and test-dev-worker.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
set -o pipefail

gn_require_root
gn_require_cmd autoreconf autoconf
gn_require_cmd git git
# As root on a checkout another user owns, git would refuse the tree.
git_() { git -c safe.directory="$GN_SRCDIR" -C "$GN_SRCDIR" "$@"; }
git_ rev-parse --is-inside-work-tree >/dev/null 2>&1 \
    || gn_missing "needs a git checkout of guestnet ($GN_SRCDIR is not one)"

# A make of its own, not a part of the "make check" that runs this.
unset MAKEFLAGS MFLAGS MAKELEVEL
cache=$GN_SRCDIR/.cache/sanitizers
src=$cache/src
build=$cache/build
log=$cache/build.log
mkdir -p "$cache"
: > "$log"

# The files of the tree as they are now, tracked or new (not ignored);
# tracked files deleted from the tree are left out.
files=$cache/files
if ! git_ ls-files -co --exclude-standard -z > "$files.new"; then
    gn_fail copy "git ls-files failed in $GN_SRCDIR"
    gn_done
fi
if ! cmp -s "$files" "$files.new"; then
    rm -rf "$src" "$build"      # Nothing left over from files now gone.
fi
mkdir -p "$src" "$build"
mv "$files.new" "$files"
if ! tar -C "$GN_SRCDIR" --null --ignore-failed-read -T "$files" -cf - \
        2>>"$log" | tar -C "$src" -xpf -; then
    gn_fail copy "could not copy the source tree to $src (see $log)"
    gn_done
fi

ovs_args=$("$GN_SRCDIR/scripts/build-ovs.sh" 2>/dev/null | tail -n 1)
conf_args="$ovs_args --enable-Werror --enable-sanitizers"
if [ ! -f "$build/Makefile" ] \
        || [ "$(cat "$cache/args" 2>/dev/null)" != "$conf_args" ] \
        || [ "$src/configure.ac" -nt "$build/Makefile" ]; then
    # shellcheck disable=SC2086
    if ! (cd "$src" && ./autogen.sh >> "$log" 2>&1) \
            || ! (cd "$build" && "$src/configure" $conf_args \
                  >> "$log" 2>&1); then
        gn_fail configure "see $log"
        tail -n 20 "$log"
        gn_done
    fi
    echo "$conf_args" > "$cache/args"
fi
# Ends the test on a build error, with the errors from the log.
build_failed() {
    gn_fail build "see $log"
    grep -E -A3 'error' "$log" | tail -n 30
    gn_done
}
# "all" first: it makes the generated headers (BUILT_SOURCES) too, and
# regenerates the Makefile if a *.mk changed (which would print).
if ! make -C "$build" -j"$(nproc)" all >> "$log" 2>&1; then
    build_failed
fi
units=$(make -s --no-print-directory -C "$build" print-unit-tests \
        2>>"$log" | tail -n 1)
if [ -z "$units" ]; then
    gn_fail build "no unit tests listed by 'make print-unit-tests'"
    gn_done
fi
# shellcheck disable=SC2086
if ! make -C "$build" -j"$(nproc)" $units >> "$log" 2>&1; then
    build_failed
fi
gn_pass build

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1
reports='^FAIL: |ERROR: (Address|Leak)Sanitizer|runtime error:'
for unit in $units; do
    name=$(basename "$unit")
    out=$cache/$name.log
    if (cd "$build" && "./$unit") > "$out" 2>&1 \
            && ! grep -qE "$reports" "$out"; then
        gn_pass "$name"
    else
        gn_fail "$name" "see $out"
        grep -E -m 20 "$reports|Sanitizer|^    #[0-9] " "$out"
    fi
done

# guestnetd itself under the sanitizers, through two integration tests
# (every endpoint, ports added and deleted, a reload, a clean exit; and
# requests adding many ports, one whose client goes away): the sanitizers
# write their reports to files named asan.PID.
for t in api-endpoints api-bulk; do
    rm -f "$cache"/asan.*
    if ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$cache/asan GN_BUILDDIR=$build \
            GN_TEST_NAME=sanitizers-$t "$GN_SRCDIR/tests/$t.sh" \
            > "$cache/$t.log" 2>&1 \
            && ! grep -q '^FAIL: ' "$cache/$t.log" \
            && ! cat "$cache"/asan.* 2>/dev/null | grep -qE "$reports"; then
        gn_pass "guestnetd-$t"
    else
        gn_fail "guestnetd-$t" "see $cache/$t.log and $cache/asan.*"
        grep -E -m 10 '^FAIL: ' "$cache/$t.log"
        cat "$cache"/asan.* 2>/dev/null | grep -E -m 30 "$reports|^    #[0-9] "
    fi
done
gn_done
