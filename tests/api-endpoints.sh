#!/bin/bash
# api-endpoints: every read endpoint of the API and every guestnetctl
# command answers against a running guestnetd with a real OVS: flows with
# per-rule counters, per-port rx/tx counters and drops, Prometheus metrics
# (also on the loopback TCP listener), and traces mapped to guestnet's rule
# names.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/api-lib.sh"
gn_require_cmd python3 python3

s=$$
port=$(( 20000 + s % 20000 ))
gn_guestnetd_setup --metrics-listen "127.0.0.1:$port"
cfg=$GN_CONFIG
ctl() { "$GUESTNETCTL" "$@"; }

q() { "$@" >/dev/null; }
gn_check "port-add-a" q ctl port add "wa$s" --kind lxc --network web \
    --mode phys --mac 52:54:00:0a:00:01 --ip 10.10.0.11
gn_check "port-add-b" q ctl port add "wb$s" --kind lxc --network web \
    --mode phys --mac 52:54:00:0a:00:02 --ip 10.10.0.12
gn_check "port-add-db" q ctl port add "da$s" --kind lxc --network db \
    --mode phys --mac 52:54:00:0b:00:01 --ip 10.20.0.11

# --- plain reads.
gn_check "status-200" grep -q '^HTTP 200' <<<"$(gn_api GET /v1/status)"
gn_check "health-200" grep -q '^HTTP 200' <<<"$(gn_api GET /v1/health)"
# Three ports were added: the engine ran steps, and timed them.
gn_check "status-reconcile-steps-timed" test "$(gn_api GET /v1/status \
    | sed '$d' | jq_ 'int(d["reconcile"]["steps"] > 0 and \
      d["reconcile"]["total_ms"] > 0 and \
      d["reconcile"]["max_ms"] >= d["reconcile"]["last_ms"])')" = 1
# Their veth pairs were made by the device worker: three jobs besides the
# sweeps for devices a crash left behind (one at the start), none left.
gn_check "status-device-jobs" test "$(gn_api GET /v1/status | sed '$d' \
    | jq_ 'int(d["devices"]["done"] == 3 + d["devices"]["sweeps"] and \
      d["devices"]["sweeps"] >= 1 and d["devices"]["queued"] == 0 \
      and d["devices"]["errors"] == 0 and d["devices"]["max_ms"] > 0)')" = 1
# The loop's lateness is measured (a timer every 50 ms) and reported.
gn_check "status-loop-lag-measured" test "$(gn_api GET /v1/status \
    | sed '$d' | jq_ 'int(d["loop"]["interval_ms"] == 50 and \
      d["loop"]["samples"] > 0 and \
      d["loop"]["this_minute"]["samples"] > 0 and \
      d["loop"]["max_ms"] >= d["loop"]["this_minute"]["max_ms"] >= \
      d["loop"]["this_minute"]["p99_ms"] >= 0)')" = 1
gn_check "ports-lists-three" \
    test "$(gn_api GET /v1/ports | sed '$d' | jq_ 'len(d)')" = 3
# The list's text is made once per change of OVSDB or the config and
# reused: after a change (a link state, a port gone, a reload) it must be
# the new one.
wa_link() {
    test "$(gn_api GET /v1/ports | sed '$d' \
        | jq_ "[p.get('link_state') for p in d if p['name'] == 'wa$s'][0]")" \
        = "$1"
}
gn_check "ports-list-link-down" gn_wait 10 wa_link down
gn_check "networks-count-web-ports" test "$(gn_api GET /v1/networks \
    | sed '$d' | jq_ '[n["ports"] for n in d if n["name"]=="web"][0]')" = 2

# --- /v1/flows: desired = installed, counters per rule.
out=$(gn_api GET /v1/flows)
gn_check "flows-200" grep -q '^HTTP 200' <<<"$out"
body=$(sed '$d' <<<"$out")
gn_check "flows-in-sync" test "$(jq_ 'd["in_sync"]' <<<"$body")" = True
gn_check "flows-desired-equals-installed" \
    test "$(jq_ 'd["desired"] == d["installed"] > 0' <<<"$body")" = True
gn_check "flows-counts-match-switch" test "$(jq_ 'd["installed"]' \
    <<<"$body")" = "$(ovs-ofctl -O OpenFlow15 dump-flows br-int | grep -c cookie=)"
gn_check "flows-rule-mac-spoof-drop" test "$(jq_ \
    '[r["flows"] for r in d["counters"]["rules"] if r["rule"]=="mac-spoof-drop"][0]' \
    <<<"$body")" = 3

# --- send spoofed frames from wa (whose guest end is on the host): the
# mac-spoof-drop counter of the port and of /metrics must count them.
ip netns exec "$GN_SANDBOX_NETNS" ip link set "wa${s}p" up
ip netns exec "$GN_SANDBOX_NETNS" ip link set "wa$s" up
ip netns exec "$GN_SANDBOX_NETNS" python3 - "wa${s}p" <<'PY'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
frame = (bytes.fromhex("ffffffffffff") + bytes.fromhex("020000badbad")
         + b"\x08\x06" + b"\x00" * 46)
for _ in range(5):
    s.send(frame)
PY
sleep 1.2           # The API reuses the switch's counters for up to 1 s.
gn_check "ports-list-follows-link-state" gn_wait 10 wa_link up
out=$(gn_api GET "/v1/ports/wa$s")
gn_check "port-show-200" grep -q '^HTTP 200' <<<"$out"
body=$(sed '$d' <<<"$out")
gn_check "port-show-ready" test "$(jq_ 'd["ready"]' <<<"$body")" = True
gn_check "port-show-drops-mac-spoof" \
    test "$(jq_ 'd["drops"]["mac-spoof-drop"]' <<<"$body")" = 5
gn_check "port-show-statistics-keys" test "$(jq_ \
    'sorted(k for k in d["statistics"] if k[:3] in ("rx_","tx_"))[:4]' \
    <<<"$body")" = "['rx_bytes', 'rx_dropped', 'rx_errors', 'rx_packets']"
# ovs-vswitchd refreshes Interface statistics every 5 s.
rx_seen() {
    test "$(gn_api GET "/v1/ports/wa$s" | sed '$d' \
        | jq_ 'd["statistics"]["rx_packets"]')" -ge 5
}
gn_check "port-show-rx-packets" gn_wait 12 rx_seen
# The statistics are not in guestnetd's replica: GET /v1/ports/NAME asks
# ovsdb-server for the one Interface row.  Frozen, ovsdb-server leaves
# the answer waiting; clients that give up meanwhile (their requests
# cancelled) leave nothing behind, and once it thaws the next answer
# carries the statistics.
ovsdb_pid=$(cat "$GN_SANDBOX_DIR/ovsdb-server.pid")
kill -STOP "$ovsdb_pid"
gn_on_exit "kill -CONT $ovsdb_pid 2>/dev/null"
frozen_pids=()
for i in 1 2 3 4 5; do
    curl -s --max-time 1 --unix-socket "$GUESTNET_SOCKET" \
        "http://localhost/v1/ports/wa$s" > "$GN_SANDBOX_DIR/frozen$i.out" &
    frozen_pids+=($!)
done
timed_out=0
for pid in "${frozen_pids[@]}"; do
    wait "$pid"
    [ $? -ne 28 ] || timed_out=$((timed_out + 1))   # curl: timed out
done
gn_check "port-show-waits-for-ovsdb" test "$timed_out" = 5
gn_check "port-show-nothing-answered-meanwhile" \
    test "$(cat "$GN_SANDBOX_DIR"/frozen*.out | wc -c)" = 0
gn_check "status-answers-while-ovsdb-frozen" \
    grep -q '^HTTP 200' <<<"$(gn_api GET /v1/status)"
kill -CONT "$ovsdb_pid"
gn_check "port-show-after-ovsdb-thaws" gn_wait 12 rx_seen
gn_check "guestnetd-alive-after-cancelled-shows" kill -0 "$GN_GUESTNETD_PID"
gn_check "port-show-missing-404" \
    grep -q '^HTTP 404' <<<"$(gn_api GET /v1/ports/nope$s)"

# --- /metrics on the socket and on the TCP listener.
out=$(gn_api GET /metrics)
gn_check "metrics-200" grep -q '^HTTP 200' <<<"$out"
gn_check "metrics-ports" grep -q '^guestnet_ports 3$' <<<"$out"
gn_check "metrics-reconcile-steps" \
    grep -qE '^guestnet_reconcile_steps_total [1-9][0-9]*$' <<<"$out"
gn_check "metrics-loop-lag" \
    grep -q '^guestnet_event_loop_lag_peak_seconds [0-9]' <<<"$out"
gn_check "metrics-drops-by-reason" \
    grep -q '^guestnet_dropped_packets_total{reason="mac-spoof-drop"} 5$' \
    <<<"$out"
gn_check "metrics-flows-installed" \
    grep -q '^guestnet_flows{table="installed"} [1-9]' <<<"$out"
gn_check "metrics-write-latency-histogram" \
    grep -q '^guestnet_port_write_duration_seconds_count 3$' <<<"$out"
gn_check "metrics-type-lines" \
    test "$(grep -c '^# TYPE ' <<<"$out")" -ge 20
in_ns() { ip netns exec "$GN_SANDBOX_NETNS" "$@"; }
gn_check "metrics-tcp-200" \
    in_ns curl -sf "http://127.0.0.1:$port/metrics" -o /dev/null
gn_check "metrics-tcp-health" \
    in_ns curl -sf "http://127.0.0.1:$port/v1/health" -o /dev/null
code=$(in_ns curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$port/v1/ports")
gn_check "metrics-tcp-serves-nothing-else" test "$code" = 404
code=$(in_ns curl -s -o /dev/null -w '%{http_code}' -X POST \
    "http://127.0.0.1:$port/v1/reload")
gn_check "metrics-tcp-no-writes" test "$code" = 405

# --- /v1/trace: allowed and dropped, in rule names.
out=$(gn_api GET "/v1/trace?in_port=wa$s&dl_dst=52:54:00:0a:00:02&proto=tcp&nw_src=10.10.0.11&nw_dst=10.10.0.12&tp_dst=80")
gn_check "trace-allowed" grep -q '"summary": "allowed by l2-unicast"' <<<"$out"
gn_check "trace-steps-named" grep -q '"rule": "port-ingress"' <<<"$out"
out=$(gn_api GET "/v1/trace?in_port=wa$s&dl_src=52:54:00:0a:00:99")
gn_check "trace-mac-spoof" \
    grep -q '"summary": "dropped by mac-spoof-drop"' <<<"$out"
out=$(gn_api GET "/v1/trace?in_port=wa$s&proto=ip&nw_src=10.10.0.99")
gn_check "trace-ip-spoof" grep -q '"summary": "dropped by ip-spoof-drop"' \
    <<<"$out"
out=$(gn_api GET "/v1/trace?in_port=wa$s&dl_dst=52:54:00:0b:00:01&proto=ip&nw_src=10.10.0.11&nw_dst=10.20.0.11")
gn_check "trace-other-network-dropped" grep -q '"verdict": "dropped"' <<<"$out"
# ... by the forwarding table's default drop (a match-all flow, which
# ofproto/trace prints without a match).
gn_check "trace-other-network-names-default-drop" \
    grep -q '"summary": "dropped by default-drop"' <<<"$out"
# Without nw_src, the port's own address is the source (not a spoof).
out=$(gn_api GET "/v1/trace?in_port=wa$s&dl_dst=52:54:00:0b:00:01&proto=icmp&nw_dst=10.20.0.11")
gn_check "trace-default-source-is-ports-address" \
    grep -q 'nw_src=10.10.0.11' <<<"$out"
gn_check "trace-default-source-not-spoof" \
    grep -q '"summary": "dropped by default-drop"' <<<"$out"
bad_trace() {
    local name=$1 query=$2 want=$3 out
    out=$(gn_api GET "/v1/trace?$query")
    if grep -q "^HTTP $want" <<<"$out" && grep -q '"message"' <<<"$out"; then
        gn_pass "$name"
    else
        gn_fail "$name" "expected $want, got: $out"
    fi
}
bad_trace trace-no-in-port "proto=tcp" 400
bad_trace trace-unknown-port "in_port=nope$s" 404
bad_trace trace-bad-mac "in_port=wa$s&dl_dst=52:54:zz:00:00:01" 400
bad_trace trace-bad-proto "in_port=wa$s&proto=sctp" 400
bad_trace trace-bad-port-number "in_port=wa$s&proto=tcp&tp_dst=65536" 400
bad_trace trace-port-without-proto "in_port=wa$s&tp_dst=22" 400
bad_trace trace-family-mismatch "in_port=wa$s&proto=tcp6&nw_dst=10.0.0.1" 400
bad_trace trace-unknown-field "in_port=wa$s&actions=drop" 400
bad_trace trace-injection "in_port=wa$s&dl_dst=52:54:00:00:00:01,actions=1" 400
bad_trace trace-duplicate "in_port=wa$s&in_port=wb$s" 400

# --- guestnetctl, one check per command.
gn_check "ctl-status" bash -c "'$GUESTNETCTL' status | grep -q healthy"
gn_check "ctl-flows" bash -c "'$GUESTNETCTL' flows | grep -q '^mac-spoof-drop'"
gn_check "ctl-flows-json" test "$(ctl --json flows | jq_ 'd["in_sync"]')" = True
gn_check "ctl-trace" bash -c "'$GUESTNETCTL' trace wa$s dl_src=52:54:00:0a:00:99 \
    | grep -q '^dropped by mac-spoof-drop'"
gn_check "ctl-trace-json" test "$(ctl --json trace "wa$s" \
    dl_dst=52:54:00:0a:00:02 proto=ip nw_src=10.10.0.11 \
    | jq_ 'd["rule"]')" = l2-unicast
ctl trace "wa$s" proto=sctp >/dev/null 2>&1
gn_check "ctl-trace-invalid-exit-1" test $? = 1
ctl trace "wa$s" garbage >/dev/null 2>&1
gn_check "ctl-trace-usage-exit-2" test $? = 2
gn_check "ctl-port-list" bash -c "'$GUESTNETCTL' port list | grep -q '^wa$s '"
gn_check "ctl-port-show" bash -c "'$GUESTNETCTL' port show wa$s | grep -q 'network  *web'"
gn_check "ctl-network-list" bash -c "'$GUESTNETCTL' network list | grep -q '^db '"
gn_check "ctl-network-show" bash -c "'$GUESTNETCTL' network show db | grep -q '\"vlan\": 20'"
gn_check "ctl-reload" q ctl reload
gn_check "ctl-config-check" q ctl config check "$cfg"
gn_check "ctl-port-del" q ctl port del "wb$s"
gn_check "ports-list-follows-delete" test "$(gn_api GET /v1/ports \
    | sed '$d' | jq_ "sorted(p['name'] for p in d)")" = "['da$s', 'wa$s']"
# A reload without network db: da's entry says it is quarantined.
python3 - "$cfg" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["networks"] = [n for n in c["networks"] if n["name"] != "db"]
c["rules"] = [r for r in c.get("rules", [])
              if "db" not in (r["from"], r["to"])]
json.dump(c, open(sys.argv[1], "w"))
PY
gn_check "reload-without-db" q ctl reload
da_quarantined() {
    gn_api GET /v1/ports | sed '$d' \
        | jq_ "[p['quarantined'] for p in d if p['name'] == 'da$s'][0]"
}
gn_check "ports-list-follows-reload" test "$(da_quarantined)" = True
gn_check "ctl-flows-after-delete-in-sync" \
    test "$(ctl --json flows | jq_ 'd["in_sync"]')" = True
gn_done
