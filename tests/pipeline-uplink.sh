#!/bin/bash
# pipeline-uplink: the uplink carries the networks' VLANs to other hosts
# (rule 11).  Two hosts, each a private ovsdb-server + ovs-vswitchd +
# guestnetd in its own network namespace, joined by a veth pair as their
# uplink: guests of one network talk across hosts (tagged with their VLAN on
# the wire), guests of different networks do not.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_root
gn_require_cmd curl curl
gn_require_cmd tcpdump tcpdump
gn_require_scapy
s=$$

# Host A: the usual sandbox (its environment is this shell's).
gn_sandbox_start
A=$GN_SANDBOX_DIR nsA=$GN_SANDBOX_NETNS

# Host B: a second sandbox; its tools get their environment per command.
gn_tmpdir B
gn_on_exit "'$GN_SRCDIR/scripts/gn-sandbox' stop '$B'"
"$GN_SRCDIR/scripts/gn-sandbox" start "$B" > /dev/null \
    || { gn_fail host-b-start "gn-sandbox start $B failed"; gn_done; }
nsB=$(cat "$B/netns")
onB() { OVS_RUNDIR=$B OVS_DBDIR=$B OVS_LOGDIR=$B "$@"; }

# The wire between the hosts: each end is that host's uplink "gnup".
ip link add gnup netns "$nsA" type veth peer name gnup netns "$nsB"
for ns in "$nsA" "$nsB"; do
    ip -n "$ns" link set gnup up
    ip netns exec "$ns" ethtool -K gnup tx off > /dev/null
done

gn_config "$A/guestnet.json" gnup
gn_config "$B/guestnet.json" gnup
gn_guestnetd_start "$A/guestnet.json" || gn_done
sockA=$GUESTNET_SOCKET
ip netns exec "$nsB" "$GUESTNETD" --config "$B/guestnet.json" \
    --ovsdb "unix:$B/db.sock" --ovs-rundir "$B" \
    --socket "$B/guestnetd.sock" --log-file "$B/guestnetd.log" &
gn_on_exit "kill $!"
gn_check "host-b-guestnetd-healthy" gn_wait 20 curl -sf --unix-socket \
    "$B/guestnetd.sock" http://localhost/v1/health

gn_check "uplink-a-trunks-vlans" \
    test "$(ovs-vsctl get Port gnup trunks)" = "[10, 20, 30]"
gn_check "uplink-b-trunks-vlans" \
    test "$(onB ovs-vsctl get Port gnup trunks)" = "[10, 20, 30]"

wa=52:54:00:0b:0a:01 da=52:54:00:0b:0a:02
wb=52:54:00:0b:0b:01 db=52:54:00:0b:0b:02
GUESTNET_SOCKET=$sockA gn_lxc_guest "wa$s" "pwa$s" web $wa 10.10.0.11
GUESTNET_SOCKET=$sockA gn_lxc_guest "da$s" "pda$s" db $da 10.20.0.21
GUESTNET_SOCKET=$B/guestnetd.sock gn_lxc_guest "wb$s" "pwb$s" web $wb \
    10.10.0.12
GUESTNET_SOCKET=$B/guestnetd.sock gn_lxc_guest "db$s" "pdb$s" db $db \
    10.20.0.22

# The same network across hosts, tagged with its VLAN on the wire.
ip netns exec "$nsB" tcpdump -i gnup -e -nn -c 4 -w "$B/wire.pcap" \
    'vlan 10 and icmp' > /dev/null 2>&1 &
tcpdump_pid=$!
sleep 1
gn_check "web-a-reaches-web-b" \
    ip netns exec "wa$s" ping -c 3 -i 0.2 -W 2 10.10.0.12
gn_check "db-b-reaches-db-a" \
    ip netns exec "db$s" ping -c 3 -i 0.2 -W 2 10.20.0.21
sleep 0.5
kill -INT $tcpdump_pid 2>/dev/null
wait $tcpdump_pid 2>/dev/null
tagged=$(tcpdump -r "$B/wire.pcap" -e -nn 2>/dev/null | grep -c 'vlan 10')
gn_check "wire-carries-vlan-10" test "$tagged" -ge 2

# Different networks across hosts: no frame crosses, broadcast or unicast.
gn_capture_start "db$s" "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
e = Ether(src='$wa', dst='$db') / IP(src='10.10.0.11', dst='10.20.0.22')
tx(e / ICMP() / mark('web-a-unicast-to-db-b'),
   Ether(src='$wa', dst='ff:ff:ff:ff:ff:ff') / IP(src='10.10.0.11',
       dst='10.10.0.255') / UDP(dport=9) / mark('web-a-broadcast'))
"
gn_scapy "da$s" "
tx(Ether(src='$da', dst='ff:ff:ff:ff:ff:ff') / IP(src='10.20.0.21',
       dst='10.20.0.255') / UDP(dport=9) / mark('db-a-broadcast'))
"
gn_capture_stop
gn_check_unseen "web-unicast-not-at-db-other-host" "db$s" web-a-unicast-to-db-b
gn_check_unseen "web-broadcast-not-at-db-other-host" "db$s" web-a-broadcast
gn_check_seen "web-broadcast-at-web-other-host" "wb$s" web-a-broadcast
gn_check_seen "db-broadcast-at-db-other-host" "db$s" db-a-broadcast
gn_check_unseen "db-broadcast-not-at-web-other-host" "wb$s" db-a-broadcast
gn_done
