#!/bin/bash
# cluster-policy: in cluster mode the networks and rules live in the
# cluster database: one import and one change, made on any host, reach the
# flows of every host, and each host reports the policy generation its
# switch holds; an unfit change is refused and changes nothing.  A host
# that loses the cluster keeps its flows and its guests' traffic
# (fail-static), serves reads, refuses writes with 503, restarts from its
# policy cache with no flow_mod, and converges when the cluster is back.
# A restart of guestnetd with the cluster up sends no flow_mod either; a
# SIGKILLed guestnetd changes nothing on the other hosts.  A network's
# default limits reach every host's meters and change member by member
# without re-adding a port.  Three hosts,
# real packets between guests on different hosts over the fabric.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
s=$$

gn_cluster_setup 3
gn_tmpdir out

generation() {
    gn_host_field 1 /v1/cluster/status 'd["cluster"]["generation"]'
}
host_gens() {  # every host's installed generation, as "G1 G2 G3"
    gn_host_field 1 /v1/cluster/status \
        '" ".join(str(h["generation"]) for h in sorted(d["hosts"], key=lambda h: h["name"]))'
}
all_at() { [ "$(host_gens)" = "$1 $1 $1" ]; }
flow_mods() { gn_host_field "$1" /v1/status 'd["openflow"]["flow_mods"]'; }

gn_config "$out/policy.json" upl
answer=$(gn_host_api 1 POST /v1/cluster/import "$(cat "$out/policy.json")")
gn_check "import-answered" grep -q '^HTTP 200' <<<"$answer"
gn_check "import-counts" grep -q '"networks_added": 3' <<<"$answer"
gen=$(generation)
gn_check "import-made-a-generation" test "$gen" -gt 0
gn_check "every-host-installs-the-import" gn_wait 10 all_at "$gen"
gn_check "reimport-changes-nothing" \
    grep -q '"unchanged": 4' <<<"$(gn_host_api 2 POST /v1/cluster/import \
                                    "$(cat "$out/policy.json")")"
gn_check "reimport-keeps-the-generation" test "$(generation)" = "$gen"
for n in 1 2 3; do
    gn_check "host$n-uplink-trunks-the-cluster-vlans" test \
        "$(gn_on_host $n ovs-vsctl get Port upl trunks)" = "[10, 20, 30]"
done

gn_host_guest 1 "w1-$s" "pw1-$s" web 52:54:00:0a:01:01 10.10.0.11 || gn_done
gn_host_guest 2 "w2-$s" "pw2-$s" web 52:54:00:0a:02:01 10.10.0.12 || gn_done
gn_host_guest 3 "a3-$s" "pa3-$s" db 52:54:00:14:03:01 10.20.0.13 || gn_done
gn_check "web-crosses-hosts" \
    ip netns exec "w1-$s" ping -c 2 -i 0.2 -W 2 10.10.0.12

# --- A change made on host2 reaches every host.
flows3=$(gn_host_flows 3)
t0=$(date +%s%N)
gn_check "network-added-on-host2" test "$(gn_host_code 2 POST /v1/cluster/networks \
    '{"name": "app", "vlan": 40, "subnets": ["10.40.0.0/24"],
      "gateways": ["10.40.0.1"]}')" = 201
gen=$(generation)
gn_check "every-host-installs-the-change" gn_wait 10 all_at "$gen"
echo "# network added on host2: live on all 3 hosts after" \
     "$(( ($(date +%s%N) - t0) / 1000000 )) ms"
gn_check "host3-flows-changed" test "$(gn_host_flows 3)" != "$flows3"
gn_check "host3-trunks-the-new-vlan" test \
    "$(gn_on_host 3 ovs-vsctl get Port upl trunks)" = "[10, 20, 30, 40]"
gn_check "host1-knows-the-network" \
    grep -q '"app"' <<<"$(gn_host_api 1 GET /v1/networks)"
gn_check "rule-added-on-host3" test "$(gn_host_code 3 POST /v1/cluster/rules \
    '{"from": "web", "to": "app", "proto": "tcp", "port": 8080}')" = 201
gen=$(generation)
gn_check "every-host-installs-the-rule" gn_wait 10 all_at "$gen"
gn_check "host1-has-a-flow-for-8080" grep -q 'tp_dst=8080' <<<"$(gn_host_flows 1)"

# --- Unfit changes are refused and change nothing.
flows3=$(gn_host_flows 3)
for bad in '{"name": "x", "vlan": 40, "subnets": ["10.50.0.0/24"]}' \
           '{"name": "y", "vlan": 50, "subnets": ["10.40.0.0/25"]}' \
           '{"name": "z", "vlan": 4095, "subnets": ["10.60.0.0/24"]}' \
           '{"name": "app", "vlan": 60, "subnets": ["10.60.0.0/24"]}' \
           '{"name": "w", "vlan": 61, "subnets": ["10.61.0.0/24"],
             "gateways": ["10.62.0.1"]}' \
           '{"name": "v", "vlan": 62, "bogus": 1}'; do
    c=$(gn_host_code 1 POST /v1/cluster/networks "$bad")
    gn_check "unfit-network-refused-$(cut -c1-40 <<<"$bad" | tr -c 'a-z0-9' _)" \
        test "$c" -ge 400 -a "$c" -lt 500
done
answer=$(gn_host_api 1 POST /v1/cluster/rules \
    '{"from": "web", "to": "nowhere"}')
gn_check "rule-to-unknown-network-refused" grep -q '^HTTP 400' <<<"$answer"
gn_check "refusal-names-the-field" grep -q 'unknown network' <<<"$answer"
answer=$(gn_host_api 1 DELETE /v1/cluster/networks/web)
gn_check "network-with-ports-not-deleted" grep -q '^HTTP 409' <<<"$answer"
gn_check "refusal-names-its-ports" grep -q "pw1-$s" <<<"$answer"
answer=$(gn_host_api 1 POST /v1/cluster/networks '{"name": "lim", "vlan": 63,
    "subnets": ["10.63.0.0/24"], "limits": {"egress_kbps": -5}}')
gn_check "network-bad-limits-refused" grep -q '^HTTP 400' <<<"$answer"
gn_check "network-bad-limits-refusal-names-the-member" \
    grep -q 'network \\"lim\\": limits.egress_kbps' <<<"$answer"
answer=$(gn_host_api 1 POST /v1/cluster/networks/web \
    '{"limits": {"egress_mbps": 5}}')
gn_check "network-unknown-limit-refused" grep -q '^HTTP 400' <<<"$answer"
gn_check "network-unknown-limit-refusal-names-it" \
    grep -q 'egress_mbps' <<<"$answer"
gn_check "refusals-keep-the-generation" test "$(generation)" = "$gen"
gn_check "refusals-keep-host3-flows" test "$(gn_host_flows 3)" = "$flows3"
gn_check "rule-deleted" test "$(gn_host_code 2 DELETE \
    '/v1/cluster/rules?from=web&to=app&proto=tcp&port=8080')" = 200
no_8080() { ! gn_host_flows 1 | grep -q tp_dst=8080; }
gn_check "rule-delete-reaches-host1" gn_wait 10 no_8080

# --- Network default limits, set on one host, enforced on every host for
# that network's ports, changed live member by member (the port is not
# added again), and dropped.
# limit_of N PORT MEMBER: the port's effective MEMBER and its source on
# host N, as "VALUE SOURCE".
limit_of() {
    gn_host_field "$1" "/v1/ports/$2" \
        'str(d["limits"]["'"$3"'"]) + " " + d["limits"]["from"]["'"$3"'"]'
}
# meter_of N PORT KIND: the rates of host N's limit meters of KIND (kbps
# or pktps) for PORT, one per line.
meter_of() {
    local ofport line id
    ofport=$(gn_on_host "$1" ovs-vsctl get Interface "$2" ofport)
    gn_on_host "$1" ovs-ofctl -O OpenFlow15 dump-meters br-int \
        | awk '/^meter=/ { m = $0; next } /^type=/ { print m $0 }' \
        | while read -r line; do
              id=${line%% *}
              id=${id#meter=}
              # (Limit meters are 0x30000 + ofport and up; below are the
              # port's broadcast and punt meters.)
              [[ $line == *" $3 "* ]] && [ $((id & 0xffff)) = "$ofport" ] \
                  && [ $((id >> 16)) -ge 3 ] \
                  && sed 's/.* rate=\([0-9]*\).*/\1/' <<<"$line"
          done
}
# db_limits CHECK N BODY: POST /v1/cluster/networks/db with BODY on host
# N answers 200 (CHECK), and every host installs the change.
db_limits() {
    gn_check "$1" test "$(gn_host_code "$2" POST /v1/cluster/networks/db \
        "$3")" = 200
    gn_check "$1-reaches-every-host" gn_wait 10 all_at "$(generation)"
}
db_limits network-limits-set-on-host1 1 '{"limits": {"egress_kbps": 20000}}'
gn_check "network-limits-in-the-policy-on-host3" test "$(gn_host_field 3 \
    /v1/cluster/networks '[n for n in d["networks"] if n["name"] == "db"][0]["limits"]')" \
    = "{'egress_kbps': 20000}"
ofport_a3=$(gn_on_host 3 ovs-vsctl get Interface "pa3-$s" ofport)
gn_check "host3-port-gets-the-network-limit" \
    test "$(limit_of 3 "pa3-$s" egress_kbps)" = "20000 network"
has_rate() { [ "$(meter_of "$1" "$2" "$3")" = "$4" ]; }
gn_check "host3-port-has-the-meter" gn_wait 10 has_rate 3 "pa3-$s" kbps 20000
db_limits network-limits-add-a-member 2 '{"limits": {"ingress_pps": 5000}}'
gn_check "other-member-kept" \
    test "$(limit_of 3 "pa3-$s" egress_kbps)" = "20000 network"
gn_check "new-member-applies" \
    test "$(limit_of 3 "pa3-$s" ingress_pps)" = "5000 network"
gn_check "host3-port-has-the-pps-meter" gn_wait 10 has_rate 3 "pa3-$s" pktps 5000
gn_check "port-not-added-again" \
    test "$(gn_on_host 3 ovs-vsctl get Interface "pa3-$s" ofport)" = "$ofport_a3"
db_limits network-limit-member-dropped 1 '{"limits": {"egress_kbps": null}}'
gn_check "dropped-member-back-to-default" \
    test "$(limit_of 3 "pa3-$s" egress_kbps)" = "0 default"
gn_check "host3-kbps-meter-gone" gn_wait 10 has_rate 3 "pa3-$s" kbps ""
db_limits network-limits-dropped 1 '{"limits": null}'
gn_check "no-network-limits-left" test "$(gn_host_field 1 \
    /v1/cluster/networks '"limits" in [n for n in d["networks"] if n["name"] == "db"][0]')" \
    = False
gn_check "host3-pps-meter-gone" gn_wait 10 has_rate 3 "pa3-$s" pktps ""
# An import carries a network's default limits too, and again changes
# nothing.
gn_config "$out/lim.json"
gn_config_edit "$out/lim.json" 'cfg["networks"] = [{"name": "lim", "vlan": 63,
    "subnets": ["10.63.0.0/24"],
    "limits": {"egress_kbps": 1000, "burst_ms": 200}}]
cfg["rules"] = []'
gn_check "import-with-network-limits" grep -q '"networks_added": 1' \
    <<<"$(gn_host_api 2 POST /v1/cluster/import "$(cat "$out/lim.json")")"
gn_check "imported-limits-in-the-policy" test "$(gn_host_field 1 \
    /v1/cluster/networks '[n for n in d["networks"] if n["name"] == "lim"][0]["limits"]')" \
    = "{'burst_ms': 200, 'egress_kbps': 1000}"
gn_check "reimport-with-limits-changes-nothing" grep -q '"unchanged": 1' \
    <<<"$(gn_host_api 3 POST /v1/cluster/import "$(cat "$out/lim.json")")"
gn_check "limits-network-deleted" \
    test "$(gn_host_code 1 DELETE /v1/cluster/networks/lim)" = 200

# --- SIGKILL of one host's guestnetd changes nothing elsewhere.
flows1=$(gn_host_flows 1)
kill -KILL "${GN_HOST_GUESTNETD_PID[3]}"
wait "${GN_HOST_GUESTNETD_PID[3]}" 2>/dev/null
gn_check "host3-port-stays-registered" \
    test "$(gn_host_code 1 GET "/v1/cluster/ports/pa3-$s")" = 200
gn_check "host1-flows-unchanged-by-host3-kill" test \
    "$(gn_host_flows 1)" = "$flows1"
gn_check "host1-writes-go-on" test "$(gn_host_code 1 POST /v1/ports \
    '{"name": "tapk", "kind": "kvm", "network": "db"}')" = 201
# (tapk gets an assigned address, which host3 would route to: gone again,
# it leaves host3 nothing to change.)
gn_check "host1-deletes-go-on" \
    test "$(gn_host_code 1 DELETE /v1/ports/tapk)" = 200
gn_check "host3-restarts" gn_cluster_guestnetd_start 3
gn_check "host3-restart-sends-no-flow-mod" test "$(flow_mods 3)" = 0

# --- The cluster goes away: fail-static.
flows1=$(gn_host_flows 1)
for n in 1 2 3; do gn_cluster_kill $n; done
unreachable() { [ "$(gn_host_field 1 /v1/status 'd["cluster"]["connected"]')" \
                  = False ]; }
gn_check "host1-sees-the-cluster-gone" gn_wait 10 unreachable
answer=$(gn_host_api 1 POST /v1/ports '{"name": "tapz", "kind": "kvm",
                                "network": "web"}')
gn_check "write-refused-503" grep -q '^HTTP 503' <<<"$answer"
gn_check "refusal-says-unreachable" grep -q 'unreachable' <<<"$answer"
gn_check_fails "refused-port-not-made" \
    gn_on_host 1 ovs-vsctl port-to-br tapz
gn_check "policy-write-refused-503" test "$(gn_host_code 2 POST \
    /v1/cluster/rules '{"from": "web", "to": "db"}')" = 503
gn_check "reads-served" test "$(gn_host_code 1 GET /v1/ports)" = 200
gn_check "registry-reads-served" test \
    "$(gn_host_code 1 GET /v1/cluster/ports)" = 200
gn_check "health-stays-ok" test "$(gn_host_code 1 GET /v1/health)" = 200
gn_check "traffic-flows-without-the-cluster" \
    ip netns exec "w1-$s" ping -c 3 -i 0.2 -W 2 10.10.0.12
gn_check "host1-flows-kept" test "$(gn_host_flows 1)" = "$flows1"
gn_guestnetd_restart1() {
    kill -TERM "${GN_HOST_GUESTNETD_PID[1]}"
    wait "${GN_HOST_GUESTNETD_PID[1]}" 2>/dev/null
    gn_cluster_guestnetd_start 1
}
gn_check "host1-restarts-without-the-cluster" gn_guestnetd_restart1
gn_check "restart-from-cache-sends-no-flow-mod" test "$(flow_mods 1)" = 0
gn_check "restart-from-cache-keeps-flows" test "$(gn_host_flows 1)" = "$flows1"
gn_check "traffic-flows-after-that-restart" \
    ip netns exec "w1-$s" ping -c 2 -i 0.2 -W 2 10.10.0.12

# --- The cluster is back: every host converges and takes writes again.
for n in 1 2 3; do gn_cluster_restart $n & done
wait_members() { for n in 1 2 3; do gn_cluster_joined $n || return 1; done; }
gn_check "cluster-back" gn_wait 30 wait_members
writable() { [ "$(gn_host_code 1 POST /v1/ports '{"name": "tapz", "kind": "kvm",
                  "network": "web", "mac": "52:54:00:0a:0f:0f"}')" = 201 ]; }
gn_check "writes-accepted-again" gn_wait 20 writable
rule_on_host3() { [ "$(gn_host_code 3 POST /v1/cluster/rules \
    '{"from": "web", "to": "db", "proto": "udp"}')" = 201 ]; }
gn_check "change-on-host3-after-return-accepted" gn_wait 20 rule_on_host3
gen=$(generation)
gn_check "every-host-converges" gn_wait 15 all_at "$gen"
echo "# after the whole cluster restarted: host2 $(gn_host_field 2 /v1/status \
    '"resumes %d, full resyncs %d" % (d["cluster"]["resumes"],
                                      d["cluster"]["full_resyncs"])')"

gn_done
