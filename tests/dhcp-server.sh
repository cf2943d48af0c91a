#!/bin/bash
# dhcp-server: guestnet assigns each port without declared addresses one
# of its network's and serves it by DHCP.  A real client, busybox udhcpc,
# gets the port's address, mask, router and DNS servers and then reaches
# its neighbour and the gateway with it; an address other than its lease
# is dropped (the leased one passes); a rogue server in a neighbour (from
# port 67 and from another) reaches nobody and the client's lease is
# guestnet's, while the same server on a port marked as the network's
# server is heard; malformed DHCP gets no answer and breaks nothing (a
# well-formed DISCOVER of the same frames does get its OFFER); "trace"
# names the new rules.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy
gn_require_cmd busybox busybox-static
gn_guestnetd_setup_edit \
    'cfg["networks"][0]["dns"] = ["10.10.0.53", "9.9.9.9"]'
s=$$
dir=$GN_SANDBOX_DIR
wa=52:54:00:10:00:11 wb=52:54:00:10:00:12 sv=52:54:00:10:00:13
gn_lxc_guest "wa$s" "pwa$s" web $wa
gn_lxc_guest "wb$s" "pwb$s" web $wb
pwa=$(gn_ofport "pwa$s")

# port_field PORT EXPR: EXPR of the port's API object d.
port_field() {
    curl -s --unix-socket "$GUESTNET_SOCKET" "http://localhost/v1/ports/$1" \
        | "$GN_PYTHON" -c "import json, sys; d = json.load(sys.stdin)
print($2)"
}
ipa=$(port_field "pwa$s" "[i for i in d['ips'] if ':' not in i][0]")
ipb=$(port_field "pwb$s" "[i for i in d['ips'] if ':' not in i][0]")
echo "# assigned: pwa$s $(port_field "pwa$s" "d['ips']"), pwb$s $ipb"
gn_check "first-free-address-assigned" test "$ipa" = 10.10.0.2
gn_check "next-free-address-assigned" test "$ipb" = 10.10.0.3
gn_check "api-says-assigned" test "$(port_field "pwa$s" \
    "d['ips'] == d['ips_assigned']")" = True
gn_check "eui64-address-assigned" test "$(port_field "pwa$s" \
    "'2001:db8:10:0:5054:ff:fe10:11' in d['ips']")" = True
gn_check "assigned-in-ovsdb" bash -c "ovs-vsctl get Interface pwa$s \
    external_ids:guestnet\\\\:ips-assigned | grep -q 10.10.0.2"
gn_check "declared-port-not-assigned" bash -c "'$GUESTNETCTL' port add \
    pwc$s --kind kvm --network web --ip 10.10.0.40 >/dev/null && \
    test \"\$(curl -s --unix-socket '$GUESTNET_SOCKET' \
    http://localhost/v1/ports/pwc$s | '$GN_PYTHON' -c 'import json, sys
d = json.load(sys.stdin); print(d[\"ips\"], d[\"ips_assigned\"])')\" = \
    \"['10.10.0.40'] []\""
gn_check "declared-address-of-an-assigned-port-refused" test "$(gn_api \
    POST /v1/ports "{\"name\": \"pwd$s\", \"kind\": \"kvm\",
    \"network\": \"web\", \"ips\": [\"$ipa\"]}" | tail -n 1)" = "HTTP 409"

# The client: its script records what it is given and configures eth0.
gn_udhcpc_script "$dir/udhcpc.script"
# udhcpc_lease NS FILE: udhcpc in NS (3 DISCOVERs, 1 s apart), its lease
# in FILE; prints how long it took in ms.
udhcpc_lease() {
    local t0 rc
    ip -n "$1" -4 addr flush dev eth0
    t0=$(date +%s%N)
    LEASE_FILE=$2 ip netns exec "$1" busybox udhcpc -i eth0 -n -q \
        -t 3 -T 1 -A 1 -s "$dir/udhcpc.script" > /dev/null 2>&1
    rc=$?
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
    return $rc
}

# --- A rogue server in wb answers from 67 and 12345, broadcast and to the
# client's MAC, all the while; the client's own messages never reach it.
gn_scapy_rogue "wb$s" "$dir/rogue" 300 0.02 "
def rogue(i):
    n = 0
    for sport in (12345, 67):
        for dst, ip in (('$wa', '10.10.0.66'), ('ff:ff:ff:ff:ff:ff',
                                                 '255.255.255.255')):
            for kind in ('offer', 'ack'):
                sendp(Ether(src='$wb', dst=dst) / IP(src='$ipb', dst=ip)
                      / UDP(sport=sport, dport=68)
                      / BOOTP(op=2, xid=i, yiaddr='10.10.0.66', siaddr='$ipb',
                              chaddr=mac2str('$wa'))
                      / DHCP(options=[('message-type', kind),
                                      ('server_id', '$ipb'),
                                      ('lease_time', 600),
                                      ('subnet_mask', '255.255.255.0'),
                                      ('router', '$ipb'), 'end']),
                      iface='eth0')
                n += 1
    return n
"
gn_capture_start "wa$s" "wb$s" || gn_fail capture-start "tcpdump did not start"
ms=$(udhcpc_lease "wa$s" "$dir/wa.lease")
rc=$?
gn_capture_stop
kill $gn_rogue_pid 2>/dev/null
echo "# udhcpc in wa$s: lease after $ms ms: $(cat "$dir/wa.lease" 2>/dev/null)"
gn_check "udhcpc-gets-a-lease" test "$rc" = 0
gn_check "lease-is-the-assigned-address" test \
    "$(cut -d' ' -f1 "$dir/wa.lease")" = "$ipa"
gn_check "lease-has-mask-router-dns" test "$(cut -d' ' -f2- \
    "$dir/wa.lease")" = "255.255.255.0 10.10.0.1 10.10.0.53 9.9.9.9"
gn_check "rogue-server-sent" test "$(cat "$dir/rogue.sent")" -ge 8
gn_check "rogue-replies-never-reached-client" test "$(tcpdump -nr \
    "$GN_CAPDIR/wa$s.pcap" "ether src $wb and udp dst port 68" 2>/dev/null \
    | wc -l)" = 0
gn_check "guestnet-answers-reached-client" test "$(tcpdump -nr \
    "$GN_CAPDIR/wa$s.pcap" \
    "ether src 0a:00:00:00:00:0a and udp src port 67" 2>/dev/null \
    | wc -l)" -ge 2
gn_check "client-messages-reach-no-neighbour" test "$(tcpdump -nr \
    "$GN_CAPDIR/wb$s.pcap" "udp dst port 67" 2>/dev/null | wc -l)" = 0
gn_check "no-rogue-address-on-client" bash -c \
    "! ip -n wa$s addr show | grep -q 10.10.0.66"

# --- How fast guestnet answers: 20 DISCOVERs from wb one after the other
# (its DHCP meter, untouched so far, lets a burst of 20 through), each
# timed from sending it to its OFFER arriving.
rtt=$(gn_scapy "wb$s" "
import statistics
conf.checkIPaddr = False
ms = []
for i in range(20):
    p = (Ether(src='$wb', dst='ff:ff:ff:ff:ff:ff')
         / IP(src='0.0.0.0', dst='255.255.255.255') / UDP(sport=68, dport=67)
         / BOOTP(chaddr=mac2str('$wb'), xid=0x7000 + i)
         / DHCP(options=[('message-type', 'discover'), 'end']))
    a = srp1(p, iface='eth0', timeout=2)
    if a and a.haslayer(BOOTP) and a[BOOTP].xid == 0x7000 + i:
        ms.append((a.time - p.sent_time) * 1000)
print(len(ms), '%.2f %.2f' % (statistics.median(ms), max(ms)) if ms else '')
")
echo "# DISCOVER -> OFFER round trips (answered, median ms, max ms): $rtt"
gn_check "every-discover-answered" test "${rtt%% *}" = 20

# --- With its lease the client reaches its neighbour and the gateway.
ip -n "wb$s" -4 addr flush dev eth0
ip -n "wb$s" addr add "$ipb/24" dev eth0
gn_check "ping-neighbour-with-lease" ip netns exec "wa$s" ping -c 1 -W 2 "$ipb"
ip netns exec "wa$s" ping -c 1 -W 1 10.10.0.1 > /dev/null 2>&1
gn_check "gateway-resolved-with-lease" bash -c "ip -n wa$s neigh show \
    10.10.0.1 | grep -q 0a:00:00:00:00:0a"

# --- Another address than the lease is dropped; the leased one passes.
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
tx(udp4('$wa', '$wb', '10.10.0.77', '$ipb', 'other-address'),
   udp4('$wa', '$wb', '10.10.0.3', '$ipb', 'neighbours-address'),
   udp4('$wa', '$wb', '$ipa', '$ipb', 'leased-address'))
"
gn_capture_stop
gn_check_unseen "other-address-dropped" "wb$s" other-address
gn_check_unseen "neighbours-address-dropped" "wb$s" neighbours-address
gn_check_seen "leased-address-passes" "wb$s" leased-address
gn_check_trace "trace-other-address" "ip-spoof-drop:$pwa" \
    "in_port=$pwa,dl_src=$wa,dl_dst=$wb,udp,nw_src=10.10.0.77,nw_dst=$ipb"
discover="in_port=$pwa,dl_src=$wa,dl_dst=ff:ff:ff:ff:ff:ff,udp"
discover+=",nw_src=0.0.0.0,nw_dst=255.255.255.255,udp_src=68,udp_dst=67"
gn_check_trace "trace-dhcp-discover" "dhcp-punt:$pwa" "$discover"
gn_check "guestnetctl-trace-names-dhcp-punt" bash -c "'$GUESTNETCTL' trace \
    pwa$s dl_dst=ff:ff:ff:ff:ff:ff proto=udp nw_src=0.0.0.0 \
    nw_dst=255.255.255.255 tp_src=68 tp_dst=67 \
    | grep -q 'sent to guestnetd by dhcp-punt'"

# --- Malformed DHCP: no answer, no crash; the same frame made whole is
# answered (positive control).
status() {
    timeout 10 "$GUESTNETCTL" --json status | "$GN_PYTHON" -c \
        "import json, sys; print(json.load(sys.stdin)['dhcp']['$1'])"
}
ignored0=$(status ignored)
gn_capture_start "wa$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
import struct
def disc(chaddr='$wa', opts=b'\x35\x01\x01', end=b'\xff', cut=None):
    b = bytes(BOOTP(op=1, xid=0x5151, chaddr=mac2str(chaddr)))
    b = b[:236] + b'\x63\x82\x53\x63' + opts + end
    b = b[:cut] if cut else b
    return (Ether(src='$wa', dst='ff:ff:ff:ff:ff:ff')
            / IP(src='0.0.0.0', dst='255.255.255.255')
            / UDP(sport=68, dport=67) / Raw(b))
tx(disc(opts=b'\x35\x01\x01\x32'),                 # Truncated option.
   disc(opts=b'\x35\x01\x01\x32\xf0\x0a\x00', end=b''),  # Overlong.
   disc(opts=b'\x35\x04\x01\x01\x01\x01'),          # Bad type length.
   disc(chaddr='52:54:00:99:99:99'),                 # Another chaddr.
   disc(cut=200))                                    # Truncated BOOTP.
time.sleep(0.5)
tx(disc())                                           # Well-formed.
"
gn_capture_stop
gn_check "malformed-dhcp-counted-unanswered" gn_wait 5 bash -c \
    "[ \$(( \$('$GUESTNETCTL' --json status | '$GN_PYTHON' -c \
    'import json, sys; print(json.load(sys.stdin)[\"dhcp\"][\"ignored\"])') \
    - $ignored0 )) -ge 5 ]"
gn_check "one-offer-for-the-well-formed-discover" test "$(tcpdump -nr \
    "$GN_CAPDIR/wa$s.pcap" -v "udp src port 67" 2>/dev/null \
    | grep -c 'xid 0x5151')" = 1
gn_check "metrics-count-answers" bash -c "curl -s --unix-socket \
    '$GUESTNET_SOCKET' http://localhost/metrics | grep -q \
    '^guestnet_dhcp_messages_total{answer=\"offer\"} [1-9]'"
gn_check "guestnetd-alive-after-malformed" curl -sf -o /dev/null \
    --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/health

# --- A port marked as the network's server: its offers are taken, as the
# network's DHCP is then its own (guestnet's is off while it is there).
gn_netns "sv$s"
"$GUESTNETCTL" port add "psv$s" --kind lxc --network web --netns "sv$s" \
    --mac $sv --ip 10.10.0.13 --server > /dev/null
gn_check "server-port-not-assigned" test "$(port_field "psv$s" \
    "d['ips_assigned']")" = "[]"
gn_dhcp_server "sv$s" $sv 10.10.0.13 10.10.0.99 "$dir/server"
gn_check "server-port-turns-dhcp-to-the-network" gn_wait 5 bash -c \
    "ovs-ofctl -O OpenFlow15 dump-flows br-int | grep -q 'priority=126'"
udhcpc_lease "wa$s" "$dir/server.lease" > /dev/null
gn_check "lease-from-server-port" test "$(cut -d' ' -f1 \
    "$dir/server.lease" 2>/dev/null)" = 10.10.0.99
# (To the network, not up to guestnetd's server: a copy only, for DHCP
# snooping.)
gn_check "trace-dhcp-to-server" bash -c "'$GUESTNETCTL' trace pwa$s \
    dl_dst=ff:ff:ff:ff:ff:ff proto=udp nw_src=0.0.0.0 \
    nw_dst=255.255.255.255 tp_src=68 tp_dst=67 | grep -qE \
    '^allowed by l2-flood.*, a copy sent to guestnetd by dhcp-client-snoop\$'"
gn_done
