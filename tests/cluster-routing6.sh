#!/bin/bash
# cluster-routing6: in cluster mode the rules route IPv6 across hosts as
# they route IPv4.  With the rules web -> db tcp/3306 and web -> db icmp, a
# web guest on host1 opens TCP to a db guest's IPv6 address on host2 and
# the reply comes back; ping6 crosses; tcp/22 does not, nor does a
# connection or ping6 db -> web.  A routed packet reaches db from its own
# gateway MAC with its hop limit decremented by both hosts.  host1 answers
# its web guest's solicitation for the web guest of host3 from the
# registry (no solicitation crosses the fabric).  IPv6 frames injected
# into the fabric are judged by the receiving host: a routed SYN the rules
# allow arrives, one to tcp/22 and a reply without a request do not, nor
# does a frame claiming a local guest's address (a positive control of
# each shape arrives).  Three hosts, real packets over the fabric.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_scapy
s=$$

gn_cluster_setup 3
gn_tmpdir out
gn_config6 "$out/policy.json" upl
gn_cluster_import_file "$out/policy.json"

wa=52:54:00:0a:01:11 wb=52:54:00:0a:03:12 da=52:54:00:14:02:11
gw20=0a:00:00:00:00:14
gn_host_guest 1 "wa$s" "pwa$s" web $wa 10.10.0.11 2001:db8:10::11 || gn_done
gn_host_guest 3 "wb$s" "pwb$s" web $wb 10.10.0.12 2001:db8:10::12 || gn_done
gn_host_guest 2 "da$s" "pda$s" db $da 10.20.0.11 2001:db8:20::11 || gn_done
routed_on() {  # routed_on N ADDRESS: host N has its route to ADDRESS
    gn_on_host "$1" ovs-ofctl -O OpenFlow15 dump-flows br-int table=6 \
        | grep -q "ipv6_dst=$2 "
}
gn_check "host1-learns-the-db-guest" gn_wait 10 routed_on 1 2001:db8:20::11
gn_check "host2-learns-the-web-guest" gn_wait 10 routed_on 2 2001:db8:10::11
gn_dad_done "wa$s" "wb$s" "da$s"

# --- The rules across hosts, over IPv6.
gn_rule_servers "wa$s" "da$s" "$out"
gn_capture_start "da$s" || gn_fail capture-start "tcpdump did not start"
gn_check "web-host1-opens-3306-on-db-host2" \
    test "$(gn_tcp_call "wa$s" 2001:db8:20::11 3306)" = pong-3306
gn_check "db-got-the-request" grep -qx ping-3306 "$out/da$s-3306.in"
gn_check "db-22-answers-on-its-host" \
    test "$(gn_tcp_call "da$s" 2001:db8:20::11 22)" = pong-22
gn_check_fails "tcp-22-does-not-cross" \
    gn_tcp_call "wa$s" 2001:db8:20::11 22
gn_check "ping6-web-to-db-crosses" \
    ip netns exec "wa$s" ping -6 -c 2 -i 0.2 -W 2 2001:db8:20::11
gn_check_fails "ping6-db-to-web-does-not-cross" \
    ip netns exec "da$s" ping -6 -c 2 -i 0.2 -W 1 2001:db8:10::11
gn_check "web-8080-reachable-across-hosts-in-its-network" \
    test "$(gn_tcp_call "wb$s" 2001:db8:10::11 8080)" = pong-8080
gn_check_fails "db-cannot-open-to-web" \
    gn_tcp_call "da$s" 2001:db8:10::11 8080
gn_capture_stop
gn_check "db-gets-web-data-from-db-gateway-mac" gn_captured_as "da$s" \
    "tcp dst port 3306 and src host 2001:db8:10::11" "$gw20 > $da"
gn_check "hop-limit-decremented-by-both-hosts" gn_captured_as "da$s" \
    "tcp dst port 3306 and src host 2001:db8:10::11" "hlim 62,"

# --- Neighbours without floods: host1 answers its web guest's
# solicitation for the web guest of host3 from the registry.
ip -n "wa$s" neigh flush dev eth0
gn_fabric_capture h1 "$out/nd.pcap" 'vlan 10 and icmp6' \
    || gn_fail capture-start "tcpdump on the fabric did not start"
gn_check "web-host1-reaches-web-host3-after-flush" \
    ip netns exec "wa$s" ping -6 -c 2 -i 0.2 -W 2 2001:db8:10::12
gn_check "neighbour-entry-is-the-remote-mac" \
    grep -q "2001:db8:10::12 .*lladdr $wb" <<<"$(ip -n "wa$s" -6 neigh show)"
gn_fabric_capture_stop
gn_check "echo-crossed-the-fabric" \
    test "$(gn_fabric_count "$out/nd.pcap" 'echo request')" -gt 0
gn_check "no-solicitation-crossed-the-fabric" test "$(gn_fabric_count \
    "$out/nd.pcap" 'who has 2001:db8:10::12')" = 0
gn_check "solicitation-answered-by-the-registry-rule" \
    test "$(gn_on_host 1 ovs-ofctl -O OpenFlow15 dump-flows br-int table=3 \
            | grep 'nd_target=2001:db8:10::12' | grep -c 'n_packets=[1-9]')" = 1

# --- IPv6 frames injected into the fabric.
inj=inj$s
gn_fabric_injector "$inj"
h1mac=$(gn_host_router_mac host1) h2mac=$(gn_host_router_mac host2)
gn_capture_start "wa$s" "da$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "$inj" "
def f(src, dst, vlan, ipsrc, ipdst, l4, tag):
    return (Ether(src=src, dst=dst) / Dot1Q(vlan=vlan)
            / IPv6(src=ipsrc, dst=ipdst) / l4 / Raw(b'GN[' + tag + b']'))
for i in range(3):
    frames = [
        # To host1's web guest: a reply without a request from db...
        f('$h2mac', '$wa', 10, '2001:db8:20::11', '2001:db8:10::11',
          TCP(sport=3306, dport=40000, flags='SA'), b'synack-no-request'),
        # ...a frame with its own address...
        f('52:54:00:0a:0f:0f', '$wa', 10, '2001:db8:10::11',
          '2001:db8:10::11', UDP(sport=9, dport=9), b'own-address'),
        # ...and, the control, one from an address nobody claims.
        f('52:54:00:0a:0f:0f', '$wa', 10, '2001:db8:10::99',
          '2001:db8:10::11', UDP(sport=9, dport=9), b'same-network'),
        # To host2's db guest: routed by host1, allowed and not.
        f('$h1mac', '$da', 20, '2001:db8:10::77', '2001:db8:20::11',
          TCP(sport=40001, dport=3306, flags='S'), b'routed-syn'),
        f('$h1mac', '$da', 20, '2001:db8:10::77', '2001:db8:20::11',
          TCP(sport=40002, dport=22, flags='S'), b'routed-22'),
    ]
    sendp(frames, iface='inj', verbose=0)
"
gn_capture_stop
gn_check_injected_to_guest "wa$s"
gn_check_injected_routed "da$s"

gn_done
