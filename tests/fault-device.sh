#!/bin/bash
# fault-device: a device guestnet made for a port (a kvm tap, an lxc veth
# pair, "phys" or moved into the guest's namespace) deleted behind its back
# with ip link del: the port's state says "device missing" (and it is not
# ready), the metric counts it, a port that kept its device stays "ok";
# another request for the name still gets 409; a DELETE of such a port
# succeeds and leaves neither row nor device; the same request that added
# it adds it again with new devices, and its guest talks again.  While
# the ports are added, no veth end shows under its real name without
# guestnet's owner mark (netlink's announcements).  Real OVS, real taps
# and veths.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd python3 python3
gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
s=$$

kvm='{"name":"dk1","kind":"kvm","network":"web","mac":"52:54:00:0d:00:01"}'
phys='{"name":"dl1","kind":"lxc","mode":"phys","network":"db","mac":"52:54:00:0d:00:02"}'
guest="{\"name\":\"dn1\",\"kind\":\"lxc\",\"network\":\"web\",\"netns\":\"dn$s\",\"mac\":\"52:54:00:0d:00:03\",\"ips\":[\"10.10.0.21\"]}"

# status_of BODY: the HTTP status of POST /v1/ports with BODY.
status_of() { gn_api POST /v1/ports "$1" | sed -n 's/^HTTP //p'; }
# port_field NAME FIELD: FIELD of GET /v1/ports/NAME.
port_field() {
    gn_api GET "/v1/ports/$1" | sed '$d' | "$GN_PYTHON" -c 'import json, sys
print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}
state_is() { [ "$(port_field "$1" state)" = "$2" ]; }
ready() { [ "$(port_field "$1" ready)" = True ]; }
missing_metric() {
    curl -s --unix-socket "$GUESTNET_SOCKET" http://localhost/metrics \
        | sed -n 's/^guestnet_ports_device_missing \([0-9]*\)$/\1/p'
}
metric_is() { [ "$(missing_metric)" = "$1" ]; }
has_device() { ip netns exec "$ns" test -e "/sys/class/net/$1"; }
installed_mark() {
    [ "$(ovs-vsctl get Interface "$1" external_ids:guestnet-installed)" \
      = '"true"' ]
}

gn_pipeline_guests wa
gn_netns "dn$s"
# Every state of the links in the namespace while the ports are added, as
# netlink announces it (with their aliases).
mon=$GN_SANDBOX_DIR/links.mon
ip -d -n "$ns" monitor link > "$mon" &
monitor=$!
gn_on_exit "kill $monitor"
ip -n "$ns" link add gnmonup type dummy
gn_wait 5 grep -q gnmonup "$mon"
ip -n "$ns" link del gnmonup
gn_check "add-kvm" test "$(status_of "$kvm")" = 201
gn_check "add-lxc-phys" test "$(status_of "$phys")" = 201
gn_check "add-lxc-netns" test "$(status_of "$guest")" = 201
kill "$monitor"
wait "$monitor" 2>/dev/null
# A veth end never exists under its real name without guestnet's mark, so
# a guestnetd killed at any moment leaves nothing a retry would take for
# someone else's device: the pair is made under temporary names.
unmarked=$(awk '
    /^[^ ]/ { if (name != "" && !alias) print name; name = ""; alias = 0 }
    /^[0-9]+: (dl1|dl1p|dn1)@/ { name = $2 }
    /^    alias guestnet:/ { alias = 1 }
    END { if (name != "" && !alias) print name }' "$mon")
gn_check "veth-ends-named-only-when-marked" test -z "$unmarked"
gn_check "veth-ends-seen-under-their-names" \
    test "$(grep -c -E '^[0-9]+: (dl1|dl1p|dn1)@' "$mon")" -ge 3
gn_check "veth-made-under-temporary-names" \
    grep -q -E '^[0-9]+: gnvh[0-9a-f]{11}@' "$mon"
gn_check "guest-pings-before" \
    ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.21
for p in dk1 dl1 dn1; do
    gn_check "$p-state-ok-before" state_is "$p" ok
done
gn_check "metric-zero-before" gn_wait 10 metric_is 0

# The devices go behind guestnet's back (the guest end of dn1 with its
# host end).
t0=$(date +%s%3N)
for p in dk1 dl1 dn1; do
    ip -n "$ns" link del "$p"
done
for p in dk1 dl1 dn1; do
    gn_check "$p-state-device-missing" gn_wait 15 state_is "$p" "device missing"
done
echo "device missing seen $(( $(date +%s%3N) - t0 )) ms after ip link del"
gn_check "device-missing-not-ready" test "$(port_field dk1 ready)" = False
gn_check "metric-counts-three" gn_wait 10 metric_is 3
gn_check "untouched-port-stays-ok" state_is "pwa$s" ok
gn_check "guest-end-gone-with-host-end" \
    bash -c "! ip -n dn$s link show eth0 >/dev/null 2>&1"

# Another request for the name is still refused.
other='{"name":"dk1","kind":"kvm","network":"web","mac":"52:54:00:0d:00:99"}'
gn_check "other-request-for-name-409" test "$(status_of "$other")" = 409
gn_check "refused-request-made-no-device" bash -c "! has_device dk1"

# DELETE of a port without its device leaves nothing behind.
gn_check "delete-device-missing-port" \
    grep -q '^HTTP 200' <<<"$(gn_api DELETE /v1/ports/dl1)"
gn_check "deleted-no-row" \
    test "$(ovs-vsctl --bare --columns=name find Interface name=dl1)" = ""
gn_check "deleted-no-device" \
    bash -c "! has_device dl1 && ! has_device dl1p"
gn_check "metric-counts-two" gn_wait 10 metric_is 2

# The same request adds the port again, with new devices.
for b in "$kvm" "$guest"; do
    p=$("$GN_PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])["name"])' "$b")
    old=$(ovs-vsctl get Interface "$p" _uuid)
    gn_check "$p-same-request-readds" test "$(status_of "$b")" = 201
    gn_check "$p-readded-device-there" has_device "$p"
    gn_check "$p-readded-new-row" \
        test "$(ovs-vsctl get Interface "$p" _uuid)" != "$old"
    gn_check "$p-readded-state-ok" state_is "$p" ok
    # ("ready" reads the switch's flow counters, cached for a moment.)
    gn_check "$p-readded-ready" gn_wait 5 ready "$p"
    gn_check "$p-readded-marked-installed" installed_mark "$p"
done
gn_check "readded-guest-pings" \
    ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.21
gn_check "metric-zero-after" gn_wait 10 metric_is 0
gn_check "retry-of-readded-is-a-retry" test "$(status_of "$kvm")" = 201
gn_check_no_orphans
gn_done
