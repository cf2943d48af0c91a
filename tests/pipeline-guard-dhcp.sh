#!/bin/bash
# pipeline-guard-dhcp: a DHCP server in a guest gets no lease to its
# neighbours whatever ports it answers from, and no DHCPv6 reply to them,
# whole or in fragments; the same server on a port marked as its network's
# server does.  The victim runs a real DHCP client, busybox udhcpc; the
# rogue server is scapy answering its DISCOVER and REQUEST from source port
# 12345 (and 67), broadcast and unicast.  DHCPv6 replies are checked where
# a client would read them: a UDP socket on port 546 in the victim.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy
gn_require_cmd busybox busybox-static

gn_guestnetd_setup
s=$$
wa=52:54:00:10:00:11 wb=52:54:00:10:00:12 sv=52:54:00:10:00:13
gn_lxc_guest "wa$s" "pwa$s" web $wa 10.10.0.11 2001:db8:10::11
gn_lxc_guest "wb$s" "pwb$s" web $wb
gn_netns "sv$s"
"$GUESTNETCTL" port add "psv$s" --kind lxc --network web --netns "sv$s" \
    --mac $sv --ip 10.10.0.13 --ip 2001:db8:10::13 --server > /dev/null
pwa=$(gn_ofport "pwa$s")
dir=$GN_SANDBOX_DIR
for ns in "wa$s" "wb$s" "sv$s"; do
    gn_wait 10 bash -c "ip -n $ns -6 addr show dev eth0 | grep -q fe80 \
        && ! ip -n $ns -6 addr show dev eth0 | grep -q tentative" \
        || gn_fail "dad-done-$ns" "addresses of $ns still tentative"
done

# The client's script records the lease it is given.
cat > "$dir/udhcpc.script" <<'EOS'
#!/bin/sh
[ "$1" = bound ] && echo "$ip" > "$LEASE_FILE"
exit 0
EOS
chmod +x "$dir/udhcpc.script"

# rogue NS MAC IP OFFERED TAG: gn_dhcp_server from ports 12345 and 67.
rogue() { gn_dhcp_server "$1" "$2" "$3" "$4" "$dir/$5" "12345 67"; }

# udhcpc_lease FILE: runs udhcpc in wb (3 DISCOVERs, 1 s apart); the leased
# address, if any, lands in FILE.
udhcpc_lease() {
    LEASE_FILE=$1 ip netns exec "wb$s" busybox udhcpc -i eth0 -n -q \
        -t 3 -T 1 -A 1 -s "$dir/udhcpc.script" > /dev/null 2>&1
}

gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
rogue "wa$s" $wa 10.10.0.11 10.10.0.66 rogue
gn_check_fails "no-lease-from-rogue-server" udhcpc_lease "$dir/rogue.lease"
gn_check "rogue-server-answered" test "$(cat "$dir/rogue.sent")" -ge 4
gn_check "no-rogue-lease-written" test ! -e "$dir/rogue.lease"
gn_check "no-rogue-address-on-victim" bash -c \
    "! ip -n wb$s addr show | grep -q 10.10.0.66"

# The same server on the server port leases its address (the rogue one
# still answers alongside).
rogue "sv$s" $sv 10.10.0.13 10.10.0.99 server
gn_check "lease-from-server-port" udhcpc_lease "$dir/server.lease"
gn_check "server-lease-is-servers" test "$(cat "$dir/server.lease")" = \
    10.10.0.99
gn_capture_stop
gn_check "rogue-replies-never-reached-victim" test "$(tcpdump -nr \
    "$GN_CAPDIR/wb$s.pcap" "ether src $wa and udp dst port 68" 2>/dev/null \
    | wc -l)" = 0
gn_check "server-replies-reached-victim" test "$(tcpdump -nr \
    "$GN_CAPDIR/wb$s.pcap" "ether src $sv and udp dst port 68" 2>/dev/null \
    | wc -l)" -ge 4

# DHCPv6: a socket on port 546 (a client's) and one on 5546 in the victim
# record the tags of the datagrams they receive, until "done" comes.
ip netns exec "wb$s" "$GN_PYTHON" -c "
import select, socket
socks = []
for port in (546, 5546):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(('::', port))
    socks.append(s)
open('$dir/v6.ready', 'w')
got = []
while 'done' not in got:
    r, _, _ = select.select(socks, [], [], 20)
    if not r:
        break
    for s in r:
        d = s.recv(65535)
        got.append('%d:%s' % (s.getsockname()[1],
                              d[d.rfind(b'GN[') + 3:-1].decode()
                              if b'GN[' in d else '?'))
        if d.endswith(b'GN[done]'):
            got.append('done')
open('$dir/v6.got', 'w').write(' '.join(got) + ' ')
" &
gn_on_exit "kill $!"
gn_wait 5 test -f "$dir/v6.ready"
gn_scapy "wa$s" "
def v6(mac, src, sport, dport, tag, frag=0):
    p = (IPv6(src=src, dst='fe80::5054:ff:fe10:12')
         / UDP(sport=sport, dport=dport) / Raw(bytes(3000 if frag else 0))
         / mark(tag))
    if not frag:
        return [Ether(src=mac, dst='$wb') / p]
    p = IPv6(bytes(p))
    p = IPv6(src=p.src, dst=p.dst) / IPv6ExtHdrFragment() / p.payload
    return [Ether(src=mac, dst='$wb') / f for f in fragment6(p, frag)]
ll = 'fe80::5054:ff:fe10:11'
tx(*v6('$wa', ll, 547, 546, 'reply-from-547'),
   *v6('$wa', ll, 12345, 546, 'reply-from-12345'),
   *v6('$wa', ll, 547, 546, 'fragmented-reply-from-547', 1280),
   *v6('$wa', ll, 12345, 546, 'fragmented-reply-from-12345', 1280),
   *v6('$wa', ll, 12345, 546, 'tiny-fragmented-reply', 96),
   *v6('$wa', ll, 12345, 5546, 'other-port'),
   *v6('$wa', ll, 12345, 5546, 'fragmented-other-port', 1280))
"
gn_scapy "sv$s" "
ll = 'fe80::5054:ff:fe10:13'
def v6(src, sport, dport, tag, frag=0):
    p = (IPv6(src=src, dst='fe80::5054:ff:fe10:12')
         / UDP(sport=sport, dport=dport) / Raw(bytes(3000 if frag else 0))
         / mark(tag))
    if not frag:
        return [Ether(src='$sv', dst='$wb') / p]
    p = IPv6(bytes(p))
    p = IPv6(src=p.src, dst=p.dst) / IPv6ExtHdrFragment() / p.payload
    return [Ether(src='$sv', dst='$wb') / f for f in fragment6(p, frag)]
tx(*v6(ll, 547, 546, 'server-reply'),
   *v6(ll, 547, 546, 'server-fragmented-reply', 1280))
tx(*v6(ll, 547, 5546, 'done'))
"
gn_wait 10 grep -q done "$dir/v6.got"
got=$(cat "$dir/v6.got")
echo "# victim's sockets received: $got"
for tag in reply-from-547 reply-from-12345 fragmented-reply-from-547 \
           fragmented-reply-from-12345 tiny-fragmented-reply; do
    gn_check "dhcpv6-$tag-not-received" bash -c "[[ '$got' != *':$tag '* ]]"
done
for tag in 5546:other-port 5546:fragmented-other-port 546:server-reply \
           546:server-fragmented-reply; do
    gn_check "udp6-${tag#*:}-received" bash -c "[[ '$got' == *'$tag '* ]]"
done

f="in_port=$pwa,dl_src=$wa,dl_dst=ff:ff:ff:ff:ff:ff,udp,nw_src=10.10.0.11"
gn_check_trace "trace-dhcp-offer-from-other-port" "dhcp-server-drop:0" \
    "$f,udp_src=12345,udp_dst=68"
gn_check_trace "trace-dhcp-client-port-passes" "l2-flood-chunk:10" \
    "$f,udp_src=12345,udp_dst=69"
gn_done
