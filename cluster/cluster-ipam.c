/* cluster-ipam.c: the addresses the cluster's registry assigns.  In a
 * network where guestnet serves DHCP (dhcp_network_server(): "dhcp" not
 * false, an IPv4 subnet with an IPv4 gateway), a port
 * add that declares no IPv4 address (and is not the network's server)
 * gets a free address of the gateway's subnet: none of its network and
 * broadcast addresses, the network's gateways, an Address row of the
 * network or an add of this host in progress.  cluster-ports.c inserts
 * its Address row in the transaction that registers the port; the
 * (network, ip) index refuses it if another host took it meanwhile, and
 * the add tries the next free one.  The Port row lists it in "ips" and in
 * its external_ids "ips-assigned"; the engine gets it as an assigned
 * address (engine_set_external_ipam()), and a migration's destination or
 * a retry reads it from the row.
 *
 * Cost: a search looks at the subnet's addresses in order from where the
 * last try ended, one index lookup each (a full /16: some 65,000). */
#include <config.h>

#include "cluster-private.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"
#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "netaddr.h"
#include "ovsdb-replica.h"
#include "ports.h"

GN_LOG_MODULE(cluster_ipam);

/* True if the text 'ip' is the address an add of this host in progress
 * was given in network 'net'. */
static bool
cluster_ipam_pending__(const struct cluster *c, const char *net,
                       const char *ip)
{
    for (const struct cluster_op *op = c->ops; op; op = op->next) {
        const char *a = json_string_value(json_object_get(op->info,
                                                          "assigned"));
        const char *n = json_string_value(json_object_get(op->info,
                                                          "network"));
        if (a && n && !strcmp(a, ip) && !strcmp(n, net)) {
            return true;
        }
    }
    return false;
}

/* True if the text 'ip' is the address a registration of an adopted
 * port in flight was given in network 'net'. */
static bool
cluster_ipam_repairing__(const struct cluster *c, const char *net,
                         const char *ip)
{
    char *key = gn_xasprintf("%s %s", net, ip);
    bool found = json_object_get(c->ipam_repairs, key) != NULL;

    free(key);
    return found;
}

/* True if the text 'ip' has an Address row in network 'net'. */
static bool
cluster_ipam_taken__(const struct cluster *c, const char *net,
                     const char *ip)
{
    const json_t *rows = ovsdb_replica_index_lookup(c->replica, "Address",
                                                    "ip", ip);
    const char *uuid;
    json_t *v;

    json_object_foreach ((json_t *) rows, uuid, v) {
        const json_t *a = ovsdb_replica_get_row(c->replica, "Address", uuid);
        const char *n = ovsdb_datum_string(a, "network");

        if (n && !strcmp(n, net)) {
            return true;
        }
    }
    return false;
}

bool
cluster_ipam_wants__(const struct cluster *c, const char *network,
                     bool server, const json_t *ips)
{
    const struct gn_network *net = gn_config_find_network(
        engine_config(c->engine), network);
    const json_t *v;
    size_t i;

    if (!net || server || !dhcp_network_server(net, NULL)) {
        return false;
    }
    json_array_foreach (ips, i, v) {
        if (!strchr(json_string_value(v), ':')) {
            return false;
        }
    }
    return true;
}

char *
cluster_ipam_next__(const struct cluster *c, const char *network,
                    uint64_t *from, char *ip, size_t size)
{
    const struct gn_network *net = gn_config_find_network(
        engine_config(c->engine), network);
    const struct netaddr_ip *subnet;
    struct netaddr_ip cand;
    uint32_t base;
    uint64_t n;

    if (!net || !dhcp_network_server(net, &subnet)) {
        return gn_xasprintf("network \"%s\" changed meanwhile: retry",
                            network);
    }
    base = ntohl(subnet->addr.v4.s_addr);
    n = UINT64_C(1) << (32 - subnet->plen);
    cand = *subnet;
    for (uint64_t h = *from; h < n; h++) {
        bool gateway = false;

        cand.addr.v4.s_addr = htonl(base + (uint32_t) h);
        for (size_t k = 0; k < net->n_gateways; k++) {
            gateway |= netaddr_ip_same_addr(&cand, &net->gateways[k]);
        }
        if (gateway || netaddr_reserved_in_subnet(&cand, subnet)) {
            continue;
        }
        netaddr_format_ip(&cand, ip, size);
        if (!cluster_ipam_taken__(c, net->name, ip)
            && !cluster_ipam_pending__(c, net->name, ip)
            && !cluster_ipam_repairing__(c, net->name, ip)) {
            *from = h + 1;
            return NULL;
        }
    }
    *from = n;
    netaddr_format_ip(subnet, ip, size);
    return gn_xasprintf("network \"%s\" has no free address left in %s/%u "
                          "to assign (declare one in \"ips\")", net->name,
                        ip, subnet->plen);
}

static int
cluster_ipam_cmp__(const void *a_, const void *b_)
{
    json_t *const *a = a_, *const *b = b_;

    return strcmp(json_string_value(*a), json_string_value(*b));
}

/* The "ips" of an add request for the engine (new): the declared
 * addresses 'declared' (canonical texts) sorted, then 'assigned', the
 * same whichever order the request or the registry row lists them in (a
 * retry's request hashes as the add's did). */
static json_t *
cluster_ipam_ips__(const json_t *declared, const char *assigned)
{
    size_t n = json_array_size(declared);
    json_t **v = gn_xcalloc(n + 1, sizeof *v);
    json_t *ips = json_array();

    for (size_t i = 0; i < n; i++) {
        v[i] = json_array_get(declared, i);
    }
    qsort(v, n, sizeof *v, cluster_ipam_cmp__);
    for (size_t i = 0; i < n; i++) {
        json_array_append(ips, v[i]);
    }
    json_array_append_new(ips, json_string(assigned));
    free(v);
    return ips;
}

void
cluster_ipam_req__(const json_t *row, json_t *req)
{
    const char *assigned = ovsdb_datum_map_get_string(
        row, "external_ids", CLUSTER_ASSIGNED_KEY);
    json_t *declared;

    if (!assigned || !*assigned) {
        return;
    }
    declared = cluster_strings__(row, "ips");
    for (size_t i = json_array_size(declared); i-- > 0;) {
        if (!strcmp(json_string_value(json_array_get(declared, i)),
                    assigned)) {
            json_array_remove(declared, i);
        }
    }
    json_object_set_new(req, "ips", cluster_ipam_ips__(declared, assigned));
    json_object_set_new(req, PORTS_ASSIGNED_FIELD, json_string(assigned));
    json_decref(declared);
}

json_t *
cluster_list__(const char *list)
{
    json_t *items = json_array();

    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");

        json_array_append_new(items, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return items;
}

bool
cluster_ipam_assigned__(const json_t *row, const char *ip)
{
    const char *list = ovsdb_datum_map_get_string(row, "external_ids",
                                                  CLUSTER_ASSIGNED_KEY);
    json_t *items = cluster_list__(list ? list : "");
    const json_t *v;
    bool found = false;
    size_t i;

    json_array_foreach (items, i, v) {
        found |= !strcmp(json_string_value(v), ip);
    }
    json_decref(items);
    return found;
}

void
cluster_assign__(struct cluster_op *op, const char *ip, uint64_t from)
{
    json_object_set_new(op->req, "ips", cluster_ipam_ips__(
                            json_object_get(op->info, "ips"), ip));
    json_object_set_new(op->req, PORTS_ASSIGNED_FIELD, json_string(ip));
    json_object_set_new(op->info, "assigned", json_string(ip));
    json_object_set_new(op->info, "from", json_integer((json_int_t) from));
}

bool
cluster_reassign__(struct cluster_op *op)
{
    const json_t *info = op->info;
    uint64_t from = json_integer_value(json_object_get(info, "from"));
    char ip[INET6_ADDRSTRLEN], *why, *error;

    if (!json_object_get(info, "assigned")
        || op->n_tries++ >= CLUSTER_IPAM_TRIES) {
        return false;
    }
    why = cluster_clash__(op->c, op->name, json_string_value(
                              json_object_get(info, "network")),
                          json_string_value(json_object_get(info, "mac")),
                          json_object_get(info, "ips"));
    if (why) {
        free(why);
        return false;
    }
    json_object_del(op->info, "assigned");     /* Not pending any more. */
    error = cluster_ipam_next__(op->c, json_string_value(json_object_get(
                                    info, "network")), &from, ip, sizeof ip);
    if (error) {
        cluster_op_finish__(op, 409, cluster_error_body__("%s", error));
        free(error);
        return true;
    }
    GN_LOG_INFO("port %s: the address assigned was taken in the cluster "
                "meanwhile: trying %s", op->name, ip);
    cluster_assign__(op, ip, from);
    cluster_register__(op);
    return true;
}
