#!/bin/bash
# pipeline-flood: a guest that floods frames from random source MACs cannot
# grow ovs-vswitchd's datapath flow table without bound.  wa sends FRAMES
# (default 10,000) UDP frames to wb, each from a random unicast source MAC,
# paced over about two seconds, through a raw socket; the datapath flows
# ("ovs-appctl dpctl/dump-flows") counted just before and just after may
# grow by at most 100.  Positive controls: the frames reached the switch
# (the port's mac-spoof-drop flow counted most of them, and so does
# "guestnetctl port show"), and the same flood from wa's own MAC passes to
# wb.  The neighbours wb and wc ping each other meanwhile (100 a second);
# their p99 with and without the flood is printed (timing goals live in
# the benchmarks, not here) and every ping but a few must be answered.
# The flooding port is marked spoofing (its API view, the status, the
# metrics, a WARN line in the log) while its neighbours are not, and the
# mark goes (an INFO line) once it has been quiet for --spoofing-quiet;
# then a flood of lying neighbour advertisements, which a guard all ports
# share refuses, is counted for wa's port and marks it again.
# bench/flood.sh compares the neighbours' ping with and without a flood.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy
FRAMES=${FRAMES:-10000}

QUIET=5
gn_guestnetd_setup --spoofing-quiet=$QUIET
s=$$
gn_pipeline_guests wa wb
gn_pipeline_guest wc web 52:54:00:10:00:13 10.10.0.13
dir=$GN_SANDBOX_DIR

# flood SRC TAG: wa floods wb (gn_mac_flood).
flood() {
    gn_mac_flood "wa$s" "$wb" 10.10.0.11 10.10.0.12 "$FRAMES" "$1" "$2"
}
dp_flows() { ovs-appctl dpctl/dump-flows | grep -c .; }
spoof_drops() {
    ovs-ofctl -O OpenFlow15 dump-flows br-int table=8 \
        | sed -n "s/.*n_packets=\([0-9]*\),.*in_port=$pwa .*/\1/p"
}
# pings NAME: wc pings wb 200 times, 100 a second; the round trip times
# (ms) go to $dir/NAME.rtt, one a line.
pings() {
    ip netns exec "wc$s" ping -n -i 0.01 -c 200 -W 1 10.10.0.12 \
        | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' > "$dir/$1.rtt"
}
p99() { sort -n "$1" | awk '{a[NR] = $1} END {i = int(NR * 0.99);
    if (i < 1) i = 1; print (NR ? a[i] : "none")}'; }

gn_check "neighbours-reach-each-other" \
    ip netns exec "wc$s" ping -c 1 -W 2 10.10.0.12
pings quiet
gn_check "quiet-pings-answered" test "$(wc -l < "$dir/quiet.rtt")" -ge 190

# The flood from random MACs, with the neighbours' pings alongside.
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
drops0=$(spoof_drops)
before=$(dp_flows)
pings flood &
ping_pid=$!
flood random random-mac
after=$(dp_flows)
wait $ping_pid
drops=$(( $(spoof_drops) - drops0 ))
echo "# datapath flows: $before before, $after after $FRAMES frames from" \
     "random MACs; $drops counted by wa's mac-spoof-drop"
echo "# wc -> wb ping p99: $(p99 "$dir/quiet.rtt") ms quiet," \
     "$(p99 "$dir/flood.rtt") ms during the flood" \
     "($(wc -l < "$dir/flood.rtt")/200 answered)"
gn_check "flood-reached-the-switch" test "$drops" -ge $((FRAMES * 9 / 10))
# (The API reuses the switch's counters for up to 1 s: wait for them.)
api_drops_reach() {
    gn_api GET "/v1/ports/pwa$s" | sed '$d' | "$GN_PYTHON" -c 'import json, sys
sys.exit(json.load(sys.stdin)["drops"].get("mac-spoof-drop", 0) < int(sys.argv[1]))' "$1"
}
gn_check "flood-counted-per-port" gn_wait 5 api_drops_reach "$drops"
gn_check "datapath-flows-added-at-most-100" test $((after - before)) -le 100

# The mark: the flooding port, and no other, is spoofing now (it stays
# so for $QUIET s after the last poll over the threshold).
spoofing() {    # spoofing PORT true|false: its API view says so.
    gn_api GET "/v1/ports/$1" | sed '$d' | "$GN_PYTHON" -c '
import json, sys
mark = json.load(sys.stdin).get("spoofing")
sys.exit(mark is not (sys.argv[1] == "true"))' "$2"
}
metrics() { gn_api GET /metrics | sed '$d'; }
gauge="guestnet_port_spoofing{network=\"web\",port=\"pwa$s\"} 1"
gn_check "flooding-port-marked-spoofing" gn_wait 3 spoofing "pwa$s" true
gn_check "flooding-port-spoofing-gauge" grep -qF "$gauge" <(metrics)
gn_check "spoofing-episode-counted" \
    grep -qx 'guestnet_spoofing_episodes_total 1' <(metrics)
gn_check "spoofing-event-logged" grep -q \
    "WARN|port pwa$s (network web) is spoofing" "$dir/guestnetd.log"
gn_check "spoofing-in-port-list" bash -c "'$GUESTNETCTL' -j port list \
    | grep -q '\"spoofing\": true'"
gn_check "port-show-says-spoofing" bash -c \
    "'$GUESTNETCTL' port show pwa$s | grep -qE '^  spoofing +yes \(1 episodes\)'"
gn_check "port-list-says-spoofing" bash -c \
    "'$GUESTNETCTL' port list | grep -qE '^pwa$s .* bound, spoofing\$'"
gn_check "neighbours-not-marked" spoofing "pwb$s" false
gn_check "neighbour-not-marked-too" spoofing "pwc$s" false
gn_check "one-port-spoofing" grep -qx 'guestnet_ports_spoofing 1' <(metrics)

gn_check "pings-answered-during-flood" \
    test "$(wc -l < "$dir/flood.rtt")" -ge 190

# The same frames from wa's own MAC reach wb: the switch forwards what the
# flood would have been without the spoofing.
FRAMES=20 flood "$wa" own-mac
gn_capture_stop
gn_check "own-mac-frames-reach-neighbour" gn_captured "wb$s" own-mac
gn_check_unseen "random-mac-frames-never-reached-neighbour" "wb$s" random-mac

# Quiet again (20 frames from its own MAC do not count): the mark goes,
# with an event, and the episode stays counted.
gn_check "mark-cleared-when-quiet" \
    gn_wait $((QUIET + 5)) spoofing "pwa$s" false
gn_check "recovery-logged" grep -q \
    "INFO|port pwa$s (network web) stopped spoofing" "$dir/guestnetd.log"
gn_check_fails "gauge-gone-when-quiet" grep -qF "$gauge" <(metrics)
gn_check "no-port-spoofing" grep -qx 'guestnet_ports_spoofing 0' <(metrics)
gn_check "episode-still-counted" \
    grep -qx 'guestnet_spoofing_episodes_total 1' <(metrics)

# Spoofing a shared guard catches marks a port too: wa advertises wb's
# link-local address as its own (its own MAC and source address, 2000
# neighbour advertisements at 1000 a second), which nd-spoof-drop refuses
# for every port; its port's guard-count flow counts them for it.
ip netns exec "wa$s" "$GN_PYTHON" -c "
import socket, time
from scapy.all import Ether, IPv6, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr
na = bytes(Ether(src='$wa', dst='33:33:00:00:00:01')
           / IPv6(src='fe80::5054:ff:fe10:11', dst='ff02::1', hlim=255)
           / ICMPv6ND_NA(tgt='fe80::5054:ff:fe10:12', R=0, S=0, O=1)
           / ICMPv6NDOptDstLLAddr(lladdr='$wa'))
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind(('eth0', 0))
start = time.monotonic()
for i in range(200):
    for _ in range(10):
        sock.send(na)
    delay = start + (i + 1) * 0.01 - time.monotonic()
    if delay > 0:
        time.sleep(delay)
"
guard_drops() {     # guard_drops PORT: its drops counted by guard-count.
    gn_api GET "/v1/ports/$1" | sed '$d' | "$GN_PYTHON" -c '
import json, sys
print(json.load(sys.stdin)["drops"].get("guard-count", 0))'
}
guard_drops_reach() { [ "$(guard_drops "$1")" -ge "$2" ]; }
gn_check "nd-spoofing-counted-per-port" \
    gn_wait 3 guard_drops_reach "pwa$s" 1900
gn_check "nd-spoofing-port-marked" gn_wait 3 spoofing "pwa$s" true
gn_check "nd-spoofing-second-episode" \
    grep -qx 'guestnet_spoofing_episodes_total 2' <(metrics)
na="in_port=$pwa,dl_src=$wa,dl_dst=33:33:00:00:00:01,ipv6,nw_proto=58"
na+=",ipv6_src=fe80::5054:ff:fe10:11,ipv6_dst=ff02::1,nw_ttl=255"
na+=",icmpv6_type=136,icmpv6_code=0,nd_target=fe80::5054:ff:fe10:12"
gn_check_trace "trace-names-the-guard" "nd-spoof-drop:0" "$na,nd_tll=$wa"
gn_check "neighbour-still-unmarked" spoofing "pwb$s" false
gn_done
