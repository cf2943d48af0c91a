/* pipeline-learn.c: the flows of a port that takes its addresses on first
 * use (pipeline_port_learning() in include/pipeline.h): the punts of its
 * frames from a free address of its network's subnets to guestnetd
 * ("address-learn-punt", engine/engine-learn.c binds the address), and
 * the per-address source flows they share with the port's own allows
 * (flows/pipeline.c). */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "dhcp.h"
#include "gn-config.h"
#include "gn-util.h"
#include "pipeline-private.h"
#include "pipeline.h"

bool
pipeline_port_learning(const struct gn_network *net,
                       const struct pipeline_port *p, bool has_server)
{
    return (!p->server && !has_server && !dhcp_network_server(net, NULL)
            && (!p->n_ips || p->learned));
}

/* The actions of port 'p''s punts to guestnetd: through its DHCP meter,
 * up to PIPELINE_PUNT_MAX_LEN bytes.  Caller frees. */
char *
pipeline_punt_actions(const struct pipeline_port *p)
{
    return gn_xasprintf("meter:%u,controller(max_len=%d)",
                        (unsigned int) PIPELINE_DHCP_METER_ID(p->ofport),
                        PIPELINE_PUNT_MAX_LEN);
}

/* True if port 'p' has an address of 'family'. */
static bool
pipeline_port_has_family__(const struct pipeline_port *p, int family)
{
    for (size_t i = 0; i < p->n_ips; i++) {
        if (p->ips[i].family == family) {
            return true;
        }
    }
    return false;
}

/* True if a subnet of 'net' before the 'i'th has the 'i'th's family. */
static bool
pipeline_family_seen__(const struct gn_network *net, size_t i)
{
    for (size_t k = 0; k < i; k++) {
        if (net->subnets[k].family == net->subnets[i].family) {
            return true;
        }
    }
    return false;
}

/* Table 1 for guest port 'p' (MAC 'mac'): the flows with 'actions' for
 * its frames from address or subnet 'ip' of 'family': IPv4 from it, ARP
 * from it and ARP probes (RFC 5227: from 0.0.0.0, for the sender's own
 * address; one for another's makes it give it up) for it (cookie
 * 'arp_cookie'), or IPv6 from it, with 'ip_cookie'. */
void
pipeline_source_flows(struct pipeline_ctx *ctx,
                      const struct pipeline_port *p, int family,
                      const char *ip, const char *mac, uint64_t ip_cookie,
                      uint64_t arp_cookie, const char *actions)
{
    if (family == AF_INET) {
        pipeline_ctx_add(ctx, T_SOURCE, 100, ip_cookie, actions,
                         "in_port=%d,ip,nw_src=%s", p->ofport, ip);
        pipeline_ctx_add(ctx, T_SOURCE, 100, arp_cookie, actions,
                         "in_port=%d,arp,arp_spa=%s,arp_sha=%s", p->ofport,
                         ip, mac);
        pipeline_ctx_add(ctx, T_SOURCE, 100, arp_cookie, actions,
                         "in_port=%d,arp,arp_spa=0.0.0.0,arp_tpa=%s,"
                         "arp_sha=%s", p->ofport, ip, mac);
    } else {
        pipeline_ctx_add(ctx, T_SOURCE, 100, ip_cookie, actions,
                         "in_port=%d,ipv6,ipv6_src=%s", p->ofport, ip);
    }
}

/* Table 1 for guest port 'p' of network 'net', while it takes its
 * addresses on first use (pipeline_port_learning()): IPv4 and ARP from,
 * and ARP probes for, an address of an IPv4 subnet, and IPv6 from an
 * address of an IPv6 subnet, of a family the port has no address of yet,
 * go up to guestnetd ("address-learn-punt"), which binds the address to
 * the port if it is free (engine/engine-learn.c).  Reserved addresses are
 * dropped above these (flows/pipeline-guards.c: for all such ports while
 * they have no address, then by the port's own drops), and those of other
 * ports while the port has none; guestnetd refuses them in any case. */
void
pipeline_learn_flows(struct pipeline_ctx *ctx,
                     const struct pipeline_port *p,
                     const struct gn_network *net)
{
    uint64_t punt = PIPELINE_COOKIE(PIPELINE_RULE_ADDRESS_LEARN_PUNT,
                                    p->ofport);
    char *actions = pipeline_punt_actions(p);
    char mac[18], subnet[INET6_ADDRSTRLEN + 8];

    netaddr_format_mac(&p->mac, mac);
    for (size_t i = 0; i < net->n_subnets; i++) {
        const struct netaddr_ip *s = &net->subnets[i];

        if (pipeline_port_has_family__(p, s->family)) {
            continue;
        }
        pipeline_format_ip(s, true, subnet, sizeof subnet);
        pipeline_source_flows(ctx, p, s->family, subnet, mac, punt, punt,
                              actions);
        if (p->n_ips && (i == 0 || !pipeline_family_seen__(net, i))) {
            /* Not flagged undeclared any more: its own reserved-address
             * drops for the family it still takes. */
            pipeline_guard_learning_flows(ctx, net, p, s->family);
        }
        if (s->family == AF_INET6) {
            /* Duplicate address detection for one (table 2, at the
             * priority of the port's own). */
            pipeline_ctx_add(ctx, T_CONTENT, 112, punt, actions,
                             "in_port=%d,icmp6,icmp_type=135,icmp_code=0,"
                             "ipv6_src=::,nd_target=%s,"
                             "nd_sll=00:00:00:00:00:00", p->ofport, subnet);
        }
    }
    free(actions);
}
