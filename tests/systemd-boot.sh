#!/bin/bash
# systemd-boot: guestnetd.service does its job under a real systemd with
# all its hardening.  "make install" puts guestnet into an overlay of / (in
# a mount namespace of the test's own: nothing reaches the host), which
# boots with systemd-nspawn in a network namespace of its own, Open vSwitch
# enabled (ovs-vswitchd on the userspace datapath: these machines have no
# openvswitch module) and guestnetd enabled.  Then: systemd reports it
# active with a "ready" status; taps (/dev/net/tun under DevicePolicy=
# closed), veths moved into a named netns and into the netns of a root
# process and of another user's process (setns() under
# RestrictNamespaces=net, CAP_SYS_PTRACE for /proc/PID/ns/net) are made; "systemctl reload" works
# and fails on a bad config, which leaves guestnetd running; --socket-group
# and --metrics-listen from a drop-in work (chown, loopback IP); a restart
# of openvswitch-switch restarts guestnetd, ready again with its flows; and
# its journal shows no denied operation.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_root
gn_require_cmd systemd-nspawn systemd-container
gn_require_cmd unshare util-linux
gn_require_cmd ovs-vswitchd openvswitch-switch
[ -f /lib/systemd/system/openvswitch-switch.service ] \
    || gn_missing "needs Debian's openvswitch-switch.service"

# --- The second half: in a mount namespace of its own ("unshare -m").
if [ "${1:-}" = --in-private-root ]; then
    work=$2
    ovl=$work/ovl
    root=$ovl/root
    # An overlay of /, and a private /run/systemd (nspawn's scratch
    # folders in it vanish with the namespace too).
    if ! { gn_overlay_root "$ovl" \
           && mount -t tmpfs tmpfs /run/systemd; }; then
        gn_fail private-root "could not mount an overlay of / at $root"
        gn_done
    fi
    unset MAKEFLAGS MFLAGS MAKELEVEL
    if ! make -C "$GN_BUILDDIR" install DESTDIR="$root" \
            > "$work/install.log" 2>&1; then
        gn_fail make-install "$(tail -n 5 "$work/install.log")"
        gn_done
    fi
    sbindir=$(sed -n 's|^ExecStart=\(.*\)/guestnetd .*|\1|p' \
              "$GN_BUILDDIR/daemon/guestnetd.service")
    config=$(sed -n 's|^ExecStart=.* --config \([^ ]*\).*|\1|p' \
             "$GN_BUILDDIR/daemon/guestnetd.service")
    etc=$root/etc/systemd/system
    gn_check "make-install-unit" test -f "$root/lib/systemd/system/guestnetd.service"
    gn_check "make-install-config" test -f "$root$config"
    cat > "$root$config" <<'EOF'
{"bridge": "br-int", "datapath_type": "netdev",
 "networks": [{"name": "web", "vlan": 10, "subnets": ["10.10.0.0/24"],
               "gateways": ["10.10.0.1"]}]}
EOF
    # Boot into a target of guestnetd and what it needs, nothing else of
    # what the host image enables.
    printf '[Unit]\nDescription=guestnet test\nWants=guestnetd.service\nAllowIsolate=yes\n' \
        > "$etc/guestnet-test.target"
    mkdir -p "$etc/ovs-vswitchd.service.d"
    cat > "$etc/ovs-vswitchd.service.d/userspace.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=/usr/sbin/ovs-vswitchd --detach --no-chdir --disable-system --pidfile=/run/openvswitch/ovs-vswitchd.pid --log-file=/var/log/openvswitch/ovs-vswitchd.log unix:/run/openvswitch/db.sock
PIDFile=/run/openvswitch/ovs-vswitchd.pid
EOF
    rm -f "$root/etc/openvswitch/conf.db"
    systemd-nspawn -q -D "$root" -b --register=no --keep-unit \
        --link-journal=no --private-network --console=pipe \
        -- systemd.unit=guestnet-test.target \
        > "$work/console.log" 2>&1 < /dev/null &
    npid=$!
    gn_on_exit "kill $npid; wait $npid"
    # The container's init: nspawn's first child only sets the container
    # up and exits; its own child, systemd, is handed back to nspawn.
    leader=
    for _ in $(seq 100); do
        leader=$(pgrep -P "$npid" -x systemd | head -n 1)
        [ -n "$leader" ] && break
        sleep 0.1
    done
    if [ -z "$leader" ]; then
        gn_fail boot "systemd-nspawn did not start: $(tail -n 5 "$work/console.log")"
        gn_done
    fi
    c() { nsenter -t "$leader" -a "$@"; }
    prop() { c systemctl show -P "$2" "$1" 2>/dev/null; }
    state_is() { test "$(prop guestnetd.service ActiveState)" = "$1"; }
    gn_check "guestnetd-active" gn_wait 60 state_is active
    gn_check "status-ready" grep -q '^ready: 0 ports' \
        <<<"$(prop guestnetd.service StatusText)"
    gn_check "watchdog-armed" test "$(prop guestnetd.service WatchdogUSec)" = 30s
    ctl=$(sed -n 's|^ExecReload=\([^ ]*/guestnetctl\) .*|\1|p' \
          "$GN_BUILDDIR/daemon/guestnetd.service")
    q() { c "$@" >> "$work/cmds.log" 2>&1; }
    gn_check "api-answers" q "$ctl" status
    gn_check "tap" q "$ctl" port add t1 --kind kvm --network web
    gn_check "tap-exists" q ip link show t1
    gn_check "veth-into-named-netns" eval 'q ip netns add g1 &&
        q "$ctl" port add v1 --kind lxc --network web --netns g1 --ip 10.10.0.12'
    gn_check "veth-configured-in-netns" eval \
        'c ip netns exec g1 ip -o addr show eth0 | grep -q 10.10.0.12/24'
    c sh -c 'unshare -n sleep 600 >/dev/null 2>&1 & echo $! > /tmp/gn-sleeper'
    sleep 0.3
    gn_check "veth-into-process-netns" q "$ctl" port add v2 --kind lxc \
        --network web --netns-pid "$(c cat /tmp/gn-sleeper)"
    # A process of another user (an unprivileged container's init):
    # opening its /proc/PID/ns/net takes CAP_SYS_PTRACE.
    c sh -c 'unshare -n setpriv --reuid=12345 --regid=12345 --clear-groups \
        sleep 600 >/dev/null 2>&1 & echo $! > /tmp/gn-sleeper2'
    sleep 0.3
    gn_check "veth-into-other-users-netns" q "$ctl" port add v3 --kind lxc \
        --network web --netns-pid "$(c cat /tmp/gn-sleeper2)"
    gn_check "ports-bound" test "$(c "$ctl" --json port list | python3 -c \
        'import json, sys
print(sum(not p["quarantined"] for p in json.load(sys.stdin)))')" = 4
    gn_check "reload" q systemctl reload guestnetd
    cp "$root$config" "$work/good.json"
    echo '{"bridge": 1}' > "$root$config"
    gn_check_fails "reload-refuses-bad-config" q systemctl reload guestnetd
    gn_check "still-active-after-bad-reload" state_is active
    cp "$work/good.json" "$root$config"

    mkdir -p "$etc/guestnetd.service.d"
    printf '[Service]\nExecStart=\nExecStart=%s/guestnetd --config %s --socket-group adm --metrics-listen 127.0.0.1:9471\n' \
        "$sbindir" "$config" > "$etc/guestnetd.service.d/test.conf"
    q systemctl daemon-reload
    gn_check "restart-with-drop-in" q systemctl restart guestnetd
    gn_check "socket-group" test "$(c stat -c %G /run/guestnet/guestnetd.sock)" = adm
    gn_check "metrics-on-loopback" eval \
        'c curl -s http://127.0.0.1:9471/metrics | grep -qx "guestnet_ports 4"'

    pid=$(prop guestnetd.service MainPID)
    gn_check "openvswitch-restart" q systemctl restart openvswitch-switch
    new_pid() { state_is active && [ "$(prop guestnetd.service MainPID)" != "$pid" ]; }
    gn_check "guestnetd-restarted-with-openvswitch" gn_wait 30 new_pid
    gn_check "ready-again-with-ports" gn_wait 10 eval \
        'grep -q "^ready: 4 ports" <<<"$(prop guestnetd.service StatusText)"'
    gn_check "flows-back" eval \
        'test "$(c ovs-ofctl -O OpenFlow15 dump-flows br-int | grep -c cookie=)" -gt 30'
    c journalctl -u guestnetd --no-pager > "$work/journal" 2>&1
    # guestnetd logged no error or warning (the bad config never reached
    # it), and nothing was denied.
    gn_check "journal-no-errors-or-denials" test -z "$(grep -iE \
        '[|](ERR|WARN)[|]|not permitted|permission denied|EPERM|EACCES|seccomp' \
        "$work/journal")"
    gn_check "stop" q systemctl stop guestnetd
    gn_check "stopped" state_is inactive
    if [ "$gn_failures" -gt 0 ]; then
        tail -n 20 "$work/cmds.log" "$work/journal" "$work/console.log"
    fi
    c systemctl poweroff >/dev/null 2>&1
    gn_done
fi

# --- The first half.
gn_tmpdir work
unshare -m --propagation private bash "$0" --in-private-root "$work" \
    || gn_failures=$((gn_failures + 1))
gn_done
