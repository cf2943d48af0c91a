#!/bin/bash
# bench/flows-per-port.sh: how many OpenFlow flows a guest port costs, on a
# private OVS (userspace datapath): the bridge's flows
# ("ovs-ofctl dump-flows br-int | wc -l") with 1 port of network web and
# with 1 + N, for ports added without addresses (guestnet assigns them an
# IPv4 and an IPv6 address; as bench/port-add.sh adds
# them) and for ports declaring an IPv4 and an IPv6 address.  Prints
# (flows with 1 + N - flows with 1) / N for each.  With "no-dhcp", web
# has "dhcp": false: the ports added without addresses take theirs on
# first use (none here: they send nothing), and each port with addresses
# keeps them from such ports.
#
# Usage: bench/flows-per-port.sh [N] [no-dhcp]
#        (as root, after scripts/build.sh)
# Environment: GN_BUILDDIR (default: the source tree).
set -u
N=${1:-100}
DHCP=${2:-dhcp}
[ "$N" -le 200 ] || { echo "N at most 200 (one /24)"; exit 1; }
case $DHCP in
    dhcp|no-dhcp) ;;
    *) echo "usage: $0 [N] [no-dhcp]"; exit 1 ;;
esac
GN_TEST_NAME=bench-flows-per-port
. "$(dirname "$0")/lib.sh"
gn_require_root
gn_require_cmd curl curl

gn_sandbox_start
cfg=$GN_SANDBOX_DIR/guestnet.json
gn_config "$cfg"
[ "$DHCP" = dhcp ] || gn_config_no_dhcp "$cfg"
gn_guestnetd_start "$cfg" || exit 1
nflows() { ovs-ofctl -O OpenFlow15 dump-flows br-int | grep -c cookie=; }
# add PREFIX FIRST LAST DECLARE: adds ports PREFIXi, i in [FIRST, LAST],
# with addresses if DECLARE is "yes", and waits until their flows are in.
add() {
    local i body
    for ((i = $2; i <= $3; i++)); do
        body="{\"name\":\"$1$i\",\"kind\":\"kvm\",\"network\":\"web\""
        if [ "$4" = yes ]; then
            body+=",\"ips\":[\"10.10.0.$((i + 10))\","
            body+="\"2001:db8:10::$(printf %x $((i + 10)))\"]"
        fi
        echo "$body}"
    done > "$GN_SANDBOX_DIR/adds.json"
    "$GN_BUILDDIR/bench/api-load" post "$GUESTNET_SOCKET" /v1/ports 8 \
        < "$GN_SANDBOX_DIR/adds.json" > /dev/null || exit 1
    gn_wait 60 gn_settled || { echo "flows not installed"; exit 1; }
}
rc=0
for declare in no yes; do
    p=u
    [ $declare = no ] || p=d
    add $p 1 1 $declare
    one=$(nflows)
    add $p 2 $((N + 1)) $declare
    many=$(nflows)
    printf '%-26s 1 port: %6d flows, %4d ports: %6d flows, %5.1f per port\n' \
        "$([ $declare = yes ] && echo 'declared IPv4 and IPv6' \
           || { [ "$DHCP" = dhcp ] && echo 'assigned addresses' \
                || echo 'taking on first use'; })" "$one" $((N + 1)) "$many" \
        "$(python3 -c "print(($many - $one) / $N)")"
    for ((i = 1; i <= N + 1; i++)); do
        curl -s --unix-socket "$GUESTNET_SOCKET" -X DELETE \
            "http://localhost/v1/ports/$p$i" > /dev/null
    done
    gn_wait 60 gn_settled
done
exit $rc
