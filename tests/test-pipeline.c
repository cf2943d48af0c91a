/* test-pipeline.c: unit tests of the pipeline builder: flow counts per
 * port for ports with and without declared addresses, IPv6, private
 * networks, an uplink and server ports; cookies that map back to rule
 * names; and a table that does not depend on the order of the ports. */
#include <config.h>

#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "flow-table.h"
#include "gn-config.h"
#include "gn-util.h"
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

static struct gn_config *
load_config(void)
{
    json_error_t jerror;
    json_t *json = json_loads(config_json, 0, &jerror);
    struct gn_config *cfg = NULL;
    char *error;

    CHECK(json != NULL);
    error = gn_config_from_json(json, &cfg);
    CHECK(error == NULL);
    free(error);
    json_decref(json);
    return cfg;
}

/* Fills 'p' as a port of 'vlan' with 'ofport' and the MAC ending in
 * 'ofport'; 'ips' (may be NULL) are its declared addresses. */
static void
make_port(struct pipeline_port *p, int ofport, int vlan,
          struct netaddr_ip *ips, size_t n_ips)
{
    char mac[18];
    char *error;

    memset(p, 0, sizeof *p);
    p->name = "p";
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

/* Builds the table for 'n' 'ports' (uplink 'uplink' or -1) with 'cfg'.
 * Caller frees. */
static struct flow_table *
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
    struct gn_config *cfg = load_config();
    struct flow_table *t = build(cfg, NULL, 0, -1);

    /* A default drop per table, two flood flows (dropping) per network. */
    CHECK(flow_table_count(t) == 4 + 3 * 2);
    for (int table = 0; table < 4; table++) {
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

    CHECK(count(t, 0, 101) == port_flows(1, 1, false));
    CHECK(count(t, 0, 102) == port_flows(1, 0, false));
    CHECK(count(t, 0, 103) == port_flows(1, 1, false));
    CHECK(count(t, 0, 104) == port_flows(1, 0, false));
    CHECK(flow_table_count(t) == 4 + 3 * 2 + 2 * port_flows(1, 1, false)
                                 + 2 * port_flows(1, 0, false));
    /* Every port drops spoofed MACs and IPs and tagged frames. */
    for (int p = 101; p <= 104; p++) {
        CHECK(count(t, PIPELINE_RULE_MAC_SPOOF_DROP, p) == 1);
        CHECK(count(t, PIPELINE_RULE_IP_SPOOF_DROP, p) == 1);
        CHECK(count(t, PIPELINE_RULE_TAGGED_DROP, p) == 1);
        CHECK(count(t, PIPELINE_RULE_DHCP_SERVER_DROP, p) == 2);
        CHECK(count(t, PIPELINE_RULE_RA_DROP, p) == 2);
    }
    flow_table_destroy(t);
    gn_config_destroy(cfg);
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
    CHECK(count(t, 0, 101) == port_flows(1, 1, true));
    CHECK(count(t, PIPELINE_RULE_DHCP_SERVER_DROP, 101) == 0);
    CHECK(count(t, PIPELINE_RULE_RA_DROP, 101) == 0);
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
    CHECK(count(t, 0, 101) == port_flows(1, 0, false));
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
        CHECK(count(t, PIPELINE_RULE_L2_FLOOD, vlan) == 2);
    }
    CHECK(flow_table_count(t) == 4 + 3 * 4 + port_flows(1, 1, false));
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
    CHECK(flow_table_count(t) == 4 + 3 * 2);
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
    return test_done();
}
