# api-lib.sh: helpers shared by the api-*.sh tests (source it after
# tests/lib.sh).  Not a test itself.

# api_guestnetd_start CONFIG [GUESTNETD OPTION]...: gn_guestnetd_start with
# more options for guestnetd (API limits, metrics listener, groups).
api_guestnetd_start() {
    local config=$1; shift
    export GUESTNET_SOCKET=$GN_SANDBOX_DIR/guestnetd.sock
    ip netns exec "$GN_SANDBOX_NETNS" "$GUESTNETD" --config "$config" \
        --ovsdb "$GN_SANDBOX_DB" --socket "$GUESTNET_SOCKET" \
        --log-file "$GN_SANDBOX_DIR/guestnetd.log" \
        --pidfile "$GN_SANDBOX_DIR/guestnetd.pid" "$@" &
    GN_GUESTNETD_PID=$!
    gn_on_exit "kill $GN_GUESTNETD_PID"
    if ! gn_wait 20 curl -sf --unix-socket "$GUESTNET_SOCKET" \
            http://localhost/v1/health; then
        gn_fail guestnetd-start "guestnetd not healthy within 20 s"
        tail -n 20 "$GN_SANDBOX_DIR/guestnetd.log"
        return 1
    fi
}

# api_alive NAME: PASS if guestnetd's process lives and /v1/health is 200.
api_alive() {
    gn_check "$1-daemon-alive" kill -0 "$GN_GUESTNETD_PID"
    gn_check "$1-health-200" curl -sf --max-time 5 \
        --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/health \
        -o /dev/null
}
