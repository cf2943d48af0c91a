/* api-handlers.c: what each endpoint of the API does, once api/api.c has
 * routed the request and checked its access and body: the reads (status,
 * ports, networks, flows with the switch's counters, trace, metrics) and
 * the writes (port add and delete, reload), which go to the engine and are
 * answered when it calls back. */
#include <config.h>

#include "api-private.h"

#include <stdlib.h>
#include <string.h>

#include "api-request.h"
#include "api-trace.h"
#include "cluster.h"
#include "engine.h"
#include "flow-table.h"
#include "gn-config.h"
#include "gn-util.h"
#include "loop-lag.h"
#include "ofctrl.h"

GN_LOG_MODULE(api);

/* A /v1/ports text longer than this is followed by a heap trim, at most
 * once in API_PORTS_TRIM_MSEC. */
#define API_PORTS_TRIM_BYTES (256 * 1024)
#define API_PORTS_TRIM_MSEC 10000

/* Answers GET /v1/ports: the text made for the last request if the
 * engine's ports have not changed since (a monitoring system polling the
 * list of 1000 ports would otherwise cost the loop 8 ms a request).  The
 * JSON tree a new text is made from (4 MB at 1000 ports) is freed below
 * the text, so the heap is trimmed after a big text is made (6-9 ms at
 * 1000 ports, so not more often than every API_PORTS_TRIM_MSEC). */
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
        if (t->len > API_PORTS_TRIM_BYTES
            && gn_time_msec() - api->ports_trim_msec >= API_PORTS_TRIM_MSEC) {
            api->ports_trim_msec = gn_time_msec();
            gn_heap_trim();
        }
        api->ports_text = t;
        api->ports_seqno = seqno;
        api->ports_cfg_gen = cfg_gen;
    }
    api_send_text__(api, req, conn, 200, api->ports_text);
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

/* Returns engine_status() with the loop's lateness added as "loop" (new
 * reference). */
static json_t *
api_status__(const struct api *api)
{
    json_t *status = engine_status(api->engine);

    if (api->cluster) {
        json_object_set_new(status, "cluster",
                            cluster_status_brief(api->cluster));
    }
    if (api->loop_lag) {
        struct loop_lag_stats lag;

        loop_lag_get(api->loop_lag, &lag);
        json_object_set_new(status, "loop", api_report_loop(&lag));
    }
    return status;
}

/* OVSDB answered the Interface statistics for 'q' (see
 * api_port_statistics__()). */
static void
api_port_statistics_done__(const json_t *iface_row, void *q_)
{
    struct api_pending *q = q_;
    json_t *counters = api_report_port_counters(iface_row);
    json_t *answer = q->answer;

    q->answer = NULL;
    json_object_set_new(answer, "statistics",
                        counters ? counters : json_null());
    api_pending_unlink__(&q->api->ifaces, q);
    api_reply__(q->api, q->req, q->conn, 200, answer);
    api_pending_free__(q);
}

/* Completes the answer 'port' (stolen) to the GET /v1/ports/NAME 'p' with
 * its Interface statistics, which OVSDB holds (the replica does not: they
 * change every 5 s), and sends it. */
static void
api_port_statistics__(struct api *api, struct api_pending *p, json_t *port)
{
    struct api_pending *q = api_pending_create__(api, p->req, p->conn,
                                                 API_PENDING_IFACE);

    p->req = NULL;
    p->conn = NULL;
    q->answer = port;
    q->stats_req = engine_port_statistics(api->engine, p->port,
                                          api_port_statistics_done__, q);
    if (!q->stats_req) {
        q->answer = NULL;
        json_object_set_new(port, "statistics", json_null());
        api_reply__(api, q->req, q->conn, 200, port);
        api_pending_free__(q);
        return;
    }
    q->next = api->ifaces;
    api->ifaces = q;
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
        json_t *status = api_status__(api);
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
        const char *state = json_string_value(json_object_get(port,
                                                              "state"));
        bool ready = (json_is_integer(ofport)
                      && !json_is_true(json_object_get(port, "quarantined"))
                      && state && !strcmp(state, "ok")
                      && (stats
                          ? api_report_port_flows_in(
                              stats, n, json_integer_value(ofport))
                          : (of.connected && of.desired_seqno
                             && of.installed_seqno == of.desired_seqno)));
        json_object_set_new(port, "ready", json_boolean(ready));
        json_object_set_new(port, "drops",
                            stats && json_is_integer(ofport)
                            ? api_report_port_drops(
                                stats, n, json_integer_value(ofport))
                            : json_null());
        api_port_statistics__(api, p, port);
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

/* A request for /v1/cluster/...: answered by the cluster module, or 404
 * when guestnetd is not in cluster mode. */
static void
api_cluster__(struct api *api, struct evhttp_request *req,
              struct api_conn *conn, enum evhttp_cmd_type cmd,
              const char *path, const json_t *params)
{
    const char *method = (cmd == EVHTTP_REQ_GET ? "GET"
                          : cmd == EVHTTP_REQ_POST ? "POST" : "DELETE");
    json_t *body = NULL;

    if (!api->cluster) {
        api_error__(api, req, conn, 404, "no such endpoint (guestnetd is "
                    "not in cluster mode: start it with --cluster=REMOTES)");
        return;
    }
    if (cmd == EVHTTP_REQ_POST) {
        body = api_body__(api, req, conn);
        if (!body) {
            return;
        }
    } else if (!api_check_no_body__(api, req, conn)) {
        return;
    }
    if (cmd == EVHTTP_REQ_GET && json_object_size(params)) {
        api_check_params__(api, req, conn, params, NULL);
        json_decref(body);
        return;
    }
    struct api_pending *p = api_pending_create__(api, req, conn,
                                                 API_PENDING_ENGINE);
    cluster_handle(api->cluster, method, path + 11, params, body,
                   api_engine_done__, p);
    json_decref(body);
}

/* True if 'path' is /v1/ports/NAME/limits. */
static bool
api_limits_path__(const char *path)
{
    const char *slash;

    return (!strncmp(path, "/v1/ports/", 10) && path[10]
            && (slash = strchr(path + 10, '/')) && slash > path + 10
            && !strcmp(slash, "/limits"));
}

/* POST /v1/ports/NAME/limits: a live change of the port's limits. */
static void
api_port_limits__(struct api *api, struct evhttp_request *req,
                  struct api_conn *conn, const char *path,
                  const json_t *params)
{
    const char *name = path + 10;
    char *copy = gn_xmemdup0(name, strchr(name, '/') - name);
    json_t *body;

    if (api_check_params__(api, req, conn, params, NULL)
        && (body = api_body__(api, req, conn))) {
        struct api_pending *p = api_pending_create__(api, req, conn,
                                                     API_PENDING_ENGINE);

        engine_port_set_limits(api->engine, copy, body, api_engine_done__,
                               p);
        json_decref(body);
    }
    free(copy);
}

void
api_handle_write__(struct api *api, struct evhttp_request *req,
                   struct api_conn *conn, enum evhttp_cmd_type cmd,
                   const char *path)
{
    bool port_path = (!strncmp(path, "/v1/ports/", 10) && path[10]
                      && !strchr(path + 10, '/'));
    bool limits_path = api_limits_path__(path);
    bool cluster_path = !strncmp(path, "/v1/cluster/", 12);
    json_t *params;
    char *who;

    if (!cluster_path
        && !(cmd == EVHTTP_REQ_POST && !strcmp(path, "/v1/ports"))
        && !(cmd == EVHTTP_REQ_POST && limits_path)
        && !(cmd == EVHTTP_REQ_DELETE && port_path)
        && !(cmd == EVHTTP_REQ_POST && !strcmp(path, "/v1/reload"))) {
        bool known = api_request_known_path(path);
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
    if (cluster_path) {
        api_cluster__(api, req, conn, cmd, path, params);
    } else if (limits_path) {
        api_port_limits__(api, req, conn, path, params);
    } else if (cmd == EVHTTP_REQ_POST && !strcmp(path, "/v1/ports")) {
        bool wait = true;
        json_t *body;
        char *error;

        if (!api_check_params__(api, req, conn, params, "wait")) {
            goto out;
        }
        error = api_request_wait_param(params, &wait);
        if (error) {
            api_error__(api, req, conn, 400, error);
            free(error);
            goto out;
        }
        body = api_body__(api, req, conn);
        if (!body) {
            goto out;
        }
        error = api_request_wait_body(body, &wait);
        if (error) {
            api_error__(api, req, conn, 400, error);
            free(error);
            json_decref(body);
            goto out;
        }
        if (api_request_is_bulk(body)) {
            api_bulk_add__(api, req, conn, body, wait);
            goto out;
        }
        struct api_pending *p = api_pending_create__(api, req, conn,
                                                     API_PENDING_ENGINE);
        if (api->cluster) {
            cluster_port_add(api->cluster, body, wait, api_engine_done__, p);
        } else {
            engine_port_add(api->engine, body, wait, api_engine_done__, p);
        }
        json_decref(body);
    } else if (cmd == EVHTTP_REQ_DELETE) {
        if (api_check_params__(api, req, conn, params, NULL)
            && api_check_no_body__(api, req, conn)) {
            struct api_pending *p = api_pending_create__(
                api, req, conn, API_PENDING_ENGINE);
            if (api->cluster) {
                cluster_port_delete(api->cluster, path + 10,
                                    api_engine_done__, p);
            } else {
                engine_port_delete(api->engine, path + 10,
                                   api_engine_done__, p);
            }
        }
    } else {
        if (api_check_params__(api, req, conn, params, NULL)
            && api_check_no_body__(api, req, conn)) {
            char *error = (api->cluster ? cluster_reload(api->cluster)
                           : engine_reload(api->engine));
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

void
api_handle_read__(struct api *api, struct evhttp_request *req,
                  struct api_conn *conn, const char *path,
                  bool metrics_only)
{
    json_t *params;

    if (!strcmp(path, "/v1/trace") && !metrics_only) {
        api_trace__(api, req, conn);
        return;
    }
    if (!strncmp(path, "/v1/cluster/", 12) && !metrics_only) {
        params = api_query__(api, req, conn);
        if (params) {
            api_cluster__(api, req, conn, EVHTTP_REQ_GET, path, params);
            json_decref(params);
        }
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
        const char *why = api->cluster ? cluster_health(api->cluster)
                                       : NULL;
        if (!why) {
            why = engine_health(api->engine);
        }
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
        api_reply__(api, req, conn, 200, api_status__(api));
    } else if (!strcmp(path, "/v1/ports")) {
        api_reply_ports__(api, req, conn);
    } else if (!strncmp(path, "/v1/ports/", 10) && path[10]) {
        if (api_limits_path__(path)) {
            api_error__(api, req, conn, 405, "method not allowed for this "
                        "endpoint (POST the limits to change)");
        } else if (strchr(path + 10, '/')) {
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
    } else if (api_request_known_path(path)) {
        api_error__(api, req, conn, 405, "method not allowed for this "
                    "endpoint");
    } else {
        api_error__(api, req, conn, 404, "no such endpoint");
    }
}
