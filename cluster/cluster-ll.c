/* cluster-ll.c: the link-local bindings of this host's ports in the
 * cluster's registry.  The engine binds a link-local address to a port on
 * its first use (engine/engine-ll.c); in cluster mode it asks here first
 * (engine_set_ll_registrar()), and binds it only once the registry holds
 * an Address row (network, ip, owner the port, kind "link-local") for it:
 * the (network, ip) index makes the first host to ask win, whichever
 * member it asks.  An address the registry already holds for the same
 * port (written before a restart or a crash, or by the host a live
 * migration came from) is taken at once; one another port holds, or the
 * EUI-64 link-local address of another registered port (its own
 * whether or not it has addresses), is refused naming it; with the
 * cluster out of reach (unless the registry's last copy holds it for the
 * port), or the port not registered as this host's, the binding is
 * refused (the guest's next packet from the address asks again).  The
 * rows go with the port's Port row (cluster_plan_unregister__()), and
 * other hosts read them as their remote ports' bindings
 * (cluster-remote.c).
 *
 * The addresses guests take on first use in networks where nothing
 * assigns them (engine/engine-learn.c, engine_set_learn_registrar()) are
 * registered the same way, as the port's own: the Port row's "ips" gains
 * the address and an Address row of kind "port" holds it, in one
 * transaction, so other hosts route to it and refuse it to their guests
 * as any declared address.
 *
 * Cost: a registration is one lookup in the replica's (ip) index and one
 * transaction; the bindings of all ports are gathered in one pass over
 * the Address rows whenever the registry changes (cluster-remote.c's
 * pass over the Port rows goes with it). */
#include <config.h>

#include "cluster-private.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gn-log.h"
#include "gn-util.h"
#include "ip6-frame.h"
#include "netaddr.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"

GN_LOG_MODULE(cluster_ll);

/* A registration in flight. */
struct cluster_ll {
    struct cluster *c;
    char *port;
    char *network;
    char *ll;                   /* The address. */
    bool learned;               /* An address taken on first use (kind
                                 * "port"), not a link-local binding. */
};

/* The Address row kind of a registration. */
static const char *
cluster_ll_kind__(bool learned)
{
    return learned ? "port" : "link-local";
}

/* Answers the engine's registration of 'addr' for 'port'. */
static void
cluster_ll_answer__(struct cluster *c, bool learned, const char *port,
                    const char *addr, const char *error)
{
    if (learned) {
        engine_learn_registered(c->engine, port, addr, error);
    } else {
        engine_ll_registered(c->engine, port, addr, error);
    }
}

const char *
cluster_ll_eui64_owner__(const struct cluster *c, const char *net,
                         const char *ll)
{
    struct netaddr_mac mac;
    struct in6_addr a;
    char text[18];
    struct ovsdb_replica_index_iter it;
    const char *uuid;

    if (inet_pton(AF_INET6, ll, &a) != 1
        || !ip6_link_local_mac(&a, mac.b)) {
        return NULL;
    }
    netaddr_format_mac(&mac, text);
    OVSDB_REPLICA_INDEX_FOR_EACH (uuid, it, c->replica, "Port", "mac", text) {
        const json_t *row = ovsdb_replica_get_row(c->replica, "Port", uuid);
        const char *n = ovsdb_datum_string(row, "network");

        if (n && !strcmp(n, net)) {
            return ovsdb_datum_string(row, "name");
        }
    }
    return NULL;
}

char *
cluster_ll_unsupported__(const struct cluster *c)
{
    unsigned int major = 0, minor = 0;

    if (!c->schema_version
        || sscanf(c->schema_version, "%u.%u", &major, &minor) != 2
        || major > 1 || minor >= 1) {
        return NULL;
    }
    return gn_xasprintf("the cluster database's schema %s has no link-local "
                        "bindings: convert it to this guestnet's "
                        "guestnet.ovsschema (1.1.0 or later)",
                        c->schema_version);
}

/* Why the registry refuses 'll' in 'net' to port 'port' now (malloc'd),
 * or NULL if it is free ('*mine' false) or the port's already, as a
 * binding of the same kind ('learned'), ('*mine' true). */
static char *
cluster_ll_refusal__(const struct cluster *c, const char *port,
                     const char *net, const char *ll, bool learned,
                     bool *mine)
{
    const json_t *row = cluster_find__(c, "Port", "name", port, NULL);
    const char *host = row ? ovsdb_datum_string(row, "host") : NULL;
    const char *req = row ? ovsdb_datum_string(row, "requested_host") : NULL;
    const json_t *a = cluster_address_row__(c, net, ll);
    const char *kind = a ? ovsdb_datum_string(a, "kind") : NULL;
    const char *owner = a ? ovsdb_datum_string(a, "owner") : NULL;
    const char *eui64 = learned ? NULL : cluster_ll_eui64_owner__(c, net, ll);
    json_t *one;
    char *why;

    *mine = false;
    if (!host || (strcmp(host, c->host) && (!req || strcmp(req, c->host)))) {
        return gn_xasprintf("port %s is not registered in the cluster as "
                            "this host's", port);
    }
    if (eui64 && strcmp(eui64, port)) {
        return gn_xasprintf("%s is the EUI-64 link-local address of port "
                            "%s", ll, eui64);
    }
    if (!a) {
        return NULL;
    }
    if (kind && !strcmp(kind, cluster_ll_kind__(learned)) && owner
        && !strcmp(owner, port)) {
        *mine = true;
        return NULL;
    }
    one = json_pack("[s]", ll);
    why = cluster_address_clash__(c, net, one);
    json_decref(one);
    return why ? why : gn_xasprintf("%s is held in network %s", ll, net);
}

static void
cluster_ll_done__(struct ovsdb_txn *txn, const struct ovsdb_txn_result *r,
                  void *rl_)
{
    struct cluster_ll *rl = rl_;
    char *why = NULL;

    (void) txn;
    if (r->status == OVSDB_TXN_SUCCESS) {
        GN_LOG_INFO("port %s: %s %s registered", rl->port,
                    rl->learned ? "address" : "link-local address", rl->ll);
    } else if (cluster_index_clash__(r)) {
        bool mine;

        why = cluster_ll_refusal__(rl->c, rl->port, rl->network, rl->ll,
                                   rl->learned, &mine);
        if (!why) {
            why = gn_xasprintf("another port took %s in network %s in the "
                               "cluster just now", rl->ll, rl->network);
        }
    } else if (r->status == OVSDB_TXN_OP_ERROR && r->failed_op == 1) {
        /* (Op 0 is the comment, 1 the wait for the Port row.) */
        why = gn_xasprintf("port %s is not registered in the cluster",
                           rl->port);
    } else if (r->status == OVSDB_TXN_OP_ERROR && r->error
               && strstr(r->error, "constraint violation")) {
        why = gn_xasprintf("the cluster database's schema has no "
                           "link-local bindings (%s): convert it to this "
                           "guestnet's guestnet.ovsschema", r->error);
    } else {
        why = gn_xasprintf("the cluster database did not take it (%s)",
                           r->error ? r->error : "?");
    }
    cluster_ll_answer__(rl->c, rl->learned, rl->port, rl->ll, why);
    free(why);
    free(rl->port);
    free(rl->network);
    free(rl->ll);
    free(rl);
}

/* Registers address 'll' of port 'port' of 'network': a link-local
 * binding, or ('learned') an address taken on first use. */
static void
cluster_ll_register_kind__(struct cluster *c, const char *port,
                           const char *network, const char *ll, bool learned)
{
    const char *unwritable = cluster_unwritable__(c);
    struct cluster_ll *rl;
    struct ovsdb_txn *txn;
    bool mine;
    char *why;

    if (unwritable) {
        /* The registry's last copy may hold it for this port already (a
         * guest that came by live migration, a binding lost from the
         * port): it is the port's (should the registry have changed
         * meanwhile, repair logs the clash once it is back). */
        why = cluster_ll_refusal__(c, port, network, ll, learned, &mine);
        cluster_ll_answer__(c, learned, port, ll,
                            !why && mine ? NULL : unwritable);
        free(why);
        return;
    }
    why = learned ? NULL : cluster_ll_unsupported__(c);
    if (!why) {
        why = cluster_ll_refusal__(c, port, network, ll, learned, &mine);
    }
    if (why || mine) {
        cluster_ll_answer__(c, learned, port, ll, why);
        free(why);
        return;
    }
    rl = gn_xzalloc(sizeof *rl);
    rl->c = c;
    rl->port = gn_xstrdup(port);
    rl->network = gn_xstrdup(network);
    rl->ll = gn_xstrdup(ll);
    rl->learned = learned;
    txn = cluster_txn__(c);
    /* The port must still be registered (not deleted meanwhile). */
    ovsdb_txn_wait(txn, "Port", cluster_where__("name", port),
                   json_pack("[s]", "name"), "==",
                   json_pack("[{s:s}]", "name", port), 0);
    if (learned) {
        /* Its own address, which other hosts route to, marked as taken
         * on first use (a live migration's destination asks without
         * it: cluster_ipam_not_requested__()). */
        char *key = gn_xasprintf("%s%s", CLUSTER_LEARNED_PREFIX, ll);

        ovsdb_txn_mutate(txn, "Port", cluster_where__("name", port),
                         json_pack("[[s, s, [s, [s]]], [s, s, o]]",
                                   "ips", "insert", "set", ll,
                                   "external_ids", "insert",
                                   ovsdb_datum_map(json_pack(
                                       "{s:s}", key, "true"))));
        free(key);
    }
    ovsdb_txn_insert(txn, "Address", json_pack(
                         "{s:s, s:s, s:s, s:s}", "network", network,
                         "ip", ll, "owner", port,
                         "kind", cluster_ll_kind__(learned)));
    ovsdb_txn_commit(txn, c->session, cluster_ll_done__, rl);
}

void
cluster_ll_register__(const char *port, const char *network, const char *ll,
                      void *c)
{
    cluster_ll_register_kind__(c, port, network, ll, false);
}

void
cluster_learn_register__(const char *port, const char *network,
                         const char *addr, void *c)
{
    cluster_ll_register_kind__(c, port, network, addr, true);
}

static int
cluster_ll_cmp__(const void *a_, const void *b_)
{
    json_t *const *a = a_, *const *b = b_;

    return strcmp(json_string_value(*a), json_string_value(*b));
}

json_t *
cluster_ll_owners__(const struct cluster *c)
{
    json_t *owners = json_object();
    const json_t *row;
    const char *uuid;

    const char *name;
    json_t *list;

    OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Address") {
        const char *kind = ovsdb_datum_string(row, "kind");
        const char *owner = ovsdb_datum_string(row, "owner");
        const char *ip = ovsdb_datum_string(row, "ip");

        if (!kind || strcmp(kind, "link-local") || !owner || !ip) {
            continue;
        }
        list = json_object_get(owners, owner);
        if (!list) {
            list = json_array();
            json_object_set_new(owners, owner, list);
        }
        json_array_append_new(list, json_string(ip));
    }
    /* Each list sorted: the same bindings give the same digest. */
    json_object_foreach (owners, name, list) {
        size_t n = json_array_size(list);
        json_t **v = gn_xcalloc(n, sizeof *v);

        for (size_t i = 0; i < n; i++) {
            v[i] = json_incref(json_array_get(list, i));
        }
        qsort(v, n, sizeof *v, cluster_ll_cmp__);
        json_array_clear(list);
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(list, v[i]);
        }
        free(v);
    }
    return owners;
}
