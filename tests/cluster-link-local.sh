#!/bin/bash
# cluster-link-local: in cluster mode a link-local address bound to a port
# on its first use is registered in the cluster (an Address row of kind
# "link-local", owner the port) before the port's host binds it, and every
# host keeps it from its own guests.  A guest on host1 with a
# stable-privacy address binds it by its first ping; the registry has the
# row; a guest on host2 that probes for it (DAD), advertises it, sends
# from it or has its kernel configured with it is dropped on host2, and a
# guest on host3 keeps the owner's MAC in its neighbour table, while the
# same frames for the host2 guest's own address pass (positive controls);
# host2's guest then picks a fresh stable-privacy address, which is
# registered, bound and pings (and registered again by host2 if its row
# goes).  Frames from the fabric that claim the bound address are dropped
# on host1 (one from a free link-local address arrives).  While the
# cluster is out of reach, a new address is not bound (refused, counted
# and logged) and does not ping, while one the registry's last copy holds
# for the port is bound; once the cluster is back, the new one is
# registered and bound.  A restart of host1's guestnetd keeps the
# binding; a delete frees the row.  Three hosts, real packets over the
# fabric.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_scapy
s=$$

gn_cluster_policy_setup 3

wa=52:54:00:0a:01:11 wb=52:54:00:0a:02:12 wc=52:54:00:0a:03:13
llb=fe80::5054:ff:fe0a:212 llc=fe80::5054:ff:fe0a:313
gn_host_guest 1 "wa$s" "pwa$s" web $wa 10.10.0.11 2001:db8:10::11 || gn_done
gn_host_guest 2 "wb$s" "pwb$s" web $wb 10.10.0.12 2001:db8:10::12 || gn_done
gn_host_guest 3 "wc$s" "pwc$s" web $wc 10.10.0.13 2001:db8:10::13 || gn_done
gn_dad_done "wa$s" "wb$s" "wc$s"

# port_lls N PORT: the port's bound link-local addresses, as host N's API
# says.
port_lls() { gn_host_field "$1" "/v1/ports/$2" '" ".join(d["link_locals"])'; }
port_lls_are() { [ "$(port_lls "$1" "$2")" = "$3" ]; }
# ll_rows PORT IP: the registry's link-local rows of PORT for IP.
ll_rows() {
    gn_cluster_db_count 1 Address '["kind", "==", "link-local"]' \
        "[\"owner\", \"==\", \"$1\"]" "[\"ip\", \"==\", \"$2\"]"
}
# stable_privacy NS: gives NS's eth0 a new stable-privacy link-local
# address (addrgenmode random) and prints it.
stable_privacy() {
    ip -n "$1" link set eth0 down
    ip -n "$1" link set eth0 addrgenmode random
    ip -n "$1" -6 addr flush dev eth0 scope link
    ip -n "$1" link set eth0 up
    gn_dad_done "$1" >&2
    ip -n "$1" -6 addr show dev eth0 scope link \
        | sed -n 's/.*inet6 \(fe80::[0-9a-f:]*\)\/64.*/\1/p' | head -n 1
}
ping_ll() {  # ping_ll NS ADDR: one echo to link-local ADDR answered
    ip netns exec "$1" ping -6 -c 1 -W 1 "$2%eth0" > /dev/null 2>&1
}
# taken_on N ADDR: host N has a flow that drops its guests' IPv6 from ADDR.
taken_on() {
    gn_host_flows "$1" | grep "ipv6_src=$2[, ]" | grep -q "actions=drop"
}

# --- wa (host1) picks a stable-privacy address; its first ping binds it.
lla=$(stable_privacy "wa$s")
echo "# wa's link-local address: $lla"
gn_check "stable-privacy-address-is-not-eui64" test -n "$lla" -a \
    "$lla" != fe80::5054:ff:fe0a:111
ping_ll "wa$s" $llc
gn_check "bound-on-first-use-on-host1" gn_wait 10 port_lls_are 1 "pwa$s" \
    "$lla"
gn_check "registry-has-the-binding" test "$(ll_rows "pwa$s" "$lla")" = 1
echo "# host1: first use to registered binding: $("$GN_PYTHON" - \
    "${GN_HOST_DIR[1]}/guestnetd.log" "$lla" <<'EOP'
import datetime, sys
t = {}
for line in open(sys.argv[1]):
    for k, pat in (("use", "binding link-local address " + sys.argv[2]),
                   ("done", "link-local address %s registered" % sys.argv[2])):
        if pat in line and k not in t:
            t[k] = datetime.datetime.fromisoformat(line.split("|")[0][:-1])
print("%.1f ms" % ((t["done"] - t["use"]).total_seconds() * 1000)
      if len(t) == 2 else "?")
EOP
)"
gn_check "wa-pings-wc-across-hosts" gn_wait 5 ping_ll "wa$s" $llc
gn_check "wc-pings-wa-back" ping_ll "wc$s" "$lla"
gn_check "wc-neighbour-entry-has-owners-mac" bash -c "ip -n wc$s -6 neigh \
    show $lla | grep -q $wa"
gn_check "host2-keeps-it-from-its-guests" gn_wait 10 taken_on 2 "$lla"

# --- wb (host2) claims it: DAD probe, advertisements, traffic; the same
# frames for wb's own link-local address pass.
gn_check_ll_claim "wb$s" $wb $llb "$lla" $wa "wa$s" "wc$s" $wc $llc
gn_check "claim-not-bound-on-host2" test "$(port_lls 2 "pwb$s")" = ""
gn_check "claim-not-registered" test "$(ll_rows "pwb$s" "$lla")" = 0
gn_check "owner-keeps-its-binding" test "$(port_lls 1 "pwa$s")" = "$lla"
gn_check "owner-still-pings-wc" ping_ll "wa$s" $llc

# --- wb picks a fresh stable-privacy address: registered, bound, pings.
llb2=$(stable_privacy "wb$s")
echo "# wb's fresh link-local address: $llb2"
ping_ll "wb$s" $llc
gn_check "fresh-address-bound-on-host2" gn_wait 10 port_lls_are 2 "pwb$s" \
    "$llb2"
gn_check "fresh-address-registered" test "$(ll_rows "pwb$s" "$llb2")" = 1
gn_check "fresh-address-pings-wc" gn_wait 5 ping_ll "wb$s" $llc
gn_check "host1-keeps-it-from-its-guests" gn_wait 10 taken_on 1 "$llb2"
# A binding the registry lacks (made before cluster mode; here its row
# deleted behind guestnet's back) is registered again by host2.
gn_check "binding-row-deleted-directly" gn_cluster_db_write any \
    "{\"op\": \"delete\", \"table\": \"Address\",
      \"where\": [[\"ip\", \"==\", \"$llb2\"]]}"
reregistered() { [ "$(ll_rows "pwb$s" "$llb2")" = 1 ]; }
gn_check "host2-registers-its-binding-again" gn_wait 15 reregistered

# --- Frames from the fabric that claim wa's binding are dropped on host1.
inj=inj$s
gn_fabric_injector "$inj"
# uplink_claims NS MAC ADDR FREE WHAT: the fabric sends the guest in NS
# (MAC, link-local address ADDR) UDP from ADDR and from the free address
# FREE, and advertisements of each; PASS each if those of ADDR are
# dropped and those of FREE arrive (WHAT names ADDR in the checks).
uplink_claims() {
    local ns=$1 mac=$2 addr=$3 free=$4 what=$5
    gn_capture_start "$ns" || gn_fail capture-start "tcpdump did not start"
    gn_scapy "$inj" "
def f(ipsrc, l4, tag):
    return (Ether(src='52:54:00:0a:0f:0f', dst='$mac') / Dot1Q(vlan=10)
            / IPv6(src=ipsrc, dst='$addr', hlim=255) / l4
            / Raw(b'GN[' + tag + b']'))
for i in range(3):
    sendp([f('$addr', UDP(sport=9, dport=9), b'uplink-claimed'),
           f('$free', UDP(sport=9, dport=9), b'uplink-free'),
           f('$free', ICMPv6ND_NA(tgt='$addr', R=0, S=0, O=1),
             b'uplink-na-claimed'),
           f('$free', ICMPv6ND_NA(tgt='$free', R=0, S=0, O=1),
             b'uplink-na-free')], iface='inj', verbose=0)
"
    gn_capture_stop
    gn_check_unseen "uplink-frame-from-$what-dropped" "$ns" uplink-claimed
    gn_check_seen "uplink-frame-from-a-free-link-local-arrives-$what" \
        "$ns" uplink-free
    gn_check_unseen "uplink-advertisement-of-$what-dropped" "$ns" \
        uplink-na-claimed
    gn_check_seen "uplink-advertisement-of-a-free-address-arrives-$what" \
        "$ns" uplink-na-free
}
uplink_claims "wa$s" $wa "$lla" fe80::99 the-binding

# --- A port without addresses (host3's DHCP server port of web: guestnet
# assigns it none) owns its EUI-64 link-local address on every host, even
# if a guest elsewhere took it first.  wb (host2) binds it while no port
# has the MAC; once the port is added on host3, host2 unbinds it and
# removes its registry row; guests on host1 and host2 cannot bind it
# (a free address sent the same way is bound: positive control); frames
# from the fabric that claim it are dropped on host3, and the engines of
# host1 and host2 name it in their refusals; an add of its MAC elsewhere
# is refused.
ws=52:54:00:0a:03:33 lls=fe80::5054:ff:fe0a:333
has_ll() { port_lls "$1" "$2" | grep -qw -- "$3"; }
# lacks_ll N PORT ADDR: host N's API answers, without ADDR among PORT's
# bindings.
lacks_ll() {
    local lls
    lls=$(port_lls "$1" "$2") || return 1
    ! grep -qw -- "$3" <<<"$lls"
}
# send_from N NS MAC ADDR...: the guest NS (MAC) of host N sends UDP to
# wc from each ADDR.
send_from() {
    local ns=$1 mac=$2 a frames=()
    shift 2
    for a in "$@"; do
        frames+=("Ether(src='$mac', dst='$wc') / IPv6(src='$a', \
dst='$llc') / UDP(dport=9) / mark('from')")
    done
    gn_scapy "$ns" "tx($(IFS=,; echo "${frames[*]}"))"
}
send_from "wb$s" $wb $lls
gn_check "squat-bound-on-host2" gn_wait 10 has_ll 2 "pwb$s" $lls
# ip_rows_are IP N: the registry has N Address rows for IP.
ip_rows_are() {
    [ "$(gn_cluster_db_count 1 Address "[\"ip\", \"==\", \"$1\"]")" = "$2" ]
}
gn_check "squat-registered" gn_wait 10 ip_rows_are $lls 1
gn_netns "ws$s"
gn_check "server-port-without-addresses-added" test "$(gn_host_code 3 POST \
    /v1/ports "{\"name\": \"pws$s\", \"kind\": \"lxc\", \"network\": \"web\",
    \"netns\": \"ws$s\", \"mac\": \"$ws\", \"server\": true}")" = 201
gn_check "server-port-has-no-addresses" test \
    "$(gn_host_field 3 "/v1/ports/pws$s" 'len(d["ips"])')" = 0
gn_check "host2-unbinds-the-squat" gn_wait 15 lacks_ll 2 "pwb$s" $lls
gn_check "squat-row-removed" gn_wait 15 ip_rows_are $lls 0
gn_check "unbinding-counted-on-host2" test "$(gn_host_field 2 /v1/status \
    'd["link_locals"]["unbound"]')" -ge 1
send_from "wa$s" $wa $lls fe80::a:1
gn_check "free-address-bound-on-host1" gn_wait 10 has_ll 1 "pwa$s" fe80::a:1
gn_check "eui64-of-remote-port-not-bound-on-host1" lacks_ll 1 "pwa$s" $lls
send_from "wb$s" $wb $lls fe80::b:1
gn_check "free-address-bound-on-host2" gn_wait 10 has_ll 2 "pwb$s" fe80::b:1
gn_check "eui64-of-remote-port-not-bound-on-host2" lacks_ll 2 "pwb$s" $lls
gn_check "eui64-of-remote-port-not-registered" ip_rows_are $lls 0
gn_check "refusal-names-the-owner" grep -q \
    "link-local address $lls not bound: .*port pws$s" \
    "${GN_HOST_DIR[1]}/guestnetd.log"
# (The engines of host1 and host2 refuse it themselves, before the
# registry is asked: they know pws by its VLAN and MAC.)
for n in 1 2; do
    gn_check "host$n-engine-refuses-it" grep -q "link-local address $lls \
not bound: held by port pws$s of the network (another host's)" \
        "${GN_HOST_DIR[n]}/guestnetd.log"
done
# An add with pws's MAC in its network is refused by the registry.
answer=$(gn_host_api 1 POST /v1/ports "{\"name\": \"pwz$s\", \"kind\":
    \"kvm\", \"network\": \"web\", \"mac\": \"$ws\"}")
echo "# $(tr '\n' ' ' <<<"$answer")"
gn_check "add-with-its-mac-409" test "$(tail -n 1 <<<"$answer")" = "HTTP 409"
gn_check "add-with-its-mac-names-it" grep -q \
    "MAC $ws is used in network web by port pws$s on host" <<<"$answer"
gn_dad_done "ws$s"
uplink_claims "ws$s" $ws $lls fe80::98 a-ports-eui64

# --- A binding host2 has that the registry holds for another port (made
# before cluster mode; here written on pwb's Interface directly) is
# logged and left alone: which of the two is older is not known.
lls_before=$(gn_on_host 2 ovs-vsctl get Interface "pwb$s" \
    'external_ids:"guestnet:link-locals"' | tr -d '"')
gn_on_host 2 ovs-vsctl set Interface "pwb$s" \
    "external_ids:\"guestnet:link-locals\"=\"$lls_before,$lla\""
held_elsewhere_logged() {
    grep -q "port pwb$s: its link-local address $lla is registered to pwa$s" \
        "${GN_HOST_DIR[2]}/guestnetd.log"
}
gn_check "held-elsewhere-logged-by-host2" gn_wait 15 held_elsewhere_logged
gn_check "holder-keeps-it" has_ll 1 "pwa$s" "$lla"
gn_check "holder-keeps-its-row" test "$(ll_rows "pwa$s" "$lla")" = 1
gn_on_host 2 ovs-vsctl set Interface "pwb$s" \
    "external_ids:\"guestnet:link-locals\"=\"$lls_before\""

# --- The cluster goes away: a binding that cannot be registered is not
# made (refused and counted); once the cluster is back, it is.
for n in 1 2 3; do gn_cluster_kill $n; done
unreachable() { [ "$(gn_host_field 3 /v1/status 'd["cluster"]["connected"]')" \
                  = False ]; }
gn_check "host3-sees-the-cluster-gone" gn_wait 10 unreachable
refused() { gn_host_field 3 /v1/status 'd["link_locals"]["refused"]'; }
refused0=$(refused)
llc2=$(stable_privacy "wc$s")
echo "# wc's fresh link-local address: $llc2"
gn_check_fails "unregistered-address-does-not-ping" \
    eval "ip netns exec wc$s ping -6 -c 3 -i 0.3 -W 1 $lla%eth0 > /dev/null"
gn_check "not-bound-without-the-cluster" test "$(port_lls 3 "pwc$s")" = ""
gn_check "refusal-counted" test "$(refused)" -gt "$refused0"
gn_check "refusal-logged" grep -q \
    "link-local address $llc2 not bound: .*unreachable" \
    "${GN_HOST_DIR[3]}/guestnetd.log"
# A binding the registry's last copy holds for the port (a guest that
# came by live migration; here the binding removed from host1's
# Interface) is bound again while the cluster is away.
gn_on_host 1 ovs-vsctl remove Interface "pwa$s" external_ids \
    '"guestnet:link-locals"'
gn_check "binding-gone-from-host1" gn_wait 10 lacks_ll 1 "pwa$s" "$lla"
ping_ll "wa$s" "$llb2"
gn_check "last-copy-binds-it-without-the-cluster" gn_wait 10 has_ll 1 \
    "pwa$s" "$lla"
gn_check "pings-again-without-the-cluster" gn_wait 5 ping_ll "wa$s" "$llb2"
for n in 1 2 3; do gn_cluster_restart $n & done
wait_members() { for n in 1 2 3; do gn_cluster_joined $n || return 1; done; }
gn_check "cluster-back" gn_wait 30 wait_members
gn_check "pings-once-the-cluster-is-back" gn_wait 30 ping_ll "wc$s" "$lla"
gn_check "bound-once-registered" port_lls_are 3 "pwc$s" "$llc2"
gn_check "registered-once-back" test "$(ll_rows "pwc$s" "$llc2")" = 1

# --- A restart of host1 keeps the binding; a delete frees the row.
kill -TERM "${GN_HOST_GUESTNETD_PID[1]}"
wait "${GN_HOST_GUESTNETD_PID[1]}" 2>/dev/null
gn_check "host1-restarts" gn_cluster_guestnetd_start 1
gn_check "restart-keeps-the-binding" has_ll 1 "pwa$s" "$lla"
gn_check "restart-keeps-the-registry-row" test "$(ll_rows "pwa$s" "$lla")" = 1
gn_check "still-pings-after-restart" gn_wait 5 ping_ll "wa$s" "$llc2"
gn_check "delete-200" test "$(gn_host_code 1 DELETE "/v1/ports/pwa$s")" = 200
gn_check "delete-frees-the-binding-row" \
    test "$(ll_rows "pwa$s" "$lla")" = 0
gn_done
