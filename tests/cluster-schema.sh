#!/bin/bash
# cluster-schema: guestnetd and the cluster database's schema.  A cluster
# whose schema has another major version is refused with an error that
# says what to upgrade (and writes answer 503); a newer minor version (a
# column added) is used as it is; converting a running cluster with
# "ovsdb-client convert" keeps the hosts working and their data.  On a
# 1.0.0 schema (no link-local bindings) a guest's new link-local address
# is refused with an error that says to convert, and a binding the host
# already has is not inserted again and again.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_root
gn_require_cmd curl curl
gn_tmpdir out
gn_config "$out/policy.json" upl
v12=$GN_SRCDIR/tests/cluster/guestnet-1.2.ovsschema

# --- A schema of another major version.
sed 's/"version": "1.1.0"/"version": "2.0.0"/' \
    "$GN_SRCDIR/cluster/guestnet.ovsschema" > "$out/v2.ovsschema"
gn_cluster_db_start "$out/v2.ovsschema" || gn_done
gn_cluster_host_start 1
echo '{"bridge": "br-int", "datapath_type": "netdev", "host": "host1"}' \
    > "$out/local.json"
ip netns exec "${GN_HOST_NETNS[1]}" "$GUESTNETD" --config "$out/local.json" \
    --cluster="$GN_CLUSTER_REMOTES" --state-dir "$out/state" \
    --ovsdb "${GN_HOST_DB[1]}" --ovs-rundir "${GN_HOST_DIR[1]}" \
    --socket "${GN_HOST_SOCK[1]}" --log-file "$out/g1.log" &
GN_HOST_GUESTNETD_PID[1]=$!
gn_on_exit "kill ${GN_HOST_GUESTNETD_PID[1]}"
unhealthy() { gn_host_api 1 GET /v1/health | grep -q 'schema 2.0.0'; }
gn_check "major-mismatch-makes-host-unhealthy" gn_wait 10 unhealthy
gn_check "mismatch-says-what-to-upgrade" \
    grep -q 'upgrade guestnet on this host' <<<"$(gn_host_api 1 GET /v1/health)"
gn_check "mismatch-refuses-writes" test "$(gn_host_code 1 POST /v1/cluster/import \
    "$(cat "$out/policy.json")")" = 503
gn_check "mismatch-wrote-nothing" test \
    "$(gn_cluster_db_count 1 Network)" = 0
kill "${GN_HOST_GUESTNETD_PID[1]}"
wait "${GN_HOST_GUESTNETD_PID[1]}" 2>/dev/null

# --- A cluster converted from 1.1.0 to 1.2.0 while a host runs on it.
gn_cluster_db_start || gn_done
gn_cluster_host_start 2
gn_cluster_guestnetd_start 2 || gn_done
gn_check "import-on-1.1" test "$(gn_host_code 2 POST /v1/cluster/import \
    "$(cat "$out/policy.json")")" = 200
gn_check "port-on-1.1" test "$(gn_host_code 2 POST /v1/ports '{"name": "tapa",
    "kind": "kvm", "network": "web", "ips": ["10.10.0.11"]}')" = 201
gn_check "convert-to-1.2" ovsdb-client -vconsole:off convert \
    "$(gn_cluster_member any)" "$v12" \
    || tail -n 5 "$GN_CLUSTER_DIR"/s?.log
gn_check "cluster-reports-1.2" test "$(ovsdb-client get-schema-version \
    "$(gn_cluster_member any)" Guestnet)" = 1.2.0
status12() {
    gn_host_api 2 GET /v1/status | grep -q '"schema_version": "1.2.0"'
}
gn_check "host-follows-the-conversion" gn_wait 15 status12
gn_check "host-healthy-on-1.2" test "$(gn_host_code 2 GET /v1/health)" = 200
writable() { [ "$(gn_host_code 2 POST /v1/ports '{"name": "tapb", "kind": "kvm",
    "network": "web", "ips": ["10.10.0.12"]}')" = 201 ]; }
gn_check "writes-after-conversion" gn_wait 15 writable
gn_check "data-kept-by-conversion" test "$(gn_host_code 2 GET \
    /v1/cluster/ports/tapa)" = 200
gn_check "duplicates-still-refused" test "$(gn_host_code 2 POST /v1/ports \
    '{"name": "tapc", "kind": "kvm", "network": "web",
      "ips": ["10.10.0.11"]}')" = 409

# --- A cluster on schema 1.0.0: no Address kind "link-local".
"$GN_PYTHON" - "$GN_SRCDIR/cluster/guestnet.ovsschema" "$out/v10.ovsschema" <<'EOP'
import json, sys
s = json.load(open(sys.argv[1]))
s["version"] = "1.0.0"
kind = s["tables"]["Address"]["columns"]["kind"]["type"]["key"]["enum"][1]
kind.remove("link-local")
json.dump(s, open(sys.argv[2], "w"), indent=1)
EOP
gn_cluster_db_start "$out/v10.ovsschema" || gn_done
gn_cluster_host_start 3
gn_cluster_guestnetd_start 3 || gn_done
gn_check "import-on-1.0" test "$(gn_host_code 3 POST /v1/cluster/import \
    "$(cat "$out/policy.json")")" = 200
gn_require_scapy
s=$$
gn_check "guest-on-1.0" gn_host_guest 3 "wa$s" "pwa$s" web \
    52:54:00:0a:03:11 10.10.0.31
ll_status() { gn_host_field 3 /v1/status "d['link_locals']['$1']"; }
refused0=$(ll_status refused)
gn_scapy "wa$s" "tx(Ether(src='52:54:00:0a:03:11', dst='52:54:00:0a:03:99') \
/ IPv6(src='fe80::c:1', dst='fe80::c:2') / UDP(dport=9) / mark('ll'))"
refused() { [ "$(ll_status refused)" -gt "$refused0" ]; }
gn_check "binding-refused-on-1.0" gn_wait 10 refused
gn_check "refusal-says-to-convert" grep -q \
    "fe80::c:1 not bound: the cluster database's schema 1.0.0 has no link-local bindings: convert it" \
    "${GN_HOST_DIR[3]}/guestnetd.log"
gn_check "no-binding-row-tried" bash -c "! grep -q \
    'constraint violation\\|did not take it' '${GN_HOST_DIR[3]}/guestnetd.log'"
# A binding made before cluster mode (written on the Interface) is not
# registered: no insert is tried, on any pass.
gn_check "binding-from-before" gn_on_host 3 ovs-vsctl set Interface "pwa$s" \
    'external_ids:"guestnet:link-locals"="fe80::c:3"'
warned() { grep -q "port pwa$s: its link-local addresses are not registered: the cluster database's schema 1.0.0" \
    "${GN_HOST_DIR[3]}/guestnetd.log"; }
gn_check "repair-says-why-it-cannot-register" gn_wait 15 warned
gn_check "repair-tries-no-insert" bash -c "! grep -q \
    'registering its link-local address fe80::c:3' \
    '${GN_HOST_DIR[3]}/guestnetd.log'"
gn_check "port-still-healthy-on-1.0" test "$(gn_host_code 3 GET /v1/health)" = 200

gn_done
