#!/bin/bash
# pipeline-vlan: frames carrying an 802.1Q tag from a guest's access port
# are dropped, single- and double-tagged (VLAN hopping, rule 6); untagged
# frames pass.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup
s=$$
gn_pipeline_guests wa wb da

gn_capture_start "wb$s" "da$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
u = UDP(dport=9)
tx(Ether(src='$wa', dst='$wb') / IP(src='10.10.0.11', dst='10.10.0.12') / u
   / mark('untagged'),
   Ether(src='$wa', dst='$da') / Dot1Q(vlan=20)
   / IP(src='10.10.0.11', dst='10.20.0.11') / u / mark('tag-20-to-db'),
   Ether(src='$wa', dst='ff:ff:ff:ff:ff:ff') / Dot1Q(vlan=20)
   / IP(src='10.10.0.11', dst='10.20.0.255') / u / mark('tag-20-broadcast'),
   Ether(src='$wa', dst='$wb') / Dot1Q(vlan=10)
   / IP(src='10.10.0.11', dst='10.10.0.12') / u / mark('tag-own-vlan'),
   Ether(src='$wa', dst='$wb') / Dot1Q(vlan=0)
   / IP(src='10.10.0.11', dst='10.10.0.12') / u / mark('priority-tagged'),
   Ether(src='$wa', dst='$da') / Dot1Q(vlan=10) / Dot1Q(vlan=20)
   / IP(src='10.10.0.11', dst='10.20.0.11') / u / mark('double-tag-to-db'),
   Ether(src='$wa', dst='ff:ff:ff:ff:ff:ff', type=0x88a8) / Dot1Q(vlan=20)
   / IP(src='10.10.0.11', dst='10.20.0.255') / u / mark('qinq-broadcast'))
"
gn_capture_stop
gn_check_seen "untagged-frame-passes" "wb$s" untagged
for tag in tag-20-to-db tag-20-broadcast double-tag-to-db qinq-broadcast; do
    gn_check_unseen "$tag-dropped" "da$s" "$tag"
    gn_check_unseen "$tag-not-in-own-network" "wb$s" "$tag"
done
gn_check_unseen "tag-of-own-vlan-dropped" "wb$s" tag-own-vlan
gn_check_unseen "priority-tagged-dropped" "wb$s" priority-tagged
gn_check_trace "trace-tagged-frame" "tagged-frame-drop:$pwa" \
    "in_port=$pwa,dl_src=$wa,dl_dst=$da,dl_vlan=20"
gn_check "ctl-trace-tagged-frame" test "$("$GUESTNETCTL" trace "pwa$s" \
    dl_dst=$da dl_vlan=20 proto=ip | head -n 1)" = "dropped by tagged-frame-drop"
gn_check "ctl-trace-untagged-frame" test "$("$GUESTNETCTL" trace "pwa$s" \
    dl_dst=$wb proto=ip | head -n 1)" = "allowed by l2-unicast"
gn_done
