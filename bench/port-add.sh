#!/bin/bash
# bench/port-add.sh: how fast ports get attached, guestnetd against what an
# operator would otherwise run and against OVN, in the same run, each on a
# private OVS (userspace datapath).  Every port has the same MAC and IPv4
# address (port i: 52:54:00:XX:XX:XX, 10.10.A.B) and port security on them.
#
#   loop      one "ovs-vsctl add-port BR tapN tag=10" per port
#   txn       the composite bound: the N taps in one `ip -batch`, one
#             ovs-vsctl transaction adding every port, and as many flows
#             as guestnetd installed (synthetic, per port) in one
#             `ovs-ofctl --bundle add-flows`; each part is timed, the bound
#             is their sum (no addresses checked, no pipeline computed)
#   guestnetd N concurrent POST /v1/ports (64 clients) with the MAC and
#             address; each answer means: tap created, OVSDB committed,
#             ovs-vswitchd applied it (ofport assigned) and the port's
#             flows installed (barrier)
#   bulk      one POST /v1/ports adding all N ({"ports": [...]}), answered
#             once every port is as above
#   ovn       OVN (ovn-northd + ovn-controller) in a private directory
#             (OVN_RUNDIR) beside a sandbox OVS of its own (its own
#             netns, OVS_RUNDIR): one logical switch "web", N logical
#             switch ports with addresses and port_security "MAC IP" in
#             one ovn-nbctl transaction, the N OVS ports with
#             external_ids:iface-id in one ovs-vsctl transaction; the time
#             runs until every Interface has external_ids:ovn-installed
#             (ovn-controller installed its flows).  The taps are created
#             beforehand (one `ip -batch`) and NOT counted, unlike
#             guestnetd's, which it creates itself.
#
# Then, with the N ports in place, the one-port latency (ONE=K adds, one
# at a time, default 10; p50/p99/max): one `ovs-vsctl add-port` (waits for
# ovs-vswitchd; tap made beforehand), one POST /v1/ports (guestnetd makes
# the tap), and for OVN one ovn-nbctl (lsp-add, addresses, port security)
# plus one ovs-vsctl add-port, until ovn-installed (tap made beforehand).
# Memory (RSS) of guestnetd and of the OVN daemons at N ports is printed.
#
# OVN=1 (or "ovn" in METHODS) runs the OVN comparison: when ovn-northd or
# ovn-controller is missing it installs the Debian packages ovn-central
# and ovn-host with apt-get (their services are not started: a
# policy-rc.d refusing them is in place during the install).
# scripts/setup.sh does not install them.
#
# Usage: bench/port-add.sh [N]      (as root, after scripts/build.sh)
# Environment: GN_BUILDDIR (default: the source tree), CLIENTS (64),
# METHODS (default "loop txn guestnetd bulk", plus "ovn" with OVN=1: which to
# run; the comparison is only fair within one run), ONE (10),
# GUESTNETD_OPTS (more guestnetd options, e.g. "-v dbg"), GUESTNETD_LOG
# (FILE: keeps guestnetd's log).
set -u
N=${1:-1000}
CLIENTS=${CLIENTS:-64}
ONE=${ONE:-10}
METHODS=${METHODS:-loop txn guestnetd bulk}
[ "${OVN:-0}" = 0 ] || [[ " $METHODS " == *" ovn "* ]] || METHODS+=" ovn"
GN_TEST_NAME=bench-port-add
. "$(dirname "$0")/lib.sh"
gn_require_root

want() { [[ " $METHODS " == *" $1 "* ]]; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
# mac I / ip I: port I's addresses.
mac() { printf '52:54:00:%02x:%02x:%02x' $(($1 >> 16 & 255)) \
        $(($1 >> 8 & 255)) $(($1 & 255)); }
ip4() { echo "10.10.$(($1 / 200 + 1)).$(($1 % 200 + 10))"; }
# pcts: "p50 P p99 Q max M" (seconds) of the numbers on stdin.
pcts() {
    python3 -c '
import math, sys
v = sorted(float(x) for x in sys.stdin.read().split())
if not v:
    sys.exit(print("no adds (ONE=0)"))
r = lambda p: v[max(0, math.ceil(p / 100 * len(v)) - 1)]
print(f"p50 {r(50):.3f} s, p99 {r(99):.3f} s, max {v[-1]:.3f} s "
      f"({len(v)} adds)")'
}
# How many times ovs-vswitchd has reconfigured its bridges (every change
# of the database it reads, every link notification of the kernel).
reconfigurations() {
    ovs-appctl coverage/read-counter bridge_reconfigure 2>/dev/null || echo 0
}
rss_mb() {
    awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null
}

if want ovn && ! { command -v ovn-northd && command -v ovn-controller; } \
        >/dev/null; then
    echo "== installing ovn-central and ovn-host (apt-get)"
    own_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        own_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y \
        --no-install-recommends ovn-central ovn-host >/dev/null
    [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
    command -v ovn-controller >/dev/null \
        || { echo "ovn-central/ovn-host could not be installed"; exit 1; }
fi

gn_sandbox_start
ns=$GN_SANDBOX_NETNS
rows=()     # "METHOD:SECONDS"
one_rows=() # "METHOD:p50 ..."
row() { printf '%-24s%s s\n' "$1:" "$2"; rows+=("$1:$2"); }

make_taps() {   # PREFIX FIRST LAST [NETNS]
    local i
    for ((i = $2; i <= $3; i++)); do
        echo "tuntap add dev $1$i mode tap"
    done | ip -n "${4:-$ns}" -batch -
}
del_taps() {    # PREFIX FIRST LAST [NETNS]
    local i
    for ((i = $2; i <= $3; i++)); do echo "link del $1$i"; done \
        | ip -n "${4:-$ns}" -batch - 2>/dev/null
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

echo "== $N ports, userspace datapath, $(nproc) cores, load $(cut -d' ' \
-f1-3 /proc/loadavg)"

# --- loop: ovs-vsctl, one command per port.
if want loop; then
    ovs-vsctl add-br br-loop -- set Bridge br-loop datapath_type=netdev \
        fail_mode=secure
    make_taps tl 1 "$N"
    t0=$(now)
    for ((i = 1; i <= N; i++)); do
        ovs-vsctl add-port br-loop "tl$i" tag=10 \
            -- set Interface "tl$i" "external_ids:attached-mac=\"$(mac $i)\""
    done
    row "ovs-vsctl loop" "$(secs "$t0" "$(now)")"
    ovs-vsctl del-br br-loop
    del_taps tl 1 "$N"
fi

# --- guestnetd: N concurrent requests from $CLIENTS clients (guestnetd),
# then the one-port latency; or one request adding all N (bulk).
rc=0
flows=""
# restart_ready PORTS: restarts guestnetd with PORTS ports in place and
# prints the time from its start until it is ready (connected to the
# switch, which holds the flow table it wants, every port bound), and the
# flow_mods and bundles it sent to get there.
restart_ready() {
    local secs fm bundles cpu
    gn_guestnetd_stop
    gn_bench_launch_ready "$cfg" "$1" ${GUESTNETD_OPTS:-} \
        || { echo "  restart: not ready within 120 s"; rc=1; return; }
    read -r secs fm bundles _ cpu <<<"$GN_BENCH_READY"
    echo "  restart at $1 ports: ready in $secs s, $fm flow_mods," \
         "$bundles bundles, guestnetd's CPU $cpu s"
}

run_guestnetd() {   # guestnetd | bulk
    local how=$1 out t0 t1 ready txns txns0 reconf reconf0 fm bundles r lat i
    cfg=$GN_SANDBOX_DIR/guestnet.json
    gn_config "$cfg"
    sed -i 's#10\.10\.0\.0/24#10.10.0.0/16#' "$cfg"   # room for N addresses
    gn_guestnetd_start "$cfg" ${GUESTNETD_OPTS:-} || exit 1
    body() {
        echo "{\"name\":\"tg$1\",\"kind\":\"kvm\",\"network\":\"web\"," \
             "\"mac\":\"$(mac "$1")\",\"ips\":[\"$(ip4 "$1")\"]}"
    }
    for ((i = 1; i <= N; i++)); do body $i; done > "$GN_SANDBOX_DIR/adds.json"
    txns0=$(gn_guestnetd_txns)
    reconf0=$(reconfigurations)
    if [ "$how" = bulk ]; then
        python3 -c 'import json, sys
print(json.dumps({"ports": [json.loads(l) for l in sys.stdin]}))' \
            < "$GN_SANDBOX_DIR/adds.json" > "$GN_SANDBOX_DIR/bulk.json"
        t0=$(now)
        out=$(curl -s -o "$GN_SANDBOX_DIR/bulk.out" -w '%{http_code}' \
              --max-time 300 --unix-socket "$GUESTNET_SOCKET" \
              -H 'Content-Type: application/json' \
              --data-binary @"$GN_SANDBOX_DIR/bulk.json" \
              http://localhost/v1/ports)
        t1=$(now)
        added=$(python3 -c 'import json, sys
print(json.load(sys.stdin)["added"])' < "$GN_SANDBOX_DIR/bulk.out" 2>/dev/null)
        echo "guestnetd bulk request: HTTP $out, ${added:-0} of $N added"
        [ "$out" = 200 ] && [ "${added:-0}" = "$N" ] || rc=1
    else
        t0=$(now)
        out=$("$GN_BUILDDIR/bench/api-load" post "$GUESTNET_SOCKET" \
              /v1/ports "$CLIENTS" < "$GN_SANDBOX_DIR/adds.json") || rc=1
        t1=$(now)
        echo "guestnetd requests: $out"
    fi
    gnd=$(secs "$t0" "$t1")
    ready=$(ovs-vsctl --bare --columns=ofport list Interface | awk '$1 > 0' \
            | grep -c .)
    txns=$(( $(gn_guestnetd_txns) - txns0 ))
    reconf=$(( $(reconfigurations) - reconf0 ))
    rows+=("$how:$gnd")
    [ -n "${base_gnd:-}" ] || base_gnd=$gnd
    printf '%-24s%s s (%s interfaces with an ofport, %s OVSDB transactions, %s ovs-vswitchd reconfigurations)\n' \
        "$how:" "$gnd" "$ready" "$txns" "$reconf"
    read -r flows fm bundles <<<"$("$GUESTNETCTL" --json status \
        | python3 -c 'import json, sys
s = json.load(sys.stdin)["openflow"]
print(s["installed_flows"], s["flow_mods"], s["bundles"])')"
    echo "  flows installed: $flows, flow_mods: $fm, bundles: $bundles"
    if [ "$how" = guestnetd ]; then
        sleep 1
        lat=()
        for ((i = N + 1; i <= N + ONE; i++)); do
            sleep 0.3
            r=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' \
                --unix-socket "$GUESTNET_SOCKET" \
                -H 'Content-Type: application/json' \
                --data-binary "$(body $i)" http://localhost/v1/ports)
            [ "${r%% *}" = 201 ] || { echo "one-port add $i: $r"; rc=1; }
            lat+=("${r#* }")
        done
        one_rows+=("guestnetd (POST)|$(printf '%s\n' "${lat[@]}" | pcts)")
        restart_ready "$((N + ONE))"
    fi
    echo "  guestnetd RSS at $(ovs-vsctl list-ports br-int | grep -c .) ports:" \
         "$(rss_mb "$GN_GUESTNETD_PID") MB"
    gn_guestnetd_stop
    [ -z "${GUESTNETD_LOG:-}" ] \
        || cp "$GN_SANDBOX_DIR/guestnetd.log" "$GUESTNETD_LOG"
    # Its ports and taps go before the next method runs.
    ovs-vsctl del-br br-int
    for ((i = 1; i <= N + ONE; i++)); do echo "link del tg$i"; done \
        | ip -n "$ns" -batch - 2>/dev/null
}
for how in guestnetd bulk; do
    if want "$how"; then
        run_guestnetd "$how"
    fi
done

# --- txn: the composite bound.
if want txn; then
    ovs-vsctl add-br br-txn -- set Bridge br-txn datapath_type=netdev \
        fail_mode=secure protocols=OpenFlow13,OpenFlow15
    reconf0=$(reconfigurations)
    t0=$(date +%s%N)
    make_taps tt 1 $((N + ONE))
    taps_ms=$(ms_since "$t0")
    args=()
    for ((i = 1; i <= N; i++)); do
        args+=(-- add-port br-txn "tt$i" tag=10
               -- set Interface "tt$i"
                  "external_ids:attached-mac=\"$(mac $i)\"")
    done
    t0=$(date +%s%N)
    ovs-vsctl --timeout=600 "${args[@]}"
    txn_ms=$(ms_since "$t0")
    reconf=$(( $(reconfigurations) - reconf0 ))
    # As many flows as guestnetd installed, spread over N ports and 9
    # tables, each port's own MAC and address in them.
    nflows=${flows:-$((19 * N + 150))}
    python3 - "$N" "$nflows" > "$GN_SANDBOX_DIR/flows.txt" <<'EOP'
import sys
n, total = int(sys.argv[1]), int(sys.argv[2])
k = 0
while k < total:
    for i in range(1, n + 1):
        if k >= total:
            break
        t = k // n % 9
        mac = "52:54:00:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255,
                                           i & 255)
        ip = "10.10.%d.%d" % (i // 200 + 1, i % 200 + 10)
        print(f"table={t},priority={100 + k // (9 * n)},in_port={i},"
              f"ip,dl_src={mac},nw_src={ip},actions=resubmit(,{t + 1})")
        k += 1
EOP
    t0=$(date +%s%N)
    ovs-ofctl -O OpenFlow15 --bundle add-flows br-txn \
        "$GN_SANDBOX_DIR/flows.txt"
    bundle_ms=$(ms_since "$t0")
    got=$(ovs-ofctl -O OpenFlow15 dump-aggregate br-txn \
          | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p')
    bound=$(python3 -c \
            "print(f'{($taps_ms + $txn_ms + $bundle_ms) / 1000:.2f}')")
    row "bound (3 parts)" "$bound"
    echo "  taps in one ip -batch $taps_ms ms, one ovs-vsctl txn $txn_ms ms" \
         "($reconf ovs-vswitchd reconfigurations)," \
         "$got flows in one bundle $bundle_ms ms"
    lat=()
    for ((i = N + 1; i <= N + ONE; i++)); do
        t0=$(date +%s%N)
        ovs-vsctl add-port br-txn "tt$i" tag=10
        lat+=("$(ms_since "$t0" | awk '{print $1 / 1000}')")
    done
    one_rows+=("ovs-vsctl add-port|$(printf '%s\n' "${lat[@]}" | pcts)")
    ovs-vsctl del-br br-txn
    del_taps tt 1 $((N + ONE))
fi

# --- ovn: ovn-northd and ovn-controller on a sandbox OVS of their own.
if want ovn; then
    od=$GN_SANDBOX_DIR/ovn-ovs          # the OVS sandbox (OVS_RUNDIR)
    OVN_RUNDIR=$GN_SANDBOX_DIR/ovn      # NB, SB, northd, controller
    mkdir -p "$OVN_RUNDIR"
    export OVN_RUNDIR OVN_LOGDIR=$OVN_RUNDIR OVN_DBDIR=$OVN_RUNDIR
    gn_on_exit "'$GN_SRCDIR/scripts/gn-sandbox' stop '$od'"
    "$GN_SRCDIR/scripts/gn-sandbox" start "$od" > /dev/null || exit 1
    ons=$(cat "$od/netns")
    ovs() { OVS_RUNDIR=$od ovs-vsctl --db="unix:$od/db.sock" "$@"; }
    nb=unix:$OVN_RUNDIR/ovnnb_db.sock
    sb=unix:$OVN_RUNDIR/ovnsb_db.sock
    for db in nb sb; do
        ovsdb-tool create "$OVN_RUNDIR/$db.db" \
            "/usr/share/ovn/ovn-$db.ovsschema"
        ovsdb-server --detach --no-chdir --pidfile="$OVN_RUNDIR/$db.pid" \
            --log-file="$OVN_RUNDIR/$db.log" \
            --unixctl="$OVN_RUNDIR/$db.ctl" \
            --remote="punix:$OVN_RUNDIR/ovn${db}_db.sock" \
            "$OVN_RUNDIR/$db.db" 2>/dev/null
        gn_on_exit "kill \$(cat '$OVN_RUNDIR/$db.pid')"
    done
    ovn-northd --detach --no-chdir --pidfile="$OVN_RUNDIR/northd.pid" \
        --log-file="$OVN_RUNDIR/northd.log" --ovnnb-db="$nb" \
        --ovnsb-db="$sb" 2>/dev/null
    gn_on_exit "kill \$(cat '$OVN_RUNDIR/northd.pid')"
    ovs set Open_vSwitch . external_ids:system-id=gn-bench \
        external_ids:ovn-remote="$sb" external_ids:ovn-encap-type=geneve \
        external_ids:ovn-encap-ip=127.0.0.1 \
        external_ids:ovn-bridge-datapath-type=netdev
    OVS_RUNDIR=$od ovn-controller --detach --no-chdir \
        --pidfile="$OVN_RUNDIR/controller.pid" \
        --log-file="$OVN_RUNDIR/controller.log" "unix:$od/db.sock" \
        2>/dev/null
    gn_on_exit "kill \$(cat '$OVN_RUNDIR/controller.pid')"
    export OVN_NB_DB=$nb OVN_SB_DB=$sb
    if ! gn_wait 30 bash -c "ovn-sbctl --bare --columns=name list Chassis \
            | grep -q gn-bench && OVS_RUNDIR=$od ovs-vsctl \
            --db=unix:$od/db.sock br-exists br-int"; then
        echo "ovn-controller did not register its chassis or make br-int"
        exit 1
    fi
    make_taps to 1 $((N + ONE)) "$ons"
    installed() {
        ovs --bare --columns=name find Interface \
            external_ids:ovn-installed='"true"' | grep -c .
    }
    nbargs=(ls-add web)
    vsargs=()
    for ((i = 1; i <= N; i++)); do
        a="$(mac $i) $(ip4 $i)"
        nbargs+=(-- lsp-add web "to$i" -- lsp-set-addresses "to$i" "$a"
                 -- lsp-set-port-security "to$i" "$a")
        vsargs+=(-- add-port br-int "to$i"
                 -- set Interface "to$i" "external_ids:iface-id=to$i")
    done
    t0=$(now)
    ovn-nbctl --timeout=600 "${nbargs[@]}" 2>>"$OVN_RUNDIR/nbctl.stderr"
    ovs --timeout=600 "${vsargs[@]}"
    gn_wait 600 bash -c "[ \$(OVS_RUNDIR=$od ovs-vsctl --db=unix:$od/db.sock \
        --bare --columns=name find Interface \
        external_ids:ovn-installed='\"true\"' | grep -c .) -ge $N ]"
    ovn_t=$(secs "$t0" "$(now)")
    row "OVN" "$ovn_t"
    echo "  ($(installed) interfaces ovn-installed," \
         "$(ovn-nbctl --bare --columns=up find Logical_Switch_Port up=true \
            | grep -c true) logical ports up," \
         "$(OVS_RUNDIR=$od ovs-ofctl -O OpenFlow15 dump-aggregate br-int \
            | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p') flows)"
    sleep 1
    lat=()
    for ((i = N + 1; i <= N + ONE; i++)); do
        sleep 0.3
        a="$(mac $i) $(ip4 $i)"
        t0=$(date +%s%N)
        ovn-nbctl lsp-add web "to$i" -- lsp-set-addresses "to$i" "$a" \
            -- lsp-set-port-security "to$i" "$a"
        ovs add-port br-int "to$i" -- set Interface "to$i" \
            "external_ids:iface-id=to$i"
        ovs --timeout=30 wait-until Interface "to$i" \
            external_ids:ovn-installed='"true"'
        lat+=("$(ms_since "$t0" | awk '{print $1 / 1000}')")
    done
    one_rows+=("OVN (nbctl + vsctl)|$(printf '%s\n' "${lat[@]}" | pcts)")
    echo "  RSS at $((N + ONE)) ports: ovn-controller" \
         "$(rss_mb "$(cat "$OVN_RUNDIR/controller.pid")") MB, ovn-northd" \
         "$(rss_mb "$(cat "$OVN_RUNDIR/northd.pid")") MB, SB ovsdb-server" \
         "$(rss_mb "$(cat "$OVN_RUNDIR/sb.pid")") MB, NB ovsdb-server" \
         "$(rss_mb "$(cat "$OVN_RUNDIR/nb.pid")") MB"
    for d in controller northd sb nb; do
        kill "$(cat "$OVN_RUNDIR/$d.pid")"
    done
    "$GN_SRCDIR/scripts/gn-sandbox" stop "$od"
fi

echo
echo "== $N ports at once (load $(cut -d' ' -f1-3 /proc/loadavg))"
base=${base_gnd:-}
printf '%-24s %10s %14s\n' "method" "seconds" "guestnetd/this"
for m in "${rows[@]}"; do
    printf '%-24s %10s %14s\n' "${m%%:*}" "${m#*:}" \
        "$([ -n "$base" ] && python3 -c "print(f'{$base / ${m#*:}:.2f}x')" \
           || echo -)"
done
echo
echo "== one port more when $N exist"
for m in "${one_rows[@]}"; do
    printf '%-24s %s\n' "${m%%|*}" "${m#*|}"
done
exit $rc
