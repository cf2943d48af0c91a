#!/bin/bash
# bench/flood.sh: what a guest flooding frames from random source MACs
# costs its neighbours.  guestnetd on a private OVS (userspace datapath)
# with the guests wa, wb and wc of network web; wc pings wb PINGS times,
# 100 a second, once while nothing else runs ("idle") and once while wa
# sends frames to wb from a random source MAC each, 5000 a second for as
# long as the pings last ("flood"), ROUNDS times, the order of the two
# alternating round by round.  Prints the round trip time's p50 and p99 of
# each kind (the median over the rounds, and their range), the pings
# answered, the datapath flows each flood added ("ovs-appctl
# dpctl/dump-flows" just before and just after) and whether guestnetd
# marked wa spoofing (guestnet_spoofing_episodes_total).
#
# Usage: bench/flood.sh [ROUNDS]   (as root, after scripts/build.sh;
# default 5)
# Environment: PINGS (500).
set -u
ROUNDS=${1:-5}
PINGS=${PINGS:-500}
GN_TEST_NAME=${GN_TEST_NAME:-bench-flood}
. "$(dirname "$0")/lib.sh"
gn_require_scapy
gn_guestnetd_setup --spoofing-quiet=1
s=$$
gn_pipeline_guests wa wb
gn_pipeline_guest wc web 52:54:00:10:00:13 10.10.0.13
out=$GN_SANDBOX_DIR
gn_wait 10 ip netns exec "wc$s" ping -c 1 -W 1 10.10.0.12 \
    || { gn_fail path "wc does not reach wb"; gn_done; }

dp_flows() { ovs-appctl dpctl/dump-flows | grep -c .; }
# pings FILE: wc pings wb PINGS times, 100 a second; the round trip times
# (ms), one a line, go to FILE.
pings() {
    ip netns exec "wc$s" ping -n -i 0.01 -c "$PINGS" -W 1 10.10.0.12 \
        | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' > "$1"
}
idle() { pings "$out/idle.$1"; }
flood() {
    local before
    before=$(dp_flows)
    pings "$out/flood.$1" &
    gn_mac_flood "wa$s" "$wb" 10.10.0.11 10.10.0.12 $((PINGS * 50)) \
        random "flood$1"
    echo $(( $(dp_flows) - before )) > "$out/dpflows.$1"
    wait $!
}
for ((r = 1; r <= ROUNDS; r++)); do
    if ((r % 2)); then
        idle $r
        flood $r
    else
        flood $r
        idle $r
    fi
done
# (guestnetd reads the drop counters every second: the last flood's
# episode may take that long to be counted.)
episodes() {
    gn_api GET /metrics | sed -n 's/^guestnet_spoofing_episodes_total //p'
}
counted() { [ "$(episodes)" -gt 0 ]; }
gn_wait 3 counted
episodes=$(episodes)

"$GN_PYTHON" - "$out" "$ROUNDS" "$PINGS" "$episodes" <<'EOP'
import statistics, sys
out, rounds, pings, episodes = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), sys.argv[4]
def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, int(len(xs) * p) - 1))] if xs else 0
def read(name):
    rows = []
    for r in range(1, rounds + 1):
        try:
            rows.append([float(x) for x in open("%s/%s.%d" % (out, name, r))])
        except OSError:
            rows.append([])
    return rows
def line(name):
    rows = read(name)
    p50 = [pct(x, 0.5) for x in rows]
    p99 = [pct(x, 0.99) for x in rows]
    answered = sum(len(x) for x in rows)
    return ("%-6s p50 %.3f ms (%.3f-%.3f), p99 %.3f ms (%.3f-%.3f), "
            "%d/%d answered" % (name + ":", statistics.median(p50), min(p50),
                                max(p50), statistics.median(p99), min(p99),
                                max(p99), answered, rounds * pings))
print("wc -> wb ping, %d rounds of %d pings at 100/s, alternated; medians "
      "over the rounds (range):" % (rounds, pings))
print(line("idle"))
print(line("flood"))
dp = [int(open("%s/dpflows.%d" % (out, r)).read())
      for r in range(1, rounds + 1)]
print("datapath flows added per flood of %d frames: %s (max %d)"
      % (pings * 50, " ".join(map(str, dp)), max(dp)))
print("spoofing episodes guestnetd counted for wa: %s" % (episodes or "0"))
EOP
gn_done
