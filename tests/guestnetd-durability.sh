#!/bin/bash
# guestnetd-durability: nothing acknowledged is lost and nothing is applied
# twice when ovsdb-server dies and comes back during a burst of port adds,
# or when guestnetd itself is killed with SIGKILL and restarted.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_guestnetd_setup
cfg=$GN_CONFIG
ns=$GN_SANDBOX_NETNS
n=40
results=$GN_SANDBOX_DIR/results
mkdir -p "$results"

# A burst of adds (kvm taps; answered once committed to OVSDB) with
# ovsdb-server killed in the middle and restarted a second later.
pids=()
for i in $(seq 1 "$n"); do
    ( "$GUESTNETCTL" --timeout 60 port add "bt$i" --kind kvm \
          --network web --no-wait > "$results/$i.out" 2>&1
      echo $? > "$results/$i.rc" ) &
    pids+=($!)
    if [ "$i" = 15 ]; then
        "$GN_SRCDIR/scripts/gn-sandbox" kill ovsdb "$GN_SANDBOX_DIR"
    fi
done
sleep 1
"$GN_SRCDIR/scripts/gn-sandbox" restart ovsdb "$GN_SANDBOX_DIR"
wait "${pids[@]}"

acked=0 refused=0 lost=0
for i in $(seq 1 "$n"); do
    rc=$(cat "$results/$i.rc")
    if [ "$rc" = 0 ]; then
        acked=$((acked + 1))
        ovs-vsctl --timeout=5 list-ports br-int | grep -qx "bt$i" \
            || { lost=$((lost + 1)); echo "acknowledged bt$i is missing"; }
    else
        refused=$((refused + 1))
        echo "bt$i: exit $rc: $(cat "$results/$i.out")"
    fi
done
echo "burst: $acked acknowledged, $refused refused, $lost lost"
gn_check "burst-nothing-acknowledged-lost" test "$lost" = 0
# Requests that arrive while ovsdb-server is away wait for it to return.
gn_check "burst-all-acknowledged" test "$acked" = "$n"
dups=$(ovs-vsctl --timeout=5 --bare --columns=name list Port | sort \
       | uniq -d | grep -c .)
gn_check "burst-no-duplicate-rows" test "$dups" = 0
gn_check "burst-no-duplicate-interfaces" test "$(ovs-vsctl --bare \
    --columns=name list Interface | sort | uniq -d | grep -c .)" = 0
# A refused request leaves no tap behind.
orphans=0
for i in $(seq 1 "$n"); do
    if [ "$(cat "$results/$i.rc")" != 0 ] \
       && ip netns exec "$ns" test -e "/sys/class/net/bt$i" \
       && ! ovs-vsctl list-ports br-int | grep -qx "bt$i"; then
        orphans=$((orphans + 1))
    fi
done
gn_check "burst-no-orphan-devices" test "$orphans" = 0
gn_check "reconnected-after-ovsdb-restart" \
    bash -c "'$GUESTNETCTL' --json status | grep -q '\"connects\": 2'"

# guestnetd killed with SIGKILL and restarted: same ports, nothing written.
before_ports=$("$GUESTNETCTL" --json port list | python3 -c \
    'import json,sys; print(sorted((p["name"], p["network"], p["mac"]) for p in json.load(sys.stdin)))')
gn_wait 5 bash -c "[ \$(ovs-vsctl get Open_vSwitch . cur_cfg) = \
    \$(ovs-vsctl get Open_vSwitch . next_cfg) ]"
# (Settled: every port's installed mark written, the last transaction of
# an add, which would otherwise come after the count below.)
all_marked() {
    "$GUESTNETCTL" --json port list | python3 -c 'import json, sys
sys.exit(not all(p["installed"] for p in json.load(sys.stdin)))'
}
gn_check "ports-marked-installed-before-kill" gn_wait 10 all_marked
txns=$(gn_guestnetd_txns)
gn_guestnetd_stop KILL
gn_check "stale-socket-after-kill" test -S "$GUESTNET_SOCKET"
gn_guestnetd_start "$cfg" || gn_done
after_ports=$("$GUESTNETCTL" --json port list | python3 -c \
    'import json,sys; print(sorted((p["name"], p["network"], p["mac"]) for p in json.load(sys.stdin)))')
gn_check "sigkill-restart-same-ports" test "$before_ports" = "$after_ports"
sleep 1
gn_check "sigkill-restart-writes-nothing" test "$(gn_guestnetd_txns)" = "$txns"
gn_check "sigkill-restart-ports-deletable" "$GUESTNETCTL" port del bt1
gn_check "sigkill-restart-tap-removed" \
    bash -c "! ip netns exec $ns test -e /sys/class/net/bt1"
gn_done
