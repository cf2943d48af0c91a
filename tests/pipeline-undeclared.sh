#!/bin/bash
# pipeline-undeclared: a port without addresses of its own may not take
# one that another port holds ("address-taken-drop").  In web ("dhcp":
# false), the guest wu, without addresses (it takes its own on first use:
# tests/address-learn.sh), claims wa's declared IPv4 and IPv6 addresses
# (IP and IPv6 from them, ARP replies, gratuitous ARP requests and
# replies, an ARP probe, overriding and non-overriding advertisements, a
# duplicate address detection probe): none reaches the neighbour wb, and
# wb's neighbour cache keeps wa's MAC; once wu took free addresses of its
# own, the same frames for them arrive (positive controls), and wa still
# sends from its own.  In db (guestnet's DHCP), the network's server port
# without addresses (undeclared mode: any free address) cannot claim a
# neighbour's assigned address, nor the one it leased a client itself
# (bound by snooping), while a free one passes.  guestnetctl trace names
# the drop, which counts as the sender's guard-count, not as the holder's
# drop.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup_edit 'cfg["networks"][0]["dhcp"] = False'
s=$$
gn_pipeline_guests -6 wa wb
gn_pipeline_guest wu web 52:54:00:10:00:13
llu=fe80::5054:ff:fe10:13
gn_dad_done "wa$s" "wb$s" "wu$s"

# port_field PORT EXPR: EXPR of the port's API object d.
port_field() {
    curl -s --unix-socket "$GUESTNET_SOCKET" "http://localhost/v1/ports/$1" \
        | "$GN_PYTHON" -c "import json, sys; d = json.load(sys.stdin)
print(($2))"
}
gn_check "undeclared-port-has-no-addresses" test \
    "$(port_field "pwu$s" "d['ips']")" = "[]"

# The frames of a claim of IPv4 address A and IPv6 address A6 by the guest
# with MAC M (link-local address LL) to wb, tagged with the prefix T.
lib="
import socket
def nsma(a):
    m = in6_getnsma(inet_pton(socket.AF_INET6, a))
    return inet_ntop(socket.AF_INET6, m), in6_getnsmac(m)
def claims(t, m, ll, a, a6):
    bc = 'ff:ff:ff:ff:ff:ff'
    dad_ip, dad_mac = nsma(a6)
    return [
        udp4(m, '$wb', a, '10.10.0.12', t + 'udp'),
        Ether(src=m, dst='$wb') / ARP(op=2, hwsrc=m, psrc=a, hwdst='$wb',
                                      pdst='10.10.0.12') / mark(t + 'arp-reply'),
        Ether(src=m, dst=bc) / ARP(op=1, hwsrc=m, psrc=a, pdst=a)
            / mark(t + 'garp-request'),
        Ether(src=m, dst=bc) / ARP(op=2, hwsrc=m, psrc=a, hwdst=bc, pdst=a)
            / mark(t + 'garp-reply'),
        Ether(src=m, dst=bc) / ARP(op=1, hwsrc=m, psrc='0.0.0.0', pdst=a)
            / mark(t + 'arp-probe'),
        Ether(src=m, dst='$wb') / IPv6(src=a6, dst='2001:db8:10::12')
            / UDP(dport=9) / mark(t + 'udp6'),
        Ether(src=m, dst='33:33:00:00:00:01')
            / IPv6(src=ll, dst='ff02::1', hlim=255)
            / ICMPv6ND_NA(tgt=a6, R=0, S=0, O=1)
            / ICMPv6NDOptDstLLAddr(lladdr=m) / ndmark(t + 'na-override'),
        Ether(src=m, dst='$wb') / IPv6(src=ll, dst='2001:db8:10::12',
                                       hlim=255)
            / ICMPv6ND_NA(tgt=a6, R=0, S=1, O=0)
            / ICMPv6NDOptDstLLAddr(lladdr=m) / ndmark(t + 'na-solicited'),
        Ether(src=m, dst=dad_mac) / IPv6(src='::', dst=dad_ip, hlim=255)
            / ICMPv6ND_NS(tgt=a6) / ndmark(t + 'dad')]
"
kinds="udp arp-reply garp-request garp-reply arp-probe udp6 na-override
       na-solicited dad"

# --- The drop, named (while wu has no address).
u="in_port=$pwu,dl_src=$wu"
gn_check_trace "trace-udp-from-taken-address" "address-taken-drop:$pwa" \
    "$u,dl_dst=$wb,udp,nw_src=10.10.0.11,nw_dst=10.10.0.12,udp_dst=9"
gn_check_trace "trace-arp-probe-for-taken-address" \
    "address-taken-drop:$pwa" \
    "$u,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1,arp_spa=0.0.0.0,\
arp_tpa=10.10.0.11,arp_sha=$wu"
gn_check_trace "trace-na-for-taken-address" "address-taken-drop:$pwa" \
    "$u,dl_dst=$wb,icmp6,icmpv6_code=0,ipv6_src=$llu,icmpv6_type=136,\
nd_target=2001:db8:10::11,nd_tll=$wu"
gn_check "guestnetctl-trace-names-address-taken-drop" bash -c \
    "'$GUESTNETCTL' trace pwu$s dl_dst=ff:ff:ff:ff:ff:ff proto=arp \
    nw_src=10.10.0.11 nw_dst=10.10.0.12 \
    | grep -q 'dropped by address-taken-drop'"
gn_check "guestnetctl-trace-names-address-taken-drop-ipv6" bash -c \
    "'$GUESTNETCTL' trace pwu$s dl_dst=$wb proto=udp6 \
    nw_src=2001:db8:10::11 nw_dst=2001:db8:10::12 tp_dst=9 \
    | grep -q 'dropped by address-taken-drop'"

# --- Claims of wa's addresses by wu; wa's own.
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wu$s" "$lib
tx(*claims('taken-', '$wu', '$llu', '10.10.0.11', '2001:db8:10::11'))
"
gn_scapy "wa$s" "$lib
tx(*claims('owner-', '$wa', 'fe80::5054:ff:fe10:11', '10.10.0.11',
           '2001:db8:10::11'))
"
gn_capture_stop
for k in $kinds; do
    gn_check_unseen "undeclared-$k-of-taken-address-dropped" "wb$s" \
        "taken-$k"
    gn_check_seen "owner-$k-of-own-address-passes" "wb$s" "owner-$k"
done
gn_check "owner-kernel-still-reaches-neighbour" bash -c \
    "ip netns exec wa$s ping -c 1 -W 2 10.10.0.12 > /dev/null"
gn_check "owner-kernel-still-reaches-neighbour-ipv6" bash -c \
    "ip netns exec wa$s ping -6 -c 1 -W 2 2001:db8:10::12 > /dev/null"
# The claims count for the sender (guard-count), not for the holder.
gn_check "claims-counted-for-sender" gn_wait 5 bash -c \
    "[ \"\$(curl -s --unix-socket '$GUESTNET_SOCKET' \
        http://localhost/v1/ports/pwu$s | '$GN_PYTHON' -c 'import json, sys
print(json.load(sys.stdin)[\"drops\"].get(\"guard-count\", 0))')\" -ge 9 ]"
gn_check "claims-not-counted-for-holder" test "$(port_field "pwa$s" \
    "sum((d['drops'] or {}).get(k, 0) for k in ('address-taken-drop',
                                                 'guard-count'))")" = 0
gn_check "taken-claims-bound-nothing" test \
    "$(port_field "pwu$s" "d['ips']")" = "[]"

# --- wu takes free addresses of its own; the same frames for them pass.
gn_check "undeclared-port-takes-free-addresses" gn_learn "wu$s" "pwu$s" \
    $wu 10.10.0.77 2001:db8:10::77
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wu$s" "$lib
tx(*claims('free-', '$wu', '$llu', '10.10.0.77', '2001:db8:10::77'))
"
gn_capture_stop
for k in $kinds; do
    gn_check_seen "undeclared-$k-of-own-free-address-passes" "wb$s" \
        "free-$k"
done
gn_check_trace "trace-udp-from-own-free-address" "l2-unicast:$pwb" \
    "$u,dl_dst=$wb,udp,nw_src=10.10.0.77,nw_dst=10.10.0.12,udp_dst=9"
gn_check "guestnetctl-trace-own-free-address-not-dropped" bash -c \
    "! '$GUESTNETCTL' trace pwu$s dl_dst=$wb proto=udp6 \
    nw_src=2001:db8:10::77 nw_dst=2001:db8:10::12 tp_dst=9 \
    | grep -q 'dropped by'"

# --- wb's neighbour cache: entries for wa's addresses and the free ones,
# stale so that any message may override them (locktime 0); then wu's
# claims, and last its claims of the free addresses: once wb took those,
# it had seen the claims before them too.  (Without the duplicate address
# detection probe, which wa's kernel would answer with an advertisement
# that sets wb's entry back.)
ip netns exec "wb$s" sysctl -qw net.ipv4.neigh.eth0.locktime=0
for e in "10.10.0.11 $wa" "2001:db8:10::11 $wa" \
         "10.10.0.77 02:00:00:00:00:01" "2001:db8:10::77 02:00:00:00:00:01"; do
    ip -n "wb$s" neigh replace ${e% *} lladdr ${e#* } dev eth0 nud stale
done
gn_scapy "wu$s" "$lib
tx(*claims('poison-', '$wu', '$llu', '10.10.0.11', '2001:db8:10::11')[:-1])
tx(*claims('control-', '$wu', '$llu', '10.10.0.77', '2001:db8:10::77')[:-1])
"
lladdr() { ip -n "wb$s" neigh show "$1" dev eth0 | awk '{print $3}'; }
gn_check "control-claims-override-stale-entries" gn_wait 5 bash -c \
    "ip -n wb$s neigh show 10.10.0.77 dev eth0 | grep -q $wu \
     && ip -n wb$s neigh show 2001:db8:10::77 dev eth0 | grep -q $wu"
gn_check "neighbour-cache-keeps-owner-ipv4" test "$(lladdr 10.10.0.11)" = $wa
gn_check "neighbour-cache-keeps-owner-ipv6" \
    test "$(lladdr 2001:db8:10::11)" = $wa

# --- db, with guestnet's DHCP: dx gets an assigned address, dn declares
# one; then the network's server port sv, without addresses (undeclared
# mode), comes: dx's flows are rebuilt with the drops of its address.
dx=52:54:00:20:00:21 dn=52:54:00:20:00:50 sv=52:54:00:20:00:02
dc=52:54:00:20:00:22
gn_lxc_guest "dx$s" "pdx$s" db $dx
gn_lxc_guest "dn$s" "pdn$s" db $dn 10.20.0.50
ax=$(port_field "pdx$s" "d['ips'][0] if d['ips'] else ''")
gn_check "neighbour-address-assigned" test -n "$ax"
gn_netns "sv$s"
"$GUESTNETCTL" port add "psv$s" --kind lxc --network db --netns "sv$s" \
    --mac $sv --server > /dev/null
gn_check "server-port-has-no-addresses" test \
    "$(port_field "psv$s" "d['ips']")" = "[]"
# A client without addresses, to which the server port leases 10.20.0.200
# (its DHCPACK, bound by snooping).
gn_lxc_guest "dc$s" "pdc$s" db $dc
gn_scapy "sv$s" "
tx(Ether(src='$sv', dst='$dc') / IP(src='10.20.0.9', dst='255.255.255.255')
   / UDP(sport=67, dport=68)
   / BOOTP(op=2, xid=7, yiaddr='10.20.0.200', chaddr=mac2str('$dc'))
   / DHCP(options=[('message-type', 'ack'), ('server_id', '10.20.0.9'),
                   ('lease_time', 600), ('subnet_mask', '255.255.255.0'),
                   'end']))
"
gn_check "server-ack-binds-lease" gn_wait 10 bash -c \
    "[ \"\$(curl -s --unix-socket '$GUESTNET_SOCKET' \
        http://localhost/v1/ports/pdc$s | '$GN_PYTHON' -c 'import json, sys
print(json.load(sys.stdin)[\"ips\"])')\" = \"['10.20.0.200']\" ]"
# (Once the switch has the drops of both: the server's frames below.)
taken_flow() {
    ovs-ofctl -O OpenFlow15 dump-flows br-int table=1 \
        | grep -q "priority=105,.*arp_spa=$1 "
}
gn_check "drops-installed" gn_wait 10 bash -c \
    "$(declare -f taken_flow); taken_flow $ax && taken_flow 10.20.0.200"
claim4() {  # claim4 TAG ADDRESS: UDP and a gratuitous ARP reply
    echo "udp4('$sv', '$dn', '$2', '10.20.0.50', '$1-udp'),
    Ether(src='$sv', dst='ff:ff:ff:ff:ff:ff') / ARP(op=2, hwsrc='$sv',
        psrc='$2', hwdst='ff:ff:ff:ff:ff:ff', pdst='$2') / mark('$1-garp'),"
}
gn_capture_start "dn$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "sv$s" "
tx($(claim4 assigned "$ax") $(claim4 leased 10.20.0.200) \
   $(claim4 free 10.20.0.77))
"
gn_capture_stop
for k in udp garp; do
    gn_check_unseen "server-$k-of-assigned-address-dropped" "dn$s" \
        "assigned-$k"
    gn_check_unseen "server-$k-of-leased-address-dropped" "dn$s" "leased-$k"
    gn_check_seen "server-$k-of-free-address-passes" "dn$s" "free-$k"
done
gn_check_trace "trace-server-claims-assigned-address" \
    "address-taken-drop:$(gn_ofport "pdx$s")" \
    "in_port=$(gn_ofport "psv$s"),dl_src=$sv,dl_dst=$dn,udp,nw_src=$ax,\
nw_dst=10.20.0.50,udp_dst=9"
gn_check_trace "trace-server-claims-leased-address" \
    "address-taken-drop:$(gn_ofport "pdc$s")" \
    "in_port=$(gn_ofport "psv$s"),dl_src=$sv,dl_dst=$dn,udp,\
nw_src=10.20.0.200,nw_dst=10.20.0.50,udp_dst=9"
# The holders still send from their addresses.
gn_check "assigned-holder-reaches-neighbour" bash -c \
    "ip -n dx$s addr replace $ax/24 dev eth0 \
     && ip netns exec dx$s ping -c 1 -W 2 10.20.0.50 > /dev/null"
gn_check "leased-holder-reaches-neighbour" bash -c \
    "ip -n dc$s addr replace 10.20.0.200/24 dev eth0 \
     && ip netns exec dc$s ping -c 1 -W 2 10.20.0.50 > /dev/null"
gn_done
