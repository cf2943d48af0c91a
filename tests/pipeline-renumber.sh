#!/bin/bash
# pipeline-renumber: guest ports that come back from an ovs-vswitchd
# restart with other ofport numbers keep their isolation and their
# connectivity.  While ovs-vswitchd is down, the ofports (and the numbers
# guestnetd asked for) of wa (network web) and da (network db) are
# swapped in OVSDB, which the restarted
# ovs-vswitchd takes as their numbers; then wa and wb ping each other,
# frames from wb to wa reach wa and not da (wa's old number), frames from
# wa to da and from da to wa do not pass, a spoofed MAC from wa (entering
# on da's old number) is dropped, and the flows match no ofport that no
# port has.  Then wb is renumbered while ovs-vswitchd runs
# (ofport_request), and the flows follow it too.  Real OVS, real veths in
# namespaces.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy
gn_guestnetd_setup
s=$$
gn_pipeline_guests wa wb da
gn_check "setup-guests-ping" ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12
gn_wait 10 gn_settled
echo "before: pwa ofport $pwa, pwb $pwb, pda $pda"

# The ofports that flows match (in_port=N) or send to (output:N).
flow_ofports() {
    gn_flows | grep -o -E '(in_port=|output:)[0-9]+' | grep -o -E '[0-9]+$' \
        | sort -un
}
port_ofports() {
    ovs-vsctl --bare --columns=ofport list Interface | grep -E '^[0-9]+$' \
        | sort -un
}
# True if every ofport a flow names is a port's.
flows_name_only_ports() {
    [ -z "$(comm -23 <(flow_ofports) <(port_ofports))" ]
}
swapped() {
    [ "$(gn_ofport "pwa$s")" = "$pda" ] && [ "$(gn_ofport "pda$s")" = "$pwa" ]
}

"$GN_SRCDIR/scripts/gn-sandbox" kill vswitchd "$GN_SANDBOX_DIR"
# (Each asks for its number too, ofport_request, as guestnetd set it: the
# restarted ovs-vswitchd takes the numbers asked for.)
ovs-vsctl --no-wait set Interface "pwa$s" ofport="$pda" ofport_request="$pda" \
    -- set Interface "pda$s" ofport="$pwa" ofport_request="$pwa"
"$GN_SRCDIR/scripts/gn-sandbox" restart vswitchd "$GN_SANDBOX_DIR"
gn_check "ofports-swapped-by-restart" gn_wait 10 swapped
echo "after: pwa ofport $(gn_ofport "pwa$s"), pwb $(gn_ofport "pwb$s")," \
     "pda $(gn_ofport "pda$s")"
gn_check "settles" gn_wait 20 gn_settled
gn_check "flows-name-only-existing-ports" gn_wait 10 flows_name_only_ports
gn_check "wa-pings-wb" gn_wait 10 \
    ip netns exec "wa$s" ping -c 1 -W 1 10.10.0.12
gn_check "wb-pings-wa" ip netns exec "wb$s" ping -c 1 -W 1 10.10.0.11

gn_capture_start "wa$s" "wb$s" "da$s" \
    || gn_fail capture-start "tcpdump did not start"
gn_scapy "wb$s" "
tx(udp4('$wb', '$wa', '10.10.0.12', '10.10.0.11', 'wb-to-wa'))"
gn_scapy "wa$s" "
tx(udp4('$wa', '$wb', '10.10.0.11', '10.10.0.12', 'wa-to-wb'),
   udp4('52:54:00:10:00:99', '$wb', '10.10.0.11', '10.10.0.12', 'wa-spoofed'),
   udp4('$wa', '$da', '10.10.0.11', '10.20.0.11', 'wa-to-da'),
   udp4('$wa', 'ff:ff:ff:ff:ff:ff', '10.10.0.11', '10.10.0.255', 'wa-bcast'))"
gn_scapy "da$s" "
tx(udp4('$da', '$wa', '10.20.0.11', '10.10.0.11', 'da-to-wa'),
   udp4('$da', 'ff:ff:ff:ff:ff:ff', '10.20.0.11', '10.20.0.255', 'da-bcast'))"
gn_capture_stop
gn_check_seen "wb-to-wa-reaches-wa" "wa$s" wb-to-wa
gn_check_unseen "wb-to-wa-not-at-da" "da$s" wb-to-wa
gn_check_seen "wa-to-wb-reaches-wb" "wb$s" wa-to-wb
gn_check_seen "wa-broadcast-reaches-wb" "wb$s" wa-bcast
gn_check_unseen "wa-broadcast-not-at-da" "da$s" wa-bcast
gn_check_unseen "wa-spoofed-dropped" "wb$s" wa-spoofed
gn_check_unseen "wa-to-da-dropped" "da$s" wa-to-da
gn_check_unseen "da-to-wa-dropped" "wa$s" da-to-wa
gn_check_unseen "da-broadcast-not-at-wa" "wa$s" da-bcast
gn_check_unseen "da-broadcast-not-at-wb" "wb$s" da-bcast

# A port renumbered while ovs-vswitchd runs (its ofport_request set by
# someone else): wb moves to ofport 50, and the flows follow.
ovs-vsctl set Interface "pwb$s" ofport_request=50
gn_check "wb-renumbered-live" gn_wait 10 \
    test "$(gn_ofport "pwb$s")" = 50
gn_check "live-settles" gn_wait 20 gn_settled
gn_check "live-flows-name-only-existing-ports" \
    gn_wait 10 flows_name_only_ports
gn_check "live-wa-pings-wb" gn_wait 10 \
    ip netns exec "wa$s" ping -c 1 -W 1 10.10.0.12
gn_capture_start "wa$s" "wb$s" "da$s" \
    || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
tx(udp4('$wa', '$wb', '10.10.0.11', '10.10.0.12', 'live-wa-to-wb'),
   udp4('$wa', '$da', '10.10.0.11', '10.20.0.11', 'live-wa-to-da'))"
gn_scapy "wb$s" "
tx(udp4('$wb', '$wa', '10.10.0.12', '10.10.0.11', 'live-wb-to-wa'),
   udp4('52:54:00:10:00:98', '$wa', '10.10.0.12', '10.10.0.11',
        'live-wb-spoofed'))"
gn_capture_stop
gn_check_seen "live-wa-to-wb-reaches-wb" "wb$s" live-wa-to-wb
gn_check_unseen "live-wa-to-da-dropped" "da$s" live-wa-to-da
gn_check_seen "live-wb-to-wa-reaches-wa" "wa$s" live-wb-to-wa
gn_check_unseen "live-wb-spoofed-dropped" "wa$s" live-wb-spoofed
gn_done
