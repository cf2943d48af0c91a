#!/bin/bash
# pipeline-guard-frag: router advertisements and redirects do not get past
# the pipeline behind IPv6 extension headers or in fragments (RFC 7113),
# nor behind a header chain OVS cannot walk: fragments are judged by their
# first fragment, without reassembly, and a datagram whose first fragment
# is dropped never arrives whole.  Ordinary fragmented UDP (IPv4 and IPv6,
# fragments of any size), TCP (IPv4, fragmented by a router inside a
# guest) and ping between guests work, the switch reassembles none of it,
# and one guest filling the datapath's reassembly table with incomplete
# datagrams does not stop them; the test prints what they measured.
# Routed, a connection's fragmented first datagram passes its rule (in
# any order of its fragments), its later fragments open no connection to
# a port no rule names, and one guest's incomplete routed fragments, which conntrack's reassembly
# table holds, stop neither the neighbours' unfragmented routed
# connections nor their fragmented traffic within the network.  The
# victim accepts fragmented neighbour discovery (suppress_frag_ndisc=0),
# as some systems do, so that what reaches it is what it would act upon;
# its routes show whether a rogue advertisement took hold.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

# web may send UDP to db's port 7003 (a routed connection whose first
# datagram is fragmented).
gn_guestnetd_setup_edit 'cfg["rules"].append(
    {"from": "web", "to": "db", "proto": "udp", "port": 7003})'
s=$$
wa=52:54:00:10:00:11 wb=52:54:00:10:00:12 sv=52:54:00:10:00:13
gn_lxc_guest "wa$s" "pwa$s" web $wa 10.10.0.11 2001:db8:10::11 10.10.0.21
gn_lxc_guest "wb$s" "pwb$s" web $wb 10.10.0.12 2001:db8:10::12
gn_netns "sv$s"
"$GUESTNETCTL" port add "psv$s" --kind lxc --network web --netns "sv$s" \
    --mac $sv --ip 10.10.0.13 --server > /dev/null
pwa=$(gn_ofport "pwa$s")
lla=fe80::5054:ff:fe10:11 llsv=fe80::5054:ff:fe10:13
ip netns exec "wb$s" sysctl -qw net.ipv6.conf.eth0.suppress_frag_ndisc=0 \
    net.ipv6.conf.eth0.accept_ra=2
for ns in "wa$s" "wb$s" "sv$s"; do
    gn_wait 10 bash -c "ip -n $ns -6 addr show dev eth0 | grep -q fe80 \
        && ! ip -n $ns -6 addr show dev eth0 | grep -q tentative" \
        || gn_fail "dad-done-$ns" "addresses of $ns still tentative"
done

# trace_rules FLOW [OPTION...]: the rules of the flows that
# "ofproto/trace br-int FLOW OPTION..." goes through, in order, on a line.
trace_rules() {
    local c
    ovs-appctl ofproto/trace br-int "$@" \
        | sed -n 's/.*, cookie \(0x[0-9a-f]*\)$/\1/p' | while read -r c; do
        sed -n "s/^ *RULE([A-Z_0-9]*, $((c >> 48)), \"\([a-z0-9-]*\)\").*/\
\1/p" "$GN_SRCDIR/include/pipeline.h"
    done | paste -sd' '
}

gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
# Frames from the attacker, wa, and the same from the server port.  rafrags()
# splits a datagram by hand: 'cut' is where the first fragment ends in its
# fragmentable part (after the fragment header), the rest goes in pieces of
# 'piece' bytes.
python_lib="
ra_opts = ICMPv6NDOptPrefixInfo(prefix='2001:db8:66::', prefixlen=64)
def ra(tag, src, mac, *ext):
    p = IPv6(src=src, dst='ff02::1', hlim=255)
    for e in ext:
        p = p / e
    return (Ether(src=mac, dst='33:33:00:00:00:01') / p
            / ICMPv6ND_RA(routerlifetime=1800) / ra_opts / ndmark(tag))
def frags(pkt, cut, piece=1232, fid=0x4711):
    ip = pkt[IPv6]
    whole = IPv6(src=ip.src, dst=ip.dst, hlim=ip.hlim) / IPv6ExtHdrFragment(
        id=fid) / ip.payload
    raw = bytes(whole)
    nh = raw[40]
    body = raw[48:]
    out, off = [], 0
    ends = [cut] + list(range(cut + piece, len(body), piece)) + [len(body)]
    for end in ends:
        if end <= off:
            continue
        out.append(Ether(src=pkt.src, dst=pkt.dst)
                   / IPv6(src=ip.src, dst=ip.dst, hlim=ip.hlim)
                   / IPv6ExtHdrFragment(nh=nh, offset=off // 8,
                                        m=int(end < len(body)), id=fid)
                   / Raw(body[off:end]))
        off = end
    return out
big = [ICMPv6NDOptPrefixInfo(prefix='2001:db8:%x::' % (0x100 + i),
                             prefixlen=64, validlifetime=0,
                             preferredlifetime=0) for i in range(60)]
def bigra(tag, src, mac, *ext):
    p = IPv6(src=src, dst='ff02::1', hlim=255)
    for e in ext:
        p = p / e
    r = ICMPv6ND_RA(routerlifetime=1800) / ra_opts
    for o in big:
        r = r / o
    return Ether(src=mac, dst='33:33:00:00:00:01') / p / r / ndmark(tag)
def pad(n):  # destination options of about n bytes
    return IPv6ExtHdrDestOpt(options=[PadN(optdata=bytes(min(250, n - i)))
                                      for i in range(0, n, 252)])
"
gn_scapy "wa$s" "$python_lib
src, mac = '$lla', '$wa'
tx(ra('ra-plain', src, mac),
   ra('ra-hop-by-hop', src, mac, IPv6ExtHdrHopByHop()),
   ra('ra-destination-options', src, mac, IPv6ExtHdrDestOpt()),
   ra('ra-routing', src, mac, IPv6ExtHdrRouting()),
   ra('ra-chain', src, mac, IPv6ExtHdrHopByHop(), IPv6ExtHdrDestOpt(),
      IPv6ExtHdrRouting(), pad(30)),
   *frags(bigra('ra-fragmented', src, mac), 1232),
   *frags(bigra('ra-first-fragment-headers-only', src, mac, pad(1222)),
          1232, fid=0x4712),
   *frags(bigra('ra-hbh-fragmented', src, mac, IPv6ExtHdrHopByHop()), 1232,
          fid=0x4713),
   *frags(ra('ra-tiny-fragments', src, mac), 8, piece=16, fid=0x4714),
   *frags(ra('ra-tiny-first-fragment', src, mac, pad(6)), 8, fid=0x4715),
   Ether(src=mac, dst='$wb') / IPv6(src=src, dst='2001:db8:10::12',
       hlim=255) / IPv6ExtHdrDestOpt()
       / ICMPv6ND_Redirect(tgt=src, dst='2001:db8:20::5')
       / ndmark('redirect6-behind-header'),
   Ether(src=mac, dst='$wb') / IPv6(src=src, dst='2001:db8:10::12',
       hlim=255) / ICMPv6ND_Redirect(tgt=src, dst='2001:db8:20::5')
       / ndmark('redirect6'),
   Ether(src=mac, dst='$wb') / IP(src='10.10.0.11', dst='10.10.0.12')
       / ICMP(type=5, code=1, gw='10.10.0.11')
       / IP(src='10.10.0.12', dst='10.20.0.5') / UDP() / mark('redirect4'),
   *fragment(Ether(src=mac, dst='$wb') / IP(src='10.10.0.11',
       dst='10.10.0.12', id=0x4717) / ICMP(type=5, code=1, gw='10.10.0.11')
       / IP(src='10.10.0.12', dst='10.20.0.5') / UDP()
       / Raw(bytes(3000)) / mark('redirect4-fragmented'), 1400),
   Ether(src=mac, dst='$wb') / IP(src='10.10.0.11', dst='10.10.0.12')
       / ICMP(type=3, code=1) / IP(src='10.10.0.12', dst='10.20.0.5')
       / UDP() / mark('unreachable4'),
   Ether(src=mac, dst='$wb') / IPv6(src='2001:db8:10::11',
       dst='2001:db8:10::12', nh=60)
       / Raw(bytes([17, 4]) + bytes(6)) / mark('truncated-header-chain'),
   Ether(src=mac, dst='$wb') / IPv6(src='2001:db8:10::11',
       dst='2001:db8:10::12') / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()
       / UDP(sport=4000, dport=9) / mark('udp-behind-headers'),
   *frags(Ether(src=mac, dst='$wb') / IPv6(src='2001:db8:10::11',
       dst='2001:db8:10::12') / ICMPv6EchoRequest(data=bytes(3000))
       / mark('echo6-fragmented'), 1232, fid=0x4716),
   # MLD and a neighbour solicitation from ::, in fragments.
   *frags(Ether(src=mac, dst='33:33:00:00:00:16') / IPv6(src=src,
       dst='ff02::16', hlim=1) / ICMPv6MLReport2(records=[
       ICMPv6MLDMultAddrRec(dst='ff02::1:ff00:%x' % i) for i in range(80)]),
       1232, fid=0x4718),
   *frags(Ether(src=mac, dst='33:33:ff:00:00:12') / IPv6(src='::',
       dst='ff02::1:ff00:12', hlim=255)
       / ICMPv6ND_NS(tgt='2001:db8:10::12') / Raw(bytes(2000)), 1232,
       fid=0x4719),
   # TCP whose first fragment holds its ports but not its flags (RFC
   # 1858), and the same with the whole header in the first.
   *frags(Ether(src=mac, dst='$wb') / IPv6(src='2001:db8:10::11',
       dst='2001:db8:10::12') / TCP(sport=4001, dport=22, flags='S')
       / mark('tcp-tiny-first-fragment'), 8, fid=0x471a),
   *frags(Ether(src=mac, dst='$wb') / IPv6(src='2001:db8:10::11',
       dst='2001:db8:10::12') / TCP(sport=4001, dport=22, flags='S')
       / mark('tcp-whole-header-first'), 24, fid=0x471b),
   # UDP whose first fragment holds nothing past the fragment header.
   *[Ether(src=mac, dst='$wb') / IPv6(src='2001:db8:10::11',
       dst='2001:db8:10::12') / IPv6ExtHdrFragment(nh=17, offset=o, m=m,
       id=0x471c) / Raw(b) for o, m, b in ((0, 1, b''), (1, 0, bytes(16)))],
   # DHCP discovery from 0.0.0.0 in fragments, and its whole twin.
   *fragment(Ether(src=mac, dst='ff:ff:ff:ff:ff:ff') / IP(src='0.0.0.0',
       dst='255.255.255.255', id=0x471d) / UDP(sport=68, dport=67)
       / BOOTP(chaddr=mac2str(mac)) / DHCP(options=[('message-type',
       'discover'), 'end']) / Raw(bytes(1600)) / mark('discover-fragmented'),
       600),
   Ether(src=mac, dst='ff:ff:ff:ff:ff:ff') / IP(src='0.0.0.0',
       dst='255.255.255.255') / UDP(sport=68, dport=67)
       / BOOTP(chaddr=mac2str(mac)) / DHCP(options=[('message-type',
       'discover'), 'end']) / mark('discover-whole'))
"
# The server port: its advertisements pass, behind headers too (not in
# fragments, which receivers ignore by RFC 6980), and so do its redirects.
gn_scapy "sv$s" "$python_lib
src, mac = '$llsv', '$sv'
ra_opts = ICMPv6NDOptPrefixInfo(prefix='2001:db8:77::', prefixlen=64)
tx(ra('server-ra-hop-by-hop', src, mac, IPv6ExtHdrHopByHop()),
   Ether(src=mac, dst='$wb') / IP(src='10.10.0.13', dst='10.10.0.12')
       / ICMP(type=5, code=1, gw='10.10.0.13')
       / IP(src='10.10.0.12', dst='10.20.0.5') / UDP()
       / mark('server-redirect4'),
   ra('server-ra', src, mac))
"
# The server's advertisement, sent last, gives the victim a default route;
# the rogue ones before it had the same way to go.
gn_check "server-ra-gives-default-route" gn_wait 10 bash -c \
    "ip -n wb$s -6 route show default | grep -q $llsv"
gn_capture_stop

for tag in ra-plain ra-hop-by-hop ra-destination-options ra-routing \
           ra-chain redirect6-behind-header redirect6 redirect4 \
           truncated-header-chain; do
    gn_check_unseen "$tag-dropped" "wb$s" "$tag"
done
# Fragments by their datagram's id (a tag may straddle two fragments):
# the first fragment of none of these reaches the victim (the later ones
# do, and complete nothing there).
first_frags_seen() {
    tcpdump -nr "$GN_CAPDIR/wb$s.pcap" \
        "ip6[6] == 44 and ip6[44:4] == $1 and (ip6[42:2] & 0xfff8) == 0" \
        2>/dev/null | wc -l
}
frags_seen() {
    tcpdump -nr "$GN_CAPDIR/wb$s.pcap" "ip6[6] == 44 and ip6[44:4] == $1" \
        2>/dev/null | wc -l
}
for f in ra-fragmented:0x4711 ra-first-fragment-headers-only:0x4712 \
         ra-hbh-fragmented:0x4713 ra-tiny-fragments:0x4714 \
         ra-tiny-first-fragment:0x4715 mld-fragmented:0x4718 \
         dad-fragmented:0x4719 tcp-tiny-first-fragment:0x471a \
         udp-empty-first-fragment:0x471c; do
    gn_check "${f%:*}-first-fragment-dropped" \
        test "$(first_frags_seen ${f#*:})" = 0
done
gn_check "redirect4-fragmented-first-fragment-dropped" test "$(tcpdump -nr \
    "$GN_CAPDIR/wb$s.pcap" 'ip[4:2] == 0x4717 and ip[6:2] & 0x1fff == 0' \
    2>/dev/null | wc -l)" = 0
gn_check "redirect4-fragmented-later-fragments-pass" test "$(tcpdump -nr \
    "$GN_CAPDIR/wb$s.pcap" 'ip[4:2] == 0x4717 and ip[6:2] & 0x1fff != 0' \
    2>/dev/null | wc -l)" -gt 0
gn_check "echo6-fragmented-first-fragment-passes" \
    test "$(first_frags_seen 0x4716)" = 1
gn_check "discover-fragmented-dropped" test "$(tcpdump -nr \
    "$GN_CAPDIR/wb$s.pcap" 'ip[4:2] == 0x471d' 2>/dev/null | wc -l)" = 0
gn_check_seen "discover-whole-passes" "wb$s" discover-whole
gn_check "echo6-fragmented-all-fragments-pass" test "$(frags_seen 0x4716)" = 3
gn_check "tcp-whole-header-first-all-fragments-pass" \
    test "$(frags_seen 0x471b)" = 2
for tag in unreachable4 udp-behind-headers echo6-fragmented \
           server-ra-hop-by-hop server-redirect4 server-ra; do
    gn_check_seen "$tag-passes" "wb$s" "$tag"
done
gn_check "no-default-route-from-rogue-ra" bash -c \
    "! ip -n wb$s -6 route show default | grep -q $lla"
gn_check "no-address-from-rogue-prefix" bash -c \
    "! ip -n wb$s -6 addr show | grep -q 2001:db8:66"
gn_check "no-route-from-rogue-fragmented-ra" bash -c \
    "! ip -n wb$s -6 route show | grep -q 2001:db8:100"
gn_check "address-from-server-prefix" gn_wait 5 bash -c \
    "ip -n wb$s -6 addr show | grep -q 2001:db8:77"

f="in_port=$pwa,dl_src=$wa"
gn_check_trace "trace-redirect4" "redirect-drop:0" \
    "$f,dl_dst=$wb,icmp,nw_src=10.10.0.11,icmp_type=5,icmp_code=1"
gn_check_trace "trace-redirect6" "redirect-drop:0" \
    "$f,dl_dst=$wb,ipv6,nw_proto=58,ipv6_src=$lla,icmpv6_type=137"
gn_check_trace "trace-broken-header-chain" "ipv6-header-drop:0" \
    "$f,dl_dst=$wb,ipv6,ipv6_src=2001:db8:10::11,nw_proto=0"
# A later fragment goes on unjudged; a first one by its header.
gn_check "trace-later-fragment" test "$(trace_rules \
    "$f,dl_dst=$wb,ipv6,ipv6_src=2001:db8:10::11,nw_proto=44,nw_frag=later")" \
    = "port-ingress ip-source-allow fragment-pass l2-unicast"
gn_check "trace-first-fragment-udp" test "$(trace_rules \
    "$f,dl_dst=$wb,udp6,ipv6_src=2001:db8:10::11,nw_frag=first,udp_dst=9")" \
    = "port-ingress ip-source-allow fragment-pass l2-unicast"
gn_check_trace "trace-first-fragment-ra" "fragment-drop:0" \
    "$f,dl_dst=$wb,icmp6,ipv6_src=$lla,nw_frag=first,icmpv6_type=134"
gn_check_trace "trace-first-fragment-without-port" "fragment-drop:0" \
    "$f,dl_dst=$wb,tcp,nw_src=10.10.0.11,nw_frag=first,tcp_dst=0"
gn_check_trace "trace-first-fragment-dhcp-reply" "dhcp-server-drop:0" \
    "$f,dl_dst=$wb,udp,nw_src=10.10.0.11,nw_frag=first,udp_src=67,udp_dst=68"
# The same, asked of guestnetctl trace (frag=first|later).
ctl_trace() {  # ctl_trace FIELD=VALUE...: the summary line of wa's trace
    "$GUESTNETCTL" trace "pwa$s" dl_dst=$wb "$@" | head -n 1
}
gn_check "ctl-trace-first-fragment-ra" test "$(ctl_trace proto=icmp6 \
    nw_src=$lla frag=first icmp_type=134)" = "dropped by fragment-drop"
gn_check "ctl-trace-first-fragment-dhcp-reply" test "$(ctl_trace \
    proto=udp frag=first tp_src=67 tp_dst=68)" = "dropped by dhcp-server-drop"
gn_check "ctl-trace-first-fragment-without-port" test "$(ctl_trace \
    proto=tcp frag=first tp_dst=0)" = "dropped by fragment-drop"
gn_check "ctl-trace-broken-header-chain" test "$(ctl_trace proto=ipv6 \
    nw_proto=0)" = "dropped by ipv6-header-drop"
gn_check "ctl-trace-unknown-next-header-allowed" test "$(ctl_trace \
    proto=ipv6 nw_proto=253)" = "allowed by l2-unicast"
gn_check "ctl-trace-first-fragment-udp-allowed" test "$(ctl_trace \
    proto=udp6 frag=first tp_dst=9)" = "allowed by l2-unicast"
gn_check "ctl-trace-later-fragment6-allowed" bash -c "'$GUESTNETCTL' --json \
    trace pwa$s dl_dst=$wb proto=udp6 frag=later | $GN_PYTHON -c '
import json, sys
t = json.load(sys.stdin)
rules = [s[\"rule\"] for s in t[\"steps\"]]
sys.exit(not (t[\"verdict\"] == \"allowed\" and \"fragment-pass\" in rules))'"

# Ordinary fragmented traffic.  A UDP echo server in wb answers each 8000
# byte datagram (6 fragments each way) with the same bytes; the client in
# wa sends one at a time, waiting for its answer (retrying a lost one).
ready=$GN_SANDBOX_DIR/echo.ready
ip netns exec "wb$s" "$GN_PYTHON" -c "
import socket, threading
def serve(family, addr):
    s = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 7000))
    s.settimeout(300)
    open('$ready', 'a').write('x')
    try:
        while True:
            d, peer = s.recvfrom(65535)
            s.sendto(d, peer)
    except socket.timeout:
        pass
for f, a in ((socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::')):
    threading.Thread(target=serve, args=(f, a), daemon=True).start()
threading.Event().wait(300)
" &
gn_on_exit "kill $!"
gn_wait 5 bash -c "[ \"\$(cat $ready)\" = xx ]"
# udp_echo FAMILY ADDR [SIZE]: prints "OK N MS" (N answered of 30
# datagrams of SIZE bytes, 8000 if not given).
udp_echo() {
    ip netns exec "wa$s" "$GN_PYTHON" -c "
import os, socket, time
s = socket.socket(socket.$1, socket.SOCK_DGRAM)
s.settimeout(1)
ok, t0 = 0, time.monotonic()
for i in range(30):
    d = os.urandom(${3:-8000})
    for attempt in range(3):
        s.sendto(d, ('$2', 7000))
        try:
            if s.recv(65535) == d:
                ok += 1
                break
        except socket.timeout:
            pass
print('OK', ok, round((time.monotonic() - t0) * 1000 / 30, 2))
"
}
ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12 > /dev/null
ip netns exec "wa$s" ping -c 1 -W 2 2001:db8:10::12 > /dev/null
v4=$(udp_echo AF_INET 10.10.0.12)
v6=$(udp_echo AF_INET6 2001:db8:10::12)
echo "# measured: 8000-byte UDP echo over IPv4: ${v4#OK } (answered of 30," \
     "ms per round trip); over IPv6: ${v6#OK }"
gn_check "fragmented-udp4-echoed" test "$(echo "$v4" | cut -d' ' -f2)" = 30
gn_check "fragmented-udp6-echoed" test "$(echo "$v6" | cut -d' ' -f2)" = 30
# Of any number of fragments: 60,000 bytes are 41 of them.
gn_check "udp4-in-41-fragments-echoed" \
    test "$(udp_echo AF_INET 10.10.0.12 60000 | cut -d' ' -f2)" = 30

# TCP in fragments: wa routes for an inner namespace wi (10.10.0.21, one of
# wa's declared addresses) whose 9000-byte MTU link and path MTU discovery
# off make wa fragment every segment it forwards onto its 1500-byte eth0;
# wb advertises an MSS of 8000 to it.
# (guestnetd put 10.10.0.21 on wa's eth0 too; wa routes it instead.)
ip -n "wa$s" addr del 10.10.0.21/24 dev eth0
gn_netns "wi$s"
ip link add vi netns "wa$s" mtu 9000 type veth peer name eth0 mtu 9000 \
    netns "wi$s"
ip -n "wa$s" link set vi up
ip -n "wi$s" link set eth0 up
ip -n "wi$s" addr add 10.10.0.21/32 dev eth0
ip -n "wi$s" route add 10.10.0.0/24 via 10.10.0.11 dev eth0 onlink
ip -n "wi$s" neigh add 10.10.0.11 dev eth0 \
    lladdr "$(ip netns exec "wa$s" cat /sys/class/net/vi/address)"
ip -n "wa$s" neigh add 10.10.0.21 dev vi \
    lladdr "$(ip netns exec "wi$s" cat /sys/class/net/eth0/address)"
ip netns exec "wi$s" sysctl -qw net.ipv4.ip_no_pmtu_disc=1
ip netns exec "wi$s" ethtool -K eth0 tx off tso off gso off > /dev/null
ip -n "wa$s" route add 10.10.0.21/32 dev vi
ip -n "wa$s" neigh add proxy 10.10.0.21 dev eth0
ip netns exec "wa$s" sysctl -qw net.ipv4.ip_forward=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
    net.ipv4.conf.vi.rp_filter=0
ip -n "wb$s" route add 10.10.0.21/32 dev eth0 advmss 8000
reassembled() {
    gn_ipf "v4 frags completed"
}
# reasm_oks NS: the datagrams NS's kernel reassembled (IPv4).
reasm_oks() {
    ip netns exec "$1" awk '/^Ip:/ { if (n++) { for (i = 1; i <= NF; i++)
        if (h[i] == "ReasmOKs") print $i } else for (i = 1; i <= NF; i++)
        h[i] = $i }' /proc/net/snmp
}
before=$(reassembled) wb_before=$(reasm_oks "wb$s")
out=$GN_SANDBOX_DIR/tcp.out
ip netns exec "wb$s" "$GN_PYTHON" -c "
import socket
l = socket.socket()
l.bind(('10.10.0.12', 7001))
l.listen(1)
l.settimeout(20)
open('$ready.tcp', 'w').write('x')
c, _ = l.accept()
c.settimeout(20)
n = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    n += len(d)
open('$out', 'w').write(str(n))
" &
gn_on_exit "kill $!"
gn_wait 5 test -f "$ready.tcp"
tcp=$(ip netns exec "wi$s" "$GN_PYTHON" -c "
import socket, time
s = socket.create_connection(('10.10.0.12', 7001), timeout=20)
buf, t0 = bytes(1 << 20), time.monotonic()
for i in range(8):
    s.sendall(buf)
s.shutdown(socket.SHUT_WR)
s.recv(1)
dt = time.monotonic() - t0
print(round(8 * 8 / dt, 1), s.getsockopt(socket.IPPROTO_TCP,
                                           socket.TCP_MAXSEG))
")
gn_wait 5 test -s "$out"
after=$(reassembled) wb_after=$(reasm_oks "wb$s")
echo "# measured: TCP in IPv4 fragments (MSS ${tcp#* }): ${tcp%% *} Mbit/s," \
     "$((wb_after - wb_before)) datagrams reassembled by the receiver," \
     "$((after - before)) fragments by the switch"
gn_check "fragmented-tcp-delivers-8-mib" test "$(cat "$out")" = 8388608
gn_check "tcp-went-in-fragments" test $((wb_after - wb_before)) -gt 1000
gn_check "switch-reassembles-nothing" test $((after - before)) = 0
# Fragments of any size: 3000-byte UDP datagrams in 256-byte fragments
# (the datapath's reassembly took none under 1200 bytes), and pings whose
# requests and replies are fragmented.
ip netns exec "wb$s" "$GN_PYTHON" -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(('::', 7002))
s.settimeout(30)
open('$ready.small', 'w').write('x')
while True:
    d, peer = s.recvfrom(65535)
    open('$GN_SANDBOX_DIR/small.' + d[:2].decode(), 'w').write(str(len(d)))
" &
gn_on_exit "kill $!"
gn_wait 5 test -f "$ready.small"
gn_scapy "wa$s" "
tx(*fragment(Ether(src='$wa', dst='$wb') / IP(src='10.10.0.11',
       dst='10.10.0.12') / UDP(sport=4003, dport=7002)
       / Raw(b'v4' + bytes(2998)), 256),
   *fragment6(Ether(src='$wa', dst='$wb') / IPv6(src='2001:db8:10::11',
       dst='2001:db8:10::12') / IPv6ExtHdrFragment(id=0x471e)
       / UDP(sport=4003, dport=7002) / Raw(b'v6' + bytes(2998)), 300))
"
gn_check "small-fragments-udp4-arrive-whole" gn_wait 5 \
    grep -qx 3000 "$GN_SANDBOX_DIR/small.v4"
gn_check "small-fragments-udp6-arrive-whole" gn_wait 5 \
    grep -qx 3000 "$GN_SANDBOX_DIR/small.v6"
gn_check "fragmented-ping4-answered" ip netns exec "wa$s" \
    ping -c 2 -W 2 -s 4000 10.10.0.12
gn_check "fragmented-ping6-answered" ip netns exec "wa$s" \
    ping -6 -c 2 -W 2 -s 4000 2001:db8:10::12

# One guest sends 3000 datagrams' first fragments and never the rest,
# more than the userspace datapath's reassembly table holds (1000), to an
# address no guest has (a receiver's own kernel holds what it is sent,
# up to its own limit, net.ipv4.ipfrag_high_thresh): the switch holds
# none of them, and the neighbours' fragmented traffic goes on at once.
nfrag() { gn_ipf "num frag"; }
gn_scapy "wa$s" "
tx(*[Ether(src='$wa', dst='52:54:00:10:00:99') / IP(src='10.10.0.11',
        dst='10.10.0.99', id=i, flags='MF') / UDP(sport=4004, dport=9)
        / Raw(bytes(1472)) for i in range(1, 1501)],
   *[Ether(src='$wa', dst='52:54:00:10:00:99') / IPv6(
        src='2001:db8:10::11', dst='2001:db8:10::99')
        / IPv6ExtHdrFragment(id=i, m=1) / UDP(sport=4004, dport=9)
        / Raw(bytes(1400)) for i in range(1, 1501)])
"
gn_check "incomplete-fragments-not-held-by-switch" test "$(nfrag)" = 0
v4=$(udp_echo AF_INET 10.10.0.12)
v6=$(udp_echo AF_INET6 2001:db8:10::12)
echo "# measured: after 3000 incomplete datagrams, 8000-byte UDP echo:" \
     "IPv4 ${v4#OK }, IPv6 ${v6#OK }"
gn_check "fragmented-udp4-after-incomplete-flood" \
    test "$(echo "$v4" | cut -d' ' -f2)" = 30
gn_check "fragmented-udp6-after-incomplete-flood" \
    test "$(echo "$v6" | cut -d' ' -f2)" = 30
# Routed: a connection to another network whose first datagram is
# fragmented passes the rule that names its port, every fragment of it
# (the later ones show the rule no port of their own); one to a port no
# rule names does not.
gn_pipeline_guests da
ip netns exec "da$s" "$GN_PYTHON" -c "
import socket, threading
def serve(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('10.20.0.11', port))
    open('$ready.routed', 'a').write('x')
    while True:
        d, peer = s.recvfrom(65535)
        open('$GN_SANDBOX_DIR/routed.%d' % port, 'w').write(str(len(d)))
for p in (7003, 7004):
    threading.Thread(target=serve, args=(p,), daemon=True).start()
threading.Event().wait(30)
" &
gn_on_exit "kill $!"
gn_wait 5 bash -c "[ \"\$(cat $ready.routed)\" = xx ]"
ip netns exec "wa$s" ping -c 1 -W 2 10.20.0.11 > /dev/null 2>&1
ip netns exec "wa$s" "$GN_PYTHON" -c "
import socket
for port in (7004, 7003):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(bytes(3000), ('10.20.0.11', port))
"
gn_check "routed-fragmented-first-datagram-passes" gn_wait 5 \
    grep -qx 3000 "$GN_SANDBOX_DIR/routed.7003"
gn_check "routed-fragmented-other-port-dropped" \
    test ! -e "$GN_SANDBOX_DIR/routed.7004"
# Its fragments in reverse order, later ones first, then a datagram
# whole with the same ports: a later fragment opens no connection (no
# conntrack entry), so to a port no rule names neither arrives; to the
# rule's port both do (3001 and 1002 bytes: the control).
gn_scapy "wa$s" "
def frags(dport, n):
    return reversed(fragment(Ether(src='$wa', dst='0a:00:00:00:00:0a')
        / IP(src='10.10.0.11', dst='10.20.0.11', id=0x7000 + n)
        / UDP(sport=5556, dport=dport) / Raw(bytes(n)), 1400))
tx(*frags(7004, 3001), *frags(7003, 3001))
"
gn_check "routed-reversed-fragments-pass-rule" gn_wait 5 \
    grep -qx 3001 "$GN_SANDBOX_DIR/routed.7003"
gn_scapy "wa$s" "
tx(*[Ether(src='$wa', dst='0a:00:00:00:00:0a') / IP(src='10.10.0.11',
        dst='10.20.0.11') / UDP(sport=5556, dport=p) / Raw(bytes(1002))
     for p in (7004, 7003)])
"
gn_check "routed-whole-to-rule-port-after-fragments" gn_wait 5 \
    grep -qx 1002 "$GN_SANDBOX_DIR/routed.7003"
gn_check "routed-whole-after-fragments-other-port-dropped" \
    test ! -e "$GN_SANDBOX_DIR/routed.7004"
gn_check "later-fragments-open-no-connection" bash -c \
    "! ovs-appctl dpctl/dump-conntrack | grep -q 'dport=7004'"
# Fragments the datapath gives up on (15 s after their first) are added,
# invalid, to whatever conntrack call comes next, and a commit hands on
# what its call holds: a guest parks a datagram to a port no rule names
# (7005) in two halves, each behind 31 fragments of junk (the next
# call's room), and a neighbour's allowed connection (the commit) would
# carry each half to the receiver, which completes it.  Table 6 drops
# what a commit hands on but its own packets: nothing arrives, and the
# connections that carried them are answered (the control).
gn_tcp_serve "da$s" 3306 "$GN_SANDBOX_DIR"
ip netns exec "da$s" "$GN_PYTHON" -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('10.20.0.11', 7005))
open('$ready.7005', 'w').write('x')
d, peer = s.recvfrom(65535)
open('$GN_SANDBOX_DIR/routed.7005', 'w').write(str(len(d)))
" &
gn_on_exit "kill $!"
gn_wait 5 test -f "$ready.7005"
expired() {
    gn_ipf "v4 frags expired"
}
spilled() {     # spilled: table 6's drops of what commits handed on
    ovs-ofctl -O OpenFlow15 dump-flows br-int table=6 | awk -F'n_packets=' \
        '/priority=200/ && /reg2=/ { split($2, f, ","); print f[1] }'
}
# park HALF: junk and one half of the datagram, then allowed connections
# from wb (one every 0.2 s) until the datapath has given them up.
park() {
    local e0
    e0=$(expired)
    gn_scapy "wa$s" "
body = bytes(UDP(sport=5557, dport=7005) / Raw(b'parked' + bytes(1270)))
def fr(off, mf, data):
    return (Ether(src='$wa', dst='0a:00:00:00:00:0a') / IP(src='10.10.0.11',
        dst='10.20.0.11', id=0x5151, proto=17, frag=off // 8,
        flags='MF' if mf else 0) / Raw(data))
junk = [fr(8000 + i * 1184, 1, bytes(1184)) for i in range(31)]
tx(*junk, fr(0, 1, body[:1184]) if '$1' == 'first' else
   fr(1184, 0, body[1184:]))
"
    for ((i = 0; i < 150; i++)); do
        gn_tcp_call "wb$s" 10.20.0.11 3306 > /dev/null 2>&1
        [ "$(expired)" -ge $((e0 + 32)) ] && return 0
        sleep 0.2
    done
    return 1
}
spilled0=$(spilled)
gn_check "parked-first-half-given-up" park first
gn_check "parked-second-half-given-up" park last
gn_check "given-up-fragments-dropped-after-commit" \
    test "$(spilled)" -gt "$spilled0"
gn_check "given-up-fragments-deliver-nothing" \
    test ! -e "$GN_SANDBOX_DIR/routed.7005"
gn_check "carrying-connections-answered" \
    test "$(gn_tcp_call "wb$s" 10.20.0.11 3306)" = pong-3306
# What one guest's incomplete routed fragments reach (README "Security
# model"): they fill conntrack's one reassembly table (the datapath holds
# them), but the neighbours' unfragmented routed connections and their
# fragmented traffic within the network go on.
gn_scapy "wa$s" "
tx(*[Ether(src='$wa', dst='0a:00:00:00:00:0a') / IP(src='10.10.0.11',
        dst='10.20.0.11', id=i, flags='MF') / UDP(sport=4005, dport=7003)
        / Raw(bytes(1472)) for i in range(1, 1501)])
"
full() { [ "$(nfrag)" -ge 900 ]; }
gn_check "routed-incomplete-fragments-held-by-conntrack" gn_wait 5 full
echo "# measured: after 1500 incomplete routed datagrams, num frag $(nfrag)"
gn_check "routed-tcp-after-routed-incomplete-flood" \
    test "$(gn_tcp_call "wb$s" 10.20.0.11 3306)" = pong-3306
v4=$(udp_echo AF_INET 10.10.0.12)
gn_check "fragmented-udp4-in-network-after-routed-flood" \
    test "$(echo "$v4" | cut -d' ' -f2)" = 30
gn_done
