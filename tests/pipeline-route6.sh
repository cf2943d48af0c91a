#!/bin/bash
# pipeline-route6: guestnet routes IPv6 between networks as it routes IPv4.
# The switch answers a guest's neighbour solicitation for its network's
# IPv6 gateway with an advertisement of the gateway MAC (the guest's
# neighbour entry for the gateway holds it); with the rules web -> db
# tcp/3306 and web -> db icmp, a web guest opens TCP to a db guest's IPv6
# address on 3306 and the reply comes back, MACs rewritten and hop limit
# decremented; ping and ping6 in fragments cross too (and a crafted
# fragmented echo; the test prints whether one with a header after the
# fragment header arrives); tcp/22, db -> web
# and ping6 db -> web are dropped; neither
# neighbour discovery nor an expiring hop limit crosses the router; a
# guest's router advertisements and redirects are still dropped.  Each
# drop has a positive control of the same shape.  Real packets between lxc
# guests (python sockets, ping, scapy), verdicts checked with
# ofproto/trace.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy
gn_guestnetd_sandbox
gn_config6 "$GN_CONFIG"
gn_guestnetd_start "$GN_CONFIG" || gn_done
s=$$
gw10=0a:00:00:00:00:0a gw20=0a:00:00:00:00:14
gn_pipeline_guest wa web 52:54:00:10:00:11 10.10.0.11 2001:db8:10::11
gn_pipeline_guest wb web 52:54:00:10:00:12 10.10.0.12 2001:db8:10::12
gn_pipeline_guest da db 52:54:00:20:00:11 10.20.0.11 2001:db8:20::11
gn_tmpdir out
gn_dad_done "wa$s" "wb$s" "da$s"

gn_check "web-guest-routes-ipv6-via-gateway" \
    bash -c "ip -n wa$s -6 route | grep -q 'default via 2001:db8:10::1'"

# --- The gateway answers neighbour solicitations with its MAC, to its
# own network's guests only.
na_reply() {  # na_reply NS MAC IP TARGET: prints the advertisement's fields
    gn_scapy "$1" "
tgt = '$4'
mc = in6_getnsma(inet_pton(socket.AF_INET6, tgt))
ns = (Ether(src='$2', dst=in6_getnsmac(mc))
      / IPv6(src='$3', dst=inet_ntop(socket.AF_INET6, mc), hlim=255)
      / ICMPv6ND_NS(tgt=tgt) / ICMPv6NDOptSrcLLAddr(lladdr='$2'))
r = srp1(ns, iface='eth0', timeout=2, filter='icmp6 and ip6[40] == 136')
if r is not None and ICMPv6ND_NA in r:
    na = r[ICMPv6ND_NA]
    ll = r[ICMPv6NDOptDstLLAddr].lladdr if ICMPv6NDOptDstLLAddr in r else '-'
    print(r.src, r.dst, r[IPv6].src, r[IPv6].dst, r[IPv6].hlim, na.type,
          na.R, na.S, na.O, na.tgt, ll)
"
}
gn_check "ns-for-web-gateway-answered-with-gateway-mac" test \
    "$(na_reply "wa$s" $wa 2001:db8:10::11 2001:db8:10::1)" = \
    "$gw10 $wa 2001:db8:10::1 2001:db8:10::11 255 136 1 1 1 2001:db8:10::1 $gw10"
gn_check "ns-from-link-local-answered" test \
    "$(na_reply "wa$s" $wa fe80::5054:ff:fe10:11 2001:db8:10::1)" = \
    "$gw10 $wa 2001:db8:10::1 fe80::5054:ff:fe10:11 255 136 1 1 1 2001:db8:10::1 $gw10"
gn_check "ns-for-db-gateway-answered-with-its-mac" test \
    "$(na_reply "da$s" $da 2001:db8:20::11 2001:db8:20::1)" = \
    "$gw20 $da 2001:db8:20::1 2001:db8:20::11 255 136 1 1 1 2001:db8:20::1 $gw20"
gn_check "ns-for-other-networks-gateway-unanswered" test -z \
    "$(na_reply "wa$s" $wa 2001:db8:10::11 2001:db8:20::1)"

# --- Connections: the rules' protocols and direction only.
gn_rule_servers "wa$s" "da$s" "$out"
ip -n "wa$s" neigh flush dev eth0
gn_capture_start "wa$s" "da$s" || gn_fail capture-start "tcpdump did not start"
gn_check "web-to-db-3306-over-ipv6" \
    test "$(gn_tcp_call "wa$s" 2001:db8:20::11 3306)" = pong-3306
gn_check "db-got-the-request" grep -qx ping-3306 "$out/da$s-3306.in"
gn_check "gateway-neighbour-entry-has-gateway-mac" bash -c \
    "ip -n wa$s -6 neigh show 2001:db8:10::1 \
     | grep -E -q 'lladdr $gw10 router (REACHABLE|STALE|DELAY|PROBE)'"
gn_check "connection-committed-to-conntrack" bash -c \
    "ovs-appctl dpctl/dump-conntrack zone=1 \
     | grep 'src=2001:db8:10::11,dst=2001:db8:20::11' | grep -q 'dport=3306'"
gn_check "db-22-answers-on-its-host" \
    test "$(gn_tcp_call "da$s" 2001:db8:20::11 22)" = pong-22
gn_check_fails "web-to-db-22-dropped" gn_tcp_call "wa$s" 2001:db8:20::11 22
gn_check "web-8080-reachable-in-its-network" \
    test "$(gn_tcp_call "wb$s" 2001:db8:10::11 8080)" = pong-8080
gn_check_fails "db-to-web-8080-dropped" \
    gn_tcp_call "da$s" 2001:db8:10::11 8080
gn_check "web-can-ping6-db" \
    ip netns exec "wa$s" ping -6 -c 1 -W 2 2001:db8:20::11
gn_check_fails "db-cannot-ping6-web" \
    ip netns exec "da$s" ping -6 -c 1 -W 1 2001:db8:10::11
# Echo in fragments (4000 bytes): its later fragments, which show no
# ICMPv6 type, cross with their first; not the other way either.
gn_check "web-can-ping6-db-in-fragments" \
    ip netns exec "wa$s" ping -6 -c 2 -W 2 -s 4000 2001:db8:20::11
gn_check "web-can-ping-db-in-fragments" \
    ip netns exec "wa$s" ping -c 2 -W 2 -s 4000 10.20.0.11
gn_check_fails "db-cannot-ping6-web-in-fragments" \
    ip netns exec "da$s" ping -6 -c 1 -W 1 -s 4000 2001:db8:10::11

# Crafted frames to the gateway MAC: neighbour discovery, MLD and an
# expiring hop limit do not cross; echo and a hop limit of 2 do.
gn_scapy "wa$s" "
e = Ether(src='$wa', dst='$gw10')
ip = IPv6(src='2001:db8:10::11', dst='2001:db8:20::11')
ip2 = IPv6(src='2001:db8:10::11', dst='2001:db8:20::11', hlim=2)
ip1 = IPv6(src='2001:db8:10::11', dst='2001:db8:20::11', hlim=1)
tx(e / ip / ICMPv6EchoRequest(id=7) / mark('routed-echo'),
   e / ip / ICMPv6ND_NS(tgt='2001:db8:20::11')
   / ICMPv6NDOptSrcLLAddr(lladdr='$wa') / ndmark('routed-ns'),
   e / ip / ICMPv6MLQuery() / mark('routed-mld-query'),
   e / ip2 / TCP(sport=40001, dport=3306, flags='S') / mark('syn-hlim-2'),
   e / ip1 / TCP(sport=40002, dport=3306, flags='S') / mark('syn-hlim-1'))
# An echo in two fragments, and the same with a destination options
# header after the fragment header.
def frags(tag, ident, opts=None):
    p = ip / opts if opts else ip
    data = bytes(p / ICMPv6EchoRequest(id=9) / mark(tag)
                 / Raw(bytes(2000)))[40:]
    return [e / IPv6(src=ip.src, dst=ip.dst) / IPv6ExtHdrFragment(
                nh=60 if opts else 58, offset=off // 8, m=int(off == 0),
                id=ident) / Raw(data[off:off + 1376]) for off in (0, 1376)]
tx(*frags('frag-echo', 0x7701),
   *frags('frag-opts-echo', 0x7702, IPv6ExtHdrDestOpt()))
"
gn_capture_stop
gn_check_seen "crafted-fragmented-echo-routed" "da$s" frag-echo
# The datapath's reassembly (which conntrack needs) does not complete an
# IPv6 datagram with a header after the fragment header: it waits 15 s
# and drops it (README Limitations).
if gn_captured "da$s" frag-opts-echo; then opts=arrives; else opts=held; fi
echo "# measured: routed fragments with options after the fragment" \
    "header: $opts"
gn_check_seen "crafted-echo-routed" "da$s" routed-echo
gn_check_unseen "neighbour-solicitation-not-routed" "da$s" routed-ns
gn_check_unseen "mld-query-not-routed" "da$s" routed-mld-query
gn_check_seen "hop-limit-2-routed" "da$s" syn-hlim-2
gn_check_unseen "expiring-hop-limit-not-routed" "da$s" syn-hlim-1
gn_check "db-gets-web-data-from-db-gateway-mac" gn_captured_as "da$s" \
    "tcp dst port 3306 and src host 2001:db8:10::11" "$gw20 > $da"
gn_check "db-gets-web-data-with-hop-limit-decremented" gn_captured_as "da$s" \
    "tcp dst port 3306 and src host 2001:db8:10::11" "hlim 63,"
gn_check "web-gets-reply-from-web-gateway-mac" gn_captured_as "wa$s" \
    "tcp src port 3306 and src host 2001:db8:20::11" "$gw10 > $wa"
gn_check "web-gets-reply-with-hop-limit-decremented" gn_captured_as "wa$s" \
    "tcp src port 3306 and src host 2001:db8:20::11" "hlim 63,"

# --- A guest's router advertisements and redirects stay dropped; an
# echo of the same shape arrives.
gn_capture_start "wb$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
ll = 'fe80::5054:ff:fe10:11'
m = Ether(src='$wa', dst='33:33:00:00:00:01') / IPv6(src=ll, dst='ff02::1',
                                                      hlim=255)
u = Ether(src='$wa', dst='$wb') / IPv6(src=ll, dst='fe80::5054:ff:fe10:12',
                                       hlim=255)
tx(m / ICMPv6ND_RA() / ICMPv6NDOptSrcLLAddr(lladdr='$wa') / ndmark('ra'),
   m / ICMPv6EchoRequest() / mark('multicast-echo'),
   u / ICMPv6ND_Redirect(tgt='2001:db8:10::99', dst='2001:db8:20::11')
   / ndmark('redirect'),
   u / ICMPv6EchoRequest() / mark('unicast-echo'))
"
gn_capture_stop
gn_check_seen "multicast-echo-from-guest-arrives" "wb$s" multicast-echo
gn_check_unseen "router-advertisement-from-guest-dropped" "wb$s" ra
gn_check_seen "unicast-echo-from-guest-arrives" "wb$s" unicast-echo
gn_check_unseen "redirect-from-guest-dropped" "wb$s" redirect

# --- The verdicts, by rule name.
w="in_port=$pwa,dl_src=$wa,dl_dst=$gw10,ipv6_src=2001:db8:10::11"
gn_check_trace "trace-ns-for-gateway" "gateway-nd:0" \
    "icmp6,in_port=$pwa,dl_src=$wa,dl_dst=33:33:ff:00:00:01,ipv6_src=2001:db8:10::11,ipv6_dst=ff02::1:ff00:1,nw_ttl=255,icmpv6_type=135,icmpv6_code=0,nd_target=2001:db8:10::1,nd_sll=$wa"
gn_check_trace "trace-ns-through-router-dropped" "icmp6-route-drop:0" \
    "icmp6,$w,ipv6_dst=2001:db8:20::11,nw_ttl=255,icmpv6_type=135,icmpv6_code=0,nd_target=2001:db8:20::11,nd_sll=$wa"
gn_check_trace "trace-expiring-hop-limit-dropped" "ttl-expired-drop:0" \
    "tcp6,$w,ipv6_dst=2001:db8:20::11,nw_ttl=1,tp_dst=3306"
gn_check_trace "trace-link-local-destination-dropped" \
    "link-local-route-drop:0" \
    "tcp6,$w,ipv6_dst=fe80::5054:ff:fe20:11,nw_ttl=64,tp_dst=3306"
gn_done
