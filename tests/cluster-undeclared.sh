#!/bin/bash
# cluster-undeclared: in cluster mode a port without addresses may not take
# the addresses of its network's ports on other hosts either, and the
# addresses it takes on first use are registered in the cluster as the
# port's before they are bound.  Web has "dhcp": false; wa (host1)
# declares an IPv4 and an IPv6 address, wu (host2) declares none; wu's ARP
# reply, gratuitous ARP, UDP, ARP probe, IPv6 and overriding
# advertisement claiming wa's addresses never reach wb (host2), whose
# neighbour cache keeps wa's MAC; host2 names the drop
# ("address-taken-drop", the object its uplink's ofport).  wu then takes
# free addresses on first use: the registry lists them as pwu's, host1
# refuses them to its own learner wv, and the same frames for them arrive
# at wb (positive controls).  wv (host1) and wz (host2) claim one free
# address at the same moment: the registry gives it to exactly one, and
# only that host binds it.  wu then moves to host1 by live migration: the
# destination asks for the port without addresses (as libvirt's hook
# does for a guest that declared none) and is accepted, and once the
# guest runs there its first packet from its address binds it again on
# host1 (the registry holds it for the port).  Two hosts, real packets.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_scapy
s=$$

gn_cluster_setup 2
gn_tmpdir out
gn_config "$out/policy.json" upl
gn_config_no_dhcp "$out/policy.json"
gn_cluster_import_file "$out/policy.json"

wa=52:54:00:0a:01:11 wb=52:54:00:0a:02:12 wu=52:54:00:0a:02:13
wv=52:54:00:0a:01:14 wz=52:54:00:0a:02:15
llu=fe80::5054:ff:fe0a:213
gn_host_guest 1 "wa$s" "pwa$s" web $wa 10.10.0.11 2001:db8:10::11 || gn_done
gn_host_guest 2 "wb$s" "pwb$s" web $wb 10.10.0.12 2001:db8:10::12 || gn_done
gn_host_guest 2 "wu$s" "pwu$s" web $wu || gn_done
gn_host_guest 1 "wv$s" "pwv$s" web $wv || gn_done
gn_host_guest 2 "wz$s" "pwz$s" web $wz || gn_done
gn_dad_done "wa$s" "wb$s" "wu$s" "wv$s" "wz$s"
gn_check "undeclared-port-has-no-addresses" test \
    "$(gn_host_field 2 "/v1/ports/pwu$s" 'd["ips"]')" = "[]"
# taken_on N ADDR: host N drops its undeclared guests' ARP from ADDR.
taken_on() {
    gn_host_flows "$1" | grep "reg4=0x2/0x2" | grep -q "arp_spa=$2 "
}
gn_check "host2-keeps-remote-address" gn_wait 10 taken_on 2 10.10.0.11

lib="
import socket
def nsma(a):
    m = in6_getnsma(inet_pton(socket.AF_INET6, a))
    return inet_ntop(socket.AF_INET6, m), in6_getnsmac(m)
def claims(t, a, a6):
    bc, m = 'ff:ff:ff:ff:ff:ff', '$wu'
    dad_ip, dad_mac = nsma(a6)
    return [
        Ether(src=m, dst='$wb') / ARP(op=2, hwsrc=m, psrc=a, hwdst='$wb',
                                      pdst='10.10.0.12') / mark(t + 'arp-reply'),
        Ether(src=m, dst=bc) / ARP(op=2, hwsrc=m, psrc=a, hwdst=bc, pdst=a)
            / mark(t + 'garp'),
        udp4(m, '$wb', a, '10.10.0.12', t + 'udp'),
        Ether(src=m, dst=bc) / ARP(op=1, hwsrc=m, psrc='0.0.0.0', pdst=a)
            / mark(t + 'arp-probe'),
        Ether(src=m, dst='$wb') / IPv6(src=a6, dst='2001:db8:10::12')
            / UDP(dport=9) / mark(t + 'udp6'),
        Ether(src=m, dst='33:33:00:00:00:01')
            / IPv6(src='$llu', dst='ff02::1', hlim=255)
            / ICMPv6ND_NA(tgt=a6, R=0, S=0, O=1)
            / ICMPv6NDOptDstLLAddr(lladdr=m) / ndmark(t + 'na')]
"
# wb's neighbour entries for wa's addresses, stale so that any message
# may override them (locktime 0).
ip netns exec "wb$s" sysctl -qw net.ipv4.neigh.eth0.locktime=0
for e in "10.10.0.11 $wa" "2001:db8:10::11 $wa" \
         "10.10.0.77 02:00:00:00:00:01" "2001:db8:10::77 02:00:00:00:00:01"; do
    ip -n "wb$s" neigh replace ${e% *} lladdr ${e#* } dev eth0 nud stale
done
pwu=$(gn_on_host 2 gn_ofport "pwu$s") upl=$(gn_on_host 2 gn_ofport upl)
got=$(gn_on_host 2 gn_trace_rule "in_port=$pwu,dl_src=$wu,dl_dst=$wb,udp,\
nw_src=10.10.0.11,nw_dst=10.10.0.12,udp_dst=9")
gn_check "trace-names-address-taken-drop" test "$got" = \
    "address-taken-drop:$upl"
gn_check "guestnetctl-trace-names-address-taken-drop" bash -c \
    "GUESTNET_SOCKET='${GN_HOST_SOCK[2]}' '$GUESTNETCTL' trace pwu$s \
    dl_dst=$wb proto=udp6 nw_src=2001:db8:10::11 nw_dst=2001:db8:10::12 \
    tp_dst=9 | grep -q 'dropped by address-taken-drop'"
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wu$s" "$lib
tx(*claims('taken-', '10.10.0.11', '2001:db8:10::11'))
"
gn_capture_stop
gn_check "taken-claims-bound-nothing" test \
    "$(gn_host_field 2 "/v1/ports/pwu$s" 'd["ips"]')" = "[]"

# --- wu takes free addresses on first use: registered, then bound.
learn_on2() { GUESTNET_SOCKET=${GN_HOST_SOCK[2]} gn_on_host 2 gn_learn "$@"; }
gn_check "learner-takes-free-addresses" learn_on2 "wu$s" "pwu$s" $wu \
    10.10.0.77 2001:db8:10::77
registered() { [ "$(gn_registry_ips "$1")" = "$2 / " ]; }
gn_check "registry-lists-learned-addresses" gn_wait 10 registered "pwu$s" \
    "10.10.0.77 2001:db8:10::77"
gn_check "host1-keeps-learned-address" gn_wait 10 taken_on 1 10.10.0.77
# Its claims of its own, and last of wa's again: once wb took the first,
# it had seen the others.
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wu$s" "$lib
tx(*claims('poison-', '10.10.0.11', '2001:db8:10::11'))
tx(*claims('free-', '10.10.0.77', '2001:db8:10::77'))
"
lladdr() { ip -n "wb$s" neigh show "$1" dev eth0 | awk '{print $3}'; }
gn_check "control-claims-override-stale-entries" gn_wait 5 bash -c \
    "ip -n wb$s neigh show 10.10.0.77 dev eth0 | grep -q $wu \
     && ip -n wb$s neigh show 2001:db8:10::77 dev eth0 | grep -q $wu"
gn_capture_stop
for k in arp-reply garp udp arp-probe udp6 na; do
    gn_check_unseen "undeclared-$k-of-remote-address-dropped" "wb$s" \
        "taken-$k"
    gn_check_unseen "learner-$k-of-remote-address-dropped" "wb$s" \
        "poison-$k"
    gn_check_seen "learner-$k-of-own-address-passes" "wb$s" "free-$k"
done
gn_check "neighbour-cache-keeps-remote-owner-ipv4" \
    test "$(lladdr 10.10.0.11)" = $wa
gn_check "neighbour-cache-keeps-remote-owner-ipv6" \
    test "$(lladdr 2001:db8:10::11)" = $wa

# --- Host1's learner wv may not take wu's learned address.
pwv=$(gn_on_host 1 gn_ofport "pwv$s") upl1=$(gn_on_host 1 gn_ofport upl)
got=$(gn_on_host 1 gn_trace_rule "in_port=$pwv,dl_src=$wv,dl_dst=$wa,udp,\
nw_src=10.10.0.77,nw_dst=10.10.0.11,udp_dst=9")
gn_check "remote-learned-address-refused-to-host1-learner" test "$got" = \
    "address-taken-drop:$upl1"

# --- wv (host1) and wz (host2) claim 10.10.0.90 at the same moment.
race="tx(*[udp4('%s', 'ff:ff:ff:ff:ff:ff', '10.10.0.90', '10.10.0.255',
                'race') for i in range(3)])"
gn_scapy "wv$s" "$(printf "$race" $wv)" &
racer=$!
gn_scapy "wz$s" "$(printf "$race" $wz)"
wait $racer
owner() {
    gn_host_field 1 "/v1/cluster/ports/$1" '"10.10.0.90" in d["ips"]'
}
local_has() {
    gn_host_field "$1" "/v1/ports/$2" '"10.10.0.90" in d["ips"]'
}
one_owner() {
    local v z
    v=$(owner "pwv$s") z=$(owner "pwz$s")
    [ "$v$z" = TrueFalse ] || [ "$v$z" = FalseTrue ]
}
gn_check "race-registered-once" gn_wait 10 one_owner
if [ "$(owner "pwv$s")" = True ]; then
    winner="1 pwv$s" loser="2 pwz$s"
else
    winner="2 pwz$s" loser="1 pwv$s"
fi
binds() { [ "$(local_has $winner)" = True ]; }
gn_check "race-winner-binds" gn_wait 10 binds
gn_check "race-loser-binds-nothing" test "$(local_has $loser)" = False

# --- wu moves to host1 by live migration.
gn_check "registry-marks-learned" test "$(gn_host_field 1 \
    "/v1/cluster/ports/pwu$s" 'sorted(d.get("ips_learned", []))')" = \
    "['10.10.0.77', '2001:db8:10::77']"
gn_netns "wm$s"
answer=$(gn_host_api 1 POST /v1/ports "{\"name\": \"pwu$s\",
    \"kind\": \"lxc\", \"network\": \"web\", \"netns\": \"wm$s\",
    \"mac\": \"$wu\"}")
gn_check "migration-destination-accepted" grep -q '^HTTP 201' <<<"$answer"
gn_check "migration-destination-pending" grep -q '"state": "pending"' \
    <<<"$answer"
gn_migration_resume "wm$s" "wu$s" $wu
moved() { [ "$(gn_host_field 1 "/v1/cluster/ports/pwu$s" \
               'd["host"], d.get("requested_host")')" = "host1 None" ]; }
gn_check "registry-moves-the-port" gn_wait 10 moved
learn_on1() { GUESTNET_SOCKET=${GN_HOST_SOCK[1]} gn_on_host 1 gn_learn "$@"; }
gn_check "migrated-guest-binds-its-address-again" learn_on1 "wm$s" \
    "pwu$s" $wu 10.10.0.77
gn_check "migrated-port-learned-it" test "$(gn_host_field 1 \
    "/v1/ports/pwu$s" 'd["ips_learned"]')" = "['10.10.0.77']"
gn_done
