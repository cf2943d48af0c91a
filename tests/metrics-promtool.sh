#!/bin/bash
# metrics-promtool: Prometheus's own checker, "promtool check metrics",
# finds no error and no lint problem (counters without _total, units that
# are not base units, missing HELP, ...) in what guestnetd serves on
# /metrics, on the API socket and on the loopback --metrics-listen, with
# guest ports on the bridge; and the families monitoring relies on are
# there with values that match (guestnet_up, guestnet_ports, the
# guestnet_reconcile_* family).  The checker is first shown to report a
# bad exposition.  promtool comes from tests/fetch-promtool.sh (run by
# scripts/setup.sh), or from PATH.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
gn_require_root
gn_require_cmd curl curl

promtool=$("$GN_SRCDIR/tests/fetch-promtool.sh" 2>/dev/null) \
    || promtool=$(command -v promtool) \
    || gn_missing "needs promtool (scripts/setup.sh fetches it into .cache/promtool)"

gn_tmpdir dir
# promtool_clean FILE: promtool accepts the exposition in FILE and says
# nothing (it reports lint problems on its output, and may exit 0).
promtool_clean() {
    "$promtool" check metrics < "$1" > "$1.promtool" 2>&1 \
        && [ ! -s "$1.promtool" ]
}

# --- The checker reports what it should.
cat > "$dir/bad.prom" <<'EOF'
# HELP guestnet_things_sent Things sent.
# TYPE guestnet_things_sent counter
guestnet_things_sent 3
# HELP guestnet_step_milliseconds A step.
# TYPE guestnet_step_milliseconds gauge
guestnet_step_milliseconds 5
EOF
gn_check_fails "promtool-reports-lint" promtool_clean "$dir/bad.prom"
gn_check "promtool-names-the-counter" grep -q 'guestnet_things_sent.*_total' \
    "$dir/bad.prom.promtool"
gn_check "promtool-names-the-unit" grep -q 'guestnet_step_milliseconds' \
    "$dir/bad.prom.promtool"

# --- guestnetd's metrics, with two ports.
gn_sandbox_start
cfg=$GN_SANDBOX_DIR/guestnet.json
gn_config "$cfg"
port=$(( 20000 + $$ % 20000 ))
gn_guestnetd_start "$cfg" --metrics-listen "127.0.0.1:$port" || gn_done
s=$$
for p in a b; do
    gn_check "port-add-$p" "$GUESTNETCTL" port add "m$p$s" --kind lxc \
        --network web --mode phys --mac "52:54:00:0c:00:0${p/a/1}" >/dev/null
done
curl -sf --unix-socket "$GUESTNET_SOCKET" http://localhost/metrics \
    > "$dir/unix.prom"
ip netns exec "$GN_SANDBOX_NETNS" curl -sf "http://127.0.0.1:$port/metrics" \
    > "$dir/tcp.prom"
for src in unix tcp; do
    if promtool_clean "$dir/$src.prom"; then
        gn_pass "promtool-clean-$src"
    else
        gn_fail "promtool-clean-$src" \
            "$(head -c 2000 "$dir/$src.prom.promtool" | tr '\n' ';')"
    fi
done

m="$dir/unix.prom"
# family NAME TYPE: the exposition declares NAME of TYPE.
family() { grep -qx "# TYPE $1 $2" "$m"; }
# value NAME: the value of the sample NAME (no labels).
value() { sed -n "s/^$1 //p" "$m"; }
gn_check "family-up" family guestnet_up gauge
gn_check "up-is-1" test "$(value guestnet_up)" = 1
gn_check "family-ports" family guestnet_ports gauge
gn_check "ports-is-2" test "$(value guestnet_ports)" = 2
gn_check "family-reconcile-steps" family guestnet_reconcile_steps_total counter
gn_check "family-reconcile-seconds" \
    family guestnet_reconcile_seconds_total counter
gn_check "family-reconcile-slow-steps" \
    family guestnet_reconcile_slow_steps_total counter
gn_check "family-reconcile-max" family guestnet_reconcile_max_seconds gauge
gn_check "reconcile-steps-counted" test "$(value guestnet_reconcile_steps_total)" -gt 0
gn_check "every-sample-is-guestnet" \
    test "$(grep -v '^#' "$m" | grep -vc '^guestnet_')" = 0
gn_done
