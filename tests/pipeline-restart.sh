#!/bin/bash
# pipeline-restart: restarting guestnetd loses no packet and sends no
# flow_mod; after ovs-vswitchd is killed and started again (empty tables,
# fail_mode=secure) traffic flows again within a second of it being back,
# and no forbidden frame passes meanwhile.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_scapy

gn_guestnetd_setup
cfg=$GN_CONFIG
s=$$
gn_pipeline_guests wa wb da
ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12 >/dev/null

# --- guestnetd restart under a ping flood (500 pings a second).
before=$(gn_flows)
ip netns exec "wa$s" ping -q -i 0.002 -c 2500 -W 1 10.10.0.12 \
    > "$GN_SANDBOX_DIR/flood.txt" &
flood=$!
sleep 1
gn_guestnetd_stop TERM
gn_guestnetd_start "$cfg"
gn_check "restarted-guestnetd-settles" gn_wait 10 gn_settled
wait $flood
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' \
       "$GN_SANDBOX_DIR/flood.txt")
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$GN_SANDBOX_DIR/flood.txt")
echo "ping flood through the guestnetd restart: $sent sent, $received received"
gn_check "flood-through-guestnetd-restart-ran" test "${sent:-0}" -ge 2500
gn_check "flood-through-guestnetd-restart-no-loss" \
    test "${received:-0}" = "${sent:-x}"
gn_check "restarted-guestnetd-sends-no-flow-mod" \
    test "$(gn_openflow flow_mods)" = 0
gn_check "flow-table-unchanged-by-restart" gn_same_flows "$before"

# --- ovs-vswitchd killed and started again, while wa keeps sending
# frames that must never pass (a spoofed MAC, a unicast into db) and
# frames that must pass once the flows are back.
gn_capture_start "wb$s" "da$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
import time
end = time.time() + 8
w = '10.10.0.11'
while time.time() < end:
    tx(udp4('52:54:00:10:00:99', '$wb', w, '10.10.0.12', 'spoofed-mac'),
       udp4('$wa', '$da', w, '10.20.0.11', 'into-db'),
       udp4('$wa', 'ff:ff:ff:ff:ff:ff', w, '10.10.0.255', 'broadcast'),
       udp4('$wa', '$wb', w, '10.10.0.12', 'legit'))
    time.sleep(0.01)
" &
sender=$!
gn_on_exit "kill $sender"
sleep 1
"$GN_SRCDIR/scripts/gn-sandbox" kill vswitchd "$GN_SANDBOX_DIR"
sleep 1
"$GN_SRCDIR/scripts/gn-sandbox" restart vswitchd "$GN_SANDBOX_DIR"
back=$(date +%s%N)
until ip netns exec "wa$s" ping -c 1 -W 0.1 10.10.0.12 >/dev/null; do
    [ $(( $(date +%s%N) - back )) -lt 5000000000 ] || break
done
ms=$(( ($(date +%s%N) - back) / 1000000 ))
echo "traffic flows again $ms ms after ovs-vswitchd is back"
gn_check "traffic-within-1s-of-vswitchd-back" test "$ms" -lt 1000
wait $sender
gn_capture_stop
gn_check_seen "legit-frames-pass-again" "wb$s" legit
gn_check_unseen "no-spoofed-frame-passed-meanwhile" "wb$s" spoofed-mac
gn_check_unseen "no-frame-crossed-networks-meanwhile" "da$s" into-db
gn_check_unseen "no-broadcast-crossed-networks-meanwhile" "da$s" broadcast
gn_check "fail-mode-secure" \
    test "$(ovs-vsctl get Bridge br-int fail_mode)" = secure
gn_check "flow-table-restored" gn_wait 2 gn_same_flows "$before"
gn_done
