/* cluster-ports.c: the cluster's port registry: a port add is registered
 * (Port row, one Address row per IP; the schema's indexes refuse what
 * another port or a gateway holds, whichever host asks) before the engine
 * makes it, marked ready after, and undone if the engine refuses it; a
 * delete is made locally, then unregistered.  Also the registry's reads
 * and the removal of a host that left for good (cluster-repair.c keeps the
 * registry and the bridge in step). */
#include <config.h>

#include "cluster-private.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "jsonrpc-session.h"
#include "netaddr.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "ports.h"

GN_LOG_MODULE(cluster_ports);

#define CLUSTER_HASH_KEY "request-hash"
#define CLUSTER_VM_KEY "vm-id"        /* As libvirt names the guest. */

/* The registry row's external_ids for an add 'req' with 'hash' (new). */
static json_t *
cluster_port_ids__(const char *hash, const json_t *req)
{
    const char *vm = json_string_value(json_object_get(req, "vm_id"));
    json_t *ids = json_pack("{s:s}", CLUSTER_HASH_KEY, hash);

    if (vm) {
        json_object_set_new(ids, CLUSTER_VM_KEY, json_string(vm));
    }
    return ids;
}

json_t *
cluster_port_json__(const json_t *row)
{
    static const char *const keys[] = {
        "name", "host", "network", "mac", "kind", "state",
    };
    json_t *j = json_object();

    for (size_t i = 0; i < GN_ARRAY_SIZE(keys); i++) {
        const char *s = ovsdb_datum_string(row, keys[i]);
        json_object_set_new(j, keys[i], json_string(s ? s : ""));
    }
    json_object_set_new(j, "ips", cluster_strings__(row, "ips"));
    cluster_ipam_json__(row, j);
    const char *req = ovsdb_datum_string(row, "requested_host");
    if (req) {
        json_object_set_new(j, "requested_host", json_string(req));
    }
    return j;
}

/* "port P on host H" for the owner of a registry row (new string). */
static char *
cluster_owner__(const json_t *port_row)
{
    const char *name = ovsdb_datum_string(port_row, "name");
    const char *host = ovsdb_datum_string(port_row, "host");

    return gn_xasprintf("port %s on host %s", name ? name : "?",
                        host ? host : "?");
}

char *
cluster_address_clash__(const struct cluster *c, const char *net,
                        const json_t *ips)
{
    const json_t *row, *v;
    size_t i;

    json_array_foreach (ips, i, v) {
        const char *ip = json_string_value(v);
        struct ovsdb_replica_index_iter it;
        const char *u;

        OVSDB_REPLICA_INDEX_FOR_EACH (u, it, c->replica, "Address", "ip",
                                      ip) {
            const json_t *a = ovsdb_replica_get_row(c->replica, "Address",
                                                    u);
            const char *n = ovsdb_datum_string(a, "network");
            const char *kind = ovsdb_datum_string(a, "kind");
            const char *owner = ovsdb_datum_string(a, "owner");

            if (!n || strcmp(n, net)) {
                continue;
            }
            if (kind && strcmp(kind, "port") && strcmp(kind, "link-local")) {
                return gn_xasprintf("%s is the %s address of network %s",
                                    ip, kind, net);
            }
            row = owner ? cluster_find__(c, "Port", "name", owner, NULL)
                        : NULL;
            char *who = row ? cluster_owner__(row)
                            : gn_xasprintf("port %s", owner ? owner : "?");
            char *msg = gn_xasprintf("address %s is used in network %s by "
                                     "%s", ip, net, who);
            free(who);
            return msg;
        }
    }
    return NULL;
}

char *
cluster_clash__(const struct cluster *c, const char *name, const char *net,
                const char *mac, const json_t *ips)
{
    struct ovsdb_replica_index_iter it;
    const json_t *row;
    const char *uuid;

    row = cluster_find__(c, "Port", "name", name, NULL);
    if (row) {
        char *owner = cluster_owner__(row);
        char *msg = gn_xasprintf("name %s is taken by %s", name, owner);
        free(owner);
        return msg;
    }
    OVSDB_REPLICA_INDEX_FOR_EACH (uuid, it, c->replica, "Port", "mac", mac) {
        row = ovsdb_replica_get_row(c->replica, "Port", uuid);
        const char *n = ovsdb_datum_string(row, "network");
        if (n && !strcmp(n, net)) {
            char *owner = cluster_owner__(row);
            char *msg = gn_xasprintf("MAC %s is used in network %s by %s",
                                     mac, net, owner);
            free(owner);
            return msg;
        }
    }
    return cluster_address_clash__(c, net, ips);
}

void
cluster_plan_unregister__(const struct cluster *c, struct ovsdb_txn *txn,
                          const char *name)
{
    ovsdb_txn_delete(txn, "Port", json_pack("[[s, s, s], [s, s, s]]",
                                            "name", "==", name,
                                            "host", "==", c->host));
    ovsdb_txn_delete(txn, "Address", json_pack("[[s, s, s], [s, s, s]]",
                                               "owner", "==", name,
                                               "kind", "==", "port"));
    ovsdb_txn_delete(txn, "Address", json_pack("[[s, s, s], [s, s, s]]",
                                               "owner", "==", name,
                                               "kind", "==", "link-local"));
}

static void
cluster_logged_done__(struct ovsdb_txn *txn,
                      const struct ovsdb_txn_result *r, void *name_)
{
    char *name = name_;

    (void) txn;
    if (r->status != OVSDB_TXN_SUCCESS) {
        GN_LOG_WARN("port %s: registry update: %s", name,
                    r->error ? r->error : "failed");
    }
    free(name);
}

/* The engine answered the add of 'op': mark the port ready, or undo its
 * registration, then answer. */
static void
cluster_add_done__(int status, json_t *body, void *op_)
{
    struct cluster_op *op = op_;
    struct cluster *c = op->c;
    struct ovsdb_txn *txn;

    if (status < 300 || status == 504) {
        /* Ready, or committed (202) / still coming up (504): the port
         * stays, so does its registration. */
        if (status < 300 && op->wait) {
            txn = cluster_txn__(c);
            ovsdb_txn_update(txn, "Port", json_pack("[[s, s, s], [s, s, s]]",
                                                    "name", "==", op->name,
                                                    "host", "==", c->host),
                             json_pack("{s:s}", "state", "ready"));
            ovsdb_txn_commit(txn, c->session, cluster_logged_done__,
                             gn_xstrdup(op->name));
        }
        if (json_is_object(body)) {
            json_object_set_new(body, "host", json_string(c->host));
        }
    } else if (op->registered) {
        txn = cluster_txn__(c);
        cluster_plan_unregister__(c, txn, op->name);
        ovsdb_txn_commit(txn, c->session, cluster_logged_done__,
                         gn_xstrdup(op->name));
    }
    cluster_op_finish__(op, status, body);
}

/* An add lost to another port's (its name, MAC or an address taken in
 * the meantime): answers 409 naming the owner once the replica has the
 * owner's rows, which follow the refusal within milliseconds (at most
 * CLUSTER_CLASH_WAIT_MS, then without the name). */
static void
cluster_clash_answer__(evutil_socket_t fd, short what, void *op_)
{
    struct cluster_op *op = op_;
    const json_t *info = op->info;
    json_t *fixed = cluster_ipam_fixed__(info);
    char *why = cluster_clash__(
        op->c, op->name, json_string_value(json_object_get(info, "network")),
        json_string_value(json_object_get(info, "mac")), fixed);
    static const struct timeval tick = { 0, 10 * 1000 };

    (void) fd;
    (void) what;
    json_decref(fixed);
    if (!why && op->n_polls++ < CLUSTER_CLASH_WAIT_MS / 10) {
        if (!op->timer) {
            op->timer = evtimer_new(op->c->base, cluster_clash_answer__, op);
        }
        evtimer_add(op->timer, &tick);
        return;
    }
    cluster_op_finish__(op, 409, cluster_error_body__(
                            "%s", why ? why : "the name, MAC or an address "
                            "was taken in the cluster by another port just "
                            "now"));
    free(why);
}

static void cluster_register_done__(struct ovsdb_txn *,
                                    const struct ovsdb_txn_result *,
                                    void *op);

void
cluster_register__(struct cluster_op *op)
{
    struct cluster *c = op->c;
    const json_t *info = op->info;
    const char *net = json_string_value(json_object_get(info, "network"));
    const json_t *assigned = json_object_get(info, "assigned");
    json_t *ips = json_deep_copy(json_object_get(info, "ips"));
    json_t *ids = cluster_port_ids__(json_string_value(json_object_get(
                                         info, "hash")), op->req);
    struct ovsdb_txn *txn = cluster_txn__(c);
    const json_t *net_row = cluster_find__(c, "Network", "name", net, NULL);
    size_t i;
    json_t *v;

    if (json_array_size(assigned)) {
        char *text = cluster_ipam_join__(assigned);

        json_array_extend(ips, (json_t *) assigned);
        json_object_set_new(ids, CLUSTER_ASSIGNED_KEY, json_string(text));
        free(text);
    }
    /* This host must still be in the cluster (not removed meanwhile), and
     * the network as the port was checked against. */
    ovsdb_txn_wait(txn, "Host", cluster_where__("name", c->host),
                   json_pack("[s]", "system_id"), "==",
                   json_pack("[{s:s}]", "system_id", c->system_id), 0);
    ovsdb_txn_wait(txn, "Network", cluster_where__("name", net),
                   json_pack("[s, s]", "vlan", "subnets"), "==",
                   net_row ? json_pack("[{s:O, s:O}]", "vlan",
                                       json_object_get(net_row, "vlan"),
                                       "subnets",
                                       json_object_get(net_row, "subnets"))
                           : json_array(), 0);
    ovsdb_txn_insert(txn, "Port", json_pack(
                         "{s:s, s:s, s:s, s:O, s:o, s:O, s:s, s:o}",
                         "name", op->name, "host", c->host, "network", net,
                         "mac", json_object_get(info, "mac"),
                         "ips", ovsdb_datum_set(json_deep_copy(ips)),
                         "kind", json_object_get(info, "kind"),
                         "state", "adding",
                         "external_ids", ovsdb_datum_map(ids)));
    json_array_foreach (ips, i, v) {
        ovsdb_txn_insert(txn, "Address", json_pack(
                             "{s:s, s:O, s:s, s:s}", "network", net,
                             "ip", v, "owner", op->name, "kind", "port"));
    }
    json_decref(ips);
    ovsdb_txn_commit(txn, c->session, cluster_register_done__, op);
}

static void
cluster_register_done__(struct ovsdb_txn *txn,
                        const struct ovsdb_txn_result *r, void *op_)
{
    struct cluster_op *op = op_;
    struct cluster *c = op->c;

    (void) txn;
    if (r->status == OVSDB_TXN_SUCCESS) {
        op->registered = true;
        engine_port_add(c->engine, op->req, op->wait, cluster_add_done__,
                        op);
        return;
    }
    if (cluster_index_clash__(r)) {
        if (!cluster_reassign__(op)) {
            cluster_clash_answer__(-1, 0, op);
        }
        return;
    }
    /* (Op 0 is the comment, 1 the wait for the Host row, 2 for the
     * Network row: cluster_register__().) */
    if (r->status == OVSDB_TXN_OP_ERROR && r->failed_op == 1) {
        cluster_op_finish__(op, 503, cluster_error_body__(
                                "this host is not registered in the "
                                "cluster (was it removed?)"));
        return;
    }
    if (r->status == OVSDB_TXN_OP_ERROR && r->failed_op == 2) {
        cluster_op_finish__(op, 409, cluster_error_body__(
                                "network %s changed or went meanwhile: "
                                "retry", json_string_value(json_object_get(
                                    op->info, "network"))));
        return;
    }
    cluster_op_finish__(op, 503, cluster_error_body__(
                            "the cluster database did not answer (%s): "
                            "retry the same request",
                            r->error ? r->error : "?"));
}

/* The canonical text of each address of 'spec' (new array). */
static json_t *
cluster_spec_ips__(const struct port_spec *spec)
{
    json_t *ips = json_array();

    for (size_t i = 0; i < spec->n_ips; i++) {
        char s[INET6_ADDRSTRLEN];
        netaddr_format_ip(&spec->ips[i], s, sizeof s);
        json_array_append_new(ips, json_string(s));
    }
    return ips;
}

bool
cluster_port_busy__(const struct cluster *c, const char *name)
{
    for (const struct cluster_op *op = c->ops; op; op = op->next) {
        if (!strcmp(op->name, name)) {
            return true;
        }
    }
    return false;
}

/* True if 'ips' (the request's, or NULL) are the addresses of registry
 * row 'row' but those the registry assigned, in any order and
 * spelling. */
static bool
cluster_same_ips__(const json_t *row, const json_t *ips)
{
    json_t *have = cluster_strings__(row, "ips");
    size_t i, n = 0;
    const json_t *v;
    bool same = true;

    /* The registry's assigned addresses are no request's. */
    for (i = json_array_size(have); i-- > 0;) {
        if (cluster_ipam_not_requested__(row, json_string_value(
                                        json_array_get(have, i)))) {
            json_array_remove(have, i);
        }
    }
    if (!ips) {
        json_decref(have);
        return true;
    }
    json_array_foreach (ips, i, v) {
        struct netaddr_ip ip;
        char s[INET6_ADDRSTRLEN];
        char *error = json_is_string(v)
                      ? netaddr_parse_ip(json_string_value(v), 1, &ip)
                      : gn_xstrdup("not a string");
        const json_t *h;
        size_t j;
        bool found = false;

        if (error) {
            free(error);
            same = false;
            break;
        }
        netaddr_format_ip(&ip, s, sizeof s);
        json_array_foreach (have, j, h) {
            found |= !strcmp(json_string_value(h), s);
        }
        same &= found;
        n++;
    }
    same &= n == json_array_size(have);
    json_decref(have);
    return same;
}

/* True if the add request 'req' is for the guest of registry row 'row':
 * the same network and, if it names them, the same MAC and addresses; if
 * 'strict' (a migration), it must name the MAC, and its addresses (none
 * if it names none) and VM (if the registry has one) must be the row's
 * (the registry's assigned addresses aside). */
static bool
cluster_same_guest__(const json_t *row, const json_t *req, bool strict)
{
    const char *net = json_string_value(json_object_get(req, "network"));
    const char *mac = json_string_value(json_object_get(req, "mac"));
    const char *row_net = ovsdb_datum_string(row, "network");
    const char *row_mac = ovsdb_datum_string(row, "mac");
    const char *vm = json_string_value(json_object_get(req, "vm_id"));
    const char *row_vm = ovsdb_datum_map_get_string(row, "external_ids",
                                                    CLUSTER_VM_KEY);
    struct netaddr_mac a, b;
    char *error;

    if (!net || !row_net || strcmp(net, row_net) || !row_mac) {
        return false;
    }
    if (strict) {
        /* A migration takes a running guest's port: the request names the
         * guest (its MAC, its addresses, and its VM if the registry knows
         * it) as the registry has it, nothing left to fill in. */
        if (!mac || (row_vm && (!vm || strcmp(vm, row_vm)))) {
            return false;
        }
        if (!json_object_get(req, "ips")) {
            json_t *none = json_array();
            bool same = cluster_same_ips__(row, none);
            json_decref(none);
            if (!same) {
                return false;
            }
        }
    }
    if (mac) {
        error = netaddr_parse_mac(mac, true, &a);
        if (!error) {
            error = netaddr_parse_mac(row_mac, true, &b);
        }
        free(error);
        if (error || memcmp(a.b, b.b, sizeof a.b)) {
            return false;
        }
    }
    return cluster_same_ips__(row, json_object_get(req, "ips"));
}

/* The engine answered the add of a migration's destination. */
static void
cluster_migrate_added__(int status, json_t *body, void *op_)
{
    struct cluster_op *op = op_;
    struct cluster *c = op->c;

    if (status < 300) {
        if (json_is_object(body)) {
            json_object_set_new(body, "host", json_string(c->host));
            json_object_set_new(body, "migration", json_pack(
                                    "{s:s, s:O}", "state", "pending",
                                    "from", json_object_get(op->info,
                                                            "from")));
        }
    } else {
        cluster_migration_withdraw__(c, op->name);
    }
    cluster_op_finish__(op, status, body);
}

static void
cluster_migrate_requested__(struct ovsdb_txn *txn,
                            const struct ovsdb_txn_result *r, void *op_)
{
    struct cluster_op *op = op_;
    struct cluster *c = op->c;

    (void) txn;
    if (r->status != OVSDB_TXN_SUCCESS) {
        cluster_op_finish__(op, r->status == OVSDB_TXN_OP_ERROR ? 409 : 503,
                            cluster_error_body__(
                                "port %s: the registry did not take this "
                                "host's migration request (%s): another "
                                "host asked first, or the port moved",
                                op->name, r->error ? r->error : "?"));
        return;
    }
    cluster_migration_start__(c, op->name, json_string_value(
                                  json_object_get(op->info, "from")));
    engine_port_add(c->engine, op->req, op->wait, cluster_migrate_added__,
                    op);
}

/* The add 'req' of the guest of registry row 'row', which another host
 * has: a live migration to this host (see cluster-migrate.c).  Asks for
 * the port in the registry (if nobody else does), then makes it here,
 * blocked until the guest announces itself. */
static void
cluster_migrate_add__(struct cluster *c, const json_t *row,
                      const json_t *req, bool wait, engine_done_cb *cb,
                      void *aux)
{
    const char *name = ovsdb_datum_string(row, "name");
    const char *from = ovsdb_datum_string(row, "host");
    const char *req_host = ovsdb_datum_string(row, "requested_host");
    struct cluster_op *op;
    struct ovsdb_txn *txn;

    if (req_host) {
        cluster_refuse__(cb, aux, 409, gn_xasprintf(
                             "port %s is migrating from host %s to host %s "
                             "already", name, from, req_host));
        return;
    }
    op = cluster_op_create__(c, name, cb, aux);
    op->req = json_deep_copy(req);
    json_object_set_new(op->req, "mac", json_string(
                            ovsdb_datum_string(row, "mac")));
    cluster_ipam_req__(row, op->req);
    op->wait = wait;
    op->info = json_pack("{s:s}", "from", from);
    GN_LOG_INFO("port %s: the guest of host %s's port comes here (live "
                "migration): blocked until it announces itself", name,
                from);
    txn = cluster_txn__(c);
    ovsdb_txn_wait(txn, "Port", cluster_where__("name", name),
                   json_pack("[s, s]", "host", "requested_host"), "==",
                   json_pack("[{s:s, s:o}]", "host", from, "requested_host",
                             ovsdb_datum_empty_set()), 0);
    ovsdb_txn_update(txn, "Port", cluster_where__("name", name),
                     json_pack("{s:s}", "requested_host", c->host));
    ovsdb_txn_commit(txn, c->session, cluster_migrate_requested__, op);
}

void
cluster_port_add(struct cluster *c, const json_t *req, bool wait,
                 engine_done_cb *cb, void *aux)
{
    const char *why = cluster_unwritable__(c);
    const json_t *jname = json_object_get(req, "name");
    const char *name = json_string_value(jname);
    const json_t *row;
    struct port_spec spec;
    enum port_error kind;
    struct cluster_op *op;
    char *hash, *error;
    json_t *ips, *assigned;
    char mac[18];
    uint64_t from = 0;

    if (why) {
        cluster_refuse__(cb, aux, 503, gn_xstrdup(why));
        return;
    }
    if (json_object_get(req, PORTS_ASSIGNED_FIELD)) {
        cluster_refuse__(cb, aux, 400, gn_xstrdup(
                             "unknown field \"" PORTS_ASSIGNED_FIELD "\""));
        return;
    }
    if (name && cluster_port_busy__(c, name)) {
        cluster_refuse__(cb, aux, 409, gn_xstrdup(
                             "a request for this port is in progress"));
        return;
    }
    hash = port_request_hash(req);
    row = name ? cluster_find__(c, "Port", "name", name, NULL) : NULL;
    if (row) {
        const char *host = ovsdb_datum_string(row, "host");
        const char *stored = ovsdb_datum_map_get_string(row, "external_ids",
                                                        CLUSTER_HASH_KEY);

        if (host && !strcmp(host, c->host) && stored
            && !strcmp(stored, hash)
            && cluster_same_guest__(row, req, false)) {
            /* A retry: the engine answers it as it answered the add,
             * with the MAC the registry holds. */
            op = cluster_op_create__(c, name, cb, aux);
            op->req = json_deep_copy(req);
            op->wait = wait;
            json_object_set_new(op->req, "mac", json_string(
                                    ovsdb_datum_string(row, "mac")));
            cluster_ipam_req__(row, op->req);
            free(hash);
            engine_port_add(c->engine, op->req, wait, cluster_add_done__,
                            op);
            return;
        }
        if (host && strcmp(host, c->host)
            && cluster_same_guest__(row, req, true)) {
            free(hash);
            cluster_migrate_add__(c, row, req, wait, cb, aux);
            return;
        }
        char *owner = cluster_owner__(row);
        cluster_refuse__(cb, aux, 409, gn_xasprintf(
                             "name %s is taken by %s", name, owner));
        free(owner);
        free(hash);
        return;
    }
    error = port_spec_from_json(req, engine_config(c->engine),
                                engine_replica(c->engine),
                                engine_port_peers(c->engine), &spec, &kind);
    if (error) {
        free(hash);
        cluster_refuse__(cb, aux, kind, error);
        return;
    }
    netaddr_format_mac(&spec.mac, mac);
    ips = cluster_spec_ips__(&spec);
    why = NULL;
    error = cluster_clash__(c, spec.name, spec.network, mac, ips);
    if (error) {
        cluster_refuse__(cb, aux, 409, error);
        goto out;
    }

    op = cluster_op_create__(c, spec.name, cb, aux);
    op->req = json_deep_copy(req);
    json_object_set_new(op->req, "mac", json_string(mac));
    op->wait = wait;
    op->info = json_pack("{s:s, s:s, s:O, s:s, s:s}", "network", spec.network,
                         "mac", mac, "ips", ips, "kind",
                         port_kind_name(spec.kind), "hash", hash);
    error = cluster_ipam_pick__(c, spec.network, spec.server, mac, ips,
                                false, &from, &assigned);
    if (error) {
        cluster_op_finish__(op, 409, cluster_error_body__("%s", error));
        free(error);
        goto out;
    }
    if (assigned) {
        cluster_assign__(op, assigned, from);
    }
    cluster_register__(op);
out:
    json_decref(ips);
    port_spec_destroy(&spec);
    free(hash);
}

/* The engine answered the delete of 'op': unregister the port. */
static void
cluster_unregister_done__(struct ovsdb_txn *txn,
                          const struct ovsdb_txn_result *r, void *op_)
{
    struct cluster_op *op = op_;
    json_t *body = json_incref(json_object_get(op->info, "body"));
    int status = json_integer_value(json_object_get(op->info, "status"));

    (void) txn;
    if (r->status != OVSDB_TXN_SUCCESS) {
        json_decref(body);
        cluster_op_finish__(op, 503, cluster_error_body__(
                                "the port is gone from this host but the "
                                "cluster database did not take its removal "
                                "(%s): retry the delete",
                                r->error ? r->error : "?"));
        return;
    }
    cluster_op_finish__(op, status, body);
}

static void
cluster_delete_done__(int status, json_t *body, void *op_)
{
    struct cluster_op *op = op_;
    struct cluster *c = op->c;
    bool mine = op->registered;

    if (status < 300 || (status == 404 && mine)) {
        struct ovsdb_txn *txn = cluster_txn__(c);

        if (status == 404) {
            json_decref(body);
            status = 200;
            body = json_pack("{s:s}", "deleted", op->name);
        }
        op->info = json_pack("{s:i, s:o}", "status", status, "body", body);
        cluster_plan_unregister__(c, txn, op->name);
        ovsdb_txn_commit(txn, c->session, cluster_unregister_done__, op);
        return;
    }
    cluster_op_finish__(op, status, body);
}

void
cluster_port_delete(struct cluster *c, const char *name, engine_done_cb *cb,
                    void *aux)
{
    const char *why = cluster_unwritable__(c);
    const json_t *row;
    struct cluster_op *op;

    if (why) {
        cluster_refuse__(cb, aux, 503, gn_xstrdup(why));
        return;
    }
    if (cluster_port_busy__(c, name)) {
        cluster_refuse__(cb, aux, 409, gn_xstrdup(
                             "a request for this port is in progress"));
        return;
    }
    row = cluster_find__(c, "Port", "name", name, NULL);
    if (row) {
        const char *host = ovsdb_datum_string(row, "host");
        json_t *local = engine_port(c->engine, name);

        json_decref(local);
        if (host && strcmp(host, c->host)) {
            if (!local) {
                cluster_refuse__(cb, aux, 409, gn_xasprintf(
                                     "port %s is on host %s: delete it "
                                     "there", name, host));
                return;
            }
            /* A migration's source (the registry moved the port) or
             * destination: this host's port goes, the registry's stays
             * (without this host's request). */
            if (cluster_migration_pending__(c, name)) {
                cluster_migration_withdraw__(c, name);
            }
            engine_port_delete(c->engine, name, cb, aux);
            return;
        }
    }
    op = cluster_op_create__(c, name, cb, aux);
    op->registered = row != NULL;
    engine_port_delete(c->engine, name, cluster_delete_done__, op);
}

/* DELETE /v1/cluster/hosts/NAME: the host's row, its ports and their
 * addresses. */
static void
cluster_host_delete__(struct cluster *c, const char *name,
                      const json_t *params, engine_done_cb *cb, void *aux)
{
    const char *force = json_string_value(json_object_get(params, "force"));
    const json_t *row = cluster_find__(c, "Host", "name", name, NULL);
    struct ovsdb_replica_index_iter it;
    const char *uuid, *why = cluster_unwritable__(c);
    struct ovsdb_txn *txn;
    struct cluster_op *op;
    json_t *host;
    int n = 0;

    if (why) {
        cluster_refuse__(cb, aux, 503, gn_xstrdup(why));
        return;
    }
    if (!row) {
        cluster_refuse__(cb, aux, 404, gn_xasprintf("no host \"%s\" in the "
                                                    "cluster", name));
        return;
    }
    if (!strcmp(name, c->host)) {
        cluster_refuse__(cb, aux, 409, gn_xstrdup(
                             "this is the host answering: remove it from "
                             "another host, after stopping its guestnetd"));
        return;
    }
    host = cluster_host_json__(c, row);
    if (json_is_true(json_object_get(host, "connected"))
        && !(force && !strcmp(force, "true"))) {
        cluster_refuse__(cb, aux, 409, gn_xasprintf(
                             "host %s is connected (seen %lld ms ago): stop "
                             "its guestnetd first, or force the removal",
                             name,
                             (long long) json_integer_value(json_object_get(
                                 host, "last_seen_ms_ago"))));
        json_decref(host);
        return;
    }
    json_decref(host);
    txn = cluster_txn__(c);
    ovsdb_txn_delete(txn, "Host", cluster_where__("name", name));
    OVSDB_REPLICA_INDEX_FOR_EACH (uuid, it, c->replica, "Port", "host", name) {
        const json_t *p = ovsdb_replica_get_row(c->replica, "Port", uuid);
        const char *pname = ovsdb_datum_string(p, "name");
        ovsdb_txn_delete(txn, "Address", json_pack(
                             "[[s, s, s], [s, s, s]]", "owner", "==", pname,
                             "kind", "==", "port"));
        n++;
    }
    ovsdb_txn_delete(txn, "Port", cluster_where__("host", name));
    op = cluster_op_create__(c, name, cb, aux);
    op->info = json_pack("{s:i, s:{s:s, s:i}}", "status", 200, "body",
                         "host", name, "ports_removed", n);
    GN_LOG_INFO("removing host %s and its %d ports from the cluster", name,
                n);
    ovsdb_txn_commit(txn, c->session, cluster_unregister_done__, op);
}

void
cluster_ports_handle__(struct cluster *c, const char *method,
                       const char *path, const json_t *params,
                       engine_done_cb *cb, void *aux)
{
    bool get = !strcmp(method, "GET");

    if (get && !strcmp(path, "/ports")) {
        json_t *ports = json_array();
        const char *uuid;
        const json_t *row;

        OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Port") {
            json_array_append_new(ports, cluster_port_json__(row));
        }
        cb(200, json_pack("{s:o}", "ports", ports), aux);
    } else if (get && !strncmp(path, "/ports/", 7) && path[7]) {
        const json_t *row = cluster_find__(c, "Port", "name", path + 7,
                                           NULL);
        if (row) {
            cb(200, cluster_port_json__(row), aux);
        } else {
            cluster_refuse__(cb, aux, 404, gn_xstrdup(
                                 "no such port in the cluster"));
        }
    } else if (!strcmp(method, "DELETE") && !strncmp(path, "/hosts/", 7)
               && path[7] && !strchr(path + 7, '/')) {
        cluster_host_delete__(c, path + 7, params, cb, aux);
    } else {
        cluster_refuse__(cb, aux, 405, gn_xstrdup(
                             "method not allowed for this endpoint"));
    }
}
