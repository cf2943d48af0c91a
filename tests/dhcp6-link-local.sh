#!/bin/bash
# dhcp6-link-local: a guest's IPv6 link-local address is whatever it picks
# (here the kernel's stable-privacy address, addrgenmode random), bound to
# its port on first use and nobody else's.  The guest's duplicate address
# detection or first packet binds it (recorded on the port, shown by the
# API); the guest then reaches a neighbour's link-local address and the
# neighbour its own.  Another port that claims the same address (DAD probe,
# unsolicited advertisement, traffic, its kernel configured with it) is
# dropped and the victim's neighbour table keeps the owner's MAC, while
# the same frames for the sender's own link-local address pass (positive
# controls).  A port binds at most 4 besides its EUI-64 one: the fifth is
# refused and counted, the fourth passes.  trace names the rules; a
# restart of guestnetd keeps the bindings and sends no flow_mod.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy
gn_guestnetd_setup
s=$$
wa=52:54:00:10:00:11 wb=52:54:00:10:00:12 wc=52:54:00:10:00:13
gn_lxc_guest "wa$s" "pwa$s" web $wa 10.10.0.11 2001:db8:10::11
gn_lxc_guest "wb$s" "pwb$s" web $wb 10.10.0.12 2001:db8:10::12
gn_lxc_guest "wc$s" "pwc$s" web $wc 10.10.0.13 2001:db8:10::13
pwa=$(gn_ofport "pwa$s") pwc=$(gn_ofport "pwc$s")
llb=fe80::5054:ff:fe10:12 llc=fe80::5054:ff:fe10:13
gn_dad_done "wa$s" "wb$s" "wc$s"

# port_lls PORT: the port's bound link-local addresses, as the API says.
port_lls() {
    curl -s --unix-socket "$GUESTNET_SOCKET" \
        "http://localhost/v1/ports/$1" | "$GN_PYTHON" -c "import json, sys
print(' '.join(json.load(sys.stdin)['link_locals']))"
}
# port_lls_are PORT ADDRS: port_lls PORT prints ADDRS.
port_lls_are() { [ "$(port_lls "$1")" = "$2" ]; }
status() {
    timeout 10 "$GUESTNETCTL" --json status | "$GN_PYTHON" -c \
        "import json, sys; print(json.load(sys.stdin)['link_locals']['$1'])"
}
# grew COUNTER BEFORE N: the status counter grew by N or more.
grew() { [ $(( $(status "$1") - $2 )) -ge "$3" ]; }
# has_ll PORT ADDR: ADDR is among the port's bound link-local addresses.
has_ll() { port_lls "$1" | grep -qw -- "$2"; }

# --- wa's kernel picks a stable-privacy link-local address.
ip -n "wa$s" link set eth0 down
ip -n "wa$s" link set eth0 addrgenmode random
ip -n "wa$s" -6 addr flush dev eth0
ip -n "wa$s" link set eth0 up
gn_dad_done "wa$s"
lla=$(ip -n "wa$s" -6 addr show dev eth0 scope link \
      | sed -n 's/.*inet6 \(fe80::[0-9a-f:]*\)\/64.*/\1/p' | head -n 1)
echo "# wa's link-local address: $lla"
gn_check "stable-privacy-address-is-not-eui64" test -n "$lla" -a \
    "$lla" != fe80::5054:ff:fe10:11
ip netns exec "wa$s" ping -6 -c 1 -W 1 "$llb%eth0" > /dev/null 2>&1
gn_check "bound-on-first-use" gn_wait 10 port_lls_are "pwa$s" "$lla"
gn_check "recorded-on-the-port" bash -c "ovs-vsctl get Interface pwa$s \
    external_ids:guestnet\\\\:link-locals | grep -q '$lla'"
gn_check "ping-neighbours-link-local" gn_wait 5 ip netns exec "wa$s" \
    ping -6 -c 1 -W 1 "$llb%eth0"
gn_check "neighbour-pings-it-back" ip netns exec "wb$s" ping -6 -c 1 -W 2 \
    "$lla%eth0"
gn_check "neighbour-entry-has-owners-mac" bash -c "ip -n wb$s -6 neigh \
    show $lla | grep -q $wa"

# From its bound address, wa's router solicitation and DHCPv6 SOLICIT
# are answered, to that address.
gn_check "services-answer-the-bound-address" test "$(gn_scapy "wa$s" "
conf.checkIPaddr = False     # (The answer comes from another address.)
ll = '$lla'
rs = srp1(Ether(src='$wa', dst='33:33:00:00:00:02')
          / IPv6(src=ll, dst='ff02::2', hlim=255) / ICMPv6ND_RS(),
          iface='eth0', timeout=3, filter='icmp6 and ip6[40] == 134')
sol = srp1(Ether(src='$wa', dst='33:33:00:01:00:02')
           / IPv6(src=ll, dst='ff02::1:2') / UDP(sport=546, dport=547)
           / DHCP6_Solicit(trid=77)
           / DHCP6OptClientId(duid=DUID_LL(lladdr='$wa'))
           / DHCP6OptIA_NA(iaid=1), iface='eth0', timeout=3,
           filter='udp and src port 547')
print(rs is not None and rs[IPv6].dst == ll,
      sol is not None and sol[IPv6].dst == ll
      and DHCP6_Advertise in sol and sol[DHCP6_Advertise].trid == 77)
")" = "True True"

# --- wc claims wa's address: DAD probe, advertisement, traffic.  The
# same frames for wc's own link-local address pass.
bound0=$(status bound)
gn_check_ll_claim "wc$s" $wc $llc "$lla" $wa "wa$s" "wb$s" $wb $llb
gn_check "claim-not-bound" test "$(port_lls "pwc$s")" = ""
gn_check "owner-keeps-its-binding" test "$(port_lls "pwa$s")" = "$lla"
gn_check "owner-still-reaches-neighbour" ip netns exec "wa$s" ping -6 -c 1 \
    -W 2 "$llb%eth0"
c="in_port=$pwc,dl_src=$wc"
gn_check_trace "trace-traffic-from-owned-link-local" \
    "link-local-taken-drop:$pwa" \
    "udp6,$c,dl_dst=$wb,ipv6_src=$lla,ipv6_dst=$llb,nw_ttl=64,udp_dst=9"
gn_check_trace "trace-dad-for-owned-link-local" \
    "link-local-taken-drop:$pwa" \
    "icmp6,$c,dl_dst=33:33:ff:00:00:01,ipv6_src=::,\
ipv6_dst=ff02::1:ff00:1,nw_ttl=255,icmpv6_type=135,icmpv6_code=0,\
nd_target=$lla"
gn_check_trace "trace-traffic-from-free-link-local" \
    "link-local-punt:$pwc" \
    "udp6,$c,dl_dst=$wb,ipv6_src=fe80::77,ipv6_dst=$llb,nw_ttl=64,udp_dst=9"
gn_check "guestnetctl-trace-names-link-local-taken-drop" bash -c \
    "'$GUESTNETCTL' trace pwc$s dl_dst=$wb proto=udp6 nw_src=$lla \
    nw_dst=$llb tp_dst=9 | grep -q 'dropped by link-local-taken-drop'"
gn_check "guestnetctl-trace-names-link-local-punt" bash -c \
    "'$GUESTNETCTL' trace pwc$s dl_dst=$wb proto=udp6 nw_src=fe80::77 \
    nw_dst=$llb tp_dst=9 | grep -q 'sent to guestnetd by link-local-punt'"

# --- The cap: wc binds four more (by DAD probe and by traffic); the
# fifth is refused, the fourth passes.
refused0=$(status refused)
for i in 1 2 3 4 5; do
    gn_scapy "wc$s" "
import socket
tgt = 'fe80::c:$i'
m = in6_getnsma(inet_pton(socket.AF_INET6, tgt))
if $i % 2:
    tx(Ether(src='$wc', dst=in6_getnsmac(m))
       / IPv6(src='::', dst=inet_ntop(socket.AF_INET6, m), hlim=255)
       / ICMPv6ND_NS(tgt=tgt))
else:
    tx(Ether(src='$wc', dst='$wb') / IPv6(src=tgt, dst='$llb')
       / UDP(dport=9) / mark('bind-$i'))
"
    # (The fifth is never bound: this waits its 5 s.)
    gn_wait 5 has_ll "pwc$s" "fe80::c:$i" || true
done
echo "# wc's link-local addresses: $(port_lls "pwc$s")"
gn_check "four-bound" test "$(port_lls "pwc$s")" = \
    "fe80::c:1 fe80::c:2 fe80::c:3 fe80::c:4"
gn_check "fifth-refused-and-counted" gn_wait 5 grew refused "$refused0" 1
gn_check "bindings-counted" test "$(status bound)" -ge $(( bound0 + 4 ))
gn_check "port-show-lists-link-locals" bash -c "'$GUESTNETCTL' port show \
    pwc$s | grep -q 'link-locals .*fe80::c:4'"
gn_wait 5 gn_settled
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wc$s" "
for i in (4, 5):
    tx(Ether(src='$wc', dst='$wb') / IPv6(src='fe80::c:%d' % i, dst='$llb')
       / UDP(dport=9) / mark('cap-%d' % i))
"
gn_capture_stop
gn_check_seen "fourth-passes" "wb$s" cap-4
gn_check_unseen "fifth-dropped" "wb$s" cap-5

# --- A restart keeps the bindings and changes no flow.
gn_check_restart_unchanged
gn_check "restart-keeps-bindings" test "$(port_lls "pwa$s")" = "$lla"
gn_check "ping-after-restart" ip netns exec "wa$s" ping -6 -c 1 -W 2 \
    "$llb%eth0"
gn_done
