#!/bin/bash
# guests-lxc-native: a real LXC container (lxc-create -t busybox, offline)
# whose network LXC attaches itself, configured as doc/hooks.md tells
# operators to: lxc.net.0.link = br-int with a VLAN id (LXC runs ovs-vsctl
# add-port and sets the tag; the veth's name is LXC's own) and
# lxc.hook.start-host = /usr/share/guestnet/hooks/lxc-start-host, the hook
# where the package installs it.  guestnetd adopts the port with the MAC
# the hook wrote; the container reaches a neighbour of its network (ping
# and TCP, the hook having turned TX checksum offload off) with the
# address guestnet assigned its port, which the template's udhcpc got from
# guestnet's DHCP server, not one of
# another network, and not with another MAC; lxc-stop takes the port away
# and guestnetd forgets it; started again, the container is adopted again.
#
# LXC runs in the sandbox's network namespace (where the bridge's ports
# are, and where its abstract command socket answers lxc-info, lxc-attach
# and lxc-stop) and finds the sandbox's ovsdb-server through OVS_RUNDIR
# (gn_sandbox_start exports it; LXC passes its environment to ovs-vsctl
# and to the hook).  lxc-start runs in a mount namespace of its own where
# guestnet looks installed (gn_package_mounts).
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_root
gn_require_cmd python3 python3
gn_require_lxc
gn_require_cmd unshare util-linux
grep -qw overlay /proc/filesystems || gn_missing "needs overlayfs"

gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
s=$$
gn_tmpdir P
gn_package_tree "$P/pkg"
lxc() { local cmd=$1; shift; ip netns exec "$ns" "lxc-$cmd" -P "$P" "$@"; }
in_ct() { lxc attach -n "$c" -- "$@"; }
# the_port: the name of the bridge port LXC made for the container.
the_port() {
    ovs-vsctl --bare --columns=name find Interface "external_ids:vm-id=$c"
}

# --- Neighbours: one in web, one in db.
gn_lxc_guest "nw$s" "pnw$s" web 52:54:00:10:00:41 10.10.0.41
gn_lxc_guest "nd$s" "pnd$s" db 52:54:00:20:00:42 10.20.0.42

# --- The container, configured as doc/hooks.md says.
c=gnln-$s
if ! lxc-create -P "$P" -n "$c" -t busybox > "$P/create.log" 2>&1; then
    gn_fail lxc-create "$(tail -n 5 "$P/create.log")"
    gn_done
fi
gn_on_exit "lxc-destroy -P '$P' -n '$c' -f"
gn_on_exit "ip netns exec '$ns' lxc-stop -P '$P' -n '$c' -k"
sed -i '/^lxc\.net\./d; /^lxc\.apparmor\./d' "$P/$c/config"
# The template's rcS runs udhcpc: the container asks guestnet's DHCP
# server for its address (doc/hooks.md).
cat >> "$P/$c/config" <<EOC
lxc.apparmor.profile = unconfined
lxc.net.0.type = veth
lxc.net.0.link = br-int
lxc.net.0.veth.vlan.id = 10
lxc.net.0.hwaddr = 52:54:00:10:00:51
lxc.net.0.flags = up
lxc.net.0.name = eth0
lxc.hook.start-host = /usr/share/guestnet/hooks/lxc-start-host
EOC
# start NAME: lxc-start where guestnet is installed; returns once the
# container answers lxc-attach.
start() {
    ip netns exec "$ns" unshare --mount --propagation private bash -c "
        set -e
        $(gn_package_mounts "$P/pkg")
        exec lxc-start -P '$P' -n '$c' -l DEBUG -o '$P/$1.log'" \
        || { tail -n 5 "$P/$1.log"; return 1; }
    gn_wait 20 lxc attach -n "$c" -- true
}

gn_check "start" start start
port=$(the_port)
echo "LXC's port: $port"
gn_check "lxc-made-the-port" test -n "$port"
gn_check "lxc-tagged-the-port" test "$(ovs-vsctl get Port "$port" tag)" = 10
gn_check "installed-hook-ran" \
    grep -q "lxc-start-host: $port: attached-mac=52:54:00:10:00:51" \
    "$P/start.log"
gn_check "adopted-in-v1-ports" gn_wait 20 gn_port_is "$port" kind=adopted \
    network=web vlan=10 mac=52:54:00:10:00:51 vm_id="$c" quarantined=False
gn_check "adopted-ready" gn_wait 20 gn_port_ready "$port"
# leased PORT: the container has the IPv4 address guestnet assigned PORT
# (prints it).
leased() {
    local a
    a=$(curl -s --unix-socket "$GUESTNET_SOCKET" \
        "http://localhost/v1/ports/$1" | "$GN_PYTHON" -c 'import json, sys
print(" ".join(i for i in json.load(sys.stdin)["ips_assigned"]
               if ":" not in i))')
    [ -n "$a" ] && in_ct ip -4 addr show dev eth0 | grep -q "inet $a/24" \
        && echo "$a"
}
gn_check "container-leased-its-address" gn_wait 40 leased "$port"
ip=$(leased "$port")
echo "the container's address, by DHCP: $ip"

# --- Same network yes (ping and TCP), another network no.
ping_ok() { in_ct ping -c 3 -W 2 "$1" >/dev/null; }
pings() { in_ct ping -c 2 -W 2 "$1"; }
gn_check "reaches-web-neighbour" ping_ok 10.10.0.41
ip netns exec "nw$s" timeout 60 nc -l 7000 > "$P/tcp.out" 2>&1 &
gn_on_exit "kill $!"
gn_check "web-neighbour-listens" gn_wait 5 gn_listening "nw$s" 7000
gn_check "tcp-to-web-neighbour" \
    in_ct sh -c "echo hello-$s | nc -w 5 10.10.0.41 7000"
gn_check "web-neighbour-got-tcp" gn_wait 10 grep -q "hello-$s" "$P/tcp.out"
gn_check "pins-db-neighbour" in_ct sh -c \
    "ip route add 10.20.0.0/24 dev eth0 && \
     arp -i eth0 -s 10.20.0.42 52:54:00:20:00:42"
gn_check_fails "cannot-reach-db-neighbour" pings 10.20.0.42
gn_check "db-neighbour-pins-container" ip netns exec "nd$s" sh -c \
    "ip route add $ip/32 dev eth0 && \
     ip neigh replace $ip lladdr 52:54:00:10:00:51 dev eth0"
gn_check_fails "db-neighbour-cannot-reach-container" \
    ip netns exec "nd$s" ping -c 2 -W 2 "$ip"

# Port security on the MAC the hook wrote: another MAC is cut off.
gn_check "mac-change" in_ct ip link set eth0 address 52:54:00:10:00:99
gn_check_fails "changed-mac-cut-off" pings 10.10.0.41
gn_check "mac-restored" in_ct ip link set eth0 address 52:54:00:10:00:51
gn_check "restored-mac-reaches-web-neighbour" ping_ok 10.10.0.41

# --- lxc-stop: LXC removes the port and its veth, guestnetd forgets it.
gone() {
    ! ovs-vsctl list-ports br-int | grep -qx "$1" \
        && ! ip netns exec "$ns" test -e "/sys/class/net/$1" \
        && [ "$(gn_api GET "/v1/ports/$1" | tail -n 1)" = "HTTP 404" ]
}
gn_check "stop" lxc stop -n "$c"
gn_check "port-gone" gn_wait 10 gone "$port"
gn_check "only-neighbours-left" test "$(ovs-vsctl list-ports br-int \
    | grep -v -x -e "pnw$s" -e "pnd$s" | wc -l)" = 0

# --- Started again: a new veth, adopted again with the same MAC.
gn_check "restart" start restart
port2=$(the_port)
gn_check "restart-adopted" gn_wait 20 gn_port_is "$port2" kind=adopted \
    network=web mac=52:54:00:10:00:51 quarantined=False
gn_check "restart-ready" gn_wait 20 gn_port_ready "$port2"
gn_check "restart-leased" gn_wait 40 leased "$port2"
gn_check "restart-reaches-web-neighbour" ping_ok 10.10.0.41
gn_check "stop-again" lxc stop -n "$c"
gn_check "port-gone-again" gn_wait 10 gone "$port2"
gn_done
