/* engine-learn.c: the addresses a port's guest takes on first use, in a
 * network where nothing assigns addresses.
 *
 * A network without guestnet's DHCP (its "dhcp" off, or no IPv4 gateway
 * subnet) and without a server port has nobody to give its ports
 * addresses; an operator declares them, or the guest configures one
 * itself (static configuration, SLAAC with its own prefix knowledge,
 * a DHCP server outside the network).  A port of such a network without
 * declared addresses (pipeline_port_learning() in include/pipeline.h)
 * sends nothing from an address of its network's subnets until it has
 * one: the switch sends up IPv4 and ARP from, ARP probes (RFC 5227) for,
 * IPv6 from and duplicate address detection probes for such an address
 * of a family the port has none of, through the port's DHCP meter
 * ("address-learn-punt").  This binds the address to the port if:
 *   - the frame's source MAC (and an ARP sender's hardware address) is
 *     the port's;
 *   - it is in one of the network's subnets and not reserved (a gateway,
 *     a subnet's network or broadcast address, an IPv6 subnet-router
 *     anycast address);
 *   - no other port of the network has it (declared, assigned, leased or
 *     learned, on the bridge or asked for by an add in progress, or, in
 *     cluster mode, another host's), nor is it queued here for another
 *     port (learned or leased);
 *   - it is not the EUI-64 address (RFC 4291, the one SLAAC forms) of
 *     another port's MAC in the network, here or on another host: that
 *     port's own, whenever its guest uses it;
 *   - the port has no address of its family yet (one per family).
 * Refusals are logged (rate-limited) and counted.  In cluster mode
 * (engine_set_learn_registrar()) the binding waits for the cluster's
 * registry to take it first (the port's Port row and an Address row of
 * kind "port": cluster/cluster-ll.c), so that two hosts' guests never
 * hold one address; one the registry refuses is refused as above.
 *
 * A binding is queued and written in the next transaction to the port's
 * (provided the port is still the one that asked, with the same MAC, and
 * still takes addresses on first use)
 * Interface external_ids (nothing ovs-vswitchd reads: no next_cfg), as
 * engine-snoop.c writes a lease: "guestnet:ips" with the address (its
 * others kept) and PORTS_IPS_LEARNED_KEY naming it.  The port view reads
 * it back: from then on the port sends exactly from it, and the address
 * is the port's like a declared one (routed to, and refused to every
 * other port: "address-taken-drop").  A restart finds it in OVSDB and
 * builds the same flows.  It stays the port's until the port goes.  The
 * punted packet itself is not forwarded: the guest's next one passes
 * once the flows are in (a probe that meets no answer is what duplicate
 * address detection expects; a lost first packet is what TCP and ARP
 * retry).
 *
 * Each packet costs a parse of its headers, a walk of the port view's
 * ports, a few index lookups and a walk of the queues: nothing blocks. */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-private.h"
#include "gn-config.h"
#include "gn-log.h"
#include "ip6-frame.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "pipeline.h"
#include "port-view.h"
#include "ports.h"

GN_LOG_MODULE(address_learn);

/* The most bindings waiting for a transaction. */
#define ENGINE_LEARN_QUEUE_MAX 256

static uint16_t
engine_learn_get16__(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

/* The address that the frame 'pkt' ('len' bytes) of a guest with MAC
 * 'mac' claims: an ARP sender's address (an ARP probe's target), an IPv4
 * or IPv6 source, a duplicate address detection probe's target.  Returns
 * NULL or a static reason. */
static const char *
engine_learn_candidate__(const uint8_t *pkt, size_t len,
                         const struct netaddr_mac *mac,
                         struct netaddr_ip *ip)
{
    static const uint8_t arp_eth_ip4[6] = { 0, 1, 8, 0, 6, 4 };
    const uint8_t *l3 = pkt + 14;
    uint16_t type;

    memset(ip, 0, sizeof *ip);
    if (len < 14) {
        return "frame too short";
    }
    if (memcmp(pkt + 6, mac->b, 6)) {
        return "source MAC is not the port's";
    }
    type = engine_learn_get16__(pkt + 12);
    if (type == 0x0806) {
        if (len < 14 + 28 || memcmp(l3, arp_eth_ip4, 6)) {
            return "not an Ethernet/IPv4 ARP packet";
        }
        if (memcmp(l3 + 8, mac->b, 6)) {
            return "ARP sender hardware address is not the port's MAC";
        }
        ip->family = AF_INET;
        ip->plen = 32;
        memcpy(&ip->addr.v4, l3 + 14, 4);
        if (!ip->addr.v4.s_addr) {
            memcpy(&ip->addr.v4, l3 + 24, 4);   /* A probe's target. */
        }
        return NULL;
    }
    if (type == 0x0800) {
        if (len < 14 + 20 || (l3[0] >> 4) != 4) {
            return "not an IPv4 packet";
        }
        ip->family = AF_INET;
        ip->plen = 32;
        memcpy(&ip->addr.v4, l3 + 12, 4);
        return NULL;
    }
    if (type != 0x86dd) {
        return "neither ARP, IPv4 nor IPv6";
    }
    if (len < 14 + 40 || (l3[0] >> 4) != 6) {
        return "not an IPv6 packet";
    }
    ip->family = AF_INET6;
    ip->plen = 128;
    memcpy(&ip->addr.v6, l3 + 8, sizeof ip->addr.v6);
    if (IN6_IS_ADDR_UNSPECIFIED(&ip->addr.v6)) {
        struct ip6_frame f;
        const char *why = ip6_frame_parse(pkt, len, &f);

        if (why) {
            return why;
        }
        if (f.next != IPPROTO_ICMPV6 || f.len < 24 || f.payload[0] != 135
            || f.payload[1] != 0) {
            return "from \"::\" but not a neighbour solicitation";
        }
        memcpy(&ip->addr.v6, f.payload + 8, sizeof ip->addr.v6);
    }
    return NULL;
}

/* True if a port of the network of 'vlan' on the bridge is its server. */
static bool
engine_learn_has_server__(struct engine *e, int vlan)
{
    size_t n;
    const struct pipeline_port *ports = port_view_pipeline_ports(
        engine_view__(e), &n);

    for (size_t i = 0; i < n; i++) {
        if (ports[i].vlan == vlan && ports[i].server && !ports[i].remote) {
            return true;
        }
    }
    return false;
}

/* The name of the port other than 'name' that holds 'ip' in the network
 * of 'vlan' (engine_ip_owner__(): on the bridge, asked for by an add in
 * progress or being taken here; another host's; or queued here as a
 * lease), with '*remote' true for another host's; or NULL.  (Its own
 * queued binding of 'ip' is engine_learn_check__()'s.) */
static const char *
engine_learn_owner__(struct engine *e, int vlan, const char *name,
                     const struct netaddr_ip *ip, bool *remote)
{
    const char *owner = engine_ip_owner__(e, vlan, ip);

    *remote = false;
    if (owner && strcmp(owner, name)) {
        return owner;
    }
    for (size_t i = 0; i < e->remote.n; i++) {
        const struct pipeline_port *r = &e->remote.ports[i];

        /* (The same port on another host: a live migration's source.) */
        for (size_t k = 0; r->vlan == vlan && strcmp(r->name, name)
                           && k < r->n_ips; k++) {
            if (netaddr_ip_same_addr(&r->ips[k], ip)) {
                *remote = true;
                return r->name;
            }
        }
    }
    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        const struct engine_lease *q = &e->snoop_queue[i];

        if (q->vlan == vlan && q->addr.family
            && netaddr_ip_same_addr(&q->addr, ip) && strcmp(q->port, name)) {
            return q->port;
        }
    }
    return NULL;
}

/* If IPv6 address 'ip' has the EUI-64 interface identifier of a MAC
 * that another port of port 'p''s network has (here or on another host),
 * the name of that port: the address it forms by SLAAC is its own. */
static const char *
engine_learn_eui64_owner__(struct engine *e, const struct pipeline_port *p,
                           const struct netaddr_ip *ip)
{
    struct netaddr_mac mac;
    struct in6_addr ll;

    if (ip->family != AF_INET6) {
        return NULL;
    }
    /* The link-local address with the same interface identifier. */
    memset(&ll, 0, sizeof ll);
    ll.s6_addr[0] = 0xfe;
    ll.s6_addr[1] = 0x80;
    memcpy(ll.s6_addr + 8, ip->addr.v6.s6_addr + 8, 8);
    if (!ip6_link_local_mac(&ll, mac.b)
        || !memcmp(&mac, &p->mac, sizeof mac)) {
        return NULL;
    }
    return engine_mac_owner__(e, p->vlan, &mac, p->name);
}

/* Decides whether 'ip' may be bound to port 'p'.  Returns NULL (queue
 * it), "" (nothing to do: queued for it already) or a reason to refuse it
 * (static, or in 'buf' of 'size' bytes). */
static const char *
engine_learn_check__(struct engine *e, const struct pipeline_port *p,
                     const struct netaddr_ip *ip, char *buf, size_t size)
{
    const struct gn_network *net = gn_config_find_vlan(e->cfg, p->vlan);
    const char *owner, *reserved;
    bool in_subnet = false, remote;

    if (!net || !pipeline_port_learning(net, p, engine_learn_has_server__(
                                            e, p->vlan))) {
        return "the port does not take addresses on first use";
    }
    for (size_t i = 0; i < p->n_ips; i++) {
        if (p->ips[i].family == ip->family) {
            return "the port has an address of that family already";
        }
    }
    for (size_t i = 0; i < net->n_subnets; i++) {
        if (netaddr_ip_in_subnet(ip, &net->subnets[i])) {
            in_subnet = true;
            reserved = netaddr_reserved_in_subnet(ip, &net->subnets[i]);
            if (reserved) {
                snprintf(buf, size, "reserved: %s", reserved);
                return buf;
            }
        }
    }
    if (!in_subnet) {
        return "not in a subnet of the port's network";
    }
    for (size_t i = 0; i < net->n_gateways; i++) {
        if (netaddr_ip_same_addr(ip, &net->gateways[i])) {
            return "reserved: the network's gateway";
        }
    }
    owner = engine_learn_eui64_owner__(e, p, ip);
    if (owner) {
        snprintf(buf, size, "the EUI-64 (SLAAC) address of port %s of the "
                 "network", owner);
        return buf;
    }
    owner = engine_learn_owner__(e, p->vlan, p->name, ip, &remote);
    if (owner) {
        snprintf(buf, size, "held by port %s of the network%s", owner,
                 remote ? " (another host's)" : "");
        return buf;
    }
    for (size_t i = 0; i < e->n_learn_queue; i++) {
        const struct engine_learn *q = &e->learn_queue[i];

        if (!strcmp(q->port, p->name) && q->addr.family == ip->family) {
            return (netaddr_ip_same_addr(&q->addr, ip) ? ""
                    : "the port is taking another address of that family");
        }
    }
    return (e->n_learn_queue >= ENGINE_LEARN_QUEUE_MAX
            ? "too many bindings waiting for a transaction" : NULL);
}

void
engine_learn_packet_in__(struct engine *e, const struct ofctrl_packet_in *pin)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 10);
    const char *why = NULL;
    const struct pipeline_port *p = engine_punt_port__(e, pin, &why);
    char s[INET6_ADDRSTRLEN] = "?", buf[160];
    struct netaddr_ip ip;

    if (p && !(why = engine_learn_candidate__(pin->packet, pin->len,
                                               &p->mac, &ip))) {
        netaddr_format_ip(&ip, s, sizeof s);
        why = engine_learn_check__(e, p, &ip, buf, sizeof buf);
    }
    if (!why) {
        const struct gn_network *net = gn_config_find_vlan(e->cfg, p->vlan);
        struct engine_learn *q;

        e->learn_queue = gn_xrealloc(e->learn_queue,
                                     (e->n_learn_queue + 1)
                                     * sizeof *e->learn_queue);
        q = &e->learn_queue[e->n_learn_queue++];
        q->port = gn_xstrdup(p->name);
        q->vlan = p->vlan;
        q->mac = p->mac;
        q->addr = ip;
        q->in_txn = false;
        q->registering = e->learn_register != NULL;
        GN_LOG_INFO("port %s: binding %s, its guest's on first use%s",
                    p->name, s, q->registering ? " (registering it in the "
                                                 "cluster)" : "");
        if (q->registering) {
            /* Last: the answer may come at once and drop 'q'. */
            e->learn_register(p->name, net ? net->name : "", s,
                              e->learn_register_aux);
        } else {
            engine_schedule__(e);
        }
    } else if (*why) {
        e->n_learn_refused++;
        GN_LOG_INFO_RL(&rl, "port %s (ofport %u): %s not bound: %s",
                       p ? p->name : "?", pin->in_port, s, why);
    }
}

/* True if the comma-separated 'list' (or NULL) has an address of
 * 'family'. */
static bool
engine_learn_list_has_family__(const char *list, int family)
{
    char *copy = gn_xstrdup(list ? list : ""), *save = NULL;
    bool found = false;

    for (char *t = strtok_r(copy, ",", &save); t && !found;
         t = strtok_r(NULL, ",", &save)) {
        struct netaddr_ip ip;
        char *error = netaddr_parse_ip(t, 1, &ip);

        found = !error && ip.family == family;
        free(error);
    }
    free(copy);
    return found;
}

/* True if the port of binding 'q' is still the one that asked (same
 * network and MAC) and still takes addresses on first use (the config
 * or a server port may have changed meanwhile). */
static bool
engine_learn_still__(struct engine *e, const struct engine_learn *q)
{
    size_t n;
    const struct pipeline_port *ports = port_view_pipeline_ports(
        engine_view__(e), &n);
    const struct gn_network *net = gn_config_find_vlan(e->cfg, q->vlan);

    for (size_t i = 0; net && i < n; i++) {
        const struct pipeline_port *p = &ports[i];

        if (!p->remote && !strcmp(p->name, q->port)) {
            return (p->vlan == q->vlan
                    && !memcmp(&p->mac, &q->mac, sizeof p->mac)
                    && pipeline_port_learning(
                        net, p, engine_learn_has_server__(e, p->vlan)));
        }
    }
    return false;
}

/* Adds to 'txn' the op that writes port 'name''s queued bindings not yet
 * in a transaction (the first of each family the port has no address of)
 * and marks them.  Returns the number of ops (0 or 1). */
static int
engine_learn_write__(struct engine *e, struct ovsdb_txn *txn,
                     const char *name)
{
    const char *iface_uuid;
    const json_t *iface = engine_find_iface__(e, name, &iface_uuid);
    const char *ips = iface ? ovsdb_datum_map_get_string(
        iface, "external_ids", PORTS_IPS_KEY) : NULL;
    const char *learned = iface ? ovsdb_datum_map_get_string(
        iface, "external_ids", PORTS_IPS_LEARNED_KEY) : NULL;
    struct gn_buf new_ips = GN_BUF_INIT, new_learned = GN_BUF_INIT;
    size_t added = 0;

    gn_buf_printf(&new_ips, "%s", ips ? ips : "");
    gn_buf_printf(&new_learned, "%s", learned ? learned : "");
    for (size_t i = 0; i < e->n_learn_queue; i++) {
        struct engine_learn *q = &e->learn_queue[i];
        char s[INET6_ADDRSTRLEN];

        if (q->in_txn || q->registering || strcmp(q->port, name)) {
            continue;
        }
        q->in_txn = true;
        if (!iface || !engine_learn_still__(e, q)
            || engine_learn_list_has_family__(gn_buf_cstr(&new_ips),
                                              q->addr.family)) {
            continue;           /* Gone or changed, or it has one now. */
        }
        netaddr_format_ip(&q->addr, s, sizeof s);
        gn_buf_printf(&new_ips, "%s%s", new_ips.len ? "," : "", s);
        gn_buf_printf(&new_learned, "%s%s", new_learned.len ? "," : "", s);
        GN_LOG_INFO("port %s: %s bound (its guest's on first use)", name,
                    s);
        added++;
    }
    if (added) {
        ovsdb_txn_mutate(txn, "Interface", ovsdb_where_uuid(iface_uuid),
                         json_pack("[[s, s, [s, [s, s]]], [s, s, o]]",
                                   "external_ids", "delete", "set",
                                   PORTS_IPS_KEY, PORTS_IPS_LEARNED_KEY,
                                   "external_ids", "insert",
                                   ovsdb_datum_map(json_pack(
                                       "{s:s, s:s}", PORTS_IPS_KEY,
                                       gn_buf_cstr(&new_ips),
                                       PORTS_IPS_LEARNED_KEY,
                                       gn_buf_cstr(&new_learned)))));
        e->n_learn_bound += added;
    }
    gn_buf_destroy(&new_ips);
    gn_buf_destroy(&new_learned);
    return added ? 1 : 0;
}

/* True if a lease of port 'name' is in the transaction being planned
 * (engine-snoop.c writes the same keys from the same replica). */
static bool
engine_learn_snoop_busy__(const struct engine *e, const char *name)
{
    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        if (e->snoop_queue[i].in_txn && !strcmp(e->snoop_queue[i].port,
                                                name)) {
            return true;
        }
    }
    return false;
}

int
engine_learn_plan__(struct engine *e, struct ovsdb_txn *txn)
{
    const char *br = engine_bridge_uuid__(e);
    struct gn_strmap todo = GN_STRMAP_INIT;
    struct gn_strmap_node *node;
    int n_ops = 0;

    if (!br) {
        return 0;
    }
    /* Entries still marked belong to a pass whose transaction carried
     * nothing (none is in flight while a transaction is planned). */
    engine_learn_txn_done__(e);
    for (size_t i = 0; i < e->n_learn_queue; i++) {
        const struct engine_learn *q = &e->learn_queue[i];

        if (!q->in_txn && !q->registering
            && !engine_learn_snoop_busy__(e, q->port)) {
            gn_strmap_put(&todo, q->port, NULL);
        }
    }
    GN_STRMAP_FOR_EACH (node, &todo) {
        n_ops += engine_learn_write__(e, txn, node->key);
    }
    gn_strmap_destroy(&todo);
    return n_ops;
}

void
engine_learn_txn_done__(struct engine *e)
{
    size_t k = 0;

    for (size_t i = 0; i < e->n_learn_queue; i++) {
        struct engine_learn *q = &e->learn_queue[i];

        if (q->in_txn) {
            free(q->port);
        } else {
            e->learn_queue[k++] = *q;
        }
    }
    e->n_learn_queue = k;
}

bool
engine_learn_queued__(const struct engine *e)
{
    for (size_t i = 0; i < e->n_learn_queue; i++) {
        if (!e->learn_queue[i].in_txn && !e->learn_queue[i].registering) {
            return true;
        }
    }
    return false;
}

void
engine_set_learn_registrar(struct engine *e, engine_learn_register_cb *cb,
                           void *aux)
{
    e->learn_register = cb;
    e->learn_register_aux = aux;
}

void
engine_learn_registered(struct engine *e, const char *port, const char *addr,
                        const char *error)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 10);
    struct netaddr_ip ip;
    char *bad = netaddr_parse_ip(addr, 1, &ip);

    if (bad) {
        free(bad);
        return;
    }
    for (size_t i = 0; i < e->n_learn_queue; i++) {
        struct engine_learn *q = &e->learn_queue[i];

        if (!q->registering || strcmp(q->port, port)
            || !netaddr_ip_same_addr(&q->addr, &ip)) {
            continue;
        }
        if (!error) {
            q->registering = false;
            engine_schedule__(e);
            return;
        }
        e->n_learn_refused++;
        GN_LOG_INFO_RL(&rl, "port %s: %s not bound: %s", port, addr, error);
        free(q->port);
        e->learn_queue[i] = e->learn_queue[--e->n_learn_queue];
        return;
    }
}

void
engine_learn_destroy__(struct engine *e)
{
    for (size_t i = 0; i < e->n_learn_queue; i++) {
        free(e->learn_queue[i].port);
    }
    free(e->learn_queue);
}
