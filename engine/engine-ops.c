/* engine-ops.c: the life of each port request the engine holds (struct
 * engine_op): queued, its devices made by the worker, planned into a
 * transaction, committed, applied by ovs-vswitchd, its flows installed,
 * answered; and on failure its devices rolled back and the error answered
 * (see include/engine.h). */
#include <config.h>

#include "engine-private.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dev-worker.h"
#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "netaddr.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "port-view.h"

GN_LOG_MODULE(engine);

static void engine_port_add__(struct engine *, const json_t *req,
                              bool wait, engine_done_cb *, void *aux);

void
engine_op_free__(struct engine_op *op)
{
    engine_ofport_keep__(op->engine, op);
    engine_ofport_forget__(op->engine, op);
    port_spec_destroy(&op->spec);
    json_decref(op->req);
    free(op->name);
    json_decref(op->iface);
    free(op->refused);
    free(op);
}

/* Unlinks 'op' from the queue, calls its callback with 'status' and 'body'
 * (stolen) and frees it. */
void
engine_op_finish__(struct engine *e, struct engine_op *op, int status,
                   json_t *body)
{
    struct engine_op **p;

    for (p = &e->ops; *p; p = &(*p)->next) {
        if (*p == op) {
            *p = op->next;
            break;
        }
    }
    if (op->cb) {
        /* Its client may come back with another request at once. */
        e->answered_msec = gn_time_msec();
        e->n_awaited++;
        op->cb(status, body, op->aux);
    } else {
        json_decref(body);
    }
    engine_op_free__(op);
}

/* Moves 'op', whose change is committed and whose devices are settled, to
 * APPLYING, or answers it now if it does not wait. */
static void
engine_op_settled__(struct engine *e, struct engine_op *op)
{
    if (!op->wait) {
        const json_t *port = engine_find_port__(e, op->name);
        json_t *body = (op->type == ENGINE_OP_ADD && port
                        ? engine_port_json__(e, port, true)
                        : json_pack("{s:s}", "name", op->name));
        engine_op_finish__(e, op, op->type == ENGINE_OP_ADD ? 202 : 200,
                           body);
        return;
    }
    op->state = ENGINE_OP_APPLYING;
    op->deadline = gn_time_msec() + e->apply_timeout_ms;
    engine_schedule__(e);
}

/* On the device worker: the devices of a deleted port go. */
char *
engine_delete_devices__(void *op_)
{
    const struct engine_op *op = op_;
    char *error = port_delete_devices(op->iface);

    if (error) {
        char *msg = gn_xasprintf("%s: %s", op->name, error);
        free(error);
        return msg;
    }
    return NULL;
}

static void
engine_devices_deleted__(char *error, void *op_)
{
    struct engine_op *op = op_;

    if (error) {
        /* The port is gone from the bridge: a device left behind is
         * logged, not a failed request. */
        GN_LOG_WARN("%s", error);
        free(error);
    }
    engine_op_settled__(op->engine, op);
}

/* 'op' is committed in a transaction that ovs-vswitchd applies once its
 * cur_cfg reaches 'next_cfg'.  A deletion first deletes the devices that
 * guestnet created, on the device worker. */
static void
engine_op_committed__(struct engine *e, struct engine_op *op,
                      json_int_t next_cfg)
{
    op->next_cfg = next_cfg;
    op->committed = true;
    if (op->type == ENGINE_OP_DELETE && op->iface) {
        op->state = ENGINE_OP_DEVICES;
        dev_worker_submit(e->devices, engine_delete_devices__, op,
                          engine_devices_deleted__, op);
        return;
    }
    engine_op_settled__(e, op);
}

/* On the device worker: the devices of an add that OVSDB refused go. */
static char *
engine_rollback_devices__(void *op_)
{
    port_rollback_devices(&((const struct engine_op *) op_)->spec);
    return NULL;
}

static void
engine_devices_rolled_back__(char *error, void *op_)
{
    struct engine_op *op = op_;

    free(error);
    engine_op_finish__(op->engine, op, op->refused_status,
                       engine_error_body__(op->refused));
}

/* Rolls back the devices of add 'op', then answers it with 'status' and
 * 'msg' (taken), so that a retry does not find them. */
static void
engine_op_roll_back__(struct engine *e, struct engine_op *op, int status,
                      char *msg)
{
    op->state = ENGINE_OP_DEVICES;
    op->refused = msg;
    op->refused_status = status;
    engine_ofport_forget__(e, op);  /* Its pending flows go now. */
    dev_worker_submit(e->devices, engine_rollback_devices__, op,
                      engine_devices_rolled_back__, op);
}

void
engine_txn_done__(struct ovsdb_txn *txn, const struct ovsdb_txn_result *res,
                  void *e_)
{
    struct engine *e = e_;
    struct engine_op *op, *next;
    int n_in_txn = 0;

    e->txn_in_flight = false;
    e->last_txn_msec = gn_time_msec();
    engine_ipam_txn_done__(e);
    engine_ll_txn_done__(e);
    engine_snoop_txn_done__(e);
    engine_learn_txn_done__(e);
    GN_LOG_DBG("transaction done (status %d, next_cfg %lld)",
               (int) res->status, (long long) res->next_cfg);
    for (op = e->ops; op; op = op->next) {
        n_in_txn += op->state == ENGINE_OP_IN_TXN;
    }

    switch (res->status) {
    case OVSDB_TXN_SUCCESS:
        engine_set_error__(e, NULL);
        for (op = e->ops; op; op = next) {
            next = op->next;
            if (op->state == ENGINE_OP_IN_TXN) {
                engine_op_committed__(e, op, res->next_cfg);
            }
        }
        if (res->next_cfg > e->applying_next_cfg) {
            e->applying_next_cfg = res->next_cfg;
        }
        break;

    case OVSDB_TXN_DISCONNECTED:
        /* Outcome unknown: check the replica after the resync. */
        for (op = e->ops; op; op = op->next) {
            if (op->state == ENGINE_OP_IN_TXN) {
                op->state = ENGINE_OP_QUEUED;
                op->maybe_applied = true;
            }
        }
        break;

    case OVSDB_TXN_OP_ERROR:
    case OVSDB_TXN_BAD_REPLY:
        e->n_txn_errors++;
        GN_LOG_WARN("transaction failed: %s", res->error);
        engine_set_error__(e, res->error);
        for (op = e->ops; op; op = next) {
            next = op->next;
            if (op->state != ENGINE_OP_IN_TXN) {
                continue;
            }
            if ((n_in_txn > 1 || e->txn_has_extra) && !op->solo) {
                /* Shared failure: retry each request alone (solo
                 * transactions carry nothing else, so a failure there is
                 * the request's own). */
                op->state = ENGINE_OP_QUEUED;
                op->solo = true;
                continue;
            }
            char *msg = gn_xasprintf("OVSDB refused the change: %s",
                                     res->error);
            if (op->type == ENGINE_OP_ADD) {
                engine_op_roll_back__(e, op, 409, msg);
                continue;
            }
            engine_op_finish__(e, op, 409, engine_error_body__(msg));
            free(msg);
        }
        if (!n_in_txn) {
            /* Only bridge/adoption ops: try again a little later. */
            e->retry_at = gn_time_msec() + 1000;
        }
        break;
    }
    (void) txn;
    engine_schedule__(e);
}

/* The deletion 'op' of a port that lost its device is done: adds the port
 * again with the request that 'op' carries, answered as that add. */
static void
engine_op_readd__(struct engine *e, struct engine_op *op)
{
    engine_done_cb *cb = op->cb;
    void *aux = op->aux;
    json_t *req = json_incref(op->req);
    bool wait = op->add_wait;

    op->cb = NULL;
    engine_op_finish__(e, op, 200, NULL);
    engine_port_add__(e, req, wait, cb, aux);
    json_decref(req);
}

/* Answers 'op', which waited past its deadline while a dependency was
 * down ('why', engine_health()), with 503 and what became of it.  An add
 * that no transaction can have committed loses its devices first; one
 * whose transaction's outcome is unknown keeps them for the retry that
 * learns it (or for the sweep, if none comes). */
static void
engine_op_expire__(struct engine *e, struct engine_op *op, const char *why)
{
    int secs = e->apply_timeout_ms / 1000;
    const char *what = op->type == ENGINE_OP_ADD ? "added" : "deleted";
    char *msg;

    if (op->state == ENGINE_OP_APPLYING) {
        msg = gn_xasprintf("%s: port %s was %s in OVSDB but is not in place "
                           "after %d s; it may come up later", why, op->name,
                           what, secs);
    } else if (op->maybe_applied) {
        msg = gn_xasprintf("%s: whether port %s was %s is not known after "
                           "%d s; the same request again tells", why,
                           op->name, what, secs);
    } else {
        msg = gn_xasprintf("%s: port %s was not %s within %d s; retry the "
                           "request", why, op->name, what, secs);
    }
    GN_LOG_WARN("%s", msg);
    if (op->type == ENGINE_OP_ADD && op->state == ENGINE_OP_QUEUED
        && !op->maybe_applied) {
        engine_op_roll_back__(e, op, 503, msg);
        return;
    }
    engine_op_finish__(e, op, 503, engine_error_body__(msg));
    free(msg);
}

/* Completes the APPLYING ops that ovs-vswitchd has applied. */
void
engine_check_applied__(struct engine *e)
{
    json_int_t cur_cfg = engine_root_int__(e, "cur_cfg");
    const char *why = engine_health(e);
    long long now = gn_time_msec();
    struct engine_op *op, *next;

    for (op = e->ops; op; op = next) {
        next = op->next;
        if ((op->state == ENGINE_OP_UNSYNCED
             || op->state == ENGINE_OP_QUEUED)
            && why && now >= op->deadline) {
            /* (Not once OVSDB is back: it goes to OVSDB then.) */
            engine_op_expire__(e, op, why);
            continue;
        }
        if (op->state != ENGINE_OP_APPLYING) {
            continue;
        }
        if (cur_cfg < op->next_cfg) {
            /* ovs-vswitchd has not applied it yet: nothing to look at
             * (this keeps a step cheap while a batch of adds waits). */
        } else if (op->type == ENGINE_OP_ADD) {
            const json_t *port = engine_find_port__(e, op->name);
            const json_t *iface;
            json_int_t ofport;

            if (!port) {
                engine_op_finish__(e, op, 500, engine_error_body__(
                                       "port vanished after it was "
                                       "added"));
                continue;
            }
            /* Its Interface's ofport and error only: this runs for every
             * waiting add at every step. */
            iface = port_iface(e->replica, port, NULL);
            if (!iface || !ovsdb_datum_integer(iface, "ofport", &ofport)) {
                ofport = -1;
            }
            if (!op->flows_seqno && ofport > 0
                && engine_flows_ofport__(e, op->name) == ofport) {
                /* The table put last carries its flows. */
                op->flows_seqno = e->flows_seqno;
            }
            if (ofport > 0 && op->flows_seqno
                && ofctrl_installed_seqno(e->ofctrl) >= op->flows_seqno) {
                GN_LOG_INFO("port %s ready (ofport %lld)", op->name,
                            (long long) ofport);
                engine_op_finish__(e, op, 201,
                                   engine_port_json__(e, port, true));
                continue;
            }
            const char *err = iface ? ovsdb_datum_string(iface, "error")
                                    : NULL;
            if (err) {
                char *msg = gn_xasprintf("ovs-vswitchd could not add %s: "
                                         "%s", op->name, err);
                engine_op_finish__(e, op, 500, engine_error_body__(msg));
                free(msg);
                continue;
            }
        } else if (engine_flows_ofport__(e, op->name) == 0
                   && ofctrl_installed_seqno(e->ofctrl) >= e->flows_seqno) {
            /* Deleted: ovs-vswitchd let the port go and the switch holds
             * a table without its flows. */
            if (op->req) {
                engine_op_readd__(e, op);
                continue;
            }
            engine_op_finish__(e, op, 200,
                               json_pack("{s:s, s:b}", "name", op->name,
                                         "deleted", 1));
            continue;
        }
        if (now >= op->deadline && why) {
            engine_op_expire__(e, op, why);
        } else if (now >= op->deadline) {
            char *msg = gn_xasprintf("%s: ovs-vswitchd did not apply the "
                                     "change within %d s", op->name,
                                     e->apply_timeout_ms / 1000);
            engine_op_finish__(e, op, 504, engine_error_body__(msg));
            free(msg);
        }
    }
}

/* For ops whose transaction's outcome is unknown: settles those the
 * replica shows as applied. */
void
engine_settle_maybe_applied__(struct engine *e)
{
    struct engine_op *op, *next;
    json_int_t next_cfg = engine_root_int__(e, "next_cfg");

    for (op = e->ops; op; op = next) {
        next = op->next;
        if (op->state != ENGINE_OP_QUEUED || !op->maybe_applied) {
            continue;
        }
        const json_t *port = engine_find_port__(e, op->name);
        if (op->type == ENGINE_OP_ADD && port
            && port_is_from_spec(e->replica, port, &op->spec)) {
            GN_LOG_INFO("port %s was added before the connection dropped",
                        op->name);
            op->maybe_applied = false;
            engine_op_committed__(e, op, next_cfg);
        } else if (op->type == ENGINE_OP_DELETE && !port) {
            GN_LOG_INFO("port %s was deleted before the connection dropped",
                        op->name);
            op->maybe_applied = false;
            engine_op_committed__(e, op, next_cfg);
        } else {
            op->maybe_applied = false;
        }
    }
}

/* Answers a request whose client may have gone away ('cb' NULL, see
 * engine_forget()).  Takes 'body'. */
static void
engine_answer__(engine_done_cb *cb, void *aux, int status, json_t *body)
{
    if (cb) {
        cb(status, body, aux);
    } else {
        json_decref(body);
    }
}

static struct engine_op *engine_port_delete__(struct engine *,
                                              const char *name,
                                              engine_done_cb *, void *aux);

/* True once requests can be validated against OVSDB. */
static bool
engine_ready__(const struct engine *e)
{
    return (ovsdb_replica_is_synced(e->replica) && engine_bridge_uuid__(e)
            && !e->held);
}

/* Validates the requests that arrived while OVSDB was away. */
void
engine_drain_unsynced__(struct engine *e)
{
    struct engine_op *op, **p;

    if (!engine_ready__(e)) {
        return;
    }
    for (p = &e->ops; *p; ) {
        op = *p;
        if (op->state != ENGINE_OP_UNSYNCED) {
            p = &op->next;
            continue;
        }
        *p = op->next;
        if (op->type == ENGINE_OP_ADD) {
            engine_port_add__(e, op->req, op->wait, op->cb, op->aux);
        } else {
            engine_port_delete__(e, op->name, op->cb, op->aux);
        }
        engine_op_free__(op);
        /* The calls above may have appended to the list: restart. */
        p = &e->ops;
    }
}

static struct engine_op *
engine_op_create__(struct engine *e, enum engine_op_type type,
                   engine_done_cb *cb, void *aux)
{
    struct engine_op *op = gn_xzalloc(sizeof *op);
    struct engine_op **p;

    op->engine = e;
    op->type = type;
    op->state = ENGINE_OP_QUEUED;
    op->cb = cb;
    op->aux = aux;
    op->wait = true;
    op->created_msec = gn_time_msec();
    op->deadline = op->created_msec + e->apply_timeout_ms;
    for (p = &e->ops; *p; p = &(*p)->next) {
        continue;
    }
    *p = op;
    return op;
}

/* Keeps a request that arrived while OVSDB was away until it is back
 * (for at most its apply timeout, see engine_check_applied__()). */
static void
engine_defer__(struct engine *e, enum engine_op_type type, const json_t *req,
               const char *name, bool wait, engine_done_cb *cb, void *aux)
{
    struct engine_op *op = engine_op_create__(e, type, cb, aux);

    op->state = ENGINE_OP_UNSYNCED;
    op->req = req ? json_deep_copy(req) : NULL;
    op->name = gn_xstrdup(name ? name : "");
    op->wait = wait;
}

/* Counts a new request against the answers the next transaction may be
 * waiting on (engine_gather__()). */
static void
engine_request_arrived__(struct engine *e)
{
    if (e->n_awaited > 0) {
        e->n_awaited--;
    }
}

void
engine_port_add(struct engine *e, const json_t *req, bool wait,
                engine_done_cb *cb, void *aux)
{
    engine_request_arrived__(e);
    if (!engine_ready__(e)) {
        const json_t *name = json_object_get(req, "name");
        engine_defer__(e, ENGINE_OP_ADD, req,
                       json_is_string(name) ? json_string_value(name) : NULL,
                       wait, cb, aux);
        return;
    }
    engine_port_add__(e, req, wait, cb, aux);
}

/* Returns the name of a device that both 'spec' and the add 'op' make
 * (the port or its veth peer), or NULL. */
static const char *
engine_op_device_clash__(const struct engine_op *op,
                         const struct port_spec *spec)
{
    const char *mine[] = { spec->name, spec->peer };
    const char *theirs[] = { op->spec.name, op->spec.peer };

    if (op->type != ENGINE_OP_ADD || op->state == ENGINE_OP_UNSYNCED) {
        return NULL;
    }
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < 2; j++) {
            if (mine[i] && theirs[j] && !strcmp(mine[i], theirs[j])) {
                return mine[i];
            }
        }
    }
    return NULL;
}

const char *
engine_ip_owner__(struct engine *e, int vlan, const struct netaddr_ip *ip)
{
    const char *owner = port_view_ip_owner(engine_view__(e), vlan, ip);
    char key[64], s[INET6_ADDRSTRLEN];

    if (!owner) {
        netaddr_format_ip(ip, s, sizeof s);
        snprintf(key, sizeof key, "%d/%s", vlan, s);
        owner = gn_strmap_get(&e->ipam_pending, key);
    }

    for (const struct engine_op *op = e->ops; op && !owner; op = op->next) {
        for (size_t k = 0; op->type == ENGINE_OP_ADD && op->spec.vlan == vlan
                           && k < op->spec.n_ips; k++) {
            if (netaddr_ip_same_addr(&op->spec.ips[k], ip)) {
                owner = op->name;
            }
        }
    }
    for (size_t i = 0; i < e->n_learn_queue && !owner; i++) {
        const struct engine_learn *q = &e->learn_queue[i];

        if (q->vlan == vlan && netaddr_ip_same_addr(&q->addr, ip)) {
            owner = q->port;
        }
    }
    return owner;
}

/* Checks that the MAC and the IPs of 'spec' are no other port's in its
 * network: neither a port on the bridge (the view's index) nor one whose
 * add is in progress.  Returns NULL or a malloc'd message naming the
 * owner. */
static char *
engine_address_clash__(struct engine *e, const struct port_spec *spec)
{
    const struct port_view *view = engine_view__(e);
    char text[INET6_ADDRSTRLEN];
    const char *owner;

    owner = port_view_mac_owner(view, spec->vlan, &spec->mac);
    for (const struct engine_op *op = e->ops; op && !owner; op = op->next) {
        if (op->type == ENGINE_OP_ADD && op->spec.vlan == spec->vlan
            && !memcmp(&op->spec.mac, &spec->mac, sizeof spec->mac)) {
            owner = op->name;
        }
    }
    if (owner) {
        netaddr_format_mac(&spec->mac, text);
        return gn_xasprintf("mac: %s is port %s's in network \"%s\"",
                            text, owner, spec->network);
    }
    for (size_t i = 0; i < spec->n_ips; i++) {
        owner = engine_ip_owner__(e, spec->vlan, &spec->ips[i]);
        if (owner) {
            netaddr_format_ip(&spec->ips[i], text, sizeof text);
            return gn_xasprintf("ips[%zu]: %s is port %s's in network "
                                "\"%s\"", i, text, owner, spec->network);
        }
    }
    return NULL;
}

/* True if the port that 'req' names exists and was added by a request
 * with the same parameters (its request hash, port_request_hash());
 * stores its Interface's UUID (borrowed) in '*iface_uuidp'. */
static bool
engine_same_request__(const struct engine *e, const json_t *req,
                      const char **iface_uuidp)
{
    const json_t *name = json_object_get(req, "name");
    const json_t *port = (json_is_string(name)
                          ? engine_find_port__(e, json_string_value(name))
                          : NULL);
    const json_t *iface = port ? port_iface(e->replica, port, iface_uuidp)
                               : NULL;
    const char *stored = iface ? ovsdb_datum_map_get_string(
        iface, "external_ids", PORTS_REQUEST_HASH_KEY) : NULL;
    char *hash;
    bool same;

    if (!stored) {
        return false;
    }
    hash = port_request_hash(req);
    same = !strcmp(hash, stored);
    free(hash);
    return same;
}

/* If the port that 'req' names exists and was added by a request with the
 * same parameters (its request hash, port_request_hash()), answers 'req'
 * as that add was answered, 201 once the port's flows are in (or 202 if
 * not 'wait'), and returns true: a client that retries an add whose answer
 * it lost, to a guestnetd that restarted meanwhile or not, gets the
 * success it would have had.  If the port lost the device guestnet made
 * for it, the same request replaces it instead (see engine.h).  Returns
 * false otherwise. */
static bool
engine_port_add_retry__(struct engine *e, const json_t *req, bool wait,
                        engine_done_cb *cb, void *aux)
{
    const json_t *name = json_object_get(req, "name");
    struct engine_op *op;
    const char *iface_uuid;

    if (!engine_same_request__(e, req, &iface_uuid)) {
        return false;
    }
    if (engine_device_missing__(e, iface_uuid)) {
        /* The port lost its device: replaced by the same request, first
         * deleted (ovs-vswitchd lets go of the old device only when the
         * port goes), then added again with new devices. */
        GN_LOG_INFO("port %s lost its device: replacing it",
                    json_string_value(name));
        op = engine_port_delete__(e, json_string_value(name), cb, aux);
        if (op) {
            op->req = json_deep_copy(req);
            op->add_wait = wait;
        }
        return true;
    }
    GN_LOG_INFO("port %s: a retry of the request that added it",
                json_string_value(name));
    op = engine_op_create__(e, ENGINE_OP_ADD, cb, aux);
    op->name = gn_xstrdup(json_string_value(name));
    op->wait = wait;
    op->next_cfg = 0;           /* Committed and applied already. */
    engine_op_settled__(e, op);
    return true;
}

/* On the device worker: the devices of a new port. */
static char *
engine_create_devices__(void *op_)
{
    const struct engine_op *op = op_;

    return port_create_devices(&op->spec, op->userspace_datapath);
}

static void
engine_devices_created__(char *error, void *op_)
{
    struct engine_op *op = op_;
    struct engine *e = op->engine;

    if (error) {
        engine_op_finish__(e, op, 500, engine_error_body__(error));
        free(error);
    } else {
        GN_LOG_DBG("port %s: devices made", op->name);
        op->state = ENGINE_OP_QUEUED;
    }
    engine_schedule__(e);       /* (It may have held the transaction.) */
}

static void
engine_port_add__(struct engine *e, const json_t *req, bool wait,
                  engine_done_cb *cb, void *aux)
{
    const json_t *assigned;
    struct port_spec spec;
    enum port_error kind;
    struct engine_op *op;
    char *error;

    for (op = e->ops; op; op = op->next) {
        const json_t *n = json_object_get(req, "name");
        if (json_is_string(n) && !strcmp(op->name, json_string_value(n))) {
            engine_answer__(cb, aux, 409, engine_error_body__(
                                "a request for this port is in progress"));
            return;
        }
    }
    assigned = json_object_get(req, PORTS_ASSIGNED_FIELD);
    if (assigned && (!e->ipam_external || !json_is_string(assigned))) {
        engine_answer__(cb, aux, 400, engine_error_body__(
                            "unknown field \"" PORTS_ASSIGNED_FIELD "\""));
        return;
    }
    if (engine_port_add_retry__(e, req, wait, cb, aux)) {
        return;
    }
    error = port_spec_from_json(req, e->cfg, e->replica,
                                engine_port_peers(e), &spec, &kind);
    if (error) {
        engine_answer__(cb, aux, kind, engine_error_body__(error));
        free(error);
        return;
    }
    error = engine_address_clash__(e, &spec);
    if (!error && !e->ipam_external) {
        error = engine_ipam_assign__(e, &spec);
    } else if (!error && assigned && json_string_length(assigned)) {
        spec.assigned = gn_xstrdup(json_string_value(assigned));
    }
    if (error) {
        engine_answer__(cb, aux, 409, engine_error_body__(error));
        free(error);
        port_spec_destroy(&spec);
        return;
    }
    /* Its devices are made later, on the device worker: a device that a
     * request in progress is about to make counts as existing already. */
    for (op = e->ops; op; op = op->next) {
        const char *clash = engine_op_device_clash__(op, &spec);

        if (clash) {
            char *msg = gn_xasprintf("device %s: a request in progress "
                                     "makes it", clash);
            engine_answer__(cb, aux, 409, engine_error_body__(msg));
            free(msg);
            port_spec_destroy(&spec);
            return;
        }
    }
    GN_LOG_DBG("port %s: add requested", spec.name);
    op = engine_op_create__(e, ENGINE_OP_ADD, cb, aux);
    op->spec = spec;
    op->name = gn_xstrdup(spec.name);
    op->wait = wait;
    op->userspace_datapath = !strcmp(e->cfg->datapath_type, "netdev");
    op->state = ENGINE_OP_DEVICES;
    engine_ofport_pick__(e, op);    /* Its flows go while devices are made. */
    dev_worker_submit(e->devices, engine_create_devices__, op,
                      engine_devices_created__, op);
}

void
engine_port_delete(struct engine *e, const char *name, engine_done_cb *cb,
                   void *aux)
{
    engine_request_arrived__(e);
    if (!engine_ready__(e)) {
        engine_defer__(e, ENGINE_OP_DELETE, NULL, name, true, cb, aux);
        return;
    }
    engine_port_delete__(e, name, cb, aux);
}

/* Queues removing port 'name' and returns the request, or answers at once
 * (no such port, a request for it in progress) and returns NULL. */
static struct engine_op *
engine_port_delete__(struct engine *e, const char *name, engine_done_cb *cb,
                     void *aux)
{
    const json_t *port;
    struct port_binding b;
    struct engine_op *op;

    port = engine_find_port__(e, name);
    if (!port) {
        engine_answer__(cb, aux, 404, engine_error_body__("no such port"));
        return NULL;
    }
    for (op = e->ops; op; op = op->next) {
        if (!strcmp(op->name, name)) {
            engine_answer__(cb, aux, 409, engine_error_body__(
                                "a request for this port is in progress"));
            return NULL;
        }
    }
    port_binding(e->cfg, e->replica, port, &b);
    op = engine_op_create__(e, ENGINE_OP_DELETE, cb, aux);
    op->name = gn_xstrdup(name);
    op->iface = b.iface ? json_deep_copy(b.iface) : NULL;
    engine_schedule__(e);
    return op;
}

void
engine_forget(struct engine *e, void *aux)
{
    engine_limits_forget__(e, aux);
    for (struct engine_op *op = e->ops; op; op = op->next) {
        if (op->aux == aux) {
            op->cb = NULL;
            op->aux = NULL;
        }
    }
}
