#!/bin/bash
# dhcp-snoop: the operator runs the network's DHCP server (busybox udhcpd
# and dnsmasq for DHCPv6 on a port marked "server", in db, which has
# "dhcp": false): the other ports of the network get no address of
# guestnet's and may send only DHCP until a lease binds; the server's
# DHCPACK binds its address to the client's port (udhcpc, a real client),
# which then reaches a neighbour from it and from no other address, and so
# does its DHCPv6 REPLY (dhclient -6).  A rogue guest's forged ACKs and
# REPLYs (any source port, a victim's chaddr or MAC) bind nothing, while
# the same from the server port binds (positive control); the server's
# ACK of an address another port holds, of a reserved one or of one
# outside the subnets, or a malformed one, binds nothing and is counted.
# A short lease ends and unbinds; a restart keeps the bindings and sends
# no flow_mod; the server port itself keeps undeclared mode.  In a
# network with guestnet's DHCP, a port added while it has a server port
# gets no address (one assigned before keeps its own).
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_snoop_setup
s=$$
dir=$GN_SANDBOX_DIR
sv=52:54:00:20:00:02 ca=52:54:00:20:00:11 cb=52:54:00:20:00:12
cc=52:54:00:20:00:13 nb=52:54:00:20:00:50

# --- The server port (no declared address: undeclared mode) and udhcpd.
gn_snoop_ports $s $sv $nb ca=$ca cb=$cb cc=$cc
pca=$(gn_ofport "pca$s") pcc=$(gn_ofport "pcc$s") pnb=$(gn_ofport "pnb$s")
# (Trace: UDP to nb from an address of db's.)
to_nb="dl_dst=$nb,udp,nw_dst=10.20.0.50,nw_src"
gn_check "server-port-keeps-undeclared-mode" gn_wait 5 ip netns exec \
    "sv$s" ping -c 1 -W 1 10.20.0.50
gn_check "clients-get-no-address" test "$(gn_port_field "pca$s" \
    "d['ips'], d['ips_assigned'], d['ips_leased']")" = "([], [], [])"

gn_snoop_udhcpd "sv$s" "$dir"

# --- Before its lease, ca may send only DHCP.
gn_capture_start "nb$s" "sv$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "ca$s" "
tx(udp4('$ca', '$nb', '10.20.0.220', '10.20.0.50', 'unbound-address'),
   udp4('$ca', '$nb', '10.20.0.221', '10.20.0.50', 'another-address'),
   Ether(src='$ca', dst='ff:ff:ff:ff:ff:ff')
   / IP(src='0.0.0.0', dst='255.255.255.255') / UDP(sport=68, dport=67)
   / BOOTP(chaddr=mac2str('$ca'), xid=0x4242)
   / DHCP(options=[('message-type', 'discover'), 'end']) / mark('discover'))
"
gn_capture_stop
gn_check_unseen "before-lease-address-dropped" "nb$s" unbound-address
gn_check_unseen "before-lease-another-address-dropped" "nb$s" another-address
gn_check_seen "before-lease-dhcp-reaches-server" "sv$s" discover
gn_check_trace "trace-before-lease" "ip-spoof-drop:$pca" \
    "in_port=$pca,dl_src=$ca,$to_nb=10.20.0.220"
gn_check "guestnetctl-trace-names-ip-spoof-drop" bash -c "'$GUESTNETCTL' \
    trace pca$s dl_dst=$nb proto=udp nw_src=10.20.0.220 nw_dst=10.20.0.50 \
    | grep -q ip-spoof-drop"

# --- udhcpc in ca gets udhcpd's lease; it is bound to pca.
# (udhcpd picks the address from a hash of the client's MAC.)
gn_udhcpc_script "$dir/udhcpc.script"
t0=$(date +%s%N)
LEASE_FILE=$dir/ca.lease ip netns exec "ca$s" busybox udhcpc -i eth0 -n -q \
    -t 5 -T 1 -A 1 -s "$dir/udhcpc.script" > "$dir/udhcpc.log" 2>&1
t1=$(date +%s%N)
la=$(cut -d' ' -f1 "$dir/ca.lease" 2>/dev/null)
gn_check "udhcpc-gets-servers-lease" bash -c "[[ '$la' == 10.20.0.1[0-4][0-9] \
    || '$la' == 10.20.0.150 ]]"
gn_check "lease-bound-to-port" gn_wait 10 gn_port_ips_are "pca$s" "['$la']"
echo "# udhcpc had its lease $(( (t1 - t0) / 1000000 )) ms after it started," \
     "bound to its port $(( ($(date +%s%N) - t1) / 1000000 )) ms later"
gn_check "api-says-leased" test "$(gn_port_field "pca$s" \
    "d['ips_leased'], d['ips_assigned'], d['lease_expires']['$la'] > 0")" \
    = \
    "(['$la'], [], True)"
gn_check "lease-in-ovsdb" bash -c "ovs-vsctl get Interface pca$s \
    external_ids:guestnet\\\\:ips-leased | grep -q $la"
gn_check "port-show-says-leased" bash -c "'$GUESTNETCTL' port show pca$s \
    | grep -q '$la (leased)'"
gn_check "port-show-says-until-when" bash -c "'$GUESTNETCTL' port show \
    pca$s | grep -qE '^  lease +$la until 20[0-9-]+T'"
gn_check "port-list-says-leased" bash -c "'$GUESTNETCTL' port list \
    | grep -q '^pca$s .*bound, leased $la'"
gn_check "ping-neighbour-from-lease" gn_wait 5 ip netns exec "ca$s" \
    ping -c 1 -W 1 10.20.0.50
gn_capture_start "nb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "ca$s" "
tx(udp4('$ca', '$nb', '10.20.0.220', '10.20.0.50', 'other-address'),
   udp4('$ca', '$nb', '$la', '10.20.0.50', 'leased-address'))
"
gn_capture_stop
gn_check_unseen "other-address-dropped-after-lease" "nb$s" other-address
gn_check_seen "leased-address-passes" "nb$s" leased-address
gn_check_trace "trace-after-lease" "ip-spoof-drop:$pca" \
    "in_port=$pca,dl_src=$ca,$to_nb=10.20.0.220"

# --- A rogue guest (nb, from its own address) forges ACKs for cc: from 67
# and other source ports, broadcast and to cc's MAC.  Nothing binds,
# nothing is snooped.
acks0=$(gn_snoop acks)
gn_capture_start "cc$s" || gn_fail capture-start "tcpdump did not start"
# forged_ack SRCMAC SRCIP SPORT DSTMAC YIADDR LEASE: an ACK for cc.
forged_ack() { gn_snoop_ack "$1" "$2" "$3" "$4" "$cc" "$5" "$6"; }
gn_scapy "nb$s" "
tx($(forged_ack $nb 10.20.0.50 67 ff:ff:ff:ff:ff:ff 10.20.0.200 600),
   $(forged_ack $nb 10.20.0.50 67 $cc 10.20.0.200 600),
   $(forged_ack $nb 10.20.0.50 12345 $cc 10.20.0.200 600),
   $(forged_ack $nb 10.20.0.50 68 $cc 10.20.0.200 600))
"
gn_capture_stop
gn_check "rogue-acks-dropped" test "$(tcpdump -nr "$GN_CAPDIR/cc$s.pcap" \
    "ether src $nb and udp dst port 68" 2>/dev/null | wc -l)" = 0
gn_check_trace "trace-rogue-ack" "dhcp-server-drop:0" \
    "in_port=$pnb,dl_src=$nb,dl_dst=$cc,udp,nw_src=10.20.0.50,udp_src=67"
gn_check "rogue-acks-bind-nothing" gn_port_ips_are "pcc$s" "[]"
gn_check "rogue-acks-not-snooped" test "$(gn_snoop acks)" = "$acks0"

# --- The same ACK from the server port binds (lease time 5 s), and the
# lease ends without a renewal: the binding goes.
gn_scapy "sv$s" "tx($(forged_ack $sv 10.20.0.2 67 $cc 10.20.0.200 5))"
gn_check "server-ack-binds" gn_wait 10 gn_port_ips_are "pcc$s" \
    "['10.20.0.200']"
gn_check "bound-address-passes" gn_wait 5 bash -c "ip netns exec cc$s \
    ip addr replace 10.20.0.200/24 dev eth0 && \
    ip netns exec cc$s ping -c 1 -W 1 10.20.0.50"
t0=$(date +%s)
gn_check "lease-expiry-unbinds" gn_wait 20 gn_port_ips_are "pcc$s" "[]"
echo "# a lease of 5 s unbound $(( $(date +%s) - t0 )) s after binding"
gn_check "expired-counted" test "$(gn_snoop expired)" -ge 1
gn_check_trace "trace-after-expiry" "ip-spoof-drop:$pcc" \
    "in_port=$pcc,dl_src=$cc,$to_nb=10.20.0.200"
# Its renewal from the address (a REQUEST to the server) still reaches
# the server, whose ACK would bind it again; other traffic does not pass.
gn_capture_start "sv$s" "nb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "cc$s" "
tx(Ether(src='$cc', dst='$sv') / IP(src='10.20.0.200', dst='10.20.0.2')
   / UDP(sport=68, dport=67)
   / BOOTP(ciaddr='10.20.0.200', chaddr=mac2str('$cc'), xid=0x77)
   / DHCP(options=[('message-type', 'request'), 'end']) / mark('renewal'),
   udp4('$cc', '$nb', '10.20.0.200', '10.20.0.50', 'unbound-traffic'))
"
gn_capture_stop
gn_check_seen "renewal-from-unbound-address-reaches-server" "sv$s" renewal
gn_check_unseen "traffic-from-unbound-address-dropped" "nb$s" \
    unbound-traffic
gn_check "expired-address-dropped" gn_wait 5 bash -c "! ip netns exec cc$s \
    ping -c 1 -W 1 10.20.0.50"

# --- The server's ACKs of addresses that are not free bind nothing and
# are counted: ca's lease, nb's declared address, the gateway, the
# broadcast address, one outside the subnets; then one of a free address
# binds (positive control) and a second one replaces it.
taken0=$(gn_snoop refused taken) reserved0=$(gn_snoop refused reserved)
outside0=$(gn_snoop refused outside-subnets)
malformed0=$(gn_snoop refused malformed)
gn_scapy "sv$s" "
ack = bytes(($(forged_ack $sv 10.20.0.2 67 $cc 10.20.0.201 600))[BOOTP])
cut = (Ether(src='$sv', dst='$cc') / IP(src='10.20.0.2', dst='10.20.0.201')
       / UDP(sport=67, dport=68))
tx(cut / Raw(ack[:200]),                                 # Truncated BOOTP.
   cut / Raw(ack[:240] + bytes([53, 1, 5, 51, 9, 0])),   # Overlong option.
   $(forged_ack $sv 10.20.0.2 67 $cc $la 600),
   $(forged_ack $sv 10.20.0.2 67 $cc 10.20.0.50 600),
   $(forged_ack $sv 10.20.0.2 67 $cc 10.20.0.1 600),
   $(forged_ack $sv 10.20.0.2 67 $cc 10.20.0.255 600),
   $(forged_ack $sv 10.20.0.2 67 $cc 10.99.0.5 600))
"
gn_check "taken-refused-and-counted" gn_wait 5 gn_snoop_refused_grew taken \
    "$taken0" 2
gn_check "reserved-refused-and-counted" gn_wait 5 gn_snoop_refused_grew \
    reserved "$reserved0" 2
gn_check "outside-refused-and-counted" gn_wait 5 gn_snoop_refused_grew \
    outside-subnets "$outside0" 1
gn_check "malformed-refused-and-counted" gn_wait 5 gn_snoop_refused_grew \
    malformed "$malformed0" 2
gn_check "refused-acks-bind-nothing" gn_port_ips_are "pcc$s" "[]"
gn_check "owner-keeps-its-lease" gn_port_ips_are "pca$s" "['$la']"
gn_check "metrics-count-refusals" bash -c "curl -s --unix-socket \
    '$GUESTNET_SOCKET' http://localhost/metrics | grep -q \
    '^guestnet_dhcp_snoop_refused_total{reason=\"taken\"} [1-9]'"
gn_scapy "sv$s" "tx($(forged_ack $sv 10.20.0.2 67 $cc 10.20.0.210 600))"
gn_check "free-address-binds" gn_wait 10 gn_port_ips_are "pcc$s" \
    "['10.20.0.210']"
gn_scapy "sv$s" "tx($(forged_ack $sv 10.20.0.2 67 $cc 10.20.0.211 600))"
gn_check "new-ack-replaces-lease" gn_wait 10 gn_port_ips_are "pcc$s" \
    "['10.20.0.211']"

# --- DHCPv6: dnsmasq in the server port's namespace leases ca an address
# (dhclient -6); the REPLY binds it to ca (the port of its destination
# MAC), next to ca's IPv4 lease.
gn_snoop_dnsmasq "sv$s" "$dir"
gn_dad_done "ca$s" "nb$s"
t0=$(date +%s%N)
timeout 15 ip netns exec "ca$s" dhclient -6 -1 -sf "$dir/dhclient.script" \
    -lf "$dir/ca.leases6" -pf "$dir/ca.pid6" eth0 > "$dir/dhclient.out" 2>&1
t1=$(date +%s%N)
gn_on_exit "kill \$(cat '$dir/ca.pid6' 2>/dev/null) 2>/dev/null"
la6=$(cat "$dir/ca$s.lease6" 2>/dev/null)
gn_check "dhclient-gets-servers-lease" bash -c \
    "[[ '$la6' == 2001:db8:20::1[0-4][0-9a-f] || '$la6' == 2001:db8:20::150 ]]"
gn_check "dhcpv6-lease-bound-to-port" gn_wait 10 gn_port_ips_are "pca$s" \
    "['$la', '$la6']"
echo "# dhclient -6 had its lease ${la6:-(none)} $(( (t1 - t0) / 1000000 ))" \
     "ms after it started, bound to its port" \
     "$(( ($(date +%s%N) - t1) / 1000000 )) ms later"
gn_check "api-says-both-leased" test "$(gn_port_field "pca$s" \
    "sorted(d['ips_leased']), sorted(d['lease_expires'])")" = \
    "(['$la', '$la6'], ['$la', '$la6'])"
gn_check "ping6-neighbour-from-lease" gn_wait 5 ip netns exec "ca$s" \
    ping -6 -c 1 -W 1 -I "$la6" 2001:db8:20::50
gn_capture_start "nb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "ca$s" "
b = Ether(src='$ca', dst='$nb')
tx(b / IPv6(src='2001:db8:20::220', dst='2001:db8:20::50') / UDP(dport=9)
   / mark('other-ipv6-address'),
   b / IPv6(src='$la6', dst='2001:db8:20::50') / UDP(dport=9)
   / mark('leased-ipv6-address'))
"
gn_capture_stop
gn_check_unseen "other-ipv6-address-dropped" "nb$s" other-ipv6-address
gn_check_seen "leased-ipv6-address-passes" "nb$s" leased-ipv6-address
# reply6 SRCMAC SRCIP DSTMAC ADDR VALID: a DHCPv6 REPLY with ADDR.
reply6() {
    echo "Ether(src='$1', dst='$3') / IPv6(src='$2', dst='fe80::1')
    / UDP(sport=547, dport=546) / DHCP6_Reply(trid=9)
    / DHCP6OptServerId(duid=DUID_LL(lladdr='$1'))
    / DHCP6OptClientId(duid=DUID_LL(lladdr='$3'))
    / DHCP6OptIA_NA(iaid=1, ianaopts=[DHCP6OptIAAddress(addr='$4',
                                       preflft=$5, validlft=$5)])"
}
taken0=$(gn_snoop refused taken) acks0=$(gn_snoop acks)
gn_scapy "nb$s" "
tx($(reply6 $nb fe80::5054:ff:fe20:50 $cc 2001:db8:20::200 600))"
gn_scapy "sv$s" "
tx($(reply6 $sv fe80::5054:ff:fe20:2 $cc 2001:db8:20::50 600))"
gn_check "dhcpv6-taken-refused" gn_wait 5 gn_snoop_refused_grew taken \
    "$taken0" 1
gn_check "dhcpv6-rogue-binds-nothing" gn_port_ips_are "pcc$s" \
    "['10.20.0.211']"
gn_check "dhcpv6-rogue-not-snooped" test "$(gn_snoop acks)" = "$acks0"
gn_scapy "sv$s" "
tx($(reply6 $sv fe80::5054:ff:fe20:2 $cc 2001:db8:20::200 600))"
gn_check "dhcpv6-server-reply-binds" gn_wait 10 gn_port_ips_are "pcc$s" \
    "['10.20.0.211', '2001:db8:20::200']"

# --- A restart keeps the bindings and changes no flow.
gn_check_restart_unchanged
gn_check "restart-keeps-leases" gn_port_ips_are "pca$s" "['$la', '$la6']"
gn_check "ping-after-restart" bash -c "ip netns exec ca$s ping -c 1 -W 2 \
    10.20.0.50 > /dev/null"

# --- In web (guestnet's DHCP): a port added before the server port keeps
# its assigned address; one added while it is there gets none.
"$GUESTNETCTL" port add "pwy$s" --kind kvm --network web > /dev/null
"$GUESTNETCTL" port add "pws$s" --kind kvm --network web --server \
    > /dev/null
"$GUESTNETCTL" port add "pwx$s" --kind kvm --network web > /dev/null
gn_check "assigned-before-server-stays" test "$(gn_port_field "pwy$s" \
    "[i for i in d['ips_assigned'] if ':' not in i]")" = "['10.10.0.2']"
gn_check "added-with-server-gets-none" test "$(gn_port_field "pwx$s" \
    "d['ips'], d['ips_assigned']")" = "([], [])"
gn_done
