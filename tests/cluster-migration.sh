#!/bin/bash
# cluster-migration: live migration of a guest between hosts, as libvirt
# and QEMU do it: the port is made on the destination (same network and
# MAC) while the source still has it; the destination keeps it blocked
# (nothing delivered to it) until the guest announces itself with RARP,
# then the registry moves the port and the source stops delivering.  A
# continuous ping from a third host measures the blackout and finds no
# reply twice; the guest's link-local binding moves with it (the registry
# keeps it for the port, the destination binds it on first use); a
# destination that is never announced is removed after the timeout and
# the source keeps working.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
gn_require_scapy
s=$$

gn_cluster_policy_setup 3 --migration-timeout=8

m=52:54:00:0a:05:50
gn_host_guest 1 "ma$s" pm web $m 10.10.0.50 || gn_done
gn_host_guest 3 "ob$s" "pob$s" web 52:54:00:0a:03:13 10.10.0.13 || gn_done
gn_check "observer-reaches-the-guest" \
    ip netns exec "ob$s" ping -c 2 -i 0.2 -W 2 10.10.0.50
# The guest binds a link-local address of its own on host1 (registered in
# the cluster for port pm).
ll=fe80::77:1 llob=fe80::5054:ff:fe0a:313
# only_ll NS: $ll is the only link-local address of NS's eth0.
only_ll() {
    ip -n "$1" -6 addr flush dev eth0 scope link
    ip -n "$1" -6 addr add $ll/64 dev eth0 nodad
}
ping_ll() {  # ping_ll NS: NS reaches the observer from $ll
    ip netns exec "$1" ping -6 -c 1 -W 1 "$llob%eth0" > /dev/null 2>&1
}
only_ll "ma$s"
ping_ll "ma$s"
lls_are() { [ "$(gn_host_field "$1" /v1/ports/pm \
                '" ".join(d["link_locals"])')" = $ll ]; }
gn_check "link-local-bound-on-the-source" gn_wait 10 lls_are 1
ll_rows() {
    gn_cluster_db_count 1 Address '["kind", "==", "link-local"]' \
        '["owner", "==", "pm"]' "[\"ip\", \"==\", \"$ll\"]"
}
gn_check "link-local-registered" test "$(ll_rows)" = 1

# --- The destination asks for the port and holds it blocked.
gn_netns "mb$s"
body="{\"name\": \"pm\", \"kind\": \"lxc\", \"network\": \"web\",
       \"netns\": \"mb$s\", \"mac\": \"$m\", \"ips\": [\"10.10.0.50\"]}"
answer=$(gn_host_api 2 POST /v1/ports "$body")
gn_check "destination-port-made" grep -q '^HTTP 201' <<<"$answer"
gn_check "destination-says-pending" grep -q '"state": "pending"' <<<"$answer"
pending() { [ "$(gn_host_field 3 /v1/cluster/ports/pm \
              'd["host"], d.get("requested_host")')" = "host1 host2" ]; }
gn_check "registry-keeps-the-source" gn_wait 5 pending
gn_check "destination-port-blocked" test \
    "$(gn_host_field 2 /v1/ports/pm 'd.get("blocked")')" = True
answer=$(gn_host_api 3 POST /v1/ports "{\"name\": \"pm\", \"kind\": \"kvm\",
                                \"network\": \"web\", \"mac\": \"$m\"}")
gn_check "a-second-destination-refused" grep -q '^HTTP 409' <<<"$answer"

# A continuous ping from host3 through the migration (50 a second).
ip netns exec "ob$s" ping -D -i 0.02 -c 400 -W 1 10.10.0.50 \
    > "$out/ping" 2>&1 &
pinger=$!
gn_on_exit "kill $pinger 2>/dev/null"
gn_capture_start "mb$s" || gn_fail capture-start "tcpdump did not start"
replies() { grep -c 'bytes from' "$out/ping"; }
gn_wait 5 bash -c "[ \$(grep -c 'bytes from' '$out/ping') -ge 50 ]"
gn_check "source-answers-while-pending" test "$(replies)" -ge 50
gn_check_fails "pending-destination-not-activated" test \
    "$(gn_host_field 3 /v1/cluster/ports/pm 'd["host"]')" = host2

# The guest stops on the source and resumes on the destination, which
# announces it as QEMU does (RARP, five times, at growing intervals).
gn_migration_resume "mb$s" "ma$s" $m
moved() { [ "$(gn_host_field 3 /v1/cluster/ports/pm \
               'd["host"], d.get("requested_host")')" = "host2 None" ]; }
gn_check "registry-moves-the-port" gn_wait 5 moved
gn_check "destination-unblocked" gn_wait 5 bash -c "curl -s --unix-socket \
    '${GN_HOST_SOCK[2]}' http://localhost/v1/ports/pm | grep -vq blocked"
gn_check "source-blocked" gn_wait 5 bash -c "curl -s --unix-socket \
    '${GN_HOST_SOCK[1]}' http://localhost/v1/ports/pm | grep -q blocked"
wait "$pinger"
gn_capture_stop
stats=$("$GN_PYTHON" - "$out/ping" <<'EOF'
import re, sys
times = [float(m.group(1)) for m in
         re.finditer(r'^\[(\d+\.\d+)\] \d+ bytes from', open(sys.argv[1]).read(), re.M)]
gaps = [b - a for a, b in zip(times, times[1:])]
print(len(times), "%.0f" % (1000 * max(gaps)) if gaps else "0")
EOF
)
read -r got gap <<<"$stats"
echo "# migration under a 50/s ping from host3: $got of 400 answered," \
     "longest gap $gap ms"
gn_check "ping-ran" test "$got" -gt 200
gn_check "blackout-under-1s" test "$gap" -lt 1000
gn_check "no-reply-twice" bash -c "! grep -q DUP '$out/ping'"
gn_check "destination-answers-after" \
    ip netns exec "ob$s" ping -c 2 -i 0.2 -W 2 10.10.0.50

# libvirt removes the source's port: the registry keeps host2's.
gn_check "source-port-deleted" test "$(gn_host_code 1 DELETE /v1/ports/pm)" = 200
gn_check "registry-still-has-host2" test \
    "$(gn_host_field 3 /v1/cluster/ports/pm 'd["host"]')" = host2
gn_check_fails "source-port-gone" gn_on_host 1 ovs-vsctl port-to-br pm
# The guest's link-local binding moved with it: the registry keeps it for
# pm, and the destination binds it on its first use.
gn_check "link-local-row-kept" test "$(ll_rows)" = 1
only_ll "mb$s"
gn_check "link-local-pings-from-the-destination" gn_wait 10 ping_ll "mb$s"
gn_check "link-local-bound-on-the-destination" lls_are 2

# --- A migration that is never announced: the destination goes after
# the timeout (8 s here), the source keeps working.
gn_host_guest 1 "na$s" pn web 52:54:00:0a:05:51 10.10.0.51 || gn_done
gn_netns "nb$s"
answer=$(gn_host_api 2 POST /v1/ports "{\"name\": \"pn\", \"kind\": \"lxc\",
    \"network\": \"web\", \"netns\": \"nb$s\", \"mac\": \"52:54:00:0a:05:51\",
    \"ips\": [\"10.10.0.51\"]}")
gn_check "second-destination-pending" grep -q '"state": "pending"' \
    <<<"$answer"
abandoned() { [ "$(gn_host_code 2 GET /v1/ports/pn)" = 404 ]; }
gn_check "unannounced-destination-removed" gn_wait 15 abandoned
gn_check "request-withdrawn" test \
    "$(gn_host_field 3 /v1/cluster/ports/pn 'd["host"], d.get("requested_host")')" \
    = "host1 None"
gn_check "source-keeps-working" \
    ip netns exec "ob$s" ping -c 2 -i 0.2 -W 2 10.10.0.51
gn_check_fails "source-not-blocked" bash -c "curl -s --unix-socket \
    '${GN_HOST_SOCK[1]}' http://localhost/v1/ports/pn | grep -q blocked"

gn_done
