#!/bin/bash
# pipeline-route-spill: fragments that the datapath completes but cannot
# fit into the conntrack call that completed them (32 packets a call) go
# on with the next conntrack call, whoever makes it, and with that call's
# registers (the network it judges them as).  A guest of dmz, a network
# no rule lets reach db, completes a datagram of 32 fragments and one of
# 2 to db:7006 in one call: the second waits in the datapath (its "num
# frag") for the next routed packet, a web guest's, and web may send UDP
# to db:7006.  Judged by their own source subnet, dmz's fragments are
# dropped as web's (web's route-drop counts them) and nothing of dmz
# reaches db; from wa, a web guest, the same datagrams arrive (the
# control).  Real packets between lxc guests.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup_edit 'cfg["rules"].append(
    {"from": "web", "to": "db", "proto": "udp", "port": 7006})'
s=$$
gn_pipeline_guests wa wb da
gn_pipeline_guest za dmz 52:54:00:1e:00:11 10.30.0.11
gn_tcp_serve "da$s" 3306 "$GN_SANDBOX_DIR"
log=$GN_SANDBOX_DIR/udp.7006
ip netns exec "da$s" "$GN_PYTHON" -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('10.20.0.11', 7006))
open('$log.ready', 'w').write('x')
while True:
    d, peer = s.recvfrom(65535)
    with open('$log', 'a') as f:
        f.write('%s %d\n' % (peer[0], len(d)))
" &
gn_on_exit "kill $!"
gn_wait 5 test -f "$log.ready" || gn_fail receiver "no receiver on 7006"
touch "$log"

nfrag() { gn_ipf "num frag"; }
completed() { gn_ipf "v4 frags completed"; }   # fragments sent on whole
web_route_drops() {     # the counter of table 5's last flow for web
    ovs-ofctl -O OpenFlow15 dump-flows br-int table=5 | awk -F'n_packets=' \
        '/priority=1,reg6=0xa / { split($2, f, ","); print f[1] }'
}
# send NS MAC IP GATEWAY-MAC ID BURST: the guest in NS sends to db:7006
# datagram ID (32 fragments of 1200 bytes, 37,592 bytes of data) and ID+1
# (2 fragments, 1,592 bytes); with BURST, the last fragment of each at
# once, after all others (one receive batch, one conntrack call completes
# both: 34 fragments for 32 places), else one datagram after the other.
send() {
    gn_scapy "$1" "
import socket
def frags(ident, n):
    return fragment(Ether(src='$2', dst='$4') / IP(src='$3',
        dst='10.20.0.11', id=ident) / UDP(sport=5558, dport=7006)
        / Raw(bytes(n)), 1200)
big, small = frags($5, 37592), frags($5 + 1, 1592)
if '${6:-}' != 'burst':
    tx(*small, *big)
else:
    tx(*big[:-1], *small[:-1])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(('eth0', 0))
    for f in (bytes(big[-1]), bytes(small[-1])):
        s.send(f)
"
}
# spilled C0: the datagrams of a send are complete (at least C0 + 32
# fragments sent on) and the datapath holds 2 fragments, the second
# datagram, that did not fit; false if it holds none.
completed_at_least() { [ "$(completed)" -ge "$1" ]; }
nfrag_is() { local n; n=$(nfrag); for v; do [ "$n" = "$v" ] && return 0; done
             return 1; }
spilled() {
    gn_wait 5 completed_at_least $(($1 + 32)) || return 1
    gn_wait 5 nfrag_is 0 2 || return 1
    nfrag_is 2
}

# dmz: tried until one conntrack call completed both datagrams.
held=false
for ((i = 0; i < 20; i++)); do
    # (A fragment lost in an earlier attempt leaves its datagram held for
    # 15 s: the count must start from none.)
    gn_wait 20 nfrag_is 0 || break
    c0=$(completed)
    send "za$s" 52:54:00:1e:00:11 10.30.0.11 0a:00:00:00:00:1e \
        $((0x6000 + 2 * i)) burst
    if spilled "$c0"; then
        held=true
        echo "# attempt $i: the second datagram waits for the next call"
        break
    fi
done
gn_check "dmz-datagram-held-for-next-call" $held
$held || gn_done
drops0=$(web_route_drops)
gn_check "carrying-connection-answered" \
    test "$(gn_tcp_call "wb$s" 10.20.0.11 3306)" = pong-3306
gn_check "held-fragments-handed-to-web-call" nfrag_is 0
gn_check "dmz-fragments-dropped-as-web" \
    test $(($(web_route_drops) - drops0)) = 2
gn_check "nothing-of-dmz-reaches-db" bash -c "! grep -q '^10.30' '$log'"
# The control, from wa: the same datagrams, not in one call, arrive.
send "wa$s" 52:54:00:10:00:11 10.10.0.11 0a:00:00:00:00:0a $((0x6100))
gn_check "web-small-datagram-arrives" gn_wait 5 \
    grep -qx '10.10.0.11 1592' "$log"
gn_check "web-large-datagram-arrives" gn_wait 5 \
    grep -qx '10.10.0.11 37592' "$log"
gn_check "web-route-drop-unchanged" \
    test $(($(web_route_drops) - drops0)) = 2
gn_done
