#!/bin/bash
# cluster-dhcp6: in cluster mode a port added without any address gets,
# besides its IPv4 address, the EUI-64 address of its MAC in each IPv6
# subnet of /64 or wider of its network, from the registry, as a single
# host gives it.  A port on host2 lists it in the registry (with an
# Address row) and in its host's API; a real DHCPv6 client (ISC dhclient
# -6) in its guest gets it and pings a guest of host1 over IPv6, while a
# source address it was not given does not get through.  An address that
# another port's EUI-64 address is, declared by a later add, is refused
# (409 naming the holder); a port whose EUI-64 address someone declared
# first is refused the same way, nothing created.  A port libvirt
# attaches itself gets its EUI-64 address through the registry too (or,
# if another port declared it, its IPv4 address alone).  A restart keeps
# the addresses; a delete frees them.  Two hosts, real packets over the
# fabric.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_cmd dhclient isc-dhcp-client
s=$$

gn_cluster_policy_setup 2

# address_rows IP: how many Address rows of network web hold IP.
address_rows() {
    gn_cluster_db_count 1 Address '["network", "==", "web"]' \
        "[\"ip\", \"==\", \"$1\"]"
}

wa=52:54:00:0a:01:61 wb=52:54:00:0a:02:62
eb=2001:db8:10:0:5054:ff:fe0a:262           # wb's EUI-64 address in web.
gn_host_guest 1 "wa$s" "pwa$s" web $wa 10.10.0.200 2001:db8:10::200 \
    || gn_done
gn_host_guest 2 "wb$s" "pwb$s" web $wb || gn_done
regb=$(gn_registry_ips "pwb$s")
echo "# pwb$s in the registry: $regb"
gn_check "registry-assigns-ipv4-and-eui64" "$GN_PYTHON" -c "
import ipaddress, sys
ips, _, assigned = sys.argv[1].partition(' / ')
v4, v6 = ips.split()
sys.exit(not (ips == assigned
              and ipaddress.ip_address(v4) in
                  ipaddress.ip_network('10.10.0.0/24')
              and v6 == '$eb'))" "$regb"
gn_check "host2-api-agrees" test "$(gn_host_ips 2 "pwb$s")" = "$regb"
gn_check "eui64-address-row" test "$(address_rows $eb)" = 1
gn_check "eui64-address-row-is-the-ports" test "$(gn_cluster_db_count 1 \
    Address "[\"ip\", \"==\", \"$eb\"]" "[\"owner\", \"==\", \"pwb$s\"]" \
    '["kind", "==", "port"]')" = 1
bound6() { gn_host_flows 2 | grep -qE "ipv6_src=$1([, ]|\$)"; }
gn_check "eui64-address-bound-into-host2-flows" bound6 $eb

# --- DHCPv6: dhclient -6 in wb gets the EUI-64 address and reaches wa.
cat > "$out/dhclient.script" <<EOS
#!/bin/sh
lease=$out/lease
EOS
cat >> "$out/dhclient.script" <<'EOS'
case $reason in
BOUND6|RENEW6|REBIND6|REBOOT6)
    echo "$new_ip6_address" > "$lease"
    ip -6 addr replace "$new_ip6_address/128" dev "$interface" nodad
    ;;
esac
exit 0
EOS
chmod +x "$out/dhclient.script"
gn_dad_done "wa$s" "wb$s"
timeout 15 ip netns exec "wb$s" dhclient -6 -1 -sf "$out/dhclient.script" \
    -lf "$out/wb.leases" -pf "$out/wb.pid" eth0 > "$out/dhclient.out" 2>&1
gn_on_exit "kill \$(cat '$out/wb.pid' 2>/dev/null) 2>/dev/null"
echo "# dhclient -6 in wb$s: $(cat "$out/lease" 2>/dev/null)"
gn_check "dhclient6-gets-the-eui64-address" \
    test "$(cat "$out/lease" 2>/dev/null)" = $eb
ping_a() {
    ip netns exec "wb$s" ping -6 -c 1 -W 1 2001:db8:10::200 > /dev/null
}
gn_check "dhcp6-guest-host2-pings-guest-host1" gn_wait 10 ping_a
ip -n "wb$s" -6 addr show dev eth0 scope global | sed 's/^/# /'
ip -n "wb$s" -6 addr flush dev eth0 scope global
ip -n "wb$s" -6 addr add 2001:db8:10::99/64 dev eth0 nodad
gn_check_fails "an-address-not-given-does-not-get-through" ping_a
ip -n "wb$s" -6 addr flush dev eth0 scope global
ip -n "wb$s" -6 addr add "$eb/64" dev eth0 nodad
gn_check "the-given-address-gets-through-again" gn_wait 10 ping_a

# --- Declared addresses against EUI-64 ones.
kvm() {  # kvm NAME MAC [IP...]: an add request for a kvm port in web
    "$GN_PYTHON" -c 'import json, sys
print(json.dumps({"name": sys.argv[1], "kind": "kvm", "network": "web",
                  "mac": sys.argv[2], "ips": sys.argv[3:]}))' "$@"
}
answer=$(gn_host_api 1 POST /v1/ports "$(kvm "kx$s" 52:54:00:0a:01:71 $eb)")
echo "# $(tr '\n' ' ' <<<"$answer")"
gn_check "declaring-anothers-eui64-address-409" \
    test "$(tail -n 1 <<<"$answer")" = "HTTP 409"
gn_check "the-refusal-names-the-holder" \
    grep -q "pwb$s on host host2" <<<"$answer"
# ky declares the EUI-64 address of a MAC that kz then brings.
ez=2001:db8:10:0:5054:ff:fe0a:272
gn_check "declared-first-201" test "$(gn_host_code 1 POST /v1/ports \
    "$(kvm "ky$s" 52:54:00:0a:01:72 10.10.0.72 $ez)")" = 201
answer=$(gn_host_api 2 POST /v1/ports \
         "{\"name\": \"kz$s\", \"kind\": \"kvm\", \"network\": \"web\",
           \"mac\": \"52:54:00:0a:02:72\"}")
echo "# $(tr '\n' ' ' <<<"$answer")"
gn_check "eui64-declared-by-another-409" \
    test "$(tail -n 1 <<<"$answer")" = "HTTP 409"
gn_check "eui64-refusal-names-the-holder" \
    grep -q "address $ez is used in network web by port ky$s" <<<"$answer"
gn_check "eui64-refused-no-registry-row" \
    test "$(gn_host_code 1 GET "/v1/cluster/ports/kz$s")" = 404
gn_check "eui64-refused-no-port-on-host2" \
    test "$(gn_host_code 2 GET "/v1/ports/kz$s")" = 404
gn_check "eui64-refused-one-address-row" test "$(address_rows $ez)" = 1
gn_check "eui64-refused-no-ipv4-row" test "$(gn_cluster_db_count 1 Address \
    "[\"owner\", \"==\", \"kz$s\"]")" = 0

# --- A port that libvirt attaches itself gets its EUI-64 address too.
gn_host_attach_tap 2 "vn$s" 52:54:00:0a:02:81
adopted() {
    local r
    r=$(gn_registry_ips "vn$s" 2>/dev/null)
    [ "$r" = "$(gn_host_ips 2 "vn$s")" ] \
        && grep -q " 2001:db8:10:0:5054:ff:fe0a:281 / " <<<"$r"
}
gn_check "adopted-port-gets-its-eui64-through-the-registry" \
    gn_wait 15 adopted
echo "# adopted port vn$s: $(gn_registry_ips "vn$s")"
gn_check "adopted-port-eui64-bound" bound6 2001:db8:10:0:5054:ff:fe0a:281
# One whose EUI-64 address another port declared gets its IPv4 address
# alone, as on a single host.
gn_check "declared-before-adoption-201" test "$(gn_host_code 1 POST \
    /v1/ports "$(kvm "kw$s" 52:54:00:0a:01:82 10.10.0.82 \
                 2001:db8:10:0:5054:ff:fe0a:282)")" = 201
gn_host_attach_tap 2 "vw$s" 52:54:00:0a:02:82
adopted_v4() {
    local r
    r=$(gn_registry_ips "vw$s" 2>/dev/null)
    [ "$r" = "$(gn_host_ips 2 "vw$s")" ] && grep -qE '^10\.10\.0\.[0-9]+ / ' <<<"$r"
}
gn_check "adopted-port-without-its-declared-eui64" gn_wait 15 adopted_v4
echo "# adopted port vw$s: $(gn_registry_ips "vw$s")"

# --- A restart keeps the addresses; a delete frees them.
kill -TERM "${GN_HOST_GUESTNETD_PID[2]}"
wait "${GN_HOST_GUESTNETD_PID[2]}" 2>/dev/null
gn_check "host2-restarts" gn_cluster_guestnetd_start 2
gn_check "restart-keeps-the-addresses" test "$(gn_host_ips 2 "pwb$s")" = "$regb"
gn_check "restart-keeps-the-registry" test "$(gn_registry_ips "pwb$s")" = "$regb"
gn_check "still-pings-after-restart" gn_wait 10 ping_a
gn_check "delete-200" test "$(gn_host_code 2 DELETE "/v1/ports/pwb$s")" = 200
gn_check "delete-frees-the-eui64-row" test "$(address_rows $eb)" = 0
gn_check "delete-frees-the-ipv4-row" test "$(gn_cluster_db_count 1 Address \
    "[\"owner\", \"==\", \"pwb$s\"]")" = 0
gn_check "freed-eui64-may-be-declared" test "$(gn_host_code 1 POST \
    /v1/ports "$(kvm "kx$s" 52:54:00:0a:01:71 $eb)")" = 201
gn_done
