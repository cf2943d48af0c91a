/* pipeline-private.h: the flow groups of the pipeline, shared by
 * flows/pipeline.c, flows/pipeline-guards.c, flows/pipeline-route.c and
 * flows/pipeline-dhcp.c (which write their flows) and
 * flows/pipeline-state.c (which decides which groups to rebuild); the
 * tables and registers the flows use.  Not for other modules. */
#ifndef GN_PIPELINE_PRIVATE_H
#define GN_PIPELINE_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gn-util.h"

struct flow_entry;
struct flow_table;
struct gn_config;
struct gn_network;
struct meter_table;
struct netaddr_ip;
struct netaddr_mac;
struct pipeline_port;

/* The tables (see include/pipeline.h). */
enum {
    T_INGRESS = 0,
    T_SOURCE = 1,
    T_CONTENT = 2,
    T_FORWARD = 3,
    T_ROUTE = 4,
    T_FILTER = 5,
    T_ROUTE_OUT = 6,
    T_FLOOD = 7,
    T_SPOOF = 8,
    T_ROUTED_IN = 9,
    T_NEIGHBOUR = 10,
    T_EGRESS_KBPS = 11,         /* Noisy-neighbour limits: see */
    T_EGRESS_PPS = 12,          /* include/pipeline.h. */
    T_INGRESS_KBPS = 13,
    T_INGRESS_PPS = 14,
    T_GUARD_COUNT = 15,
    T_SNOOP = 16,               /* A copy of a server's DHCP answer or
                                 * a client's message, up. */
};

/* The action of a shared guard that refuses a guest's frame: its port's
 * flow in table 15 (T_GUARD_COUNT) drops it and counts it for the port. */
#define PIPELINE_GUARD_DROP "goto_table:15"

/* Registers, set by a guest port's ingress flow in table 0 (the uplink's
 * sets reg6 and reg5 only): reg6 = network VLAN, reg5 = 1 if the frame
 * came from a guest (table 9 sets reg6 too), reg4 = the port's
 * PIPELINE_PORT_* flags, xreg4
 * (reg8, reg9) = the port's MAC; reg7 = the flood chunk table 7 outputs
 * to. */
#define REG_NET "NXM_NX_REG6[]"
#define REG_FROM_GUEST "NXM_NX_REG5[]"
#define REG_PORT_FLAGS "NXM_NX_REG4[]"
#define REG_PORT_MAC "xreg4"
#define REG_CHUNK "NXM_NX_REG7[]"
/* reg3 = the ofport a frame is about to be delivered to through the
 * ingress limit tables (13, 14), inside a clone(). */
#define REG_LIMIT_PORT "NXM_NX_REG3[]"

/* Flags in REG_PORT_FLAGS. */
#define PIPELINE_PORT_SERVER 0x1        /* Its network's server. */
#define PIPELINE_PORT_UNDECLARED 0x2    /* Undeclared mode (below). */

/* True if port 'p' of network 'net' has no addresses (declared,
 * assigned, leased or learned) and may claim some: it is the network's
 * server (undeclared mode proper: it may use any address of its
 * network's subnets but the reserved ones and those other ports hold), or
 * it takes its addresses on first use (pipeline_port_learning(): those
 * frames go up to guestnetd).  Both carry PIPELINE_PORT_UNDECLARED, so
 * that the drops of the reserved and held addresses apply to them.  A
 * port without addresses that waits for some (assigned by guestnet, or
 * leased by the network's server port and snooped:
 * engine/engine-snoop.c) may use none: only DHCP discovery, duplicate
 * address detection and its link-local addresses. */
bool pipeline_port_undeclared(const struct gn_network *net,
                              const struct pipeline_port *p,
                              bool has_server);

/* The longest frame a flow sends up to guestnetd. */
#define PIPELINE_PUNT_MAX_LEN 1600

/* Where a group's flows go: the first error wins and later adds are
 * skipped; every flow added is appended to 'flows' (the caller frees the
 * array), so that the group can be removed again. */
struct pipeline_ctx {
    struct flow_table *table;
    char *error;
    const struct flow_entry **flows;
    size_t n_flows;
    size_t allocated_flows;
};

/* Adds a flow to the group of 'ctx' (see struct pipeline_ctx): in 'table'
 * with 'priority', 'cookie' and 'actions', matching the printf-style
 * 'fmt' (ovs-ofctl syntax).  Does nothing once 'ctx' has an error. */
void pipeline_ctx_add(struct pipeline_ctx *ctx, uint8_t table,
                      uint16_t priority, uint64_t cookie, const char *actions,
                      const char *fmt, ...)
    GN_PRINTF(6, 7);

/* Formats 'ip' into 's' ('size' bytes), with its prefix length if
 * 'with_plen'. */
void pipeline_format_ip(const struct netaddr_ip *ip, bool with_plen,
                        char *s, size_t size);

/* The flows that depend on the config only: every table's default drop,
 * tables 4, 5 and 10 (pipeline_route_flows()), and the guards of
 * flows/pipeline-guards.c that every guest port shares. */
void pipeline_global_flows(struct pipeline_ctx *, const struct gn_config *);

/* The actions that deliver a frame to guest port 'ofport': "output:N", or,
 * if 'limited' (the port has an ingress limit), a clone() that goes
 * through its meters in tables 13 and 14 (a meter that drops the frame
 * drops the clone only, not the frame's other outputs).  Caller frees. */
char *pipeline_output(int ofport, bool limited);

/* The most meters a port's flows use: its broadcast limit's, that of
 * what it sends up to guestnetd, and one per limit it has. */
#define PIPELINE_PORT_MAX_METERS 6

/* Adds to 'meters' those that the flows of port 'p' of network 'net' go
 * through (its broadcast limit's, if 'cfg' has one, that of what it sends
 * up to guestnetd, and one per limit of 'p'), and
 * stores their ids in 'ids' (PIPELINE_PORT_MAX_METERS of them at most),
 * their number in '*n'.  Returns NULL, or a malloc'd error naming the
 * port (the meters added before it stay, in 'ids'). */
char *pipeline_port_meters(const struct gn_config *cfg,
                           const struct gn_network *net,
                           const struct pipeline_port *p,
                           struct meter_table *meters, uint32_t *ids,
                           size_t *n) GN_WARN_UNUSED;

/* True if port 'p' has a limit on what it sends (egress) or receives
 * (ingress). */
bool pipeline_port_egress_limited(const struct pipeline_port *p);
bool pipeline_port_ingress_limited(const struct pipeline_port *p);

/* flows/pipeline-route.c: routing (table 4), the stateful filter with the
 * rules of 'cfg' (table 5) and the target link-layer address of the
 * neighbour advertisements table 3 composes (table 10). */
void pipeline_route_flows(struct pipeline_ctx *, const struct gn_config *);

/* flows/pipeline-route.c: table 3 for the gateways of network 'net': ARP
 * requests and neighbour solicitations from its guests for one of its
 * gateways are answered on the port they came in on with the network's
 * gateway MAC; frames from its guests to that MAC go to routing (table 4).
 * Nothing for a network without gateways. */
void pipeline_gateway_flows(struct pipeline_ctx *,
                            const struct gn_network *net);

/* flows/pipeline-route.c: table 6 for guest port 'p': routed IPv4 and IPv6
 * to its declared addresses p->ips[i] for which 'routed[i]' is true, from
 * its network's gateway MAC, TTL or hop limit decremented. */
void pipeline_route_out_flows(struct pipeline_ctx *,
                              const struct pipeline_port *p,
                              const bool *routed);

/* flows/pipeline-route.c: cluster mode, network 'net' with the uplink
 * 'uplink_ofport': IPv4 and IPv6 that another host routed here go from
 * table 0 to table 9, anything else from a router MAC and frames from a
 * gateway MAC are dropped; in table 9, the source network of packets from
 * 'net''s subnets. */
void pipeline_routed_in_flows(struct pipeline_ctx *,
                              const struct gn_network *net,
                              int uplink_ofport);

/* flows/pipeline-guards.c: the guards every guest port shares, whatever
 * its network: the source MAC check against REG_PORT_MAC (table 1), the
 * DHCP discovery, duplicate address detection and MLD allows and drops
 * (tables 1 and 2), fragments, IPv6 header chains, server messages and
 * the neighbour discovery drops (table 2). */
void pipeline_guard_flows(struct pipeline_ctx *);

/* flows/pipeline-learn.c: the actions of port 'p''s punts to guestnetd,
 * through its DHCP meter (caller frees); table 1's flows with 'actions'
 * for port 'p''s (MAC text 'mac') frames from address or subnet 'ip' of
 * 'family' (IPv4 and ARP with 'ip_cookie' and 'arp_cookie', or IPv6);
 * and, for a port taking addresses on first use, the punts of its frames
 * from a free address of its network's subnets ("address-learn-punt"). */
char *pipeline_punt_actions(const struct pipeline_port *p);
void pipeline_source_flows(struct pipeline_ctx *,
                           const struct pipeline_port *p, int family,
                           const char *ip, const char *mac,
                           uint64_t ip_cookie, uint64_t arp_cookie,
                           const char *actions);
void pipeline_learn_flows(struct pipeline_ctx *,
                          const struct pipeline_port *p,
                          const struct gn_network *net);

/* flows/pipeline-guards.c: the guards of network 'net' for its ports
 * without declared addresses (PIPELINE_PORT_UNDECLARED): the network's
 * reserved addresses (tables 1 and 2, "gateway-spoof-drop"). */
void pipeline_guard_network_flows(struct pipeline_ctx *,
                                  const struct gn_network *net);

/* flows/pipeline-guards.c: for port 'p' of network 'net' that takes its
 * addresses on first use and has some already (so its frames are not
 * flagged PIPELINE_PORT_UNDECLARED), the same drops of the network's
 * reserved addresses of 'family' for its own frames ("gateway-spoof-drop",
 * above its punts of that family). */
void pipeline_guard_learning_flows(struct pipeline_ctx *,
                                   const struct gn_network *net,
                                   const struct pipeline_port *p,
                                   int family);

/* flows/pipeline-guards.c: true if network 'net' may have a port in
 * undeclared mode (see pipeline_port_undeclared()): guestnet serves it no
 * DHCP, or it has a server port ('has_server'), which is in undeclared
 * mode while it has no addresses. */
bool pipeline_guard_undeclared_possible(const struct gn_network *net,
                                        bool has_server);

/* flows/pipeline-guards.c: where network 'net' may have ports in
 * undeclared mode, the drops of their frames that claim an address of its
 * port 'p' (those p->ips[i] with 'owned[i]': an address two ports hold is
 * neither's to keep; a reserved one is pipeline_guard_network_flows()'s):
 * IPv4 and IPv6 from it, ARP from it, ARP probes, duplicate address
 * detection probes and advertisements for it (tables 1 and 2,
 * "address-taken-drop", the cookie's object 'object').  They match
 * undeclared frames only, so 'p''s own allows, below them, still let its
 * own frames pass (a port with addresses is not in undeclared mode). */
void pipeline_guard_taken_flows(struct pipeline_ctx *,
                                const struct gn_network *net,
                                const struct pipeline_port *p,
                                const bool *owned, bool has_server,
                                uint32_t object);

/* flows/pipeline-dhcp.c: table 2 for guest port 'p' of network 'net':
 * where guestnetd serves DHCP to it, its DHCP client messages go up to
 * guestnetd ("dhcp-punt"), where it serves IPv6, its router
 * solicitations and DHCPv6 client messages ("router-solicitation-punt",
 * "dhcp6-punt"); a server port's DHCP and DHCPv6 answers go on, and a
 * copy of each up through table 16 ("dhcp-snoop"); while the network has
 * a server port ('has_server'), so do the client messages of its other
 * ports ("dhcp-client-snoop"). */
void pipeline_dhcp_port_flows(struct pipeline_ctx *,
                              const struct gn_network *net,
                              const struct pipeline_port *p,
                              bool has_server);

/* flows/pipeline-dhcp.c: the flows of network 'net' while it has a server
 * port: its guests' DHCP client messages, from any address of its IPv4
 * subnets too (table 1), go to the network instead of up
 * ("dhcp-client-pass", "dhcp6-client-pass"). */
void pipeline_dhcp_network_flows(struct pipeline_ctx *,
                                 const struct gn_network *net);

/* A network's guest ports are flooded to in chunks: chunk k holds those
 * whose ofport is in [k * PIPELINE_FLOOD_CHUNK, (k + 1) *
 * PIPELINE_FLOOD_CHUNK), so that a port that comes or goes changes the
 * flow of its chunk only. */
#define PIPELINE_FLOOD_CHUNK 64

/* The flood chunk of 'ofport'. */
static inline int
pipeline_flood_chunk(int ofport)
{
    return ofport / PIPELINE_FLOOD_CHUNK;
}

/* The flows of network 'net', whose guest ports fill the 'n_chunks' flood
 * 'chunks' (their numbers, increasing): uplink ingress, flooding into the
 * chunks, unknown unicast, gateway ARP and routing entry, and, if
 * 'has_server' (one of its ports is its server), its guests' DHCP client
 * messages, from any address of its IPv4 subnets, to the network instead
 * of to guestnetd. */
void pipeline_network_flows(struct pipeline_ctx *, const struct gn_network *,
                            const int *chunks, size_t n_chunks,
                            int uplink_ofport,
                            const struct netaddr_mac *router_mac,
                            bool has_server);

/* The flow of flood chunk 'chunk' of network 'net' (table 7): an output to
 * each of its 'n' guest 'ofports', in increasing order (so that the flow
 * does not depend on the order the caller found the ports in); a port
 * with an ingress limit comes as -ofport (see pipeline_output()). */
void pipeline_flood_chunk_flows(struct pipeline_ctx *,
                                const struct gn_network *, int chunk,
                                const int *ofports, size_t n);

/* The flows of guest port 'p' of network 'net' ('has_server': one of the
 * network's ports is its server): tables 0, 1, 2, its unicast flow in
 * table 3, its routed addresses in table 6 (those p->ips[i] with
 * 'routed[i]': an address that two ports declare is routed to neither),
 * the drops of the same addresses for the network's ports in undeclared
 * mode (pipeline_guard_taken_flows()) and, for a server port, the copy of
 * its DHCP answers in table 16.  A blocked port has its announcements and
 * these drops only. */
void pipeline_port_flows(struct pipeline_ctx *, const struct gn_config *,
                         const struct gn_network *,
                         const struct pipeline_port *p, const bool *routed,
                         bool has_server, int uplink_ofport,
                         const struct netaddr_mac *router_mac);

/* flows/pipeline-route.c: cluster mode, the flows of another host's port
 * 'p' of network 'net': its addresses routed to over the uplink from
 * 'router_mac' (table 6), ARP requests and neighbour solicitations of the
 * network's guests here for them answered with its MAC (table 3), and,
 * where the network may have ports in undeclared mode here ('has_server':
 * one of its ports here is its server), their frames that claim those of
 * its addresses p->ips[i] with 'owned[i]' (those no port of this host
 * holds: its flows drop them) dropped (pipeline_guard_taken_flows(), the
 * object 'uplink_ofport'). */
void pipeline_remote_port_flows(struct pipeline_ctx *,
                                const struct gn_network *,
                                const struct pipeline_port *p,
                                const bool *owned, bool has_server,
                                int uplink_ofport,
                                const struct netaddr_mac *router_mac);

#endif /* pipeline-private.h */
