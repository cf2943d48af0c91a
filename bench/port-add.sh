#!/bin/bash
# bench/port-add.sh: how fast ports get attached, guestnetd against what an
# operator would otherwise run, in the same run on the same private OVS
# (userspace datapath):
#
#   ovs-vsctl loop   one "ovs-vsctl add-port BR tapN tag=10" per port
#   ovs-vsctl txn    one ovs-vsctl transaction adding every port
#   guestnetd        N concurrent POST /v1/ports (64 clients); each answer
#                    means: tap created, OVSDB committed, ovs-vswitchd
#                    applied it (ofport assigned) and the port's flows
#                    installed (barrier)
#
# Usage: bench/port-add.sh [N]      (as root, after scripts/build.sh)
# Environment: GN_BUILDDIR (default: the source tree), CLIENTS (64),
# METHODS (default "loop txn guestnetd": which of the three to run; the
# comparison is only fair within one run).
set -u
N=${1:-1000}
CLIENTS=${CLIENTS:-64}
METHODS=${METHODS:-loop txn guestnetd}
GN_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
export GN_SRCDIR GN_BUILDDIR=${GN_BUILDDIR:-$GN_SRCDIR}
GN_TEST_NAME=bench-port-add
. "$GN_SRCDIR/tests/lib.sh"
gn_require_root

gn_sandbox_start
ns=$GN_SANDBOX_NETNS
now() { date +%s.%N; }
want() { [[ " $METHODS " == *" $1 "* ]]; }
rows=()     # "METHOD:SECONDS"
# vsctl_done BRIDGE PREFIX METHOD: the time since $t0 is METHOD's row; the
# bridge and its taps go.
vsctl_done() {
    local t
    t=$(secs "$t0" "$(now)")
    ovs-vsctl del-br "$1"
    del_taps "$2"
    printf '%-18s%s s\n' "$3:" "$t"
    rows+=("$3:$t")
}
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

make_taps() {
    local prefix=$1 i
    for i in $(seq 1 "$N"); do echo "tuntap add dev $prefix$i mode tap"; done \
        | ip -n "$ns" -batch -
}
del_taps() {
    local prefix=$1 i
    for i in $(seq 1 "$N"); do echo "link del $prefix$i"; done \
        | ip -n "$ns" -batch - 2>/dev/null
}

echo "== $N ports, userspace datapath, $(nproc) cores"

# 1. ovs-vsctl, one command per port.
if want loop; then
    ovs-vsctl add-br br-loop -- set Bridge br-loop datapath_type=netdev \
        fail_mode=secure
    make_taps tl
    t0=$(now)
    for i in $(seq 1 "$N"); do
        ovs-vsctl add-port br-loop "tl$i" tag=10 \
            -- set Interface "tl$i" external_ids:attached-mac=52:54:00:00:00:01
    done
    vsctl_done br-loop tl "ovs-vsctl loop"
fi

# 2. ovs-vsctl, all ports in one transaction.
if want txn; then
    ovs-vsctl add-br br-txn -- set Bridge br-txn datapath_type=netdev \
        fail_mode=secure
    make_taps tt
    args=()
    for i in $(seq 1 "$N"); do
        args+=(-- add-port br-txn "tt$i" tag=10)
    done
    t0=$(now)
    ovs-vsctl --timeout=600 "${args[@]}"
    vsctl_done br-txn tt "ovs-vsctl txn"
fi

# 3. guestnetd: N concurrent requests from $CLIENTS clients.
rc=0
if want guestnetd; then
    cfg=$GN_SANDBOX_DIR/guestnet.json
    gn_config "$cfg"
    gn_guestnetd_start "$cfg" || exit 1
    for i in $(seq 1 "$N"); do
        echo "{\"name\":\"tg$i\",\"kind\":\"kvm\",\"network\":\"web\"}"
    done > "$GN_SANDBOX_DIR/adds.json"
    t0=$(now)
    out=$("$GN_BUILDDIR/bench/api-load" post "$GUESTNET_SOCKET" /v1/ports \
          "$CLIENTS" < "$GN_SANDBOX_DIR/adds.json")
    rc=$?
    t1=$(now)
    echo "guestnetd requests: $out"
    gnd=$(secs "$t0" "$t1")
    ready=$(ovs-vsctl --bare --columns=ofport list Interface | awk '$1 > 0' \
            | grep -c .)
    txns=$(gn_guestnetd_txns)
    echo "guestnetd:        $gnd s ($ready interfaces with an ofport," \
         "$txns OVSDB transactions)"
    rows+=("guestnetd:$gnd")
    "$GUESTNETCTL" --json status | python3 -c '
import json, sys
s = json.load(sys.stdin)["openflow"]
print("flows installed: %d, flow_mods: %d, bundles: %d"
      % (s["installed_flows"], s["flow_mods"], s["bundles"]))'
fi

echo
base=${gnd:-}
printf '%-18s %10s %12s\n' "method" "seconds" "vs guestnetd"
for m in "${rows[@]}"; do
    printf '%-18s %10s %12s\n' "${m%%:*}" "${m#*:}" \
        "$([ -n "$base" ] && python3 -c "print(f'{${m#*:} / $base:.2f}x')" \
           || echo -)"
done
exit $rc
