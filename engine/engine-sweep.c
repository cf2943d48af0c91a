/* engine-sweep.c: finds the devices a crash left behind and removes them.
 *
 * Every device guestnet creates carries an owner mark, its alias
 * (PORTS_ALIAS_PREFIX and the request's token), written before the device
 * is attached to anything.  A device with the mark whose name is neither a
 * port in OVSDB nor a request in progress was made for an add that never
 * committed (guestnetd was killed in between), or belongs to a port that
 * someone removed from OVSDB behind guestnet's back: nothing uses it, and
 * it would make a retry of the add fail with "device exists".  The sweep
 * runs once the replica is synced and then every ENGINE_SWEEP_MS: the loop
 * takes the names in use, the device worker lists the marked devices and
 * deletes the others, and the loop logs and counts each.  So do veth
 * pairs left under the temporary names netdev_veth_create() makes them
 * with (netdev_is_temp_name()), before their mark.  A device with neither
 * the mark nor such a name is never touched.  The first sweep after the
 * start waits for the switch to hold the flow table, for
 * ENGINE_FIRST_SWEEP_WAIT_MS at most, so as not to slow a restart.
 *
 * The same job, more often, checks that the device of each port guestnet
 * made (external_ids guestnet:created) is there: one deleted behind
 * guestnet's back (ip link del, or a container deleting its end of the
 * pair) leaves a port that ovs-vswitchd may not even flag (the userspace
 * datapath keeps its ofport).  Such ports are kept in 'e->missing' for
 * their state, the status and the metrics.
 *
 * The same job keeps the host's IP stack off the taps and veths of the
 * bridge's ports: netdev_isolate_guest_device(), once per Interface row and
 * device (its ifindex), but for those whose external_ids say
 * PORTS_HOST_STACK_KEY=keep.  guestnet's own devices are made so
 * (include/netdev.h); this covers the ports libvirt and LXC attach, and
 * devices made before guestnet set them so or made anew under a row. */
#include <config.h>

#include "engine-private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev-worker.h"
#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "netdev.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"

GN_LOG_MODULE(engine);

/* One sweep: what is in use (taken on the loop, read on the worker) and
 * what went (written on the worker, read on the loop). */
struct engine_sweep {
    struct engine *engine;
    bool remove;                /* Also remove what a crash left. */
    struct gn_strmap in_use;    /* Device names; values unused. */
    char **removed;             /* "NAME (ALIAS)" of each device removed. */
    size_t n_removed;

    /* The ports whose devices guestnet made, no request in progress. */
    char **iface_uuids;
    char **names;
    bool *gone;                 /* Written on the worker. */
    size_t n_ports;

    /* The bridge's other Interfaces not isolated yet (neither the uplink
     * nor internal), and whether the worker isolated each. */
    char **adopted_uuids;
    void **adopted_ifindex;     /* Their ifindex + 2 (a device made anew
                                 * under the same row has another). */
    char **adopted_names;
    bool *isolated;             /* Written on the worker. */
    char **isolate_errors;      /* Written on the worker. */
    size_t n_adopted;
};

/* Adds 'name' (may be NULL) to the names in use of 's'. */
static void
engine_sweep_keep__(struct engine_sweep *s, const char *name)
{
    if (name) {
        gn_strmap_put(&s->in_use, name, s);
    }
}

/* On the device worker: deletes the marked devices whose names are not in
 * use. */
static char *
engine_sweep_job__(void *s_)
{
    struct engine_sweep *s = s_;
    struct netdev_aliased *links;
    char *error;
    size_t n;

    for (size_t i = 0; i < s->n_ports; i++) {
        s->gone[i] = !netdev_exists(s->names[i]);
    }
    for (size_t i = 0; i < s->n_adopted; i++) {
        s->isolate_errors[i] = netdev_isolate_guest_device(
            s->adopted_names[i], &s->isolated[i]);
    }
    if (!s->remove) {
        return NULL;
    }
    error = netdev_list_aliased(PORTS_ALIAS_PREFIX, &links, &n);
    if (error) {
        return error;
    }
    s->removed = gn_xcalloc(n + 1, sizeof *s->removed);
    for (size_t i = 0; i < n; i++) {
        char *e;

        if (gn_strmap_get(&s->in_use, links[i].name)) {
            continue;
        }
        /* Deleting one end of a veth pair takes the other with it. */
        e = netdev_delete(links[i].name, true);
        s->removed[s->n_removed++] = gn_xasprintf(
            "%s (%s)%s%s", links[i].name,
            *links[i].alias ? links[i].alias : "a veth being made",
            e ? ": " : "", e ? e : "");
        free(e);
    }
    netdev_aliased_free(links, n);
    return NULL;
}

void
engine_sweep_free__(struct engine_sweep *s)
{
    if (s) {
        for (size_t i = 0; i < s->n_removed; i++) {
            free(s->removed[i]);
        }
        free(s->removed);
        for (size_t i = 0; i < s->n_ports; i++) {
            free(s->iface_uuids[i]);
            free(s->names[i]);
        }
        free(s->iface_uuids);
        free(s->names);
        free(s->gone);
        for (size_t i = 0; i < s->n_adopted; i++) {
            free(s->adopted_uuids[i]);
            free(s->adopted_names[i]);
            free(s->isolate_errors[i]);
        }
        free(s->adopted_uuids);
        free(s->adopted_names);
        free(s->adopted_ifindex);
        free(s->isolated);
        free(s->isolate_errors);
        gn_strmap_destroy(&s->in_use);
        free(s);
    }
}

/* On the loop: keeps what sweep 's' found of the ports' devices. */
static void
engine_sweep_found__(struct engine *e, const struct engine_sweep *s)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 20);
    struct gn_strmap missing = GN_STRMAP_INIT;

    e->n_missing = 0;
    for (size_t i = 0; i < s->n_ports; i++) {
        if (!s->gone[i]) {
            continue;
        }
        if (!gn_strmap_get(&e->missing, s->iface_uuids[i])) {
            GN_LOG_WARN_RL(&rl, "port %s: its device is gone (deleted "
                           "behind guestnet's back)", s->names[i]);
        }
        gn_strmap_put(&missing, s->iface_uuids[i], e);
        e->n_missing++;
    }
    gn_strmap_destroy(&e->missing);
    e->missing = missing;

    for (size_t i = 0; i < s->n_adopted; i++) {
        if (s->isolate_errors[i]) {
            GN_LOG_WARN_RL(&rl, "port %s: keeping the host's stack off its "
                           "device: %s", s->adopted_names[i],
                           s->isolate_errors[i]);
            continue;
        }
        /* Isolated, or not a tap or veth: either way, done until the row
         * names another device. */
        gn_strmap_put(&e->isolated, s->adopted_uuids[i],
                      s->adopted_ifindex[i]);
        if (s->isolated[i]) {
            GN_LOG_INFO("port %s: the host's IP stack is kept off its "
                        "device", s->adopted_names[i]);
        }
    }
}

/* Adds to 's' the Interfaces of the bridge's ports whose devices have not
 * been isolated yet, but for the uplink, internal ones and those marked
 * to keep the host's stack; forgets the isolated ones no longer there. */
static void
engine_sweep_adopted__(struct engine *e, struct engine_sweep *s)
{
    const char *br = engine_bridge_uuid__(e);
    const json_t *br_row = br ? ovsdb_replica_get_row(e->replica, "Bridge",
                                                      br) : NULL;
    struct gn_strmap still = GN_STRMAP_INIT;
    const char *port_uuid;
    size_t pos, n = 0;

    OVSDB_DATUM_FOR_EACH_UUID (port_uuid, pos, br_row, "ports") {
        n += ovsdb_datum_size(ovsdb_replica_get_row(e->replica, "Port",
                                                    port_uuid),
                              "interfaces");
    }
    s->adopted_uuids = gn_xcalloc(n + 1, sizeof *s->adopted_uuids);
    s->adopted_names = gn_xcalloc(n + 1, sizeof *s->adopted_names);
    s->adopted_ifindex = gn_xcalloc(n + 1, sizeof *s->adopted_ifindex);
    s->isolated = gn_xcalloc(n + 1, sizeof *s->isolated);
    s->isolate_errors = gn_xcalloc(n + 1, sizeof *s->isolate_errors);
    OVSDB_DATUM_FOR_EACH_UUID (port_uuid, pos, br_row, "ports") {
        const json_t *port = ovsdb_replica_get_row(e->replica, "Port",
                                                   port_uuid);
        const char *uuid;
        size_t ipos;

        OVSDB_DATUM_FOR_EACH_UUID (uuid, ipos, port, "interfaces") {
            const json_t *row = ovsdb_replica_get_row(e->replica,
                                                      "Interface", uuid);
            const char *name = ovsdb_datum_string(row, "name");
            const char *type = ovsdb_datum_string(row, "type");

            const char *keep = ovsdb_datum_map_get_string(
                row, "external_ids", PORTS_HOST_STACK_KEY);
            json_int_t ifindex = -1;
            void *seen;

            ovsdb_datum_integer(row, "ifindex", &ifindex);
            seen = (void *) (uintptr_t) (ifindex + 2);
            if (gn_strmap_get(&e->isolated, uuid) == seen) {
                gn_strmap_put(&still, uuid, seen);
            } else if (name && s->n_adopted < n
                       && (!type || !*type || !strcmp(type, "tap"))
                       && !(e->cfg->uplink && !strcmp(name, e->cfg->uplink))
                       && !(keep && !strcmp(keep, "keep"))) {
                s->adopted_uuids[s->n_adopted] = gn_xstrdup(uuid);
                s->adopted_ifindex[s->n_adopted] = seen;
                s->adopted_names[s->n_adopted++] = gn_xstrdup(name);
            }
        }
    }
    gn_strmap_destroy(&e->isolated);
    e->isolated = still;
}

bool
engine_device_missing__(const struct engine *e, const char *iface_uuid)
{
    return iface_uuid && gn_strmap_get(&e->missing, iface_uuid);
}

/* On the loop: the sweep 's_' is done. */
static void
engine_sweep_done__(char *error, void *s_)
{
    struct engine_sweep *s = s_;
    struct engine *e = s->engine;

    if (error) {
        GN_LOG_WARN("looking for devices a crash left behind: %s", error);
        free(error);
    }
    for (size_t i = 0; i < s->n_removed; i++) {
        GN_LOG_INFO("removed device %s: guestnet made it, no port uses it",
                    s->removed[i]);
    }
    e->n_orphans_removed += s->n_removed;
    if (s->remove) {
        e->n_sweeps++;
        e->next_sweep_msec = gn_time_msec() + ENGINE_SWEEP_MS;
    }
    e->next_check_msec = gn_time_msec() + ENGINE_DEVICE_CHECK_MS;
    e->sweep = NULL;
    engine_sweep_found__(e, s);
    engine_sweep_free__(s);
}

/* True while the first sweep after the start waits (see
 * ENGINE_FIRST_SWEEP_WAIT_MS); called once the replica is synced. */
static bool
engine_sweep_deferred__(struct engine *e, long long now)
{
    struct ofctrl_status of;

    if (e->first_sweep_msec < 0) {
        return false;
    }
    if (!e->first_sweep_msec) {
        e->first_sweep_msec = now + ENGINE_FIRST_SWEEP_WAIT_MS;
    }
    ofctrl_get_status(e->ofctrl, &of);
    if (now < e->first_sweep_msec
        && !(of.connected && of.desired_seqno
             && of.installed_seqno == of.desired_seqno)) {
        return true;
    }
    e->first_sweep_msec = -1;
    return false;
}

void
engine_sweep_maybe__(struct engine *e)
{
    struct engine_sweep *s;
    const char *uuid;
    const json_t *row;

    long long now = gn_time_msec();
    size_t n = 0;

    if (e->sweep || !ovsdb_replica_is_synced(e->replica)
        || (now < e->next_sweep_msec && now < e->next_check_msec)
        || engine_sweep_deferred__(e, now)) {
        return;
    }
    s = gn_xzalloc(sizeof *s);
    s->engine = e;
    s->remove = now >= e->next_sweep_msec;
    s->in_use = (struct gn_strmap) GN_STRMAP_INIT;
    for (const struct engine_op *op = e->ops; op; op = op->next) {
        engine_sweep_keep__(s, op->name);
        engine_sweep_keep__(s, op->spec.name);
        engine_sweep_keep__(s, op->spec.peer);
    }
    n = ovsdb_replica_count(e->replica, "Interface");
    s->iface_uuids = gn_xcalloc(n + 1, sizeof *s->iface_uuids);
    s->names = gn_xcalloc(n + 1, sizeof *s->names);
    s->gone = gn_xcalloc(n + 1, sizeof *s->gone);
    OVSDB_REPLICA_FOR_EACH (uuid, row, e->replica, "Interface") {
        const char *name = ovsdb_datum_string(row, "name");

        if (name && s->n_ports < n
            && ovsdb_datum_map_get_string(row, "external_ids",
                                          PORTS_CREATED_KEY)
            && !gn_strmap_get(&s->in_use, name)) {
            s->iface_uuids[s->n_ports] = gn_xstrdup(uuid);
            s->names[s->n_ports++] = gn_xstrdup(name);
        }
        engine_sweep_keep__(s, name);
        engine_sweep_keep__(s, ovsdb_datum_map_get_string(
                                row, "external_ids", PORTS_PEER_KEY));
    }
    engine_sweep_adopted__(e, s);
    e->sweep = s;
    dev_worker_submit(e->devices, engine_sweep_job__, s, engine_sweep_done__,
                      s);
}
