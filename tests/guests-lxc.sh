#!/bin/bash
# guests-lxc: real LXC containers (lxc-create -t busybox, offline) on ports
# guestnetctl makes.  One is attached through "port add --kind lxc --mode
# phys" and the LXC config lines it prints.  Another starts without a
# network and guestnetctl moves a veth end into it by PID.  Both reach a
# guest of their own network, neither reaches the other network, and a
# container that changes its address or MAC is cut off.  (Containers that
# LXC attaches itself: tests/guests-lxc-native.sh.)
#
# The bridge's devices live in the sandbox's network namespace, so LXC runs
# there too ("ip netns exec NS lxc-start"): that is where it finds the
# bridge port and the phys device, and where its command socket (abstract,
# so per network namespace) answers lxc-attach, lxc-info and lxc-stop.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd python3 python3
gn_require_lxc

gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
s=$$
# LXC's lxcpath, holding our containers only.
gn_tmpdir P
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
gn_check "c3-reaches-db-peer" in_ct "$c3" ping -c 3 -W 2 10.20.0.42

# --- Isolation as the pipeline promises.
ping_ok() { in_ct "$1" ping -c 3 -W 2 "$2" >/dev/null; }
pings() { in_ct "$1" ping -c 2 -W 2 "$2"; }
gn_check "c1-reaches-web-peer" ping_ok "$c1" 10.10.0.41
gn_check "web-peer-reaches-c1" \
    ip netns exec "gwp$s" ping -c 3 -W 2 10.10.0.31
# Across networks, even with an on-link route and the other MAC pinned.
gn_check "c1-pins-c3" in_ct "$c1" sh -c \
    "ip route add 10.20.0.0/24 dev eth0 && \
     arp -i eth0 -s 10.20.0.33 52:54:00:20:00:33"
gn_check_fails "c1-cannot-reach-c3" pings "$c1" 10.20.0.33
gn_check_fails "c3-cannot-reach-c1" pings "$c3" 10.10.0.31
gn_check_fails "c3-cannot-reach-web-peer" pings "$c3" 10.10.0.41
gn_check "cross-network-dropped-by-default-drop" bash -c \
    "ovs-ofctl -O OpenFlow14 dump-flows br-int table=3 \
     | grep 'priority=0 actions=drop' | grep -q 'n_packets=[1-9]'"
# A container changes its MAC: cut off; back: reaches again.
gn_check "c3-mac-change" in_ct "$c3" ip link set eth0 address \
    52:54:00:20:00:99
gn_check_fails "c3-changed-mac-cut-off" pings "$c3" 10.20.0.42
gn_check "c3-mac-restored" in_ct "$c3" ip link set eth0 address \
    52:54:00:20:00:33
gn_check "c3-restored-mac-reaches-db-peer" ping_ok "$c3" 10.20.0.42
# A container takes another address: cut off.
gn_check "c1-ip-change" in_ct "$c1" ip addr add 10.10.0.77/24 dev eth0
gn_check_fails "c1-spoofed-source-cut-off" \
    in_ct "$c1" ping -c 2 -W 2 -I 10.10.0.77 10.10.0.41

# --- Stop and remove: nothing left behind.
gn_check "c1-stop" lxc stop -n "$c1" -k
gn_check "c3-stop" lxc stop -n "$c3" -k
gn_check "c3-port-del" ctl port del "l3$s"
gn_check "c1-phys-end-back-on-host" \
    gn_wait 5 ip netns exec "$ns" test -e "/sys/class/net/l1${s}p"
gn_check "c1-port-del" ctl port del "l1$s"
gn_check "c1-veth-gone" bash -c \
    "! ip netns exec $ns test -e /sys/class/net/l1$s \
     && ! ip netns exec $ns test -e /sys/class/net/l1${s}p"
gn_check "no-port-left" test "$(ovs-vsctl list-ports br-int \
    | grep -v -x -e "pw$s" -e "pd$s" | wc -l)" = 0
gn_done
