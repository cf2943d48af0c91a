#!/bin/bash
# pipeline-private: in a private network guests reach only the uplink, not
# each other (rule 7); the uplink carries each network tagged with its VLAN
# and delivers to a network's guests only frames of that VLAN (rule 11, on
# one host).
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy
gn_guestnetd_sandbox
s=$$
cfg=$GN_CONFIG
# The uplink: a veth whose far end, eth0 of namespace ul$s, is "the wire".
gn_guest "ul$s" "pul$s" 192.0.2.1/24
gn_config "$cfg" "pul$s"
gn_guestnetd_start "$cfg" || gn_done
router=52:54:00:30:00:01
gn_pipeline_guest xa dmz 52:54:00:30:00:11 10.30.0.11
gn_pipeline_guest xb dmz 52:54:00:30:00:12 10.30.0.12
gn_pipeline_guests wa
pul=$(gn_ofport "pul$s")

gn_check_fails "private-guests-cannot-ping-each-other" \
    ip netns exec "xa$s" ping -c 1 -W 1 10.30.0.12

gn_capture_start "xa$s" "xb$s" "wa$s" "ul$s" \
    || gn_fail capture-start "tcpdump did not start"
gn_scapy "xa$s" "
i = IP(src='10.30.0.11')
tx(Ether(src='$xa', dst='$xb') / i / UDP(dport=9) / mark('guest-to-guest'),
   Ether(src='$xa', dst='ff:ff:ff:ff:ff:ff') / i / UDP(dport=9)
   / mark('guest-broadcast'),
   Ether(src='$xa', dst='$router') / i / UDP(dport=9)
   / mark('guest-to-gateway'))
"
gn_scapy "ul$s" "
tx(Ether(src='$router', dst='$xa') / Dot1Q(vlan=30) / IP(src='10.30.0.1',
   dst='10.30.0.11') / UDP(dport=9) / mark('uplink-vlan30-to-guest'),
   Ether(src='$router', dst='ff:ff:ff:ff:ff:ff') / Dot1Q(vlan=30)
   / IP(src='10.30.0.1') / UDP(dport=9) / mark('uplink-vlan30-broadcast'),
   Ether(src='$router', dst='$xa') / Dot1Q(vlan=10) / IP(src='10.10.0.1',
   dst='10.30.0.11') / UDP(dport=9) / mark('uplink-vlan10-to-dmz-guest'),
   Ether(src='$router', dst='$xa') / IP(src='10.30.0.1', dst='10.30.0.11')
   / UDP(dport=9) / mark('uplink-untagged'),
   Ether(src='$router', dst='$xa') / Dot1Q(vlan=99) / IP(src='10.30.0.1',
   dst='10.30.0.11') / UDP(dport=9) / mark('uplink-unknown-vlan'))
"
gn_capture_stop
gn_check_unseen "private-guest-to-guest-dropped" "xb$s" guest-to-guest
gn_check_unseen "private-broadcast-not-to-guests" "xb$s" guest-broadcast
gn_check_unseen "private-broadcast-not-to-other-network" "wa$s" \
    guest-broadcast
gn_check_seen "private-broadcast-reaches-uplink" "ul$s" guest-broadcast
gn_check_seen "private-guest-reaches-gateway-on-uplink" "ul$s" \
    guest-to-gateway
gn_check "uplink-gets-guest-frames-tagged-with-network-vlan" \
    bash -c "tcpdump -r '$GN_CAPDIR/ul$s.pcap' -n \
             'vlan 30 and ether src $xa' 2>/dev/null | grep -q ."
gn_check "uplink-gets-no-untagged-guest-frame" \
    bash -c "! tcpdump -r '$GN_CAPDIR/ul$s.pcap' -n \
             'not vlan and ether src $xa' 2>/dev/null | grep -q ."
gn_check_seen "uplink-reaches-private-guest" "xa$s" uplink-vlan30-to-guest
gn_check_seen "uplink-broadcast-reaches-private-guests" "xb$s" \
    uplink-vlan30-broadcast
gn_check_unseen "uplink-broadcast-not-to-other-network" "wa$s" \
    uplink-vlan30-broadcast
gn_check_unseen "uplink-other-vlan-not-to-guest" "xa$s" \
    uplink-vlan10-to-dmz-guest
gn_check_unseen "uplink-untagged-dropped" "xa$s" uplink-untagged
gn_check_unseen "uplink-unknown-vlan-dropped" "xa$s" uplink-unknown-vlan

gn_check_trace "trace-private-guest-to-guest" "private-network-drop:30" \
    "in_port=$pxa,dl_src=$xa,dl_dst=$xb,ip,nw_src=10.30.0.11"
gn_check_trace "trace-private-to-gateway" "l2-unknown-unicast:30" \
    "in_port=$pxa,dl_src=$xa,dl_dst=$router,ip,nw_src=10.30.0.11"
gn_check_trace "trace-uplink-to-private-guest" "l2-unicast:$pxa" \
    "in_port=$pul,dl_src=$router,dl_dst=$xa,dl_vlan=30"
gn_check_trace "trace-uplink-untagged" "default-drop:0" \
    "in_port=$pul,dl_src=$router,dl_dst=$xa"
gn_done
