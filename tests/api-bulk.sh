#!/bin/bash
# api-bulk: POST /v1/ports with {"ports": [...]} adds many ports in one
# request, each all or nothing on its own, with real devices, OVSDB and
# ovs-vswitchd: few transactions for many ports, one answer per port in
# order (200 all added, 207 some refused), the refused ones leave nothing,
# a retry gets the same answers, a request of the wrong shape changes
# nothing, a client that goes away leaves complete ports, and guestnetctl
# port add-many.  Needs root.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
s=$$
in_host() { ip netns exec "$ns" "$@"; }
dir=$GN_SANDBOX_DIR

# bulk_body PREFIX FIRST LAST [NETWORK]: a bulk of kvm ports PREFIXi with
# MAC and IPv4 address of their own (10.10.0.i in web, 10.20.0.i in db).
bulk_body() {
    "$GN_PYTHON" - "$@" <<'EOF'
import json, sys
prefix, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
net = sys.argv[4] if len(sys.argv) > 4 else "web"
sub = {"web": "10.10.0", "db": "10.20.0"}[net]
print(json.dumps({"ports": [
    {"name": "%s%d" % (prefix, i), "kind": "kvm", "network": net,
     "mac": "52:54:00:ab:00:%02x" % i, "ips": ["%s.%d" % (sub, i)]}
    for i in range(first, last + 1)]}))
EOF
}
# post FILE: POSTs FILE to /v1/ports; the answer goes to FILE.out, the
# status is printed.
post() {
    curl -s -o "$1.out" -w '%{http_code}' --max-time 120 \
        --unix-socket "$GUESTNET_SOCKET" -H 'Content-Type: application/json' \
        --data-binary @"$1" "http://localhost/v1/ports${2:-}"
}
# answer FILE PYTHON-EXPR: the expression on the answer "a" (JSON) of FILE.
answer() {
    "$GN_PYTHON" -c 'import json, sys
a = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1.out" "$2"
}
ofport_of() { ovs-vsctl --if-exists get Interface "$1" ofport 2>/dev/null; }
port_absent() {
    [ -z "$(ovs-vsctl --if-exists get Interface "$1" name 2>/dev/null)" ] \
        && ! in_host test -e "/sys/class/net/$1"
}

# --- 40 kvm ports in one request: all added, in order, few transactions.
bulk_body "bk$s-" 10 49 > "$dir/b40"
txns=$(gn_guestnetd_txns)
code=$(post "$dir/b40")
gn_check "bulk-200" test "$code" = 200
gn_check "bulk-all-added" test "$(answer "$dir/b40" 'a["added"], a["failed"]')" \
    = "(40, 0)"
gn_check "bulk-answers-in-order" test "$(answer "$dir/b40" \
    '[p["name"] for p in a["ports"]] == ["bk'$s'-%d" % i for i in range(10, 50)]')" \
    = True
gn_check "bulk-each-201-with-port" test "$(answer "$dir/b40" \
    'all(p["status"] == 201 and p["port"]["ofport"] > 0 for p in a["ports"])')" \
    = True
bad=0
for ((i = 10; i < 50; i++)); do
    in_host test -e "/sys/class/net/bk$s-$i/tun_flags" || bad=$((bad + 1))
    [ "$(ofport_of "bk$s-$i")" -gt 0 ] 2>/dev/null || bad=$((bad + 1))
done
gn_check "bulk-every-tap-and-ofport" test "$bad" = 0
n_txns=$(( $(gn_guestnetd_txns) - txns ))
echo "40 ports: $n_txns OVSDB transactions"
# The adds go together: far fewer transactions than ports (one add at a
# time takes one or two each).
gn_check "bulk-few-transactions" test "$n_txns" -le 10
# Each has its port security: its own source address, on its own ofport.
gn_check "bulk-port-security-flows" bash -c "ovs-ofctl -O OpenFlow15 \
    dump-flows br-int | grep 'in_port=$(ofport_of "bk$s-10")[,]' \
    | grep -q 'nw_src=10.10.0.10[, ]'"

# --- 67 ports, handed to the engine in two slices: answered once, all
# added, in order.
bulk_body "bd$s-" 33 99 db > "$dir/b67"
code=$(post "$dir/b67")
gn_check "two-slices-200" test "$code" = 200
gn_check "two-slices-all-added-in-order" test "$(answer "$dir/b67" \
    '(a["added"], [p["name"] for p in a["ports"]] == ["bd'$s'-%d" % i for i in range(33, 100)], all(p["status"] == 201 for p in a["ports"]))')" \
    = "(67, True, True)"

# --- the same request again: the same answers, nothing written.
txns=$(gn_guestnetd_txns)
cp "$dir/b40" "$dir/b40again"
code=$(post "$dir/b40again")
gn_check "bulk-retry-200" test "$code" = 200
gn_check "bulk-retry-same-answers" test "$(answer "$dir/b40again" \
    '[(p["name"], p["status"], p["port"]["ofport"]) for p in a["ports"]]')" \
    = "$(answer "$dir/b40" \
    '[(p["name"], p["status"], p["port"]["ofport"]) for p in a["ports"]]')"
gn_check "bulk-retry-writes-nothing" test "$(gn_guestnetd_txns)" = "$txns"

# --- mixed: added, unknown network, name taken, address taken, invalid,
# each answered on its own; the refused leave nothing.
cat > "$dir/mixed" <<EOF
{"ports": [
  {"name": "mx$s-a", "kind": "kvm", "network": "web", "ips": ["10.10.0.60"]},
  {"name": "mx$s-b", "kind": "kvm", "network": "nope"},
  {"name": "bk$s-10", "kind": "kvm", "network": "db"},
  {"name": "mx$s-c", "kind": "kvm", "network": "web", "ips": ["10.10.0.60"]},
  {"name": "mx$s-d", "kind": "kvm", "network": "web", "ips": ["10.20.0.5"]},
  {"name": "mx$s-e", "kind": "kvm", "network": "db", "mac": "52:54:00:ab:00:0a"}
]}
EOF
code=$(post "$dir/mixed")
gn_check "mixed-207" test "$code" = 207
gn_check "mixed-statuses" test "$(answer "$dir/mixed" \
    '[p["status"] for p in a["ports"]]')" = "[201, 404, 409, 409, 400, 201]"
gn_check "mixed-counts" test "$(answer "$dir/mixed" \
    'a["added"], a["failed"]')" = "(2, 4)"
gn_check "mixed-errors-say-why" test "$(answer "$dir/mixed" \
    '("no network" in a["ports"][1]["error"]["message"]
      and a["ports"][1]["error"]["code"] == 404
      and "mx'$s'-a" in a["ports"][3]["error"]["message"])')" = True
gn_check "mixed-added-one-exists" test "$(ofport_of "mx$s-a")" -gt 0
gn_check "mixed-refused-leave-nothing" bash -c "$(declare -f port_absent \
    in_host); ns=$ns; port_absent mx$s-b && port_absent mx$s-c \
    && port_absent mx$s-d"
gn_check "mixed-name-taken-keeps-its-port" \
    test "$(ovs-vsctl get Port "bk$s-10" tag)" = 10
# A MAC of another network's port is no clash (networks are isolated).
gn_check "mixed-other-network-same-mac-added" test "$(ofport_of "mx$s-e")" -gt 0

# --- a request of the wrong shape: 400, nothing written.
txns=$(gn_guestnetd_txns)
shape() {   # NAME BODY MESSAGE-PART
    printf '%s' "$2" > "$dir/shape"
    local code
    code=$(post "$dir/shape")
    gn_check "shape-$1-400" test "$code" = 400
    gn_check "shape-$1-says-why" grep -qF "$3" "$dir/shape.out"
}
shape not-array '{"ports": {"name": "x1"}}' 'non-empty array'
shape empty '{"ports": []}' 'non-empty array'
shape item-not-object '{"ports": [{"name": "x1", "kind": "kvm", "network": "web"}, 7]}' \
    'ports[1]: expected a JSON object'
shape same-name-twice '{"ports": [{"name": "x1", "kind": "kvm", "network": "web"}, {"name": "x1", "kind": "kvm", "network": "db"}]}' \
    'port \"x1\" is also ports[0]'
shape extra-member '{"ports": [{"name": "x1", "kind": "kvm", "network": "web"}], "mtu": 1400}' \
    'unknown field \"mtu\"'
# One port's body with a stray "ports" is one port's: the field is named.
shape one-port-with-ports '{"name": "x2", "kind": "kvm", "network": "web", "ports": []}' \
    '\"ports\"'
shape wait-not-boolean '{"ports": [{"name": "x1", "kind": "kvm", "network": "web"}], "wait": "yes"}' \
    'wait: expected a boolean'
"$GN_PYTHON" -c 'import json
print(json.dumps({"ports": [{"name": "y%d" % i} for i in range(2049)]}))' \
    > "$dir/toomany"
code=$(post "$dir/toomany")
gn_check "shape-too-many-400" test "$code" = 400
gn_check "shape-too-many-says-limit" grep -q 'at most 2048' "$dir/toomany.out"
gn_check "shapes-write-nothing" test "$(gn_guestnetd_txns)" = "$txns"
gn_check "shapes-make-no-device" bash -c "! ip netns exec $ns \
    test -e /sys/class/net/x1"
# Over the body limit (256 KiB): refused before it is read.
"$GN_PYTHON" -c 'import json
print(json.dumps({"ports": [{"name": "z%d" % i, "kind": "kvm",
    "network": "web", "vm_id": "v" * 200} for i in range(1500)]}))' \
    > "$dir/huge"
gn_check "bulk-over-body-limit-413" test "$(post "$dir/huge")" = 413

# --- wait=false: each answered once committed (202).  The flows installed
# ahead of the ports stay until the ports have their numbers: each goes
# to the switch once (flow_mods grow by about the flows added, not by
# three times as many: added, taken out, added again).
gn_wait 10 gn_settled
mods0=$(gn_openflow flow_mods) nflows0=$(gn_flows | wc -l)
bulk_body "nw$s-" 70 74 > "$dir/nowait"
code=$(post "$dir/nowait" "?wait=false")
gn_check "nowait-200" test "$code" = 200
gn_check "nowait-each-202" test "$(answer "$dir/nowait" \
    '[p["status"] for p in a["ports"]]')" = "[202, 202, 202, 202, 202]"
gn_check "nowait-ports-come-up" gn_wait 20 bash -c \
    "[ \"\$(ovs-vsctl get Interface nw$s-74 ofport)\" -gt 0 ]"
nowait_flows_in() {
    gn_settled && [ "$(gn_flows | grep -c "in_port=$(ovs-vsctl get \
        Interface nw$s-74 ofport)[,\" ]")" -gt 0 ]
}
gn_check "nowait-flows-in" gn_wait 10 nowait_flows_in
added=$(( $(gn_flows | wc -l) - nflows0 )) mods=$(( $(gn_openflow flow_mods) - mods0 ))
echo "# wait=false, 5 ports: $added flows added with $mods flow_mods"
gn_check "nowait-flows-sent-once" test "$added" -gt 0 -a \
    "$mods" -lt $(( 2 * added ))

# --- LXC ports into namespaces, in one request: they reach each other
# (positive control), and one sending as an address not its own reaches
# nobody.
gn_netns "gba$s"
gn_netns "gbb$s"
cat > "$dir/lxc" <<EOF
{"ports": [
  {"name": "la$s", "kind": "lxc", "network": "db", "netns": "gba$s",
   "ips": ["10.20.0.31"], "mac": "52:54:00:ab:01:01"},
  {"name": "lb$s", "kind": "lxc", "network": "db", "netns": "gbb$s",
   "ips": ["10.20.0.32"], "mac": "52:54:00:ab:01:02"}
]}
EOF
code=$(post "$dir/lxc")
gn_check "lxc-bulk-200" test "$code" = 200
gn_check "lxc-bulk-guest-addressed" \
    bash -c "ip -n gba$s addr show eth0 | grep -q 'inet 10.20.0.31/24'"
gn_check "lxc-bulk-guests-reach-each-other" \
    ip netns exec "gba$s" ping -c 2 -i 0.2 -W 2 10.20.0.32
ip -n "gba$s" addr add 10.20.0.99/24 dev eth0
gn_check_fails "lxc-bulk-spoofed-source-reaches-nobody" \
    ip netns exec "gba$s" ping -c 2 -i 0.2 -W 1 -I 10.20.0.99 10.20.0.32

# --- a client that goes away mid-request: every port still completes,
# nothing is left half-made, and guestnetd keeps answering.
# (130 ports: handed to the engine in three slices.)
bulk_body "gone$s-" 100 229 db > "$dir/gone"
curl -s -o /dev/null --max-time 0.05 --unix-socket "$GUESTNET_SOCKET" \
    -H 'Content-Type: application/json' --data-binary @"$dir/gone" \
    http://localhost/v1/ports
all_up() {
    local i
    for ((i = 100; i <= 229; i++)); do
        [ "$(ofport_of "gone$s-$i")" -gt 0 ] 2>/dev/null || return 1
    done
}
gn_check "gone-client-ports-complete" gn_wait 30 all_up
gn_check "gone-client-daemon-answers" \
    bash -c "'$GUESTNETCTL' status > /dev/null"
gn_check_no_orphans

# --- guestnetctl port add-many: a JSON array in a file or on stdin.
cat > "$dir/ctl.json" <<EOF
[{"name": "ct$s-a", "kind": "kvm", "network": "web", "ips": ["10.10.0.80"]},
 {"name": "ct$s-b", "kind": "lxc", "network": "db"}]
EOF
out=$("$GUESTNETCTL" port add-many "$dir/ctl.json")
gn_check "ctl-add-many-exit-0" test $? = 0
gn_check "ctl-add-many-lists-each" bash -c "grep -q '^ct$s-a  *201 added ofport [0-9]' \
    <<<'$out' && grep -q '^ct$s-b  *201 added' <<<'$out'"
gn_check "ctl-add-many-counts" grep -q '^2 added, 0 failed$' <<<"$out"
out=$(echo '[{"name": "ct'$s'-c", "kind": "kvm", "network": "web"},
             {"name": "ct'$s'-a", "kind": "kvm", "network": "db"}]' \
      | "$GUESTNETCTL" port add-many -)
gn_check "ctl-add-many-refused-exit-1" test $? = 1
gn_check "ctl-add-many-says-why" grep -q "^ct$s-a  *409 " <<<"$out"
gn_check "ctl-add-many-other-added" test "$(ofport_of "ct$s-c")" -gt 0
out=$(echo '{"not": "ports"}' | "$GUESTNETCTL" port add-many - 2>&1)
gn_check "ctl-add-many-bad-file-exit-2" test $? = 2
gn_check "ctl-add-many-bad-file-says-why" grep -q 'expected a JSON array' <<<"$out"

gn_done
