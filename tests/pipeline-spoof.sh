#!/bin/bash
# pipeline-spoof: a guest sends only from its own MAC (rule 2) and from its
# own IPv4/IPv6 addresses: the declared ones and its link-local one, or,
# where guestnet assigns none ("dhcp": false), if it declared none, the
# first one of each family of its network's subnets it uses (then that
# one only: tests/address-learn.sh); DHCP discovery from 0.0.0.0
# passes (rule 3) to the network's own DHCP server.  (Ports with assigned
# addresses: tests/dhcp-server.sh.)  Real frames crafted with scapy, captured on the
# receiving guest; verdicts checked with ofproto/trace.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup_no_dhcp
s=$$
gn_pipeline_guests -6 wa wb
gn_pipeline_guest wc web 52:54:00:10:00:13     # Declares no address.
gn_check "undeclared-port-learns-its-addresses" gn_learn "wc$s" "pwc$s" \
    52:54:00:10:00:13 10.10.0.77 2001:db8:10::77

gn_check "ping-from-own-mac" ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12

gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
u4() {  # u4 SRC-MAC SRC-IP TAG: a UDP frame to wb.
    echo "Ether(src='$1', dst='$wb') / IP(src='$2', dst='10.10.0.12') \
/ UDP(sport=4000, dport=9) / mark('$3'),"
}
u6() {  # u6 SRC-MAC SRC-IP6 TAG
    echo "Ether(src='$1', dst='$wb') / IPv6(src='$2', dst='2001:db8:10::12') \
/ UDP(sport=4000, dport=9) / mark('$3'),"
}
gn_scapy "wa$s" "tx(
$(u4 $wa 10.10.0.11 own-mac-own-ip4)
$(u4 52:54:00:10:00:99 10.10.0.11 foreign-mac)
$(u4 $wc 10.10.0.11 neighbours-mac)
$(u4 $wa 10.10.0.50 unused-ip4-in-subnet)
$(u4 $wa 10.10.0.12 receivers-ip4)
$(u4 $wa 10.20.0.11 other-networks-ip4)
$(u6 $wa 2001:db8:10::11 own-ip6)
$(u6 $wa fe80::5054:ff:fe10:11 own-link-local)
$(u6 $wa 2001:db8:10::50 unused-ip6-in-subnet)
$(u6 $wa fe80::5054:ff:fe10:13 neighbours-link-local)
Ether(src='$wa', dst='ff:ff:ff:ff:ff:ff') / IP(src='0.0.0.0',
    dst='255.255.255.255') / UDP(sport=68, dport=67) / mark('dhcp-discover'),
Ether(src='$wa', dst='ff:ff:ff:ff:ff:ff') / IP(src='0.0.0.0',
    dst='255.255.255.255') / UDP(sport=68, dport=9) / mark('zero-src-not-dhcp'),
Ether(src='$wa', dst='$wb', type=0x88b5) / mark('non-ip-ethertype'))
"
gn_scapy "wc$s" "tx(
$(u4 $wc 10.10.0.77 any-ip4-in-subnet-undeclared)
$(u4 $wc 10.10.0.78 second-ip4-in-subnet-undeclared)
$(u4 $wc 10.20.0.77 ip4-outside-subnet-undeclared)
$(u6 $wc 2001:db8:10::77 any-ip6-in-subnet-undeclared)
$(u6 $wc 2001:db8:10::78 second-ip6-in-subnet-undeclared)
$(u6 $wc 2001:db8:20::77 ip6-outside-subnet-undeclared)
$(u4 52:54:00:10:00:98 10.10.0.77 foreign-mac-undeclared))
"
gn_capture_stop

# Rule 2: own MAC only.
gn_check_seen "frame-from-own-mac-passes" "wb$s" own-mac-own-ip4
gn_check_unseen "frame-from-foreign-mac-dropped" "wb$s" foreign-mac
gn_check_unseen "frame-from-neighbours-mac-dropped" "wb$s" neighbours-mac
gn_check_unseen "foreign-mac-dropped-without-declared-ips" "wb$s" \
    foreign-mac-undeclared
# Rule 3: own addresses only.
gn_check_unseen "unused-ipv4-of-subnet-dropped" "wb$s" unused-ip4-in-subnet
gn_check_unseen "receivers-ipv4-dropped" "wb$s" receivers-ip4
gn_check_unseen "other-networks-ipv4-dropped" "wb$s" other-networks-ip4
gn_check_seen "declared-ipv6-passes" "wb$s" own-ip6
gn_check_seen "own-link-local-passes" "wb$s" own-link-local
gn_check_unseen "unused-ipv6-of-subnet-dropped" "wb$s" unused-ip6-in-subnet
gn_check_unseen "neighbours-link-local-dropped" "wb$s" neighbours-link-local
gn_check_seen "dhcp-discover-from-zero-passes" "wb$s" dhcp-discover
gn_check_unseen "zero-source-other-than-dhcp-dropped" "wb$s" \
    zero-src-not-dhcp
gn_check_unseen "non-ip-ethertype-dropped" "wb$s" non-ip-ethertype
gn_check_seen "undeclared-port-learned-ipv4-passes" "wb$s" \
    any-ip4-in-subnet-undeclared
gn_check_unseen "undeclared-port-second-ipv4-dropped" "wb$s" \
    second-ip4-in-subnet-undeclared
gn_check_unseen "undeclared-port-ipv4-outside-subnets-dropped" "wb$s" \
    ip4-outside-subnet-undeclared
gn_check_seen "undeclared-port-learned-ipv6-passes" "wb$s" \
    any-ip6-in-subnet-undeclared
gn_check_unseen "undeclared-port-second-ipv6-dropped" "wb$s" \
    second-ip6-in-subnet-undeclared
gn_check_unseen "undeclared-port-ipv6-outside-subnets-dropped" "wb$s" \
    ip6-outside-subnet-undeclared

# A guest that changes its MAC is cut off; back to its own, it talks.
ip -n "wa$s" link set eth0 address 52:54:00:10:00:99
gn_check_fails "ping-after-mac-change-fails" \
    ip netns exec "wa$s" ping -c 1 -W 1 10.10.0.12
ip -n "wa$s" link set eth0 address $wa
ip -n "wa$s" neigh flush all
gn_check "ping-after-mac-restored" \
    ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12
# And one that takes another address is cut off too.
ip -n "wa$s" addr add 10.10.0.51/24 dev eth0
gn_check_fails "ping-from-undeclared-address-fails" \
    ip netns exec "wa$s" ping -c 1 -W 1 -I 10.10.0.51 10.10.0.12

f="in_port=$pwa,dl_src=$wa,dl_dst=$wb"
gn_check_trace "trace-foreign-mac" "mac-spoof-drop:$pwa" \
    "in_port=$pwa,dl_src=52:54:00:10:00:99,dl_dst=$wb,ip,nw_src=10.10.0.11"
gn_check_trace "trace-own-ipv4" "l2-unicast:$pwb" "$f,ip,nw_src=10.10.0.11"
gn_check_trace "trace-spoofed-ipv4" "ip-spoof-drop:$pwa" \
    "$f,ip,nw_src=10.10.0.50"
gn_check_trace "trace-spoofed-ipv6" "ip-spoof-drop:$pwa" \
    "$f,ipv6,ipv6_src=2001:db8:10::50"
gn_check_trace "trace-undeclared-port-learned" "l2-unicast:$pwb" \
    "in_port=$pwc,dl_src=$wc,dl_dst=$wb,ip,nw_src=10.10.0.77"
gn_check_trace "trace-undeclared-port-second-in-subnet" "ip-spoof-drop:$pwc" \
    "in_port=$pwc,dl_src=$wc,dl_dst=$wb,ip,nw_src=10.10.0.200"
gn_check_trace "trace-undeclared-port-outside-subnets" "ip-spoof-drop:$pwc" \
    "in_port=$pwc,dl_src=$wc,dl_dst=$wb,ip,nw_src=10.20.0.200"
gn_done
