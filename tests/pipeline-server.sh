#!/bin/bash
# pipeline-server: guests cannot act as DHCP/DHCPv6 servers or send IPv6
# router advertisements or redirects (rule 5); their client messages and
# router solicitations go to guestnetd's servers only (web has IPv4 and
# IPv6 gateways), the DHCPv6 ones to the network while it has a server
# port; a port marked as its network's server ("server": true) may send
# them all.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup
s=$$
gn_pipeline_guests wa wb
ll=fe80::5054:ff:fe10:11

gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
b4 = Ether(src='$wa', dst='ff:ff:ff:ff:ff:ff') / IP(src='10.10.0.11',
     dst='255.255.255.255')
b6 = Ether(src='$wa', dst='33:33:00:00:00:01') / IPv6(src='$ll', dst='ff02::1')
tx(b4 / UDP(sport=67, dport=68) / mark('dhcp-offer'),
   b4 / UDP(sport=68, dport=67) / mark('dhcp-request'),
   b6 / UDP(sport=547, dport=546) / mark('dhcpv6-advertise'),
   b6 / UDP(sport=546, dport=547) / mark('dhcpv6-solicit'),
   b6 / ICMPv6ND_RA() / ICMPv6NDOptPrefixInfo(prefix='2001:db8:66::')
      / ndmark('router-advertisement'),
   b6 / ICMPv6ND_Redirect(tgt='$ll', dst='2001:db8:10::12')
      / ndmark('redirect'),
   Ether(src='$wa', dst='33:33:00:00:00:02') / IPv6(src='$ll', dst='ff02::2')
      / ICMPv6ND_RS() / ndmark('router-solicitation'))
"
gn_capture_stop
for tag in dhcp-offer dhcpv6-advertise router-advertisement redirect; do
    gn_check_unseen "$tag-from-guest-dropped" "wb$s" "$tag"
done
# Client messages go to guestnetd's DHCP and DHCPv6 servers and router,
# not to the network (tests/dhcp-server.sh, tests/dhcp6-server.sh).
for tag in dhcp-request dhcpv6-solicit router-solicitation; do
    gn_check_unseen "$tag-to-guestnetd-only" "wb$s" "$tag"
done
gn_check "ra-prefix-not-learned" \
    bash -c "! ip -n wb$s -6 addr show | grep -q 2001:db8:66"
f="in_port=$pwa,dl_src=$wa"
gn_check_trace "trace-dhcp-offer" "dhcp-server-drop:0" \
    "$f,dl_dst=ff:ff:ff:ff:ff:ff,udp,nw_src=10.10.0.11,udp_src=67,udp_dst=68"
gn_check_trace "trace-router-advertisement" "router-advertisement-drop:0" \
    "$f,dl_dst=33:33:00:00:00:01,ipv6,nw_proto=58,ipv6_src=$ll,icmpv6_type=134"
# A port marked as its network's server may send DHCP replies and router
# advertisements.
sv=52:54:00:10:00:13
gn_netns "sv$s"
"$GUESTNETCTL" port add "psv$s" --kind lxc --network web --netns "sv$s" \
    --mac $sv --ip 10.10.0.13 --server > /dev/null
gn_check "server-flag-shown" bash -c \
    "'$GUESTNETCTL' --json port show psv$s | grep -q '\"server\": true'"
gn_check "server-flag-in-ovsdb" test "$(ovs-vsctl get Interface "psv$s" \
    external_ids:guestnet\\:server)" = '"true"'
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "sv$s" "
b4 = Ether(src='$sv', dst='ff:ff:ff:ff:ff:ff') / IP(src='10.10.0.13',
     dst='255.255.255.255')
b6 = Ether(src='$sv', dst='33:33:00:00:00:01') / IPv6(
     src='fe80::5054:ff:fe10:13', dst='ff02::1')
tx(b4 / UDP(sport=67, dport=68) / mark('server-dhcp-offer'),
   b6 / ICMPv6ND_RA() / ndmark('server-router-advertisement'),
   Ether(src='$sv', dst='33:33:00:00:00:02')
      / IPv6(src='fe80::5054:ff:fe10:13', dst='ff02::2')
      / ICMPv6ND_RS() / ndmark('server-router-solicitation'))
"
gn_wait 5 bash -c "ovs-ofctl dump-flows br-int | grep -q 'priority=126,udp6'"
gn_scapy "wa$s" "
tx(Ether(src='$wa', dst='33:33:00:01:00:02') / IPv6(src='$ll', dst='ff02::1:2')
   / UDP(sport=546, dport=547) / mark('dhcpv6-solicit-to-server'))
"
gn_capture_stop
gn_check_seen "dhcp-offer-from-server-port-passes" "wb$s" server-dhcp-offer
gn_check_seen "ra-from-server-port-passes" "wb$s" \
    server-router-advertisement
gn_check_seen "rs-from-server-port-passes" "wb$s" server-router-solicitation
gn_check_seen "dhcpv6-solicit-reaches-network-with-server" "wb$s" \
    dhcpv6-solicit-to-server
gn_done
