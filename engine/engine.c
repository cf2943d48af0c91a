/* engine.c: the reconcile engine of guestnetd (see include/engine.h): one
 * step from the config, the OVSDB replica and the queued requests to one
 * OVSDB transaction and the flows, run from the event loop.  Each
 * request's life is engine/engine-ops.c; what the engine reports,
 * engine/engine-status.c. */
#include <config.h>

#include "engine.h"
#include "engine-private.h"

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
#include "port-view.h"

GN_LOG_MODULE(engine);

static const char *const engine_phase_names[ENGINE_N_PHASES] = {
    "flows", "applied", "plan", "txn",
};

static bool engine_gather__(struct engine *);

/* Charges the time since the last call to 'phase' of the current step. */
static void
engine_phase_end__(struct engine *e, enum engine_phase phase)
{
    long long now = gn_time_usec();

    e->phase_us[phase] += now - e->phase_start_us;
    e->phase_start_us = now;
}

void
engine_set_error__(struct engine *e, const char *error)
{
    free(e->last_error);
    e->last_error = error ? gn_xstrdup(error) : NULL;
}

json_t *
engine_error_body__(const char *message)
{
    return json_pack("{s:{s:s}}", "error", "message", message);
}

const char *
engine_bridge_uuid__(const struct engine *e)
{
    return bridge_find(e->replica, e->cfg->bridge);
}

/* Brings the port view up to date with the replica and the config. */
struct port_view *
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

unsigned long long
engine_flows_input_gen__(const struct engine *e)
{
    /* Each only grows: the sum changes whenever one of them does. */
    return port_view_pipeline_gen(e->view) + e->remote.gen + e->pending_gen;
}

/* Brings ofctrl's desired table and meters up to date with the view's
 * pipeline input (engine_flows_input_gen__()) and the config, within
 * ENGINE_FLOWS_BUDGET_US (ENGINE_FLOWS_FIRST_BUDGET_US for the first
 * table after a start): if that is not enough, leaves
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
     * (link states, the installed marks) change neither. */
    engine_view__(e);           /* Up to date with the replica. */
    unsigned long long gen = engine_flows_input_gen__(e);
    bool unchanged = (e->flows_input_gen == gen
                      && e->flows_input_cfg_gen == e->cfg_gen);
    if (e->flows_built && !e->flows_incomplete && unchanged) {
        return;
    }
    e->flows_input_gen = gen;
    e->flows_input_cfg_gen = e->cfg_gen;
    ports = engine_remote_merge__(e, &n_ports);

    struct pipeline_input in = {
        .cfg = e->cfg,
        .cfg_gen = e->cfg_gen,
        .ports = ports,
        .n_ports = n_ports,
        .uplink_ofport = port_view_uplink_ofport(e->view),
        .router_mac = e->remote.has_router_mac ? &e->remote.router_mac
                                               : NULL,
        .deadline = gn_time_usec() + (e->flows_built
                                      ? ENGINE_FLOWS_BUDGET_US
                                      : ENGINE_FLOWS_FIRST_BUDGET_US),
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
    e->table_cfg_gen = e->flows_input_cfg_gen;
}

int
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
 * lists as unmarked.  Removes the mark, at once, from quarantined ports
 * (they have no flows).  Returns the number of marks and removals (ops)
 * added to 'txn'. */
static int
engine_plan_installed__(struct engine *e, struct ovsdb_txn *txn)
{
    const struct port_view_port *ports;
    int n_marks = 0;
    size_t n;

    /* A quarantined port has no flows: its mark goes at once. */
    n = port_view_wrongly_marked(engine_view__(e), &ports);
    for (size_t i = 0; i < n; i++) {
        ovsdb_txn_mutate(txn, "Interface",
                         ovsdb_where_uuid(ports[i].iface_uuid),
                         json_pack("[[s, s, o]]", "external_ids", "delete",
                                   json_pack("[s, [s]]", "set",
                                             PORTS_INSTALLED_KEY)));
        n_marks++;
    }
    if (!e->flows_seqno || e->flows_incomplete
        || ofctrl_installed_seqno(e->ofctrl) != e->flows_seqno) {
        return n_marks;
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
    return (engine_ll_queued__(e) || engine_snoop_queued__(e)
            || engine_learn_queued__(e));
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

    if (!ovsdb_replica_is_synced(e->replica) || e->held) {
        /* Only deadlines can move while OVSDB is away (or while the
         * networks are not known yet). */
        engine_check_applied__(e);
        return;
    }
    engine_track_applied__(e);
    engine_drain_unsynced__(e);
    engine_sweep_maybe__(e);
    engine_flows__(e);
    engine_ofport_note__(e);
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
        GN_LOG_DBG("transaction waits for next_cfg %lld",
                   (long long) e->applying_next_cfg);
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
            /* (Like the marks, nothing ovs-vswitchd reads.) */
            n_marks = engine_ipam_plan_adopted__(e, txn);
            n_marks += engine_ll_plan__(e, txn);
            n_marks += engine_snoop_plan__(e, txn);
            n_marks += engine_learn_plan__(e, txn);
            n_marks += engine_plan_installed__(e, txn);
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
            /* An add goes once the switch holds its flows (see
             * engine-ofport.c). */
            for (op = e->ops; op; op = next) {
                next = op->next;
                if (op->state == ENGINE_OP_QUEUED
                    && engine_ofport_may_plan__(e, op)
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
    GN_LOG_DBG("transaction %llu: %d ops (%d installed marks)%s",
               e->n_txns, ovsdb_txn_n_ops(txn), n_marks,
               ovsdb_txn_n_ops(txn) > 1 + n_marks ? ", next_cfg + 1" : "");
    engine_phase_end__(e, ENGINE_PHASE_PLAN);
    ovsdb_txn_commit(txn, e->session, engine_txn_done__, e);
    engine_phase_end__(e, ENGINE_PHASE_TXN);
}

/* True if the next transaction should wait (for at most ENGINE_GATHER_MS
 * since it began to) for the requests that are nearly ready to go with it:
 *
 *   - adds whose devices the worker is still creating, or whose flows
 *     the switch has not confirmed yet (engine-ofport.c): requests that
 *     came together, queued one by one as their devices and flows
 *     appear, would otherwise be split over several transactions;
 *
 *   - while the switch is connected, adds and deletes that ovs-vswitchd
 *     has applied and that wait only for the switch to confirm their
 *     flows: a transaction sent now would make ovs-vswitchd reconfigure
 *     every port (some 100 ms at 1000 ports) before it reads that bundle,
 *     delaying those answers by as much, and their clients' next requests
 *     would miss the transaction;
 *
 *   - for ENGINE_RETURN_MS after requests were answered, until as many
 *     new requests have come: clients that add ports one after another
 *     (64 at once, say) send their next request as soon as they have the
 *     answer, and a transaction sent without them would carry only those
 *     that came meanwhile, so the clients would split into groups that
 *     take turns, each group a transaction and a reconfiguration of every
 *     port.  (When a client sends nothing more, the requests that came
 *     meanwhile wait that long at most.)
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
    bool other = false;         /* Waits for more than clients' returns? */
    bool solo = false;
    bool wait;

    if (e->n_awaited > 0 && now - e->answered_msec >= ENGINE_RETURN_MS) {
        e->n_awaited = 0;       /* Those clients are not coming back. */
    }
    for (const struct engine_op *op = e->ops; op; op = op->next) {
        if (op->state == ENGINE_OP_QUEUED && op->solo) {
            /* A retry goes alone: nothing can join it. */
            solo = true;
            break;
        }
        other = other
            || (op->state == ENGINE_OP_DEVICES && op->type == ENGINE_OP_ADD
                && !op->refused)
            || (op->state == ENGINE_OP_QUEUED
                && !engine_ofport_may_plan__(e, op))
            || (op->state == ENGINE_OP_APPLYING && connected
                && cur_cfg >= op->next_cfg
                /* Not for an add whose flows could not be built (it
                 * waits for its deadline, not for them). */
                && (op->type == ENGINE_OP_DELETE || op->flows_seqno
                    || engine_flows_ofport__(e, op->name) != 0));
    }
    wait = !solo && (other || e->n_awaited > 0);
    if (wait && !e->gather_msec) {
        e->gather_msec = now;
        GN_LOG_DBG("transaction gathers requests (%d ms at most)",
                   ENGINE_GATHER_MS);
    }
    if (!wait || now - e->gather_msec >= ENGINE_GATHER_MS) {
        /* Each hold lasts ENGINE_GATHER_MS at most. */
        e->gather_msec = 0;
        return false;
    }
    /* Once it is over, run again (whatever comes first). */
    long long left = ENGINE_GATHER_MS - (now - e->gather_msec);
    long long returns = ENGINE_RETURN_MS - (now - e->answered_msec);
    if (!other && returns < left) {
        left = returns;         /* (Positive: n_awaited is still > 0.) */
    }
    struct timeval tv = {
        .tv_sec = 0,
        .tv_usec = left * 1000,
    };
    event_add(e->run_ev, &tv);
    return true;
}

/* Runs one reconcile step and keeps its duration for the status: every
 * step holds the event loop, API requests included, while it runs. */
/* Tells the observer when the switch holds the flows of a newer config
 * generation (engine_installed_config_gen()). */
static void
engine_check_installed__(struct engine *e)
{
    if (e->flows_built && !e->flows_incomplete
        && ofctrl_installed_seqno(e->ofctrl) >= e->flows_seqno
        && e->installed_cfg_gen != e->table_cfg_gen) {
        e->installed_cfg_gen = e->table_cfg_gen;
        if (e->installed_cb) {
            e->installed_cb(e->installed_aux);
        }
    }
}

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
    engine_check_installed__(e);
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

void
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
    struct jsonrpc_session_options options
        = JSONRPC_SESSION_OPTIONS_DEFAULT;
    struct engine *e = gn_xzalloc(sizeof *e);
    struct timeval tv = { 0, 200 * 1000 };
    char *error = NULL;

    e->base = base;
    e->cfg = cfg;
    e->config_file = config_file ? gn_xstrdup(config_file) : NULL;
    e->start_msec = gn_time_msec();
    e->apply_timeout_ms = ENGINE_APPLY_TIMEOUT_MS;
    e->replica = ovsdb_replica_create("Open_vSwitch",
                                      engine_replica_changed__, e);
    bridge_replica_init(e->replica);
    e->run_ev = event_new(base, -1, 0, engine_run_cb__, e);
    e->timer_ev = event_new(base, -1, EV_PERSIST, engine_timer_cb__, e);
    event_add(e->timer_ev, &tv);

    if (!strncmp(ovsdb_remote, "unix:", 5)) {
        /* A local ovsdb-server that restarts is found within a second (a
         * connect() to a unix socket costs nothing); a remote one is
         * retried with the default backoff. */
        options.max_backoff_ms = 1000;
    }
    e->session = jsonrpc_session_create(base, ovsdb_remote, &options, &cbs,
                                        e, &error);
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
    ofctrl_set_packet_in_cb(e->ofctrl, engine_packet_in__, e);
    engine_dhcp6_init__(e);
    e->pipeline = pipeline_state_create();
    e->view = port_view_create();
    e->devices = dev_worker_create(base);
    engine_spoof_start__(e);
    return e;
}

const struct gn_strmap *
engine_port_peers(struct engine *e)
{
    unsigned long long seqno = ovsdb_replica_seqno(e->replica);

    if (e->peers_seqno != seqno || !seqno) {
        gn_strmap_destroy(&e->peers);
        e->peers = (struct gn_strmap) GN_STRMAP_INIT;
        port_peers_build(e->replica, &e->peers);
        e->peers_seqno = seqno;
    }
    return &e->peers;
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
    engine_sweep_free__(e->sweep);
    gn_strmap_destroy(&e->missing);
    gn_strmap_destroy(&e->isolated);
    gn_strmap_destroy(&e->peers);
    engine_ipam_txn_done__(e);
    engine_give_addresses(e, NULL, NULL);
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
    engine_spoof_destroy__(e);
    jsonrpc_session_destroy(e->session);
    engine_limits_destroy__(e);
    ovsdb_replica_destroy(e->replica);
    free(e->ovs_rundir);
    event_free(e->run_ev);
    event_free(e->timer_ev);
    engine_dhcp6_destroy__(e);
    engine_ll_destroy__(e);
    engine_snoop_destroy__(e);
    engine_learn_destroy__(e);
    engine_remote_destroy__(e);
    engine_ofport_destroy__(e);
    gn_config_destroy(e->cfg);
    free(e->config_file);
    free(e->last_error);
    free(e);
}

void
engine_set_apply_timeout(struct engine *e, int ms)
{
    e->apply_timeout_ms = ms;
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
    error = engine_set_config(e, cfg, e->config_file);
    if (!error) {
        GN_LOG_INFO("reloaded %s", e->config_file);
    }
    return error;
}

char *
engine_set_config(struct engine *e, struct gn_config *cfg,
                  const char *source)
{
    if (strcmp(cfg->bridge, e->cfg->bridge)) {
        gn_config_destroy(cfg);
        return gn_xasprintf("%s: changing the bridge name needs a restart",
                            source);
    }
    gn_config_destroy(e->cfg);
    e->cfg = cfg;
    e->cfg_gen++;
    engine_remote_config__(e);
    engine_schedule__(e);
    return NULL;
}

void
engine_hold(struct engine *e, bool hold)
{
    if (e->held != hold) {
        e->held = hold;
        engine_schedule__(e);
    }
}

unsigned long long
engine_config_gen(const struct engine *e)
{
    return e->cfg_gen;
}

unsigned long long
engine_installed_config_gen(const struct engine *e)
{
    return e->installed_cfg_gen;
}

void
engine_set_installed_cb(struct engine *e, engine_installed_cb *cb,
                        void *aux)
{
    e->installed_cb = cb;
    e->installed_aux = aux;
}
