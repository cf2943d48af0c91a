/* api-conn.c: the API's listeners and connections: the unix socket (mode,
 * group) and the loopback TCP listener for metrics, the accept of each
 * connection with its own bufferevent, the limit on open connections and
 * the deadline for a whole request (see the comment at the top of
 * api/api.c). */
#include <config.h>

#include "api-private.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api-trace.h"
#include "cluster.h"
#include "engine.h"
#include "gn-config.h"
#include "gn-util.h"

GN_LOG_MODULE(api);

/* Returns the connection that 'req' came on, or NULL. */
struct api_conn *
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
void
api_conn_arm__(struct api_conn *conn)
{
    struct timeval tv = { conn->api->request_timeout_s, 0 };

    if (!conn->closed) {
        evtimer_add(conn->deadline, &tv);
    }
}

/* The socket of 'conn', or -1. */
int
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
void
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
struct bufferevent *
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
void
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
        if (p->api->cluster) {
            cluster_forget(p->api->cluster, p);
        } else {
            engine_forget(p->api->engine, p);
        }
        free(p);
    } else if (p->type == API_PENDING_BULK) {
        /* Goes on: every port is still added, the answer dropped. */
    } else if (p->type == API_PENDING_TRACE) {
        api_pending_unlink__(&p->api->traces, p);
        api_trace_cancel(p->trace);
        free(p);
    } else if (p->type == API_PENDING_IFACE) {
        api_pending_unlink__(&p->api->ifaces, p);
        engine_port_statistics_cancel(p->stats_req);
        api_pending_free__(p);
    }
    /* API_PENDING_STATS: freed when the counters arrive. */
}

/* Makes a listening unix socket at 'path'.  Returns the fd, or -1 with a
 * malloc'd error in '*errorp'. */
int
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
int
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
bool
api_server_init__(struct api *api, struct api_server *server, int fd,
                  bool metrics_only, const struct api_options *opts)
{
    server->api = api;
    server->metrics_only = metrics_only;
    server->http = evhttp_new(api->base);
    /* (The metrics listener serves GETs only: a body is never needed.) */
    evhttp_set_max_body_size(server->http,
                             metrics_only ? API_METRICS_MAX_BODY
                             : opts->max_body_size ? opts->max_body_size
                             : API_DEFAULT_MAX_BODY);
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
