#!/bin/bash
# pipeline-scale: with 1000 guest ports on the bridge, adding one more sends
# only the flows that differ: that port's own and the flood flow of the
# chunk of its network that now includes it; a broadcast from it still
# reaches every other port of the network, in every chunk.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

# (1000 adopted ports do not fit web's /24: no address assignment here,
# they use web's subnets as ports without addresses do where guestnet
# serves no DHCP.)
gn_guestnetd_setup_edit 'for n in cfg["networks"]: n["dhcp"] = False'
s=$$
N=1000
ns=$GN_SANDBOX_NETNS

# settled N: more than N flows installed, and the table guestnetd wants.
settled() {
    [ "$(gn_openflow installed_flows)" -gt "$1" ] \
        && [ "$(gn_openflow installed_seqno)" \
             = "$(gn_openflow desired_seqno)" ]
}

# N tap devices (no dummy module here), attached as adopted ports of web (tag and attached-mac,
# as libvirt would) in ONE ovs-vsctl transaction.
for i in $(seq 1 $N); do
    echo "tuntap add dev d$s-$i mode tap"
done > "$GN_SANDBOX_DIR/links"
ip -n "$ns" -batch "$GN_SANDBOX_DIR/links"
args=()
for i in $(seq 1 $N); do
    args+=(-- add-port br-int "d$s-$i" tag=10
           -- set Interface "d$s-$i" \
              "external_ids:attached-mac=52:54:01:00:$(printf '%02x:%02x' \
                  $((i / 256)) $((i % 256)))")
done
start=$(date +%s%N)
ovs-vsctl --timeout=60 "${args[@]}"
gn_check "$N-ports-flows-installed" gn_wait 50 settled $((N * 15))
echo "$N ports attached and their flows installed in" \
     "$(( ($(date +%s%N) - start) / 1000000 )) ms:" \
     "$(gn_openflow installed_flows) flows"

before=$(gn_flows)
mods0=$(gn_openflow flow_mods)
gn_netns "g$s"
gn_check "one-more-port-added" timeout 30 "$GUESTNETCTL" port add "p$s" \
    --kind lxc --network web --netns "g$s" --mac 52:54:00:10:00:11 \
    --ip 10.10.0.11
after=$(gn_flows)
mods=$(( $(gn_openflow flow_mods) - mods0 ))
ofport=$(gn_ofport "p$s")
new=$(comm -13 <(echo "$before") <(echo "$after"))
own=$(grep -cE "in_port=$ofport[, ]|actions=output:$ofport\$" <<<"$new")
echo "one port added to $N: $mods flow_mods; $own flows of its own," \
     "$(wc -l <<<"$new") new or changed"
gn_check "only-new-or-changed-flows-sent" test "$mods" = "$(wc -l <<<"$new")"
# Its own: matching its in_port, output to it, routing to its address
# (route-output, rule 28) or dropping its link-local address and its
# address from the others (link-local-taken-drop, rule 54;
# address-taken-drop, rule 56), cookie object its ofport.
route=$(printf 'cookie=0x%x,' $(( (28 << 48) | ofport )))
taken=$(printf 'cookie=0x%x,' $(( (54 << 48) | ofport )))
addr_taken=$(printf 'cookie=0x%x,' $(( (56 << 48) | ofport )))
gn_check "changed-flows-are-its-own-or-its-networks-flood" \
    test "$(grep -vcE "in_port=$ofport[, ]|actions=output:$ofport\$|\
cookie=0x1(0|d)00000000000a,|$route|$taken|$addr_taken" <<<"$new")" = 0
gn_check "its-address-kept-from-undeclared-ports" \
    test "$(grep -c "$addr_taken" <<<"$new")" = 3
gn_check "its-own-flows-sent" test "$own" -gt 10
gn_check "no-other-ports-flows-touched" \
    test "$(comm -23 <(echo "$before") <(echo "$after") \
            | grep -vcE 'cookie=0x1(0|d)00000000000a,')" = 0
# Its network floods through chunks of 64 ofports (table 7): a broadcast
# from it reaches all 1000 other ports of web, whichever chunk they are in.
outputs() {
    ovs-appctl ofproto/trace br-int "arp,in_port=$ofport,\
dl_src=52:54:00:10:00:11,dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,\
arp_spa=10.10.0.11,arp_sha=52:54:00:10:00:11,arp_tpa=10.10.0.99" \
        | sed -n 's/^Datapath actions: //p' | tr ',' '\n' \
        | grep -cE '^[0-9]+$'
}
n_out=$(outputs)
echo "a broadcast from p$s goes out on $n_out ports"
gn_check "broadcast-reaches-every-chunk" test "$n_out" = "$N"
# One flow per chunk of 64 ofports that has a port of web.
chunks=$(ovs-vsctl --bare --columns=ofport list Interface \
         | awk '$1 > 0 && $1 < 65280 { print int($1 / 64) }' | sort -u \
         | wc -l)
gn_check "flood-chunks-in-table-7" test "$(ovs-ofctl -O OpenFlow15 \
    dump-flows br-int table=7 | grep -c 'reg7=')" = "$chunks"
gn_done
