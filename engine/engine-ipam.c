/* engine-ipam.c: the addresses guestnet assigns.  In a network where it
 * serves DHCP (dhcp_network_server(): "dhcp" on, an IPv4 subnet with an
 * IPv4 gateway), a port that declares no IPv4 address gets the first free
 * address of the gateway's subnet, skipping its network and broadcast
 * addresses, every gateway of the network and every address a port of
 * the network has or an add in progress asks for; a port that declares no
 * address at all also gets the EUI-64 address of its MAC (RFC 4291,
 * appendix A) in each IPv6 subnet of /64 or wider, which is what a guest
 * forms by SLAAC from such a prefix by default, unique in the network as
 * its MAC is.  The network's server port gets none (it keeps undeclared
 * mode: include/pipeline.h), and while a network has a server port on the
 * bridge, no port added or adopted meanwhile gets any: the server leases
 * them, and engine-snoop.c binds its leases (the addresses assigned
 * before stay).  With engine_set_external_ipam() (cluster mode) the
 * engine picks none itself: an add brings those the cluster's registry
 * assigned, and an adopted port gets those the registry names through
 * engine_give_addresses(), server port or not.
 *
 * The addresses are recorded like declared ones, in the Interface's
 * external_ids "guestnet:ips" (in the OVSDB transaction that adds the
 * port, or, for a port someone else attached, in one of their own), and
 * listed in "guestnet:ips-assigned": a restart finds them there, the port
 * view binds them into the port's flows, and the DHCP server
 * (engine-dhcp.c) hands the IPv4 one out.
 *
 * Cost: the search for a free IPv4 address looks at the subnet's
 * addresses in order, one index lookup each (a full /16: some 65,000); a
 * pass over adopted ports goes on in each network where the last search
 * ended, so it looks at each address once. */
#include <config.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"
#include "engine-private.h"
#include "gn-config.h"
#include "gn-log.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "port-view.h"

GN_LOG_MODULE(ipam);

/* Stores in 'has_server' (one per network of the config) whether each
 * network has a server port on the bridge: guestnet assigns nothing
 * there, the server leases (engine-snoop.c). */
static void
engine_ipam_servers__(struct engine *e, bool *has_server)
{
    size_t n;
    const struct pipeline_port *ports = port_view_pipeline_ports(
        engine_view__(e), &n);

    memset(has_server, 0, e->cfg->n_networks * sizeof *has_server);
    for (size_t i = 0; i < n; i++) {
        const struct gn_network *net = gn_config_find_vlan(e->cfg,
                                                           ports[i].vlan);

        if (net && ports[i].server && !ports[i].remote) {
            has_server[net - e->cfg->networks] = true;
        }
    }
}

/* True if 'ip' may be assigned in 'net' (its VLAN): not reserved in
 * 'subnet', no gateway, no port's. */
static bool
engine_ipam_free__(struct engine *e, const struct gn_network *net,
                   const struct netaddr_ip *subnet,
                   const struct netaddr_ip *ip)
{
    if (netaddr_reserved_in_subnet(ip, subnet)) {
        return false;
    }
    for (size_t i = 0; i < net->n_gateways; i++) {
        if (netaddr_ip_same_addr(ip, &net->gateways[i])) {
            return false;
        }
    }
    return !engine_ip_owner__(e, net->vlan, ip);
}

/* Stores in '*ip' the first free IPv4 address of 'subnet' of 'net' from
 * its '*from'th on, and moves '*from' past it (a pass that assigns
 * several goes on where the last ended: the earlier ones are taken).
 * Returns false if there is none. */
static bool
engine_ipam_v4__(struct engine *e, const struct gn_network *net,
                 const struct netaddr_ip *subnet, struct netaddr_ip *ip,
                 uint64_t *from)
{
    uint32_t base = ntohl(subnet->addr.v4.s_addr);
    uint64_t size = UINT64_C(1) << (32 - subnet->plen);

    *ip = *subnet;
    for (uint64_t h = *from; h < size; h++) {
        ip->addr.v4.s_addr = htonl(base + (uint32_t) h);
        if (engine_ipam_free__(e, net, subnet, ip)) {
            *from = h + 1;
            return true;
        }
    }
    *from = size;
    return false;
}

/* Picks the addresses for a port of 'net' with 'mac', which declares the
 * 'n_declared' addresses 'declared': stores them in 'out' (room for
 * 1 + net->n_subnets) and returns how many, or -1 if the DHCP subnet is
 * full.  Returns 0 if guestnet assigns it nothing.  The IPv4 search
 * starts at the '*from'th address of the subnet (see
 * engine_ipam_v4__()). */
static int
engine_ipam_pick__(struct engine *e, const struct gn_network *net,
                   const struct netaddr_mac *mac,
                   const struct netaddr_ip *declared, size_t n_declared,
                   struct netaddr_ip *out, uint64_t *from)
{
    const struct netaddr_ip *subnet;
    int n = 0;

    if (!dhcp_network_server(net, &subnet)) {
        return 0;
    }
    for (size_t i = 0; i < n_declared; i++) {
        if (declared[i].family == AF_INET) {
            return 0;
        }
    }
    if (!engine_ipam_v4__(e, net, subnet, &out[n], from)) {
        return -1;
    }
    n++;
    for (size_t i = 0; !n_declared && i < net->n_subnets; i++) {
        const struct netaddr_ip *s6 = &net->subnets[i];

        if (s6->family == AF_INET6 && s6->plen <= 64) {
            netaddr_eui64(s6, mac, &out[n]);
            if (engine_ipam_free__(e, net, s6, &out[n])) {
                n++;
            }
        }
    }
    return n;
}

/* Appends the 'n' addresses 'ips', comma-separated, to 'buf'. */
static void
engine_ipam_format__(struct gn_buf *buf, const struct netaddr_ip *ips,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char s[INET6_ADDRSTRLEN];

        netaddr_format_ip(&ips[i], s, sizeof s);
        gn_buf_printf(buf, "%s%s", buf->len ? "," : "", s);
    }
}

char *
engine_ipam_assign__(struct engine *e, struct port_spec *spec)
{
    const struct gn_network *net = gn_config_find_network(e->cfg,
                                                          spec->network);
    struct netaddr_ip *picked;
    struct gn_buf list = GN_BUF_INIT;
    uint64_t from = 0;
    int n;

    if (!net || spec->server) {
        return NULL;
    }
    bool *has_server = gn_xcalloc(e->cfg->n_networks + 1,
                                  sizeof *has_server);
    engine_ipam_servers__(e, has_server);
    bool served = has_server[net - e->cfg->networks];
    free(has_server);
    if (served) {
        GN_LOG_INFO("port %s: network \"%s\" has a server port: its "
                    "DHCP server leases the addresses", spec->name,
                    net->name);
        return NULL;
    }
    picked = gn_xcalloc(net->n_subnets + 1, sizeof *picked);
    n = engine_ipam_pick__(e, net, &spec->mac, spec->ips, spec->n_ips,
                           picked, &from);
    if (n < 0) {
        const struct netaddr_ip *subnet;
        char s[INET6_ADDRSTRLEN];

        free(picked);
        dhcp_network_server(net, &subnet);
        netaddr_format_ip(subnet, s, sizeof s);
        return gn_xasprintf("network \"%s\" has no free address left in "
                            "%s/%u to assign (declare one in \"ips\")",
                            net->name, s, subnet->plen);
    }
    if (!n) {
        free(picked);
        return NULL;
    }
    spec->ips = gn_xrealloc(spec->ips, (spec->n_ips + n) * sizeof *spec->ips);
    for (int i = 0; i < n; i++) {
        bool have_gw = false;

        spec->ips[spec->n_ips++] = picked[i];
        /* A default route of the family, through the network's gateway
         * of that family (LXC guests in a namespace get it set). */
        for (size_t k = 0; k < spec->n_gateways; k++) {
            have_gw |= spec->gateways[k].family == picked[i].family;
        }
        for (size_t k = 0; !have_gw && k < net->n_gateways; k++) {
            if (net->gateways[k].family == picked[i].family) {
                spec->gateways[spec->n_gateways++] = net->gateways[k];
                have_gw = true;
            }
        }
    }
    engine_ipam_format__(&list, picked, n);
    spec->assigned = gn_xstrdup(gn_buf_cstr(&list));
    GN_LOG_INFO("port %s: assigned %s", spec->name, spec->assigned);
    gn_buf_destroy(&list);
    free(picked);
    return NULL;
}

void
engine_set_external_ipam(struct engine *e, bool external)
{
    e->ipam_external = external;
}

void
engine_ipam_txn_done__(struct engine *e)
{
    struct gn_strmap_node *node;

    GN_STRMAP_FOR_EACH (node, &e->ipam_pending) {
        free(node->value);
    }
    gn_strmap_destroy(&e->ipam_pending);
}

/* Adds to 'txn' the ops that record 'ips' (comma-separated) as the
 * assigned addresses of port 'name' on its Interface 'iface_uuid'.
 * Returns the number of ops. */
static int
engine_ipam_plan_ips__(struct ovsdb_txn *txn, const char *iface_uuid,
                       const char *name, const char *ips)
{
    /* "insert" leaves a key that someone wrote meanwhile alone; the wait
     * fails the transaction if another port took the addresses since the
     * replica showed it (the next pass picks again; in cluster mode the
     * registry's repair gives them again). */
    ovsdb_txn_wait(txn, "Interface", json_pack(
                       "[[s, s, o]]", "external_ids", "includes",
                       ovsdb_datum_map(json_pack("{s:s}", PORTS_IPS_KEY,
                                                 ips))),
                   json_pack("[s]", "name"), "==", json_array(), 0);
    ovsdb_txn_mutate(txn, "Interface", ovsdb_where_uuid(iface_uuid),
                     json_pack("[[s, s, o]]", "external_ids", "insert",
                               ovsdb_datum_map(json_pack(
                                   "{s:s, s:s}", PORTS_IPS_KEY, ips,
                                   PORTS_IPS_ASSIGNED_KEY, ips))));
    GN_LOG_INFO("port %s: assigned %s", name, ips);
    return 2;
}

void
engine_give_addresses(struct engine *e, const char *name, const char *ips)
{
    struct gn_strmap_node *node;

    if (!name) {
        GN_STRMAP_FOR_EACH (node, &e->ipam_given) {
            free(node->value);
        }
        gn_strmap_destroy(&e->ipam_given);
        return;
    }
    free(gn_strmap_put(&e->ipam_given, name, gn_xstrdup(ips)));
    e->idle_valid = false;      /* The next pass plans it. */
    engine_schedule__(e);
}

int
engine_ipam_plan_adopted__(struct engine *e, struct ovsdb_txn *txn)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(1, 5);
    size_t n_ports;
    const struct pipeline_port *ports = port_view_pipeline_ports(
        engine_view__(e), &n_ports);
    /* Per network, where this pass's search goes on (see
     * engine_ipam_v4__()): the addresses it picked are not in the view
     * yet. */
    uint64_t *from = gn_xcalloc(e->cfg->n_networks + 1, sizeof *from);
    bool *has_server = gn_xcalloc(e->cfg->n_networks + 1,
                                  sizeof *has_server);
    int n_ops = 0;

    engine_ipam_servers__(e, has_server);

    for (size_t i = 0; i < n_ports; i++) {
        const struct pipeline_port *p = &ports[i];
        const struct gn_network *net;
        struct netaddr_ip *picked;
        struct gn_buf list = GN_BUF_INIT;
        const char *br = engine_bridge_uuid__(e), *iface_uuid;
        const json_t *iface;
        char *uuid;
        int n;

        if (p->n_ips || p->server || p->remote || p->blocked
            || !(net = gn_config_find_vlan(e->cfg, p->vlan))
            || !br || !(uuid = port_find(e->replica, br, p->name))) {
            continue;
        }
        iface = port_iface(e->replica, ovsdb_replica_get_row(
                               e->replica, "Port", uuid), &iface_uuid);
        free(uuid);
        if (!iface || ovsdb_datum_map_get_string(iface, "external_ids",
                                                 PORTS_IPS_KEY)) {
            continue;
        }
        if (e->ipam_external) {
            char *given = gn_strmap_remove(&e->ipam_given, p->name);

            if (given) {
                n_ops += engine_ipam_plan_ips__(txn, iface_uuid, p->name,
                                                given);
                free(given);
            }
            continue;
        }
        if (has_server[net - e->cfg->networks]) {
            continue;           /* Its server leases (engine-snoop.c). */
        }
        picked = gn_xcalloc(net->n_subnets + 1, sizeof *picked);
        n = engine_ipam_pick__(e, net, &p->mac, NULL, 0, picked,
                               &from[net - e->cfg->networks]);
        if (n <= 0) {
            if (n < 0) {
                GN_LOG_WARN_RL(&rl, "port %s: network \"%s\" has no free "
                               "address left to assign", p->name,
                               net->name);
            }
            free(picked);
            continue;
        }
        engine_ipam_format__(&list, picked, n);
        engine_ipam_plan_ips__(txn, iface_uuid, p->name, gn_buf_cstr(&list));
        gn_buf_destroy(&list);
        for (int k = 0; k < n; k++) {
            char key[64], s[INET6_ADDRSTRLEN];

            netaddr_format_ip(&picked[k], s, sizeof s);
            snprintf(key, sizeof key, "%d/%s", net->vlan, s);
            free(gn_strmap_put(&e->ipam_pending, key,
                               gn_xstrdup(p->name)));
        }
        free(picked);
        n_ops += 2;
    }
    free(from);
    free(has_server);
    /* The rest are for ports gone or not bound: forgotten, so that none
     * outlives its port (the registry's repair gives them again while
     * the port needs them). */
    engine_give_addresses(e, NULL, NULL);
    return n_ops;
}
