#!/bin/bash
# pipeline-route: guestnet routes between networks by the config's rules,
# statefully through conntrack (rule 8).  It answers ARP for each network's
# gateway with the gateway MAC; with the rule web -> db tcp/3306, a web
# guest opens a TCP connection to a db guest's port 3306 and data flows both
# ways, MACs rewritten and TTL decremented; web cannot reach db's port 22;
# db cannot open connections to web; a db guest without declared addresses
# cannot be routed to.  Real packets (python sockets, nc, scapy) between lxc guests;
# verdicts checked with ofproto/trace through conntrack (--ct-next).
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_root
gn_require_cmd curl curl
gn_require_cmd nc netcat-openbsd
gn_require_scapy

gn_guestnetd_setup
s=$$
gw10=0a:00:00:00:00:0a gw20=0a:00:00:00:00:14
gn_pipeline_guests wa da
# A db guest without declared addresses, which takes one itself.
gn_pipeline_guest dn db 52:54:00:20:00:12
ip -n "dn$s" addr add 10.20.0.12/24 dev eth0
ip -n "dn$s" route add default via 10.20.0.1
gn_tmpdir out

gn_check "web-guest-routes-via-gateway" \
    bash -c "ip -n wa$s route | grep -q 'default via 10.10.0.1'"

# The gateway answers ARP with its MAC, to its own network's guests only.
arp_reply() {  # arp_reply NS MAC IP GATEWAY: prints the reply's fields
    gn_scapy "$1" "
r = srp1(Ether(src='$2', dst='ff:ff:ff:ff:ff:ff')
         / ARP(op=1, hwsrc='$2', psrc='$3', pdst='$4'),
         iface='eth0', timeout=2)
if r is not None and ARP in r:
    a = r[ARP]
    print(r.src, r.dst, a.op, a.hwsrc, a.psrc, a.hwdst, a.pdst)
"
}
gn_check "arp-for-web-gateway-answered-with-gateway-mac" test \
    "$(arp_reply "wa$s" $wa 10.10.0.11 10.10.0.1)" = \
    "$gw10 $wa 2 $gw10 10.10.0.1 $wa 10.10.0.11"
gn_check "arp-for-db-gateway-answered-with-its-mac" test \
    "$(arp_reply "da$s" $da 10.20.0.11 10.20.0.1)" = \
    "$gw20 $da 2 $gw20 10.20.0.1 $da 10.20.0.11"
gn_check "arp-for-other-networks-gateway-unanswered" test -z \
    "$(arp_reply "da$s" $da 10.20.0.11 10.10.0.1)"

# listen NS PORT: a TCP listener in NS, so that a connection that fails
# failed in the network, not at a closed port.  Waits until it listens.
listen() {
    ip netns exec "$1" nc -l -p "$2" < /dev/null > /dev/null &
    gn_on_exit "kill $!"
    gn_wait 5 gn_listening "$1" "$2"
}
# serve NS PORT REPLY: a one-shot TCP server in NS that reads one line into
# $out/NS-PORT, answers REPLY, and closes only after the client's FIN, so
# that no reset can overtake the answer.  (nc raced here: it could close
# with the request unread, and its client drops data that comes with a
# reset.)  exchange NS ADDRESS PORT LINE: the client, which sends LINE,
# ends its side and prints what comes back.
serve() {
    ip netns exec "$1" python3 -c '
import socket, sys
port, reply = int(sys.argv[1]), sys.argv[2].encode() + b"\n"
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", port))
s.listen(1)
c, _ = s.accept()
c.settimeout(10)
got = b""
while not got.endswith(b"\n"):
    data = c.recv(4096)
    if not data:
        break
    got += data
sys.stdout.buffer.write(got)
sys.stdout.flush()
c.sendall(reply)
c.shutdown(socket.SHUT_WR)
while c.recv(4096):
    pass
c.close()
' "$2" "$3" > "$out/$1-$2" &
    gn_on_exit "kill $!"
    gn_wait 5 gn_listening "$1" "$2"
}
exchange() {
    ip netns exec "$1" python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
c.sendall(sys.argv[3].encode() + b"\n")
c.shutdown(socket.SHUT_WR)
while True:
    data = c.recv(4096)
    if not data:
        break
    sys.stdout.buffer.write(data)
' "$2" "$3" "$4"
}
serve "da$s" 3306 'GN[db-says-hello]'
listen "da$s" 22
listen "wa$s" 3306
listen "wa$s" 22
listen "dn$s" 3306

gn_capture_start "wa$s" "da$s" || gn_fail capture-start "tcpdump did not start"
exchange "wa$s" 10.20.0.11 3306 'GN[web-says-hello]' > "$out/web-got"
gn_check "web-to-db-3306-request-arrives" \
    grep -qxF 'GN[web-says-hello]' "$out/da$s-3306"
gn_check "web-to-db-3306-reply-arrives" \
    grep -qxF 'GN[db-says-hello]' "$out/web-got"
gn_check "connection-committed-to-conntrack" bash -c \
    "ovs-appctl dpctl/dump-conntrack zone=1 \
     | grep 'src=10.10.0.11,dst=10.20.0.11' | grep -q 'dport=3306'"
gn_check_fails "web-to-db-22-dropped" \
    ip netns exec "wa$s" nc -z -w 2 10.20.0.11 22
gn_check_fails "db-to-web-3306-dropped" \
    ip netns exec "da$s" nc -z -w 2 10.10.0.11 3306
gn_check_fails "db-to-web-22-dropped" \
    ip netns exec "da$s" nc -z -w 2 10.10.0.11 22
gn_check_fails "db-cannot-ping-web" \
    ip netns exec "da$s" ping -c 1 -W 1 10.10.0.11
gn_check_fails "web-to-undeclared-db-guest-not-routed" \
    ip netns exec "wa$s" nc -z -w 2 10.20.0.12 3306

# Crafted frames: the rule's protocol only, no expired TTL, no unsolicited
# "reply" from db.
gn_scapy "wa$s" "
e = Ether(src='$wa', dst='$gw10')
tx(e / IP(src='10.10.0.11', dst='10.20.0.11') / TCP(sport=40001, dport=3306,
       flags='S') / mark('web-syn-3306'),
   e / IP(src='10.10.0.11', dst='10.20.0.11') / UDP(sport=40002, dport=3306)
   / mark('web-udp-3306'),
   e / IP(src='10.10.0.11', dst='10.20.0.11', ttl=1) / TCP(sport=40003,
       dport=3306, flags='S') / mark('web-syn-ttl-1'))
"
gn_scapy "da$s" "
e = Ether(src='$da', dst='$gw20')
tx(e / IP(src='10.20.0.11', dst='10.10.0.11') / TCP(sport=3306, dport=40004,
       flags='SA') / mark('db-unsolicited-synack'),
   e / IP(src='10.20.0.11', dst='10.10.0.11') / TCP(sport=3306, dport=40005,
       flags='A') / mark('db-unsolicited-ack'))
"
gn_capture_stop
if ! grep -qxF 'GN[db-says-hello]' "$out/web-got"; then
    # What the two guests saw of the 3306 exchange, for the log.
    for ns in "wa$s" "da$s"; do
        echo "# $ns, tcp port 3306:"
        tcpdump -r "$GN_CAPDIR/$ns.pcap" -n -tt 'tcp port 3306' 2>&1 | sed 's/^/#   /'
    done
fi

gn_check_seen "web-to-db-3306-data-arrives" "da$s" web-says-hello
gn_check_seen "db-reply-data-arrives" "wa$s" db-says-hello
gn_check_seen "crafted-syn-to-3306-routed" "da$s" web-syn-3306
gn_check_unseen "udp-to-3306-not-routed" "da$s" web-udp-3306
gn_check_unseen "expiring-ttl-not-routed" "da$s" web-syn-ttl-1
gn_check_unseen "unsolicited-synack-from-db-dropped" "wa$s" \
    db-unsolicited-synack
gn_check_unseen "unsolicited-ack-from-db-dropped" "wa$s" db-unsolicited-ack
# Routed frames: from the gateway MAC of the receiver's network, TTL 63.
gn_check "db-gets-web-data-from-db-gateway-mac" gn_captured_as "da$s" \
    "tcp dst port 3306 and src host 10.10.0.11" "$gw20 > $da"
gn_check "db-gets-web-data-with-ttl-decremented" gn_captured_as "da$s" \
    "tcp dst port 3306 and src host 10.10.0.11" "ttl 63,"
gn_check "web-gets-reply-from-web-gateway-mac" gn_captured_as "wa$s" \
    "tcp src port 3306 and src host 10.20.0.11" "$gw10 > $wa"
gn_check "web-gets-reply-with-ttl-decremented" gn_captured_as "wa$s" \
    "tcp src port 3306 and src host 10.20.0.11" "ttl 63,"
gn_check "no-db-packet-reaches-web-with-ttl-64" bash -c \
    "! tcpdump -r '$GN_CAPDIR/wa$s.pcap' -v -n 'src host 10.20.0.11' \
       2>/dev/null | grep -q 'ttl 64,'"

# The verdicts, by rule name, through conntrack: every guestnet rule a
# trace goes through, in order.
trace_rules() {  # trace_rules CT_STATE FLOW
    local cookie names=()
    for cookie in $(ovs-appctl ofproto/trace br-int "$2" --ct-next "$1" \
                    | sed -n 's/.*, cookie \(0x[0-9a-f]*\)$/\1/p'); do
        names+=("$(gn_cookie_rule "$cookie")")
    done
    echo "${names[*]}"
}
check_trace_rules() {  # check_trace_rules NAME CT_STATE FLOW RULES...
    local name=$1 ct=$2 flow=$3 got
    shift 3
    got=$(trace_rules "$ct" "$flow")
    if [ "$got" = "$*" ]; then gn_pass "$name"
    else gn_fail "$name" "trace of $flow ($ct) went through '$got', expected '$*'"; fi
}
# (A protocol comes first in a flow: "tcp,...,tp_dst=3306".)
w="in_port=$pwa,dl_src=$wa,dl_dst=$gw10,nw_src=10.10.0.11,nw_dst=10.20.0.11"
d="in_port=$pda,dl_src=$da,dl_dst=$gw20,nw_src=10.20.0.11,nw_dst=10.10.0.11"
through="port-ingress:$pwa ip-source-allow:$pwa content-allow:0"
dthrough="port-ingress:$pda ip-source-allow:$pda content-allow:0"
gn_check_trace "trace-arp-for-gateway" "gateway-arp:10" \
    "in_port=$pwa,dl_src=$wa,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1,arp_spa=10.10.0.11,arp_sha=$wa,arp_tpa=10.10.0.1"
check_trace_rules "trace-new-web-to-db-3306-allowed" trk,new \
    "tcp,$w,tp_src=40000,tp_dst=3306,nw_ttl=64" $through \
    route-to-gateway:10 route-conntrack:0 route-allow:0 "route-output:$pda"
check_trace_rules "trace-new-web-to-db-22-dropped" trk,new \
    "tcp,$w,tp_src=40000,tp_dst=22,nw_ttl=64" $through \
    route-to-gateway:10 route-conntrack:0 route-drop:10
check_trace_rules "trace-new-db-to-web-dropped" trk,new \
    "tcp,$d,tp_src=40000,tp_dst=3306,nw_ttl=64" $dthrough \
    route-to-gateway:20 route-conntrack:0 route-drop:20
check_trace_rules "trace-reply-db-to-web-passes" trk,est,rpl \
    "tcp,$d,tp_src=3306,tp_dst=40000,nw_ttl=64" $dthrough \
    route-to-gateway:20 route-conntrack:0 ct-established:0 \
    "route-output:$pwa"
check_trace_rules "trace-related-icmp-passes" trk,rel \
    "icmp,$d,icmp_type=3,icmp_code=3,nw_ttl=64" $dthrough \
    route-to-gateway:20 route-conntrack:0 ct-related:0 "route-output:$pwa"
check_trace_rules "trace-invalid-dropped" trk,inv \
    "tcp,$d,tp_src=3306,tp_dst=40000,nw_ttl=64" $dthrough \
    route-to-gateway:20 route-conntrack:0 ct-invalid-drop:0
gn_check_trace "trace-expiring-ttl-dropped" "ttl-expired-drop:0" \
    "tcp,$w,tp_src=40000,tp_dst=3306,nw_ttl=1"
gn_done
