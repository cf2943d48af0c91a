#!/bin/bash
# cluster-db: the clustered Guestnet database (cluster/guestnet.ovsschema)
# on a real 3-member Raft cluster, without guestnetd.
#
# - The schema's indexes make the cluster refuse, with "constraint
#   violation", a second Port of the same name, a second Port with the same
#   (network, mac), a second Address with the same (network, ip), a second
#   Network of the same name or VLAN and a second Host of the same name,
#   whichever member is asked; a row that differs in the indexed columns is
#   accepted, and a refused transaction leaves nothing behind.
# - Two clients that insert the same (network, mac) through two members at
#   the same moment: exactly one wins, the other is told "constraint
#   violation".
# - SIGKILL of the leader during a burst of writes through the followers:
#   writes resume within 3 s, and every acknowledged write is in the
#   database afterwards, on every member, the restarted one included.
# - "ovsdb-client backup" and a new cluster made from the backup with
#   "ovsdb-tool create-cluster" hold the same rows, UUIDs included.
# - "ovsdb-client convert" to tests/cluster/guestnet-1.2.ovsschema (one
#   column more) on the running cluster keeps every row, and
#   "ovsdb-client get-schema-version" reports 1.2.0 on every member.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_cmd ovsdb-client openvswitch-common
gn_cluster_db_start || gn_done
gn_tmpdir out

leader=$(gn_cluster_leader)
followers=()
for n in 1 2 3; do [ "$n" = "$leader" ] || followers+=("$n"); done
f1=${followers[0]} f2=${followers[1]}
echo "# leader: member $leader, followers: $f1 $f2"

# insert TABLE ROW: an insert operation.
insert() { echo "{\"op\": \"insert\", \"table\": \"$1\", \"row\": $2}"; }

# refused NAME N INDEX OP...: PASS if the transaction through member N is
# refused with "constraint violation" by the index INDEX (as the details
# name it: 'column "name"', 'columns "network" and "mac"').
# accepted NAME N OP...: PASS if the transaction commits.
refused() {
    local name=$1 n=$2 index=$3 got
    shift 3
    got=$(gn_cluster_db_error "$n" "$@")
    if [ "$(head -n 1 <<<"$got")" = "constraint violation" ] \
            && grep -qF "for index on $index." <<<"$got"; then
        gn_pass "$name"
    else
        gn_fail "$name" "expected a constraint violation of the index on \
$index, got: $(tr '\n' ' ' <<<"$got")"
    fi
}
accepted() {
    local name=$1 answer
    shift
    if answer=$(gn_cluster_db_write "$@"); then gn_pass "$name"
    else gn_fail "$name" "refused: $answer"; fi
}

# port NAME NETWORK MAC, address NETWORK IP OWNER, network NAME VLAN,
# host NAME: insert operations of one row.
port() {
    insert Port "{\"name\": \"$1\", \"network\": \"$2\", \"mac\": \"$3\",
                  \"kind\": \"lxc\", \"state\": \"ready\"}"
}
address() {
    insert Address "{\"network\": \"$1\", \"ip\": \"$2\", \"owner\": \"$3\",
                     \"kind\": \"port\"}"
}
network() { insert Network "{\"name\": \"$1\", \"vlan\": $2}"; }
host() { insert Host "{\"name\": \"$1\"}"; }
# count_is N EXPECTED TABLE [CONDITION...]: member N sees EXPECTED rows.
count_is() {
    local n=$1 expected=$2
    shift 2
    [ "$(gn_cluster_db_count "$n" "$@")" = "$expected" ]
}

# --- The schema's indexes, through followers and the leader.
mac1=52:54:00:00:00:01 mac2=52:54:00:00:00:02
accepted "port-accepted" "$f1" "$(port vm1-eth0 web $mac1)"
refused "port-same-name-refused" "$f2" 'column "name"' \
    "$(port vm1-eth0 web $mac2)"
accepted "port-other-name-other-mac-accepted" "$f2" \
    "$(port vm2-eth0 web $mac2)"
refused "port-same-network-mac-refused" "$leader" \
    'columns "network" and "mac"' "$(port vm3-eth0 web $mac1)"
accepted "port-same-mac-other-network-accepted" "$f1" \
    "$(port vm4-eth0 db $mac1)"
# "kind" and "state" are required enums: a row without them is refused
# with the same error name, but its details name no index.
gn_check "port-without-kind-refused-not-by-an-index" eval \
    "gn_cluster_db_error $f1 '$(insert Port '{"name": "vm5-eth0",
        "network": "web", "mac": "52:54:00:00:00:05"}')' \
     | grep -q 'is not one of the allowed values'"

accepted "address-accepted" "$f1" "$(address web 10.10.0.11 vm1-eth0)"
refused "address-same-network-ip-refused" "$f2" \
    'columns "network" and "ip"' "$(address web 10.10.0.11 vm2-eth0)"
accepted "address-other-ip-accepted" "$f2" \
    "$(address web 10.10.0.12 vm2-eth0)"
accepted "address-same-ip-other-network-accepted" "$f2" \
    "$(address db 10.10.0.11 vm4-eth0)"

accepted "network-accepted" "$f1" "$(network web 10)"
refused "network-same-name-refused" "$f2" 'column "name"' \
    "$(network web 11)"
refused "network-same-vlan-refused" "$leader" 'column "vlan"' \
    "$(network db 10)"
accepted "network-other-name-other-vlan-accepted" "$f2" "$(network db 20)"

accepted "host-accepted" "$f1" "$(host host1)"
refused "host-same-name-refused" "$f2" 'column "name"' "$(host host1)"
accepted "host-other-name-accepted" "$f2" "$(host host2)"

# A refused transaction is refused whole: its valid insert is not kept.
refused "transaction-with-duplicate-refused" "$f1" 'column "name"' \
    "$(host host3)" "$(host host1)"
# What was refused is absent on every member; what was accepted is there.
for n in 1 2 3; do
    gn_check "member$n-holds-one-port-vm1-eth0" \
        gn_wait 5 count_is "$n" 1 Port '["name", "==", "vm1-eth0"]'
    gn_check "member$n-holds-one-web-port-with-mac1" \
        gn_wait 5 count_is "$n" 1 Port '["network", "==", "web"]' \
        "[\"mac\", \"==\", \"$mac1\"]"
    gn_check "member$n-holds-the-accepted-rows" gn_wait 5 eval \
        "count_is $n 3 Port && count_is $n 3 Address \
         && count_is $n 2 Network && count_is $n 2 Host"
    gn_check "member$n-no-host3-from-refused-transaction" \
        count_is "$n" 0 Host '["name", "==", "host3"]'
done

# --- The same MAC inserted through two members at the same moment: both
# requests are sent before either answer is read.  Each round uses
# another pair of members, so that the leader is sometimes one of them.
race() {  # race ROUNDS: prints one line per round: WINNERS ERRORS...
    "$GN_PYTHON" - "$GN_CLUSTER_DIR" "$1" <<'EOF'
import json, socket, sys
d, rounds = sys.argv[1], int(sys.argv[2])
def rpc_read(s, buf):
    dec = json.JSONDecoder()
    while True:
        try:
            msg, end = dec.raw_decode(buf[0].lstrip())
            buf[0] = buf[0].lstrip()[end:]
            if "id" in msg and msg.get("method") is None:
                return msg
            if msg.get("method") == "echo":
                s.sendall(json.dumps({"id": msg["id"], "result": msg["params"],
                                      "error": None}).encode())
            continue
        except ValueError:
            pass
        data = s.recv(65536)
        if not data:
            raise SystemExit("connection closed")
        buf[0] += data.decode()
for r in range(rounds):
    a, b = r % 3 + 1, (r + 1) % 3 + 1
    socks = []
    for m in (a, b):
        s = socket.socket(socket.AF_UNIX)
        s.connect("%s/c%d.sock" % (d, m))
        socks.append(s)
    mac = "52:54:00:cc:%02x:%02x" % (r // 256, r % 256)
    for i, s in enumerate(socks):
        req = {"id": 1, "method": "transact", "params": ["Guestnet", {
            "op": "insert", "table": "Port", "row": {
                "name": "race%d-m%d" % (r, (a, b)[i]), "network": "race",
                "mac": mac, "kind": "lxc", "state": "ready"}}]}
        s.sendall(json.dumps(req).encode())
    wins, errors = 0, []
    for s in socks:
        reply = rpc_read(s, [""])
        results = reply.get("result") or [{"error": str(reply.get("error"))}]
        err = [x for x in results if "error" in x]
        if err:
            index = 'index on columns "network" and "mac".'
            by_index = index in err[0].get("details", "")
            errors.append(err[0]["error"].replace(" ", "-")
                          + (":network,mac" if by_index else ""))
        else:
            wins += 1
        s.close()
    print(wins, *errors)
EOF
}
rounds=20
race $rounds > "$out/race"
gn_check "race-ran-all-rounds" test "$(wc -l < "$out/race")" = $rounds
gn_check "race-exactly-one-winner-each-round" \
    test "$(grep -c '^1 constraint-violation:network,mac$' "$out/race")" \
    = $rounds
for ((r = 0; r < rounds; r++)); do
    mac=$(printf '52:54:00:cc:%02x:%02x' $((r / 256)) $((r % 256)))
    count_is "$leader" 1 Port "[\"mac\", \"==\", \"$mac\"]" || break
done
gn_check "race-one-row-per-mac" test "$r" = $rounds
echo "# race rounds by outcome (count, winners, loser's error):" \
     "$(sort "$out/race" | uniq -c | tr -s ' \n' ' ')"

# --- SIGKILL of the leader during a burst of writes through the
# followers.  Each writer logs "START END ok|no NAME" per write (times in
# seconds, from EPOCHREALTIME).
writer() {  # writer MEMBER: inserts Host rows burst-MEMBER-I till $out/stop
    local m=$1 i=0 start answer result
    while [ ! -e "$out/stop" ]; do
        i=$((i + 1))
        start=$EPOCHREALTIME
        if answer=$(ovsdb-client --timeout=5 -vconsole:off transact \
                "unix:$GN_CLUSTER_DIR/c$m.sock" \
                "[\"Guestnet\", $(host "burst-$m-$i")]" \
                2>/dev/null) && [[ $answer == '[{"uuid":'* ]]; then
            result=ok
        else
            result=no
        fi
        echo "$start $EPOCHREALTIME $result burst-$m-$i" >> "$out/writes-$m"
    done
}
acked_after() {  # acked_after MEMBER TIME COUNT: COUNT acks of writes
    [ -f "$out/writes-$1" ] &&     # started after TIME
        [ "$(awk -v t="$2" '$3 == "ok" && $1 > t' "$out/writes-$1" \
             | wc -l)" -ge "$3" ]
}
writer "$f1" & w1=$!
writer "$f2" & w2=$!
gn_on_exit "kill $w1 $w2"
gn_check "burst-writes-acked-before-kill" \
    gn_wait 10 eval "acked_after $f1 0 20 && acked_after $f2 0 20"
t_kill=$EPOCHREALTIME
gn_check "leader-killed" gn_cluster_kill "$leader"
gn_check "burst-writes-acked-after-kill" \
    gn_wait 10 eval "acked_after $f1 $t_kill 20 && acked_after $f2 $t_kill 20"
touch "$out/stop"
wait $w1 $w2
cat "$out/writes-$f1" "$out/writes-$f2" > "$out/writes"
# Resume time: from the kill to the first acknowledgement of a write that
# started after it.
resume=$(awk -v t="$t_kill" '$3 == "ok" && $1 > t { d = $2 - t;
    if (m == "" || d < m) m = d } END { printf "%.2f", m }' "$out/writes")
new_leader=$(gn_cluster_leader)
echo "# writes resume ${resume} s after SIGKILL of leader member $leader" \
     "(new leader: member $new_leader); writes acked $(grep -c ' ok ' \
     "$out/writes"), not acked $(grep -c ' no ' "$out/writes")"
gn_check "writes-resume-within-3s" \
    awk -v r="$resume" 'BEGIN { exit !(r != "" && r < 3.0) }'
gn_check "a-new-leader-is-elected" test -n "$new_leader"
gn_check_fails "killed-member-is-not-leader" test "$new_leader" = "$leader"

# Every acknowledged write is present, on every member, the killed one
# restarted and caught up.
gn_check "killed-member-restarts-and-joins" gn_cluster_restart "$leader"
awk '$3 == "ok" { print $4 }' "$out/writes" | sort > "$out/acked"
gn_check "burst-acked-some-writes" test "$(wc -l < "$out/acked")" -ge 80
missing() {  # missing N: acked names absent through member N (into a file)
    gn_cluster_transact__ "$1" '{"op": "select", "table": "Host",
        "where": [], "columns": ["name"]}' | "$GN_PYTHON" -c '
import json, sys
print("\n".join(sorted(r["name"] for r in json.load(sys.stdin)[0]["rows"])))' \
        > "$out/present-$1" || return 1
    comm -23 "$out/acked" "$out/present-$1" > "$out/missing-$1"
    [ ! -s "$out/missing-$1" ]
}
for n in 1 2 3; do
    if gn_wait 10 missing "$n"; then
        gn_pass "member$n-holds-every-acked-write"
    else
        gn_fail "member$n-holds-every-acked-write" \
            "$(wc -l < "$out/missing-$n") missing, first $(head -n 1 \
            "$out/missing-$n")"
    fi
done
# (The check can fail: a name that no write used is missing.)
echo burst-0-0 >> "$out/acked"
sort -o "$out/acked" "$out/acked"
gn_check_fails "presence-check-sees-a-missing-name" missing 1

# --- Backup, and a new cluster made from it.
gn_check "backup-taken-through-a-member" eval \
    "ovsdb-client --timeout=10 backup unix:$GN_CLUSTER_DIR/c$f1.sock \
     Guestnet > '$out/backup.db'"
gn_check "backup-is-standalone-database" \
    ovsdb-tool db-is-standalone "$out/backup.db"
gn_cluster_db_rows "$f1" > "$out/rows-a"
gn_check "cluster-a-has-rows" test "$(wc -l < "$out/rows-a")" -ge 80
a_dir=$GN_CLUSTER_DIR a_remotes=$GN_CLUSTER_REMOTES
gn_cluster_db_start "$out/backup.db" || gn_done
b_dir=$GN_CLUSTER_DIR
gn_check "restored-cluster-is-another-cluster" test \
    "$(ovsdb-tool db-cid "$a_dir/db1.db")" \
    != "$(ovsdb-tool db-cid "$b_dir/db1.db")"
for n in 1 2 3; do
    gn_check "restored-member$n-same-rows" gn_wait 5 \
        eval "gn_cluster_db_rows $n | cmp -s - '$out/rows-a'"
done
refused "restored-cluster-refuses-duplicate" 2 'column "name"' \
    "$(port vm1-eth0 web 52:54:00:00:00:09)"
gn_cluster_db_write 2 "$(host only-in-b)" > /dev/null
gn_check_fails "rows-differ-after-write-to-new-cluster" \
    eval "gn_cluster_db_rows 2 | cmp -s - '$out/rows-a'"
GN_CLUSTER_DIR=$a_dir GN_CLUSTER_REMOTES=$a_remotes
gn_check "old-cluster-unchanged-by-new" cmp -s "$out/rows-a" \
    <(gn_cluster_db_rows "$f1")

# --- Schema upgrade on the running cluster.
fixture=$GN_SRCDIR/tests/cluster/guestnet-1.2.ovsschema
gn_check "fixture-is-schema-plus-one-column" "$GN_PYTHON" -c '
import json, sys
old, new = (json.load(open(f)) for f in sys.argv[1:3])
assert (old["version"], new["version"]) == ("1.1.0", "1.2.0")
assert new["tables"]["Network"]["columns"].pop("description")
del old["version"], new["version"]
assert old == new' "$GN_CLUSTER_SCHEMA" "$fixture"
for n in 1 2 3; do
    v=$(ovsdb-client --timeout=10 get-schema-version \
        "unix:$GN_CLUSTER_DIR/c$n.sock" Guestnet)
    echo "# before convert: member $n reports schema version $v"
    gn_check "member$n-version-1.1.0-before" test "$v" = 1.1.0
done
set_description() {
    gn_cluster_db_write "$1" '{"op": "update", "table": "Network",
        "where": [["name", "==", "web"]], "row": {"description": "front"}}' \
        > /dev/null
}
gn_check_fails "description-column-absent-before" set_description "$f1"
gn_check "needs-conversion-before" test "$(ovsdb-client --timeout=10 \
    -vconsole:off needs-conversion \
    "$GN_CLUSTER_REMOTES" "$fixture")" = yes
gn_cluster_db_rows "$f1" > "$out/rows-before"
gn_check "convert-running-cluster" \
    ovsdb-client --timeout=30 -vconsole:off convert "$GN_CLUSTER_REMOTES" \
    "$fixture"
schema_version() {  # schema_version N VERSION
    test "$(ovsdb-client --timeout=10 get-schema-version \
            "unix:$GN_CLUSTER_DIR/c$1.sock" Guestnet)" = "$2"
}
for n in 1 2 3; do
    gn_check "member$n-version-1.2.0-after" \
        gn_wait 10 schema_version "$n" 1.2.0
    echo "# after convert: member $n reports schema version $(ovsdb-client \
        --timeout=10 get-schema-version "unix:$GN_CLUSTER_DIR/c$n.sock" \
        Guestnet)"
done
gn_check "no-conversion-needed-after" test "$(ovsdb-client --timeout=10 \
    -vconsole:off needs-conversion \
    "$GN_CLUSTER_REMOTES" "$fixture")" = no
without_description() {  # rows of member N without the new column
    gn_cluster_db_rows "$1" | "$GN_PYTHON" -c '
import json, sys
for line in sys.stdin:
    table, row = line.split(" ", 1)
    row = json.loads(row)
    if table == "Network":
        assert row.pop("description") == ["set", []]
    print(table, json.dumps(row, sort_keys=True))'
}
for n in 1 2 3; do
    gn_check "member$n-keeps-rows-through-convert" \
        eval "without_description $n | cmp -s - '$out/rows-before'"
done
gn_check "description-column-written-after" set_description "$f2"
gn_check "description-column-read-through-other-member" \
    gn_wait 5 count_is "$f1" 1 Network '["description", "==", "front"]' 
gn_done
