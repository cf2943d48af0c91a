#!/bin/bash
# bench/limits.sh: noisy-neighbour limits on this machine's userspace
# datapath, measured with iperf3 between guest namespaces of one web
# network (guestnetd's flows, OVS 3.1 meters).
#
#   1. Accuracy: guest la sends TCP to lb for SECS seconds with an egress
#      limit of each RATE (Mbit/s) and each burst of BURSTS (ms), and lb
#      receives with an ingress limit of the same: the throughput iperf3
#      measures, and its share of the limit.
#   2. Neighbours: guest na sends TCP to nb for SECS seconds, then pings
#      nb 100 times a second for SECS seconds, while la is idle or floods lb with
#      TCP (FLOOD=tcp, 4 streams) or UDP at 1 Gbit/s (FLOOD=udp) under
#      an egress limit of NEIGHBOUR_RATE Mbit/s (tcp-unlimited,
#      udp-unlimited: without it, for comparison): ROUNDS rounds alternating
#      idle and flood; na's throughput and ping p99, median and range of
#      each.
#
# Usage: bench/limits.sh   (as root, after scripts/build.sh)
# Environment: RATES ("50 200"), BURSTS ("100 200 500"), SECS (5), ROUNDS
# (3), NEIGHBOUR_RATE (100), FLOOD ("tcp udp tcp-unlimited"), BURST (500: the burst of
# part 2).
set -u
RATES=${RATES:-50 200}
BURSTS=${BURSTS:-100 200 500}
SECS=${SECS:-5}
ROUNDS=${ROUNDS:-3}
NEIGHBOUR_RATE=${NEIGHBOUR_RATE:-100}
FLOOD=${FLOOD:-tcp udp tcp-unlimited}
BURST=${BURST:-500}
GN_TEST_NAME=${GN_TEST_NAME:-bench-limits}
. "$(dirname "$0")/lib.sh"
gn_require_cmd iperf3 iperf3
gn_guestnetd_setup
s=$$
gn_pipeline_guest la web 52:54:00:10:00:21 10.10.0.21
gn_pipeline_guest lb web 52:54:00:10:00:22 10.10.0.22
gn_pipeline_guest na web 52:54:00:10:00:23 10.10.0.23
gn_pipeline_guest nb web 52:54:00:10:00:24 10.10.0.24
gn_tmpdir out
for ns in "lb$s" "nb$s"; do
    gn_iperf_server "$ns" "$out"
done
gn_wait 10 gn_settled

limits() {  # limits PORT BODY: sets the port's limits, or ends the run
    local code
    code=$(gn_api POST "/v1/ports/$1/limits" "$2" | tail -n 1)
    [ "$code" = "HTTP 200" ] || { gn_fail limits "$1 $2: $code"; gn_done; }
}

echo "1. A limited guest's TCP throughput ($SECS s each)"
printf '%-10s %-6s %-9s %-9s\n' "limit" "burst" "egress" "ingress"
for rate in $RATES; do
    for burst in $BURSTS; do
        kbps=$((rate * 1000))
        limits "pla$s" "{\"egress_kbps\": $kbps, \"burst_ms\": $burst}"
        eg=$(gn_iperf "la$s" 10.10.0.22 "$SECS")
        limits "pla$s" '{"egress_kbps": null, "burst_ms": null}'
        limits "plb$s" "{\"ingress_kbps\": $kbps, \"burst_ms\": $burst}"
        in=$(gn_iperf "la$s" 10.10.0.22 "$SECS")
        limits "plb$s" '{"ingress_kbps": null, "burst_ms": null}'
        printf '%-10s %-6s %-9s %-9s\n' "$rate Mbit/s" "$burst ms" \
            "$eg ($("$GN_PYTHON" -c "print('%d%%' % (100 * $eg / $rate))"))" \
            "$in ($("$GN_PYTHON" -c "print('%d%%' % (100 * $in / $rate))"))"
    done
done
free=$(gn_iperf "la$s" 10.10.0.22 "$SECS")
echo "without a limit: $free Mbit/s"

# neighbour FLOOD: na's Mbit/s to nb, then its ping p99 (ms) to nb on its
# own, with la flooding lb (FLOOD tcp or udp) or idle (FLOOD none), as
# "MBITS P99".
neighbour() {
    local flood_pid= mbits
    local args=()
    case $1 in
        tcp*) args=(-P 4) ;;
        udp*) args=(-u -b 1G -l 1400) ;;
    esac
    if [ ${#args[@]} -gt 0 ]; then
        ip netns exec "la$s" iperf3 -c 10.10.0.22 -t $((2 * SECS + 4)) \
            "${args[@]}" >/dev/null 2>&1 &
        flood_pid=$!
    fi
    sleep 1
    mbits=$(gn_iperf "na$s" 10.10.0.24 "$SECS")
    ip netns exec "na$s" ping -i 0.01 -c $((SECS * 100)) -W 1 10.10.0.24 \
        > "$out/ping.txt" 2>&1
    if [ -n "$flood_pid" ]; then
        kill "$flood_pid" 2>/dev/null
        wait "$flood_pid" 2>/dev/null
    fi
    local p99
    p99=$("$GN_PYTHON" -c 'import re, sys
t = sorted(float(m) for m in re.findall(r"time=([0-9.]+)", open(sys.argv[1]).read()))
print("%.2f" % t[min(len(t) - 1, int(len(t) * 0.99))] if t else "nan")' "$out/ping.txt")
    echo "$mbits $p99"
}
summary() {  # summary VALUE...: "median (min-max)"
    "$GN_PYTHON" -c 'import statistics, sys
v = [float(x) for x in sys.argv[1:]]
print("%.1f (%.1f-%.1f)" % (statistics.median(v), min(v), max(v)))' "$@"
}

echo
echo "2. A neighbour (na -> nb, TCP for $SECS s, then ping every 10 ms for $SECS s) while la" \
     "is idle or floods under an egress limit of $NEIGHBOUR_RATE Mbit/s" \
     "(burst $BURST ms), $ROUNDS rounds alternating"
limits "pla$s" "{\"egress_kbps\": $((NEIGHBOUR_RATE * 1000)), \"burst_ms\": $BURST}"
for flood in $FLOOD; do
    idle_t=() idle_p=() flood_t=() flood_p=()
    case $flood in
        *-unlimited) limits "pla$s" '{"egress_kbps": null}' ;;
    esac
    for round in $(seq "$ROUNDS"); do
        read -r t p <<<"$(neighbour none)"
        idle_t+=("$t") idle_p+=("$p")
        read -r t p <<<"$(neighbour "$flood")"
        flood_t+=("$t") flood_p+=("$p")
    done
    echo "la idle:          na $(summary "${idle_t[@]}") Mbit/s," \
         "ping p99 $(summary "${idle_p[@]}") ms"
    echo "la floods ($flood): na $(summary "${flood_t[@]}") Mbit/s," \
         "ping p99 $(summary "${flood_p[@]}") ms"
    limits "pla$s" "{\"egress_kbps\": $((NEIGHBOUR_RATE * 1000))}"
done
gn_done
