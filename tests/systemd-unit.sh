#!/bin/bash
# systemd-unit: the built guestnetd.service passes "systemd-analyze verify"
# without a word (a bad value or an unknown key is only a warning there, so
# any output counts as a failure), offline, in a root of its own that holds
# what the unit names: guestnetd and guestnetctl where ExecStart= and
# ExecReload= say, /bin/kill, the man pages of Documentation=, systemd's
# targets and a stand-in openvswitch-switch.service.  The check is first
# shown to catch a broken unit: an unknown key, a bad value, a missing
# program, a missing required unit.  And "systemd-analyze security" rates
# the hardening at most 4.0 (of 10; "OK").
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd systemd-analyze systemd

unit=$GN_BUILDDIR/daemon/guestnetd.service
if [ ! -f "$unit" ]; then
    gn_fail unit-built "no $unit (make builds it from daemon/guestnetd.service.in)"
    gn_done
fi
gn_tmpdir dir
root=$dir/root
units=$root/lib/systemd/system

# The programs a unit's Exec lines run, as absolute paths.
programs() {
    sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\(\/[^ ]*\).*/\1/p' "$1" | sort -u
}

# A root for "systemd-analyze verify --root": systemd's targets (each unit
# depends on sysinit.target and the like by default), a stand-in for Open
# vSwitch's unit, and the programs and man pages the unit names.
mkdir -p "$units" "$root/usr/bin" "$root/usr/share/man/man8"
ln -s usr/bin "$root/bin"
cp /lib/systemd/system/*.target "$units/"
cp /usr/bin/true /usr/bin/kill "$root/usr/bin/"
printf '[Unit]\nDescription=Open vSwitch (stand-in)\n[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n' \
    > "$units/openvswitch-switch.service"
cp "$GN_SRCDIR/doc/guestnetd.8" "$GN_SRCDIR/doc/guestnetctl.8" \
    "$root/usr/share/man/man8/"
for p in $(programs "$unit"); do
    case $p in
        */guestnetd) src=$GN_BUILDDIR/guestnetd ;;
        */guestnetctl) src=$GN_BUILDDIR/guestnetctl ;;
        *) continue ;;
    esac
    install -D -m 0755 "$src" "$root$p"
done

# verify NAME: "systemd-analyze verify" of the unit NAME in the root; the
# output goes to $dir/verify.out.  True if it exits 0 and says nothing.
verify() {
    MANPATH=$root/usr/share/man systemd-analyze verify --root="$root" "$1" \
        > "$dir/verify.out" 2>&1 && [ ! -s "$dir/verify.out" ]
}
# broken NAME SED: a copy of the unit as NAME.service, edited with SED.
broken() {
    sed "$2" "$unit" > "$units/$1.service"
}

# --- The checker catches each kind of mistake.
broken bad-key 's/^RestartSec=/RestartSecs=/'
gn_check_fails "catches-an-unknown-key" verify bad-key.service
gn_check "names-the-unknown-key" grep -q "Unknown key 'RestartSecs'" \
    "$dir/verify.out"
broken bad-value 's/^Type=notify$/Type=notified/'
gn_check_fails "catches-a-bad-value" verify bad-value.service
broken bad-program 's|^\(ExecStart=[^ ]*\)/guestnetd|\1/guestnetd-nowhere|'
gn_check_fails "catches-a-missing-program" verify bad-program.service
broken bad-requires 's/^Requires=openvswitch-switch.service$/Requires=openvswitch-swtich.service/'
gn_check_fails "catches-a-missing-required-unit" verify bad-requires.service
rm -f "$units"/bad-*.service

# --- The unit itself.
cp "$unit" "$units/guestnetd.service"
if verify guestnetd.service; then
    gn_pass unit-verifies-cleanly
else
    gn_fail unit-verifies-cleanly "$(tr '\n' ' ' < "$dir/verify.out")"
fi
gn_check "unit-is-type-notify" grep -qx 'Type=notify' "$unit"
gn_check "unit-reloads-with-sighup" grep -qx \
    'ExecReload=/bin/kill -HUP $MAINPID' "$unit"
gn_check "unit-needs-openvswitch" grep -qx \
    'Requires=openvswitch-switch.service' "$unit"
gn_check "unit-orders-after-openvswitch" \
    grep -q '^After=openvswitch-switch.service' "$unit"

# security_ok NAME: "systemd-analyze security" rates unit NAME at most 4.0
# (its table goes to $dir/security-NAME.out; the rating is printed).
security_ok() {
    systemd-analyze security --offline=yes --threshold=40 --root="$root" \
        "$1" > "$dir/security-$1.out" 2>&1
    local rc=$?
    sed -n 's/^→ //p' "$dir/security-$1.out"
    return $rc
}
# The rating is shown to fail a unit without the hardening section.
broken soft '/^# --- Hardening/,/^\[Install\]/{/^\[Install\]/!d}'
gn_check_fails "security-catches-a-soft-unit" security_ok soft.service
gn_check "hardening-exposure-at-most-4.0" security_ok guestnetd.service
gn_done
