/* engine-ofport.c: the OpenFlow port numbers guestnetd asks ovs-vswitchd
 * for, and the flows it installs before a port exists.
 *
 * ovs-vswitchd numbers the ports nobody asks a number for from the lower
 * half of the OpenFlow range (1-32767) and leaves the upper half to
 * controllers.  Each port an add request creates gets a number of the
 * upper half (ENGINE_OFPORT_MIN to ENGINE_OFPORT_MAX) in its Interface's
 * ofport_request, chosen when the request arrives: one that no Interface
 * of the database has as ofport or ofport_request and no request in
 * progress was given, going round the range from where the last choice
 * ended, so that a number is not given again soon after its port went.
 *
 * Knowing the number before the port exists lets its flows and meters go
 * to the switch first.  The pipeline sees each add in progress as a port
 * with that number (until the port view has the port itself, with its
 * ofport), and the add's transaction waits (ENGINE_OFPORT_WAIT_MS at the
 * most) until the switch holds a table with those flows.  They match and
 * output to a number no port has yet, so they do nothing until
 * ovs-vswitchd gives the port that number; the add is then answered as
 * soon as ovs-vswitchd has applied its transaction, instead of sending
 * the switch a bundle while it is busy with what follows a
 * reconfiguration of every port (hundreds of milliseconds at 1000 ports).
 * Should ovs-vswitchd give the port another number, the port view's port
 * takes the pending one's place and the add waits for the flows of the
 * real number, as it would without any of this.  An add answered before
 * ovs-vswitchd numbered its port (?wait=false, or 504) keeps its pending
 * port until the view has the port, so that its flows are not taken out
 * and put back.
 *
 * Cost: a choice looks up numbers in a bitmap of the used ones, rebuilt
 * from the replica's Interfaces when the replica has changed
 * (O(interfaces)); the pending ports are rebuilt when an add starts or
 * ends or the port view changes (O(ports)). */
#include <config.h>

#include "engine-private.h"

#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-limits.h"
#include "gn-log.h"
#include "gn-util.h"
#include "netaddr.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"
#include "pipeline.h"
#include "port-view.h"

GN_LOG_MODULE(ofport);

#define ENGINE_OFPORT_N (ENGINE_OFPORT_MAX - ENGINE_OFPORT_MIN + 1)

/* How long the pending port of an add answered before its port has its
 * number stays at the most. */
#define ENGINE_OFPORT_KEEP_MS 10000

static bool
engine_ofport_used__(const uint8_t *map, int ofport)
{
    int i = ofport - ENGINE_OFPORT_MIN;

    return i < 0 || i >= ENGINE_OFPORT_N || (map[i / 8] >> (i % 8)) & 1;
}

static void
engine_ofport_set__(uint8_t *map, json_int_t ofport)
{
    if (ofport >= ENGINE_OFPORT_MIN && ofport <= ENGINE_OFPORT_MAX) {
        int i = ofport - ENGINE_OFPORT_MIN;

        map[i / 8] |= 1 << (i % 8);
    }
}

/* After a start, the first choice follows the highest number in use, so
 * that a number whose port was deleted just before the start (its device
 * perhaps still attached) is not given again at once. */
static void
engine_ofport_note_max__(struct engine *e, json_int_t n)
{
    if (!e->ofport_started && n >= ENGINE_OFPORT_MIN
        && n < ENGINE_OFPORT_MAX && n >= e->ofport_next) {
        e->ofport_next = n + 1;
    }
}

/* The bitmap of the numbers in use: the replica's Interfaces' ofport and
 * ofport_request, and the requests in progress. */
static uint8_t *
engine_ofport_map__(struct engine *e)
{
    unsigned long long seqno = ovsdb_replica_seqno(e->replica);

    if (!e->ofport_map || e->ofport_map_seqno != seqno) {
        const char *uuid;
        const json_t *row;

        free(e->ofport_map);
        e->ofport_map = gn_xzalloc(ENGINE_OFPORT_N / 8 + 1);
        e->ofport_map_seqno = seqno;
        OVSDB_REPLICA_FOR_EACH (uuid, row, e->replica, "Interface") {
            json_int_t n;

            if (ovsdb_datum_integer(row, "ofport", &n)) {
                engine_ofport_set__(e->ofport_map, n);
                engine_ofport_note_max__(e, n);
            }
            if (ovsdb_datum_integer(row, "ofport_request", &n)) {
                engine_ofport_set__(e->ofport_map, n);
                engine_ofport_note_max__(e, n);
            }
        }
        for (const struct engine_op *op = e->ops; op; op = op->next) {
            if (op->type == ENGINE_OP_ADD) {
                engine_ofport_set__(e->ofport_map, op->spec.ofport_request);
            }
        }
        for (size_t i = 0; i < e->pending.n_kept; i++) {
            engine_ofport_set__(e->ofport_map, e->pending.kept[i].ofport);
        }
    }
    return e->ofport_map;
}

void
engine_ofport_pick__(struct engine *e, struct engine_op *op)
{
    if (op->spec.server) {
        /* A server port changes its whole network's flows (no undeclared
         * mode for the others, DHCP to the network): not before it
         * exists. */
        op->spec.ofport_request = 0;
        return;
    }
    uint8_t *map = engine_ofport_map__(e);

    e->ofport_started = true;

    if (e->ofport_next < ENGINE_OFPORT_MIN
        || e->ofport_next > ENGINE_OFPORT_MAX) {
        e->ofport_next = ENGINE_OFPORT_MIN;
    }
    for (int i = 0; i < ENGINE_OFPORT_N; i++) {
        int n = e->ofport_next;

        e->ofport_next = n < ENGINE_OFPORT_MAX ? n + 1 : ENGINE_OFPORT_MIN;
        if (!engine_ofport_used__(map, n)) {
            engine_ofport_set__(map, n);
            op->spec.ofport_request = n;
            e->pending_gen++;
            return;
        }
    }
    /* All taken: ovs-vswitchd picks one, and the flows follow it. */
    op->spec.ofport_request = 0;
}

void
engine_ofport_forget__(struct engine *e, const struct engine_op *op)
{
    if (op->type == ENGINE_OP_ADD && op->spec.ofport_request) {
        e->pending_gen++;
    }
}

static void engine_ofport_pending_port__(const struct engine *,
                                         const struct engine_op *,
                                         struct pipeline_port *);

void
engine_ofport_keep__(struct engine *e, const struct engine_op *op)
{
    struct engine_pending *p = &e->pending;

    if (op->type != ENGINE_OP_ADD || !op->spec.ofport_request
        || op->refused || !op->committed) {
        return;
    }
    p->kept = gn_xrealloc(p->kept, (p->n_kept + 1) * sizeof *p->kept);
    p->kept_until = gn_xrealloc(p->kept_until,
                                (p->n_kept + 1) * sizeof *p->kept_until);
    engine_ofport_pending_port__(e, op, &p->kept[p->n_kept]);
    p->kept_until[p->n_kept++] = gn_time_msec() + ENGINE_OFPORT_KEEP_MS;
}

/* Drops the kept pending ports whose port the view holds ('names' has the
 * view's), whose time is up, or whose port is gone from the bridge. */
static void
engine_ofport_prune_kept__(struct engine *e, const struct gn_strmap *view)
{
    struct engine_pending *p = &e->pending;
    const char *br = engine_bridge_uuid__(e);
    long long now = gn_time_msec();
    size_t k = 0;

    for (size_t i = 0; i < p->n_kept; i++) {
        char *uuid = br ? port_find(e->replica, br, p->kept[i].name) : NULL;

        if (gn_strmap_get(view, p->kept[i].name) || now >= p->kept_until[i]
            || !uuid) {
            engine_port_clear__(&p->kept[i]);
        } else {
            p->kept_until[k] = p->kept_until[i];
            p->kept[k++] = p->kept[i];
        }
        free(uuid);
    }
    /* (Their numbers stay marked in the map until the replica changes:
     * a kept port's Interface has the number as its ofport_request.) */
    p->n_kept = k;
}

/* True if 'op' is an add whose port the pipeline should see as pending:
 * it has a number and has not been answered or rolled back. */
static bool
engine_ofport_is_pending__(const struct engine_op *op)
{
    return (op->type == ENGINE_OP_ADD && op->spec.ofport_request
            && !op->refused && op->state != ENGINE_OP_UNSYNCED);
}

static void
engine_ofport_pending_clear__(struct engine_pending *p)
{
    engine_ports_free__(p->ports, p->n);
    p->ports = NULL;
    p->n = 0;
}

/* Port 'op''s pipeline port, as the port view will bind it once it has
 * its ofport (port_view_bind__()): same name, number, VLAN, MAC,
 * addresses, server flag and effective limits. */
static void
engine_ofport_pending_port__(const struct engine *e,
                             const struct engine_op *op,
                             struct pipeline_port *p)
{
    const struct port_spec *s = &op->spec;
    const struct gn_network *net = gn_config_find_network(e->cfg,
                                                          s->network);
    struct netaddr_ip *ips = gn_xcalloc(s->n_ips ? s->n_ips : 1,
                                        sizeof *ips);
    struct gn_limits own;

    memset(p, 0, sizeof *p);
    p->name = gn_xstrdup(s->name);
    p->ofport = s->ofport_request;
    p->vlan = s->vlan;
    p->mac = s->mac;
    for (size_t i = 0; i < s->n_ips; i++) {
        /* As the view reads them back from external_ids: address only. */
        char buf[INET6_ADDRSTRLEN];
        char *error;

        netaddr_format_ip(&s->ips[i], buf, sizeof buf);
        error = netaddr_parse_ip(buf, 1, &ips[p->n_ips]);
        if (error) {
            free(error);
        } else {
            p->n_ips++;
        }
    }
    p->ips = ips;
    p->server = s->server;
    p->blocked = engine_is_blocked(e, s->name);
    gn_limits_parse(s->limits, &own);
    gn_limits_effective(&own, net ? &net->limits : NULL, &p->limits, NULL);
}

const struct pipeline_port *
engine_ofport_pending__(struct engine *e, const struct pipeline_port *view,
                        size_t n_view, size_t *n)
{
    struct engine_pending *p = &e->pending;
    unsigned long long view_gen = port_view_pipeline_gen(e->view);

    if (p->built && p->built_gen == e->pending_gen
        && p->built_view_gen == view_gen && p->built_cfg_gen == e->cfg_gen
        && p->built_remote_gen == e->remote.gen) {
        *n = p->n;
        return p->ports;
    }
    struct gn_strmap names = GN_STRMAP_INIT, in_view = GN_STRMAP_INIT;
    size_t n_ops = 0;

    for (struct engine_op *op = e->ops; op; op = op->next) {
        if (engine_ofport_is_pending__(op)) {
            gn_strmap_put(&names, op->name, op);
            n_ops++;
        }
    }
    /* A port the view binds (it has its ofport) is the view's. */
    for (size_t i = 0; i < n_view && (n_ops || p->n_kept); i++) {
        gn_strmap_remove(&names, view[i].name);
        gn_strmap_put(&in_view, view[i].name, &in_view);
    }
    engine_ofport_prune_kept__(e, &in_view);
    engine_ofport_pending_clear__(p);
    p->ports = gn_xcalloc(n_ops + p->n_kept + 1, sizeof *p->ports);
    for (struct engine_op *op = e->ops; op; op = op->next) {
        if (engine_ofport_is_pending__(op)
            && gn_strmap_get(&names, op->name) == op) {
            engine_ofport_pending_port__(e, op, &p->ports[p->n++]);
        }
    }
    /* (An add of the same name in progress wins.) */
    for (size_t i = 0; i < p->n_kept; i++) {
        const struct pipeline_port *k = &p->kept[i];

        if (!gn_strmap_get(&names, k->name)) {
            engine_port_copy__(&p->ports[p->n], k);
            p->ports[p->n++].blocked = engine_is_blocked(e, k->name);
        }
    }
    gn_strmap_destroy(&in_view);
    gn_strmap_destroy(&names);
    p->built = true;
    p->built_gen = e->pending_gen;
    p->built_view_gen = view_gen;
    p->built_cfg_gen = e->cfg_gen;
    p->built_remote_gen = e->remote.gen;     /* (Blocked ports.) */
    p->gen++;
    *n = p->n;
    return p->ports;
}

void
engine_ofport_note__(struct engine *e)
{
    if (e->flows_incomplete) {
        return;
    }
    for (struct engine_op *op = e->ops; op; op = op->next) {
        if (engine_ofport_is_pending__(op) && !op->preinstall_seqno
            && engine_flows_ofport__(e, op->name) == op->spec.ofport_request) {
            op->preinstall_seqno = e->flows_seqno;
        }
    }
}

bool
engine_ofport_may_plan__(const struct engine *e, const struct engine_op *op)
{
    if (op->type != ENGINE_OP_ADD || !op->spec.ofport_request || op->solo
        || op->maybe_applied || !ofctrl_is_connected(e->ofctrl)
        || gn_time_msec() - op->created_msec >= ENGINE_OFPORT_WAIT_MS) {
        return true;
    }
    return (op->preinstall_seqno
            && ofctrl_installed_seqno(e->ofctrl) >= op->preinstall_seqno);
}

void
engine_ofport_destroy__(struct engine *e)
{
    engine_ofport_pending_clear__(&e->pending);
    engine_ports_free__(e->pending.kept, e->pending.n_kept);
    e->pending.kept = NULL;
    e->pending.n_kept = 0;
    free(e->pending.kept_until);
    e->pending.kept_until = NULL;
    free(e->ofport_map);
    e->ofport_map = NULL;
}
