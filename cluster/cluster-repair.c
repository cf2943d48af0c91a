/* cluster-repair.c: keeps the registry in step with this host's bridge,
 * on every sync and heartbeat: a port on the bridge without a row
 * (attached by libvirt or LXC, or there before cluster mode) is
 * registered, each in a transaction of its own so that one clash (logged,
 * the port's address or MAC taken elsewhere) does not hold the others,
 * with assigned addresses if its network assigns them (cluster-ipam.c),
 * which a registered port without addresses gets too; a link-local
 * address bound to a port that the registry lacks (bound before cluster
 * mode) is registered (one the registry holds for another port is
 * logged), and the registered binding of a port of this host that is
 * another port's EUI-64 address is removed (the engine unbinds it: see
 * engine/engine-ll.c); a ready mark lost in a failover is written
 * again; a row of this host
 * whose port is gone from the bridge (an add a crash interrupted, a port
 * libvirt removed) is removed; and an address row (a port's address or
 * link-local binding) whose port row is gone (a host removed while one of
 * its adds committed) is removed.  Ports and
 * rows with a write in progress are left alone, and nothing runs unless
 * both the engine's OVSDB and the cluster are synced, so a replica still
 * loading is never taken for an empty bridge. */
#include <config.h>

#include "cluster-private.h"

#include <stdlib.h>
#include <string.h>

#include "gn-log.h"
#include "gn-util.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"

GN_LOG_MODULE(cluster_repair);

/* At most this many repair transactions at once. */
#define CLUSTER_MAX_REPAIRS 32

static struct gn_log_rl repair_rl = GN_LOG_RL_INIT(6, 10);

struct cluster_repair {
    struct cluster *c;
    char *what;
    char *assigned;             /* A registration's assigned addresses. */
    char *key;                  /* Its key in c->ipam_repairs. */
};

static void
cluster_repair_done__(struct ovsdb_txn *txn,
                      const struct ovsdb_txn_result *r, void *rp_)
{
    struct cluster_repair *rp = rp_;

    (void) txn;
    rp->c->n_repairs--;
    if (r->status != OVSDB_TXN_SUCCESS) {
        GN_LOG_WARN_RL(&repair_rl, "registry repair (%s): %s", rp->what,
                       r->error ? r->error : "failed");
    } else if (rp->assigned) {
        engine_give_addresses(rp->c->engine, rp->what, rp->assigned);
    }
    if (rp->key) {
        json_object_del(rp->c->ipam_repairs, rp->key);
    }
    free(rp->what);
    free(rp->assigned);
    free(rp->key);
    free(rp);
}

/* Commits 'txn' for 'what' (a port's name if it registers the port with
 * the assigned addresses 'assigned' (array, IPv4 first) of 'net', else
 * NULL both). */
static void
cluster_repair_commit__(struct cluster *c, struct ovsdb_txn *txn,
                        const char *what, const char *net,
                        const json_t *assigned)
{
    struct cluster_repair *rp = gn_xzalloc(sizeof *rp);

    rp->c = c;
    rp->what = gn_xstrdup(what);
    if (json_array_size(assigned)) {
        rp->assigned = cluster_ipam_join__(assigned);
        rp->key = gn_xasprintf("%s %s", net, json_string_value(
                                   json_array_get(assigned, 0)));
        json_object_set_new(c->ipam_repairs, rp->key, json_true());
    }
    c->n_repairs++;
    ovsdb_txn_commit(txn, c->session, cluster_repair_done__, rp);
}

/* Port 'port' (engine JSON) of this host, registered as 'row' without
 * addresses (added while its network had no DHCP, or before guestnet
 * assigned any in cluster mode): gets them now, if its network assigns
 * them, as an add would. */
static void
cluster_repair_assign__(struct cluster *c, const json_t *row,
                        const json_t *port)
{
    const char *name = ovsdb_datum_string(row, "name");
    const char *net = ovsdb_datum_string(row, "network");
    const char *mac = ovsdb_datum_string(row, "mac");
    json_t *ips = cluster_strings__(row, "ips");
    json_t *assigned;
    struct ovsdb_txn *txn;
    const json_t *ip;
    char *error, *text;
    uint64_t from = 0;
    size_t j;

    error = net && mac ? cluster_ipam_pick__(c, net, json_is_true(
                                                 json_object_get(port,
                                                                 "server")),
                                             mac, ips, true, &from,
                                             &assigned)
                       : NULL;
    if (error || !net || !mac || !assigned) {
        if (error) {
            GN_LOG_WARN_RL(&repair_rl, "port %s: %s", name, error);
        }
        free(error);
        json_decref(ips);
        return;
    }
    text = cluster_ipam_join__(assigned);
    txn = cluster_txn__(c);
    /* The row as seen (not deleted nor changed meanwhile). */
    ovsdb_txn_wait(txn, "Port", json_pack("[[s, s, s], [s, s, s]]",
                                          "name", "==", name,
                                          "host", "==", c->host),
                   json_pack("[s]", "ips"), "==",
                   json_pack("[{s:O}]", "ips", json_object_get(row, "ips")),
                   0);
    json_array_extend(ips, assigned);
    ovsdb_txn_update(txn, "Port", json_pack("[[s, s, s], [s, s, s]]",
                                            "name", "==", name,
                                            "host", "==", c->host),
                     json_pack("{s:o}", "ips", ovsdb_datum_set(ips)));
    ovsdb_txn_mutate(txn, "Port", cluster_where__("name", name),
                     json_pack("[[s, s, o]]", "external_ids", "insert",
                               ovsdb_datum_map(json_pack(
                                   "{s:s}", CLUSTER_ASSIGNED_KEY, text))));
    json_array_foreach (assigned, j, ip) {
        ovsdb_txn_insert(txn, "Address", json_pack(
                             "{s:s, s:O, s:s, s:s}", "network", net,
                             "ip", ip, "owner", name, "kind", "port"));
    }
    GN_LOG_INFO("port %s: assigning %s", name, text);
    cluster_repair_commit__(c, txn, name, net, assigned);
    json_decref(assigned);
    free(text);
}

/* Port 'port' (engine JSON) of this host, registered as 'row': registers
 * the link-local addresses bound to it that the registry lacks (bound
 * before this host ran in cluster mode; cluster-ll.c registers every
 * binding made since before the host makes it). */
static void
cluster_repair_lls__(struct cluster *c, const json_t *row,
                     const json_t *port)
{
    const char *name = ovsdb_datum_string(row, "name");
    const char *net = ovsdb_datum_string(row, "network");
    const json_t *ll;
    char *unsupported;
    size_t i;

    if (json_array_size(json_object_get(port, "link_locals"))
        && (unsupported = cluster_ll_unsupported__(c))) {
        /* Nothing to insert them as: once per pass at most. */
        GN_LOG_WARN_RL(&repair_rl, "port %s: its link-local addresses "
                       "are not registered: %s", name, unsupported);
        free(unsupported);
        return;
    }
    json_array_foreach (json_object_get(port, "link_locals"), i, ll) {
        const char *text = json_string_value(ll);
        const json_t *a = text && net ? cluster_address_row__(c, net, text)
                                      : NULL;
        struct ovsdb_txn *txn;

        if (!text || !net || c->n_repairs >= CLUSTER_MAX_REPAIRS) {
            return;
        }
        const char *eui64 = cluster_ll_eui64_owner__(c, net, text);
        if (eui64 && strcmp(eui64, name)) {
            continue;           /* Void: the engine unbinds it. */
        }
        if (a) {
            const char *owner = ovsdb_datum_string(a, "owner");

            if (!owner || strcmp(owner, name)) {
                /* Bound here without a row (before cluster mode, or the
                 * row lost) while another host's port took it: which is
                 * older is not known, so neither is unbound. */
                GN_LOG_WARN_RL(&repair_rl, "port %s: its link-local "
                               "address %s is registered to %s", name,
                               text, owner ? owner : "?");
            }
            continue;
        }
        GN_LOG_INFO("port %s: registering its link-local address %s", name,
                    text);
        txn = cluster_txn__(c);
        ovsdb_txn_insert(txn, "Address", json_pack(
                             "{s:s, s:s, s:s, s:s}", "network", net,
                             "ip", text, "owner", name,
                             "kind", "link-local"));
        cluster_repair_commit__(c, txn, name, NULL, NULL);
    }
}

/* If link-local binding 'row' (an Address row) of port 'owner' is this
 * host's to remove, returns the name of the other registered port of the
 * row's network whose EUI-64 link-local address it is (that port's own,
 * whenever it came: engine_ll_void__()), else NULL: 'owner' must be this
 * host's port, and not busy. */
static const char *
cluster_ll_void_owner__(const struct cluster *c, const json_t *row,
                        const char *owner)
{
    const json_t *port = cluster_find__(c, "Port", "name", owner, NULL);
    const char *host = port ? ovsdb_datum_string(port, "host") : NULL;
    const char *net = ovsdb_datum_string(row, "network");
    const char *ip = ovsdb_datum_string(row, "ip");
    const char *eui64 = (net && ip ? cluster_ll_eui64_owner__(c, net, ip)
                         : NULL);

    return (host && !strcmp(host, c->host) && eui64 && strcmp(eui64, owner)
            && !cluster_port_busy__(c, owner)) ? eui64 : NULL;
}

/* Adds to 'txn' a wait that port 'name' is still registered in network
 * 'net' with the MAC it has. */
static void
cluster_ll_void_wait__(const struct cluster *c, struct ovsdb_txn *txn,
                       const char *net, const char *name)
{
    const json_t *port = cluster_find__(c, "Port", "name", name, NULL);

    ovsdb_txn_wait(txn, "Port", json_pack(
                       "[[s, s, s], [s, s, s], [s, s, s]]",
                       "name", "==", name, "network", "==", net,
                       "mac", "==", ovsdb_datum_string(port, "mac")),
                   json_pack("[s]", "name"), "!=", json_array(), 0);
}

/* Registers port 'port' (engine JSON) of the bridge, or writes its lost
 * ready mark. */
static void
cluster_repair_port__(struct cluster *c, const json_t *port)
{
    const char *name = json_string_value(json_object_get(port, "name"));
    const char *net = json_string_value(json_object_get(port, "network"));
    const char *mac = json_string_value(json_object_get(port, "mac"));
    const json_t *row = cluster_find__(c, "Port", "name", name, NULL);
    const char *assigned_text;
    struct ovsdb_txn *txn;
    const json_t *ip;
    json_t *ips, *ids, *assigned;
    uint64_t from = 0;
    char *error;
    size_t j;

    if (row) {
        const char *host = ovsdb_datum_string(row, "host");
        const char *state = ovsdb_datum_string(row, "state");

        if (host && !strcmp(host, c->host) && state
            && strcmp(state, "ready")
            && json_is_true(json_object_get(port, "installed"))) {
            txn = cluster_txn__(c);
            ovsdb_txn_update(txn, "Port", json_pack(
                                 "[[s, s, s], [s, s, s]]", "name", "==",
                                 name, "host", "==", c->host),
                             json_pack("{s:s}", "state", "ready"));
            cluster_repair_commit__(c, txn, name, NULL, NULL);
        }
        assigned_text = ovsdb_datum_map_get_string(row, "external_ids",
                                                   CLUSTER_ASSIGNED_KEY);
        if (host && !strcmp(host, c->host) && assigned_text
            && !json_array_size(json_object_get(port, "ips"))) {
            /* Registered with addresses the port did not get (a crash
             * came between). */
            engine_give_addresses(c->engine, name, assigned_text);
        } else if (host && !strcmp(host, c->host) && !assigned_text
                   && !json_array_size(json_object_get(port, "ips"))
                   && !ovsdb_datum_string(row, "requested_host")) {
            cluster_repair_assign__(c, row, port);
        }
        if (host && !strcmp(host, c->host)) {
            cluster_repair_lls__(c, row, port);
        }
        return;
    }
    GN_LOG_INFO("registering port %s (%s) found on the bridge", name,
                json_string_value(json_object_get(port, "kind")));
    ips = json_deep_copy(json_object_get(port, "ips"));
    ids = json_object();
    /* It gets addresses as an add would (cluster-ipam.c). */
    error = cluster_ipam_pick__(c, net, json_is_true(json_object_get(
                                    port, "server")), mac, ips, true, &from,
                                &assigned);
    if (error) {
        GN_LOG_WARN_RL(&repair_rl, "port %s: %s", name, error);
        free(error);
    } else if (assigned) {
        char *text = cluster_ipam_join__(assigned);

        json_array_extend(ips, assigned);
        json_object_set_new(ids, CLUSTER_ASSIGNED_KEY, json_string(text));
        free(text);
    }
    txn = cluster_txn__(c);
    ovsdb_txn_insert(txn, "Port", json_pack(
                         "{s:s, s:s, s:s, s:s, s:o, s:O, s:s, s:o}",
                         "name", name, "host", c->host, "network", net,
                         "mac", mac, "ips", ovsdb_datum_set(json_deep_copy(
                             ips)),
                         "kind", json_object_get(port, "kind"),
                         "state", json_is_true(json_object_get(
                                      port, "installed"))
                                  ? "ready" : "adding",
                         "external_ids", ovsdb_datum_map(ids)));
    json_array_foreach (ips, j, ip) {
        ovsdb_txn_insert(txn, "Address", json_pack(
                             "{s:s, s:O, s:s, s:s}", "network", net,
                             "ip", ip, "owner", name, "kind", "port"));
    }
    json_decref(ips);
    cluster_repair_commit__(c, txn, name, net, assigned);
    json_decref(assigned);
}

void
cluster_reconcile__(struct cluster *c)
{
    json_t *ports, *local;
    struct ovsdb_replica_index_iter it;
    const json_t *port, *row;
    struct ovsdb_txn *txn;
    const char *uuid;
    size_t i;
    int n = 0;

    if (c->n_repairs || cluster_unwritable__(c)
        || engine_health(c->engine)) {
        return;
    }
    local = json_object();
    ports = engine_ports(c->engine);
    json_array_foreach (ports, i, port) {
        const char *name = json_string_value(json_object_get(port, "name"));

        json_object_set_new(local, name, json_true());
        if (json_string_value(json_object_get(port, "network"))
            && json_string_value(json_object_get(port, "mac"))
            && !cluster_port_busy__(c, name)
            && c->n_repairs < CLUSTER_MAX_REPAIRS) {
            cluster_repair_port__(c, port);
        }
    }

    txn = cluster_txn__(c);
    OVSDB_REPLICA_INDEX_FOR_EACH (uuid, it, c->replica, "Port", "host",
                                  c->host) {
        const char *name;

        row = ovsdb_replica_get_row(c->replica, "Port", uuid);
        name = ovsdb_datum_string(row, "name");
        if (name && !json_object_get(local, name)
            && !cluster_port_busy__(c, name)) {
            GN_LOG_INFO("unregistering port %s: not on the bridge", name);
            cluster_plan_unregister__(c, txn, name);
            n++;
        }
    }
    OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Address") {
        const char *kind = ovsdb_datum_string(row, "kind");
        const char *owner = ovsdb_datum_string(row, "owner");

        const char *eui64 = (kind && !strcmp(kind, "link-local") && owner
                             && n < 256
                             ? cluster_ll_void_owner__(c, row, owner)
                             : NULL);
        if (eui64) {
            GN_LOG_INFO("port %s: unregistering link-local address %s: "
                        "port %s's EUI-64 address", owner,
                        ovsdb_datum_string(row, "ip"), eui64);
            /* Provided that port is still registered. */
            cluster_ll_void_wait__(c, txn, ovsdb_datum_string(row,
                                                              "network"),
                                   eui64);
            ovsdb_txn_delete(txn, "Address", json_pack(
                                 "[[s, s, o]]", "_uuid", "==",
                                 ovsdb_datum_uuid(uuid)));
            n++;
            continue;
        }
        if (kind && (!strcmp(kind, "port") || !strcmp(kind, "link-local"))
            && owner
            && !cluster_find__(c, "Port", "name", owner, NULL)
            && !cluster_port_busy__(c, owner) && n < 256) {
            /* Provided its port did not come meanwhile. */
            ovsdb_txn_wait(txn, "Port", cluster_where__("name", owner),
                           json_pack("[s]", "name"), "==", json_array(), 0);
            ovsdb_txn_delete(txn, "Address", json_pack(
                                 "[[s, s, o]]", "_uuid", "==",
                                 ovsdb_datum_uuid(uuid)));
            n++;
        }
    }
    json_decref(ports);
    json_decref(local);
    if (n) {
        cluster_repair_commit__(c, txn, "rows without a port", NULL, NULL);
    } else {
        ovsdb_txn_destroy(txn);
    }
}
