#!/bin/bash
# ovsdb-cluster.sh: the ovsdb/ client against a 3-member clustered
# ovsdb-server (Raft) holding Guestnet, on unix sockets in a private
# folder, through tests/ovsdb-cluster-live.  A session given the three
# members reads rows written through another member; when its member is
# killed it moves to another and resumes with monitor_cond_since; after an
# outage (its member stopped) it resumes with the rows written meanwhile;
# a member cut off from the others is reported not connected and left.
. "${GN_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
gn_require_cmd ovsdb-server openvswitch-switch
gn_require_cmd ovsdb-tool openvswitch-common
gn_require_cmd ovsdb-client openvswitch-common
gn_require_cmd ovs-appctl openvswitch-common

live=$GN_BUILDDIR/tests/ovsdb-cluster-live
if [ ! -x "$live" ]; then
    gn_fail requirements "$live not built (make check builds it)"
    gn_done
fi

gn_tmpdir d
schema=$GN_SRCDIR/cluster/guestnet.ovsschema
out=$d/live.out

# start_member N: serves dbN.db on cN.sock (its unixctl sN.ctl).
start_member() {
    OVS_RUNDIR=$d ovsdb-server --detach --no-chdir -vconsole:off \
        --pidfile="$d/s$1.pid" \
        --unixctl="$d/s$1.ctl" --remote="punix:$d/c$1.sock" \
        --log-file="$d/s$1.log" "$d/db$1.db"
}
# stop_members: kills every member still running (stopped ones too).
stop_members() {
    local n pid
    for n in 1 2 3; do
        pid=$(cat "$d/s$n.pid" 2>/dev/null) || continue
        kill -CONT "$pid" 2>/dev/null
        kill -KILL "$pid" 2>/dev/null
    done
}
gn_on_exit stop_members
# kill_member SIG N: sends SIG to member N.
kill_member() { kill -"$1" "$(cat "$d/s$2.pid")"; }
# status N: member N's view of the cluster.
status() { ovs-appctl -t "$d/s$1.ctl" cluster/status Guestnet 2>/dev/null; }
# in_cluster N: member N is in the cluster and knows a leader.
in_cluster() {
    status "$1" | grep -q '^Status: cluster member' \
        && ! status "$1" | grep -q '^Leader: unknown'
}
is_follower() { status "$1" | grep -q '^Role: follower'; }
# add_net N NAME VLAN: inserts Network NAME through member N; fails on any
# error (no leader yet, ...).
add_net() {
    local reply
    reply=$(timeout 5 ovsdb-client transact "unix:$d/c$1.sock" \
        "[\"Guestnet\", {\"op\": \"insert\", \"table\": \"Network\",
          \"row\": {\"name\": \"$2\", \"vlan\": $3}}]" 2>&1) || return 1
    ! grep -q '"error"' <<< "$reply"
}
# mark: the number of lines the client printed so far.
mark() { wc -l < "$out"; }
# since K REGEX: a line after the first K matches REGEX.
since() { tail -n +$(($1 + 1)) "$out" | grep -Eq -- "$2"; }
# first_since K REGEX: the first such line.
first_since() { tail -n +$(($1 + 1)) "$out" | grep -E -m1 -- "$2"; }
# await SECS K REGEX: waits up to SECS s for such a line and sets 'line' to
# the first one; false if none came.
await() { gn_wait "$1" since "$2" "$3" && line=$(first_since "$2" "$3"); }
# last_lines: the client's last 5 lines, as one (what a failure shows).
last_lines() { tail -n 5 "$out" | tr '\n' ' '; }
# current: the member of the client's latest "ready" line.
current() {
    grep '^ready:' "$out" | tail -n 1 | sed -E 's|.*/c([0-9])\.sock .*|\1|'
}
# others N: the members other than N.
others() { local n; for n in 1 2 3; do [ "$n" = "$1" ] || echo "$n"; done; }
# at LINE: the "at=MS" of LINE.
at() { sed -E 's/.* at=([0-9]+)$/\1/' <<< "$1"; }
now_ms() { date +%s%3N; }

ovsdb-tool create-cluster "$d/db1.db" "$schema" "unix:$d/r1.raft"
for n in 2 3; do
    ovsdb-tool join-cluster "$d/db$n.db" Guestnet "unix:$d/r$n.raft" \
        "unix:$d/r1.raft"
done
for n in 1 2 3; do
    start_member $n || gn_fail "start-member-$n" "see $d/s$n.log"
done
for n in 1 2 3; do
    gn_check "member-$n-joins" gn_wait 20 in_cluster $n
done

# 1. Given all three members, the client reaches one, finds Guestnet
# clustered and connected, syncs in full, and sees a row written through
# another member.
"$live" "unix:$d/c1.sock,unix:$d/c2.sock,unix:$d/c3.sock" 3000 \
    > "$out" 2> "$d/live.err" &
pid=$!
gn_on_exit "kill $pid"
version=$(ovsdb-tool schema-version "$schema")
gn_check ready gn_wait 10 since 0 \
    "^ready: unix:.* model=clustered .*version=${version//./\\.}"
gn_check first-sync-full \
    gn_wait 10 since 0 '^synced: .* kind=full resyncs=1 resumes=0'
m=$(current)
o=$(others "$m" | head -n 1)
gn_check write-through-other-member gn_wait 10 add_net "$o" net1 101
gn_check sees-write-through-other-member \
    gn_wait 10 since 0 "names=([^ ]*,)?net1[, ]"

# 2. SIGKILL of the member it is connected to: it moves to another member,
# resumes there, and sees later writes.
k=$(mark)
t0=$(now_ms)
kill_member KILL "$m"
survivors=$(others "$m" | tr -d '\n')
if await 15 "$k" "^synced: unix:$d/c[$survivors]\.sock"; then
    echo "measured: reconnect and resync after SIGKILL of member $m: $(( $(at "$line") - t0 )) ms"
    gn_pass moves-to-another-member
    gn_check kill-reconnect-resumes \
        grep -Eq 'kind=resume resyncs=1 resumes=1 ' <<< "$line"
else
    gn_fail moves-to-another-member "$(last_lines)"
fi
w=$(others "$m" | tail -n 1)
gn_check write-after-kill gn_wait 15 add_net "$w" net2 102
t1=$(now_ms)
if await 10 "$k" "names=([^ ]*,)?net2[, ]"; then
    echo "measured: after SIGKILL of member $m, a write through member $w returned at $((t1 - t0)) ms; the client had the row at $(( $(at "$line") - t0 )) ms"
    gn_pass sees-write-after-kill
else
    gn_fail sees-write-after-kill "$(last_lines)"
fi

# 3. The killed member comes back.  The client's member is stopped (an
# outage it notices by its probe) while a row is written elsewhere: the
# client resumes on another member with monitor_cond_since (one more
# resume, no more full resyncs) and has the row.
start_member "$m"
gn_check killed-member-rejoins gn_wait 20 in_cluster "$m"
c=$(current)
k=$(mark)
kill_member STOP "$c"
t0=$(now_ms)
w=$(others "$c" | head -n 1)
gn_check write-during-outage gn_wait 15 add_net "$w" net3 103
t1=$(now_ms)
if await 15 "$k" '^synced:'; then
    echo "measured: write during the outage $((t1 - t0)) ms after SIGSTOP; client resumed $(( $(at "$line") - t0 )) ms after SIGSTOP: $line"
    gn_check outage-write-before-resume [ "$t1" -lt "$(at "$line")" ]
    gn_check outage-resumed-not-resynced \
        grep -Eq 'kind=resume resyncs=1 resumes=2 ' <<< "$line"
    gn_check outage-rows-present \
        grep -Eq 'names=net1,net2,net3 ' <<< "$line"
    gn_check outage-left-stopped-member \
        grep -Evq "unix:$d/c$c\.sock" <<< "$line"
else
    gn_fail outage-resumed "$(last_lines)"
fi
kill_member CONT "$c"
gn_check stopped-member-rejoins gn_wait 20 in_cluster "$c"

# 4. A member cut off from the others: keep a follower, kill the other
# two.  The follower reports connected=false in _Server; the client says
# not ready and leaves it.
y=
for n in $(current) 1 2 3; do
    if is_follower "$n"; then y=$n; break; fi
done
if [ -z "$y" ]; then
    gn_fail cut-off-follower "no follower: $(status 1 | tr '\n' ' ')"
else
    k=$(mark)
    t0=$(now_ms)
    for n in $(others "$y"); do
        kill_member KILL "$n"
    done
    cutoff="^not-ready: unix:$d/c$y\.sock .*connected=false"
    if await 20 "$k" "$cutoff"; then
        echo "measured: member $y reported cut off $(( $(at "$line") - t0 )) ms after its peers were killed"
        gn_pass cut-off-member-not-ready
        n=$(grep -nE -m1 -- "$cutoff" <(tail -n +$((k + 1)) "$out") | cut -d: -f1)
        gn_check cut-off-member-left \
            gn_wait 5 since $((k + n)) "^disconnected: unix:$d/c$y\.sock"
        gn_check_fails cut-off-never-ready-again \
            since $((k + n)) '^ready:'
        # It tries the other (dead) members first: back on this one only
        # after the backoff that ends the round.
        back="^connected: unix:$d/c$y\.sock"
        if gn_wait 5 since $((k + n)) "$back"; then
            again=$(first_since $((k + n)) "$back")
            echo "measured: back on member $y $(( $(at "$again") - $(at "$line") )) ms after leaving it"
            gn_check cut-off-others-tried-first \
                [ $(( $(at "$again") - $(at "$line") )) -ge 900 ]
        else
            gn_fail cut-off-others-tried-first "$(last_lines)"
        fi
    else
        gn_fail cut-off-member-not-ready "$(last_lines)"
    fi
fi

echo "== $out"; cat "$out"
gn_done
