/* api-private.h: the state of struct api and its connections, shared by
 * api/api.c (routing, access, request bodies, answers), api/api-conn.c
 * (listeners, connections, deadlines), api/api-handlers.c (what each
 * endpoint does) and api/api-bulk.c (requests adding several ports).
 * Nothing outside api/ includes it. */
#ifndef GN_API_PRIVATE_H
#define GN_API_PRIVATE_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <event2/http.h>

#include "api.h"
#include "api-report.h"
#include "gn-log.h"

struct bufferevent;
struct evbuffer;
struct event;

#define API_DEFAULT_MAX_BODY (256 * 1024)
#define API_METRICS_MAX_BODY 1024
/* Requests adding several ports: the ports handed to the engine per turn
 * of the event loop, and at most how many of all such requests may be
 * waiting for their answers at once (more: 503). */
#define API_BULK_SLICE 64
#define API_BULK_PENDING_MAX 8192
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

/* One client connection (see the comment at the top of api/api.c). */
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
    API_PENDING_BULK,           /* Several port adds (api/api-bulk.c). */
    API_PENDING_IFACE,          /* GET /v1/ports/NAME: waits for OVSDB's
                                 * Interface statistics. */
};

enum api_stats_use {
    API_STATS_FLOWS,            /* GET /v1/flows. */
    API_STATS_METRICS,          /* GET /metrics. */
    API_STATS_PORT,             /* GET /v1/ports/NAME. */
};

/* A request answered later. */
struct api_pending {
    struct api_pending *next;   /* In api->waiters, traces, bulks or
                                 * ifaces. */
    struct api *api;
    struct evhttp_request *req; /* NULL once the client went away. */
    struct api_conn *conn;      /* NULL once the client went away. */
    enum api_pending_type type;
    enum api_stats_use use;
    char *port;                 /* API_STATS_PORT: the port's name. */
    struct api_trace *trace;    /* API_PENDING_TRACE. */
    struct engine_stats_req *stats_req; /* API_PENDING_IFACE: the request */
    json_t *answer;                     /* and the answer it completes. */
    struct api_bulk *bulk;      /* API_PENDING_BULK: its ports' answers */
    json_t *bulk_ports;         /* and the ports asked for, until all
                                 * are handed to the engine. */
    long long start_msec;
};

struct api {
    struct event_base *base;
    struct engine *engine;
    struct cluster *cluster;            /* NULL unless in cluster mode. */
    struct api_server unix_server;
    struct api_server tcp_server;       /* 'http' NULL if not listening. */
    char *socket_path;
    gid_t admin_group;
    unsigned int max_clients;
    int request_timeout_s;
    const struct loop_lag *loop_lag;    /* May be NULL. */

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
    struct api_pending *ifaces;         /* API_PENDING_IFACE. */
    struct api_pending *bulks;          /* Bulk requests going on. */
    size_t bulk_pending;                /* Ports of bulk requests not
                                         * answered yet. */

    /* The text of the last GET /v1/ports answer and the version of the
     * engine's ports it was made from (engine_ports_version()). */
    struct api_text *ports_text;
    long long ports_trim_msec;  /* When the last text made trimmed the
                                 * heap. */
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

/* Rate limit of the API's log lines that clients can cause. */
extern struct gn_log_rl api_rl;

/* api.c */

/* Parses the request body as a JSON object.  Returns NULL after answering
 * the request with an error. */
json_t *api_body__(struct api *api, struct evhttp_request *req,
                   struct api_conn *conn);

/* Answers 400 and returns false if 'req' has a body. */
bool api_check_no_body__(struct api *api, struct evhttp_request *req,
                         struct api_conn *conn);

/* Answers 400 and returns false if 'params' (borrowed) has a member other
 * than 'allowed' (may be NULL). */
bool api_check_params__(struct api *api, struct evhttp_request *req,
                        struct api_conn *conn, const json_t *params,
                        const char *allowed);

/* Counts an answer with 'status'. */
void api_count__(struct api *api, int status);

/* Counts the latency of a port write that started at 'start_msec'. */
void api_count_write__(struct api *api, long long start_msec);

/* Answers 'req' with the error {"error": {"code", "message"}}. */
void api_error__(struct api *api, struct evhttp_request *req,
                 struct api_conn *conn, int status, const char *message);

/* evhttp callback of every request on a server ("server_" is its struct
 * api_server): checks the request and routes it to its handler. */
void api_handle__(struct evhttp_request *req, void *server_);

/* True if the peer of 'conn' is root or in the admin group.  Sets '*who'
 * to a malloc'd description of the peer. */
bool api_may_write__(const struct api *api, const struct api_conn *conn,
                     char **who);

/* A request of 'type' on 'conn' that waits for the engine or the switch;
 * free with api_pending_free__(). */
struct api_pending *api_pending_create__(struct api *api,
                                         struct evhttp_request *req,
                                         struct api_conn *conn,
                                         enum api_pending_type type);

/* Frees 'p' (accepts NULL). */
void api_pending_free__(struct api_pending *p);

/* Removes 'p' from the list at '*list' if it is there. */
void api_pending_unlink__(struct api_pending **list, struct api_pending *p);

/* Parses the query string of 'req' into a new object {name: value}.
 * Returns NULL after answering with an error if it is malformed or names
 * a parameter twice. */
json_t *api_query__(struct api *api, struct evhttp_request *req,
                    struct api_conn *conn);

/* Returns the error response text for 'status' and 'message' as raw
 * HTTP/1.1 with "Connection: close", malloc'd. */
char *api_raw_error__(int status, const char *message);

/* Sends 'body' (stolen) with 'status'.  Error bodies {"error": {...}} get
 * their "code" filled in. */
void api_reply__(struct api *api, struct evhttp_request *req,
                 struct api_conn *conn, int status, json_t *body);

/* Sends 'text' (malloc'd, freed here) with 'status'. */
void api_send__(struct evhttp_request *req, struct api_conn *conn, int status,
                const char *content_type, char *text);

/* Sends 't' (the caller keeps its reference) with 'status'. */
void api_send_text__(struct api *api, struct evhttp_request *req,
                     struct api_conn *conn, int status, struct api_text *t);

/* Returns the text of 'body' (stolen) as answers carry it, indented with
 * sorted keys and a newline, with one reference. */
struct api_text *api_text_create__(json_t *body);

/* Drops a reference to 't' (accepts NULL); frees it with the last. */
void api_text_unref__(struct api_text *t);

/* api-bulk.c */

/* POST /v1/ports with a body (stolen) adding several ports, "wait" already
 * taken out of it: checks it and hands each port to the engine (or the
 * cluster), or answers 400. */
void api_bulk_add__(struct api *api, struct evhttp_request *req,
                    struct api_conn *conn, json_t *body, bool wait);

/* The API is going away: the ports of the bulk requests still going on
 * are forgotten by the engine (or the cluster) and the requests freed. */
void api_bulk_destroy_all__(struct api *api);

/* api-conn.c */

/* (Re)starts the request deadline of 'conn'. */
void api_conn_arm__(struct api_conn *conn);

/* evhttp is freeing the connection of 'conn': a request waiting for an
 * answer loses its client. */
void api_conn_closed__(struct evhttp_connection *evcon, void *conn_);

/* evhttp's bufferevent factory: a socket bufferevent (evhttp sets the
 * socket) of which we keep a reference (see the comment at the top). */
struct bufferevent *api_conn_create__(struct event_base *base, void *api_);

/* The socket of 'conn', or -1. */
int api_conn_fd__(const struct api_conn *conn);

/* Returns the connection that 'req' came on, or NULL. */
struct api_conn *api_conn_of__(struct api *api, struct evhttp_request *req);

/* Forgets 'conn': drops our reference to its bufferevent and frees it. */
void api_conn_release__(struct api_conn *conn);

/* Makes a listening unix socket at 'path'.  Returns the fd, or -1 with a
 * malloc'd error in '*errorp'. */
int api_listen__(const char *path, gid_t group, char **errorp);

/* Makes a listening TCP socket on loopback address 'addr' ("IP:PORT" or
 * "[IPv6]:PORT").  Returns the fd, or -1 with a malloc'd error in
 * '*errorp'. */
int api_listen_tcp__(const char *addr, char **errorp);

/* Sets up 'server' of 'api' serving on listening socket 'fd' (taken).
 * Returns false on failure. */
bool api_server_init__(struct api *api, struct api_server *server, int fd,
                       bool metrics_only, const struct api_options *opts);

/* api-handlers.c */

/* Answers a GET of 'path' (a known endpoint; on the metrics listener if
 * 'metrics_only'). */
void api_handle_read__(struct api *api, struct evhttp_request *req,
                       struct api_conn *conn, const char *path,
                       bool metrics_only);

/* Answers a write ('cmd' POST or DELETE) of 'path', whose access
 * api_handle__() has checked. */
void api_handle_write__(struct api *api, struct evhttp_request *req,
                        struct api_conn *conn, enum evhttp_cmd_type cmd,
                        const char *path);

#endif /* api-private.h */
