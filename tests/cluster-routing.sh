#!/bin/bash
# cluster-routing: in cluster mode the rules route across hosts.  With the
# rule web -> db tcp/3306, a web guest on host1 opens a TCP connection to a
# db guest on host2 and data flows both ways; tcp/22 and ICMP do not cross,
# nor does a connection db -> web.  Frames a host routes to the fabric
# leave from its own router MAC, never a gateway MAC (the fabric's
# forwarding table shows each router MAC on one port and no gateway MAC).
# Frames injected into the fabric are judged by the receiving host: a
# reply without a request is dropped, a source address of one of the
# host's own guests is dropped (a positive control of each shape
# arrives).  Another host's port without addresses in a private network
# is kept out by its MAC while its network is private.  Three hosts, real
# packets over the fabric.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_cmd nc netcat-openbsd
gn_require_scapy
s=$$

gn_cluster_setup 3
gn_tmpdir out
gn_cluster_import "$out/policy.json" upl

wa=52:54:00:0a:01:11 wb=52:54:00:0a:03:12 da=52:54:00:14:02:11
gn_host_guest 1 "wa$s" "pwa$s" web $wa 10.10.0.11 || gn_done
gn_host_guest 3 "wb$s" "pwb$s" web $wb 10.10.0.12 || gn_done
gn_host_guest 2 "da$s" "pda$s" db $da 10.20.0.11 || gn_done
routed_on() {  # routed_on N: host N has its route to the db guest
    gn_on_host "$1" ovs-ofctl -O OpenFlow15 dump-flows br-int table=6 \
        | grep -q 'nw_dst=10.20.0.11'
}
gn_check "host1-learns-the-db-guest" gn_wait 10 routed_on 1

# --- The rule across hosts: tcp/3306 opens, data both ways.
gn_rule_servers "wa$s" "da$s" "$out"
gn_check "web-host1-opens-3306-on-db-host2" \
    test "$(gn_tcp_call "wa$s" 10.20.0.11 3306)" = pong-3306
gn_check "db-got-the-request" grep -q ping-3306 "$out/da$s-3306.in"
gn_check_fails "tcp-22-does-not-cross" \
    test "$(gn_tcp_call "wa$s" 10.20.0.11 22)" = pong-22
gn_check_fails "icmp-does-not-cross" \
    ip netns exec "wa$s" ping -c 2 -i 0.2 -W 1 10.20.0.11
gn_check_fails "db-cannot-open-to-web" \
    test "$(gn_tcp_call "da$s" 10.10.0.11 8080)" = pong-8080
gn_check "same-network-crosses-hosts" \
    ip netns exec "wa$s" ping -c 2 -i 0.2 -W 2 10.10.0.12

# A private network's guests do not reach each other, across hosts
# either; no ARP answer tells one the other's MAC.
gn_host_guest 1 "za$s" "pza$s" dmz 52:54:00:1e:01:11 10.30.0.11 || gn_done
gn_host_guest 2 "zb$s" "pzb$s" dmz 52:54:00:1e:02:12 10.30.0.12 || gn_done
routed_dmz() { gn_on_host 1 ovs-ofctl -O OpenFlow15 dump-flows br-int \
                   | grep -q 'dl_src=52:54:00:1e:02:12'; }
gn_check "host1-knows-the-remote-dmz-guest" gn_wait 10 routed_dmz
gn_check_fails "private-guests-do-not-cross-hosts" \
    ip netns exec "za$s" ping -c 2 -i 0.2 -W 1 10.30.0.12
gn_check_fails "no-arp-answer-in-a-private-network" \
    bash -c "ip -n 'za$s' neigh show | grep -q '10.30.0.12 .*lladdr'"
# A port without addresses there (a DHCP server port: guestnet assigns
# it none) is kept out by its MAC on the other hosts too while the network
# is private: from when it becomes private, not after it stops being.
zs=52:54:00:1e:02:33
kept_out() {  # kept_out: host1 drops frames from zs's MAC off the uplink
    gn_on_host 1 ovs-ofctl -O OpenFlow15 dump-flows br-int \
        | grep "dl_src=$zs" | grep -q "actions=drop"
}
not_kept_out() { ! kept_out; }
dmz_private() {  # dmz_private BOOL: through host1's API
    test "$(gn_host_code 1 POST /v1/cluster/networks/dmz \
        "{\"private\": $1}")" = 200
}
gn_check "dmz-not-private" dmz_private false
gn_netns "zs$s"
gn_check "port-without-addresses-added" test "$(gn_host_code 2 POST \
    /v1/ports "{\"name\": \"pzs$s\", \"kind\": \"lxc\",
    \"network\": \"dmz\", \"netns\": \"zs$s\", \"mac\": \"$zs\",
    \"server\": true}")" = 201
known_on_1() { test "$(gn_host_code 1 GET "/v1/cluster/ports/pzs$s")" = 200; }
gn_check "host1-knows-it" gn_wait 10 known_on_1
sleep 0.5
gn_check "host1-lets-it-in-while-not-private" not_kept_out
gn_check "dmz-private" dmz_private true
gn_check "host1-keeps-it-out-once-private" gn_wait 10 kept_out
gn_check "dmz-not-private-again" dmz_private false
gn_check "host1-lets-it-in-again" gn_wait 10 not_kept_out
gn_check "dmz-private-again" dmz_private true
gn_check "host1-keeps-it-out-again" gn_wait 10 kept_out

# --- Neighbours without floods: host1 answers its web guest's ARP for
# the web guest of host3 from the registry; no ARP request crosses.
ip -n "wa$s" neigh flush dev eth0
gn_fabric_capture h1 "$out/arp.pcap" 'vlan 10 and arp' \
    || gn_fail capture-start "tcpdump on the fabric did not start"
gn_check "web-host1-reaches-web-host3-after-flush" \
    ip netns exec "wa$s" ping -c 2 -i 0.2 -W 2 10.10.0.12
gn_check "neighbour-entry-is-the-remote-mac" \
    grep -q "10.10.0.12 .*lladdr $wb" <<<"$(ip -n "wa$s" neigh show)"
sleep 0.3
gn_fabric_capture_stop
gn_check "no-arp-request-crossed-the-fabric" test "$(gn_fabric_count \
    "$out/arp.pcap" 'Request who-has 10.10.0.12')" = 0
gn_check "arp-answered-by-the-registry-rule" \
    test "$(gn_on_host 1 ovs-ofctl -O OpenFlow15 dump-flows br-int table=3 \
            | grep 'arp_tpa=10.10.0.12' | grep -c 'n_packets=[1-9]')" = 1

# --- The fabric sees router MACs, each on one port, and no gateway MAC.
fdb=$(bridge -n "$GN_FABRIC_NETNS" fdb show br fabric)
echo "$fdb" | grep -E '^0a:' | sed 's/^/# fabric fdb: /'
gn_check "no-gateway-mac-on-the-fabric" \
    bash -c "! grep -q '^0a:00:00:00:' <<<'$fdb'"
r1=$(gn_host_api 1 GET /v1/cluster/hosts | sed '$d' | "$GN_PYTHON" -c '
import json, sys
print(*sorted(h["router_mac"] for h in json.load(sys.stdin)["hosts"]))')
for m in $r1; do
    gn_check "router-mac-$m-at-most-one-port" \
        test "$(grep -c "^$m dev h" <<<"$fdb")" -le 1
done
gn_check "host2-router-mac-learned-on-its-port" \
    grep -q "dev h2" <<<"$(grep '^0a:58' <<<"$fdb")"

# --- Frames injected into the fabric.
inj=inj$s
gn_fabric_injector "$inj"
h2mac=$(gn_host_router_mac host2)
gn_capture_start "wa$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "$inj" "
def to_wa(src, ipsrc, l4, tag, dst='$wa'):
    return (Ether(src=src, dst=dst) / Dot1Q(vlan=10)
            / IP(src=ipsrc, dst='10.10.0.11') / l4 / Raw(b'GN[' + tag + b']'))
udp = UDP(sport=9, dport=9)
frames = [
    # A reply without a request: db answering a SYN never sent.
    to_wa('$h2mac', '10.20.0.11', TCP(sport=3306, dport=40000, flags='SA'),
          b'synack-no-request'),
    # The source address of host1's own guest.
    to_wa('52:54:00:0a:0f:0f', '10.10.0.11', udp, b'own-address'),
    # The network's gateway address, and a routed frame sent to all.
    to_wa('52:54:00:0a:0f:0f', '10.10.0.1', udp, b'gateway-address'),
    to_wa('$h2mac', '10.20.0.11', udp, b'routed-broadcast',
          dst='ff:ff:ff:ff:ff:ff'),
    # The positive control: a same-network frame from an address nobody
    # claims.
    to_wa('52:54:00:0a:0f:0f', '10.10.0.99', udp, b'same-network'),
]
for i in range(3):
    sendp(frames, iface='inj', verbose=0)
"
gn_capture_stop
gn_check_injected_to_guest "wa$s"
gn_check_unseen "injected-gateway-address-dropped" "wa$s" gateway-address
gn_check_unseen "injected-routed-broadcast-dropped" "wa$s" routed-broadcast
# And a routed frame host2 allows (web -> db 3306, a new connection from
# a web address) arrives at db: the receiving host judges by its rules.
gn_capture_start "da$s" || gn_fail capture-start "tcpdump did not start"
h1mac=$(gn_host_router_mac host1)
gn_scapy "$inj" "
def routed(sport, dport, tag):
    return (Ether(src='$h1mac', dst='$da') / Dot1Q(vlan=20)
            / IP(src='10.10.0.77', dst='10.20.0.11')
            / TCP(sport=sport, dport=dport, flags='S') / Raw(b'GN[' + tag + b']'))
for i in range(3):
    sendp([routed(40001, 3306, b'routed-syn'), routed(40002, 22, b'routed-22')],
          iface='inj', verbose=0)
"
gn_capture_stop
gn_check_injected_routed "da$s"
drops() {  # drops N RULE: packets host N counted for RULE
    gn_host_api "$1" GET /v1/flows | sed '$d' | "$GN_PYTHON" -c "
import json, sys
rules = json.load(sys.stdin)['counters']['rules']
print(sum(r['packets'] for r in rules if r['rule'] == '$2'))"
}
gn_check "uplink-spoof-drops-counted" test "$(drops 1 uplink-spoof-drop)" -gt 0

gn_done
