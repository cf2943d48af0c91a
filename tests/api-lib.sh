# api-lib.sh: helpers shared by the api-*.sh tests (source it after
# tests/lib.sh).  Not a test itself.

# api_alive NAME: PASS if guestnetd's process lives and /v1/health is 200.
api_alive() {
    gn_check "$1-daemon-alive" kill -0 "$GN_GUESTNETD_PID"
    gn_check "$1-health-200" curl -sf --max-time 5 \
        --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/health \
        -o /dev/null
}

# jq_ EXPR: prints the Python expression EXPR over the JSON on stdin as 'd'.
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
