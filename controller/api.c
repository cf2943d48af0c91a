/* api.c: the HTTP/JSON API on a unix socket (see include/api.h). */
#include <config.h>

#include "api.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine.h"
#include "gn-log.h"
#include "gn-util.h"

GN_LOG_MODULE(api);

#define API_DEFAULT_MAX_BODY (64 * 1024)
#define API_MAX_HEADERS (16 * 1024)

struct api {
    struct event_base *base;
    struct engine *engine;
    struct evhttp *http;
    char *socket_path;
    gid_t admin_group;
    unsigned long long n_requests;
};

/* A request waiting for the engine. */
struct api_pending {
    struct api *api;
    struct evhttp_request *req;
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
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

/* Sends 'body' (stolen) with 'status'.  Error bodies {"error": {...}} get
 * their "code" filled in. */
static void
api_reply__(struct evhttp_request *req, int status, json_t *body)
{
    struct evbuffer *buf = evbuffer_new();
    json_t *err = json_object_get(body, "error");
    char *text;

    if (json_is_object(err) && !json_object_get(err, "code")) {
        json_object_set_new(err, "code", json_integer(status));
    }
    text = json_dumps(body, JSON_INDENT(2) | JSON_SORT_KEYS);
    evbuffer_add_printf(buf, "%s\n", text ? text : "null");
    free(text);
    json_decref(body);
    evhttp_add_header(evhttp_request_get_output_headers(req),
                      "Content-Type", "application/json");
    evhttp_send_reply(req, status, api_reason__(status), buf);
    evbuffer_free(buf);
}

static void
api_error__(struct evhttp_request *req, int status, const char *message)
{
    api_reply__(req, status, json_pack("{s:{s:i, s:s}}", "error", "code",
                                       status, "message", message));
}

/* True if the peer of 'req' is root or in the admin group. */
static bool
api_may_write__(const struct api *api, struct evhttp_request *req,
                char **who)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn)
                                   : NULL;
    struct ucred cred;
    socklen_t len = sizeof cred;
    int fd = bev ? bufferevent_getfd(bev) : -1;

    *who = NULL;
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

/* Parses the request body as a JSON object.  Returns NULL after answering
 * the request with an error. */
static json_t *
api_body__(struct evhttp_request *req)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    json_error_t jerr;
    json_t *json;
    char *msg;

    if (!len) {
        api_error__(req, 400, "request body is empty (expected a JSON "
                    "object)");
        return NULL;
    }
    json = json_loadb((const char *) evbuffer_pullup(in, len), len,
                      JSON_REJECT_DUPLICATES, &jerr);
    if (!json) {
        msg = gn_xasprintf("malformed JSON at line %d column %d: %s",
                           jerr.line, jerr.column, jerr.text);
        api_error__(req, 400, msg);
        free(msg);
        return NULL;
    }
    if (!json_is_object(json)) {
        json_decref(json);
        api_error__(req, 400, "request body must be a JSON object");
        return NULL;
    }
    return json;
}

/* The client of a pending request went away: the request goes on, but
 * nobody hears about it. */
static void
api_pending_gone__(struct evhttp_connection *conn, void *p_)
{
    struct api_pending *p = p_;

    (void) conn;
    engine_forget(p->api->engine, p);
    free(p);
}

static void
api_engine_done__(int status, json_t *body, void *p_)
{
    struct api_pending *p = p_;
    struct evhttp_connection *conn = evhttp_request_get_connection(p->req);

    if (conn) {
        evhttp_connection_set_closecb(conn, NULL, NULL);
    }
    api_reply__(p->req, status, body);
    free(p);
}

static struct api_pending *
api_pending_create__(struct api *api, struct evhttp_request *req)
{
    struct api_pending *p = gn_xzalloc(sizeof *p);
    struct evhttp_connection *conn = evhttp_request_get_connection(req);

    p->api = api;
    p->req = req;
    if (conn) {
        evhttp_connection_set_closecb(conn, api_pending_gone__, p);
    }
    return p;
}

/* Returns true if the query string of 'req' has wait=false. */
static bool
api_no_wait__(struct evhttp_request *req)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evkeyvalq params;
    bool no_wait = false;

    if (query && !evhttp_parse_query_str(query, &params)) {
        const char *w = evhttp_find_header(&params, "wait");
        no_wait = w && (!strcmp(w, "false") || !strcmp(w, "0"));
        evhttp_clear_headers(&params);
    }
    return no_wait;
}

static void
api_handle_write__(struct api *api, struct evhttp_request *req,
                   enum evhttp_cmd_type cmd, const char *path)
{
    char *who;

    if (!api_may_write__(api, req, &who)) {
        char *msg = gn_xasprintf("%s may not change guestnet (root or the "
                                 "admin group only)", who);
        GN_LOG_WARN_RL(&api_rl, "refused write from %s", who);
        api_error__(req, 403, msg);
        free(msg);
        free(who);
        return;
    }
    free(who);

    if (cmd == EVHTTP_REQ_POST && !strcmp(path, "/v1/ports")) {
        json_t *body = api_body__(req);
        if (body) {
            struct api_pending *p = api_pending_create__(api, req);
            bool wait = !api_no_wait__(req);
            const json_t *w = json_object_get(body, "wait");
            if (json_is_boolean(w)) {
                wait = json_is_true(w);
            }
            engine_port_add(api->engine, body, wait, api_engine_done__, p);
            json_decref(body);
        }
    } else if (cmd == EVHTTP_REQ_DELETE && !strncmp(path, "/v1/ports/", 10)
               && path[10]) {
        struct api_pending *p = api_pending_create__(api, req);
        engine_port_delete(api->engine, path + 10, api_engine_done__, p);
    } else if (cmd == EVHTTP_REQ_POST && !strcmp(path, "/v1/reload")) {
        char *error = engine_reload(api->engine);
        if (error) {
            api_error__(req, 400, error);
            free(error);
        } else {
            api_reply__(req, 200, json_pack("{s:b}", "reloaded", 1));
        }
    } else {
        api_error__(req, 404, "no such endpoint");
    }
}

static void
api_handle_read__(struct api *api, struct evhttp_request *req,
                  const char *path)
{
    if (!strcmp(path, "/v1/status")) {
        api_reply__(req, 200, engine_status(api->engine));
    } else if (!strcmp(path, "/v1/health")) {
        const char *why = engine_health(api->engine);
        api_reply__(req, why ? 503 : 200,
                    why ? json_pack("{s:b, s:s}", "healthy", 0,
                                    "reason", why)
                        : json_pack("{s:b}", "healthy", 1));
    } else if (!strcmp(path, "/v1/ports")) {
        api_reply__(req, 200, engine_ports(api->engine));
    } else if (!strncmp(path, "/v1/ports/", 10) && path[10]) {
        json_t *port = engine_port(api->engine, path + 10);
        if (port) {
            api_reply__(req, 200, port);
        } else {
            api_error__(req, 404, "no such port");
        }
    } else if (!strcmp(path, "/v1/networks")) {
        api_reply__(req, 200, engine_networks(api->engine));
    } else {
        api_error__(req, 404, "no such endpoint");
    }
}

static void
api_handle__(struct evhttp_request *req, void *api_)
{
    struct api *api = api_;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;

    api->n_requests++;
    if (!path) {
        api_error__(req, 400, "malformed request URI");
        return;
    }
    if (cmd == EVHTTP_REQ_GET) {
        api_handle_read__(api, req, path);
    } else if (cmd == EVHTTP_REQ_POST || cmd == EVHTTP_REQ_DELETE) {
        api_handle_write__(api, req, cmd, path);
    } else {
        api_error__(req, 405, "method not allowed (GET, POST, DELETE)");
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

struct api *
api_create(struct event_base *base, struct engine *engine,
           const struct api_options *opts, char **errorp)
{
    struct api *api;
    int fd;

    *errorp = NULL;
    fd = api_listen__(opts->socket_path, opts->socket_group, errorp);
    if (fd < 0) {
        return NULL;
    }
    api = gn_xzalloc(sizeof *api);
    api->base = base;
    api->engine = engine;
    api->socket_path = gn_xstrdup(opts->socket_path);
    api->admin_group = opts->admin_group;
    api->http = evhttp_new(base);
    evhttp_set_max_body_size(api->http, opts->max_body_size
                             ? opts->max_body_size : API_DEFAULT_MAX_BODY);
    evhttp_set_max_headers_size(api->http, API_MAX_HEADERS);
    evhttp_set_timeout(api->http, opts->timeout_s ? opts->timeout_s : 60);
    evhttp_set_allowed_methods(api->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST
                               | EVHTTP_REQ_DELETE);
    evhttp_set_gencb(api->http, api_handle__, api);
    if (!evhttp_accept_socket_with_handle(api->http, fd)) {
        *errorp = gn_xasprintf("%s: cannot serve HTTP", opts->socket_path);
        close(fd);
        api_destroy(api);
        return NULL;
    }
    GN_LOG_INFO("API listening on %s", opts->socket_path);
    return api;
}

void
api_destroy(struct api *api)
{
    if (!api) {
        return;
    }
    if (api->http) {
        evhttp_free(api->http);
    }
    unlink(api->socket_path);
    free(api->socket_path);
    free(api);
}
