#!/bin/bash
# pipeline-guard-nd: neighbour solicitations and advertisements pass only
# if OVS and the receiver's kernel read the same link-layer address in them
# (the port's own); duplicate address detection probes and advertisements
# are for the port's own addresses only; a port without declared addresses
# (where guestnet assigns none: "dhcp": false) may not take its network's
# gateway, network or anycast addresses (as source, ARP sender, ARP probe
# or ND target), nor another port's (tests/pipeline-undeclared.sh), and
# once it took its own on first use (tests/address-learn.sh) sends ND and
# ARP for them only.  Variants of each crafted
# with scapy (option orders, duplicate, zero, wrong-length and zero-length
# options, a nonce, multicast and unicast, a VLAN tag), the honest shape of
# each passing; then the victim's neighbour cache after poisoning attempts
# and its duplicate address detection under an attacker answering it.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup_no_dhcp
s=$$
wa=52:54:00:10:00:11 wb=52:54:00:10:00:12 wc=52:54:00:10:00:13
gw=0a:00:00:00:00:0a
gn_lxc_guest "wa$s" "pwa$s" web $wa 10.10.0.11 2001:db8:10::11
gn_lxc_guest "wb$s" "pwb$s" web $wb 10.10.0.12 2001:db8:10::12
gn_lxc_guest "wc$s" "pwc$s" web $wc
pwa=$(gn_ofport "pwa$s") pwc=$(gn_ofport "pwc$s")
lla=fe80::5054:ff:fe10:11 llc=fe80::5054:ff:fe10:13
for ns in "wa$s" "wb$s" "wc$s"; do
    gn_wait 10 bash -c "ip -n $ns -6 addr show dev eth0 | grep -q fe80 \
        && ! ip -n $ns -6 addr show dev eth0 | grep -q tentative" \
        || gn_fail "dad-done-$ns" "addresses of $ns still tentative"
done
# wc, without addresses yet, may not take the gateway's; then it takes
# 10.10.0.77 and 2001:db8:10::77 on first use, its own from then on.
c="in_port=$pwc,dl_src=$wc"
gn_check_trace "trace-undeclared-arp-as-gateway" "gateway-spoof-drop:10" \
    "$c,dl_dst=$wb,arp,arp_op=2,arp_spa=10.10.0.1,arp_sha=$wc"
gn_check_trace "trace-undeclared-na-for-gateway" "gateway-spoof-drop:10" \
    "$c,dl_dst=$wb,icmp6,icmpv6_code=0,ipv6_src=$llc,icmpv6_type=136,\
nd_target=2001:db8:10::1,nd_tll=$wc"
gn_check "undeclared-port-learns-its-addresses" gn_learn "wc$s" "pwc$s" \
    $wc 10.10.0.77 2001:db8:10::77

lib="
import os, socket
def opt(kind, mac, units=1):
    b = bytes([kind, units]) + mac2str(mac)
    return b + bytes(8 * units - len(b))
sll = lambda mac, units=1: opt(1, mac, units)
tll = lambda mac, units=1: opt(2, mac, units)
zero_len = bytes([200, 0]) + bytes(6)
nonce = bytes([14, 1]) + os.urandom(6)
def ns(tag, src, tgt, *opts, mac='$wa', dst=None, code=0, vlan=None):
    if dst is None:
        dst = inet_ntop(socket.AF_INET6, in6_getnsma(
            inet_pton(socket.AF_INET6, tgt)))
    l2 = Ether(src=mac, dst=in6_getnsmac(inet_pton(socket.AF_INET6, dst))
               if dst.startswith('ff') else '$wb')
    if vlan:
        l2 = l2 / Dot1Q(vlan=vlan)
    return (l2 / IPv6(src=src, dst=dst, hlim=255)
            / ICMPv6ND_NS(tgt=tgt, code=code) / Raw(b''.join(opts))
            / ndmark(tag))
def na(tag, src, tgt, *opts, mac='$wa', dst='2001:db8:10::12', o=1, s=1):
    l2 = Ether(src=mac, dst=in6_getnsmac(inet_pton(socket.AF_INET6, dst))
               if dst.startswith('ff') else '$wb')
    return (l2 / IPv6(src=src, dst=dst, hlim=255)
            / ICMPv6ND_NA(tgt=tgt, R=0, S=s, O=o) / Raw(b''.join(opts))
            / ndmark(tag))
def arp(tag, op, sha, spa, tpa, mac, dst='ff:ff:ff:ff:ff:ff'):
    return (Ether(src=mac, dst=dst) / ARP(op=op, hwsrc=sha, psrc=spa,
            hwdst='00:00:00:00:00:00' if op == 1 else '$wb', pdst=tpa)
            / mark(tag))
def u(tag, src, mac):
    ip = IPv6(src=src, dst='2001:db8:10::12') if ':' in src else IP(
        src=src, dst='10.10.0.12')
    return Ether(src=mac, dst='$wb') / ip / UDP(sport=4000, dport=9) \\
        / mark(tag)
"
gn_capture_start "wb$s" "wc$s" \
    || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "$lib
me, own = '2001:db8:10::11', '$wa'
t = '2001:db8:10::12'
tx(ns('ns-own-sll', me, t, sll(own)),
   ns('ns-own-sll-unicast', me, t, sll(own), dst=t),
   ns('ns-own-sll-after-unknown-option', me, t, opt(200, own), sll(own)),
   ns('ns-link-local-own-sll', '$lla', t, sll(own)),
   ns('ns-dup-sll-neighbour-first', me, t, sll('$wc'), sll(own)),
   ns('ns-dup-sll-own-first', me, t, sll(own), sll('$wc')),
   ns('ns-without-sll', me, t),
   ns('ns-without-sll-unicast', me, t, dst=t),
   ns('ns-zero-sll', me, t, sll('00:00:00:00:00:00')),
   ns('ns-zero-then-neighbour-sll', me, t, sll('00:00:00:00:00:00'),
      sll('$wc')),
   ns('ns-zero-length-option-then-neighbour', me, t, zero_len,
      sll('$wc')),
   ns('ns-neighbour-sll-only', me, t, sll('$wc')),
   ns('ns-code-1', me, t, sll('$wc'), code=1),
   ns('ns-vlan-tagged', me, t, sll('$wc'), sll(own), vlan=10),
   ns('dad-own', '::', me),
   ns('dad-own-with-nonce', '::', me, nonce),
   ns('dad-own-link-local', '::', '$lla', nonce),
   ns('dad-neighbours-address', '::', t, nonce),
   ns('dad-gateway-address', '::', '2001:db8:10::1'),
   ns('dad-with-sll', '::', me, sll(own)),
   na('na-own-tll', '$lla', me, tll(own)),
   na('na-own-without-tll', me, me, s=1, o=0),
   na('na-own-tll-multicast', '$lla', me, tll(own), dst='ff02::1', s=0),
   na('na-dup-tll-neighbour-first', '$lla', me, tll('$wc'), tll(own)),
   na('na-dup-tll-own-first', '$lla', me, tll(own), tll('$wc')),
   na('na-neighbours-target', '$lla', t, tll(own)),
   na('na-defends-neighbours-address', '$lla', t, tll(own), dst='ff02::1',
      s=0),
   arp('arp-probe-own', 1, own, '0.0.0.0', '10.10.0.11', own),
   arp('arp-probe-neighbours-address', 1, own, '0.0.0.0', '10.10.0.12',
       own))
"
gn_scapy "wc$s" "$lib
own = '$wc'
tx(ns('undeclared-dad-free-address', '::', '2001:db8:10::77', nonce,
      mac=own),
   ns('undeclared-dad-gateway', '::', '2001:db8:10::1', nonce, mac=own),
   ns('undeclared-dad-anycast', '::', '2001:db8:10::', nonce, mac=own),
   ns('undeclared-ns-for-gateway', '$llc', '2001:db8:10::1', sll(own),
      mac=own),
   na('undeclared-na-free-address', '$llc', '2001:db8:10::77', tll(own),
      mac=own),
   na('undeclared-na-gateway', '$llc', '2001:db8:10::1', tll(own),
      mac=own, dst='ff02::1', s=0),
   na('undeclared-na-anycast', '$llc', '2001:db8:10::', tll(own), mac=own),
   arp('undeclared-arp-own', 2, own, '10.10.0.77', '10.10.0.12', own,
       dst='$wb'),
   arp('undeclared-arp-probe-free', 1, own, '0.0.0.0', '10.10.0.77', own),
   arp('undeclared-arp-reply-gateway', 2, own, '10.10.0.1', '10.10.0.12',
       own, dst='$wb'),
   arp('undeclared-gratuitous-gateway', 1, own, '10.10.0.1', '10.10.0.1',
       own),
   arp('undeclared-arp-probe-gateway', 1, own, '0.0.0.0', '10.10.0.1',
       own),
   arp('undeclared-arp-reply-broadcast-address', 2, own, '10.10.0.255',
       '10.10.0.12', own, dst='$wb'),
   u('undeclared-udp-from-free-address', '10.10.0.77', own),
   u('undeclared-udp-from-gateway', '10.10.0.1', own),
   u('undeclared-udp-from-network-address', '10.10.0.0', own),
   u('undeclared-udp6-from-gateway', '2001:db8:10::1', own),
   u('undeclared-udp6-from-anycast', '2001:db8:10::', own))
"
gn_capture_stop
for tag in ns-own-sll ns-own-sll-unicast ns-own-sll-after-unknown-option \
           ns-link-local-own-sll dad-own dad-own-with-nonce \
           dad-own-link-local na-own-tll na-own-without-tll \
           na-own-tll-multicast arp-probe-own undeclared-dad-free-address \
           undeclared-na-free-address undeclared-arp-own \
           undeclared-arp-probe-free undeclared-udp-from-free-address; do
    gn_check_seen "$tag-passes" "wb$s" "$tag"
done
# A solicitation for the gateway passes the guards and is answered by the
# switch: the advertisement, the solicitation turned round, keeps its mark.
gn_check "undeclared-ns-for-gateway-answered" bash -c \
    "tcpdump -r '$GN_CAPDIR/wc$s.pcap' -w - \
         'ether src $gw and icmp6 and ip6[40] == 136' 2>/dev/null \
     | grep -qaF 'GN[undeclared-ns-for-gateway]'"
gn_check_unseen "undeclared-ns-for-gateway-not-flooded" "wb$s" \
    undeclared-ns-for-gateway
for tag in ns-dup-sll-neighbour-first ns-dup-sll-own-first ns-without-sll \
           ns-without-sll-unicast ns-zero-sll ns-zero-then-neighbour-sll \
           ns-zero-length-option-then-neighbour ns-neighbour-sll-only \
           ns-code-1 ns-vlan-tagged dad-neighbours-address \
           dad-gateway-address dad-with-sll na-dup-tll-neighbour-first \
           na-dup-tll-own-first na-neighbours-target \
           na-defends-neighbours-address \
           arp-probe-neighbours-address undeclared-dad-gateway \
           undeclared-dad-anycast undeclared-na-gateway \
           undeclared-na-anycast undeclared-arp-reply-gateway \
           undeclared-gratuitous-gateway undeclared-arp-probe-gateway \
           undeclared-arp-reply-broadcast-address \
           undeclared-udp-from-gateway undeclared-udp-from-network-address \
           undeclared-udp6-from-gateway undeclared-udp6-from-anycast; do
    gn_check_unseen "$tag-dropped" "wb$s" "$tag"
done

# The victim's neighbour cache.  Entries for wa's address, the gateways and
# a free address, stale so that any message may override them (locktime 0);
# then the poisoning attempts, and last an unsolicited advertisement and
# ARP reply from wc for the free addresses that do pass: once the victim
# took those, it had taken the attempts before them too.  Some attempts
# pass OVS on purpose, as Linux discards them (a link-layer option of the
# wrong length first, p2 and p6; a zero-length option, p7): the cache
# shows that it does.
ip netns exec "wb$s" sysctl -qw net.ipv4.neigh.eth0.locktime=0
for e in "2001:db8:10::11 $wa" "2001:db8:10::1 $gw" \
         "2001:db8:10::77 02:00:00:00:00:01" "10.10.0.1 $gw" \
         "10.10.0.77 02:00:00:00:00:01"; do
    ip -n "wb$s" neigh replace ${e% *} lladdr ${e#* } dev eth0 nud stale
done
gn_scapy "wa$s" "$lib
me, own, t = '2001:db8:10::11', '$wa', '2001:db8:10::12'
tx(ns('p1', me, t, sll('$wc'), sll(own)),
   ns('p2', me, t, sll('$wc', 2), sll(own)),
   ns('p3', me, t, sll('00:00:00:00:00:00'), sll('$wc')),
   ns('p4', me, t, zero_len, sll('$wc')),
   na('p5', '$lla', me, tll('$wc'), tll(own), s=0),
   na('p6', '$lla', me, tll('$wc', 2), tll(own), s=0),
   na('p7', '$lla', me, zero_len, tll('$wc'), s=0))
"
gn_scapy "wc$s" "$lib
own = '$wc'
tx(na('p8', '$llc', '2001:db8:10::1', tll(own), mac=own, s=0),
   arp('p9', 2, own, '10.10.0.1', '10.10.0.12', own, dst='$wb'),
   arp('p10', 1, own, '10.10.0.1', '10.10.0.1', own),
   na('c1', '$llc', '2001:db8:10::77', tll(own), mac=own, s=0),
   arp('c2', 2, own, '10.10.0.77', '10.10.0.12', own, dst='$wb'))
"
lladdr() { ip -n "wb$s" neigh show "$1" dev eth0 | awk '{print $3}'; }
gn_check "control-na-overrides-stale-entry" gn_wait 5 bash -c \
    "ip -n wb$s neigh show 2001:db8:10::77 dev eth0 | grep -q $wc"
gn_check "control-arp-overrides-stale-entry" gn_wait 5 bash -c \
    "ip -n wb$s neigh show 10.10.0.77 dev eth0 | grep -q $wc"
gn_check "victim-cache-of-attacker-not-poisoned" \
    test "$(lladdr 2001:db8:10::11)" = $wa
gn_check "victim-cache-of-ipv6-gateway-kept" \
    test "$(lladdr 2001:db8:10::1)" = $gw
gn_check "victim-cache-of-ipv4-gateway-kept" test "$(lladdr 10.10.0.1)" = $gw

# Duplicate address detection under attack: wa answers every probe it sees
# with an advertisement for the probed address and probes for it itself.
# wc (no declared addresses) then configures 2001:db8:10::77, the address
# it took on first use, which must become
# valid.  The control: wc's probe for wa's own 2001:db8:10::11 never
# reaches wa (address-taken-drop), but wa's own advertisement of it, sent
# while wc's copy is tentative, must fail wc's detection.
gn_scapy_serve "wa$s" icmp6 "$GN_SANDBOX_DIR/deny" "
def answer(p):
    if ICMPv6ND_NS not in p or p[IPv6].src != '::' or p.src == '$wa':
        return
    tgt = p[ICMPv6ND_NS].tgt
    sendp([Ether(src='$wa', dst='33:33:00:00:00:01')
           / IPv6(src='$lla', dst='ff02::1', hlim=255)
           / ICMPv6ND_NA(tgt=tgt, R=0, S=0, O=1)
           / ICMPv6NDOptDstLLAddr(lladdr='$wa'),
           Ether(src='$wa', dst=p.dst) / IPv6(src='::', dst=p[IPv6].dst,
                                             hlim=255)
           / ICMPv6ND_NS(tgt=tgt)], iface='eth0')
    open('$GN_SANDBOX_DIR/deny.targets', 'a').write(tgt + ' ')
"
ip netns exec "wc$s" sysctl -qw net.ipv6.conf.eth0.accept_dad=1
ip netns exec "wc$s" sysctl -qw net.ipv6.conf.eth0.dad_transmits=10
ip -n "wc$s" addr add 2001:db8:10::11/64 dev eth0
gn_scapy "wa$s" "
tx(Ether(src='$wa', dst='33:33:00:00:00:01')
   / IPv6(src='$lla', dst='ff02::1', hlim=255)
   / ICMPv6ND_NA(tgt='2001:db8:10::11', R=0, S=0, O=1)
   / ICMPv6NDOptDstLLAddr(lladdr='$wa'))
"
gn_check "control-dad-fails-for-wa-address" gn_wait 10 bash -c \
    "ip -n wc$s -6 addr show dev eth0 | grep -A1 2001:db8:10::11 \
     | grep -q dadfailed"
ip -n "wc$s" addr del 2001:db8:10::11/64 dev eth0
ip netns exec "wc$s" sysctl -qw net.ipv6.conf.eth0.dad_transmits=1
ip -n "wc$s" addr add 2001:db8:10::77/64 dev eth0
gn_check "dad-of-free-address-completes" gn_wait 10 bash -c \
    "ip -n wc$s -6 addr show dev eth0 | grep -A1 2001:db8:10::77 \
     | grep -v tentative | grep -q 'valid_lft'"
gn_check "dad-of-free-address-not-failed" bash -c \
    "! ip -n wc$s -6 addr show dev eth0 | grep -A1 2001:db8:10::77 \
     | grep -q dadfailed"
gn_check "attacker-answered-free-address-probe" gn_wait 5 bash -c \
    "grep -q '2001:db8:10::77 ' $GN_SANDBOX_DIR/deny.targets"
gn_check "probe-for-wa-address-never-reached-wa" bash -c \
    "! grep -q '2001:db8:10::11 ' $GN_SANDBOX_DIR/deny.targets"

f="in_port=$pwa,dl_src=$wa,dl_dst=$wb,icmp6,icmpv6_code=0"
gn_check_trace "trace-ns-without-sll" "nd-option-drop:0" \
    "$f,ipv6_src=2001:db8:10::11,icmpv6_type=135,nd_target=2001:db8:10::12"
gn_check_trace "trace-ns-options-cleared" "nd-option-drop:0" \
    "$f,ipv6_src=2001:db8:10::11,icmpv6_type=135,nd_target=::"
gn_check_trace "trace-dad-for-neighbour" "dad-drop:0" \
    "$f,ipv6_src=::,icmpv6_type=135,nd_target=2001:db8:10::12"
gn_check_trace "trace-na-without-tll" "l2-unicast:$(gn_ofport "pwb$s")" \
    "$f,ipv6_src=$lla,icmpv6_type=136,nd_target=2001:db8:10::11"
gn_check_trace "trace-arp-probe-for-neighbour" "dad-drop:0" \
    "in_port=$pwa,dl_src=$wa,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1,\
arp_spa=0.0.0.0,arp_tpa=10.10.0.12,arp_sha=$wa"
# The same verdicts from guestnetctl trace (nd_target, nd_sll, nd_tll),
# with the frames that pass as the control.
ctl_trace() {  # ctl_trace FIELD=VALUE...: the summary line of wa's trace
    "$GUESTNETCTL" trace "pwa$s" dl_dst=$wb proto=icmp6 "$@" | head -n 1
}
gn_check "ctl-trace-ns-without-sll" test "$(ctl_trace icmp_type=135 \
    nd_target=2001:db8:10::12)" = "dropped by nd-option-drop"
gn_check "ctl-trace-ns-with-own-sll" test "$(ctl_trace icmp_type=135 \
    nd_target=2001:db8:10::12 nd_sll=$wa)" = "allowed by l2-unicast"
gn_check "ctl-trace-ns-with-other-sll" test "$(ctl_trace icmp_type=135 \
    nd_target=2001:db8:10::12 nd_sll=$wb)" = "dropped by nd-spoof-drop"
gn_check "ctl-trace-dad-for-neighbour" test "$(ctl_trace icmp_type=135 \
    nw_src=:: nd_target=2001:db8:10::12)" = "dropped by dad-drop"
gn_check "ctl-trace-na-for-neighbour" test "$(ctl_trace icmp_type=136 \
    nd_target=2001:db8:10::12 nd_tll=$wa)" = "dropped by nd-spoof-drop"
gn_check "ctl-trace-na-for-own-address" test "$(ctl_trace icmp_type=136 \
    nd_target=2001:db8:10::11 nd_tll=$wa)" = "allowed by l2-unicast"
gn_done
