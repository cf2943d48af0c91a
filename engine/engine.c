/* engine.c: the reconcile engine of guestnetd (see include/engine.h). */
#include <config.h>

#include "engine.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "dev-worker.h"
#include "flow-table.h"
#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "jsonrpc-session.h"
#include "meter-table.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "pipeline.h"
#include "port-view.h"
#include "ports.h"

GN_LOG_MODULE(engine);

/* How long a request may wait for ovs-vswitchd before it is answered with
 * a timeout (the port stays: it may come up later). */
#define ENGINE_APPLY_TIMEOUT_MS 30000

/* A reconcile step longer than this counts as slow in the status. */
#define ENGINE_SLOW_STEP_US 5000

/* How long one reconcile step may spend rebuilding flow groups (one group,
 * at least; a group is started only if its last build fits).  The rebuild
 * of a batch of new ports (~27 flows each) takes 10-20 ms in one go; in
 * slices of this much, with the event loop running in between (an
 * incomplete pass goes on where it stopped), API requests and OVSDB and
 * OpenFlow input wait about that long.  Measured with bench/api-bench.sh:
 * 2 ms slices gave a status p99 of 5.7 ms, 1 ms 5.2 ms, 0.5 ms 4.1-4.7 ms,
 * with the adds as fast. */
#define ENGINE_FLOWS_BUDGET_US 500

/* How long the next transaction waits for ovs-vswitchd to apply the
 * previous one. */
#define ENGINE_BATCH_WAIT_MS 2000

/* How long a transaction waits at most for the requests that came with
 * those in it (see engine_gather__()). */
#define ENGINE_GATHER_MS 100

enum engine_op_type {
    ENGINE_OP_ADD,
    ENGINE_OP_DELETE,
};

enum engine_op_state {
    ENGINE_OP_UNSYNCED,     /* Arrived while the replica was not synced:
                             * validated once it is. */
    ENGINE_OP_QUEUED,       /* Waiting for the next transaction. */
    ENGINE_OP_IN_TXN,       /* Part of the transaction in flight. */
    ENGINE_OP_APPLYING,     /* Committed; waiting for ovs-vswitchd. */
    ENGINE_OP_DEVICES,      /* Waiting for the device worker to create,
                             * delete or roll back its devices. */
};

struct engine_op {
    struct engine *engine;
    struct engine_op *next;
    enum engine_op_type type;
    enum engine_op_state state;
    struct port_spec spec;      /* ENGINE_OP_ADD. */
    json_t *req;                /* ENGINE_OP_UNSYNCED: the request. */
    char *name;                 /* The port's name. */
    json_t *iface;              /* ENGINE_OP_DELETE: Interface row copy. */
    bool wait;                  /* Answer when applied, not committed. */
    bool solo;                  /* Retry alone after a shared failure. */
    bool maybe_applied;         /* Connection dropped during its txn. */
    bool userspace_datapath;    /* ENGINE_OP_ADD: for its devices. */
    char *refused;              /* ENGINE_OP_ADD being rolled back: why. */
    json_int_t next_cfg;        /* The cur_cfg that confirms it. */
    uint64_t flows_seqno;       /* ENGINE_OP_ADD: the flow table that
                                 * carries its flows (0: not yet). */
    long long deadline;         /* For ENGINE_OP_APPLYING. */
    engine_done_cb *cb;
    void *aux;
};

/* What planning a transaction depends on besides the queued requests:
 * while none of it changes, a pass that planned nothing would plan nothing
 * again. */
struct engine_plan_key {
    unsigned long long replica_seqno;
    unsigned long long cfg_gen;
    uint64_t flows_seqno;
    uint64_t installed_seqno;
};

/* The parts of a reconcile step, timed for the log of slow steps. */
enum engine_phase {
    ENGINE_PHASE_FLOWS,         /* Port view and flow groups, commit. */
    ENGINE_PHASE_APPLIED,       /* Requests ovs-vswitchd has applied. */
    ENGINE_PHASE_PLAN,          /* Planning the next transaction. */
    ENGINE_PHASE_TXN,           /* Encoding and sending it. */
    ENGINE_N_PHASES
};

static const char *const engine_phase_names[ENGINE_N_PHASES] = {
    "flows", "applied", "plan", "txn",
};

struct engine {
    struct event_base *base;
    struct gn_config *cfg;
    char *config_file;
    struct jsonrpc_session *session;
    struct ovsdb_replica *replica;
    struct ofctrl *ofctrl;
    struct dev_worker *devices; /* Creates and deletes guest devices. */
    char *ovs_rundir;
    struct port_view *view;     /* The bridge's ports, bound. */
    unsigned long long view_seqno;      /* Replica seqno and config */
    unsigned long long view_cfg_gen;    /* generation of 'view'. */
    bool view_valid;
    struct pipeline_state *pipeline;    /* Builds ofctrl's desired table. */
    bool flows_built;           /* The pipeline saw the replica once. */
    bool flows_incomplete;      /* The desired table is half rebuilt (out
                                 * of time): go on at the next step.  The
                                 * pipeline's ports are then not those of
                                 * the table of 'flows_seqno'. */
    bool flows_sliced;          /* This step stopped a rebuild at its time
                                 * budget: the next step runs at once (not
                                 * while OVSDB is away: nothing would move
                                 * then). */
    size_t flows_added;         /* Since the last ofctrl_commit(). */
    size_t flows_removed;
    unsigned long long flows_input_gen;     /* Pipeline gen and config */
    unsigned long long flows_input_cfg_gen; /* the flows were made from. */
    unsigned long long cfg_gen;             /* Bumped on every reload. */
    uint64_t flows_seqno;       /* Seqno of the last ofctrl_commit(). */
    struct event *run_ev;       /* Deferred engine_run__(). */
    struct event *timer_ev;     /* Periodic: timeouts, retries. */

    struct engine_op *ops;      /* Oldest first. */
    bool txn_in_flight;
    long long retry_at;         /* After a failed bridge txn. */
    json_int_t applying_next_cfg;   /* next_cfg of our last committed
                                     * transaction. */
    bool txn_has_extra;         /* The transaction in flight also carries
                                 * ops of no request (adoption, marks). */
    bool idle_valid;            /* True once 'idle_key' is set. */
    struct engine_plan_key idle_key;    /* Inputs of the latest pass that
                                         * planned nothing. */

    /* Status. */
    unsigned long long n_steps;         /* Reconcile steps run, */
    unsigned long long n_slow_steps;    /* those over ENGINE_SLOW_STEP_US, */
    long long step_us_total;            /* and how long they took. */
    long long step_us_last;
    long long step_us_max;
    long long phase_us[ENGINE_N_PHASES];    /* Of the step running now. */
    long long phase_start_us;
    long long start_msec;
    long long last_run_msec;
    long long last_txn_msec;
    long long gather_msec;      /* When engine_gather__() began to hold
                                 * the next transaction, or 0. */
    int last_txn_ops;
    unsigned long long n_txns;
    unsigned long long n_txn_errors;
    char *last_error;
};

static void engine_schedule__(struct engine *);
static bool engine_gather__(struct engine *);

/* Charges the time since the last call to 'phase' of the current step. */
static void
engine_phase_end__(struct engine *e, enum engine_phase phase)
{
    long long now = gn_time_usec();

    e->phase_us[phase] += now - e->phase_start_us;
    e->phase_start_us = now;
}

static void
engine_set_error__(struct engine *e, const char *error)
{
    free(e->last_error);
    e->last_error = error ? gn_xstrdup(error) : NULL;
}

static json_t *
engine_error_body__(const char *message)
{
    return json_pack("{s:{s:s}}", "error", "message", message);
}

static void
engine_op_free__(struct engine_op *op)
{
    port_spec_destroy(&op->spec);
    json_decref(op->req);
    free(op->name);
    json_decref(op->iface);
    free(op->refused);
    free(op);
}

/* Unlinks 'op' from the queue, calls its callback with 'status' and 'body'
 * (stolen) and frees it. */
static void
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
        op->cb(status, body, op->aux);
    } else {
        json_decref(body);
    }
    engine_op_free__(op);
}

static const char *
engine_bridge_uuid__(const struct engine *e)
{
    return bridge_find(e->replica, e->cfg->bridge);
}

/* The root row's integer 'column', or -1. */
static json_int_t
engine_root_int__(const struct engine *e, const char *column)
{
    const char *root = bridge_root_uuid(e->replica);
    const json_t *row = root ? ovsdb_replica_get_row(e->replica,
                                                     "Open_vSwitch", root)
                             : NULL;
    json_int_t v;

    return row && ovsdb_datum_integer(row, column, &v) ? v : -1;
}

/* Returns the Port row named 'name' on the bridge, or NULL. */
static const json_t *
engine_find_port__(const struct engine *e, const char *name)
{
    const char *br = engine_bridge_uuid__(e);
    char *uuid = br ? port_find(e->replica, br, name) : NULL;
    const json_t *row = uuid ? ovsdb_replica_get_row(e->replica, "Port",
                                                     uuid) : NULL;
    free(uuid);
    return row;
}

static json_t *
engine_port_json__(const struct engine *e, const json_t *port,
                   bool with_guest_config)
{
    struct port_binding b;
    json_t *j;

    port_binding(e->cfg, e->replica, port, &b);
    j = port_binding_to_json(&b);
    if (with_guest_config) {
        json_object_set_new(j, "guest", port_guest_config(e->cfg, &b));
    }
    return j;
}

/* Brings the port view up to date with the replica and the config. */
static struct port_view *
engine_view__(struct engine *e)
{
    unsigned long long seqno = ovsdb_replica_seqno(e->replica);

    if (!e->view_valid || e->view_seqno != seqno
        || e->view_cfg_gen != e->cfg_gen) {
        port_view_update(e->view, e->cfg, e->cfg_gen, e->replica,
                         engine_bridge_uuid__(e));
        e->view_valid = true;
        e->view_seqno = seqno;
        e->view_cfg_gen = e->cfg_gen;
    }
    return e->view;
}

/* Brings ofctrl's desired table and meters up to date with the view's
 * pipeline input (port_view_pipeline_gen()) and the config, within
 * ENGINE_FLOWS_BUDGET_US: if that is not enough, leaves
 * 'e->flows_incomplete' set and the table held back from the switch for
 * the next step to go on with. */
static void
engine_flows__(struct engine *e)
{
    const struct pipeline_port *ports;
    size_t n_ports;

    if (!engine_bridge_uuid__(e)) {
        return;
    }
    /* The input is the view's ports and the config: most OVSDB updates
     * (link states, statistics, the installed marks) change neither. */
    unsigned long long gen = port_view_pipeline_gen(engine_view__(e));
    bool unchanged = (e->flows_input_gen == gen
                      && e->flows_input_cfg_gen == e->cfg_gen);
    if (e->flows_built && !e->flows_incomplete && unchanged) {
        return;
    }
    e->flows_input_gen = gen;
    e->flows_input_cfg_gen = e->cfg_gen;
    ports = port_view_pipeline_ports(e->view, &n_ports);

    struct pipeline_input in = {
        .cfg = e->cfg,
        .cfg_gen = e->cfg_gen,
        .ports = ports,
        .n_ports = n_ports,
        .uplink_ofport = port_view_uplink_ofport(e->view),
        .deadline = gn_time_usec() + ENGINE_FLOWS_BUDGET_US,
        /* An incomplete update goes on where it stopped if its input is
         * the same (the view left its array of ports alone). */
        .same_input = unchanged && e->flows_incomplete,
    };
    struct pipeline_update_stats st;
    char *error = pipeline_state_update(e->pipeline, &in,
                                        ofctrl_desired(e->ofctrl), &st);
    if (error) {
        /* The flows of the port or network concerned are left out (its
         * traffic is dropped); the rest goes to the switch. */
        GN_LOG_ERR("pipeline: %s", error);
        engine_set_error__(e, error);
        free(error);
    }
    e->flows_added += st.flows_added;
    e->flows_removed += st.flows_removed;
    if (st.incomplete) {
        /* Half a table must not reach the switch, nor may requests be
         * answered from it; the next step goes on, after what came in
         * meanwhile. */
        e->flows_incomplete = true;
        e->flows_sliced = true;
        ofctrl_hold(e->ofctrl);
        return;
    }
    if (!e->flows_built || e->flows_incomplete || st.groups_built
        || st.groups_removed) {
        const struct meter_table *meters
            = pipeline_state_meters(e->pipeline);

        GN_LOG_INFO("flow table %llu: %zu flows and %zu meters for %zu "
                    "ports (%zu flows added, %zu removed)",
                    (unsigned long long) e->flows_seqno + 1,
                    flow_table_count(ofctrl_desired(e->ofctrl)),
                    meter_table_count(meters), n_ports, e->flows_added,
                    e->flows_removed);
        ofctrl_put_meters(e->ofctrl, meter_table_clone(meters));
        ofctrl_commit(e->ofctrl, ++e->flows_seqno);
        e->flows_added = e->flows_removed = 0;
    }
    e->flows_incomplete = false;
    e->flows_built = true;
}

/* Returns the ofport that the port named 'name' has its flows for in the
 * table of 'e->flows_seqno', or 0 if it has none there (a port whose flows
 * could not be built, its MAC clashing with another port's, has none) or
 * -1 while that is not known (the table is half rebuilt). */
static int
engine_flows_ofport__(const struct engine *e, const char *name)
{
    return (e->flows_incomplete ? -1
            : pipeline_state_ofport(e->pipeline, name));
}

static void
engine_ofctrl_notify__(struct ofctrl *ofctrl, void *e_)
{
    (void) ofctrl;
    engine_schedule__(e_);
}

/* Completes the APPLYING ops that ovs-vswitchd has applied. */
static void
engine_check_applied__(struct engine *e)
{
    json_int_t cur_cfg = engine_root_int__(e, "cur_cfg");
    long long now = gn_time_msec();
    struct engine_op *op, *next;

    for (op = e->ops; op; op = next) {
        next = op->next;
        if (op->state == ENGINE_OP_UNSYNCED && now >= op->deadline) {
            engine_op_finish__(e, op, 503, engine_error_body__(
                                   "ovsdb-server or the bridge did not "
                                   "come back in time"));
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
            engine_op_finish__(e, op, 200,
                               json_pack("{s:s, s:b}", "name", op->name,
                                         "deleted", 1));
            continue;
        }
        if (now >= op->deadline) {
            char *msg = gn_xasprintf("%s: ovs-vswitchd did not apply the "
                                     "change within %d s", op->name,
                                     ENGINE_APPLY_TIMEOUT_MS / 1000);
            engine_op_finish__(e, op, 504, engine_error_body__(msg));
            free(msg);
        }
    }
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
    op->deadline = gn_time_msec() + ENGINE_APPLY_TIMEOUT_MS;
    engine_schedule__(e);
}

/* On the device worker: the devices of a deleted port go. */
static char *
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
    engine_op_finish__(op->engine, op, 409,
                       engine_error_body__(op->refused));
}

static void
engine_txn_done__(struct ovsdb_txn *txn, const struct ovsdb_txn_result *res,
                  void *e_)
{
    struct engine *e = e_;
    struct engine_op *op, *next;
    int n_in_txn = 0;

    e->txn_in_flight = false;
    e->last_txn_msec = gn_time_msec();
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
                /* Answered once its devices are gone, so that a retry
                 * does not find them. */
                op->state = ENGINE_OP_DEVICES;
                op->refused = msg;
                dev_worker_submit(e->devices, engine_rollback_devices__, op,
                                  engine_devices_rolled_back__, op);
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

/* For ops whose transaction's outcome is unknown: settles those the
 * replica shows as applied. */
static void
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

/* Adds the ops of queued request 'op' to 'txn'.  Returns false if the
 * request was answered instead (nothing to do). */
static bool
engine_plan_op__(struct engine *e, struct engine_op *op, const char *br,
                 struct ovsdb_txn *txn)
{
    if (op->type == ENGINE_OP_ADD) {
        port_plan_add(&op->spec, br, txn);
        return true;
    }
    char *uuid = port_find(e->replica, br, op->name);
    if (!uuid) {
        engine_op_finish__(e, op, 404, engine_error_body__(
                               "no such port"));
        return false;
    }
    port_plan_delete(uuid, br, txn);
    free(uuid);
    return true;
}

/* Marks external_ids:guestnet-installed=true on the Interface of each port
 * whose flows the switch confirmed (as ovn-controller writes
 * ovn-installed), so that hooks and scripts can wait for it.  Only once the
 * latest desired table is installed; a mark already there is not written
 * again, so a restart writes nothing.  Looks only at the ports the view
 * lists as unmarked.  Returns the number of marks (ops) added to 'txn'. */
static int
engine_plan_installed__(struct engine *e, struct ovsdb_txn *txn)
{
    const struct port_view_port *ports;
    int n_marks = 0;
    size_t n;

    if (!e->flows_seqno || e->flows_incomplete
        || ofctrl_installed_seqno(e->ofctrl) != e->flows_seqno) {
        return 0;
    }
    n = port_view_unmarked(engine_view__(e), &ports);
    for (size_t i = 0; i < n; i++) {
        if (!ports[i].name || engine_flows_ofport__(e, ports[i].name) <= 0) {
            continue;
        }
        ovsdb_txn_mutate(txn, "Interface",
                         ovsdb_where_uuid(ports[i].iface_uuid),
                         json_pack("[[s, s, o], [s, s, o]]",
                                   "external_ids", "delete",
                                   json_pack("[s, [s]]", "set",
                                             PORTS_INSTALLED_KEY),
                                   "external_ids", "insert",
                                   ovsdb_datum_map(json_pack(
                                       "{s:s}", PORTS_INSTALLED_KEY,
                                       "true"))));
        n_marks++;
    }
    return n_marks;
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

static void engine_port_add__(struct engine *, const json_t *req,
                              bool wait, engine_done_cb *, void *aux);
static void engine_port_delete__(struct engine *, const char *name,
                                 engine_done_cb *, void *aux);

/* True once requests can be validated against OVSDB. */
static bool
engine_ready__(const struct engine *e)
{
    return ovsdb_replica_is_synced(e->replica) && engine_bridge_uuid__(e);
}

/* Validates the requests that arrived while OVSDB was away. */
static void
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

/* Stores in '*key' what planning a transaction now depends on. */
static void
engine_plan_key__(const struct engine *e, struct engine_plan_key *key)
{
    key->replica_seqno = ovsdb_replica_seqno(e->replica);
    key->cfg_gen = e->cfg_gen;
    key->flows_seqno = e->flows_seqno;
    key->installed_seqno = ofctrl_installed_seqno(e->ofctrl);
}

static bool
engine_plan_key_equal__(const struct engine_plan_key *a,
                        const struct engine_plan_key *b)
{
    return (a->replica_seqno == b->replica_seqno
            && a->cfg_gen == b->cfg_gen
            && a->flows_seqno == b->flows_seqno
            && a->installed_seqno == b->installed_seqno);
}

/* True if a request waits for the next transaction. */
static bool
engine_has_queued__(const struct engine *e)
{
    for (const struct engine_op *op = e->ops; op; op = op->next) {
        if (op->state == ENGINE_OP_QUEUED) {
            return true;
        }
    }
    return false;
}

static void
engine_run__(struct engine *e)
{
    struct engine_plan_key key;
    struct ovsdb_txn *txn;
    struct engine_op *op, *next;
    const char *br;
    char *why = NULL;
    int n_bridge;
    int n_marks = 0;

    if (!ovsdb_replica_is_synced(e->replica)) {
        /* Only deadlines can move while OVSDB is away. */
        engine_check_applied__(e);
        return;
    }
    engine_drain_unsynced__(e);
    engine_flows__(e);
    engine_phase_end__(e, ENGINE_PHASE_FLOWS);
    engine_check_applied__(e);
    engine_phase_end__(e, ENGINE_PHASE_APPLIED);
    if (e->txn_in_flight || gn_time_msec() < e->retry_at) {
        return;
    }
    /* While ovs-vswitchd is still applying our last transaction, requests
     * collect into the next one: every transaction makes ovs-vswitchd
     * reconfigure all its ports, so fewer, larger ones win.  (Bounded, in
     * case ovs-vswitchd is gone.) */
    if (e->applying_next_cfg > engine_root_int__(e, "cur_cfg")
        && gn_time_msec() - e->last_txn_msec < ENGINE_BATCH_WAIT_MS) {
        return;
    }
    if (engine_gather__(e)) {
        return;
    }
    engine_settle_maybe_applied__(e);
    e->last_run_msec = gn_time_msec();

    /* Planning looks at the ports the view lists for it (adoption,
     * installed marks, uplinks): skip it while its inputs are those of a
     * pass that planned nothing. */
    engine_plan_key__(e, &key);
    if (e->idle_valid && engine_plan_key_equal__(&key, &e->idle_key)
        && !engine_has_queued__(e)) {
        return;
    }

    txn = ovsdb_txn_create("Open_vSwitch");
    ovsdb_txn_comment(txn, "guestnetd");
    n_bridge = bridge_plan(e->cfg, e->replica, engine_view__(e), txn,
                           &why);
    if (n_bridge) {
        GN_LOG_INFO("bridge %s: %s", e->cfg->bridge, why ? why : "");
    }
    free(why);

    br = engine_bridge_uuid__(e);
    bool looked_at_all = !br || n_bridge;   /* Adoption and marks too? */
    if (br && !n_bridge) {
        struct engine_op *solo = NULL;

        for (op = e->ops; op && !solo; op = op->next) {
            if (op->state == ENGINE_OP_QUEUED && op->solo) {
                solo = op;
            }
        }
        if (!solo) {
            int before = ovsdb_txn_n_ops(txn);
            looked_at_all = true;
            port_view_plan_adoption(engine_view__(e), txn);
            n_marks = engine_plan_installed__(e, txn);
            e->txn_has_extra = ovsdb_txn_n_ops(txn) > before;
        } else {
            e->txn_has_extra = false;
        }
        if (solo) {
            /* Retries after a shared failure go one per transaction. */
            if (engine_plan_op__(e, solo, br, txn)) {
                solo->state = ENGINE_OP_IN_TXN;
            }
        } else {
            for (op = e->ops; op; op = next) {
                next = op->next;
                if (op->state == ENGINE_OP_QUEUED
                    && engine_plan_op__(e, op, br, txn)) {
                    op->state = ENGINE_OP_IN_TXN;
                }
            }
        }
    }
    if (ovsdb_txn_n_ops(txn) <= 1) {
        /* Only the comment: nothing to change. */
        ovsdb_txn_destroy(txn);
        /* Idle only if nothing was left out of this pass (a solo retry
         * skips adoption and the installed marks). */
        e->idle_key = key;
        e->idle_valid = looked_at_all;
        return;
    }
    if (ovsdb_txn_n_ops(txn) > 1 + n_marks) {
        /* ovs-vswitchd has something to apply.  (It does not read
         * Interface external_ids: a next_cfg bump for marks alone would
         * make it reconfigure every port for nothing.) */
        ovsdb_txn_increment_next_cfg(txn);
    }
    e->txn_in_flight = true;
    e->gather_msec = 0;         /* The next one may wait as long. */
    e->n_txns++;
    e->last_txn_ops = ovsdb_txn_n_ops(txn);
    engine_phase_end__(e, ENGINE_PHASE_PLAN);
    ovsdb_txn_commit(txn, e->session, engine_txn_done__, e);
    engine_phase_end__(e, ENGINE_PHASE_TXN);
}

/* True if the next transaction should wait (for at most ENGINE_GATHER_MS
 * since it began to) for the requests that are nearly ready to go with it:
 *
 *   - adds whose devices the worker is still creating: requests that came
 *     together, queued one by one as their devices appear, would
 *     otherwise be split over several transactions;
 *
 *   - while the switch is connected, adds and deletes that ovs-vswitchd
 *     has applied and that wait only for the switch to confirm their
 *     flows: a transaction sent now would make ovs-vswitchd reconfigure
 *     every port (some 100 ms at 1000 ports) before it reads that bundle,
 *     delaying those answers by as much, and their clients' next requests
 *     would miss the transaction.
 *
 * Every transaction that bumps next_cfg makes ovs-vswitchd reconfigure
 * all its ports: fewer, larger ones cost it less and keep requests that
 * come together together. */
static bool
engine_gather__(struct engine *e)
{
    json_int_t cur_cfg = engine_root_int__(e, "cur_cfg");
    bool connected = ofctrl_is_connected(e->ofctrl);
    long long now = gn_time_msec();
    bool wait = false;

    for (const struct engine_op *op = e->ops; op; op = op->next) {
        if (op->state == ENGINE_OP_QUEUED && op->solo) {
            /* A retry goes alone: nothing can join it. */
            wait = false;
            break;
        }
        wait = wait
            || (op->state == ENGINE_OP_DEVICES && op->type == ENGINE_OP_ADD
                && !op->refused)
            || (op->state == ENGINE_OP_APPLYING && connected
                && cur_cfg >= op->next_cfg
                /* Not for an add whose flows could not be built (it
                 * waits for its deadline, not for them). */
                && (op->type == ENGINE_OP_DELETE || op->flows_seqno
                    || engine_flows_ofport__(e, op->name) != 0));
    }
    if (wait && !e->gather_msec) {
        e->gather_msec = now;
    }
    if (!wait || now - e->gather_msec >= ENGINE_GATHER_MS) {
        /* Each hold lasts ENGINE_GATHER_MS at most. */
        e->gather_msec = 0;
        return false;
    }
    /* Once it is over, run again (whatever comes first). */
    struct timeval tv = {
        .tv_sec = 0,
        .tv_usec = (ENGINE_GATHER_MS - (now - e->gather_msec)) * 1000,
    };
    event_add(e->run_ev, &tv);
    return true;
}

/* Runs one reconcile step and keeps its duration for the status: every
 * step holds the event loop, API requests included, while it runs. */
static void
engine_run_timed__(struct engine *e)
{
    static struct gn_log_rl slow_rl = GN_LOG_RL_INIT(10, 20);
    long long start = gn_time_usec();
    long long cpu_start = gn_thread_cpu_usec();
    long long us;

    memset(e->phase_us, 0, sizeof e->phase_us);
    e->phase_start_us = start;
    e->flows_sliced = false;
    engine_run__(e);
    if (e->flows_sliced) {
        /* Not event_active(): the loop would run this callback again
         * before it looks at any socket.  A timer of 0 fires only after
         * the loop has polled, so the requests, OVSDB updates and
         * OpenFlow replies that came in meanwhile go first. */
        static const struct timeval now = { 0, 0 };
        event_add(e->run_ev, &now);
    }
    us = gn_time_usec() - start;
    e->n_steps++;
    e->step_us_total += us;
    e->step_us_last = us;
    if (us > e->step_us_max) {
        e->step_us_max = us;
    }
    if (us > ENGINE_SLOW_STEP_US) {
        struct gn_buf parts = GN_BUF_INIT;
        /* The rest of the step's time it waited for a CPU (or in a page
         * fault's I/O). */
        long long cpu_us = gn_thread_cpu_usec() - cpu_start;

        e->n_slow_steps++;
        for (int i = 0; i < ENGINE_N_PHASES; i++) {
            if (e->phase_us[i] >= 100) {
                gn_buf_printf(&parts, ", %s %.1f ms", engine_phase_names[i],
                              e->phase_us[i] / 1000.0);
            }
        }
        GN_LOG_INFO_RL(&slow_rl, "slow reconcile step: %.1f ms (%.1f ms on "
                       "CPU)%s", us / 1000.0, cpu_us / 1000.0,
                       gn_buf_cstr(&parts));
        gn_buf_destroy(&parts);
    }
}

static void
engine_run_cb__(evutil_socket_t fd, short what, void *e_)
{
    (void) fd;
    (void) what;
    engine_run_timed__(e_);
}

static void
engine_schedule__(struct engine *e)
{
    event_active(e->run_ev, EV_TIMEOUT, 0);
}

static void
engine_replica_changed__(struct ovsdb_replica *r, bool initial, void *e_)
{
    struct engine *e = e_;

    (void) r;
    if (initial) {
        GN_LOG_INFO("OVSDB replica synced (%zu bridges, %zu ports)",
                    ovsdb_replica_count(e->replica, "Bridge"),
                    ovsdb_replica_count(e->replica, "Port"));
    }
    engine_schedule__(e);
}

static void
engine_connected__(struct jsonrpc_session *s, void *e_)
{
    struct engine *e = e_;

    GN_LOG_INFO("connected to %s", jsonrpc_session_remote(s));
    ovsdb_replica_monitor(e->replica, s);
}

static void
engine_disconnected__(struct jsonrpc_session *s, const char *reason,
                      void *e_)
{
    struct engine *e = e_;

    GN_LOG_WARN("lost %s: %s", jsonrpc_session_remote(s), reason);
    ovsdb_replica_disconnected(e->replica);
}

static void
engine_notify__(struct jsonrpc_session *s, const json_t *msg, void *e_)
{
    struct engine *e = e_;

    (void) s;
    ovsdb_replica_handle_notify(e->replica, msg);
}

static void
engine_timer_cb__(evutil_socket_t fd, short what, void *e_)
{
    (void) fd;
    (void) what;
    engine_run_timed__(e_);
}

struct engine *
engine_create(struct event_base *base, const char *ovsdb_remote,
              const char *ovs_rundir, struct gn_config *cfg,
              const char *config_file)
{
    static const struct jsonrpc_session_cbs cbs = {
        .connected = engine_connected__,
        .disconnected = engine_disconnected__,
        .notify = engine_notify__,
    };
    struct engine *e = gn_xzalloc(sizeof *e);
    struct timeval tv = { 0, 200 * 1000 };
    char *error = NULL;

    e->base = base;
    e->cfg = cfg;
    e->config_file = config_file ? gn_xstrdup(config_file) : NULL;
    e->start_msec = gn_time_msec();
    e->replica = ovsdb_replica_create("Open_vSwitch",
                                      engine_replica_changed__, e);
    ovsdb_replica_add_table(e->replica, "Open_vSwitch", bridge_ovs_columns);
    ovsdb_replica_add_table(e->replica, "Bridge", bridge_bridge_columns);
    ovsdb_replica_add_table(e->replica, "Port", bridge_port_columns);
    ovsdb_replica_add_table(e->replica, "Interface",
                            bridge_interface_columns);
    /* For bridge_find(), port_find() and the name checks of requests;
     * Port.interfaces for the port view (an Interface's Port). */
    ovsdb_replica_add_index(e->replica, "Bridge", "name");
    ovsdb_replica_add_index(e->replica, "Bridge", "ports");
    ovsdb_replica_add_index(e->replica, "Port", "name");
    ovsdb_replica_add_index(e->replica, "Port", "interfaces");
    ovsdb_replica_add_index(e->replica, "Interface", "name");
    /* Rewritten every 5 s for every busy interface; read when shown. */
    ovsdb_replica_add_quiet_column(e->replica, "Interface", "statistics");
    e->run_ev = event_new(base, -1, 0, engine_run_cb__, e);
    e->timer_ev = event_new(base, -1, EV_PERSIST, engine_timer_cb__, e);
    event_add(e->timer_ev, &tv);

    e->session = jsonrpc_session_create(base, ovsdb_remote, NULL, &cbs, e,
                                        &error);
    if (!e->session) {
        gn_fatal("%s", error);
    }

    /* The bridge's management socket, as ovn-controller uses it; ofctrl
     * keeps trying until the bridge exists. */
    e->ovs_rundir = gn_xstrdup(ovs_rundir);
    char *target = gn_xasprintf("unix:%s/%s.mgmt", ovs_rundir, cfg->bridge);
    e->ofctrl = ofctrl_create(base, target, NULL, engine_ofctrl_notify__, e,
                              &error);
    free(target);
    if (!e->ofctrl) {
        gn_fatal("%s", error);
    }
    e->pipeline = pipeline_state_create();
    e->view = port_view_create();
    e->devices = dev_worker_create(base);
    return e;
}

void
engine_destroy(struct engine *e)
{
    if (!e) {
        return;
    }
    /* First: no device job may run on an op freed below.  The jobs that
     * did not run, or whose completion did not, are done here, blocking:
     * the devices of a committed delete, or of an add that was never
     * acknowledged, must not outlive us. */
    dev_worker_destroy(e->devices);
    for (struct engine_op *op = e->ops; op; op = op->next) {
        if (op->state != ENGINE_OP_DEVICES) {
            continue;
        }
        if (op->type == ENGINE_OP_DELETE) {
            free(engine_delete_devices__(op));
        } else {
            port_rollback_devices(&op->spec);
        }
    }
    while (e->ops) {
        struct engine_op *op = e->ops;
        e->ops = op->next;
        engine_op_free__(op);
    }
    pipeline_state_destroy(e->pipeline);
    port_view_destroy(e->view);
    ofctrl_destroy(e->ofctrl);
    jsonrpc_session_destroy(e->session);
    ovsdb_replica_destroy(e->replica);
    free(e->ovs_rundir);
    event_free(e->run_ev);
    event_free(e->timer_ev);
    gn_config_destroy(e->cfg);
    free(e->config_file);
    free(e->last_error);
    free(e);
}

char *
engine_reload(struct engine *e)
{
    struct gn_config *cfg;
    char *error;

    if (!e->config_file) {
        return gn_xstrdup("no config file to reload");
    }
    error = gn_config_read(e->config_file, &cfg);
    if (error) {
        GN_LOG_WARN("reload refused, old config stays: %s", error);
        return error;
    }
    if (strcmp(cfg->bridge, e->cfg->bridge)) {
        gn_config_destroy(cfg);
        return gn_xasprintf("%s: changing the bridge name needs a restart",
                            e->config_file);
    }
    gn_config_destroy(e->cfg);
    e->cfg = cfg;
    e->cfg_gen++;
    GN_LOG_INFO("reloaded %s", e->config_file);
    engine_schedule__(e);
    return NULL;
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
    for (p = &e->ops; *p; p = &(*p)->next) {
        continue;
    }
    *p = op;
    return op;
}

/* Keeps a request that arrived while OVSDB was away until it is back
 * (for at most ENGINE_APPLY_TIMEOUT_MS). */
static void
engine_defer__(struct engine *e, enum engine_op_type type, const json_t *req,
               const char *name, bool wait, engine_done_cb *cb, void *aux)
{
    struct engine_op *op = engine_op_create__(e, type, cb, aux);

    op->state = ENGINE_OP_UNSYNCED;
    op->req = req ? json_deep_copy(req) : NULL;
    op->name = gn_xstrdup(name ? name : "");
    op->wait = wait;
    op->deadline = gn_time_msec() + ENGINE_APPLY_TIMEOUT_MS;
}

void
engine_port_add(struct engine *e, const json_t *req, bool wait,
                engine_done_cb *cb, void *aux)
{
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
        op->state = ENGINE_OP_QUEUED;
    }
    engine_schedule__(e);       /* (It may have held the transaction.) */
}

static void
engine_port_add__(struct engine *e, const json_t *req, bool wait,
                  engine_done_cb *cb, void *aux)
{
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
    error = port_spec_from_json(req, e->cfg, e->replica, &spec, &kind);
    if (error) {
        engine_answer__(cb, aux, kind, engine_error_body__(error));
        free(error);
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
    op = engine_op_create__(e, ENGINE_OP_ADD, cb, aux);
    op->spec = spec;
    op->name = gn_xstrdup(spec.name);
    op->wait = wait;
    op->userspace_datapath = !strcmp(e->cfg->datapath_type, "netdev");
    op->state = ENGINE_OP_DEVICES;
    dev_worker_submit(e->devices, engine_create_devices__, op,
                      engine_devices_created__, op);
}

void
engine_port_delete(struct engine *e, const char *name, engine_done_cb *cb,
                   void *aux)
{
    if (!engine_ready__(e)) {
        engine_defer__(e, ENGINE_OP_DELETE, NULL, name, true, cb, aux);
        return;
    }
    engine_port_delete__(e, name, cb, aux);
}

static void
engine_port_delete__(struct engine *e, const char *name, engine_done_cb *cb,
                     void *aux)
{
    const json_t *port;
    struct port_binding b;
    struct engine_op *op;

    port = engine_find_port__(e, name);
    if (!port) {
        engine_answer__(cb, aux, 404, engine_error_body__("no such port"));
        return;
    }
    for (op = e->ops; op; op = op->next) {
        if (!strcmp(op->name, name)) {
            engine_answer__(cb, aux, 409, engine_error_body__(
                                "a request for this port is in progress"));
            return;
        }
    }
    port_binding(e->cfg, e->replica, port, &b);
    op = engine_op_create__(e, ENGINE_OP_DELETE, cb, aux);
    op->name = gn_xstrdup(name);
    op->iface = b.iface ? json_deep_copy(b.iface) : NULL;
    engine_schedule__(e);
}

void
engine_forget(struct engine *e, void *aux)
{
    for (struct engine_op *op = e->ops; op; op = op->next) {
        if (op->aux == aux) {
            op->cb = NULL;
            op->aux = NULL;
        }
    }
}

/* Visits each guest port on the bridge (not the bridge's own internal port
 * nor the uplink): calls 'visit' with the Port row and 'aux'. */
static void
engine_for_each_port__(const struct engine *e,
                       void (*visit)(const struct engine *, const json_t *,
                                     void *),
                       void *aux)
{
    const char *br = engine_bridge_uuid__(e);
    const json_t *br_row = br ? ovsdb_replica_get_row(e->replica, "Bridge",
                                                      br) : NULL;
    const char *uuid;
    size_t pos;

    OVSDB_DATUM_FOR_EACH_UUID (uuid, pos, br_row, "ports") {
        const json_t *port = ovsdb_replica_get_row(e->replica, "Port", uuid);
        const char *name = port ? ovsdb_datum_string(port, "name") : NULL;
        if (!name || !strcmp(name, e->cfg->bridge)
            || ovsdb_datum_map_get_string(port, "external_ids",
                                          "guestnet:role")) {
            continue;
        }
        visit(e, port, aux);
    }
}

static void
engine_append_port_json__(const struct engine *e, const json_t *port,
                          void *list)
{
    json_array_append_new(list, engine_port_json__(e, port, false));
}

json_t *
engine_ports(const struct engine *e)
{
    json_t *list = json_array();

    engine_for_each_port__(e, engine_append_port_json__, list);
    return list;
}

void
engine_ports_version(const struct engine *e, unsigned long long *seqno,
                     unsigned long long *cfg_gen)
{
    /* The list holds no quiet column (Interface statistics). */
    *seqno = ovsdb_replica_change_seqno(e->replica);
    *cfg_gen = e->cfg_gen;
}

json_t *
engine_port(const struct engine *e, const char *name)
{
    const json_t *port = engine_find_port__(e, name);
    return port ? engine_port_json__(e, port, true) : NULL;
}

json_t *
engine_networks(struct engine *e)
{
    struct port_view_counts c;
    json_t *cfg = gn_config_to_json(e->cfg);
    json_t *nets = json_incref(json_object_get(cfg, "networks"));
    size_t i;
    json_t *net;

    port_view_counts(engine_view__(e), &c);
    /* gn_config_to_json() lists the networks in the config's order. */
    json_array_foreach (nets, i, net) {
        json_object_set_new(net, "ports", json_integer(
                                i < e->cfg->n_networks
                                ? c.per_network[i] : 0));
    }
    json_decref(cfg);
    return nets;
}

const char *
engine_health(const struct engine *e)
{
    if (!jsonrpc_session_is_connected(e->session)) {
        return "not connected to ovsdb-server";
    }
    if (!ovsdb_replica_is_synced(e->replica)) {
        return "OVSDB replica not synced yet";
    }
    if (!engine_bridge_uuid__(e)) {
        return "the bridge does not exist yet";
    }
    return NULL;
}

json_t *
engine_status(struct engine *e)
{
    struct port_view_counts counts;
    size_t n_pending = 0;
    const char *health = engine_health(e);
    long long now = gn_time_msec();

    port_view_counts(engine_view__(e), &counts);

    for (struct engine_op *op = e->ops; op; op = op->next) {
        n_pending++;
    }
    json_t *j = json_pack(
        "{s:s, s:I, s:{s:s, s:b, s:b, s:i}, s:{s:s, s:s, s:b},"
        " s:{s:i, s:i, s:i, s:i}, s:{s:I, s:I, s:o},"
        " s:b, s:o, s:o}",
        "version", PACKAGE_VERSION,
        "uptime_ms", (json_int_t) (now - e->start_msec),
        "ovsdb",
        "remote", jsonrpc_session_remote(e->session),
        "connected", jsonrpc_session_is_connected(e->session),
        "synced", ovsdb_replica_is_synced(e->replica),
        "connects", (int) jsonrpc_session_n_connects(e->session),
        "bridge",
        "name", e->cfg->bridge,
        "datapath_type", e->cfg->datapath_type,
        "exists", engine_bridge_uuid__(e) != NULL,
        "counts",
        "ports", counts.ports,
        "quarantined", counts.quarantined,
        "networks", (int) e->cfg->n_networks,
        "pending_requests", (int) n_pending,
        "transactions",
        "committed", (json_int_t) e->n_txns,
        "failed", (json_int_t) e->n_txn_errors,
        "last_error", e->last_error ? json_string(e->last_error)
                                    : json_null(),
        "healthy", health == NULL,
        "health_reason", health ? json_string(health) : json_null(),
        "last_reconcile_ms_ago",
        e->last_run_msec ? json_integer(now - e->last_run_msec)
                         : json_null());
    json_object_set_new(j, "reconcile", json_pack(
        "{s:I, s:I, s:f, s:f, s:f}",
        "steps", (json_int_t) e->n_steps,
        "slow_steps", (json_int_t) e->n_slow_steps,
        "total_ms", e->step_us_total / 1000.0,
        "last_ms", e->step_us_last / 1000.0,
        "max_ms", e->step_us_max / 1000.0));

    struct dev_worker_stats dev;
    dev_worker_get_stats(e->devices, &dev);
    json_object_set_new(j, "devices", json_pack(
        "{s:I, s:I, s:I, s:f}",
        "queued", (json_int_t) dev.queued,
        "done", (json_int_t) dev.done,
        "errors", (json_int_t) dev.errors,
        "max_ms", dev.max_us / 1000.0));

    struct ofctrl_status of;
    ofctrl_get_status(e->ofctrl, &of);
    json_object_set_new(j, "openflow", json_pack(
        "{s:b, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
        "connected", of.connected,
        "version", (int) of.ofp_version,
        "desired_seqno", (json_int_t) of.desired_seqno,
        "installed_seqno", (json_int_t) of.installed_seqno,
        "desired_flows", (json_int_t) of.n_desired,
        "installed_flows", (json_int_t) of.n_installed,
        "flow_mods", (json_int_t) of.n_flow_mods,
        "meter_mods", (json_int_t) of.n_meter_mods,
        "bundles", (json_int_t) of.n_bundles,
        "bundle_failures", (json_int_t) of.n_bundle_failures,
        "errors", (json_int_t) of.n_errors,
        "last_error", of.last_error ? json_string(of.last_error)
                                    : json_null()));
    return j;
}

struct ofctrl *
engine_ofctrl(const struct engine *e)
{
    return e->ofctrl;
}

const struct ovsdb_replica *
engine_replica(const struct engine *e)
{
    return e->replica;
}

const struct gn_config *
engine_config(const struct engine *e)
{
    return e->cfg;
}

const char *
engine_ovs_rundir(const struct engine *e)
{
    return e->ovs_rundir;
}
