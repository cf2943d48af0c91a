#!/bin/bash
# dhcp6-server: guestnet is the IPv6 router and DHCPv6 server of its
# networks.  A real guest (the kernel's IPv6 stack, accept_ra on) whose
# link comes up gets guestnet's router advertisement: a default route via
# the gateway's link-local address, the on-link prefix and no SLAAC
# address; a real DHCPv6 client (ISC dhclient -6) gets the port's assigned
# address and the network's IPv6 DNS servers, and with them the guest
# reaches a neighbour on the link and a guest of another network through
# the gateway.  A rogue router and DHCPv6 server in a neighbour change
# nothing of the client's routes and address (guestnet's advertisement
# and lease are what it has); the same server on a port marked as the
# network's server is heard.  Malformed solicitations and DHCPv6 messages
# get no answer and break nothing (the well-formed one of the same shape
# is answered); periodic advertisements reach guests that ask for none.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy
gn_require_cmd dhclient isc-dhcp-client
gn_require_root
gn_require_cmd curl curl
gn_sandbox_start
GN_CONFIG=$GN_SANDBOX_DIR/guestnet.json
gn_config6 "$GN_CONFIG"
gn_config_edit "$GN_CONFIG" '
web = cfg["networks"][0]
web["dns"] = ["10.10.0.53", "2001:db8:10::53", "2001:4860:4860::8888"]
web["mtu"] = 1400'
gn_guestnetd_start "$GN_CONFIG" || gn_done
s=$$
dir=$GN_SANDBOX_DIR
wa=52:54:00:10:00:11 wb=52:54:00:10:00:12 sv=52:54:00:10:00:13
da=52:54:00:20:00:11
gwmac=0a:00:00:00:00:0a gwll=fe80::800:ff:fe00:a
gn_lxc_guest "wa$s" "pwa$s" web $wa
gn_lxc_guest "wb$s" "pwb$s" web $wb
gn_lxc_guest "da$s" "pda$s" db $da 10.20.0.11 2001:db8:20::11
pwa=$(gn_ofport "pwa$s")
ipa=2001:db8:10:0:5054:ff:fe10:11 ipb=2001:db8:10:0:5054:ff:fe10:12
llb=fe80::5054:ff:fe10:12

status() {
    timeout 10 "$GUESTNETCTL" --json status | "$GN_PYTHON" -c \
        "import json, sys; print(json.load(sys.stdin)['dhcp6']['$1'])"
}
# grew COUNTER BEFORE N: the status counter grew by N or more.
grew() { [ $(( $(status "$1") - $2 )) -ge "$3" ]; }

# The guests as a DHCPv6 client finds them: no global IPv6 address, no
# IPv6 default route (guestnet configures its lxc guests' assigned
# addresses itself); they accept router advertisements.
for ns in "wa$s" "wb$s" "da$s"; do
    ip -n "$ns" -6 addr flush dev eth0 scope global
    ip -n "$ns" -6 route flush proto static
    ip -n "$ns" -6 route del default 2>/dev/null
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.accept_ra=2
done
ip -n "da$s" -6 addr add 2001:db8:20::11/64 dev eth0
gn_dad_done "wa$s" "wb$s" "da$s"

# --- A rogue router and DHCPv6 server in wb, all the while: RAs with a
# prefix to autoconfigure and a default route via wb, from its link-local
# address and from a forged one; DHCPv6 ADVERTISE and REPLY from 547 and
# from another port, offering 2001:db8:10::66.
gn_scapy_rogue "wb$s" "$dir/rogue" 400 0.05 "
duid = DUID_LL(lladdr='$wb')
def rogue(i):
    n = 0
    for src in ('$llb', 'fe80::66'):
        sendp(Ether(src='$wb', dst='33:33:00:00:00:01')
              / IPv6(src=src, dst='ff02::1', hlim=255)
              / ICMPv6ND_RA(routerlifetime=9000, M=0, O=0)
              / ICMPv6NDOptSrcLLAddr(lladdr='$wb')
              / ICMPv6NDOptPrefixInfo(prefix='2001:db8:66::', prefixlen=64,
                                      L=1, A=1), iface='eth0')
        n += 1
    for sport in (547, 12345):
        for kind in (DHCP6_Advertise, DHCP6_Reply):
            sendp(Ether(src='$wb', dst='$wa')
                  / IPv6(src='$llb', dst='fe80::5054:ff:fe10:11')
                  / UDP(sport=sport, dport=546)
                  / kind(trid=i) / DHCP6OptServerId(duid=duid)
                  / DHCP6OptIA_NA(iaid=0, ianaopts=[DHCP6OptIAAddress(
                      addr='2001:db8:10::66', preflft=9000, validlft=9000)])
                  / DHCP6OptDNSServers(dnsservers=['2001:db8:10::66']),
                  iface='eth0')
            n += 1
    return n
"

# --- The guest's link comes up: its kernel solicits, guestnet answers.
ra0=$(status ra_solicited)
gn_capture_start "wa$s" || gn_fail capture-start "tcpdump did not start"
ip -n "wa$s" link set eth0 down
gn_check "no-ipv6-default-route-while-down" test -z \
    "$(ip -n "wa$s" -6 route show default)"
ip -n "wa$s" link set eth0 up
gn_check "default-route-via-gateway-link-local" gn_wait 15 bash -c \
    "ip -n wa$s -6 route show default | grep -q 'via $gwll dev eth0 proto ra'"
gn_check "on-link-prefix-route" gn_wait 5 bash -c \
    "ip -n wa$s -6 route show 2001:db8:10::/64 | grep -q expires"
ip -n "wa$s" -6 route | sed 's/^/# wa: /'
gn_check "rs-answered" test "$(status ra_solicited)" -gt "$ra0"
gn_check "ra-mtu-applied" gn_wait 5 test "$(ip netns exec "wa$s" \
    sysctl -n net.ipv6.conf.eth0.mtu)" = 1400
gn_check "no-slaac-address" test -z \
    "$(ip -n "wa$s" -6 addr show dev eth0 scope global)"

# --- DHCPv6: dhclient gets the port's address and the DNS servers; the
# script records them and adds the address as dhclient-script does (/128:
# the prefix is on-link by the advertisement).
cat > "$dir/dhclient.script" <<EOS
#!/bin/sh
lease=$dir/\$(ip netns identify).lease
EOS
cat >> "$dir/dhclient.script" <<'EOS'
case $reason in
BOUND6|RENEW6|REBIND6|REBOOT6)
    echo "$new_ip6_address $new_dhcp6_name_servers" > "$lease"
    ip -6 addr replace "$new_ip6_address/128" dev "$interface" nodad
    ;;
esac
exit 0
EOS
chmod +x "$dir/dhclient.script"
# dhclient6 NS NAME: dhclient -6 in NS until it has a lease (15 s at
# most), in $dir/NAME.lease; it then goes on in the background.
dhclient6() {
    rm -f "$dir/$1.lease"
    timeout 15 ip netns exec "$1" dhclient -6 -1 -sf "$dir/dhclient.script" \
        -lf "$dir/$2.leases" -pf "$dir/$2.pid" eth0 > "$dir/$2.out" 2>&1
    gn_on_exit "kill \$(cat '$dir/$2.pid' 2>/dev/null) 2>/dev/null"
    cp "$dir/$1.lease" "$dir/$2.lease" 2>/dev/null
}
replies0=$(status replies)
dhclient6 "wa$s" wa
gn_capture_stop
kill $gn_rogue_pid 2>/dev/null
echo "# dhclient in wa$s: $(cat "$dir/wa.lease" 2>/dev/null)"
[ -s "$dir/wa.lease" ] || sed 's/^/# dhclient: /' "$dir/wa.out"
gn_check "dhclient-lease-is-the-assigned-address" test \
    "$(cut -d' ' -f1 "$dir/wa.lease" 2>/dev/null)" = "$ipa"
gn_check "dhclient-lease-has-ipv6-dns" test "$(cut -d' ' -f2- \
    "$dir/wa.lease" 2>/dev/null)" = "2001:db8:10::53 2001:4860:4860::8888"
gn_check "dhcp6-replies-counted" test "$(status replies)" -ge \
    $(( replies0 + 2 ))
gn_check "metrics-count-dhcp6-and-ras" bash -c "curl -s --unix-socket \
    '$GUESTNET_SOCKET' http://localhost/metrics | grep -q \
    '^guestnet_dhcp6_messages_total{answer=\"reply\"} [1-9]' && curl -s \
    --unix-socket '$GUESTNET_SOCKET' http://localhost/metrics | grep -q \
    '^guestnet_router_advertisements_total{kind=\"solicited\"} [1-9]'"
gn_check "rogue-sent" test "$(cat "$dir/rogue.sent")" -ge 20
gn_check "rogue-ra-never-reached-client" test "$(tcpdump -nr \
    "$GN_CAPDIR/wa$s.pcap" "ether src $wb and icmp6" 2>/dev/null \
    | grep -c 'router advertisement')" = 0
gn_check "rogue-dhcp6-never-reached-client" test "$(tcpdump -nr \
    "$GN_CAPDIR/wa$s.pcap" "ether src $wb and udp dst port 546" \
    2>/dev/null | wc -l)" = 0
gn_check "guestnet-ra-reached-client" gn_captured_as "wa$s" \
    "ether src $gwmac and icmp6" "router advertisement"
gn_check "ra-managed-other-flags" gn_captured_as "wa$s" \
    "ether src $gwmac and icmp6" "Flags \[managed, other stateful\]"
gn_check "ra-prefix-on-link-not-autonomous" gn_captured_as "wa$s" \
    "ether src $gwmac and icmp6" \
    "prefix info option.*2001:db8:10::/64, Flags \[onlink\]"
gn_check "no-rogue-route" bash -c "! ip -n wa$s -6 route | grep -q \
    -e 2001:db8:66 -e $llb -e fe80::66"
gn_check "no-rogue-address" bash -c "! ip -n wa$s -6 addr | grep -q \
    -e 2001:db8:66 -e 2001:db8:10::66"
gn_check "only-default-route-is-guestnets" test "$(ip -n "wa$s" -6 route \
    show default | wc -l)" = 1

# --- With its lease the guest reaches its neighbour (on-link) and a db
# guest (routed, via the gateway's link-local address).
dhclient6 "wb$s" wb
ip -n "wb$s" link set eth0 down
ip -n "wb$s" link set eth0 up
ip -n "da$s" link set eth0 down
ip -n "da$s" link set eth0 up
ip -n "da$s" -6 addr replace 2001:db8:20::11/64 dev eth0
gn_dad_done "wb$s" "da$s"
gn_wait 15 bash -c "ip -n wb$s -6 route show default | grep -q $gwll"
gn_check "db-guest-default-route-via-its-gateway" gn_wait 15 bash -c \
    "ip -n da$s -6 route show default | grep -q 'via fe80::800:ff:fe00:14'"
ip -n "wb$s" -6 addr replace "$ipb/128" dev eth0 nodad
gn_check "ping-neighbour-with-lease" ip netns exec "wa$s" ping -6 -c 1 \
    -W 3 "$ipb"
gn_check "neighbour-entry-is-its-mac" bash -c "ip -n wa$s -6 neigh show \
    $ipb | grep -q $wb"
gn_check "ping-db-guest-through-gateway" ip netns exec "wa$s" ping -6 \
    -c 1 -W 3 2001:db8:20::11
gn_check "gateway-link-local-resolved-to-gateway-mac" bash -c \
    "ip -n wa$s -6 neigh show $gwll | grep -q $gwmac"

# --- Malformed router solicitations and DHCPv6 messages: no answer, no
# crash; the well-formed ones of the same shape are answered.
rs_ignored0=$(status rs_ignored) ignored0=$(status ignored)
gn_capture_start "wa$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
lla = 'fe80::5054:ff:fe10:11'
def rs(hlim=255, code=0, opts=b'', src=lla, tag=0):
    return (Ether(src='$wa', dst='33:33:00:00:00:02')
            / IPv6(src=src, dst='ff02::2', hlim=hlim)
            / ICMPv6ND_RS(code=code, res=tag) / Raw(opts))
sll = bytes([1, 1]) + mac2str('$wa')
def d6(body, sport=546, chk=None):
    u = UDP(sport=sport, dport=547) / Raw(body)
    if chk is not None:
        u[UDP].chksum = chk
    return (Ether(src='$wa', dst='33:33:00:01:00:02')
            / IPv6(src=lla, dst='ff02::1:2') / u)
cid = bytes([0, 1, 0, 10, 0, 3, 0, 1]) + mac2str('$wa')   # CLIENTID: DUID-LL
def sol(xid, extra=b'', cid_opt=None):
    c = cid_opt if cid_opt is not None else cid
    return bytes([1]) + xid + c + bytes([0, 3, 0, 12]) + bytes(12) + extra
tx(rs(hlim=64, tag=1),                          # Hop limit not 255.
   rs(opts=bytes([1, 0]) + bytes(6), tag=2),    # Option of length 0.
   rs(opts=sll + sll, tag=3),                   # Two link-layer options.
   rs(opts=bytes([1, 1]) + mac2str('$wb'), tag=4),  # A neighbour's MAC.
   rs(opts=bytes([1, 2]) + bytes(6), tag=5),    # Longer than the message.
   d6(sol(b'\x00\x00\x01')[:10]),               # Truncated option.
   d6(sol(b'\x00\x00\x02', cid_opt=bytes([0, 1, 0, 200]) + bytes(4))),
   d6(sol(b'\x00\x00\x03', extra=bytes([0, 3, 0, 40]) + bytes(12))),
   d6(sol(b'\x00\x00\x04') + cid),              # Two client identifiers.
   d6(bytes([2]) + b'\x00\x00\x05' + cid),      # A server's type.
   d6(sol(b'\x00\x00\x06'), chk=0x1234))        # Bad checksum.
time.sleep(0.5)
tx(rs(opts=sll, tag=9), d6(sol(b'\x00\x00\x07')))   # Well-formed.
"
gn_capture_stop
gn_check "malformed-rs-counted-unanswered" \
    gn_wait 5 grew rs_ignored "$rs_ignored0" 5
gn_check "malformed-dhcp6-counted-unanswered" \
    gn_wait 5 grew ignored "$ignored0" 6
gn_check "one-ra-for-the-well-formed-rs" test "$(tcpdump -nr \
    "$GN_CAPDIR/wa$s.pcap" "ether src $gwmac and icmp6 and ip6[40] == 134" \
    2>/dev/null | wc -l)" = 1
gn_check "one-advertise-for-the-well-formed-solicit" test "$(tcpdump -nr \
    "$GN_CAPDIR/wa$s.pcap" -v "ether src $gwmac and udp src port 547" \
    2>/dev/null | grep -c 'dhcp6 advertise (xid=7[ )]')" = 1
gn_check "guestnetd-alive-after-malformed" curl -sf -o /dev/null \
    --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/health

# --- A flood of router solicitations from wb (3000 in a burst) is held
# by wb's meter: few reach guestnetd, and wa's solicitation meanwhile is
# answered.
pins() {
    timeout 10 "$GUESTNETCTL" --json status | "$GN_PYTHON" -c \
        "import json, sys; print(json.load(sys.stdin)['dhcp']['packet_ins'])"
}
pins0=$(pins)
gn_scapy "wb$s" "
rs = (Ether(src='$wb', dst='33:33:00:00:00:02')
      / IPv6(src='$llb', dst='ff02::2', hlim=255) / ICMPv6ND_RS())
sendp([rs] * 3000, iface='eth0')
" &
flood=$!
gn_check "rs-answered-during-neighbours-flood" test "$(gn_scapy "wa$s" "
r = srp1(Ether(src='$wa', dst='33:33:00:00:00:02')
         / IPv6(src='fe80::5054:ff:fe10:11', dst='ff02::2', hlim=255)
         / ICMPv6ND_RS(), iface='eth0', timeout=3,
         filter='icmp6 and ip6[40] == 134')
print('answered' if r is not None else 'none')
")" = answered
wait $flood
pins1=$(pins)
echo "# 3000 solicitations from wb: $(( pins1 - pins0 )) packet-ins"
gn_check "flood-held-by-meter" test $(( pins1 - pins0 )) -lt 200

# --- trace names the punts.
w="in_port=$pwa,dl_src=$wa,ipv6_src=fe80::5054:ff:fe10:11"
gn_check_trace "trace-rs-punt" "router-solicitation-punt:$pwa" \
    "icmp6,$w,dl_dst=33:33:00:00:00:02,ipv6_dst=ff02::2,nw_ttl=255,\
icmpv6_type=133,icmpv6_code=0"
gn_check_trace "trace-dhcp6-punt" "dhcp6-punt:$pwa" \
    "udp6,$w,dl_dst=33:33:00:01:00:02,ipv6_dst=ff02::1:2,nw_ttl=1,\
udp_src=546,udp_dst=547"
gn_check "guestnetctl-trace-names-rs-punt" bash -c "'$GUESTNETCTL' trace \
    pwa$s dl_dst=33:33:00:00:00:02 proto=icmp6 \
    nw_src=fe80::5054:ff:fe10:11 nw_dst=ff02::2 icmp_type=133 icmp_code=0 \
    | grep -q 'sent to guestnetd by router-solicitation-punt'"
gn_check "guestnetctl-trace-names-ra-drop" bash -c \
    "'$GUESTNETCTL' trace pwa$s dl_dst=33:33:00:00:00:02 proto=icmp6 \
    nw_src=fe80::5054:ff:fe10:11 nw_dst=ff02::2 icmp_type=134 \
    icmp_code=0 | grep -q 'dropped by router-advertisement-drop'"
gn_check_fails "guestnetctl-trace-refuses-icmp-type-of-udp" \
    "$GUESTNETCTL" trace pwa$s proto=udp6 icmp_type=133
gn_check "guestnetctl-trace-names-dhcp6-punt" bash -c "'$GUESTNETCTL' trace \
    pwa$s dl_dst=33:33:00:01:00:02 proto=udp6 nw_src=fe80::5054:ff:fe10:11 \
    nw_dst=ff02::1:2 tp_src=546 tp_dst=547 \
    | grep -q 'sent to guestnetd by dhcp6-punt'"

# --- A port marked as the network's server: its DHCPv6 answer is taken.
gn_netns "sv$s"
"$GUESTNETCTL" port add "psv$s" --kind lxc --network web --netns "sv$s" \
    --mac $sv --ip 10.10.0.13 --ip 2001:db8:10::13 --server > /dev/null
gn_scapy_serve "sv$s" 'udp and dst port 547' "$dir/server" "
duid = DUID_LL(lladdr='$sv')
def answer(p):
    if DHCP6_Solicit in p:
        kind, m = DHCP6_Advertise, p[DHCP6_Solicit]
    elif DHCP6_Request in p:
        kind, m = DHCP6_Reply, p[DHCP6_Request]
    else:
        return
    sendp(Ether(src='$sv', dst=p.src)
          / IPv6(src='fe80::5054:ff:fe10:13', dst=p[IPv6].src)
          / UDP(sport=547, dport=546) / kind(trid=m.trid)
          / DHCP6OptServerId(duid=duid)
          / DHCP6OptClientId(duid=p[DHCP6OptClientId].duid)
          / DHCP6OptIA_NA(iaid=p[DHCP6OptIA_NA].iaid, T1=300, T2=500,
                          ianaopts=[DHCP6OptIAAddress(addr='2001:db8:10::99',
                                    preflft=600, validlft=900)]),
          iface='eth0')
"
gn_wait 5 bash -c "ovs-ofctl dump-flows br-int | grep -q 'dhcp6\|tp_src=546'"
kill "$(cat "$dir/wa.pid")" 2>/dev/null
rm -f "$dir/wa.leases"
dhclient6 "wa$s" wa-server
gn_check "lease-from-server-port" test "$(cut -d' ' -f1 \
    "$dir/wa-server.lease" 2>/dev/null)" = 2001:db8:10::99

# --- Unsolicited advertisements: a guest that sends no solicitation
# (router_solicitations 0 from the start) learns its router all the same.
gn_netns "wc$s"
ip netns exec "wc$s" sysctl -qw net.ipv6.conf.default.router_solicitations=0
ip netns exec "wc$s" sysctl -qw net.ipv6.conf.default.accept_ra=2
solicited0=$(status ra_solicited) periodic0=$(status ra_periodic)
"$GUESTNETCTL" port add "pwc$s" --kind lxc --network web --netns "wc$s" \
    --mac 52:54:00:10:00:14 > /dev/null
ip -n "wc$s" -6 route del default 2>/dev/null
gn_check "unsolicited-ra-gives-default-route" gn_wait 30 bash -c \
    "ip -n wc$s -6 route show default | grep -q 'via $gwll'"
gn_check "unsolicited-ras-counted" test "$(status ra_periodic)" -gt \
    "$periodic0"
gn_check "no-solicitation-answered-meanwhile" test "$(status ra_solicited)" \
    = "$solicited0"
gn_done
