/* test-pipeline.c: unit tests of the pipeline builder: flow counts per
 * port for ports with and without declared addresses, IPv6, private
 * networks, an uplink and server ports; cookies that map back to rule
 * names; a table that does not depend on the order of the ports; the
 * guards (DHCP, ND options, fragments, reserved addresses).  The routing
 * between networks is tests/test-pipeline-route.c's. */
#include <config.h>

#include "meter-table.h"
#include "test-pipeline.h"

static void
test_empty_bridge_drops_everything(void)
{
    struct gn_config *cfg = load_config();
    struct flow_table *t = build(cfg, NULL, 0, -1);

    /* Flood flows drop; web's gateway leads to routing, which drops. */
    CHECK(flow_table_count(t) == BASE_FLOWS);
    for (int table = 0; table <= 8; table++) {
        CHECK(count(t, PIPELINE_RULE_DEFAULT_DROP, table) == 1);
    }
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_flow_counts_per_port(void)
{
    struct gn_config *cfg = load_config();
    struct netaddr_ip ips[2];
    struct pipeline_port ports[4];
    struct flow_table *t;

    parse_ip("10.10.0.11", &ips[0]);
    parse_ip("2001:db8:10::11", &ips[1]);
    make_port(&ports[0], 101, 10, ips, 2);      /* Declared v4 + v6. */
    make_port(&ports[1], 102, 10, ips, 1);      /* Declared v4 only. */
    make_port(&ports[2], 103, 10, NULL, 0);     /* Web's two subnets. */
    make_port(&ports[3], 104, 20, NULL, 0);     /* Db's one subnet. */
    t = build(cfg, ports, 4, -1);

    /* 101 and 102 declare the same IPv4 address: neither is routed to
     * there; 101's IPv6 address is its own, routed to.  Web and db have a
     * flood chunk each. */
    CHECK(count(t, 0, 101) == port_flows(1, 1) + 1 + 1);
    CHECK(count(t, 0, 102) == port_flows(1, 0) + 1);
    CHECK(count(t, 0, 103) == undeclared_port_flows(10));
    CHECK(count(t, 0, 104) == undeclared_port_flows(20));
    CHECK(flow_table_count(t) == BASE_FLOWS + port_flows(1, 1) + 1 + 1
                                 + port_flows(1, 0) + 1
                                 + undeclared_port_flows(10)
                                 + undeclared_port_flows(20) + 2);
    /* Web's ports send their DHCP messages up, each through its meter;
     * db has no gateway, so no DHCP. */
    for (int p = 101; p <= 104; p++) {
        CHECK(count(t, PIPELINE_RULE_DHCP_PUNT, p) == (p != 104));
    }
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=125", "in_port=103", "tp_src=68", "tp_dst=67",
        "meter:131175", "CONTROLLER:1600", NULL }));
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 101) == 1);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 102) == 0);
    CHECK(has_flow(t, (const char *[]) {
        "table=6", "ipv6_dst=2001:db8:10::11", "output:101", NULL }));
    /* Every port drops spoofed MACs and IPs and tagged frames under its
     * own cookies; the other guards are shared (flows/pipeline-guards.c):
     * none has its cookie. */
    for (int p = 101; p <= 104; p++) {
        CHECK(count(t, PIPELINE_RULE_MAC_SPOOF_DROP, p) == 1);
        CHECK(count(t, PIPELINE_RULE_IP_SPOOF_DROP, p) == 1);
        CHECK(count(t, PIPELINE_RULE_TAGGED_DROP, p) == 1);
        CHECK(count(t, PIPELINE_RULE_DHCP_SERVER_DROP, p) == 0);
        CHECK(count(t, PIPELINE_RULE_GATEWAY_SPOOF_DROP, p) == 0);
    }
    /* Shared once, however many ports: DHCP and DHCPv6 server messages
     * by either port, whole (2 per family) and in a first fragment (2 per
     * family), router advertisements, ICMP and ICMPv6 redirects,
     * fragments (per family: later ones, TCP and UDP with a port, ICMP
     * echo and errors, the rest of the first ones pass; TCP and UDP
     * without a port and other ICMP are dropped), broken IPv6 header
     * chains; per network the reserved addresses (3 flows each). */
    CHECK(count(t, PIPELINE_RULE_DHCP_SERVER_DROP, 0) == 8);
    CHECK(count(t, PIPELINE_RULE_DHCP_CLIENT_DROP, 0) == 4);
    CHECK(count(t, PIPELINE_RULE_RA_DROP, 0) == 1);
    CHECK(count(t, PIPELINE_RULE_REDIRECT_DROP, 0) == 2);
    CHECK(count(t, PIPELINE_RULE_FRAG_PASS, 0) == 2 + 5 + 2 + 6);
    CHECK(count(t, PIPELINE_RULE_FRAG_DROP, 0) == 2 * 3);
    CHECK(count(t, PIPELINE_RULE_IPV6_HEADER_DROP, 0) == 1);
    CHECK(count(t, PIPELINE_RULE_SOURCE_MAC_CHECK, 0) == 2 * 48);
    CHECK(count(t, PIPELINE_RULE_GATEWAY_SPOOF_DROP, 10) == 4 * 3);
    CHECK(count(t, PIPELINE_RULE_GATEWAY_SPOOF_DROP, 20) == 2 * 3);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_private_network_drops_guest_to_guest(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_port ports[3];
    struct flow_table *t;

    make_port(&ports[0], 101, 30, NULL, 0);
    make_port(&ports[1], 102, 30, NULL, 0);
    make_port(&ports[2], 103, 10, NULL, 0);
    t = build(cfg, ports, 3, -1);
    /* One drop per private guest MAC for frames from guests; web has
     * none. */
    CHECK(count(t, PIPELINE_RULE_PRIVATE_DROP, 30) == 2);
    CHECK(count(t, PIPELINE_RULE_PRIVATE_DROP, 10) == 0);
    CHECK(count(t, 0, 101) == undeclared_port_flows(30));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_uplink_adds_ingress_and_unknown_unicast(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_port port;
    struct flow_table *t;

    make_port(&port, 101, 10, NULL, 0);
    t = build(cfg, &port, 1, 100);
    for (int vlan = 10; vlan <= 30; vlan += 10) {
        CHECK(count(t, PIPELINE_RULE_UPLINK_IN, vlan) == 1);
        CHECK(count(t, PIPELINE_RULE_L2_UNKNOWN, vlan) == 1);
        /* Two flood flows, and web's chunk of port 101. */
        CHECK(count(t, PIPELINE_RULE_L2_FLOOD, vlan) == 2);
        CHECK(count(t, PIPELINE_RULE_L2_FLOOD_CHUNK, vlan) == (vlan == 10));
    }
    CHECK(flow_table_count(t) == BASE_FLOWS + 3 * 2
                                 + undeclared_port_flows(10) + 1);
    CHECK(count(t, 0, 100) == 0);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_unbound_ports_get_no_flows(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_port ports[2];
    struct flow_table *t;

    make_port(&ports[0], 101, 99, NULL, 0);     /* No such network. */
    make_port(&ports[1], -1, 10, NULL, 0);      /* No ofport yet. */
    t = build(cfg, ports, 2, -1);
    CHECK(flow_table_count(t) == BASE_FLOWS);
    CHECK(count(t, 0, 101) == 0);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_port_order_does_not_change_flows(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_port fwd[3], rev[3];
    struct flow_table *a, *b;
    struct flow_table_mod *mods;
    size_t n;

    for (int i = 0; i < 3; i++) {
        make_port(&fwd[i], 101 + i, 10, NULL, 0);
        make_port(&rev[2 - i], 101 + i, 10, NULL, 0);
    }
    a = build(cfg, fwd, 3, 100);
    b = build(cfg, rev, 3, 100);
    mods = flow_table_diff(a, b, &n);
    CHECK(n == 0);
    free(mods);
    flow_table_destroy(a);
    flow_table_destroy(b);
    gn_config_destroy(cfg);
}

static void
test_cookies_map_back_to_rule_names(void)
{
    static const struct {
        enum pipeline_rule rule;
        const char *name;
        bool drops;
    } rules[] = {
        { PIPELINE_RULE_DEFAULT_DROP, "default-drop", true },
        { PIPELINE_RULE_PORT_IN, "port-ingress", false },
        { PIPELINE_RULE_MAC_SPOOF_DROP, "mac-spoof-drop", true },
        { PIPELINE_RULE_IP_SPOOF_DROP, "ip-spoof-drop", true },
        { PIPELINE_RULE_ND_SPOOF_DROP, "nd-spoof-drop", true },
        { PIPELINE_RULE_L2_FLOOD, "l2-flood", false },
        { PIPELINE_RULE_PRIVATE_DROP, "private-network-drop", true },
        { PIPELINE_RULE_REDIRECT_DROP, "redirect-drop", true },
        { PIPELINE_RULE_ND_OPTION_DROP, "nd-option-drop", true },
        { PIPELINE_RULE_FRAG_PASS, "fragment-pass", false },
        { PIPELINE_RULE_FRAG_DROP, "fragment-drop", true },
        { PIPELINE_RULE_IPV6_HEADER_DROP, "ipv6-header-drop", true },
        { PIPELINE_RULE_DAD_DROP, "dad-drop", true },
        { PIPELINE_RULE_GATEWAY_SPOOF_DROP, "gateway-spoof-drop", true },
        { PIPELINE_RULE_SOURCE_MAC_CHECK, "source-mac-check", false },
        { PIPELINE_RULE_GUARD_COUNT, "guard-count", false },
    };
    struct gn_config *cfg = load_config();
    struct pipeline_port port;
    struct flow_table_cookie_stats *stats;
    struct flow_table *t;
    size_t n;

    for (size_t i = 0; i < GN_ARRAY_SIZE(rules); i++) {
        uint64_t cookie = PIPELINE_COOKIE(rules[i].rule, 4094);
        CHECK_STREQ(pipeline_rule_name(cookie), rules[i].name);
        CHECK(pipeline_rule_drops(cookie) == rules[i].drops);
        CHECK(pipeline_cookie_object(cookie) == 4094);
    }
    CHECK(pipeline_rule_name(0) == NULL);
    CHECK(pipeline_rule_name(PIPELINE_COOKIE(999, 1)) == NULL);
    CHECK(!pipeline_rule_drops(0));

    /* Every flow the builder makes carries a cookie with a name. */
    make_port(&port, 101, 30, NULL, 0);
    t = build(cfg, &port, 1, 100);
    stats = flow_table_cookie_stats(t, &n);
    CHECK(n > 0);
    for (size_t i = 0; i < n; i++) {
        CHECK(pipeline_rule_name(stats[i].cookie) != NULL);
    }
    free(stats);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* The text of the cookie of 'rule' for 'object' as flows show it. */
static const char *
cookie_str(enum pipeline_rule rule, uint32_t object)
{
    static char s[4][40];
    static int i;

    i = (i + 1) % 4;
    snprintf(s[i], sizeof s[i], "cookie=%#"PRIx64",",
             PIPELINE_COOKIE(rule, object));
    return s[i];
}

/* Builds the table of port 101 of web (VLAN 10) alone, with the declared
 * addresses 'ips' (may be NULL), with 'cfg'.  Caller frees. */
static struct flow_table *
build_web_port(const struct gn_config *cfg, struct netaddr_ip *ips,
               size_t n_ips)
{
    struct pipeline_port port;

    make_port(&port, 101, 10, ips, n_ips);
    return build(cfg, &port, 1, -1);
}

static void
test_server_port_may_answer_dhcp_and_ra(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_port port;
    struct flow_table *t;

    make_port(&port, 101, 10, NULL, 0);
    port.server = true;
    t = build(cfg, &port, 1, -1);
    /* In undeclared mode: web's subnets are its sources, no DHCP flow;
     * its DHCP and DHCPv6 answers go on to the network, and a copy of
     * each up to guestnetd through its DHCP meter ("dhcp-snoop", three
     * flows). */
    CHECK(count(t, 0, 101) == port_flows(1, 1) + 3);
    CHECK(count(t, PIPELINE_RULE_DHCP_SNOOP, 101) == 3);
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=125", "in_port=101", "tp_src=547",
        "tp_dst=546", "actions=clone(resubmit(,16)),goto_table:3", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=125", "in_port=101", "tp_src=67", "tp_dst=68",
        "actions=clone(resubmit(,16)),goto_table:3", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=16", cookie_str(PIPELINE_RULE_DHCP_SNOOP, 101),
        "in_port=101", "meter:131173", "CONTROLLER:1600", NULL }));
    /* Its ingress flow marks it as its network's server, which the shared
     * DHCP, router advertisement and redirect drops spare; neighbour
     * discovery and fragments are checked all the same. */
    CHECK(has_flow(t, (const char *[]) {
        "table=0", cookie_str(PIPELINE_RULE_PORT_IN, 101),
        "set_field:0x3->reg4", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", cookie_str(PIPELINE_RULE_DHCP_SERVER_DROP, 0),
        "reg4=0/0x1", "tp_src=67", "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", cookie_str(PIPELINE_RULE_RA_DROP, 0), "reg4=0/0x1",
        "actions=goto_table:15", NULL }));
    CHECK(!has_flow(t, (const char *[]) {
        "table=2", cookie_str(PIPELINE_RULE_FRAG_DROP, 0), "reg4=", NULL }));
    CHECK(!has_flow(t, (const char *[]) {
        "table=2", cookie_str(PIPELINE_RULE_ND_OPTION_DROP, 0), "reg4=",
        NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_source_mac_checked_bit_by_bit(void)
{
    struct gn_config *cfg = load_config();
    struct flow_table *t = build_web_port(cfg, NULL, 0);
    const char *check = cookie_str(PIPELINE_RULE_SOURCE_MAC_CHECK, 0);

    /* The port's ingress flow matches no source MAC and puts its MAC
     * (52:54:00:00:00:65) in xreg4 (reg8 holds its upper 16 bits). */
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "priority=100", cookie_str(PIPELINE_RULE_PORT_IN, 101),
        "in_port=101,vlan_tci=0x0000/0x1000 ",
        "set_field:0x525400000065->xreg4", "goto_table:1", NULL }));
    CHECK(!has_flow(t, (const char *[]) { "table=0", "dl_src", NULL }));
    /* A frame whose source differs in a bit goes to table 8, from the
     * most significant bit (priority 247) to the least (200); there the
     * port's own flow drops it. */
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=247", check, "reg8=0x8000/0x8000",
        "dl_src=00:00:00:00:00:00/80:00:00:00:00:00", "goto_table:8",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=247", check, "reg8=0/0x8000",
        "dl_src=80:00:00:00:00:00/80:00:00:00:00:00", "goto_table:8",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=200", check, "reg9=0x1/0x1",
        "dl_src=00:00:00:00:00:00/00:00:00:00:00:01", "goto_table:8",
        NULL }));
    CHECK(count(t, PIPELINE_RULE_SOURCE_MAC_CHECK, 0) == 2 * 48);
    CHECK(has_flow(t, (const char *[]) {
        "table=8", "priority=90",
        cookie_str(PIPELINE_RULE_MAC_SPOOF_DROP, 101), "in_port=101 ",
        "actions=drop", NULL }));
    /* What the shared guards refuse is dropped in table 15 by the port's
     * own flow, counted per port. */
    CHECK(has_flow(t, (const char *[]) {
        "table=15", "priority=90",
        cookie_str(PIPELINE_RULE_GUARD_COUNT, 101), "in_port=101 ",
        "actions=drop", NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* QEMU announces a migrated guest with RARP requests from its MAC (five,
 * the first while the destination's port is blocked): they claim no
 * address and pass table 1 for every port, after the source MAC check. */
static void
test_rarp_announcements_pass(void)
{
    struct gn_config *cfg = load_config();
    struct flow_table *t = build_web_port(cfg, NULL, 0);

    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=100", cookie_str(PIPELINE_RULE_ARP_ALLOW, 0),
        "reg5=0x1,", "rarp,", "arp_spa=0.0.0.0,", "arp_tpa=0.0.0.0,",
        "arp_op=3 ", "goto_table:2", NULL }));
    CHECK(count(t, PIPELINE_RULE_ARP_ALLOW, 0) == 1);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_dhcp_servers_dropped_by_either_port(void)
{
    struct gn_config *cfg = load_config();
    struct flow_table *t;
    const char *dhcp = cookie_str(PIPELINE_RULE_DHCP_SERVER_DROP, 0);

    t = build_web_port(cfg, NULL, 0);
    CHECK(has_flow(t, (const char *[]) {
        "table=2", dhcp, "udp,", "tp_src=67",
        "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", dhcp, "udp,", "tp_dst=68",
        "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", dhcp, "udp6", "tp_src=547",
        "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", dhcp, "udp6", "tp_dst=546",
        "actions=goto_table:15", NULL }));
    /* In fragments, by the ports of the first fragment. */
    CHECK(has_flow(t, (const char *[]) {
        "table=2", dhcp, "udp6", "nw_frag=first", "tp_dst=546",
        "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", dhcp, "udp,", "nw_frag=first", "tp_src=67",
        "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", cookie_str(PIPELINE_RULE_REDIRECT_DROP, 0), "icmp,",
        "icmp_type=5", "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", cookie_str(PIPELINE_RULE_REDIRECT_DROP, 0), "icmp6",
        "icmp_type=137", "actions=goto_table:15", NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_fragments_judged_without_reassembly(void)
{
    struct gn_config *cfg = load_config();
    struct flow_table *t;

    t = build_web_port(cfg, NULL, 0);
    /* Nothing goes through conntrack in table 2. */
    CHECK(!has_flow(t, (const char *[]) { "table=2", "ct(", NULL }));
    /* Later fragments of either family go on to table 3. */
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=145", cookie_str(PIPELINE_RULE_FRAG_PASS, 0),
        "ipv6", "nw_frag=later", "actions=goto_table:3", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=145", cookie_str(PIPELINE_RULE_FRAG_PASS, 0),
        "ip,", "nw_frag=later", "actions=goto_table:3", NULL }));
    /* First fragments: without a port, dropped and counted; ICMPv6 echo
     * passes above the drop of the rest of ICMPv6; the rest passes. */
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=143", cookie_str(PIPELINE_RULE_FRAG_DROP, 0),
        "udp6", "nw_frag=first", "tp_dst=0", "actions=goto_table:15",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=143", cookie_str(PIPELINE_RULE_FRAG_DROP, 0),
        "tcp,", "nw_frag=first", "tp_dst=0", "actions=goto_table:15",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=143", cookie_str(PIPELINE_RULE_FRAG_PASS, 0),
        "icmp6", "nw_frag=first", "icmp_type=128", "actions=goto_table:3",
        NULL }));
    CHECK(!has_flow(t, (const char *[]) {
        "table=2", cookie_str(PIPELINE_RULE_FRAG_PASS, 0), "icmp_type=134",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=142", cookie_str(PIPELINE_RULE_FRAG_DROP, 0),
        "icmp6", "nw_frag=first", "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=141", cookie_str(PIPELINE_RULE_FRAG_PASS, 0),
        "ipv6", "nw_frag=first", "actions=goto_table:3", NULL }));
    /* A DHCP server message's first fragment, from a port that is not
     * the server, above the pass. */
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=144",
        cookie_str(PIPELINE_RULE_DHCP_SERVER_DROP, 0), "reg4=0/0x1",
        "udp,", "nw_frag=first", "tp_src=67", "actions=goto_table:15",
        NULL }));
    /* What any guest may send from no address is whole only. */
    CHECK(has_flow(t, (const char *[]) {
        "table=1", cookie_str(PIPELINE_RULE_DHCP_DISCOVER, 0),
        "nw_frag=no", "nw_src=0.0.0.0", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "nw_frag=no", "ipv6_src=::", "icmp_type=135", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=135",
        cookie_str(PIPELINE_RULE_IPV6_HEADER_DROP, 0), "ipv6",
        "nw_proto=0", "actions=drop", NULL }));
    CHECK(pipeline_rule_drops(PIPELINE_COOKIE(PIPELINE_RULE_FRAG_DROP, 1)));
    CHECK(!pipeline_rule_drops(PIPELINE_COOKIE(PIPELINE_RULE_FRAG_PASS, 1)));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_nd_needs_own_link_layer_address(void)
{
    struct gn_config *cfg = load_config();
    struct netaddr_ip ips[2];
    struct flow_table *t;
    const char *allow = cookie_str(PIPELINE_RULE_ND_ALLOW, 101);
    const char *option = cookie_str(PIPELINE_RULE_ND_OPTION_DROP, 0);
    const char *dad = cookie_str(PIPELINE_RULE_DAD_DROP, 0);

    parse_ip("10.10.0.11", &ips[0]);
    parse_ip("2001:db8:10::11", &ips[1]);
    t = build_web_port(cfg, ips, 2);
    /* Solicitations: the port's MAC, or, from "::", none and for its own
     * addresses only. */
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=110", allow, "icmp_type=135", "icmp_code=0",
        "nd_sll=52:54:00:00:00:65", "goto_table:3", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=105", option, "icmp_type=135", "icmp_code=0",
        "nd_sll=00:00:00:00:00:00", "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=112", allow, "ipv6_src=::,", "icmp_type=135",
        "icmp_code=0", "nd_target=2001:db8:10::11,",
        "nd_sll=00:00:00:00:00:00", "goto_table:3", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=116", allow, "ipv6_src=::,",
        "nd_target=fe80::5054:ff:fe00:65,", "goto_table:3", NULL }));
    CHECK(!has_flow(t, (const char *[]) {
        "ipv6_src=::,", "nd_target=2001:db8:10::/64", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=111", dad, "ipv6_src=::,", "icmp_type=135",
        "actions=goto_table:15", NULL }));
    /* Advertisements: for its own addresses, with its MAC or none. */
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=110", allow, "icmp_type=136", "icmp_code=0",
        "nd_target=2001:db8:10::11,", "nd_tll=52:54:00:00:00:65",
        "goto_table:3", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=110", allow, "icmp_type=136", "icmp_code=0",
        "nd_target=2001:db8:10::11,", "nd_tll=00:00:00:00:00:00",
        "goto_table:3", NULL }));
    /* A target OVS cleared (duplicate options) is "::". */
    for (int i = 0; i < 2; i++) {
        CHECK(has_flow(t, (const char *[]) {
            "table=2", "priority=115", option,
            i ? "icmp_type=136" : "icmp_type=135", "icmp_code=0",
            "nd_target=:: ", "actions=goto_table:15", NULL }));
    }
    /* And no other ND flow allows: the NS, two DAD probes (its declared
     * and its link-local address), two NAs per address. */
    CHECK(count(t, PIPELINE_RULE_ND_ALLOW, 101) == 1 + 2 + 2 * 2);
    /* ARP probes are for its own address only. */
    CHECK(has_flow(t, (const char *[]) {
        "table=1", cookie_str(PIPELINE_RULE_ARP_ALLOW, 101),
        "arp_spa=0.0.0.0", "arp_tpa=10.10.0.11", "arp_sha=52:54:00:00:00:65",
        "goto_table:2", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=95", dad, "arp_spa=0.0.0.0",
        "actions=goto_table:15",
        NULL }));
    CHECK(count(t, PIPELINE_RULE_GATEWAY_SPOOF_DROP, 101) == 0);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* A network whose IPv4 gateway is its subnet's broadcast address (one
 * address to keep once), with a /31 (no network or broadcast address), an
 * IPv6 gateway and a /127 (no anycast address). */
static const char reserved_config_json[] =
    "{\"bridge\": \"br-int\", \"networks\": ["
    " {\"name\": \"web\", \"vlan\": 10,"
    "  \"subnets\": [\"10.10.0.0/24\", \"10.11.0.0/31\","
    "                \"2001:db8:10::/64\", \"2001:db8:11::/127\"],"
    "  \"gateways\": [\"10.10.0.254\", \"2001:db8:10::1\"],"
    "  \"dhcp\": false}]}";

/* Where guestnet assigns addresses (web of config_json), a port without
 * any yet sends from none of its network's: no subnet is its source, it
 * is not in undeclared mode, and its DHCP messages go up; once a port of
 * the network is its server, they go to the network instead. */
static void
test_port_without_address_is_not_undeclared(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_port ports[2];
    struct flow_table *t;

    make_port(&ports[0], 101, 10, NULL, 0);
    t = build(cfg, ports, 1, -1);
    CHECK(!has_flow(t, (const char *[]) { "10.10.0.0/24", NULL }));
    CHECK(!has_flow(t, (const char *[]) { "2001:db8:10::/64", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", cookie_str(PIPELINE_RULE_PORT_IN, 101),
        "set_field:0->reg4", NULL }));
    CHECK(count(t, PIPELINE_RULE_DHCP_PUNT, 101) == 1);
    CHECK(count(t, PIPELINE_RULE_DHCP_CLIENT_PASS, 10) == 0);
    flow_table_destroy(t);

    make_port(&ports[1], 102, 10, NULL, 0);
    ports[1].server = true;
    t = build(cfg, ports, 2, -1);
    CHECK(count(t, PIPELINE_RULE_DHCP_CLIENT_PASS, 10) == 1);
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=126", "reg6=0xa", "tp_src=68", "tp_dst=67",
        "goto_table:3", NULL }));
    /* The server itself is in undeclared mode, without a DHCP flow. */
    CHECK(count(t, PIPELINE_RULE_DHCP_PUNT, 102) == 0);
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "in_port=102", "nw_src=10.10.0.0/24", NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_port_waits_for_lease_where_network_has_server(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_port ports[2];
    struct netaddr_ip leased;
    struct flow_table *t;

    /* Db (VLAN 20) has no gateway, so no DHCP of guestnet's: alone, a
     * port without addresses is in undeclared mode. */
    make_port(&ports[0], 101, 20, NULL, 0);
    t = build(cfg, ports, 1, -1);
    CHECK(count(t, 0, 101) == undeclared_port_flows(20));
    flow_table_destroy(t);

    /* With the network's server port, it waits for a lease: no subnet
     * as source, not undeclared (reg4 0), and the server alone is. */
    make_port(&ports[1], 102, 20, NULL, 0);
    ports[1].server = true;
    t = build(cfg, ports, 2, -1);
    CHECK(!has_flow(t, (const char *[]) {
        "in_port=101", "10.20.0.0/24", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", cookie_str(PIPELINE_RULE_PORT_IN, 101),
        "set_field:0->reg4", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", cookie_str(PIPELINE_RULE_PORT_IN, 102),
        "set_field:0x3->reg4", NULL }));
    /* Its DHCP and DHCPv6 client messages go on with a copy up through
     * table 16 (3 flows); the server port's answers likewise. */
    CHECK(count(t, 0, 101) == port_flows(0, 0) + 3);
    CHECK(count(t, PIPELINE_RULE_DHCP_CLIENT_SNOOP, 101) == 3);
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=127",
        cookie_str(PIPELINE_RULE_DHCP_CLIENT_SNOOP, 101), "in_port=101",
        "tp_src=546", "tp_dst=547",
        "actions=clone(resubmit(,16)),goto_table:3", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=16", cookie_str(PIPELINE_RULE_DHCP_CLIENT_SNOOP, 101),
        "in_port=101", "meter:131173", "CONTROLLER:1600", NULL }));
    CHECK(count(t, PIPELINE_RULE_DHCP_CLIENT_SNOOP, 102) == 0);
    CHECK(count(t, PIPELINE_RULE_DHCP_SNOOP, 102) == 3);
    /* Its DHCP client messages pass from any address of db's subnet (a
     * renewal of a lease whose binding it lacks), and only they. */
    CHECK(has_flow(t, (const char *[]) {
        "table=1", cookie_str(PIPELINE_RULE_DHCP_DISCOVER, 20),
        "reg6=0x14", "nw_src=10.20.0.0/24", "tp_src=68", "tp_dst=67",
        "goto_table:2", NULL }));
    CHECK(count(t, PIPELINE_RULE_DHCP_DISCOVER, 20) == 1);
    flow_table_destroy(t);

    /* Its lease (an address in guestnet:ips) is its only source. */
    parse_ip("10.20.0.7", &leased);
    make_port(&ports[0], 101, 20, &leased, 1);
    t = build(cfg, ports, 2, -1);
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "in_port=101", "nw_src=10.20.0.7 ", NULL }));
    CHECK(count(t, 0, 101) == port_flows(1, 0) + 1 + 3 + 3);
    /* The server port, in undeclared mode (no addresses of its own), may
     * not take the address it leased: 3 drops of it (IP, ARP, ARP
     * probe) under the client's cookie. */
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 3);
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=105",
        cookie_str(PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101), "reg6=0x14",
        "reg4=0x2/0x2", "nw_src=10.20.0.7 ", "actions=goto_table:15",
        NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* A port in undeclared mode may not take the addresses of the other ports
 * of its network: IPv4 and IPv6 from them, ARP from them, ARP probes,
 * duplicate address detection and advertisements for them are dropped
 * for frames flagged undeclared, above its own allows of the subnets, in
 * the owner's group; only where an undeclared port can be. */
static void
test_taken_addresses_kept_from_undeclared_ports(void)
{
    struct gn_config *cfg = load_config__(reserved_config_json);
    const char *taken = cookie_str(PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101);
    struct netaddr_ip ips[2], same;
    struct pipeline_port ports[3];
    struct flow_table *t;

    /* Web here serves no DHCP: undeclared mode is possible. */
    parse_ip("10.10.0.11", &ips[0]);
    parse_ip("2001:db8:10::11", &ips[1]);
    make_port(&ports[0], 101, 10, ips, 2);
    make_port(&ports[1], 102, 10, NULL, 0);
    t = build(cfg, ports, 2, -1);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 3 + 3);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 102) == 0);
    /* (Its two routed addresses: 2 flows in table 6.) */
    CHECK(count(t, 0, 101) == port_flows(1, 1) + 2 + 3 + 3);
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=105", taken, "reg6=0xa", "reg5=0x1",
        "reg4=0x2/0x2", "arp_spa=10.10.0.11", "actions=goto_table:15",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=105", taken, "reg4=0x2/0x2", "arp_spa=0.0.0.0",
        "arp_tpa=10.10.0.11", "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=105", taken, "reg4=0x2/0x2",
        "ipv6_src=2001:db8:10::11", "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=113", taken, "reg4=0x2/0x2", "ipv6_src=::,",
        "icmp_type=135", "nd_target=2001:db8:10::11",
        "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=113", taken, "reg4=0x2/0x2", "icmp_type=136",
        "nd_target=2001:db8:10::11", "actions=goto_table:15", NULL }));
    /* Never for the frames of a port with addresses: the owner's allows
     * (priority 100) still let its own through. */
    CHECK(!has_flow(t, (const char *[]) { taken, "in_port", NULL }));
    flow_table_destroy(t);

    /* An address two ports hold is neither's to keep (no clash of the
     * two groups' flows); one that became reserved (the gateway) is kept
     * by gateway-spoof-drop already. */
    parse_ip("10.10.0.11", &same);
    make_port(&ports[2], 103, 10, &same, 1);
    parse_ip("10.10.0.254", &ips[1]);
    t = build(cfg, ports, 3, -1);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 0);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 103) == 0);
    flow_table_destroy(t);
    gn_config_destroy(cfg);

    /* Where guestnet serves DHCP and no server port is there, no port is
     * in undeclared mode: no drops; a server port makes them come. */
    cfg = load_config();
    parse_ip("10.10.0.11", &ips[0]);
    make_port(&ports[0], 101, 10, ips, 1);
    make_port(&ports[1], 102, 10, NULL, 0);
    t = build(cfg, ports, 2, -1);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 0);
    flow_table_destroy(t);
    ports[1].server = true;
    t = build(cfg, ports, 2, -1);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 3);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_reserved_addresses_kept_from_undeclared_ports(void)
{
    struct gn_config *cfg = load_config__(reserved_config_json);
    struct flow_table *t;
    const char *gw = cookie_str(PIPELINE_RULE_GATEWAY_SPOOF_DROP, 10);

    t = build_web_port(cfg, NULL, 0);
    /* IPv4: 10.10.0.254 (the gateway), 10.10.0.255 (broadcast) and
     * 10.10.0.0, three flows each; IPv6: the gateway and 2001:db8:10::,
     * one flow in table 1 and two in table 2 each; and the gateways'
     * link-local address, for every port (one flow in each table). */
    CHECK(count(t, PIPELINE_RULE_GATEWAY_SPOOF_DROP, 10)
          == 3 * 3 + 2 * 3 + 2);
    /* For the network's ports without declared addresses only. */
    CHECK(!has_flow(t, (const char *[]) { gw, "in_port", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", gw, "reg4=0x2/0x2", "reg6=0xa", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=105", gw, "nw_src=10.10.0.254",
        "actions=goto_table:15",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=105", gw, "nw_src=10.10.0.255",
        "actions=goto_table:15",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=105", gw, "arp_spa=10.10.0.0",
        "actions=goto_table:15",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=105", gw, "arp_spa=0.0.0.0",
        "arp_tpa=10.10.0.255", "actions=goto_table:15", NULL }));
    CHECK(!has_flow(t, (const char *[]) { gw, "10.11.0.", NULL }));
    CHECK(!has_flow(t, (const char *[]) { gw, "2001:db8:11::", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=105", gw, "ipv6_src=2001:db8:10::1",
        "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=113", gw, "icmp_type=136", "icmp_code=0",
        "nd_target=2001:db8:10:: ", "actions=goto_table:15", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=113", gw, "ipv6_src=::,", "icmp_type=135",
        "nd_target=2001:db8:10::1 ", "actions=goto_table:15", NULL }));
    /* The rest of the subnets goes up to guestnetd, DAD probes included
     * (the port takes its address on first use). */
    const char *learn = cookie_str(PIPELINE_RULE_ADDRESS_LEARN_PUNT, 101);
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=100", learn, "nw_src=10.10.0.0/24",
        "CONTROLLER:", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=112", learn, "ipv6_src=::,",
        "nd_target=2001:db8:10::/64", "CONTROLLER:", NULL }));
    CHECK(!has_flow(t, (const char *[]) { "nw_src=10.10.0.0/24",
                                          "goto_table:2", NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* A port that took an IPv4 address on first use sends from exactly it
 * and still takes an IPv6 one; one that declares an address takes none;
 * a server port without addresses keeps its whole subnets. */
static void
test_port_takes_addresses_on_first_use(void)
{
    struct gn_config *cfg = load_config__(reserved_config_json);
    const char *learn = cookie_str(PIPELINE_RULE_ADDRESS_LEARN_PUNT, 101);
    struct pipeline_port port;
    struct flow_table *t;
    struct netaddr_ip ip;

    parse_ip("10.10.0.7", &ip);
    make_port(&port, 101, 10, &ip, 1);
    port.learned = true;
    t = build(cfg, &port, 1, -1);
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=100", "in_port=101", "nw_src=10.10.0.7 ",
        "goto_table:2", NULL }));
    CHECK(!has_flow(t, (const char *[]) { learn, "nw_src=10.", NULL }));
    CHECK(!has_flow(t, (const char *[]) { learn, "arp_spa=10.", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=1", learn, "ipv6_src=2001:db8:10::/64", "CONTROLLER:",
        NULL }));
    /* It has an address: not flagged undeclared (no reserved drops). */
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=101", "set_field:0->reg4", NULL }));
    flow_table_destroy(t);

    port.learned = false;
    t = build(cfg, &port, 1, -1);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_LEARN_PUNT, 101) == 0);
    flow_table_destroy(t);

    make_port(&port, 101, 10, NULL, 0);
    port.server = true;
    t = build(cfg, &port, 1, -1);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_LEARN_PUNT, 101) == 0);
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=100", "nw_src=10.10.0.0/24", "goto_table:2",
        NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* A blocked port (a live migration's destination, or its source): only
 * its guest's announcements leave, to the uplink; nothing reaches it. */
static void
test_blocked_port_passes_only_announcements(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct netaddr_ip ip;
    struct pipeline_port ports[2];
    struct flow_table *t;

    parse_ip("10.10.0.5", &ip);
    make_port(&ports[0], 101, 10, &ip, 1);
    make_port(&ports[1], 102, 10, NULL, 0);
    ports[0].blocked = true;
    t = build(cfg, ports, 2, 100);
    CHECK(count(t, PIPELINE_RULE_MIGRATION_ANNOUNCE, 101) == 2);
    CHECK(count(t, PIPELINE_RULE_MIGRATION_BLOCK, 101) == 1);
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=101", "rarp", "output:100", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=101", "arp_spa=10.10.0.5", "output:100", NULL }));
    CHECK(count(t, PIPELINE_RULE_L2_UNICAST, 101) == 0);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 101) == 0);
    CHECK(count(t, PIPELINE_RULE_PORT_IN, 101) == 0);
    /* Its network's flood chunk outputs to the other port only. */
    CHECK(has_flow(t, (const char *[]) { "table=7", "output:102", NULL }));
    CHECK(!has_flow(t, (const char *[]) { "table=7", "output:101", NULL }));
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 0);
    flow_table_destroy(t);

    /* Its address stays its guest's: in dmz (no DHCP of guestnet's), kept
     * from the ports in undeclared mode. */
    parse_ip("10.30.0.5", &ip);
    make_port(&ports[0], 101, 30, &ip, 1);
    ports[0].blocked = true;
    t = build(cfg, ports, 1, 100);
    CHECK(count(t, PIPELINE_RULE_MIGRATION_BLOCK, 101) == 1);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 3);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* Noisy-neighbour limits: what a port sends goes through its meters in
 * tables 11 and 12, what it receives through tables 13 and 14 inside a
 * clone() wherever a frame is delivered to it; a port without limits
 * keeps the plain pipeline. */
static void
test_limits_meter_both_ways(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_port ports[3];
    struct pipeline_state *st = pipeline_state_create();
    struct flow_table *t = flow_table_create(0);
    const struct meter_table_meter *m;
    char *error;

    struct netaddr_ip ip;

    parse_ip("10.10.0.5", &ip);
    make_port(&ports[0], 101, 10, NULL, 0);
    make_port(&ports[1], 102, 10, &ip, 1);
    make_port(&ports[2], 103, 10, NULL, 0);
    ports[0].limits.value[GN_LIMIT_EGRESS_KBPS] = 50000;
    ports[0].limits.value[GN_LIMIT_EGRESS_PPS] = 1000;
    ports[0].limits.value[GN_LIMIT_BURST_MS] = 500;
    ports[1].limits.value[GN_LIMIT_INGRESS_KBPS] = 20000;
    ports[1].limits.value[GN_LIMIT_BURST_MS] = 100;

    struct pipeline_input in = {
        .cfg = cfg, .ports = ports, .n_ports = 3, .uplink_ofport = -1,
    };
    error = pipeline_state_update(st, &in, t, NULL);
    CHECK(error == NULL);
    free(error);

    CHECK(count(t, PIPELINE_RULE_EGRESS_LIMIT, 101) == 2);
    CHECK(count(t, PIPELINE_RULE_INGRESS_LIMIT, 102) == 1);
    CHECK(count(t, PIPELINE_RULE_EGRESS_LIMIT, 103) == 0);
    CHECK(count(t, PIPELINE_RULE_INGRESS_LIMIT, 103) == 0);
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=101", "goto_table:11", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=11", "in_port=101", "meter:196709", "goto_table:12", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=12", "in_port=101", "meter:327781", "resubmit(,1)", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=103", "goto_table:1", NULL }));
    /* Delivered to 102 through the ingress tables, in a clone: unicast
     * and the flood alike; to the others, plainly. */
    CHECK(has_flow(t, (const char *[]) {
        "table=3", "dl_dst=52:54:00:00:00:66", "clone(", "reg3",
        "resubmit(,13)", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=7", "output:101", "clone(", "resubmit(,13)", "output:103",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=13", "reg3=0x66", "meter:262246", "output:102", NULL }));
    /* Routed to it: the same, after the rewrite. */
    CHECK(has_flow(t, (const char *[]) {
        "table=6", "nw_dst=10.10.0.5", "dec_ttl", "clone(",
        "resubmit(,13)", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=3", "dl_dst=52:54:00:00:00:67", "actions=output:103",
        NULL }));

    /* The meters: the broadcast limit's and the DHCP messages' of each
     * port, and one per limit with its burst (burst_ms of the rate). */
    CHECK(meter_table_count(pipeline_state_meters(st)) == 3 + 3 + 3);
    m = meter_table_find(pipeline_state_meters(st), 0x30000 + 101);
    CHECK(m && m->kbps && m->rate == 50000 && m->burst == 25000);
    m = meter_table_find(pipeline_state_meters(st), 0x50000 + 101);
    CHECK(m && !m->kbps && m->rate == 1000 && m->burst == 500);
    m = meter_table_find(pipeline_state_meters(st), 0x40000 + 102);
    CHECK(m && m->kbps && m->rate == 20000 && m->burst == 2000);

    pipeline_state_destroy(st);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

int
main(void)
{
    TEST_RUN("pipeline/limits-meter-both-ways", test_limits_meter_both_ways);
    TEST_RUN("pipeline/empty-bridge-drops-everything",
             test_empty_bridge_drops_everything);
    TEST_RUN("pipeline/flow-counts-per-port", test_flow_counts_per_port);
    TEST_RUN("pipeline/server-port-may-answer-dhcp-and-ra",
             test_server_port_may_answer_dhcp_and_ra);
    TEST_RUN("pipeline/private-network-drops-guest-to-guest",
             test_private_network_drops_guest_to_guest);
    TEST_RUN("pipeline/uplink-adds-ingress-and-unknown-unicast",
             test_uplink_adds_ingress_and_unknown_unicast);
    TEST_RUN("pipeline/unbound-ports-get-no-flows",
             test_unbound_ports_get_no_flows);
    TEST_RUN("pipeline/port-order-does-not-change-flows",
             test_port_order_does_not_change_flows);
    TEST_RUN("pipeline/source-mac-checked-bit-by-bit",
             test_source_mac_checked_bit_by_bit);
    TEST_RUN("pipeline/rarp-announcements-pass",
             test_rarp_announcements_pass);
    TEST_RUN("pipeline/cookies-map-back-to-rule-names",
             test_cookies_map_back_to_rule_names);
    TEST_RUN("pipeline/dhcp-servers-dropped-by-either-port",
             test_dhcp_servers_dropped_by_either_port);
    TEST_RUN("pipeline/fragments-judged-without-reassembly",
             test_fragments_judged_without_reassembly);
    TEST_RUN("pipeline/nd-needs-own-link-layer-address",
             test_nd_needs_own_link_layer_address);
    TEST_RUN("pipeline/reserved-addresses-kept-from-undeclared-ports",
             test_reserved_addresses_kept_from_undeclared_ports);
    TEST_RUN("pipeline/port-takes-addresses-on-first-use",
             test_port_takes_addresses_on_first_use);
    TEST_RUN("pipeline/port-without-address-is-not-undeclared",
             test_port_without_address_is_not_undeclared);
    TEST_RUN("pipeline/port-waits-for-lease-where-network-has-server",
             test_port_waits_for_lease_where_network_has_server);
    TEST_RUN("pipeline/taken-addresses-kept-from-undeclared-ports",
             test_taken_addresses_kept_from_undeclared_ports);
    TEST_RUN("pipeline/blocked-port-passes-only-announcements",
             test_blocked_port_passes_only_announcements);
    return test_done();
}
