#!/bin/bash
# guestnetd-rollback: when OVSDB refuses an add half-way (here: a port of
# the same name appeared while ovsdb-server was away, so guestnetd's
# guarded transaction fails on retry), the request is answered with the
# reason and the device guestnetd created is removed: no orphan device, no
# orphan row, and the other port of that name is left alone.  The port's
# flows reach the switch before its transaction commits, for the OpenFlow
# port number guestnetd asks for (32768-65279, free), and go with the
# refusal; a port added afterwards gets the number its flows were made
# for.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
name=rb$$
pidfile=$GN_SANDBOX_DIR/ovsdb-server.pid

# high_in_ports: the in_port numbers of 32768 and up in the switch's
# flows.
high_in_ports() {
    gn_flows | grep -o 'in_port=[0-9]*' | cut -d= -f2 \
        | awk '$1 >= 32768' | sort -u
}
before=$(high_in_ports)

# Freeze ovsdb-server, so guestnetd's transaction stays unanswered.
kill -STOP "$(cat "$pidfile")"
"$GUESTNETCTL" --timeout 60 port add "$name" --kind kvm --network web \
    > "$GN_SANDBOX_DIR/add.out" 2>&1 &
add_pid=$!
gn_check "device-created-before-commit" \
    gn_wait 10 ip netns exec "$ns" test -e "/sys/class/net/$name"
new_in_port() { comm -13 <(echo "$before") <(high_in_ports) | grep .; }
gn_check "flows-before-commit" gn_wait 10 new_in_port
pending=$(new_in_port | head -n 1)
gn_check "one-number-asked-for" test "$(new_in_port | wc -l)" = 1
gn_check "number-in-controllers-half" \
    test "${pending:-0}" -ge 32768 -a "${pending:-0}" -le 65279

# ovsdb-server dies without answering; meanwhile someone else takes the
# port name (written straight into the database file).
"$GN_SRCDIR/scripts/gn-sandbox" kill ovsdb "$GN_SANDBOX_DIR"
ovsdb-tool transact "$GN_SANDBOX_DIR/conf.db" "$(cat <<EOJ
["Open_vSwitch",
 {"op": "insert", "table": "Interface", "uuid-name": "i",
  "row": {"name": "${name}x", "type": "internal"}},
 {"op": "insert", "table": "Port", "uuid-name": "p",
  "row": {"name": "$name", "interfaces": ["named-uuid", "i"]}},
 {"op": "insert", "table": "Bridge", "uuid-name": "b",
  "row": {"name": "brx$$", "datapath_type": "netdev",
          "ports": ["named-uuid", "p"]}},
 {"op": "mutate", "table": "Open_vSwitch", "where": [],
  "mutations": [["bridges", "insert", ["named-uuid", "b"]]]}]
EOJ
)" > /dev/null
"$GN_SRCDIR/scripts/gn-sandbox" restart ovsdb "$GN_SANDBOX_DIR"

wait "$add_pid"
rc=$?
gn_check "refused-with-exit-1" test "$rc" = 1
gn_check "reason-given" grep -q 'OVSDB refused the change' \
    "$GN_SANDBOX_DIR/add.out"
gn_check "device-rolled-back" \
    gn_wait 5 bash -c "! ip netns exec $ns test -e /sys/class/net/$name"
gn_check "one-port-of-that-name" \
    test "$(ovs-vsctl --bare --columns=name find Port name="$name" | grep -c .)" = 1
gn_check "other-port-left-alone" \
    bash -c "ovs-vsctl list-ports brx$$ | grep -qx $name"
gn_check "not-on-guestnet-bridge" \
    bash -c "! ovs-vsctl list-ports br-int | grep -qx $name"
gn_check "guestnetd-healthy" \
    curl -sf --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/health
no_flows_for() { ! gn_flows | grep -Eq "in_port=$1([^0-9]|$)"; }
export -f no_flows_for gn_flows
gn_check "pending-flows-gone" gn_wait 5 no_flows_for "$pending"

# A port added now is given a number of that half, and its flows are
# the ones the switch holds for it.
"$GUESTNETCTL" port add "${name}ok" --kind kvm --network web > /dev/null
ofport=$(ovs-vsctl get Interface "${name}ok" ofport)
gn_check "added-port-has-its-number" test "$ofport" -ge 32768
gn_check "asked-for-number" \
    test "$(ovs-vsctl get Interface "${name}ok" ofport_request)" = "$ofport"
gn_check "flows-for-it" bash -c "! no_flows_for $ofport"
gn_done
