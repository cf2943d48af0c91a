#!/bin/bash
# guests-qemu: real QEMU/virtio guests (Debian's cloud kernel, a busybox
# initramfs, TCG) on taps made by "guestnetctl port add --kind kvm", booted
# with exactly the QEMU arguments guestnetctl prints.  Guests of one network
# ping each other and talk TCP; a guest of another network is not reached
# even with its MAC and a direct route; a guest that changes its own IP or
# MAC inside the VM is cut off until it changes back; removing a port
# leaves no tap.  A
# fourth guest sits on a tap attached the way libvirt attaches
# <virtualport type='openvswitch'/> (its exact ovs-vsctl command, with a
# VLAN tag): guestnetd adopts it and assigns it an address, which the
# guest gets by DHCP (busybox udhcpc) and reaches its network's guests
# with.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/guest/vm.sh"
gn_require_cmd python3 python3
gn_require_cmd qemu-system-x86_64 qemu-system-x86
gn_require_cmd cpio cpio
[ -c /dev/net/tun ] || gn_missing "needs /dev/net/tun"
if ! gn_vm_image; then
    gn_missing "no guest image (busybox-static, and the cloud kernel that \
scripts/setup.sh fetches)"
fi
gn_pass "guest-image"

gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
s=$$
gn_tmpdir d
in_host() { ip netns exec "$ns" "$@"; }
gn_on_exit 'for p in $(gn_vm_pids); do kill -9 $p; done'

# vm NAME NETWORK IP MAC: a kvm port through guestnetctl, then a guest
# booted (in the background) with the QEMU arguments it printed.
declare -A ip_of mac_of
vm() {
    local name=$1 network=$2 ip=$3 mac=$4 extra=${5:-} out gw
    local -a qemu_args
    out=$("$GUESTNETCTL" --json port add "$name" --kind kvm \
          --network "$network" --ip "$ip" --mac "$mac") \
        || { gn_fail "port-add-$name" "$out"; return 1; }
    mapfile -t qemu_args < <(python3 -c '
import json, sys
for a in json.load(sys.stdin)["guest"]["qemu_args"]:
    print(a)' <<<"$out")
    if [ "${#qemu_args[@]}" != 4 ]; then
        gn_fail "qemu-args-$name" "unexpected answer: $out"
        return 1
    fi
    echo "qemu args for $name: ${qemu_args[*]}"
    gw=${ip%.*}.1
    ip_of[$name]=$ip mac_of[$name]=$mac
    gn_vm_start "$name" "$d" "$ns" "gn.ip=$ip/24 gn.gw=$gw $extra" \
        "${qemu_args[@]}"
}

a=qa$s b=qb$s c=qc$s
vm "$a" web 10.10.0.11 52:54:00:10:00:11
vm "$b" web 10.10.0.12 52:54:00:10:00:12 gn.listen=7000
vm "$c" db 10.20.0.21 52:54:00:20:00:21
# libvirt's way: libvirt makes the tap, attaches it with this exact
# ovs-vsctl command and starts QEMU on it.
l=qv$s
in_host ip tuntap add dev "$l" mode tap
gn_on_exit "ip netns exec '$ns' ip link del '$l'"
in_host ip link set "$l" up
ovs-vsctl --timeout=5 -- --may-exist add-port br-int "$l" tag=10 \
    -- set Interface "$l" external-ids:attached-mac=52:54:00:10:00:61 \
    -- set Interface "$l" external-ids:iface-id=7c1d2e3f-iface-$s \
    -- set Interface "$l" external-ids:vm-id=7c1d2e3f-0000-4000-8000-00000000$(printf %04d $((s % 10000))) \
    -- set Interface "$l" external-ids:iface-status=active
# Its address: the one guestnet assigns the port, by DHCP.
gn_vm_start "$l" "$d" "$ns" "gn.ip=dhcp" \
    -netdev "tap,id=net0,ifname=$l,script=no,downscript=no" \
    -device virtio-net-pci,netdev=net0,mac=52:54:00:10:00:61
# (Without checksum offload: the bridge is on the userspace datapath.)
gn_check "qemu-args-are-guestnetctls" \
    grep -q -- "-netdev tap,id=$a,ifname=$a,script=no,downscript=no -device virtio-net-pci,netdev=$a,mac=52:54:00:10:00:11,csum=off" \
    <<<"$(ps -o args= -p "${GN_VM_PID[$a]}")"
booted=$(date +%s)
for g in "$a" "$b" "$c" "$l"; do
    gn_check "boot-$g" gn_vm_wait_ready "$g" 120
done
echo "guests ready in $(( $(date +%s) - booted )) s"
gn_check "guest-mac-is-ports" \
    grep -q "^GN-READY $a 52:54:00:10:00:11 10.10.0.11/24" "$d/$a.log"
gn_check "tap-link-up" \
    gn_wait 10 bash -c "[ \"\$(ovs-vsctl get Interface $a link_state)\" = up ]"

# ping_ok FROM TO_IP: one of three pings answered; pings: two tries.
ping_ok() { gn_vm_run "$1" 30 "ping -c 3 -W 2 $2 >/dev/null"; }
# port_drops TABLE PORT: the port's catch-all drop in TABLE has counted.
port_drops() {
    ovs-ofctl -O OpenFlow14 dump-flows br-int "table=$1" \
        | grep "priority=90,in_port=$(ovs-vsctl get Interface "$2" ofport) " \
        | grep -q 'n_packets=[1-9]'
}
pings() { gn_vm_run "$1" 30 "ping -c 2 -W 2 $2"; }

gn_check "same-network-ping-a-to-b" ping_ok "$a" 10.10.0.12
gn_check "same-network-ping-b-to-a" ping_ok "$b" 10.10.0.11
tcp_hello() {
    gn_vm_run "$1" 30 "nc -w 5 $2 7000 </dev/null" \
        && gn_vm_output "$1" | grep -q "hello from $3"
}
gn_check "same-network-tcp-a-to-b" tcp_hello "$a" 10.10.0.12 "$b"
gn_check "libvirt-port-adopted" bash -c \
    "'$GUESTNETCTL' port list | grep -q '^$l .*adopted .*web .*bound'"
lip=$(ovs-vsctl get Interface "$l" external_ids:guestnet\\:ips-assigned \
      | tr -d '"' | cut -d, -f1)
gn_check "libvirt-guest-leased-assigned-address" \
    grep -q "^GN-READY $l 52:54:00:10:00:61 dhcp=$lip/24" "$d/$l.log"
gn_check "libvirt-guest-reaches-b" ping_ok "$l" 10.10.0.12
gn_check_fails "libvirt-guest-cannot-reach-c" pings "$l" 10.20.0.21

# Another network: even with an on-link route and the db guest's MAC
# pinned, nothing gets across (the frame reaches the bridge and is
# dropped there).
cross_setup="ip route add 10.20.0.0/24 dev eth0 && \
arp -i eth0 -s 10.20.0.21 52:54:00:20:00:21"
gn_check "cross-network-route-set" gn_vm_run "$a" 10 "$cross_setup"
gn_check_fails "cross-network-ping-a-to-c" pings "$a" 10.20.0.21
gn_check "cross-network-dropped-by-default-drop" bash -c \
    "ovs-ofctl -O OpenFlow14 dump-flows br-int table=3 \
     | grep 'priority=0 actions=drop' | grep -q 'n_packets=[1-9]'"
gn_check_fails "cross-network-ping-c-to-a" pings "$c" 10.10.0.11

# IP spoofing: A takes another address of its own network.
gn_check "ip-change" gn_vm_run "$a" 10 \
    "ip addr del 10.10.0.11/24 dev eth0 && ip addr add 10.10.0.99/24 dev eth0"
gn_check_fails "changed-ip-cut-off" pings "$a" 10.10.0.12
gn_check "ip-spoof-counted" port_drops 1 "$a"
gn_check "ip-restored" gn_vm_run "$a" 10 \
    "ip addr flush dev eth0 && ip addr add 10.10.0.11/24 dev eth0"
gn_check "restored-ip-reaches-b" ping_ok "$a" 10.10.0.12

# MAC spoofing: A changes its MAC.
gn_check "mac-change" gn_vm_run "$a" 10 \
    "ip link set eth0 address 52:54:00:10:00:99"
gn_check_fails "changed-mac-cut-off" pings "$a" 10.10.0.12
gn_check "mac-spoof-counted" port_drops 8 "$a"
gn_check "mac-restored" gn_vm_run "$a" 10 \
    "ip link set eth0 address 52:54:00:10:00:11"
gn_check "restored-mac-reaches-b" ping_ok "$a" 10.10.0.12

# Power off, remove the ports: no tap left.
for g in "$a" "$b" "$c" "$l"; do
    gn_vm_stop "$g"
done
gn_check "guests-powered-off" \
    bash -c "for p in $(gn_vm_pids); do ! kill -0 \$p 2>/dev/null || exit 1; done"
for g in "$a" "$b" "$c"; do
    gn_check "port-del-$g" "$GUESTNETCTL" port del "$g"
    gn_check "no-tap-left-$g" bash -c "! ip netns exec $ns test -e /sys/class/net/$g"
done
gn_check "adopted-port-del" "$GUESTNETCTL" port del "$l"
gn_check "adopted-tap-left-to-libvirt" in_host test -e "/sys/class/net/$l"
gn_check "no-port-left" test "$(ovs-vsctl list-ports br-int | wc -l)" = 0
gn_done
