#!/bin/bash
# guestnetd-adopt: ports attached by others are adopted: libvirt's exact
# ovs-vsctl command for <virtualport type='openvswitch'/> binds to the
# network of its tag with the MAC from attached-mac; LXC's two commands
# (add-port, then set tag) never leave the port trunking every VLAN; ports
# without a known network or a MAC are quarantined, with the reason shown.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
s=$$
in_host() { ip netns exec "$ns" "$@"; }
field() {
    "$GUESTNETCTL" --json port show "$1" | python3 -c \
        "import json,sys; v=json.load(sys.stdin).get('$2'); print(v)"
}

# libvirt: a tap it made, attached with its exact command.
in_host ip tuntap add dev "vnet$s" mode tap
in_host ip link set "vnet$s" up
ovs-vsctl --timeout=5 -- --may-exist add-port br-int "vnet$s" tag=10 \
    -- set Interface "vnet$s" external-ids:attached-mac=52:54:00:cc:00:01 \
    -- set Interface "vnet$s" external-ids:iface-id=0d6c4a5e-iface \
    -- set Interface "vnet$s" external-ids:vm-id=5f6e2a0c-1111-2222-3333-444455556666 \
    -- set Interface "vnet$s" external-ids:iface-status=active
gn_check "libvirt-port-adopted" gn_wait 5 \
    bash -c "'$GUESTNETCTL' port list | grep -q '^vnet$s .*adopted .*web .*bound'"
gn_check "libvirt-port-network" test "$(field vnet$s network)" = web
gn_check "libvirt-port-mac-from-attached-mac" \
    test "$(field vnet$s mac)" = 52:54:00:cc:00:01
gn_check "libvirt-port-vm-id" \
    test "$(field vnet$s vm_id)" = 5f6e2a0c-1111-2222-3333-444455556666
gn_check "libvirt-port-not-quarantined" test "$(field vnet$s quarantined)" = False

# LXC: add-port without a tag first.  The port must not stay a trunk of
# every VLAN: guestnetd gives it the quarantine VLAN at once.
in_host ip link add "lxc$s" type veth peer name "lxc${s}p"
in_host ip link set "lxc$s" up
ovs-vsctl add-port br-int "lxc$s"
gn_check "lxc-untagged-port-quarantined-fast" gn_wait 2 \
    bash -c "[ \"\$(ovs-vsctl get Port lxc$s tag)\" = 4095 ]"
gn_check "lxc-untagged-reason" \
    bash -c "'$GUESTNETCTL' port show lxc$s | grep -q 'without a VLAN tag'"
# ... then LXC's second command sets the tag: the port joins that network
# (and, without a MAC, stays quarantined for port security).
ovs-vsctl set port "lxc$s" vlan_mode=access tag=20
gn_check "lxc-tag-wins" gn_wait 2 \
    bash -c "[ \"\$(ovs-vsctl get Port lxc$s tag)\" = 20 ]"
sleep 0.5
gn_check "lxc-tag-not-overwritten" test "$(ovs-vsctl get Port lxc$s tag)" = 20
gn_check "lxc-without-mac-quarantined" \
    test "$(field lxc$s quarantine_reason)" = \
    "no MAC (external_ids:attached-mac)"
ovs-vsctl set Interface "lxc$s" external-ids:attached-mac=52:54:00:dd:00:02
gn_check "lxc-with-mac-bound" gn_wait 5 \
    bash -c "[ \"\$('$GUESTNETCTL' --json port show lxc$s | python3 -c \
        'import json,sys; print(json.load(sys.stdin)[\"network\"])')\" = db ]"

# A VLAN that is no network of ours: quarantined.
in_host ip link add "unk$s" type veth peer name "unk${s}p"
ovs-vsctl add-port br-int "unk$s" tag=99 \
    -- set Interface "unk$s" external-ids:attached-mac=52:54:00:ee:00:03
gn_check "unknown-vlan-quarantined" gn_wait 5 \
    bash -c "'$GUESTNETCTL' port show unk$s \
             | grep -q 'VLAN is not a configured network'"
gn_check "status-counts-quarantined" \
    bash -c "'$GUESTNETCTL' --json status | grep -q '\"quarantined\": 1'"

# Removing an adopted port removes the OVSDB rows, never the device that
# someone else created.
gn_check "adopted-delete" "$GUESTNETCTL" port del "vnet$s"
gn_check "adopted-device-left-alone" in_host test -d "/sys/class/net/vnet$s"
gn_done
