#!/bin/bash
# bench/dataplane.sh: what guestnet's pipeline costs the data plane.  One
# private OVS (userspace datapath) holds two bridges: br-int with
# guestnetd's flows, and brn with the default NORMAL flow (what a plain
# Open vSwitch does), each with guests in network namespaces on veths
# (TX checksum offload off, as guestnet sets it on a netdev bridge).
# iperf3 through each, in the same run, alternated round by round (the
# first of each pair changes every round), IPERF_SECS seconds a run:
#
#   - TCP between two guests of one network (L2): guestnet wa -> wb,
#     NORMAL na -> nb;
#   - TCP routed between networks through a rule (conntrack, TTL
#     decrement, gateway MAC): guestnet wa (web) -> da (db), against the
#     NORMAL L2 figure of the same round;
#   - UDP in IP fragments: 4000-byte datagrams (three fragments each at
#     MTU 1500) offered at UDP_RATE, L2 and routed; every fragment goes
#     through guestnet's fragment guard (judged by the first fragment's
#     header, not reassembled); routed ones through conntrack too, which
#     reassembles them; the received rate and the loss;
#   - TCP in IP fragments, L2: the sender is an inner namespace behind the
#     guest with a 9000-byte link and path MTU discovery off, so the guest
#     fragments every 8000-byte segment it forwards onto its 1500-byte
#     eth0 (TCP normally sets DF; this is what a router or tunnel in a
#     guest does).
#
# Prints one line per case with guestnet's and NORMAL's median Gbit/s,
# their range over the rounds and the ratio of the medians, then each
# round's figures.
#
# Usage: bench/dataplane.sh [ROUNDS]   (as root, after scripts/build.sh;
# default 3)
# Environment: IPERF_SECS (5), UDP_RATE (100M: the UDP rate offered.
# Offered beyond what the path carries, fragments are lost, and the
# incomplete datagrams fill the reassembly tables until they time out;
# at 200M nothing arrived here through either bridge),
# IPF_MAX_NFRAGS (unset: OVS's default, 1000: the fragments the
# userspace datapath's reassembly holds at most, set with "ovs-appctl
# dpctl/ipf-set-max-nfrags").
set -u
ROUNDS=${1:-3}
IPERF_SECS=${IPERF_SECS:-5}
UDP_RATE=${UDP_RATE:-100M}
GN_TEST_NAME=${GN_TEST_NAME:-bench-dataplane}
. "$(dirname "$0")/lib.sh"
gn_require_root
gn_require_cmd iperf3 iperf3
s=$$

# guestnetd with web and db, web may open tcp and udp 5201 to db (iperf3).
gn_guestnetd_setup_edit \
    'cfg["rules"] = [{"from": "web", "to": "db", "proto": p, "port": 5201}
                for p in ("tcp", "udp")]'
out=$GN_SANDBOX_DIR
gn_pipeline_guest wa web 52:54:00:10:00:11 10.10.0.11 10.10.0.21 || gn_done
gn_pipeline_guests wb da
# The NORMAL bridge, beside br-int in the same ovs-vswitchd.
ovs-vsctl add-br brn -- set bridge brn datapath_type=netdev
for g in na:1 nb:2; do
    gn_guest_in "$GN_SANDBOX_NETNS" "${g%:*}$s" "v${g%:*}$s" \
        "192.168.77.${g#*:}/24"
    ovs-vsctl add-port brn "v${g%:*}$s"
done

for ns in "wb$s" "da$s" "nb$s"; do
    gn_iperf_server "$ns" "$out"
    # Incomplete datagrams of one run do not outlive it by much.
    ip netns exec "$ns" sysctl -qw net.ipv4.ipfrag_time=2
done

# TCP in fragments: the guest G routes for an inner namespace I (address
# INNER) on a 9000-byte link; path MTU discovery off in I, and the
# receiver R (address RADDR) advertises an MSS of 8000 for INNER, so G
# fragments every segment onto its eth0.  frag_sender G I INNER GADDR
# PREFIX R.
frag_sender() {
    local g=$1 i=$2 inner=$3 gaddr=$4 prefix=$5 r=$6
    # (guestnetd put INNER, one of wa's declared addresses, on its eth0:
    # wa routes it instead.)
    ip -n "$g" addr del "$inner/24" dev eth0 2>/dev/null
    gn_netns "$i"
    ip link add vi netns "$g" mtu 9000 type veth peer name eth0 mtu 9000 \
        netns "$i"
    ip -n "$g" link set vi up
    ip -n "$i" link set eth0 up
    ip -n "$i" addr add "$inner/32" dev eth0
    ip -n "$i" route add "$prefix" via "$gaddr" dev eth0 onlink
    ip -n "$i" neigh add "$gaddr" dev eth0 \
        lladdr "$(ip netns exec "$g" cat /sys/class/net/vi/address)"
    ip -n "$g" neigh add "$inner" dev vi \
        lladdr "$(ip netns exec "$i" cat /sys/class/net/eth0/address)"
    ip netns exec "$i" sysctl -qw net.ipv4.ip_no_pmtu_disc=1
    ip netns exec "$i" ethtool -K eth0 tx off tso off gso off >/dev/null
    ip -n "$g" route add "$inner/32" dev vi
    ip -n "$g" neigh add proxy "$inner" dev eth0
    ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
        net.ipv4.conf.vi.rp_filter=0
    ip -n "$r" route add "$inner/32" dev eth0 advmss 8000
}
frag_sender "wa$s" "wi$s" 10.10.0.21 10.10.0.11 10.10.0.0/24 "wb$s"
frag_sender "na$s" "ni$s" 192.168.77.21 192.168.77.1 192.168.77.0/24 "nb$s"

# Every path works before anything is measured (routed: TCP to iperf3's
# port, the only one the rule opens).
reaches() {     # reaches NS ADDR
    ip netns exec "$1" timeout 2 bash -c "echo > /dev/tcp/$2/5201"
}
for pair in "wa$s 10.10.0.12" "wa$s 10.20.0.11" "na$s 192.168.77.2" \
            "wi$s 10.10.0.12" "ni$s 192.168.77.2"; do
    set -- $pair
    gn_wait 10 reaches "$1" "$2" \
        || { gn_fail path "$1 does not reach $2"; gn_done; }
done

# The cases: NAME GUESTNET_NS GUESTNET_ADDR NORMAL_NS NORMAL_ADDR ARGS
# (NORMAL_NS "-": compared with the NORMAL run of the case named
# NORMAL_ADDR).
cases=(
    "tcp-l2 wa$s 10.10.0.12 na$s 192.168.77.2"
    "tcp-routed wa$s 10.20.0.11 - tcp-l2"
    "tcp-frag-l2 wi$s 10.10.0.12 ni$s 192.168.77.2"
    "udp-frag-l2 wa$s 10.10.0.12 na$s 192.168.77.2 -u -b $UDP_RATE -l 4000"
    "udp-frag-routed wa$s 10.20.0.11 - udp-frag-l2 -u -b $UDP_RATE -l 4000"
)
reassembled() {
    gn_ipf "v4 frags completed"
}
if [ -n "${IPF_MAX_NFRAGS:-}" ]; then
    ovs-appctl dpctl/ipf-set-max-nfrags "$IPF_MAX_NFRAGS" >/dev/null \
        || { gn_fail ipf "ipf-set-max-nfrags $IPF_MAX_NFRAGS refused"; gn_done; }
fi
frags0=$(reassembled)
for ((r = 1; r <= ROUNDS; r++)); do
    for c in "${cases[@]}"; do
        set -- $c
        name=$1 gns=$2 gaddr=$3 nns=$4 naddr=$5
        shift 5
        if [ "$nns" = - ]; then
            gn_bench_iperf "$gns" "$gaddr" "$@" > "$out/$name.g.$r"
            continue
        fi
        # Odd rounds NORMAL first, even rounds guestnet first.
        for who in $(gn_bench_order "$r" n g); do
            if [ "$who" = n ]; then
                gn_bench_iperf "$nns" "$naddr" "$@" > "$out/$name.n.$r"
            else
                gn_bench_iperf "$gns" "$gaddr" "$@" > "$out/$name.g.$r"
            fi
        done
    done
done
frags=$(( $(reassembled) - frags0 ))
ipf_status=$(ovs-appctl dpctl/ipf-get-status | grep -iE 'v4|max|num' \
             | tr -s ' \n' ' ')

"$GN_PYTHON" - "$out" "$ROUNDS" "$IPERF_SECS" "$frags" "$ipf_status" \
    "${cases[@]}" <<'EOP'
import statistics, sys
out, rounds, secs, frags = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    sys.argv[4]
titles = {
    "tcp-l2": "TCP, same network (L2)",
    "tcp-routed": "TCP, routed through a rule (conntrack)",
    "udp-frag-l2": "UDP in fragments (4000-byte datagrams), L2",
    "udp-frag-routed": "UDP in fragments (4000-byte datagrams), routed",
    "tcp-frag-l2": "TCP in IP fragments (8000-byte segments), L2",
}
def read(name, who):
    rows = []
    for r in range(1, rounds + 1):
        try:
            rate, loss = open("%s/%s.%s.%d" % (out, name, who, r)).read() \
                .split()[:2]
        except (OSError, ValueError):
            rate, loss = "0", "-"
        rows.append((float(rate), loss))
    return rows
def fmt(rows):
    rates = [x for x, _ in rows]
    losses = [float(l) for _, l in rows if l != "-"]
    s = "%.2f Gbit/s (%.2f-%.2f)" % (statistics.median(rates), min(rates),
                                     max(rates))
    if losses:
        s += " loss %.0f%%" % statistics.median(losses)
    return s
print("iperf3, %d rounds of %s s per run, alternated; medians (range):"
      % (rounds, secs))
detail = []
for c in sys.argv[6:]:
    f = c.split()
    name, nns, naddr = f[0], f[3], f[4]
    base = naddr if nns == "-" else name
    g, n = read(name, "g"), read(base, "n")
    gm, nm = statistics.median(x for x, _ in g), \
        statistics.median(x for x, _ in n)
    ratio = "%.0f%%" % (100 * gm / nm) if nm else "n/a"
    print("%-46s guestnet %s, NORMAL%s %s, ratio %s"
          % (titles[name] + ":", fmt(g), " (L2)" if nns == "-" else "",
             fmt(n), ratio))
    detail.append("# %s per round: guestnet %s; NORMAL %s" % (
        name, " ".join("%.2f" % x for x, _ in g),
        " ".join("%.2f" % x for x, _ in n)))
print("\n".join(detail))
print("# IPv4 fragments reassembled by the userspace datapath (both bridges):"
      " %s" % frags)
print("# its fragment reassembly now: %s" % sys.argv[5])
EOP
gn_done
