/* engine-status.c: what the engine reports: its status and health, the
 * ports of the bridge and one port as API JSON, a port's Interface
 * statistics (asked of OVSDB), the networks with their port counts, and
 * its parts for the API (ofctrl, replica, config). */
#include <config.h>

#include "engine-private.h"

#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "dev-worker.h"
#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "jsonrpc-session.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "port-view.h"

GN_LOG_MODULE(engine);

/* The root row's integer 'column', or -1. */
json_int_t
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
const json_t *
engine_find_port__(const struct engine *e, const char *name)
{
    const char *br = engine_bridge_uuid__(e);
    char *uuid = br ? port_find(e->replica, br, name) : NULL;
    const json_t *row = uuid ? ovsdb_replica_get_row(e->replica, "Port",
                                                     uuid) : NULL;
    free(uuid);
    return row;
}

const json_t *
engine_find_iface__(const struct engine *e, const char *name,
                    const char **uuidp)
{
    const json_t *port = engine_find_port__(e, name);

    if (uuidp) {
        *uuidp = NULL;
    }
    return port ? port_iface(e->replica, port, uuidp) : NULL;
}

json_t *
engine_port_json__(const struct engine *e, const json_t *port,
                   bool with_guest_config)
{
    struct port_binding b;
    const char *iface_uuid;
    json_t *j;

    port_binding(e->cfg, e->replica, port, &b);
    j = port_binding_to_json(&b);
    if (b.name && engine_is_blocked(e, b.name)) {
        /* A live migration's destination not yet announced, or its
         * source: no traffic. */
        json_object_set_new(j, "blocked", json_true());
    }
    port_iface(e->replica, port, &iface_uuid);
    json_object_set_new(j, "state", json_string(
                            engine_device_missing__(e, iface_uuid)
                            ? "device missing" : "ok"));
    engine_spoof_port_json__(e, b.name ? b.name : "", j);
    if (with_guest_config) {
        json_object_set_new(j, "guest", port_guest_config(e->cfg, &b));
    }
    return j;
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
    /* Both counters only grow, so their sum changes whenever either does. */
    *seqno = ovsdb_replica_change_seqno(e->replica) + engine_spoof_gen__(e);
    *cfg_gen = e->cfg_gen;
}

json_t *
engine_port(const struct engine *e, const char *name)
{
    const json_t *port = engine_find_port__(e, name);
    return port ? engine_port_json__(e, port, true) : NULL;
}

/* A statistics request in flight.  It lives until OVSDB answers (or the
 * session drops or is destroyed, which answers every request), even when
 * its asker cancels it first. */
struct engine_stats_req {
    engine_stats_cb *cb;        /* NULL once cancelled. */
    void *aux;
};

static void
engine_port_statistics_done__(struct ovsdb_txn *txn,
                              const struct ovsdb_txn_result *r, void *req_)
{
    struct engine_stats_req *req = req_;
    const json_t *row = NULL;

    (void) txn;
    if (r->status == OVSDB_TXN_SUCCESS) {
        row = json_array_get(json_object_get(json_array_get(r->results, 0),
                                             "rows"), 0);
    }
    if (req->cb) {
        req->cb(row, req->aux);
    }
    free(req);
}

struct engine_stats_req *
engine_port_statistics(struct engine *e, const char *name,
                       engine_stats_cb *cb, void *aux)
{
    const char *iface_uuid;
    struct engine_stats_req *req;
    struct ovsdb_txn *txn;

    if (!engine_find_iface__(e, name, &iface_uuid) || !iface_uuid
        || !jsonrpc_session_is_connected(e->session)) {
        return NULL;
    }
    req = gn_xmalloc(sizeof *req);
    req->cb = cb;
    req->aux = aux;
    txn = ovsdb_txn_create("Open_vSwitch");
    ovsdb_txn_select(txn, "Interface", ovsdb_where_uuid(iface_uuid),
                     json_pack("[s]", "statistics"));
    ovsdb_txn_commit(txn, e->session, engine_port_statistics_done__, req);
    return req;
}

void
engine_port_statistics_cancel(struct engine_stats_req *req)
{
    if (req) {
        req->cb = NULL;
        req->aux = NULL;
    }
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

void
engine_track_applied__(struct engine *e)
{
    json_int_t cur_cfg = engine_root_int__(e, "cur_cfg");

    long long now = gn_time_msec();

    if (cur_cfg != e->seen_cur_cfg) {
        GN_LOG_DBG("ovs-vswitchd applied next_cfg %lld", (long long) cur_cfg);
        e->seen_cur_cfg = cur_cfg;
    }
    if (cur_cfg < 0 || cur_cfg >= e->applying_next_cfg) {
        e->unapplied_msec = 0;
    } else if (!e->unapplied_msec || cur_cfg != e->unapplied_cur_cfg) {
        /* Behind, but moving: ovs-vswitchd works. */
        e->unapplied_msec = now;
        e->unapplied_cur_cfg = cur_cfg;
    } else if (now - e->unapplied_msec >= ENGINE_PING_MS
               && now - e->ping_msec >= ENGINE_PING_MS) {
        /* cur_cfg comes through ovsdb-server: if it hangs, ovs-vswitchd
         * seems not to apply anything.  An echo tells which. */
        jsonrpc_session_ping(e->session);
        e->ping_msec = now;
    }
}

/* How long ovs-vswitchd has been behind without applying anything (ms),
 * or 0. */
static long long
engine_unapplied_ms__(const struct engine *e)
{
    return e->unapplied_msec ? gn_time_msec() - e->unapplied_msec : 0;
}

const char *
engine_health(const struct engine *e)
{
    if (e->held) {
        return "waiting for the cluster's networks and rules";
    }
    if (!jsonrpc_session_is_connected(e->session)) {
        return "not connected to ovsdb-server";
    }
    if (jsonrpc_session_silent_msec(e->session) >= ENGINE_SILENT_MS) {
        return "ovsdb-server does not answer";
    }
    if (!ovsdb_replica_is_synced(e->replica)) {
        return "not synced with ovsdb-server yet";
    }
    if (!engine_bridge_uuid__(e)) {
        return "the bridge does not exist yet";
    }
    if (!ofctrl_is_connected(e->ofctrl)) {
        return "no OpenFlow connection to ovs-vswitchd";
    }
    if (ofctrl_silent_msec(e->ofctrl) >= ENGINE_SILENT_MS) {
        return "ovs-vswitchd does not answer on the OpenFlow connection";
    }
    if (engine_unapplied_ms__(e) >= ENGINE_UNAPPLIED_MS) {
        return "ovs-vswitchd does not apply the configuration";
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
        "{s:s, s:I, s:{s:s, s:b, s:b, s:i, s:I}, s:{s:s, s:s, s:b, s:I},"
        " s:{s:i, s:i, s:i, s:i, s:i}, s:{s:I, s:I, s:o},"
        " s:b, s:o, s:o}",
        "version", PACKAGE_VERSION,
        "uptime_ms", (json_int_t) (now - e->start_msec),
        "ovsdb",
        "remote", jsonrpc_session_remote(e->session),
        "connected", jsonrpc_session_is_connected(e->session),
        "synced", ovsdb_replica_is_synced(e->replica),
        "connects", (int) jsonrpc_session_n_connects(e->session),
        "silent_ms", (json_int_t) jsonrpc_session_silent_msec(e->session),
        "bridge",
        "name", e->cfg->bridge,
        "datapath_type", e->cfg->datapath_type,
        "exists", engine_bridge_uuid__(e) != NULL,
        "unapplied_ms", (json_int_t) engine_unapplied_ms__(e),
        "counts",
        "ports", counts.ports,
        "quarantined", counts.quarantined,
        "device_missing", (int) e->n_missing,
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
    json_object_set_new(j, "spoofing", engine_spoof_status__(e));
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
        "{s:I, s:I, s:I, s:f, s:I, s:I}",
        "queued", (json_int_t) dev.queued,
        "done", (json_int_t) dev.done,
        "errors", (json_int_t) dev.errors,
        "max_ms", dev.max_us / 1000.0,
        "sweeps", (json_int_t) e->n_sweeps,
        "orphans_removed", (json_int_t) e->n_orphans_removed));

    struct ofctrl_status of;
    ofctrl_get_status(e->ofctrl, &of);
    json_object_set_new(j, "openflow", json_pack(
        "{s:b, s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
        "connected", of.connected,
        "silent_ms", (json_int_t) of.silent_msec,
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
    json_object_set_new(j, "dhcp", json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}",
        "packet_ins", (json_int_t) of.n_packet_in,
        "packet_ins_dropped", (json_int_t) of.n_packet_in_dropped,
        "packet_outs", (json_int_t) of.n_packet_out,
        "offers", (json_int_t) e->n_dhcp_offers,
        "acks", (json_int_t) e->n_dhcp_acks,
        "naks", (json_int_t) e->n_dhcp_naks,
        "ignored", (json_int_t) e->n_dhcp_ignored,
        "max_ms", e->dhcp_max_us / 1000.0));
    json_object_set_new(j, "dhcp6", json_pack(
        "{s:I, s:I, s:I, s:I, s:I}",
        "ra_solicited", (json_int_t) e->n_ra_solicited,
        "ra_periodic", (json_int_t) e->n_ra_periodic,
        "rs_ignored", (json_int_t) e->n_rs_ignored,
        "replies", (json_int_t) e->n_dhcp6_replies,
        "ignored", (json_int_t) e->n_dhcp6_ignored));
    json_object_set_new(j, "dhcp_snoop", engine_snoop_status__(e));
    json_object_set_new(j, "link_locals", json_pack(
        "{s:I, s:I, s:I}", "bound", (json_int_t) e->n_ll_bound,
        "refused", (json_int_t) e->n_ll_refused,
        "unbound", (json_int_t) e->n_ll_unbound));
    json_object_set_new(j, "learned", json_pack(
        "{s:I, s:I}", "bound", (json_int_t) e->n_learn_bound,
        "refused", (json_int_t) e->n_learn_refused));
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
