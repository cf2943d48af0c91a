#!/bin/bash
# guestnetd-bridge: guestnetd creates the integration bridge as configured
# (fail_mode=secure, OpenFlow 1.3-1.5, STP off, in-band off, datapath type,
# uplink trunking exactly the configured VLANs); a restart against a correct
# bridge writes nothing; a config reload applies only the differences and a
# bad config changes nothing.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_guestnetd_sandbox
cfg=$GN_CONFIG
uplink=gnup$$
ip -n "$GN_SANDBOX_NETNS" link add "$uplink" type veth peer name "${uplink}x"
gn_config "$cfg" "$uplink"
gn_guestnetd_start "$cfg" || gn_done

col() { ovs-vsctl get "$1" "$2" "$3"; }
gn_check "bridge-exists" ovs-vsctl br-exists br-int
gn_check "fail-mode-secure" test "$(col Bridge br-int fail_mode)" = secure
gn_check "datapath-netdev" test "$(col Bridge br-int datapath_type)" = netdev
gn_check "protocols-of13-15" test "$(col Bridge br-int protocols)" = \
    '[OpenFlow13, OpenFlow14, OpenFlow15]'
gn_check "stp-off" test "$(col Bridge br-int stp_enable)" = false
gn_check "in-band-off" \
    test "$(col Bridge br-int other_config:disable-in-band)" = '"true"'
gn_check "uplink-trunks-exactly-configured-vlans" \
    test "$(col Port "$uplink" trunks)" = "[10, 20, 30]"
gn_check "uplink-vlan-mode-trunk" test "$(col Port "$uplink" vlan_mode)" = trunk
gn_check "mgmt-socket" gn_wait 5 test -S "$GN_SANDBOX_DIR/br-int.mgmt"

# A restart against a correct bridge writes nothing.
gn_wait 5 bash -c "[ \$(ovs-vsctl get Open_vSwitch . cur_cfg) = \
    \$(ovs-vsctl get Open_vSwitch . next_cfg) ]"
before=$(gn_guestnetd_txns)
gn_guestnetd_stop
gn_guestnetd_start "$cfg" || gn_done
sleep 1
gn_check "restart-writes-nothing" test "$(gn_guestnetd_txns)" = "$before"

# Someone breaks the bridge: guestnetd repairs exactly that.
ovs-vsctl set Bridge br-int fail_mode=standalone stp_enable=true
gn_check "repairs-fail-mode" gn_wait 5 \
    bash -c '[ "$(ovs-vsctl get Bridge br-int fail_mode)" = secure ]'
gn_check "repairs-stp" gn_wait 5 \
    bash -c '[ "$(ovs-vsctl get Bridge br-int stp_enable)" = false ]'

# Reload with one network fewer: only the uplink's trunks change.
before=$(gn_guestnetd_txns)
python3 - "$cfg" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["networks"] = [n for n in c["networks"] if n["name"] != "dmz"]
json.dump(c, open(sys.argv[1], "w"))
PY
kill -HUP "$GN_GUESTNETD_PID"
gn_check "sighup-reload-applies-trunks" gn_wait 5 \
    bash -c "[ \"\$(ovs-vsctl get Port $uplink trunks)\" = '[10, 20]' ]"
gn_check "reload-one-transaction" \
    test "$(gn_guestnetd_txns)" = "$((before + 1))"

# A bad config is refused by reload and changes nothing.
cp "$cfg" "$cfg.good"
before=$(gn_guestnetd_txns)
for vlan in 0 5000 4095; do
    sed "s/\"vlan\": 20/\"vlan\": $vlan/" "$cfg.good" > "$cfg"
    out=$(gn_api POST /v1/reload)
    gn_check "vlan-$vlan-reload-400" grep -q '^HTTP 400' <<<"$out"
    gn_check "vlan-$vlan-error-names-field" \
        grep -q "networks\[1\].vlan: $vlan is not a VLAN id" <<<"$out"
done
kill -HUP "$GN_GUESTNETD_PID"
gn_check "sighup-bad-config-logged" gn_wait 5 \
    grep -q 'reload refused, old config stays' "$GN_SANDBOX_DIR/guestnetd.log"
sleep 0.5
gn_check "bad-config-changes-nothing" test "$(gn_guestnetd_txns)" = "$before"
gn_check "bad-config-trunks-kept" \
    test "$(ovs-vsctl get Port "$uplink" trunks)" = "[10, 20]"
out=$("$GUESTNETCTL" config check "$cfg" 2>&1)
gn_check "guestnetctl-config-check-rejects" test $? = 1
gn_check "guestnetctl-config-check-names-field" \
    grep -q 'networks\[1\].vlan: 4095' <<<"$out"
gn_check "guestnetctl-config-check-accepts" \
    "$GUESTNETCTL" config check "$cfg.good"

# guestnetd refuses to start on an invalid config, with the reason.
out=$("$GUESTNETD" --config "$cfg" --socket "$GN_SANDBOX_DIR/x.sock" 2>&1)
gn_check "start-refuses-bad-config" grep -q 'networks\[1\].vlan' <<<"$out"
gn_done
