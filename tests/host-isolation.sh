#!/bin/bash
# host-isolation: the host's own IP stack stays off the host ends of the
# ports guestnet makes.  The userspace datapath reads a port's frames from
# the device beside the host's stack, so without care a guest's router
# advertisement gives the host a default route through the guest and a
# SLAAC address, and the host answers the guest's ARP for its addresses.
# guestnet disables IPv6 on the host end of every tap and veth it makes,
# answers no ARP there (arp_ignore 8) and takes only IPv4 it would route
# back through it (rp_filter 1).  Positive control: the same frames sent
# through a veth pair guestnet does not manage reach the host's stack and
# do all of the above; and guests still reach each other over both
# families.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup
s=$$
hs=$GN_SANDBOX_NETNS
ctl() { "$GUESTNETCTL" "$@" >/dev/null; }
sysv() { ip netns exec "$hs" sysctl -n "net.$1.conf.$2.$3"; }

# Two LXC ports (veths guestnet makes, guest ends in their netns) and one
# KVM port (a tap).
gn_netns "ga$s"
gn_netns "gb$s"
gn_check "port-add-veth-a" ctl port add "ha$s" --kind lxc --network web \
    --netns "ga$s" --ip 10.10.0.41 --ip 2001:db8:10::41 \
    --mac 52:54:00:10:00:41
gn_check "port-add-veth-b" ctl port add "hb$s" --kind lxc --network web \
    --netns "gb$s" --ip 10.10.0.42 --ip 2001:db8:10::42 \
    --mac 52:54:00:10:00:42
gn_check "port-add-tap" ctl port add "ht$s" --kind kvm --network web \
    --ip 10.10.0.43 --mac 52:54:00:10:00:43

for dev in "ha$s" "ht$s"; do
    gn_check "$dev-ipv6-disabled" test "$(sysv ipv6 "$dev" disable_ipv6)" = 1
    gn_check "$dev-no-arp-answers" test "$(sysv ipv4 "$dev" arp_ignore)" = 8
    gn_check "$dev-rp-filter-strict" test "$(sysv ipv4 "$dev" rp_filter)" = 1
    gn_check "$dev-no-ipv6-address" \
        test -z "$(ip -n "$hs" -6 addr show dev "$dev")"
done

# The control: a veth pair guestnet knows nothing of, host end in the
# host's namespace, up, with the kernel's defaults.
gn_netns "gc$s"
ip link add "hc$s" netns "$hs" type veth peer name eth0 netns "gc$s"
ip -n "$hs" link set "hc$s" up
ip -n "gc$s" link set eth0 up
gn_dad_done "$hs"
ll_up() { ip -n "$hs" -6 addr show dev "hc$s" | grep -q 'scope link'; }
gn_check "control-has-link-local" gn_wait 10 ll_up

# send_ra NS MAC PREFIX: a router advertisement from NS, as a router with
# MAC, offering PREFIX::/64 for SLAAC and itself as the default router.
send_ra() {
    ip netns exec "$1" "$GN_PYTHON" - "$2" "$3" <<'PY'
import sys
from scapy.all import Ether, IPv6, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, \
    ICMPv6NDOptSrcLLAddr, sendp, conf
from scapy.utils6 import in6_mactoifaceid
conf.verb = 0
mac, prefix = sys.argv[1], sys.argv[2]
ll = "fe80::" + in6_mactoifaceid(mac)
ra = (Ether(src=mac, dst="33:33:00:00:00:01")
      / IPv6(src=ll, dst="ff02::1", hlim=255)
      / ICMPv6ND_RA(routerlifetime=1800)
      / ICMPv6NDOptPrefixInfo(prefix=prefix + "::", prefixlen=64, L=1, A=1)
      / ICMPv6NDOptSrcLLAddr(lladdr=mac))
sendp(ra, iface="eth0", count=3, inter=0.1)
PY
}
host_route_via() { ip -n "$hs" -6 route show default | grep -q "dev $1"; }
host_addr_in() { ip -n "$hs" -6 addr | grep -q "$1"; }

# --- Router advertisements.
send_ra "gc$s" 52:54:00:10:00:99 2001:db8:99:1
gn_check "control-ra-gives-host-a-route" gn_wait 10 host_route_via "hc$s"
gn_check "control-ra-gives-host-an-address" \
    gn_wait 10 host_addr_in 2001:db8:99:1:
ip -n "$hs" -6 route flush default
rx() { ip netns exec "$hs" cat "/sys/class/net/$1/statistics/rx_packets"; }
rx0=$(rx "ha$s")
gn_check "guest-ra-sent" send_ra "ga$s" 52:54:00:10:00:41 2001:db8:66:1
gn_check "guest-ra-reached-the-host-end" test "$(rx "ha$s")" -ge $((rx0 + 3))
# The same RA from a guest: the control's took effect by now; send one
# more through the control, and once that one is in, the guest's would be.
send_ra "gc$s" 52:54:00:10:00:99 2001:db8:99:2
gn_check "control-ra-again" gn_wait 10 host_addr_in 2001:db8:99:2:
gn_check "guest-ra-gives-host-no-route" bash -c \
    "! ip -n '$hs' -6 route show default | grep -q 'dev ha$s'"
gn_check "guest-ra-gives-host-no-address" bash -c \
    "! ip -n '$hs' -6 addr | grep -q 2001:db8:66:1:"

# --- ARP for one of the host's addresses.
ip -n "$hs" addr add 192.0.2.1/32 dev lo
arp_answered() {
    ip -n "$1" neigh show 192.0.2.1 dev eth0 | grep -q lladdr
}
ip -n "gc$s" addr add 192.0.2.100/24 dev eth0
ip netns exec "gc$s" ping -c 1 -W 1 192.0.2.1 >/dev/null 2>&1
gn_check "control-host-answers-arp" gn_wait 10 arp_answered "gc$s"
ip -n "ga$s" route add 192.0.2.1/32 dev eth0
ip netns exec "ga$s" ping -c 2 -W 1 192.0.2.1 >/dev/null 2>&1
arp_unanswered() { ! arp_answered "$1"; }
gn_check "guest-arp-unanswered-by-host" arp_unanswered "ga$s"
# An ARP probe (sender 0.0.0.0), which no reverse-path check stops: only
# arp_ignore keeps the host from answering it.
arp_probe() {
    ip netns exec "$1" "$GN_PYTHON" - "$2" <<'PY'
import sys
from scapy.all import Ether, ARP, srp1, conf, get_if_hwaddr
conf.verb = 0
mac = get_if_hwaddr("eth0")
r = srp1(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
         / ARP(op=1, hwsrc=mac, psrc="0.0.0.0", pdst=sys.argv[1]),
         iface="eth0", timeout=2)
sys.exit(0 if r is not None and ARP in r and r[ARP].op == 2 else 1)
PY
}
gn_check "control-host-answers-arp-probe" arp_probe "gc$s" 192.0.2.1
no_probe_answer() { ! arp_probe "$@"; }
gn_check "guest-arp-probe-unanswered" no_probe_answer "ga$s" 192.0.2.1

# --- Ports attached behind guestnet's back (as libvirt and LXC attach
# theirs): a veth's host end is isolated by the device check; a device
# that is neither a tap nor a veth (here an ifb device, as a physical NIC
# attached by mistake would be) keeps the host's stack.  Both come in one
# transaction, so the check that isolates one has looked at the other.
gn_guest "gd$s" "hd$s" 10.10.0.44/24
ip -n "$hs" link add "hy$s" type ifb
ip -n "$hs" link set "hy$s" up
ovs-vsctl add-port br-int "hd$s" tag=10 \
    -- set Interface "hd$s" external_ids:attached-mac=52:54:00:10:00:44 \
    -- add-port br-int "hy$s" tag=10
isolated_logged() {
    test "$(grep -c "port $1: the host's IP stack is kept" \
        "$GN_SANDBOX_DIR/guestnetd.log")" -ge "${2:-1}"
}
ipv6_off() { test "$(sysv ipv6 "$1" disable_ipv6)" = 1; }
gn_check "adopted-veth-logged" gn_wait 20 isolated_logged "hd$s"
gn_check "adopted-veth-ipv6-disabled" ipv6_off "hd$s"
gn_check "adopted-veth-no-arp-answers" test "$(sysv ipv4 "hd$s" arp_ignore)" = 8
gn_check "adopted-veth-rp-filter" test "$(sysv ipv4 "hd$s" rp_filter)" = 1
gn_check "other-device-keeps-ipv6" test "$(sysv ipv6 "hy$s" disable_ipv6)" = 0
gn_check "other-device-keeps-arp" test "$(sysv ipv4 "hy$s" arp_ignore)" = 0
send_ra "gd$s" 52:54:00:10:00:44 2001:db8:67:1
send_ra "gc$s" 52:54:00:10:00:99 2001:db8:99:3
gn_check "control-ra-third" gn_wait 10 host_addr_in 2001:db8:99:3:
gn_check "adopted-guest-ra-gives-host-nothing" bash -c \
    "! ip -n '$hs' -6 addr | grep -q 2001:db8:67:1:"

# The same port's device deleted and made anew (as a VM restarted by
# hand would): the Interface row stays, the new device is isolated too.
ip -n "$hs" link del "hd$s"
ip link add "hd$s" netns "$hs" type veth peer name eth0 netns "gd$s"
ip -n "$hs" link set "hd$s" up
gn_check "remade-device-isolated" gn_wait 20 isolated_logged "hd$s" 2
gn_check "remade-device-ipv6-disabled" ipv6_off "hd$s"

# A port marked to keep the host's stack (a device carrying the host's
# own addresses) keeps it.
gn_guest "gk$s" "hk$s" 10.10.0.45/24
ovs-vsctl add-port br-int "hk$s" tag=10 \
    -- set Interface "hk$s" external_ids:attached-mac=52:54:00:10:00:45 \
    external_ids:guestnet\\:host-stack=keep
gn_check "kept-port-bound" gn_wait 10 \
    bash -c "ovs-vsctl get Interface hk$s ofport | grep -q '^[1-9]'"
# One more device check cycle passes: a new port in another transaction
# is isolated, so the kept one was looked at by then or before.
gn_guest "gl$s" "hl$s" 10.10.0.46/24
ovs-vsctl add-port br-int "hl$s" tag=10 \
    -- set Interface "hl$s" external_ids:attached-mac=52:54:00:10:00:46
gn_check "later-port-isolated" gn_wait 20 isolated_logged "hl$s"
gn_check "kept-port-keeps-ipv6" test "$(sysv ipv6 "hk$s" disable_ipv6)" = 0

# --- The guests still reach each other, over both families.
gn_dad_done "ga$s" "gb$s"
gn_check "guests-ping" gn_wait 10 ip netns exec "ga$s" \
    ping -c 1 -W 1 -q 10.10.0.42
gn_check "guests-ping6" gn_wait 10 ip netns exec "ga$s" \
    ping -6 -c 1 -W 1 -q 2001:db8:10::42
gn_done
