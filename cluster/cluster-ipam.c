/* cluster-ipam.c: the addresses the cluster's registry assigns.  In a
 * network where guestnet serves DHCP (dhcp_network_server(): "dhcp" not
 * false, an IPv4 subnet with an IPv4 gateway), a port
 * add that declares no IPv4 address (and is not the network's server)
 * gets a free address of the gateway's subnet: none of its network and
 * broadcast addresses, the network's gateways, an Address row of the
 * network or an add of this host in progress.  A port that declares no
 * address at all also gets the EUI-64 address of its MAC in each IPv6
 * subnet of /64 or wider, as engine-ipam.c gives it on one host: unique
 * in the network as its MAC is (the registry's (network, mac) index), so
 * only a port that declared it can hold it, and then the add is refused
 * naming that port (a port registered after the fact gets the others, as
 * a single host gives them).  cluster-ports.c inserts an Address row for each in
 * the transaction that registers the port; the (network, ip) index
 * refuses it if another host took the IPv4 one meanwhile, and the add
 * tries the next free one.  The Port row lists them in "ips" and in its
 * external_ids "ips-assigned" (IPv4 first); the engine gets them as
 * assigned addresses (engine_set_external_ipam()), and a migration's
 * destination or a retry reads them from the row.
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

/* True if the text 'ip' is one of the addresses an add of this host in
 * progress was given in network 'net'. */
static bool
cluster_ipam_pending__(const struct cluster *c, const char *net,
                       const char *ip)
{
    for (const struct cluster_op *op = c->ops; op; op = op->next) {
        const json_t *a = json_object_get(op->info, "assigned");
        const char *n = json_string_value(json_object_get(op->info,
                                                          "network"));
        const json_t *v;
        size_t i;

        json_array_foreach (a, i, v) {
            if (n && !strcmp(json_string_value(v), ip) && !strcmp(n, net)) {
                return true;
            }
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

const json_t *
cluster_address_row__(const struct cluster *c, const char *net,
                      const char *ip)
{
    struct ovsdb_replica_index_iter it;
    const char *uuid;

    OVSDB_REPLICA_INDEX_FOR_EACH (uuid, it, c->replica, "Address", "ip", ip) {
        const json_t *a = ovsdb_replica_get_row(c->replica, "Address", uuid);
        const char *n = ovsdb_datum_string(a, "network");

        if (n && !strcmp(n, net)) {
            return a;
        }
    }
    return NULL;
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
        if (!cluster_address_row__(c, net->name, ip)
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

/* Appends to 'assigned' the text of the EUI-64 address of 'mac' in each
 * IPv6 subnet of /64 or wider of 'net' (engine-ipam.c's choice on one
 * host), but one that is reserved in its subnet or a gateway.  One that
 * somebody holds in the registry (a port that declared it) is left out
 * if 'skip_taken' (logged), else the answer is a malloc'd message naming
 * the holder; NULL otherwise. */
static char *
cluster_ipam_eui64__(const struct cluster *c, const struct gn_network *net,
                     const char *mac, bool skip_taken, json_t *assigned)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(1, 5);
    struct netaddr_mac m;
    char *error = netaddr_parse_mac(mac, true, &m);

    if (error) {
        return error;
    }
    for (size_t i = 0; i < net->n_subnets; i++) {
        const struct netaddr_ip *s6 = &net->subnets[i];
        struct netaddr_ip cand;
        char ip[INET6_ADDRSTRLEN];
        bool gateway = false;
        json_t *one;

        if (s6->family != AF_INET6 || s6->plen > 64) {
            continue;
        }
        netaddr_eui64(s6, &m, &cand);
        for (size_t k = 0; k < net->n_gateways; k++) {
            gateway |= netaddr_ip_same_addr(&cand, &net->gateways[k]);
        }
        if (gateway || netaddr_reserved_in_subnet(&cand, s6)) {
            continue;
        }
        netaddr_format_ip(&cand, ip, sizeof ip);
        one = json_pack("[s]", ip);
        error = cluster_address_clash__(c, net->name, one);
        json_decref(one);
        if (error && !skip_taken) {
            return error;
        }
        if (error) {
            GN_LOG_WARN_RL(&rl, "port with MAC %s: not assigning its EUI-64 "
                           "address: %s", mac, error);
            free(error);
            continue;
        }
        json_array_append_new(assigned, json_string(ip));
    }
    return NULL;
}

char *
cluster_ipam_pick__(const struct cluster *c, const char *network,
                    bool server, const char *mac, const json_t *ips,
                    bool skip_taken, uint64_t *from, json_t **assigned)
{
    const struct gn_network *net = gn_config_find_network(
        engine_config(c->engine), network);
    char ip[INET6_ADDRSTRLEN], *error;

    *assigned = NULL;
    if (!cluster_ipam_wants__(c, network, server, ips)) {
        return NULL;
    }
    error = cluster_ipam_next__(c, network, from, ip, sizeof ip);
    if (error) {
        return error;
    }
    *assigned = json_pack("[s]", ip);
    if (!json_array_size(ips)) {
        error = cluster_ipam_eui64__(c, net, mac, skip_taken, *assigned);
    }
    if (error) {
        json_decref(*assigned);
        *assigned = NULL;
    }
    return error;
}

char *
cluster_ipam_join__(const json_t *items)
{
    struct gn_buf buf = GN_BUF_INIT;
    const json_t *v;
    char *text;
    size_t i;

    json_array_foreach (items, i, v) {
        gn_buf_printf(&buf, "%s%s", i ? "," : "", json_string_value(v));
    }
    text = gn_xstrdup(gn_buf_cstr(&buf));
    gn_buf_destroy(&buf);
    return text;
}

json_t *
cluster_ipam_fixed__(const json_t *info)
{
    json_t *ips = json_deep_copy(json_object_get(info, "ips"));
    const json_t *assigned = json_object_get(info, "assigned");

    for (size_t i = 1; i < json_array_size(assigned); i++) {
        json_array_append(ips, json_array_get(assigned, i));
    }
    return ips;
}

static int
cluster_ipam_cmp__(const void *a_, const void *b_)
{
    json_t *const *a = a_, *const *b = b_;

    return strcmp(json_string_value(*a), json_string_value(*b));
}

/* The "ips" of an add request for the engine (new): the declared
 * addresses 'declared' (canonical texts) sorted, then those of the array
 * 'assigned' in its order, the same whichever order the request or the
 * registry row lists the declared ones in (a retry's request hashes as
 * the add's did). */
static json_t *
cluster_ipam_ips__(const json_t *declared, const json_t *assigned)
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
    json_array_extend(ips, (json_t *) assigned);
    free(v);
    return ips;
}

void
cluster_ipam_req__(const json_t *row, json_t *req)
{
    const char *assigned = ovsdb_datum_map_get_string(
        row, "external_ids", CLUSTER_ASSIGNED_KEY);
    json_t *declared, *list;

    if (!assigned || !*assigned) {
        return;
    }
    declared = cluster_strings__(row, "ips");
    for (size_t i = json_array_size(declared); i-- > 0;) {
        if (cluster_ipam_not_requested__(row, json_string_value(
                                        json_array_get(declared, i)))) {
            json_array_remove(declared, i);
        }
    }
    list = cluster_list__(assigned);
    json_object_set_new(req, "ips", cluster_ipam_ips__(declared, list));
    json_object_set_new(req, PORTS_ASSIGNED_FIELD, json_string(assigned));
    json_decref(declared);
    json_decref(list);
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
cluster_ipam_not_requested__(const json_t *row, const char *ip)
{
    const char *list = ovsdb_datum_map_get_string(row, "external_ids",
                                                  CLUSTER_ASSIGNED_KEY);
    json_t *items = cluster_list__(list ? list : "");
    const json_t *v;
    bool found = cluster_ip_learned__(row, ip);
    size_t i;

    json_array_foreach (items, i, v) {
        found |= !strcmp(json_string_value(v), ip);
    }
    json_decref(items);
    return found;
}

void
cluster_ipam_json__(const json_t *row, json_t *j)
{
    const char *assigned = ovsdb_datum_map_get_string(row, "external_ids",
                                                      CLUSTER_ASSIGNED_KEY);
    json_t *learned = json_array();
    const json_t *ip;
    size_t i;

    if (assigned) {
        json_object_set_new(j, "ips_assigned", cluster_list__(assigned));
    }
    json_array_foreach (json_object_get(j, "ips"), i, ip) {
        if (cluster_ip_learned__(row, json_string_value(ip))) {
            json_array_append(learned, (json_t *) ip);
        }
    }
    json_object_set_new(j, "ips_learned", learned);
}

bool
cluster_ip_learned__(const json_t *row, const char *ip)
{
    char *key = gn_xasprintf("%s%s", CLUSTER_LEARNED_PREFIX, ip);
    const char *v = ovsdb_datum_map_get_string(row, "external_ids", key);

    free(key);
    return v != NULL;
}

void
cluster_assign__(struct cluster_op *op, json_t *assigned, uint64_t from)
{
    char *text = cluster_ipam_join__(assigned);

    json_object_set_new(op->req, "ips", cluster_ipam_ips__(
                            json_object_get(op->info, "ips"), assigned));
    json_object_set_new(op->req, PORTS_ASSIGNED_FIELD, json_string(text));
    json_object_set_new(op->info, "assigned", assigned);
    json_object_set_new(op->info, "from", json_integer((json_int_t) from));
    free(text);
}

bool
cluster_reassign__(struct cluster_op *op)
{
    const json_t *info = op->info;
    uint64_t from = json_integer_value(json_object_get(info, "from"));
    char ip[INET6_ADDRSTRLEN], *why, *error;
    json_t *assigned, *fixed;

    if (!json_object_get(info, "assigned")
        || op->n_tries++ >= CLUSTER_IPAM_TRIES) {
        return false;
    }
    fixed = cluster_ipam_fixed__(info);
    why = cluster_clash__(op->c, op->name, json_string_value(
                              json_object_get(info, "network")),
                          json_string_value(json_object_get(info, "mac")),
                          fixed);
    json_decref(fixed);
    if (why) {
        free(why);
        return false;
    }
    /* Not pending any more; the EUI-64 ones stay the port's. */
    assigned = json_deep_copy(json_object_get(info, "assigned"));
    json_object_del(op->info, "assigned");
    error = cluster_ipam_next__(op->c, json_string_value(json_object_get(
                                    info, "network")), &from, ip, sizeof ip);
    if (error) {
        json_decref(assigned);
        cluster_op_finish__(op, 409, cluster_error_body__("%s", error));
        free(error);
        return true;
    }
    GN_LOG_INFO("port %s: the address assigned was taken in the cluster "
                "meanwhile: trying %s", op->name, ip);
    json_array_set_new(assigned, 0, json_string(ip));
    cluster_assign__(op, assigned, from);
    cluster_register__(op);
    return true;
}
