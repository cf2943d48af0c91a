#!/bin/bash
# bench-smoke.sh: the benchmarks in bench/ still run and report complete
# results, at a small scale (the real runs take minutes; see README
# "Benchmarks").  Needs root.
#
#   bench/port-add.sh 30: every method timed (OVN too when it is
#   installed), every guestnetd request answered 201, 31 interfaces with
#   an ofport (30 and the bridge's), the bound's parts and the one-port
#   latencies reported;
#   bench/api-bench.sh 50 1 10: every row of the table filled, every API
#   add done; the status-latency verdict at this scale is printed, not
#   asserted (it is the 1000-port run's point);
#   bench/cluster.sh 10 200 (iperf3 for 1 s, 2 rounds, 2 migrations):
#   every line of its report with a figure (the data plane's medians,
#   ranges, ratios to NORMAL and ovs-vswitchd's CPU time per GB for each
#   case), every add answered 201, the policy change installed;
#   bench/limits.sh at one rate and burst, 2 s per figure, one round of a
#   UDP flood: every line of its report with a figure;
#   bench/dataplane.sh 1 (iperf3 for 1 s): every case's line with
#   guestnet's and NORMAL's rates and their ratio, TCP never at 0 (UDP in
#   fragments can be, see README "Security model");
#   bench/flood.sh 1 (100 pings, a flood of 5000 frames): the idle and
#   flood latency lines, the datapath flows the flood added and the
#   spoofing episode it caused.
#   bench/memory.sh 20 (requests of 8 ports): the ports added, the RSS
#   after the adds, after a GET, after the restart (0 flow_mods, with the
#   CPU time guestnetd used until ready) and after
#   another GET, and the same ports listed before and after the restart.
GN_TEST_NAME=bench-smoke
. "$GN_SRCDIR/tests/lib.sh"
gn_require_root
gn_require_cmd python3 python3
gn_require_cmd curl curl

# matching RE...: how many of the extended regular expressions RE some
# line of $out matches.
matching() {
    local re n=0
    for re in "$@"; do
        grep -qE "$re" <<<"$out" && n=$((n + 1))
    done
    echo "$n"
}

# The OVN comparison runs when OVN is installed (the smoke installs
# nothing).
ovn=0
command -v ovn-controller >/dev/null && command -v ovn-northd >/dev/null \
    && ovn=1
out=$(GN_TEST_NAME=bench-port-add ONE=3 OVN=$ovn \
      "$GN_SRCDIR/bench/port-add.sh" 30 2>&1)
rc=$?
methods='ovs-vsctl loop|bound \(3 parts\)|guestnetd|bulk'
[ $ovn = 0 ] || methods+='|OVN'
ones='guestnetd \(POST\)|ovs-vsctl add-port'
[ $ovn = 0 ] || ones+='|OVN \(nbctl \+ vsctl\)'
if [ $rc = 0 ] && grep -q '^guestnetd: .*(31 interfaces with an ofport' \
        <<<"$out" \
        && grep -q '^bulk: .*(31 interfaces with an ofport' <<<"$out" \
        && grep -q '^guestnetd bulk request: HTTP 200, 30 of 30 added' \
           <<<"$out" \
        && grep -qE "^  restart at 33 ports: ready in [0-9.]+ s, 0 flow_mods, [0-9]+ bundles, guestnetd's CPU [0-9.]+ s" \
           <<<"$out" \
        && [ "$(grep -cE "^($methods) +[0-9.]+ +[0-9.]+x\$" <<<"$out")" \
             = $((4 + ovn)) ] \
        && [ "$(grep -cE "^($ones) +p50 [0-9.]+ s, p99 [0-9.]+ s" \
                <<<"$out")" = $((2 + ovn)) ] \
        && grep -qE '^  taps in one ip -batch [0-9]+ ms, one ovs-vsctl txn' \
           <<<"$out"; then
    gn_pass port-add-runs
    [ $ovn = 1 ] || echo "    (OVN is not installed: no OVN rows to check)"
else
    gn_fail port-add-runs "exit $rc; output follows"
    sed 's/^/    | /' <<<"$out" | tail -30
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

out=$(IPERF_SECS=1 DP_ROUNDS=2 MIGRATIONS=2 GN_TEST_NAME=bench-cluster \
      "$GN_SRCDIR/bench/cluster.sh" 10 200 2>&1)
rc=$?
range='[0-9.]+ Gbit/s \([0-9.]+-[0-9.]+\)'
cpu='host1 [0-9.]+\+[0-9.]+, host2 [0-9.]+\+[0-9.]+$'
lines=$(matching '^iperf3 TCP, one stream, 2 rounds of 1 s per case, order rotating; medians \(range\); load average [0-9.]+ at the start, [0-9.]+ at the end$' \
                 "^NORMAL flow, two hosts .* $range\$" \
                 "^L2 across hosts .* $range \\([0-9]+% of NORMAL\\)\$" \
                 "^routed across hosts .* $range \\([0-9]+% of NORMAL\\)\$" \
                 "^routed on one host .* $range \\([0-9]+% of NORMAL\\)\$" \
                 "^  NORMAL flow, two hosts: +$cpu" \
                 "^  L2 across hosts: +$cpu" \
                 "^  routed across hosts: +$cpu" \
                 "^  routed on one host: +$cpu" \
                 '^# cross per round: [0-9.]+ [0-9.]+$' \
                 '^3 hosts x 10 ports at once: .* answers 201:30\)$' \
                 '^POST on host1 -> visible .* p50 [0-9.]+ ms, p99 [0-9.]+ ms' \
                 '^memory at 80 ports: +guestnetd1 [0-9.]+ MB' \
                 '^200 Port rows written into the cluster: +[0-9]+ ms' \
                 '^policy change live on all 3 hosts: +[0-9]+ ms$' \
                 '^live migration blackout seen from host3: +p50 [0-9]+ ms, max [0-9]+ ms')
if [ $rc = 0 ] && [ "$lines" = 16 ] \
        && grep -q '^PASS: bench-cluster/policy-installed' <<<"$out"; then
    gn_pass cluster-bench-runs
else
    gn_fail cluster-bench-runs "$lines of 16 lines complete, exit $rc; output follows"
    sed 's/^/    | /' <<<"$out" | tail -20
fi
out=$(RATES=50 BURSTS=500 SECS=2 ROUNDS=1 FLOOD=udp \
      GN_TEST_NAME=bench-limits "$GN_SRCDIR/bench/limits.sh" 2>&1)
rc=$?
lines=$(matching '^50 Mbit/s +500 ms +[0-9.]+ \([0-9]+%\) +[0-9.]+ \([0-9]+%\)$' \
                 '^without a limit: [0-9.]+ Mbit/s$' \
                 '^la idle: +na [0-9.]+ \([0-9.]+-[0-9.]+\) Mbit/s, ping p99 [0-9.]+ ' \
                 '^la floods \(udp\): na [0-9.]+ \([0-9.]+-[0-9.]+\) Mbit/s, ping p99 [0-9.]+ ')
if [ $rc = 0 ] && [ "$lines" = 4 ]; then
    gn_pass limits-bench-runs
else
    gn_fail limits-bench-runs "$lines of 4 lines complete, exit $rc; output follows"
    sed 's/^/    | /' <<<"$out" | tail -20
fi

out=$(IPERF_SECS=1 GN_TEST_NAME=bench-dataplane \
      "$GN_SRCDIR/bench/dataplane.sh" 1 2>&1)
rc=$?
cases=$(grep -cE '^(TCP|UDP)[ ,].*: +guestnet [0-9.]+ Gbit/s .*, NORMAL( \(L2\))? [0-9.]+ Gbit/s .*, ratio [0-9]+%$' \
        <<<"$out")
if [ $rc = 0 ] && [ "$cases" = 5 ] \
        && ! grep -qE '^TCP.*(guestnet|NORMAL) 0\.00 Gbit/s' <<<"$out"; then
    gn_pass dataplane-bench-runs
else
    gn_fail dataplane-bench-runs "$cases of 5 cases complete, exit $rc; output follows"
    sed 's/^/    | /' <<<"$out" | tail -20
fi

out=$(PINGS=100 GN_TEST_NAME=bench-flood "$GN_SRCDIR/bench/flood.sh" 1 2>&1)
rc=$?
lines=$(matching '^idle: +p50 [0-9.]+ ms .*, p99 [0-9.]+ ms .*, [0-9]+/100 answered$' \
                 '^flood: +p50 [0-9.]+ ms .*, p99 [0-9.]+ ms .*, [0-9]+/100 answered$' \
                 '^datapath flows added per flood of 5000 frames: -?[0-9]+ \(max' \
                 '^spoofing episodes guestnetd counted for wa: [1-9]')
if [ $rc = 0 ] && [ "$lines" = 4 ]; then
    gn_pass flood-bench-runs
else
    gn_fail flood-bench-runs "$lines of 4 lines complete, exit $rc; output follows"
    sed 's/^/    | /' <<<"$out" | tail -20
fi

out=$(CHUNK=8 GN_TEST_NAME=bench-memory "$GN_SRCDIR/bench/memory.sh" 20 2>&1)
rc=$?
lines=$(matching '^added 20 ports in [0-9.]+ s, [0-9]+ flows$' \
                 '^  after the adds: RSS [0-9.]+ MB, peak [0-9.]+ MB \(main heap [0-9.]+, other anonymous [0-9.]+, files [0-9.]+ MB\)$' \
                 '^restart: ready in [0-9.]+ s, 0 flow_mods, [0-9]+ flows$' \
                 "^  guestnetd's CPU time until ready: [0-9.]+ s$" \
                 '^  after the restart: RSS [0-9.]+ MB, peak [0-9.]+ MB \(main heap [0-9.]+, other anonymous [0-9.]+, files [0-9.]+ MB\)$' \
                 '^  GET /v1/ports lists the same ports before and after the restart$')
gets=$(grep -cE '^  after GET /v1/ports \([0-9.]+ s\): RSS [0-9.]+ MB' \
       <<<"$out")
if [ $rc = 0 ] && [ "$lines" = 6 ] && [ "$gets" = 2 ]; then
    gn_pass memory-bench-runs
else
    gn_fail memory-bench-runs "$lines of 6 lines and $gets of 2 GET lines complete, exit $rc; output follows"
    sed 's/^/    | /' <<<"$out" | tail -20
fi
gn_done
