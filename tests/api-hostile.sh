#!/bin/bash
# api-hostile: malformed and hostile requests get errors (JSON where
# guestnetd answers them) and guestnetd keeps serving: bad JSON, wrong
# types, wrong content type, bad query parameters, unknown methods and
# paths, huge bodies, huge headers, garbage, a slow client that sends its
# headers a byte at a time and stalls, 500 connections at once, and
# netns paths that are FIFOs, devices or other files.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
. "$GN_SRCDIR/tests/api-lib.sh"
gn_require_cmd python3 python3

gn_guestnetd_setup --request-timeout 2 --max-clients 256
s=$$
clients() { python3 "$GN_SRCDIR/tests/api-clients.py" "$@"; }
txns=$(gn_guestnetd_txns)

# expect NAME STATUS METHOD PATH [BODY [CONTENT-TYPE]]: the answer has
# STATUS and a JSON error with that code.
expect() {
    local name=$1 want=$2 method=$3 path=$4 body=${5:-}
    local type=${6:-application/json} out
    out=$(curl -s --max-time 10 --unix-socket "$GUESTNET_SOCKET" -X "$method" \
          ${body:+-H "Content-Type: $type" --data-binary "$body"} \
          -w '\nHTTP %{http_code}\n' "http://localhost$path")
    if grep -q "^HTTP $want\$" <<<"$out" \
       && grep -q "\"code\": $want" <<<"$out" \
       && grep -q '"message": "..*"' <<<"$out"; then
        gn_pass "$name"
    else
        gn_fail "$name" "expected a JSON $want error, got: $out"
    fi
}
port='{"name":"hx1","kind":"lxc","network":"web","mode":"phys"}'
expect bad-json 400 POST /v1/ports '{"name": "hx1", '
expect json-not-object 400 POST /v1/ports '"hx1"'
expect wrong-type-name 400 POST /v1/ports '{"name":["hx1"],"kind":"lxc","network":"web"}'
expect wrong-type-wait 400 POST /v1/ports '{"name":"hx1","kind":"lxc","network":"web","wait":"yes"}'
expect wrong-type-mtu 400 POST /v1/ports '{"name":"hx1","kind":"lxc","network":"web","mtu":"9000"}'
expect null-byte-in-json 400 POST /v1/ports '{"name":"hx\u0000","kind":"lxc","network":"web"}'
expect duplicate-keys 400 POST /v1/ports '{"name":"hx1","name":"hx2","kind":"lxc","network":"web"}'
expect deep-nesting 400 POST /v1/ports "$(python3 -c 'print("["*5000 + "]"*5000)')"
expect wrong-content-type 415 POST /v1/ports "$port" text/plain
expect empty-body 400 POST /v1/ports ''
expect bad-wait-parameter 400 POST "/v1/ports?wait=maybe" "$port"
expect unknown-query-parameter 400 POST "/v1/ports?force=1" "$port"
expect query-on-read 400 GET "/v1/status?verbose=1"
expect body-on-delete 400 DELETE /v1/ports/hx1 '{}'
expect body-on-reload 400 POST /v1/reload '{"file":"/etc/shadow"}'
expect unknown-path 404 GET /v2/status
expect unknown-path-below-port 404 GET /v1/ports/a/b
expect method-not-allowed 405 PUT /v1/ports
expect method-on-read-only 405 DELETE /v1/status
expect patch 405 PATCH /v1/ports/hx1
expect get-on-write-only 405 GET /v1/reload
expect percent-garbage 404 GET "/v1/ports/%ff%fe"
# netns_path must name a network namespace: a FIFO nobody writes to (a
# plain open() of it would block guestnetd's loop), a symlink to it, a
# device, a directory and a regular file are refused with 400 at once.
fifo=$GN_SANDBOX_DIR/fifo
mkfifo "$fifo"
ln -s "$fifo" "$GN_SANDBOX_DIR/link-to-fifo"
: > "$GN_SANDBOX_DIR/plain-file"
for p in "$fifo" "$GN_SANDBOX_DIR/link-to-fifo" /dev/zero /tmp \
         "$GN_SANDBOX_DIR/plain-file"; do
    start=$(date +%s%N)
    expect "netns-path-$(basename "$p")" 400 POST /v1/ports \
        "{\"name\":\"hx1\",\"kind\":\"lxc\",\"network\":\"web\",\"netns_path\":\"$p\"}"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    gn_check "netns-path-$(basename "$p")-answered-at-once" test "$ms" -lt 2000
done
# None of them held the loop: its largest delay so far is well under the
# second a blocked open() would have taken (it blocks for ever).
gn_check "netns-paths-did-not-block-the-loop" test "$(gn_api GET /v1/status \
    | sed '$d' | jq_ 'int(d["loop"]["max_ms"] < 500)')" = 1
expect netns-path-missing 404 POST /v1/ports \
    '{"name":"hx1","kind":"lxc","network":"web","netns_path":"/run/netns/gn-none"}'
gn_check "nothing-was-added" \
    bash -c "! ovs-vsctl list-ports br-int | grep -q '^hx'"
gn_check "no-transaction-from-bad-requests" \
    test "$(gn_guestnetd_txns)" = "$txns"

# --- huge body: refused before it is read.
big=$GN_SANDBOX_DIR/big.json
python3 -c 'print("{\"name\": \"" + "a" * 2000000 + "\"}")' > "$big"
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$GUESTNET_SOCKET" \
       -H 'Content-Type: application/json' --data-binary @"$big" \
       http://localhost/v1/ports)
gn_check "huge-body-413" test "$code" = 413
api_alive huge-body

# --- huge headers (100 KB): refused, connection closed.
hdr=$(python3 -c 'print("X-Big: " + "b" * 100000)')
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$GUESTNET_SOCKET" \
       -H "$hdr" http://localhost/v1/status)
gn_check "huge-headers-refused" test "$code" != 200
api_alive huge-headers

# --- garbage and malformed request lines.
out=$(printf '\x00\x01\x02garbage\r\n\r\n' | clients raw "$GUESTNET_SOCKET")
gn_check "garbage-refused" grep -Eq '^(400 |closed)' <<<"$out"
out=$(printf 'GET\r\n\r\n' | clients raw "$GUESTNET_SOCKET")
gn_check "bad-request-line-refused" grep -Eq '^(400 |closed)' <<<"$out"
out=$(printf 'GET /v1/status HTTP/1.1\r\nContent-Length: -5\r\n\r\n' \
      | clients raw "$GUESTNET_SOCKET")
gn_check "negative-content-length-refused" grep -Eq '^(400 |closed)' <<<"$out"
api_alive garbage

# --- a slow client: headers a byte at a time, then silence.  With
# --request-timeout 2 it is answered 408 and closed within ~2 s, and
# others are served meanwhile.
clients slow "$GUESTNET_SOCKET" > "$GN_SANDBOX_DIR/slow.out" &
slow_pid=$!
gn_on_exit "kill $slow_pid"
sleep 0.5
gn_check "served-during-slow-client" curl -sf --max-time 2 \
    --unix-socket "$GUESTNET_SOCKET" http://localhost/v1/status -o /dev/null
wait $slow_pid
out=$(cat "$GN_SANDBOX_DIR/slow.out")
gn_check "slow-client-408" grep -q '^status=408 ' <<<"$out"
secs=$(sed 's/.*secs=//' <<<"$out")
gn_check "slow-client-cut-in-time" python3 -c "exit(not 1.5 <= $secs <= 4)"
gn_check "slow-client-counted" bash -c "curl -s --unix-socket \
    '$GUESTNET_SOCKET' http://localhost/metrics \
    | grep -q '^guestnet_api_connections_timed_out_total [1-9]'"
api_alive slow-client

# --- 500 connections at once: at most 256 are served, the others are
# refused quickly with 503 (or closed); none hangs.
start=$(date +%s%N)
out=$(timeout 30 python3 "$GN_SRCDIR/tests/api-clients.py" flood \
      "$GUESTNET_SOCKET" 500)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "flood: $out in $ms ms"
ok=$(sed 's/.*ok=\([0-9]*\).*/\1/' <<<"$out")
refused=$(sed 's/.*refused=\([0-9]*\).*/\1/' <<<"$out")
closed=$(sed 's/.*closed=\([0-9]*\).*/\1/' <<<"$out")
gn_check "flood-all-answered" test $((ok + refused + closed)) = 500
gn_check "flood-at-most-256-served" test "$ok" -le 256 -a "$ok" -ge 200
# A refused client usually reads the 503; one whose request was still
# unread when the socket closed may see a reset instead.
gn_check "flood-rest-refused" test $((refused + closed)) -ge 244
gn_check "flood-refused-with-503" test "$refused" -ge 1
gn_check "flood-quick" test "$ms" -lt 10000
api_alive flood
clients_now() {
    curl -s --unix-socket "$GUESTNET_SOCKET" http://localhost/metrics \
        | sed -n 's/^guestnet_api_clients //p'
}
few_clients() { test "$(clients_now)" -le 2; }
gn_check "flood-connections-released" gn_wait 5 few_clients
out=$(timeout 30 python3 "$GN_SRCDIR/tests/api-clients.py" flood \
      "$GUESTNET_SOCKET" 100)
gn_check "after-flood-all-served" grep -q '^ok=100 ' <<<"$out"

# The positive control of the netns_path checks: a real network namespace.
gn_netns "gn-hn$s"
gn_check "netns-path-of-a-namespace-accepted" bash -c "'$GUESTNETCTL' port \
    add hn$s --kind lxc --network web --netns-path /run/netns/gn-hn$s \
    >/dev/null"
gn_check "netns-path-port-in-namespace" \
    ip netns exec "gn-hn$s" ip link show eth0
gn_check "netns-path-port-del" bash -c "'$GUESTNETCTL' port del hn$s >/dev/null"
# --- after all that, writes still work.
gn_check "after-hostile-port-add" bash -c "'$GUESTNETCTL' port add hx$s \
    --kind lxc --network web --mode phys >/dev/null"
gn_check "after-hostile-port-del" bash -c "'$GUESTNETCTL' port del hx$s >/dev/null"
api_alive end
gn_done
