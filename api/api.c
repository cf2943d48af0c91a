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

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api-report.h"
#include "api-trace.h"
#include "engine.h"
#include "flow-table.h"
#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "ofctrl.h"

GN_LOG_MODULE(api);

#define API_DEFAULT_MAX_BODY (64 * 1024)
#define API_MAX_HEADERS (16 * 1024)
#define API_DEFAULT_MAX_CLIENTS 256
#define API_DEFAULT_REQUEST_TIMEOUT_S 10
#define API_STATS_MAX_AGE_MS 1000       /* Reuse of the switch's counters. */
#define API_TRACE_TIMEOUT_MS 5000

/* One listener: the unix socket, or the loopback TCP one for metrics. */
struct api_server {
    struct api *api;
    struct evhttp *http;
    bool metrics_only;          /* Serves only /metrics and /v1/health. */
};

/* One client connection (see the comment at the top). */
struct api_conn {
    struct api_conn *prev, *next;
    struct api *api;
    struct bufferevent *bev;    /* Its bufferevent (a reference of ours). */
    struct event *deadline;     /* A whole request must arrive by then. */
    struct api_pending *pending;    /* Request being answered, or NULL. */
    bool refused;               /* Over the limit: answer 503, close. */
    bool closed;                /* evhttp dropped the connection. */
};

enum api_pending_type {
    API_PENDING_ENGINE,         /* A port write, answered by the engine. */
    API_PENDING_STATS,          /* Waits for the switch's counters. */
    API_PENDING_TRACE,          /* Waits for ovs-vswitchd's trace. */
};

enum api_stats_use {
    API_STATS_FLOWS,            /* GET /v1/flows. */
    API_STATS_METRICS,          /* GET /metrics. */
    API_STATS_PORT,             /* GET /v1/ports/NAME. */
};

/* A request answered later. */
struct api_pending {
    struct api_pending *next;   /* In api->waiters or api->traces. */
    struct api *api;
    struct evhttp_request *req; /* NULL once the client went away. */
    struct api_conn *conn;      /* NULL once the client went away. */
    enum api_pending_type type;
    enum api_stats_use use;
    char *port;                 /* API_STATS_PORT: the port's name. */
    struct api_trace *trace;    /* API_PENDING_TRACE. */
    long long start_msec;
};

struct api {
    struct event_base *base;
    struct engine *engine;
    struct api_server unix_server;
    struct api_server tcp_server;       /* 'http' NULL if not listening. */
    char *socket_path;
    gid_t admin_group;
    unsigned int max_clients;
    int request_timeout_s;

    struct api_conn *conns;             /* Open connections. */
    unsigned int n_active;              /* Of them, not refused. */
    struct api_report_counters counters;

    /* The switch's per-cookie counters: the last answer and the requests
     * waiting for the next one. */
    struct flow_table_cookie_stats *stats;
    size_t n_stats;
    long long stats_msec;               /* When 'stats' arrived, or 0. */
    bool stats_in_flight;
    struct api_pending *waiters;
    struct api_pending *traces;

    /* The text of the last GET /v1/ports answer and the version of the
     * engine's ports it was made from (engine_ports_version()). */
    struct api_text *ports_text;
    unsigned long long ports_seqno;
    unsigned long long ports_cfg_gen;
};

/* The text of a JSON answer, shared by the replies that send it (by
 * reference: a list of 1000 ports is about 260 kB) and the cache of
 * GET /v1/ports. */
struct api_text {
    unsigned int refs;
    size_t len;
    char data[];
};

static struct gn_log_rl api_rl = GN_LOG_RL_INIT(10, 20);

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

/* Returns the connection that 'req' came on, or NULL. */
static struct api_conn *
api_conn_of__(struct api *api, struct evhttp_request *req)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon)
                                    : NULL;

    for (struct api_conn *c = api->conns; bev && c; c = c->next) {
        if (c->bev == bev) {
            return c;
        }
    }
    return NULL;
}

/* (Re)starts the request deadline of 'conn'. */
static void
api_conn_arm__(struct api_conn *conn)
{
    struct timeval tv = { conn->api->request_timeout_s, 0 };

    if (!conn->closed) {
        evtimer_add(conn->deadline, &tv);
    }
}

/* Counts an answer with 'status'. */
static void
api_count__(struct api *api, int status)
{
    struct api_report_counters *c = &api->counters;

    c->n_requests++;
    c->n_4xx += status >= 400 && status < 500;
    c->n_5xx += status >= 500;
    c->n_forbidden += status == 403;
}

/* Counts the latency of a port write that started at 'start_msec'. */
static void
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
static void
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
static struct api_text *
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

static void
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
static void
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
static void
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

/* Answers GET /v1/ports: the text made for the last request if the
 * engine's ports have not changed since (a monitoring system polling the
 * list of 1000 ports would otherwise cost the loop 8 ms a request). */
static void
api_reply_ports__(struct api *api, struct evhttp_request *req,
                  struct api_conn *conn)
{
    unsigned long long seqno, cfg_gen;

    engine_ports_version(api->engine, &seqno, &cfg_gen);
    if (!api->ports_text || api->ports_seqno != seqno
        || api->ports_cfg_gen != cfg_gen) {
        struct api_text *t = api_text_create__(engine_ports(api->engine));

        if (t->len == 5 && !memcmp(t->data, "null\n", 5)) {
            /* Not dumped (no memory): not kept either. */
            api_send_text__(api, req, conn, 200, t);
            api_text_unref__(t);
            return;
        }
        api_text_unref__(api->ports_text);
        api->ports_text = t;
        api->ports_seqno = seqno;
        api->ports_cfg_gen = cfg_gen;
    }
    api_send_text__(api, req, conn, 200, api->ports_text);
}

/* Answers 'req' with the error {"error": {"code", "message"}}. */
static void
api_error__(struct api *api, struct evhttp_request *req,
            struct api_conn *conn, int status, const char *message)
{
    api_reply__(api, req, conn, status,
                json_pack("{s:{s:i, s:s}}", "error", "code", status,
                          "message", message));
}

/* Returns the error response text for 'status' and 'message' as raw
 * HTTP/1.1 with "Connection: close", malloc'd. */
static char *
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

/* The socket of 'conn', or -1. */
static int
api_conn_fd__(const struct api_conn *conn)
{
    return bufferevent_getfd(conn->bev);
}

/* True if evhttp freed the bufferevent of 'conn' (bufferevent_free()
 * clears the callbacks; evhttp always has an event callback set). */
static bool
api_conn_gone__(const struct api_conn *conn)
{
    bufferevent_event_cb eventcb;

    bufferevent_getcb(conn->bev, NULL, NULL, &eventcb, NULL);
    return conn->closed || !eventcb;
}

/* Forgets 'conn': drops our reference to its bufferevent and frees it. */
static void
api_conn_release__(struct api_conn *conn)
{
    struct api *api = conn->api;

    if (conn->prev) {
        conn->prev->next = conn->next;
    } else {
        api->conns = conn->next;
    }
    if (conn->next) {
        conn->next->prev = conn->prev;
    }
    if (!conn->refused) {
        api->n_active--;
    }
    api->counters.n_clients--;
    event_free(conn->deadline);
    bufferevent_decref(conn->bev);
    free(conn);
}

/* Releases the connections evhttp closed before their first request. */
static void
api_conn_sweep__(struct api *api)
{
    struct api_conn *c, *next;

    for (c = api->conns; c; c = next) {
        next = c->next;
        if (!c->pending && api_conn_gone__(c)) {
            api_conn_release__(c);
        }
    }
}

/* The deadline of 'conn' passed, or 'conn' is over the limit: answers
 * with 'status' straight on the socket if nothing else is being written,
 * and shuts the socket down, so evhttp sees the end of the connection and
 * frees it. */
static void
api_conn_deadline__(evutil_socket_t fd_, short what, void *conn_)
{
    struct api_conn *conn = conn_;
    int fd = api_conn_fd__(conn);

    (void) fd_;
    (void) what;
    if (conn->pending) {
        /* Being answered: the answer restarts the deadline. */
        return;
    }
    if (api_conn_gone__(conn) || fd < 0) {
        api_conn_release__(conn);
        return;
    }
    if (!evbuffer_get_length(bufferevent_get_output(conn->bev))) {
        char *text = (conn->refused
                      ? api_raw_error__(503, "too many clients")
                      : api_raw_error__(408, "request not complete in "
                                        "time"));
        ssize_t n = send(fd, text, strlen(text),
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        (void) n;       /* Best effort: the socket is closed anyway. */
        free(text);
    }
    if (!conn->refused) {
        conn->api->counters.n_timed_out++;
        GN_LOG_INFO_RL(&api_rl, "closing a connection whose request did "
                       "not arrive within %d s",
                       conn->api->request_timeout_s);
    }
    shutdown(fd, SHUT_RDWR);
}

/* evhttp's bufferevent factory: a socket bufferevent (evhttp sets the
 * socket) of which we keep a reference (see the comment at the top). */
static struct bufferevent *
api_conn_create__(struct event_base *base, void *api_)
{
    struct api *api = api_;
    struct api_conn *conn = gn_xzalloc(sizeof *conn);
    struct bufferevent *bev;

    api_conn_sweep__(api);
    bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        gn_fatal("api: cannot create a bufferevent");
    }
    bufferevent_incref(bev);
    conn->api = api;
    conn->bev = bev;
    conn->deadline = evtimer_new(base, api_conn_deadline__, conn);
    conn->next = api->conns;
    if (api->conns) {
        api->conns->prev = conn;
    }
    api->conns = conn;
    api->counters.n_connections++;
    api->counters.n_clients++;
    if (api->n_active >= api->max_clients) {
        conn->refused = true;
        api->counters.n_refused++;
        GN_LOG_WARN_RL(&api_rl, "refusing a connection: %u clients "
                       "already", api->n_active);
        /* evhttp sets the socket after this returns: answer from the
         * loop. */
        event_active(conn->deadline, EV_TIMEOUT, 0);
    } else {
        api->n_active++;
        api_conn_arm__(conn);
    }
    return bev;
}

/* evhttp is freeing the connection of 'conn': a request waiting for an
 * answer loses its client. */
static void
api_conn_closed__(struct evhttp_connection *evcon, void *conn_)
{
    struct api_conn *conn = conn_;
    struct api_pending *p = conn->pending;

    (void) evcon;
    conn->closed = true;
    conn->pending = NULL;
    api_conn_release__(conn);
    if (!p) {
        return;
    }
    p->req = NULL;
    p->conn = NULL;
    if (p->type == API_PENDING_ENGINE) {
        engine_forget(p->api->engine, p);
        free(p);
    } else if (p->type == API_PENDING_TRACE) {
        struct api_pending **pp;
        for (pp = &p->api->traces; *pp; pp = &(*pp)->next) {
            if (*pp == p) {
                *pp = p->next;
                break;
            }
        }
        api_trace_cancel(p->trace);
        free(p);
    }
    /* API_PENDING_STATS: freed when the counters arrive. */
}

static struct api_pending *
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

static void
api_pending_free__(struct api_pending *p)
{
    if (p) {
        free(p->port);
        free(p);
    }
}

/* True if the peer of 'conn' is root or in the admin group.  Sets '*who'
 * to a malloc'd description of the peer. */
static bool
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
static json_t *
api_query__(struct api *api, struct evhttp_request *req,
            struct api_conn *conn)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evkeyvalq params;
    struct evkeyval *kv;
    json_t *j = json_object();

    if (!query || !*query) {
        return j;
    }
    if (evhttp_parse_query_str(query, &params)) {
        api_error__(api, req, conn, 400, "malformed query string");
        json_decref(j);
        return NULL;
    }
    for (kv = params.tqh_first; kv; kv = kv->next.tqe_next) {
        if (json_object_get(j, kv->key)) {
            char *msg = gn_xasprintf("parameter \"%s\" given twice",
                                     kv->key);
            api_error__(api, req, conn, 400, msg);
            free(msg);
            json_decref(j);
            j = NULL;
            break;
        }
        json_object_set_new(j, kv->key, json_string(kv->value));
        if (!json_object_get(j, kv->key)) {
            api_error__(api, req, conn, 400, "query parameters must be "
                        "UTF-8");
            json_decref(j);
            j = NULL;
            break;
        }
    }
    evhttp_clear_headers(&params);
    return j;
}

/* Answers 400 and returns false if 'params' (borrowed) has a member other
 * than 'allowed' (may be NULL). */
static bool
api_check_params__(struct api *api, struct evhttp_request *req,
                   struct api_conn *conn, const json_t *params,
                   const char *allowed)
{
    const char *key;
    json_t *v;

    json_object_foreach ((json_t *) params, key, v) {
        if (!allowed || strcmp(key, allowed)) {
            char *msg = gn_xasprintf("unknown query parameter \"%s\"", key);
            api_error__(api, req, conn, 400, msg);
            free(msg);
            return false;
        }
    }
    return true;
}

/* Answers 400 and returns false if 'req' has a body. */
static bool
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
static json_t *
api_body__(struct api *api, struct evhttp_request *req,
           struct api_conn *conn)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    const char *type = evhttp_find_header(evhttp_request_get_input_headers(req),
                                          "Content-Type");
    size_t len = evbuffer_get_length(in);
    json_error_t jerr;
    json_t *json;
    char *msg;

    if (type && strncmp(type, "application/json", 16)) {
        api_error__(api, req, conn, 415, "Content-Type must be "
                    "application/json");
        return NULL;
    }
    if (!len) {
        api_error__(api, req, conn, 400, "request body is empty (expected "
                    "a JSON object)");
        return NULL;
    }
    json = json_loadb((const char *) evbuffer_pullup(in, len), len,
                      JSON_REJECT_DUPLICATES, &jerr);
    if (!json) {
        msg = gn_xasprintf("malformed JSON at line %d column %d: %s",
                           jerr.line, jerr.column, jerr.text);
        GN_LOG_INFO_RL(&api_rl, "refused request: %s", msg);
        api_error__(api, req, conn, 400, msg);
        free(msg);
        return NULL;
    }
    if (!json_is_object(json)) {
        json_decref(json);
        api_error__(api, req, conn, 400, "request body must be a JSON "
                    "object");
        return NULL;
    }
    return json;
}

/* The engine answered a port write. */
static void
api_engine_done__(int status, json_t *body, void *p_)
{
    struct api_pending *p = p_;
    struct api *api = p->api;

    api_count_write__(api, p->start_msec);
    api_reply__(api, p->req, p->conn, status, body);
    api_pending_free__(p);
}

/* Answers 'p' (whose client is still there) from the switch's counters
 * 'stats' ('n' cookies, NULL if unavailable). */
static void
api_stats_answer__(struct api_pending *p,
                   const struct flow_table_cookie_stats *stats, size_t n)
{
    struct api *api = p->api;
    struct ofctrl_status of;
    long long age = gn_time_msec() - api->stats_msec;

    ofctrl_get_status(engine_ofctrl(api->engine), &of);
    if (p->use == API_STATS_FLOWS) {
        api_reply__(api, p->req, p->conn, 200,
                    api_report_flows(&of, stats, n, age));
    } else if (p->use == API_STATS_METRICS) {
        json_t *status = engine_status(api->engine);
        api_count__(api, 200);
        api_send__(p->req, p->conn, 200, "text/plain; version=0.0.4",
                   api_report_metrics(status, &of, stats, n,
                                      &api->counters));
        json_decref(status);
    } else {
        json_t *port = engine_port(api->engine, p->port);
        if (!port) {
            api_error__(api, p->req, p->conn, 404, "no such port");
            return;
        }
        const json_t *ofport = json_object_get(port, "ofport");
        json_t *counters = api_report_port_counters(
            engine_replica(api->engine), engine_config(api->engine),
            p->port);
        bool ready = (json_is_integer(ofport)
                      && !json_is_true(json_object_get(port, "quarantined"))
                      && (stats
                          ? api_report_port_flows_in(
                              stats, n, json_integer_value(ofport))
                          : (of.connected && of.desired_seqno
                             && of.installed_seqno == of.desired_seqno)));
        json_object_set_new(port, "ready", json_boolean(ready));
        json_object_set_new(port, "statistics",
                            counters ? counters : json_null());
        json_object_set_new(port, "drops",
                            stats && json_is_integer(ofport)
                            ? api_report_port_drops(
                                stats, n, json_integer_value(ofport))
                            : json_null());
        api_reply__(api, p->req, p->conn, 200, port);
    }
}

/* Answers every waiter with 'stats' (may be NULL) and frees them. */
static void
api_stats_flush__(struct api *api,
                  const struct flow_table_cookie_stats *stats, size_t n)
{
    struct api_pending *p = api->waiters;

    api->waiters = NULL;
    while (p) {
        struct api_pending *next = p->next;
        if (p->req) {
            api_stats_answer__(p, stats, n);
        }
        api_pending_free__(p);
        p = next;
    }
}

/* ofctrl's answer to the counters request. */
static void
api_stats_done__(const struct flow_table_cookie_stats *stats, size_t n,
                 int error, void *api_)
{
    struct api *api = api_;

    api->stats_in_flight = false;
    if (error) {
        GN_LOG_INFO_RL(&api_rl, "flow counters unavailable: %s",
                       strerror(error));
        api_stats_flush__(api, NULL, 0);
        return;
    }
    free(api->stats);
    api->stats = n ? gn_xmalloc(n * sizeof *stats) : NULL;
    if (n) {
        memcpy(api->stats, stats, n * sizeof *stats);
    }
    api->n_stats = n;
    api->stats_msec = gn_time_msec();
    api_stats_flush__(api, api->stats, api->n_stats);
}

/* Answers 'req' for 'use' from the switch's counters: at once if the last
 * ones are fresh, otherwise when the next ones arrive. */
static void
api_stats__(struct api *api, struct evhttp_request *req,
            struct api_conn *conn, enum api_stats_use use, const char *port)
{
    struct api_pending *p = api_pending_create__(api, req, conn,
                                                 API_PENDING_STATS);
    int error;

    p->use = use;
    p->port = port ? gn_xstrdup(port) : NULL;
    if (api->stats_msec
        && gn_time_msec() - api->stats_msec <= API_STATS_MAX_AGE_MS) {
        api_stats_answer__(p, api->stats, api->n_stats);
        api_pending_free__(p);
        return;
    }
    p->next = api->waiters;
    api->waiters = p;
    if (api->stats_in_flight) {
        return;
    }
    error = ofctrl_request_cookie_stats(engine_ofctrl(api->engine),
                                        api_stats_done__, api);
    if (error) {
        /* Not connected to the switch: answer without counters. */
        api_stats_flush__(api, NULL, 0);
    } else {
        api->stats_in_flight = true;
    }
}

/* ovs-vswitchd answered a trace. */
static void
api_trace_done__(int status, json_t *body, void *p_)
{
    struct api_pending *p = p_;
    struct api_pending **pp;

    for (pp = &p->api->traces; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    api_reply__(p->api, p->req, p->conn, status, body);
    api_pending_free__(p);
}

/* GET /v1/trace?in_port=NAME&... */
static void
api_trace__(struct api *api, struct evhttp_request *req,
            struct api_conn *conn)
{
    json_t *params = api_query__(api, req, conn);
    const char *in_port;
    json_t *port;
    char *flow, *error;

    if (!params) {
        return;
    }
    in_port = json_string_value(json_object_get(params, "in_port"));
    if (!in_port) {
        api_error__(api, req, conn, 400, "in_port: required (the name of "
                    "the port the packet enters on)");
        json_decref(params);
        return;
    }
    port = engine_port(api->engine, in_port);
    if (!port) {
        char *msg = gn_xasprintf("in_port: no port named \"%s\"", in_port);
        api_error__(api, req, conn, 404, msg);
        free(msg);
        json_decref(params);
        return;
    }
    error = api_trace_flow(params, port, &flow);
    json_decref(port);
    json_decref(params);
    if (error) {
        api_error__(api, req, conn, 400, error);
        free(error);
        return;
    }

    struct api_pending *p = api_pending_create__(api, req, conn,
                                                 API_PENDING_TRACE);
    p->trace = api_trace_start(api->base, engine_ovs_rundir(api->engine),
                               engine_config(api->engine)->bridge, flow,
                               API_TRACE_TIMEOUT_MS, api_trace_done__, p,
                               &error);
    free(flow);
    if (!p->trace) {
        conn->pending = NULL;
        api_pending_free__(p);
        api_error__(api, req, conn, 503, error);
        free(error);
        return;
    }
    p->next = api->traces;
    api->traces = p;
}

/* True if 'path' names one of the API's endpoints (for 405 vs 404). */
static bool
api_known_path__(const char *path)
{
    static const char *const paths[] = {
        "/v1/status", "/v1/health", "/v1/ports", "/v1/networks",
        "/v1/flows", "/v1/trace", "/v1/reload", "/metrics",
    };

    for (size_t i = 0; i < GN_ARRAY_SIZE(paths); i++) {
        if (!strcmp(path, paths[i])) {
            return true;
        }
    }
    return (!strncmp(path, "/v1/ports/", 10) && path[10]
            && !strchr(path + 10, '/'));
}

static void
api_handle_write__(struct api *api, struct evhttp_request *req,
                   struct api_conn *conn, enum evhttp_cmd_type cmd,
                   const char *path)
{
    bool port_path = !strncmp(path, "/v1/ports/", 10) && path[10];
    json_t *params;
    char *who;

    if (!(cmd == EVHTTP_REQ_POST && !strcmp(path, "/v1/ports"))
        && !(cmd == EVHTTP_REQ_DELETE && port_path)
        && !(cmd == EVHTTP_REQ_POST && !strcmp(path, "/v1/reload"))) {
        bool known = api_known_path__(path);
        api_error__(api, req, conn, known ? 405 : 404,
                    known ? "method not allowed for this endpoint"
                          : "no such endpoint");
        return;
    }
    if (!api_may_write__(api, conn, &who)) {
        char *msg = gn_xasprintf("%s may not change guestnet (root or the "
                                 "admin group only)", who);
        GN_LOG_WARN_RL(&api_rl, "refused write from %s", who);
        api_error__(api, req, conn, 403, msg);
        free(msg);
        free(who);
        return;
    }
    free(who);

    params = api_query__(api, req, conn);
    if (!params) {
        return;
    }
    if (cmd == EVHTTP_REQ_POST && !strcmp(path, "/v1/ports")) {
        const char *w = json_string_value(json_object_get(params, "wait"));
        bool wait = true;
        json_t *body;

        if (!api_check_params__(api, req, conn, params, "wait")) {
            goto out;
        }
        if (w && strcmp(w, "true") && strcmp(w, "false") && strcmp(w, "1")
            && strcmp(w, "0")) {
            api_error__(api, req, conn, 400, "wait: expected true or "
                        "false");
            goto out;
        }
        wait = !w || !strcmp(w, "true") || !strcmp(w, "1");
        body = api_body__(api, req, conn);
        if (!body) {
            goto out;
        }
        const json_t *bw = json_object_get(body, "wait");
        if (bw && !json_is_boolean(bw)) {
            api_error__(api, req, conn, 400, "wait: expected a boolean");
            json_decref(body);
            goto out;
        }
        if (bw) {
            wait = json_is_true(bw);
            json_object_del(body, "wait");
        }
        struct api_pending *p = api_pending_create__(api, req, conn,
                                                     API_PENDING_ENGINE);
        engine_port_add(api->engine, body, wait, api_engine_done__, p);
        json_decref(body);
    } else if (cmd == EVHTTP_REQ_DELETE) {
        if (api_check_params__(api, req, conn, params, NULL)
            && api_check_no_body__(api, req, conn)) {
            struct api_pending *p = api_pending_create__(
                api, req, conn, API_PENDING_ENGINE);
            engine_port_delete(api->engine, path + 10, api_engine_done__,
                               p);
        }
    } else {
        if (api_check_params__(api, req, conn, params, NULL)
            && api_check_no_body__(api, req, conn)) {
            char *error = engine_reload(api->engine);
            if (error) {
                api_error__(api, req, conn, 400, error);
                free(error);
            } else {
                api_reply__(api, req, conn, 200,
                            json_pack("{s:b}", "reloaded", 1));
            }
        }
    }
out:
    json_decref(params);
}

static void
api_handle_read__(struct api *api, struct evhttp_request *req,
                  struct api_conn *conn, const char *path,
                  bool metrics_only)
{
    json_t *params;

    if (!strcmp(path, "/v1/trace") && !metrics_only) {
        api_trace__(api, req, conn);
        return;
    }
    params = api_query__(api, req, conn);
    if (!params) {
        return;
    }
    if (!api_check_params__(api, req, conn, params, NULL)) {
        json_decref(params);
        return;
    }
    json_decref(params);

    if (!strcmp(path, "/v1/health")) {
        const char *why = engine_health(api->engine);
        api_reply__(api, req, conn, why ? 503 : 200,
                    why ? json_pack("{s:b, s:s}", "healthy", 0,
                                    "reason", why)
                        : json_pack("{s:b}", "healthy", 1));
    } else if (!strcmp(path, "/metrics")) {
        api_stats__(api, req, conn, API_STATS_METRICS, NULL);
    } else if (metrics_only) {
        api_error__(api, req, conn, 404, "no such endpoint (this listener "
                    "serves /metrics and /v1/health)");
    } else if (!strcmp(path, "/v1/status")) {
        api_reply__(api, req, conn, 200, engine_status(api->engine));
    } else if (!strcmp(path, "/v1/ports")) {
        api_reply_ports__(api, req, conn);
    } else if (!strncmp(path, "/v1/ports/", 10) && path[10]) {
        if (strchr(path + 10, '/')) {
            api_error__(api, req, conn, 404, "no such endpoint");
        } else {
            json_t *port = engine_port(api->engine, path + 10);
            if (port) {
                json_decref(port);
                api_stats__(api, req, conn, API_STATS_PORT, path + 10);
            } else {
                api_error__(api, req, conn, 404, "no such port");
            }
        }
    } else if (!strcmp(path, "/v1/networks")) {
        api_reply__(api, req, conn, 200, engine_networks(api->engine));
    } else if (!strcmp(path, "/v1/flows")) {
        api_stats__(api, req, conn, API_STATS_FLOWS, NULL);
    } else if (api_known_path__(path)) {
        api_error__(api, req, conn, 405, "method not allowed for this "
                    "endpoint");
    } else {
        api_error__(api, req, conn, 404, "no such endpoint");
    }
}

static void
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

/* Makes a listening unix socket at 'path'.  Returns the fd, or -1 with a
 * malloc'd error in '*errorp'. */
static int
api_listen__(const char *path, gid_t group, char **errorp)
{
    struct sockaddr_un sun;
    char *dir, *slash;
    int fd;

    if (strlen(path) >= sizeof sun.sun_path) {
        *errorp = gn_xasprintf("%s: socket path too long (max %zu bytes)",
                               path, sizeof sun.sun_path - 1);
        return -1;
    }
    dir = gn_xstrdup(path);
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdir(dir, 0755);
    }
    free(dir);

    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *errorp = gn_xasprintf("socket: %s", strerror(errno));
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *) &sun, sizeof sun) < 0
        || listen(fd, 128) < 0) {
        *errorp = gn_xasprintf("%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (chown(path, 0, group) < 0 || chmod(path, 0660) < 0) {
        *errorp = gn_xasprintf("%s: setting owner and mode: %s", path,
                               strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    return fd;
}

/* Makes a listening TCP socket on loopback address 'addr' ("IP:PORT" or
 * "[IPv6]:PORT").  Returns the fd, or -1 with a malloc'd error in
 * '*errorp'. */
static int
api_listen_tcp__(const char *addr, char **errorp)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    int one = 1;
    int fd;

    memset(&ss, 0, sizeof ss);
    if (evutil_parse_sockaddr_port(addr, (struct sockaddr *) &ss, &len)
        || !(ss.ss_family == AF_INET
             ? ((struct sockaddr_in *) &ss)->sin_port
             : ((struct sockaddr_in6 *) &ss)->sin6_port)) {
        *errorp = gn_xasprintf("--metrics-listen: \"%s\" is not IP:PORT",
                               addr);
        return -1;
    }
    if (ss.ss_family == AF_INET
        ? (ntohl(((struct sockaddr_in *) &ss)->sin_addr.s_addr) >> 24) != 127
        : !IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *) &ss)->sin6_addr)) {
        *errorp = gn_xasprintf("--metrics-listen: %s is not a loopback "
                               "address (127.0.0.0/8 or [::1])", addr);
        return -1;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd < 0) {
        *errorp = gn_xasprintf("socket: %s", strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *) &ss, len) < 0 || listen(fd, 128) < 0) {
        *errorp = gn_xasprintf("--metrics-listen %s: %s", addr,
                               strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Sets up 'server' of 'api' serving on listening socket 'fd' (taken).
 * Returns false on failure. */
static bool
api_server_init__(struct api *api, struct api_server *server, int fd,
                  bool metrics_only, const struct api_options *opts)
{
    server->api = api;
    server->metrics_only = metrics_only;
    server->http = evhttp_new(api->base);
    evhttp_set_max_body_size(server->http, opts->max_body_size
                             ? opts->max_body_size : API_DEFAULT_MAX_BODY);
    evhttp_set_max_headers_size(server->http, API_MAX_HEADERS);
    evhttp_set_timeout(server->http, opts->timeout_s ? opts->timeout_s : 60);
    /* Other methods are answered 405 in JSON by api_handle__(). */
    evhttp_set_allowed_methods(server->http, EVHTTP_REQ_GET
                               | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE
                               | EVHTTP_REQ_PUT | EVHTTP_REQ_HEAD
                               | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH
                               | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT);
    evhttp_set_bevcb(server->http, api_conn_create__, api);
    evhttp_set_gencb(server->http, api_handle__, server);
    if (!evhttp_accept_socket_with_handle(server->http, fd)) {
        close(fd);
        return false;
    }
    return true;
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
    api->socket_path = gn_xstrdup(opts->socket_path);
    api->admin_group = opts->admin_group;
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

void
api_destroy(struct api *api)
{
    if (!api) {
        return;
    }
    while (api->traces) {
        struct api_pending *p = api->traces;
        api->traces = p->next;
        api_trace_cancel(p->trace);
        if (p->conn) {
            p->conn->pending = NULL;
        }
        api_pending_free__(p);
    }
    while (api->waiters) {
        struct api_pending *p = api->waiters;
        api->waiters = p->next;
        if (p->conn) {
            p->conn->pending = NULL;
        }
        api_pending_free__(p);
    }
    /* Freeing the servers frees their connections (port writes still
     * waiting are forgotten by api_conn_closed__()). */
    if (api->tcp_server.http) {
        evhttp_free(api->tcp_server.http);
    }
    if (api->unix_server.http) {
        evhttp_free(api->unix_server.http);
    }
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
