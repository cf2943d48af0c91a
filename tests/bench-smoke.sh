#!/bin/bash
# bench-smoke.sh: the benchmarks in bench/ still run and report complete
# results, at a small scale (the real runs take minutes; see README
# "Benchmarks").  Needs root.
#
#   bench/port-add.sh 30: all three methods timed, every guestnetd request
#   answered 201, 31 interfaces with an ofport (30 and the bridge's);
#   bench/api-bench.sh 50 1 10: every row of the table filled, every API
#   add done; the status-latency verdict at this scale is printed, not
#   asserted (it is the 1000-port run's point).
GN_TEST_NAME=bench-smoke
. "$GN_SRCDIR/tests/lib.sh"
gn_require_root
gn_require_cmd python3 python3
gn_require_cmd curl curl

out=$(GN_TEST_NAME=bench-port-add "$GN_SRCDIR/bench/port-add.sh" 30 2>&1)
rc=$?
if [ $rc = 0 ] && grep -q '^guestnetd: .*(31 interfaces with an ofport' \
        <<<"$out" && [ "$(grep -cE '^(ovs-vsctl loop|ovs-vsctl txn|guestnetd) +[0-9.]+ +[0-9.]+x$' \
        <<<"$out")" = 3 ]; then
    gn_pass port-add-runs
else
    gn_fail port-add-runs "exit $rc; output follows"
    sed 's/^/    | /' <<<"$out" | tail -20
fi

out=$(STATUS_SECS=3 GN_TEST_NAME=bench-api \
      "$GN_SRCDIR/bench/api-bench.sh" 50 1 10 2>&1)
rc=$?
rows=$(grep -cE '^GET /v1/(ports|status).* [0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +0$' \
       <<<"$out")
if [ "$rows" = 4 ] && grep -q '10/10 API adds done' <<<"$out"; then
    gn_pass api-bench-runs
else
    gn_fail api-bench-runs "$rows of 4 rows complete, exit $rc; output follows"
    sed 's/^/    | /' <<<"$out" | tail -20
fi
grep -E '^(PASS|FAIL): bench-api/' <<<"$out" | sed 's/^/    (at 50 ports) /'
gn_done
