#!/bin/bash
# guestnetctl-cluster: guestnetctl's cluster commands against a fake
# guestnetd (tests/guestnetctl-cluster-server.py: canned JSON on a unix
# socket, one log line per request).  A CLI unit test: no daemon, cluster
# database or OVS, so a fake server is enough; it checks the requests
# guestnetctl sends, what it prints and its exit codes, including a
# guestnetd without --cluster (404), an unreachable cluster database (503),
# a connected host (409) and usage errors (exit 2, nothing sent).
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd python3 python3

GUESTNETCTL=$GN_BUILDDIR/guestnetctl
gn_tmpdir dir
log=$dir/requests.log
touch "$log"
for mode in cluster single down; do
    python3 "$GN_SRCDIR/tests/guestnetctl-cluster-server.py" \
        "$dir/$mode.sock" "$log" "$mode" &
    gn_on_exit "kill $!"
    gn_wait 5 test -S "$dir/$mode.sock" \
        || { gn_fail "server-$mode" "no socket"; gn_done; }
done
export GUESTNET_SOCKET=$dir/cluster.sock

# check NAME RC REQUEST OUTPUT ARGS...: runs "guestnetctl ARGS"; PASS if it
# exits RC, sent REQUEST ("METHOD PATH BODY" as the server logs it, or
# "none") and printed OUTPUT (a fixed string) on stdout or stderr.
check() {
    local name=$1 want_rc=$2 want_req=$3 want_out=$4 rc=0 req=none before
    shift 4
    before=$(wc -l < "$log")
    "$GUESTNETCTL" "$@" > "$dir/out" 2>&1 || rc=$?
    if [ "$(wc -l < "$log")" -gt "$before" ]; then
        req=$(tail -n 1 "$log")
    fi
    if [ "$rc" != "$want_rc" ]; then
        gn_fail "$name" "exit $rc, not $want_rc: $(head -c 300 "$dir/out")"
    elif [ "$req" != "$want_req" ]; then
        gn_fail "$name" "sent \"$req\", not \"$want_req\""
    elif ! grep -qF -- "$want_out" "$dir/out"; then
        gn_fail "$name" "no \"$want_out\" in: $(head -c 300 "$dir/out")"
    else
        gn_pass "$name"
    fi
}

# --- Reads.
check status 0 "GET /v1/cluster/status -" \
    "cluster:  unix:/a.sock of unix:/a.sock,unix:/b.sock (connected: yes" \
    cluster status
check status-live 0 "GET /v1/cluster/status -" "live   3" cluster status
check status-behind 0 "GET /v1/cluster/status -" "behind 0" cluster status
check status-option 0 "GET /v1/cluster/status -" "h2 " --cluster status
check status-json 0 "GET /v1/cluster/status -" '"remote": "unix:/a.sock"' \
    --json cluster status
check hosts 0 "GET /v1/cluster/hosts -" "192.0.2.2,2001:db8::2" \
    cluster hosts
check hosts-seen 0 "GET /v1/cluster/hosts -" "93.0 s ago" cluster hosts
check ports 0 "GET /v1/cluster/ports -" "10.10.0.5,2001:db8:10::5" \
    cluster ports
check port-list 0 "GET /v1/cluster/ports -" "db1             h2" \
    --cluster port list
check port-show 0 "GET /v1/cluster/ports/web1 -" "  host       h1" \
    --cluster port show web1
check port-show-missing 1 "GET /v1/cluster/ports/nope -" "no such port" \
    --cluster port show nope
check networks 0 "GET /v1/cluster/networks -" \
    "generation 7, broadcast limit 100 pps (burst 200)" cluster networks
check network-list 0 "GET /v1/cluster/networks -" "db           20    yes" \
    --cluster network list
check network-show 0 "GET /v1/cluster/networks -" '"vlan": 20' \
    --cluster network show db
check network-show-missing 1 "GET /v1/cluster/networks -" \
    'no network named "nope" in the cluster' --cluster network show nope
check rule-list 0 "GET /v1/cluster/networks -" "web          db           tcp   3306" \
    rule list
check rule-list-json 0 "GET /v1/cluster/networks -" '"proto": "tcp"' \
    -j rule list
# Without --cluster, the single-host commands keep their own endpoints.
check network-list-local 1 "GET /v1/networks -" "no such endpoint" \
    network list

# --- Writes.
check network-add 0 'POST /v1/cluster/networks {"gateways":["10.30.0.1","2001:db8:30::1"],"mtu":9000,"name":"app","private":true,"subnets":["10.30.0.0/24","2001:db8:30::/64"],"vlan":30}' \
    "app          30    yes     9000" \
    network add app --vlan 30 --subnet 10.30.0.0/24 \
    --subnet 2001:db8:30::/64 --gateway 10.30.0.1 --gateway 2001:db8:30::1 \
    --mtu 9000 --private
check network-add-conflict 1 'POST /v1/cluster/networks {"name":"app","subnets":["10.30.0.0/24"],"vlan":10}' \
    "VLAN 10 is network web's" \
    network add app --vlan 10 --subnet 10.30.0.0/24
check network-set 0 'POST /v1/cluster/networks/web {"mtu":1400,"private":false,"subnets":["10.11.0.0/24"]}' \
    "web          10    no      1400   10.11.0.0/24" \
    network set web --subnet 10.11.0.0/24 --mtu 1400 --no-private
check network-set-limits 0 'POST /v1/cluster/networks/web {"limits":{"egress_kbps":50000,"ingress_pps":null}}' \
    "web          10" network set web --egress 50mbit --ingress-pps default
check network-add-limits 0 'POST /v1/cluster/networks {"limits":{"burst_ms":200,"egress_pps":1000},"name":"lim","subnets":["10.31.0.0/24"],"vlan":31}' \
    "" network add lim --vlan 31 --subnet 10.31.0.0/24 --egress-pps 1000 \
    --burst-ms 200
check network-set-json 0 'POST /v1/cluster/networks/web {"vlan":11}' \
    '"vlan": 11' --json network set web --vlan 11
check network-del 0 "DELETE /v1/cluster/networks/web -" \
    "network web deleted" network del web
check network-del-missing 1 "DELETE /v1/cluster/networks/nope -" \
    "no such network" network del nope
check rule-add 0 'POST /v1/cluster/rules {"from":"web","port":53,"proto":"udp","to":"db"}' \
    "rule web -> db udp/53 added" rule add web db udp 53
check rule-add-any 0 'POST /v1/cluster/rules {"from":"web","proto":"any","to":"db"}' \
    "rule web -> db any added" rule add web db any
check rule-del 0 "DELETE /v1/cluster/rules?from=web&to=db&proto=tcp&port=3306 -" \
    "rule web -> db tcp/3306 deleted" rule del web db tcp 3306
check host-del-connected 1 "DELETE /v1/cluster/hosts/h1 -" \
    "host h1 is connected (--force removes it anyway)" cluster host del h1
check host-del-force 0 "DELETE /v1/cluster/hosts/h1?force=true -" \
    "host h1 deleted (3 ports removed)" cluster host del --force h1
check host-del 0 "DELETE /v1/cluster/hosts/h2 -" \
    "host h2 deleted (0 ports removed)" cluster host del h2
check host-del-json 0 "DELETE /v1/cluster/hosts/h2 -" '"ports_removed": 0' \
    --json cluster host del h2

# --- Import: checked offline first, then sent whole.
example=$GN_SRCDIR/daemon/guestnet.example.json
check import 0 "POST /v1/cluster/import $(python3 -c '
import json, sys
print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True,
                 separators=(",", ":")))' "$example")" \
    "3 networks added, 1 rules added, 0 unchanged" cluster import "$example"
echo '{"networks": [{"name": "web", "vlan": 4095}]}' > "$dir/bad.json"
check import-invalid 1 none "networks[0].vlan" cluster import "$dir/bad.json"
check import-missing 1 none "$dir/none.json" cluster import "$dir/none.json"

# --- A guestnetd without --cluster, and one without its database.
not_cluster="guestnetd is not in cluster mode (start it with --cluster=REMOTES)"
check single-status 1 "GET /v1/cluster/status -" "$not_cluster" \
    -s "$dir/single.sock" cluster status
check single-rule-add 1 'POST /v1/cluster/rules {"from":"web","proto":"icmp","to":"db"}' \
    "$not_cluster" -s "$dir/single.sock" rule add web db icmp
check single-host-del 1 "DELETE /v1/cluster/hosts/h1 -" "$not_cluster" \
    -s "$dir/single.sock" cluster host del h1
check single-json 1 "GET /v1/cluster/ports -" '"code": 404' \
    -s "$dir/single.sock" --json --cluster port list
check down-status 4 "GET /v1/cluster/status -" \
    "cluster database unreachable" -s "$dir/down.sock" cluster status
check down-network-add 4 'POST /v1/cluster/networks {"name":"app","subnets":["10.30.0.0/24"],"vlan":30}' \
    "cluster database unreachable" -s "$dir/down.sock" \
    network add app --vlan 30 --subnet 10.30.0.0/24
check unreachable 3 none "cannot connect to guestnetd" \
    -s "$dir/nothing.sock" cluster hosts

# --- Usage errors: exit 2, nothing sent, the argument named.
check usage-cluster 2 none 'cluster: unknown command' cluster
check usage-cluster-sub 2 none '"frobnicate"' cluster frobnicate
check usage-host-del 2 none "expected one host NAME" cluster host del
check usage-host-del-two 2 none 'unexpected "h2"' cluster host del h1 h2
check usage-host-del-option 2 none 'unexpected "--forse"' \
    cluster host del h1 --forse
check usage-import 2 none 'cluster: unknown command' cluster import
check usage-network-add-vlan 2 none "--vlan and --subnet are required" \
    network add app --subnet 10.30.0.0/24
check usage-network-add-subnet 2 none "--vlan and --subnet are required" \
    network add app --vlan 30
check usage-network-vlan 2 none '--vlan: "4095" is not a number from 1 to 4094' \
    network add app --vlan 4095 --subnet 10.30.0.0/24
check usage-network-vlan-text 2 none '--vlan: "ten"' network set web --vlan ten
check usage-network-mtu 2 none '--mtu: "20"' network set web --mtu 20
check usage-network-subnet 2 none "--subnet:" \
    network add app --vlan 30 --subnet 10.30.0.1/24
check usage-network-gateway 2 none "--gateway:" \
    network set web --gateway 10.10.0.1/24
check usage-network-option 2 none '"--colour" is not an option' \
    network set web --colour blue
check usage-network-value 2 none '"--mtu" is not an option or lacks its value' \
    network set web --mtu
check usage-network-set-empty 2 none "network set: nothing to change" \
    network set web
check usage-network-name 2 none "network add: expected one network NAME" \
    network add --vlan 30 --subnet 10.30.0.0/24
check usage-network-name-url 2 none '"a/b" is not a valid network name' \
    network del a/b
check usage-network-del 2 none "network del: expected one network NAME" \
    network del
check usage-rule-args 2 none "rule add: expected FROM TO PROTO [PORT]" \
    rule add web db
check usage-rule-proto 2 none 'PROTO "sctp" is not tcp, udp, icmp or any' \
    rule add web db sctp
check usage-rule-port 2 none 'PORT: "http" is not a number from 1 to 65535' \
    rule del web db tcp http
check usage-rule-port-icmp 2 none "PORT goes with tcp or udp, not icmp" \
    rule add web db icmp 8
check usage-rule 2 none "rule: expected list, add or del" rule
check usage-cluster-option 2 none '--cluster goes with status' \
    --cluster port add p1 --kind kvm --network web
check usage-port-name 2 none '"a?b" is not a valid port name' \
    --cluster port show 'a?b'

gn_done
