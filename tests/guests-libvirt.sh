#!/bin/bash
# guests-libvirt: the libvirt hook (scripts/hooks/libvirt-qemu, installed as
# /etc/libvirt/hooks/qemu) run as libvirt runs it, with the domain XML on
# standard input, against a real guestnetd: "prepare begin" makes the ports
# the domain's guestnet metadata declares (tap, VLAN, MAC, addresses,
# vm-id = the domain's UUID), "release end" removes them; a domain without
# the metadata is left alone; a port that cannot be made fails the hook
# (libvirt then refuses to start the domain) and leaves nothing behind.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd python3 python3

gn_guestnetd_setup
ns=$GN_SANDBOX_NETNS
s=$$
hook=$GN_SRCDIR/scripts/hooks/libvirt-qemu
export GUESTNETCTL
uuid=6f1e9a52-4c1b-4b8e-9a43-00000000$(printf %04d $((s % 10000)))
field() {
    "$GUESTNETCTL" --json port show "$1" | python3 -c \
        "import json,sys; v=json.load(sys.stdin).get('$2'); print(v)"
}
# domain NAME NETWORK1 NETWORK2: a domain with two guestnet ports.
domain() {
    cat <<EOX
<domain type='kvm'>
  <name>$1</name>
  <uuid>$uuid</uuid>
  <metadata>
    <guestnet:ports xmlns:guestnet="https://guestnet.invalid/xmlns/ports/1">
      <guestnet:port dev="hw$s" network="$2" ip="10.10.0.51"/>
      <guestnet:port dev="hd$s" network="$3" ip="10.20.0.52"/>
    </guestnet:ports>
  </metadata>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <interface type='ethernet'>
      <target dev='hw$s' managed='no'/>
      <mac address='52:54:00:10:00:51'/>
      <model type='virtio'/>
    </interface>
    <interface type='ethernet'>
      <target dev='hd$s' managed='no'/>
      <mac address='52:54:00:20:00:52'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
EOX
}

# prepare begin: both ports made, as the XML says.
domain vm$s web db > "$GN_SANDBOX_DIR/dom.xml"
gn_check "prepare-begin-ok" \
    "$hook" "vm$s" prepare begin - < "$GN_SANDBOX_DIR/dom.xml"
gn_check "tap-made" ip netns exec "$ns" test -e "/sys/class/net/hw$s/tun_flags"
gn_check "port-network" test "$(field "hw$s" network)" = web
gn_check "port-tag" test "$(ovs-vsctl get Port "hw$s" tag)" = 10
gn_check "port-mac-from-xml" test "$(field "hw$s" mac)" = 52:54:00:10:00:51
gn_check "port-ips-from-metadata" test "$(field "hw$s" ips)" = "['10.10.0.51']"
gn_check "port-vm-id-is-uuid" test "$(field "hw$s" vm_id)" = "$uuid"
gn_check "second-port" test "$(field "hd$s" network)" = db
gn_check "second-port-mac" test "$(field "hd$s" mac)" = 52:54:00:20:00:52
# Operations other than prepare/release change nothing.
for op in "start begin" "started begin" "reconnect begin" "stopped end"; do
    # shellcheck disable=SC2086
    gn_check "no-op-${op// /-}" \
        "$hook" "vm$s" $op - < "$GN_SANDBOX_DIR/dom.xml"
done
gn_check "ports-still-there" test "$("$GUESTNETCTL" port list | grep -c "^h[wd]$s ")" = 2

# release end: both gone, taps too.
gn_check "release-end-ok" \
    "$hook" "vm$s" release end - < "$GN_SANDBOX_DIR/dom.xml"
gn_check "ports-removed" \
    bash -c "! '$GUESTNETCTL' port list | grep -q '^h[wd]$s '"
gn_check "taps-removed" bash -c "! ip netns exec $ns test -e /sys/class/net/hw$s \
    && ! ip netns exec $ns test -e /sys/class/net/hd$s"
gn_check "release-twice-ok" \
    "$hook" "vm$s" release end - < "$GN_SANDBOX_DIR/dom.xml"

# A domain without guestnet metadata: nothing done.
sed '/<metadata>/,/<\/metadata>/d' "$GN_SANDBOX_DIR/dom.xml" \
    > "$GN_SANDBOX_DIR/plain.xml"
gn_check "plain-domain-ok" \
    "$hook" "plain$s" prepare begin - < "$GN_SANDBOX_DIR/plain.xml"
gn_check "plain-domain-no-port" \
    test "$(ovs-vsctl list-ports br-int | wc -l)" = 0

# The second port's network does not exist: the hook fails (libvirt
# refuses to start the domain) and the first port is rolled back.
domain bad$s web nosuchnet > "$GN_SANDBOX_DIR/bad.xml"
out=$("$hook" "bad$s" prepare begin - < "$GN_SANDBOX_DIR/bad.xml" 2>&1)
gn_check "bad-network-fails-hook" test $? != 0
gn_check "bad-network-says-why" grep -q 'no network named "nosuchnet"' <<<"$out"
gn_check "bad-network-rolled-back" \
    test "$(ovs-vsctl list-ports br-int | wc -l)" = 0
gn_check "bad-network-no-tap" \
    bash -c "! ip netns exec $ns test -e /sys/class/net/hw$s"
# Malformed XML fails prepare, but never release.
gn_check_fails "malformed-xml-fails-prepare" \
    bash -c "echo '<domain>' | '$hook' x prepare begin -"
gn_check "malformed-xml-release-ok" \
    bash -c "echo '<domain>' | '$hook' x release end -"
gn_done
