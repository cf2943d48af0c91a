/* test-jsonrpc-server.h: a JSON-RPC server on a unix socket, run by the
 * test itself on the loop its sessions use, for the session and replica
 * tests (tests/test-jsonrpc.c, tests/test-ovsdb-cluster.c): it records
 * every message it receives and answers requests with "ok" or with what
 * its 'respond' function makes; and the logs of what a session's
 * callbacks (conn_log) and a replica's (replica_log) saw. */
#ifndef GN_TEST_JSONRPC_SERVER_H
#define GN_TEST_JSONRPC_SERVER_H 1

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "gn-util.h"
#include "jsonrpc-session.h"
#include "jsonrpc.h"
#include "ovsdb-replica.h"
#include "test-util.h"

struct server {
    const char *path;           /* The socket's. */
    struct event_base *base;    /* The loop of the server and the session. */
    struct evconnlistener *listener;
    struct bufferevent *conn;
    struct jsonrpc_parser *parser;
    json_t *received;           /* Messages from the session. */
    bool answer;                /* Reply to requests? */
    /* If nonnull, makes the result (a new reference) of a request of
     * 'method' with 'params', or returns NULL for the error "unknown
     * method". */
    json_t *(*respond)(const char *method, const json_t *params);
    bool own_base;              /* 'base' is freed with the server. */
};

static inline void
server_read_cb(struct bufferevent *bev, void *server_)
{
    struct server *server = server_;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t n = evbuffer_get_length(in);
    json_t *msg;

    jsonrpc_parser_feed(server->parser, evbuffer_pullup(in, n), n);
    evbuffer_drain(in, n);
    while ((msg = jsonrpc_parser_next(server->parser)) != NULL) {
        if (server->answer && jsonrpc_msg_type(msg) == JSONRPC_REQUEST) {
            json_t *id = json_object_get(msg, "id");
            json_t *result = server->respond
                ? server->respond(json_string_value(json_object_get(
                                      msg, "method")),
                                  json_object_get(msg, "params"))
                : json_string("ok");
            json_t *reply = result
                ? jsonrpc_reply(result, id)
                : jsonrpc_error_reply(json_string("unknown method"), id);
            char *text = jsonrpc_msg_to_string(reply, &n);

            bufferevent_write(bev, text, n);
            free(text);
            json_decref(reply);
        }
        json_array_append_new(server->received, msg);
    }
}

static inline void
server_accept_cb(struct evconnlistener *listener, evutil_socket_t fd,
                 struct sockaddr *sa, int len, void *server_)
{
    struct server *server = server_;

    /* A new connection replaces the previous one (the client left it). */
    if (server->conn) {
        bufferevent_free(server->conn);
        jsonrpc_parser_destroy(server->parser);
    }
    server->conn = bufferevent_socket_new(server->base, fd,
                                          BEV_OPT_CLOSE_ON_FREE);
    server->parser = jsonrpc_parser_create(0);
    bufferevent_setcb(server->conn, server_read_cb, NULL, NULL, server);
    bufferevent_enable(server->conn, EV_READ | EV_WRITE);
}

/* Starts listening on 'path', on the loop 'base', or on a loop of its own
 * if 'base' is NULL. */
static inline void
server_start_on(struct server *server, const char *path,
                struct event_base *base)
{
    struct sockaddr_un sun;

    memset(server, 0, sizeof *server);
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    unlink(path);
    server->path = path;
    server->own_base = !base;
    server->base = base ? base : event_base_new();
    server->received = json_array();
    server->answer = true;
    server->listener = evconnlistener_new_bind(
        server->base, server_accept_cb, server, LEV_OPT_CLOSE_ON_FREE, 8,
        (struct sockaddr *) &sun, sizeof sun);
    CHECK(server->listener != NULL);
}

/* Starts listening on 'path', with a loop of its own. */
static inline void
server_start(struct server *server, const char *path)
{
    server_start_on(server, path, NULL);
}

/* Returns a session, on the server's loop, to the server, with 'options'
 * (NULL: the defaults) and callbacks 'cbs' with 'aux'. */
static inline struct jsonrpc_session *
server_connect(struct server *server,
               const struct jsonrpc_session_options *options,
               const struct jsonrpc_session_cbs *cbs, void *aux)
{
    char *remote = gn_xasprintf("unix:%s", server->path);
    struct jsonrpc_session *s;
    char *error;

    s = jsonrpc_session_create(server->base, remote, options, cbs, aux,
                               &error);
    CHECK(s && !error);
    free(error);
    free(remote);
    return s;
}

/* The number of the messages the server received that call 'method'. */
static inline int
server_n_received(const struct server *server, const char *method)
{
    const json_t *msg;
    size_t i;
    int n = 0;

    json_array_foreach (server->received, i, msg) {
        const char *m = json_string_value(json_object_get(msg, "method"));

        n += m && !strcmp(m, method);
    }
    return n;
}

/* Sends 'msg' (stolen) on the server's connection. */
static inline void
server_send(struct server *server, json_t *msg)
{
    size_t n;
    char *text = jsonrpc_msg_to_string(msg, &n);

    bufferevent_write(server->conn, text, n);
    free(text);
    json_decref(msg);
}

/* Returns the latest request the server received for 'method' (borrowed),
 * or NULL. */
static inline const json_t *
server_last_request(const struct server *server, const char *method)
{
    const json_t *msg, *last = NULL;
    size_t i;

    json_array_foreach (server->received, i, msg) {
        const char *m = json_string_value(json_object_get(msg, "method"));

        if (m && !strcmp(m, method)) {
            last = msg;
        }
    }
    return last;
}

/* Closes the server's connection (the session sees EOF). */
static inline void
server_drop(struct server *server)
{
    bufferevent_free(server->conn);
    server->conn = NULL;
    jsonrpc_parser_destroy(server->parser);
    server->parser = NULL;
}

static inline void
server_stop(struct server *server)
{
    if (server->conn) {
        server_drop(server);
    }
    evconnlistener_free(server->listener);
    json_decref(server->received);
    unlink(server->path);
    if (server->own_base) {
        event_base_free(server->base);
    }
}

/* The schema (a new reference) of a database 'db' with one table, 'table',
 * of one string column, "name": a fake server's answer to "get_schema". */
static inline json_t *
name_schema(const char *db, const char *table)
{
    return json_pack("{s:s, s:{s:{s:{s:{s:s}}}}}", "name", db, "tables",
                     table, "columns", "name", "type", "string");
}

/* Runs the loop until '*flag' or about 'ms' ms pass. */
static inline void
run_until(struct event_base *base, const bool *flag, int ms)
{
    struct timeval tick = { 0, 10000 };

    for (int i = 0; i < ms / 10 && !*flag; i++) {
        event_base_loopexit(base, &tick);
        event_base_dispatch(base);
    }
}

/* What the session callbacks conn_log_cbs (their 'aux' is the log) saw. */
struct conn_log {
    int n_connected;
    bool connected;
    bool disconnected;
};

static inline void
conn_log_connected_cb(struct jsonrpc_session *s, void *log_)
{
    struct conn_log *log = log_;

    log->n_connected++;
    log->connected = true;
}

static inline void
conn_log_disconnected_cb(struct jsonrpc_session *s, const char *reason,
                         void *log_)
{
    struct conn_log *log = log_;

    log->disconnected = true;
}

static const struct jsonrpc_session_cbs conn_log_cbs = {
    conn_log_connected_cb, conn_log_disconnected_cb, NULL,
};

/* A replica fed by a session to the server, and what its change callback
 * saw.  Create the replica with replica_log_changed_cb and the log as its
 * 'aux'; connect with replica_log_cbs and the log: they monitor on
 * connect, apply notifications and tell the replica of disconnects. */
struct replica_log {
    struct ovsdb_replica *replica;
    int n_initial;
    bool resumed;               /* ovsdb_replica_resumed() in the last. */
    bool synced;
    bool changed;
};

static inline void
replica_log_changed_cb(struct ovsdb_replica *r, bool initial, void *log_)
{
    struct replica_log *log = log_;

    log->changed = true;
    if (initial) {
        log->n_initial++;
        log->synced = true;
        log->resumed = ovsdb_replica_resumed(r);
    }
}

static inline void
replica_log_connected_cb(struct jsonrpc_session *s, void *log_)
{
    struct replica_log *log = log_;

    ovsdb_replica_monitor(log->replica, s);
}

static inline void
replica_log_notify_cb(struct jsonrpc_session *s, const json_t *msg,
                      void *log_)
{
    struct replica_log *log = log_;

    ovsdb_replica_handle_notify(log->replica, msg);
}

static inline void
replica_log_disconnected_cb(struct jsonrpc_session *s, const char *reason,
                            void *log_)
{
    struct replica_log *log = log_;

    ovsdb_replica_disconnected(log->replica);
}

static const struct jsonrpc_session_cbs replica_log_cbs = {
    replica_log_connected_cb, replica_log_disconnected_cb,
    replica_log_notify_cb,
};

#endif /* test-jsonrpc-server.h */
