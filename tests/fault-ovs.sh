#!/bin/bash
# fault-ovs: the daemons guestnetd depends on fail while kvm and lxc ports
# are being added at once: ovsdb-server and ovs-vswitchd are each killed
# (SIGKILL, then started again) and each hung (SIGSTOP, then SIGCONT).
# Through every fault guestnetd stays up, answers /v1/status within
# 100 ms, its loop never stalls for 50 ms, and /v1/health names the daemon
# that is away; every add is answered (a success, or 503 naming that
# daemon), none hangs; every acknowledged port is there with its flows and
# its installed mark, a retry of every add succeeds; after ovs-vswitchd
# comes back the switch holds every flow it held before, guests ping each
# other and a spoofed frame is still dropped.  Then, with guestnetd's
# --apply-timeout at 8 s, a hung ovsdb-server and a killed ovs-vswitchd
# outlast the adds: those they hold are answered 503 naming the daemon,
# and a retry of each succeeds once it is back.  At the end no marked device
# is left without a port, no port without its device, and deleting every
# port leaves neither rows nor devices.  Prints how long each outage took
# to be seen and to recover from.  Real OVS, real taps and veths.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_cmd python3 python3
gn_require_scapy
gn_guestnetd_setup
s=$$
clients=$GN_SRCDIR/tests/fault-clients.py
n_adds=${GN_FAULT_ADDS:-15}     # Of each kind (kvm, lxc), per fault.
# An add waits this long at most for a dependency (ENGINE_APPLY_TIMEOUT_MS
# in engine/engine-private.h), plus a margin for a loaded machine.
answer_limit_ms=35000

gn_pipeline_guests wa wb
gn_check "setup-guests-ping" ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12
gn_wait 10 gn_settled

now_ms() { date +%s%3N; }
pid_of() { cat "$GN_SANDBOX_DIR/$1.pid"; }
# The status of /v1/health, then its reason.
health() {
    curl -s --max-time 2 --unix-socket "$GUESTNET_SOCKET" \
        -w '\n%{http_code}' http://localhost/v1/health \
        | "$GN_PYTHON" -c 'import json, sys
body, code = sys.stdin.read().rsplit("\n", 1)
print(code, json.loads(body).get("reason", ""))'
}
health_names() { [[ $(health) =~ ^503\ .*$1 ]]; }
healthy() { [[ $(health) =~ ^200 ]]; }
# status_max_ms N: asks /v1/status N times, 0.1 s apart; prints the
# slowest answer in ms (9999 for one that did not come).
status_max_ms() {
    local i t max=0
    for i in $(seq 1 "$1"); do
        t=$(curl -s -o /dev/null --max-time 2 -w '%{http_code} %{time_total}' \
            --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/status)
        if [ "${t%% *}" = 200 ]; then
            t=$(awk '{ printf "%d", $2 * 1000 }' <<<"$t")
        else
            t=9999
        fi
        [ "$t" -le "$max" ] || max=$t
        sleep 0.1
    done
    echo "$max"
}
stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat")" = T ]; }
dead() { ! kill -0 "$1" 2>/dev/null; }
# "NAME OFPORT" of every port, sorted.
ofports() {
    ovs-vsctl --timeout=5 --bare --columns=name,ofport list Interface \
        | paste -d' ' - - - | awk 'NF == 2' | sort
}
# The ofports that have flows matching them (in_port=N).
ofports_with_flows() {
    gn_flows | grep -o 'in_port=[0-9]*' | cut -d= -f2 | sort -u
}

# bodies FILE R N: N kvm adds in web and N lxc adds in db for fault R.
bodies() {
    local i
    : > "$1"
    for i in $(seq 1 "$3"); do
        printf '{"name":"fo%dk%d","kind":"kvm","network":"web","mac":"52:54:00:f%x:01:%02x"}\n' \
            "$2" "$i" "$2" "$i" >> "$1"
        printf '{"name":"fo%dl%d","kind":"lxc","mode":"phys","network":"db","mac":"52:54:00:f%x:02:%02x"}\n' \
            "$2" "$i" "$2" "$i" >> "$1"
    done
}

# check_answers LABEL DAEMON FILE...: every add of the outputs FILE was
# answered within the limit, with a success or a 503 naming DAEMON (and
# saying what became of the port).
check_answers() {
    local label=$1 daemon=$2 bad
    shift 2
    bad=$(cat "$@" | awk -v d="$daemon" -v lim="$answer_limit_ms" '
        $1 == "killed" { next }
        $2 == 0 || $3 >= lim { print; next }
        $2 == 201 || $2 == 202 { next }
        $2 == 503 && index($0, d) && / port fo[0-9]+[kl][0-9]+ / { next }
        { print }')
    [ -z "$bad" ] || { echo "$label: answers that should not be:"; echo "$bad"; }
    gn_check "$label-every-add-answered-in-time-success-or-503-naming-$daemon" \
        test -z "$bad"
    echo "$label: answers: $(cat "$@" | awk '$1 != "killed" { print $2 }' \
        | sort | uniq -c | awk '{ printf "%s x%s ", $2, $1 }')"
}

# check_acked LABEL FILE...: every add answered 201 or 202 in the outputs
# FILE is a port with its flows and its installed mark.
check_acked() {
    local label=$1 name ofport lost=0 noflows=0 nomark=0 with_flows
    shift
    with_flows=$(ofports_with_flows)
    for name in $(cat "$@" | awk '$1 != "killed" && ($2 == 201 || $2 == 202) { print $1 }'); do
        ofport=$(ovs-vsctl --timeout=5 get Interface "$name" ofport 2>/dev/null)
        if [ -z "$ofport" ]; then
            echo "$label: acknowledged $name is missing"; lost=$((lost + 1))
            continue
        fi
        grep -qx "$ofport" <<<"$with_flows" \
            || { echo "$label: $name (ofport $ofport) has no flows"; noflows=$((noflows + 1)); }
        [ "$(ovs-vsctl --timeout=5 get Interface "$name" \
             external_ids:guestnet-installed 2>/dev/null)" = '"true"' ] \
            || { echo "$label: $name has no installed mark"; nomark=$((nomark + 1)); }
    done
    gn_check "$label-no-acknowledged-port-lost" test "$lost" = 0
    gn_check "$label-acknowledged-ports-have-flows" test "$noflows" = 0
    gn_check "$label-acknowledged-ports-marked-installed" test "$nomark" = 0
}

# check_retries LABEL BODIES...: every add of the files BODIES, sent
# again, succeeds (the same answer for those that were committed, a fresh
# one for the others), and each is then a port as check_acked wants.
check_retries() {
    local label=$1 retry bad
    shift
    retry=$(python3 "$clients" "$GUESTNET_SOCKET" <(cat "$@"))
    bad=$(awk '$2 != 201' <<<"$retry")
    [ -z "$bad" ] || { echo "$label: retries that failed:"; echo "$bad"; }
    gn_check "$label-every-retry-succeeds" test -z "$bad"
    check_acked "$label-retried" <(echo "$retry")
}

# traffic LABEL: wa pings wb, and a frame from wa with a spoofed MAC does
# not reach wb while one with wa's own does.
traffic() {
    gn_check "$1-guests-ping" ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12
    gn_capture_start "wb$s" || gn_fail "$1-capture-start" "tcpdump did not start"
    gn_scapy "wa$s" "
tx(udp4('52:54:00:10:00:99', '$wb', '10.10.0.11', '10.10.0.12', '$1-spoofed'),
   udp4('$wa', '$wb', '10.10.0.11', '10.10.0.12', '$1-own'))"
    gn_capture_stop
    gn_check_seen "$1-own-frame-passes" "wb$s" "$1-own"
    gn_check_unseen "$1-spoofed-frame-dropped" "wb$s" "$1-spoofed"
}

# fault R KILL|STOP ovsdb|vswitchd: fault R of the test (see the top).
summary=""
fault() {
    local r=$1 sig=$2 which=$3 daemon label pid out out2 b1 b2 cl cl2
    local t_fault t_seen t_back t_healthy t_answered t_settled status_max
    local before="" ofports_before=""
    daemon=$([ "$which" = ovsdb ] && echo ovsdb-server || echo ovs-vswitchd)
    label=$(tr 'A-Z' 'a-z' <<<"$sig")-$which
    b1=$GN_SANDBOX_DIR/f$r.json b2=$GN_SANDBOX_DIR/f$r-late.json
    out=$GN_SANDBOX_DIR/f$r.out out2=$GN_SANDBOX_DIR/f$r-late.out
    bodies "$b1" "$r" "$n_adds"
    bodies "$b2" "$((r + 4))" 3
    if [ "$which" = vswitchd ]; then
        ofports_before=$(ofports)
    fi
    pid=$(pid_of "$daemon")

    # The fault falls once some of the adds are answered.
    python3 "$clients" "$GUESTNET_SOCKET" "$b1" --kill "$pid" \
        --signal "$sig" --after-answers $(( 1 + RANDOM % n_adds )) > "$out" &
    cl=$!
    gn_on_exit "kill -CONT $pid"
    if [ "$sig" = KILL ]; then
        gn_wait 60 dead "$pid"
    else
        gn_wait 60 stopped "$pid"
    fi
    t_fault=$(now_ms)
    # More adds while it is away.
    python3 "$clients" "$GUESTNET_SOCKET" "$b2" > "$out2" &
    cl2=$!
    gn_check "$label-health-names-$daemon" gn_wait 20 health_names "$daemon"
    t_seen=$(now_ms)
    status_max=$(status_max_ms 20)
    echo "$label: /v1/status answered in $status_max ms at most while" \
         "$daemon was away; health: $(health)"
    gn_check "$label-status-answers-within-100ms" test "$status_max" -lt 100
    gn_check "$label-guestnetd-alive" kill -0 "$GN_GUESTNETD_PID"

    if [ "$sig" = KILL ]; then
        "$GN_SRCDIR/scripts/gn-sandbox" restart "$which" "$GN_SANDBOX_DIR"
    else
        kill -CONT "$pid"
    fi
    t_back=$(now_ms)
    gn_check "$label-healthy-again" gn_wait 30 healthy
    t_healthy=$(now_ms)
    wait "$cl" "$cl2"
    t_answered=$(now_ms)
    gn_check "$label-settles" gn_wait 30 gn_settled
    t_settled=$(now_ms)
    summary="$summary
$label: seen in $((t_seen - t_fault)) ms; after $daemon was back: healthy in $((t_healthy - t_back)) ms, every add answered in $((t_answered - t_back)) ms, flows installed in $((t_settled - t_back)) ms; loop's largest delay so far $(gn_loop_ms max_ms) ms, $(gn_loop_ms blocked_max_ms) ms not waiting for a CPU"

    check_answers "$label" "$daemon" "$out" "$out2"
    check_acked "$label" "$out" "$out2"
    if [ -n "$ofports_before" ]; then
        # (ovs-vswitchd gives a port the ofport it had unless another,
        # new, took it first: the flows follow.)
        echo "$label: $(comm -23 <(echo "$ofports_before") <(ofports) \
            | grep -c .) of the ports there before have another ofport"
        gn_check "$label-switch-holds-what-guestnetd-wants" \
            test "$(gn_flows | grep -c .)" = "$(gn_openflow desired_flows)"
        traffic "$label"
    fi
    check_retries "$label" "$b1" "$b2"
}

fault 1 KILL ovsdb
fault 2 KILL vswitchd
fault 3 STOP ovsdb
fault 4 STOP vswitchd

# ovs-vswitchd killed with nothing in flight: once it is back, the switch
# holds exactly the flows it held before, and guests talk again.
before=$(gn_flows)
"$GN_SRCDIR/scripts/gn-sandbox" kill vswitchd "$GN_SANDBOX_DIR"
gn_check "idle-kill-health-names-ovs-vswitchd" \
    gn_wait 10 health_names ovs-vswitchd
"$GN_SRCDIR/scripts/gn-sandbox" restart vswitchd "$GN_SANDBOX_DIR"
t_back=$(now_ms)
gn_check "idle-kill-settles" gn_wait 20 gn_settled
t_settled=$(now_ms)
gn_check "idle-kill-ping" gn_wait 10 ip netns exec "wa$s" ping -c 1 -W 1 10.10.0.12
t_ping=$(now_ms)
summary="$summary
idle-kill-vswitchd: after ovs-vswitchd was back: flows installed in $((t_settled - t_back)) ms, guests ping in $((t_ping - t_back)) ms"
gn_check "idle-kill-flow-table-as-before" gn_same_flows "$before"
traffic idle-kill
echo "recovery:$summary"

max=$(gn_loop_ms blocked_max_ms)
echo "event loop: largest delay $(gn_loop_ms max_ms) ms, $max ms of it not" \
     "waiting for a CPU; the slowest reconcile steps:"
grep 'slow reconcile step' "$GN_SANDBOX_DIR/guestnetd.log" \
    | sed 's/.*step: //' | sort -rn | head -n 3
gn_check "loop-never-stalled-50ms" \
    "$GN_PYTHON" -c "import sys; sys.exit(not $max < 50)"
gn_check "guestnetd-survived" kill -0 "$GN_GUESTNETD_PID"

# Outages that outlast the requests: with --apply-timeout 8, adds held by
# a daemon that is away are answered 503 naming it (not committed: its
# devices go; committed: the port may come up later; outcome unknown:
# the same request tells), none hangs, and a retry of each succeeds once
# the daemon is back.
# outlived R STOP|KILL ovsdb|vswitchd: outage R, 10 adds as it begins
# and 4 more once it has.
outlived() {
    local r=$1 sig=$2 which=$3 daemon label pid b b2 out out2 t0 cl name
    daemon=$([ "$which" = ovsdb ] && echo ovsdb-server || echo ovs-vswitchd)
    label=long-$(tr 'A-Z' 'a-z' <<<"$sig")-$which
    b=$GN_SANDBOX_DIR/f$r.json out=$GN_SANDBOX_DIR/f$r.out
    b2=$GN_SANDBOX_DIR/f$r-late.json out2=$GN_SANDBOX_DIR/f$r-late.out
    bodies "$b" "$r" 5
    bodies "$b2" "$((r + 2))" 2
    pid=$(pid_of "$daemon")
    gn_on_exit "kill -CONT $pid"
    t0=$(now_ms)
    python3 "$clients" "$GUESTNET_SOCKET" "$b" --kill "$pid" --signal "$sig" \
        --after-answers 0 > "$out" &
    cl=$!
    if [ "$sig" = KILL ]; then
        gn_wait 10 dead "$pid"
    else
        gn_wait 10 stopped "$pid"
    fi
    python3 "$clients" "$GUESTNET_SOCKET" "$b2" > "$out2"
    wait "$cl"
    echo "$label: every add answered $(( $(now_ms) - t0 )) ms after the first"
    check_answers "$label" "$daemon" "$out" "$out2"
    gn_check "$label-some-adds-refused-503" \
        grep -q "^fo[0-9]*[kl][0-9]* 503 " "$out" "$out2"
    grep -h " 503 " "$out" "$out2" | sed 's/^[^ ]* [^ ]* [^ ]* //' \
        | sed 's/fo[0-9]*[kl][0-9]*/NAME/' | sort | uniq -c
    # An add refused before any transaction could commit it left no
    # device behind.
    for name in $(grep -h ' was not added ' "$out" "$out2" | cut -d' ' -f1); do
        gn_check "$label-$name-refused-left-no-device" \
            bash -c "! ip netns exec '$GN_SANDBOX_NETNS' test -e /sys/class/net/$name"
    done
    if [ "$sig" = KILL ]; then
        gn_wait 10 dead "$pid"
        "$GN_SRCDIR/scripts/gn-sandbox" restart "$which" "$GN_SANDBOX_DIR"
    else
        kill -CONT "$pid"
    fi
    gn_check "$label-healthy-again" gn_wait 30 healthy
    gn_check "$label-settles" gn_wait 30 gn_settled
    check_acked "$label" "$out" "$out2"
    check_retries "$label" "$b" "$b2"
}
gn_guestnetd_stop TERM
gn_guestnetd_start "$GN_CONFIG" --apply-timeout 8 || gn_done
outlived 9 STOP ovsdb
outlived 10 KILL vswitchd

# Nothing left behind.
expected=$(( 4 * (2 * n_adds + 6) + 2 * 14 ))
gn_check "all-ports-there" \
    test "$(ovs-vsctl list-ports br-int | grep -c '^fo')" = "$expected"
gn_check_no_orphans

# Deleting every port leaves no row and no device.
ovs-vsctl list-ports br-int | grep '^fo' \
    | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X DELETE \
        --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/ports/{} \
    > "$GN_SANDBOX_DIR/deletes"
gn_check "every-delete-succeeds" \
    test "$(grep -c '^200$' "$GN_SANDBOX_DIR/deletes")" = "$expected"
gn_check "no-rows-left" \
    test "$(ovs-vsctl --bare --columns=name list Interface | grep -c '^fo')" = 0
gn_check "no-devices-left" \
    test "$(gn_marked_devices | grep -c '^fo')" = 0
gn_done
