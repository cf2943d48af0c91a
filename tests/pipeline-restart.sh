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
wa=52:54:00:10:00:11 wb=52:54:00:10:00:12 da=52:54:00:20:00:11
gn_lxc_guest "wa$s" "pwa$s" web $wa 10.10.0.11
gn_lxc_guest "wb$s" "pwb$s" web $wb 10.10.0.12
gn_lxc_guest "da$s" "pda$s" db $da 10.20.0.11
ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12 >/dev/null

# openflow FIELD: a number from guestnetctl's status.
openflow() {
    timeout 5 "$GUESTNETCTL" --json status \
        | "$GN_PYTHON" -c 'import json, sys
print(json.load(sys.stdin)["openflow"][sys.argv[1]])' "$1"
}
settled() {
    [ "$(openflow connected)" = True ] \
        && [ "$(openflow installed_seqno)" -gt 0 ] \
        && [ "$(openflow installed_seqno)" = "$(openflow desired_seqno)" ]
}
flows() { ovs-ofctl -O OpenFlow15 dump-flows br-int --no-stats | sort; }
# same_flows: the bridge holds the flows of $before (else shows the diff).
same_flows() { diff <(echo "$before") <(flows) | head -n 20 >&2; }

# --- guestnetd restart under a ping flood (500 pings a second).
before=$(flows)
ip netns exec "wa$s" ping -q -i 0.002 -c 2500 -W 1 10.10.0.12 \
    > "$GN_SANDBOX_DIR/flood.txt" &
flood=$!
sleep 1
gn_guestnetd_stop TERM
gn_guestnetd_start "$cfg"
gn_check "restarted-guestnetd-settles" gn_wait 10 settled
wait $flood
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' \
       "$GN_SANDBOX_DIR/flood.txt")
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$GN_SANDBOX_DIR/flood.txt")
echo "ping flood through the guestnetd restart: $sent sent, $received received"
gn_check "flood-through-guestnetd-restart-ran" test "${sent:-0}" -ge 2500
gn_check "flood-through-guestnetd-restart-no-loss" \
    test "${received:-0}" = "${sent:-x}"
gn_check "restarted-guestnetd-sends-no-flow-mod" \
    test "$(openflow flow_mods)" = 0
gn_check "flow-table-unchanged-by-restart" same_flows

# --- ovs-vswitchd killed and started again, while wa keeps sending
# frames that must never pass (a spoofed MAC, a unicast into db) and
# frames that must pass once the flows are back.
gn_capture_start "wb$s" "da$s" || gn_fail capture-start "tcpdump did not start"
gn_scapy "wa$s" "
import time
end = time.time() + 8
while time.time() < end:
    tx(Ether(src='52:54:00:10:00:99', dst='$wb')
       / IP(src='10.10.0.11', dst='10.10.0.12') / UDP(dport=9)
       / mark('spoofed-mac'),
       Ether(src='$wa', dst='$da') / IP(src='10.10.0.11', dst='10.20.0.11')
       / UDP(dport=9) / mark('into-db'),
       Ether(src='$wa', dst='ff:ff:ff:ff:ff:ff')
       / IP(src='10.10.0.11', dst='10.10.0.255') / UDP(dport=9)
       / mark('broadcast'),
       Ether(src='$wa', dst='$wb') / IP(src='10.10.0.11', dst='10.10.0.12')
       / UDP(dport=9) / mark('legit'))
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
gn_check "flow-table-restored" gn_wait 2 same_flows
gn_done
