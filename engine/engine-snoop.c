/* engine-snoop.c: DHCP snooping, the addresses a network's own DHCP
 * server leases to its guests.
 *
 * In a network with a server port (external_ids guestnet:server=true),
 * guestnet assigns no address to the ports added or adopted meanwhile
 * (engine-ipam.c), and a port without addresses may send only DHCP
 * discovery, duplicate address detection and from its link-local
 * addresses (include/pipeline.h: not undeclared mode).  The switch sends
 * up a copy of every DHCP answer of the server port ("dhcp-snoop", through
 * its DHCP meter; the answer itself goes on to the client).  This takes
 * only the copies of that flow whose in_port is its cookie's ofport and a
 * port that is its network's server, parses them (lib/dhcp.c, every
 * length checked) and binds the address of a DHCPACK (yiaddr) to the
 * port of the network whose MAC is its chaddr, if:
 *   - the address is in one of the network's IPv4 subnets and not
 *     reserved (a gateway, a subnet's network or broadcast address);
 *   - no other port has it (declared, assigned, leased: the port view's
 *     index and the adds in progress) or is being given it here;
 *   - the client port has no IPv4 address of another kind (declared or
 *     assigned: those are exact, a lease does not widen them) and is not
 *     a server itself;
 *   - the ACK carries a lease time (option 51).
 * A port holds one leased IPv4 address: an ACK of another replaces it.
 * Refusals are logged (rate-limited) and counted by reason.
 *
 * A binding is queued and written to the client's Interface external_ids
 * in the next transaction (nothing ovs-vswitchd reads: no next_cfg), as
 * engine-ll.c does: "guestnet:ips" with the address (the port's other
 * addresses kept), PORTS_IPS_LEASED_KEY naming it, PORTS_LEASE_EXPIRES_KEY
 * when it ends (absent for an infinite lease).  The port view reads it
 * back and the pipeline binds it like a declared address; a restart finds
 * it in OVSDB and builds the same flows.  A renewal (an ACK of the same
 * address) moves the end.  Once the end has passed without one, the
 * binding goes in the same way and the port is back to DHCP only.
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

/* The Interface row (borrowed) of the port named 'name', with its UUID in
 * '*uuidp', or NULL. */
static const json_t *
engine_snoop_iface__(struct engine *e, const char *name, const char **uuidp)
{
    const char *br = engine_bridge_uuid__(e);
    const json_t *iface = NULL;
    char *uuid;

    *uuidp = NULL;
    if (br && (uuid = port_find(e->replica, br, name))) {
        iface = port_iface(e->replica, ovsdb_replica_get_row(
                               e->replica, "Port", uuid), uuidp);
        free(uuid);
    }
    return iface;
}

/* The address leased to the port whose Interface is 'iface' (network byte
 * order), or 0. */
static uint32_t
engine_snoop_leased__(const json_t *iface)
{
    const char *s = iface ? ovsdb_datum_map_get_string(
        iface, "external_ids", PORTS_IPS_LEASED_KEY) : NULL;
    struct in_addr a;

    return s && inet_pton(AF_INET, s, &a) == 1 ? a.s_addr : 0;
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

/* Decides whether address 'ip' may be leased to port 'p' of 'net'.
 * Returns ENGINE_SNOOP_OK or why not. */
static enum engine_snoop_reason
engine_snoop_check__(struct engine *e, const struct gn_network *net,
                     const struct pipeline_port *p,
                     const struct netaddr_ip *ip)
{
    const char *iface_uuid, *owner;
    uint32_t leased;
    bool in_subnet = false;

    if (p->server) {
        return ENGINE_SNOOP_CLIENT_IS_SERVER;
    }
    for (size_t i = 0; i < net->n_subnets; i++) {
        const struct netaddr_ip *s = &net->subnets[i];

        if (s->family == AF_INET && netaddr_ip_in_subnet(ip, s)) {
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
    leased = engine_snoop_leased__(engine_snoop_iface__(e, p->name,
                                                        &iface_uuid));
    for (size_t i = 0; i < p->n_ips; i++) {
        if (p->ips[i].family == AF_INET
            && p->ips[i].addr.v4.s_addr != leased) {
            return ENGINE_SNOOP_DECLARED;
        }
    }
    owner = engine_ip_owner__(e, net->vlan, ip);
    if (owner && strcmp(owner, p->name)) {
        return ENGINE_SNOOP_TAKEN;
    }
    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        const struct engine_lease *q = &e->snoop_queue[i];

        if (q->vlan == net->vlan && q->addr == ip->addr.v4.s_addr
            && strcmp(q->port, p->name)) {
            return ENGINE_SNOOP_TAKEN;
        }
    }
    return (e->n_snoop_queue >= ENGINE_SNOOP_QUEUE_MAX
            ? ENGINE_SNOOP_QUEUE_FULL : ENGINE_SNOOP_OK);
}

/* Queues address 'addr' (0: none) ending at 'expires' (0: never) for port
 * 'name' of the network of 'vlan'. */
static void
engine_snoop_queue__(struct engine *e, const char *name, int vlan,
                     uint32_t addr, long long expires)
{
    struct engine_lease *q;

    e->snoop_queue = gn_xrealloc(e->snoop_queue, (e->n_snoop_queue + 1)
                                                 * sizeof *e->snoop_queue);
    q = &e->snoop_queue[e->n_snoop_queue++];
    q->port = gn_xstrdup(name);
    q->vlan = vlan;
    q->addr = addr;
    q->expires = expires;
    q->in_txn = false;
    engine_schedule__(e);
}

/* Binds, if it may, the address of the server's DHCPACK 'msg' from server
 * port 's'.  Returns ENGINE_SNOOP_OK (queued, or nothing to do) or why
 * not, with the client port (or NULL) in '*clientp'. */
static enum engine_snoop_reason
engine_snoop_ack__(struct engine *e, const struct pipeline_port *s,
                   const struct dhcp_msg *msg,
                   const struct pipeline_port **clientp)
{
    const struct gn_network *net = gn_config_find_vlan(e->cfg, s->vlan);
    const struct pipeline_port *p;
    struct netaddr_ip ip = { .family = AF_INET, .plen = 32 };
    enum engine_snoop_reason why;
    long long expires = 0;

    *clientp = NULL;
    if (!net) {
        return ENGINE_SNOOP_NO_CLIENT;
    }
    if (!(p = engine_snoop_client__(e, s->vlan, msg->chaddr))) {
        return ENGINE_SNOOP_NO_CLIENT;
    }
    *clientp = p;
    if (!msg->has_lease) {
        return ENGINE_SNOOP_NO_LEASE_TIME;
    }
    ip.addr.v4.s_addr = msg->yiaddr;
    if ((why = engine_snoop_check__(e, net, p, &ip))) {
        return why;
    }
    if (msg->lease_secs != UINT32_MAX) {
        expires = (long long) time(NULL) + msg->lease_secs;
    }
    engine_snoop_queue__(e, p->name, p->vlan, msg->yiaddr, expires);
    return ENGINE_SNOOP_OK;
}

void
engine_snoop_packet_in__(struct engine *e, const struct ofctrl_packet_in *pin)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 10);
    const char *why = NULL;
    const struct pipeline_port *s = engine_punt_port__(e, pin, &why);
    const struct pipeline_port *client = NULL;
    enum engine_snoop_reason reason = ENGINE_SNOOP_MALFORMED;
    char addr[INET_ADDRSTRLEN] = "?";
    struct dhcp_msg msg;

    if (s && !s->server) {
        why = "not its network's server";
        reason = ENGINE_SNOOP_NOT_SERVER;
    } else if (!s) {
        reason = ENGINE_SNOOP_NOT_SERVER;
    } else if (!(why = dhcp_parse_reply(pin->packet, pin->len, &msg))) {
        if (msg.type != DHCP_ACK || !msg.yiaddr) {
            e->n_snoop_other++;
            return;             /* OFFER, NAK, ACK of an INFORM. */
        }
        inet_ntop(AF_INET, &msg.yiaddr, addr, sizeof addr);
        reason = engine_snoop_ack__(e, s, &msg, &client);
        why = engine_snoop_reason_name__(reason);
    }
    if (reason == ENGINE_SNOOP_OK) {
        e->n_snoop_acks++;
        GN_LOG_DBG("port %s: DHCPACK of %s from server port %s",
                   client->name, addr, s->name);
        return;
    }
    e->n_snoop_refused[reason]++;
    GN_LOG_INFO_RL(&rl, "DHCP snooping: %s from port %s (ofport %u) for "
                   "port %s not bound: %s", addr, s ? s->name : "?",
                   pin->in_port, client ? client->name : "?", why);
}

/* Queues the unbinding of every lease that has ended, unless one is
 * queued for its port already. */
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
            GN_LOG_INFO("port %s: its lease ended without a renewal: "
                        "unbinding it", names[i]);
            engine_snoop_queue__(e, names[i], -1, 0, 0);
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

/* Writes into 'ips' the addresses of the comma-separated 'old' without
 * 'old_leased' (0: none), then 'addr' if nonzero. */
static void
engine_snoop_ips__(struct gn_buf *ips, const char *old, uint32_t old_leased,
                   uint32_t addr)
{
    char *copy = gn_xstrdup(old ? old : ""), *save = NULL;
    char s[INET_ADDRSTRLEN];

    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        struct in_addr a;

        if (old_leased && inet_pton(AF_INET, t, &a) == 1
            && a.s_addr == old_leased) {
            continue;
        }
        gn_buf_printf(ips, "%s%s", ips->len ? "," : "", t);
    }
    free(copy);
    if (addr) {
        inet_ntop(AF_INET, &addr, s, sizeof s);
        gn_buf_printf(ips, "%s%s", ips->len ? "," : "", s);
    }
}

/* Adds to 'txn' the op that gives port 'q->port' the lease of 'q' (or,
 * if 'q->addr' is 0, takes its ended lease away).  Returns the number of
 * ops (0 or 1). */
static int
engine_snoop_plan_one__(struct engine *e, const struct engine_lease *q,
                        struct ovsdb_txn *txn)
{
    const char *iface_uuid, *old_ips, *old_expires;
    const json_t *iface = engine_snoop_iface__(e, q->port, &iface_uuid);
    struct gn_buf ips = GN_BUF_INIT;
    uint32_t old_leased;
    json_t *map;
    char s[INET_ADDRSTRLEN], expires[32];

    if (!iface) {
        return 0;
    }
    old_leased = engine_snoop_leased__(iface);
    old_ips = ovsdb_datum_map_get_string(iface, "external_ids",
                                         PORTS_IPS_KEY);
    old_expires = ovsdb_datum_map_get_string(iface, "external_ids",
                                             PORTS_LEASE_EXPIRES_KEY);
    if (!q->addr && (!old_leased || !old_expires
                     || strtoll(old_expires, NULL, 10) > time(NULL))) {
        return 0;               /* Gone already, or renewed meanwhile. */
    }
    engine_snoop_ips__(&ips, old_ips, old_leased, q->addr);
    map = json_object();
    if (ips.len) {
        json_object_set_new(map, PORTS_IPS_KEY,
                            json_string(gn_buf_cstr(&ips)));
    }
    if (q->addr) {
        inet_ntop(AF_INET, &q->addr, s, sizeof s);
        json_object_set_new(map, PORTS_IPS_LEASED_KEY, json_string(s));
        if (q->expires) {
            snprintf(expires, sizeof expires, "%lld", q->expires);
            json_object_set_new(map, PORTS_LEASE_EXPIRES_KEY,
                                json_string(expires));
        }
        if (q->addr != old_leased) {
            GN_LOG_INFO("port %s: binding %s, leased by its network's "
                        "DHCP server", q->port, s);
        }
        e->n_snoop_bound += q->addr != old_leased;
    } else {
        e->n_snoop_expired++;
    }
    ovsdb_txn_mutate(txn, "Interface",
                     ovsdb_where_uuid(iface_uuid),
                     json_pack("[[s, s, [s, [s, s, s]]], [s, s, o]]",
                               "external_ids", "delete", "set",
                               PORTS_IPS_KEY, PORTS_IPS_LEASED_KEY,
                               PORTS_LEASE_EXPIRES_KEY, "external_ids",
                               "insert", ovsdb_datum_map(map)));
    gn_buf_destroy(&ips);
    return 1;
}

int
engine_snoop_plan__(struct engine *e, struct ovsdb_txn *txn)
{
    int n_ops = 0;

    engine_snoop_expire__(e);
    for (size_t i = 0; i < e->n_snoop_queue; i++) {
        struct engine_lease *q = &e->snoop_queue[i];
        const struct engine_lease *last = q;

        if (q->in_txn) {
            continue;
        }
        /* The port's latest lease wins; the others go with it. */
        for (size_t k = i; k < e->n_snoop_queue; k++) {
            struct engine_lease *r = &e->snoop_queue[k];

            if (!r->in_txn && !strcmp(r->port, q->port)) {
                r->in_txn = true;
                last = r;
            }
        }
        n_ops += engine_snoop_plan_one__(e, last, txn);
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
    return json_pack("{s:I, s:I, s:I, s:I, s:o}",
                     "acks", (json_int_t) e->n_snoop_acks,
                     "other", (json_int_t) e->n_snoop_other,
                     "bound", (json_int_t) e->n_snoop_bound,
                     "expired", (json_int_t) e->n_snoop_expired,
                     "refused", refused);
}
