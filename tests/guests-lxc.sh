#!/bin/bash
# guests-lxc: real LXC containers (lxc-create -t busybox, offline).  One is
# attached through guestnetctl: "port add --kind lxc --mode phys" and the
# LXC config lines it prints.  The other is attached by LXC itself
# (lxc.net.0.link = br-int, lxc.net.0.veth.vlan.id = 20: LXC runs
# ovs-vsctl add-port and set port tag), gets its MAC written by the
# lxc-start-host hook (scripts/hooks/) and is adopted by guestnetd.  Both
# reach a guest of their own network, neither reaches the other network, and
# a container that changes its MAC is cut off.  A third container starts
# without a network and guestnetctl moves a veth end into it by PID.
#
# The bridge's devices live in the sandbox's network namespace, so LXC runs
# there too ("ip netns exec NS lxc-start"): that is where it finds the
# bridge port and the phys device, and where its command socket (abstract,
# so per network namespace) answers lxc-attach, lxc-info and lxc-stop.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd python3 python3
gn_require_cmd lxc-create lxc
gn_require_cmd nsenter util-linux
[ -x /usr/share/lxc/templates/lxc-busybox ] \
    || gn_missing "needs LXC's busybox template (apt-get install lxc)"
ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' \
    || gn_missing "needs a static busybox (apt-get install busybox-static)"

gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
s=$$
# LXC's lxcpath, holding our containers only.
gn_tmpdir P
hook=$GN_SRCDIR/scripts/hooks/lxc-start-host
ctl() { "$GUESTNETCTL" "$@"; }
lxc() { local cmd=$1; shift; ip netns exec "$ns" "lxc-$cmd" -P "$P" "$@"; }
in_ct() { local c=$1; shift; lxc attach -n "$c" -- "$@"; }
field() {
    ctl --json port show "$1" | python3 -c \
        "import json,sys; v=json.load(sys.stdin).get('$2'); print(v)"
}

# new_container NAME: a busybox container whose network config we write.
new_container() {
    local c=$1
    if ! lxc-create -P "$P" -n "$c" -t busybox > "$P/$c.create.log" 2>&1
    then
        gn_fail "lxc-create-$c" "$(tail -n 5 "$P/$c.create.log")"
        gn_done
    fi
    gn_on_exit "remove_container '$c'"
    sed -i '/^lxc\.net\./d; /^lxc\.apparmor\./d' "$P/$c/config"
    echo "lxc.apparmor.profile = unconfined" >> "$P/$c/config"
    # The template's rcS runs udhcpc, which would flush the address that
    # LXC configured: guestnet's networks use static addresses here.
    sed -i '/udhcpc/d' "$P/$c/rootfs/etc/init.d/rcS"
}
remove_container() {
    lxc stop -n "$1" -k
    gn_wait 10 bash -c "ip netns exec '$ns' lxc-info -P '$P' -n '$1' -s \
        | grep -q STOPPED"
    lxc-destroy -P "$P" -n "$1" -f
}
start_container() {
    local c=$1
    if ! lxc start -n "$c" -l DEBUG -o "$P/$c.log"; then
        gn_fail "lxc-start-$c" "$(tail -n 5 "$P/$c.log")"
        return 1
    fi
    gn_wait 20 lxc attach -n "$c" -- true
}

# --- Same-network peers: namespaces attached with guestnetctl.
gn_netns "gwp$s"
gn_netns "gdp$s"
gn_check "peer-web" ctl port add "pw$s" --kind lxc --network web \
    --netns "gwp$s" --ip 10.10.0.41 --mac 52:54:00:10:00:41
gn_check "peer-db" ctl port add "pd$s" --kind lxc --network db \
    --netns "gdp$s" --ip 10.20.0.42 --mac 52:54:00:20:00:42

# --- Container 1, attached through guestnetctl: the veth's guest end stays
# on the host (--mode phys) and LXC takes it with the lines printed.
c1=gnl1-$s
new_container "$c1"
out=$(ctl --json port add "l1$s" --kind lxc --network web --mode phys \
      --ip 10.10.0.31 --mac 52:54:00:10:00:31)
gn_check "c1-port-add" test $? = 0
python3 -c '
import json, sys
for line in json.load(sys.stdin)["guest"]["lxc_config"]:
    print(line)' <<<"$out" > "$P/c1.net"
gn_check "c1-lxc-lines-printed" grep -q "^lxc.net.0.type = phys" "$P/c1.net"
gn_check "c1-lxc-address-printed" \
    grep -qx "lxc.net.0.ipv4.address = 10.10.0.31/24" "$P/c1.net"
gn_check "c1-lxc-gateway-printed" \
    grep -qx "lxc.net.0.ipv4.gateway = 10.10.0.1" "$P/c1.net"
cat "$P/c1.net" >> "$P/$c1/config"
gn_check "c1-start" start_container "$c1"
gn_check "c1-has-the-port-mac" test "$(in_ct "$c1" cat \
    /sys/class/net/eth0/address)" = 52:54:00:10:00:31
gn_check "c1-guest-end-moved-in" \
    bash -c "! ip netns exec $ns test -e /sys/class/net/l1${s}p"

# --- Container 2, attached by LXC itself, adopted with the hook's MAC.
c2=gnl2-$s
new_container "$c2"
cat >> "$P/$c2/config" <<EOC
lxc.net.0.type = veth
lxc.net.0.link = br-int
lxc.net.0.veth.vlan.id = 20
lxc.net.0.veth.pair = l2$s
lxc.net.0.name = eth0
lxc.net.0.hwaddr = 52:54:00:20:00:32
lxc.net.0.flags = up
lxc.net.0.ipv4.address = 10.20.0.32/24
lxc.net.0.ipv4.gateway = 10.20.0.1
lxc.hook.start-host = $hook
EOC
gn_check "c2-start" start_container "$c2"
gn_check "c2-port-on-bridge-tag-20" \
    test "$(ovs-vsctl get Port "l2$s" tag)" = 20
gn_check "c2-hook-wrote-attached-mac" test "$(ovs-vsctl get Interface \
    "l2$s" external_ids:attached-mac)" = '"52:54:00:20:00:32"'
gn_check "c2-hook-ran" grep -q "lxc-start-host: l2$s: attached-mac" \
    "$P/$c2.log"
gn_check "c2-adopted-bound" gn_wait 10 bash -c \
    "'$GUESTNETCTL' port list | grep -q '^l2$s .*adopted .*db .*bound'"
gn_check "c2-mac-from-hook" test "$(field "l2$s" mac)" = 52:54:00:20:00:32
gn_check "c2-vm-id-is-container" test "$(field "l2$s" vm_id)" = "$c2"
gn_check "c2-not-quarantined" test "$(field "l2$s" quarantined)" = False
# The hook turned TX checksum offload off on the container's end (the
# bridge is on the userspace datapath, where TCP needs it).
c2pid=$(lxc info -n "$c2" -pH)
gn_check "c2-hook-tx-checksum-off" bash -c "nsenter -t $c2pid -n \
    ethtool -k eth0 | grep -q '^tx-checksumming: off'"
ctl port list

# --- Container 3, started without a network (lxc.net.0.type = empty);
# guestnetctl moves the guest end into its namespace by PID.
c3=gnl3-$s
new_container "$c3"
echo "lxc.net.0.type = empty" >> "$P/$c3/config"
gn_check "c3-start" start_container "$c3"
pid3=$(lxc info -n "$c3" -pH)
gn_check "c3-port-add-by-pid" ctl port add "l3$s" --kind lxc --network db \
    --netns-pid "$pid3" --ip 10.20.0.33 --mac 52:54:00:20:00:33
gn_check "c3-eth0-configured" bash -c "ip netns exec '$ns' lxc-attach \
    -P '$P' -n '$c3' -- ip addr show eth0 | grep -q 'inet 10.20.0.33/24'"
gn_check "c3-reaches-c2" in_ct "$c3" ping -c 3 -W 2 10.20.0.32

# --- Isolation as the pipeline promises.
ping_ok() { in_ct "$1" ping -c 3 -W 2 "$2" >/dev/null; }
pings() { in_ct "$1" ping -c 2 -W 2 "$2"; }
gn_check "c1-reaches-web-peer" ping_ok "$c1" 10.10.0.41
gn_check "c2-reaches-db-peer" ping_ok "$c2" 10.20.0.42
gn_check "web-peer-reaches-c1" \
    ip netns exec "gwp$s" ping -c 3 -W 2 10.10.0.31
# Across networks, even with an on-link route and the other MAC pinned.
gn_check "c1-pins-c2" in_ct "$c1" sh -c \
    "ip route add 10.20.0.0/24 dev eth0 && \
     arp -i eth0 -s 10.20.0.32 52:54:00:20:00:32"
gn_check_fails "c1-cannot-reach-c2" pings "$c1" 10.20.0.32
gn_check_fails "c2-cannot-reach-c1" pings "$c2" 10.10.0.31
gn_check_fails "c2-cannot-reach-web-peer" pings "$c2" 10.10.0.41
gn_check "cross-network-dropped-by-default-drop" bash -c \
    "ovs-ofctl -O OpenFlow14 dump-flows br-int table=3 \
     | grep 'priority=0 actions=drop' | grep -q 'n_packets=[1-9]'"
# The adopted container changes its MAC: cut off; back: reaches again.
gn_check "c2-mac-change" in_ct "$c2" ip link set eth0 address \
    52:54:00:20:00:99
gn_check_fails "c2-changed-mac-cut-off" pings "$c2" 10.20.0.42
gn_check "c2-mac-restored" in_ct "$c2" ip link set eth0 address \
    52:54:00:20:00:32
gn_check "c2-restored-mac-reaches-db-peer" ping_ok "$c2" 10.20.0.42
# The guestnetctl container takes another address: cut off.
gn_check "c1-ip-change" in_ct "$c1" ip addr add 10.10.0.77/24 dev eth0
gn_check_fails "c1-spoofed-source-cut-off" \
    in_ct "$c1" ping -c 2 -W 2 -I 10.10.0.77 10.10.0.41

# --- Stop and remove: nothing left behind.
gn_check "c1-stop" lxc stop -n "$c1" -k
gn_check "c2-stop" lxc stop -n "$c2" -k
gn_check "c3-stop" lxc stop -n "$c3" -k
gn_check "c3-port-del" ctl port del "l3$s"
gn_check "c1-phys-end-back-on-host" \
    gn_wait 5 ip netns exec "$ns" test -e "/sys/class/net/l1${s}p"
gn_check "c1-port-del" ctl port del "l1$s"
gn_check "c1-veth-gone" bash -c \
    "! ip netns exec $ns test -e /sys/class/net/l1$s \
     && ! ip netns exec $ns test -e /sys/class/net/l1${s}p"
gn_check "c2-veth-gone-with-container" \
    bash -c "! ip netns exec $ns test -e /sys/class/net/l2$s"
gn_check "c2-port-removed-by-lxc" \
    bash -c "! ovs-vsctl list-ports br-int | grep -qx l2$s"
gn_done
