#!/bin/bash
# bench/memory.sh: guestnetd's memory (RSS) with N ports, on a private OVS
# (userspace datapath).  Every port has its own MAC and IPv4 address (port
# i: 52:54:00:XX:XX:XX, 10.10.A.B) and port security on them, as in
# bench/port-add.sh.
#
# The N ports are added by POST /v1/ports in requests of CHUNK ports each
# (one request holds at most 256 KiB: about 1900 ports), one after the
# other; then it prints guestnetd's RSS (VmRSS) and its high-water mark
# (VmHWM), and what the RSS is made of (the main malloc arena, other
# anonymous memory, mapped files); one GET /v1/ports, and the RSS again.
# Then guestnetd restarts with the ports in place: the time until it is
# ready (connected, the switch holding the flow table it wants, every port
# bound) with the flow_mods it sent to get there (0 if nothing changed),
# the RSS, one GET /v1/ports (whose answer must list the same ports as
# before the restart) and the RSS again.  RESTARTS=K restarts it K times (each timed; the memory is that
# after the last).  With HEAPTRACK=FILE the restarted guestnetd runs under
# heaptrack (apt-get install heaptrack), which writes FILE.zst for
# heaptrack_print; with PERF=FILE under `perf record -g` (apt-get install
# linux-perf), which writes FILE for `perf report -i FILE`.
#
# Usage: bench/memory.sh [N]        (as root, after scripts/build.sh)
# Environment: GN_BUILDDIR (default: the source tree), CHUNK (1000),
# RESTARTS (1), HEAPTRACK (FILE), PERF (FILE), PERF_OPTS (-g),
# GUESTNETD_OPTS (more options of the restarted guestnetd, e.g. "-v dbg"),
# GUESTNETD_LOG (FILE: where to keep guestnetd's log), SMAPS (FILE: where
# to keep /proc/PID/smaps of the restarted guestnetd).
set -u
N=${1:-1000}
CHUNK=${CHUNK:-1000}
RESTARTS=${RESTARTS:-1}
HEAPTRACK=${HEAPTRACK:-}
PERF=${PERF:-}
GN_TEST_NAME=bench-memory
. "$(dirname "$0")/lib.sh"
gn_require_root
[ -z "$HEAPTRACK" ] || gn_require_cmd heaptrack heaptrack
[ -z "$PERF" ] || gn_require_cmd perf linux-perf

rss_mb() {
    awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null
}
hwm_mb() {
    awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null
}
# The pid of guestnetd itself (under heaptrack, not that of the launcher).
gn_pid() { cat "$GN_SANDBOX_DIR/guestnetd.pid"; }
# rss_parts PID: "main heap H, other anonymous A, files F MB" (the RSS of
# the main malloc arena, of other anonymous memory: thread arenas,
# stacks, libraries' data; of mapped files: code).
rss_parts() {
    awk '/^[0-9a-f]+-/ { heap = ($NF == "[heap]") }
         /^Rss:/ { if (heap) h += $2 }
         /^Anonymous:/ { a += $2 }
         END { printf "main heap %.1f, other anonymous %.1f", h / 1024,
               (a - h) / 1024 }' "/proc/$1/smaps" 2>/dev/null
    awk '/RssFile/ {printf ", files %.1f MB", $2 / 1024}' \
        "/proc/$1/status" 2>/dev/null
}
memory() {
    echo "RSS $(rss_mb "$(gn_pid)") MB, peak $(hwm_mb "$(gn_pid)") MB" \
         "($(rss_parts "$(gn_pid)"))"
}
# Prints "FLOWS FLOW_MODS PORTS READY" from guestnetd's status (nothing
# while it does not answer).
status() {
    "$GUESTNETCTL" --json status 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin); o = s["openflow"]
ready = (o["connected"] and o["installed_seqno"] > 0
         and o["installed_seqno"] == o["desired_seqno"])
print(o["installed_flows"], o["flow_mods"], s["counts"]["ports"], int(ready))' \
        2>/dev/null
}
# get_ports FILE: GET /v1/ports into FILE; prints the seconds it took.
get_ports() {
    curl -s -o "$1" -w '%{time_total}' --unix-socket "$GUESTNET_SOCKET" \
        http://localhost/v1/ports
}

echo "== $N ports, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
gn_sandbox_start
cfg=$GN_SANDBOX_DIR/guestnet.json
gn_config "$cfg"
sed -i 's#10\.10\.0\.0/24#10.10.0.0/16#' "$cfg"   # room for N addresses
gn_guestnetd_start "$cfg" || exit 1

rc=0
t0=$(date +%s.%N)
for ((first = 1; first <= N; first += CHUNK)); do
    last=$((first + CHUNK - 1 < N ? first + CHUNK - 1 : N))
    python3 - "$first" "$last" > "$GN_SANDBOX_DIR/bulk.json" <<'EOP'
import json, sys
a, b = int(sys.argv[1]), int(sys.argv[2])
mac = lambda i: "52:54:00:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255,
                                             i & 255)
ip4 = lambda i: "10.10.%d.%d" % (i // 200 + 1, i % 200 + 10)
print(json.dumps({"ports": [{"name": f"tg{i}", "kind": "kvm",
                             "network": "web", "mac": mac(i),
                             "ips": [ip4(i)]} for i in range(a, b + 1)]}))
EOP
    out=$(curl -s -o "$GN_SANDBOX_DIR/bulk-answer.json" -w '%{http_code}' \
          --max-time 900 --unix-socket "$GUESTNET_SOCKET" \
          -H 'Content-Type: application/json' \
          --data-binary @"$GN_SANDBOX_DIR/bulk.json" \
          http://localhost/v1/ports)
    if [ "$out" != 200 ]; then
        # Per port: how many of each status, and the first error of each.
        echo "ports $first-$last: HTTP $out $(python3 -c '
import collections, json, sys
try:
    ports = json.load(open(sys.argv[1]))["ports"]
except (OSError, ValueError, KeyError, TypeError):
    sys.exit()
n, first = collections.Counter(), {}
for p in ports:
    n[p["status"]] += 1
    if "error" in p:
        first.setdefault(p["status"], p["error"].get("message", p["error"]))
print("; ".join("%d x %s%s" % (c, st, " (%s)" % first[st] if st in first
                               else "") for st, c in sorted(n.items())))' \
            "$GN_SANDBOX_DIR/bulk-answer.json")"
        rc=1
    fi
done
t1=$(date +%s.%N)
read -r flows fm ports _ <<<"$(status)"
echo "added $ports ports in $(python3 -c "print(f'{$t1 - $t0:.1f}')") s," \
     "$flows flows"
echo "  after the adds: $(memory)"
echo "  after GET /v1/ports ($(get_ports "$GN_SANDBOX_DIR/ports1.json") s):" \
     "$(memory)"

gn_guestnetd_stop
wrapper=
if [ -n "$HEAPTRACK" ]; then
    wrapper="heaptrack -o '$HEAPTRACK'"
elif [ -n "$PERF" ]; then
    wrapper="perf record -q ${PERF_OPTS:--g} -o '$PERF'"
fi
if [ -n "$wrapper" ]; then
    printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$wrapper" "$GUESTNETD" \
        > "$GN_SANDBOX_DIR/guestnetd-wrapped"
    chmod +x "$GN_SANDBOX_DIR/guestnetd-wrapped"
    GUESTNETD=$GN_SANDBOX_DIR/guestnetd-wrapped
fi
for ((r = 1; r <= RESTARTS; r++)); do
    if [ "$r" -gt 1 ]; then
        kill "$(gn_pid)" 2>/dev/null
        gn_guestnetd_stop
    fi
    rm -f "$GN_SANDBOX_DIR/guestnetd.pid"
    if gn_bench_launch_ready "$cfg" "$N" ${GUESTNETD_OPTS:-}; then
        read -r secs fm _ flows cpu <<<"$GN_BENCH_READY"
        echo "restart: ready in $secs s, $fm flow_mods, $flows flows"
        echo "  guestnetd's CPU time until ready: $cpu s"
        echo "$secs $cpu" >> "$GN_SANDBOX_DIR/restarts"
    else
        echo "restart: not ready within 120 s"; rc=1
    fi
done
if [ "$RESTARTS" -gt 1 ] && [ -s "$GN_SANDBOX_DIR/restarts" ]; then
    python3 - "$GN_SANDBOX_DIR/restarts" <<'EOP'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def med(col):
    v = sorted(float(r[col]) for r in rows if r[col] != "?")
    return "%.3f (%.3f-%.3f)" % (statistics.median(v), v[0], v[-1])
print(f"{len(rows)} restarts: ready in {med(0)} s, CPU {med(1)} s"
      " (median, range)")
EOP
fi
sleep 2
echo "  after the restart: $(memory)"
[ -z "${SMAPS:-}" ] || cp "/proc/$(gn_pid)/smaps" "$SMAPS"
echo "  after GET /v1/ports ($(get_ports "$GN_SANDBOX_DIR/ports2.json") s):" \
     "$(memory)"
python3 - "$GN_SANDBOX_DIR/ports1.json" "$GN_SANDBOX_DIR/ports2.json" <<'EOP' || rc=1
import json, sys
a, b = (sorted(json.load(open(f)), key=lambda p: p["name"])
        for f in sys.argv[1:])
print("  GET /v1/ports lists the same ports before and after the restart"
      if a == b else "  GET /v1/ports differs after the restart")
sys.exit(a != b)
EOP
# Under heaptrack or perf guestnetd is not the launcher's process: end it
# itself, so that they write their files.
kill "$(gn_pid)" 2>/dev/null
gn_guestnetd_stop
[ -z "$HEAPTRACK" ] || gn_wait 30 test -s "$HEAPTRACK.zst"
[ -z "$PERF" ] || gn_wait 30 test -s "$PERF"
[ -z "${GUESTNETD_LOG:-}" ] || cp "$GN_SANDBOX_DIR/guestnetd.log" "$GUESTNETD_LOG"
ovs-vsctl del-br br-int
for ((i = 1; i <= N; i++)); do echo "link del tg$i"; done \
    | ip -n "$GN_SANDBOX_NETNS" -batch - 2>/dev/null
exit $rc
