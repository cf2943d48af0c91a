/* pipeline.h: the OpenFlow isolation pipeline guestnet installs on the
 * integration bridge, computed from the config and the bound ports.
 *
 * Tables (all flows with a cookie naming the rule that made them):
 *
 *   0  ingress: a bound guest port's untagged frames go on with reg6 =
 *      network VLAN, reg5 = 1 (from a guest), reg4 = its flags (its
 *      network's server, undeclared mode) and its MAC in xreg4; its
 *      tagged frames are dropped (802.1Q from an access port: VLAN
 *      hopping).  Uplink frames tagged with a configured VLAN go on
 *      untagged with reg6 = VLAN, reg5 = 0, straight to table 3.
 *      Everything else, including every quarantined or unknown port, is
 *      dropped.  A guest's broadcast and multicast frames go through its
 *      port's meter (PIPELINE_METER_ID(), the config's "broadcast_limit";
 *      see pipeline_state_meters()) first.
 *   1  source: a frame whose source MAC is not its port's (xreg4) goes to
 *      table 8, checked bit by bit by flows all guest ports share, so that
 *      a flood of random source MACs costs the datapath few megaflows (see
 *      flows/pipeline-guards.c).  Then addresses: IPv4 from the port's
 *      addresses, declared, assigned, leased or learned (a server port
 *      without addresses, in undeclared mode, pipeline_port_undeclared()
 *      in flows/pipeline-private.h, may use its network's subnets less
 *      the network's gateways, the subnets' network and broadcast
 *      addresses and IPv6 subnet-router anycast addresses:
 *      "gateway-spoof-drop", and less the addresses other ports of the
 *      network hold, declared, assigned, leased or learned, here or, in
 *      cluster mode, on other hosts: "address-taken-drop", the object the
 *      holder's ofport, or the uplink's for another host's port; a port
 *      waiting for assigned or leased addresses has none; a port of a
 *      network where nothing assigns addresses, pipeline_port_learning(),
 *      sends IPv4 and ARP from, ARP probes for, IPv6 from and duplicate
 *      address detection probes for an address of its network's subnets
 *      of a family it has none of up to guestnetd through its DHCP meter
 *      ("address-learn-punt", the same drops above it while it has no
 *      address), which binds the address to it if it is free,
 *      engine/engine-learn.c: one of each family, exact from then on),
 *      DHCP discovery from 0.0.0.0 (and, in a network with a server port,
 *      DHCP client messages from any address of its IPv4 subnets: a
 *      renewal whose lease is not bound yet); ARP whose sender address and
 *      sender MAC are the port's own, ARP probes (from
 *      0.0.0.0) only for its own addresses ("dad-drop"); RARP requests,
 *      which claim no address (QEMU announces a migrated guest with them);
 *      IPv6 from its addresses, its link-local addresses (the EUI-64 one
 *      of its MAC and those bound to it) and, for neighbour and router
 *      solicitations and MLD reports, "::".  IPv6 from a link-local
 *      address (fe80::/64) bound to another port of the network (or the
 *      EUI-64 one of its MAC, or the gateway's) is dropped
 *      ("link-local-taken-drop", the object the owner's ofport;
 *      "gateway-spoof-drop"); from any other link-local address it goes up
 *      to guestnetd through the port's DHCP meter ("link-local-punt"),
 *      which binds the address to the port if no other port of the
 *      network holds it (engine/engine-ll.c).  Other frames are
 *      dropped.
 *   2  content: a guest's IPv4 and IPv6 fragments are judged without
 *      reassembly, by the transport header of the first fragment, which
 *      the switch parses (OFPUTIL_FRAG_NX_MATCH): later fragments and
 *      first fragments of TCP and UDP with a destination port, ICMP and
 *      ICMPv6 echo and errors go on to table 3 ("fragment-pass"); first
 *      fragments of DHCP or DHCPv6 server messages but from the
 *      network's server port ("dhcp-server-drop"), of other ICMP and
 *      ICMPv6 (neighbour discovery, router advertisements, redirects,
 *      MLD) and those too short for their header ("fragment-drop") are
 *      dropped (see flows/pipeline-guards.c); an IPv6 header chain OVS
 *      cannot walk is dropped ("ipv6-header-drop").  DHCP/DHCPv6 server
 *      messages (by either port, whole), router
 *      advertisements and redirects (ICMP and ICMPv6) are dropped unless
 *      the port is its network's server, as is what goes to a DHCP or
 *      DHCPv6 server's port (67, 547) but whole client messages from the
 *      client's port ("dhcp-client-drop": fragmented or from another port,
 *      it would reach a server without the copies below).  Neighbour solicitations must
 *      carry the port's MAC as source link-layer address, or, from "::"
 *      (duplicate address detection), none and be for one of the port's
 *      own addresses (a probe for a link-local address that no port
 *      holds goes up to guestnetd, "link-local-punt", one for another
 *      port's is "link-local-taken-drop"; in undeclared mode, one for
 *      the reserved addresses or another port's is "gateway-spoof-drop",
 *      "address-taken-drop"); advertisements must be for one of the
 *      port's own addresses with its MAC or none as target link-layer
 *      address (the same drops in undeclared mode); what
 *      OVS and Linux would read differently ("nd-option-drop": see
 *      pipeline_nd_drops__() in flows/pipeline-guards.c) is dropped.
 *      Where guestnetd serves DHCP to a port (its network has an IPv4
 *      subnet and gateway and "dhcp" on, and it is not the server), the
 *      port's DHCP client messages (UDP 68 to 67, whole) go up to
 *      guestnetd through its DHCP meter (PIPELINE_DHCP_METER_ID()) and
 *      nowhere else ("dhcp-punt"), which answers them out of the port
 *      (engine/engine-dhcp.c); while the network has a server port, they
 *      go on to the network instead ("dhcp-client-pass").  Likewise where
 *      guestnetd serves IPv6 to a port (an IPv6 gateway in an IPv6 subnet,
 *      "dhcp" on: dhcp6_network_server()): its router solicitations
 *      ("router-solicitation-punt") and DHCPv6 client messages (UDP 546 to
 *      547, whole: "dhcp6-punt", or "dhcp6-client-pass" to the network
 *      while it has a server port) go up through the same meter, and
 *      guestnetd answers them (engine/engine-dhcp6.c).  A network's
 *      server port's DHCP and DHCPv6 answers (UDP 67 to 68, 547 to 546,
 *      whole) go on to the
 *      network, and a copy of each, through table 16, up to guestnetd
 *      ("dhcp-snoop"), which binds the addresses of its ACKs to their
 *      clients' ports (engine/engine-snoop.c); the DHCP and DHCPv6 client
 *      messages of the network's other ports (UDP 68 to 67, 546 to 547,
 *      whole) go on to the network the same way, above
 *      "dhcp-client-pass", with a copy of each through table 16 up to
 *      guestnetd through the port's DHCP meter ("dhcp-client-snoop":
 *      OVS cannot match a DHCP message type), which unbinds the port's
 *      lease that a RELEASE or DECLINE of its gives up.  While a network
 *      has a server port, its other ports are never in undeclared mode:
 *      one without addresses waits for its lease.
 *      Only the allows that name the port's own MAC or addresses are per
 *      port; the drops are shared by all guest ports (they match reg5 and
 *      reg4, not in_port) or, for reserved addresses, by a network's; the
 *      drops of a port's addresses for the undeclared ports of its
 *      network are in the holder's flows, there only where its network
 *      may have such ports (no DHCP of guestnet's, or a server port).
 *   3  forwarding within the frame's network (reg6): unicast to a known
 *      guest MAC goes to its port, broadcast and multicast to every other
 *      port of the network (through table 7) and the uplink (tagged),
 *      unknown unicast to the uplink only.  In a private network guests
 *      reach only the uplink, not each other.  No frame ever leaves on a
 *      port of another network.  Before that, three kinds of guest frames are
 *      taken out: ARP requests for one of the network's IPv4 gateways,
 *      answered at once on the port they came in on with the network's
 *      gateway MAC (pipeline_gateway_mac()); neighbour solicitations for
 *      one of its IPv6 gateways or for the gateways' link-local address
 *      (the EUI-64 address of the gateway MAC, which guestnetd's router
 *      advertisements come from), turned into an advertisement of that MAC
 *      (router, solicited, override) that table 10 finishes and sends
 *      back ("gateway-nd"); and frames to the gateway MAC, which go to
 *      table 4 to be routed.
 *   4  routing: IPv4 and IPv6 whose TTL or hop limit would expire is
 *      dropped (no packet-in), as is IPv6 from or to a link-local address
 *      ("link-local-route-drop") and ICMPv6 but echo requests and replies
 *      and error messages: neighbour discovery, router advertisements,
 *      redirects and MLD never cross ("icmp6-route-drop").  The rest goes
 *      through conntrack (zone PIPELINE_CT_ZONE, one zone for all
 *      networks: their subnets are disjoint) and on to table 5.
 *      Everything else sent to the gateway is dropped.
 *   5  stateful filter: invalid packets are dropped; packets of
 *      established connections, in either direction, and related ones
 *      (ICMP errors) go to table 6; a new connection goes on, committed,
 *      only if a config rule allows it from the source network (reg6) to
 *      a subnet of the destination network, IPv4 or IPv6, with its
 *      protocol ("icmp": ICMPv6 to an IPv6 subnet) and port (the later
 *      fragments of its first datagram, which show no port and, IPv6
 *      ones, the fragment header's protocol, by the protocol in
 *      conntrack's tuple).
 *      Anything else is dropped, counted per source network.  A commit
 *      goes on to table 6 through the datapath again (ct(commit,
 *      table=6), reg2 bit 0 set, ct_mark bit 0 set on the connection):
 *      the datapath may add fragments it held to any conntrack call.
 *   6  route output: what a commit hands on invalid, or without the
 *      commit's mark (reg2 bit 0 set, ct_mark bit 0 clear), is dropped
 *      ("ct-invalid-drop", object 6): fragments the datapath added to
 *      the call.  IPv4 or IPv6 to a declared address of a bound port
 *      (one that no other port declares) leaves on that port with the
 *      destination network's gateway MAC as source, the port's MAC as
 *      destination and the TTL or hop limit decremented.  Ports without
 *      declared addresses cannot be routed to, nor can guests of other
 *      hosts (behind the uplink) but in cluster mode (below): their
 *      packets are dropped.
 *   7  flood chunks: a network's guest ports in chunks of
 *      PIPELINE_FLOOD_CHUNK (64) ofports, one flow per chunk (reg6 =
 *      network, reg7 = chunk) with an output to each, in ofport order;
 *      table 3's flood flows set reg7 and resubmit here once per chunk.
 *      A port that comes or goes changes its chunk's flow only, not a
 *      flow with an output per port of the network (rule
 *      "l2-flood-chunk").
 *   8  source MAC spoofing: a guest port's frames from another MAC (sent
 *      here by table 1) are dropped by the port's own flow, so that they
 *      are counted per port ("mac-spoof-drop").
 *
 *   9  routed in (cluster mode): IPv4 and IPv6 that another host routed
 *      here (from the uplink, with a source MAC of
 *      PIPELINE_ROUTER_MAC_PREFIX) gets the network of its source address
 *      in reg6 ("routed-in") and goes
 *      through tables 4 to 6 like traffic routed here: this host's own
 *      conntrack and rules judge it again, and table 6 delivers it to a
 *      local port only, from the destination network's gateway MAC.
 *  10  neighbour advertisements: a solicitation that table 3 turned into
 *      an advertisement (source MAC, addresses, type, flags, and its source
 *      link-layer option made a target link-layer option) gets the new
 *      source MAC as target link-layer address and leaves on the port it
 *      came in on.  (OVS sets nd_tll only where a flow's match says the
 *      packet is an advertisement, hence a table of its own.)
 *  11  egress limits (what a guest sends): a port with an egress limit
 *      goes from table 0 here instead of to table 1; its flow (rule
 *      "egress-limit") takes the frame through the port's bandwidth meter
 *      (if it has a limit in kbit/s) and on to table 12 if it has a
 *      packet rate limit, else back to table 1.
 *  12  the egress packet rate meter, then back to table 1.  (An OpenFlow
 *      1.3 flow has one meter instruction: two limits need two tables.)
 *  13  ingress limits (what a guest receives): a frame for a port with an
 *      ingress limit is delivered by clone(load:OFPORT->reg3,
 *      resubmit(,13)) instead of output:OFPORT, from table 3 (unicast),
 *      7 (flood chunks) and 6 (routed), so that a meter dropping it drops
 *      that copy only; table 13's flow for reg3 (rule "ingress-limit")
 *      takes it through the port's bandwidth meter and on to table 14 or
 *      out.
 *  14  the ingress packet rate meter, then out to the port.
 *      The answers the switch itself sends back to a guest (gateway ARP
 *      and neighbour advertisements) are not metered.
 *  15  guard drops, per port: a guest's frame that one of the shared
 *      port-security guards (in tables 1 and 2: "dad-drop",
 *      "gateway-spoof-drop", "address-taken-drop", "dhcp-server-drop",
 *      "dhcp-client-drop",
 *      "router-advertisement-drop", "redirect-drop", "nd-option-drop",
 *      "nd-spoof-drop") refused comes here and is dropped by its port's
 *      flow ("guard-count", the cookie's object its ofport), so that the
 *      drops of those guards are counted per port as well as per rule.
 *  16  DHCP snooping: the copy of a server port's DHCP answer, or of
 *      another port's DHCP client message in a network with a server
 *      port, that table 2 clone()s goes up to guestnetd through the
 *      port's DHCP meter (the port's flow, rule "dhcp-snoop" or
 *      "dhcp-client-snoop", the cookie's object its ofport); a meter
 *      that drops it drops the copy only.
 *
 * Cluster mode (pipeline_input.router_mac) adds: in table 6, IPv4 and
 * IPv6 to a declared address of another host's port leave on the uplink,
 * tagged with its network's VLAN, from this host's router MAC (never the
 * gateway MAC: a physical switch sees each host's own MAC), TTL or hop
 * limit decremented ("route-remote"), and ARP requests and neighbour
 * solicitations of its network's guests here for such an address are
 * answered with the port's MAC ("neighbour-answer", table 3; a
 * solicitation through table 10); in table 0, frames from the uplink that
 * claim a local port's MAC or address or a gateway MAC as their source
 * are dropped ("uplink-spoof-drop"), as is anything but IPv4 and IPv6
 * from a router MAC.
 * A blocked port (pipeline_port.blocked) has no flows but two in table 0
 * and the drops of its addresses for its network's ports in undeclared
 * mode ("address-taken-drop"): its guest's announcements (RARP from its
 * MAC, or ARP from its MAC for one of its addresses) are counted and
 * sent to the uplink, so that the fabric learns where the MAC is now
 * ("migration-announce", the cookie's object its ofport: the sign that a
 * migrated guest runs here now); everything else it sends is dropped
 * ("migration-block"); nothing is delivered to it (it is in no flood chunk
 * and has no unicast or route flow).
 *
 * In a rule from network A to B, A's guests open connections to B's and
 * receive the replies; B's guests cannot open connections to A's unless
 * another rule says so.  Nothing crosses between networks otherwise.
 *
 * Pure: builds flows and meters, sends nothing.  Thread-safety: a
 * pipeline_state (below) may be used by one thread at a time; the rest has
 * no state. */
#ifndef GN_PIPELINE_H
#define GN_PIPELINE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gn-limits.h"
#include "netaddr.h"

struct flow_table;
struct gn_config;
struct gn_network;
struct meter_table;
struct pipeline_state;

/* A port the pipeline knows: bound to a network, with an ofport.  (The
 * port view tells whether a port's flows may have changed by comparing
 * every member: see port_view_same_flows__() when adding one.) */
struct pipeline_port {
    const char *name;
    int ofport;
    int vlan;
    struct netaddr_mac mac;
    const struct netaddr_ip *ips;   /* Declared addresses, or none. */
    size_t n_ips;
    const struct netaddr_ip *lls;   /* IPv6 link-local addresses bound to
                                     * it on first use (besides the EUI-64
                                     * one of its MAC), at most
                                     * PIPELINE_LL_MAX. */
    size_t n_lls;
    bool server;                    /* May act as DHCP server / router. */
    bool learned;                   /* It has addresses, all of which its
                                     * guest took on first use
                                     * (engine/engine-learn.c). */
    bool remote;                    /* Cluster mode: a port of another
                                     * host, routed to over the uplink
                                     * ('ofport' unused). */
    bool blocked;                   /* Cluster mode: a live migration's
                                     * destination not yet activated, or
                                     * its source once the guest moved:
                                     * nothing in or out but the guest's
                                     * announcements, counted. */
    struct gn_limits limits;        /* Effective (gn_limits_effective()),
                                     * or all 0: no limits. */
};

/* True if port 'p' of network 'net' takes its addresses on first use: it
 * is not a server, its network has neither guestnet's DHCP nor a server
 * port ('has_server': nothing assigns it addresses), and it has none but
 * those it took so (pipeline_port.learned).  It may take one address of
 * each family of its network's subnets ("address-learn-punt",
 * engine/engine-learn.c) and then uses exactly those. */
bool pipeline_port_learning(const struct gn_network *net,
                            const struct pipeline_port *p, bool has_server);

struct pipeline_input {
    const struct gn_config *cfg;
    unsigned long long cfg_gen;     /* Changes whenever 'cfg' does. */
    const struct pipeline_port *ports;
    size_t n_ports;
    int uplink_ofport;              /* -1: no uplink. */
    const struct netaddr_mac *router_mac;   /* Cluster mode: this host's
                                             * router MAC; NULL: one host,
                                             * no routing across hosts. */
    long long deadline;             /* For pipeline_state_update(): a
                                     * gn_time_usec() time, or 0. */
    bool same_input;                /* Exactly the input of the last call
                                     * (same 'ports' array, unchanged):
                                     * an incomplete pass goes on where
                                     * it stopped. */
};

/* The rules, for cookies: cookie = rule << 48 | object: the ofport, the
 * VLAN, the table (default-drop) or, for route-allow, the index of the
 * config rule; 0 for the routing flows and the guards shared by all
 * networks. */
#define PIPELINE_RULES                                                  \
    RULE(DEFAULT_DROP, 1, "default-drop")                               \
    RULE(PORT_IN, 2, "port-ingress")                                    \
    RULE(BCAST_LIMIT, 32, "broadcast-limit")                            \
    RULE(TAGGED_DROP, 3, "tagged-frame-drop")                           \
    RULE(MAC_SPOOF_DROP, 4, "mac-spoof-drop")                           \
    RULE(UPLINK_IN, 5, "uplink-ingress")                                \
    RULE(IP_ALLOW, 6, "ip-source-allow")                                \
    RULE(ARP_ALLOW, 7, "arp-allow")                                     \
    RULE(DHCP_DISCOVER, 8, "dhcp-discover-allow")                       \
    RULE(IP_SPOOF_DROP, 9, "ip-spoof-drop")                             \
    RULE(DHCP_SERVER_DROP, 10, "dhcp-server-drop")                      \
    RULE(RA_DROP, 11, "router-advertisement-drop")                      \
    RULE(ND_ALLOW, 12, "nd-allow")                                      \
    RULE(ND_SPOOF_DROP, 13, "nd-spoof-drop")                            \
    RULE(CONTENT_ALLOW, 14, "content-allow")                            \
    RULE(L2_UNICAST, 15, "l2-unicast")                                  \
    RULE(L2_FLOOD, 16, "l2-flood")                                      \
    RULE(L2_UNKNOWN, 17, "l2-unknown-unicast")                          \
    RULE(PRIVATE_DROP, 18, "private-network-drop")                      \
    RULE(GATEWAY_ARP, 19, "gateway-arp")                                \
    RULE(ROUTE_GATEWAY, 20, "route-to-gateway")                         \
    RULE(TTL_DROP, 21, "ttl-expired-drop")                              \
    RULE(ROUTE_CT, 22, "route-conntrack")                               \
    RULE(CT_INVALID_DROP, 23, "ct-invalid-drop")                        \
    RULE(CT_ESTABLISHED, 24, "ct-established")                          \
    RULE(CT_RELATED, 25, "ct-related")                                  \
    RULE(ROUTE_ALLOW, 26, "route-allow")                                \
    RULE(ROUTE_DROP, 27, "route-drop")                                  \
    RULE(ROUTE_OUTPUT, 28, "route-output")                              \
    RULE(L2_FLOOD_CHUNK, 29, "l2-flood-chunk")                          \
    RULE(REDIRECT_DROP, 30, "redirect-drop")                            \
    RULE(ND_OPTION_DROP, 31, "nd-option-drop")                          \
    RULE(FRAG_PASS, 33, "fragment-pass")                                \
    RULE(FRAG_DROP, 34, "fragment-drop")                                \
    RULE(IPV6_HEADER_DROP, 35, "ipv6-header-drop")                      \
    RULE(DAD_DROP, 36, "dad-drop")                                      \
    RULE(GATEWAY_SPOOF_DROP, 37, "gateway-spoof-drop")                  \
    RULE(SOURCE_MAC_CHECK, 38, "source-mac-check")                      \
    RULE(ROUTED_IN, 39, "routed-in")                                    \
    RULE(UPLINK_SPOOF_DROP, 40, "uplink-spoof-drop")                    \
    RULE(ROUTE_REMOTE, 41, "route-remote")                              \
    RULE(NEIGHBOUR_ANSWER, 42, "neighbour-answer")                      \
    RULE(GATEWAY_ND, 43, "gateway-nd")                                  \
    RULE(ICMP6_ROUTE_DROP, 44, "icmp6-route-drop")                      \
    RULE(LINK_LOCAL_DROP, 45, "link-local-route-drop")                  \
    RULE(MIGRATION_ANNOUNCE, 46, "migration-announce")                  \
    RULE(MIGRATION_BLOCK, 47, "migration-block")                        \
    RULE(DHCP_PUNT, 48, "dhcp-punt")                                    \
    RULE(DHCP_CLIENT_PASS, 49, "dhcp-client-pass")                      \
    RULE(RS_PUNT, 50, "router-solicitation-punt")                       \
    RULE(DHCP6_PUNT, 51, "dhcp6-punt")                                  \
    RULE(DHCP6_CLIENT_PASS, 52, "dhcp6-client-pass")                    \
    RULE(LINK_LOCAL_PUNT, 53, "link-local-punt")                        \
    RULE(LINK_LOCAL_TAKEN_DROP, 54, "link-local-taken-drop")            \
    RULE(DHCP_SNOOP, 55, "dhcp-snoop")                                  \
    RULE(ADDRESS_TAKEN_DROP, 56, "address-taken-drop")                  \
    RULE(ADDRESS_LEARN_PUNT, 57, "address-learn-punt")                  \
    RULE(DHCP_CLIENT_SNOOP, 58, "dhcp-client-snoop")                    \
    RULE(DHCP_CLIENT_DROP, 59, "dhcp-client-drop")                      \
    RULE(EGRESS_LIMIT, 60, "egress-limit")                              \
    RULE(INGRESS_LIMIT, 61, "ingress-limit")                            \
    RULE(GUARD_COUNT, 62, "guard-count")

enum pipeline_rule {
#define RULE(ENUM, ID, NAME) PIPELINE_RULE_##ENUM = ID,
    PIPELINE_RULES
#undef RULE
};

#define PIPELINE_COOKIE(RULE, OBJECT) \
    (((uint64_t) (RULE) << 48) | (uint32_t) (OBJECT))

/* The router MACs of hosts in a cluster: 0a:58:XX:XX:XX:XX. */
#define PIPELINE_ROUTER_MAC_PREFIX "0a:58:00:00:00:00/ff:ff:00:00:00:00"

/* The conntrack zone of routed traffic. */
#define PIPELINE_CT_ZONE 1

/* Stores in '*mac' the gateway MAC of the network with 'vlan', which
 * guestnet answers ARP requests and neighbour solicitations for the
 * network's gateways with:
 * 0a:00:00:00:VV:VV, locally administered, VV:VV the VLAN. */
void pipeline_gateway_mac(int vlan, struct netaddr_mac *mac);

/* Returns the rule name of 'cookie' ("mac-spoof-drop"), or NULL if the
 * cookie is not one of guestnet's. */
const char *pipeline_rule_name(uint64_t cookie);
/* Returns the ofport or VLAN the cookie's rule was made for. */
uint32_t pipeline_cookie_object(uint64_t cookie);
/* True if the rule of 'cookie' drops packets. */
bool pipeline_rule_drops(uint64_t cookie);

/* Adds the pipeline's flows for 'in' to 'table' (empty on entry).  Returns
 * NULL, or a malloc'd error naming the flow that did not parse (a bug) or
 * the flow that clashed (two ports with one MAC in a private network); the
 * flows of the port or network concerned are then left out, the others are
 * in 'table'.  Builds everything: 'in->deadline' does not apply.  The
 * flows use meters it does not return: a switch needs those of
 * pipeline_state_meters() for the same input. */
char *pipeline_build(const struct pipeline_input *in,
                     struct flow_table *table)
    __attribute__((warn_unused_result));

/* Incremental building.  A pipeline_state remembers, for each group of
 * flows (the global flows, the flows of each network, of each flood chunk
 * of a network, and of each port), the input the group was built from and
 * the flows it added to a table (and a port's meter, see
 * pipeline_state_meters()).  pipeline_state_update() brings the table
 * from the previous input to 'in' by rebuilding only the groups whose
 * input changed (all of them when 'in->cfg_gen' changed) and removing
 * those of vanished ports, so a port added to 1000 costs its own flows and
 * the flood flow of its chunk.  The table must be changed by nothing else
 * meanwhile.
 *
 * Time budget.  If 'in->deadline' is nonzero, the update looks at the
 * clock once it has rebuilt a group and has another to rebuild and, if
 * gn_time_usec() has reached the deadline, stops there and says so in
 * 'incomplete': the table then holds a mix of the old and the new groups,
 * not to be sent to a switch.  Each call rebuilds at least one group (a
 * deadline in the past gives one group per call), so calling again, with
 * the same input or a newer one, makes progress and finally completes:
 * the groups already rebuilt match their input and are kept.  With
 * 'in->same_input', the call goes on at the port where the last stopped
 * instead of looking at every group again.  A group is started only if
 * the time its last build took still fits before the deadline.  A group
 * that failed (see below) is not retried before the pass over all groups
 * that saw it fail has completed. */
struct pipeline_update_stats {
    size_t groups_built;
    size_t groups_removed;
    size_t flows_added;
    size_t flows_removed;
    bool incomplete;            /* Stopped at the deadline: call again. */
};
struct pipeline_state *pipeline_state_create(void);
/* True if the port named 'name' has its flows in the table (it was in the
 * input, bound, and its group was built without error).  After an
 * incomplete update, this may still be true of the previous input. */
bool pipeline_state_has_port(const struct pipeline_state *state,
                             const char *name);
/* The ofport that the flows of the port named 'name' are for, or 0 if
 * pipeline_state_has_port() is false. */
int pipeline_state_ofport(const struct pipeline_state *state,
                          const char *name);
/* Frees 'state' (accepts NULL); its flows stay in the table. */
void pipeline_state_destroy(struct pipeline_state *state);
/* Returns NULL, or a malloc'd error as pipeline_build() does (the groups
 * that failed are retried on the next update); always NULL from an
 * incomplete update (its errors come with the update that completes).
 * Fills 'stats' if nonnull. */
char *pipeline_state_update(struct pipeline_state *state,
                            const struct pipeline_input *in,
                            struct flow_table *table,
                            struct pipeline_update_stats *stats)
    __attribute__((warn_unused_result));

/* The meter of the guest port with 'OFPORT'. */
#define PIPELINE_METER_BASE 0x10000
#define PIPELINE_METER_ID(OFPORT) (PIPELINE_METER_BASE + (uint32_t) (OFPORT))

/* The meter of what the guest port with 'OFPORT' sends up to guestnetd:
 * its DHCP, DHCPv6 and router solicitation messages ("dhcp-punt",
 * "dhcp6-punt", "router-solicitation-punt", or the copies of
 * "dhcp-client-snoop") and its link-local addresses' first use
 * ("link-local-punt"): PIPELINE_DHCP_PPS a second,
 * in bursts of PIPELINE_DHCP_BURST, so that a guest's flood of them costs
 * guestnetd little and leaves the other ports' alone. */
#define PIPELINE_DHCP_METER_BASE 0x20000
#define PIPELINE_DHCP_METER_ID(OFPORT) \
    (PIPELINE_DHCP_METER_BASE + (uint32_t) (OFPORT))
#define PIPELINE_DHCP_PPS 10
#define PIPELINE_DHCP_BURST 20
/* A network's server port answers every guest of its network: the copies
 * of its DHCP answers ("dhcp-snoop") go up through its DHCP meter, which
 * lets this many through instead. */
#define PIPELINE_SNOOP_PPS 100
#define PIPELINE_SNOOP_BURST 200

/* The meters of guest port 'OFPORT''s noisy-neighbour limits, 'LIMIT' one
 * of GN_LIMIT_EGRESS_KBPS, GN_LIMIT_INGRESS_KBPS, GN_LIMIT_EGRESS_PPS,
 * GN_LIMIT_INGRESS_PPS: 0x30000 + OFPORT to 0x60000 + OFPORT. */
#define PIPELINE_LIMIT_METER_ID(LIMIT, OFPORT) \
    (PIPELINE_METER_BASE * (3 + (uint32_t) (LIMIT)) + (uint32_t) (OFPORT))

/* The most link-local addresses bound to a port besides its EUI-64 one
 * (pipeline_port.lls): guestnetd refuses more (engine/engine-ll.c). */
#define PIPELINE_LL_MAX 4

/* The meters that the flows in the table use (borrowed; changed by each
 * update): for each guest port whose flows were built, one limiting its
 * broadcast and multicast frames (none if the limit is off, "pps": 0),
 * one limiting what it sends up to guestnetd (PIPELINE_DHCP_METER_ID())
 * and one per limit of the port (PIPELINE_LIMIT_METER_ID()).  A port's
 * group adds and removes its meters with its flows, so an update
 * costs the ports that changed here too.  After an incomplete update they
 * are, like the table, a mix of old and new, not to be sent to a switch. */
const struct meter_table *pipeline_state_meters(
    const struct pipeline_state *state);

#endif /* pipeline.h */
