/* test-pipeline.c: unit tests of the pipeline builder: flow counts per
 * port for ports with and without declared addresses, IPv6, private
 * networks, an uplink and server ports; cookies that map back to rule
 * names; a table that does not depend on the order of the ports; and the
 * routing between networks: gateway ARP responder, conntrack, rules. */
#include <config.h>

#include "pipeline.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flow-table.h"
#include "gn-config.h"
#include "gn-util.h"
#include "meter-table.h"
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

/* web (VLAN 10) and db (VLAN 20) with a broadcast limit of 7 pps, bursts
 * of 9. */
static const char limited_config_json[] =
    "{\"bridge\": \"br-int\", \"broadcast_limit\": {\"pps\": 7,"
    " \"burst\": 9}, \"networks\": [{\"name\": \"web\", \"vlan\": 10,"
    " \"subnets\": [\"10.10.0.0/24\"]}, {\"name\": \"db\","
    " \"vlan\": 20, \"subnets\": [\"10.20.0.0/24\"]}]}";

/* Returns the config in JSON 'text', which must be valid. */
static struct gn_config *
load_config(const char *text)
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

/* Flows every table gets: a default drop per table (8), two flood flows
 * (table 3) and a route-drop (table 5) per network (3 * 3), three routing
 * flows (table 4: two TTL drops, conntrack) and three conntrack state
 * flows (table 5: invalid, established, related).  Ports add, besides
 * their own, a flow per flood chunk their network has (table 7: ofports
 * 64 * k to 64 * k + 63). */
#define COMMON_FLOWS (8 + 3 * 3 + 3 + 3)
/* Plus, with config_json, web's gateway: its ARP responder and the flow
 * that takes frames to its MAC to routing. */
#define BASE_FLOWS (COMMON_FLOWS + 2)

/* Fills 'p' as a port of 'vlan' with 'ofport' and the MAC ending in
 * 'ofport'; 'ips' (may be NULL) are its declared addresses. */
static void
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

static void
parse_ip(const char *s, struct netaddr_ip *ip)
{
    char *error = netaddr_parse_ip(s, 0, ip);

    CHECK(error == NULL);
    free(error);
}

/* Builds the table for 'n' 'ports' (uplink 'uplink' or -1) with the
 * config 'config_text'.  Caller frees. */
static struct flow_table *
build(const char *config_text, const struct pipeline_port *ports, size_t n,
      int uplink)
{
    struct gn_config *cfg = load_config(config_text);
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
    gn_config_destroy(cfg);
    return table;
}

/* The number of flows of 'table' whose cookie is for 'rule' (0: any rule)
 * and 'object'. */
static size_t
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

/* How many flows a table should have for a rule and object. */
struct rule_count {
    enum pipeline_rule rule;
    uint32_t object;
    size_t n;
};

/* Checks the 'n' counts 'c' against 't'. */
static void
check_counts(const struct flow_table *t, const struct rule_count *c,
             size_t n)
{
    for (size_t i = 0; i < n; i++) {
        TEST_ROW("%s:%"PRIu32,
                 pipeline_rule_name(PIPELINE_COOKIE(c[i].rule, 0)),
                 c[i].object);
        CHECK(count(t, c[i].rule, c[i].object) == c[i].n);
    }
    TEST_ROW_END();
}

/* Flows a guest port gets under its own cookies (rule << 48 | ofport):
 * 4 in table 0 (one the broadcast limit, on by default); 6 + 2 per IPv4
 * and 1 per IPv6 source in table 1; 11 (7 for a server) + 2 per IPv6
 * source in table 2; 1 in table 3. */
static size_t
port_flows(size_t n4, size_t n6, bool server)
{
    return 4 + (6 + 2 * n4 + n6) + ((server ? 7 : 11) + 2 * n6) + 1;
}

static void
test_empty_bridge_drops_everything(void)
{
    struct flow_table *t = build(config_json, NULL, 0, -1);

    /* Flood flows drop; web's gateway leads to routing, which drops. */
    CHECK(flow_table_count(t) == BASE_FLOWS);
    for (int table = 0; table < 7; table++) {
        CHECK(count(t, PIPELINE_RULE_DEFAULT_DROP, table) == 1);
    }
    flow_table_destroy(t);
}

static void
test_flow_counts_per_port(void)
{
    struct netaddr_ip ips[2];
    struct pipeline_port ports[4];
    struct flow_table *t;

    parse_ip("10.10.0.11", &ips[0]);
    parse_ip("2001:db8:10::11", &ips[1]);
    make_port(&ports[0], 101, 10, ips, 2);      /* Declared v4 + v6. */
    make_port(&ports[1], 102, 10, ips, 1);      /* Declared v4 only. */
    make_port(&ports[2], 103, 10, NULL, 0);     /* Web's two subnets. */
    make_port(&ports[3], 104, 20, NULL, 0);     /* Db's one subnet. */
    t = build(config_json, ports, 4, -1);

    CHECK(count(t, 0, 101) == port_flows(1, 1, false));
    CHECK(count(t, 0, 102) == port_flows(1, 0, false));
    CHECK(count(t, 0, 103) == port_flows(1, 1, false));
    CHECK(count(t, 0, 104) == port_flows(1, 0, false));
    /* 101 and 102 declare the same address: neither is routed to.  Web
     * and db have a flood chunk each. */
    CHECK(flow_table_count(t) == BASE_FLOWS + 2 * port_flows(1, 1, false)
                                 + 2 * port_flows(1, 0, false) + 2);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 101) == 0);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 102) == 0);
    /* Every port drops spoofed MACs and IPs and tagged frames. */
    for (int p = 101; p <= 104; p++) {
        CHECK(count(t, PIPELINE_RULE_MAC_SPOOF_DROP, p) == 1);
        CHECK(count(t, PIPELINE_RULE_IP_SPOOF_DROP, p) == 1);
        CHECK(count(t, PIPELINE_RULE_TAGGED_DROP, p) == 1);
        CHECK(count(t, PIPELINE_RULE_DHCP_SERVER_DROP, p) == 2);
        CHECK(count(t, PIPELINE_RULE_RA_DROP, p) == 2);
    }
    flow_table_destroy(t);
}

static void
test_server_port_may_answer_dhcp_and_ra(void)
{
    struct pipeline_port port;
    struct flow_table *t;

    make_port(&port, 101, 10, NULL, 0);
    port.server = true;
    t = build(config_json, &port, 1, -1);
    CHECK(count(t, 0, 101) == port_flows(1, 1, true));
    CHECK(count(t, PIPELINE_RULE_DHCP_SERVER_DROP, 101) == 0);
    CHECK(count(t, PIPELINE_RULE_RA_DROP, 101) == 0);
    flow_table_destroy(t);
}

static void
test_private_network_drops_guest_to_guest(void)
{
    struct pipeline_port ports[3];
    struct flow_table *t;

    make_port(&ports[0], 101, 30, NULL, 0);
    make_port(&ports[1], 102, 30, NULL, 0);
    make_port(&ports[2], 103, 10, NULL, 0);
    t = build(config_json, ports, 3, -1);
    /* One drop per private guest MAC for frames from guests; web has
     * none. */
    CHECK(count(t, PIPELINE_RULE_PRIVATE_DROP, 30) == 2);
    CHECK(count(t, PIPELINE_RULE_PRIVATE_DROP, 10) == 0);
    CHECK(count(t, 0, 101) == port_flows(1, 0, false));
    flow_table_destroy(t);
}

static void
test_uplink_adds_ingress_and_unknown_unicast(void)
{
    struct pipeline_port port;
    struct flow_table *t;

    make_port(&port, 101, 10, NULL, 0);
    t = build(config_json, &port, 1, 100);
    for (int vlan = 10; vlan <= 30; vlan += 10) {
        CHECK(count(t, PIPELINE_RULE_UPLINK_IN, vlan) == 1);
        CHECK(count(t, PIPELINE_RULE_L2_UNKNOWN, vlan) == 1);
        /* Two flood flows, and web's chunk of port 101. */
        CHECK(count(t, PIPELINE_RULE_L2_FLOOD, vlan) == 2);
        CHECK(count(t, PIPELINE_RULE_L2_FLOOD_CHUNK, vlan) == (vlan == 10));
    }
    CHECK(flow_table_count(t) == BASE_FLOWS + 3 * 2
                                 + port_flows(1, 1, false) + 1);
    CHECK(count(t, 0, 100) == 0);
    flow_table_destroy(t);
}

static void
test_unbound_ports_get_no_flows(void)
{
    struct pipeline_port ports[2];
    struct flow_table *t;

    make_port(&ports[0], 101, 99, NULL, 0);     /* No such network. */
    make_port(&ports[1], -1, 10, NULL, 0);      /* No ofport yet. */
    t = build(config_json, ports, 2, -1);
    CHECK(flow_table_count(t) == BASE_FLOWS);
    CHECK(count(t, 0, 101) == 0);
    flow_table_destroy(t);
}

static void
test_port_order_does_not_change_flows(void)
{
    struct pipeline_port fwd[3], rev[3];
    struct flow_table *a, *b;
    struct flow_table_mod *mods;
    size_t n;

    for (int i = 0; i < 3; i++) {
        make_port(&fwd[i], 101 + i, 10, NULL, 0);
        make_port(&rev[2 - i], 101 + i, 10, NULL, 0);
    }
    a = build(config_json, fwd, 3, 100);
    b = build(config_json, rev, 3, 100);
    mods = flow_table_diff(a, b, &n);
    CHECK(n == 0);
    free(mods);
    flow_table_destroy(a);
    flow_table_destroy(b);
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
    };
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
    t = build(config_json, &port, 1, 100);
    stats = flow_table_cookie_stats(t, &n);
    CHECK(n > 0);
    for (size_t i = 0; i < n; i++) {
        CHECK(pipeline_rule_name(stats[i].cookie) != NULL);
    }
    free(stats);
    flow_table_destroy(t);
}

/* True if a flow of 't' (in ovs-ofctl syntax) contains all of 'needles'
 * (NULL-terminated). */
static bool
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

static void
test_gateway_mac_from_vlan(void)
{
    struct netaddr_mac mac;
    char s[18];

    pipeline_gateway_mac(10, &mac);
    netaddr_format_mac(&mac, s);
    CHECK_STREQ(s, "0a:00:00:00:00:0a");
    pipeline_gateway_mac(4094, &mac);
    netaddr_format_mac(&mac, s);
    CHECK_STREQ(s, "0a:00:00:00:0f:fe");
}

static void
test_gateways_answer_arp_and_take_frames(void)
{
    /* An ARP responder per IPv4 gateway (none for IPv6 ones). */
    static const struct rule_count counts[] = {
        { PIPELINE_RULE_GATEWAY_ARP, 10, 1 },
        { PIPELINE_RULE_GATEWAY_ARP, 20, 1 },
        { PIPELINE_RULE_GATEWAY_ARP, 30, 0 },
        { PIPELINE_RULE_ROUTE_GATEWAY, 10, 1 },
        { PIPELINE_RULE_ROUTE_GATEWAY, 20, 1 },
        { PIPELINE_RULE_ROUTE_GATEWAY, 30, 0 },
    };
    struct flow_table *t = build(routed_config_json, NULL, 0, -1);

    check_counts(t, counts, GN_ARRAY_SIZE(counts));
    CHECK(has_flow(t, (const char *[]) {
        "table=3", "reg6=0xa", "arp_tpa=10.10.0.1", "arp_op=1",
        "set_field:0a:00:00:00:00:0a->eth_src", "set_field:2->arp_op",
        "set_field:10.10.0.1->arp_spa", "IN_PORT", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=3", "reg6=0x14", "dl_dst=0a:00:00:00:00:14",
        "goto_table:4", NULL }));
    flow_table_destroy(t);
}

static void
test_rules_allow_new_connections_through_conntrack(void)
{
    static const struct rule_count counts[] = {
        /* Rule 0 to both of db's subnets; rule 1 repeats it; rule 2 to
         * web's IPv4 subnet only; rule 3 to dmz, any protocol. */
        { PIPELINE_RULE_ROUTE_ALLOW, 0, 2 },
        { PIPELINE_RULE_ROUTE_ALLOW, 1, 0 },
        { PIPELINE_RULE_ROUTE_ALLOW, 2, 1 },
        { PIPELINE_RULE_ROUTE_ALLOW, 3, 1 },
        { PIPELINE_RULE_ROUTE_DROP, 10, 1 },
        { PIPELINE_RULE_ROUTE_DROP, 20, 1 },
        { PIPELINE_RULE_ROUTE_DROP, 30, 1 },
        { PIPELINE_RULE_TTL_DROP, 0, 2 },
        { PIPELINE_RULE_ROUTE_CT, 0, 1 },
        { PIPELINE_RULE_CT_INVALID_DROP, 0, 1 },
        { PIPELINE_RULE_CT_ESTABLISHED, 0, 1 },
        { PIPELINE_RULE_CT_RELATED, 0, 1 },
    };
    struct flow_table *t = build(routed_config_json, NULL, 0, -1);

    check_counts(t, counts, GN_ARRAY_SIZE(counts));
    /* Plus two gateways' two flows each and four route-allow flows. */
    CHECK(flow_table_count(t) == COMMON_FLOWS + 2 * 2 + 4);
    CHECK(has_flow(t, (const char *[]) {
        "table=4", "ip", "ct(table=5,zone=1)", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "reg6=0xa", "tcp",
        "nw_dst=10.21.0.0/24", "tp_dst=3306", "ct(commit,zone=1)",
        "goto_table:6", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "reg6=0x14", "icmp",
        "nw_dst=10.10.0.0/24", "ct(commit,zone=1)", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+est+trk", "goto_table:6", NULL }));
    CHECK(pipeline_rule_drops(PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_DROP,
                                              10)));
    CHECK(!pipeline_rule_drops(PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_ALLOW,
                                               0)));
    flow_table_destroy(t);
}

static void
test_routes_only_to_declared_unshared_ipv4(void)
{
    static const struct rule_count counts[] = {
        { PIPELINE_RULE_ROUTE_OUTPUT, 101, 1 },
        { PIPELINE_RULE_ROUTE_OUTPUT, 102, 1 },
        { PIPELINE_RULE_ROUTE_OUTPUT, 103, 0 },
        { PIPELINE_RULE_ROUTE_OUTPUT, 104, 0 },
        { PIPELINE_RULE_ROUTE_OUTPUT, 105, 0 },
    };
    struct netaddr_ip web[2], db[1], shared[1];
    struct pipeline_port ports[5];
    struct flow_table *t;

    parse_ip("10.10.0.11", &web[0]);
    parse_ip("2001:db8:10::11", &web[1]);
    parse_ip("10.20.0.11", &db[0]);
    parse_ip("10.20.0.50", &shared[0]);
    make_port(&ports[0], 101, 10, web, 2);
    make_port(&ports[1], 102, 20, db, 1);
    make_port(&ports[2], 103, 20, NULL, 0);
    make_port(&ports[3], 104, 20, shared, 1);
    make_port(&ports[4], 105, 20, shared, 1);
    t = build(routed_config_json, ports, 5, -1);
    check_counts(t, counts, GN_ARRAY_SIZE(counts));
    CHECK(has_flow(t, (const char *[]) {
        "table=6", "nw_dst=10.20.0.11",
        "set_field:0a:00:00:00:00:14->eth_src",
        "set_field:52:54:00:00:00:66->eth_dst", "dec_ttl", "output:102",
        NULL }));
    flow_table_destroy(t);
}

/* What the update tests work on: the config of the next update, the
 * pipeline state under test and the table it keeps. */
struct fixture {
    struct gn_config *cfg;
    struct pipeline_state *st;
    struct flow_table *t;
};

static void
fixture_init(struct fixture *f, const char *config_text)
{
    f->cfg = load_config(config_text);
    f->st = pipeline_state_create();
    f->t = flow_table_create(0);
}

static void
fixture_destroy(struct fixture *f)
{
    pipeline_state_destroy(f->st);
    flow_table_destroy(f->t);
    gn_config_destroy(f->cfg);
}

/* True if 'f' holds, in its table and its state's meters, exactly the
 * flows and meters a fresh state gives for 'n' 'ports' with its config:
 * the meters are those of the ports that got their flows, at the config's
 * rate. */
static bool
same_as_fresh_build(const struct fixture *f,
                    const struct pipeline_port *ports, size_t n, int uplink)
{
    const struct gn_config *cfg = f->cfg;
    const struct flow_table *table = f->t;
    struct pipeline_state *fresh_st = pipeline_state_create();
    struct flow_table *fresh = flow_table_create(0);
    struct pipeline_input in = {
        .cfg = cfg, .ports = ports, .n_ports = n, .uplink_ofport = uplink,
    };
    const struct meter_table *meters = pipeline_state_meters(f->st);
    struct meter_table_mod *meter_mods;
    struct flow_table_mod *mods;
    size_t n_mods, n_meter_mods, n_before, n_metered = 0;
    bool same_meters = true;
    char *error;

    error = pipeline_state_update(fresh_st, &in, fresh, NULL);
    free(error);                /* A clash is the caller's to check. */
    mods = flow_table_diff(table, fresh, &n_mods);
    free(mods);
    meter_mods = meter_table_diff(meters, pipeline_state_meters(fresh_st),
                                  &n_meter_mods, &n_before);
    free(meter_mods);
    for (size_t i = 0; i < n; i++) {
        const struct meter_table_meter *m;

        if (!pipeline_state_has_port(fresh_st, ports[i].name)
            || !cfg->broadcast_limit.pps) {
            continue;
        }
        n_metered++;
        m = meter_table_find(meters, PIPELINE_METER_ID(ports[i].ofport));
        same_meters &= (m && m->pps == cfg->broadcast_limit.pps
                        && m->burst == cfg->broadcast_limit.burst);
    }
    same_meters &= (n_meter_mods == 0
                    && meter_table_count(meters) == n_metered);
    if (!same_meters) {
        fprintf(stderr, "  %zu meters, %zu ports with flows, %zu meter "
                "changes from a fresh build\n", meter_table_count(meters),
                n_metered, n_meter_mods);
    }
    bool same = (n_mods == 0
                 && flow_table_count(table) == flow_table_count(fresh)
                 && same_meters);
    flow_table_destroy(fresh);
    pipeline_state_destroy(fresh_st);
    return same;
}

/* The input of 'n' 'ports' with the config of 'f' as generation 'cfg_gen'
 * and uplink 'uplink', without a deadline. */
static struct pipeline_input
make_input(const struct fixture *f, unsigned long long cfg_gen,
           const struct pipeline_port *ports, size_t n, int uplink)
{
    return (struct pipeline_input) {
        .cfg = f->cfg, .cfg_gen = cfg_gen, .ports = ports, .n_ports = n,
        .uplink_ofport = uplink,
    };
}

/* Brings the table of 'f' to 'n' 'ports' through its state; returns the
 * stats. */
static struct pipeline_update_stats
update(const struct fixture *f, unsigned long long cfg_gen,
       const struct pipeline_port *ports, size_t n, int uplink)
{
    struct pipeline_input in = make_input(f, cfg_gen, ports, n, uplink);
    struct pipeline_update_stats stats;
    char *error = pipeline_state_update(f->st, &in, f->t, &stats);

    CHECK(error == NULL);
    free(error);
    return stats;
}

static void
test_incremental_update_equals_full_build(void)
{
    struct gn_config *cfg, *limited = load_config(limited_config_json);
    struct netaddr_ip ips[3];
    struct pipeline_port ports[40];
    struct pipeline_update_stats s;
    struct fixture f;
    size_t n = 0;

    fixture_init(&f, routed_config_json);
    parse_ip("10.10.0.11", &ips[0]);
    parse_ip("10.20.0.11", &ips[1]);
    parse_ip("10.20.0.12", &ips[2]);
    for (n = 0; n < 30; n++) {
        make_port(&ports[n], 101 + n, n % 2 ? 10 : 20, NULL, 0);
    }
    s = update(&f, 1, ports, n, -1);
    /* Global, three networks, four flood chunks (web's and db's ofports
     * 64-127 and 128-191), thirty ports. */
    CHECK(s.groups_built == 1 + 3 + 4 + 30);
    CHECK(same_as_fresh_build(&f, ports, n, -1));

    /* Nothing changed: nothing rebuilt. */
    s = update(&f, 1, ports, n, -1);
    CHECK(s.groups_built == 0 && s.flows_added == 0 && s.flows_removed == 0);

    /* One more port: it and its flood chunk, no more. */
    make_port(&ports[n++], 131, 10, &ips[0], 1);
    s = update(&f, 1, ports, n, -1);
    CHECK(s.groups_built == 2);
    CHECK(s.groups_removed == 0);
    CHECK(same_as_fresh_build(&f, ports, n, -1));

    /* New addresses on one port: only that port. */
    ports[3].ips = &ips[1];
    ports[3].n_ips = 1;
    s = update(&f, 1, ports, n, -1);
    CHECK(s.groups_built == 1);
    CHECK(same_as_fresh_build(&f, ports, n, -1));

    /* A second port declares the same address: both are rebuilt, and
     * neither is routed to. */
    ports[5].ips = &ips[1];
    ports[5].n_ips = 1;
    s = update(&f, 1, ports, n, -1);
    CHECK(s.groups_built == 2);
    CHECK(count(f.t, PIPELINE_RULE_ROUTE_OUTPUT, 104) == 0);
    CHECK(count(f.t, PIPELINE_RULE_ROUTE_OUTPUT, 106) == 0);
    CHECK(same_as_fresh_build(&f, ports, n, -1));

    /* A port leaves (the last one takes its place in the array): its
     * flows go, its flood chunk is rebuilt. */
    size_t before = flow_table_count(f.t);
    ports[7] = ports[--n];
    s = update(&f, 1, ports, n, -1);
    CHECK(s.groups_removed == 1);
    CHECK(flow_table_count(f.t) < before);
    CHECK(same_as_fresh_build(&f, ports, n, -1));

    /* An uplink appears: the networks, not the chunks nor the ports. */
    s = update(&f, 1, ports, n, 100);
    CHECK(s.groups_built == 3);
    CHECK(same_as_fresh_build(&f, ports, n, 100));

    /* A new config generation rebuilds everything. */
    s = update(&f, 2, ports, n, 100);
    CHECK(s.groups_built == 1 + 3 + 4 + n);
    CHECK(same_as_fresh_build(&f, ports, n, 100));

    /* Two ports swap ofports: each takes the other's meter id. */
    int ofport4 = ports[4].ofport;
    ports[4].ofport = ports[9].ofport;
    ports[9].ofport = ofport4;
    s = update(&f, 2, ports, n, 100);
    CHECK(same_as_fresh_build(&f, ports, n, 100));

    /* Another broadcast limit: every meter changes; none without one. */
    cfg = f.cfg;
    f.cfg = limited;
    s = update(&f, 3, ports, n, 100);
    CHECK(same_as_fresh_build(&f, ports, n, 100));
    CHECK(meter_table_count(pipeline_state_meters(f.st)) == n);
    CHECK(meter_table_find(pipeline_state_meters(f.st),
                           PIPELINE_METER_ID(ports[0].ofport))->pps == 7);
    limited->broadcast_limit.pps = 0;
    s = update(&f, 4, ports, n, 100);
    CHECK(same_as_fresh_build(&f, ports, n, 100));
    CHECK(meter_table_count(pipeline_state_meters(f.st)) == 0);
    f.cfg = cfg;
    s = update(&f, 5, ports, n, 100);
    CHECK(same_as_fresh_build(&f, ports, n, 100));
    gn_config_destroy(limited);

    /* Every port gone: only what does not depend on ports is left.  The
     * ports and their four flood chunks go, web and db (whose chunks
     * changed) are rebuilt, nothing else. */
    s = update(&f, 5, NULL, 0, 100);
    CHECK(s.groups_built == 2 && s.groups_removed == n + 4);
    CHECK(same_as_fresh_build(&f, NULL, 0, 100));

    fixture_destroy(&f);
}

/* Two ports with one MAC in a private network clash on their drop flow:
 * the second port's flows are left out entirely (no half group), the
 * rest is built, and the port gets its flows once the clash is gone. */
static void
test_clashing_port_is_left_out_whole(void)
{
    struct pipeline_port ports[3];
    struct pipeline_input in;
    struct fixture f;
    char *error;

    fixture_init(&f, config_json);
    in = make_input(&f, 0, ports, 3, -1);
    make_port(&ports[0], 101, 30, NULL, 0);
    make_port(&ports[1], 102, 30, NULL, 0);
    ports[1].mac = ports[0].mac;
    make_port(&ports[2], 103, 10, NULL, 0);
    error = pipeline_state_update(f.st, &in, f.t, NULL);
    CHECK(error != NULL && strstr(error, "duplicates"));
    free(error);
    CHECK(count(f.t, 0, 101) + count(f.t, 0, 102) == port_flows(1, 0, false));
    CHECK(count(f.t, 0, 103) == port_flows(1, 1, false));
    /* The lower ofport wins; the other is known not to have its flows. */
    CHECK(pipeline_state_has_port(f.st, "p101"));
    CHECK(!pipeline_state_has_port(f.st, "p102"));
    CHECK(pipeline_state_has_port(f.st, "p103"));
    CHECK(!pipeline_state_has_port(f.st, "p999"));

    /* The first port leaves: the second is retried and built. */
    ports[0] = ports[2];
    in.n_ports = 2;
    error = pipeline_state_update(f.st, &in, f.t, NULL);
    CHECK(error == NULL);
    free(error);
    CHECK(count(f.t, 0, 102) == port_flows(1, 0, false));
    CHECK(pipeline_state_has_port(f.st, "p102"));
    CHECK(!pipeline_state_has_port(f.st, "p101"));
    CHECK(same_as_fresh_build(&f, ports, 2, -1));

    fixture_destroy(&f);
}

/* With 'slices_resume', update_in_slices() says its calls after the first
 * have the same input, so that an incomplete pass goes on where it
 * stopped; without, every call starts the pass again.  The deadline tests
 * run both ways. */
static bool slices_resume;

/* Brings the table of 'f' to 'n' 'ports' through its state with a deadline
 * in the past, one call after another until an update completes (at most
 * 'max_calls' calls), each of which must rebuild exactly one group if it
 * does not complete.  Returns the number of calls; stores the error of
 * the last in '*errorp' (caller frees), or checks that there is none if
 * 'errorp' is NULL. */
static size_t
update_in_slices(const struct fixture *f, unsigned long long cfg_gen,
                 const struct pipeline_port *ports, size_t n, int uplink,
                 size_t max_calls, char **errorp)
{
    struct pipeline_input in = make_input(f, cfg_gen, ports, n, uplink);
    struct pipeline_update_stats stats;
    char *error = NULL;
    size_t calls = 0;

    in.deadline = 1;

    do {
        free(error);
        in.same_input = slices_resume && calls > 0;
        error = pipeline_state_update(f->st, &in, f->t, &stats);
        calls++;
        if (stats.incomplete) {
            CHECK(stats.groups_built == 1);
            CHECK(error == NULL);
        }
    } while (stats.incomplete && calls < max_calls);
    CHECK(!stats.incomplete);
    if (errorp) {
        *errorp = error;
    } else {
        CHECK(error == NULL);
        free(error);
    }
    return calls;
}

/* Makes 'calls' calls of an update of 'f' with 'in', none of which may
 * fail or complete. */
static void
update_incomplete(const struct fixture *f, const struct pipeline_input *in,
                  int calls)
{
    for (int i = 0; i < calls; i++) {
        struct pipeline_update_stats stats;
        char *error = pipeline_state_update(f->st, in, f->t, &stats);

        CHECK(error == NULL && stats.incomplete);
        free(error);
    }
}

/* With a deadline that has passed, an update rebuilds one group per call
 * and says it is incomplete; calling again goes on where it stopped, and
 * the table ends up with exactly the flows of a full build. */
static void
test_deadline_rebuilds_one_group_per_call(void)
{
    struct netaddr_ip ips[2];
    struct pipeline_port ports[40];
    struct fixture f;
    size_t n, calls;

    fixture_init(&f, routed_config_json);
    parse_ip("10.10.0.11", &ips[0]);
    parse_ip("10.20.0.11", &ips[1]);
    for (n = 0; n < 30; n++) {
        make_port(&ports[n], 101 + n, n % 2 ? 10 : 20, NULL, 0);
    }
    /* Global, three networks, four flood chunks, thirty ports: one call
     * each. */
    calls = update_in_slices(&f, 1, ports, n, -1, 100, NULL);
    CHECK(calls == 1 + 3 + 4 + 30);
    CHECK(same_as_fresh_build(&f, ports, n, -1));

    /* Nothing to do: done at once. */
    calls = update_in_slices(&f, 1, ports, n, -1, 100, NULL);
    CHECK(calls == 1);

    /* A port joins: its flood chunk, then the port. */
    make_port(&ports[n++], 131, 10, &ips[0], 1);
    calls = update_in_slices(&f, 1, ports, n, -1, 100, NULL);
    CHECK(calls == 2);
    CHECK(same_as_fresh_build(&f, ports, n, -1));

    /* A port leaves and another changes its address: the sweep of the
     * vanished one and a rebuild in the first call. */
    ports[7] = ports[--n];
    ports[3].ips = &ips[1];
    ports[3].n_ips = 1;
    calls = update_in_slices(&f, 1, ports, n, 100, 100, NULL);
    /* Networks (uplink), web's first chunk (port 108 left), port 3. */
    CHECK(calls == 3 + 1 + 1);
    CHECK(same_as_fresh_build(&f, ports, n, 100));

    fixture_destroy(&f);
}

/* An input that changes between the calls of an incomplete update (ports
 * come and go, addresses change, the uplink appears, a new config
 * generation) still ends with exactly the full build of the last input. */
static void
test_deadline_input_change_midway_converges(void)
{
    struct pipeline_input in;
    struct netaddr_ip ips[2];
    struct pipeline_port ports[60];
    struct fixture f;
    size_t n;

    fixture_init(&f, routed_config_json);
    parse_ip("10.10.0.11", &ips[0]);
    parse_ip("10.20.0.11", &ips[1]);
    for (n = 0; n < 40; n++) {
        make_port(&ports[n], 101 + n, n % 3 ? 10 : 20, NULL, 0);
    }
    in = make_input(&f, 1, ports, n, -1);
    in.deadline = 1;
    update_incomplete(&f, &in, 10);

    /* Ports already built and ports not yet built leave or change. */
    ports[2] = ports[--n];
    ports[35] = ports[--n];
    ports[1].ips = &ips[0];
    ports[1].n_ips = 1;
    ports[30].ips = &ips[1];
    ports[30].n_ips = 1;
    ports[30].vlan = 20;
    make_port(&ports[n++], 201, 30, NULL, 0);
    in.n_ports = n;
    in.uplink_ofport = 100;
    update_incomplete(&f, &in, 10);
    update_in_slices(&f, 1, ports, n, 100, 200, NULL);
    CHECK(same_as_fresh_build(&f, ports, n, 100));
    CHECK(pipeline_state_has_port(f.st, "p201"));
    CHECK(!pipeline_state_has_port(f.st, "p103"));

    /* A new config generation halfway through its rebuild. */
    in.cfg_gen = 2;
    update_incomplete(&f, &in, 5);
    n -= 5;
    update_in_slices(&f, 2, ports, n, 100, 200, NULL);
    CHECK(same_as_fresh_build(&f, ports, n, 100));

    fixture_destroy(&f);
}

/* Under a deadline, a port whose flows clash is tried once per round, not
 * once per call, and its error comes with the call that completes; two
 * ports that swap MACs across calls both end up with their flows, as in a
 * full build. */
static void
test_deadline_clash_tried_once_per_round(void)
{
    struct pipeline_port ports[12];
    struct netaddr_mac mac;
    struct fixture f;
    size_t n, calls;
    char *error;

    fixture_init(&f, config_json);
    for (n = 0; n < 10; n++) {
        make_port(&ports[n], 101 + n, 30, NULL, 0);
    }
    ports[1].mac = ports[0].mac;
    calls = update_in_slices(&f, 1, ports, n, -1, 100, &error);
    CHECK(error != NULL && strstr(error, "duplicates"));
    free(error);
    CHECK(calls == 1 + 3 + 1 + 10);
    CHECK(!pipeline_state_has_port(f.st, "p102"));
    CHECK(count(f.t, 0, 103) == port_flows(1, 0, false));

    /* The next round tries it once more; the clash is still there. */
    calls = update_in_slices(&f, 1, ports, n, -1, 100, &error);
    CHECK(error != NULL && strstr(error, "duplicates"));
    free(error);
    CHECK(calls == 1);

    /* Gone: the port gets its flows. */
    make_port(&ports[1], 102, 30, NULL, 0);
    calls = update_in_slices(&f, 1, ports, n, -1, 100, NULL);
    CHECK(pipeline_state_has_port(f.st, "p102"));
    CHECK(same_as_fresh_build(&f, ports, n, -1));

    /* Two ports swap MACs: the first fails on the second's old flows in
     * one call, the second moves in the next, the first is retried once
     * the pass is complete. */
    mac = ports[4].mac;
    ports[4].mac = ports[5].mac;
    ports[5].mac = mac;
    calls = update_in_slices(&f, 1, ports, n, -1, 100, NULL);
    CHECK(calls == 2);
    CHECK(pipeline_state_has_port(f.st, "p105"));
    CHECK(pipeline_state_has_port(f.st, "p106"));
    CHECK(same_as_fresh_build(&f, ports, n, -1));

    fixture_destroy(&f);
}

/* In a network of 990 ports, a port that joins costs two groups: its
 * flood chunk (an output per port of the 64 ofports it is among) and its
 * own.  The chunk's cost is printed (the first call with a deadline in
 * the past rebuilds it alone), and so is that of a batch of joins with and
 * without a budget.  Either way the table is that of a full build. */
static void
test_large_network_join_rebuilds_two_groups(void)
{
    static struct pipeline_port ports[1020];
    struct pipeline_input in;
    struct pipeline_update_stats s;
    struct fixture f;
    long long best = -1;
    size_t n;
    char *error;

    fixture_init(&f, config_json);
    for (n = 0; n < 990; n++) {
        make_port(&ports[n], 1 + n, 10, NULL, 0);
    }
    s = update(&f, 1, ports, n, 1023);
    CHECK(s.groups_built == 1 + 3 + 16 + 990);  /* 16 chunks: 0-1023. */
    for (int i = 0; i < 5; i++) {
        long long start;

        /* A port joins: its chunk alone in the first call. */
        make_port(&ports[n++], 991 + i, 10, NULL, 0);
        in = make_input(&f, 1, ports, n, 1023);
        in.deadline = 1;
        start = gn_time_usec();
        error = pipeline_state_update(f.st, &in, f.t, &s);
        start = gn_time_usec() - start;
        CHECK(error == NULL && s.incomplete && s.groups_built == 1);
        free(error);
        best = best < 0 || start < best ? start : best;
        s = update(&f, 1, ports, n, 1023);
        CHECK(s.groups_built == 1);
        n--;
        s = update(&f, 1, ports, n, 1023);
        CHECK(s.groups_built == 1 && s.groups_removed == 1);
    }
    fprintf(stderr, "  flood chunk of a 990-port network: %lld us\n",
            best);
    CHECK(same_as_fresh_build(&f, ports, n, 1023));

    /* A batch of 15 joins (one OVSDB transaction's worth): in one call,
     * then, with ports 15 more, in calls of a 2 ms budget. */
    for (int round = 0; round < 2; round++) {
        long long longest = 0, total = 0;
        int calls = 0;

        for (int i = 0; i < 15; i++) {
            make_port(&ports[n++], 991 + 15 * round + i, 10, NULL, 0);
        }
        in = make_input(&f, 1, ports, n, 1023);
        do {
            long long start = gn_time_usec();

            in.deadline = round ? start + 2000 : 0;
            error = pipeline_state_update(f.st, &in, f.t, &s);
            CHECK(error == NULL);
            free(error);
            start = gn_time_usec() - start;
            longest = start > longest ? start : longest;
            total += start;
            calls++;
        } while (s.incomplete && calls < 100);
        fprintf(stderr, "  15 joins, %s: %d calls, longest %lld us, "
                "%lld us in all\n", round ? "2 ms budget" : "no budget",
                calls, longest, total);
        CHECK(same_as_fresh_build(&f, ports, n, 1023));
    }

    fixture_destroy(&f);
}

/* A call that says its input is the same as the last, incomplete one's
 * but brings another config generation starts over with the new config
 * (a resumed pass would keep the groups built with the old one). */
static void
test_resume_needs_same_config(void)
{
    struct gn_config *cfg;
    struct pipeline_port ports[30];
    struct pipeline_update_stats s;
    struct pipeline_input in;
    struct fixture f;
    size_t n;

    fixture_init(&f, config_json);
    for (n = 0; n < 30; n++) {
        make_port(&ports[n], 101 + n, 10, NULL, 0);
    }
    update(&f, 1, ports, n, -1);
    /* New MACs: only the ports' groups change, so the pass stops among
     * them, where it could resume. */
    for (size_t i = 0; i < n; i++) {
        ports[i].mac.b[5] ^= 0x80;
    }
    in = make_input(&f, 1, ports, n, -1);
    in.deadline = 1;
    free(pipeline_state_update(f.st, &in, f.t, &s));
    CHECK(s.incomplete);

    cfg = f.cfg;
    f.cfg = load_config(limited_config_json);
    in = make_input(&f, 2, ports, n, -1);
    in.same_input = true;
    free(pipeline_state_update(f.st, &in, f.t, &s));
    CHECK(!s.incomplete);
    CHECK(same_as_fresh_build(&f, ports, n, -1));

    fixture_destroy(&f);
    gn_config_destroy(cfg);
}

/* Ports swap ofports, one takes over the ofport another left, three
 * rotate theirs, in calls of one group each, resumed or not: each port
 * group takes the meter of its new ofport, no error comes out, and the
 * flows and meters end up those of a fresh build. */
static void
test_ofport_swaps_in_slices_keep_meters(void)
{
    for (int resume = 0; resume < 2; resume++) {
        struct pipeline_port ports[40];
        struct fixture f;
        int ofport;
        size_t n;

        fixture_init(&f, routed_config_json);
        slices_resume = resume;
        for (n = 0; n < 20; n++) {
            make_port(&ports[n], 101 + n, 10, NULL, 0);
        }
        update_in_slices(&f, 1, ports, n, -1, 1000, NULL);
        CHECK(same_as_fresh_build(&f, ports, n, -1));
        CHECK(meter_table_count(pipeline_state_meters(f.st)) == n);

        ofport = ports[3].ofport;
        ports[3].ofport = ports[12].ofport;
        ports[12].ofport = ofport;
        update_in_slices(&f, 1, ports, n, -1, 1000, NULL);
        CHECK(same_as_fresh_build(&f, ports, n, -1));

        /* Port 5 moves to ofport 150, a new port takes its old one. */
        ofport = ports[5].ofport;
        ports[5].ofport = 150;
        make_port(&ports[n], 200, 10, NULL, 0);
        ports[n++].ofport = ofport;
        update_in_slices(&f, 1, ports, n, -1, 1000, NULL);
        CHECK(same_as_fresh_build(&f, ports, n, -1));
        CHECK(meter_table_count(pipeline_state_meters(f.st)) == n);

        ofport = ports[0].ofport;
        ports[0].ofport = ports[1].ofport;
        ports[1].ofport = ports[2].ofport;
        ports[2].ofport = ofport;
        update_in_slices(&f, 1, ports, n, -1, 1000, NULL);
        CHECK(same_as_fresh_build(&f, ports, n, -1));
        CHECK(meter_table_count(pipeline_state_meters(f.st)) == n);

        fixture_destroy(&f);
    }
    slices_resume = false;
}

int
main(void)
{
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
    TEST_RUN("pipeline/cookies-map-back-to-rule-names",
             test_cookies_map_back_to_rule_names);
    TEST_RUN("pipeline/gateway-mac-from-vlan", test_gateway_mac_from_vlan);
    TEST_RUN("pipeline/gateways-answer-arp-and-take-frames",
             test_gateways_answer_arp_and_take_frames);
    TEST_RUN("pipeline/rules-allow-new-connections-through-conntrack",
             test_rules_allow_new_connections_through_conntrack);
    TEST_RUN("pipeline/incremental-update-equals-full-build",
             test_incremental_update_equals_full_build);
    TEST_RUN("pipeline/clashing-port-is-left-out-whole",
             test_clashing_port_is_left_out_whole);
    TEST_RUN("pipeline/deadline-rebuilds-one-group-per-call",
             test_deadline_rebuilds_one_group_per_call);
    TEST_RUN("pipeline/deadline-input-change-midway-converges",
             test_deadline_input_change_midway_converges);
    TEST_RUN("pipeline/deadline-clash-tried-once-per-round",
             test_deadline_clash_tried_once_per_round);
    slices_resume = true;
    TEST_RUN("pipeline/deadline-resumed-rebuilds-one-group-per-call",
             test_deadline_rebuilds_one_group_per_call);
    TEST_RUN("pipeline/deadline-resumed-clash-tried-once-per-round",
             test_deadline_clash_tried_once_per_round);
    slices_resume = false;
    TEST_RUN("pipeline/large-network-join-rebuilds-two-groups",
             test_large_network_join_rebuilds_two_groups);
    TEST_RUN("pipeline/routes-only-to-declared-unshared-ipv4",
             test_routes_only_to_declared_unshared_ipv4);
    TEST_RUN("pipeline/resume-needs-same-config",
             test_resume_needs_same_config);
    TEST_RUN("pipeline/ofport-swaps-in-slices-keep-meters",
             test_ofport_swaps_in_slices_keep_meters);
    return test_done();
}
