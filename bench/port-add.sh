#!/bin/bash
# bench/port-add.sh: how fast ports get attached, guestnetd against what an
# operator would otherwise run, in the same run on the same private OVS
# (userspace datapath):
#
#   ovs-vsctl loop   one "ovs-vsctl add-port BR tapN tag=10" per port
#   ovs-vsctl txn    one ovs-vsctl transaction adding every port
#   guestnetd        N concurrent POST /v1/ports (64 clients); each answer
#                    means: tap created, OVSDB committed, ovs-vswitchd
#                    applied it (ofport assigned) and the port's flows
#                    installed (barrier)
#
# Usage: bench/port-add.sh [N]      (as root, after scripts/build.sh)
# Environment: GN_BUILDDIR (default: the source tree), CLIENTS (64).
set -u
N=${1:-1000}
CLIENTS=${CLIENTS:-64}
GN_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
export GN_SRCDIR GN_BUILDDIR=${GN_BUILDDIR:-$GN_SRCDIR}
GN_TEST_NAME=bench-port-add
. "$GN_SRCDIR/tests/lib.sh"
gn_require_root

gn_sandbox_start
ns=$GN_SANDBOX_NETNS
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

make_taps() {
    local prefix=$1 i
    for i in $(seq 1 "$N"); do echo "tuntap add dev $prefix$i mode tap"; done \
        | ip -n "$ns" -batch -
}
del_taps() {
    local prefix=$1 i
    for i in $(seq 1 "$N"); do echo "link del $prefix$i"; done \
        | ip -n "$ns" -batch - 2>/dev/null
}

echo "== $N ports, userspace datapath, $(nproc) cores"

# 1. ovs-vsctl, one command per port.
ovs-vsctl add-br br-loop -- set Bridge br-loop datapath_type=netdev \
    fail_mode=secure
make_taps tl
t0=$(now)
for i in $(seq 1 "$N"); do
    ovs-vsctl add-port br-loop "tl$i" tag=10 \
        -- set Interface "tl$i" external_ids:attached-mac=52:54:00:00:00:01
done
t1=$(now)
loop=$(secs "$t0" "$t1")
ovs-vsctl del-br br-loop
del_taps tl
echo "ovs-vsctl loop:   $loop s"

# 2. ovs-vsctl, all ports in one transaction.
ovs-vsctl add-br br-txn -- set Bridge br-txn datapath_type=netdev \
    fail_mode=secure
make_taps tt
args=()
for i in $(seq 1 "$N"); do
    args+=(-- add-port br-txn "tt$i" tag=10)
done
t0=$(now)
ovs-vsctl --timeout=600 "${args[@]}"
t1=$(now)
txn=$(secs "$t0" "$t1")
ovs-vsctl del-br br-txn
del_taps tt
echo "ovs-vsctl txn:    $txn s"

# 3. guestnetd: N concurrent requests from $CLIENTS clients.
cfg=$GN_SANDBOX_DIR/guestnet.json
gn_config "$cfg"
gn_guestnetd_start "$cfg" || exit 1
t0=$(now)
python3 - "$GUESTNET_SOCKET" "$N" "$CLIENTS" <<'PY'
import http.client, json, socket, sys, threading, time
path, n, clients = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
class Conn(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
lock = threading.Lock()
todo = list(range(1, n + 1))
bad = []
lat = []
def worker():
    c = Conn("localhost", timeout=300)
    while True:
        with lock:
            if not todo:
                return
            i = todo.pop()
        body = json.dumps({"name": f"tg{i}", "kind": "kvm", "network": "web"})
        t = time.monotonic()
        c.request("POST", "/v1/ports", body,
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        with lock:
            lat.append(time.monotonic() - t)
            if r.status != 201:
                bad.append((i, r.status))
ts = [threading.Thread(target=worker) for _ in range(clients)]
[t.start() for t in ts]
[t.join() for t in ts]
lat.sort()
print(f"guestnetd request latency: p50 {lat[len(lat)//2]*1000:.0f} ms, "
      f"p99 {lat[int(len(lat)*0.99)]*1000:.0f} ms")
if bad:
    print(f"FAILED requests: {len(bad)}: {bad[:5]}")
    sys.exit(1)
PY
rc=$?
t1=$(now)
gnd=$(secs "$t0" "$t1")
ready=$(ovs-vsctl --bare --columns=ofport list Interface | awk '$1 > 0' \
        | grep -c .)
txns=$(gn_guestnetd_txns)
echo "guestnetd:        $gnd s ($ready interfaces with an ofport," \
     "$txns OVSDB transactions)"
"$GUESTNETCTL" --json status | python3 -c '
import json, sys
s = json.load(sys.stdin)["openflow"]
print("flows installed: %d, flow_mods: %d, bundles: %d"
      % (s["installed_flows"], s["flow_mods"], s["bundles"]))'
echo
printf '%-18s %10s %12s\n' "method" "seconds" "vs guestnetd"
for m in "ovs-vsctl loop:$loop" "ovs-vsctl txn:$txn" "guestnetd:$gnd"; do
    printf '%-18s %10s %11sx\n' "${m%%:*}" "${m#*:}" \
        "$(python3 -c "print(f'{${m#*:} / $gnd:.2f}')")"
done
exit $rc
