#!/bin/bash
# fuzz-smoke: every libFuzzer target (fuzz/) builds with clang and the
# sanitizers and runs for a short while on its seed corpus (which it
# replays first) without a crash, a leak or a sanitizer report, and really
# runs inputs.  "make fuzz" or scripts/fuzz.sh run them for longer.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd clang clang
gn_require_cmd git git
seconds=${GN_FUZZ_SECONDS:-8}
out=$("$GN_SRCDIR/scripts/fuzz.sh" "$seconds" 2>&1)
rc=$?
echo "$out"
gn_check "fuzz-script-succeeds" test "$rc" = 0
for t in api-request config dhcp dhcp6 http jsonrpc ofp port-spec replica; do
    line=$(grep "^fuzz $t: " <<<"$out")
    runs=$(sed -n 's/^fuzz [a-z0-9-]*: \([0-9]*\) runs.*clean$/\1/p' <<<"$line")
    gn_check "fuzz-$t-clean" test -n "$runs"
    gn_check "fuzz-$t-ran-inputs" test "${runs:-0}" -gt 100
done
gn_done
