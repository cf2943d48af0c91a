#!/bin/bash
# package: "dpkg-buildpackage -us -uc -b" builds guestnet_*.deb from a copy
# of the checkout's files (libopenvswitch reused from the build cache
# through GUESTNET_CACHE, so it takes about a minute); lintian finds no
# error in it (its warnings are listed); the package holds every file an
# operator needs, with the right modes, and its conffiles; and it installs
# for real, with dpkg, into a private root (an overlay of / in a mount
# namespace of its own: nothing reaches the host), where guestnetd runs,
# its unit is not enabled and verifies against Debian's Open vSwitch units,
# a reinstall keeps a changed config, a removal keeps the config and
# leaves a libvirt hook that does nothing, and a purge removes both.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
set -o pipefail
gn_require_root

# The files of the package: path, mode and owner as "dpkg-deb -c" shows
# them.  The cluster database's schema is beside OVS's own schema's place
# (/usr/share/openvswitch/vswitch.ovsschema).
expected_files() {
    cat <<'EOF'
./usr/sbin/guestnetd -rwxr-xr-x
./usr/bin/guestnetctl -rwxr-xr-x
./usr/share/man/man8/guestnetd.8.gz -rw-r--r--
./usr/share/man/man8/guestnetctl.8.gz -rw-r--r--
./usr/share/bash-completion/completions/guestnetctl.bash -rw-r--r--
./etc/guestnet/guestnet.json -rw-r--r--
./etc/libvirt/hooks/qemu.d/guestnet -rwxr-xr-x
./usr/share/guestnet/hooks/libvirt-qemu -rwxr-xr-x
./usr/share/guestnet/hooks/lxc-start-host -rwxr-xr-x
./lib/systemd/system/guestnetd.service -rw-r--r--
./usr/share/doc/guestnet/copyright -rw-r--r--
./usr/share/doc/guestnet/examples/guestnet.example.json -rw-r--r--
./usr/share/guestnet/guestnet.ovsschema -rw-r--r--
EOF
}
conffiles="/etc/guestnet/guestnet.json /etc/libvirt/hooks/qemu.d/guestnet"

# --- The second half: run by the first in a mount namespace of its own
# ("unshare -m"), with the package built; everything it mounts vanishes
# with it.
if [ "${1:-}" = --in-private-root ]; then
    work=$2 deb=$3 version=$4
    ovl=$work/ovl
    root=$ovl/root
    if ! { gn_overlay_root "$ovl" \
           && mount --rbind /dev "$root/dev" \
           && mount -t proc proc "$root/proc"; }; then
        gn_fail private-root "could not mount an overlay of / at $root"
        gn_done
    fi
    in_root() { chroot "$root" "$@"; }
    log=$work/dpkg.log
    quiet() { "$@" >> "$log" 2>&1; }
    dpkg_() { quiet in_root dpkg "$@"; }
    # No man-db index rebuild on each dpkg run (seconds each).
    rm -f "$root/var/lib/man-db/auto-update"
    # A guestnet the host may have installed: start from none.
    dpkg_ -P guestnet
    cp "$deb" "$root/tmp/guestnet.deb"

    gn_check "dpkg-installs" dpkg_ -i /tmp/guestnet.deb
    gn_check "dpkg-says-installed" test "$(in_root dpkg-query -W \
        -f='${Status}' guestnet)" = "install ok installed"
    for c in $conffiles; do
        gn_check "installed-conffile-$c" grep -q "^ $c [0-9a-f]*$" \
            <<<"$(in_root dpkg-query -W -f='${Conffiles}\n' guestnet)"
    done
    while read -r path mode; do
        got=$(stat -c '%A %U:%G' "$root/${path#./}" 2>&1)
        gn_check "installed-${path#.}" test "$got" = "$mode root:root"
    done < <(expected_files)
    gn_check "installed-guestnetd-runs" test "$(in_root /usr/sbin/guestnetd \
        --version)" = "guestnetd (guestnet) $version"
    gn_check "installed-config-is-valid" quiet in_root /usr/bin/guestnetctl \
        config check /etc/guestnet/guestnet.json
    gn_check "installed-unit-not-enabled" test ! -e \
        "$root/etc/systemd/system/multi-user.target.wants/guestnetd.service"
    # The unit against Debian's own openvswitch-switch.service, man pages
    # and paths, as installed.
    if MANPATH=$root/usr/share/man systemd-analyze verify --root="$root" \
            guestnetd.service > "$work/verify.out" 2>&1 \
            && [ ! -s "$work/verify.out" ]; then
        gn_pass installed-unit-verifies
    else
        gn_fail installed-unit-verifies "$(tr '\n' ' ' < "$work/verify.out")"
    fi
    # libvirt runs the hook for every domain: one without guestnet ports
    # must pass untouched (no guestnetd runs here).
    domain="<domain type='kvm'><name>vm1</name></domain>"
    gn_check "libvirt-hook-passes-other-domains" in_root \
        /etc/libvirt/hooks/qemu.d/guestnet vm1 prepare begin - <<<"$domain"

    # A reinstall (an upgrade to the same version) keeps a changed config.
    sed -i '/"uplink"/d' "$root/etc/guestnet/guestnet.json"
    gn_check "reinstall" dpkg_ -i /tmp/guestnet.deb
    gn_check "reinstall-keeps-changed-config" \
        test -z "$(grep uplink "$root/etc/guestnet/guestnet.json")"
    gn_check "reinstall-leaves-no-dpkg-dist" test -z "$(find \
        "$root/etc/guestnet" "$root/etc/libvirt" -name '*.dpkg-*')"

    # A removal keeps the conffiles; the libvirt hook left behind must not
    # fail domains.
    gn_check "remove" dpkg_ -r guestnet
    gn_check "removed-guestnetd" test ! -e "$root/usr/sbin/guestnetd"
    gn_check "remove-keeps-config" test -f "$root/etc/guestnet/guestnet.json"
    gn_check "removed-libvirt-hook-does-nothing" in_root \
        /etc/libvirt/hooks/qemu.d/guestnet vm1 prepare begin - <<<"$domain"
    gn_check "purge" dpkg_ -P guestnet
    for c in $conffiles; do
        gn_check "purge-removes-$c" test ! -e "$root$c"
    done
    [ "$gn_failures" -eq 0 ] || tail -n 30 "$log"
    gn_done
fi

# --- The first half: build, lint, look inside.
gn_require_cmd dpkg-buildpackage dpkg-dev
gn_require_cmd dh debhelper
gn_require_cmd lintian lintian
gn_require_cmd git git
gn_require_cmd unshare util-linux
gn_require_cmd systemd-analyze systemd
git_() { git -c safe.directory="$GN_SRCDIR" -C "$GN_SRCDIR" "$@"; }
git_ rev-parse --is-inside-work-tree >/dev/null 2>&1 \
    || gn_missing "needs a git checkout of guestnet ($GN_SRCDIR is not one)"

# dpkg-buildpackage runs make of its own, not a part of "make check".
unset MAKEFLAGS MFLAGS MAKELEVEL
gn_tmpdir work
src=$work/src
mkdir -p "$src"
# The tracked and new (not ignored) files of the checkout, as they are.
git_ ls-files -co --exclude-standard -z \
    | tar -C "$GN_SRCDIR" --null --ignore-failed-read -T - -cf - \
    | tar -C "$src" -xpf - \
    || { gn_fail copy "could not copy $GN_SRCDIR to $src"; gn_done; }

# libopenvswitch: built once into the checkout's cache (about a minute the
# first time), then reused by the package build.
cache=$GN_SRCDIR/.cache
"$GN_SRCDIR/scripts/build-ovs.sh" "$cache" > "$work/build-ovs.log" 2>&1 \
    || { gn_fail build-ovs "$(tail -n 5 "$work/build-ovs.log")"; gn_done; }
start=$(date +%s)
if (cd "$src" && GUESTNET_CACHE=$cache \
        DEB_BUILD_OPTIONS="parallel=$(nproc)" \
        dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
    gn_pass "dpkg-buildpackage"
else
    gn_fail "dpkg-buildpackage" "see the lines below"
    tail -n 30 "$work/build.log"
    gn_done
fi
echo "dpkg-buildpackage took $(( $(date +%s) - start )) s"
version=$(sed -n 's/^AC_INIT(\[guestnet\], \[\([^]]*\)\].*/\1/p' \
          "$GN_SRCDIR/configure.ac")
deb=$(ls "$work"/guestnet_*.deb 2>/dev/null | head -n 1)
gn_check "built-a-deb" test -f "$deb"
gn_check "deb-version-is-guestnet-version" \
    test "$(dpkg-deb -f "$deb" Version)" = "$version"
gn_check "deb-depends-on-openvswitch" \
    grep -qw openvswitch-switch <<<"$(dpkg-deb -f "$deb" Depends)"
gn_check "deb-depends-on-libs" \
    grep -q 'libevent.*libjansson.*libnl-route-3' <<<"$(dpkg-deb -f "$deb" Depends)"
gn_check "deb-built-using-openvswitch" \
    grep -q '^openvswitch (= ' <<<"$(dpkg-deb -f "$deb" Built-Using)"
# The unit tests ran in the build.
gn_check "build-ran-unit-tests" grep -q '^[0-9]* passed, 0 failed' \
    "$work/build.log"

# lintian: shown to report errors (a package with no copyright file and a
# binary-less /usr/bin), then no error in guestnet's; the rest is listed.
mkdir -p "$work/bad/DEBIAN" "$work/bad/usr/bin"
printf 'Package: gn-bad\nVersion: 1\nArchitecture: all\nMaintainer: x <x@example.org>\nDescription: bad\n' \
    > "$work/bad/DEBIAN/control"
printf '#!/bin/sh\n' > "$work/bad/usr/bin/gn-bad"
chmod 755 "$work/bad/usr/bin/gn-bad"
dpkg-deb -b --root-owner-group "$work/bad" "$work/bad.deb" >/dev/null
lintian --fail-on error "$work/bad.deb" > "$work/lintian-bad.out" 2>&1
gn_check "lintian-reports-errors" grep -q '^E: gn-bad: no-copyright-file' \
    "$work/lintian-bad.out"
lintian --fail-on error --display-info "$work"/guestnet*_*.deb \
    > "$work/lintian.out" 2>&1
rc=$?
echo "lintian (exit $rc):"
grep -E '^[EWIP]: ' "$work/lintian.out" | sed 's/^/    /'
gn_check "lintian-no-errors" test $rc = 0 -a \
    -z "$(grep '^E: ' "$work/lintian.out")"

# What the package holds.
dpkg-deb -c "$deb" > "$work/contents"
while read -r path mode; do
    got=$(awk -v p="$path" '$6 == p {print $1, $2}' "$work/contents")
    gn_check "deb-has-${path#.}" test "$got" = "$mode root/root"
done < <(expected_files)
dpkg-deb -e "$deb" "$work/control"
for c in $conffiles; do
    gn_check "deb-conffile-$c" grep -qx "$c" "$work/control/conffiles"
done
dpkg -x "$deb" "$work/x"
gn_check "extracted-guestnetd-runs" test "$("$work/x/usr/sbin/guestnetd" \
    --version)" = "guestnetd (guestnet) $version"
gn_check "unit-runs-installed-guestnetd" grep -qx 'ExecStart=/usr/sbin/guestnetd --config /etc/guestnet/guestnet.json' \
    "$work/x/lib/systemd/system/guestnetd.service"

# --- Installed for real, in a private root.
unshare -m --propagation private bash "$0" --in-private-root "$work" "$deb" \
    "$version" || gn_failures=$((gn_failures + 1))
gn_done
