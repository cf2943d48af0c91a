#!/bin/bash
# cluster-registry: in cluster mode every port is registered in the
# cluster database before a host makes it: a name, a MAC in a network or
# an address in a network that a port of another host (or a gateway,
# network or broadcast address) holds is refused with 409 naming the
# owner, also when two hosts ask at the same moment (exactly one wins,
# and the loser leaves nothing behind); the registry shows every port of
# every host; a retry is answered as the add was; a port is deleted only
# on its host; a second guestnetd with a host name in use is refused; a
# SIGKILLed host's ports stay registered until the host is removed.
# Three hosts (private OVS each) on a 3-member Raft cluster.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
GN_HOST_API_TIMEOUT=
gn_cluster_setup 3
gn_tmpdir out

kvm() {  # kvm NAME MAC IP...: an add request for a kvm port in "web"
    local name=$1 mac=$2
    shift 2
    "$GN_PYTHON" -c 'import json, sys
print(json.dumps({"name": sys.argv[1], "kind": "kvm", "network": "web",
                  "mac": sys.argv[2], "ips": sys.argv[3:]}))' \
        "$name" "$mac" "$@"
}

gn_cluster_import "$out/policy.json"
all_live() {
    local g
    g=$(gn_host_field 1 /v1/cluster/status 'd["cluster"]["generation"]')
    [ "$g" -gt 0 ] || return 1
    gn_host_field 1 /v1/cluster/status \
        '",".join(str(h["generation"]) for h in d["hosts"])' \
        | grep -qx "$g,$g,$g"
}
gn_check "every-host-installs-the-policy" gn_wait 10 all_live

# --- Duplicates across hosts, one request at a time.
gn_check "add-on-host1" test "$(gn_host_code 1 POST /v1/ports \
    "$(kvm tapa 52:54:00:0a:00:01 10.10.0.11)")" = 201
in_registry() {  # in_registry N PORT HOST STATE
    gn_host_field "$1" "/v1/cluster/ports/$2" 'd["host"], d["state"]' \
        | grep -qx "$3 $4"
}
gn_check "registry-on-host3-shows-host1-port" \
    gn_wait 5 in_registry 3 tapa host1 ready
answer=$(gn_host_api 2 POST /v1/ports "$(kvm tapb 52:54:00:0a:00:01 10.10.0.12)")
gn_check "same-mac-on-host2-refused" grep -q '^HTTP 409' <<<"$answer"
gn_check "refusal-names-owner" grep -q 'port tapa on host host1' <<<"$answer"
gn_check_fails "refused-port-not-made-on-host2" \
    gn_on_host 2 ovs-vsctl --db="${GN_HOST_DB[2]}" port-to-br tapb
answer=$(gn_host_api 3 POST /v1/ports "$(kvm tapc 52:54:00:0a:00:03 10.10.0.11)")
gn_check "same-ip-on-host3-refused" grep -q '^HTTP 409' <<<"$answer"
gn_check "ip-refusal-names-owner" grep -q 'host1' <<<"$answer"
answer=$(gn_host_api 2 POST /v1/ports "$(kvm tapa 52:54:00:0a:00:04 10.10.0.14)")
gn_check "same-name-on-host2-refused" grep -q '^HTTP 409' <<<"$answer"
refused() {  # refused N BODY: host N answers a 4xx to the add BODY
    local c
    c=$(gn_host_code "$1" POST /v1/ports "$2")
    [ "$c" -ge 400 ] && [ "$c" -lt 500 ]
}
for ip in 10.10.0.1 10.10.0.0 10.10.0.255 2001:db8:10::1 2001:db8:10::; do
    gn_check "reserved-$ip-refused" refused 2 \
        "$(kvm tapr 52:54:00:0a:00:05 "$ip")"
done
gn_check "distinct-port-on-host2-accepted" test "$(gn_host_code 2 POST /v1/ports \
    "$(kvm tapb 52:54:00:0a:00:02 10.10.0.12)")" = 201
gn_check "same-mac-in-other-network-accepted" test "$(gn_host_code 3 POST /v1/ports \
    '{"name": "tapd", "kind": "kvm", "network": "db",
      "mac": "52:54:00:0a:00:01", "ips": ["10.20.0.11"]}')" = 201

# --- Duplicates across hosts at the same moment: exactly one wins.
# A network's subnets do not change under its ports.
gn_check "subnets-fixed-while-ports-exist" test "$(gn_host_code 3 POST \
    /v1/cluster/networks/web \
    '{"subnets": ["10.10.0.0/16", "2001:db8:10::/64"]}')" = 409
winners=0 bad=0 unnamed=0
race_one() {  # race_one ROUND KIND
    local r=$1 kind=$2 mac1 mac2 ip1 ip2 res
    if [ "$kind" = mac ]; then
        mac1=$(printf '52:54:00:0b:%02x:01' "$r") mac2=$mac1
        ip1=10.10.0.$((100 + r)) ip2=10.10.0.$((150 + r))
    else
        mac1=$(printf '52:54:00:0c:%02x:01' "$r")
        mac2=$(printf '52:54:00:0c:%02x:02' "$r")
        ip1=10.10.0.$((200 + r)) ip2=$ip1
    fi
    local p1 p2
    gn_host_api 1 POST /v1/ports "$(kvm "r${kind}a$r" "$mac1" "$ip1")" \
        > "$out/r1" &
    p1=$!
    gn_host_api 2 POST /v1/ports "$(kvm "r${kind}b$r" "$mac2" "$ip2")" \
        > "$out/r2" &
    p2=$!
    wait "$p1" "$p2"
    res="$(tail -n 1 "$out/r1" | cut -d' ' -f2) $(tail -n 1 "$out/r2" \
           | cut -d' ' -f2)"
    case $res in
        "201 409"|"409 201") winners=$((winners + 1)) ;;
        *) bad=$((bad + 1)); echo "# race $r $kind: $res" ;;
    esac
    # The loser is told who won.
    grep -h '"message"' "$out/r1" "$out/r2" \
        | grep -q "by port r${kind}[ab]$r on host host[12]" \
        || unnamed=$((unnamed + 1))
}
for r in $(seq 1 12); do
    race_one "$r" mac
    race_one "$r" ip
done
echo "# concurrent duplicate adds: $winners rounds with one winner, $bad other"
gn_check "concurrent-duplicates-exactly-one-wins" test "$bad" = 0
gn_check "concurrent-loser-told-the-owner" test "$unnamed" = 0
registered_once() {  # every raced MAC and IP is registered exactly once
    gn_host_api 3 GET /v1/cluster/ports | sed '$d' | "$GN_PYTHON" -c '
import collections, json, sys
d = json.load(sys.stdin)
macs = collections.Counter((p["network"], p["mac"]) for p in d["ports"])
ips = collections.Counter((p["network"], i) for p in d["ports"]
                          for i in p["ips"])
print(max(list(macs.values()) + list(ips.values())))' | grep -qx 1
}
gn_check "registry-holds-each-mac-and-ip-once" registered_once
local_ports() {  # local_ports N: guest ports on host N's bridge
    gn_host_field "$1" /v1/ports 'len(d)'
}
registry_ports() {  # registry_ports HOST: its ports in the registry
    gn_host_field 1 /v1/cluster/ports \
        "len([p for p in d['ports'] if p['host'] == '$1'])"
}
gn_check "host1-bridge-matches-registry" \
    test "$(local_ports 1)" = "$(registry_ports host1)"
gn_check "host2-bridge-matches-registry" \
    test "$(local_ports 2)" = "$(registry_ports host2)"

# --- A retry gets the add's answer; deletes only on the port's host.
body=$(kvm tape 52:54:00:0a:00:0e 10.10.0.30)
gn_check "add-tape" test "$(gn_host_code 1 POST /v1/ports "$body")" = 201
gn_check "retry-answered-201" test "$(gn_host_code 1 POST /v1/ports "$body")" = 201
answer=$(gn_host_api 2 DELETE /v1/ports/tape)
gn_check "delete-on-other-host-refused" grep -q '^HTTP 409' <<<"$answer"
gn_check "delete-refusal-names-host" grep -q 'host1' <<<"$answer"
gn_check "delete-on-own-host" test "$(gn_host_code 1 DELETE /v1/ports/tape)" = 200
gone() { [ "$(gn_host_code 3 GET /v1/cluster/ports/tape)" = 404 ]; }
gn_check "deleted-port-leaves-registry" gn_wait 5 gone
gn_check "its-address-is-free-again" test "$(gn_host_code 2 POST /v1/ports \
    "$(kvm tapf 52:54:00:0a:00:0f 10.10.0.30)")" = 201

# --- Hosts: listed with versions; a name in use is refused.
hosts_ok() {
    gn_host_field 1 /v1/cluster/hosts '
sorted(x["name"] for x in d["hosts"] if x["connected"] and x["version"])' \
        | grep -qx "\['host1', 'host2', 'host3'\]"
}
gn_check "three-hosts-connected" hosts_ok
gn_cluster_host_start 4
cat > "${GN_HOST_DIR[4]}/dup.json" <<EOC
{"bridge": "br-int", "datapath_type": "netdev", "host": "host1"}
EOC
ip netns exec "${GN_HOST_NETNS[4]}" timeout 20 "$GUESTNETD" \
    --config "${GN_HOST_DIR[4]}/dup.json" --cluster="$GN_CLUSTER_REMOTES" \
    --state-dir "${GN_HOST_DIR[4]}/state" --ovsdb "${GN_HOST_DB[4]}" \
    --ovs-rundir "${GN_HOST_DIR[4]}" --socket "${GN_HOST_DIR[4]}/g.sock" \
    > "$out/dup.out" 2>&1
rc=$?
gn_check "same-host-name-refused" test "$rc" = 1
gn_check "refusal-says-why" grep -q 'host name "host1" is registered' \
    "$out/dup.out"
gn_check "host1-still-registered-as-itself" test "$(gn_host_field 3 \
    /v1/cluster/hosts \
    "[h['system_id'] for h in d['hosts'] if h['name'] == 'host1'][0]")" \
    = "$(cat "${GN_HOST_DIR[1]}/state/system-id")"

# --- A host whose guestnetd is SIGKILLed keeps its ports registered; it
# is removed (with them) only when asked, and not while connected.
answer=$(gn_host_api 1 DELETE /v1/cluster/hosts/host2)
gn_check "connected-host-not-removed" grep -q '^HTTP 409' <<<"$answer"
n3=$(registry_ports host3)
kill -KILL "${GN_HOST_GUESTNETD_PID[3]}"
wait "${GN_HOST_GUESTNETD_PID[3]}" 2>/dev/null
gn_check "killed-host-ports-stay-registered" \
    test "$(registry_ports host3)" = "$n3"
gn_check "other-hosts-unaffected" test "$(gn_host_code 1 POST /v1/ports \
    "$(kvm tapg 52:54:00:0a:00:10 10.10.0.31)")" = 201
answer=$(gn_host_api 1 DELETE '/v1/cluster/hosts/host3?force=true')
gn_check "host-removed" grep -q '^HTTP 200' <<<"$answer"
gn_check "removal-counts-its-ports" grep -q "\"ports_removed\": $n3" \
    <<<"$answer"
gn_check "removed-host-ports-gone" test "$(registry_ports host3)" = 0
gn_check "removed-host-mac-free" test "$(gn_host_code 2 POST /v1/ports \
    '{"name": "tapd2", "kind": "kvm", "network": "db",
      "mac": "52:54:00:0a:00:01", "ips": ["10.20.0.11"]}')" = 201

gn_done
