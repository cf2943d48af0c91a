/* pipeline-route.c: the routing between networks (see include/pipeline.h),
 * for IPv4 and IPv6 alike: the gateways' answers to ARP requests and
 * neighbour solicitations and the way into routing (table 3), routing and
 * the stateful filter (tables 4 and 5), route output to this host's ports
 * (table 6) and the second half of every neighbour advertisement the
 * switch composes (table 10); in cluster mode, route output to other
 * hosts' ports and what they route here (tables 0, 3, 6 and 9).  The
 * groups these flows belong to are flows/pipeline-private.h's. */
#include <config.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-util.h"
#include "ip6-frame.h"
#include "pipeline-private.h"
#include "pipeline.h"

/* The ovs-ofctl words of an address family. */
struct pipeline_family {
    const char *ip;             /* "ip": any IPv4 packet. */
    const char *src, *dst;      /* Its source and destination fields. */
    const char *tcp, *udp, *icmp;
    int icmp_proto;             /* Its ICMP's IP protocol number. */
};

static const struct pipeline_family pipeline_families[2] = {
    { "ip", "nw_src", "nw_dst", "tcp", "udp", "icmp", 1 },
    { "ipv6", "ipv6_src", "ipv6_dst", "tcp6", "udp6", "icmp6", 58 },
};

/* The words of 'family' (AF_INET or AF_INET6). */
static const struct pipeline_family *
pipeline_family__(int family)
{
    return &pipeline_families[family == AF_INET6];
}

/* Neighbour advertisement flags (RFC 4861, 4.4) in nd_reserved. */
#define PIPELINE_NA_ROUTER 0x80000000
#define PIPELINE_NA_SOLICITED 0x40000000
#define PIPELINE_NA_OVERRIDE 0x20000000

/* The actions that turn an ARP request for 'ip' into the reply "'ip' is at
 * 'mac'", sent back on the port it came in on (malloc'd). */
static char *
pipeline_arp_reply__(const char *mac, const char *ip)
{
    return gn_xasprintf("move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
                        "set_field:%s->eth_src,set_field:2->arp_op,"
                        "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],"
                        "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],"
                        "set_field:%s->arp_sha,set_field:%s->arp_spa,"
                        "in_port", mac, mac, ip);
}

/* The actions that turn a neighbour solicitation for 'ip' into the
 * advertisement "'ip' is at 'mac'" with 'flags' (PIPELINE_NA_*), sent back
 * on the port it came in on (malloc'd).  The solicitation's source
 * link-layer option becomes the target link-layer option, in place: table
 * 10 writes 'mac' into it, as OVS accepts nd_tll only where the match says
 * the packet is an advertisement.  (Table 2 lets through only
 * solicitations with exactly one such option, the sender's MAC.) */
static char *
pipeline_nd_reply__(const char *mac, const char *ip, uint32_t flags)
{
    return gn_xasprintf("move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
                        "set_field:%s->eth_src,"
                        "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
                        "set_field:%s->ipv6_src,set_field:136->icmpv6_type,"
                        "set_field:%#"PRIx32"->nd_reserved,"
                        "set_field:2->nd_options_type,goto_table:%d",
                        mac, ip, flags, T_NEIGHBOUR);
}

/* Table 3: the answer to the solicitations of network 'net''s guests for
 * the address 'ip' (a string), at 'mac' with 'flags', with 'cookie'. */
static void
pipeline_nd_answer__(struct pipeline_ctx *ctx, const struct gn_network *net,
                     uint16_t priority, uint64_t cookie, const char *mac,
                     const char *ip, uint32_t flags)
{
    char *actions = pipeline_nd_reply__(mac, ip, flags);

    pipeline_ctx_add(ctx, T_FORWARD, priority, cookie, actions,
                     "reg6=%d,reg5=1,icmp6,icmp_type=135,icmp_code=0,"
                     "nd_target=%s", net->vlan, ip);
    free(actions);
}

void
pipeline_gateway_flows(struct pipeline_ctx *ctx, const struct gn_network *net)
{
    uint64_t arp = PIPELINE_COOKIE(PIPELINE_RULE_GATEWAY_ARP, net->vlan);
    uint64_t nd = PIPELINE_COOKIE(PIPELINE_RULE_GATEWAY_ND, net->vlan);
    char mac[18], ip[INET6_ADDRSTRLEN], next[32];
    struct netaddr_mac gw_mac;

    pipeline_gateway_mac(net->vlan, &gw_mac);
    netaddr_format_mac(&gw_mac, mac);
    for (size_t i = 0; i < net->n_gateways; i++) {
        pipeline_format_ip(&net->gateways[i], false, ip, sizeof ip);
        if (net->gateways[i].family == AF_INET6) {
            pipeline_nd_answer__(ctx, net, 110, nd, mac, ip,
                                 PIPELINE_NA_ROUTER | PIPELINE_NA_SOLICITED
                                 | PIPELINE_NA_OVERRIDE);
            continue;
        }
        char *actions = pipeline_arp_reply__(mac, ip);

        pipeline_ctx_add(ctx, T_FORWARD, 110, arp, actions,
                         "reg6=%d,reg5=1,arp,arp_op=1,arp_tpa=%s", net->vlan,
                         ip);
        free(actions);
    }
    for (size_t i = 0; i < net->n_gateways; i++) {
        if (net->gateways[i].family == AF_INET6) {
            /* The gateways' link-local address, which guestnetd's router
             * advertisements come from (engine/engine-dhcp6.c). */
            struct in6_addr ll;

            ip6_link_local(gw_mac.b, &ll);
            inet_ntop(AF_INET6, &ll, ip, sizeof ip);
            pipeline_nd_answer__(ctx, net, 110, nd, mac, ip,
                                 PIPELINE_NA_ROUTER | PIPELINE_NA_SOLICITED
                                 | PIPELINE_NA_OVERRIDE);
            /* No guest may send from it or probe for it (above the
             * link-local punts of flows/pipeline.c). */
            uint64_t spoof = PIPELINE_COOKIE(
                PIPELINE_RULE_GATEWAY_SPOOF_DROP, net->vlan);
            pipeline_ctx_add(ctx, T_SOURCE, 97, spoof, "drop",
                             "reg6=%d,reg5=1,ipv6,ipv6_src=%s", net->vlan,
                             ip);
            pipeline_ctx_add(ctx, T_CONTENT, 115, spoof, "drop",
                             "reg6=%d,reg5=1,icmp6,icmp_type=135,"
                             "icmp_code=0,ipv6_src=::,nd_target=%s",
                             net->vlan, ip);
            break;
        }
    }
    if (net->n_gateways) {
        /* Above the unicast flows, should a guest's MAC be this one. */
        snprintf(next, sizeof next, "goto_table:%d", T_ROUTE);
        pipeline_ctx_add(ctx, T_FORWARD, 105,
                         PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_GATEWAY,
                                       net->vlan),
                         next, "reg6=%d,reg5=1,dl_dst=%s", net->vlan, mac);
    }
}

/* True if config rule 'i' of 'cfg' says the same as an earlier one (its
 * flows would duplicate theirs).  With 'any_port', if an earlier one has
 * the same networks and protocol, whatever its port (their flows for later
 * fragments, which match no port, would be the same). */
static bool
pipeline_rule_repeats__(const struct gn_config *cfg, size_t i, bool any_port)
{
    const struct gn_rule *r = &cfg->rules[i];

    for (size_t j = 0; j < i; j++) {
        const struct gn_rule *q = &cfg->rules[j];

        if (!strcmp(q->from, r->from) && !strcmp(q->to, r->to)
            && !strcmp(q->proto, r->proto)
            && (any_port || q->port == r->port)) {
            return true;
        }
    }
    return false;
}

/* Table 4 for IPv6, beside what IPv4 gets too: no link-local source or
 * destination is routed (RFC 4291, 2.5.6), and of ICMPv6 only echo
 * requests and replies and the four error messages: neighbour discovery,
 * router advertisements, redirects and MLD never cross (conntrack would
 * find most of them invalid; these say so before it).  A later fragment
 * (the switch gives it the fragment header's protocol, 44) goes through
 * conntrack with its first, judged here by its type. */
static void
pipeline_route_ipv6__(struct pipeline_ctx *ctx, const char *ct)
{
    static const int icmp6_types[] = { 1, 2, 3, 4, 128, 129 };
    uint64_t link_local = PIPELINE_COOKIE(PIPELINE_RULE_LINK_LOCAL_DROP, 0);

    pipeline_ctx_add(ctx, T_ROUTE, 108, link_local, "drop", "%s",
                     "ipv6,ipv6_src=fe80::/10");
    pipeline_ctx_add(ctx, T_ROUTE, 108, link_local, "drop", "%s",
                     "ipv6,ipv6_dst=fe80::/10");
    for (size_t i = 0; i < GN_ARRAY_SIZE(icmp6_types); i++) {
        pipeline_ctx_add(ctx, T_ROUTE, 105,
                         PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_CT, 0), ct,
                         "icmp6,icmp_type=%d", icmp6_types[i]);
    }
    pipeline_ctx_add(ctx, T_ROUTE, 104,
                     PIPELINE_COOKIE(PIPELINE_RULE_ICMP6_ROUTE_DROP, 0),
                     "drop", "%s", "icmp6");
}

/* The IP protocol number of config rule 'r' (not "any") in family 'f'. */
static int
pipeline_rule_proto__(const struct gn_rule *r,
                      const struct pipeline_family *f)
{
    return (!strcmp(r->proto, "tcp") ? 6
            : !strcmp(r->proto, "udp") ? 17
            : f->icmp_proto);
}

/* Table 5: the flows of config rule 'i' of 'cfg', from network 'from' to
 * network 'to': a new connection from a subnet of 'from' to one of 'to' of
 * the same family, with the rule's protocol (ICMPv6 for "icmp" between
 * IPv6 subnets) and port, is committed.  The source subnet is matched as
 * well as the network's register: the datapath may hand a conntrack call
 * fragments that another call left over (a reassembly whose fragments did
 * not fit in the batch that completed it), and they go on with this
 * call's registers; judged by their own source, they pass only a rule of
 * their own network. */
static void
pipeline_rule_flows__(struct pipeline_ctx *ctx, const struct gn_config *cfg,
                      size_t i, const struct gn_network *from,
                      const struct gn_network *to, const char *commit)
{
    const struct gn_rule *r = &cfg->rules[i];
    uint64_t cookie = PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_ALLOW, i);
    bool later = (strcmp(r->proto, "any")
                  && !pipeline_rule_repeats__(cfg, i, true));

    for (size_t j = 0; j < to->n_subnets; j++) {
        const struct pipeline_family *f = pipeline_family__(
            to->subnets[j].family);
        char proto[32], dst[INET6_ADDRSTRLEN + 8];

        if (!strcmp(r->proto, "any")) {
            snprintf(proto, sizeof proto, "%s", f->ip);
        } else {
            snprintf(proto, sizeof proto, "%s",
                     !strcmp(r->proto, "tcp") ? f->tcp
                     : !strcmp(r->proto, "udp") ? f->udp : f->icmp);
            if (r->port) {
                snprintf(proto + strlen(proto), sizeof proto - strlen(proto),
                         ",tp_dst=%d", r->port);
            }
        }
        pipeline_format_ip(&to->subnets[j], true, dst, sizeof dst);
        for (size_t k = 0; k < from->n_subnets; k++) {
            char src[INET6_ADDRSTRLEN + 8];

            if (from->subnets[k].family != to->subnets[j].family) {
                continue;
            }
            pipeline_format_ip(&from->subnets[k], true, src, sizeof src);
            pipeline_ctx_add(ctx, T_FILTER, 50, cookie, commit,
                             "ct_state=+new+trk,reg6=%d,%s,%s=%s,%s=%s",
                             from->vlan, proto, f->src, src, f->dst, dst);
            if (later) {
                /* The later fragments of a connection's first datagram,
                 * which the userspace datapath hands on one by one after
                 * conntrack has made it whole, show no port, nor does the
                 * switch give them the connection's, and an IPv6 one shows
                 * the fragment header's protocol (44): they pass by the
                 * protocol of conntrack's tuple.  Without its first
                 * fragment, judged by the flow above, the datagram never
                 * completes. */
                pipeline_ctx_add(ctx, T_FILTER, 50, cookie, commit,
                                 "ct_state=+new+trk,reg6=%d,%s,"
                                 "nw_frag=later,ct_nw_proto=%d,%s=%s,%s=%s",
                                 from->vlan, f->ip,
                                 pipeline_rule_proto__(r, f), f->src, src,
                                 f->dst, dst);
            }
        }
    }
}

void
pipeline_route_flows(struct pipeline_ctx *ctx, const struct gn_config *cfg)
{
    uint64_t ttl = PIPELINE_COOKIE(PIPELINE_RULE_TTL_DROP, 0);
    char *ct, *commit;
    char next[32];

    snprintf(next, sizeof next, "goto_table:%d", T_ROUTE_OUT);
    ct = gn_xasprintf("ct(table=%d,zone=%d)", T_FILTER, PIPELINE_CT_ZONE);
    /* A committed packet goes on to table 6 through the datapath again
     * (recirculation), marked (reg2 bit 0) as having come this way: the
     * datapath may have added packets of its own to a conntrack call, the
     * fragments of datagrams it held (their reassembly done, or given up
     * after 15 s, "invalid"), which the rest of the actions would send on
     * unjudged.  Table 6 drops what came this way invalid or without the
     * mark that the commit gives a connection's packets (ct_mark bit 0),
     * so that only the packet the rule judged and its own fragments
     * leave. */
    commit = gn_xasprintf("load:1->NXM_NX_REG2[0],ct(commit,zone=%d,"
                          "exec(set_field:0x1/0x1->ct_mark),table=%d)",
                          PIPELINE_CT_ZONE, T_ROUTE_OUT);

    /* Table 4: dec_ttl would send these to a controller. */
    for (size_t i = 0; i < GN_ARRAY_SIZE(pipeline_families); i++) {
        const char *ip = pipeline_families[i].ip;

        pipeline_ctx_add(ctx, T_ROUTE, 110, ttl, "drop", "%s,nw_ttl=0", ip);
        pipeline_ctx_add(ctx, T_ROUTE, 110, ttl, "drop", "%s,nw_ttl=1", ip);
        pipeline_ctx_add(ctx, T_ROUTE, 100,
                         PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_CT, 0), ct,
                         "%s", ip);
    }
    pipeline_route_ipv6__(ctx, ct);

    /* Table 5: connections, then the rules that may open them. */
    pipeline_ctx_add(ctx, T_FILTER, 110,
                     PIPELINE_COOKIE(PIPELINE_RULE_CT_INVALID_DROP, 0),
                     "drop", "%s", "ct_state=+inv+trk");
    pipeline_ctx_add(ctx, T_FILTER, 100,
                     PIPELINE_COOKIE(PIPELINE_RULE_CT_ESTABLISHED, 0), next,
                     "%s", "ct_state=+est+trk");
    pipeline_ctx_add(ctx, T_FILTER, 90,
                     PIPELINE_COOKIE(PIPELINE_RULE_CT_RELATED, 0), next,
                     "%s", "ct_state=+rel+trk");
    /* Table 6: what a commit hands on but its own packets (above). */
    pipeline_ctx_add(ctx, T_ROUTE_OUT, 200,
                     PIPELINE_COOKIE(PIPELINE_RULE_CT_INVALID_DROP,
                                     T_ROUTE_OUT),
                     "drop", "%s", "ct_state=+inv+trk");
    pipeline_ctx_add(ctx, T_ROUTE_OUT, 200,
                     PIPELINE_COOKIE(PIPELINE_RULE_CT_INVALID_DROP,
                                     T_ROUTE_OUT),
                     "drop", "%s", "reg2=0x1/0x1,ct_mark=0/0x1");
    for (size_t i = 0; i < cfg->n_rules; i++) {
        const struct gn_rule *r = &cfg->rules[i];
        const struct gn_network *from = gn_config_find_network(cfg, r->from);
        const struct gn_network *to = gn_config_find_network(cfg, r->to);

        if (from && to && !pipeline_rule_repeats__(cfg, i, false)) {
            pipeline_rule_flows__(ctx, cfg, i, from, to, commit);
        }
    }
    for (size_t i = 0; i < cfg->n_networks; i++) {
        pipeline_ctx_add(ctx, T_FILTER, 1,
                         PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_DROP,
                                       cfg->networks[i].vlan),
                         "drop", "reg6=%d", cfg->networks[i].vlan);
    }

    /* Table 10: the advertisements that table 3 composed get their target
     * link-layer address, the source MAC it gave them. */
    pipeline_ctx_add(ctx, T_NEIGHBOUR, 100,
                     PIPELINE_COOKIE(PIPELINE_RULE_GATEWAY_ND, 0),
                     "move:NXM_OF_ETH_SRC[]->NXM_NX_ND_TLL[],in_port", "%s",
                     "icmp6,icmp_type=136,icmp_code=0");
    free(ct);
    free(commit);
}

void
pipeline_route_out_flows(struct pipeline_ctx *ctx,
                         const struct pipeline_port *p, const bool *routed)
{
    struct netaddr_mac gw_mac;
    char gw[18], mac[18], ip[INET6_ADDRSTRLEN];
    char *actions, *out;

    pipeline_gateway_mac(p->vlan, &gw_mac);
    netaddr_format_mac(&gw_mac, gw);
    netaddr_format_mac(&p->mac, mac);
    out = pipeline_output(p->ofport, pipeline_port_ingress_limited(p));
    actions = gn_xasprintf("set_field:%s->eth_src,set_field:%s->eth_dst,"
                           "dec_ttl,%s", gw, mac, out);
    free(out);
    for (size_t i = 0; i < p->n_ips; i++) {
        const struct pipeline_family *f = pipeline_family__(
            p->ips[i].family);

        if (!routed[i]) {
            continue;
        }
        pipeline_format_ip(&p->ips[i], false, ip, sizeof ip);
        pipeline_ctx_add(ctx, T_ROUTE_OUT, 100,
                         PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_OUTPUT,
                                         p->ofport),
                         actions, "%s,%s=%s", f->ip, f->dst, ip);
    }
    free(actions);
}

void
pipeline_routed_in_flows(struct pipeline_ctx *ctx,
                         const struct gn_network *net, int uplink_ofport)
{
    uint64_t spoof = PIPELINE_COOKIE(PIPELINE_RULE_UPLINK_SPOOF_DROP,
                                     net->vlan);
    uint64_t in = PIPELINE_COOKIE(PIPELINE_RULE_ROUTED_IN, net->vlan);
    char *actions;
    char subnet[INET6_ADDRSTRLEN + 8];

    actions = gn_xasprintf("strip_vlan,load:0->%s,goto_table:%d",
                           REG_FROM_GUEST, T_ROUTED_IN);
    /* Routed frames are unicast to a guest: a router-MAC broadcast is
     * dropped below (no conntrack entry on every host for it). */
    for (size_t i = 0; i < GN_ARRAY_SIZE(pipeline_families); i++) {
        pipeline_ctx_add(ctx, T_INGRESS, 110, in, actions,
                         "in_port=%d,dl_vlan=%d,dl_src=%s,"
                         "dl_dst=00:00:00:00:00:00/01:00:00:00:00:00,%s",
                         uplink_ofport, net->vlan,
                         PIPELINE_ROUTER_MAC_PREFIX,
                         pipeline_families[i].ip);
    }
    free(actions);
    pipeline_ctx_add(ctx, T_INGRESS, 105, spoof, "drop",
                     "in_port=%d,dl_vlan=%d,dl_src=%s", uplink_ofport,
                     net->vlan, PIPELINE_ROUTER_MAC_PREFIX);
    /* The gateway MACs (0a:00:00:00:VV:VV) never leave a host, nor do
     * frames from the gateways' addresses: guestnet answers for them on
     * each host. */
    pipeline_ctx_add(ctx, T_INGRESS, 120, spoof, "drop",
                     "in_port=%d,dl_vlan=%d,"
                     "dl_src=0a:00:00:00:00:00/ff:ff:ff:ff:00:00",
                     uplink_ofport, net->vlan);
    for (size_t i = 0; i < net->n_gateways; i++) {
        const struct netaddr_ip *gw = &net->gateways[i];
        char ip[INET6_ADDRSTRLEN];

        pipeline_format_ip(gw, false, ip, sizeof ip);
        if (gw->family == AF_INET) {
            pipeline_ctx_add(ctx, T_INGRESS, 120, spoof, "drop",
                             "in_port=%d,dl_vlan=%d,arp,arp_spa=%s",
                             uplink_ofport, net->vlan, ip);
            pipeline_ctx_add(ctx, T_INGRESS, 120, spoof, "drop",
                             "in_port=%d,dl_vlan=%d,ip,nw_src=%s",
                             uplink_ofport, net->vlan, ip);
        } else {
            pipeline_ctx_add(ctx, T_INGRESS, 120, spoof, "drop",
                             "in_port=%d,dl_vlan=%d,ipv6,ipv6_src=%s",
                             uplink_ofport, net->vlan, ip);
            pipeline_ctx_add(ctx, T_INGRESS, 120, spoof, "drop",
                             "in_port=%d,dl_vlan=%d,icmp6,icmp_type=136,"
                             "nd_target=%s", uplink_ofport, net->vlan, ip);
        }
    }
    /* (Back to table 4: a resubmit, goto_table only goes forward.) */
    actions = gn_xasprintf("load:%d->%s,resubmit(,%d)", net->vlan, REG_NET,
                           T_ROUTE);
    for (size_t i = 0; i < net->n_subnets; i++) {
        const struct pipeline_family *f = pipeline_family__(
            net->subnets[i].family);

        pipeline_format_ip(&net->subnets[i], true, subnet, sizeof subnet);
        pipeline_ctx_add(ctx, T_ROUTED_IN, 100, in, actions, "%s,%s=%s",
                         f->ip, f->src, subnet);
    }
    free(actions);
}

void
pipeline_remote_port_flows(struct pipeline_ctx *ctx,
                           const struct gn_network *net,
                           const struct pipeline_port *p,
                           const bool *owned, bool has_server,
                           int uplink_ofport,
                           const struct netaddr_mac *router_mac)
{
    uint64_t answer = PIPELINE_COOKIE(PIPELINE_RULE_NEIGHBOUR_ANSWER,
                                      net->vlan);
    char src[18], mac[18], ip[INET6_ADDRSTRLEN];
    char *actions;

    netaddr_format_mac(router_mac, src);
    netaddr_format_mac(&p->mac, mac);
    actions = gn_xasprintf("set_field:%s->eth_src,set_field:%s->eth_dst,"
                           "dec_ttl,mod_vlan_vid:%d,output:%d", src, mac,
                           net->vlan, uplink_ofport);
    for (size_t i = 0; i < p->n_ips; i++) {
        const struct pipeline_family *f = pipeline_family__(
            p->ips[i].family);

        pipeline_format_ip(&p->ips[i], false, ip, sizeof ip);
        /* Below the local ports' (100): a stale registry row never takes
         * an address from a port of this host. */
        pipeline_ctx_add(ctx, T_ROUTE_OUT, 90,
                         PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_REMOTE,
                                         net->vlan),
                         actions, "%s,%s=%s", f->ip, f->dst, ip);
        /* Its network's guests here learn its MAC without a broadcast
         * across the fabric (not in a private network: there they must
         * not reach it at all). */
        if (net->private_) {
            continue;
        }
        if (p->ips[i].family == AF_INET6) {
            pipeline_nd_answer__(ctx, net, 108, answer, mac, ip,
                                 PIPELINE_NA_SOLICITED
                                 | PIPELINE_NA_OVERRIDE);
            continue;
        }
        char *reply = pipeline_arp_reply__(mac, ip);
        pipeline_ctx_add(ctx, T_FORWARD, 108, answer, reply,
                         "reg6=%d,reg5=1,arp,arp_op=1,arp_tpa=%s",
                         net->vlan, ip);
        free(reply);
    }
    free(actions);
    /* Its bound link-local addresses are its own, in its network on every
     * host: a guest here that uses one or probes for it is dropped as for
     * a local owner (the object the uplink's ofport). */
    for (size_t i = 0; i < p->n_lls; i++) {
        uint64_t taken = PIPELINE_COOKIE(
            PIPELINE_RULE_LINK_LOCAL_TAKEN_DROP, uplink_ofport);

        inet_ntop(AF_INET6, &p->lls[i].addr.v6, ip, sizeof ip);
        pipeline_ctx_add(ctx, T_SOURCE, 97, taken, "drop",
                         "reg6=%d,reg5=1,ipv6,ipv6_src=%s", net->vlan, ip);
        pipeline_ctx_add(ctx, T_CONTENT, 115, taken, "drop",
                         "reg6=%d,reg5=1,icmp6,icmp_type=135,icmp_code=0,"
                         "ipv6_src=::,nd_target=%s", net->vlan, ip);
    }
    /* Its addresses are its own on every host too: a guest here in
     * undeclared mode may not take them. */
    pipeline_guard_taken_flows(ctx, net, p, owned, has_server,
                               uplink_ofport);
    if (net->private_) {
        /* A private network's guests reach the uplink, not each other:
         * nor across hosts. */
        pipeline_ctx_add(ctx, T_INGRESS, 115,
                         PIPELINE_COOKIE(PIPELINE_RULE_PRIVATE_DROP,
                                         net->vlan),
                         "drop", "in_port=%d,dl_vlan=%d,dl_src=%s",
                         uplink_ofport, net->vlan, mac);
    }
}
