/* pipeline.c: the isolation pipeline's flows (see include/pipeline.h), in
 * three kinds of groups: the global flows, the flows of one network, the
 * flows of one port (flows/pipeline-private.h); the guards that ports
 * share are flows/pipeline-guards.c's, the routing between networks
 * flows/pipeline-route.c's, the DHCP punts, client passes and snooping
 * flows/pipeline-dhcp.c's.  Flows are written in ovs-ofctl syntax and
 * added to a flow_table, which normalizes them.  Which groups to build,
 * and when, is flows/pipeline-state.c's business. */
#include <config.h>

#include "pipeline.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"
#include "flow-table.h"
#include "gn-config.h"
#include "gn-util.h"
#include "ip6-frame.h"
#include "meter-table.h"
#include "pipeline-private.h"

static const struct {
    enum pipeline_rule rule;
    const char *name;
} pipeline_rules[] = {
#define RULE(ENUM, ID, NAME) \
    { PIPELINE_RULE_##ENUM, NAME },
    PIPELINE_RULES
#undef RULE
};

const char *
pipeline_rule_name(uint64_t cookie)
{
    unsigned int rule = cookie >> 48;

    for (size_t i = 0; i < GN_ARRAY_SIZE(pipeline_rules); i++) {
        if (pipeline_rules[i].rule == rule) {
            return pipeline_rules[i].name;
        }
    }
    return NULL;
}

bool
pipeline_rule_drops(uint64_t cookie)
{
    const char *name = pipeline_rule_name(cookie);

    return name && strstr(name, "drop");
}

uint32_t
pipeline_cookie_object(uint64_t cookie)
{
    return cookie & 0xffffffff;
}

void
pipeline_gateway_mac(int vlan, struct netaddr_mac *mac)
{
    memset(mac, 0, sizeof *mac);
    mac->b[0] = 0x0a;
    mac->b[4] = (vlan >> 8) & 0xff;
    mac->b[5] = vlan & 0xff;
}

void
pipeline_ctx_add(struct pipeline_ctx *ctx, uint8_t table, uint16_t priority,
                 uint64_t cookie, const char *actions, const char *fmt, ...)
{
    va_list args;
    char *match;

    if (ctx->error) {
        return;
    }
    va_start(args, fmt);
    match = gn_xvasprintf(fmt, args);
    va_end(args);
    const struct flow_entry *entry;
    ctx->error = flow_table_add_ref(ctx->table, table, priority, cookie,
                                    match, actions, &entry);
    free(match);
    if (!ctx->error) {
        if (ctx->n_flows >= ctx->allocated_flows) {
            ctx->allocated_flows = 2 * ctx->allocated_flows + 16;
            ctx->flows = gn_xrealloc(ctx->flows, ctx->allocated_flows
                                                 * sizeof *ctx->flows);
        }
        ctx->flows[ctx->n_flows++] = entry;
    }
}

static void
pipeline_mac_str__(const struct netaddr_mac *mac, char s[18])
{
    netaddr_format_mac(mac, s);
}

/* The EUI-64 link-local address of 'mac', as text. */
static void
pipeline_link_local__(const struct netaddr_mac *mac, char *s, size_t size)
{
    struct in6_addr a;

    ip6_link_local(mac->b, &a);
    inet_ntop(AF_INET6, &a, s, size);
}

/* The link-local address 'i' of port 'p' as text: its EUI-64 one for 0,
 * else its bound one i - 1. */
static void
pipeline_own_link_local__(const struct pipeline_port *p, size_t i, char *s,
                          size_t size)
{
    if (!i) {
        pipeline_link_local__(&p->mac, s, size);
    } else {
        inet_ntop(AF_INET6, &p->lls[i - 1].addr.v6, s, size);
    }
}

void
pipeline_format_ip(const struct netaddr_ip *ip, bool with_plen, char *s,
                   size_t size)
{
    char addr[INET6_ADDRSTRLEN];

    netaddr_format_ip(ip, addr, sizeof addr);
    if (with_plen) {
        snprintf(s, size, "%s/%u", addr, ip->plen);
    } else {
        snprintf(s, size, "%s", addr);
    }
}

bool
pipeline_port_undeclared(const struct gn_network *net,
                         const struct pipeline_port *p, bool has_server)
{
    return !p->n_ips && (p->server || pipeline_port_learning(net, p,
                                                             has_server));
}

/* The actions with which guest port 'p''s frames go on from table 0 to
 * table 1: its network, "from a guest", its flags and its MAC in the
 * registers (flows/pipeline-private.h).  Caller frees. */
static char *
pipeline_port_in_actions__(const struct gn_network *net,
                           const struct pipeline_port *p, bool has_server)
{
    uint64_t mac = 0;
    int flags = ((p->server ? PIPELINE_PORT_SERVER : 0)
                 | (pipeline_port_undeclared(net, p, has_server)
                    ? PIPELINE_PORT_UNDECLARED : 0));

    for (int i = 0; i < 6; i++) {
        mac = (mac << 8) | p->mac.b[i];
    }
    return gn_xasprintf("load:%d->%s,load:1->%s,load:%d->%s,"
                        "set_field:%#"PRIx64"->%s,goto_table:%d",
                        p->vlan, REG_NET, REG_FROM_GUEST, flags,
                        REG_PORT_FLAGS, mac, REG_PORT_MAC,
                        pipeline_port_egress_limited(p) ? T_EGRESS_KBPS
                                                        : T_SOURCE);
}

bool
pipeline_port_egress_limited(const struct pipeline_port *p)
{
    return (p->limits.value[GN_LIMIT_EGRESS_KBPS]
            || p->limits.value[GN_LIMIT_EGRESS_PPS]);
}

bool
pipeline_port_ingress_limited(const struct pipeline_port *p)
{
    return (p->limits.value[GN_LIMIT_INGRESS_KBPS]
            || p->limits.value[GN_LIMIT_INGRESS_PPS]);
}

char *
pipeline_output(int ofport, bool limited)
{
    return (limited
            ? gn_xasprintf("clone(load:%d->%s,resubmit(,%d))", ofport,
                           REG_LIMIT_PORT, T_INGRESS_KBPS)
            : gn_xasprintf("output:%d", ofport));
}

/* Adds meter 'id' ('kbps' or packets, 'rate' and 'burst') of port 'p' to
 * 'meters' and to 'ids'/'*n'.  Returns NULL or a malloc'd error. */
static char *
pipeline_port_meter__(struct meter_table *meters,
                      const struct pipeline_port *p, uint32_t id, bool kbps,
                      uint32_t rate, uint32_t burst, uint32_t *ids, size_t *n)
{
    char *error = (kbps ? meter_table_add_kbps(meters, id, rate, burst)
                   : meter_table_add(meters, id, rate, burst));

    if (error) {
        char *named = gn_xasprintf("port %s: %s", p->name, error);

        free(error);
        return named;
    }
    if (*n < PIPELINE_PORT_MAX_METERS) {
        ids[(*n)++] = id;
    }
    return NULL;
}

char *
pipeline_port_meters(const struct gn_config *cfg,
                     const struct gn_network *net,
                     const struct pipeline_port *p,
                     struct meter_table *meters, uint32_t *ids, size_t *n)
{
    static const enum gn_limit rates[] = {
        GN_LIMIT_EGRESS_KBPS, GN_LIMIT_INGRESS_KBPS,
        GN_LIMIT_EGRESS_PPS, GN_LIMIT_INGRESS_PPS,
    };
    char *error = NULL;

    *n = 0;
    if (cfg->broadcast_limit.pps) {
        error = pipeline_port_meter__(meters, p, PIPELINE_METER_ID(p->ofport),
                                      false, cfg->broadcast_limit.pps,
                                      cfg->broadcast_limit.burst, ids, n);
    }
    /* What it sends up: every port's link-local punts, in any network
     * ('net' does not matter), and its DHCP, DHCPv6 and router
     * solicitations where guestnetd serves them. */
    (void) net;
    if (!error && !p->blocked) {
        error = pipeline_port_meter__(
            meters, p, PIPELINE_DHCP_METER_ID(p->ofport), false,
            p->server ? PIPELINE_SNOOP_PPS : PIPELINE_DHCP_PPS,
            p->server ? PIPELINE_SNOOP_BURST : PIPELINE_DHCP_BURST, ids, n);
    }
    for (size_t i = 0; !error && i < GN_ARRAY_SIZE(rates); i++) {
        enum gn_limit limit = rates[i];

        if (p->limits.value[limit]) {
            error = pipeline_port_meter__(
                meters, p, PIPELINE_LIMIT_METER_ID(limit, p->ofport),
                !gn_limit_is_pps(limit), p->limits.value[limit],
                gn_limits_burst(&p->limits, limit), ids, n);
        }
    }
    return error;
}

/* The meter action of limit 'limit' of port 'p' followed by a comma, or
 * "" if it has no such limit. */
static void
pipeline_limit_meter__(const struct pipeline_port *p, enum gn_limit limit,
                       char *s, size_t size)
{
    if (p->limits.value[limit]) {
        snprintf(s, size, "meter:%u,", (unsigned int)
                 PIPELINE_LIMIT_METER_ID(limit, p->ofport));
    } else {
        s[0] = '\0';
    }
}

/* One way of the limits of guest port 'p': in table 'kbps_table', the
 * packets that match 'match' go through the meter of limit 'kbps' (if it
 * is set) and, if limit 'pps' is set, on to table 'pps_table', where they go
 * through its meter; the last of these tables ends with 'final'.  'rule'
 * names the flows in their cookies. */
static void
pipeline_limit_way__(struct pipeline_ctx *ctx, const struct pipeline_port *p,
                     enum pipeline_rule rule,
                     enum gn_limit kbps, enum gn_limit pps,
                     uint8_t kbps_table, uint8_t pps_table,
                     const char *match, const char *final)
{
    uint64_t cookie = PIPELINE_COOKIE(rule, p->ofport);
    char kbps_meter[32], pps_meter[32], *actions;

    pipeline_limit_meter__(p, kbps, kbps_meter, sizeof kbps_meter);
    pipeline_limit_meter__(p, pps, pps_meter, sizeof pps_meter);
    if (*pps_meter) {
        actions = gn_xasprintf("%sgoto_table:%d", kbps_meter, pps_table);
        pipeline_ctx_add(ctx, kbps_table, 100, cookie, actions, "%s", match);
        free(actions);
        actions = gn_xasprintf("%s%s", pps_meter, final);
        pipeline_ctx_add(ctx, pps_table, 100, cookie, actions, "%s", match);
    } else {
        actions = gn_xasprintf("%s%s", kbps_meter, final);
        pipeline_ctx_add(ctx, kbps_table, 100, cookie, actions, "%s", match);
    }
    free(actions);
}

/* Tables 11 to 14 for guest port 'p' with limits (see include/pipeline.h):
 * each way, the bandwidth meter in one table and the packet rate meter in
 * the next. */
static void
pipeline_limits__(struct pipeline_ctx *ctx, const struct pipeline_port *p)
{
    char match[32], final[32];

    if (pipeline_port_egress_limited(p)) {
        snprintf(match, sizeof match, "in_port=%d", p->ofport);
        snprintf(final, sizeof final, "resubmit(,%d)", T_SOURCE);
        pipeline_limit_way__(ctx, p, PIPELINE_RULE_EGRESS_LIMIT,
                             GN_LIMIT_EGRESS_KBPS, GN_LIMIT_EGRESS_PPS,
                             T_EGRESS_KBPS, T_EGRESS_PPS, match, final);
    }
    if (pipeline_port_ingress_limited(p)) {
        snprintf(match, sizeof match, "reg3=%d", p->ofport);
        snprintf(final, sizeof final, "output:%d", p->ofport);
        pipeline_limit_way__(ctx, p, PIPELINE_RULE_INGRESS_LIMIT,
                             GN_LIMIT_INGRESS_KBPS, GN_LIMIT_INGRESS_PPS,
                             T_INGRESS_KBPS, T_INGRESS_PPS, match, final);
    }
}

/* Tables 0, 8 and 11 for guest port 'p': its untagged frames go on to
 * table 1, whose shared flows check their source MAC against the port's
 * (see flows/pipeline-guards.c) and send those from another MAC to table
 * 8, where the port's flow drops them ("mac-spoof-drop", counted per
 * port); its tagged frames are dropped; what the other shared guards
 * refuse comes to table 15, where the port's flow drops and counts it
 * ("guard-count"). */
static void
pipeline_ingress__(struct pipeline_ctx *ctx, const struct gn_network *net,
                   const struct pipeline_port *p, bool has_server)
{
    char *actions = pipeline_port_in_actions__(net, p, has_server);

    pipeline_ctx_add(ctx, T_INGRESS, 110,
                     PIPELINE_COOKIE(PIPELINE_RULE_TAGGED_DROP, p->ofport),
                     "drop", "in_port=%d,vlan_tci=0x1000/0x1000", p->ofport);
    pipeline_ctx_add(ctx, T_INGRESS, 100,
                     PIPELINE_COOKIE(PIPELINE_RULE_PORT_IN, p->ofport),
                     actions, "in_port=%d,vlan_tci=0x0000/0x1000",
                     p->ofport);
    free(actions);
    pipeline_ctx_add(ctx, T_SPOOF, 90,
                     PIPELINE_COOKIE(PIPELINE_RULE_MAC_SPOOF_DROP, p->ofport),
                     "drop", "in_port=%d", p->ofport);
    pipeline_ctx_add(ctx, T_GUARD_COUNT, 90,
                     PIPELINE_COOKIE(PIPELINE_RULE_GUARD_COUNT, p->ofport),
                     "drop", "in_port=%d", p->ofport);
}

/* Table 0 for guest port 'p', if 'cfg' limits broadcasts: its broadcast
 * and multicast frames take the way of pipeline_ingress__()'s port-ingress
 * flow through the port's meter (see pipeline_state_meters()). */
static void
pipeline_broadcast_limit__(struct pipeline_ctx *ctx,
                           const struct gn_config *cfg,
                           const struct gn_network *net,
                           const struct pipeline_port *p, bool has_server)
{
    char *in, *actions;

    if (!cfg->broadcast_limit.pps) {
        return;
    }
    in = pipeline_port_in_actions__(net, p, has_server);
    actions = gn_xasprintf("meter:%u,%s",
                           (unsigned int) PIPELINE_METER_ID(p->ofport), in);
    pipeline_ctx_add(ctx, T_INGRESS, 105,
                     PIPELINE_COOKIE(PIPELINE_RULE_BCAST_LIMIT, p->ofport),
                     actions, "in_port=%d,vlan_tci=0x0000/0x1000,"
                     "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
                     p->ofport);
    free(actions);
    free(in);
}

/* Table 1 for guest port 'p' of network 'net': its own addresses (what
 * any guest may send from none, and the reserved addresses a port without
 * declared ones may not take, are flows/pipeline-guards.c's). */
static void
pipeline_source__(struct pipeline_ctx *ctx, const struct pipeline_port *p,
                  const struct gn_network *net, bool undeclared)
{
    char next[32], mac[18], ip[INET6_ADDRSTRLEN + 8];
    const struct netaddr_ip *addrs = undeclared ? net->subnets : p->ips;
    size_t n_addrs = undeclared ? net->n_subnets : p->n_ips;
    uint64_t allow_ip = PIPELINE_COOKIE(PIPELINE_RULE_IP_ALLOW, p->ofport);
    uint64_t allow_arp = PIPELINE_COOKIE(PIPELINE_RULE_ARP_ALLOW, p->ofport);

    snprintf(next, sizeof next, "goto_table:%d", T_CONTENT);
    pipeline_mac_str__(&p->mac, mac);
    for (size_t i = 0; i < n_addrs; i++) {
        /* Its addresses are exact; subnets are prefixes. */
        pipeline_format_ip(&addrs[i], undeclared, ip, sizeof ip);
        pipeline_source_flows(ctx, p, addrs[i].family, ip, mac, allow_ip,
                              allow_arp, next);
    }
    for (size_t i = 0; i <= p->n_lls; i++) {
        pipeline_own_link_local__(p, i, ip, sizeof ip);
        pipeline_ctx_add(ctx, T_SOURCE, 100, allow_ip, next,
                         "in_port=%d,ipv6,ipv6_src=%s", p->ofport, ip);
    }
    pipeline_ctx_add(ctx, T_SOURCE, 90,
                     PIPELINE_COOKIE(PIPELINE_RULE_IP_SPOOF_DROP, p->ofport),
                     "drop", "in_port=%d", p->ofport);
}

/* Table 2 for guest port 'p' of network 'net': the neighbour discovery it
 * may send (see pipeline_nd_drops__() in flows/pipeline-guards.c for why
 * and for what is dropped below these): NSs with its MAC as source
 * link-layer address; duplicate address detection probes without one for
 * its own addresses; NAs for its own addresses with its MAC or none as
 * target link-layer address. */
static void
pipeline_nd__(struct pipeline_ctx *ctx, const struct pipeline_port *p,
              const struct gn_network *net, bool undeclared)
{
    const struct netaddr_ip *addrs = undeclared ? net->subnets : p->ips;
    size_t n_addrs = undeclared ? net->n_subnets : p->n_ips;
    char next[32], mac[18], ip[INET6_ADDRSTRLEN + 8];
    uint64_t nd_allow = PIPELINE_COOKIE(PIPELINE_RULE_ND_ALLOW, p->ofport);
    static const char *const zero_mac = "00:00:00:00:00:00";

    snprintf(next, sizeof next, "goto_table:%d", T_FORWARD);
    pipeline_mac_str__(&p->mac, mac);
    /* The port's own addresses: its link-local ones (above
     * pipeline_link_local_flows__()'s punt of the others), its declared
     * or assigned ones or, in undeclared mode, any in its network's
     * subnets. */
    for (size_t i = 0; i < n_addrs + 1 + p->n_lls; i++) {
        if (i >= n_addrs) {
            pipeline_own_link_local__(p, i - n_addrs, ip, sizeof ip);
        } else if (addrs[i].family != AF_INET6) {
            continue;
        } else {
            pipeline_format_ip(&addrs[i], undeclared, ip, sizeof ip);
        }
        pipeline_ctx_add(ctx, T_CONTENT, i >= n_addrs ? 116 : 112, nd_allow,
                         next,
                         "in_port=%d,icmp6,icmp_type=135,icmp_code=0,"
                         "ipv6_src=::,nd_target=%s,nd_sll=%s", p->ofport,
                         ip, zero_mac);
        pipeline_ctx_add(ctx, T_CONTENT, 110, nd_allow, next,
                         "in_port=%d,icmp6,icmp_type=136,icmp_code=0,"
                         "nd_target=%s,nd_tll=%s", p->ofport, ip, mac);
        pipeline_ctx_add(ctx, T_CONTENT, 110, nd_allow, next,
                         "in_port=%d,icmp6,icmp_type=136,icmp_code=0,"
                         "nd_target=%s,nd_tll=%s", p->ofport, ip, zero_mac);
    }
    pipeline_ctx_add(ctx, T_CONTENT, 110, nd_allow, next,
                     "in_port=%d,icmp6,icmp_type=135,icmp_code=0,nd_sll=%s",
                     p->ofport, mac);
}

/* Tables 1 and 2 for guest port 'p' of network 'net': its link-local
 * addresses are its own and nobody else's in the network (IPv6 from them
 * and duplicate address detection for them by another port is
 * "link-local-taken-drop", below the owner's allows); IPv6 from another
 * link-local address of fe80::/64, and duplicate address detection
 * probes for one, go up to guestnetd through the port's DHCP meter
 * ("link-local-punt"), which binds it to the port if no other port holds
 * it (engine/engine-ll.c). */
static void
pipeline_link_local_flows__(struct pipeline_ctx *ctx,
                            const struct gn_network *net,
                            const struct pipeline_port *p)
{
    uint64_t taken = PIPELINE_COOKIE(PIPELINE_RULE_LINK_LOCAL_TAKEN_DROP,
                                     p->ofport);
    uint64_t punt = PIPELINE_COOKIE(PIPELINE_RULE_LINK_LOCAL_PUNT,
                                    p->ofport);
    char ip[INET6_ADDRSTRLEN], *actions;

    for (size_t i = 0; i <= p->n_lls; i++) {
        pipeline_own_link_local__(p, i, ip, sizeof ip);
        pipeline_ctx_add(ctx, T_SOURCE, 97, taken, "drop",
                         "reg6=%d,reg5=1,ipv6,ipv6_src=%s", net->vlan, ip);
        pipeline_ctx_add(ctx, T_CONTENT, 115, taken, "drop",
                         "reg6=%d,reg5=1,icmp6,icmp_type=135,icmp_code=0,"
                         "ipv6_src=::,nd_target=%s", net->vlan, ip);
    }
    actions = pipeline_punt_actions(p);
    pipeline_ctx_add(ctx, T_SOURCE, 95, punt, actions,
                     "in_port=%d,ipv6,ipv6_src=fe80::/64", p->ofport);
    pipeline_ctx_add(ctx, T_CONTENT, 114, punt, actions,
                     "in_port=%d,icmp6,icmp_type=135,icmp_code=0,"
                     "ipv6_src=::,nd_target=fe80::/64,"
                     "nd_sll=00:00:00:00:00:00", p->ofport);
    free(actions);
}

/* Table 3 for guest port 'p' of network 'net': unicast to its MAC. */
static void
pipeline_unicast__(struct pipeline_ctx *ctx, const struct pipeline_port *p,
                   const struct gn_network *net)
{
    int v = net->vlan;
    char *out, mac[18];

    out = pipeline_output(p->ofport, pipeline_port_ingress_limited(p));
    pipeline_mac_str__(&p->mac, mac);
    if (net->private_) {
        /* Only frames from the uplink reach a private guest. */
        pipeline_ctx_add(ctx, T_FORWARD, 100,
                         PIPELINE_COOKIE(PIPELINE_RULE_L2_UNICAST, p->ofport),
                         out, "reg6=%d,reg5=0,dl_dst=%s", v, mac);
        pipeline_ctx_add(ctx, T_FORWARD, 100,
                         PIPELINE_COOKIE(PIPELINE_RULE_PRIVATE_DROP, v),
                         "drop", "reg6=%d,reg5=1,dl_dst=%s", v, mac);
    } else {
        pipeline_ctx_add(ctx, T_FORWARD, 100,
                         PIPELINE_COOKIE(PIPELINE_RULE_L2_UNICAST, p->ofport),
                         out, "reg6=%d,dl_dst=%s", v, mac);
    }
    free(out);
}

/* Appends to 's' the actions that flood to the guest ports of the flood
 * chunks 'chunks' (of 'n_chunks'): per chunk, its number in REG_CHUNK and
 * a resubmit to table 7, whose flow for that chunk outputs to its ports. */
static void
pipeline_append_chunks__(struct gn_buf *s, const int *chunks,
                         size_t n_chunks)
{
    for (size_t i = 0; i < n_chunks; i++) {
        gn_buf_printf(s, "%sload:%d->%s,resubmit(,%d)", s->len ? "," : "",
                      chunks[i], REG_CHUNK, T_FLOOD);
    }
}

/* Table 3 for network 'net': broadcast and multicast, unknown unicast.
 * The guest ports are flooded to through table 7, a flow per chunk of
 * PIPELINE_FLOOD_CHUNK ofports (see pipeline_flood_chunk_flows()), so that
 * a port that comes or goes changes one small flow, not one with an output
 * per port of the network (which took ~5 ms to rebuild at 1000 ports).
 * 'chunks' are the numbers of the network's nonempty chunks, in
 * increasing order. */
static void
pipeline_forward__(struct pipeline_ctx *ctx, const struct gn_network *net,
                   const int *chunks, size_t n_chunks, int uplink_ofport)
{
    int v = net->vlan;
    struct gn_buf flood_guest = GN_BUF_INIT;    /* From a guest. */
    struct gn_buf flood_uplink = GN_BUF_INIT;   /* From the uplink. */
    char *to_uplink = NULL;

    if (!net->private_) {
        pipeline_append_chunks__(&flood_guest, chunks, n_chunks);
    }
    pipeline_append_chunks__(&flood_uplink, chunks, n_chunks);
    if (uplink_ofport > 0) {
        to_uplink = gn_xasprintf("mod_vlan_vid:%d,output:%d", v,
                                 uplink_ofport);
        /* The tag goes on last, after the untagged outputs. */
        gn_buf_printf(&flood_guest, "%s%s", flood_guest.len ? "," : "",
                      to_uplink);
        pipeline_ctx_add(ctx, T_FORWARD, 80,
                         PIPELINE_COOKIE(PIPELINE_RULE_L2_UNKNOWN, v),
                         to_uplink, "reg6=%d,reg5=1", v);
    }
    pipeline_ctx_add(ctx, T_FORWARD, 90,
                     PIPELINE_COOKIE(PIPELINE_RULE_L2_FLOOD, v),
                     flood_guest.len ? gn_buf_cstr(&flood_guest) : "drop",
                     "reg6=%d,reg5=1,dl_dst=01:00:00:00:00:00/"
                     "01:00:00:00:00:00", v);
    pipeline_ctx_add(ctx, T_FORWARD, 90,
                     PIPELINE_COOKIE(PIPELINE_RULE_L2_FLOOD, v),
                     flood_uplink.len ? gn_buf_cstr(&flood_uplink) : "drop",
                     "reg6=%d,reg5=0,dl_dst=01:00:00:00:00:00/"
                     "01:00:00:00:00:00", v);
    gn_buf_destroy(&flood_guest);
    gn_buf_destroy(&flood_uplink);
    free(to_uplink);
}

void
pipeline_flood_chunk_flows(struct pipeline_ctx *ctx,
                           const struct gn_network *net, int chunk,
                           const int *ofports, size_t n)
{
    struct gn_buf outputs = GN_BUF_INIT;

    /* A port with an ingress limit comes as -ofport. */
    for (size_t i = 0; i < n; i++) {
        char *out = pipeline_output(abs(ofports[i]), ofports[i] < 0);

        gn_buf_printf(&outputs, "%s%s", i ? "," : "", out);
        free(out);
    }
    /* A rule of its own, so that a broadcast counts once as l2-flood. */
    pipeline_ctx_add(ctx, T_FLOOD, 100,
                     PIPELINE_COOKIE(PIPELINE_RULE_L2_FLOOD_CHUNK, net->vlan),
                     n ? gn_buf_cstr(&outputs) : "drop", "reg6=%d,reg7=%d",
                     net->vlan, chunk);
    gn_buf_destroy(&outputs);
}

void
pipeline_global_flows(struct pipeline_ctx *ctx, const struct gn_config *cfg)
{
    for (int t = T_INGRESS; t <= T_GUARD_COUNT; t++) {
        if (t == T_ROUTED_IN || t == T_NEIGHBOUR) {
            continue;       /* (pipeline_route_flows()'s.) */
        }
        if (t >= T_EGRESS_KBPS && t <= T_INGRESS_PPS) {
            continue;       /* Only a limited port's frames go there. */
        }
        pipeline_ctx_add(ctx, t, 0,
                         PIPELINE_COOKIE(PIPELINE_RULE_DEFAULT_DROP, t),
                         "drop", "%s", "");
    }
    pipeline_route_flows(ctx, cfg);
    pipeline_guard_flows(ctx);
}

/* Cluster mode, local port 'p': frames from the uplink that claim its MAC
 * or one of its addresses are dropped; so are those of its network's VLAN
 * that claim one of its link-local addresses, its EUI-64 one or a bound
 * one (from it, a duplicate address detection probe or an advertisement
 * for it). */
static void
pipeline_uplink_spoof__(struct pipeline_ctx *ctx,
                        const struct pipeline_port *p, int uplink_ofport)
{
    uint64_t cookie = PIPELINE_COOKIE(PIPELINE_RULE_UPLINK_SPOOF_DROP,
                                      p->ofport);
    char mac[18], ip[INET6_ADDRSTRLEN];

    pipeline_mac_str__(&p->mac, mac);
    pipeline_ctx_add(ctx, T_INGRESS, 120, cookie, "drop",
                     "in_port=%d,dl_src=%s", uplink_ofport, mac);
    for (size_t i = 0; i < p->n_ips; i++) {
        pipeline_format_ip(&p->ips[i], false, ip, sizeof ip);
        if (p->ips[i].family == AF_INET) {
            pipeline_ctx_add(ctx, T_INGRESS, 120, cookie, "drop",
                             "in_port=%d,ip,nw_src=%s", uplink_ofport, ip);
            pipeline_ctx_add(ctx, T_INGRESS, 120, cookie, "drop",
                             "in_port=%d,arp,arp_spa=%s", uplink_ofport,
                             ip);
        } else {
            pipeline_ctx_add(ctx, T_INGRESS, 120, cookie, "drop",
                             "in_port=%d,ipv6,ipv6_src=%s", uplink_ofport,
                             ip);
        }
    }
    for (size_t i = 0; i <= p->n_lls; i++) {
        pipeline_own_link_local__(p, i, ip, sizeof ip);
        pipeline_ctx_add(ctx, T_INGRESS, 120, cookie, "drop",
                         "in_port=%d,dl_vlan=%d,ipv6,ipv6_src=%s",
                         uplink_ofport, p->vlan, ip);
        pipeline_ctx_add(ctx, T_INGRESS, 120, cookie, "drop",
                         "in_port=%d,dl_vlan=%d,icmp6,icmp_type=135,"
                         "icmp_code=0,ipv6_src=::,nd_target=%s",
                         uplink_ofport, p->vlan, ip);
        pipeline_ctx_add(ctx, T_INGRESS, 120, cookie, "drop",
                         "in_port=%d,dl_vlan=%d,icmp6,icmp_type=136,"
                         "icmp_code=0,nd_target=%s", uplink_ofport, p->vlan,
                         ip);
    }
}

void
pipeline_network_flows(struct pipeline_ctx *ctx, const struct gn_network *net,
                       const int *chunks, size_t n_chunks, int uplink_ofport,
                       const struct netaddr_mac *router_mac, bool has_server)
{
    if (has_server) {
        pipeline_dhcp_network_flows(ctx, net);
    }
    if (uplink_ofport > 0) {
        char *actions = gn_xasprintf(
            "strip_vlan,load:%d->%s,load:0->%s,goto_table:%d",
            net->vlan, REG_NET, REG_FROM_GUEST, T_FORWARD);
        pipeline_ctx_add(ctx, T_INGRESS, 100,
                         PIPELINE_COOKIE(PIPELINE_RULE_UPLINK_IN, net->vlan),
                         actions, "in_port=%d,dl_vlan=%d", uplink_ofport,
                         net->vlan);
        free(actions);
    }
    if (uplink_ofport > 0 && router_mac) {
        pipeline_routed_in_flows(ctx, net, uplink_ofport);
    }
    pipeline_forward__(ctx, net, chunks, n_chunks, uplink_ofport);
    pipeline_gateway_flows(ctx, net);
    pipeline_guard_network_flows(ctx, net);
}

/* A blocked port (see include/pipeline.h): its guest's announcements
 * counted, the rest dropped. */
static void
pipeline_blocked_port__(struct pipeline_ctx *ctx,
                        const struct pipeline_port *p, int uplink_ofport)
{
    uint64_t announce = PIPELINE_COOKIE(PIPELINE_RULE_MIGRATION_ANNOUNCE,
                                        p->ofport);
    char mac[18];
    /* The guest runs here from its first announcement on: the fabric
     * learns its MAC's new place from it. */
    char *to_uplink = (uplink_ofport > 0
                       ? gn_xasprintf("mod_vlan_vid:%d,output:%d", p->vlan,
                                      uplink_ofport)
                       : gn_xstrdup("drop"));

    pipeline_mac_str__(&p->mac, mac);
    /* QEMU's announcement: a broadcast RARP request for its own MAC. */
    pipeline_ctx_add(ctx, T_INGRESS, 110, announce, to_uplink,
                     "in_port=%d,dl_src=%s,dl_dst=ff:ff:ff:ff:ff:ff,rarp,"
                     "arp_op=3,arp_sha=%s,arp_tha=%s", p->ofport, mac, mac,
                     mac);
    /* The guest's own: a broadcast gratuitous ARP, for one of its own
     * addresses only. */
    for (size_t i = 0; i < p->n_ips; i++) {
        char ip[INET6_ADDRSTRLEN];

        if (p->ips[i].family != AF_INET) {
            continue;
        }
        pipeline_format_ip(&p->ips[i], false, ip, sizeof ip);
        pipeline_ctx_add(ctx, T_INGRESS, 110, announce, to_uplink,
                         "in_port=%d,dl_src=%s,dl_dst=ff:ff:ff:ff:ff:ff,"
                         "arp,arp_sha=%s,arp_spa=%s,arp_tpa=%s", p->ofport,
                         mac, mac, ip, ip);
    }
    free(to_uplink);
    pipeline_ctx_add(ctx, T_INGRESS, 100,
                     PIPELINE_COOKIE(PIPELINE_RULE_MIGRATION_BLOCK,
                                     p->ofport),
                     "drop", "in_port=%d", p->ofport);
}

void
pipeline_port_flows(struct pipeline_ctx *ctx, const struct gn_config *cfg,
                    const struct gn_network *net,
                    const struct pipeline_port *p, const bool *routed,
                    bool has_server, int uplink_ofport,
                    const struct netaddr_mac *router_mac)
{
    bool undeclared = pipeline_port_undeclared(net, p, has_server);

    if (p->blocked) {
        pipeline_blocked_port__(ctx, p, uplink_ofport);
        /* Its addresses stay its guest's, wherever the guest runs. */
        pipeline_guard_taken_flows(ctx, net, p, routed, has_server,
                                   p->ofport);
        return;
    }
    pipeline_ingress__(ctx, net, p, has_server);
    pipeline_broadcast_limit__(ctx, cfg, net, p, has_server);
    pipeline_limits__(ctx, p);
    if (pipeline_port_learning(net, p, has_server)) {
        undeclared = false;     /* Its own addresses are exact. */
        pipeline_learn_flows(ctx, p, net);
    }
    pipeline_source__(ctx, p, net, undeclared);
    pipeline_nd__(ctx, p, net, undeclared);
    pipeline_link_local_flows__(ctx, net, p);
    pipeline_dhcp_port_flows(ctx, net, p, has_server);
    pipeline_unicast__(ctx, p, net);
    pipeline_route_out_flows(ctx, p, routed);
    pipeline_guard_taken_flows(ctx, net, p, routed, has_server, p->ofport);
    if (uplink_ofport > 0 && router_mac) {
        pipeline_uplink_spoof__(ctx, p, uplink_ofport);
    }
}
