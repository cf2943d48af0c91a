#!/bin/bash
# pipeline-l2: networks are isolated (rule 1): unicast, broadcast,
# multicast and unknown unicast reach guests of the sender's network only;
# quarantined and unknown ports send and receive nothing (rule 10).  Real
# frames crafted with scapy, captured on every guest; verdicts checked with
# ofproto/trace.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup
s=$$
gn_pipeline_guests wa wb da
qa=52:54:00:99:00:01 qb=52:54:00:99:00:02

# Two ports others attach: one untagged (quarantined by guestnetd with the
# unused VLAN 4095), one tagged with a VLAN no network has.
gn_guest "qa$s" "pqa$s" 10.10.0.21/24
gn_guest "qb$s" "pqb$s" 10.10.0.22/24
ip -n "qa$s" link set eth0 address $qa
ip -n "qb$s" link set eth0 address $qb
ovs-vsctl add-port br-int "pqa$s" \
    -- set Interface "pqa$s" external_ids:attached-mac=$qa \
    -- add-port br-int "pqb$s" tag=99 \
    -- set Interface "pqb$s" external_ids:attached-mac=$qb
gn_check "untagged-port-quarantined" \
    gn_wait 10 test "$(ovs-vsctl get Port "pqa$s" tag)" = 4095
quarantined() {
    timeout 5 "$GUESTNETCTL" --json port list | "$GN_PYTHON" -c '
import json, sys
sys.exit(not any(p["name"] == sys.argv[1] and p["quarantined"]
                 for p in json.load(sys.stdin)))' "$1"
}
gn_check "unknown-vlan-port-quarantined" gn_wait 10 quarantined "pqb$s"
pqa=$(gn_ofport "pqa$s") pqb=$(gn_ofport "pqb$s")

gn_check "ping-within-network" \
    ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12
# Even told where db's guest is, web's guest cannot reach it.
ip -n "wa$s" neigh replace 10.20.0.11 lladdr $da dev eth0
ip -n "wa$s" route add 10.20.0.0/24 dev eth0
gn_check_fails "no-ping-across-networks-by-mac" \
    ip netns exec "wa$s" ping -c 1 -W 1 10.20.0.11

all="wa$s wb$s da$s qa$s qb$s"
gn_capture_start $all || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
w = '10.10.0.11'
tx(udp4('$wa', '$wb', w, '10.10.0.12', 'uc-web'),
   udp4('$wa', 'ff:ff:ff:ff:ff:ff', w, '10.10.0.255', 'bc-web'),
   Ether(src='$wa', dst='ff:ff:ff:ff:ff:ff')
   / ARP(op=1, hwsrc='$wa', psrc=w, pdst='10.10.0.12') / mark('arp-web'),
   udp4('$wa', '01:00:5e:01:02:03', w, '239.1.2.3', 'mc4-web'),
   Ether(src='$wa', dst='33:33:00:00:00:01')
   / IPv6(src='fe80::5054:ff:fe10:11', dst='ff02::1') / UDP(dport=9)
   / mark('mc6-web'),
   udp4('$wa', '$da', w, '10.20.0.11', 'uc-web-to-db'),
   udp4('$wa', '52:54:00:77:77:77', w, '10.10.0.99', 'unknown-uc-web'),
   udp4('$wa', '$qa', w, '10.10.0.21', 'uc-to-quarantined'),
   udp4('$wa', '$qb', w, '10.10.0.22', 'uc-to-unknown-vlan'))
"
gn_scapy "da$s" "
d = '10.20.0.11'
tx(udp4('$da', 'ff:ff:ff:ff:ff:ff', d, '255.255.255.255', 'bc-db'),
   udp4('$da', '$wa', d, '10.10.0.11', 'uc-db-to-web'),
   udp4('$da', '01:00:5e:01:02:03', d, '239.1.2.3', 'mc4-db'))
"
for q in qa qb; do
    mac=$(eval echo \$$q)
    gn_scapy "$q$s" "
tx(Ether(src='$mac', dst='ff:ff:ff:ff:ff:ff')
   / ARP(op=1, hwsrc='$mac', psrc='10.10.0.99', pdst='10.10.0.11')
   / mark('arp-$q'),
   udp4('$mac', '$wa', '10.10.0.99', '10.10.0.11', 'uc-$q-to-web'),
   udp4('$mac', '01:00:5e:01:02:03', '10.10.0.99', '239.1.2.3', 'mc4-$q'))
"
done
gn_capture_stop

# The captures ran: each sender's own frames are in its capture.
for g in qa qb; do
    gn_check "capture-running-at-$g" gn_captured "$g$s" "mc4-$g"
done
gn_check "capture-running-at-da" gn_captured "da$s" mc4-db
# Rule 1: within a network everything that should pass does ...
for tag in uc-web bc-web arp-web mc4-web mc6-web; do
    gn_check_seen "$tag-reaches-same-network" "wb$s" "$tag"
done
# ... and nothing crosses to another network or to a quarantined port.
for tag in uc-web bc-web arp-web mc4-web mc6-web uc-web-to-db \
           unknown-uc-web; do
    for g in da qa qb; do
        gn_check_unseen "$tag-not-at-$g" "$g$s" "$tag"
    done
done
gn_check_unseen "unknown-unicast-not-flooded" "wb$s" unknown-uc-web
for tag in bc-db uc-db-to-web mc4-db; do
    for g in wa wb qa qb; do
        gn_check_unseen "$tag-not-at-$g" "$g$s" "$tag"
    done
done
# Rule 10: quarantined and unknown ports send nothing and receive nothing.
for q in qa qb; do
    for tag in "arp-$q" "uc-$q-to-web" "mc4-$q"; do
        for g in wa wb da qa qb; do
            [ "$g" = "$q" ] && continue
            gn_check_unseen "$tag-not-at-$g" "$g$s" "$tag"
        done
    done
done
gn_check_unseen "unicast-to-quarantined-dropped" "qa$s" uc-to-quarantined
gn_check_unseen "unicast-to-unknown-vlan-dropped" "qb$s" uc-to-unknown-vlan
flows=$(ovs-ofctl -O OpenFlow15 dump-flows br-int --no-stats)
for p in $pqa $pqb; do
    gn_check "no-flow-outputs-to-quarantined-ofport-$p" \
        bash -c "! grep -qE 'output:$p(,|\$)' <<<'$flows'"
done

# The verdicts, by rule name.
gn_check_trace "trace-unicast-within-network" "l2-unicast:$pwb" \
    "in_port=$pwa,dl_src=$wa,dl_dst=$wb,ip,nw_src=10.10.0.11,nw_dst=10.10.0.12"
gn_check_trace "trace-broadcast-floods-own-network" "l2-flood-chunk:10" \
    "in_port=$pwa,dl_src=$wa,dl_dst=ff:ff:ff:ff:ff:ff,ip,nw_src=10.10.0.11"
gn_check_trace "trace-unicast-across-networks-dropped" "default-drop:3" \
    "in_port=$pwa,dl_src=$wa,dl_dst=$da,ip,nw_src=10.10.0.11"
gn_check_trace "trace-unknown-unicast-dropped" "default-drop:3" \
    "in_port=$pwa,dl_src=$wa,dl_dst=52:54:00:77:77:77,ip,nw_src=10.10.0.11"
gn_check_trace "trace-quarantined-port-dropped" "default-drop:0" \
    "in_port=$pqa,dl_src=$qa,dl_dst=ff:ff:ff:ff:ff:ff"
gn_check_trace "trace-unknown-vlan-port-dropped" "default-drop:0" \
    "in_port=$pqb,dl_src=$qb,dl_dst=$wa"
gn_done
