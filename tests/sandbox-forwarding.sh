#!/bin/bash
# sandbox-forwarding: gn-sandbox's private ovs-vswitchd (userspace datapath)
# forwards real packets between two network namespaces through a bridge
# whose sockets live in the private run directory, and nothing of the
# system-wide OVS is touched.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_root
gn_require_cmd ping iputils-ping
gn_require_cmd ethtool ethtool
gn_require_cmd nc netcat-openbsd

system_db=/var/run/openvswitch/db.sock
system_db_before=$([ -e $system_db ] && echo yes || echo no)

gn_sandbox_start
gn_check "sandbox-answers" \
    "$GN_SRCDIR/scripts/gn-sandbox" status "$GN_SANDBOX_DIR"

ovs-vsctl add-br br0 -- set Bridge br0 datapath_type=netdev
gn_check "bridge-created" ovs-vsctl br-exists br0
gn_check "mgmt-socket-in-private-rundir" test -S "$GN_SANDBOX_DIR/br0.mgmt"
gn_check "datapath-is-userspace" \
    bash -c "ovs-appctl dpif/show | grep -q '^netdev@ovs-netdev'"

a=gnfa$$ b=gnfb$$
gn_guest "$a" "$a" 10.250.0.1/24
gn_guest "$b" "$b" 10.250.0.2/24

# Before the ports are on the bridge nothing connects the two guests.
gn_check_fails "no-path-before-ports-attached" \
    ip netns exec "$a" ping -c 1 -W 1 10.250.0.2

ovs-vsctl add-port br0 "$a" -- add-port br0 "$b"
gn_check "ping-a-to-b" ip netns exec "$a" ping -c 3 -i 0.2 -W 2 10.250.0.2
gn_check "ping-b-to-a" ip netns exec "$b" ping -c 3 -i 0.2 -W 2 10.250.0.1

# The packets went through this OVS: its bridge's flow counted them.
n=$(ovs-ofctl dump-flows br0 | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p' \
    | head -n1)
gn_check "bridge-counted-packets" test "${n:-0}" -ge 6

# TCP works too (checksum offload off on the guest ends).
ip netns exec "$b" timeout 5 nc -l -p 5001 > "$GN_SANDBOX_DIR/nc.out" &
gn_wait 3 gn_listening "$b" 5001
echo hello-through-ovs | ip netns exec "$a" timeout 5 nc -q 1 10.250.0.2 5001
wait
gn_check "tcp-a-to-b" grep -q hello-through-ovs "$GN_SANDBOX_DIR/nc.out"

# Deleting a port cuts the path again.
ovs-vsctl del-port br0 "$b"
gn_check_fails "no-path-after-port-deleted" \
    ip netns exec "$a" ping -c 1 -W 1 10.250.0.2

system_db_after=$([ -e $system_db ] && echo yes || echo no)
gn_check "system-ovs-untouched" test "$system_db_before" = "$system_db_after"
gn_done
