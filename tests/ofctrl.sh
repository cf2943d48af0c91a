#!/bin/bash
# ofctrl.sh: ofctrl against a real ovs-vswitchd (userspace datapath).
#
# Drives tests/ofctrl-live (one process per step, like guestnetd restarts)
# on br-int and proves: 1000 flows go in one bundle; a new process with the
# same flows sends no flow_mod; one changed flow is one flow_mod; a new
# port's flows are all that is sent; going back gives the identical dump; a
# flow the switch refuses fails the whole bundle (nothing changes) and is
# named in the error; OpenFlow 1.3 works the same; after ovs-vswitchd is
# killed and restarted all flows are back within 1 s; a silent switch is
# dropped and reconnected without resending; counters per cookie; a table
# held while it is edited is sent only when committed.
. "${GN_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

gn_require_root
live=$GN_BUILDDIR/tests/ofctrl-live
if [ ! -x "$live" ]; then
    gn_fail build "$live is not built (make check builds it)"
    gn_done
fi
gn_sandbox_start
ovs-vsctl add-br br-int -- set bridge br-int datapath_type=netdev \
    fail_mode=secure protocols=OpenFlow13,OpenFlow14,OpenFlow15
target=unix:$GN_SANDBOX_DIR/br-int.mgmt
gn_tmpdir tmp

# gen_flows N [FIRST]: ten flows per port for ports FIRST.., as
# "TABLE PRIORITY COOKIE MATCH ACTIONS", cookie = port number.  Spellings
# differ from what the switch prints (strip_vlan, mod_vlan_vid, load, match
# field order) so that normalization is exercised.
gen_flows() {
    local n=$1 first=${2:-1} p hi lo v c
    for ((p = first; p < first + n; p++)); do
        hi=$((p >> 8)) lo=$((p & 255)) v=$((p % 4000 + 1))
        c=$(printf '0x%x' $p)
        printf '0 100 %s in_port=%d,dl_src=02:00:00:00:%02x:%02x resubmit(,1)\n' $c $p $hi $lo
        printf '0 90 %s in_port=%d -\n' $c $p
        printf '1 100 %s ip,in_port=%d,nw_src=10.%d.%d.1 resubmit(,2)\n' $c $p $hi $lo
        printf '1 100 %s in_port=%d,arp,arp_spa=10.%d.%d.1 resubmit(,2)\n' $c $p $hi $lo
        printf '2 100 %s dl_vlan=%d,dl_dst=02:00:00:00:%02x:%02x strip_vlan,output:%d\n' $c $v $hi $lo $p
        printf '2 100 %s tcp,nw_dst=10.%d.%d.1,tp_dst=80 mod_vlan_vid:%d,output:%d\n' $c $hi $lo $v $p
        printf '1 100 %s in_port=%d,ipv6,ipv6_src=fd00::%x resubmit(,2)\n' $c $p $p
        printf '2 100 %s reg0=0x5,in_port=%d load:0x1->NXM_NX_REG1[],resubmit(,3)\n' $c $p
        printf '1 100 %s udp,in_port=%d,tp_src=68,tp_dst=67 controller,resubmit(,2)\n' $c $p
        printf '1 50 %s icmp,in_port=%d,nw_dst=10.0.0.1 ct(commit,zone=%d),output:LOCAL\n' $c $p $p
    done
}

# dump: the switch's flows, sorted, without counters or durations.
dump() { ovs-ofctl -O OpenFlow14 --no-stats dump-flows br-int | sort; }
n_flows() { ovs-ofctl -O OpenFlow14 dump-flows br-int | grep -c cookie=; }

# field KEY FILE: the value of KEY=VALUE on the first line that has it.
field() { sed -n "s/^\(.* \)\{0,1\}$1=\([^ ]*\).*/\2/p" "$2" | head -n 1; }

# run NAME [OPTION] FILE: ofctrl-live install; output in $tmp/NAME.out.
run() {
    local name=$1; shift
    "$live" "${@:1:$#-1}" install "$target" "${@: -1}" \
        > "$tmp/$name.out" 2> "$tmp/$name.err"
    echo $? > "$tmp/$name.rc"
    cat "$tmp/$name.out"
}

# expect NAME KEY VALUE...: PASS if every KEY has VALUE in NAME's output.
expect() {
    local name=$1 test=$2; shift 2
    local bad=""
    while [ $# -gt 0 ]; do
        local got
        got=$(field "$1" "$tmp/$name.out")
        [ "$got" = "$2" ] || bad="$bad $1=$got (want $2)"
        shift 2
    done
    if [ -z "$bad" ]; then gn_pass "$test"; else gn_fail "$test" "$bad"; fi
}

gen_flows 100 > "$tmp/base.flows"

# 1. 1000 flows in one bundle, visible in ovs-ofctl dump-flows.
run first "$tmp/base.flows"
expect first install-1000-flows-in-one-bundle \
    result installed flow_mods 1000 bundles 1 errors 0
gn_check dump-shows-1000-flows test "$(n_flows)" = 1000
dump > "$tmp/base.dump"

# 2. A new process with the same flows sends nothing.
run second "$tmp/base.flows"
expect second restart-sends-zero-flow-mods \
    result installed flow_mods 0 bundles 0 installed 1000

# 3. One changed flow: one flow_mod (actions: MODIFY_STRICT; cookie: ADD).
# change_one WHAT FROM SED_EXPR DUMPED: $tmp/WHAT.flows is FROM.flows
# edited by SED_EXPR; installed, it is one flow_mod and the dump has
# DUMPED.
change_one() {
    sed "$3" "$tmp/$2.flows" > "$tmp/$1.flows"
    run "$1" "$tmp/$1.flows"
    expect "$1" "changed-$1-one-flow-mod" flow_mods 1 bundles 1
    gn_check "changed-$1-in-dump" grep -q "$4" <(dump)
}
change_one actions base \
    's/^0 90 0x7 in_port=7 -$/0 90 0x7 in_port=7 output:8/' \
    'priority=90,in_port=7 actions=output:8'
change_one cookie actions \
    's/^1 50 0x9 icmp,in_port=9,/1 50 0x99 icmp,in_port=9,/' \
    'cookie=0x99, table=1, priority=50,icmp,in_port=9,'

# 4. A new port's ten flows among 1000: only those are sent.
{ cat "$tmp/cookie.flows"; gen_flows 1 101; } > "$tmp/port.flows"
run port "$tmp/port.flows"
expect port new-port-sends-only-its-flows flow_mods 10 installed 1010

# 5. Back to the first flows: 10 deletions + 2 reverts; identical dump.
run back "$tmp/base.flows"
expect back back-to-base-flows-12-flow-mods flow_mods 12 installed 1000
gn_check back-to-base-identical-dump diff -u "$tmp/base.dump" <(dump)

# 6. Flows the switch refuses, with one good change in the same desired
# table: the bundle fails as a whole and the error names the flow.  Table
# 254 is refused when added to the bundle (the bundle is discarded), a
# missing group only at commit (the commit fails).
for kind in add commit; do
    if [ $kind = add ]; then
        bad='254 100 0x998 in_port=5,ip -'
        want='OFPBRC_EPERM for add table=254,priority=100,cookie=0x998,ip,in_port=5 actions=drop'
    else
        bad='0 100 0x999 in_port=5,ip group:4242'
        want='OFPBAC_BAD_OUT_GROUP for add table=0,priority=100,cookie=0x999,ip,in_port=5 actions=group:4242'
    fi
    { cat "$tmp/actions.flows"; echo "$bad"; } > "$tmp/bad-$kind.flows"
    run bad-$kind "$tmp/bad-$kind.flows"
    gn_check refused-at-$kind-exit-status test "$(cat "$tmp/bad-$kind.rc")" = 2
    expect bad-$kind refused-at-$kind-bundle-fails \
        result failed bundles 0 bundle_failures 1 installed 1000
    gn_check refused-at-$kind-error-names-flow \
        grep -qxF "error=$want" "$tmp/bad-$kind.out"
    gn_check refused-at-$kind-log-names-flow \
        grep -qF "$want" "$tmp/bad-$kind.err"
    gn_check refused-at-$kind-tables-unchanged \
        diff -u "$tmp/base.dump" <(dump)
done

# 7. OpenFlow 1.3 (bundles through the ONF extension), from a table
# converted from 1.5: nothing to send, and a full install from empty.
run of13 --max-version=4 "$tmp/base.flows"
expect of13 openflow13-sees-same-flows version 4 flow_mods 0
ovs-ofctl -O OpenFlow14 del-flows br-int
run of13-full --max-version=4 "$tmp/base.flows"
expect of13-full openflow13-installs-1000-in-one-bundle \
    version 4 flow_mods 1000 bundles 1
gn_check openflow13-identical-dump diff -u "$tmp/base.dump" <(dump)

# A switch that speaks none of the versions asked for is not programmed.
ovs-vsctl set bridge br-int protocols=OpenFlow14,OpenFlow15
timeout 2 "$live" --max-version=4 install "$target" "$tmp/base.flows" \
    > "$tmp/noversion.out" 2> "$tmp/noversion.err"
gn_check no-common-version-refused \
    grep -q 'no common OpenFlow version.*needs OpenFlow 1.3 to 1.3' \
    "$tmp/noversion.err"
ovs-vsctl set bridge br-int protocols=OpenFlow13,OpenFlow14,OpenFlow15

# 8. ovs-vswitchd killed and restarted under a running ofctrl: every flow
# is back within 1 s of ovs-vswitchd being back.
"$live" watch "$target" "$tmp/base.flows" > "$tmp/watch.out" \
    2> "$tmp/watch.err" &
watch_pid=$!
gn_on_exit "kill $watch_pid"
if gn_wait 10 grep -q result=installed "$tmp/watch.out"; then
    "$GN_SRCDIR/scripts/gn-sandbox" kill vswitchd "$GN_SANDBOX_DIR"
    sleep 0.5
    "$GN_SRCDIR/scripts/gn-sandbox" restart vswitchd "$GN_SANDBOX_DIR"
    back=$(date +%s%N)
    until [ "$(n_flows 2>/dev/null)" = 1000 ] \
          || [ $(( ($(date +%s%N) - back) / 1000000 )) -gt 5000 ]; do
        sleep 0.02
    done
    shell_ms=$(( ($(date +%s%N) - back) / 1000000 ))
    gn_wait 10 bash -c "! kill -0 $watch_pid 2>/dev/null"
    wait $watch_pid
    echo "watch exit status $?"
    cat "$tmp/watch.out"
    grep '^restored ' "$tmp/watch.out" > "$tmp/restored.out"
    after_connect=$(field after_connect_ms "$tmp/restored.out")
    echo "restore: ${after_connect:-?} ms from reconnect to confirmed;" \
         "all 1000 flows in the dump ${shell_ms} ms after" \
         "'gn-sandbox restart' returned"
    expect restored vswitchd-restart-restores-all-flows \
        flows 1000 reconnects 1 flow_mods 1000
    gn_check vswitchd-restart-restored-within-1s \
        test -n "$after_connect" -a "${after_connect:-9999}" -lt 1000 \
        -a "$shell_ms" -lt 1000
    gn_check vswitchd-restart-identical-dump diff -u "$tmp/base.dump" <(dump)
else
    gn_fail vswitchd-restart-restores-all-flows "watch never installed"
fi

# 9. A switch that stops answering (SIGSTOP) is dropped after two probe
# intervals of silence; once it answers again the connection comes back
# and, its flows being intact, nothing is sent.
"$live" --probe=300 watch "$target" "$tmp/base.flows" > "$tmp/stop.out" \
    2> "$tmp/stop.err" &
stop_pid=$!
gn_on_exit "kill $stop_pid"
vswitchd_pid=$(cat "$GN_SANDBOX_DIR/ovs-vswitchd.pid")
gn_on_exit "kill -CONT $vswitchd_pid"
if gn_wait 10 grep -q result=installed "$tmp/stop.out"; then
    kill -STOP "$vswitchd_pid"
    gn_wait 5 grep -q 'no response to echo' "$tmp/stop.err"
    kill -CONT "$vswitchd_pid"
    gn_wait 10 bash -c "! kill -0 $stop_pid 2>/dev/null"
    wait $stop_pid
    grep -E '^restored |no response to echo' "$tmp/stop.out" "$tmp/stop.err"
    gn_check silent-switch-dropped-after-probe \
        grep -q 'no response to echo' "$tmp/stop.err"
    grep '^restored ' "$tmp/stop.out" > "$tmp/stop-restored.out"
    expect stop-restored silent-switch-reconnect-sends-nothing \
        flows 1000 reconnects 1 flow_mods 0
else
    gn_fail silent-switch-dropped-after-probe "watch never installed"
fi

# 10. Counters per cookie: three packets through a flow of cookie 0x77.
{ cat "$tmp/base.flows"; echo '0 300 0x77 in_port=LOCAL -'; } \
    > "$tmp/count.flows"
run count "$tmp/count.flows"
for i in 1 2 3; do
    ovs-ofctl -O OpenFlow14 packet-out br-int "in_port=LOCAL packet=ffffffffffff020000000001080045000014000100004011f97e0a0000010a000002 actions=table"
done
"$live" cookies "$target" "$tmp/count.flows" > "$tmp/cookies.out" \
    2> "$tmp/cookies.err"
grep -E '^cookie=(0x77|0x1) ' "$tmp/cookies.out"
gn_check cookie-stats-count-packets \
    grep -qx 'cookie=0x77 flows=1 packets=3 bytes=102' "$tmp/cookies.out"
gn_check cookie-stats-count-flows \
    grep -q '^cookie=0x1 flows=10 packets=0 ' "$tmp/cookies.out"

# 11. A table edited in place under ofctrl_hold() (guestnetd rebuilding
# flows in slices) reaches the switch only when committed: not during the
# hold, not even when ovs-vswitchd restarts meanwhile and ofctrl connects
# again (its tables stay empty rather than getting half an edit); on commit,
# all of it goes.  SIGUSR1 ends the hold, after the checks, however long
# the restart took.
"$live" held "$target" "$tmp/base.flows" > "$tmp/held.out" \
    2> "$tmp/held.err" &
held_pid=$!
gn_on_exit "kill $held_pid"
if gn_wait 10 grep -q '^result=held' "$tmp/held.out"; then
    gn_check held-edit-not-sent test "$(n_flows)" = 1000
    "$GN_SRCDIR/scripts/gn-sandbox" kill vswitchd "$GN_SANDBOX_DIR"
    "$GN_SRCDIR/scripts/gn-sandbox" restart vswitchd "$GN_SANDBOX_DIR"
    if gn_wait 20 grep -q '^result=reconnected' "$tmp/held.out"; then
        # Anything sent on connecting has had time to land.
        sleep 1
        gn_check held-edit-not-sent-after-switch-restart \
            test "$(n_flows)" = 0
    else
        gn_fail held-edit-not-sent-after-switch-restart \
            "ofctrl did not connect again within 20 s of the restart"
    fi
    kill -USR1 $held_pid
    gn_wait 10 bash -c "! kill -0 $held_pid 2>/dev/null"
    wait $held_pid
    echo "held exit status $?"
    cat "$tmp/held.out"
    gn_check held-edit-sent-on-commit grep -q '^result=committed' \
        "$tmp/held.out"
    gn_check held-edit-all-flows-after-commit test "$(n_flows)" = 1001
    gn_check held-edit-new-flow-there bash -c \
        "ovs-ofctl -O OpenFlow14 dump-flows br-int table=9 | grep -q reg3=0x7"
else
    gn_fail held-edit-not-sent "held never installed"
fi

gn_done
