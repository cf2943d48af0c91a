#!/bin/bash
# dhcp-release: in a network whose DHCP server is one of its ports (busybox
# udhcpd, dnsmasq for DHCPv6: tests/dhcp-snoop.sh), a client that gives
# its lease up (udhcpc -R on exit, dhclient -6 -r: a real RELEASE) loses
# its binding at once: its port no longer has the address nor reaches a
# neighbour from it (it did before), and the server's lease of the same
# address to a second client's port binds there (which then reaches the
# neighbour from it); a DHCPDECLINE (scapy) from the holder does the
# same, and so does a RELEASE with the server's ACK to another port right
# behind it.
# What must not unbind: a RELEASE by another port naming the lease, one
# with the holder's MAC as chaddr or as source MAC from another port, a
# RELEASE of a declared address, a truncated or malformed RELEASE from the
# holder itself: counted by reason, the holder keeps its lease and still
# reaches the neighbour; the holder's RELEASE in fragments or from another
# source port than 68, which would free the address at the server without
# guestnetd's copy, is dropped in the switch.  DHCPv6: another port's RELEASE of the lease
# unbinds nothing, the holder's (dhclient -6 -r) unbinds it.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_snoop_setup
s=$$
dir=$GN_SANDBOX_DIR
sv=52:54:00:20:00:02 ca=52:54:00:20:00:21 cb=52:54:00:20:00:22
nb=52:54:00:20:00:50

gn_snoop_ports $s $sv $nb ca=$ca cb=$cb
pca=$(gn_ofport "pca$s") pcb=$(gn_ofport "pcb$s")
gn_snoop_udhcpd "sv$s" "$dir"
gn_udhcpc_script "$dir/udhcpc.script"

# release4 SRCMAC CHADDR SRCIP CIADDR [TYPE [ADDR]]: a DHCPRELEASE (or
# TYPE, with ADDR as requested address) to the server, broadcast if SRCIP
# is 0.0.0.0 (a DECLINE).
release4() {
    local to="dst='$sv') / IP(src='$3', dst='10.20.0.2')"
    [ "$3" != 0.0.0.0 ] \
        || to="dst='ff:ff:ff:ff:ff:ff') / IP(src='$3', dst='255.255.255.255')"
    echo "Ether(src='$1', $to
    / UDP(sport=68, dport=67)
    / BOOTP(ciaddr='$4', chaddr=mac2str('$2'), xid=0x5151)
    / DHCP(options=[('message-type', '${5:-release}'),
                    ('server_id', '10.20.0.2'),
                    ${6:+('requested_addr', '$6'),} 'end'])"
}
# reaches NS MAC SRC TAG: a UDP datagram from MAC and address SRC in NS
# reaches nb.
reaches() {
    gn_capture_start "nb$s" || gn_fail capture-start "tcpdump did not start"
    gn_scapy "$1" "tx(udp4('$2', '$nb', '$3', '10.20.0.50', '$4'))"
    gn_capture_stop
    gn_captured "nb$s" "$4"
}
# releases_are N: guestnetd took N clients' RELEASEs and DECLINEs.
releases_are() { [ "$(gn_snoop releases)" = "$1" ]; }
# lease_of NS: the address of NS's udhcpc lease, or nothing.
lease_of() { cut -d' ' -f1 "$dir/$1.lease" 2>/dev/null; }
released0=$(gn_snoop released) releases0=$(gn_snoop releases)

# --- ca's udhcpc (release on exit) gets its lease, bound to pca.
LEASE_FILE=$dir/ca$s.lease ip netns exec "ca$s" busybox udhcpc -i eth0 -f \
    -R -t 5 -T 1 -A 1 -s "$dir/udhcpc.script" -p "$dir/udhcpc-ca.pid" \
    > "$dir/udhcpc-ca.log" 2>&1 &
gn_on_exit "kill $!"
gn_wait 20 test -s "$dir/ca$s.lease" \
    || gn_fail udhcpc-lease "$(cat "$dir/udhcpc-ca.log")"
la=$(lease_of "ca$s")
gn_check "udhcpc-gets-lease" bash -c "[[ '$la' == 10.20.0.1[0-5][0-9] ]]"
gn_check "lease-bound" gn_wait 10 gn_port_ips_are "pca$s" "['$la']"
gn_check "holder-reaches-neighbour" gn_wait 5 ip netns exec "ca$s" \
    ping -c 1 -W 1 10.20.0.50
gn_check "holder-sends-from-lease" reaches "ca$s" $ca "$la" from-lease
gn_check "trace-names-the-copy" bash -c "'$GUESTNETCTL' trace pca$s \
    dl_dst=$sv proto=udp nw_src=$la nw_dst=10.20.0.2 tp_src=68 tp_dst=67 \
    | grep -q '^allowed by l2-unicast, a copy sent to guestnetd by \
dhcp-client-snoop\$'"

# --- What must not unbind: cb's RELEASE and DECLINE of ca's lease (its own
# chaddr, or ca's MAC as chaddr), ca's MAC as cb's source MAC (dropped
# before it is copied: mac-spoof-drop), nb's RELEASE of its declared
# address, and ca's own RELEASE cut short or with an option longer than
# the message.
leased0=$(gn_snoop refused not-leased) mac0=$(gn_snoop refused not-port-mac)
malformed0=$(gn_snoop refused malformed)
other0=$(gn_snoop client_other)
gn_scapy "cb$s" "
tx($(release4 $cb $cb "$la" "$la"),
   $(release4 $cb $ca "$la" "$la"),
   $(release4 $ca $ca "$la" "$la"),
   $(release4 $cb $cb 0.0.0.0 0.0.0.0 decline "$la"))"
gn_scapy "nb$s" "tx($(release4 $nb $nb 10.20.0.50 10.20.0.50))"
gn_scapy "ca$s" "
r = bytes(($(release4 $ca $ca "$la" "$la"))[BOOTP])
cut = (Ether(src='$ca', dst='$sv') / IP(src='$la', dst='10.20.0.2')
       / UDP(sport=68, dport=67))
tx(cut / Raw(r[:200]),                                   # Truncated BOOTP.
   cut / Raw(r[:240] + bytes([53, 1, 7, 54, 9, 0])))     # Overlong option.
"
gn_check "other-ports-release-refused" gn_wait 5 gn_snoop_refused_grew \
    not-leased "$leased0" 3
gn_check "forged-chaddr-refused" gn_wait 5 gn_snoop_refused_grew \
    not-port-mac "$mac0" 1
gn_check "malformed-release-refused" gn_wait 5 gn_snoop_refused_grew \
    malformed "$malformed0" 2
gn_check_trace "forged-source-mac-dropped" "mac-spoof-drop:$pcb" \
    "in_port=$pcb,dl_src=$ca,dl_dst=$sv,udp,nw_src=$la,nw_dst=10.20.0.2,$(
    )udp_src=68,udp_dst=67"
gn_check "no-release-accepted" test "$(gn_snoop releases)" = "$releases0"
gn_check "holder-keeps-lease" gn_port_ips_are "pca$s" "['$la']"
gn_check "declared-address-kept" gn_port_ips_are "pnb$s" \
    "['10.20.0.50', '2001:db8:20::50']"
gn_check "holder-still-reaches-neighbour" reaches "ca$s" $ca "$la" \
    still-held
gn_check "other-client-messages-ignored" test "$(gn_snoop client_other)" \
    = "$other0"

# --- ca's RELEASE of its own lease that would reach the server without
# guestnetd's copy (the server would free the address ca keeps): in
# fragments, or from another source port than 68, whole.  Dropped in the
# switch (dhcp-client-drop), nothing counted by the snooping; the holder
# keeps its lease (the whole RELEASE from 68 below is the control).
client_drops() {
    curl -s --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/flows \
        | "$GN_PYTHON" -c "
import json, sys
rules = json.load(sys.stdin)['counters']['rules']
print(sum(r['packets'] for r in rules if r['rule'] == 'dhcp-client-drop'))"
}
drops0=$(client_drops) releases0=$(gn_snoop releases)
gn_scapy "ca$s" "
r = ($(release4 $ca $ca "$la" "$la")) / Raw(bytes(900))
r[IP].id = 0x4242
other = r.copy()
other[UDP].sport = 1234
tx(*fragment(r, 512), other)"
client_drops_reach() { [ "$(client_drops)" -ge "$1" ]; }
gn_check "fragmented-or-other-port-release-dropped" gn_wait 5 \
    client_drops_reach $((drops0 + 2))
gn_check "fragmented-release-not-taken" test "$(gn_snoop releases)" \
    = "$releases0"
gn_check "holder-keeps-lease-after-hidden-release" gn_port_ips_are "pca$s" \
    "['$la']"
ctl_trace() {  # ctl_trace FIELD=VALUE...: the summary line of ca's trace
    "$GUESTNETCTL" trace "pca$s" dl_dst=$sv proto=udp nw_src="$la" \
        nw_dst=10.20.0.2 tp_dst=67 "$@" | head -n 1
}
gn_check "trace-fragmented-release" test "$(ctl_trace frag=first \
    tp_src=68)" = "dropped by dhcp-client-drop"
gn_check "trace-release-from-other-port" test "$(ctl_trace tp_src=1234)" \
    = "dropped by dhcp-client-drop"
gn_check "trace-dhcp6-from-other-port" test "$("$GUESTNETCTL" trace \
    "pca$s" proto=udp6 nw_src=fe80::5054:ff:fe20:21 nw_dst=ff02::1:2 \
    tp_src=1234 tp_dst=547 \
    | head -n 1)" = "dropped by dhcp-client-drop"

# --- udhcpc exits: its RELEASE unbinds the lease.
kill -TERM "$(cat "$dir/udhcpc-ca.pid")"
gn_check "release-unbinds" gn_wait 10 gn_port_ips_are "pca$s" "[]"
gn_check "release-counted" test "$(( $(gn_snoop released) - released0 ))" = 1
gn_check "release-in-metrics" bash -c "curl -s --unix-socket \
    '$GUESTNET_SOCKET' http://localhost/metrics | grep -q \
    '^guestnet_dhcp_snoop_leases_total{event=\"released\"} [1-9]'"
gn_check "lease-gone-from-ovsdb" bash -c "! ovs-vsctl get Interface pca$s \
    external_ids:guestnet\\\\:ips-leased 2>/dev/null | grep -q $la"
gn_check_fails "released-address-dropped" reaches "ca$s" $ca "$la" released
gn_check_trace "trace-after-release" "ip-spoof-drop:$pca" \
    "in_port=$pca,dl_src=$ca,dl_dst=$nb,udp,nw_src=$la,nw_dst=10.20.0.50"

# --- The server leases the address to cb: bound there.
LEASE_FILE=$dir/cb$s.lease ip netns exec "cb$s" busybox udhcpc -i eth0 -n \
    -q -r "$la" -t 5 -T 1 -A 1 -s "$dir/udhcpc.script" \
    > "$dir/udhcpc-cb.log" 2>&1
if [ "$(lease_of "cb$s")" = "$la" ]; then gn_pass second-client-gets-address
else gn_fail second-client-gets-address "$(cat "$dir/udhcpc-cb.log")"; fi
gn_check "second-client-bound" gn_wait 10 gn_port_ips_are "pcb$s" "['$la']"
gn_check "second-client-reaches-neighbour" gn_wait 5 ip netns exec "cb$s" \
    ping -c 1 -W 1 10.20.0.50

# --- cb declines it (scapy): unbound.
releases0=$(gn_snoop releases)
gn_scapy "cb$s" "tx($(release4 $cb $cb 0.0.0.0 0.0.0.0 decline "$la"))"
gn_check "decline-accepted" gn_wait 5 releases_are $((releases0 + 1))
gn_check "decline-unbinds" gn_wait 10 gn_port_ips_are "pcb$s" "[]"

# --- A RELEASE and, right behind it, the server's ACK of the same
# address to another port (sent back to back from both namespaces by one
# process, before the unbinding's transaction): the ACK is not refused as
# "taken" and binds.
gn_scapy "sv$s" "tx($(gn_snoop_ack $sv 10.20.0.2 67 $ca $ca 10.20.0.230 600))"
gn_check "server-ack-binds-holder" gn_wait 10 gn_port_ips_are "pca$s" \
    "['10.20.0.230']"
taken0=$(gn_snoop refused taken)
ip netns exec "ca$s" "$GN_PYTHON" -c "
import ctypes, os, socket
from scapy.all import *
libc = ctypes.CDLL(None, use_errno=True)
def eth0_of(ns):
    fd = os.open('/run/netns/' + ns, os.O_RDONLY)
    assert libc.setns(fd, 0x40000000) == 0      # CLONE_NEWNET
    os.close(fd)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(('eth0', 0))
    return s
rel = bytes($(release4 $ca $ca 10.20.0.230 10.20.0.230))
ack = bytes($(gn_snoop_ack $sv 10.20.0.2 67 $cb $cb 10.20.0.230 600))
a, b = eth0_of('ca$s'), eth0_of('sv$s')
a.send(rel)
b.send(ack)"
gn_check "release-then-ack-unbinds-holder" gn_wait 10 gn_port_ips_are \
    "pca$s" "[]"
gn_check "release-then-ack-binds-new-port" gn_wait 10 gn_port_ips_are \
    "pcb$s" "['10.20.0.230']"
gn_check "release-then-ack-not-taken" test "$(gn_snoop refused taken)" \
    = "$taken0"

# --- DHCPv6: ca's dhclient -6 gets a lease; cb's RELEASE of it, ca's
# own with a wrong checksum or without an IA_NA unbind nothing, ca's own
# (dhclient -6 -r) does.
gn_snoop_dnsmasq "sv$s" "$dir"
gn_dad_done "ca$s" "nb$s"
timeout 15 ip netns exec "ca$s" dhclient -6 -1 -sf "$dir/dhclient.script" \
    -lf "$dir/ca.leases6" -pf "$dir/ca.pid6" eth0 > "$dir/dhclient.out" 2>&1
gn_on_exit "kill \$(cat '$dir/ca.pid6' 2>/dev/null) 2>/dev/null"
la6=$(cat "$dir/ca$s.lease6" 2>/dev/null)
[ -n "$la6" ] || gn_fail dhclient6-lease "$(cat "$dir/dhclient.out")"
gn_check "dhcpv6-lease-bound" gn_wait 10 gn_port_ips_are "pca$s" "['$la6']"
leased0=$(gn_snoop refused not-leased) releases0=$(gn_snoop releases)
malformed0=$(gn_snoop refused malformed)
# release6 MAC LL [IA...]: a DHCPv6 RELEASE of ca's from MAC and LL.
release6() {
    echo "Ether(src='$1', dst='33:33:00:01:00:02')
    / IPv6(src='$2', dst='ff02::1:2') / UDP(sport=546, dport=547)
    / DHCP6_Release(trid=5) / DHCP6OptClientId(duid=DUID_LL(lladdr='$ca'))
    / DHCP6OptServerId(duid=DUID_LL(lladdr='$sv'))${3:+ / $3}"
}
ia="DHCP6OptIA_NA(iaid=1, ianaopts=[DHCP6OptIAAddress(addr='$la6')])"
gn_scapy "cb$s" "tx($(release6 $cb fe80::5054:ff:fe20:22 "$ia"))"
# ca's own, with a wrong UDP checksum and without an IA_NA.
gn_scapy "ca$s" "
bad = ($(release6 $ca fe80::5054:ff:fe20:21 "$ia"))
bad[UDP].chksum = 0x1234
tx(bad, $(release6 $ca fe80::5054:ff:fe20:21))"
gn_check "dhcpv6-other-ports-release-refused" gn_wait 5 \
    gn_snoop_refused_grew not-leased "$leased0" 2
gn_check "dhcpv6-bad-checksum-refused" gn_wait 5 \
    gn_snoop_refused_grew malformed "$malformed0" 1
gn_check "dhcpv6-no-release-accepted" test "$(gn_snoop releases)" \
    = "$releases0"
gn_check "dhcpv6-holder-keeps-lease" gn_port_ips_are "pca$s" "['$la6']"
gn_check "dhcpv6-holder-reaches-neighbour" gn_wait 5 ip netns exec "ca$s" \
    ping -6 -c 1 -W 1 -I "$la6" 2001:db8:20::50
timeout 15 ip netns exec "ca$s" dhclient -6 -r -sf "$dir/dhclient.script" \
    -lf "$dir/ca.leases6" -pf "$dir/ca.pid6" eth0 >> "$dir/dhclient.out" 2>&1
gn_check "dhcpv6-release-unbinds" gn_wait 10 gn_port_ips_are "pca$s" "[]"
gn_check "dhcpv6-released-address-dropped" bash -c "! ip netns exec ca$s \
    ping -6 -c 1 -W 1 -I $la6 2001:db8:20::50"
gn_done
