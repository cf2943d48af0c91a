#!/bin/bash
# ovsdb-client.sh: the ovsdb/ client (session, replica, transactions)
# against a real ovsdb-server and ovs-vswitchd from gn-sandbox, through
# tests/ovsdb-live.
. "${GN_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
gn_require_root
gn_require_cmd ovs-vsctl openvswitch-switch

live=$GN_BUILDDIR/tests/ovsdb-live
if [ ! -x "$live" ]; then
    gn_fail requirements "$live not built (make check builds it)"
    gn_done
fi

gn_sandbox_start
dir=$GN_SANDBOX_DIR
vsctl() { ovs-vsctl --db="$GN_SANDBOX_DB" --timeout=10 "$@"; }
gn_tmpdir out

# has_line FILE REGEX: FILE has a line matching REGEX.
has_line() { grep -Eq -- "$2" "$1"; }

# 1. A transaction creates a bridge with an internal port (netdev);
# ovs-vswitchd applies it (cur_cfg catches up, ofport assigned) and
# ovs-vsctl sees it.
if timeout 40 "$live" create "$GN_SANDBOX_DB" br-live > "$out/create" \
       2> "$out/create.err"; then
    gn_pass create-bridge-applied
else
    gn_fail create-bridge-applied "$(tr '\n' ' ' < "$out/create")"
fi
if has_line "$out/create" '^txn: ok next_cfg=[0-9]+$'; then
    gn_pass txn-reports-next-cfg
else
    gn_fail txn-reports-next-cfg "$(grep '^txn:' "$out/create")"
fi
gn_check ovs-vsctl-sees-bridge \
    bash -c "ovs-vsctl --db='$GN_SANDBOX_DB' br-exists br-live"
gn_check ovs-vsctl-sees-netdev [ "$(vsctl get Bridge br-live datapath_type)" = netdev ]
gn_check ovs-vsctl-sees-internal-iface \
    [ "$(vsctl get Interface br-live type)" = internal ]

# 2. ovsdb-server is killed and restarted while the client runs.  A change
# made while the client is disconnected (br-live deleted, br-new added) is
# in the replica after the reconnect: a full resync, since deletions during
# an outage are never notified.  A request pending across the outage gets
# its callback with an error.
"$live" outage "$GN_SANDBOX_DB" br-live br-new > "$out/outage" \
    2> "$out/outage.err" &
pid=$!
gn_on_exit "kill $pid"
if gn_wait 20 has_line "$out/outage" '^READY$'; then
    gn_check outage-bridge-present-before \
        has_line "$out/outage" '^before: br-live present$'
    "$GN_SRCDIR/scripts/gn-sandbox" kill ovsdb "$dir"
    gn_check outage-drop-seen gn_wait 10 has_line "$out/outage" '^disconnected:'
    "$GN_SRCDIR/scripts/gn-sandbox" restart ovsdb "$dir"
    vsctl --no-wait del-br br-live -- add-br br-new \
        -- set Bridge br-new datapath_type=netdev
    if wait "$pid"; then
        gn_pass outage-reconnect-resync
    else
        gn_fail outage-reconnect-resync "$(tr '\n' ' ' < "$out/outage")"
    fi
    gn_check outage-pending-request-failed \
        has_line "$out/outage" '^pending: failed \(.*dropped'
    gn_check outage-resynced-line \
        has_line "$out/outage" '^resynced: connects=[2-9][0-9]* br-live absent, br-new present$'
else
    gn_fail outage-ready "$(tr '\n' ' ' < "$out/outage")"
fi

# 3. With a 1 s probe interval the session stays up (one connection) over
# 3 s of idleness: probes are answered, nothing is dropped.
if timeout 20 "$live" probe "$GN_SANDBOX_DB" 3000 > "$out/probe" \
       2> "$out/probe.err"; then
    gn_pass probe-keeps-connection
else
    gn_fail probe-keeps-connection "$(tr '\n' ' ' < "$out/probe")"
fi
gn_check probe-single-connection \
    has_line "$out/probe" '^probe: connected=yes connects=1$'

# 4. ovs-vswitchd's unixctl socket speaks the same JSON-RPC.
ctl=$dir/ovs-vswitchd.$(cat "$dir/ovs-vswitchd.pid").ctl
if timeout 15 "$live" unixctl "$ctl" > "$out/unixctl" 2> "$out/unixctl.err"
then
    gn_check unixctl-version has_line "$out/unixctl" '^version: .*Open vSwitch'
else
    gn_fail unixctl-version "$(tr '\n' ' ' < "$out/unixctl")"
fi

for f in "$out"/*; do
    echo "== $f"; cat "$f"
done
gn_done
