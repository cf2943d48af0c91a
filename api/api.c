/* api.c: the HTTP/JSON API on a unix socket (see include/api.h).
 *
 * Connections.  libevent 2.1's evhttp has no limit on connections and no
 * deadline for a whole request.  So guestnet makes each connection's
 * bufferevent itself (evhttp_set_bevcb()) and keeps a reference to it,
 * which keeps it valid after evhttp is done with it.  evhttp tells when it
 * is done through the connection's close callback (set at the first
 * request); a connection closed before its first request is noticed by
 * bufferevent_free() having cleared its callbacks, checked at every accept
 * and deadline.  That counts the open connections, and a timer per
 * connection shuts down one whose request does not arrive in time.  A
 * connection over the limit is answered 503 and closed at once.
 *
 * Answers.  A JSON answer's text (struct api_text) goes into the reply by
 * reference and is freed once the last reply holding it is sent.  The
 * text of GET /v1/ports is also kept, with the version of the engine's
 * ports it shows, and sent again while that version stays. */
#include <config.h>

#include "api.h"
#include "api-private.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "api-request.h"
#include "api-trace.h"
#include "engine.h"
#include "gn-config.h"
#include "gn-util.h"

GN_LOG_MODULE(api);

struct gn_log_rl api_rl = GN_LOG_RL_INIT(10, 20);

static const char *
api_reason__(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

/* Counts an answer with 'status'. */
void
api_count__(struct api *api, int status)
{
    struct api_report_counters *c = &api->counters;

    c->n_requests++;
    c->n_4xx += status >= 400 && status < 500;
    c->n_5xx += status >= 500;
    c->n_forbidden += status == 403;
}

/* Counts the latency of a port write that started at 'start_msec'. */
void
api_count_write__(struct api *api, long long start_msec)
{
    static const double bounds[] = API_REPORT_LATENCY_BUCKETS;
    struct api_report_counters *c = &api->counters;
    double secs = (gn_time_msec() - start_msec) / 1000.0;

    for (size_t i = 0; i < API_REPORT_N_LATENCY_BUCKETS; i++) {
        c->write_buckets[i] += secs <= bounds[i];
    }
    c->write_count++;
    c->write_sum += secs;
}

/* Sends 'buf' (taken) with 'status' and 'content_type' on 'req', and
 * restarts the deadline of its connection 'conn' (may be NULL). */
static void
api_send_buf__(struct evhttp_request *req, struct api_conn *conn,
               int status, const char *content_type, struct evbuffer *buf)
{
    if (conn) {
        conn->pending = NULL;
        api_conn_arm__(conn);
    }
    evhttp_add_header(evhttp_request_get_output_headers(req),
                      "Content-Type", content_type);
    evhttp_send_reply(req, status, api_reason__(status), buf);
    evbuffer_free(buf);
}

/* Sends 'text' (malloc'd, freed here) with 'status'. */
void
api_send__(struct evhttp_request *req, struct api_conn *conn, int status,
           const char *content_type, char *text)
{
    struct evbuffer *buf = evbuffer_new();

    evbuffer_add(buf, text, strlen(text));
    free(text);
    api_send_buf__(req, conn, status, content_type, buf);
}

/* Returns the text of 'body' (stolen) as answers carry it, indented with
 * sorted keys and a newline, with one reference. */
struct api_text *
api_text_create__(json_t *body)
{
    char *json = json_dumps(body, JSON_INDENT(2) | JSON_SORT_KEYS);
    size_t len = json ? strlen(json) : 4;
    struct api_text *t = gn_xmalloc(sizeof *t + len + 1);

    t->refs = 1;
    memcpy(t->data, json ? json : "null", len);
    t->data[len] = '\n';
    t->len = len + 1;
    free(json);
    json_decref(body);
    return t;
}

void
api_text_unref__(struct api_text *t)
{
    if (t && !--t->refs) {
        free(t);
    }
}

/* Drops the reference of a reply that the connection has sent (or
 * dropped). */
static void
api_text_sent__(const void *data, size_t len, void *t)
{
    (void) data;
    (void) len;
    api_text_unref__(t);
}

/* Sends 't' (the caller keeps its reference) with 'status'. */
void
api_send_text__(struct api *api, struct evhttp_request *req,
                struct api_conn *conn, int status, struct api_text *t)
{
    struct evbuffer *buf = evbuffer_new();

    t->refs++;
    if (evbuffer_add_reference(buf, t->data, t->len, api_text_sent__, t)) {
        /* Not taken (no memory for its chain): the callback never runs. */
        t->refs--;
        evbuffer_add(buf, t->data, t->len);
    }
    api_count__(api, status);
    api_send_buf__(req, conn, status, "application/json", buf);
}

/* Sends 'body' (stolen) with 'status'.  Error bodies {"error": {...}} get
 * their "code" filled in. */
void
api_reply__(struct api *api, struct evhttp_request *req,
            struct api_conn *conn, int status, json_t *body)
{
    json_t *err = json_object_get(body, "error");
    struct api_text *t;

    if (json_is_object(err) && !json_object_get(err, "code")) {
        json_object_set_new(err, "code", json_integer(status));
    }
    t = api_text_create__(body);
    api_send_text__(api, req, conn, status, t);
    api_text_unref__(t);
}

/* Answers 'req' with the error {"error": {"code", "message"}}. */
void
api_error__(struct api *api, struct evhttp_request *req,
            struct api_conn *conn, int status, const char *message)
{
    api_reply__(api, req, conn, status,
                json_pack("{s:{s:i, s:s}}", "error", "code", status,
                          "message", message));
}

/* Returns the error response text for 'status' and 'message' as raw
 * HTTP/1.1 with "Connection: close", malloc'd. */
char *
api_raw_error__(int status, const char *message)
{
    json_t *j = json_pack("{s:{s:i, s:s}}", "error", "code", status,
                          "message", message);
    char *body = json_dumps(j, JSON_SORT_KEYS);
    char *text = gn_xasprintf("HTTP/1.1 %d %s\r\n"
                              "Content-Type: application/json\r\n"
                              "Content-Length: %zu\r\n"
                              "Connection: close\r\n\r\n%s\n", status,
                              api_reason__(status), strlen(body) + 1, body);
    free(body);
    json_decref(j);
    return text;
}

struct api_pending *
api_pending_create__(struct api *api, struct evhttp_request *req,
                     struct api_conn *conn, enum api_pending_type type)
{
    struct api_pending *p = gn_xzalloc(sizeof *p);

    p->api = api;
    p->req = req;
    p->conn = conn;
    p->type = type;
    p->start_msec = gn_time_msec();
    conn->pending = p;
    return p;
}

void
api_pending_free__(struct api_pending *p)
{
    if (p) {
        free(p->port);
        json_decref(p->bulk_ports);
        json_decref(p->answer);
        free(p);
    }
}

void
api_pending_unlink__(struct api_pending **list, struct api_pending *p)
{
    for (struct api_pending **pp = list; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            return;
        }
    }
}

/* True if the peer of 'conn' is root or in the admin group.  Sets '*who'
 * to a malloc'd description of the peer. */
bool
api_may_write__(const struct api *api, const struct api_conn *conn,
                char **who)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    int fd = api_conn_fd__(conn);

    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
        *who = gn_xstrdup("unknown peer");
        return false;
    }
    *who = gn_xasprintf("uid %u gid %u pid %d", (unsigned) cred.uid,
                        (unsigned) cred.gid, (int) cred.pid);
    if (cred.uid == 0) {
        return true;
    }
    if (api->admin_group == (gid_t) -1) {
        return false;
    }
    if (cred.gid == api->admin_group) {
        return true;
    }
    /* Supplementary groups of the peer process. */
    char path[64];
    char line[1024];
    bool member = false;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int) cred.pid);
    f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Groups:", 7)) {
            char *save = NULL;
            for (char *t = strtok_r(line + 7, " \t\n", &save); t;
                 t = strtok_r(NULL, " \t\n", &save)) {
                if ((gid_t) strtoul(t, NULL, 10) == api->admin_group) {
                    member = true;
                }
            }
        }
    }
    if (f) {
        fclose(f);
    }
    return member;
}

/* Parses the query string of 'req' into a new object {name: value}.
 * Returns NULL after answering with an error if it is malformed or names
 * a parameter twice. */
json_t *
api_query__(struct api *api, struct evhttp_request *req,
            struct api_conn *conn)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    json_t *params;
    char *error = api_request_query(uri ? evhttp_uri_get_query(uri) : NULL,
                                    &params);

    if (error) {
        api_error__(api, req, conn, 400, error);
        free(error);
    }
    return params;
}

/* Answers 400 and returns false if 'params' (borrowed) has a member other
 * than 'allowed' (may be NULL). */
bool
api_check_params__(struct api *api, struct evhttp_request *req,
                   struct api_conn *conn, const json_t *params,
                   const char *allowed)
{
    char *error = api_request_check_params(params, allowed);

    if (error) {
        api_error__(api, req, conn, 400, error);
        free(error);
        return false;
    }
    return true;
}

/* Answers 400 and returns false if 'req' has a body. */
bool
api_check_no_body__(struct api *api, struct evhttp_request *req,
                    struct api_conn *conn)
{
    if (evbuffer_get_length(evhttp_request_get_input_buffer(req))) {
        api_error__(api, req, conn, 400, "this request takes no body");
        return false;
    }
    return true;
}

/* Parses the request body as a JSON object.  Returns NULL after answering
 * the request with an error. */
json_t *
api_body__(struct api *api, struct evhttp_request *req,
           struct api_conn *conn)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    struct evkeyvalq *headers = evhttp_request_get_input_headers(req);
    size_t len = evbuffer_get_length(in);
    json_t *body;
    int status;
    char *error = api_request_body(evhttp_find_header(headers,
                                                      "Content-Type"),
                                   (const char *) evbuffer_pullup(in, len),
                                   len, &status, &body);

    if (error) {
        if (!strncmp(error, "malformed", 9)) {
            GN_LOG_INFO_RL(&api_rl, "refused request: %s", error);
        }
        api_error__(api, req, conn, status, error);
        free(error);
    }
    return body;
}

void
api_handle__(struct evhttp_request *req, void *server_)
{
    struct api_server *server = server_;
    struct api *api = server->api;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    struct api_conn *conn = api_conn_of__(api, req);

    if (!conn) {
        /* Every connection is made by api_conn_create__(). */
        GN_LOG_ERR("request on an unknown connection");
        api_error__(api, req, NULL, 500, "internal error: unknown "
                    "connection");
        return;
    }
    evtimer_del(conn->deadline);
    evhttp_connection_set_closecb(evhttp_request_get_connection(req),
                                  api_conn_closed__, conn);
    if (conn->refused) {
        evhttp_add_header(evhttp_request_get_output_headers(req),
                          "Connection", "close");
        api_error__(api, req, conn, 503, "too many clients");
        return;
    }
    if (!path) {
        GN_LOG_INFO_RL(&api_rl, "malformed request URI");
        api_error__(api, req, conn, 400, "malformed request URI");
        return;
    }
    if (cmd == EVHTTP_REQ_GET) {
        api_handle_read__(api, req, conn, path, server->metrics_only);
    } else if ((cmd == EVHTTP_REQ_POST || cmd == EVHTTP_REQ_DELETE)
               && !server->metrics_only) {
        api_handle_write__(api, req, conn, cmd, path);
    } else {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
                          server->metrics_only ? "GET"
                                               : "GET, POST, DELETE");
        api_error__(api, req, conn, 405, server->metrics_only
                    ? "method not allowed (GET)"
                    : "method not allowed (GET, POST, DELETE)");
    }
}

struct api *
api_create(struct event_base *base, struct engine *engine,
           const struct api_options *opts, char **errorp)
{
    struct api *api;
    int fd, tcp_fd = -1;

    *errorp = NULL;
    if (opts->metrics_listen) {
        tcp_fd = api_listen_tcp__(opts->metrics_listen, errorp);
        if (tcp_fd < 0) {
            return NULL;
        }
    }
    fd = api_listen__(opts->socket_path, opts->socket_group, errorp);
    if (fd < 0) {
        if (tcp_fd >= 0) {
            close(tcp_fd);
        }
        return NULL;
    }
    api = gn_xzalloc(sizeof *api);
    api->base = base;
    api->engine = engine;
    api->cluster = opts->cluster;
    api->socket_path = gn_xstrdup(opts->socket_path);
    api->admin_group = opts->admin_group;
    api->loop_lag = opts->loop_lag;
    api->max_clients = (opts->max_clients ? opts->max_clients
                        : API_DEFAULT_MAX_CLIENTS);
    api->request_timeout_s = (opts->request_timeout_s
                              ? opts->request_timeout_s
                              : API_DEFAULT_REQUEST_TIMEOUT_S);
    if (!api_server_init__(api, &api->unix_server, fd, false, opts)) {
        *errorp = gn_xasprintf("%s: cannot serve HTTP", opts->socket_path);
        if (tcp_fd >= 0) {
            close(tcp_fd);
        }
        api_destroy(api);
        return NULL;
    }
    if (tcp_fd >= 0
        && !api_server_init__(api, &api->tcp_server, tcp_fd, true, opts)) {
        *errorp = gn_xasprintf("%s: cannot serve HTTP",
                               opts->metrics_listen);
        api_destroy(api);
        return NULL;
    }
    GN_LOG_INFO("API listening on %s%s%s", opts->socket_path,
                tcp_fd >= 0 ? ", metrics on " : "",
                tcp_fd >= 0 ? opts->metrics_listen : "");
    return api;
}

/* Frees the requests on the list at '*list', which wait for a trace, OVSDB
 * or the switch: what they wait for is cancelled and their clients get no
 * answer. */
static void
api_pending_drop_all__(struct api_pending **list)
{
    while (*list) {
        struct api_pending *p = *list;

        *list = p->next;
        if (p->type == API_PENDING_TRACE) {
            api_trace_cancel(p->trace);
        } else if (p->type == API_PENDING_IFACE) {
            engine_port_statistics_cancel(p->stats_req);
        }
        if (p->conn) {
            p->conn->pending = NULL;
        }
        api_pending_free__(p);
    }
}

void
api_destroy(struct api *api)
{
    if (!api) {
        return;
    }
    api_pending_drop_all__(&api->traces);
    api_pending_drop_all__(&api->ifaces);
    api_pending_drop_all__(&api->waiters);
    /* Freeing the servers frees their connections (port writes still
     * waiting are forgotten by api_conn_closed__(); bulk requests just
     * below). */
    if (api->tcp_server.http) {
        evhttp_free(api->tcp_server.http);
    }
    if (api->unix_server.http) {
        evhttp_free(api->unix_server.http);
    }
    api_bulk_destroy_all__(api);
    while (api->conns) {
        api_conn_release__(api->conns);
    }
    unlink(api->socket_path);
    free(api->socket_path);
    free(api->stats);
    /* Replies still in buffers hold their own references. */
    api_text_unref__(api->ports_text);
    free(api);
}
