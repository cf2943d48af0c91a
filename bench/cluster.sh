#!/bin/bash
# bench/cluster.sh: cluster mode at scale, on this machine: a 3-member Raft
# cluster of the Guestnet database and three hosts (private OVS and
# guestnetd each, in network namespaces) on a fabric bridge.
#
#   1. N ports per host added at once on all three hosts (CLIENTS
#      concurrent clients per host): the time from the first request to the
#      last 201, and the adds per second.
#   2. Visibility: PROBES single adds on host1, one after another; for each,
#      the time from sending POST /v1/ports until the port is in
#      GET /v1/cluster/ports/NAME on host2 and on host3 (p50, p99, max).
#   3. Memory (VmRSS) of each guestnetd and each ovsdb-server member.
#   0. Data plane (DATAPLANE=1, the default): iperf3 TCP throughput (one
#      stream, IPERF_SECS seconds a run) between guests, DP_ROUNDS rounds
#      of four cases whose order rotates every round (each goes first in
#      turn): two guests on two hosts joined by OVS bridges with the
#      default NORMAL flow over the same fabric (what a plain Open vSwitch
#      does), guestnet's L2 across hosts (web on host1 to web on host2:
#      its flows, VLAN tags on the wire, no conntrack), routed across
#      hosts (web on host1 to db on host2, through both hosts' conntrack
#      and rules) and routed on one host (web to db on host1).  For each:
#      the median Gbit/s, the range, the ratio of the medians to NORMAL's,
#      and the CPU time ovs-vswitchd of host1 and of host2 spent per GB
#      received (user and kernel, medians); then each round's figures and
#      the 1-minute load average at each round's end.
#   0b. Live migration (MIGRATIONS, 10): a guest goes back and forth
#      between host1 and host2 (the port made on the destination, the
#      source's guest stopped, the destination's RARP as QEMU sends it,
#      the source's port deleted) under a 100/s ping from host3; the
#      blackout is the longest gap between replies, p50 and max.
#   4. ROWS more Port rows written straight into the cluster database (as
#      a registry of that size looks), then one policy change (a rule
#      added through host1): the time until every host reports the new
#      policy generation installed in its switch, and the memory again.
#
# Usage: bench/cluster.sh [N [ROWS]]   (as root, after scripts/build.sh;
# defaults 300 and 10000)
# Environment: CLIENTS (16), PROBES (50), DATAPLANE (1), IPERF_SECS (5),
# DP_ROUNDS (5), DATAPLANE_ONLY (0; 1: the data plane only, without the
# live migration and parts 1-4), MIGRATIONS (10).
set -u
N=${1:-300}
ROWS=${2:-10000}
CLIENTS=${CLIENTS:-16}
PROBES=${PROBES:-50}
DATAPLANE=${DATAPLANE:-1}
IPERF_SECS=${IPERF_SECS:-5}
DP_ROUNDS=${DP_ROUNDS:-5}
DATAPLANE_ONLY=${DATAPLANE_ONLY:-0}
MIGRATIONS=${MIGRATIONS:-10}
[ "$DATAPLANE_ONLY" = 1 ] && DATAPLANE=1
GN_TEST_NAME=${GN_TEST_NAME:-bench-cluster}
. "$(dirname "$0")/lib.sh"
. "$GN_SRCDIR/tests/cluster-lib.sh"
GN_HOST_API_TIMEOUT=
# (The data plane alone needs two hosts.)
gn_cluster_setup $((DATAPLANE_ONLY == 1 ? 2 : 3))
gn_tmpdir out
cat > "$out/policy.json" <<'EOC'
{"networks": [
  {"name": "web", "vlan": 10, "subnets": ["10.10.0.0/16"],
   "gateways": ["10.10.0.1"]},
  {"name": "db", "vlan": 20, "subnets": ["10.20.0.0/16"],
   "gateways": ["10.20.0.1"]},
  {"name": "dmz", "vlan": 30, "subnets": ["10.30.0.0/16"],
   "gateways": ["10.30.0.1"]}],
 "rules": [{"from": "web", "to": "db", "proto": "tcp", "port": 3306}]}
EOC
[ "$(gn_host_code 1 POST /v1/cluster/import "$(cat "$out/policy.json")")" \
    = 200 ] || { gn_fail import "the policy import failed"; gn_done; }

# 0. The data plane.
if [ "$DATAPLANE" = 1 ]; then
    gn_require_cmd iperf3 iperf3
    s=$$
    [ "$(gn_host_code 1 POST /v1/cluster/rules '{"from": "web", "to": "db",
                                     "proto": "tcp", "port": 5201}')" = 201 ] \
        || { gn_fail rule "adding the iperf3 rule failed"; gn_done; }
    gn_host_guest 1 "dw$s" "pdw$s" web 52:54:00:0a:09:01 10.10.9.1 || gn_done
    gn_host_guest 2 "dr$s" "pdr$s" db 52:54:00:14:09:02 10.20.9.2 || gn_done
    gn_host_guest 1 "dl$s" "pdl$s" db 52:54:00:14:09:03 10.20.9.3 || gn_done
    gn_host_guest 2 "dx$s" "pdx$s" web 52:54:00:0a:09:04 10.10.9.4 || gn_done
    # Two plain OVS bridges (NORMAL) on host1 and host2, over the fabric.
    for n in 1 2; do
        gn_on_host $n ovs-vsctl add-br brn -- set bridge brn \
            datapath_type=netdev
        gn_fabric_plug "${GN_HOST_NETNS[n]}" upn "n$n"
        gn_on_host $n ovs-vsctl add-port brn upn
        gn_guest_in "${GN_HOST_NETNS[n]}" "dn$n$s" "gn$n" 192.168.77.$n/24
        gn_on_host $n ovs-vsctl add-port brn "gn$n"
    done
    for ns in "dr$s" "dl$s" "dx$s" "dn2$s"; do
        gn_iperf_server "$ns" "$out"
    done
    gn_wait 10 ip netns exec "dn1$s" ping -c 1 -W 1 192.168.77.2 \
        || gn_fail normal-path "the NORMAL bridges do not connect"
    gn_wait 10 ip netns exec "dw$s" ping -c 1 -W 1 10.10.9.4 >/dev/null \
        || gn_fail l2-path "web on host1 does not reach web on host2"
    # Routed: TCP to iperf3's port, the only one the rule opens.
    for addr in 10.20.9.2 10.20.9.3; do
        gn_wait 10 ip netns exec "dw$s" timeout 2 \
                bash -c "echo > /dev/tcp/$addr/5201" \
            || gn_fail routed-path "web on host1 does not reach $addr"
    done
    # The cases: NAME NS ADDR.
    cases=("normal dn1$s 192.168.77.2" "l2 dw$s 10.10.9.4"
           "cross dw$s 10.20.9.2" "local dw$s 10.20.9.3")
    vswitchd=("$(cat "${GN_HOST_DIR[1]}/ovs-vswitchd.pid")"
              "$(cat "${GN_HOST_DIR[2]}/ovs-vswitchd.pid")")
    load0=$(gn_bench_load)
    for ((r = 1; r <= DP_ROUNDS; r++)); do
        mapfile -t order < <(gn_bench_order "$r" "${cases[@]}")
        for c in "${order[@]}"; do
            read -r name ns addr <<<"$c"
            read -r u1 k1 <<<"$(gn_bench_cpu "${vswitchd[0]}")"
            read -r u2 k2 <<<"$(gn_bench_cpu "${vswitchd[1]}")"
            res=$(gn_bench_iperf "$ns" "$addr" < /dev/null)
            read -r U1 K1 <<<"$(gn_bench_cpu "${vswitchd[0]}")"
            read -r U2 K2 <<<"$(gn_bench_cpu "${vswitchd[1]}")"
            # "GBITS LOSS BYTES USER1 SYS1 USER2 SYS2": the rate, the bytes
            # received and the CPU ms each host's ovs-vswitchd spent.
            echo "$res $((U1 - u1)) $((K1 - k1)) $((U2 - u2)) $((K2 - k2))" \
                > "$out/dp-$name.$r"
        done
        gn_bench_load > "$out/dp-load.$r"
    done
    "$GN_PYTHON" - "$out" "$DP_ROUNDS" "$IPERF_SECS" "$load0" \
        > "$out/dp-report" <<'EOP'
import statistics, sys
out, rounds, secs, load0 = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    sys.argv[4]
titles = [
    ("normal", "NORMAL flow, two hosts (plain OVS):"),
    ("l2", "L2 across hosts (web h1 -> web h2):"),
    ("cross", "routed across hosts (web h1 -> db h2):"),
    ("local", "routed on one host (web h1 -> db h1):"),
]
def read(name):
    rows = []
    for r in range(1, rounds + 1):
        try:
            f = open("%s/dp-%s.%d" % (out, name, r)).read().split()
            rows.append((float(f[0]), int(f[2]), [int(x) for x in f[3:7]]))
        except (OSError, ValueError, IndexError):
            rows.append((0.0, 0, [0, 0, 0, 0]))
    return rows
loads = []
for r in range(1, rounds + 1):
    try:
        loads.append(open("%s/dp-load.%d" % (out, r)).read().strip())
    except OSError:
        loads.append("?")
print("iperf3 TCP, one stream, %d rounds of %s s per case, order rotating;"
      " medians (range); load average %s at the start, %s at the end"
      % (rounds, secs, load0, loads[-1]))
data = {name: read(name) for name, _ in titles}
nm = statistics.median(x for x, _, _ in data["normal"])
for name, title in titles:
    rates = [x for x, _, _ in data[name]]
    m = statistics.median(rates)
    line = "%-44s %.2f Gbit/s (%.2f-%.2f)" % (title, m, min(rates),
                                              max(rates))
    if name != "normal":
        line += " (%.0f%% of NORMAL)" % (100 * m / nm if nm else 0)
    print(line)
print("ovs-vswitchd CPU s per GB received (user+kernel, medians):")
for name, title in titles:
    per = [[], [], [], []]
    for _, b, cpu in data[name]:
        for i in range(4):
            if b:
                per[i].append(cpu[i] / (b / 1e9) / 1000)
    med = [statistics.median(p) if p else 0 for p in per]
    print("  %-42s host1 %.2f+%.2f, host2 %.2f+%.2f"
          % (title.split(" (")[0].rstrip(":") + ":", *med))
for name, title in titles:
    print("# %s per round: %s" % (name, " ".join("%.2f" % x
                                                  for x, _, _ in data[name])))
print("# load average after each round: %s" % " ".join(loads))
EOP
    cat "$out/dp-report"
    cross=$(sed -n 's/^routed across hosts.*: *\([0-9.]*\) Gbit.*/\1/p' \
            "$out/dp-report")
    [ -n "$cross" ] && [ "$cross" != 0.00 ] \
        && gn_pass dataplane-cross-host-routed \
        || gn_fail dataplane-cross-host-routed "no throughput"
fi
[ "$DATAPLANE_ONLY" = 1 ] && gn_done

# 0b. Live migration, host1 <-> host2, watched from host3.
if [ "$MIGRATIONS" -gt 0 ]; then
    gn_require_scapy
    s=$$
    mig_mac=52:54:00:0a:0e:01
    mig_body() {  # mig_body NETNS
        echo "{\"name\": \"mg\", \"kind\": \"lxc\", \"network\": \"web\",
              \"netns\": \"$1\", \"mac\": \"$mig_mac\",
              \"ips\": [\"10.10.14.1\"]}"
    }
    gn_host_guest 3 "mo$s" "pmo$s" web 52:54:00:0a:0e:03 10.10.14.3 \
        || gn_done
    gn_netns "mg0$s"
    [ "$(gn_host_code 1 POST /v1/ports "$(mig_body "mg0$s")")" = 201 ] \
        || { gn_fail migration "the first port failed"; gn_done; }
    src=1 gaps=()
    for i in $(seq 1 "$MIGRATIONS"); do
        dst=$((3 - src))
        gn_netns "mg$i$s"
        ip netns exec "mo$s" ping -D -i 0.01 -W 1 10.10.14.1 \
            > "$out/mping" 2>&1 &
        pinger=$!
        gn_wait 5 bash -c "[ \$(grep -c 'bytes from' '$out/mping') -ge 20 ]"
        [ "$(gn_host_code $dst POST /v1/ports "$(mig_body "mg$i$s")")" \
              = 201 ] \
            || gn_fail "migration-$i" "the destination port failed"
        # The source's guest stops and the destination's announces itself
        # at once, as QEMU's stop-and-copy and resume do.
        gn_scapy "mg$i$s" "
import subprocess, time
r = (Ether(src='$mig_mac', dst='ff:ff:ff:ff:ff:ff', type=0x8035)
     / ARP(op=3, hwsrc='$mig_mac', hwdst='$mig_mac'))
subprocess.run(['ip', '-n', 'mg$((i - 1))$s', 'link', 'set', 'eth0', 'down'])
for d in (0, 0.05, 0.1, 0.15, 0.2):
    time.sleep(d)
    sendp(r, iface='eth0', verbose=0)
"
        n0=$(grep -c 'bytes from' "$out/mping")
        gn_wait 10 bash -c "[ \$(grep -c 'bytes from' '$out/mping') -ge \
            $((n0 + 20)) ]" || gn_fail "migration-$i" "no reply after it"
        kill -INT $pinger; wait $pinger
        gaps+=("$("$GN_PYTHON" -c '
import re, sys
t = [float(x) for x in re.findall(r"^\[(\d+\.\d+)\] \d+ bytes from",
                                   open(sys.argv[1]).read(), re.M)]
print("%.0f" % (1000 * max(b - a for a, b in zip(t, t[1:]))))' "$out/mping")")
        gn_host_api $src DELETE /v1/ports/mg >/dev/null
        src=$dst
    done
    printf '%-44s p50 %s ms, max %s ms (%s migrations, 100 pings/s)\n' \
        "live migration blackout seen from host3:" \
        "$(printf '%s\n' "${gaps[@]}" | sort -n \
           | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
        "$(printf '%s\n' "${gaps[@]}" | sort -n | tail -n 1)" "$MIGRATIONS"
fi

# 1. N ports per host, at once on all three.
for n in 1 2 3; do
    "$GN_PYTHON" - "$n" "$N" > "$out/b$n" <<'EOF'
import json, sys
h, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    print(json.dumps({"name": "b%d-%d" % (h, i), "kind": "kvm",
                      "network": "web" if i % 2 else "db",
                      "mac": "52:54:%02x:%02x:%02x:01" % (h, i // 256, i % 256),
                      "ips": ["10.%d.%d.%d" % (10 if i % 2 else 20,
                                               h * 60 + i // 250,
                                               i % 250 + 2)]}))
EOF
done
"$GN_PYTHON" - "$CLIENTS" "${GN_HOST_SOCK[1]}" "$out/b1" \
    "${GN_HOST_SOCK[2]}" "$out/b2" "${GN_HOST_SOCK[3]}" "$out/b3" \
    > "$out/adds" <<'EOF'
import os, sys, threading, time
sys.path.insert(0, os.environ["GN_SRCDIR"] + "/tests")
import gn_api
clients = int(sys.argv[1])
jobs = []
for sock, bodies in zip(sys.argv[2::2], sys.argv[3::2]):
    jobs += [(sock, b) for b in open(bodies).read().split("\n") if b]
def post(sock, body):
    return gn_api.status(gn_api.request(sock, "POST", "/v1/ports", body,
                                        timeout=120))
lock = threading.Lock()
codes = {}
def worker(mine):
    for sock, body in mine:
        c = post(sock, body)
        with lock:
            codes[c] = codes.get(c, 0) + 1
# CLIENTS clients per host, each taking its host's requests in turn.
per = {}
for sock, body in jobs:
    per.setdefault(sock, []).append((sock, body))
threads = []
for sock, lst in per.items():
    for k in range(clients):
        threads.append(threading.Thread(target=worker, args=(lst[k::clients],)))
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
dt = time.monotonic() - t0
print("%.2f %d %s" % (dt, len(jobs), " ".join("%d:%d" % kv for kv in sorted(codes.items()))))
EOF
read -r secs total codes < "$out/adds"
printf '%-44s %s s (%s adds, %.0f/s; answers %s)\n' \
    "3 hosts x $N ports at once:" "$secs" "$total" \
    "$("$GN_PYTHON" -c "print($total / $secs)")" "$codes"

# 2. Visibility on the other hosts.
"$GN_PYTHON" - "$PROBES" "${GN_HOST_SOCK[1]}" "${GN_HOST_SOCK[2]}" \
    "${GN_HOST_SOCK[3]}" > "$out/vis" <<'EOF'
import os, sys, time
sys.path.insert(0, os.environ["GN_SRCDIR"] + "/tests")
import gn_api
probes, h1, others = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def req(sock, method, path, body=None):
    return gn_api.status(gn_api.request(sock, method, path, body))
lat = []
for i in range(probes):
    name = "v%d" % i
    body = ('{"name": "%s", "kind": "kvm", "network": "web", '
            '"ips": ["10.10.250.%d"]}' % (name, i + 2))
    t0 = time.monotonic()
    # The POST answers when host1 installed the port; the others may see
    # the registry row before that: poll them from the start.
    import threading
    seen = {}
    def watch(sock):
        while req(sock, "GET", "/v1/cluster/ports/" + name) != 200:
            time.sleep(0.001)
        seen[sock] = time.monotonic() - t0
    ws = [threading.Thread(target=watch, args=(s,)) for s in others]
    for w in ws:
        w.start()
    code = req(h1, "POST", "/v1/ports", body)
    for w in ws:
        w.join()
    lat.append(max(seen.values()) * 1000)
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))]
print("%.1f %.1f %.1f" % (pct(50), pct(99), lat[-1]))
EOF
read -r p50 p99 pmax < "$out/vis"
printf '%-44s p50 %s ms, p99 %s ms, max %s ms (%s adds)\n' \
    "POST on host1 -> visible on host2 and host3:" "$p50" "$p99" "$pmax" \
    "$PROBES"

rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
memory() {
    local n line=""
    for n in 1 2 3; do
        line+="guestnetd$n $(rss "${GN_HOST_GUESTNETD_PID[n]}") MB, "
    done
    for n in 1 2 3; do
        line+="ovsdb-server$n $(rss "$(cat "$GN_CLUSTER_DIR/s$n.pid")") MB"
        [ $n = 3 ] || line+=", "
    done
    echo "$line"
}
printf '%-44s %s\n' "memory at $((3 * N + PROBES)) ports:" "$(memory)"

# 4. A registry of ROWS more ports, then one policy change.
"$GN_PYTHON" - "$ROWS" > "$out/rows" <<'EOF'
import json, sys
rows = int(sys.argv[1])
for start in range(0, rows, 400):
    ops = ["Guestnet"]
    for i in range(start, min(rows, start + 400)):
        ops.append({"op": "insert", "table": "Port", "row": {
            "name": "r%d" % i, "host": "elsewhere", "network": "dmz",
            "mac": "52:54:aa:%02x:%02x:%02x" % (i >> 16, (i >> 8) & 255,
                                                  i & 255),
            "kind": "kvm", "state": "ready"}})
    print(json.dumps(ops))
EOF
t0=$(date +%s%N)
while read -r txn; do
    ovsdb-client -vconsole:off --timeout=120 transact "$GN_CLUSTER_REMOTES" \
        "$txn" > /dev/null || { gn_fail rows "writing rows failed"; gn_done; }
done < "$out/rows"
printf '%-44s %s ms (transactions of 400)\n' \
    "$ROWS Port rows written into the cluster:" \
    "$(( ($(date +%s%N) - t0) / 1000000 ))"
installed() {  # installed N: host N's installed policy generation
    gn_host_field "$1" /v1/status 'd["cluster"]["installed_generation"]'
}
all_installed() {
    local n
    for n in 1 2 3; do [ "$(installed $n)" = "$1" ] || return 1; done
}
t0=$(date +%s%N)
gen=
[ "$(gn_host_code 1 POST /v1/cluster/rules '{"from": "web", "to": "dmz",
                                             "proto": "tcp", "port": 22}')" \
  = 201 ] && gen=$(gn_host_field 1 /v1/cluster/networks 'd["generation"]')
until all_installed "$gen"; do
    [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 30000 ] || break
    sleep 0.005
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
printf '%-44s %s ms\n' "policy change live on all 3 hosts:" "$ms"
printf '%-44s %s\n' "memory with $ROWS more rows:" "$(memory)"
all_installed "$gen" && gn_pass policy-installed \
    || gn_fail policy-installed "not installed everywhere within 30 s"
gn_done
