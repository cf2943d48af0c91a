#!/bin/bash
# guestnetd-ports: adding and removing kvm (tap) and lxc (veth) ports with
# real devices through the API and guestnetctl; every invalid input gets a
# clear error and changes nothing; a failure half-way leaves no orphan.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
s=$$
ctl() { "$GUESTNETCTL" "$@"; }
in_host() { ip netns exec "$ns" "$@"; }

# --- kvm: a persistent tap, owned by a user, with QEMU and libvirt
# snippets in the answer.
out=$(ctl --json port add "tk$s" --kind kvm --network web \
      --mac 52:54:00:aa:00:01 --ip 10.10.0.21 --owner nobody)
gn_check "kvm-add-ok" test $? = 0
gn_check "kvm-tap-exists" in_host test -d "/sys/class/net/tk$s"
gn_check "kvm-tap-is-tap" in_host test -e "/sys/class/net/tk$s/tun_flags"
gn_check "kvm-tap-owner" \
    test "$(in_host cat /sys/class/net/tk$s/owner)" = "$(id -u nobody)"
gn_check "kvm-port-tag" test "$(ovs-vsctl get Port tk$s tag)" = 10
gn_check "kvm-attached-mac" test "$(ovs-vsctl get Interface tk$s \
    external_ids:attached-mac)" = '"52:54:00:aa:00:01"'
gn_check "kvm-ofport-assigned" \
    test "$(ovs-vsctl get Interface tk$s ofport)" -gt 0
gn_check "kvm-marked-installed" gn_wait 5 bash -c "[ \"\$(ovs-vsctl get \
    Interface tk$s external_ids:guestnet-installed)\" = '\"true\"' ]"
# A quarantined port (here: moved to a VLAN that is no network) loses its
# installed mark at once, and gets it back when it is bound again.
mark_of() {
    ovs-vsctl --if-exists get Interface "$1" external_ids:guestnet-installed \
        2>/dev/null
}
unmarked() { [ -z "$(mark_of "tk$s")" ]; }
remarked() { [ "$(mark_of "tk$s")" = '"true"' ]; }
# view PORT KEY VALUE: the port's API view has KEY = VALUE (JSON).
view() {
    "$GUESTNETCTL" --json port show "$1" | "$GN_PYTHON" -c 'import json, sys
sys.exit(json.load(sys.stdin).get(sys.argv[1]) != json.loads(sys.argv[2]))' \
        "$2" "$3"
}
gn_check "bound-port-installed" view "tk$s" installed true
gn_check "bound-port-ready" view "tk$s" ready true
ovs-vsctl set Port "tk$s" tag=99
gn_check "quarantined-port-loses-installed-mark" gn_wait 5 unmarked
gn_check "quarantined-port-shows-quarantine" view "tk$s" quarantined true
gn_check "quarantined-port-not-installed" view "tk$s" installed false
gn_check "quarantined-port-not-ready" view "tk$s" ready false
ovs-vsctl set Port "tk$s" tag=10
gn_check "rebound-port-gets-installed-mark-back" gn_wait 5 remarked
gn_check "rebound-port-installed-again" gn_wait 5 view "tk$s" installed true
# Another way into quarantine: the MAC goes (external_ids:attached-mac).
ovs-vsctl remove Interface "tk$s" external_ids attached-mac
gn_check "port-without-mac-loses-installed-mark" gn_wait 5 unmarked
gn_check "port-without-mac-not-installed" view "tk$s" installed false
gn_check "port-without-mac-not-ready" view "tk$s" ready false
ovs-vsctl set Interface "tk$s" external_ids:attached-mac=52:54:00:aa:00:01
gn_check "port-with-mac-again-marked" gn_wait 5 remarked
gn_check "kvm-answer-has-qemu-args" \
    grep -q "virtio-net-pci,netdev=tk$s,mac=52:54:00:aa:00:01" <<<"$out"
gn_check "kvm-answer-has-libvirt-xml" \
    grep -q "<target dev='tk$s' managed='no'/>" <<<"$out"

# A retry of the same add (its answer lost, say) gets the same success;
# another request for the name gets 409, and neither changes anything.
txns=$(gn_guestnetd_txns)
out=$(ctl --json port add "tk$s" --kind kvm --network web \
      --mac 52:54:00:aa:00:01 --ip 10.10.0.21 --owner nobody)
gn_check "retried-add-succeeds" test $? = 0
gn_check "retried-add-answers-the-port" \
    grep -q '"mac": "52:54:00:aa:00:01"' <<<"$out"
out=$(ctl port add "tk$s" --kind kvm --network web --ip 10.10.0.29 2>&1)
gn_check "other-add-of-the-name-409" test $? = 1
gn_check "other-add-of-the-name-says-exists" grep -q 'exists' <<<"$out"
gn_check "retries-write-nothing" test "$(gn_guestnetd_txns)" = "$txns"

# --- lxc into a network namespace: renamed, addressed, routed.
gn_netns "gnc$s"
out=$(ctl port add "vl$s" --kind lxc --network db --netns "gnc$s" \
      --ip 10.20.0.22 --mac 52:54:00:bb:00:02)
gn_check "lxc-add-ok" test $? = 0
gn_check "lxc-host-end-exists" in_host test -d "/sys/class/net/vl$s"
gn_check "lxc-guest-end-renamed-eth0" \
    ip -n "gnc$s" link show eth0
gn_check "lxc-guest-mac" \
    test "$(ip netns exec gnc$s cat /sys/class/net/eth0/address)" = \
    52:54:00:bb:00:02
gn_check "lxc-guest-address" \
    bash -c "ip -n gnc$s addr show eth0 | grep -q 'inet 10.20.0.22/24'"
gn_check "lxc-guest-default-route" \
    bash -c "ip -n gnc$s route | grep -q 'default via 10.20.0.1'"
gn_check "lxc-port-tag" test "$(ovs-vsctl get Port vl$s tag)" = 20

# --- lxc into the namespace of a process (as for a running container),
# and traffic: a guest reaches another guest of its network, not one of
# another network.
gn_netns "gnd$s"
ip netns exec "gnd$s" sleep 300 &
sleeper=$!
gn_on_exit "kill $sleeper"
# ("ip netns exec" enters the namespace just after the fork.)
gn_wait 5 bash -c "[ \$(stat -L -c %i /proc/$sleeper/ns/net) = \
    \$(stat -L -c %i /run/netns/gnd$s) ]"
gn_check "lxc-netns-pid-add" ctl port add "vd$s" --kind lxc --network db \
    --netns-pid "$sleeper" --ip 10.20.0.23
gn_check "lxc-netns-pid-eth0" \
    bash -c "nsenter -t $sleeper -n ip addr show eth0 | grep -q 10.20.0.23"
gn_check "same-network-guests-ping" \
    ip netns exec "gnc$s" ping -c 2 -i 0.2 -W 2 10.20.0.23
gn_netns "gne$s"
ctl port add "ve$s" --kind lxc --network web --netns "gne$s" \
    --ip 10.10.0.24 > /dev/null
ip -n "gne$s" addr add 10.20.0.99/24 dev eth0
gn_check_fails "other-network-guest-unreachable" \
    ip netns exec "gne$s" ping -c 2 -i 0.2 -W 1 -I 10.20.0.99 10.20.0.23
ctl port del "ve$s" > /dev/null
ctl port del "vd$s" > /dev/null

# bad NAME STATUS TEXT BODY: POST /v1/ports BODY gets STATUS and TEXT.
bad() {
    local name=$1 want_status=$2 want_text=$3 body=$4 out
    out=$(gn_api POST /v1/ports "$body")
    if grep -q "^HTTP $want_status" <<<"$out" && grep -q "$want_text" <<<"$out"
    then
        gn_pass "$name"
    else
        gn_fail "$name" "expected $want_status /$want_text/, got: $out"
    fi
}

# --- two adds at once that would make the same veth peer: one gets it,
# the other is refused as a conflict (not a failed device creation).
# race NAME ARGS...: adds ports NAME1 and NAME2 (web, phys) with ARGS at
# once; prints how many of the two succeeded, and leaves their outputs in
# $GN_SANDBOX_DIR/NAME1.out and NAME2.out.
race() {
    local name=$1 p1 p2 rc1 rc2
    shift
    ctl port add "${name}1" --kind lxc --network web --mode phys "$@" \
        > "$GN_SANDBOX_DIR/${name}1.out" 2>&1 &
    p1=$!
    ctl port add "${name}2" --kind lxc --network web --mode phys "$@" \
        > "$GN_SANDBOX_DIR/${name}2.out" 2>&1 &
    p2=$!
    wait $p1; rc1=$?
    wait $p2; rc2=$?
    echo $(( (rc1 == 0) + (rc2 == 0) ))
}
gn_check "same-peer-one-add-wins" test "$(race "c$s" --peer "cp$s")" = 1
gn_check "same-peer-other-refused-as-conflict" \
    grep -qE "device cp$s: a request in progress|device named .cp$s. exists" \
    "$GN_SANDBOX_DIR/c${s}1.out" "$GN_SANDBOX_DIR/c${s}2.out"
ctl port del "c${s}1" > /dev/null 2>&1
ctl port del "c${s}2" > /dev/null 2>&1

# The same, one after the other (as when the first add completes before
# the second arrives): the guest end of a committed port is the port's,
# not a device a crash left, so the second add gets 409 and changes
# nothing: the first port keeps the very devices it had.  So for an add
# whose name is that guest end, or whose peer is a port.
ifindex() { in_host cat "/sys/class/net/$1/ifindex" 2>/dev/null; }
ctl port add "cq${s}1" --kind lxc --network web --mode phys \
    --peer "cqp$s" > /dev/null
before="$(ifindex "cq${s}1") $(ifindex "cqp$s")"
txns=$(gn_guestnetd_txns)
bad same-peer-after-commit-409 409 "device named .*cqp$s.* exists" \
    "{\"name\":\"cq${s}2\",\"kind\":\"lxc\",\"network\":\"web\",
      \"mode\":\"phys\",\"peer\":\"cqp$s\"}"
bad name-of-a-peer-409 409 "device named .*cqp$s.* exists" \
    "{\"name\":\"cqp$s\",\"kind\":\"kvm\",\"network\":\"web\"}"
bad peer-named-as-a-port-409 409 "port named .*cq${s}1.* exists" \
    "{\"name\":\"cq${s}3\",\"kind\":\"lxc\",\"network\":\"web\",
      \"mode\":\"phys\",\"peer\":\"cq${s}1\"}"
gn_check "refused-adds-keep-the-devices" \
    test "$(ifindex "cq${s}1") $(ifindex "cqp$s")" = "$before"
gn_check "refused-adds-keep-the-pair" \
    test "$(in_host cat "/sys/class/net/cqp$s/iflink")" = "$(ifindex "cq${s}1")"
gn_check "refused-adds-write-nothing" test "$(gn_guestnetd_txns)" = "$txns"
gn_check "refused-adds-leave-no-device" \
    in_host test ! -e "/sys/class/net/cq${s}2" -a ! -e "/sys/class/net/cq${s}3"
ctl port del "cq${s}1" > /dev/null

# --- lxc "phys": the guest end stays on the host for LXC.
out=$(ctl port add "vp$s" --kind lxc --network web --mode phys)
gn_check "lxc-phys-add-ok" test $? = 0
gn_check "lxc-phys-peer-on-host" in_host test -d "/sys/class/net/vp${s}p"
gn_check "lxc-phys-prints-lxc-config" \
    grep -q "lxc.net.0.link = vp${s}p" <<<"$out"

# --- list and show.
gn_check "port-list-shows-three" \
    test "$(ctl --json port list | python3 -c \
        'import json,sys; print(len(json.load(sys.stdin)))')" = 3
gn_check "port-show" bash -c "'$GUESTNETCTL' port show vl$s | grep -q 'network  *db'"
gn_check "network-list" bash -c "'$GUESTNETCTL' network list | grep -q '^web  *10'"

# --- invalid input: clear error, nothing changes.
snapshot() {
    { ovs-vsctl --columns=name list Port | sort; in_host ls /sys/class/net; }
}
before=$(snapshot)
txns=$(gn_guestnetd_txns)
bad invalid-mac 400 '52:54:00:zz:00:01.. is not a MAC address' \
    '{"name":"bx1","kind":"kvm","network":"web","mac":"52:54:00:zz:00:01"}'
bad multicast-mac 400 'mac:' \
    '{"name":"bx1","kind":"kvm","network":"web","mac":"01:00:5e:00:00:01"}'
bad invalid-ip 400 'ips\[0\]' \
    '{"name":"bx1","kind":"kvm","network":"web","ips":["10.10.0.300"]}'
bad ip-outside-network 400 'not in a subnet of network' \
    '{"name":"bx1","kind":"kvm","network":"web","ips":["10.20.0.5"]}'
bad name-over-15-bytes 400 'name:.*15 bytes' \
    '{"name":"abcdefghijklmnop","kind":"kvm","network":"web"}'
bad unknown-network 404 'no network named' \
    '{"name":"bx1","kind":"kvm","network":"nope"}'
bad unknown-kind 400 'kind:' \
    '{"name":"bx1","kind":"xen","network":"web"}'
bad unknown-field 400 'unknown field' \
    '{"name":"bx1","kind":"kvm","network":"web","vlan":10}'
bad wrong-type 400 'name: expected a string' \
    '{"name":5,"kind":"kvm","network":"web"}'
bad duplicate-port 409 'exists' \
    "{\"name\":\"tk$s\",\"kind\":\"kvm\",\"network\":\"web\"}"
bad missing-namespace 404 'netns:' \
    '{"name":"bx1","kind":"lxc","network":"web","netns":"gn-no-such-ns"}'
# Addresses that would break another guest or the gateway.
bad mac-of-another-port 409 "mac: 52:54:00:aa:00:01 is port tk$s's in network" \
    '{"name":"bx1","kind":"kvm","network":"web","mac":"52:54:00:AA:00:01"}'
bad ip-of-another-port 409 "ips\\[0\\]: 10.10.0.21 is port tk$s's" \
    '{"name":"bx1","kind":"kvm","network":"web","ips":["10.10.0.21"]}'
bad second-ip-of-another-port 409 "ips\\[1\\]: 10.20.0.22 is port vl$s's" \
    '{"name":"bx1","kind":"kvm","network":"db","ips":["10.20.0.40","10.20.0.22"]}'
bad gateway-ip 400 'is a gateway of network' \
    '{"name":"bx1","kind":"kvm","network":"web","ips":["10.10.0.1"]}'
bad gateway-ipv6 400 'is a gateway of network' \
    '{"name":"bx1","kind":"kvm","network":"web","ips":["2001:db8:10::1"]}'
bad network-address 400 'is the network address of its subnet' \
    '{"name":"bx1","kind":"kvm","network":"web","ips":["10.10.0.0"]}'
bad broadcast-address 400 'is the broadcast address of its subnet' \
    '{"name":"bx1","kind":"kvm","network":"web","ips":["10.10.0.255"]}'
bad subnet-router-anycast 400 'is the subnet-router anycast address' \
    '{"name":"bx1","kind":"kvm","network":"web","ips":["2001:db8:10::"]}'
bad ip-given-twice 400 'is given twice' \
    '{"name":"bx1","kind":"kvm","network":"web","ips":["10.10.0.50","10.10.0.50"]}'
bad malformed-json 400 'malformed JSON' '{"name": "bx1",'
bad not-an-object 400 'JSON object' '[1,2]'
# (Over the 256 KiB limit: a file, as no argument may be that long.)
python3 -c 'print("{\"name\": \"" + "a" * 300000 + "\"}")' \
    > "$GN_SANDBOX_DIR/big.json"
out=$(gn_api POST /v1/ports "@$GN_SANDBOX_DIR/big.json")
gn_check "oversized-body-refused" grep -q '^HTTP 413' <<<"$out"
out=$(ctl port add bx1 --kind kvm --network nope 2>&1)
gn_check "guestnetctl-exit-1-on-refusal" test $? = 1
gn_check "guestnetctl-prints-reason" grep -q 'no network named "nope"' <<<"$out"
out=$(ctl --socket /nonexistent.sock status 2>&1)
gn_check "guestnetctl-exit-3-unreachable" test $? = 3
sleep 0.5
gn_check "invalid-input-changes-nothing" test "$(snapshot)" = "$before"
gn_check "invalid-input-no-transaction" test "$(gn_guestnetd_txns)" = "$txns"

# The positive controls of the address checks: the same MAC in another
# network, a neighbouring address, the last host address of the subnet.
gn_check "same-mac-other-network-accepted" ctl port add "bm$s" --kind kvm \
    --network db --mac 52:54:00:aa:00:01 --ip 10.20.0.254
gn_check "neighbour-ip-accepted" ctl port add "bn$s" --kind kvm \
    --network web --ip 10.10.0.22 --ip 2001:db8:10::22
ctl port del "bm$s" > /dev/null
ctl port del "bn$s" > /dev/null
# Two adds at once with the same MAC: one gets it, the other is refused.
gn_check "same-mac-at-once-one-wins" \
    test "$(race "d$s" --mac 52:54:00:dd:00:01)" = 1
gn_check "same-mac-at-once-other-refused" \
    grep -qE "mac: 52:54:00:dd:00:01 is port d${s}[12]'s" \
    "$GN_SANDBOX_DIR/d${s}1.out" "$GN_SANDBOX_DIR/d${s}2.out"
gn_check "same-mac-at-once-one-port" \
    test "$(ovs-vsctl list-ports br-int | grep -c "^d${s}[12]\$")" = 1
ctl port del "d${s}1" > /dev/null 2>&1
ctl port del "d${s}2" > /dev/null 2>&1

# A device that exists outside OVS: refused, and left alone.
in_host ip link add "bx$s" type veth peer name "by$s"
out=$(gn_api POST /v1/ports "{\"name\":\"bx$s\",\"kind\":\"kvm\",\"network\":\"web\"}")
gn_check "existing-device-409" grep -q '^HTTP 409' <<<"$out"
gn_check "existing-device-left-alone" in_host test -d "/sys/class/net/bx$s"
in_host ip link del "bx$s"

# --- adds that come together share one transaction (the first does not
# leave while the others' devices are being made), and the installed marks
# written after them do not bump next_cfg (ovs-vswitchd does not read
# Interface external_ids: it would reconfigure every port for nothing).
for i in 1 2 3 4 5 6; do
    echo "{\"name\":\"g$i$s\",\"kind\":\"lxc\",\"network\":\"web\",\"mode\":\"phys\"}"
done > "$GN_SANDBOX_DIR/together.json"
before=$(gn_guestnetd_txns)
out=$("$GN_BUILDDIR/bench/api-load" post "$GUESTNET_SOCKET" /v1/ports 6 \
      < "$GN_SANDBOX_DIR/together.json")
gn_check "together-all-added" grep -q "^ok=6 failed=0 " <<<"$out"
marked() {
    for i in 1 2 3 4 5 6; do
        [ "$(ovs-vsctl get Interface "g$i$s" \
             external_ids:guestnet-installed 2>/dev/null)" = '"true"' ] \
            || return 1
    done
}
gn_check "together-marked-installed" gn_wait 5 marked
# The last guestnetd transaction in the database's log: what it changed.
last_txn() {
    ovsdb-tool -mm show-log "$GN_SANDBOX_DIR/conf.db" \
        | awk '/^record / { keep = /"guestnetd"/; if (keep) t = "" }
               keep { t = t $0 "\n" } END { printf "%s", t }'
}
gn_check "together-marks-last" grep -q guestnet-installed <<<"$(last_txn)"
gn_check_fails "together-marks-leave-next-cfg" grep -q next_cfg= \
    <<<"$(last_txn)"
# (One and one here; one more of either is left to a slow machine: one
# transaction per add, as before the gathering, made 4 - 5.)
gn_check "together-few-transactions" \
    test "$(( $(gn_guestnetd_txns) - before ))" -le 3
for i in 1 2 3 4 5 6; do ctl port del "g$i$s" > /dev/null; done

# --- clients that add ports one after another (8 clients, 4 each, the
# next request sent as soon as the answer comes) keep going together: a
# transaction after answers waits for those clients' next requests rather
# than leaving with the few that came first (the clients would otherwise
# split into groups taking turns, a transaction each).  4 rounds need 4
# transactions with next_cfg; 6 leaves room for a slow machine, where
# groups taking turns make 7 - 8.
for i in $(seq 1 32); do
    echo "{\"name\":\"q$i$s\",\"kind\":\"lxc\",\"network\":\"web\",\"mode\":\"phys\"}"
done > "$GN_SANDBOX_DIR/turns.json"
# The transactions of guestnetd that bump next_cfg (make ovs-vswitchd
# reconfigure).
cfg_txns() {
    ovsdb-tool -mm show-log "$GN_SANDBOX_DIR/conf.db" \
        | awk '/^record / { if (keep && cfg) n++; keep = /"guestnetd"/; cfg = 0 }
               keep && /next_cfg=/ { cfg = 1 }
               END { if (keep && cfg) n++; print n + 0 }'
}
before=$(cfg_txns)
out=$("$GN_BUILDDIR/bench/api-load" post "$GUESTNET_SOCKET" /v1/ports 8 \
      < "$GN_SANDBOX_DIR/turns.json")
gn_check "turns-all-added" grep -q "^ok=32 failed=0 " <<<"$out"
turns=$(( $(cfg_txns) - before ))
gn_check "turns-few-transactions" test "$turns" -le 6
echo "    (8 clients x 4 adds: $turns transactions with next_cfg)"
for i in $(seq 1 32); do ctl port del "q$i$s" > /dev/null; done

# --- delete: devices gone, rows gone.
gn_check "kvm-delete" ctl port del "tk$s"
gn_check "kvm-tap-gone" bash -c "! ip netns exec $ns test -e /sys/class/net/tk$s"
gn_check "kvm-row-gone" bash -c "! ovs-vsctl list Port tk$s >/dev/null 2>&1"
gn_check "lxc-delete" ctl port del "vl$s"
gn_check "lxc-veth-gone-both-ends" \
    bash -c "! ip netns exec $ns test -e /sys/class/net/vl$s \
             && ! ip -n gnc$s link show eth0 >/dev/null 2>&1"
gn_check "lxc-phys-delete" ctl port del "vp$s"
gn_check "lxc-phys-peer-gone" bash -c "! ip netns exec $ns test -e /sys/class/net/vp${s}p"
# A deleted port's addresses are free again.
gn_check "deleted-port-mac-and-ip-reusable" ctl port add "tr$s" --kind kvm \
    --network web --mac 52:54:00:aa:00:01 --ip 10.10.0.21
ctl port del "tr$s" > /dev/null
out=$(ctl port del "tk$s" 2>&1)
gn_check "delete-missing-404" test $? = 1
gn_check "only-bridge-port-left" \
    test "$(ovs-vsctl list-ports br-int | wc -l)" = 0
gn_done
