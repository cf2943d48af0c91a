#!/bin/bash
# cluster-fabric: three hosts on one fabric, the setting of the cluster
# tests.  Each host is a private OVS (userspace datapath) and a guestnetd in
# a network namespace of its own, all with the same config file (networks
# web VLAN 10, db VLAN 20, dmz VLAN 30; uplink "upl"), and its uplink is a
# port of the fabric's Linux bridge, which plays the physical switch.
# Guests are made through each host's API.  A network's guests reach each
# other across hosts over the fabric, tagged with the network's VLAN on the
# wire; no frame of one network reaches another network's guest on another
# host, broadcast or unicast.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_root
gn_require_cmd curl curl
gn_require_scapy
s=$$

gn_fabric_start
for n in 1 2 3; do gn_cluster_host_start "$n"; done
gn_tmpdir conf
gn_config "$conf/guestnet.json" upl
for n in 1 2 3; do
    gn_host_guestnetd_start "$n" "$conf/guestnet.json" || gn_done
done
for n in 1 2 3; do
    gn_check "host$n-uplink-trunks-vlans" test \
        "$(gn_on_host "$n" ovs-vsctl get Port upl trunks)" = "[10, 20, 30]"
done

w1=52:54:00:0a:01:01 d1=52:54:00:14:01:01
w2=52:54:00:0a:02:01 d2=52:54:00:14:02:01
w3=52:54:00:0a:03:01
gn_host_guest 1 "w1-$s" "pw1-$s" web $w1 10.10.0.11 || gn_done
gn_host_guest 1 "d1-$s" "pd1-$s" db $d1 10.20.0.11 || gn_done
gn_host_guest 2 "w2-$s" "pw2-$s" web $w2 10.10.0.12 || gn_done
gn_host_guest 2 "d2-$s" "pd2-$s" db $d2 10.20.0.12 || gn_done
gn_host_guest 3 "w3-$s" "pw3-$s" web $w3 10.10.0.13 || gn_done
for g in w1:1 d1:1 w2:2 d2:2 w3:3; do
    gn_check "guest-${g%:*}-is-a-port-of-host${g#*:}" \
        gn_on_host "${g#*:}" ovs-vsctl port-to-br "p${g%:*}-$s"
done
gn_check_fails "guest-w1-is-not-a-port-of-host2" \
    gn_on_host 2 ovs-vsctl port-to-br "pw1-$s"

# The same network across hosts, tagged with its VLAN on the fabric.
gn_tmpdir wire
gn_fabric_capture h2 "$wire/h2.pcap" 'vlan 10 and icmp' \
    || gn_fail capture-start "tcpdump on the fabric did not start"
gn_check "web-host1-reaches-web-host2" \
    ip netns exec "w1-$s" ping -c 3 -i 0.2 -W 2 10.10.0.12
gn_check "web-host1-reaches-web-host3" \
    ip netns exec "w1-$s" ping -c 3 -i 0.2 -W 2 10.10.0.13
gn_check "web-host3-reaches-web-host2" \
    ip netns exec "w3-$s" ping -c 3 -i 0.2 -W 2 10.10.0.12
gn_check "db-host2-reaches-db-host1" \
    ip netns exec "d2-$s" ping -c 3 -i 0.2 -W 2 10.20.0.11
gn_check_fails "web-host1-does-not-ping-db-host2" \
    ip netns exec "w1-$s" ping -c 2 -i 0.2 -W 1 10.20.0.12
# The pings host1 -> host2 and host3 -> host2 put 12 frames on h2, each
# tagged with VLAN 10 (tcpdump writes each frame at once with -U).
tagged() { gn_fabric_count "$wire/h2.pcap" 'vlan 10,'; }
gn_check "fabric-carries-web-tagged-vlan-10" \
    gn_wait 5 eval '[ "$(tagged)" -ge 12 ]'
echo "# icmp frames tagged with VLAN 10 on fabric port h2: $(tagged)"
gn_fabric_capture_stop
gn_check "fabric-learned-web-host1-mac-on-h1" bash -c \
    "bridge -n '$GN_FABRIC_NETNS' fdb show br fabric | grep -q '^$w1 dev h1 '"

# Different networks across hosts: no frame crosses, broadcast or unicast;
# the same broadcast does reach the sender's network on the other hosts.
gn_capture_start "w2-$s" "d2-$s" "w3-$s" \
    || gn_fail capture-start "tcpdump did not start"
gn_scapy "w1-$s" "
tx(Ether(src='$w1', dst='$d2') / IP(src='10.10.0.11', dst='10.20.0.12')
   / ICMP() / mark('web1-unicast-to-db2'),
   Ether(src='$w1', dst='ff:ff:ff:ff:ff:ff') / IP(src='10.10.0.11',
       dst='10.10.0.255') / UDP(dport=9) / mark('web1-broadcast'))
"
gn_scapy "d1-$s" "
tx(Ether(src='$d1', dst='ff:ff:ff:ff:ff:ff') / IP(src='10.20.0.11',
       dst='10.20.0.255') / UDP(dport=9) / mark('db1-broadcast'),
   Ether(src='$d1', dst='$w2') / IP(src='10.20.0.11', dst='10.10.0.12')
   / ICMP() / mark('db1-unicast-to-web2'))
"
gn_capture_stop
gn_check_unseen "web-unicast-not-at-db-other-host" "d2-$s" web1-unicast-to-db2
gn_check_unseen "db-unicast-not-at-web-other-host" "w2-$s" db1-unicast-to-web2
gn_check_seen "web-broadcast-at-web-host2" "w2-$s" web1-broadcast
gn_check_seen "web-broadcast-at-web-host3" "w3-$s" web1-broadcast
gn_check_unseen "web-broadcast-not-at-db-host2" "d2-$s" web1-broadcast
gn_check_seen "db-broadcast-at-db-host2" "d2-$s" db1-broadcast
gn_check_unseen "db-broadcast-not-at-web-host2" "w2-$s" db1-broadcast
gn_check_unseen "db-broadcast-not-at-web-host3" "w3-$s" db1-broadcast
gn_done
