#!/bin/bash
# guestnetd-notify: what guestnetd tells systemd (sd_notify) and when, read
# from a notification socket of the test's own (tests/notify-listener.py)
# against a private OVS: STATUS lines that say what it waits for come
# first; READY=1 comes once, and only when the bridge exists, the switch
# holds all of guestnet's flows (ovs-ofctl dump-flows) and the API answers
# (checked by the listener the moment READY=1 arrives); SIGHUP gives
# RELOADING=1 then READY=1 (also for a config that changes the flows, and
# for one that is refused); WATCHDOG=1 comes every half $WATCHDOG_USEC and
# never without it; SIGTERM gives STOPPING=1.  And with ovsdb-server, then
# ovs-vswitchd away, READY=1 never comes while STATUS names what is
# missing, and comes once they are back.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd python3 python3
gn_guestnetd_sandbox
cfg=$GN_CONFIG
gn_config "$cfg"
export GUESTNET_SOCKET=$GN_SANDBOX_DIR/guestnetd.sock
gn_tmpdir dir

# What held when READY=1 arrived: "bridge=yes flows=N desired=N health=200"
# is a ready guestnetd (N > 0: guestnet's flows, all of them, are in).
cat > "$dir/check-ready" <<EOF
if ovs-vsctl --timeout=5 br-exists br-int; then b=yes; else b=no; fi
n=\$(ovs-ofctl -O OpenFlow15 dump-flows br-int 2>/dev/null | grep -c cookie=)
d=\$(curl -s --max-time 5 --unix-socket "$GUESTNET_SOCKET" \
     http://localhost/v1/status | python3 -c \
     'import json,sys; print(json.load(sys.stdin)["openflow"]["desired_flows"])')
h=\$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
     --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/health)
echo "bridge=\$b flows=\$n desired=\$d health=\$h"
EOF

# listen NAME [SOCKET]: a listener on SOCKET (default $dir/NAME.sock; "@X"
# is X in the abstract namespace, the sandbox's) logging to $dir/NAME.log.
listen() {
    ip netns exec "$GN_SANDBOX_NETNS" python3 \
        "$GN_SRCDIR/tests/notify-listener.py" "${2:-$dir/$1.sock}" \
        "$dir/$1.log" "bash $dir/check-ready" &
    gn_on_exit "kill $!"
    gn_wait 5 grep -q LISTENING "$dir/$1.log"
}
# start NAME [ENV...]: guestnetd notifying listener NAME (ENV may name
# another NOTIFY_SOCKET).
start() {
    local name=$1; shift
    ip netns exec "$GN_SANDBOX_NETNS" env NOTIFY_SOCKET="$dir/$name.sock" \
        "$@" "$GUESTNETD" --config "$cfg" --ovsdb "$GN_SANDBOX_DB" \
        --socket "$GUESTNET_SOCKET" \
        --log-file "$GN_SANDBOX_DIR/guestnetd-$name.log" &
    pid=$!
    gn_on_exit "kill $pid"
}
stop() {
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null
}
# count NAME LINE: how many times LINE came to listener NAME.
count() { grep -cx "$2" "$dir/$1.log"; }
# count_is NAME LINE N: LINE came N times to listener NAME.
count_is() { test "$(count "$1" "$2")" = "$3"; }
# after NAME N: the lines of listener NAME after its Nth READY=1.
after() { awk -v n="$2" 'n == 0 {print} $0 == "READY=1" {n--}' "$dir/$1.log"; }
# ready_ok LINE: LINE (a CHECK line) says that guestnetd was ready.
ready_ok() {
    [[ $1 =~ ^CHECK\ bridge=yes\ flows=([0-9]+)\ desired=([0-9]+)\ health=200$ ]] \
        && [ "${BASH_REMATCH[1]}" -gt 0 ] \
        && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}
# first_ready_checked NAME CHECK: passes CHECK if guestnetd was ready
# (ready_ok) when the first READY=1 came to listener NAME.
first_ready_checked() {
    local line
    gn_wait 5 grep -q '^CHECK' "$dir/$1.log"
    line=$(check_line "$1" 1)
    if ready_ok "$line"; then gn_pass "$2"
    else gn_fail "$2" "at READY=1: $line"; fi
}
checks_are() { test "$(grep -c '^CHECK' "$dir/$1.log")" = "$2"; }
check_line() { grep -A1 -x READY=1 "$dir/$1.log" | grep '^CHECK' | sed -n "$2p"; }
show() { sed 's/^/    | /' "$dir/$1.log"; }

# --- A normal start, with a watchdog of 200 ms.
listen up || { gn_fail listener "notify-listener did not start"; gn_done; }
start up WATCHDOG_USEC=200000
gn_check "ready-comes" gn_wait 20 grep -qx READY=1 "$dir/up.log"
gn_check "first-message-is-a-status" \
    test "$(sed -n 2p "$dir/up.log" | cut -c1-7)" = STATUS=
gn_check "waits-are-named-before-ready" test "$(sed '/^READY=1$/q' \
    "$dir/up.log" | grep -c '^STATUS=waiting for ')" -gt 0
first_ready_checked up ready-when-bridge-flows-and-api
gn_check "status-says-ready" gn_wait 5 grep -q '^STATUS=ready: 0 ports' \
    "$dir/up.log"
sleep 1
gn_check "watchdog-pings" test "$(count up WATCHDOG=1)" -ge 5
gn_check "ready-once" test "$(count up READY=1)" = 1

# A port changes the status line, not the readiness.
"$GUESTNETCTL" port add nt1 --kind lxc --network web --mode phys \
    --mac 52:54:00:0a:00:01 >/dev/null
gn_check "status-counts-ports" gn_wait 5 grep -q '^STATUS=ready: 1 ports' \
    "$dir/up.log"

# --- Reloads: one that adds a network (new flows), one that is refused.
python3 - "$cfg" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["networks"].append({"name": "extra", "vlan": 40,
                      "subnets": ["10.40.0.0/24"], "gateways": ["10.40.0.1"]})
json.dump(c, open(sys.argv[1], "w"))
EOF
flows_before=$(curl -s --unix-socket "$GUESTNET_SOCKET" \
    http://localhost/v1/status | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["openflow"]["desired_flows"])')
kill -HUP "$pid"
gn_check "reload-ready-again" gn_wait 10 count_is up READY=1 2
gn_check "reload-reloading-first" test "$(after up 1 | grep -v \
    '^\(WATCHDOG=1\|STATUS=.*\|CHECK .*\)$' | head -n 2 | cut -d= -f1 | tr '\n' ' ')" \
    = "RELOADING MONOTONIC_USEC "
gn_wait 5 checks_are up 2
line=$(check_line up 2)
if ready_ok "$line" && [[ $line =~ flows=([0-9]+) ]] \
        && [ "${BASH_REMATCH[1]}" -gt "$flows_before" ]; then
    gn_pass reload-ready-with-the-new-flows
else
    gn_fail reload-ready-with-the-new-flows "before $flows_before, at READY=1: $line"
fi
echo '{"bridge": "br-int", "networks": [{"name": "x", "vlan": 5000}]}' > "$cfg"
kill -HUP "$pid"
gn_check "refused-reload-ready-again" gn_wait 10 count_is up READY=1 3
gn_check "refused-reload-in-status" gn_wait 5 \
    grep -q '^STATUS=ready: .*; last reload refused: ' "$dir/up.log"
gn_wait 5 checks_are up 3
stop
gn_wait 5 grep -qx STOPPING=1 "$dir/up.log"
gn_check "stopping-last" test "$(grep -v -x 'WATCHDOG=1' "$dir/up.log" \
    | tail -n 1)" = STOPPING=1
[ "$gn_failures" -eq 0 ] || show up

# --- A socket in the abstract namespace; a watchdog asked of another
# process ($WATCHDOG_PID not guestnetd's): no pings, where "up" above
# got them with the same period.
gn_config "$cfg"                # (The refused reload left a bad one.)
abstract=@guestnet-notify-test-$$
listen abs "$abstract" \
    || { gn_fail listener "notify-listener did not start"; gn_done; }
start abs NOTIFY_SOCKET="$abstract" WATCHDOG_USEC=200000 WATCHDOG_PID=1
gn_check "abstract-socket-ready" gn_wait 20 grep -qx READY=1 "$dir/abs.log"
first_ready_checked abs abstract-socket-ready-with-flows
# (The first ping would go at once, before READY=1.)
gn_check "no-watchdog-for-another-pid" test "$(count abs WATCHDOG=1)" = 0
stop
gn_check "abstract-socket-stopping" gn_wait 5 grep -qx STOPPING=1 "$dir/abs.log"
[ "$gn_failures" -eq 0 ] || show abs

# --- systemd busy, its socket full (the listener reads nothing): guestnetd
# keeps what does not fit and sends it once there is room, in order, and
# its loop does not wait meanwhile.
# (No readiness check: the listener only reads and logs.)
touch "$dir/full.pause"
NOTIFY_LISTENER_PAUSE="$dir/full.pause" ip netns exec "$GN_SANDBOX_NETNS" \
    python3 "$GN_SRCDIR/tests/notify-listener.py" "$dir/full.sock" \
    "$dir/full.log" &
gn_on_exit "kill $!"
gn_wait 5 grep -q LISTENING "$dir/full.log" \
    || { gn_fail listener "notify-listener did not start"; gn_done; }
start full WATCHDOG_USEC=20000   # (a ping every 10 ms: full at once)
# The queue of the listener's socket (10 datagrams here) is full.
full() {
    [ "$(ip netns exec "$GN_SANDBOX_NETNS" ss -x -a \
         | awk -v p="$dir/full.sock" '$5 == p {print $3}')" -ge \
      "$(ip netns exec "$GN_SANDBOX_NETNS" sysctl -n net.unix.max_dgram_qlen)" ]
}
gn_check "full-socket-fills" gn_wait 20 full
# READY=1 went (guestnetd logs it) while the socket was full.
gn_check "full-socket-ready-meanwhile" gn_wait 20 grep -q '|readiness|INFO|ready: ' \
    "$GN_SANDBOX_DIR/guestnetd-full.log"
gn_check "full-socket-full-still" full
kill -HUP "$pid"
gn_check "full-socket-reloads" gn_wait 10 grep -q "reloaded $cfg" \
    "$GN_SANDBOX_DIR/guestnetd-full.log"
gn_check "full-socket-loop-answers" curl -sf --max-time 1 -o /dev/null \
    --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/status
rm "$dir/full.pause"
gn_check "full-socket-ready-arrives" gn_wait 10 count_is full READY=1 2
gn_check "full-socket-in-order" test "$(grep -x \
    'READY=1\|RELOADING=1\|STOPPING=1' "$dir/full.log" | tr '\n' ' ')" \
    = "READY=1 RELOADING=1 READY=1 "
stop
gn_check "full-socket-stopping" gn_wait 5 grep -qx STOPPING=1 "$dir/full.log"
[ "$gn_failures" -eq 0 ] || show full

# --- A NOTIFY_SOCKET that names no socket: guestnetd says so and runs.
start bad NOTIFY_SOCKET=relative/notify.sock
gn_check "bad-socket-runs" gn_wait 20 curl -sf --max-time 2 -o /dev/null \
    --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/health
gn_check "bad-socket-logged" grep -q \
    'NOTIFY_SOCKET=relative/notify.sock: Invalid argument' \
    "$GN_SANDBOX_DIR/guestnetd-bad.log"
stop

# --- Without ovsdb-server, then without ovs-vswitchd: never ready.
gn_config "$cfg"
"$GN_SRCDIR/scripts/gn-sandbox" kill vswitchd "$GN_SANDBOX_DIR"
"$GN_SRCDIR/scripts/gn-sandbox" kill ovsdb "$GN_SANDBOX_DIR"
listen down || { gn_fail listener "notify-listener did not start"; gn_done; }
start down
gn_check "no-ovsdb-status" gn_wait 5 grep -qx \
    "STATUS=waiting for ovsdb-server ($GN_SANDBOX_DB)" "$dir/down.log"
sleep 2
gn_check "no-ovsdb-not-ready" test "$(count down READY=1)" = 0
"$GN_SRCDIR/scripts/gn-sandbox" restart ovsdb "$GN_SANDBOX_DIR"
gn_check "no-vswitchd-status" gn_wait 15 grep -qx \
    "STATUS=waiting for ovs-vswitchd: no OpenFlow connection to $GN_SANDBOX_DIR/br-int.mgmt" \
    "$dir/down.log"
sleep 2
gn_check "no-vswitchd-not-ready" test "$(count down READY=1)" = 0
gn_check "no-vswitchd-status-last" test "$(grep '^STATUS=' "$dir/down.log" \
    | tail -n 1 | cut -c1-36)" = "STATUS=waiting for ovs-vswitchd: no "
"$GN_SRCDIR/scripts/gn-sandbox" restart vswitchd "$GN_SANDBOX_DIR"
gn_check "ready-once-ovs-is-back" gn_wait 20 grep -qx READY=1 "$dir/down.log"
first_ready_checked down ready-when-back-with-flows
gn_check "no-watchdog-unasked" test "$(count down WATCHDOG=1)" = 0
stop
[ "$gn_failures" -eq 0 ] || show down
gn_done
