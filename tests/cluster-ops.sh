#!/bin/bash
# cluster-ops: the operator's commands of doc/cluster.md, as written there,
# on tcp: remotes.  Three "hosts" are the addresses 127.0.0.1-3 of a private
# network namespace (its own ports, so the fixed ports 6641 for clients and
# 6644 for Raft collide with nothing); each member has its own folder.
# - create-cluster on the first, join-cluster on the others: a cluster
#   forms and "ovs-appctl cluster/status" shows one leader and 3 servers;
# - a member added with join-cluster (127.0.0.4) joins: 4 servers, and a
#   write through it commits;
# - "ovs-appctl cluster/leave" removes a member: 3 servers again, and the
#   database is removed from the member that left;
# - "ovs-appctl cluster/kick" removes a member that is dead;
# - the cluster keeps every row through it all, and clients that list the
#   members find the leader.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_root
gn_require_cmd ovsdb-server openvswitch-switch
gn_require_cmd ovsdb-client openvswitch-common
ns=gnops-$$
gn_netns "$ns"
gn_tmpdir top
gn_on_exit "gn_cluster_stop__ '$top'"
schema=$GN_CLUSTER_SCHEMA
# The members' client remotes, as a client lists them.
remotes=tcp:127.0.0.1:6641,tcp:127.0.0.2:6641,tcp:127.0.0.3:6641

# inns CMD...: CMD in the namespace (where the 127.0.0.N "hosts" are).
inns() { ip netns exec "$ns" "$@"; }
# start N: member N's ovsdb-server, as on a real host (pidfile, unixctl
# socket and log in its folder; the doc puts them in /run and /var/log).
start() {
    local d=$top/m$1
    inns env OVS_RUNDIR="$d" OVS_LOGDIR="$d" OVS_DBDIR="$d" \
        ovsdb-server --detach --no-chdir --pidfile="$d/ovsdb-server.pid" \
        --unixctl="$d/ovsdb-server.ctl" --log-file="$d/ovsdb-server.log" \
        --remote=ptcp:6641:127.0.0.$1 "$d/guestnet.db" \
        2>>"$d/ovsdb-server.stderr"
    # (For gn_cluster_stop__ at exit.)
    ln -sf "$d/ovsdb-server.pid" "$top/s$1.pid"
}
status() {  # status N: member N's cluster/status
    timeout 5 ovs-appctl --timeout=5 -t "$top/m$1/ovsdb-server.ctl" \
        cluster/status Guestnet
}
servers() {  # servers N: how many servers member N's status lists
    status "$1" | sed -n '/^Servers:/,$p' | grep -c ' at tcp:'
}
servers_are() { [ "$(servers "$1")" = "$2" ]; }
leader() {  # leader: the member (1-5) that says it is leader
    local n
    for n in 1 2 3 4 5; do
        [ -S "$top/m$n/ovsdb-server.ctl" ] || continue
        status "$n" 2>/dev/null | grep -qx 'Role: leader' && echo "$n" \
            && return 0
    done
    return 1
}
write() {  # write REMOTE NAME: inserts Host NAME through REMOTE
    local answer
    answer=$(inns ovsdb-client --timeout=10 -vconsole:off transact "$1" \
        "[\"Guestnet\", {\"op\": \"insert\", \"table\": \"Host\",
          \"row\": {\"name\": \"$2\"}}]") && [[ $answer == '[{"uuid":'* ]]
}
hosts() {  # hosts REMOTE: the Host names, sorted, on one line
    inns ovsdb-client --timeout=10 -vconsole:off --bare dump "$1" Guestnet \
        Host name | tail -n +2 | grep . | sort | tr '\n' ' '
}

# --- Create: the first member from the schema, the others join it.
for n in 1 2 3 4 5; do mkdir -p "$top/m$n"; done
gn_check "create-cluster" ovsdb-tool create-cluster "$top/m1/guestnet.db" \
    "$schema" tcp:127.0.0.1:6644
for n in 2 3; do
    gn_check "join-cluster-member$n" ovsdb-tool join-cluster \
        "$top/m$n/guestnet.db" Guestnet tcp:127.0.0.$n:6644 tcp:127.0.0.1:6644
done
for n in 1 2 3; do gn_check "start-member$n" start "$n"; done
for n in 1 2 3; do
    gn_check "member$n-connected" gn_wait 20 inns ovsdb-client --timeout=5 \
        wait tcp:127.0.0.$n:6641 Guestnet connected
done
gn_check "one-leader" gn_wait 10 leader
echo "# cluster/status of the leader (member $(leader)):"
status "$(leader)" | sed 's/^/#   /'
gn_check "leader-lists-3-servers" gn_wait 10 servers_are "$(leader)" 3
gn_check "write-through-member-list" write "$remotes" host1
gn_check "write-through-member3" write tcp:127.0.0.3:6641 host2
gn_check "rows-on-member2" gn_wait 5 \
    eval '[ "$(hosts tcp:127.0.0.2:6641)" = "host1 host2 " ]'

# --- Add a member: it joins through the members it lists.
gn_check "join-cluster-member4" ovsdb-tool join-cluster \
    "$top/m4/guestnet.db" Guestnet tcp:127.0.0.4:6644 \
    tcp:127.0.0.1:6644 tcp:127.0.0.2:6644 tcp:127.0.0.3:6644
gn_check "start-member4" start 4
gn_check "member4-connected" gn_wait 20 inns ovsdb-client --timeout=5 \
    wait tcp:127.0.0.4:6641 Guestnet connected
gn_check "leader-lists-4-servers" gn_wait 10 servers_are "$(leader)" 4
gn_check "member4-has-the-rows" gn_wait 5 \
    eval '[ "$(hosts tcp:127.0.0.4:6641)" = "host1 host2 " ]'
gn_check "write-through-member4" write tcp:127.0.0.4:6641 host3

# --- Remove a member that runs: cluster/leave.
gn_check "member4-leaves" eval "ovs-appctl -t '$top/m4/ovsdb-server.ctl' \
    cluster/leave Guestnet > /dev/null"
gn_check "member4-database-removed" gn_wait 20 inns ovsdb-client \
    --timeout=5 wait tcp:127.0.0.4:6641 Guestnet removed
gn_check "leader-lists-3-servers-after-leave" \
    gn_wait 10 servers_are "$(leader)" 3
gn_check "member4-stops" ovs-appctl -t "$top/m4/ovsdb-server.ctl" exit
gn_check "write-after-leave" write "$remotes" host4

# --- Remove a member that is dead: cluster/kick from another member.
gn_check "join-cluster-member5" ovsdb-tool join-cluster \
    "$top/m5/guestnet.db" Guestnet tcp:127.0.0.5:6644 \
    tcp:127.0.0.1:6644 tcp:127.0.0.2:6644 tcp:127.0.0.3:6644
gn_check "start-member5" start 5
gn_check "leader-lists-4-servers-with-member5" \
    gn_wait 20 servers_are "$(leader)" 4
sid5=$(ovsdb-tool db-sid "$top/m5/guestnet.db")
kill -KILL "$(cat "$top/m5/ovsdb-server.pid")"
gn_check "kick-dead-member5" eval "ovs-appctl -t '$top/m1/ovsdb-server.ctl' \
    cluster/kick Guestnet $sid5 > /dev/null"
gn_check "leader-lists-3-servers-after-kick" \
    gn_wait 10 servers_are "$(leader)" 3
gn_check_fails "member5-not-listed" bash -c \
    "ovs-appctl -t '$top/m1/ovsdb-server.ctl' cluster/status Guestnet \
     | grep -q 127.0.0.5"

# --- Health and contents at the end.
for n in 1 2 3; do
    gn_check "member$n-is-cluster-member" \
        bash -c "ovs-appctl -t '$top/m$n/ovsdb-server.ctl' cluster/status \
                 Guestnet | grep -qx 'Status: cluster member'"
done
gn_check "all-rows-kept" gn_wait 5 \
    eval '[ "$(hosts "$remotes")" = "host1 host2 host3 host4 " ]'
gn_check "backup-through-member-list" bash -c \
    "ip netns exec '$ns' ovsdb-client --timeout=10 -vconsole:off backup \
     '$remotes' Guestnet > '$top/backup.db' \
     && ovsdb-tool db-is-standalone '$top/backup.db'"
gn_done
