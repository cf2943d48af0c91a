#!/bin/bash
# cluster-hostile: cluster mode against what an operator or a buggy peer
# can do to it.  A policy written straight into the database that removes
# a network this host's ports are in is not followed (the host keeps its
# flows and says why); a delete sent while the same port's add is in
# progress is refused, so no port is left unregistered; a running host
# removed with --force refuses writes instead of registering again and
# takes nobody's address; a reload that changes the bridge is refused;
# guestnetd stopped while a cluster write waits on a stopped cluster exits
# cleanly, with the write answered.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
GN_HOST_API_TIMEOUT=20
gn_cluster_policy_setup 2
gn_check "port-on-host1" test "$(gn_host_code 1 POST /v1/ports '{"name": "tapa",
    "kind": "kvm", "network": "web", "ips": ["10.10.0.11"]}')" = 201

# --- A destructive policy written around the API is not followed.
generation() { gn_host_field 1 /v1/cluster/status 'd["cluster"]["generation"]'; }
gen=$(generation)
before=$(gn_host_flows 1)
gn_check "direct-delete-of-all-networks-commits" gn_cluster_db_write any \
    '{"op": "delete", "table": "Rule", "where": []}' \
    '{"op": "delete", "table": "Network", "where": []}' \
    '{"op": "mutate", "table": "Cluster", "where": [],
      "mutations": [["generation", "+=", 1]]}'
unfit() { gn_host_field 1 /v1/status 'd["cluster"].get("policy_error") or ""' \
          | grep -q 'removes network "web"'; }
gn_check "host1-reports-the-unfit-policy" gn_wait 10 unfit
gn_check "host1-keeps-its-flows" test "$(gn_host_flows 1)" = "$before"
gn_check "tapa-not-quarantined" test \
    "$(gn_host_field 1 /v1/ports/tapa 'd["quarantined"]')" = False
gn_check "host1-generation-stays" test \
    "$(gn_host_field 1 /v1/status 'd["cluster"]["installed_generation"]')" \
    = "$gen"
# host2 has no port in those networks: it follows.
follows() { [ "$(gn_host_field 2 /v1/status \
                 'd["cluster"]["installed_generation"]')" -gt "$gen" ]; }
gn_check "host2-without-ports-follows" gn_wait 10 follows
gn_check "policy-restored" test "$(gn_host_code 2 POST /v1/cluster/import \
    "$(cat "$out/policy.json")")" = 200
fit() { [ -z "$(gn_host_field 1 /v1/status \
                 'd["cluster"].get("policy_error") or ""')" ]; }
gn_check "host1-follows-again" gn_wait 10 fit

# --- A delete while the add of the same port is in progress.
gn_host_api 1 POST /v1/ports '{"name": "tapb", "kind": "kvm", "network": "web",
                       "ips": ["10.10.0.12"]}' > "$out/add" &
adder=$!
racing() { [ -n "$(ovs-vsctl --db="${GN_HOST_DB[1]}" --columns=name \
                   find Port name=tapb 2>/dev/null)" ] || \
           grep -q tapb "${GN_HOST_DIR[1]}/guestnetd.log"; }
gn_wait 5 racing
del=$(gn_host_code 1 DELETE /v1/ports/tapb)
wait $adder
echo "# add answered $(tail -n 1 "$out/add"), delete during it $del"
gn_check "delete-during-add-refused-or-done" \
    bash -c "[ '$del' = 409 ] || [ '$del' = 200 ]"
consistent() {  # host1's port tapb and its registration agree
    local here there
    here=$(gn_host_code 1 GET /v1/ports/tapb)
    there=$(gn_host_code 1 GET /v1/cluster/ports/tapb)
    [ "$here" = "$there" ]
}
gn_check "bridge-and-registry-agree-on-tapb" gn_wait 10 consistent

# --- A port add may not take another host's guest's port as a
# "migration" without naming that guest as the registry has it.
gn_check "host2-guest" test "$(gn_host_code 2 POST /v1/ports '{"name": "tapv",
    "kind": "kvm", "network": "web", "mac": "52:54:00:0a:07:07",
    "ips": ["10.10.0.77"], "vm_id": "vm-7"}')" = 201
for bad in '{"name": "tapv", "kind": "kvm", "network": "web"}' \
           '{"name": "tapv", "kind": "kvm", "network": "web",
             "mac": "52:54:00:0a:07:07", "vm_id": "vm-7"}' \
           '{"name": "tapv", "kind": "kvm", "network": "web",
             "mac": "52:54:00:0a:07:07", "ips": ["10.10.0.77"]}' \
           '{"name": "tapv", "kind": "kvm", "network": "web",
             "mac": "52:54:00:0a:07:07", "ips": ["10.10.0.77"],
             "vm_id": "vm-8"}'; do
    gn_check "takeover-refused-$(tr -dc 'a-z0-9' <<<"$bad" | tail -c 24)" \
        test "$(gn_host_code 1 POST /v1/ports "$bad")" = 409
done
gn_check "takeover-attempts-left-the-port" test \
    "$(gn_host_field 1 /v1/cluster/ports/tapv 'd["host"], d.get("requested_host")')" \
    = "host2 None"
gn_check "the-real-guest-may-migrate" test "$(gn_host_code 1 POST /v1/ports \
    '{"name": "tapv", "kind": "kvm", "network": "web",
      "mac": "52:54:00:0a:07:07", "ips": ["10.10.0.77"],
      "vm_id": "vm-7"}')" = 201
gn_check "its-migration-withdrawn" test "$(gn_host_code 1 DELETE /v1/ports/tapv)" \
    = 200
for mac in 0a:58:01:02:03:04 0a:00:00:00:00:0a; do
    gn_check "reserved-mac-$mac-refused" test "$(gn_host_code 1 POST /v1/ports \
        "{\"name\": \"tapm\", \"kind\": \"kvm\", \"network\": \"web\",
          \"mac\": \"$mac\"}")" = 400
done

# --- A reload may not change the bridge.
cfg1="${GN_HOST_DIR[1]}/guestnet-local.json"
cp "$cfg1" "$out/local.json"
sed -i 's/"br-int"/"br-other"/' "$cfg1"
answer=$(gn_host_api 1 POST /v1/reload)
gn_check "bridge-change-refused" grep -q '^HTTP 400' <<<"$answer"
gn_check "refusal-says-restart" grep -q 'needs a restart' <<<"$answer"
cp "$out/local.json" "$cfg1"

# --- A running host removed with --force does not come back by itself.
gn_check "host2-port" test "$(gn_host_code 2 POST /v1/ports '{"name": "tapc",
    "kind": "kvm", "network": "web", "ips": ["10.10.0.13"]}')" = 201
gn_check "host2-removed-by-force" test "$(gn_host_code 1 DELETE \
    '/v1/cluster/hosts/host2?force=true')" = 200
removed() { gn_host_api 2 GET /v1/health | grep -q 'removed from the cluster'; }
gn_check "host2-knows-it-was-removed" gn_wait 10 removed
gn_check "host2-refuses-writes" test "$(gn_host_code 2 POST /v1/ports \
    '{"name": "tapd", "kind": "kvm", "network": "web"}')" = 503
gn_check "its-address-is-free" test "$(gn_host_code 1 POST /v1/ports '{"name":
    "tape", "kind": "kvm", "network": "web", "ips": ["10.10.0.13"]}')" = 201
gn_check "host2-stays-removed" gn_wait 10 bash -c "! curl -s --unix-socket \
    '${GN_HOST_SOCK[1]}' http://localhost/v1/cluster/hosts | grep -q host2"
gn_check "tapc-not-registered-again" test \
    "$(gn_host_code 1 GET /v1/cluster/ports/tapc)" = 404

# --- Stopped while a cluster write waits on a stopped cluster.
for n in 1 2 3; do kill -STOP "$(cat "$GN_CLUSTER_DIR/s$n.pid")"; done
gn_on_exit "for n in 1 2 3; do kill -CONT \$(cat '$GN_CLUSTER_DIR/s'\$n.pid); done"
gn_host_api 1 POST /v1/cluster/rules \
    '{"from": "web", "to": "db", "proto": "udp"}' > "$out/write" &
writer=$!
in_flight() { [ "$(gn_host_field 1 /v1/status \
                   'd["cluster"]["writes_in_flight"]')" -ge 1 ]; }
gn_check "the-write-waits-on-the-cluster" gn_wait 5 in_flight
kill -TERM "${GN_HOST_GUESTNETD_PID[1]}"
wait "${GN_HOST_GUESTNETD_PID[1]}"
rc=$?
wait $writer
gn_check "stops-cleanly-with-a-write-in-flight" test "$rc" = 0
gn_check "the-write-was-answered" grep -q '^HTTP [0-9]' "$out/write"
gn_check_fails "no-crash-in-the-log" grep -qi 'double free\|corrupt\|abort' \
    "${GN_HOST_DIR[1]}/guestnetd.stderr"

gn_done
