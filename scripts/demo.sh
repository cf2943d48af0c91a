#!/bin/bash
# demo.sh: guestnet in one command.  Sets up and builds (scripts/build.sh),
# starts a private Open vSwitch (scripts/gn-sandbox) and guestnetd with two
# networks, web and db (rule web -> db tcp/3306), attaches two LXC
# containers and one QEMU guest, prints the controller's status and port
# table, then shows with real commands what passes and what is dropped, and
# why.  Everything runs in a private run directory and network namespace;
# no system-wide Open vSwitch is touched.
#
# Usage: scripts/demo.sh [--keep]   run the demo (as root); --keep leaves it
#                                    running and says how to use it
#        scripts/demo.sh --stop     clean up a demo left running
#
# Where LXC or QEMU (or the guest kernel) is missing, network namespaces
# stand in for those guests, and the demo says so.  GUESTNET_BUILDDIR=DIR
# uses guestnetd and guestnetctl built in DIR instead of building.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
state=${GUESTNET_DEMO_DIR:-/tmp/guestnet-demo}
netns=guestnet-demo
lxcpath=$state/lxc
keep=no

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; exit "${1:-2}"; }
case ${1:-} in
    "") ;;
    --keep) keep=yes ;;
    --stop) mode=stop ;;
    -h|--help) usage 0 ;;
    *) usage ;;
esac

if [ -t 1 ]; then
    bold=$'\e[1m' green=$'\e[32m' red=$'\e[31m' dim=$'\e[2m' off=$'\e[0m'
else
    bold="" green="" red="" dim="" off=""
fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
say() { printf '   %s\n' "$*"; }
note() { printf '   %s%s%s\n' "$dim" "$*" "$off"; }
# show CMD...: prints the command, runs it, indents its output.
show() {
    printf '%s$ %s%s\n' "$bold" "$*" "$off"
    "$@" 2>&1 | sed 's/^/  /'
    return "${PIPESTATUS[0]}"
}
passes() { printf '   %s-> passes%s %s\n' "$green" "$off" "$*"; }
dropped() { printf '   %s-> dropped%s %s\n' "$red" "$off" "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

# --- Cleanup: also what --stop does. -----------------------------------------
cleanup() {
    local pid c
    [ -d "$state" ] || return 0
    for pid in "$state"/*.qemu.pid; do
        [ -f "$pid" ] || continue
        kill "$(cat "$pid")" 2>/dev/null || true
    done
    if command -v lxc-ls >/dev/null && [ -d "$lxcpath" ]; then
        for c in "$lxcpath"/*/config; do
            [ -f "$c" ] || continue
            c=$(basename "$(dirname "$c")")
            ip netns exec "$netns" lxc-stop -P "$lxcpath" -n "$c" -k \
                >/dev/null 2>&1 || true
            lxc-destroy -P "$lxcpath" -n "$c" -f >/dev/null 2>&1 || true
        done
    fi
    if [ -f "$state/namespaces" ]; then
        while read -r c; do
            ip netns delete "$c" 2>/dev/null || true
        done < "$state/namespaces"
    fi
    if [ -f "$state/guestnetd.pid" ]; then
        kill "$(cat "$state/guestnetd.pid")" 2>/dev/null || true
    fi
    "$top/scripts/gn-sandbox" stop "$state" >/dev/null 2>&1 || true
    rm -rf "$state"
}

[ "$(id -u)" = 0 ] || die "run as root (network namespaces, OVS, guests)"
if [ "${mode:-}" = stop ]; then
    if [ -d "$state" ]; then
        cleanup
        echo "demo: stopped and removed $state"
    else
        echo "demo: no demo running ($state does not exist)"
    fi
    exit 0
fi

t0=$(date +%s)
step "1. Set up and build (scripts/build.sh)"
if [ -n "${GUESTNET_BUILDDIR:-}" ]; then
    bin=$(cd "$GUESTNET_BUILDDIR" && pwd)
    say "using the binaries in $bin (GUESTNET_BUILDDIR)"
else
    "$top/scripts/build.sh" 2>&1 | sed 's/^/   /'
    [ "${PIPESTATUS[0]}" = 0 ] || die "build failed"
    bin=$top
fi
if [ ! -x "$bin/guestnetd" ] || [ ! -x "$bin/guestnetctl" ]; then
    die "no guestnetd/guestnetctl in $bin"
fi
export PATH=$bin:$PATH

if [ -d "$state" ]; then
    say "a previous demo is still there: cleaning it up first"
    cleanup
fi
trap 'cleanup' EXIT
trap 'exit 130' INT TERM
mkdir -p "$state"

# What guests can we have?
have_lxc=yes have_qemu=yes why_lxc="" why_qemu=""
if ! command -v lxc-create >/dev/null; then
    have_lxc=no why_lxc="lxc is not installed"
elif ! grep -q 'not a dynamic' <<<"$(ldd /bin/busybox 2>&1 || true)"; then
    have_lxc=no why_lxc="busybox-static is not installed"
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
    have_qemu=no why_qemu="qemu-system-x86 is not installed"
else
    export GN_SRCDIR=$top
    # shellcheck source=/dev/null
    . "$top/tests/guest/vm.sh"
    if ! gn_vm_image > "$state/image.log" 2>&1; then
        have_qemu=no why_qemu="no guest image: $(tail -n 1 "$state/image.log")"
    fi
fi

step "2. A private Open vSwitch (scripts/gn-sandbox)"
"$top/scripts/gn-sandbox" start "$state" --netns "$netns" > "$state/env" \
    || die "gn-sandbox start failed"
eval "$(cat "$state/env")"
say "ovsdb-server and ovs-vswitchd (userspace datapath) in $state,"
say "bridge devices in network namespace $netns"

step "3. guestnetd, with networks web and db and a rule web -> db tcp/3306"
cat > "$state/guestnet.json" <<'EOF'
{
  "bridge": "br-int",
  "datapath_type": "netdev",
  "networks": [
    {"name": "web", "vlan": 10, "subnets": ["10.10.0.0/24"],
     "gateways": ["10.10.0.1"]},
    {"name": "db", "vlan": 20, "subnets": ["10.20.0.0/24"],
     "gateways": ["10.20.0.1"], "dhcp": false}
  ],
  "rules": [{"from": "web", "to": "db", "proto": "tcp", "port": 3306}]
}
EOF
sed 's/^/   /' "$state/guestnet.json"
note "In web, guestnet assigns a port that declares no address one and"
note "serves it by DHCP; db says \"dhcp\": false: its guests bring their own"
note "addresses (db1's is in its LXC config)."
show guestnetctl config check "$state/guestnet.json"
export GUESTNET_SOCKET=$state/guestnetd.sock
ip netns exec "$netns" setsid guestnetd --config "$state/guestnet.json" \
    --ovsdb "$GN_SANDBOX_DB" --socket "$GUESTNET_SOCKET" \
    --log-file "$state/guestnetd.log" --pidfile "$state/guestnetd.pid" \
    < /dev/null > /dev/null 2>&1 &
for _ in $(seq 100); do
    guestnetctl -t 1 status >/dev/null 2>&1 && break
    sleep 0.1
done
guestnetctl -t 2 status >/dev/null 2>&1 \
    || die "guestnetd did not start (see $state/guestnetd.log)"
say "guestnetd runs (log: $state/guestnetd.log)"

step "4. Guests"
in_ns() { ip netns exec "$netns" "$@"; }
lxc_() { local cmd=$1; shift; in_ns "lxc-$cmd" -P "$lxcpath" "$@"; }

# A network namespace standing in for a guest, attached by guestnetctl.
ns_guest() {
    local name=$1 network=$2 ip=$3 mac=$4
    ip netns add "gd-$name"
    echo "gd-$name" >> "$state/namespaces"
    ip -n "gd-$name" link set lo up
    show guestnetctl port add "$name" --kind lxc --network "$network" \
        --netns "gd-$name" --ip "$ip" --mac "$mac" >/dev/null
    say "namespace gd-$name is guest $name ($ip on $network)"
}
new_container() {
    local c=$1
    mkdir -p "$lxcpath"
    lxc-create -P "$lxcpath" -n "$c" -t busybox > "$state/$c.create.log" 2>&1 \
        || die "lxc-create $c failed (see $state/$c.create.log)"
    sed -i '/^lxc\.net\./d; /^lxc\.apparmor\./d' "$lxcpath/$c/config"
    echo "lxc.apparmor.profile = unconfined" >> "$lxcpath/$c/config"
    # Static addresses: the template's DHCP client would remove them.
    sed -i '/udhcpc/d' "$lxcpath/$c/rootfs/etc/init.d/rcS"
}

# The QEMU guest boots in the background while the containers start.
if [ $have_qemu = yes ]; then
    say "QEMU guest webvm (web, 10.10.0.12): a tap from guestnetctl ..."
    show guestnetctl port add webvm --kind kvm --network web \
        --ip 10.10.0.12 --mac 52:54:00:10:00:12
    mapfile -t qemu_args < <(guestnetctl --json port show webvm | python3 -c '
import json, sys
print("\n".join(json.load(sys.stdin)["guest"]["qemu_args"]))')
    say "... and QEMU started (TCG) with the arguments guestnetctl printed:"
    say "qemu-system-x86_64 ... ${qemu_args[*]}"
    gn_vm_start webvm "$state" "$netns" "gn.ip=10.10.0.12/24 gn.gw=10.10.0.1" \
        "${qemu_args[@]}"
    echo "${GN_VM_PID[webvm]}" > "$state/webvm.qemu.pid"
else
    say "no QEMU guest: $why_qemu; a network namespace stands in for webvm"
    ns_guest webvm web 10.10.0.12 52:54:00:10:00:12
fi

if [ $have_lxc = yes ]; then
    echo
    say "LXC container web1 (web, 10.10.0.11), attached through guestnetctl:"
    new_container web1
    show guestnetctl port add web1 --kind lxc --network web --mode phys \
        --ip 10.10.0.11 --mac 52:54:00:10:00:11
    {
        guestnetctl --json port show web1 | python3 -c '
import json, sys
print("\n".join(json.load(sys.stdin)["guest"]["lxc_config"]))'
    } > "$state/web1.net"
    cat "$state/web1.net" >> "$lxcpath/web1/config"
    say "its LXC config (the lines guestnetctl printed):"
    sed 's/^/     /' "$state/web1.net"
    lxc_ start -n web1 -l INFO -o "$state/web1.lxc.log" \
        || die "lxc-start web1 failed (see $state/web1.lxc.log)"

    echo
    say "LXC container db1 (db, 10.20.0.21), attached by LXC itself and"
    say "adopted by guestnetd; the lxc-start-host hook gives it the MAC:"
    new_container db1
    cat > "$state/db1.net" <<EOF
lxc.net.0.type = veth
lxc.net.0.link = br-int
lxc.net.0.veth.vlan.id = 20
lxc.net.0.veth.pair = db1
lxc.net.0.name = eth0
lxc.net.0.hwaddr = 52:54:00:20:00:21
lxc.net.0.flags = up
lxc.net.0.ipv4.address = 10.20.0.21/24
lxc.net.0.ipv4.gateway = 10.20.0.1
lxc.hook.start-host = $top/scripts/hooks/lxc-start-host
EOF
    sed 's/^/     /' "$state/db1.net"
    cat "$state/db1.net" >> "$lxcpath/db1/config"
    lxc_ start -n db1 -l INFO -o "$state/db1.lxc.log" \
        || die "lxc-start db1 failed (see $state/db1.lxc.log)"
    for c in web1 db1; do
        for _ in $(seq 100); do
            lxc_ attach -n "$c" -- true 2>/dev/null && break
            sleep 0.2
        done
    done
else
    say "no LXC containers: $why_lxc; network namespaces stand in for them"
    ns_guest web1 web 10.10.0.11 52:54:00:10:00:11
    ns_guest db1 db 10.20.0.21 52:54:00:20:00:21
fi

if [ $have_qemu = yes ]; then
    gn_vm_wait_ready webvm 120 || die "the QEMU guest did not boot"
    say "QEMU guest webvm booted: $(grep -a '^GN-READY' "$state/webvm.log")"
    in_webvm() {
        local rc=0
        gn_vm_run webvm 30 "$*" || rc=$?
        gn_vm_output webvm
        return $rc
    }
else
    in_webvm() { ip netns exec gd-webvm "$@"; }
fi
# The adopted port is bound once the hook's MAC is in.
for _ in $(seq 50); do
    guestnetctl port list 2>/dev/null | grep -q '^db1 .*bound' && break
    sleep 0.1
done

step "5. What guestnetd sees"
show guestnetctl status
echo
show guestnetctl port list

step "6. What passes: guests of one network reach each other"
# in_guest GUEST CMD...: CMD in GUEST; the command line shown is the real one.
in_guest() {
    local g=$1; shift
    case $g:$have_lxc:$have_qemu in
        webvm:*:yes) printf '%s$ (on webvm'"'"'s serial console) %s%s\n' \
                         "$bold" "$*" "$off" ;;
        webvm:*) printf '%s$ ip netns exec gd-webvm %s%s\n' "$bold" "$*" "$off" ;;
        *:yes:*) printf '%s$ ip netns exec %s lxc-attach -P %s -n %s -- %s%s\n' \
                     "$bold" "$netns" "$lxcpath" "$g" "$*" "$off" ;;
        *) printf '%s$ ip netns exec gd-%s %s%s\n' "$bold" "$g" "$*" "$off" ;;
    esac
    case $g:$have_lxc:$have_qemu in
        webvm:*:yes) in_webvm "$@" ;;
        webvm:*) ip netns exec gd-webvm "$@" ;;
        *:yes:*) lxc_ attach -n "$g" -- "$@" ;;
        *) ip netns exec "gd-$g" "$@" ;;
    esac 2>&1 | sed 's/^/  /'
    return "${PIPESTATUS[0]}"
}
if in_guest web1 ping -c 2 -W 2 10.10.0.12; then
    passes "web1 -> webvm: same network, own MAC and address"
else
    dropped "web1 -> webvm: not expected (see $state/guestnetd.log)"
fi
if in_guest webvm ping -c 2 -W 2 10.10.0.11; then
    passes "webvm -> web1"
else
    dropped "webvm -> web1: not expected (see $state/guestnetd.log)"
fi

step "7. What is dropped, and why"
# across FROM SUBNET IP MAC TO: FROM is told that TO, address IP and MAC in
# SUBNET of another network, is on its own link, and pings it.
across() {
    local from=$1 subnet=$2 ip=$3 mac=$4 to=$5
    in_guest "$from" ip route add "$subnet" dev eth0 || true
    in_guest "$from" arp -i eth0 -s "$ip" "$mac" || true
    if in_guest "$from" ping -c 2 -W 1 "$ip"; then
        passes "$from -> $to: NOT expected, networks should be isolated"
    else
        dropped "$from -> $to: another network"
    fi
}
note "web1 is told that db1 (db network) is on its own link, with db1's MAC,"
note "so its packets really reach the bridge:"
across web1 10.20.0.0/24 10.20.0.21 52:54:00:20:00:21 db1
note "the same the other way, from db1, the container LXC attached itself:"
across db1 10.10.0.0/24 10.10.0.12 52:54:00:10:00:12 webvm
note "why: guestnetctl trace asks ovs-vswitchd how it handles such a packet"
note "and names guestnet's rules on the way:"
show guestnetctl trace web1 dl_dst=52:54:00:20:00:21 proto=icmp \
    nw_src=10.10.0.11 nw_dst=10.20.0.21 || true
note "table 3 forwards a frame only to ports of the sender's network (reg6"
note "holds its VLAN): db1's MAC is not among web's, so the frame falls to"
note "table 3's default drop (cookie 0x1000000000003: rule 1, default-drop)."
echo
step "8. The rule web -> db tcp/3306: routed, through conntrack"
note "guestnet is each network's gateway (10.10.0.1, 10.20.0.1) and routes"
note "between networks only what a rule allows.  The guests go back to their"
note "default routes via the gateway:"
in_guest web1 ip route del 10.20.0.0/24 dev eth0 || true
in_guest db1 ip route del 10.10.0.0/24 dev eth0 || true
if ! ovs-vsctl get Interface db1 'external_ids:"guestnet:ips"' \
        > /dev/null 2>&1; then
    note "db1 was attached by LXC, so guestnet does not know its address;"
    note "declare it (what an operator or a hook does for adopted ports):"
    show ovs-vsctl set Interface db1 'external_ids:"guestnet:ips"=10.20.0.21' \
        || true
    for _ in $(seq 50); do
        guestnetctl --json port show db1 2>/dev/null \
            | grep -q '"10.20.0.21"' && break
        sleep 0.1
    done
    sleep 0.5
fi
# serve PORT: a one-shot listener in db1 (or web1 for $2) writing what it
# receives to /tmp/gn-demo-PORT there.
serve() {
    in_guest "${2:-db1}" sh -c "rm -f /tmp/gn-demo-$1; \
        (nc -l -p $1 > /tmp/gn-demo-$1 2>/dev/null &)" > /dev/null
    sleep 0.3
}
# sent FROM TO_IP PORT GUEST: sends a line from FROM to TO_IP:PORT; true if
# it arrived in GUEST.
sent() {
    # timeout on nc itself: an orphaned nc would hold in_guest's pipe open
    # until its SYNs give up (over 2 minutes).
    in_guest "$1" sh -c "echo SELECT 1 | timeout 3 nc $2 $3" \
        > /dev/null 2>&1 || true
    in_guest "$4" cat "/tmp/gn-demo-$3" 2>/dev/null | grep -q 'SELECT 1'
}
serve 3306
show guestnetctl trace web1 dl_dst=0a:00:00:00:00:0a proto=tcp \
    nw_dst=10.20.0.21 tp_dst=3306 || true
if sent web1 10.20.0.21 3306 db1; then
    passes "web1 -> db1 tcp/3306: allowed by the rule (route-allow), routed"
else
    dropped "web1 -> db1 tcp/3306: NOT expected (see $state/guestnetd.log)"
fi
serve 22
if sent web1 10.20.0.21 22 db1; then
    passes "web1 -> db1 tcp/22: NOT expected, no rule allows it"
else
    dropped "web1 -> db1 tcp/22: no rule allows it (route-drop)"
fi
serve 3306 web1
if sent db1 10.10.0.11 3306 web1; then
    passes "db1 -> web1 tcp/3306: NOT expected, the rule is one-way"
else
    dropped "db1 -> web1 tcp/3306: db may only answer, not open (route-drop)"
fi
show guestnetctl trace db1 dl_dst=0a:00:00:00:00:14 proto=tcp \
    nw_dst=10.10.0.11 tp_dst=3306 || true
echo
note "web1 sends from an address that is not its own (10.10.0.99):"
in_guest web1 ip addr add 10.10.0.99/24 dev eth0 || true
if in_guest web1 ping -c 2 -W 1 -I 10.10.0.99 10.10.0.12; then
    passes "spoofed source: NOT expected"
else
    dropped "web1 with a forged source address"
fi
show guestnetctl trace web1 nw_src=10.10.0.99 nw_dst=10.10.0.12 \
    dl_dst=52:54:00:10:00:12 proto=icmp || true
in_guest web1 ip addr del 10.10.0.99/24 dev eth0 >/dev/null || true
echo
note "and a frame from a MAC that is not the port's:"
show guestnetctl trace web1 dl_src=52:54:00:66:66:66 \
    dl_dst=52:54:00:10:00:12 proto=icmp nw_dst=10.10.0.12 || true
echo
note "packets per guestnet rule so far:"
show guestnetctl flows || true

step "9. Done in $(( $(date +%s) - t0 )) s"
if [ $keep = yes ]; then
    trap - EXIT
    say "left running (--keep).  To look around:"
    say "  eval \$($top/scripts/gn-sandbox env $state)"
    say "  export GUESTNET_SOCKET=$GUESTNET_SOCKET PATH=$bin:\$PATH"
    say "  guestnetctl port list"
    [ $have_lxc = no ] || \
        say "  ip netns exec $netns lxc-attach -P $lxcpath -n web1"
    say "and to stop it:  $top/scripts/demo.sh --stop"
else
    say "cleaning up (scripts/demo.sh --keep leaves it running)"
fi
