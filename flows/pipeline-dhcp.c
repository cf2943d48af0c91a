/* pipeline-dhcp.c: the DHCP flows of the pipeline (see include/pipeline.h):
 * a guest port's DHCP, DHCPv6 and router solicitation messages sent up to
 * guestnetd's servers (engine/engine-dhcp.c, engine/engine-dhcp6.c); in a
 * network with a server port (the operator's DHCP server), its guests'
 * client messages passed to the network, and the copies of the server
 * port's answers sent up to guestnetd, which binds the addresses they
 * lease, and of its guests' client messages, whose RELEASEs and DECLINEs
 * unbind them (DHCP snooping: engine/engine-snoop.c). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "dhcp.h"
#include "dhcp6.h"
#include "gn-config.h"
#include "gn-util.h"
#include "pipeline-private.h"
#include "pipeline.h"

/* Tables 2 and 16 for port 'p': its DHCP and DHCPv6 messages of the
 * direction 'v4' and 'v6' name (UDP ports, whole) go on to the network
 * as any frame of its, and a copy of each goes through table 16, whose
 * flow sends it up to guestnetd through the port's DHCP meter ('punt')
 * with the cookie of 'rule' (engine/engine-snoop.c).  A copy, not the
 * frame: the message goes on whatever guestnetd does (down, slow, or the
 * meter full), and the meter drops copies only (as table 13's do: a
 * meter in a clone() drops the clone).  The cookie's object is the
 * port's ofport, which guestnetd checks against the packet-in's
 * in_port. */
static void
pipeline_dhcp_copy__(struct pipeline_ctx *ctx, const struct pipeline_port *p,
                     const char *punt, enum pipeline_rule rule, int priority,
                     const char *v4, const char *v6)
{
    uint64_t cookie = PIPELINE_COOKIE(rule, p->ofport);
    char actions[64];

    snprintf(actions, sizeof actions, "clone(resubmit(,%d)),goto_table:%d",
             T_SNOOP, T_FORWARD);
    pipeline_ctx_add(ctx, T_CONTENT, priority, cookie, actions,
                     "in_port=%d,udp,%s", p->ofport, v4);
    pipeline_ctx_add(ctx, T_CONTENT, priority, cookie, actions,
                     "in_port=%d,udp6,%s", p->ofport, v6);
    pipeline_ctx_add(ctx, T_SNOOP, 100, cookie, punt, "in_port=%d",
                     p->ofport);
}

/* Where guestnetd serves DHCP to port 'p', its DHCP client messages
 * (whole datagrams, from its own MAC and from an address table 1 let
 * through) go up to guestnetd through the port's DHCP meter, and to nobody
 * else ("dhcp-punt"); while the network has a server port ('has_server'),
 * a network flow above this one hands them to the network instead
 * (pipeline_dhcp_network_flows()), and a flow of the port above both
 * hands them on with a copy up ("dhcp-client-snoop").  Where guestnetd
 * serves IPv6 to it, its router solicitations and DHCPv6 client messages
 * go up the same way ("router-solicitation-punt", "dhcp6-punt"). */
void
pipeline_dhcp_port_flows(struct pipeline_ctx *ctx,
                         const struct gn_network *net,
                         const struct pipeline_port *p, bool has_server)
{
    char *actions = gn_xasprintf("meter:%u,controller(max_len=%d)",
                                 (unsigned int)
                                 PIPELINE_DHCP_METER_ID(p->ofport),
                                 PIPELINE_PUNT_MAX_LEN);

    if (p->server) {
        /* Its answers ("dhcp-snoop": PIPELINE_SNOOP_PPS), whose ACKs and
         * REPLYs bind the addresses they lease; an answer guestnetd
         * misses binds at the client's next renewal. */
        pipeline_dhcp_copy__(ctx, p, actions, PIPELINE_RULE_DHCP_SNOOP, 125,
                             "tp_src=67,tp_dst=68", "tp_src=547,tp_dst=546");
        free(actions);
        return;
    }
    if (has_server) {
        /* Its client messages ("dhcp-client-snoop", above the network's
         * "dhcp-client-pass"): OVS cannot match a DHCP message type, so
         * guestnetd gets them all and takes the RELEASEs and DECLINEs,
         * which unbind the port's lease; one it misses ends with the
         * lease. */
        pipeline_dhcp_copy__(ctx, p, actions,
                             PIPELINE_RULE_DHCP_CLIENT_SNOOP, 127,
                             "tp_src=68,tp_dst=67", "tp_src=546,tp_dst=547");
    }
    if (dhcp_network_server(net, NULL)) {
        pipeline_ctx_add(ctx, T_CONTENT, 125,
                         PIPELINE_COOKIE(PIPELINE_RULE_DHCP_PUNT, p->ofport),
                         actions, "in_port=%d,udp,tp_src=68,tp_dst=67",
                         p->ofport);
    }
    if (dhcp6_network_server(net, NULL)) {
        pipeline_ctx_add(ctx, T_CONTENT, 125,
                         PIPELINE_COOKIE(PIPELINE_RULE_RS_PUNT, p->ofport),
                         actions, "in_port=%d,icmp6,icmp_type=133,"
                         "icmp_code=0", p->ofport);
        pipeline_ctx_add(ctx, T_CONTENT, 125,
                         PIPELINE_COOKIE(PIPELINE_RULE_DHCP6_PUNT, p->ofport),
                         actions, "in_port=%d,udp6,tp_src=546,tp_dst=547",
                         p->ofport);
    }
    free(actions);
}

/* The network's own DHCP server answers its guests: their client
 * messages go to the network, as without guestnet's, instead of up; from
 * any address of its IPv4 subnets too, so that a client renews (from its
 * leased address) a lease whose binding it does not have yet: the
 * server's ACK binds it. */
void
pipeline_dhcp_network_flows(struct pipeline_ctx *ctx,
                            const struct gn_network *net)
{
    char next[32], subnet[INET6_ADDRSTRLEN + 8];

    snprintf(next, sizeof next, "goto_table:%d", T_CONTENT);
    for (size_t i = 0; i < net->n_subnets; i++) {
        if (net->subnets[i].family == AF_INET) {
            pipeline_format_ip(&net->subnets[i], true, subnet,
                               sizeof subnet);
            pipeline_ctx_add(ctx, T_SOURCE, 100,
                             PIPELINE_COOKIE(PIPELINE_RULE_DHCP_DISCOVER,
                                             net->vlan), next,
                             "reg6=%d,reg5=1,udp,nw_frag=no,nw_src=%s,"
                             "tp_src=68,tp_dst=67", net->vlan, subnet);
        }
    }
    /* Above the ports' punts, where guestnetd would serve them. */
    static const struct {
        const struct netaddr_ip *(*serves)(const struct gn_network *,
                                           const struct netaddr_ip **);
        enum pipeline_rule rule;
        const char *match;
    } passes[] = {
        { dhcp_network_server, PIPELINE_RULE_DHCP_CLIENT_PASS,
          "udp,tp_src=68,tp_dst=67" },
        { dhcp6_network_server, PIPELINE_RULE_DHCP6_CLIENT_PASS,
          "udp6,tp_src=546,tp_dst=547" },
    };
    snprintf(next, sizeof next, "goto_table:%d", T_FORWARD);
    for (size_t i = 0; i < GN_ARRAY_SIZE(passes); i++) {
        if (passes[i].serves(net, NULL)) {
            pipeline_ctx_add(ctx, T_CONTENT, 126,
                             PIPELINE_COOKIE(passes[i].rule, net->vlan),
                             next, "reg6=%d,reg5=1,%s", net->vlan,
                             passes[i].match);
        }
    }
}
