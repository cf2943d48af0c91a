/* engine-snoop.c: DHCP snooping, the addresses a network's own DHCP
 * (and DHCPv6) server leases to its guests.
 *
 * In a network with a server port (external_ids guestnet:server=true),
 * guestnet assigns no address to the ports added or adopted meanwhile
 * (engine-ipam.c), and a port without addresses may send only DHCP
 * discovery, duplicate address detection and from its link-local
 * addresses (include/pipeline.h: not undeclared mode).  The switch sends
 * up a copy of every DHCP and DHCPv6 answer of the server port
 * ("dhcp-snoop", through its DHCP meter; the answer itself goes on to the
 * client).  This takes only the copies of that flow whose in_port is its
 * cookie's ofport and a port that is its network's server, parses them
 * (lib/dhcp.c, lib/dhcp6.c, every length checked) and binds the address
 * of a DHCPACK (yiaddr) to the port of the network whose MAC is its
 * chaddr, and the first address of the first IA_NA of a DHCPv6 REPLY
 * (with a valid lifetime) to the port whose MAC is the frame's
 * destination, if:
 *   - the address is in one of the network's subnets of its family and
 *     not reserved (a gateway, a subnet's network or broadcast address,
 *     an IPv6 subnet-router anycast address);
 *   - no other port has it (declared, assigned, leased: the port view's
 *     index and the adds in progress) or is being given it here;
 *   - the client port has no address of that family of another kind
 *     (declared or assigned: those are exact, a lease does not widen
 *     them) and is not a server itself;
 *   - the ACK carries a lease time (option 51).
 * A port holds one leased address of each family: a new one replaces it.
 * Refusals are logged (rate-limited) and counted by reason.
 *
 * Why a copy and not the answer itself: the client gets its answer
 * whatever guestnetd does (stopped, busy, or the meter full), and a meter
 * in a clone() drops the copy only; the price is that the client may use
 * its address a moment before it is bound, and that an answer whose copy
 * is lost binds at the client's next renewal.
 *
 * A binding is queued and written to the client's Interface external_ids
 * in the next transaction (nothing ovs-vswitchd reads: no next_cfg), as
 * engine-ll.c does: "guestnet:ips" with the address (the port's other
 * addresses kept), PORTS_IPS_LEASED_KEY naming it and
 * PORTS_LEASE_EXPIRES_KEY when it ends ("ADDRESS=SECONDS", none for an
 * infinite lease).  The port view reads it back and the pipeline binds it
 * like a declared address; a restart finds it in OVSDB and builds the
 * same flows.  A renewal (an ACK of the same address, a REPLY to a RENEW)
 * moves the end.  Once the end has passed without one, the binding goes
 * in the same way and the port is back to DHCP only for that family.
 *
 * A lease also ends when its client gives it up: a DHCPRELEASE (the
 * address its ciaddr), a DHCPDECLINE (option 50: the address is in use
 * elsewhere), a DHCPv6 RELEASE or DECLINE (the addresses of its first
 * IA_NA), after which the server may lease the address to another port
 * at once.  In a network with a server port the switch sends up a copy of
 * every DHCP and DHCPv6 client message of the other ports
 * ("dhcp-client-snoop", through the port's DHCP meter; the message goes
 * on to the server: OVS cannot match a message type, so the meter bounds
 * what guestnetd parses).  This takes only the copies whose in_port is
 * their cookie's ofport and not a server's, from the port's MAC (the
 * frame's source, and chaddr for DHCPv4), and unbinds the address if it
 * is that port's lease (bound, or queued): never a declared or assigned
 * address, never another port's.  The unbinding is queued and written as
 * an ended lease's is; a server's ACK of the address to another port
 * meanwhile is not "taken".  Other client messages are counted only;
 * refusals are logged and counted by reason.  A copy lost (the meter, or
 * guestnetd down) leaves the binding until its lease ends.
 *
 * Each packet costs a parse of at most PIPELINE_PUNT_MAX_LEN bytes, a walk
 * of the port view's pipeline ports and a few index lookups; the expiry
 * check is O(1) per step until a lease ends (then a walk of the view's
 * entries): nothing blocks. */
#include <config.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dhcp.h"
#include "dhcp6.h"
#include "engine-private.h"
#include "gn-config.h"
#include "gn-log.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "port-view.h"
#include "ports.h"

GN_LOG_MODULE(dhcp_snoop);

/* The most bindings waiting for a transaction. */
#define ENGINE_SNOOP_QUEUE_MAX 1024

static const char *const engine_snoop_reason_names[] = {
#define SNOOP_REASON(ENUM, NAME) NAME,
    ENGINE_SNOOP_REASONS
#undef SNOOP_REASON
};

const char *
engine_snoop_reason_name__(enum engine_snoop_reason r)
{
    return engine_snoop_reason_names[r];
}

/* A port's leases as its Interface records them: at most one per
 * family. */
struct engine_snoop_leases {
    struct netaddr_ip ip[2];
    long long expires[2];       /* 0: infinite. */
    size_t n;
};

/* Reads the leases of the Interface 'iface' (or none) into 'l': the
 * first of each family (a second one, someone else's edit, is not). */
static void
engine_snoop_read__(const json_t *iface, struct engine_snoop_leases *l)
{
    const char *leased = iface ? ovsdb_datum_map_get_string(
        iface, "external_ids", PORTS_IPS_LEASED_KEY) : NULL;
    const char *expires = iface ? ovsdb_datum_map_get_string(
        iface, "external_ids", PORTS_LEASE_EXPIRES_KEY) : NULL;
    char *copy = gn_xstrdup(leased ? leased : ""), *save = NULL;

    memset(l, 0, sizeof *l);
    for (char *t = strtok_r(copy, ",", &save); t && l->n < 2;
         t = strtok_r(NULL, ",", &save)) {
        char *error = netaddr_parse_ip(t, 1, &l->ip[l->n]);

        if (error || (l->n && l->ip[0].family == l->ip[l->n].family)) {
            free(error);
            continue;
        }
        l->expires[l->n] = port_lease_expiry(expires, t);
        l->n++;
    }
    free(copy);
}

/* The local port of the network of 'vlan' with MAC 'mac', or NULL. */
static const struct pipeline_port *
engine_snoop_client__(struct engine *e, int vlan, const uint8_t mac[6])
{
    size_t n;
    const struct pipeline_port *ports = port_view_pipeline_ports(
        engine_view__(e), &n);

    for (size_t i = 0; i < n; i++) {
        if (ports[i].vlan == vlan && !ports[i].remote
            && !memcmp(ports[i].mac.b, mac, 6)) {
            return &ports[i];
        }
    }
    return NULL;
}

/* True if 'ip' is one of the leases 'l'. */
static bool
engine_snoop_is_leased__(const struct engine_snoop_leases *l,
                         const struct netaddr_ip *ip)
{
    for (size_t i = 0; i < l->n; i++) {
        if (netaddr_ip_same_addr(&l->ip[i], ip)) {
            return true;
        }
    }
    return false;
}

/* True if the last entry of the queue for port 'name' that names address
 * 'ip' unbinds it (its client gave it up): a server may lease it to
 * another port at once. */
static bool
engine_snoop_released__(const struct engine *e, const char *name,
                        const struct netaddr_ip *ip)
{
    const struct engine_lease *last = NULL;

    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        const struct engine_lease *q = &e->snoop_queue[i];

        if (q->addr.family && netaddr_ip_same_addr(&q->addr, ip)
            && !strcmp(q->port, name)) {
            last = q;
        }
    }
    return last && last->release;
}

/* Decides whether address 'ip' may be leased to port 'p' of 'net'.
 * Returns ENGINE_SNOOP_OK or why not. */
static enum engine_snoop_reason
engine_snoop_check__(struct engine *e, const struct gn_network *net,
                     const struct pipeline_port *p,
                     const struct netaddr_ip *ip)
{
    struct engine_snoop_leases leases;
    const char *iface_uuid, *owner;
    bool in_subnet = false;

    if (p->server) {
        return ENGINE_SNOOP_CLIENT_IS_SERVER;
    }
    for (size_t i = 0; i < net->n_subnets; i++) {
        const struct netaddr_ip *s = &net->subnets[i];

        if (netaddr_ip_in_subnet(ip, s)) {
            in_subnet = true;
            if (netaddr_reserved_in_subnet(ip, s)) {
                return ENGINE_SNOOP_RESERVED;
            }
        }
    }
    if (!in_subnet) {
        return ENGINE_SNOOP_OUTSIDE;
    }
    for (size_t i = 0; i < net->n_gateways; i++) {
        if (netaddr_ip_same_addr(ip, &net->gateways[i])) {
            return ENGINE_SNOOP_RESERVED;
        }
    }
    engine_snoop_read__(engine_find_iface__(e, p->name, &iface_uuid),
                        &leases);
    for (size_t i = 0; i < p->n_ips; i++) {
        if (p->ips[i].family == ip->family
            && !engine_snoop_is_leased__(&leases, &p->ips[i])) {
            return ENGINE_SNOOP_DECLARED;
        }
    }
    owner = engine_ip_owner__(e, net->vlan, ip);
    if (owner && strcmp(owner, p->name)
        && !engine_snoop_released__(e, owner, ip)) {
        return ENGINE_SNOOP_TAKEN;
    }
    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        const struct engine_lease *q = &e->snoop_queue[i];

        if (q->vlan == net->vlan && q->addr.family && !q->release
            && netaddr_ip_same_addr(&q->addr, ip)
            && strcmp(q->port, p->name)
            && !engine_snoop_released__(e, q->port, ip)) {
            return ENGINE_SNOOP_TAKEN;
        }
    }
    return (e->n_snoop_queue >= ENGINE_SNOOP_QUEUE_MAX
            ? ENGINE_SNOOP_QUEUE_FULL : ENGINE_SNOOP_OK);
}

/* Queues address 'addr' (or, if 'addr' is NULL, the unbinding of the
 * port's ended leases) ending at 'expires' (0: never) for port 'name' of
 * the network of 'vlan', or, if 'release', the unbinding of 'addr'. */
static void
engine_snoop_queue__(struct engine *e, const char *name, int vlan,
                     const struct netaddr_ip *addr, long long expires,
                     bool release)
{
    struct engine_lease *q;

    e->snoop_queue = gn_xrealloc(e->snoop_queue, (e->n_snoop_queue + 1)
                                                 * sizeof *e->snoop_queue);
    q = &e->snoop_queue[e->n_snoop_queue++];
    memset(q, 0, sizeof *q);
    q->port = gn_xstrdup(name);
    q->vlan = vlan;
    if (addr) {
        q->addr = *addr;
    }
    q->expires = expires;
    q->release = release;
    engine_schedule__(e);
}

/* Binds, if it may, address 'ip' for 'secs' (UINT32_MAX: infinite) that
 * server port 's' gave the port of its network with MAC 'mac'.  Returns
 * ENGINE_SNOOP_OK (queued) or why not, with the client port (or NULL) in
 * '*clientp'. */
static enum engine_snoop_reason
engine_snoop_bind__(struct engine *e, const struct pipeline_port *s,
                    const uint8_t mac[6], const struct netaddr_ip *ip,
                    uint32_t secs, const struct pipeline_port **clientp)
{
    const struct gn_network *net = gn_config_find_vlan(e->cfg, s->vlan);
    const struct pipeline_port *p;
    enum engine_snoop_reason why;

    *clientp = NULL;
    if (!net || !(p = engine_snoop_client__(e, s->vlan, mac))) {
        return ENGINE_SNOOP_NO_CLIENT;
    }
    *clientp = p;
    if ((why = engine_snoop_check__(e, net, p, ip))) {
        return why;
    }
    engine_snoop_queue__(e, p->name, p->vlan, ip,
                         secs == UINT32_MAX ? 0
                         : (long long) time(NULL) + secs, false);
    return ENGINE_SNOOP_OK;
}

/* The copy 'pin' of a DHCP answer of server port 's': stores the address
 * of a DHCPACK in '*ip' and its lease time in '*secs', or returns false if
 * it binds nothing; 'reason' and '*why' say why not (nothing to count for
 * an OFFER, a NAK or an ACK of an INFORM). */
static bool
engine_snoop_dhcp4__(const struct ofctrl_packet_in *pin,
                     struct netaddr_ip *ip, uint32_t *secs, uint8_t mac[6],
                     enum engine_snoop_reason *reason, const char **why)
{
    struct dhcp_msg msg;

    if ((*why = dhcp_parse_reply(pin->packet, pin->len, &msg))) {
        *reason = ENGINE_SNOOP_MALFORMED;
        return false;
    }
    if (msg.type != DHCP_ACK || !msg.yiaddr) {
        *reason = ENGINE_SNOOP_OK;
        return false;
    }
    if (!msg.has_lease) {
        *reason = ENGINE_SNOOP_NO_LEASE_TIME;
        *why = engine_snoop_reason_name__(*reason);
        return false;
    }
    *ip = (struct netaddr_ip) { .family = AF_INET, .plen = 32 };
    ip->addr.v4.s_addr = msg.yiaddr;
    *secs = msg.lease_secs;
    memcpy(mac, msg.chaddr, 6);
    return true;
}

/* The same for a DHCPv6 answer: the first address of the first IA_NA of a
 * REPLY with a valid lifetime (nothing to count for an ADVERTISE, a
 * RECONFIGURE or a REPLY without one); its client is the port whose MAC
 * is the frame's destination. */
static bool
engine_snoop_dhcp6__(const struct ofctrl_packet_in *pin,
                     struct netaddr_ip *ip, uint32_t *secs, uint8_t mac[6],
                     enum engine_snoop_reason *reason, const char **why)
{
    struct dhcp6_msg msg;

    if ((*why = dhcp6_parse_reply(pin->packet, pin->len, &msg))) {
        *reason = ENGINE_SNOOP_MALFORMED;
        return false;
    }
    *reason = ENGINE_SNOOP_OK;
    for (size_t i = 0; msg.type == DHCP6_REPLY && i < msg.n_ia_addrs; i++) {
        if (msg.ia_valid[i]) {
            *ip = (struct netaddr_ip) { .family = AF_INET6, .plen = 128 };
            ip->addr.v6 = msg.ia_addrs[i];
            *secs = msg.ia_valid[i];
            memcpy(mac, msg.eth_dst, 6);
            return true;
        }
    }
    return false;
}

void
engine_snoop_packet_in__(struct engine *e, const struct ofctrl_packet_in *pin)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 10);
    const char *why = NULL;
    const struct pipeline_port *s = engine_punt_port__(e, pin, &why);
    const struct pipeline_port *client = NULL;
    enum engine_snoop_reason reason = (pin->truncated
                                       ? ENGINE_SNOOP_MALFORMED
                                       : ENGINE_SNOOP_NOT_SERVER);
    char addr[INET6_ADDRSTRLEN] = "?";
    struct netaddr_ip ip;
    uint8_t mac[6];
    uint32_t secs;
    /* EtherType 0x86dd: DHCPv6. */
    bool v6 = pin->len > 13 && ((const uint8_t *) pin->packet)[12] == 0x86;

    if (s && !s->server) {
        why = "not its network's server";
    } else if (s && (v6 ? engine_snoop_dhcp6__ : engine_snoop_dhcp4__)(
                   pin, &ip, &secs, mac, &reason, &why)) {
        netaddr_format_ip(&ip, addr, sizeof addr);
        reason = engine_snoop_bind__(e, s, mac, &ip, secs, &client);
        why = engine_snoop_reason_name__(reason);
        if (reason == ENGINE_SNOOP_OK) {
            e->n_snoop_acks++;
            GN_LOG_DBG("port %s: %s leased by server port %s",
                       client->name, addr, s->name);
            return;
        }
    } else if (s && reason == ENGINE_SNOOP_OK) {
        e->n_snoop_other++;
        return;
    }
    e->n_snoop_refused[reason]++;
    GN_LOG_INFO_RL(&rl, "DHCP snooping: %s from port %s (ofport %u) for "
                   "port %s not bound: %s", addr, s ? s->name : "?",
                   pin->in_port, client ? client->name : "?", why);
}

/* The copy 'pin' of a DHCP ('v6': DHCPv6) client message of port 'p':
 * stores in 'ip' and '*n' the addresses a DHCPRELEASE (its ciaddr) or a
 * DHCPDECLINE (option 50) gives up, or a DHCPv6 RELEASE or DECLINE (the
 * addresses of its first IA_NA, at most DHCP6_IA_ADDRS_MAX), from the
 * port's MAC (the frame's source, and chaddr for DHCPv4).  Returns
 * ENGINE_SNOOP_OK (with '*n' 0 for another message type) or why not. */
static enum engine_snoop_reason
engine_snoop_given_up__(const struct ofctrl_packet_in *pin,
                        const struct pipeline_port *p, bool v6,
                        struct netaddr_ip *ip, size_t *n, const char **why)
{
    struct dhcp_msg m4;
    struct dhcp6_msg m6;
    const uint8_t *src, *chaddr;
    bool given_up;

    if (v6) {
        *why = dhcp6_parse(pin->packet, pin->len, &m6);
        given_up = m6.type == DHCP6_RELEASE || m6.type == DHCP6_DECLINE;
        src = chaddr = m6.eth_src;
    } else {
        *why = dhcp_parse(pin->packet, pin->len, &m4);
        given_up = m4.type == DHCP_RELEASE || m4.type == DHCP_DECLINE;
        src = m4.eth_src;
        chaddr = m4.chaddr;
    }
    if (*why) {
        return ENGINE_SNOOP_MALFORMED;
    }
    if (!given_up) {
        return ENGINE_SNOOP_OK;
    }
    if (memcmp(src, p->mac.b, 6) || memcmp(chaddr, p->mac.b, 6)) {
        return ENGINE_SNOOP_NOT_PORT_MAC;
    }
    for (*n = 0; v6 && *n < m6.n_ia_addrs; (*n)++) {
        ip[*n] = (struct netaddr_ip) { .family = AF_INET6, .plen = 128 };
        ip[*n].addr.v6 = m6.ia_addrs[*n];
    }
    if (v6 && !*n) {
        return ENGINE_SNOOP_NOT_LEASED;     /* Gives up no address. */
    }
    if (!v6) {
        *ip = (struct netaddr_ip) { .family = AF_INET, .plen = 32 };
        ip->addr.v4.s_addr = (m4.type == DHCP_RELEASE ? m4.ciaddr
                              : m4.requested_ip);
        *n = 1;
    }
    return ENGINE_SNOOP_OK;
}

/* Queues the unbinding of the one of the 'n' addresses 'ips' that is port
 * 'p''s lease (bound, or queued to be) into '*gone'.  Returns
 * ENGINE_SNOOP_OK or why not: none is (a declared or assigned address,
 * another port's, none at all). */
static enum engine_snoop_reason
engine_snoop_release__(struct engine *e, const struct pipeline_port *p,
                       const struct netaddr_ip *ips, size_t n,
                       struct netaddr_ip *gone)
{
    struct engine_snoop_leases leases;
    const char *iface_uuid;

    engine_snoop_read__(engine_find_iface__(e, p->name, &iface_uuid),
                        &leases);
    for (size_t i = 0; i < n; i++) {
        bool leased = engine_snoop_is_leased__(&leases, &ips[i]);

        for (size_t k = 0; k < e->n_snoop_queue; k++) {
            const struct engine_lease *q = &e->snoop_queue[k];

            if (q->addr.family && netaddr_ip_same_addr(&q->addr, &ips[i])
                && !strcmp(q->port, p->name)) {
                leased = !q->release;
            }
        }
        if (leased) {
            if (e->n_snoop_queue >= ENGINE_SNOOP_QUEUE_MAX) {
                return ENGINE_SNOOP_QUEUE_FULL;
            }
            *gone = ips[i];
            engine_snoop_queue__(e, p->name, p->vlan, gone, 0, true);
            return ENGINE_SNOOP_OK;
        }
    }
    return ENGINE_SNOOP_NOT_LEASED;
}

void
engine_snoop_client_in__(struct engine *e, const struct ofctrl_packet_in *pin)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 10);
    const char *why = NULL;
    const struct pipeline_port *p = engine_punt_port__(e, pin, &why);
    enum engine_snoop_reason reason = (pin->truncated
                                       ? ENGINE_SNOOP_MALFORMED
                                       : ENGINE_SNOOP_WRONG_PORT);
    char addr[INET6_ADDRSTRLEN] = "?";
    struct netaddr_ip ips[DHCP6_IA_ADDRS_MAX], gone;
    size_t n = 0;
    /* EtherType 0x86dd: DHCPv6. */
    bool v6 = pin->len > 13 && ((const uint8_t *) pin->packet)[12] == 0x86;

    if (p && p->server) {
        why = "its network's server";
    } else if (p) {
        reason = engine_snoop_given_up__(pin, p, v6, ips, &n, &why);
        if (reason == ENGINE_SNOOP_OK && !n) {
            e->n_snoop_client_other++;
            return;
        }
        if (n) {
            netaddr_format_ip(&ips[0], addr, sizeof addr);
        }
        if (reason == ENGINE_SNOOP_OK) {
            reason = engine_snoop_release__(e, p, ips, n, &gone);
        }
        if (reason == ENGINE_SNOOP_OK) {
            netaddr_format_ip(&gone, addr, sizeof addr);
            e->n_snoop_releases++;
            GN_LOG_INFO("port %s: its DHCP client gave up %s (RELEASE or "
                        "DECLINE): unbinding it", p->name, addr);
            return;
        }
        why = why ? why : engine_snoop_reason_name__(reason);
    }
    e->n_snoop_refused[reason]++;
    GN_LOG_INFO_RL(&rl, "DHCP snooping: a client's release of %s from "
                   "port %s (ofport %u) unbinds nothing: %s", addr,
                   p ? p->name : "?", pin->in_port, why);
}

/* Queues the unbinding of the ended leases of every port, unless one is
 * queued for it already. */
static void
engine_snoop_expire__(struct engine *e)
{
    long long now = time(NULL);
    long long next = port_view_next_lease_expiry(engine_view__(e));
    const char **names;
    size_t n;

    if (!next || next > now) {
        return;
    }
    n = port_view_expired_leases(engine_view__(e), now, &names);
    for (size_t i = 0; i < n; i++) {
        bool queued = false;

        for (size_t k = 0; k < e->n_snoop_queue && !queued; k++) {
            queued = !strcmp(e->snoop_queue[k].port, names[i]);
        }
        if (!queued) {
            GN_LOG_INFO("port %s: a lease ended without a renewal: "
                        "unbinding it", names[i]);
            engine_snoop_queue__(e, names[i], -1, NULL, 0, false);
        }
    }
    free(names);
}

bool
engine_snoop_queued__(const struct engine *e)
{
    long long next = port_view_next_lease_expiry(e->view);

    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        if (!e->snoop_queue[i].in_txn) {
            return true;
        }
    }
    return next && next <= (long long) time(NULL);
}

/* Writes into 'ips' the addresses of the comma-separated 'old' but those
 * of 'gone' ('n_gone'), then those of 'l'. */
static void
engine_snoop_ips__(struct gn_buf *ips, const char *old,
                   const struct netaddr_ip *gone, size_t n_gone,
                   const struct engine_snoop_leases *l)
{
    char *copy = gn_xstrdup(old ? old : ""), *save = NULL;
    char s[INET6_ADDRSTRLEN];

    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        struct netaddr_ip ip;
        char *error = netaddr_parse_ip(t, 1, &ip);
        bool skip = false;

        for (size_t i = 0; !error && i < n_gone; i++) {
            skip |= netaddr_ip_same_addr(&ip, &gone[i]);
        }
        free(error);
        if (!skip) {
            gn_buf_printf(ips, "%s%s", ips->len ? "," : "", t);
        }
    }
    free(copy);
    for (size_t i = 0; i < l->n; i++) {
        netaddr_format_ip(&l->ip[i], s, sizeof s);
        gn_buf_printf(ips, "%s%s", ips->len ? "," : "", s);
    }
}

/* Applies 'q' to the leases 'l' of its port: replaces the lease of its
 * address's family, or, for an unbinding, drops those ended at 'now', or,
 * for a release, its address.
 * Returns how many changed. */
static size_t
engine_snoop_apply__(const struct engine_lease *q,
                     struct engine_snoop_leases *l, long long now)
{
    size_t changed = 0, k = 0;
    bool found = false;

    for (size_t i = 0; i < l->n; i++) {
        bool same_family = q->addr.family == l->ip[i].family;
        bool same = same_family && netaddr_ip_same_addr(&q->addr, &l->ip[i]);
        bool ended = l->expires[i] && l->expires[i] <= now;

        if (q->release ? same : q->addr.family ? same_family : ended) {
            if (same && !q->release) {
                changed += l->expires[i] != q->expires;
                l->ip[k] = l->ip[i];
                l->expires[k++] = q->expires;
                found = true;
                continue;
            }
            changed++;
            continue;
        }
        l->ip[k] = l->ip[i];
        l->expires[k++] = l->expires[i];
    }
    l->n = k;
    if (q->addr.family && !q->release && !found) {
        l->ip[l->n] = q->addr;
        l->expires[l->n++] = q->expires;
        changed++;
    }
    return changed;
}

/* Adds to 'txn' the op that applies to port 'name''s leases every entry
 * of the queue for it not yet in a transaction (in order: the last of a
 * family wins), and marks them.  Returns the number of ops (0 or 1). */
static int
engine_snoop_plan_port__(struct engine *e, const char *name,
                         struct ovsdb_txn *txn)
{
    const char *iface_uuid;
    const json_t *iface = engine_find_iface__(e, name, &iface_uuid);
    struct engine_snoop_leases old, l;
    struct gn_buf ips = GN_BUF_INIT, leased = GN_BUF_INIT;
    struct gn_buf expires = GN_BUF_INIT;
    long long now = time(NULL);
    size_t changed = 0, expired = 0, released = 0;
    json_t *map;

    engine_snoop_read__(iface, &old);
    l = old;
    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        struct engine_lease *q = &e->snoop_queue[i];

        if (!q->in_txn && !strcmp(q->port, name)) {
            size_t c = engine_snoop_apply__(q, &l, now);

            q->in_txn = true;
            changed += c;
            expired += q->addr.family ? 0 : c;
            released += q->release ? c : 0;
        }
    }
    if (!iface || !changed) {
        return 0;               /* Gone already, or renewed meanwhile. */
    }
    e->n_snoop_expired += expired;
    e->n_snoop_released += released;
    const char *old_ips = ovsdb_datum_map_get_string(iface, "external_ids",
                                                     PORTS_IPS_KEY);
    engine_snoop_ips__(&ips, old_ips, old.ip, old.n, &l);
    for (size_t i = 0; i < l.n; i++) {
        char s[INET6_ADDRSTRLEN];

        netaddr_format_ip(&l.ip[i], s, sizeof s);
        gn_buf_printf(&leased, "%s%s", leased.len ? "," : "", s);
        if (l.expires[i]) {
            gn_buf_printf(&expires, "%s%s=%lld", expires.len ? "," : "", s,
                          l.expires[i]);
        }
        if (!engine_snoop_is_leased__(&old, &l.ip[i])) {
            GN_LOG_INFO("port %s: binding %s, leased by its network's "
                        "DHCP server", name, s);
            e->n_snoop_bound++;
        }
    }
    map = json_object();
    const struct gn_buf *values[] = { &ips, &leased, &expires };
    const char *keys[] = {
        PORTS_IPS_KEY, PORTS_IPS_LEASED_KEY, PORTS_LEASE_EXPIRES_KEY,
    };
    for (size_t i = 0; i < GN_ARRAY_SIZE(keys); i++) {
        if (values[i]->len) {
            json_object_set_new(map, keys[i],
                                json_string(gn_buf_cstr(values[i])));
        }
    }
    ovsdb_txn_mutate(txn, "Interface", ovsdb_where_uuid(iface_uuid),
                     json_pack("[[s, s, [s, [s, s, s]]], [s, s, o]]",
                               "external_ids", "delete", "set",
                               PORTS_IPS_KEY, PORTS_IPS_LEASED_KEY,
                               PORTS_LEASE_EXPIRES_KEY, "external_ids",
                               "insert", ovsdb_datum_map(map)));
    gn_buf_destroy(&ips);
    gn_buf_destroy(&leased);
    gn_buf_destroy(&expires);
    return 1;
}

int
engine_snoop_plan__(struct engine *e, struct ovsdb_txn *txn)
{
    int n_ops = 0;

    /* Entries still marked belong to a pass whose transaction carried
     * nothing (none is in flight while a transaction is planned). */
    engine_snoop_txn_done__(e);
    engine_snoop_expire__(e);
    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        if (!e->snoop_queue[i].in_txn) {
            char *name = gn_xstrdup(e->snoop_queue[i].port);

            n_ops += engine_snoop_plan_port__(e, name, txn);
            free(name);
        }
    }
    return n_ops;
}

void
engine_snoop_txn_done__(struct engine *e)
{
    size_t k = 0;

    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        struct engine_lease *q = &e->snoop_queue[i];

        if (q->in_txn) {
            free(q->port);
        } else {
            e->snoop_queue[k++] = *q;
        }
    }
    e->n_snoop_queue = k;
}

void
engine_snoop_destroy__(struct engine *e)
{
    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        free(e->snoop_queue[i].port);
    }
    free(e->snoop_queue);
}

json_t *
engine_snoop_status__(const struct engine *e)
{
    json_t *refused = json_object();

    for (int r = ENGINE_SNOOP_OK + 1; r < ENGINE_SNOOP_N_REASONS; r++) {
        json_object_set_new(refused, engine_snoop_reason_name__(r),
                            json_integer((json_int_t) e->n_snoop_refused[r]));
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
                     "acks", (json_int_t) e->n_snoop_acks,
                     "other", (json_int_t) e->n_snoop_other,
                     "bound", (json_int_t) e->n_snoop_bound,
                     "expired", (json_int_t) e->n_snoop_expired,
                     "releases", (json_int_t) e->n_snoop_releases,
                     "client_other", (json_int_t) e->n_snoop_client_other,
                     "released", (json_int_t) e->n_snoop_released,
                     "refused", refused);
}
