#!/bin/bash
# address-learn: in a network where nothing assigns addresses (web with
# "dhcp": false, no server port), a port without declared addresses takes
# one address of each family on its guest's first use of it, and from then
# on sends from exactly those.  wu's kernel, configured by hand with
# 10.10.0.77/24 and 2001:db8:10::77/64 (duplicate address detection on),
# reaches its neighbour wb over both; the API lists both as its ips and
# ips_learned, the metric counts them, and the switch routes nothing
# else: wu's frames from another free address (UDP, gratuitous ARP, IPv6)
# are dropped while the same frames from its own arrive.  Another learner
# (wv) cannot take wu's learned addresses nor wa's declared ones nor the
# gateway's, by any frame (UDP, ARP reply, gratuitous ARP, ARP probe,
# IPv6, duplicate address detection, advertisement), and wb's neighbour
# cache keeps wu's MAC; wv takes a free one of its own.  Two learners
# claiming one free address at the same moment: exactly one gets it.
# A port declaring addresses never learns.  An adopted port (attached by
# libvirt, by its MAC) learns the same way.  trace names address-learn-punt
# and the drops; a restart sends no flow_mod and keeps the bindings; once
# wu is deleted its address is free again.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup_edit 'cfg["networks"][0]["dhcp"] = False'
s=$$
gn_pipeline_guests -6 wa wb
gn_pipeline_guest wu web 52:54:00:10:00:13
gn_pipeline_guest wv web 52:54:00:10:00:14
gn_pipeline_guest wz web 52:54:00:10:00:15
gn_dad_done "wa$s" "wb$s" "wu$s" "wv$s" "wz$s"

# port_field PORT EXPR: EXPR of the port's API object d.
port_field() {
    curl -s --unix-socket "$GUESTNET_SOCKET" "http://localhost/v1/ports/$1" \
        | "$GN_PYTHON" -c "import json, sys; d = json.load(sys.stdin)
print(($2))"
}
learned() {
    timeout 10 "$GUESTNETCTL" --json status | "$GN_PYTHON" -c \
        "import json, sys; print(json.load(sys.stdin)['learned']['$1'])"
}
gn_check "learner-starts-without-addresses" test \
    "$(port_field "pwu$s" "d['ips'], d['ips_learned']")" = "([], [])"

# --- Before any address: a free one goes up to guestnetd; reserved and
# held ones are dropped in the switch.
u="in_port=$pwu,dl_src=$wu"
gn_check_trace "trace-free-ipv4-punted" "address-learn-punt:$pwu" \
    "$u,dl_dst=$wb,udp,nw_src=10.10.0.77,nw_dst=10.10.0.12,udp_dst=9"
gn_check_trace "trace-free-ipv6-punted" "address-learn-punt:$pwu" \
    "$u,dl_dst=$wb,udp6,ipv6_src=2001:db8:10::77,ipv6_dst=2001:db8:10::12,\
udp_dst=9"
gn_check_trace "trace-declared-address-taken" "address-taken-drop:$pwa" \
    "$u,dl_dst=$wb,udp,nw_src=10.10.0.11,nw_dst=10.10.0.12,udp_dst=9"
gn_check_trace "trace-gateway-address-reserved" "gateway-spoof-drop:10" \
    "$u,dl_dst=$wb,arp,arp_op=2,arp_spa=10.10.0.1,arp_sha=$wu"
gn_check "guestnetctl-trace-names-address-learn-punt" bash -c \
    "'$GUESTNETCTL' trace pwu$s dl_dst=$wb proto=udp nw_src=10.10.0.77 \
    nw_dst=10.10.0.12 tp_dst=9 | grep -q 'address-learn-punt'"

# --- wu's kernel, configured by hand, reaches wb over both families.
bound0=$(learned bound)
ip -n "wu$s" addr add 10.10.0.77/24 dev eth0
ip -n "wu$s" addr add 2001:db8:10::77/64 dev eth0
gn_check "learner-kernel-reaches-neighbour" gn_wait 10 bash -c \
    "ip netns exec wu$s ping -c 1 -W 1 10.10.0.12 > /dev/null"
gn_check "learner-kernel-dad-completes" gn_wait 10 gn_dad_done "wu$s"
gn_check "learner-kernel-reaches-neighbour-ipv6" gn_wait 10 bash -c \
    "ip netns exec wu$s ping -6 -c 1 -W 1 2001:db8:10::12 > /dev/null"
gn_check "learned-addresses-are-the-ports" test \
    "$(port_field "pwu$s" "sorted(d['ips']), sorted(d['ips_learned'])")" = \
    "(['10.10.0.77', '2001:db8:10::77'], ['10.10.0.77', '2001:db8:10::77'])"
gn_check "learned-counted" test "$(learned bound)" = $((bound0 + 2))
gn_check "learned-metric" bash -c "curl -s --unix-socket '$GUESTNET_SOCKET' \
    http://localhost/metrics | grep -q \
    '^guestnet_addresses_learned_total{result=\"bound\"} [1-9]'"
# Written in the order the guest used them (either family may come first).
gn_check "learned-in-interface" bash -c "ovs-vsctl get Interface pwu$s \
    external_ids | grep -q -E 'ips-learned\"=\"(10.10.0.77,2001:db8:10::77|\
2001:db8:10::77,10.10.0.77)\"'"

# --- From now on wu sends from exactly those: another free address is
# dropped, its own passes (positive controls of the same shape).
lib="
def claims4(t, m, a):
    bc = 'ff:ff:ff:ff:ff:ff'
    return [udp4(m, '$wb', a, '10.10.0.12', t + 'udp'),
            Ether(src=m, dst=bc) / ARP(op=2, hwsrc=m, psrc=a, hwdst=bc,
                                       pdst=a) / mark(t + 'garp'),
            Ether(src=m, dst='$wb') / ARP(op=2, hwsrc=m, psrc=a,
                                          hwdst='$wb', pdst='10.10.0.12')
                / mark(t + 'arp-reply'),
            Ether(src=m, dst=bc) / ARP(op=1, hwsrc=m, psrc='0.0.0.0', pdst=a)
                / mark(t + 'arp-probe')]
def claims6(t, m, ll, a):
    import socket
    mm = in6_getnsma(inet_pton(socket.AF_INET6, a))
    return [Ether(src=m, dst='$wb') / IPv6(src=a, dst='2001:db8:10::12')
                / UDP(dport=9) / mark(t + 'udp6'),
            Ether(src=m, dst=in6_getnsmac(mm))
                / IPv6(src='::', dst=inet_ntop(socket.AF_INET6, mm),
                       hlim=255) / ICMPv6ND_NS(tgt=a) / ndmark(t + 'dad'),
            Ether(src=m, dst='33:33:00:00:00:01')
                / IPv6(src=ll, dst='ff02::1', hlim=255)
                / ICMPv6ND_NA(tgt=a, R=0, S=0, O=1)
                / ICMPv6NDOptDstLLAddr(lladdr=m) / ndmark(t + 'na')]
"
llu=fe80::5054:ff:fe10:13 llv=fe80::5054:ff:fe10:14
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wu$s" "$lib
tx(*claims4('other-', '$wu', '10.10.0.78'))
tx(*claims6('other-', '$wu', '$llu', '2001:db8:10::78'))
tx(*claims4('own-', '$wu', '10.10.0.77'))
tx(*claims6('own-', '$wu', '$llu', '2001:db8:10::77')[:1])
"
gn_capture_stop
for k in udp garp arp-reply arp-probe udp6 dad na; do
    gn_check_unseen "second-address-$k-dropped" "wb$s" "other-$k"
done
for k in udp garp arp-reply arp-probe udp6; do
    gn_check_seen "own-address-$k-passes" "wb$s" "own-$k"
done
gn_check "no-second-address-learned" test \
    "$(port_field "pwu$s" "len(d['ips'])")" = 2
gn_check_trace "trace-second-address-dropped" "ip-spoof-drop:$pwu" \
    "$u,dl_dst=$wb,udp,nw_src=10.10.0.78,nw_dst=10.10.0.12,udp_dst=9"

# --- Another learner, wv, claims wu's learned addresses and wa's declared
# ones: nothing reaches wb, which keeps wu's and wa's MACs; a free one
# of its own, once taken, passes.
ip netns exec "wb$s" sysctl -qw net.ipv4.neigh.eth0.locktime=0
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wv$s" "$lib
tx(*claims4('learned-', '$wv', '10.10.0.77'))
tx(*claims6('learned-', '$wv', '$llv', '2001:db8:10::77'))
tx(*claims4('declared-', '$wv', '10.10.0.11'))
tx(*claims6('declared-', '$wv', '$llv', '2001:db8:10::11'))
tx(*claims4('gateway-', '$wv', '10.10.0.1'))
tx(*claims4('broadcast-', '$wv', '10.10.0.255'))
"
gn_check "second-learner-takes-a-free-address" gn_learn "wv$s" "pwv$s" \
    $wv 10.10.0.79 2001:db8:10::79
gn_scapy "wv$s" "$lib
tx(*claims4('free-', '$wv', '10.10.0.79'))
tx(*claims6('free-', '$wv', '$llv', '2001:db8:10::79')[:1])
"
gn_capture_stop
for t in learned declared; do
    for k in udp garp arp-reply arp-probe udp6 dad na; do
        gn_check_unseen "$t-address-$k-by-other-learner-dropped" "wb$s" \
            "$t-$k"
    done
done
for t in gateway broadcast; do
    for k in udp garp arp-reply arp-probe; do
        gn_check_unseen "$t-address-$k-by-learner-dropped" "wb$s" "$t-$k"
    done
done
for k in udp garp arp-reply arp-probe udp6; do
    gn_check_seen "other-learners-own-$k-passes" "wb$s" "free-$k"
done
gn_check "other-learner-has-only-its-own" test \
    "$(port_field "pwv$s" "sorted(d['ips'])")" = \
    "['10.10.0.79', '2001:db8:10::79']"
gn_check "neighbour-cache-keeps-learners-mac" bash -c \
    "ip -n wb$s neigh show 10.10.0.77 dev eth0 | grep -q $wu \
     && ! ip -n wb$s neigh show 10.10.0.77 dev eth0 | grep -q $wv"
gn_check "neighbour-cache-keeps-learners-mac-ipv6" bash -c \
    "! ip -n wb$s -6 neigh show 2001:db8:10::77 dev eth0 | grep -q $wv"
gn_check "owner-still-reaches-neighbour" bash -c \
    "ip netns exec wu$s ping -c 1 -W 2 10.10.0.12 > /dev/null"

# --- A port libvirt attaches itself (adopted by its MAC) learns the same
# way; then it and wz claim one free address at the same moment: exactly
# one gets it.
ns=$GN_SANDBOX_NETNS we=52:54:00:10:00:16
gn_netns "we$s"
ip link add "vnet$s" netns "$ns" type veth peer name eth0 netns "we$s"
ip -n "we$s" link set eth0 address $we up
ip -n "$ns" link set "vnet$s" up
ovs-vsctl --timeout=5 -- --may-exist add-port br-int "vnet$s" tag=10 \
    -- set Interface "vnet$s" external-ids:attached-mac=$we
adopted_flows() {
    local ofport
    ofport=$(gn_ofport "vnet$s") && [ "$ofport" -gt 0 ] \
        && ovs-ofctl -O OpenFlow15 dump-flows br-int table=1 \
           | grep -q "in_port=$ofport,ipv6_src=fe80"
}
gn_check "adopted-port-bound" gn_wait 10 adopted_flows
gn_check "adopted-port-has-no-addresses" test \
    "$(port_field "vnet$s" "d['ips']")" = "[]"
gn_check "adopted-port-learns" gn_learn "we$s" "vnet$s" $we 2001:db8:10::91
gn_check "adopted-port-learned-is-its-own" test \
    "$(port_field "vnet$s" "d['ips'], d['ips_learned']")" = \
    "(['2001:db8:10::91'], ['2001:db8:10::91'])"
# With one family's address, its other family's reserved addresses are
# still dropped in the switch, free ones still go up.
gn_check_trace "partly-learned-port-gateway-dropped" "gateway-spoof-drop:10" \
    "in_port=$(gn_ofport "vnet$s"),dl_src=$we,dl_dst=$wb,arp,arp_op=2,\
arp_spa=10.10.0.1,arp_sha=$we"
gn_check_trace "partly-learned-port-free-address-punted" \
    "address-learn-punt:$(gn_ofport "vnet$s")" \
    "in_port=$(gn_ofport "vnet$s"),dl_src=$we,dl_dst=$wb,udp,\
nw_src=10.10.0.90,nw_dst=10.10.0.12,udp_dst=9"
race="
for i in range(3):
    tx(udp4('%s', 'ff:ff:ff:ff:ff:ff', '10.10.0.90', '10.10.0.255', 'race'))
"
gn_scapy "wz$s" "$(printf "$race" $wz)" &
racer=$!
gn_scapy "we$s" "$(printf "$race" $we)"
wait $racer
holders() {
    curl -s --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/ports \
        | "$GN_PYTHON" -c "import json, sys
print(sorted(p['name'] for p in json.load(sys.stdin)
             if '10.10.0.90' in (p.get('ips') or [])))"
}
one_holder() {
    [ "$(holders)" = "['pwz$s']" ] || [ "$(holders)" = "['vnet$s']" ]
}
gn_check "race-bound-to-exactly-one" gn_wait 10 one_holder

# --- wz may not take wb's EUI-64 (SLAAC) address in the subnet, by DAD
# or by traffic; a free one of its own passes (positive control).
refused0=$(learned refused)
wb_slaac=2001:db8:10:0:5054:ff:fe10:12
gn_scapy "wz$s" "
import socket
a = '$wb_slaac'
m = in6_getnsma(inet_pton(socket.AF_INET6, a))
tx(Ether(src='$wz', dst=in6_getnsmac(m))
   / IPv6(src='::', dst=inet_ntop(socket.AF_INET6, m), hlim=255)
   / ICMPv6ND_NS(tgt=a),
   Ether(src='$wz', dst='33:33:00:00:00:01') / IPv6(src=a, dst='ff02::1')
   / UDP(dport=9))
"
refused_grew() { [ $(( $(learned refused) - refused0 )) -ge 1 ]; }
gn_check "eui64-of-neighbour-refused" gn_wait 10 refused_grew
gn_check "eui64-of-neighbour-not-bound" test \
    "$(port_field "pwz$s" "'$wb_slaac' in d['ips']")" = False
gn_check "free-ipv6-after-refusal-bound" gn_learn "wz$s" "pwz$s" $wz \
    2001:db8:10::95

# --- A port declaring addresses never learns.
gn_check_trace "declared-port-does-not-learn" "ip-spoof-drop:$pwa" \
    "in_port=$pwa,dl_src=$wa,dl_dst=$wb,udp,nw_src=10.10.0.80,\
nw_dst=10.10.0.12,udp_dst=9"
gn_check_trace "declared-v4-only-port-does-not-learn-v6" \
    "ip-spoof-drop:$pwa" "in_port=$pwa,dl_src=$wa,dl_dst=$wb,udp6,\
ipv6_src=2001:db8:10::80,ipv6_dst=2001:db8:10::12,udp_dst=9"

gn_check_restart_unchanged
gn_check "learned-kept-after-restart" test \
    "$(port_field "pwu$s" "sorted(d['ips'])")" = \
    "['10.10.0.77', '2001:db8:10::77']"

# --- Once wu goes, its address is free again.
"$GUESTNETCTL" port del "pwu$s" > /dev/null
gn_check "deleted-port-gone" gn_wait 10 bash -c \
    "! ovs-vsctl list-ports br-int | grep -qx pwu$s"
# (To the race's loser, which has no IPv4 address yet.)
if [ "$(holders)" = "['pwz$s']" ]; then
    loser=vnet$s lmac=$we
else
    loser=pwz$s lmac=$wz
fi
gn_check_trace "deleted-ports-address-free-again" \
    "address-learn-punt:$(gn_ofport "$loser")" \
    "in_port=$(gn_ofport "$loser"),dl_src=$lmac,dl_dst=$wb,udp,\
nw_src=10.10.0.77,nw_dst=10.10.0.12,udp_dst=9"
gn_done
