/* test-pipeline.h: what the pipeline's unit tests share: their configs,
 * ports, a full build, flow counts per rule and a search of the flows
 * (tests/test-pipeline.c tests what a build holds, tests/test-pipeline-
 * route.c its routing between networks, tests/test-pipeline-state.c the
 * incremental and sliced rebuilds). */
#ifndef GN_TEST_PIPELINE_H
#define GN_TEST_PIPELINE_H 1

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"
#include "flow-table.h"
#include "gn-config.h"
#include "gn-util.h"
#include "meter-table.h"
#include "pipeline.h"
#include "test-util.h"

/* web (VLAN 10, one IPv4 and one IPv6 subnet), db (VLAN 20, IPv4) and dmz
 * (VLAN 30, private). */
static const char config_json[] =
    "{\"bridge\": \"br-int\", \"networks\": ["
    " {\"name\": \"web\", \"vlan\": 10,"
    "  \"subnets\": [\"10.10.0.0/24\", \"2001:db8:10::/64\"],"
    "  \"gateways\": [\"10.10.0.1\"]},"
    " {\"name\": \"db\", \"vlan\": 20, \"subnets\": [\"10.20.0.0/24\"]},"
    " {\"name\": \"dmz\", \"vlan\": 30, \"subnets\": [\"10.30.0.0/24\"],"
    "  \"private\": true}]}";

static inline struct gn_config *
load_config__(const char *text)
{
    json_error_t jerror;
    json_t *json = json_loads(text, 0, &jerror);
    struct gn_config *cfg = NULL;
    char *error;

    CHECK(json != NULL);
    error = gn_config_from_json(json, &cfg);
    CHECK(error == NULL);
    free(error);
    json_decref(json);
    return cfg;
}

static inline struct gn_config *
load_config(void)
{
    return load_config__(config_json);
}

/* Rules between networks, with gateways: web (VLAN 10) and db (VLAN 20)
 * have IPv4 gateways, web an IPv6 one too, dmz (VLAN 30) none.  Rule 1
 * repeats rule 0. */
static const char routed_config_json[] =
    "{\"bridge\": \"br-int\", \"networks\": ["
    " {\"name\": \"web\", \"vlan\": 10,"
    "  \"subnets\": [\"10.10.0.0/24\", \"2001:db8:10::/64\"],"
    "  \"gateways\": [\"10.10.0.1\", \"2001:db8:10::1\"]},"
    " {\"name\": \"db\", \"vlan\": 20,"
    "  \"subnets\": [\"10.20.0.0/24\", \"10.21.0.0/24\"],"
    "  \"gateways\": [\"10.20.0.1\"]},"
    " {\"name\": \"dmz\", \"vlan\": 30, \"subnets\": [\"10.30.0.0/24\"]}],"
    " \"rules\": ["
    "  {\"from\": \"web\", \"to\": \"db\", \"proto\": \"tcp\","
    "   \"port\": 3306},"
    "  {\"from\": \"web\", \"to\": \"db\", \"proto\": \"tcp\","
    "   \"port\": 3306},"
    "  {\"from\": \"db\", \"to\": \"web\", \"proto\": \"icmp\"},"
    "  {\"from\": \"web\", \"to\": \"dmz\", \"proto\": \"any\"}]}";

/* The guards every guest port shares (flows/pipeline-guards.c): the
 * source MAC check (2 per bit), DHCP discovery, DAD, MLD, router
 * solicitations and RARP from no address and the ARP probe drop (6),
 * fragments (per family: later ones, a first one's ICMP echo and error
 * types, 5 for IPv4 and 6 for IPv6, the other ICMP types, TCP and UDP
 * without a port, the rest: 2 * 5 + 5 + 6) and broken IPv6 header chains
 * (1), DHCP, router advertisement and redirect drops (11), what goes
 * to a DHCP or DHCPv6 server's port (per family: fragmented, a client's
 * message, from another port: 2 * 3), the neighbour discovery drops (6)
 * and the allow of the rest (1). */
#define GUARD_FLOWS (2 * 48 + 6 + (2 * 5 + 5 + 6) + 1 + 11 + 2 * 3 + 6 + 1)
/* Flows every table gets: a default drop per table (10: 0 to 8 and 15),
 * two flood flows
 * (table 3) and a route-drop (table 5) per network (3 * 3), the routing
 * flows (table 4: per family two TTL drops and conntrack (2 * 3); for
 * IPv6 two link-local drops, six ICMPv6 types to conntrack and a drop of
 * the other types (9)), three conntrack state flows (table 5: invalid,
 * established, related) and the drops of what a commit hands on but its
 * own packets (table 6: 2), the target link-layer address of the neighbour
 * advertisements table 3 composes (table 10) and the shared guards.
 * Ports add, besides their own, a flow per flood chunk their network has
 * (table 7: ofports 64 * k to 64 * k + 63). */
#define COMMON_FLOWS (10 + 3 * 3 + 2 * 3 + 9 + 3 + 2 + 1 + GUARD_FLOWS)
/* Plus, with config_json, web's gateway: its ARP responder and the flow
 * that takes frames to its MAC to routing; and each network's reserved
 * addresses, kept from its ports without declared addresses (3 flows per
 * IPv4 and IPv6 address): web's gateway, 10.10.0.0, 10.10.0.255 and
 * 2001:db8:10::, db's and dmz's network and broadcast addresses. */
#define BASE_FLOWS (COMMON_FLOWS + 2 + 3 * (4 + 2 + 2))

/* Fills 'p' as a port of 'vlan' with 'ofport' and the MAC ending in
 * 'ofport'; 'ips' (may be NULL) are its declared addresses. */
static inline void
make_port(struct pipeline_port *p, int ofport, int vlan,
          struct netaddr_ip *ips, size_t n_ips)
{
    char mac[18];
    char *error;

    /* Ports are told apart by name (pipeline_state keys groups by it). */
    static char names[1024][16];

    memset(p, 0, sizeof *p);
    snprintf(names[ofport & 1023], sizeof names[0], "p%d", ofport);
    p->name = names[ofport & 1023];
    p->ofport = ofport;
    p->vlan = vlan;
    snprintf(mac, sizeof mac, "52:54:00:00:%02x:%02x", (ofport >> 8) & 0xff,
             ofport & 0xff);
    error = netaddr_parse_mac(mac, true, &p->mac);
    CHECK(error == NULL);
    free(error);
    p->ips = ips;
    p->n_ips = n_ips;
}

static inline void
parse_ip(const char *s, struct netaddr_ip *ip)
{
    char *error = netaddr_parse_ip(s, 0, ip);

    CHECK(error == NULL);
    free(error);
}

/* Builds the table for 'n' 'ports' (uplink 'uplink' or -1) with 'cfg'.
 * Caller frees. */
static inline struct flow_table *
build(const struct gn_config *cfg, const struct pipeline_port *ports,
      size_t n, int uplink)
{
    struct pipeline_input in = {
        .cfg = cfg, .ports = ports, .n_ports = n, .uplink_ofport = uplink,
    };
    struct flow_table *table = flow_table_create(0);
    char *error = pipeline_build(&in, table);

    if (error) {
        fprintf(stderr, "  %s\n", error);
    }
    CHECK(error == NULL);
    free(error);
    return table;
}

/* The number of flows of 'table' whose cookie is for 'rule' (0: any rule)
 * and 'object'. */
static inline size_t
count(const struct flow_table *table, enum pipeline_rule rule,
      uint32_t object)
{
    size_t n, total = 0;
    struct flow_table_cookie_stats *stats = flow_table_cookie_stats(table,
                                                                    &n);

    for (size_t i = 0; i < n; i++) {
        if ((!rule || stats[i].cookie >> 48 == rule)
            && pipeline_cookie_object(stats[i].cookie) == object) {
            total += stats[i].n_flows;
        }
    }
    free(stats);
    return total;
}

/* Flows a guest port gets under its own cookies (rule << 48 | ofport):
 * 3 in table 0 (one the broadcast limit, on by default); in table 1, 4 (its
 * link-local address, its drop for other ports, the punt of other
 * link-local addresses, the spoof drop) + 3 per IPv4 source (IP, ARP, ARP
 * probe) and 1 per IPv6 source; in table 2, 1 + 3 per IPv6 source and its
 * link-local address for neighbour discovery, and 2 (the drop of other
 * ports' probes for its link-local address, the punt of probes for
 * others); 1 in table 3, 1 in table 8 (the MAC spoof drop) and 1 in table
 * 15 (the shared guards' drops, counted).  A server port gets the same.
 * A port to which guestnet serves DHCP gets one more
 * (port_serves_dhcp()). */
static inline size_t
port_flows(size_t n4, size_t n6)
{
    return 3 + (4 + 3 * n4 + n6) + (3 + 3 * (n6 + 1)) + 1 + 1 + 1;
}

/* True if guestnet serves DHCP to port 'p' with 'cfg': its network has an
 * IPv4 subnet and gateway and "dhcp" on, and it is not its server nor
 * blocked.  Such a port has one flow more (its DHCP messages go up,
 * "dhcp-punt") and a meter more. */
static inline bool
port_serves_dhcp(const struct gn_config *cfg, const struct pipeline_port *p)
{
    const struct gn_network *net = gn_config_find_vlan(cfg, p->vlan);

    return (net && dhcp_network_server(net, NULL) && !p->server
            && !p->blocked);
}

/* The flows of a port without addresses in the network of 'vlan' of
 * config_json: web (10), where guestnet assigns addresses and serves
 * DHCP, lets it send from none of its own until it has one (its
 * link-local address only) and sends its DHCP messages up; db (20) and
 * dmz (30), without a gateway, get no assigned addresses and let it use
 * their IPv4 subnet (undeclared mode). */
static inline size_t
undeclared_port_flows(int vlan)
{
    return vlan == 10 ? port_flows(0, 0) + 1 : port_flows(1, 0);
}

/* True if a flow of 't' (in ovs-ofctl syntax) contains all of 'needles'
 * (NULL-terminated). */
static inline bool
has_flow(const struct flow_table *t, const char *const *needles)
{
    struct flow_table *empty = flow_table_create(0);
    struct flow_table_mod *mods;
    bool found = false;
    size_t n;

    mods = flow_table_diff(t, empty, &n);
    for (size_t i = 0; i < n && !found; i++) {
        char *s = flow_table_mod_to_string(&mods[i]);

        found = true;
        for (const char *const *p = needles; *p; p++) {
            found = found && strstr(s, *p) != NULL;
        }
        free(s);
    }
    free(mods);
    flow_table_destroy(empty);
    return found;
}

#endif /* test-pipeline.h */
