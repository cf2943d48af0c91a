#!/bin/bash
# fault-kill: guestnetd SIGKILLed at random moments while 40 kvm and lxc
# ports are being added at once (half the time while their devices are
# being made), GN_FAULT_ROUNDS times (10 by default),
# each time restarted: no acknowledged port is lost, a retry of every add
# of the round succeeds (the same success for those that were committed,
# a fresh add for the others), no device guestnet made is left without a
# port (marked, or a veth pair still under its temporary names), no port
# guestnet made is left without its device, and the event loop never
# stalled for 50 ms.  Real OVS, real taps and veths.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd python3 python3
gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
clients=$GN_SRCDIR/tests/fault-clients.py
rounds=${GN_FAULT_ROUNDS:-10}

restart() {
    gn_guestnetd_start "$GN_CONFIG" || gn_done
}

lost=0 retry_failed=0 acked_total=0 kills=""
for r in $(seq 1 "$rounds"); do
    bodies=$GN_SANDBOX_DIR/round$r.json
    : > "$bodies"
    for i in $(seq 1 20); do
        mac=$(printf '52:54:00:fa:%02x:%02x' "$r" "$i")
        printf '{"name":"fk%d_%d","kind":"kvm","network":"web","mac":"%s"}\n' \
            "$r" "$i" "$mac" >> "$bodies"
        mac=$(printf '52:54:00:fb:%02x:%02x' "$r" "$i")
        printf '{"name":"fl%d_%d","kind":"lxc","mode":"phys","network":"db","mac":"%s"}\n' \
            "$r" "$i" "$mac" >> "$bodies"
    done
    # The kill comes once K of the 40 adds are answered, K at random: while
    # the others are anywhere between their devices and their flows; in
    # odd rounds K < 3, while most devices are still being made.
    if (( r % 2 )); then
        after=$(( RANDOM % 3 ))
    else
        after=$(( RANDOM % 36 ))
    fi
    out=$(python3 "$clients" "$GUESTNET_SOCKET" "$bodies" \
          --kill "$GN_GUESTNETD_PID" --after-answers "$after")
    wait "$GN_GUESTNETD_PID" 2>/dev/null
    kills="$kills $(sed -n 's/^killed \([0-9]*\) \([0-9]*\)/\1ms:\2/p' <<<"$out")"
    acked=$(awk '$1 != "killed" && ($2 == 201 || $2 == 202) { print $1 }' \
          <<<"$out")
    acked_total=$(( acked_total + $(grep -c . <<<"$acked") ))
    restart
    ports=$(ovs-vsctl list-ports br-int)
    for name in $acked; do
        grep -qx "$name" <<<"$ports" || { echo "lost: $name"; lost=$((lost + 1)); }
    done
    # Every add of the round again: the same success or a fresh one.
    out=$(python3 "$clients" "$GUESTNET_SOCKET" "$bodies")
    bad=$(awk '$2 != 201 && $2 != 202' <<<"$out")
    if [ -n "$bad" ]; then
        echo "round $r: retries that failed:"; echo "$bad"
        retry_failed=$(( retry_failed + $(grep -c . <<<"$bad") ))
        tail -n 20 "$GN_SANDBOX_DIR/guestnetd.log"
    fi
done
echo "kill moments (ms after the first request:answers by then):$kills;" \
     "$acked_total of $((40 * rounds)) adds acknowledged before a kill"
gn_check "killed-at-every-round" test "$(wc -w <<<"$kills")" = "$rounds"
gn_check "some-adds-acknowledged-before-kills" test "$acked_total" -gt 0
gn_check "kills-fell-while-adds-were-in-flight" \
    test "$acked_total" -lt $((40 * rounds))
gn_check "no-acknowledged-port-lost" test "$lost" = 0
gn_check "every-retry-succeeds" test "$retry_failed" = 0
gn_check "all-ports-there" \
    test "$(ovs-vsctl list-ports br-int | grep -c '^f[kl]')" = $((40 * rounds))

# Nothing left behind: the sweep at the last start and the adds that
# replaced stale devices leave no marked device without a port.
gn_check_no_orphans

# A device guestnet made, left by hand without a port, goes at the next
# start; one without the mark stays.
ip netns exec "$ns" ip link add gnorph1 type veth peer name gnorph2
ip netns exec "$ns" ip link set gnorph1 alias "guestnet:left-behind"
ip netns exec "$ns" ip link add gnmine type veth peer name gnmine2
# A pair still under the temporary names of a veth being made (killed
# before its mark) is guestnet's too.
ip netns exec "$ns" ip link add gnvh0123456789a type veth \
    peer name gnvp0123456789a
gn_guestnetd_stop KILL
restart
gone() { ! ip netns exec "$ns" test -e "/sys/class/net/$1"; }
gn_check "marked-orphan-removed-at-start" gn_wait 10 gone gnorph1
gn_check "temporarily-named-pair-removed-at-start" gn_wait 10 gone \
    gnvh0123456789a
gn_check "temporarily-named-peer-gone-too" gone gnvp0123456789a
gn_check "unmarked-device-left-alone" \
    ip netns exec "$ns" test -e /sys/class/net/gnmine
gn_check "orphan-counted" bash -c "curl -s --unix-socket '$GUESTNET_SOCKET' \
    http://localhost/metrics \
    | grep -q '^guestnet_orphan_devices_removed_total [1-9]'"
ip netns exec "$ns" ip link del gnmine

# The loop of the last guestnetd, which started on 400 ports and answered
# 40 retries: its largest delay.
max=$(gn_loop_ms blocked_max_ms)
echo "event loop: largest delay $(gn_loop_ms max_ms) ms, $max ms of it not" \
     "waiting for a CPU; the slowest steps of the last start:"
grep -E 'slow reconcile step|synced' "$GN_SANDBOX_DIR/guestnetd.log" | tail -n 5
gn_check "loop-never-stalled-50ms" \
    python3 -c "import sys; sys.exit(not $max < 50)"
gn_done
