#!/bin/bash
# guests-libvirtd: a real libvirtd (Debian's libvirt-daemon-system) boots
# two QEMU guests (the test image of tests/guest/, TCG) on the sandbox's
# bridge, with guestnet installed at the package's paths (the libvirt hook
# entry in /etc/libvirt/hooks/qemu.d/, an /etc/guestnet/hooks.conf naming
# the sandbox's guestnetd socket).  Each guest is attached the way
# doc/hooks.md tells operators to:
# - vo: <interface type='bridge'> on br-int with <virtualport
#   type='openvswitch'/> and a VLAN tag: libvirt makes the tap and runs
#   ovs-vsctl, guestnetd adopts the port with the domain's MAC and
#   assigns it an address, which the guest gets by DHCP;
# - vh: guestnet metadata and an unmanaged tap: the hook, run by libvirt,
#   makes the port with "guestnetctl port add" before QEMU starts.
# Each guest reaches a neighbour of its network (ping, and TCP with the
# <driver> line doc/hooks.md gives for the userspace datapath) and not one
# of another network; "virsh destroy" takes the port away (guestnetd
# forgets it) and leaves no tap, no port and no domain behind.
#
# libvirtd runs in the sandbox's network namespace (where its taps and
# ovs-vswitchd's ports must be) and in a mount namespace of its own: /run,
# /var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt are folders of
# this test there, and /etc and /usr are overlays holding guestnet's files
# and the test's libvirt config, so a system libvirtd, if any, is never
# touched.  virsh reaches it through its socket's path.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/guest/vm.sh"
gn_require_root
gn_require_cmd python3 python3
gn_require_cmd libvirtd libvirt-daemon-system
gn_require_cmd virsh libvirt-clients
gn_require_cmd qemu-system-x86_64 qemu-system-x86
gn_require_cmd unshare util-linux
gn_require_cmd cpio cpio
grep -qw overlay /proc/filesystems || gn_missing "needs overlayfs"
[ -c /dev/net/tun ] || gn_missing "needs /dev/net/tun"
if ! gn_vm_image; then
    gn_missing "no guest image (busybox-static, and the cloud kernel that \
scripts/setup.sh fetches)"
fi

gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
s=$$
# Short paths: libvirt's sockets live below it (108 bytes at most).
L=$(mktemp -d /tmp/gn-lv.XXXXXX)
gn_on_exit "rm -rf '$L'"
in_host() { ip netns exec "$ns" "$@"; }
virsh_() {
    virsh -q -c "qemu:///system?socket=$L/run/libvirt/libvirt-sock" "$@"
}

# --- guestnet as installed, the operator's hooks.conf, libvirt's config.
gn_package_tree "$L/pkg"
mkdir -p "$L/pkg/etc/guestnet"
echo "GUESTNET_SOCKET=$GUESTNET_SOCKET" > "$L/pkg/etc/guestnet/hooks.conf"
mkdir -p "$L/pkg/etc/libvirt"
# QEMU as root, without a security driver, cgroups or a private /dev: the
# guest's kernel and initramfs are in the build tree, and the sandbox's
# host is no systemd machine.  Its log goes to a file (no virtlogd).
{
    cat /etc/libvirt/qemu.conf
    cat <<'EOF'
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
EOF
} > "$L/pkg/etc/libvirt/qemu.conf"
{
    cat /etc/libvirt/libvirtd.conf
    echo 'auth_unix_rw = "none"'
    echo 'unix_sock_rw_perms = "0700"'
} > "$L/pkg/etc/libvirt/libvirtd.conf"
mkdir -p "$L/run" "$L/lib" "$L/cache" "$L/log"

# libvirtd finds the sandbox's ovsdb-server through OVS_RUNDIR (set by
# gn_sandbox_start), not through an ovs-vsctl wrapper: libvirt runs
# ovs-vsctl with its own environment, so the variable reaches it as it
# reaches every OVS tool, and the command stays libvirt's own.  (Hooks
# are different: libvirt gives them PATH, HOME and LC_ALL only, hence
# hooks.conf above.)
ip netns exec "$ns" unshare --mount --propagation private bash -c "
    set -e
    $(gn_package_mounts "$L/pkg")
    mount --bind '$L/run' /run
    mount --bind '$L/lib' /var/lib/libvirt
    mount --bind '$L/cache' /var/cache/libvirt
    mount --bind '$L/log' /var/log/libvirt
    exec libvirtd" > "$L/libvirtd.log" 2>&1 &
libvirtd_pid=$!
gn_on_exit "kill $libvirtd_pid; wait $libvirtd_pid"
if ! gn_wait 60 virsh_ version; then
    gn_fail libvirtd-start "$(tail -n 5 "$L/libvirtd.log")"
    gn_done
fi
gn_pass libvirtd-start
gn_check "hook-entry-as-packaged" cmp "$GN_SRCDIR/debian/libvirt-qemu-hook" \
    "/proc/$libvirtd_pid/root/etc/libvirt/hooks/qemu.d/guestnet"

# --- Neighbours: one in web, one in db.
gn_lxc_guest "nw$s" "pnw$s" web 52:54:00:10:00:41 10.10.0.41
gn_lxc_guest "nd$s" "pnd$s" db 52:54:00:20:00:42 10.20.0.42

# domain NAME UUID MAC IP/LEN GW INTERFACE [METADATA]: a domain booting the
# test guest, its console a pipe in $L (gn_vm_console).
domain() {
    local cmdline="console=ttyS0 quiet loglevel=1 panic=-1"
    cat <<EOX
<domain type='$([ "$GN_VM_ACCEL" = kvm ] && echo kvm || echo qemu)'>
  <name>$1</name>
  <uuid>$2</uuid>
  <metadata>${7:-}</metadata>
  <memory unit='MiB'>$GN_VM_MEM</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$GN_VM_KERNEL</kernel>
    <initrd>$GN_VM_INITRD</initrd>
    <cmdline>$cmdline gn.name=$1 gn.ip=$4 gn.gw=$5</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <devices>
    $6
    <serial type='pipe'><source path='$L/$1'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOX
}
uuid_o=6f1e9a52-4c1b-4b8e-9a43-1000000$(printf %05d $((s % 100000)))
uuid_h=6f1e9a52-4c1b-4b8e-9a43-2000000$(printf %05d $((s % 100000)))
vo=vo$s vh=vh$s tap_h=hk$s
# As doc/hooks.md, "libvirt's own Open vSwitch ports".
domain "$vo" "$uuid_o" 52:54:00:10:00:61 dhcp "" "
    <interface type='bridge'>
      <source bridge='br-int'/>
      <virtualport type='openvswitch'/>
      <vlan><tag id='10'/></vlan>
      <mac address='52:54:00:10:00:61'/>
      <model type='virtio'/>
      <driver name='qemu'><host csum='off'/></driver>
    </interface>" > "$L/$vo.xml"
# As doc/hooks.md, "the hook, ports made before QEMU starts".
domain "$vh" "$uuid_h" 52:54:00:20:00:62 10.20.0.62/24 10.20.0.1 "
    <interface type='ethernet'>
      <target dev='$tap_h' managed='no'/>
      <mac address='52:54:00:20:00:62'/>
      <model type='virtio'/>
      <driver name='qemu'><host csum='off'/></driver>
    </interface>" "
    <guestnet:ports xmlns:guestnet=\"https://guestnet.invalid/xmlns/ports/1\">
      <guestnet:port dev=\"$tap_h\" network=\"db\" ip=\"10.20.0.62\"/>
    </guestnet:ports>" > "$L/$vh.xml"

gn_on_exit 'kill $(gn_vm_reader_pids)'
gn_on_exit "for p in \$(cat $L/run/libvirt/qemu/*.pid); do kill -9 \$p; done"
started=$(date +%s)
for d in "$vo" "$vh"; do
    gn_check "define-$d" virsh_ define "$L/$d.xml"
    gn_on_exit "virsh_ undefine '$d'"
    gn_on_exit "virsh_ destroy '$d'"
    gn_vm_console "$d" "$L"
    gn_check "start-$d" virsh_ start "$d"
    gn_vm_started "$d" "$(cat "$L/run/libvirt/qemu/$d.pid")"
done
echo "domains started in $(( $(date +%s) - started )) s"

# --- Adoption of libvirt's own port.
tap_o=$(virsh_ domiflist "$vo" | awk '{print $1}')
echo "libvirt's tap for $vo: $tap_o"
gn_check "libvirt-made-the-port" test -n "$tap_o"
gn_check "libvirt-tagged-the-port" \
    test "$(ovs-vsctl get Port "$tap_o" tag 2>&1)" = 10
gn_check "libvirt-wrote-vm-id" test "$(ovs-vsctl get Interface "$tap_o" \
    external_ids:vm-id 2>&1)" = "\"$uuid_o\""
gn_check "adopted-in-v1-ports" gn_wait 20 gn_port_is "$tap_o" kind=adopted \
    network=web vlan=10 mac=52:54:00:10:00:61 vm_id="$uuid_o" \
    quarantined=False
gn_check "adopted-ready" gn_wait 20 gn_port_ready "$tap_o"

# --- The hook's port.
gn_check "hook-made-the-port" gn_wait 10 gn_port_is "$tap_h" kind=kvm \
    network=db vlan=20 mac=52:54:00:20:00:62 vm_id="$uuid_h" \
    "ips=['10.20.0.62']" quarantined=False
gn_check "hook-port-ready" gn_wait 20 gn_port_ready "$tap_h"

# --- The guests: same network yes, another network no.
for d in "$vo" "$vh"; do
    gn_check "boot-$d" gn_vm_wait_ready "$d" 120
done
echo "guests ready $(( $(date +%s) - started )) s after the first start"
lip=$(ovs-vsctl get Interface "$tap_o" external_ids:guestnet\\:ips-assigned \
      | tr -d '"' | cut -d, -f1)
gn_check "guest-has-domain-mac-and-leased-address" \
    grep -q "^GN-READY $vo 52:54:00:10:00:61 dhcp=$lip/24" "$L/$vo.log"
ping_ok() { gn_vm_run "$1" 30 "ping -c 3 -W 2 $2 >/dev/null"; }
pings() { gn_vm_run "$1" 30 "ping -c 2 -W 2 $2"; }
gn_check "libvirt-guest-reaches-web-neighbour" ping_ok "$vo" 10.10.0.41
gn_check "hook-guest-reaches-db-neighbour" ping_ok "$vh" 10.20.0.42
# TCP too: on the userspace datapath only without checksum offload
# (<host csum='off'/>, as doc/hooks.md says).
# tcp_ok GUEST NEIGHBOUR_NS ADDR: GUEST's line reaches a listener in
# NEIGHBOUR_NS over TCP.
tcp_ok() {
    local out=$L/tcp-$2.out listener ok=0
    ip netns exec "$2" timeout 60 nc -l 7000 > "$out" 2>&1 &
    listener=$!
    gn_wait 5 gn_listening "$2" 7000 \
        && gn_vm_run "$1" 30 "echo hello-$1 | nc -w 5 $3 7000" \
        && gn_wait 10 grep -q "hello-$1" "$out" || ok=1
    kill "$listener" 2>/dev/null
    wait "$listener" 2>/dev/null
    return $ok
}
gn_check "libvirt-guest-tcp-to-web-neighbour" tcp_ok "$vo" "nw$s" 10.10.0.41
gn_check "hook-guest-tcp-to-db-neighbour" tcp_ok "$vh" "nd$s" 10.20.0.42
# Across networks, even with an on-link route and the neighbour's MAC.
gn_check "libvirt-guest-pins-db-neighbour" gn_vm_run "$vo" 10 \
    "ip route add 10.20.0.0/24 dev eth0 && \
     arp -i eth0 -s 10.20.0.42 52:54:00:20:00:42"
gn_check_fails "libvirt-guest-cannot-reach-db" pings "$vo" 10.20.0.42
gn_check "hook-guest-pins-web-neighbour" gn_vm_run "$vh" 10 \
    "ip route add 10.10.0.0/24 dev eth0 && \
     arp -i eth0 -s 10.10.0.41 52:54:00:10:00:41"
gn_check_fails "hook-guest-cannot-reach-web" pings "$vh" 10.10.0.41
gn_check "web-neighbour-pins-hook-guest" ip netns exec "nw$s" sh -c \
    "ip route add 10.20.0.62/32 dev eth0 && \
     ip neigh replace 10.20.0.62 lladdr 52:54:00:20:00:62 dev eth0"
gn_check_fails "web-neighbour-cannot-reach-hook-guest" \
    ip netns exec "nw$s" ping -c 2 -W 2 10.20.0.62

# --- virsh destroy: libvirt removes its port and tap, the hook removes its
# own; guestnetd forgets both.
for d in "$vo" "$vh"; do
    gn_check "destroy-$d" virsh_ destroy "$d"
done
gone() {
    ! ovs-vsctl list-ports br-int | grep -qx "$1" \
        && ! in_host test -e "/sys/class/net/$1" \
        && [ "$(gn_api GET "/v1/ports/$1" | tail -n 1)" = "HTTP 404" ]
}
gn_check "libvirt-port-gone" gn_wait 10 gone "$tap_o"
gn_check "hook-port-gone" gn_wait 10 gone "$tap_h"
gn_check "no-guest-port-left" test "$(ovs-vsctl list-ports br-int \
    | grep -v -x -e "pnw$s" -e "pnd$s" | wc -l)" = 0
gn_check "no-tap-left" bash -c "! ip netns exec $ns ls /sys/class/net \
    | grep -q -e '^vnet' -e '^$tap_h\$'"
for d in "$vo" "$vh"; do
    gn_check "qemu-gone-$d" gn_wait 10 bash -c "! kill -0 ${GN_VM_PID[$d]}"
    gn_check "undefine-$d" virsh_ undefine "$d"
done
gn_check "no-domain-left" test -z "$(virsh_ list --all --name)"
gn_done
