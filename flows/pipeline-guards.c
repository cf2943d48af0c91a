/* pipeline-guards.c: the guards of the pipeline (see include/pipeline.h)
 * that do not depend on a port's own MAC or addresses, installed once for
 * all guest ports (or once per network) instead of once per port: they
 * match the registers a guest port's ingress flow sets (flows/
 * pipeline-private.h) where the per-port flows match in_port.  What a
 * guard needs of the port itself (its MAC, its addresses, whether it is
 * its network's server) comes from those registers or from the port's own
 * allow flows, which are flows/pipeline.c's.  The one guard per address a
 * port holds, which keeps it from the ports in undeclared mode
 * ("address-taken-drop"), is written here and goes into the holder's
 * group (pipeline_guard_taken_flows()).  A guard that refuses a
 * guest's frame sends it to table 15 (PIPELINE_GUARD_DROP), where its
 * port's "guard-count" flow drops it, so that those drops count per port
 * too (the header chain drop, which refuses what a guest may send
 * without spoofing anything, drops at once). */
#include <config.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"
#include "gn-config.h"
#include "gn-util.h"
#include "pipeline-private.h"
#include "pipeline.h"

/* Table 1: the source MAC, checked bit by bit against the port's own in
 * REG_PORT_MAC (set by its ingress flow).  For each bit of the 48, two
 * flows, one per value, send a frame whose bit differs from the port's to
 * table 8, where the port's "mac-spoof-drop" flow drops it; the most
 * significant bit has the highest priority.  A frame from the port's own
 * MAC matches none and goes on to the source address flows below them.
 *
 * Why not one flow "in_port=P,dl_src=MAC" per port: where a frame misses
 * it, ovs-vswitchd's classifier un-wildcards all 48 bits of eth_src in the
 * megaflow, so each spoofed source MAC costs a datapath flow (a flood of
 * random MACs filled the datapath's flow table).  Here the lookup stops at
 * the first bit that differs, and the megaflow matches only the bits up to
 * it: a port has at most 48 megaflows of spoofed frames per kind of frame
 * the later tables tell apart, whatever the flood. */
static void
pipeline_source_mac_check__(struct pipeline_ctx *ctx)
{
    uint64_t check = PIPELINE_COOKIE(PIPELINE_RULE_SOURCE_MAC_CHECK, 0);
    char *spoof = gn_xasprintf("goto_table:%d", T_SPOOF);

    for (int bit = 0; bit < 48; bit++) {
        uint64_t b = UINT64_C(1) << bit;
        char mask[18];
        struct netaddr_mac m;

        for (int i = 0; i < 6; i++) {
            m.b[i] = (b >> (8 * (5 - i))) & 0xff;
        }
        netaddr_format_mac(&m, mask);
        for (int value = 0; value < 2; value++) {
            pipeline_ctx_add(ctx, T_SOURCE, 200 + bit, check, spoof,
                             "reg5=1,%s=%#"PRIx64"/%#"PRIx64","
                             "dl_src=%s/%s", REG_PORT_MAC, value ? b : 0, b,
                             value ? "00:00:00:00:00:00" : mask, mask);
        }
    }
    free(spoof);
}

/* Table 1: what any guest may send from no address of its own, whole
 * (never in fragments, which table 2 would pass on): DHCP
 * discovery from 0.0.0.0, duplicate address detection (its targets are
 * checked in table 2), MLD reports and router solicitations (RFC 4861
 * 4.1 lets a host without an address send them) from "::" and RARP
 * requests, which
 * claim no address: QEMU announces a migrated guest with them, five
 * times, so that switches learn where its MAC is now (the first passes
 * the destination's blocked port, the others its own flows; the source
 * MAC is the port's, checked above).  ARP probes (from
 * 0.0.0.0) that no port's own "arp-allow" flow let through are for
 * another's address: one would make it give its address up
 * ("dad-drop"). */
static void
pipeline_unaddressed__(struct pipeline_ctx *ctx)
{
    uint64_t allow = PIPELINE_COOKIE(PIPELINE_RULE_IP_ALLOW, 0);
    char next[32];

    snprintf(next, sizeof next, "goto_table:%d", T_CONTENT);
    pipeline_ctx_add(ctx, T_SOURCE, 100,
                     PIPELINE_COOKIE(PIPELINE_RULE_DHCP_DISCOVER, 0), next,
                     "reg5=1,udp,nw_frag=no,nw_src=0.0.0.0,"
                     "nw_dst=255.255.255.255,tp_src=68,tp_dst=67");
    pipeline_ctx_add(ctx, T_SOURCE, 100, allow, next,
                     "reg5=1,icmp6,nw_frag=no,ipv6_src=::,icmp_type=135");
    pipeline_ctx_add(ctx, T_SOURCE, 100, allow, next,
                     "reg5=1,icmp6,nw_frag=no,ipv6_src=::,icmp_type=143");
    pipeline_ctx_add(ctx, T_SOURCE, 100, allow, next,
                     "reg5=1,icmp6,nw_frag=no,ipv6_src=::,icmp_type=133");
    pipeline_ctx_add(ctx, T_SOURCE, 100,
                     PIPELINE_COOKIE(PIPELINE_RULE_ARP_ALLOW, 0), next,
                     "reg5=1,rarp,arp_op=3,arp_spa=0.0.0.0,"
                     "arp_tpa=0.0.0.0");
    pipeline_ctx_add(ctx, T_SOURCE, 95,
                     PIPELINE_COOKIE(PIPELINE_RULE_DAD_DROP, 0),
                     PIPELINE_GUARD_DROP, "reg5=1,arp,arp_spa=0.0.0.0");
}

/* Table 2: fragments, judged without reassembly.  The switch parses the
 * transport header of a first fragment (OFPUTIL_FRAG_NX_MATCH, which
 * flows/ofctrl-pin.c sets) and none of a later one, which has none.  What
 * makes a datagram a server message, a router advertisement, a redirect
 * or neighbour discovery is in its first bytes: UDP ports, ICMP and ICMPv6
 * types.  A later fragment cannot change them: it starts at byte 8 or
 * beyond, and receivers discard datagrams whose fragments overlap (RFC
 * 5722; Linux does for IPv4 too).  Nor can it join another sender's
 * datagram: reassembly is by source address, which table 1 checked in
 * every fragment.  So:
 *   - a later fragment goes on ("fragment-pass");
 *   - a first fragment goes on if its header says what it is: TCP or UDP
 *     with a destination port (one that does not hold the whole TCP
 *     header has none: the tiny fragment attack of RFC 1858), ICMP echo or
 *     errors, ICMPv6 echo or errors; no DHCP or DHCPv6 server message but
 *     from the network's server port ("dhcp-server-drop");
 *   - any other first fragment is dropped ("fragment-drop"): neighbour
 *     discovery, router advertisements, redirects and MLD are never
 *     fragmented (RFC 6980), and an ICMPv6 header or IPv6 header chain
 *     that does not fit in the first fragment (RFC 7112) leaves no type.
 * Nothing is reassembled: guests do not share the datapath's reassembly
 * table (see README "Security model"), any fragment size passes, and a
 * fragmented echo reply arrives.  Without the end of a datagram whose
 * first fragment was dropped, the receiver completes nothing.
 *
 * An IPv6 header chain that OVS cannot walk to its end leaves nw_proto 0
 * and no fragment mark (0 is hop-by-hop, which OVS walks past): it hides
 * its upper layer and is dropped. */
static void
pipeline_fragments__(struct pipeline_ctx *ctx)
{
    static const struct {
        const char *ip, *tcp, *udp, *icmp;
        int icmp_types[6];          /* Echo and errors. */
        size_t n_icmp_types;
    } fam[] = {
        /* ICMP type 0, echo reply, is also what an empty first fragment
         * shows: one that carries nothing. */
        { "ip", "tcp", "udp", "icmp", { 0, 8, 3, 11, 12 }, 5 },
        { "ipv6", "tcp6", "udp6", "icmp6", { 128, 129, 1, 2, 3, 4 }, 6 },
    };
    uint64_t pass = PIPELINE_COOKIE(PIPELINE_RULE_FRAG_PASS, 0);
    uint64_t drop = PIPELINE_COOKIE(PIPELINE_RULE_FRAG_DROP, 0);
    char next[32];

    snprintf(next, sizeof next, "goto_table:%d", T_FORWARD);
    for (size_t i = 0; i < GN_ARRAY_SIZE(fam); i++) {
        pipeline_ctx_add(ctx, T_CONTENT, 145, pass, next,
                         "reg5=1,%s,nw_frag=later", fam[i].ip);
        pipeline_ctx_add(ctx, T_CONTENT, 143, drop, PIPELINE_GUARD_DROP,
                         "reg5=1,%s,nw_frag=first,tp_dst=0", fam[i].tcp);
        pipeline_ctx_add(ctx, T_CONTENT, 143, drop, PIPELINE_GUARD_DROP,
                         "reg5=1,%s,nw_frag=first,tp_dst=0", fam[i].udp);
        for (size_t t = 0; t < fam[i].n_icmp_types; t++) {
            pipeline_ctx_add(ctx, T_CONTENT, 143, pass, next,
                             "reg5=1,%s,nw_frag=first,icmp_type=%d",
                             fam[i].icmp, fam[i].icmp_types[t]);
        }
        pipeline_ctx_add(ctx, T_CONTENT, 142, drop, PIPELINE_GUARD_DROP,
                         "reg5=1,%s,nw_frag=first", fam[i].icmp);
        pipeline_ctx_add(ctx, T_CONTENT, 141, pass, next,
                         "reg5=1,%s,nw_frag=first", fam[i].ip);
    }
    pipeline_ctx_add(ctx, T_CONTENT, 135,
                     PIPELINE_COOKIE(PIPELINE_RULE_IPV6_HEADER_DROP, 0),
                     "drop", "reg5=1,ipv6,nw_proto=0");
}

/* Table 2, for ports that are not their network's server
 * (PIPELINE_PORT_SERVER clear): DHCP and DHCPv6 server messages (by either
 * port: a server may answer from another source port; in a fragmented
 * datagram by its first fragment's), router advertisements and
 * redirects are dropped.  So is what goes to a server's port but a whole
 * message from the client's port ("dhcp-client-drop"): a fragmented one,
 * or one from another port, would reach a server (which answers any
 * source port) without the copy that guestnetd's snooping and DHCP
 * service take of a client's messages (68 to 67, 546 to 547, whole), and
 * a RELEASE of a neighbour's lease would free its address for the
 * sender. */
static void
pipeline_server_drops__(struct pipeline_ctx *ctx)
{
    static const struct {
        const char *udp;        /* The family's UDP. */
        int server, client;     /* Server's and client's ports. */
    } dhcp[] = {
        { "udp", 67, 68 },
        { "udp6", 547, 546 },
    };
    uint64_t dhcp_drop = PIPELINE_COOKIE(PIPELINE_RULE_DHCP_SERVER_DROP, 0);
    uint64_t client_drop = PIPELINE_COOKIE(PIPELINE_RULE_DHCP_CLIENT_DROP, 0);
    char next[32];
    uint64_t ra = PIPELINE_COOKIE(PIPELINE_RULE_RA_DROP, 0);
    uint64_t redirect = PIPELINE_COOKIE(PIPELINE_RULE_REDIRECT_DROP, 0);
    char guest[32];

    snprintf(guest, sizeof guest, "reg5=1,reg4=0/%#x", PIPELINE_PORT_SERVER);
    snprintf(next, sizeof next, "goto_table:%d", T_FORWARD);
    for (size_t i = 0; i < GN_ARRAY_SIZE(dhcp); i++) {
        /* A first fragment's, above pipeline_fragments__()'s pass. */
        pipeline_ctx_add(ctx, T_CONTENT, 144, dhcp_drop, PIPELINE_GUARD_DROP,
                         "%s,%s,nw_frag=first,tp_src=%d", guest, dhcp[i].udp,
                         dhcp[i].server);
        pipeline_ctx_add(ctx, T_CONTENT, 144, dhcp_drop, PIPELINE_GUARD_DROP,
                         "%s,%s,nw_frag=first,tp_dst=%d", guest, dhcp[i].udp,
                         dhcp[i].client);
        pipeline_ctx_add(ctx, T_CONTENT, 120, dhcp_drop, PIPELINE_GUARD_DROP,
                         "%s,%s,tp_src=%d", guest, dhcp[i].udp,
                         dhcp[i].server);
        pipeline_ctx_add(ctx, T_CONTENT, 120, dhcp_drop, PIPELINE_GUARD_DROP,
                         "%s,%s,tp_dst=%d", guest, dhcp[i].udp,
                         dhcp[i].client);
        /* To a server's port: fragmented, or whole from another port than
         * the client's (a client's whole message, below the ports' own
         * flows for it, goes on as content-allow would take it). */
        pipeline_ctx_add(ctx, T_CONTENT, 144, client_drop,
                         PIPELINE_GUARD_DROP, "%s,%s,nw_frag=first,tp_dst=%d",
                         guest, dhcp[i].udp, dhcp[i].server);
        pipeline_ctx_add(ctx, T_CONTENT, 119,
                         PIPELINE_COOKIE(PIPELINE_RULE_CONTENT_ALLOW, 0), next,
                         "%s,%s,tp_src=%d,tp_dst=%d", guest, dhcp[i].udp,
                         dhcp[i].client, dhcp[i].server);
        pipeline_ctx_add(ctx, T_CONTENT, 118, client_drop,
                         PIPELINE_GUARD_DROP, "%s,%s,tp_dst=%d", guest,
                         dhcp[i].udp, dhcp[i].server);
    }
    pipeline_ctx_add(ctx, T_CONTENT, 120, ra, PIPELINE_GUARD_DROP,
                     "%s,icmp6,icmp_type=134", guest);
    pipeline_ctx_add(ctx, T_CONTENT, 120, redirect, PIPELINE_GUARD_DROP,
                     "%s,icmp6,icmp_type=137", guest);
    pipeline_ctx_add(ctx, T_CONTENT, 120, redirect, PIPELINE_GUARD_DROP,
                     "%s,icmp,icmp_type=5", guest);
}

/* Table 2: neighbour discovery, what no port may send.  OVS (lib/flow.c,
 * parse_icmpv6()) and the receiver's kernel read an NS's or NA's options
 * differently: OVS takes a link-layer option only if 8 bytes long and
 * clears nd_sll, nd_tll and nd_target on a second one, where Linux uses
 * the first; OVS stops at an option of length 0 or too long and keeps what
 * it found, and skips link-layer options of other lengths, where Linux
 * discards the message.  So what passes is what both read alike, and only
 * through a port's own "nd-allow" flows (flows/pipeline.c,
 * pipeline_nd__()), above these:
 *   - An NS from an address (not "::") carries the port's MAC in nd_sll:
 *     Linux uses that MAC or discards the message.  RFC 4861 (4.3) makes
 *     the option a MUST in multicast NSs, a SHOULD in unicast ones; Linux
 *     always sends it.  The cost: a guest's unicast NSs (reachability
 *     probes) without it are dropped ("nd-option-drop"), and the guest
 *     falls back to a multicast NS once its probes fail.
 *   - A duplicate address detection probe (from "::") carries no
 *     link-layer option (RFC 4861: MUST NOT; Linux discards it otherwise)
 *     and is for one of the port's own addresses: a probe for another's
 *     makes that one give its address up ("dad-drop").
 *   - An NA is for one of the port's own addresses, with the port's MAC
 *     in nd_tll or none: a target that OVS cleared is "::", never the
 *     port's ("nd-option-drop"), and any other nd_tll 0 is a message
 *     where Linux finds no option, or that it discards, or where it takes
 *     an all-zero MAC for the port's own address.  RFC 4861 (7.2.4) lets
 *     answers to unicast NSs leave the option out, as Linux does: requiring
 *     it would break every guest's reachability confirmations.
 * Anything else of the two types is "nd-spoof-drop".  Every ND match names
 * icmp_code=0: OVS parses the ND fields only of code 0 messages, and a
 * megaflow keeps its mask of the ND fields only if the ICMP code is
 * matched exactly; without it, the datapath would cache one verdict for
 * every target and link-layer address. */
static void
pipeline_nd_drops__(struct pipeline_ctx *ctx)
{
    uint64_t option_drop = PIPELINE_COOKIE(PIPELINE_RULE_ND_OPTION_DROP, 0);

    for (int type = 135; type <= 136; type++) {
        pipeline_ctx_add(ctx, T_CONTENT, 115, option_drop, PIPELINE_GUARD_DROP,
                         "reg5=1,icmp6,icmp_type=%d,icmp_code=0,"
                         "nd_target=::", type);
        pipeline_ctx_add(ctx, T_CONTENT, 100,
                         PIPELINE_COOKIE(PIPELINE_RULE_ND_SPOOF_DROP, 0),
                         PIPELINE_GUARD_DROP, "reg5=1,icmp6,icmp_type=%d",
                         type);
    }
    pipeline_ctx_add(ctx, T_CONTENT, 111,
                     PIPELINE_COOKIE(PIPELINE_RULE_DAD_DROP, 0),
                     PIPELINE_GUARD_DROP,
                     "reg5=1,icmp6,icmp_type=135,ipv6_src=::");
    pipeline_ctx_add(ctx, T_CONTENT, 105, option_drop, PIPELINE_GUARD_DROP,
                     "reg5=1,icmp6,icmp_type=135,icmp_code=0,"
                     "nd_sll=00:00:00:00:00:00");
}

void
pipeline_guard_flows(struct pipeline_ctx *ctx)
{
    char next[32];

    pipeline_source_mac_check__(ctx);
    pipeline_unaddressed__(ctx);
    pipeline_fragments__(ctx);
    pipeline_server_drops__(ctx);
    pipeline_nd_drops__(ctx);
    snprintf(next, sizeof next, "goto_table:%d", T_FORWARD);
    pipeline_ctx_add(ctx, T_CONTENT, 10,
                     PIPELINE_COOKIE(PIPELINE_RULE_CONTENT_ALLOW, 0), next,
                     "%s", "reg5=1");
}

/* True if address 'ip' (whatever its prefix length) is one of the 'n'
 * 'addrs'. */
static bool
pipeline_ip_in__(const struct netaddr_ip *addrs, size_t n,
                 const struct netaddr_ip *ip)
{
    for (size_t i = 0; i < n; i++) {
        const struct netaddr_ip *a = &addrs[i];

        if (a->family == ip->family
            && (a->family == AF_INET
                ? a->addr.v4.s_addr == ip->addr.v4.s_addr
                : !memcmp(&a->addr.v6, &ip->addr.v6, sizeof a->addr.v6))) {
            return true;
        }
    }
    return false;
}

/* Appends 'ip' (as a single address) to the 'n' addresses of 'addrs',
 * unless it is there already. */
static void
pipeline_add_reserved__(struct netaddr_ip *addrs, size_t *n,
                        const struct netaddr_ip *ip)
{
    if (pipeline_ip_in__(addrs, *n, ip)) {
        return;
    }
    addrs[*n] = *ip;
    addrs[*n].plen = ip->family == AF_INET ? 32 : 128;
    (*n)++;
}

/* Returns the addresses of network 'net' that a port without declared
 * addresses may not take although they lie in its subnets, and stores
 * their number in '*n': the network's gateways, the network and broadcast
 * addresses of its IPv4 subnets (up to /30) and the subnet-router anycast
 * address (the prefix itself) of its IPv6 subnets (up to /126).  Each
 * address once.  Caller frees. */
static struct netaddr_ip *
pipeline_reserved__(const struct gn_network *net, size_t *n)
{
    struct netaddr_ip *addrs = gn_xmalloc((net->n_gateways
                                           + 2 * net->n_subnets + 1)
                                          * sizeof *addrs);

    *n = 0;
    for (size_t i = 0; i < net->n_gateways; i++) {
        pipeline_add_reserved__(addrs, n, &net->gateways[i]);
    }
    for (size_t i = 0; i < net->n_subnets; i++) {
        struct netaddr_ip ip = net->subnets[i];

        if (ip.family == AF_INET && ip.plen <= 30) {
            uint32_t host = ip.plen ? UINT32_MAX >> ip.plen : UINT32_MAX;

            pipeline_add_reserved__(addrs, n, &ip);
            ip.addr.v4.s_addr = htonl(ntohl(ip.addr.v4.s_addr) | host);
            pipeline_add_reserved__(addrs, n, &ip);
        } else if (ip.family == AF_INET6 && ip.plen <= 126) {
            pipeline_add_reserved__(addrs, n, &ip);
        }
    }
    return addrs;
}

/* The drops, for the frames of network 'net''s ports in undeclared mode
 * (REG_PORT_FLAGS has PIPELINE_PORT_UNDECLARED), of those that claim
 * address 'ip': IPv4 from it, ARP from it and ARP probes for it, IPv6 from
 * it (table 1, priority 105), duplicate address detection probes and
 * advertisements for it (table 2, priority 113); all above the port's own
 * allow flows, which allow its network's subnets.  Rule and object in
 * 'cookie'. */
static void
pipeline_claim_drops__(struct pipeline_ctx *ctx, const char *port,
                       const struct netaddr_ip *ip, uint64_t cookie);

static void
pipeline_undeclared_drops__(struct pipeline_ctx *ctx,
                            const struct gn_network *net,
                            const struct netaddr_ip *ip, uint64_t cookie)
{
    char port[64];

    snprintf(port, sizeof port, "reg6=%d,reg5=1,reg4=%#x/%#x", net->vlan,
             PIPELINE_PORT_UNDECLARED, PIPELINE_PORT_UNDECLARED);
    pipeline_claim_drops__(ctx, port, ip, cookie);
}

/* The drops of what claims address 'ip' for the frames that 'port' (a
 * match) selects: see pipeline_undeclared_drops__(). */
static void
pipeline_claim_drops__(struct pipeline_ctx *ctx, const char *port,
                       const struct netaddr_ip *ip, uint64_t cookie)
{
    char addr[INET6_ADDRSTRLEN];

    pipeline_format_ip(ip, false, addr, sizeof addr);
    if (ip->family == AF_INET) {
        pipeline_ctx_add(ctx, T_SOURCE, 105, cookie, PIPELINE_GUARD_DROP,
                         "%s,ip,nw_src=%s", port, addr);
        pipeline_ctx_add(ctx, T_SOURCE, 105, cookie, PIPELINE_GUARD_DROP,
                         "%s,arp,arp_spa=%s", port, addr);
        pipeline_ctx_add(ctx, T_SOURCE, 105, cookie, PIPELINE_GUARD_DROP,
                         "%s,arp,arp_spa=0.0.0.0,arp_tpa=%s", port, addr);
    } else {
        pipeline_ctx_add(ctx, T_SOURCE, 105, cookie, PIPELINE_GUARD_DROP,
                         "%s,ipv6,ipv6_src=%s", port, addr);
        pipeline_ctx_add(ctx, T_CONTENT, 113, cookie, PIPELINE_GUARD_DROP,
                         "%s,icmp6,icmp_type=135,icmp_code=0,"
                         "ipv6_src=::,nd_target=%s", port, addr);
        pipeline_ctx_add(ctx, T_CONTENT, 113, cookie, PIPELINE_GUARD_DROP,
                         "%s,icmp6,icmp_type=136,icmp_code=0,"
                         "nd_target=%s", port, addr);
    }
}

/* A port without declared addresses may take any address of its subnets
 * but those of pipeline_reserved__(), so that it cannot answer ARP for a
 * gateway nor advertise one, nor probe for them. */
void
pipeline_guard_network_flows(struct pipeline_ctx *ctx,
                             const struct gn_network *net)
{
    uint64_t gw = PIPELINE_COOKIE(PIPELINE_RULE_GATEWAY_SPOOF_DROP,
                                  net->vlan);
    size_t n;
    struct netaddr_ip *reserved = pipeline_reserved__(net, &n);

    for (size_t i = 0; i < n; i++) {
        pipeline_undeclared_drops__(ctx, net, &reserved[i], gw);
    }
    free(reserved);
}

void
pipeline_guard_learning_flows(struct pipeline_ctx *ctx,
                              const struct gn_network *net,
                              const struct pipeline_port *p, int family)
{
    uint64_t gw = PIPELINE_COOKIE(PIPELINE_RULE_GATEWAY_SPOOF_DROP,
                                  net->vlan);
    size_t n;
    struct netaddr_ip *reserved = pipeline_reserved__(net, &n);
    char port[32];

    snprintf(port, sizeof port, "in_port=%d", p->ofport);
    for (size_t i = 0; i < n; i++) {
        if (reserved[i].family == family) {
            pipeline_claim_drops__(ctx, port, &reserved[i], gw);
        }
    }
    free(reserved);
}

bool
pipeline_guard_undeclared_possible(const struct gn_network *net,
                                   bool has_server)
{
    return has_server || !dhcp_network_server(net, NULL);
}

/* Nor may it take an address another port of its network holds; a
 * reserved one is pipeline_guard_network_flows()'s already (a key of the
 * network group's flows: two flows of one key would clash). */
void
pipeline_guard_taken_flows(struct pipeline_ctx *ctx,
                           const struct gn_network *net,
                           const struct pipeline_port *p, const bool *owned,
                           bool has_server, uint32_t object)
{
    uint64_t taken = PIPELINE_COOKIE(PIPELINE_RULE_ADDRESS_TAKEN_DROP,
                                     object);
    struct netaddr_ip *reserved;
    size_t n;

    if (!p->n_ips || !pipeline_guard_undeclared_possible(net, has_server)) {
        return;
    }
    reserved = pipeline_reserved__(net, &n);
    for (size_t i = 0; i < p->n_ips; i++) {
        if (owned[i] && !pipeline_ip_in__(reserved, n, &p->ips[i])) {
            pipeline_undeclared_drops__(ctx, net, &p->ips[i], taken);
        }
    }
    free(reserved);
}
