/* pipeline.c: the isolation pipeline's flows (see include/pipeline.h), in
 * three kinds of groups: the global flows, the flows of one network, the
 * flows of one port (flows/pipeline-private.h); the guards that ports
 * share are flows/pipeline-guards.c's, the routing between networks
 * flows/pipeline-route.c's.  Flows are written in ovs-ofctl syntax and
 * added to a flow_table, which normalizes them.  Which groups to build,
 * and when, is flows/pipeline-state.c's business. */
#include <config.h>

#include "pipeline.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flow-table.h"
#include "gn-config.h"
#include "gn-util.h"
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

    memset(&a, 0, sizeof a);
    a.s6_addr[0] = 0xfe;
    a.s6_addr[1] = 0x80;
    a.s6_addr[8] = mac->b[0] ^ 0x02;
    a.s6_addr[9] = mac->b[1];
    a.s6_addr[10] = mac->b[2];
    a.s6_addr[11] = 0xff;
    a.s6_addr[12] = 0xfe;
    a.s6_addr[13] = mac->b[3];
    a.s6_addr[14] = mac->b[4];
    a.s6_addr[15] = mac->b[5];
    inet_ntop(AF_INET6, &a, s, size);
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

/* The actions with which guest port 'p''s frames go on from table 0 to
 * table 1: its network, "from a guest", its flags and its MAC in the
 * registers (flows/pipeline-private.h).  Caller frees. */
static char *
pipeline_port_in_actions__(const struct pipeline_port *p)
{
    uint64_t mac = 0;
    int flags = ((p->server ? PIPELINE_PORT_SERVER : 0)
                 | (p->n_ips ? 0 : PIPELINE_PORT_UNDECLARED));

    for (int i = 0; i < 6; i++) {
        mac = (mac << 8) | p->mac.b[i];
    }
    return gn_xasprintf("load:%d->%s,load:1->%s,load:%d->%s,"
                        "set_field:%#"PRIx64"->%s,goto_table:%d",
                        p->vlan, REG_NET, REG_FROM_GUEST, flags,
                        REG_PORT_FLAGS, mac, REG_PORT_MAC, T_SOURCE);
}

/* Tables 0, 8 and 11 for guest port 'p': its untagged frames go on to
 * table 1, whose shared flows check their source MAC against the port's
 * (see flows/pipeline-guards.c) and send those from another MAC to table
 * 8, where the port's flow drops them ("mac-spoof-drop", counted per
 * port); its tagged frames are dropped; what the other shared guards
 * refuse comes to table 11, where the port's flow drops and counts it
 * ("guard-count"). */
static void
pipeline_ingress__(struct pipeline_ctx *ctx, const struct pipeline_port *p)
{
    char *actions = pipeline_port_in_actions__(p);

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
                           const struct pipeline_port *p)
{
    char *in, *actions;

    if (!cfg->broadcast_limit.pps) {
        return;
    }
    in = pipeline_port_in_actions__(p);
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
                  const struct gn_network *net)
{
    char next[32], mac[18], ip[INET6_ADDRSTRLEN + 8];
    const struct netaddr_ip *addrs = p->n_ips ? p->ips : net->subnets;
    size_t n_addrs = p->n_ips ? p->n_ips : net->n_subnets;
    uint64_t allow_ip = PIPELINE_COOKIE(PIPELINE_RULE_IP_ALLOW, p->ofport);
    uint64_t allow_arp = PIPELINE_COOKIE(PIPELINE_RULE_ARP_ALLOW, p->ofport);

    snprintf(next, sizeof next, "goto_table:%d", T_CONTENT);
    pipeline_mac_str__(&p->mac, mac);
    for (size_t i = 0; i < n_addrs; i++) {
        /* Declared addresses are exact; subnets are prefixes. */
        pipeline_format_ip(&addrs[i], !p->n_ips, ip, sizeof ip);
        if (addrs[i].family == AF_INET) {
            pipeline_ctx_add(ctx, T_SOURCE, 100, allow_ip, next,
                             "in_port=%d,ip,nw_src=%s", p->ofport, ip);
            pipeline_ctx_add(ctx, T_SOURCE, 100, allow_arp, next,
                             "in_port=%d,arp,arp_spa=%s,arp_sha=%s",
                             p->ofport, ip, mac);
            /* ARP probes (RFC 5227) come from 0.0.0.0, for the port's
             * own address: one for another's makes it give it up. */
            pipeline_ctx_add(ctx, T_SOURCE, 100, allow_arp, next,
                             "in_port=%d,arp,arp_spa=0.0.0.0,arp_tpa=%s,"
                             "arp_sha=%s", p->ofport, ip, mac);
        } else {
            pipeline_ctx_add(ctx, T_SOURCE, 100, allow_ip, next,
                             "in_port=%d,ipv6,ipv6_src=%s", p->ofport, ip);
        }
    }
    pipeline_link_local__(&p->mac, ip, sizeof ip);
    pipeline_ctx_add(ctx, T_SOURCE, 100, allow_ip, next,
                     "in_port=%d,ipv6,ipv6_src=%s", p->ofport, ip);
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
              const struct gn_network *net)
{
    const struct netaddr_ip *addrs = p->n_ips ? p->ips : net->subnets;
    size_t n_addrs = p->n_ips ? p->n_ips : net->n_subnets;
    char next[32], mac[18], ip[INET6_ADDRSTRLEN + 8];
    uint64_t nd_allow = PIPELINE_COOKIE(PIPELINE_RULE_ND_ALLOW, p->ofport);
    static const char *const zero_mac = "00:00:00:00:00:00";

    snprintf(next, sizeof next, "goto_table:%d", T_FORWARD);
    pipeline_mac_str__(&p->mac, mac);
    /* The port's own addresses: its link-local one, its declared ones or,
     * if it declared none, any in its network's subnets. */
    for (size_t i = 0; i <= n_addrs; i++) {
        if (i == n_addrs) {
            pipeline_link_local__(&p->mac, ip, sizeof ip);
        } else if (addrs[i].family != AF_INET6) {
            continue;
        } else {
            pipeline_format_ip(&addrs[i], !p->n_ips, ip, sizeof ip);
        }
        pipeline_ctx_add(ctx, T_CONTENT, 112, nd_allow, next,
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

/* Table 3 for guest port 'p' of network 'net': unicast to its MAC. */
static void
pipeline_unicast__(struct pipeline_ctx *ctx, const struct pipeline_port *p,
                   const struct gn_network *net)
{
    int v = net->vlan;
    char out[32], mac[18];

    snprintf(out, sizeof out, "output:%d", p->ofport);
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

    for (size_t i = 0; i < n; i++) {
        gn_buf_printf(&outputs, "%soutput:%d", i ? "," : "", ofports[i]);
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
        pipeline_ctx_add(ctx, t, 0,
                         PIPELINE_COOKIE(PIPELINE_RULE_DEFAULT_DROP, t),
                         "drop", "%s", "");
    }
    pipeline_route_flows(ctx, cfg);
    pipeline_guard_flows(ctx);
}

/* Cluster mode, local port 'p': frames from the uplink that claim its MAC
 * or one of its addresses are dropped. */
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
}

void
pipeline_network_flows(struct pipeline_ctx *ctx, const struct gn_network *net,
                       const int *chunks, size_t n_chunks, int uplink_ofport,
                       const struct netaddr_mac *router_mac)
{
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
                    int uplink_ofport, const struct netaddr_mac *router_mac)
{
    if (p->blocked) {
        pipeline_blocked_port__(ctx, p, uplink_ofport);
        return;
    }
    pipeline_ingress__(ctx, p);
    pipeline_broadcast_limit__(ctx, cfg, p);
    pipeline_source__(ctx, p, net);
    pipeline_nd__(ctx, p, net);
    pipeline_unicast__(ctx, p, net);
    pipeline_route_out_flows(ctx, p, routed);
    if (uplink_ofport > 0 && router_mac) {
        pipeline_uplink_spoof__(ctx, p, uplink_ofport);
    }
}
