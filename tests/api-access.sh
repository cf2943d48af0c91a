#!/bin/bash
# api-access: reads are open to the socket's group, writes only to root and
# the admin group, checked per request with the peer's credentials: an
# unprivileged member of the socket's group reads everything and is refused
# every write with 403 (nothing changes); a member of the admin group (a
# supplementary group) may write; others cannot connect at all.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/api-lib.sh"
gn_require_cmd setpriv util-linux

s=$$
admin_gid=$(( 40000 + s % 20000 ))
gn_guestnetd_setup --socket-group nogroup --admin-group "$admin_gid"
# The socket lives in the sandbox folder: let others through it.
chmod o+x "$GN_SANDBOX_DIR"

# as_user CMD...: runs CMD as nobody, in group nogroup only.
as_user() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
# as_admin CMD...: nobody, with the admin group as a supplementary group.
as_admin() {
    setpriv --reuid=nobody --regid=nogroup --groups="$admin_gid" "$@"
}
# code WHO METHOD PATH [BODY]: the HTTP status WHO gets.
code() {
    local who=$1 method=$2 path=$3 body=${4:-}
    $who curl -s -o /dev/null -w '%{http_code}' -X "$method" \
        --unix-socket "$GUESTNET_SOCKET" \
        ${body:+-H 'Content-Type: application/json' --data-binary "$body"} \
        "http://localhost$path"
}

gn_check "socket-mode-0660" \
    test "$(stat -c '%a %G' "$GUESTNET_SOCKET")" = "660 nogroup"
"$GUESTNETCTL" port add "ac$s" --kind lxc --network web --mode phys \
    --mac 52:54:00:0c:00:01 >/dev/null
gn_check "root-may-write" test $? = 0

# --- reads as nobody.
for path in /v1/status /v1/health /v1/ports "/v1/ports/ac$s" /v1/networks \
            /v1/flows /metrics "/v1/trace?in_port=ac$s"; do
    gn_check "user-reads-${path//[\/?=]/_}" \
        test "$(code as_user GET "$path")" = 200
done
out=$(as_user env GUESTNET_SOCKET="$GUESTNET_SOCKET" "$GUESTNETCTL" port list)
gn_check "user-guestnetctl-reads" grep -q "^ac$s " <<<"$out"

# --- every write as nobody: 403, nothing changes.
ports_before=$(ovs-vsctl list-ports br-int)
txns=$(gn_guestnetd_txns)
gn_check "user-post-port-403" test "$(code as_user POST /v1/ports \
    "{\"name\":\"ad$s\",\"kind\":\"lxc\",\"network\":\"web\",\"mode\":\"phys\"}")" = 403
gn_check "user-delete-port-403" \
    test "$(code as_user DELETE "/v1/ports/ac$s")" = 403
gn_check "user-reload-403" test "$(code as_user POST /v1/reload)" = 403
gn_check "user-delete-missing-403" \
    test "$(code as_user DELETE "/v1/ports/nope$s")" = 403
out=$(as_user curl -s -X DELETE --unix-socket "$GUESTNET_SOCKET" \
      "http://localhost/v1/ports/ac$s")
gn_check "user-403-json-error" \
    grep -q '"message": "uid [0-9]* gid [0-9]* pid [0-9]* may not change' \
    <<<"$out"
out=$(as_user env GUESTNET_SOCKET="$GUESTNET_SOCKET" "$GUESTNETCTL" \
      port del "ac$s" 2>&1)
gn_check "user-guestnetctl-write-exit-1" test $? = 1
gn_check "user-guestnetctl-says-why" grep -q "may not change" <<<"$out"
sleep 0.3
gn_check "refused-writes-change-nothing" \
    test "$(ovs-vsctl list-ports br-int)" = "$ports_before"
gn_check "refused-writes-no-transaction" \
    test "$(gn_guestnetd_txns)" = "$txns"

# --- the admin group may write.
gn_check "admin-group-may-reload" test "$(code as_admin POST /v1/reload)" = 200
gn_check "admin-group-may-delete" \
    test "$(code as_admin DELETE "/v1/ports/ac$s")" = 200
gn_check "admin-delete-done" \
    bash -c "! ovs-vsctl list-ports br-int | grep -q '^ac$s\$'"

# --- outside the socket's group: no connection at all.
setpriv --reuid=nobody --regid=$((admin_gid + 1)) --clear-groups curl -s \
    --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/status >/dev/null
gn_check "other-group-cannot-connect" test $? = 7
gn_check "refusals-counted" bash -c "curl -s --unix-socket '$GUESTNET_SOCKET' \
    http://localhost/metrics | grep -q '^guestnet_api_forbidden_total [5-9]'"
api_alive after-access
gn_done
