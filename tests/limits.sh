#!/bin/bash
# limits: noisy-neighbour limits, measured with iperf3 between guest
# namespaces through the userspace datapath.  A port limited to 50 Mbit/s
# egress (what its guest sends) gets about that and clearly less than
# without the limit; a live change to 20 Mbit/s modifies the meter in place
# (no flow_mod) while a ping through the port loses nothing; an ingress
# limit (what the guest receives) caps what reaches it; a packet rate
# limit caps a flood of small UDP datagrams; a network's default applies to
# its ports without their own; bad values are refused with 400 and change
# nothing; a restart of guestnetd keeps the limits and sends no flow_mod
# and no meter_mod; a restarted ovs-vswitchd gets the meters back.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd iperf3 iperf3
# db_limits JSON: the python (for gn_config_edit) that makes JSON the
# default limits of the db network's ports.
db_limits() {
    printf 'for n in cfg["networks"]:\n    if n["name"] == "db":\n'
    printf '        n["limits"] = json.loads(%s)\n' "'$1'"
}
# The db network's ports send at most 30 Mbit/s unless they say otherwise.
gn_guestnetd_setup_edit "$(db_limits '{"egress_kbps": 30000, "burst_ms": 50}')"
s=$$
gn_pipeline_guests wa wb da

gn_iperf_server "wb$s" "$GN_SANDBOX_DIR"
# between X LO HI: LO <= X <= HI (decimals).
between() { "$GN_PYTHON" -c "import sys; sys.exit(not $2 <= $1 <= $3)"; }
below() { "$GN_PYTHON" -c "import sys; sys.exit(not $1 < $2)"; }
# limit PORT NAME: the port's effective limit NAME and where it comes from,
# "VALUE FROM".
limit() {
    gn_api GET "/v1/ports/$1" | head -n -1 | "$GN_PYTHON" -c 'import json, sys
l = json.load(sys.stdin)["limits"]
print(l[sys.argv[1]], l["from"][sys.argv[1]])' "$2"
}
# meters: the bridge's meters, one line each, sorted.
meters() {
    ovs-ofctl -O OpenFlow15 dump-meters br-int \
        | awk '/^meter=/ { m = $0; next } /^type=/ { print m $0 }' | sort
}
has_meter() { meters | grep -qx "meter=$1 $2 burst stats bands=type=drop rate=$3 burst_size=$4"; }
# set_limits PORT BODY: POST /v1/ports/PORT/limits; prints the status.
set_limits() { gn_api POST "/v1/ports/$1/limits" "$2" | tail -n 1; }
# pinged_through CMD...: runs CMD while wa pings wb 200 times at 10 ms
# intervals; true if every ping was answered.
pinged_through() {
    ip netns exec "wa$s" ping -q -i 0.01 -c 200 -W 1 10.10.0.12 \
        > "$GN_SANDBOX_DIR/ping.txt" &
    local ping=$!
    sleep 0.5
    "$@" > "$GN_SANDBOX_DIR/change.txt"
    wait $ping
    grep -q ' 200 received' "$GN_SANDBOX_DIR/ping.txt"
}
gn_check "settled" gn_wait 10 gn_settled

# --- Unlimited, then 50 Mbit/s egress on wa, set live.
free=$(gn_iperf "wa$s" 10.10.0.12 3)
echo "wa -> wb without limits: $free Mbit/s"
gn_check "unlimited-throughput-measured" below 100 "$free"
pwa_of=$pwa
gn_check "live-limit-keeps-ping" pinged_through \
    set_limits "pwa$s" '{"egress_kbps": 50000}'
gn_check "live-limit-answered-200" grep -qx "HTTP 200" "$GN_SANDBOX_DIR/change.txt"
gn_check "limit-shown-from-port" test "$(limit "pwa$s" egress_kbps)" = "50000 port"
gn_check "egress-meter-installed" \
    has_meter $(( 0x30000 + pwa )) kbps 50000 25000
gn_check "port-not-readded" test "$(gn_ofport "pwa$s")" = "$pwa_of"
limited=$(gn_iperf "wa$s" 10.10.0.12 3)
echo "wa -> wb, egress limit 50 Mbit/s: $limited Mbit/s"
gn_check "egress-limit-near-50" between "$limited" 35 57.5
gn_check "egress-limit-below-unlimited" below "$limited" "$free / 2"

# --- A live change of the rate: one meter_mod (modify), no flow_mod.
mods=$(gn_openflow flow_mods) mmods=$(gn_openflow meter_mods)
gn_check "live-change-keeps-ping" pinged_through \
    set_limits "pwa$s" '{"egress_kbps": 20000}'
gn_check "live-change-modifies-meter" \
    has_meter $(( 0x30000 + pwa )) kbps 20000 10000
gn_check "live-change-one-meter-mod" \
    test "$(gn_openflow meter_mods)" = $((mmods + 1))
gn_check "live-change-no-flow-mod" test "$(gn_openflow flow_mods)" = "$mods"
limited=$(gn_iperf "wa$s" 10.10.0.12 3)
echo "wa -> wb, egress limit changed live to 20 Mbit/s: $limited Mbit/s"
gn_check "changed-limit-near-20" between "$limited" 14 23

# --- Dropped again (null): the network's default (none) applies.
gn_check "limit-dropped" test "$(set_limits "pwa$s" '{"egress_kbps": null}')" \
    = "HTTP 200"
gn_check "dropped-limit-shown-from-default" \
    test "$(limit "pwa$s" egress_kbps)" = "0 default"
gn_check_fails "dropped-limit-meter-gone" \
    has_meter $(( 0x30000 + pwa )) kbps 20000 10000

# --- Ingress: what wb receives.
gn_check "ingress-limit-set" \
    test "$(set_limits "pwb$s" '{"ingress_kbps": 40000}')" = "HTTP 200"
limited=$(gn_iperf "wa$s" 10.10.0.12 3)
echo "wa -> wb, ingress limit of wb 40 Mbit/s: $limited Mbit/s"
gn_check "ingress-limit-near-40" between "$limited" 28 46
gn_check "ingress-limit-below-unlimited" below "$limited" "$free / 2"
# A broadcast still reaches wb (a clone per limited port, metered alone).
gn_check "ping-through-ingress-limit" \
    ip netns exec "wa$s" ping -c 3 -i 0.2 -W 1 10.10.0.12

# --- A packet rate limit: 2000 packets a second into wb, and a flood of
# 64-byte UDP datagrams far above it.
gn_check "pps-limit-set" test "$(set_limits "pwb$s" \
    '{"ingress_kbps": null, "ingress_pps": 2000, "burst_ms": 100}')" \
    = "HTTP 200"
ip netns exec "wa$s" iperf3 -c 10.10.0.12 -u -l 64 -b 40M -t 3 -J \
    > "$GN_SANDBOX_DIR/udp.json" 2>/dev/null
read -r sent_pps got_pps <<<"$("$GN_PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))["end"]["sum"]
secs = d["seconds"]
print("%d %d" % (d["packets"] / secs,
                 (d["packets"] - d["lost_packets"]) / secs))' \
    "$GN_SANDBOX_DIR/udp.json" 2>/dev/null)"
echo "wa -> wb UDP flood, ingress limit of wb 2000 packets/s:" \
     "${sent_pps:-?} sent/s, ${got_pps:-?} received/s"
gn_check "flood-above-pps-limit" test "${sent_pps:-0}" -gt 6000
gn_check "pps-limit-caps-flood" test "${got_pps:-999999}" -le 2400
gn_check "pps-limit-lets-traffic-through" test "${got_pps:-0}" -ge 1000

# --- The network's default: da (db) has none of its own.
gn_check "network-default-shown" \
    test "$(limit "pda$s" egress_kbps)" = "30000 network"
gn_check "network-default-meter" \
    has_meter $(( 0x30000 + pda )) kbps 30000 1500
gn_check "network-default-other-limits-default" \
    test "$(limit "pda$s" ingress_kbps)" = "0 default"

# --- The network's default changed by a reload: da's meter follows; a
# file with a bad limit is refused and changes nothing.
set_db_limits() { gn_config_edit "$GN_CONFIG" "$(db_limits "$1")"; }
set_db_limits '{"egress_kbps": 10000, "burst_ms": 50}'
gn_check "reload-with-new-default" \
    test "$(gn_api POST /v1/reload | tail -n 1)" = "HTTP 200"
gn_check "reloaded-default-shown" \
    test "$(limit "pda$s" egress_kbps)" = "10000 network"
gn_check "reloaded-default-meter" \
    gn_wait 5 has_meter $(( 0x30000 + pda )) kbps 10000 500
before_meters=$(meters)
set_db_limits '{"egress_kbps": -10}'
out=$(gn_api POST /v1/reload)
gn_check "reload-bad-limit-refused" grep -qx "HTTP 400" <<<"$out"
gn_check "reload-bad-limit-named" \
    grep -q 'networks\[1\].limits.egress_kbps' <<<"$out"
gn_check "reload-bad-limit-changes-nothing" test "$(meters)" = "$before_meters"
set_db_limits '{"egress_kbps": 30000, "burst_ms": 50}'
gn_check "reload-back" test "$(gn_api POST /v1/reload | tail -n 1)" = "HTTP 200"

# --- Limits given when the port is added.
gn_lxc_guest "wc$s" "pwc$s" web 52:54:00:10:00:13 10.10.0.13
"$GUESTNETCTL" port add "pwd$s" --kind lxc --network web \
    --mac 52:54:00:10:00:14 --egress 10mbit --ingress-pps 500 >/dev/null
pwd_=$(gn_ofport "pwd$s")
gn_check "add-with-limits-shown" \
    test "$(limit "pwd$s" egress_kbps)" = "10000 port"
gn_check "add-with-limits-pps-meter" \
    has_meter $(( 0x60000 + pwd_ )) pktps 500 250
gn_check "cli-limit-live" "$GUESTNETCTL" port limit "pwd$s" --egress 5mbit
gn_check "cli-limit-shown" test "$(limit "pwd$s" egress_kbps)" = "5000 port"
gn_check_fails "cli-bad-rate-refused" \
    "$GUESTNETCTL" port limit "pwd$s" --egress 5furlongs

# --- Bad values: 400 naming the field, nothing changed.
before_meters=$(meters) before_flows=$(gn_flows)
before_row=$(ovs-vsctl get Interface "pwa$s" external_ids)
for body in '{"egress_kbps": -1}' '{"egress_kbps": "50000"}' \
            '{"egress_kbps": 1.5}' '{"ingress_pps": 1000000000000}' \
            '{"burst_ms": 0}' '{"egress_kbps": 100, "bogus": 1}' '{}' \
            '[1]'; do
    out=$(gn_api POST "/v1/ports/pwa$s/limits" "$body")
    if [ "$(tail -n 1 <<<"$out")" = "HTTP 400" ] \
            && grep -qE '"message": *"(limits[.:]|[^"]*body)' <<<"$out"; then
        gn_pass "bad-limits-refused: $body"
    else
        gn_fail "bad-limits-refused: $body" "answer: $out"
    fi
done
out=$(gn_api POST /v1/ports "{\"name\": \"pwe$s\", \"kind\": \"lxc\",
      \"network\": \"web\", \"limits\": {\"egress_kbps\": -5}}")
gn_check "bad-limits-add-refused" grep -qx "HTTP 400" <<<"$out"
gn_check "bad-limits-add-names-field" grep -q "limits.egress_kbps" <<<"$out"
gn_check_fails "bad-limits-add-no-port" ovs-vsctl get Port "pwe$s" name
gn_check "unknown-port-404" test "$(set_limits nosuch '{"egress_kbps": 1}')" \
    = "HTTP 404"
gn_check "bad-limits-meters-unchanged" test "$(meters)" = "$before_meters"
gn_check "bad-limits-flows-unchanged" gn_same_flows "$before_flows"
gn_check "bad-limits-row-unchanged" \
    test "$(ovs-vsctl get Interface "pwa$s" external_ids)" = "$before_row"

# --- A restart keeps the limits and sends nothing.
before_meters=$(meters) before_flows=$(gn_flows)
gn_guestnetd_stop TERM
gn_guestnetd_start "$GN_CONFIG"
gn_check "restarted-settles" gn_wait 10 gn_settled
gn_check "restart-no-flow-mod" test "$(gn_openflow flow_mods)" = 0
gn_check "restart-no-meter-mod" test "$(gn_openflow meter_mods)" = 0
gn_check "restart-meters-unchanged" test "$(meters)" = "$before_meters"
gn_check "restart-limits-kept" \
    test "$(limit "pwb$s" ingress_pps)" = "2000 port"

# --- ovs-vswitchd restarted (no meters left): guestnetd puts them back.
"$GN_SRCDIR/scripts/gn-sandbox" kill vswitchd "$GN_SANDBOX_DIR"
sleep 1
"$GN_SRCDIR/scripts/gn-sandbox" restart vswitchd "$GN_SANDBOX_DIR"
same_meters() { [ "$(meters)" = "$before_meters" ]; }
gn_check "meters-restored-after-vswitchd-restart" gn_wait 10 same_meters
gn_check "flows-restored-after-vswitchd-restart" \
    gn_wait 10 gn_same_flows "$before_flows"
gn_done
