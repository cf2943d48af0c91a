/* test-jsonrpc.c: the JSON-RPC framing parser fed bytes with no I/O, the
 * message builders and classifier; against a unix socket served here, a
 * session's callback rules, echo, inactivity probe and reconnect, and a
 * replica's fallback from monitor_cond to monitor. */
#include <config.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "jsonrpc-session.h"
#include "jsonrpc.h"
#include "ovsdb-replica.h"
#include "gn-util.h"
#include "test-jsonrpc-server.h"
#include "test-util.h"

/* Three messages with strings that would fool a naive scanner: braces and
 * quotes and backslashes inside strings, unicode escapes, nesting. */
static const char stream[] =
    "{\"method\":\"update2\",\"params\":[\"}{\\\"\\\\\",[[1,[2,{}]],[]]],"
    "\"id\":null}\n"
    "  {\"result\":{\"s\":\"\\u00e9\\u2603\\\\\\\\\",\"a\":[\"]\",\"[\"]},"
    "\"error\":null,\"id\":1}"
    "{\"method\":\"echo\",\"params\":[\"\\\\\"],\"id\":\"echo\"}\r\n";

static const char *const expected[] = {
    "{\"method\":\"update2\",\"params\":[\"}{\\\"\\\\\",[[1,[2,{}]],[]]],"
    "\"id\":null}",
    "{\"result\":{\"s\":\"\\u00e9\\u2603\\\\\\\\\",\"a\":[\"]\",\"[\"]},"
    "\"error\":null,\"id\":1}",
    "{\"method\":\"echo\",\"params\":[\"\\\\\"],\"id\":\"echo\"}",
};

/* Takes every complete message out of 'p' and checks them against
 * 'expected', from '*n' on. */
static void
check_messages(struct jsonrpc_parser *p, size_t *n)
{
    json_t *msg;

    while ((msg = jsonrpc_parser_next(p)) != NULL) {
        CHECK(*n < GN_ARRAY_SIZE(expected));
        if (*n < GN_ARRAY_SIZE(expected)) {
            json_t *want = json_loads(expected[*n], 0, NULL);

            CHECK(want && json_equal(msg, want));
            json_decref(want);
        }
        json_decref(msg);
        (*n)++;
    }
}

static void
test_split_at_every_byte(void)
{
    size_t len = strlen(stream);
    size_t i;

    for (i = 0; i <= len; i++) {
        struct jsonrpc_parser *p = jsonrpc_parser_create(0);
        size_t n = 0;

        CHECK(jsonrpc_parser_feed(p, stream, i) == 0);
        check_messages(p, &n);
        CHECK(jsonrpc_parser_feed(p, stream + i, len - i) == 0);
        check_messages(p, &n);
        CHECK(n == GN_ARRAY_SIZE(expected));
        CHECK(jsonrpc_parser_pending(p) == 0);
        CHECK(jsonrpc_parser_error(p) == NULL);
        jsonrpc_parser_destroy(p);
    }
}

static void
test_one_byte_at_a_time(void)
{
    struct jsonrpc_parser *p = jsonrpc_parser_create(0);
    size_t len = strlen(stream);
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        CHECK(jsonrpc_parser_feed(p, stream + i, 1) == 0);
        check_messages(p, &n);
    }
    CHECK(n == GN_ARRAY_SIZE(expected));
    jsonrpc_parser_destroy(p);
}

static void
test_pending_counts_partial_message(void)
{
    struct jsonrpc_parser *p = jsonrpc_parser_create(0);
    json_t *msg;

    CHECK(jsonrpc_parser_feed(p, " {\"id\":", 7) == 0);
    CHECK(jsonrpc_parser_pending(p) == 6);
    CHECK(jsonrpc_parser_next(p) == NULL);
    CHECK(jsonrpc_parser_feed(p, "1,\"result\":2}", 13) == 0);
    CHECK(jsonrpc_parser_pending(p) == 0);
    msg = jsonrpc_parser_next(p);
    CHECK(msg && json_integer_value(json_object_get(msg, "result")) == 2);
    json_decref(msg);
    jsonrpc_parser_destroy(p);
}

/* A message of 200 kB fed in pieces, whose last piece also holds the
 * start of the next message, parses whole, and so does the next (the
 * parser frees the room the big one needed once it is parsed). */
static void
test_big_message_then_next(void)
{
    struct jsonrpc_parser *p = jsonrpc_parser_create(0);
    struct gn_buf big = GN_BUF_INIT;
    const char *text;
    size_t len, i;
    json_t *msg;

    gn_buf_printf(&big, "{\"id\":1,\"result\":\"");
    for (i = 0; i < 200; i++) {
        gn_buf_printf(&big, "%01024d", 0);
    }
    gn_buf_printf(&big, "\"}{\"id\":2,");
    text = gn_buf_cstr(&big);
    len = strlen(text);
    for (i = 0; i < len; i += 4096) {
        CHECK(jsonrpc_parser_feed(p, text + i,
                                  len - i < 4096 ? len - i : 4096) == 0);
    }
    msg = jsonrpc_parser_next(p);
    CHECK(msg && strlen(json_string_value(json_object_get(msg, "result")))
                 == 200 * 1024);
    json_decref(msg);
    CHECK(jsonrpc_parser_next(p) == NULL);
    CHECK(jsonrpc_parser_feed(p, "\"result\":3}", 11) == 0);
    msg = jsonrpc_parser_next(p);
    CHECK(msg && json_integer_value(json_object_get(msg, "result")) == 3);
    json_decref(msg);
    gn_buf_destroy(&big);
    jsonrpc_parser_destroy(p);
}

static void
test_max_size_is_enforced(void)
{
    struct jsonrpc_parser *p = jsonrpc_parser_create(16);
    const char small[] = "{\"a\":\"0123456\"}";     /* 15 bytes. */
    const char big[] = "{\"a\":\"0123456789abcdef\"}";
    json_t *msg;

    CHECK(jsonrpc_parser_feed(p, small, strlen(small)) == 0);
    msg = jsonrpc_parser_next(p);
    CHECK(msg != NULL);
    json_decref(msg);

    /* Split, so no single feed holds the whole message. */
    CHECK(jsonrpc_parser_feed(p, big, 10) == 0);
    CHECK(jsonrpc_parser_feed(p, big + 10, strlen(big) - 10) == EMSGSIZE);
    CHECK(jsonrpc_parser_error(p) != NULL);
    /* Stays failed, even for valid input. */
    CHECK(jsonrpc_parser_feed(p, small, strlen(small)) == EMSGSIZE);
    CHECK(jsonrpc_parser_next(p) == NULL);
    jsonrpc_parser_destroy(p);

    /* An unterminated message cannot grow memory without bound. */
    p = jsonrpc_parser_create(64);
    CHECK(jsonrpc_parser_feed(p, "{\"a\":\"", 6) == 0);
    for (int i = 0; i < 100 && !jsonrpc_parser_error(p); i++) {
        jsonrpc_parser_feed(p, "xxxxxxxx", 8);
    }
    CHECK(jsonrpc_parser_feed(p, "\"}", 2) == EMSGSIZE);
    CHECK(jsonrpc_parser_pending(p) <= 64);
    jsonrpc_parser_destroy(p);
}

/* Feeds 'text' to a new parser and returns the feed's result; stores the
 * error message's presence in '*has_error'. */
static int
feed_one(const char *text, bool *has_error)
{
    struct jsonrpc_parser *p = jsonrpc_parser_create(0);
    int error = jsonrpc_parser_feed(p, text, strlen(text));

    *has_error = jsonrpc_parser_error(p) != NULL;
    jsonrpc_parser_destroy(p);
    return error;
}

static void
test_garbage_is_eproto(void)
{
    bool has_error;

    CHECK(feed_one("hello", &has_error) == EPROTO && has_error);
    CHECK(feed_one("{\"a\":}", &has_error) == EPROTO && has_error);
    CHECK(feed_one("{\"a\":1]", &has_error) == EPROTO && has_error);
    CHECK(feed_one("{\"a\":\"\x01\"}", &has_error) == EPROTO && has_error);
    CHECK(feed_one("{\"a\":1}}", &has_error) == EPROTO && has_error);
}

static void
test_non_object_is_eproto(void)
{
    bool has_error;

    CHECK(feed_one("[1,2]", &has_error) == EPROTO && has_error);
    CHECK(feed_one("42", &has_error) == EPROTO);
    CHECK(feed_one("\"str\"", &has_error) == EPROTO);
    CHECK(feed_one("null", &has_error) == EPROTO);
}

static void
test_messages_before_error_are_kept(void)
{
    struct jsonrpc_parser *p = jsonrpc_parser_create(0);
    const char text[] = "{\"id\":1,\"result\":0} junk";
    json_t *msg;

    CHECK(jsonrpc_parser_feed(p, text, strlen(text)) == EPROTO);
    msg = jsonrpc_parser_next(p);
    CHECK(msg != NULL);
    json_decref(msg);
    CHECK(jsonrpc_parser_next(p) == NULL);
    CHECK(jsonrpc_parser_feed(p, "{}", 2) == EPROTO);
    jsonrpc_parser_destroy(p);
}

/* Returns the type of the message in 'text'. */
static enum jsonrpc_msg_type
type_of(const char *text)
{
    json_t *msg = json_loads(text, 0, NULL);
    enum jsonrpc_msg_type type = jsonrpc_msg_type(msg);

    json_decref(msg);
    return type;
}

static void
test_classify(void)
{
    CHECK(type_of("{\"method\":\"m\",\"params\":[],\"id\":1}")
          == JSONRPC_REQUEST);
    CHECK(type_of("{\"method\":\"m\",\"params\":[],\"id\":null}")
          == JSONRPC_NOTIFY);
    CHECK(type_of("{\"result\":1,\"error\":null,\"id\":1}")
          == JSONRPC_REPLY);
    CHECK(type_of("{\"result\":null,\"error\":\"unknown method\",\"id\":1}")
          == JSONRPC_ERROR);
    CHECK(type_of("{\"method\":\"m\",\"params\":{},\"id\":1}")
          == JSONRPC_INVALID);
    CHECK(type_of("{\"result\":1,\"error\":null}") == JSONRPC_INVALID);
    CHECK(type_of("{\"id\":3}") == JSONRPC_INVALID);
    CHECK(type_of("[1]") == JSONRPC_INVALID);
    CHECK_STREQ(jsonrpc_msg_type_name(JSONRPC_NOTIFY), "notification");
}

/* Checks that 'msg' (stolen) serialises to JSON equal to 'want'. */
static void
check_msg(json_t *msg, const char *want)
{
    size_t len;
    char *text = jsonrpc_msg_to_string(msg, &len);
    json_t *got = json_loadb(text, len, 0, NULL);
    json_t *exp = json_loads(want, 0, NULL);

    CHECK(strlen(text) == len && !strchr(text, '\n'));
    CHECK(got && exp && json_equal(got, exp));
    if (!got || !exp || !json_equal(got, exp)) {
        fprintf(stderr, "  got %s\n  want %s\n", text, want);
    }
    free(text);
    json_decref(got);
    json_decref(exp);
    json_decref(msg);
}

static void
test_builders(void)
{
    json_t *id = json_string("echo");

    check_msg(jsonrpc_request("echo", NULL, 7),
              "{\"method\":\"echo\",\"params\":[],\"id\":7}");
    check_msg(jsonrpc_request("get_schema", json_pack("[s]", "db"), 1),
              "{\"method\":\"get_schema\",\"params\":[\"db\"],\"id\":1}");
    check_msg(jsonrpc_notify("update2", NULL),
              "{\"method\":\"update2\",\"params\":[],\"id\":null}");
    check_msg(jsonrpc_reply(json_array(), id),
              "{\"result\":[],\"error\":null,\"id\":\"echo\"}");
    check_msg(jsonrpc_error_reply(json_string("bad"), NULL),
              "{\"result\":null,\"error\":\"bad\",\"id\":null}");
    /* 'id' was borrowed by jsonrpc_reply(). */
    CHECK(id->refcount == 1);
    json_decref(id);
}

/* Session tests: a listening unix socket served by the test itself
 * (tests/test-jsonrpc-server.h). */

struct reply_log {
    int n_calls;
    bool in_request;            /* True while inside session_request(). */
    bool reentered;             /* A callback ran inside it. */
    bool got_reply;
    char *error;
    bool destroy;               /* Destroy the session from the callback. */
    bool done;
};

static void
reply_log_cb(struct jsonrpc_session *s, const json_t *reply,
             const char *error, void *log_)
{
    struct reply_log *log = log_;

    log->n_calls++;
    log->reentered |= log->in_request;
    log->got_reply = reply != NULL;
    free(log->error);
    log->error = error ? strdup(error) : NULL;
    log->done = true;
    if (log->destroy) {
        jsonrpc_session_destroy(s);
    }
}

static void
test_session_request_when_down_fails_later(void)
{
    struct event_base *base = event_base_new();
    struct jsonrpc_session_options options = JSONRPC_SESSION_OPTIONS_DEFAULT;
    struct reply_log log = { 0 };
    struct jsonrpc_session *s;
    char *error;

    options.reconnect = false;
    s = jsonrpc_session_create(base, "unix:/nonexistent/gn-test.sock",
                               &options, NULL, NULL, &error);
    CHECK(s && !error);
    log.in_request = true;
    jsonrpc_session_request(s, "echo", NULL, reply_log_cb, &log);
    log.in_request = false;
    CHECK(log.n_calls == 0);
    run_until(base, &log.done, 1000);
    CHECK(log.n_calls == 1 && !log.reentered && !log.got_reply);
    CHECK(log.error != NULL);
    CHECK(!jsonrpc_session_is_connected(s));
    free(log.error);
    jsonrpc_session_destroy(s);
    event_base_free(base);
}

static void
test_session_rejects_bad_remote(void)
{
    char *error;

    CHECK(!jsonrpc_session_create(NULL, "ssl:1.2.3.4:6640", NULL, NULL, NULL,
                                  &error));
    CHECK(error != NULL);
    free(error);
    CHECK(!jsonrpc_session_create(NULL, "tcp:1.2.3.4", NULL, NULL, NULL,
                                  &error));
    CHECK(error != NULL);
    free(error);
}

static void
test_session_reply_echo_and_drop(void)
{
    struct conn_log clog = { 0 };
    struct reply_log log = { 0 }, lost = { 0 };
    struct jsonrpc_session *s;
    struct server server;
    json_t *echo, *msg;
    bool never = false;
    size_t i, n;

    server_start(&server, "/tmp/gn-test-jsonrpc.sock");
    s = server_connect(&server, NULL, &conn_log_cbs, &clog);
    run_until(server.base, &clog.connected, 2000);
    CHECK(clog.connected && jsonrpc_session_is_connected(s));
    CHECK(jsonrpc_session_n_connects(s) == 1);

    /* A request gets its reply, from the loop. */
    log.in_request = true;
    jsonrpc_session_request(s, "hello", NULL, reply_log_cb, &log);
    log.in_request = false;
    run_until(server.base, &log.done, 2000);
    CHECK(log.n_calls == 1 && log.got_reply && !log.reentered);

    /* The peer's "echo" is answered with its params. */
    echo = jsonrpc_request("echo", json_pack("[s]", "x"), 99);
    {
        char *text = jsonrpc_msg_to_string(echo, &n);

        bufferevent_write(server.conn, text, n);
        free(text);
    }
    json_decref(echo);
    run_until(server.base, &never, 200);
    n = 0;
    json_array_foreach (server.received, i, msg) {
        if (jsonrpc_msg_type(msg) == JSONRPC_REPLY
            && json_integer_value(json_object_get(msg, "id")) == 99
            && !strcmp(json_string_value(json_array_get(
                           json_object_get(msg, "result"), 0)), "x")) {
            n++;
        }
    }
    CHECK(n == 1);

    /* A request pending when the connection drops fails with an error,
     * and the session reconnects. */
    server.answer = false;
    jsonrpc_session_request(s, "never-answered", NULL, reply_log_cb, &lost);
    run_until(server.base, &never, 100);
    CHECK(lost.n_calls == 0);
    server_drop(&server);
    clog.connected = false;
    run_until(server.base, &lost.done, 2000);
    CHECK(lost.n_calls == 1 && !lost.got_reply && lost.error);
    CHECK(clog.disconnected);
    run_until(server.base, &clog.connected, 3000);
    CHECK(clog.connected && jsonrpc_session_n_connects(s) == 2);

    /* Destroying the session from inside a reply callback is safe. */
    server.answer = true;
    free(log.error);
    memset(&log, 0, sizeof log);
    log.destroy = true;
    jsonrpc_session_request(s, "hello", NULL, reply_log_cb, &log);
    run_until(server.base, &log.done, 2000);
    CHECK(log.n_calls == 1 && log.got_reply);

    free(log.error);
    free(lost.error);
    server_stop(&server);
}

static void
test_session_destroy_fails_pending(void)
{
    struct conn_log clog = { 0 };
    struct reply_log log = { 0 };
    struct jsonrpc_session *s;
    struct server server;

    server_start(&server, "/tmp/gn-test-jsonrpc2.sock");
    server.answer = false;
    s = server_connect(&server, NULL, &conn_log_cbs, &clog);
    run_until(server.base, &clog.connected, 2000);
    CHECK(clog.connected);
    jsonrpc_session_request(s, "never-answered", NULL, reply_log_cb, &log);
    jsonrpc_session_destroy(s);
    CHECK(log.n_calls == 1 && !log.got_reply && log.error);
    free(log.error);
    server_stop(&server);
}

static void
test_session_probe_drops_silent_peer(void)
{
    struct jsonrpc_session_options options = JSONRPC_SESSION_OPTIONS_DEFAULT;
    struct conn_log clog = { 0 };
    struct jsonrpc_session *s;
    struct server server;

    server_start(&server, "/tmp/gn-test-jsonrpc3.sock");
    server.answer = false;
    options.probe_interval_ms = 200;
    s = server_connect(&server, &options, &conn_log_cbs, &clog);
    run_until(server.base, &clog.connected, 2000);
    CHECK(clog.connected);
    /* Silent for one interval: a probe; for another: the drop. */
    run_until(server.base, &clog.disconnected, 2000);
    CHECK(clog.disconnected);
    CHECK(server_n_received(&server, "echo") == 1);
    jsonrpc_session_destroy(s);
    server_stop(&server);
}

/* An old ovsdb-server: no monitor_cond; "monitor" answers in "update"
 * (old/new) form. */
static json_t *
old_server_respond(const char *method, const json_t *params)
{
    (void) params;
    if (!strcmp(method, "get_schema")) {
        return name_schema("Open_vSwitch", "Bridge");
    } else if (!strcmp(method, "monitor")) {
        return json_loads(
            "{\"Bridge\": {\"11111111-1111-1111-1111-111111111111\": "
            "{\"new\": {\"name\": \"br0\"}}}}", 0, NULL);
    }
    return NULL;
}

static void
test_replica_falls_back_to_monitor(void)
{
    static const char *const columns[] = { "name", NULL };
    struct replica_log log = { 0 };
    struct jsonrpc_session *s;
    struct server server;

    server_start(&server, "/tmp/gn-test-jsonrpc4.sock");
    server.respond = old_server_respond;
    log.replica = ovsdb_replica_create("Open_vSwitch",
                                       replica_log_changed_cb, &log);
    ovsdb_replica_add_table(log.replica, "Bridge", columns);
    s = server_connect(&server, NULL, &replica_log_cbs, &log);
    run_until(server.base, &log.synced, 3000);
    CHECK(log.synced && ovsdb_replica_is_synced(log.replica));
    CHECK(ovsdb_replica_count(log.replica, "Bridge") == 1);
    CHECK_STREQ(ovsdb_datum_string(ovsdb_replica_get_row(
                    log.replica, "Bridge",
                    "11111111-1111-1111-1111-111111111111"), "name"), "br0");
    CHECK(server_n_received(&server, "monitor_cond") == 1
          && server_n_received(&server, "monitor") == 1);
    jsonrpc_session_destroy(s);
    ovsdb_replica_destroy(log.replica);
    server_stop(&server);
}

int
main(void)
{
    TEST_RUN("jsonrpc/split-at-every-byte", test_split_at_every_byte);
    TEST_RUN("jsonrpc/one-byte-at-a-time", test_one_byte_at_a_time);
    TEST_RUN("jsonrpc/pending-counts-partial-message",
             test_pending_counts_partial_message);
    TEST_RUN("jsonrpc/big-message-then-next", test_big_message_then_next);
    TEST_RUN("jsonrpc/max-size-is-enforced", test_max_size_is_enforced);
    TEST_RUN("jsonrpc/garbage-is-eproto", test_garbage_is_eproto);
    TEST_RUN("jsonrpc/non-object-is-eproto", test_non_object_is_eproto);
    TEST_RUN("jsonrpc/messages-before-error-are-kept",
             test_messages_before_error_are_kept);
    TEST_RUN("jsonrpc/classify", test_classify);
    TEST_RUN("jsonrpc/builders", test_builders);
    TEST_RUN("jsonrpc-session/request-when-down-fails-later",
             test_session_request_when_down_fails_later);
    TEST_RUN("jsonrpc-session/rejects-bad-remote",
             test_session_rejects_bad_remote);
    TEST_RUN("jsonrpc-session/reply-echo-and-drop",
             test_session_reply_echo_and_drop);
    TEST_RUN("jsonrpc-session/destroy-fails-pending",
             test_session_destroy_fails_pending);
    TEST_RUN("jsonrpc-session/probe-drops-silent-peer",
             test_session_probe_drops_silent_peer);
    TEST_RUN("ovsdb-replica/falls-back-to-monitor",
             test_replica_falls_back_to_monitor);
    return test_done();
}
