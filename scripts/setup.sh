#!/bin/bash
# setup.sh: installs the Debian 12 packages guestnet needs to build, test and
# run its demo, then builds libopenvswitch once (scripts/build-ovs.sh).
# Safe to run again: packages already installed are not asked for.
#
# Usage: scripts/setup.sh         (as root)
# Prints, as its last line, the configure arguments for libopenvswitch.
set -euo pipefail

packages=(
    # build
    gcc make autoconf automake libtool pkg-config binutils python3
    # the fuzz targets (scripts/fuzz.sh, tests/fuzz-smoke.sh)
    clang libclang-rt-14-dev
    libevent-dev libjansson-dev libnl-3-dev libnl-route-3-dev
    # Open vSwitch: the daemons the tests run privately, and the source
    # that libopenvswitch is built from
    openvswitch-switch openvswitch-common openvswitch-source
    # test guests and packet tools
    iproute2 iputils-ping ethtool netcat-openbsd tcpdump iperf3 python3-scapy
    curl procps psmisc coreutils
    # a real DHCPv6 client (tests/dhcp6-server.sh: dhclient -6) and
    # server (tests/dhcp-snoop.sh: dnsmasq as a network's own)
    isc-dhcp-client dnsmasq-base
    # real guests (tests/guests-*.sh, the demo): QEMU under TCG, LXC with
    # its busybox template, and what the guest initramfs is made with
    qemu-system-x86 lxc busybox-static cpio gzip xz-utils zstd util-linux
    # real libvirt (tests/guests-libvirtd.sh starts a private libvirtd; the
    # package's own system daemon is never started here)
    libvirt-daemon-system libvirt-clients
    # the Debian package (tests/package.sh) and the systemd unit
    # (tests/systemd-unit.sh: systemd-analyze; tests/systemd-boot.sh:
    # systemd-nspawn)
    dpkg-dev debhelper fakeroot lintian systemd systemd-container
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup: missing packages: ${missing[*]}" >&2
        echo "setup: run as root to install them" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # Installing openvswitch-switch must not start a system-wide OVS next to
    # the private ones: keep package scripts from starting services.
    policy=/usr/sbin/policy-rc.d
    created_policy=no
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' > $policy
        chmod +x $policy
        created_policy=yes
    fi
    apt-get install -y -q --no-install-recommends "${missing[@]}" \
        > /tmp/guestnet-apt.log 2>&1 \
        || { tail -n 20 /tmp/guestnet-apt.log >&2; exit 1; }
    [ $created_policy = no ] || rm -f $policy
fi

# --- The QEMU test guests' kernel -------------------------------------------
# Debian's cloud kernel, downloaded with "apt-get download" into .cache/kernel/
# and unpacked with "dpkg -x", never installed.  Done once; later runs only
# look.
"$(dirname "$0")/../tests/guest/fetch-kernel.sh" >/dev/null
# ---------------------------------------------------------------------------

# --- promtool (tests/metrics-promtool.sh) -----------------------------------
# Only the promtool binary of Debian's prometheus package, unpacked into
# .cache/promtool/ ("apt-get download", "dpkg-deb"): the package itself
# would install and enable a Prometheus server.  Done once.
"$(dirname "$0")/../tests/fetch-promtool.sh" >/dev/null
# ---------------------------------------------------------------------------

exec "$(dirname "$0")/build-ovs.sh"
