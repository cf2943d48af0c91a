#!/bin/bash
# cluster-dhcp: in cluster mode the registry assigns each port added
# without an IPv4 address one that is unique in the whole cluster, and
# the port's host serves it by DHCP.  Eight adds without addresses on each
# of two hosts at once get sixteen distinct addresses, the same in the
# registry and in each host's API; a busybox udhcpc in a guest of host2
# gets its registered address (with the DNS server set on the cluster's
# network) and pings a guest of host1 in the same
# network (a source address it was not given does not get through); an
# add to a full subnet is refused (409) and leaves no row, port nor
# device; a delete frees the address for the next add; a network with
# "dhcp": false assigns nothing until it is turned on (then its port
# without addresses gets one); a port libvirt
# attaches itself gets its address through the registry; a restart keeps
# the addresses and sends no flow_mod; a live migration's destination
# takes the port's address from the registry.  Two hosts, real packets
# over the fabric.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_cmd busybox busybox
s=$$

gn_cluster_setup 2
gn_tmpdir out
gn_config "$out/policy.json" upl
gn_config_edit "$out/policy.json" 'cfg["networks"].append({
    "name": "tiny", "vlan": 40, "subnets": ["10.40.0.0/29"],
    "gateways": ["10.40.0.1"]})'
gn_cluster_import_file "$out/policy.json"

flow_mods() { gn_host_field "$1" /v1/status 'd["openflow"]["flow_mods"]'; }
kvm() { printf '{"name": "%s", "kind": "kvm", "network": "%s"}' "$1" "$2"; }

# --- Concurrent adds without addresses on both hosts.
pids=
for i in 1 2 3 4 5 6 7 8; do
    for n in 1 2; do
        gn_host_code "$n" POST /v1/ports "$(kvm "k$n$i-$s" web)" \
            > "$out/add-$n-$i" &
        pids="$pids $!"
    done
done
wait $pids
gn_check "concurrent-adds-all-201" test "$(cat "$out"/add-* | sort | uniq -c \
    | sed 's/^ *//')" = "16 201"
: > "$out/registry"
for i in 1 2 3 4 5 6 7 8; do
    for n in 1 2; do
        r=$(gn_registry_ips "k$n$i-$s")
        echo "$r" >> "$out/registry"
        [ "$r" = "$(gn_host_ips "$n" "k$n$i-$s")" ] || echo "k$n$i-$s: registry" \
            "'$r', host$n '$(gn_host_ips "$n" "k$n$i-$s")'" >> "$out/differ"
    done
done
sed 's/^/# /' "$out/registry" | sort -V | tr '\n' ' '; echo
# Each line "IP IP6 / IP IP6": IP a host address of web's /24, IP6 an
# EUI-64 address in its /64 (tests/cluster-dhcp6.sh checks which).
one_assigned() {
    "$GN_PYTHON" - "$out/registry" <<'EOP'
import ipaddress, sys
net = ipaddress.ip_network("10.10.0.0/24")
net6 = ipaddress.ip_network("2001:db8:10::/64")
ok = 0
for line in open(sys.argv[1]):
    ips, _, assigned = line.strip().partition(" / ")
    a, a6 = map(ipaddress.ip_address, ips.split())
    ok += (ips == assigned and a in net and a not in
           (net.network_address, net.broadcast_address,
            ipaddress.ip_address("10.10.0.1"))
           and a6 in net6 and a6.packed[11:13] == b"\xff\xfe")
sys.exit(ok != 16)
EOP
}
gn_check "each-port-one-assigned-ipv4-and-eui64" one_assigned
gn_check "assigned-addresses-distinct-across-hosts" test "$(cut -d' ' -f1 \
    "$out/registry" | sort -u | wc -l)" = 16
gn_check "registry-and-host-apis-agree" test ! -e "$out/differ"
echo "# adds that lost their address to the other host's and took another:" \
    "$(cat "${GN_HOST_DIR[1]}/guestnetd.log" \
           "${GN_HOST_DIR[2]}/guestnetd.log" \
       | grep -c 'taken in the cluster meanwhile')"
gn_check "address-rows-two-per-port" test "$(gn_cluster_db_count 1 Address \
    '["network", "==", "web"]' '["kind", "==", "port"]')" = 32
bound() { gn_host_flows 2 | grep -qE "(nw_src|arp_spa)=$1([, ]|\$)"; }
gn_check "assigned-address-bound-into-host2-flows" \
    bound "$(gn_registry_ips "k21-$s" | cut -d' ' -f1)"
gn_check "client-ips-assigned-refused" test "$(gn_host_code 1 POST /v1/ports \
    '{"name": "kx", "kind": "kvm", "network": "web",
      "ips_assigned": "10.10.0.99"}')" = 400

# --- DHCP: udhcpc in a guest of host2 gets its registered address and
# reaches a guest of host1 in the same network.
gn_check "dns-set-on-web" test "$(gn_host_code 1 POST \
    /v1/cluster/networks/web '{"dns": ["10.10.0.53"]}')" = 200
web_dns() { [ "$(gn_host_field 2 /v1/networks '[n.get("dns") for n in d
    if n["name"] == "web"][0]')" = "['10.10.0.53']" ]; }
gn_check "host2-takes-the-dns" gn_wait 10 web_dns
wa=52:54:00:0a:01:31 wb=52:54:00:0a:02:32
gn_host_guest 1 "wa$s" "pwa$s" web $wa 10.10.0.200 || gn_done
gn_host_guest 2 "wb$s" "pwb$s" web $wb || gn_done
ipb=$(gn_registry_ips "pwb$s" | cut -d' ' -f1)
gn_udhcpc_script "$out/udhcpc.script"
LEASE_FILE=$out/wb.lease ip netns exec "wb$s" busybox udhcpc -i eth0 -n -q \
    -t 5 -T 1 -A 1 -s "$out/udhcpc.script" > "$out/udhcpc.log" 2>&1
gn_check "udhcpc-gets-a-lease" test -s "$out/wb.lease"
echo "# lease: $(cat "$out/wb.lease" 2>/dev/null), registry: $ipb"
gn_check "lease-is-the-registered-address" test \
    "$(cut -d' ' -f1 "$out/wb.lease" 2>/dev/null)" = "$ipb"
gn_check "lease-has-mask-router-dns" test "$(cut -d' ' -f2- \
    "$out/wb.lease" 2>/dev/null)" = "255.255.255.0 10.10.0.1 10.10.0.53"
ping_a() { ip netns exec "wb$s" ping -c 1 -W 1 10.10.0.200 > /dev/null; }
gn_check "dhcp-guest-host2-pings-guest-host1" gn_wait 10 ping_a
ip -n "wb$s" -4 addr flush dev eth0
ip -n "wb$s" addr add 10.10.0.99/24 dev eth0
gn_check_fails "an-address-not-given-does-not-get-through" ping_a
ip -n "wb$s" -4 addr flush dev eth0
ip -n "wb$s" addr add "$ipb/24" dev eth0
gn_check "the-given-address-gets-through-again" gn_wait 10 ping_a

# --- A full subnet: 10.40.0.0/29 has 5 addresses for ports.
for i in 1 2 3 4 5; do
    gn_host_code 1 POST /v1/ports "$(kvm "t$i-$s" tiny)" > "$out/tiny-$i"
done
gn_check "tiny-five-adds-201" test "$(cat "$out"/tiny-* | sort -u)" = 201
answer=$(gn_host_api 2 POST /v1/ports "$(kvm "t6-$s" tiny)")
echo "# $(tr '\n' ' ' <<<"$answer")"
gn_check "full-subnet-409" test "$(tail -n 1 <<<"$answer")" = "HTTP 409"
gn_check "full-subnet-says-so" grep -q 'no free address' <<<"$answer"
gn_check "full-subnet-no-registry-row" \
    test "$(gn_host_code 1 GET "/v1/cluster/ports/t6-$s")" = 404
gn_check "full-subnet-no-port-on-host2" \
    test "$(gn_host_code 2 GET "/v1/ports/t6-$s")" = 404
gn_check_fails "full-subnet-no-device-on-host2" \
    ip -n "${GN_HOST_NETNS[2]}" link show "t6-$s"
gn_check_fails "full-subnet-no-ovs-port-on-host2" \
    gn_on_host 2 ovs-vsctl --no-wait port-to-br "t6-$s"
gn_check "full-subnet-address-rows" test "$(gn_cluster_db_count 1 Address \
    '["network", "==", "tiny"]' '["kind", "==", "port"]')" = 5

# --- A delete frees the address: the next add (on the other host) gets it.
freed=$(gn_registry_ips "t3-$s" | cut -d' ' -f1)
gn_check "delete-200" test "$(gn_host_code 1 DELETE "/v1/ports/t3-$s")" = 200
gn_check "delete-frees-the-address-row" test "$(gn_cluster_db_count 1 \
    Address '["network", "==", "tiny"]' "[\"ip\", \"==\", \"$freed\"]")" = 0
gn_check "add-after-delete-201" \
    test "$(gn_host_code 2 POST /v1/ports "$(kvm "t6-$s" tiny)")" = 201
gn_check "add-after-delete-gets-the-freed-address" \
    test "$(gn_registry_ips "t6-$s")" = "$freed / $freed"

# --- A network with "dhcp": false assigns nothing; turned on, it does.
gn_check "dhcp-false-network-added" test "$(gn_host_code 1 POST \
    /v1/cluster/networks '{"name": "plain", "vlan": 50, "dhcp": false,
    "subnets": ["10.50.0.0/24"], "gateways": ["10.50.0.1"]}')" = 201
plain_dhcp() { [ "$(gn_host_field 2 /v1/networks '[n["dhcp"] for n in d
    if n["name"] == "plain"]')" = "[$1]" ]; }
gn_check "cluster-lists-dhcp-false" test "$(gn_host_field 2 \
    /v1/cluster/networks '[n.get("dhcp") for n in d["networks"]
    if n["name"] == "plain"][0]')" = False
gn_check "host2-takes-dhcp-false" gn_wait 10 plain_dhcp False
gn_check "dhcp-false-add-201" \
    test "$(gn_host_code 2 POST /v1/ports "$(kvm "pl1-$s" plain)")" = 201
gn_check "dhcp-false-nothing-assigned" test "$(gn_registry_ips "pl1-$s") $(
    gn_host_ips 2 "pl1-$s")" = " /   / "
gn_check "dhcp-on-again" test "$(gn_host_code 1 POST \
    /v1/cluster/networks/plain '{"dhcp": true}')" = 200
gn_check "host2-takes-dhcp-on" gn_wait 10 plain_dhcp True
# The port added meanwhile gets its address then, as on a single host.
pl1_assigned() { [ "$(gn_registry_ips "pl1-$s") $(gn_host_ips 2 "pl1-$s")" = \
                   "10.50.0.2 / 10.50.0.2 10.50.0.2 / 10.50.0.2" ]; }
gn_check "dhcp-on-assigns-the-port-without-address" gn_wait 15 pl1_assigned
gn_check "dhcp-on-add-201" \
    test "$(gn_host_code 2 POST /v1/ports "$(kvm "pl2-$s" plain)")" = 201
gn_check "dhcp-on-assigns" test "$(gn_host_ips 2 "pl2-$s")" = \
    "10.50.0.3 / 10.50.0.3"
gn_check "plain-address-rows" test "$(gn_cluster_db_count 1 Address \
    '["network", "==", "plain"]' '["kind", "==", "port"]')" = 2

# --- A port that libvirt attaches itself (its command) gets its address
# through the registry too.
gn_host_attach_tap 2 "vn$s" 52:54:00:0a:02:51
adopted() {
    local r
    r=$(gn_registry_ips "vn$s" 2>/dev/null)
    [ -n "${r%% *}" ] && [ "$r" = "$(gn_host_ips 2 "vn$s")" ]
}
gn_check "adopted-port-assigned-through-the-registry" gn_wait 15 adopted
ipv=$(gn_registry_ips "vn$s" | cut -d' ' -f1)
echo "# adopted port vn$s: $(gn_registry_ips "vn$s")"
gn_check "adopted-port-address-unique" test "$(gn_cluster_db_count 1 Address \
    '["network", "==", "web"]' "[\"ip\", \"==\", \"$ipv\"]")" = 1
gn_check "adopted-port-address-bound" bound "$ipv"

# --- A restart keeps the addresses and sends no flow_mod.
before=$(gn_host_ips 2 "pwb$s")
kill -TERM "${GN_HOST_GUESTNETD_PID[2]}"
wait "${GN_HOST_GUESTNETD_PID[2]}" 2>/dev/null
gn_check "host2-restarts" gn_cluster_guestnetd_start 2
gn_check "restart-sends-no-flow-mod" test "$(flow_mods 2)" = 0
gn_check "restart-keeps-the-address" test "$(gn_host_ips 2 "pwb$s")" = "$before"
gn_check "restart-keeps-the-registry" test "$(gn_registry_ips "pwb$s")" = \
    "$before"
gn_check "still-pings-after-restart" gn_wait 10 ping_a

# --- A live migration's destination takes the address from the registry.
m=52:54:00:0a:01:41
gn_check "migrating-port-added-on-host1" test "$(gn_host_code 1 POST \
    /v1/ports "{\"name\": \"mg-$s\", \"kind\": \"kvm\",
    \"network\": \"web\", \"mac\": \"$m\"}")" = 201
ipm=$(gn_registry_ips "mg-$s")
answer=$(gn_host_api 2 POST /v1/ports "{\"name\": \"mg-$s\",
    \"kind\": \"kvm\", \"network\": \"web\", \"mac\": \"$m\"}")
gn_check "migration-destination-pending" \
    grep -q '"state": "pending"' <<<"$answer"
gn_check "destination-has-the-registered-address" \
    test "$(gn_host_ips 2 "mg-$s")" = "$ipm"
gn_check "registry-keeps-its-two-address-rows" test "$(gn_cluster_db_count 1 \
    Address "[\"owner\", \"==\", \"mg-$s\"]")" = 2
gn_done
