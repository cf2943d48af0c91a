# bench/lib.sh: what the benchmarks share.  Every bench/NAME.sh sets
# GN_TEST_NAME, then sources this file:
#
#   . "$(dirname "$0")/lib.sh"
#
# which sets GN_SRCDIR to the tree it is in and GN_BUILDDIR (default: the
# same) to its build, exports both for the benchmarks' python and C
# children, and sources tests/lib.sh (gn_on_exit, gn_wait, GN_PYTHON,
# sandboxes, guests, gn_iperf_server).  Below, the wait for a restarted
# guestnetd (bench/port-add.sh, bench/memory.sh), and what the data-plane
# benchmarks (bench/dataplane.sh, bench/cluster.sh) use: iperf3 runs, the
# order of the cases in each round, and the CPU time a process spent;
# IPERF_SECS is the length of a run in seconds.

GN_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GN_SRCDIR GN_BUILDDIR=${GN_BUILDDIR:-$GN_SRCDIR}
. "$GN_SRCDIR/tests/lib.sh"

# gn_bench_launch_ready CONFIG PORTS [OPTION...]: launches guestnetd with
# CONFIG (and OPTIONs) and waits (120 s at most) until it is ready:
# connected to the switch, which holds the flow table it wants
# (installed_seqno = desired_seqno), with PORTS ports.  Sets
# GN_BENCH_READY to "SECONDS FLOW_MODS BUNDLES FLOWS CPU": the time from
# the launch, what it sent to get there, the flows it holds and the CPU
# time (user + system, seconds) it used until then; returns 1 if it is not
# ready in time.  One process asks /v1/status every 5 ms, and it starts
# (a python3 takes 0.1-1 s to start on a busy machine) before guestnetd
# does.  Not for use in a $(...), which guestnetd would hold open.
gn_bench_launch_ready() {
    local cfg=$1 want=$2 dir=$GN_SANDBOX_DIR poller
    shift 2
    rm -f "$dir/ready-t0" "$dir/ready-poller"
    "$GN_PYTHON" - "$GUESTNET_SOCKET" "$dir" "$want" > "$dir/ready" \
        <<'EOF' &
import json, os, sys, time
sys.path.insert(0, os.environ["GN_SRCDIR"] + "/tests")
import gn_api
path, dir, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
def status():
    answer = gn_api.request(path, "GET", "/v1/status", timeout=2)
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])
def cpu():
    try:
        with open(dir + "/guestnetd.pid") as f:
            stat = open("/proc/%s/stat" % f.read().strip()).read()
        fields = stat.rsplit(")", 1)[1].split()
        return "%.2f" % ((int(fields[11]) + int(fields[12]))
                         / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return "?"
open(dir + "/ready-poller", "w").close()
deadline = time.time() + 130
while not os.path.exists(dir + "/ready-t0"):
    if time.time() > deadline:
        sys.exit(1)
    time.sleep(0.001)
t0 = float(open(dir + "/ready-t0").read())
while time.time() < t0 + 120:
    try:
        st = status()
        of = st["openflow"]
        if (of["connected"] and of["installed_seqno"] > 0
                and of["installed_seqno"] == of["desired_seqno"]
                and st["counts"]["ports"] == want):
            print(f"{time.time() - t0:.3f} {of['flow_mods']} {of['bundles']}"
                  f" {of['installed_flows']} {cpu()}")
            sys.exit(0)
    except (OSError, ValueError, KeyError, IndexError):
        pass
    time.sleep(0.005)
sys.exit(1)
EOF
    poller=$!
    gn_wait 30 test -e "$dir/ready-poller"
    date +%s.%N > "$dir/ready-t0.new"
    mv "$dir/ready-t0.new" "$dir/ready-t0"
    gn_guestnetd_launch "$cfg" "$@"
    GN_BENCH_READY=
    wait "$poller" || return 1
    GN_BENCH_READY=$(cat "$dir/ready")
}

# gn_bench_iperf NS ADDR [IPERF3 ARGS...]: prints "GBITS LOSS BYTES" of
# IPERF_SECS seconds of iperf3 from NS to ADDR: the rate received, for UDP
# the percentage of datagrams lost ("-" for TCP) and the bytes received;
# "0 - 0" if iperf3 failed twice (a server still busy with the last
# test's end refuses the next: one more try after a pause).
gn_bench_iperf() {
    local r
    r=$(gn_bench_iperf1__ "$@")
    if [ "$r" = "0 - 0" ]; then
        sleep 1     # (Not a proof of anything: a pause before a retry.)
        r=$(gn_bench_iperf1__ "$@")
    fi
    echo "$r"
}
gn_bench_iperf1__() {
    local ns=$1 addr=$2
    shift 2
    ip netns exec "$ns" iperf3 -c "$addr" -t "$IPERF_SECS" -J "$@" \
        2>/dev/null | "$GN_PYTHON" -c '
import json, sys
d = {}
try:
    d = json.load(sys.stdin)
    e = d["end"]
    lost = e.get("sum", {}).get("lost_percent")
    r = e["sum_received"]
    print("%.3f %s %d" % (r["bits_per_second"] / 1e9,
                          "-" if lost is None else "%.1f" % lost,
                          r["bytes"]))
except Exception as x:
    print("0 - 0")
    sys.stderr.write("iperf3 to %s: %s\n" % (sys.argv[1],
                                            d.get("error", repr(x))))' "$addr"
}

# gn_bench_order ROUND ITEM...: prints the ITEMs, one a line, rotated by
# ROUND - 1: over as many rounds as there are ITEMs, each comes first
# once, and none always runs after the same other (round 1 keeps the
# order given).
gn_bench_order() {
    local r=$1 i k
    shift
    for ((i = 0; i < $#; i++)); do
        k=$(( (i + r - 1) % $# + 1 ))
        echo "${!k}"
    done
}

# gn_bench_cpu PID: prints "USER SYS", the CPU time process PID has spent
# in user and in kernel mode so far, in milliseconds.
gn_bench_cpu() {
    sed 's/^.*) //' "/proc/$1/stat" \
        | awk -v hz="$(getconf CLK_TCK)" \
              '{printf "%d %d\n", $12 * 1000 / hz, $13 * 1000 / hz}'
}

# gn_bench_load: the 1-minute load average now.
gn_bench_load() { cut -d' ' -f1 /proc/loadavg; }
