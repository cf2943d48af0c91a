/* engine-limits.c: a live change of a port's noisy-neighbour limits (see
 * engine_port_set_limits() in include/engine.h).
 *
 * Owns the limit requests in flight: each writes the port's own limits
 * (Interface external_ids GN_LIMITS_KEY) in a transaction of its own, which
 * changes no column ovs-vswitchd reads (no next_cfg), then waits until the
 * switch holds the flows and meters of the replica that includes it: the
 * port view rebinds the port, the pipeline rebuilds its group, and ofctrl
 * modifies its meters in place (OFPMC13_MODIFY) or, when a limit comes or
 * goes, adds the meter and changes the port's flows in one bundle.  The
 * port keeps its devices, rows and ofport throughout. */
#include <config.h>

#include "engine-private.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "gn-limits.h"
#include "gn-log.h"
#include "gn-util.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "port-view.h"

GN_LOG_MODULE(engine);

/* How often a request that committed looks whether the switch holds its
 * flows yet. */
#define ENGINE_LIMITS_POLL_MS 5

struct engine_limits_req {
    struct engine *engine;
    struct engine_limits_req *next;
    char *name;
    unsigned long long replica_seqno;   /* Committed: the replica that
                                         * holds the change, else 0. */
    long long deadline;
    struct event *poll_ev;
    engine_done_cb *cb;
    void *aux;
};

/* Unlinks 'req' from its engine, answers it with 'status' and 'body'
 * (stolen) and frees it. */
static void
engine_limits_finish__(struct engine_limits_req *req, int status,
                       json_t *body)
{
    struct engine *e = req->engine;

    for (struct engine_limits_req **p = &e->limits_reqs; *p;
         p = &(*p)->next) {
        if (*p == req) {
            *p = req->next;
            break;
        }
    }
    if (req->cb) {
        req->cb(status, body, req->aux);
    } else {
        json_decref(body);
    }
    if (req->poll_ev) {
        event_free(req->poll_ev);
    }
    free(req->name);
    free(req);
}

/* Answers 'req' with its port as GET /v1/ports/NAME shows it (404 if it
 * went meanwhile). */
static void
engine_limits_answer__(struct engine_limits_req *req)
{
    const json_t *port = engine_find_port__(req->engine, req->name);

    if (!port) {
        engine_limits_finish__(req, 404, engine_error_body__(
                                   "no such port (deleted meanwhile)"));
    } else {
        engine_limits_finish__(req, 200, engine_port_json__(req->engine,
                                                            port, false));
    }
}

/* True if the switch holds the flows and meters of the replica up to
 * 'seqno': the engine built them from a view that saw it, completely, and
 * the switch confirmed that table. */
static bool
engine_limits_installed__(struct engine *e, unsigned long long seqno)
{
    return (e->view_valid && e->view_seqno >= seqno && e->flows_built
            && !e->flows_incomplete
            && e->flows_input_gen == engine_flows_input_gen__(e)
            && ofctrl_installed_seqno(e->ofctrl) >= e->flows_seqno);
}

static void
engine_limits_poll_cb__(evutil_socket_t fd,
                        short what, void *req_)
{
    struct engine_limits_req *req = req_;
    struct engine *e = req->engine;

    (void) fd;
    (void) what;
    if (engine_limits_installed__(e, req->replica_seqno)) {
        engine_limits_answer__(req);
    } else if (gn_time_msec() >= req->deadline) {
        engine_limits_finish__(req, 504, engine_error_body__(
                                   "the limits are stored but the switch "
                                   "did not confirm them in time"));
    } else {
        struct timeval tv = { 0, ENGINE_LIMITS_POLL_MS * 1000 };

        event_add(req->poll_ev, &tv);
    }
}

static void
engine_limits_txn_done__(struct ovsdb_txn *txn,
                         const struct ovsdb_txn_result *res, void *req_)
{
    struct engine_limits_req *req = req_;
    struct engine *e = req->engine;
    struct timeval now = { 0, 0 };
    char *msg;

    (void) txn;
    switch (res->status) {
    case OVSDB_TXN_SUCCESS:
        break;
    case OVSDB_TXN_OP_ERROR:
        msg = gn_xasprintf("no such port (deleted meanwhile): %s",
                           res->error ? res->error : "");
        engine_limits_finish__(req, 404, engine_error_body__(msg));
        free(msg);
        return;
    case OVSDB_TXN_DISCONNECTED:
    case OVSDB_TXN_BAD_REPLY:
    default:
        msg = gn_xasprintf("the connection to ovsdb-server failed before "
                           "the change was confirmed (%s): whether it was "
                           "stored is not known; the port's limits tell",
                           res->error ? res->error : "no reply");
        engine_limits_finish__(req, 503, engine_error_body__(msg));
        free(msg);
        return;
    }
    /* ovsdb-server sends a monitor's update before the reply to the
     * transaction that caused it: the replica holds the change. */
    req->replica_seqno = ovsdb_replica_seqno(e->replica);
    req->poll_ev = event_new(e->base, -1, 0, engine_limits_poll_cb__, req);
    engine_schedule__(e);
    event_add(req->poll_ev, &now);
}

void
engine_port_set_limits(struct engine *e, const char *name,
                       const json_t *body, engine_done_cb *cb, void *aux)
{
    struct gn_limits change, own;
    unsigned int cleared;
    const char *iface_uuid, *old;
    const json_t *port, *iface;
    struct engine_limits_req *req;
    struct ovsdb_txn *txn;
    json_t *mutations;
    char *error, *text;

    error = gn_limits_from_json(body, "limits", &change, &cleared);
    if (!error && !change.set && !cleared) {
        error = gn_xstrdup("limits: expected at least one limit");
    }
    if (error) {
        cb(400, engine_error_body__(error), aux);
        free(error);
        return;
    }
    if (!ovsdb_replica_is_synced(e->replica) || !engine_bridge_uuid__(e)
        || e->held) {
        const char *why = engine_health(e);

        text = gn_xasprintf("%s: the limits cannot be changed now",
                            why ? why : "not ready");
        cb(503, engine_error_body__(text), aux);
        free(text);
        return;
    }
    port = engine_find_port__(e, name);
    iface = port ? port_iface(e->replica, port, &iface_uuid) : NULL;
    if (!iface) {
        cb(404, engine_error_body__("no such port"), aux);
        return;
    }

    old = ovsdb_datum_map_get_string(iface, "external_ids", GN_LIMITS_KEY);
    gn_limits_parse(old, &own);
    for (int i = 0; i < GN_N_LIMITS; i++) {
        unsigned int bit = 1u << i;

        if (change.set & bit) {
            own.value[i] = change.value[i];
            own.set |= bit;
        } else if (cleared & bit) {
            own.value[i] = 0;
            own.set &= ~bit;
        }
    }
    text = gn_limits_format(&own);

    req = gn_xzalloc(sizeof *req);
    req->engine = e;
    req->name = gn_xstrdup(name);
    req->deadline = gn_time_msec() + e->apply_timeout_ms;
    req->cb = cb;
    req->aux = aux;
    req->next = e->limits_reqs;
    e->limits_reqs = req;

    txn = ovsdb_txn_create("Open_vSwitch");
    ovsdb_txn_comment(txn, "guestnet: port limits");
    /* The port must still be there (else 404). */
    ovsdb_txn_wait(txn, "Interface", ovsdb_where_uuid(iface_uuid),
                   json_pack("[s]", "name"), "==",
                   json_pack("[{s:s}]", "name", name), 0);
    mutations = json_pack("[[s, s, [s, [s]]]]", "external_ids", "delete",
                          "set", GN_LIMITS_KEY);
    if (*text) {
        json_array_append_new(mutations, json_pack(
                                  "[s, s, [s, [[s, s]]]]", "external_ids",
                                  "insert", "map", GN_LIMITS_KEY, text));
    }
    ovsdb_txn_mutate(txn, "Interface", ovsdb_where_uuid(iface_uuid),
                     mutations);
    GN_LOG_INFO("port %s: limits \"%s\" (were \"%s\")", name, text,
                old ? old : "");
    free(text);
    ovsdb_txn_commit(txn, e->session, engine_limits_txn_done__, req);
}

void
engine_limits_forget__(struct engine *e, void *aux)
{
    for (struct engine_limits_req *r = e->limits_reqs; r; r = r->next) {
        if (r->aux == aux) {
            r->cb = NULL;
            r->aux = NULL;
        }
    }
}

void
engine_limits_destroy__(struct engine *e)
{
    /* Their clients go with the API, unanswered. */
    while (e->limits_reqs) {
        e->limits_reqs->cb = NULL;
        engine_limits_finish__(e->limits_reqs, 503, NULL);
    }
}
