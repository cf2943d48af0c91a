#!/bin/bash
# pipeline-neighbour: ARP and IPv6 neighbour discovery cannot lie (rule 4):
# ARP's sender address and sender MAC, a neighbour solicitation's source
# link-layer address (which a solicitation from a real address must
# carry), a neighbour advertisement's target and target link-layer address
# must be the guest's own.  Honest ARP and ND (and probes for the guest's
# own addresses) pass.  Real frames crafted with scapy,
# captured on the receiving guest; verdicts checked with ofproto/trace.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup
s=$$
gn_pipeline_guests -6 wa wb
liar=52:54:00:10:00:99

gn_check "arp-resolution-works" ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12
gn_check "nd-resolution-works" \
    gn_wait 5 ip netns exec "wa$s" ping -c 1 -W 1 2001:db8:10::12

gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
arp() {  # arp OP SHA SPA TAG [TPA]: to wb's address unless TPA is given
    local dst=ff:ff:ff:ff:ff:ff
    [ "$1" = 2 ] && dst=$wb
    echo "Ether(src='$wa', dst='$dst') / ARP(op=$1, hwsrc='$2', psrc='$3', \
hwdst='$wb', pdst='${5:-10.10.0.12}') / mark('$4'),"
}
ns() {  # ns SRC SLL TAG [TARGET]: a solicitation for wb's address unless
        # TARGET is given (SLL '' = none)
    local opt="" tgt=${4:-2001:db8:10::12}
    [ -n "$2" ] && opt="/ ICMPv6NDOptSrcLLAddr(lladdr='$2')"
    echo "Ether(src='$wa', dst='33:33:ff:00:00:${tgt##*:}') / IPv6(src='$1', \
dst='ff02::1:ff00:${tgt##*:}') / ICMPv6ND_NS(tgt='$tgt') $opt \
/ ndmark('$3'),"
}
na() {  # na TARGET TLL TAG: an advertisement to wb
    echo "Ether(src='$wa', dst='$wb') / IPv6(src='fe80::5054:ff:fe10:11', \
dst='2001:db8:10::12') / ICMPv6ND_NA(tgt='$1', R=0, S=1, O=1) \
/ ICMPv6NDOptDstLLAddr(lladdr='$2') / ndmark('$3'),"
}
gn_scapy "wa$s" "tx(
$(arp 1 $wa 10.10.0.11 arp-request-honest)
$(arp 2 $wa 10.10.0.11 arp-reply-honest)
$(arp 1 $wa 0.0.0.0 arp-probe 10.10.0.11)
$(arp 1 $wa 10.10.0.1 arp-claims-gateway-ip)
$(arp 2 $wa 10.10.0.12 arp-reply-claims-receivers-ip)
$(arp 1 $wa 10.10.0.50 arp-claims-unused-ip)
$(arp 1 $liar 10.10.0.11 arp-lying-sender-mac)
$(arp 2 $liar 10.10.0.11 arp-reply-lying-sender-mac)
$(ns 2001:db8:10::11 $wa ns-honest)
$(ns 2001:db8:10::11 '' ns-without-sll)
$(ns :: '' ns-duplicate-address-detection 2001:db8:10::11)
$(ns 2001:db8:10::11 $liar ns-lying-sll)
$(ns fe80::5054:ff:fe10:11 $wb ns-sll-of-receiver)
$(na 2001:db8:10::11 $wa na-honest)
$(na fe80::5054:ff:fe10:11 $wa na-honest-link-local)
$(na 2001:db8:10::12 $wa na-lying-target-receiver)
$(na 2001:db8:10::1 $wa na-lying-target-gateway)
$(na 2001:db8:10::11 $liar na-lying-tll)
$(na 2001:db8:10::11 $wb na-tll-of-receiver))
"
# The datapath caches verdicts (megaflows): a lie right after an honest
# message that differs only in the ND fields must not ride on its verdict.
gn_scapy "wa$s" "tx(
$(na 2001:db8:10::11 $wa na-honest-again)
$(na 2001:db8:10::12 $wa na-lie-after-honest)
$(ns 2001:db8:10::11 $wa ns-honest-again)
$(ns 2001:db8:10::11 $liar ns-lie-after-honest))
"
gn_capture_stop

for tag in arp-request-honest arp-reply-honest arp-probe ns-honest \
           ns-duplicate-address-detection na-honest \
           na-honest-link-local na-honest-again ns-honest-again; do
    gn_check_seen "$tag-passes" "wb$s" "$tag"
done
for tag in arp-claims-gateway-ip arp-reply-claims-receivers-ip \
           arp-claims-unused-ip arp-lying-sender-mac \
           arp-reply-lying-sender-mac ns-lying-sll ns-sll-of-receiver \
           ns-without-sll \
           na-lying-target-receiver na-lying-target-gateway na-lying-tll \
           na-tll-of-receiver na-lie-after-honest ns-lie-after-honest; do
    gn_check_unseen "$tag-dropped" "wb$s" "$tag"
done

# A guest that answers ARP for another's address poisons nobody.
ip -n "wb$s" neigh flush all
gn_scapy "wa$s" "tx(*[Ether(src='$wa', dst='$wb') / ARP(op=2, hwsrc='$wa',
    psrc='10.10.0.1', hwdst='$wb', pdst='10.10.0.12')] * 3)"
gn_check "gateway-not-poisoned-in-receiver" \
    bash -c "! ip -n wb$s neigh show 10.10.0.1 | grep -q $wa"

f="in_port=$pwa,dl_src=$wa"
gn_check_trace "trace-arp-honest" "l2-flood-chunk:10" \
    "$f,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1,arp_spa=10.10.0.11,arp_sha=$wa"
gn_check_trace "trace-arp-lying-ip" "ip-spoof-drop:$pwa" \
    "$f,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1,arp_spa=10.10.0.1,arp_sha=$wa"
gn_check_trace "trace-arp-lying-mac" "ip-spoof-drop:$pwa" \
    "$f,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1,arp_spa=10.10.0.11,arp_sha=$liar"
# (ofproto/trace needs icmpv6_type: its parser takes icmp_type as ICMPv4.)
nd="$f,dl_dst=$wb,icmp6,ipv6_src=fe80::5054:ff:fe10:11"
gn_check_trace "trace-na-honest" "l2-unicast:$pwb" \
    "$nd,icmpv6_type=136,icmpv6_code=0,nd_target=2001:db8:10::11,nd_tll=$wa"
gn_check_trace "trace-na-lying-target" "nd-spoof-drop:0" \
    "$nd,icmpv6_type=136,icmpv6_code=0,nd_target=2001:db8:10::12,nd_tll=$wa"
gn_check_trace "trace-na-lying-tll" "nd-spoof-drop:0" \
    "$nd,icmpv6_type=136,icmpv6_code=0,nd_target=2001:db8:10::11,nd_tll=$liar"
gn_check_trace "trace-ns-lying-sll" "nd-spoof-drop:0" \
    "$nd,icmpv6_type=135,icmpv6_code=0,nd_target=2001:db8:10::12,nd_sll=$liar"
gn_done
