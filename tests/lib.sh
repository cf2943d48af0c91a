# lib.sh: helpers for guestnet's integration tests (source it).
#
# A test prints PASS:/FAIL:/SKIP: lines that tests/run-tests.sh counts, and
# calls gn_done at the end.  Everything a test creates (sandbox, network
# namespaces, processes) is registered and removed on exit, even on failure.
#
#   . "$GN_SRCDIR/tests/lib.sh"
#   gn_require_root
#   gn_sandbox_start            # private OVS; sets OVS_RUNDIR, GN_SANDBOX_*
#   gn_check "name" cmd args    # PASS if cmd succeeds, else FAIL
#   gn_done

set -u
GN_SRCDIR=${GN_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
GN_BUILDDIR=${GN_BUILDDIR:-$GN_SRCDIR}
GN_TEST_NAME=${GN_TEST_NAME:-$(basename "$0" .sh)}
gn_failures=0
gn_cleanups=()

gn_pass() { echo "PASS: $GN_TEST_NAME/$1"; }
gn_fail() {
    echo "FAIL: $GN_TEST_NAME/$1${2:+: $2}"
    gn_failures=$((gn_failures + 1))
}
# A skip, which tests/run-tests.sh turns into a failure under CI=true.
gn_skip() { echo "SKIP: $GN_TEST_NAME/$1${2:+: $2}"; }

# gn_check NAME CMD...: PASS if CMD exits 0.
gn_check() {
    local name=$1; shift
    if "$@"; then gn_pass "$name"; else gn_fail "$name" "failed: $*"; fi
}

# gn_check_fails NAME CMD...: PASS if CMD exits non-zero.
gn_check_fails() {
    local name=$1; shift
    if "$@"; then
        gn_fail "$name" "succeeded but should fail: $*"
    else
        gn_pass "$name"
    fi
}

# gn_require_root / gn_require_cmd CMD PACKAGE: a missing requirement ends
# the test: a skip outside CI, a failure under CI=true.
gn_missing() {
    if [ "${CI:-}" = true ]; then
        gn_fail requirements "$1 (required under CI=true)"
        exit 1
    fi
    gn_skip requirements "$1"
    exit 0
}
gn_require_root() {
    [ "$(id -u)" = 0 ] || gn_missing "needs root (network namespaces, OVS)"
}
gn_require_cmd() {
    command -v "$1" >/dev/null 2>&1 \
        || gn_missing "needs $1 (apt-get install $2)"
}

# gn_on_exit CMD: run CMD (a string) when the test exits, newest first.
gn_on_exit() { gn_cleanups=("$1" "${gn_cleanups[@]}"); }
gn_cleanup__() {
    local c
    for c in "${gn_cleanups[@]}"; do
        eval "$c" >/dev/null 2>&1 || true
    done
    gn_cleanups=()
}
trap gn_cleanup__ EXIT
trap 'exit 130' INT TERM

# gn_tmpdir VAR: makes a private folder for this test, removed on exit, and
# stores its path in VAR.  (Not "$(gn_tmpdir)": a subshell could not
# register the removal.)
gn_tmpdir() {
    # (No local variable: "printf -v" would set it instead of the caller's
    # variable of the same name.)
    printf -v "$1" '%s' "$(mktemp -d "${TMPDIR:-/tmp}/gn-$GN_TEST_NAME.XXXXXX")"
    gn_on_exit "rm -rf '${!1}'"
}

# gn_wait SECONDS CMD...: retry CMD every 0.1 s until it succeeds.
gn_wait() {
    local tries=$(( $1 * 10 )); shift
    until "$@" >/dev/null 2>&1; do
        tries=$((tries - 1))
        [ $tries -gt 0 ] || return 1
        sleep 0.1
    done
}

# gn_sandbox_start [DIR]: a private ovsdb-server + ovs-vswitchd (userspace
# datapath) in its own run directory and network namespace, stopped on exit.
gn_sandbox_start() {
    local dir=${1:-}
    gn_require_cmd ovs-vswitchd openvswitch-switch
    if [ -z "$dir" ]; then
        dir=$(mktemp -d "${TMPDIR:-/tmp}/gn-$GN_TEST_NAME.XXXXXX")
    fi
    gn_on_exit "rm -rf '$dir'"
    gn_on_exit "'$GN_SRCDIR/scripts/gn-sandbox' stop '$dir'"
    if ! "$GN_SRCDIR/scripts/gn-sandbox" start "$dir" > "$dir/env"; then
        gn_fail sandbox-start "gn-sandbox start $dir failed"
        exit 1
    fi
    eval "$(cat "$dir/env")"
}

# gn_netns NAME: a network namespace removed on exit.
gn_netns() {
    ip netns add "$1"
    gn_on_exit "ip netns delete '$1'"
    ip -n "$1" link set lo up
}

# gn_guest NS HOSTIF ADDR/LEN: a guest namespace NS whose eth0 is one end of
# a veth pair; the other end, HOSTIF, is in the sandbox's namespace, up.
# TX checksum offload is turned off on eth0: with the userspace datapath,
# TCP fails otherwise.
gn_guest() { gn_guest_in "$GN_SANDBOX_NETNS" "$@"; }

# gn_guest_in HOSTNS NS HOSTIF ADDR/LEN: gn_guest with HOSTIF in the
# namespace HOSTNS instead (a host of tests/cluster-lib.sh).
gn_guest_in() {
    local hostns=$1 ns=$2 hostif=$3 addr=$4
    gn_netns "$ns"
    ip link add "$hostif" netns "$hostns" type veth peer name eth0 netns "$ns"
    ip -n "$hostns" link set "$hostif" up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" addr add "$addr" dev eth0
    ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null
}

# gn_done: ends the test; exit status 1 if any check failed.
gn_done() {
    gn_cleanup__
    [ "$gn_failures" -eq 0 ]
    exit $?
}

# gn_config FILE [UPLINK]: writes a guestnetd config for the sandbox: bridge
# br-int on the userspace datapath, networks web (VLAN 10, 10.10.0.0/24,
# 2001:db8:10::/64), db (VLAN 20, 10.20.0.0/24) and dmz (VLAN 30,
# 10.30.0.0/24, private).
gn_config() {
    local file=$1 uplink=${2:-}
    cat > "$file" <<EOC
{
  "bridge": "br-int",
  "datapath_type": "netdev",
  ${uplink:+\"uplink\": \"$uplink\",}
  "networks": [
    {"name": "web", "vlan": 10,
     "subnets": ["10.10.0.0/24", "2001:db8:10::/64"],
     "gateways": ["10.10.0.1", "2001:db8:10::1"]},
    {"name": "db", "vlan": 20, "subnets": ["10.20.0.0/24"],
     "gateways": ["10.20.0.1"]},
    {"name": "dmz", "vlan": 30, "subnets": ["10.30.0.0/24"],
     "gateways": ["10.30.0.1"], "private": true}
  ],
  "rules": [{"from": "web", "to": "db", "proto": "tcp", "port": 3306}]
}
EOC
}

# gn_config_edit FILE PYTHON: runs the PYTHON statements on the config
# FILE's JSON, as the dict "cfg", and writes it back.
gn_config_edit() {
    "$GN_PYTHON" - "$1" "$2" <<'EOP'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
exec(sys.argv[2])
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOP
}

# gn_config_no_dhcp FILE: sets "dhcp": false on every network of the
# config FILE: guestnet then assigns no addresses and serves no DHCP, and
# ports without declared addresses are in undeclared mode (any address of
# their network's subnets but the reserved ones).
gn_config_no_dhcp() {
    gn_config_edit "$1" 'for n in cfg["networks"]: n["dhcp"] = False'
}

# gn_udhcpc_script FILE: writes FILE, a busybox udhcpc script that
# configures the interface from the lease (address, default route) and
# records "IP MASK ROUTER DNS" in the file $LEASE_FILE names.
gn_udhcpc_script() {
    cat > "$1" <<'EOS'
#!/bin/sh
case $1 in
deconfig) ip -4 addr flush dev "$interface" ;;
bound|renew)
    echo "$ip $subnet $router $dns" > "$LEASE_FILE"
    ip addr add "$ip/$mask" dev "$interface"
    [ -n "$router" ] && ip route replace default via "$router"
    ;;
esac
exit 0
EOS
    chmod +x "$1"
}

# gn_snoop_setup: the start of a DHCP snooping test: scapy, busybox
# udhcpd, dnsmasq and dhclient, or the test ends (gn_missing); guestnetd
# on the standard config with network db without guestnet's DHCP and with
# the IPv6 subnet 2001:db8:20::/64 (gateway 2001:db8:20::1).
gn_snoop_setup() {
    gn_require_scapy
    gn_require_cmd busybox busybox-static
    busybox udhcpd --help > /dev/null 2>&1 \
        || gn_missing "needs busybox with udhcpd"
    gn_require_cmd dnsmasq dnsmasq-base
    gn_require_cmd dhclient isc-dhcp-client
    gn_guestnetd_setup_edit 'db = cfg["networks"][1]
db["dhcp"] = False
db["subnets"].append("2001:db8:20::/64")
db["gateways"].append("2001:db8:20::1")'
}

# gn_snoop_ports S SVMAC NBMAC NAME=MAC...: the ports of a DHCP snooping
# test in network db: its server port psvS (namespace svS, MAC SVMAC,
# 10.20.0.2, no declared address), a neighbour pnbS (nbS, NBMAC) with
# the declared addresses 10.20.0.50 and 2001:db8:20::50, and a client
# port pNAMES (namespace NAMES, MAC) without addresses for each NAME.
gn_snoop_ports() {
    local s=$1 sv=$2 nb=$3 c
    shift 3
    gn_netns "sv$s"
    "$GUESTNETCTL" port add "psv$s" --kind lxc --network db --netns "sv$s" \
        --mac "$sv" --server > /dev/null
    ip -n "sv$s" addr add 10.20.0.2/24 dev eth0
    gn_lxc_guest "nb$s" "pnb$s" db "$nb" 10.20.0.50 2001:db8:20::50
    for c in "$@"; do
        gn_lxc_guest "${c%%=*}$s" "p${c%%=*}$s" db "${c#*=}"
    done
}

# gn_snoop_ack SRCMAC SRCIP SPORT DSTMAC CHADDR YIADDR LEASE: prints the
# scapy expression of a DHCPACK of YIADDR for LEASE seconds to CHADDR,
# from SRCMAC and SRCIP (its server identifier) and UDP port SPORT to
# DSTMAC (for gn_scapy).
gn_snoop_ack() {
    echo "Ether(src='$1', dst='$4') / IP(src='$2', dst='255.255.255.255')
    / UDP(sport=$3, dport=68)
    / BOOTP(op=2, xid=7, yiaddr='$6', chaddr=mac2str('$5'))
    / DHCP(options=[('message-type', 'ack'), ('server_id', '$2'),
                    ('lease_time', $7), ('subnet_mask', '255.255.255.0'),
                    'end'])"
}

# gn_snoop_udhcpd NS DIR: busybox udhcpd on eth0 in namespace NS (a
# server port of network db, 10.20.0.2), its config, leases and log in
# DIR: leases of 600 s from 10.20.0.100 to 10.20.0.150 (picked from a hash
# of the client's MAC), offered after an ARP ping of 100 ms; killed on
# exit.
gn_snoop_udhcpd() {
    cat > "$2/udhcpd.conf" <<EOC
start 10.20.0.100
end 10.20.0.150
interface eth0
lease_file $2/udhcpd.leases
pidfile $2/udhcpd.pid
option subnet 255.255.255.0
option lease 600
EOC
    touch "$2/udhcpd.leases"
    ip netns exec "$1" busybox udhcpd -f -a 100 "$2/udhcpd.conf" \
        > "$2/udhcpd.log" 2>&1 &
    gn_on_exit "kill $!"
    gn_wait 10 gn_listening_udp "$1" 67 \
        || gn_fail udhcpd-listens "$(cat "$2/udhcpd.log")"
}

# gn_snoop_dnsmasq NS DIR: dnsmasq as DHCPv6 server on eth0 in namespace
# NS (a server port of network db, given 2001:db8:20::2), leases of 600 s
# from 2001:db8:20::100 to 2001:db8:20::150, its files in DIR; killed on
# exit.  Writes DIR/dhclient.script, a dhclient -6 script that configures
# the lease and records it in DIR/NETNS.lease6.
gn_snoop_dnsmasq() {
    ip -n "$1" addr add 2001:db8:20::2/64 dev eth0 nodad
    ip netns exec "$1" dnsmasq --no-daemon --port=0 --conf-file=/dev/null \
        --user=root --interface=eth0 --bind-interfaces \
        --dhcp-range=2001:db8:20::100,2001:db8:20::150,64,600 \
        --dhcp-leasefile="$2/dnsmasq.leases" --pid-file="$2/dnsmasq.pid" \
        > "$2/dnsmasq.log" 2>&1 &
    gn_on_exit "kill $!"
    gn_wait 10 gn_listening_udp "$1" 547 \
        || gn_fail dnsmasq-listens "$(cat "$2/dnsmasq.log")"
    cat > "$2/dhclient.script" <<EOS
#!/bin/sh
lease=$2/\$(ip netns identify).lease6
EOS
    cat >> "$2/dhclient.script" <<'EOS'
case $reason in
BOUND6|RENEW6|REBIND6|REBOOT6)
    echo "$new_ip6_address" > "$lease"
    ip -6 addr replace "$new_ip6_address/64" dev "$interface" nodad
    ;;
esac
exit 0
EOS
    chmod +x "$2/dhclient.script"
}

# gn_config6 FILE [UPLINK]: writes gn_config's config, routed for IPv6
# too: db gets the IPv6 subnet 2001:db8:20::/64 with the gateway
# 2001:db8:20::1 (as web has 2001:db8:10::/64 and 2001:db8:10::1), and a
# second rule web -> db icmp.
gn_config6() {
    gn_config "$@"
    gn_config_edit "$1" '
db = [n for n in cfg["networks"] if n["name"] == "db"][0]
db["subnets"].append("2001:db8:20::/64")
db["gateways"].append("2001:db8:20::1")
cfg["rules"].append({"from": "web", "to": "db", "proto": "icmp"})'
}

GUESTNETD=$GN_BUILDDIR/guestnetd
GUESTNETCTL=$GN_BUILDDIR/guestnetctl

# gn_guestnetd_launch CONFIG [OPTION...]: starts guestnetd in the sandbox's
# namespace (where its devices must live) with its socket, log and pidfile
# in the sandbox folder, and the extra guestnetd OPTIONs (API limits,
# metrics listener, groups), killed on exit; sets GN_GUESTNETD_PID and
# GUESTNET_SOCKET (for guestnetctl).
gn_guestnetd_launch() {
    local config=$1; shift
    export GUESTNET_SOCKET=$GN_SANDBOX_DIR/guestnetd.sock
    ip netns exec "$GN_SANDBOX_NETNS" "$GUESTNETD" --config "$config" \
        --ovsdb "$GN_SANDBOX_DB" --socket "$GUESTNET_SOCKET" \
        --log-file "$GN_SANDBOX_DIR/guestnetd.log" \
        --pidfile "$GN_SANDBOX_DIR/guestnetd.pid" "$@" &
    GN_GUESTNETD_PID=$!
    gn_on_exit "kill $GN_GUESTNETD_PID"
}
# gn_guestnetd_start CONFIG [OPTION...]: gn_guestnetd_launch, then waits
# until it answers /v1/health with 200.
gn_guestnetd_start() {
    gn_guestnetd_launch "$@"
    if ! gn_wait 20 curl -sf --unix-socket "$GUESTNET_SOCKET" \
            http://localhost/v1/health; then
        gn_fail guestnetd-start "guestnetd not healthy within 20 s"
        tail -n 20 "$GN_SANDBOX_DIR/guestnetd.log"
        return 1
    fi
}

# gn_guestnetd_sandbox: the start of a guestnetd test that writes its own
# config: needs root and curl, starts a sandbox and sets GN_CONFIG to the
# config's path in it.
gn_guestnetd_sandbox() {
    gn_require_root
    gn_require_cmd curl curl
    gn_sandbox_start
    GN_CONFIG=$GN_SANDBOX_DIR/guestnet.json
}

# gn_guestnetd_setup [OPTION...]: the usual start of a guestnetd test:
# gn_guestnetd_sandbox, the standard config (gn_config) in $GN_CONFIG and
# guestnetd on it with the guestnetd OPTIONs; ends the test if that fails.
# shellcheck disable=SC2120  # (the tests pass OPTIONs; this file does not)
gn_guestnetd_setup() { gn_guestnetd_setup_edit "" "$@"; }
# gn_guestnetd_setup_edit PYTHON [OPTION...]: the same, with the config
# edited by PYTHON (gn_config_edit) before guestnetd starts.
gn_guestnetd_setup_edit() {
    local edit=$1; shift
    gn_guestnetd_sandbox
    gn_config "$GN_CONFIG"
    [ -z "$edit" ] || gn_config_edit "$GN_CONFIG" "$edit"
    gn_guestnetd_start "$GN_CONFIG" "$@" || gn_done
}

# gn_guestnetd_setup_no_dhcp: gn_guestnetd_setup, then its config without
# DHCP (gn_config_no_dhcp) reloaded; a test failure if that fails.
gn_guestnetd_setup_no_dhcp() {
    gn_guestnetd_setup
    gn_config_no_dhcp "$GN_CONFIG"
    gn_reload || gn_fail reload "the config without DHCP was not applied"
}

# gn_guestnetd_stop [SIGNAL]: stops guestnetd (TERM by default) and waits.
gn_guestnetd_stop() {
    kill -"${1:-TERM}" "$GN_GUESTNETD_PID" 2>/dev/null
    wait "$GN_GUESTNETD_PID" 2>/dev/null
    return 0
}

# gn_api METHOD PATH [BODY]: one API request; prints the body, then a line
# "HTTP NNN".
gn_api() {
    curl -s --unix-socket "$GUESTNET_SOCKET" -X "$1" \
        ${3:+-H 'Content-Type: application/json' --data-binary "$3"} \
        -w '\nHTTP %{http_code}\n' "http://localhost$2"
}

# gn_guestnetd_txns: the number of transactions guestnetd committed to the
# sandbox's database (each carries the comment "guestnetd").
gn_guestnetd_txns() {
    ovsdb-tool show-log "$GN_SANDBOX_DIR/conf.db" | grep -c '"guestnetd"'
}

# gn_openflow FIELD: FIELD of the "openflow" part of guestnetctl's status
# (a number, or True/False).
gn_openflow() {
    timeout 10 "$GUESTNETCTL" --json status \
        | "$GN_PYTHON" -c 'import json, sys
print(json.load(sys.stdin)["openflow"][sys.argv[1]])' "$1"
}

# gn_settled: guestnetd is connected to the switch, which holds the flow
# table guestnetd wants.
gn_settled() {
    local installed
    [ "$(gn_openflow connected)" = True ] || return 1
    installed=$(gn_openflow installed_seqno)
    [ "$installed" -gt 0 ] && [ "$installed" = "$(gn_openflow desired_seqno)" ]
}

# gn_reload: SIGHUP to guestnetd, then waits (5 s at most) until a flow
# table newer than any it wanted before is installed.
gn_reload() {
    local seqno
    seqno=$(gn_openflow desired_seqno)
    kill -HUP "$GN_GUESTNETD_PID"
    gn_wait 5 gn_installed_after "$seqno"
}
gn_installed_after() { [ "$(gn_openflow installed_seqno)" -gt "$1" ]; }

# gn_flows: the bridge's flows, sorted, without counters.
gn_flows() { ovs-ofctl -O OpenFlow15 dump-flows br-int --no-stats | sort; }

# gn_check_restart_unchanged: restarts guestnetd with its config and
# checks that it settles without sending a flow_mod and that the bridge
# holds the flows it held before.
gn_check_restart_unchanged() {
    local flows
    flows=$(gn_flows)
    gn_guestnetd_stop
    gn_guestnetd_start "$GN_CONFIG"
    gn_check "settled-after-restart" gn_wait 10 gn_settled
    gn_check "restart-no-flow-mods" test "$(gn_openflow flow_mods)" = 0
    gn_check "restart-same-flows" gn_same_flows "$flows"
}

# gn_same_flows FLOWS: the bridge holds exactly FLOWS (as gn_flows printed
# them); shows the first differences otherwise.
gn_same_flows() {
    local diff
    diff=$(diff <(echo "$1") <(gn_flows)) && return 0
    head -n 20 <<<"$diff" >&2
    return 1
}

# --- Real packets through the pipeline (tests/pipeline-*.sh).

# Debian's python3, which has python3-scapy (another python3 may come first
# in PATH).
GN_PYTHON=${GN_PYTHON:-/usr/bin/python3}

# gn_mac_flood NS DST_MAC SRC_IP DST_IP FRAMES SRC TAG: NS sends FRAMES
# UDP frames (SRC_IP to DST_IP, port 9, the payload "GN[TAG]") to DST_MAC
# from its eth0 through a raw socket, from source MAC SRC, or with SRC
# "random" from a random unicast MAC each (seeded by the shell's PID), 50
# every 10 ms (5000 a second).
gn_mac_flood() {
    ip netns exec "$1" "$GN_PYTHON" -c "
import random, socket, time
from scapy.all import IP, UDP, Raw
random.seed($$)
dst = bytes.fromhex('$2'.replace(':', ''))
body = bytes.fromhex('0800') + bytes(IP(src='$3', dst='$4')
                                    / UDP(sport=4000, dport=9)
                                    / Raw(b'GN[$7]'))
def src():
    if '$6' != 'random':
        return bytes.fromhex('$6'.replace(':', ''))
    m = random.getrandbits(48) & ~(1 << 40)     # Unicast.
    return m.to_bytes(6, 'big')
frames = [dst + src() + body for _ in range($5)]
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind(('eth0', 0))
start = time.monotonic()
for i in range(0, len(frames), 50):
    for f in frames[i:i + 50]:
        sock.send(f)
    delay = start + (i // 50 + 1) * 0.01 - time.monotonic()
    if delay > 0:
        time.sleep(delay)
"
}

# gn_require_scapy: tcpdump and python3-scapy, or the test ends (see
# gn_missing).
gn_require_scapy() {
    gn_require_cmd tcpdump tcpdump
    "$GN_PYTHON" -c 'import scapy.all' >/dev/null 2>&1 \
        || gn_missing "needs scapy for $GN_PYTHON (apt-get install python3-scapy)"
}

# gn_lxc_guest NS PORT NETWORK MAC [IP...]: a guest namespace NS (removed on
# exit) whose eth0 is the lxc port PORT that guestnetctl adds to NETWORK with
# MAC and the declared addresses IP; returns once the port is ready (its
# flows installed).
gn_lxc_guest() {
    local ns=$1 port=$2 net=$3 mac=$4 ip args=()
    shift 4
    for ip in "$@"; do args+=(--ip "$ip"); done
    gn_netns "$ns"
    "$GUESTNETCTL" port add "$port" --kind lxc --network "$net" \
        --netns "$ns" --mac "$mac" "${args[@]}" >/dev/null
}

# gn_iperf_server NS DIR: an iperf3 server in namespace NS (its pidfile in
# DIR) until the test exits; returns once it listens.
gn_iperf_server() {
    ip netns exec "$1" iperf3 -s -D -I "$2/iperf-$1.pid" >/dev/null
    gn_on_exit "kill \$(cat '$2/iperf-$1.pid') 2>/dev/null"
    gn_wait 5 gn_listening "$1" 5201
}

# gn_iperf NS ADDR SECS [ARGS...]: prints the Mbit/s that ADDR received of
# SECS seconds of iperf3 (TCP, or what ARGS say) from NS, after a first
# second left out (slow start, and the full bucket a meter starts with);
# 0 if it failed.
gn_iperf() {
    local ns=$1 addr=$2 secs=$3
    shift 3
    ip netns exec "$ns" iperf3 -c "$addr" -t "$secs" -O 1 -J "$@" \
            2>/dev/null \
        | "$GN_PYTHON" -c 'import json, sys
try:
    d = json.load(sys.stdin)["end"]
    s = d.get("sum_received") or d["sum"]
    print("%.1f" % (s["bits_per_second"] / 1e6))
except Exception:
    print("0")'
}

# gn_ofport IFACE: the OpenFlow port number of IFACE on the bridge.
gn_ofport() { ovs-vsctl get Interface "$1" ofport; }

# gn_pipeline_guest NAME NETWORK MAC [IP...]: the lxc guest NAME of a
# pipeline test (gn_lxc_guest): namespace NAME$s, port pNAME$s (the test
# sets s=$$); sets the variables NAME to MAC and pNAME to the port's
# ofport.
gn_pipeline_guest() {
    local name=$1 net=$2 mac=$3
    shift 3
    gn_lxc_guest "$name$s" "p$name$s" "$net" "$mac" "$@"
    printf -v "$name" '%s' "$mac"
    printf -v "p$name" '%s' "$(gn_ofport "p$name$s")"
}

# gn_ipf FIELD: the value of FIELD ("num frag", "v4 frags completed", ...)
# in the userspace datapath's reassembly status (dpctl/ipf-get-status).
gn_ipf() {
    ovs-appctl dpctl/ipf-get-status | sed -n "s/.*$1: //p"
}

# gn_pipeline_guests [-6] NAME...: the standard guests NAME, made by
# gn_pipeline_guest: wa and wb in web (52:54:00:10:00:11 and :12, declaring
# 10.10.0.11 and .12, with -6 also 2001:db8:10::11 and ::12), da in db
# (52:54:00:20:00:11, 10.20.0.11).
gn_pipeline_guests() {
    local v6=false name spec net mac ip4 ip6
    if [ "$1" = -6 ]; then
        v6=true
        shift
    fi
    for name in "$@"; do
        case $name in
            wa) spec="web 52:54:00:10:00:11 10.10.0.11 2001:db8:10::11" ;;
            wb) spec="web 52:54:00:10:00:12 10.10.0.12 2001:db8:10::12" ;;
            da) spec="db 52:54:00:20:00:11 10.20.0.11" ;;
            *) gn_fail setup "no standard guest $name"; gn_done ;;
        esac
        read -r net mac ip4 ip6 <<<"$spec"
        $v6 || ip6=
        gn_pipeline_guest "$name" "$net" "$mac" "$ip4" ${ip6:+"$ip6"}
    done
}

# gn_tcp_serve NS PORT DIR: a TCP server in NS on PORT, IPv4 and IPv6,
# that appends each connection's first line to DIR/NS-PORT.in and answers
# "pong-PORT"; returns once it listens (stopped on exit).  gn_tcp_call NS
# IP PORT: sends "ping-PORT" to IP:PORT from NS and prints the answer
# (fails, with a line on stderr, if no connection within 3 s).
gn_tcp_serve() {
    ip netns exec "$1" "$GN_PYTHON" -c '
import socket, sys
port, log = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", port))
s.listen(8)
while True:
    c, _ = s.accept()
    c.settimeout(5)
    try:
        line = c.makefile("rb").readline()
        with open(log, "ab") as f:
            f.write(line)
        c.sendall(b"pong-%d\n" % port)
    except OSError:
        pass
    c.close()
' "$2" "$3/$1-$2.in" &
    gn_on_exit "kill $!"
    gn_wait 5 gn_listening "$1" "$2"
}
gn_tcp_call() {
    ip netns exec "$1" "$GN_PYTHON" -c '
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
    c.sendall(b"ping-%s\n" % sys.argv[2].encode())
    sys.stdout.write(c.makefile().readline())
except OSError as e:
    sys.exit("%s port %s: %s" % (sys.argv[1], sys.argv[2], e))
' "$2" "$3"
}

# gn_rule_servers WEB DB DIR: the TCP servers of the routing tests
# (gn_tcp_serve, answers kept in DIR): the database guest DB on 3306 (the
# rule's port) and 22 (no rule), the web guest WEB on 8080 (no rule back).
gn_rule_servers() {
    gn_tcp_serve "$2" 3306 "$3"
    gn_tcp_serve "$2" 22 "$3"
    gn_tcp_serve "$1" 8080 "$3"
}

# gn_dad_done NS...: waits (10 s at most) until no IPv6 address of each
# NS is tentative (duplicate address detection over); a test failure for
# each NS where one still is.
gn_no_tentative__() { [ -z "$(ip -n "$1" -6 addr show tentative)" ]; }
gn_dad_done() {
    local ns
    for ns in "$@"; do
        gn_wait 10 gn_no_tentative__ "$ns" \
            || gn_fail "dad-$ns" "addresses of $ns still tentative"
    done
}

# gn_capture_start NS...: captures every frame arriving at eth0 in each
# namespace NS (tcpdump, into $GN_CAPDIR/NS.pcap, a private folder if
# unset) until gn_capture_stop.  Immediate mode: otherwise the frames of
# the last second may still sit in the kernel's ring when tcpdump stops.
gn_capture_pids=()
gn_capture_start() {
    local ns
    if [ -z "${GN_CAPDIR:-}" ]; then
        gn_tmpdir GN_CAPDIR
    fi
    for ns in "$@"; do
        ip netns exec "$ns" tcpdump -i eth0 --immediate-mode -U -n \
            -w "$GN_CAPDIR/$ns.pcap" \
            2> "$GN_CAPDIR/$ns.err" &
        gn_capture_pids+=($!)
        gn_on_exit "kill $!"
    done
    for ns in "$@"; do
        gn_wait 5 grep -q 'listening on' "$GN_CAPDIR/$ns.err" || return 1
    done
}
# gn_capture_stop: stops all captures once frames in flight have arrived.
gn_capture_stop() {
    sleep 0.5
    kill -INT "${gn_capture_pids[@]}" 2>/dev/null
    wait "${gn_capture_pids[@]}" 2>/dev/null
    gn_capture_pids=()
}
# gn_captured NS TAG: true if the capture in NS holds a frame marked TAG.
gn_captured() { grep -qaF "GN[$2]" "$GN_CAPDIR/$1.pcap"; }
# gn_captured_as NS FILTER PATTERN: true if a frame of the capture in NS
# that the tcpdump FILTER selects shows PATTERN in "tcpdump -e -v -n".
gn_captured_as() {
    tcpdump -r "$GN_CAPDIR/$1.pcap" -e -v -n "$2" 2>/dev/null \
        | grep -q -- "$3"
}

# gn_check_seen NAME NS TAG / gn_check_unseen NAME NS TAG: PASS if the
# frame marked TAG did / did not reach NS.
gn_check_seen() {
    if gn_captured "$2" "$3"; then gn_pass "$1"
    else gn_fail "$1" "frame $3 did not reach $2"; fi
}
gn_check_unseen() {
    if gn_captured "$2" "$3"; then gn_fail "$1" "frame $3 reached $2"
    else gn_pass "$1"; fi
}

# gn_scapy NS CODE: runs the python CODE with scapy in namespace NS.  CODE
# may use mark(TAG), a payload that gn_captured finds; ndmark(TAG), the
# same as an IPv6 neighbour discovery option of an unknown type (which OVS
# parses past); udp4(SRC, DST, IPSRC, IPDST, TAG), a frame from MAC SRC to
# DST with an IPv4 UDP datagram to port 9 marked TAG; and tx(FRAME...),
# which sends the frames on eth0.
gn_scapy() {
    ip netns exec "$1" "$GN_PYTHON" -c "
from scapy.all import *
conf.verb = 0
def mark(tag):
    return Raw(b'GN[' + tag.encode() + b']')
def ndmark(tag):
    b = b'GN[' + tag.encode() + b']'
    b += bytes(-(len(b) + 2) % 8)
    return Raw(bytes([200, (len(b) + 2) // 8]) + b)
def udp4(src, dst, ipsrc, ipdst, tag):
    return (Ether(src=src, dst=dst) / IP(src=ipsrc, dst=ipdst)
            / UDP(dport=9) / mark(tag))
def tx(*frames):
    sendp(list(frames), iface='eth0')
$2"
}

# gn_learn NS PORT MAC ADDR...: the guest in NS (port PORT, MAC) sends a
# UDP datagram from each ADDR (IPv4 or IPv6) to the broadcast or
# all-nodes address, so that a port of a network where nothing assigns
# addresses takes them on first use; waits until the API lists them all
# among the port's ips and the switch has the port's allow flow of each
# (false if not within 10 s).
gn_learn() {
    local ns=$1 port=$2 mac=$3 a frames=""
    shift 3
    for a in "$@"; do
        case $a in
            *:*) frames+="Ether(src='$mac', dst='33:33:00:00:00:01')
                 / IPv6(src='$a', dst='ff02::1') / UDP(dport=9), " ;;
            *) frames+="Ether(src='$mac', dst='ff:ff:ff:ff:ff:ff')
                / IP(src='$a', dst='255.255.255.255') / UDP(dport=9), " ;;
        esac
    done
    gn_scapy "$ns" "tx($frames)"
    gn_wait 10 bash -c "curl -s --unix-socket '$GUESTNET_SOCKET' \
        http://localhost/v1/ports/$port | '$GN_PYTHON' -c '
import json, sys
ips = json.load(sys.stdin).get(\"ips\") or []
sys.exit(0 if all(a in ips for a in sys.argv[1:]) else 1)' $*" || return 1
    local ofport
    ofport=$(gn_ofport "$port")
    for a in "$@"; do
        gn_wait 10 bash -c "ovs-ofctl -O OpenFlow15 dump-flows br-int \
            table=1 | grep 'in_port=$ofport' | grep -q 'src=$a actions'" \
            || return 1
    done
}

# gn_check_ll_claim NS MAC OWN OWNED OWNER_MAC WITNESS VICTIM VICTIM_MAC
# VICTIM_LL: the guest in NS (MAC, its link-local address OWN) claims the
# link-local address OWNED, which the guest with OWNER_MAC holds: a
# duplicate address detection probe for it (which must not reach guest
# WITNESS), unsolicited advertisements of it to guest VICTIM (VICTIM_MAC,
# VICTIM_LL) from OWNED and from OWN, UDP from it to VICTIM, and its
# kernel with it as its only link-local address (no DAD) pinging
# VICTIM_LL; the same frames and pings from OWN are the positive controls,
# which must arrive (NS's kernel has OWN, without DAD, afterwards).  PASS
# each, and that VICTIM's neighbour entry for OWNED keeps OWNER_MAC.
gn_check_ll_claim() {
    local ns=$1 mac=$2 own=$3 owned=$4 owner=$5 witness=$6 victim=$7
    local vmac=$8 vll=$9
    gn_capture_start "$witness" "$victim" \
        || gn_fail capture-start "tcpdump did not start"
    gn_scapy "$ns" "
import socket
def nsma(a):
    m = in6_getnsma(inet_pton(socket.AF_INET6, a))
    return inet_ntop(socket.AF_INET6, m), in6_getnsmac(m)
def dad(tag, tgt):
    ip, mac = nsma(tgt)
    return (Ether(src='$mac', dst=mac) / IPv6(src='::', dst=ip, hlim=255)
            / ICMPv6ND_NS(tgt=tgt) / ndmark(tag))
def na(tag, src, tgt):
    return (Ether(src='$mac', dst='$vmac') / IPv6(src=src, dst='$vll', hlim=255)
            / ICMPv6ND_NA(tgt=tgt, R=0, S=0, O=1)
            / ICMPv6NDOptDstLLAddr(lladdr='$mac') / ndmark(tag))
def udp6(tag, src):
    return (Ether(src='$mac', dst='$vmac') / IPv6(src=src, dst='$vll')
            / UDP(dport=9) / mark(tag))
tx(dad('dad-owned', '$owned'), dad('dad-own', '$own'),
   na('na-owned', '$owned', '$owned'), na('na-own', '$own', '$own'),
   na('na-owned-from-own', '$own', '$owned'),
   udp6('udp-owned', '$owned'), udp6('udp-own', '$own'))
"
    # Its kernel, with OWNED as its only link-local address and its
    # neighbour entry for VICTIM_LL set, pings VICTIM_LL; then from OWN.
    ip -n "$ns" neigh replace "$vll" lladdr "$vmac" dev eth0 nud permanent
    ip -n "$ns" -6 addr flush dev eth0 scope link
    ip -n "$ns" -6 addr add "$owned/64" dev eth0 nodad
    ip netns exec "$ns" ping -6 -c 2 -i 0.3 -W 1 "$vll%eth0" > /dev/null 2>&1
    ip -n "$ns" -6 addr del "$owned/64" dev eth0
    ip -n "$ns" -6 addr add "$own/64" dev eth0 nodad
    ip netns exec "$ns" ping -6 -c 2 -i 0.3 -W 1 "$vll%eth0" > /dev/null 2>&1
    gn_capture_stop
    ip -n "$ns" neigh del "$vll" dev eth0
    gn_check_unseen "dad-for-owned-link-local-dropped" "$witness" dad-owned
    gn_check_seen "dad-for-own-link-local-passes" "$witness" dad-own
    gn_check_unseen "na-for-owned-link-local-dropped" "$victim" na-owned
    gn_check_unseen "na-for-owned-from-own-address-dropped" "$victim" \
        na-owned-from-own
    gn_check_seen "na-for-own-link-local-passes" "$victim" na-own
    gn_check_unseen "traffic-from-owned-link-local-dropped" "$victim" \
        udp-owned
    gn_check_seen "traffic-from-own-link-local-passes" "$victim" udp-own
    gn_check "victim-neighbour-entry-keeps-owners-mac" bash -c "ip -n \
        $victim -6 neigh show $owned | grep -q $owner && ! ip -n $victim \
        -6 neigh show $owned | grep -q $mac"
    gn_check "kernel-echo-from-owned-address-never-arrived" test \
        "$(gn_ll_echoes__ "$victim" "$mac" "$owned")" = 0
    gn_check "kernel-echo-from-own-address-arrives" test \
        "$(gn_ll_echoes__ "$victim" "$mac" "$own")" -gt 0
}
# gn_ll_echoes__ NS MAC ADDR: how many echo requests from MAC and IPv6
# address ADDR the capture in NS holds.
gn_ll_echoes__() {
    tcpdump -nr "$GN_CAPDIR/$1.pcap" \
        "ether src $2 and src host $3 and icmp6 and ip6[40] == 128" \
        2>/dev/null | wc -l
}

# gn_scapy_serve NS FILTER FILE CODE: a server (scapy) in NS: the python
# CODE defines answer(P), called for each frame that eth0 receives and the
# tcpdump FILTER matches; answer may call count() for each frame it sends,
# which writes the number so far to FILE.sent.  Returns once it listens
# (FILE.ready); stopped on exit, or after 30 s.
gn_scapy_serve() {
    ip netns exec "$1" "$GN_PYTHON" -c "
from scapy.all import *
conf.verb = 0
sent = 0
def count():
    global sent
    sent += 1
    open('$3.sent', 'w').write(str(sent))
$4
sn = AsyncSniffer(iface='eth0', filter='$2', prn=answer,
                  started_callback=lambda: open('$3.ready', 'w'))
sn.start()
time.sleep(30)
" &
    gn_on_exit "kill $! 2>/dev/null"
    gn_wait 10 test -f "$3.ready"
}

# gn_scapy_rogue NS FILE ROUNDS PAUSE CODE: a rogue (scapy) in NS, in the
# background: the python CODE defines rogue(I), which sends round I of its
# frames and returns how many; ROUNDS rounds, PAUSE seconds apart, the
# number sent so far written to FILE.sent after each (whole: written
# aside and renamed, so a rogue stopped at any moment leaves a number).
# Returns once it started (FILE.ready), its pid in gn_rogue_pid (stopped
# on exit).
gn_scapy_rogue() {
    ip netns exec "$1" "$GN_PYTHON" -c "
import os
from scapy.all import *
conf.verb = 0
$5
open('$2.ready', 'w')
n = 0
for i in range($3):
    n += rogue(i)
    with open('$2.sent.tmp', 'w') as f:
        f.write(str(n))
    os.replace('$2.sent.tmp', '$2.sent')
    time.sleep($4)
" &
    gn_rogue_pid=$!
    gn_on_exit "kill $gn_rogue_pid 2>/dev/null"
    gn_wait 10 test -f "$2.ready"
}

# gn_dhcp_server NS MAC IP OFFERED FILE [SPORTS]: a DHCP server (scapy)
# in NS, from MAC and IP, answering every DISCOVER and REQUEST it sees with
# OFFERED (mask /24, router IP), from each source port of SPORTS (default
# 67), to the broadcast address and to the client's MAC; counts its
# answers in FILE.sent; returns once it listens (stopped on exit).
gn_dhcp_server() {
    gn_scapy_serve "$1" 'udp and dst port 67' "$5" "
def answer(p):
    if not p.haslayer(DHCP) or p[BOOTP].op != 1:
        return
    kind = dict(o for o in p[DHCP].options if isinstance(o, tuple))
    kind = {1: 'offer', 3: 'ack'}.get(kind.get('message-type'))
    if not kind:
        return
    for sport in [int(x) for x in '${6:-67}'.split()]:
        for dst, ip in ((p.src, '$4'), ('ff:ff:ff:ff:ff:ff',
                                           '255.255.255.255')):
            sendp(Ether(src='$2', dst=dst) / IP(src='$3', dst=ip)
                  / UDP(sport=sport, dport=68)
                  / BOOTP(op=2, xid=p[BOOTP].xid, yiaddr='$4', siaddr='$3',
                          chaddr=p[BOOTP].chaddr, flags=p[BOOTP].flags)
                  / DHCP(options=[('message-type', kind),
                                  ('server_id', '$3'), ('lease_time', 600),
                                  ('subnet_mask', '255.255.255.0'),
                                  ('router', '$3'), 'end']), iface='eth0')
            count()
"
}

# gn_trace_rule FLOW: prints "RULE:OBJECT" for the last flow that
# "ofproto/trace br-int FLOW" went through: the guestnet rule named by its
# cookie (PIPELINE_RULES in include/pipeline.h) and the cookie's object
# (ofport, VLAN, or 0 for the guards all guest ports share).
gn_trace_rule() {
    local cookie gc
    # (The last cookie but guard-count's: a shared guard's drop counted
    # for its port.)
    gc=$(sed -n 's/^ *RULE(GUARD_COUNT, \([0-9]*\),.*/\1/p' \
         "$GN_SRCDIR/include/pipeline.h")
    cookie=$(ovs-appctl ofproto/trace br-int "$1" \
             | sed -n 's/.*, cookie \(0x[0-9a-f]*\)$/\1/p' \
             | grep -v "^$(printf '0x%x' "$gc")[0-9a-f]\{12\}\$" \
             | tail -n 1)
    [ -n "$cookie" ] || return 1
    gn_cookie_rule "$cookie"
}
# gn_cookie_rule COOKIE: prints "RULE:OBJECT" for the COOKIE (0x...) of a
# guestnet flow: the name of the rule in its bits from 48 up
# (PIPELINE_RULES in include/pipeline.h) and the object in its low 32.
gn_cookie_rule() {
    local id=$(( $1 >> 48 ))
    printf '%s:%d\n' "$(sed -n "s/^ *RULE([A-Z_0-9]*, $id, \"\([a-z0-9-]*\)\").*/\1/p" \
        "$GN_SRCDIR/include/pipeline.h")" $(( $1 & 0xffffffff ))
}
# gn_check_trace NAME RULE:OBJECT FLOW: PASS if gn_trace_rule FLOW prints
# RULE:OBJECT.
gn_check_trace() {
    local got
    got=$(gn_trace_rule "$3")
    if [ "$got" = "$2" ]; then gn_pass "$1"
    else gn_fail "$1" "trace of $3 ends in '$got', expected '$2'"; fi
}

# gn_port_is PORT FIELD=VALUE...: GET /v1/ports lists PORT with these
# fields (values as Python prints them: True, None, ['10.0.0.1']); says
# what it has otherwise.
gn_port_is() {
    curl -s --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/ports \
        | "$GN_PYTHON" -c '
import json, sys
want = dict(a.split("=", 1) for a in sys.argv[2:])
for p in json.load(sys.stdin):
    if p["name"] == sys.argv[1]:
        got = {k: str(p.get(k)) for k in want}
        if got == want:
            sys.exit(0)
        print(got, file=sys.stderr)
sys.exit(1)' "$@"
}

# gn_port_field PORT EXPR: prints the Python EXPR of GET /v1/ports/PORT's
# object d.
gn_port_field() {
    curl -s --unix-socket "$GUESTNET_SOCKET" "http://localhost/v1/ports/$1" \
        | "$GN_PYTHON" -c "import json, sys; d = json.load(sys.stdin)
print(($2))"
}
# gn_port_ips_are PORT LIST: the port's addresses, as Python prints the
# list.
gn_port_ips_are() { [ "$(gn_port_field "$1" "d['ips']")" = "$2" ]; }
# gn_snoop KEY [SUBKEY]: prints a counter of the status's "dhcp_snoop"
# (DHCP snooping: engine/engine-snoop.c).
gn_snoop() {
    local sub=${2:-}
    timeout 10 "$GUESTNETCTL" --json status | "$GN_PYTHON" -c "
import json, sys
d = json.load(sys.stdin)['dhcp_snoop']['$1']
print(d['$sub'] if '$sub' else d)"
}
# gn_snoop_refused_grew REASON BEFORE N: the DHCP snooping refusals for
# REASON grew by N since BEFORE.
gn_snoop_refused_grew() {
    [ $(( $(gn_snoop refused "$1") - $2 )) = "$3" ]
}

# gn_port_ready PORT: GET /v1/ports/PORT says the port is ready (bound, not
# quarantined, its flows installed).
gn_port_ready() {
    curl -s --unix-socket "$GUESTNET_SOCKET" "http://localhost/v1/ports/$1" \
        | "$GN_PYTHON" -c 'import json, sys
sys.exit(not json.load(sys.stdin)["ready"])'
}

# gn_listening NS PORT: something in namespace NS listens on TCP PORT.
gn_listening() {
    ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .
}

# gn_listening_udp NS PORT: something in namespace NS has UDP PORT bound.
gn_listening_udp() {
    ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q .
}

# gn_require_lxc: LXC with its busybox template and a static busybox, or
# the test ends (see gn_missing).
gn_require_lxc() {
    gn_require_cmd lxc-create lxc
    gn_require_cmd nsenter util-linux
    [ -x /usr/share/lxc/templates/lxc-busybox ] \
        || gn_missing "needs LXC's busybox template (apt-get install lxc)"
    ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' \
        || gn_missing "needs a static busybox (apt-get install busybox-static)"
}

# --- guestnet as the package installs it, seen by one process tree only.

# gn_package_tree DIR: lays out under DIR the files that libvirt and LXC
# run, at the paths where the Debian package installs them (tests/package.sh
# checks those): usr/bin/guestnetctl (this build's),
# usr/share/guestnet/hooks/libvirt-qemu and lxc-start-host, and libvirt's
# entry etc/libvirt/hooks/qemu.d/guestnet (debian/libvirt-qemu-hook).
gn_package_tree() {
    local d=$1 hooks=$1/usr/share/guestnet/hooks
    install -D -m 755 "$GUESTNETCTL" "$d/usr/bin/guestnetctl"
    install -D -m 755 "$GN_SRCDIR/scripts/hooks/libvirt-qemu" \
        "$hooks/libvirt-qemu"
    install -m 755 "$GN_SRCDIR/scripts/hooks/lxc-start-host" "$hooks/"
    install -D -m 755 "$GN_SRCDIR/debian/libvirt-qemu-hook" \
        "$d/etc/libvirt/hooks/qemu.d/guestnet"
}

# gn_overlay_root DIR: a tmpfs at DIR holding a writable overlay of / at
# DIR/root (its changes in DIR/upper); fails if a mount does.  Run it in a
# mount namespace of its own ("unshare -m"): the mounts go with it.
gn_overlay_root() {
    mkdir -p "$1"
    mount -t tmpfs tmpfs "$1" \
        && mkdir -p "$1/upper" "$1/work" "$1/root" \
        && mount -t overlay overlay \
               -o "lowerdir=/,upperdir=$1/upper,workdir=$1/work" "$1/root"
}

# gn_package_mounts DIR: shell commands that lay DIR/usr over /usr
# (read-only) and DIR/etc over /etc (writable: changes go to DIR/etc.rw),
# DIR's files on top.  Run them in a mount namespace of its own ("unshare
# --mount --propagation private"): its processes see guestnet installed,
# nothing else does, and the mounts go with the namespace's last process.
gn_package_mounts() {
    mkdir -p "$1/etc.rw" "$1/etc.work"
    printf "mount -t overlay gn-usr -o 'lowerdir=%s/usr:/usr' /usr && " "$1"
    printf "mount -t overlay gn-etc -o 'lowerdir=%s/etc:/etc,%s,%s' /etc\n" \
        "$1" "upperdir=$1/etc.rw" "workdir=$1/etc.work"
}

# --- What guestnet leaves behind (tests/fault-*.sh).

# gn_marked_devices: the devices in the sandbox's namespace that carry
# guestnet's owner mark (alias guestnet:...) or the temporary name of a
# veth pair being made (gnvh or gnvp and 11 hex digits), one per line,
# sorted.
gn_marked_devices() {
    ip netns exec "$GN_SANDBOX_NETNS" sh -c 'for d in /sys/class/net/*; do
        case "$(cat "$d/ifalias" 2>/dev/null)" in
        guestnet:*) basename "$d";;
        *) basename "$d" | grep -E "^gnv[hp][0-9a-f]{11}\$";;
        esac
    done' | sort
}
# gn_names_in_use: the device names ports use: every Interface and the
# host-side guest ends of LXC "phys" pairs, sorted.
gn_names_in_use() {
    { ovs-vsctl --bare --columns=name list Interface
      ovs-vsctl --bare --columns=external_ids list Interface \
          | tr ' ' '\n' | sed -n 's/^"\{0,1\}guestnet:peer=//p' \
          | tr -d '"'; } | grep -v '^$' | sort -u
}
# gn_rows_without_device: the Interfaces guestnet made (external_ids
# guestnet:created) whose device is gone, one per line.
gn_rows_without_device() {
    local name
    for name in $(ovs-vsctl --bare --columns=name find Interface \
                  'external_ids:"guestnet:created"="tap"'
                  ovs-vsctl --bare --columns=name find Interface \
                  'external_ids:"guestnet:created"="veth"'); do
        ip netns exec "$GN_SANDBOX_NETNS" test -e "/sys/class/net/$name" \
            || echo "$name"
    done
}

# gn_check_no_orphans: PASS no-orphan-devices if no marked device is left
# without a port, and no-orphan-rows if no port guestnet made is left
# without its device.
gn_check_no_orphans() {
    local orphans missing
    orphans=$(comm -23 <(gn_marked_devices) <(gn_names_in_use))
    [ -z "$orphans" ] || echo "devices without a port: $orphans"
    gn_check "no-orphan-devices" test -z "$orphans"
    missing=$(gn_rows_without_device)
    [ -z "$missing" ] || echo "ports without a device: $missing"
    gn_check "no-orphan-rows" test -z "$missing"
}

# gn_loop_ms FIELD: FIELD of the "loop" part of guestnetd's status: max_ms
# (its largest delay), or blocked_max_ms (that less the time guestnetd
# waited for a CPU, which others hold on a loaded machine; max_ms where
# the system does not tell).
gn_loop_ms() {
    curl -s --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/status \
        | "$GN_PYTHON" -c 'import json, sys
loop = json.load(sys.stdin)["loop"]
v = loop[sys.argv[1]]
print(loop["max_ms"] if v is None else v)' "$1"
}
