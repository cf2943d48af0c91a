# cluster-lib.sh: helpers for tests of guestnet's cluster mode (source it
# after tests/lib.sh).
#
# Two kinds of things a cluster test needs, both removed on exit even on
# failure:
#
# - The cluster database: three ovsdb-server members of one Raft cluster of
#   the "Guestnet" database (cluster/guestnet.ovsschema), on unix sockets in
#   a private folder, each with its own --unixctl, --pidfile and --log-file
#   and OVS_RUNDIR set to that folder (never /var/run/openvswitch).
#
#     gn_cluster_db_start [CONTENTS]   3 members; sets GN_CLUSTER_DIR and
#                                      exports GN_CLUSTER_REMOTES
#     gn_cluster_leader                prints the leader's number (1-3)
#     gn_cluster_kill N                SIGKILL member N
#     gn_cluster_restart N             start member N again, wait till joined
#     gn_cluster_status N              its "ovs-appctl cluster/status"
#     gn_cluster_db_write N OP...      one transaction through member N
#     gn_cluster_db_error N OP...      its first error, then its details
#     gn_cluster_db_count N TABLE [CONDITION...]  rows that match
#     gn_cluster_db_rows N             every row of every table, sorted
#
#   Member N's files in GN_CLUSTER_DIR: dbN.db (database), rN.raft (Raft
#   address), cN.sock (clients), sN.ctl (ovs-appctl), sN.pid, sN.log.  A
#   second call of gn_cluster_db_start makes a second, independent cluster
#   and points GN_CLUSTER_DIR and GN_CLUSTER_REMOTES at it; the functions
#   act on the cluster GN_CLUSTER_DIR names.
#
# - Hosts on a fabric: a "fabric" network namespace whose Linux bridge plays
#   the physical switch (no VLAN filtering on this kernel: it forwards
#   tagged frames unchanged, one MAC table for all VLANs), and hosts, each a
#   gn-sandbox (ovsdb-server + ovs-vswitchd, userspace datapath) in a
#   network namespace of its own whose uplink "upl" is a veth to a port of
#   the fabric bridge.
#
#     gn_fabric_start                  sets GN_FABRIC_NETNS (bridge "fabric")
#     gn_fabric_plug NS IFACE PORT     a veth from NS to the fabric bridge
#     gn_cluster_host_start N          host N; sets GN_HOST_DIR[N],
#                                      GN_HOST_NETNS[N], GN_HOST_DB[N],
#                                      GN_HOST_SOCK[N]
#     gn_on_host N CMD...              CMD with host N's OVS environment
#     gn_host_guestnetd_start N CONFIG [OPTION...]    single-host guestnetd
#     gn_cluster_guestnetd_start N [OPTION...]        guestnetd --cluster
#     gn_host_guest N NS PORT NETWORK MAC [IP...]     a guest via the API
#     gn_host_router_mac NAME          the router MAC of host NAME
#     gn_fabric_injector NS            NS, whose "inj" plugs into the fabric
#     gn_fabric_capture PORT FILE FILTER  frames on fabric port PORT, to FILE
#     gn_fabric_capture_stop           stops that capture
#     gn_fabric_count FILE PATTERN     frames of FILE that show PATTERN
#     gn_check_injected_to_guest NS    checks of injected frames to guest NS
#     gn_check_injected_routed NS      checks of injected routed frames to NS
#
# - Tests of hosts in cluster mode: their setup and their API.
#
#     gn_cluster_setup N [OPTION...]   cluster, hosts 1-N with guestnetd
#     gn_cluster_import FILE [UPLINK]  the standard policy, through host 1
#     gn_cluster_policy_setup N [OPTION...]  both, the policy in $out
#     gn_cluster_import_file FILE      the policy of config FILE, the same way
#     gn_host_api N METHOD PATH [BODY] a request to host N: body, "HTTP NNN"
#     gn_host_code N METHOD PATH [BODY]  its HTTP status
#     gn_host_field N PATH PYEXPR      PYEXPR of the answer to GET PATH
#     gn_host_flows N                  host N's flows (as gn_flows prints)
#     gn_registry_ips NAME             port NAME's "ips / ips_assigned" in
#                                      the registry
#     gn_host_ips N NAME               the same in host N's API
#     gn_host_attach_tap N NAME MAC    a tap attached as libvirt does
#
# Examples:
#   . "$GN_SRCDIR/tests/lib.sh"
#   . "$GN_SRCDIR/tests/cluster-lib.sh"
#   gn_require_root
#   gn_cluster_db_start || gn_done
#   gn_check "host-added" gn_cluster_db_write 2 \
#       '{"op": "insert", "table": "Host", "row": {"name": "host1"}}'
#
#   gn_cluster_policy_setup 2
#   gn_check "port-on-host2" test "$(gn_host_code 2 POST /v1/ports \
#       '{"name": "tapa", "kind": "kvm", "network": "web"}')" = 201

GN_CLUSTER_DB=Guestnet
GN_CLUSTER_SCHEMA=$GN_SRCDIR/cluster/guestnet.ovsschema

# --- The cluster database.

# gn_pid_gone__ PID: PID has exited (a zombie counts as gone).
gn_pid_gone__() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
    [ -z "$state" ] || [ "$state" = Z ]
}

# gn_cluster_member_start__ DIR N: starts member N of the cluster in DIR
# (it returns once ovsdb-server runs, before it has joined).
gn_cluster_member_start__() {
    local d=$1 n=$2
    OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d \
        ovsdb-server --detach --no-chdir --pidfile="$d/s$n.pid" \
        --unixctl="$d/s$n.ctl" --log-file="$d/s$n.log" \
        --remote=punix:"$d/c$n.sock" "$d/db$n.db" 2>>"$d/s$n.stderr"
}

# gn_cluster_member_stop__ DIR N: stops member N (SIGTERM, then SIGKILL
# after 5 s).
gn_cluster_member_stop__() {
    local d=$1 n=$2 pid
    pid=$(cat "$d/s$n.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    gn_wait 5 gn_pid_gone__ "$pid" || kill -KILL "$pid" 2>/dev/null
    return 0
}
# gn_cluster_stop__ DIR: stops every member of the cluster in DIR (each
# sN.pid, members added after the first three included).
gn_cluster_stop__() {
    local pidfile n
    for pidfile in "$1"/s*.pid; do
        [ -e "$pidfile" ] || continue
        n=${pidfile##*/s}
        gn_cluster_member_stop__ "$1" "${n%.pid}"
    done
}

# gn_cluster_status N: member N's "ovs-appctl cluster/status Guestnet".
gn_cluster_status() {
    timeout 5 ovs-appctl --timeout=5 -t "$GN_CLUSTER_DIR/s$1.ctl" \
        cluster/status "$GN_CLUSTER_DB"
}

# gn_cluster_joined N: member N is a member of the cluster and knows a
# leader.
gn_cluster_joined() {
    local status
    status=$(gn_cluster_status "$1") || return 1
    grep -qx 'Status: cluster member' <<<"$status" \
        && grep -q '^Leader: ' <<<"$status" \
        && ! grep -qx 'Leader: unknown' <<<"$status"
}

# gn_cluster_leader: prints the number (1-3) of the member that reports
# itself leader; fails if none does.
gn_cluster_leader() {
    local n
    for n in 1 2 3; do
        if gn_cluster_status "$n" 2>/dev/null | grep -qx 'Role: leader'; then
            echo "$n"
            return 0
        fi
    done
    return 1
}

# gn_cluster_member N: member N's client remote ("unix:.../cN.sock"), or
# the list of all members (GN_CLUSTER_REMOTES) for N = "any", with which
# ovsdb-client finds the leader itself.
gn_cluster_member() {
    case $1 in
        any) echo "$GN_CLUSTER_REMOTES" ;;
        *) echo "unix:$GN_CLUSTER_DIR/c$1.sock" ;;
    esac
}

# gn_cluster_transact__ N OP...: the transaction ["Guestnet", OP...]
# through member N (see gn_cluster_member); prints ovsdb-client's JSON
# answer, fails if ovsdb-client did (10 s at most).
gn_cluster_transact__() {
    local remote ops
    remote=$(gn_cluster_member "$1")
    shift
    ops=$(IFS=,; echo "$*")
    ovsdb-client --timeout=10 -vconsole:off transact "$remote" \
        "[\"$GN_CLUSTER_DB\"${ops:+,$ops}]"
}

# gn_cluster_answer_error__: reads a transaction's answer on stdin and
# prints the "error" of the first operation that has one and, on a second
# line, its "details"; fails if no operation has an error.
gn_cluster_answer_error__() {
    "$GN_PYTHON" -c '
import json, sys
for r in json.load(sys.stdin):
    if isinstance(r, dict) and "error" in r:
        print(r["error"])
        print(r.get("details", ""))
        sys.exit(0)
sys.exit(1)'
}

# gn_cluster_db_write N OP...: one transaction of the operations OP (JSON
# objects of RFC 7047, e.g. '{"op": "insert", "table": "Host", "row":
# {"name": "h1"}}') through member N (1-3, or "any": the leader, found from
# GN_CLUSTER_REMOTES).  Prints the answer; succeeds only if ovsdb-client
# did and no operation failed (ovsdb-client itself exits 0 on a refused
# transaction).
gn_cluster_db_write() {
    local answer
    answer=$(gn_cluster_transact__ "$@") || return 2
    echo "$answer"
    ! gn_cluster_answer_error__ <<<"$answer" >/dev/null
}

# gn_cluster_db_error N OP...: runs the transaction as gn_cluster_db_write
# does and prints the first failed operation's error ("constraint
# violation") and, on a second line, its details (which say which index or
# constraint); prints nothing if the transaction committed.  Fails only if
# ovsdb-client did.
gn_cluster_db_error() {
    local answer
    answer=$(gn_cluster_transact__ "$@") || return 2
    gn_cluster_answer_error__ <<<"$answer"
    return 0
}

# gn_cluster_db_count N TABLE [CONDITION...]: prints how many rows of TABLE
# match all CONDITIONs (JSON arrays such as '["name", "==", "h1"]'), read
# through member N.
gn_cluster_db_count() {
    local n=$1 table=$2 where
    shift 2
    where=$(IFS=,; echo "$*")
    gn_cluster_transact__ "$n" "{\"op\": \"select\", \"table\": \"$table\",
        \"where\": [$where], \"columns\": [\"_uuid\"]}" \
        | "$GN_PYTHON" -c '
import json, sys
print(len(json.load(sys.stdin)[0]["rows"]))'
}

# gn_cluster_db_rows N: every row of every table, read through member N, one
# line per row ("TABLE JSON", keys sorted, without _version), sorted: two
# databases print the same lines if they hold the same rows with the same
# UUIDs.
gn_cluster_db_rows() {
    local n=$1 table tables ops=()
    tables=$(ovsdb-client --timeout=10 -vconsole:off --format=csv \
             --no-headings list-tables "$(gn_cluster_member "$n")" \
             "$GN_CLUSTER_DB") || return 1
    for table in $tables; do
        ops+=("{\"op\": \"select\", \"table\": \"$table\", \"where\": []}")
    done
    gn_cluster_transact__ "$n" "${ops[@]}" | "$GN_PYTHON" -c '
import json, sys
answer = json.load(sys.stdin)
lines = []
for table, result in zip(sys.argv[1:], answer):
    for row in result["rows"]:
        row.pop("_version", None)
        lines.append(table + " " + json.dumps(row, sort_keys=True))
print("\n".join(sorted(lines)))' $tables
}

# gn_cluster_probe__: a write through each member commits (and is undone).
gn_cluster_probe__() {
    local n
    for n in 1 2 3; do
        gn_cluster_db_write "$n" "{\"op\": \"insert\", \"table\": \"Host\",
            \"row\": {\"name\": \"gn-cluster-probe-$n\"}}" || return 1
    done
    gn_cluster_db_write 1 '{"op": "delete", "table": "Host",
        "where": [["name", "==", "gn-cluster-probe-1"]]}' \
        '{"op": "delete", "table": "Host",
          "where": [["name", "==", "gn-cluster-probe-2"]]}' \
        '{"op": "delete", "table": "Host",
          "where": [["name", "==", "gn-cluster-probe-3"]]}'
}

# gn_cluster_db_start [CONTENTS]: a new 3-member Raft cluster of the
# Guestnet database in a private folder (GN_CLUSTER_DIR), made with
# "ovsdb-tool create-cluster" from CONTENTS (a schema or a standalone
# database, such as an "ovsdb-client backup"; default
# cluster/guestnet.ovsschema) and "ovsdb-tool join-cluster"; exports
# GN_CLUSTER_REMOTES ("unix:DIR/c1.sock,unix:DIR/c2.sock,unix:DIR/c3.sock").
# Returns once every member reports a leader and a write through each
# member commits; otherwise reports a failure, shows the members' logs and
# returns 1.  Everything is stopped and removed on exit.
gn_cluster_db_start() {
    local contents=${1:-$GN_CLUSTER_SCHEMA} d n
    gn_require_cmd ovsdb-server openvswitch-switch
    gn_require_cmd ovsdb-tool openvswitch-common
    gn_require_cmd ovs-appctl openvswitch-common
    gn_tmpdir GN_CLUSTER_DIR
    d=$GN_CLUSTER_DIR
    gn_on_exit "gn_cluster_stop__ '$d'"
    # A unix socket path must fit in 108 bytes.
    if [ ${#d} -gt 90 ]; then
        gn_fail cluster-start "folder path too long for sockets: $d"
        return 1
    fi
    if ! ovsdb-tool create-cluster "$d/db1.db" "$contents" \
            "unix:$d/r1.raft" 2>"$d/create.err"; then
        gn_fail cluster-start \
            "ovsdb-tool create-cluster: $(cat "$d/create.err")"
        return 1
    fi
    for n in 2 3; do
        if ! ovsdb-tool join-cluster "$d/db$n.db" "$GN_CLUSTER_DB" \
                "unix:$d/r$n.raft" "unix:$d/r1.raft" 2>"$d/join.err"; then
            gn_fail cluster-start \
                "ovsdb-tool join-cluster: $(cat "$d/join.err")"
            return 1
        fi
    done
    for n in 1 2 3; do
        if ! gn_cluster_member_start__ "$d" "$n"; then
            gn_fail cluster-start "ovsdb-server $n: $(cat "$d/s$n.stderr")"
            return 1
        fi
    done
    export GN_CLUSTER_REMOTES="unix:$d/c1.sock,unix:$d/c2.sock,unix:$d/c3.sock"
    if ! gn_wait 20 gn_cluster_joined 1 || ! gn_wait 20 gn_cluster_joined 2 \
            || ! gn_wait 20 gn_cluster_joined 3 \
            || ! gn_wait 10 gn_cluster_probe__; then
        gn_fail cluster-start "the cluster in $d did not form within 20 s"
        for n in 1 2 3; do
            echo "# member $n:"
            tail -n 5 "$d/s$n.log" | sed 's/^/#   /'
        done
        return 1
    fi
}

# gn_cluster_kill N: SIGKILL to member N; returns once it is gone.
gn_cluster_kill() {
    local pid
    pid=$(cat "$GN_CLUSTER_DIR/s$1.pid") || return 1
    kill -KILL "$pid" || return 1
    gn_wait 5 gn_pid_gone__ "$pid"
}

# gn_cluster_restart N: starts member N again on its database file; returns
# once it is a member that knows a leader (20 s at most).
gn_cluster_restart() {
    gn_cluster_member_start__ "$GN_CLUSTER_DIR" "$1" || return 1
    gn_wait 20 gn_cluster_joined "$1"
}

# --- Hosts on a fabric.

declare -a GN_HOST_DIR GN_HOST_NETNS GN_HOST_DB GN_HOST_SOCK \
    GN_HOST_GUESTNETD_PID
GN_FABRIC_NETNS=

# gn_fabric_start: the fabric namespace GN_FABRIC_NETNS with the Linux
# bridge "fabric" (the physical switch the hosts' uplinks plug into).
# Needs ip and bridge (iproute2).
gn_fabric_start() {
    gn_require_cmd ip iproute2
    gn_require_cmd bridge iproute2
    GN_FABRIC_NETNS=gnfab-$$
    gn_netns "$GN_FABRIC_NETNS"
    ip -n "$GN_FABRIC_NETNS" link add fabric type bridge
    ip -n "$GN_FABRIC_NETNS" link set fabric up
}

# gn_fabric_port_forwarding__ PORT: the fabric bridge forwards on PORT.
gn_fabric_port_forwarding__() {
    ip -n "$GN_FABRIC_NETNS" link show "$1" 2>/dev/null \
        | grep -q 'state UP' \
        && bridge -n "$GN_FABRIC_NETNS" link show dev "$1" \
        | grep -q 'state forwarding'
}

# gn_fabric_plug NS IFACE PORT: a veth pair whose end IFACE, in namespace
# NS, is up with TX checksum offload off (as for a guest) and whose end
# PORT is a port of the fabric bridge, up.
gn_fabric_plug() {
    local ns=$1 iface=$2 port=$3
    ip link add "$iface" netns "$ns" type veth peer name "$port" \
        netns "$GN_FABRIC_NETNS"
    ip netns exec "$ns" ethtool -K "$iface" tx off >/dev/null
    ip -n "$ns" link set "$iface" up
    ip -n "$GN_FABRIC_NETNS" link set "$port" master fabric up
}

# gn_cluster_host_start N: host N (1-9): a gn-sandbox in its own folder
# GN_HOST_DIR[N] and network namespace GN_HOST_NETNS[N] (ovsdb-server at
# GN_HOST_DB[N]), whose interface "upl" is a veth to port "hN" of the fabric
# bridge (started first if need be), with TX checksum offload off as for a
# guest.  GN_HOST_SOCK[N] is where its guestnetd's API will listen.  Ends
# the test if the sandbox does not start.
gn_cluster_host_start() {
    local n=$1 dir ns
    [ -n "$GN_FABRIC_NETNS" ] || gn_fabric_start
    dir=$(mktemp -d "${TMPDIR:-/tmp}/gn-$GN_TEST_NAME-h$n.XXXXXX")
    ns=gnh$n-$$
    gn_on_exit "rm -rf '$dir'"
    gn_on_exit "'$GN_SRCDIR/scripts/gn-sandbox' stop '$dir'"
    if ! "$GN_SRCDIR/scripts/gn-sandbox" start "$dir" --netns "$ns" \
            > "$dir/env"; then
        gn_fail "host$n-start" "gn-sandbox start $dir failed"
        gn_done
    fi
    GN_HOST_DIR[n]=$dir
    GN_HOST_NETNS[n]=$ns
    GN_HOST_DB[n]=unix:$dir/db.sock
    GN_HOST_SOCK[n]=$dir/guestnetd.sock
    gn_fabric_plug "$ns" upl "h$n"
    if ! gn_wait 10 gn_fabric_port_forwarding__ "h$n"; then
        gn_fail "host$n-start" "fabric port h$n does not forward"
        gn_done
    fi
    echo "# host$n: dir $dir, netns $ns, ovsdb ${GN_HOST_DB[n]}," \
         "fabric port h$n"
}

# gn_host_known__ N: host N was started; a test failure otherwise.
gn_host_known__() {
    [ -n "${GN_HOST_DIR[$1]:-}" ] && return 0
    gn_fail "host$1" "no host $1: gn_cluster_host_start $1 first"
    return 1
}

# gn_on_host N CMD...: runs CMD (ovs-vsctl, ovs-ofctl, ovs-appctl...) with
# host N's OVS environment, as gn-sandbox env prints it.
gn_on_host() {
    local dir=${GN_HOST_DIR[$1]:-}
    gn_host_known__ "$1" || return 1
    shift
    OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir "$@"
}

# gn_host_health__ N: host N's guestnetd answers /v1/health, or has exited
# (gn_host_guestnetd_run__ tells which).
gn_host_health__() {
    curl -sf --unix-socket "${GN_HOST_SOCK[$1]}" http://localhost/v1/health \
        || gn_pid_gone__ "${GN_HOST_GUESTNETD_PID[$1]}"
}

# gn_host_guestnetd_run__ N ARG...: runs guestnetd with ARGs in host N's
# namespace, with its OVS, socket, log and pidfile in the host's folder;
# waits until it answers /v1/health (20 s at most).  The test fails if it
# does not.
gn_host_guestnetd_run__() {
    local n=$1 dir=${GN_HOST_DIR[$1]:-}
    shift
    gn_host_known__ "$n" || return 1
    ip netns exec "${GN_HOST_NETNS[n]}" "$GUESTNETD" "$@" \
        --ovsdb "${GN_HOST_DB[n]}" --ovs-rundir "$dir" \
        --socket "${GN_HOST_SOCK[n]}" --log-file "$dir/guestnetd.log" \
        --pidfile "$dir/guestnetd.pid" 2>>"$dir/guestnetd.stderr" &
    GN_HOST_GUESTNETD_PID[n]=$!
    gn_on_exit "kill ${GN_HOST_GUESTNETD_PID[n]}"
    gn_wait 20 gn_host_health__ "$n"
    if gn_pid_gone__ "${GN_HOST_GUESTNETD_PID[n]}"; then
        gn_fail "host$n-guestnetd-start" \
            "guestnetd on host$n exited before answering /v1/health"
    elif ! gn_host_health__ "$n" >/dev/null; then
        gn_fail "host$n-guestnetd-start" \
            "guestnetd on host$n not healthy within 20 s"
    else
        return 0
    fi
    tail -n 20 "$dir/guestnetd.stderr" "$dir/guestnetd.log" 2>/dev/null \
        | sed 's/^/# /'
    return 1
}

# gn_host_guestnetd_start N CONFIG [OPTION...]: guestnetd in single-host
# mode on host N with the config file CONFIG (networks included, as
# gn_config writes) and the extra guestnetd OPTIONs; see
# gn_host_guestnetd_run__.
gn_host_guestnetd_start() {
    local n=$1 config=$2
    shift 2
    gn_host_guestnetd_run__ "$n" --config "$config" "$@"
}

# gn_cluster_guestnetd_start N [OPTION...]: guestnetd in cluster mode on
# host N: a host-local config ($GN_HOST_DIR[N]/guestnet-local.json: bridge
# br-int, datapath netdev, uplink upl, host "hostN"),
# --cluster="$GN_CLUSTER_REMOTES" (gn_cluster_db_start first) and the state
# folder $GN_HOST_DIR[N]/state (system-id, policy cache), with the
# extra guestnetd OPTIONs; see gn_host_guestnetd_run__.
gn_cluster_guestnetd_start() {
    local n=$1 config=${GN_HOST_DIR[$1]:-}/guestnet-local.json
    shift
    gn_host_known__ "$n" || return 1
    if [ -z "${GN_CLUSTER_REMOTES:-}" ]; then
        gn_fail "host$n-guestnetd-start" \
            "no cluster: gn_cluster_db_start first"
        return 1
    fi
    cat > "$config" <<EOC
{
  "bridge": "br-int",
  "datapath_type": "netdev",
  "uplink": "upl",
  "host": "host$n"
}
EOC
    gn_host_guestnetd_run__ "$n" --config "$config" \
        --cluster="$GN_CLUSTER_REMOTES" \
        --state-dir "${GN_HOST_DIR[n]}/state" "$@"
}

# gn_host_guest N NS PORT NETWORK MAC [IP...]: a guest namespace NS
# (removed on exit) whose eth0 is the lxc port PORT that host N's guestnetd
# adds to NETWORK with MAC and the declared addresses IP (POST /v1/ports,
# which answers once the port is ready).  The test fails if the API
# refuses.
gn_host_guest() {
    local n=$1 ns=$2 port=$3 net=$4 mac=$5 body answer
    shift 5
    gn_host_known__ "$n" || return 1
    gn_netns "$ns"
    body=$("$GN_PYTHON" -c '
import json, sys
name, kind, net, ns, mac = sys.argv[1:6]
print(json.dumps({"name": name, "kind": kind, "network": net, "netns": ns,
                  "mac": mac, "ips": sys.argv[6:]}))' \
        "$port" lxc "$net" "$ns" "$mac" "$@")
    answer=$(curl -s --unix-socket "${GN_HOST_SOCK[n]}" -X POST \
             -H 'Content-Type: application/json' --data-binary "$body" \
             -w '\nHTTP %{http_code}\n' http://localhost/v1/ports)
    if ! grep -q '^HTTP 2' <<<"$answer"; then
        gn_fail "host$n-guest-$port" \
            "POST /v1/ports: $(tr '\n' ' ' <<<"$answer")"
        return 1
    fi
}

# --- Tests of hosts in cluster mode.

# gn_cluster_setup N [OPTION...]: the usual start of a cluster-mode test:
# needs root and curl; starts the cluster database (gn_cluster_db_start)
# and hosts 1 to N (gn_cluster_host_start), each with guestnetd in cluster
# mode and the guestnetd OPTIONs (gn_cluster_guestnetd_start); ends the
# test if any of that fails.
gn_cluster_setup() {
    local hosts=$1 n
    shift
    gn_require_root
    gn_require_cmd curl curl
    gn_cluster_db_start || gn_done
    for n in $(seq 1 "$hosts"); do
        gn_cluster_host_start "$n"
        gn_cluster_guestnetd_start "$n" "$@" || gn_done
    done
}

# gn_cluster_policy_setup N [OPTION...]: gn_cluster_setup N OPTIONs, then
# a private folder in $out and the standard policy, with uplink upl,
# imported through host 1 (gn_cluster_import "$out/policy.json" upl).
gn_cluster_policy_setup() {
    gn_cluster_setup "$@"
    gn_tmpdir out
    # shellcheck disable=SC2154  # (gn_tmpdir set it)
    gn_cluster_import "$out/policy.json" upl
}

# How long gn_host_api waits for an answer, in seconds (curl --max-time);
# empty: as long as it takes.
GN_HOST_API_TIMEOUT=10

# gn_host_api N METHOD PATH [BODY]: one request to host N's API (BODY:
# JSON); prints the answer's body, then a line "HTTP NNN".
gn_host_api() {
    local n=$1
    shift
    curl -s ${GN_HOST_API_TIMEOUT:+-m "$GN_HOST_API_TIMEOUT"} \
        --unix-socket "${GN_HOST_SOCK[n]}" -X "$1" \
        ${3:+-H 'Content-Type: application/json' --data-binary "$3"} \
        -w '\nHTTP %{http_code}\n' "http://localhost$2"
}

# gn_migration_resume DEST SOURCE MAC: a live migration's last step, as
# QEMU takes it: the guest (MAC) stops in namespace SOURCE (its eth0 goes
# down) and resumes in DEST, which announces it with RARP, five times at
# growing intervals.
gn_migration_resume() {
    gn_scapy "$1" "
import subprocess, time
rarp = (Ether(src='$3', dst='ff:ff:ff:ff:ff:ff', type=0x8035)
        / ARP(op=3, hwsrc='$3', hwdst='$3', psrc='0.0.0.0', pdst='0.0.0.0'))
subprocess.run(['ip', '-n', '$2', 'link', 'set', 'eth0', 'down'])
for d in (0, 0.05, 0.1, 0.15, 0.2):
    time.sleep(d)
    sendp(rarp, iface='eth0', verbose=0)
"
}

# gn_host_router_mac NAME: prints the router MAC of the host named NAME, as
# host 1's guestnetd lists the hosts.
gn_host_router_mac() {
    gn_host_api 1 GET /v1/cluster/hosts | sed '$d' | "$GN_PYTHON" -c '
import json, sys
print([h["router_mac"] for h in json.load(sys.stdin)["hosts"]
       if h["name"] == sys.argv[1]][0])' "$1"
}

# gn_fabric_injector NS: a namespace NS (removed on exit) whose interface
# "inj" is a veth to port "hx" of the fabric bridge, for frames a test
# writes onto the fabric itself; returns once the port forwards.
gn_fabric_injector() {
    gn_netns "$1"
    ip link add inj netns "$1" type veth peer name hx \
        netns "$GN_FABRIC_NETNS"
    ip -n "$GN_FABRIC_NETNS" link set hx master fabric up
    ip -n "$1" link set inj up
    gn_wait 10 gn_fabric_port_forwarding__ hx
}

# gn_fabric_capture PORT FILE FILTER: captures the frames crossing port
# PORT of the fabric bridge (hN: host N's uplink) that the tcpdump FILTER
# selects, into FILE (each frame written at once), until
# gn_fabric_capture_stop; fails if tcpdump does not listen within 5 s.
gn_fabric_capture_pid=
gn_fabric_capture() {
    ip netns exec "$GN_FABRIC_NETNS" tcpdump -i "$1" -nn -U --immediate-mode \
        -w "$2" "$3" 2> "$2.err" &
    gn_fabric_capture_pid=$!
    gn_on_exit "kill $! 2>/dev/null"
    gn_wait 5 grep -q 'listening on' "$2.err"
}
# gn_fabric_capture_stop: stops the capture of gn_fabric_capture.
gn_fabric_capture_stop() {
    kill -INT "$gn_fabric_capture_pid" 2>/dev/null
    wait "$gn_fabric_capture_pid" 2>/dev/null
}
# gn_fabric_count FILE PATTERN: prints how many frames of the capture FILE
# show PATTERN in "tcpdump -e -nn" (VLAN tags included).
gn_fabric_count() {
    tcpdump -r "$1" -e -nn 2>/dev/null | grep -c -- "$2"
}

# gn_host_code N METHOD PATH [BODY]: the HTTP status of that request.
gn_host_code() { gn_host_api "$@" | tail -n 1 | cut -d' ' -f2; }

# gn_registry_ips NAME: the addresses the registry lists for port NAME
# ("ips", then "ips_assigned"), as host 1 reports them.
gn_registry_ips() {
    gn_host_field 1 "/v1/cluster/ports/$1" \
        '" ".join(d["ips"]) + " / " + " ".join(d.get("ips_assigned", []))'
}

# gn_host_ips N NAME: the same for the port as host N's API reports it.
gn_host_ips() {
    gn_host_field "$1" "/v1/ports/$2" \
        '" ".join(d["ips"]) + " / " + " ".join(d["ips_assigned"])'
}

# gn_host_attach_tap N NAME MAC: a tap NAME on host N, attached to br-int
# in VLAN 10 with MAC as its attached-mac, as libvirt attaches one.
gn_host_attach_tap() {
    ip -n "${GN_HOST_NETNS[$1]}" tuntap add dev "$2" mode tap
    ip -n "${GN_HOST_NETNS[$1]}" link set "$2" up
    gn_on_host "$1" ovs-vsctl --timeout=5 -- --may-exist add-port br-int \
        "$2" tag=10 -- set Interface "$2" external-ids:attached-mac="$3"
}

# gn_host_field N PATH PYEXPR: prints the Python expression PYEXPR over the
# JSON body of host N's answer to GET PATH (the body is "d").
gn_host_field() {
    gn_host_api "$1" GET "$2" | sed '$d' | "$GN_PYTHON" -c "import json, sys
d = json.load(sys.stdin)
print($3)"
}

# gn_check_injected_to_guest NS: PASS each if, of the frames a fabric
# injector sent to guest NS, the one tagged same-network (from an address
# nobody claims) arrived, and those tagged synack-no-request (a reply
# without a request) and own-address (from the guest's own address) did
# not.  gn_check_injected_routed NS: the same for the routed frames to NS
# tagged routed-syn (a new connection a rule allows), which must arrive,
# and routed-22 (one no rule allows), which must not.
gn_check_injected_to_guest() {
    gn_check_seen "injected-same-network-frame-arrives" "$1" same-network
    gn_check_unseen "injected-reply-without-request-dropped" "$1" \
        synack-no-request
    gn_check_unseen "injected-own-guest-address-dropped" "$1" own-address
}
gn_check_injected_routed() {
    gn_check_seen "injected-allowed-routed-syn-arrives" "$1" routed-syn
    gn_check_unseen "injected-routed-tcp-22-dropped" "$1" routed-22
}

# gn_host_flows N: host N's flows, sorted, without counters (gn_flows).
gn_host_flows() { gn_on_host "$1" gn_flows; }

# gn_cluster_import FILE [UPLINK]: writes the standard config (gn_config
# FILE UPLINK) and imports it (gn_cluster_import_file FILE).
gn_cluster_import() {
    gn_config "$1" "${2:-}"
    gn_cluster_import_file "$1"
}
# gn_cluster_import_file FILE: imports the networks and rules of the config
# FILE through host 1 (POST /v1/cluster/import); PASS policy-imported if
# host 1 answers 200.
gn_cluster_import_file() {
    gn_check "policy-imported" test "$(gn_host_code 1 POST \
        /v1/cluster/import "$(cat "$1")")" = 200
}
