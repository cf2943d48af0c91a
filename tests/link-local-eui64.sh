#!/bin/bash
# link-local-eui64: a port's EUI-64 link-local address is its own whenever
# the port comes.  A guest (wa) binds, by its first use, the EUI-64
# link-local address of a MAC that no port has yet; a port with that MAC
# is then added through the API (201, nothing refused): wa's binding is
# void at once (the pipeline never allows it to wa again) and removed
# from wa's Interface, the removal is counted and logged.  wa's claims of
# the address (DAD probe, advertisements, traffic, its kernel configured
# with it) are dropped, and the victim's neighbour table keeps the new
# port's MAC, while the same frames from wa's own address pass; the new
# port's guest reaches its neighbour from it.  trace names the drop.  The
# same holds for a port libvirt attaches itself (adopted, by its
# attached-mac).  wa's other binding stays throughout.  Once the port
# goes, the address is free again: wa's next use binds it.  A restart
# sends no flow_mod and keeps the address the port's.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy
gn_guestnetd_setup
s=$$
wa=52:54:00:10:00:11 wb=52:54:00:10:00:12 wc=52:54:00:10:00:13
wd=52:54:00:10:00:44 we=52:54:00:10:00:55
lla=fe80::5054:ff:fe10:11 llb=fe80::5054:ff:fe10:12 llc=fe80::5054:ff:fe10:13
lld=fe80::5054:ff:fe10:44 lle=fe80::5054:ff:fe10:55
gn_lxc_guest "wa$s" "pwa$s" web $wa 10.10.0.11 2001:db8:10::11
gn_lxc_guest "wb$s" "pwb$s" web $wb 10.10.0.12 2001:db8:10::12
gn_lxc_guest "wc$s" "pwc$s" web $wc 10.10.0.13 2001:db8:10::13
pwa=$(gn_ofport "pwa$s")
gn_dad_done "wa$s" "wb$s" "wc$s"

port_lls() {
    curl -s --unix-socket "$GUESTNET_SOCKET" \
        "http://localhost/v1/ports/$1" | "$GN_PYTHON" -c "import json, sys
print(' '.join(json.load(sys.stdin)['link_locals']))"
}
has_ll() { port_lls "$1" | grep -qw -- "$2"; }
# lacks_ll PORT ADDR: the API answers, without ADDR among PORT's bindings.
lacks_ll() {
    local lls
    lls=$(port_lls "$1") || return 1
    ! grep -qw -- "$2" <<<"$lls"
}
iface_lls() {
    ovs-vsctl get Interface "$1" external_ids 2>/dev/null \
        | sed -n 's/.*"guestnet:link-locals"="\([^"]*\)".*/\1/p'
}
status() {
    timeout 10 "$GUESTNETCTL" --json status | "$GN_PYTHON" -c \
        "import json, sys; print(json.load(sys.stdin)['link_locals']['$1'])"
}
grew() { [ $(( $(status "$1") - $2 )) -ge "$3" ]; }
# squat ADDR: wa sends UDP from ADDR to wc, which binds ADDR to pwa if
# it is free; true once bound.
squat() {
    gn_scapy "wa$s" "tx(Ether(src='$wa', dst='$wc') / IPv6(src='$1', \
dst='$llc') / UDP(dport=9) / mark('squat'))"
    gn_wait 10 has_ll "pwa$s" "$1"
}

# --- wa takes a stable-privacy-like address (which stays its own
# throughout) and the EUI-64 address of a MAC no port has: both bound.
gn_check "own-binding-bound" squat fe80::a:1
gn_check "squat-bound-while-no-port-has-the-mac" squat $lld
gn_check "squat-recorded-on-the-interface" bash -c \
    "[[ '$(iface_lls "pwa$s")' == *$lld* ]]"
unbound0=$(status unbound)

# --- A port with that MAC is added: 201, and wa's binding is void.
gn_check "port-with-the-mac-added" gn_lxc_guest "wd$s" "pwd$s" web $wd \
    10.10.0.14 2001:db8:10::14
gn_check "binding-gone-from-the-squatter" gn_wait 10 lacks_ll "pwa$s" $lld
gn_check "binding-gone-from-its-interface" gn_wait 10 bash -c \
    "[[ '\$(ovs-vsctl get Interface pwa$s external_ids)' != *$lld* ]]"
gn_check "unbinding-counted" gn_wait 5 grew unbound "$unbound0" 1
gn_check "squatters-other-binding-stays" has_ll "pwa$s" fe80::a:1
gn_check "unbinding-logged" grep -q \
    "port pwa$s: 1 link-local address unbound" "$GN_SANDBOX_DIR/guestnetd.log"
gn_check "metric-counts-unbindings" bash -c "curl -s --unix-socket \
    '$GUESTNET_SOCKET' http://localhost/metrics | grep -q \
    'guestnet_link_locals_total{result=\"unbound\"} [1-9]'"
gn_dad_done "wd$s"

gn_check "owner-reaches-neighbour-from-it" gn_wait 5 ip netns exec "wd$s" \
    ping -6 -c 1 -W 1 "$llc%eth0"
gn_check "neighbour-entry-is-the-owners" bash -c "ip -n wc$s -6 neigh \
    show $lld | grep -q $wd"

# --- wa claims it now: dropped; the same frames from its own pass.
gn_check_ll_claim "wa$s" $wa $lla $lld $wd "wb$s" "wc$s" $wc $llc
gn_check "claim-not-bound-again" lacks_ll "pwa$s" $lld
gn_check_trace "trace-traffic-from-the-ports-eui64-address" \
    "link-local-taken-drop:$(gn_ofport "pwd$s")" \
    "udp6,in_port=$pwa,dl_src=$wa,dl_dst=$wc,ipv6_src=$lld,ipv6_dst=$llc,\
nw_ttl=64,udp_dst=9"
gn_check "guestnetctl-trace-names-the-drop" bash -c \
    "'$GUESTNETCTL' trace pwa$s dl_dst=$wc proto=udp6 nw_src=$lld \
    nw_dst=$llc tp_dst=9 | grep -q 'dropped by link-local-taken-drop'"

# --- The same for a port libvirt attaches itself (adopted by its MAC).
gn_check "squat-second-address" squat $lle
unbound0=$(status unbound)
ns=$GN_SANDBOX_NETNS
ip -n "$ns" tuntap add dev "vnet$s" mode tap
ip -n "$ns" link set "vnet$s" up
ovs-vsctl --timeout=5 -- --may-exist add-port br-int "vnet$s" tag=10 \
    -- set Interface "vnet$s" external-ids:attached-mac=$we \
    -- set Interface "vnet$s" external-ids:iface-id=ll-eui64-$s
gn_check "adopted-port-voids-the-binding" gn_wait 10 lacks_ll "pwa$s" $lle
gn_check "adopted-unbinding-counted" gn_wait 5 grew unbound "$unbound0" 1
gn_check "squatters-other-binding-stays-too" has_ll "pwa$s" fe80::a:1
ve=$(gn_ofport "vnet$s")
gn_check_trace "trace-adopted-ports-eui64-from-the-squatter" \
    "link-local-taken-drop:$ve" \
    "udp6,in_port=$pwa,dl_src=$wa,dl_dst=$wc,ipv6_src=$lle,ipv6_dst=$llc,\
nw_ttl=64,udp_dst=9"
gn_check_trace "trace-adopted-port-sends-from-it" \
    "l2-unicast:$(gn_ofport "pwc$s")" \
    "udp6,in_port=$ve,dl_src=$we,dl_dst=$wc,ipv6_src=$lle,ipv6_dst=$llc,\
nw_ttl=64,udp_dst=9"

# --- A restart changes nothing.
gn_check_restart_unchanged
gn_check_trace "restart-keeps-it-the-owners" \
    "link-local-taken-drop:$(gn_ofport "pwd$s")" \
    "udp6,in_port=$pwa,dl_src=$wa,dl_dst=$wc,ipv6_src=$lld,ipv6_dst=$llc,\
nw_ttl=64,udp_dst=9"
gn_check "restart-keeps-the-other-binding" has_ll "pwa$s" fe80::a:1

# --- The port goes: its address is free again, wa's next use binds it.
gn_check "delete-200" bash -c "'$GUESTNETCTL' port del pwd$s"
gn_check "free-again-after-the-delete" squat $lld
gn_done
