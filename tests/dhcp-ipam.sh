#!/bin/bash
# dhcp-ipam: the addresses guestnet assigns.  A port libvirt attaches
# itself gets one too, written to its Interface; a restart of guestnetd
# keeps every assigned address and sends no flow_mod; a full subnet
# answers 409 and creates nothing, and a freed address is assigned again.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
# tiny: 10.40.0.0/29, gateway .1: .2 to .6 are free (.0 and .7 reserved).
gn_guestnetd_setup_edit 'cfg["networks"].append({"name": "tiny",
    "vlan": 40, "subnets": ["10.40.0.0/29"], "gateways": ["10.40.0.1"]})'
s=$$
ns=$GN_SANDBOX_NETNS

ips_of() {
    curl -s --unix-socket "$GUESTNET_SOCKET" "http://localhost/v1/ports/$1" \
        | "$GN_PYTHON" -c 'import json, sys; d = json.load(sys.stdin)
print(",".join(d.get("ips") or []), ",".join(d.get("ips_assigned") or []))'
}
add() {  # add NAME NETWORK: POST a kvm port; prints the HTTP status.
    gn_api POST /v1/ports "{\"name\": \"$1\", \"kind\": \"kvm\",
        \"network\": \"$2\"}" | tail -n 1 | cut -d' ' -f2
}

# --- libvirt's own port: assigned an address, written to its Interface.
ip netns exec "$ns" ip tuntap add dev "vnet$s" mode tap
ovs-vsctl --timeout=5 -- --may-exist add-port br-int "vnet$s" tag=10 \
    -- set Interface "vnet$s" external-ids:attached-mac=52:54:00:cc:00:01 \
    -- set Interface "vnet$s" external-ids:iface-id=vnet$s-iface
want=10.10.0.2,2001:db8:10:0:5054:ff:fecc:1
gn_check "adopted-port-assigned" gn_wait 5 bash -c \
    "ovs-vsctl get Interface vnet$s external_ids:guestnet\\\\:ips-assigned \
    | grep -q '$want'"
gn_check "adopted-port-api" test "$(ips_of "vnet$s")" = "$want $want"
gn_check "adopted-port-flows-bind-it" gn_wait 5 bash -c \
    "ovs-ofctl -O OpenFlow15 --no-names dump-flows br-int | grep -q \
    'in_port=$(gn_ofport "vnet$s"),nw_src=10.10.0.2 '"
pv=$(gn_ofport "vnet$s")
gn_check_trace "adopted-port-other-address-dropped" "ip-spoof-drop:$pv" \
    "in_port=$pv,dl_src=52:54:00:cc:00:01,ip,nw_src=10.10.0.9"

# --- A full subnet: 409, nothing created.
for i in 1 2 3 4 5; do
    code=$(add "t$i$s" tiny)
    [ "$code" = 201 ] || gn_fail "tiny-port-$i" "answered $code"
done
gn_check "tiny-ports-got-2-to-6" test "$(for i in 1 2 3 4 5; do
    ips_of "t$i$s" | cut -d' ' -f1; done | tr '\n' ' ')" = \
    "10.40.0.2 10.40.0.3 10.40.0.4 10.40.0.5 10.40.0.6 "
ports_before=$(ovs-vsctl list-ports br-int | sort)
out=$(gn_api POST /v1/ports "{\"name\": \"t6$s\", \"kind\": \"kvm\",
    \"network\": \"tiny\"}")
echo "# $out"
gn_check "full-subnet-409" test "$(tail -n 1 <<<"$out")" = "HTTP 409"
gn_check "full-subnet-says-so" grep -q "no free address left in 10.40.0.0/29" \
    <<<"$out"
gn_check "full-subnet-no-port" test "$(ovs-vsctl list-ports br-int | sort)" \
    = "$ports_before"
gn_check "full-subnet-no-device" bash -c \
    "! ip netns exec $ns ip link show t6$s 2>/dev/null"
gn_check "declared-address-of-another-port-refused" test "$(gn_api POST \
    /v1/ports "{\"name\": \"t7$s\", \"kind\": \"kvm\", \"network\": \"tiny\",
    \"ips\": [\"10.40.0.3\"]}" | tail -n 1)" = "HTTP 409"
gn_check "freed-address-deleted" test "$(gn_api DELETE /v1/ports/t3$s \
    | tail -n 1)" = "HTTP 200"
gn_check "freed-address-assigned-again" test "$(add "t8$s" tiny)" = 201
gn_check "freed-address-is-the-new-ports" test \
    "$(ips_of "t8$s" | cut -d' ' -f1)" = 10.40.0.4

# --- A restart keeps every assigned address and changes no flow.
before=$(for p in "vnet$s" "t1$s" "t8$s"; do ips_of "$p"; done)
flows=$(gn_flows)
txns=$(gn_guestnetd_txns)
gn_guestnetd_stop
gn_guestnetd_start "$GN_CONFIG" || gn_done
gn_check "settled-after-restart" gn_wait 10 gn_settled
gn_check "restart-keeps-addresses" test "$(for p in "vnet$s" "t1$s" "t8$s"; do
    ips_of "$p"; done)" = "$before"
gn_check "restart-no-flow-mods" test "$(gn_openflow flow_mods)" = 0
gn_check "restart-same-flows" gn_same_flows "$flows"
gn_check "restart-no-transaction" test "$(gn_guestnetd_txns)" = "$txns"
gn_done
