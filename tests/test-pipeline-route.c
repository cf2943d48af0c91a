/* test-pipeline-route.c: unit tests of the pipeline's routing between
 * networks (flows/pipeline-route.c), IPv4 and IPv6: the gateway MAC, the
 * ARP and neighbour advertisement responders, routing through conntrack
 * and the rules, route output to declared addresses that no other port
 * declares, and cluster mode's routes to and from other hosts and its
 * link-local bindings across hosts. */
#include <config.h>

#include "test-pipeline.h"

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
test_gateways_answer_arp_and_nd_and_take_frames(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct flow_table *t = build(cfg, NULL, 0, -1);

    /* An ARP responder per IPv4 gateway, a neighbour advertisement
     * responder per IPv6 one (web's) and one for the gateways' link-local
     * address, whose second half in table 10 all networks share. */
    CHECK(count(t, PIPELINE_RULE_GATEWAY_ARP, 10) == 1);
    CHECK(count(t, PIPELINE_RULE_GATEWAY_ARP, 20) == 1);
    CHECK(count(t, PIPELINE_RULE_GATEWAY_ARP, 30) == 0);
    CHECK(count(t, PIPELINE_RULE_GATEWAY_ND, 10) == 2);
    CHECK(count(t, PIPELINE_RULE_GATEWAY_ND, 20) == 0);
    CHECK(count(t, PIPELINE_RULE_GATEWAY_ND, 0) == 1);
    /* The solicitation becomes a solicited advertisement from a router
     * that overrides (flags 0xe0000000), to its sender, its source
     * link-layer option a target link-layer option... */
    static const char *const na[] = {
        "table=3", "reg6=0xa", "icmp6", "icmp_type=135", "icmp_code=0",
        "nd_target=2001:db8:10::1",
        "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
        "set_field:0a:00:00:00:00:0a->eth_src",
        "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[]",
        "set_field:2001:db8:10::1->ipv6_src", "set_field:136->icmpv6_type",
        "set_field:3758096384->nd_reserved",
        "set_field:2->nd_options_type", "goto_table:10", NULL };
    CHECK(has_flow(t, na));
    /* ...which table 10 fills with the gateway MAC, back where it came
     * from. */
    CHECK(has_flow(t, (const char *[]) {
        "table=10", "icmp6", "icmp_type=136", "icmp_code=0",
        "move:NXM_OF_ETH_SRC[]->NXM_NX_ND_TLL[]", "IN_PORT", NULL }));
    CHECK(count(t, PIPELINE_RULE_ROUTE_GATEWAY, 10) == 1);
    CHECK(count(t, PIPELINE_RULE_ROUTE_GATEWAY, 20) == 1);
    CHECK(count(t, PIPELINE_RULE_ROUTE_GATEWAY, 30) == 0);
    CHECK(has_flow(t, (const char *[]) {
        "table=3", "reg6=0xa", "arp_tpa=10.10.0.1", "arp_op=1",
        "set_field:0a:00:00:00:00:0a->eth_src", "set_field:2->arp_op",
        "set_field:10.10.0.1->arp_spa", "IN_PORT", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=3", "reg6=0x14", "dl_dst=0a:00:00:00:00:14",
        "goto_table:4", NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

static void
test_rules_allow_new_connections_through_conntrack(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct flow_table *t = build(cfg, NULL, 0, -1);

    /* Rule 0 from web's IPv4 subnet to both of db's, with its port and,
     * for the later fragments of a first datagram, by the connection's
     * protocol; rule 1 repeats it; rule 2 from both of db's subnets to
     * web's IPv4 one (db has no IPv6 subnet to send from), and their later
     * fragments by the connection's protocol; rule 3 to dmz, any
     * protocol, later fragments included. */
    CHECK(count(t, PIPELINE_RULE_ROUTE_ALLOW, 0) == 2 * 2);
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "reg6=0xa", "tcp,", "tp_dst=3306",
        "nw_src=10.10.0.0/24", "nw_dst=10.21.0.0/24",
        "set_field:0x1/0x1->reg2,ct(commit,table=6,zone=1,"
        "exec(set_field:0x1/0x1->ct_mark))", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "ip,", "nw_frag=later",
        "ct_nw_proto=6", "nw_src=10.10.0.0/24", "nw_dst=10.20.0.0/24",
        "set_field:0x1/0x1->reg2,ct(commit,table=6,zone=1,"
        "exec(set_field:0x1/0x1->ct_mark))", NULL }));
    CHECK(count(t, PIPELINE_RULE_ROUTE_ALLOW, 1) == 0);
    CHECK(count(t, PIPELINE_RULE_ROUTE_ALLOW, 2) == 2 * 2);
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "reg6=0x14", "icmp,",
        "nw_src=10.21.0.0/24", "nw_dst=10.10.0.0/24", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "ip,", "nw_frag=later",
        "ct_nw_proto=1", "nw_src=10.20.0.0/24", "nw_dst=10.10.0.0/24",
        NULL }));
    CHECK(count(t, PIPELINE_RULE_ROUTE_ALLOW, 3) == 1);
    for (int vlan = 10; vlan <= 30; vlan += 10) {
        CHECK(count(t, PIPELINE_RULE_ROUTE_DROP, vlan) == 1);
    }
    /* Per family two TTL drops and conntrack; for IPv6 six ICMPv6 types
     * to conntrack, the others and link-local addresses dropped. */
    CHECK(count(t, PIPELINE_RULE_TTL_DROP, 0) == 4);
    CHECK(count(t, PIPELINE_RULE_ROUTE_CT, 0) == 2 + 6);
    CHECK(count(t, PIPELINE_RULE_ICMP6_ROUTE_DROP, 0) == 1);
    CHECK(count(t, PIPELINE_RULE_LINK_LOCAL_DROP, 0) == 2);
    CHECK(count(t, PIPELINE_RULE_CT_INVALID_DROP, 0) == 1);
    /* What a commit hands on but its own packets: invalid, or without the
     * commit's mark. */
    CHECK(count(t, PIPELINE_RULE_CT_INVALID_DROP, 6) == 2);
    CHECK(has_flow(t, (const char *[]) {
        "table=6", "priority=200", "ct_state=+inv+trk", "drop", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=6", "priority=200", "reg2=0x1/0x1", "ct_mark=0/0x1", "drop",
        NULL }));
    CHECK(count(t, PIPELINE_RULE_CT_ESTABLISHED, 0) == 1);
    CHECK(count(t, PIPELINE_RULE_CT_RELATED, 0) == 1);
    /* Plus web's gateways' six flows (ARP, ND for its address and its
     * link-local one, the way to routing, the drops of its link-local
     * address as a guest's source and probe target) and db's two, nine
     * route-allow flows and the reserved addresses (3
     * flows each): web's two gateways, 10.10.0.0, 10.10.0.255 and
     * 2001:db8:10::, db's gateway and its two subnets' network and
     * broadcast addresses, dmz's two. */
    CHECK(flow_table_count(t) == COMMON_FLOWS + 6 + 2 + 9
                                 + 3 * (5 + 5 + 2));
    CHECK(has_flow(t, (const char *[]) {
        "table=4", "priority=100", "ip ", "ct(table=5,zone=1)", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=4", "priority=100", "ipv6 ", "ct(table=5,zone=1)", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=4", "ipv6,nw_ttl=1", "drop", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=4", "priority=105", "icmp6,icmp_type=128",
        "ct(table=5,zone=1)", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=4", "priority=104", "icmp6 ", "drop", NULL }));
    CHECK(!has_flow(t, (const char *[]) {
        "table=4", "icmp_type=135", NULL }));
    /* db has no IPv6 subnet: nothing of it may reach web's. */
    CHECK(!has_flow(t, (const char *[]) {
        "table=5", "reg6=0x14", "ipv6_dst=2001:db8:10::/64", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "reg6=0xa", "tcp",
        "nw_dst=10.21.0.0/24", "tp_dst=3306",
        "ct(commit,table=6,zone=1,exec(set_field:0x1/0x1->ct_mark))",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "reg6=0x14", "icmp",
        "nw_dst=10.10.0.0/24", "set_field:0x1/0x1->reg2,"
        "ct(commit,table=6,zone=1,exec(set_field:0x1/0x1->ct_mark))",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+est+trk", "goto_table:6", NULL }));
    CHECK(pipeline_rule_drops(PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_DROP,
                                              10)));
    CHECK(!pipeline_rule_drops(PIPELINE_COOKIE(PIPELINE_RULE_ROUTE_ALLOW,
                                               0)));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* Between two dual-stack networks a rule has flows per family, each from
 * the source network's subnet of the family: ICMP is ICMPv6 between the
 * IPv6 subnets, whose later fragments (the fragment header's protocol,
 * 44, on the packet) pass by conntrack's protocol, 58. */
static void
test_rules_per_family(void)
{
    struct gn_config *cfg = load_config__(
        "{\"bridge\": \"br-int\", \"networks\": ["
        " {\"name\": \"web\", \"vlan\": 10,"
        "  \"subnets\": [\"10.10.0.0/24\", \"2001:db8:10::/64\"]},"
        " {\"name\": \"db\", \"vlan\": 20,"
        "  \"subnets\": [\"2001:db8:20::/64\", \"10.20.0.0/24\"]}],"
        " \"rules\": [{\"from\": \"db\", \"to\": \"web\","
        "  \"proto\": \"icmp\"}]}");
    struct flow_table *t = build(cfg, NULL, 0, -1);

    CHECK(count(t, PIPELINE_RULE_ROUTE_ALLOW, 0) == 2 * 2);
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "reg6=0x14", "icmp6,",
        "ipv6_src=2001:db8:20::/64", "ipv6_dst=2001:db8:10::/64", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "ipv6,", "nw_frag=later",
        "ct_nw_proto=58", "ipv6_src=2001:db8:20::/64",
        "ipv6_dst=2001:db8:10::/64",
        "set_field:0x1/0x1->reg2,ct(commit,table=6,zone=1,"
        "exec(set_field:0x1/0x1->ct_mark))", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "ct_state=+new+trk", "icmp,", "nw_src=10.20.0.0/24",
        "nw_dst=10.10.0.0/24", NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* Routed to: a port's declared IPv4 and IPv6 addresses, unless another
 * port declares the same; never a port without declared addresses. */
static void
test_routes_only_to_declared_unshared_addresses(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct netaddr_ip web[2], db[1], shared[2];
    struct pipeline_port ports[5];
    struct flow_table *t;

    parse_ip("10.10.0.11", &web[0]);
    parse_ip("2001:db8:10::11", &web[1]);
    parse_ip("10.20.0.11", &db[0]);
    parse_ip("10.20.0.50", &shared[0]);
    parse_ip("2001:db8:10::50", &shared[1]);
    make_port(&ports[0], 101, 10, web, 2);
    make_port(&ports[1], 102, 20, db, 1);
    make_port(&ports[2], 103, 20, NULL, 0);
    make_port(&ports[3], 104, 20, shared, 1);
    make_port(&ports[4], 105, 20, shared, 1);
    t = build(cfg, ports, 5, -1);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 101) == 2);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 102) == 1);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 103) == 0);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 104) == 0);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 105) == 0);
    CHECK(has_flow(t, (const char *[]) {
        "table=6", "nw_dst=10.20.0.11",
        "set_field:0a:00:00:00:00:14->eth_src",
        "set_field:52:54:00:00:00:66->eth_dst", "dec_ttl", "output:102",
        NULL }));
    /* The hop limit is decremented as the TTL is. */
    CHECK(has_flow(t, (const char *[]) {
        "table=6", "ipv6", "ipv6_dst=2001:db8:10::11",
        "set_field:0a:00:00:00:00:0a->eth_src",
        "set_field:52:54:00:00:00:65->eth_dst", "dec_ttl", "output:101",
        NULL }));
    flow_table_destroy(t);

    /* Two web ports with one IPv6 address: neither is routed to there,
     * each still is at its own IPv4 address. */
    ports[3].vlan = ports[4].vlan = 10;
    ports[3].ips = ports[4].ips = shared;
    ports[3].n_ips = ports[4].n_ips = 2;
    parse_ip("10.20.0.51", &shared[0]);
    struct netaddr_ip other[2] = { web[0], shared[1] };
    parse_ip("10.10.0.12", &other[0]);
    ports[4].ips = other;
    t = build(cfg, ports, 5, -1);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 104) == 1);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 105) == 1);
    CHECK(!has_flow(t, (const char *[]) {
        "table=6", "ipv6_dst=2001:db8:10::50", NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* Cluster mode: another host's port is routed to over the uplink from
 * the router MAC; routed frames from the uplink enter table 9; frames
 * from the uplink with a local port's MAC or address are dropped.  Without
 * a router MAC (one host), none of it, and the table is the same as
 * without the remote port. */
/* Cluster mode's input for 'cfg' (uplink ofport 100, router MAC
 * 0a:58:01:02:03:04 in '*router'): in 'ports', web's local port 101 with
 * 10.10.0.5 (in '*local_ip') and another host's port 'name' of 'vlan'
 * with the 'n' addresses 'remote_ips' (the caller keeps them). */
static struct pipeline_input
cluster_input__(const struct gn_config *cfg, struct pipeline_port ports[2],
                struct netaddr_ip *local_ip, int vlan, const char *name,
                struct netaddr_ip *remote_ips, size_t n,
                struct netaddr_mac *router)
{
    char *error;

    parse_ip("10.10.0.5", local_ip);
    make_port(&ports[0], 101, 10, local_ip, 1);
    make_port(&ports[1], 900, vlan, remote_ips, n);
    ports[1].name = name;
    ports[1].ofport = 0;
    ports[1].remote = true;
    error = netaddr_parse_mac("0a:58:01:02:03:04", false, router);
    CHECK(error == NULL);
    free(error);
    return (struct pipeline_input) {
        .cfg = cfg, .ports = ports, .n_ports = 2, .uplink_ofport = 100,
        .router_mac = router,
    };
}

static void
test_cluster_routes_to_other_hosts(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct netaddr_ip local_ip, remote_ips[2];
    struct pipeline_port ports[2];
    struct netaddr_mac router;
    struct flow_table *t, *plain;
    char *error;

    parse_ip("10.20.0.9", &remote_ips[0]);
    parse_ip("2001:db8:20::9", &remote_ips[1]);
    struct pipeline_input in = cluster_input__(cfg, ports, &local_ip, 20,
                                               "remote-db", remote_ips, 2,
                                               &router);
    t = flow_table_create(0);
    error = pipeline_build(&in, t);
    CHECK(error == NULL);
    free(error);
    CHECK(count(t, PIPELINE_RULE_ROUTE_REMOTE, 20) == 2);
    CHECK(count(t, PIPELINE_RULE_NEIGHBOUR_ANSWER, 20) == 2);
    CHECK(has_flow(t, (const char *[]) {
        "table=3", "reg6=0x14", "arp_tpa=10.20.0.9",
        "52:54:00:00:03:84->arp_sha", "IN_PORT", NULL }));
    /* Its IPv6 address: solicitations answered by a solicited, overriding
     * advertisement (flags 0x60000000) of its MAC, not a router's. */
    CHECK(has_flow(t, (const char *[]) {
        "table=3", "reg6=0x14", "icmp_type=135", "nd_target=2001:db8:20::9",
        "set_field:52:54:00:00:03:84->eth_src",
        "set_field:1610612736->nd_reserved", "goto_table:10", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=6", "nw_dst=10.20.0.9", "0a:58:01:02:03:04->eth_src",
        "52:54:00:00:03:84->eth_dst", "dec_ttl", "output:100", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=6", "ipv6_dst=2001:db8:20::9", "0a:58:01:02:03:04->eth_src",
        "52:54:00:00:03:84->eth_dst", "dec_ttl", "output:100", NULL }));
    /* Routed in: per network from a router MAC (IPv4 and IPv6), then its
     * source network from the subnets. */
    CHECK(has_flow(t, (const char *[]) {
        "table=9", "nw_src=10.10.0.0/24", "goto_table", NULL }) == false);
    CHECK(has_flow(t, (const char *[]) {
        "table=9", "nw_src=10.20.0.0/24", "resubmit(,4)", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=9", "ipv6_src=2001:db8:10::/64", "set_field:0xa->reg6",
        "resubmit(,4)", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=100", "dl_src=0a:58:00:00:00:00/ff:ff:00:00:00:00",
        "ip,", "goto_table:9", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=100", "dl_src=0a:58:00:00:00:00/ff:ff:00:00:00:00",
        "ipv6,", "goto_table:9", NULL }));
    /* Its MAC, its address (IP and ARP), and its EUI-64 link-local
     * address (from it, DAD for it, NA of it). */
    CHECK(count(t, PIPELINE_RULE_UPLINK_SPOOF_DROP, 101) == 6);
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=100", "ipv6_src=fe80::5054:ff:fe00:65", "drop",
        NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=100", "nd_target=fe80::5054:ff:fe00:65",
        "icmp_type=136", "drop", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=100", "nw_src=10.10.0.5", "drop", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=100", "dl_src=52:54:00:00:00:65", "drop",
        NULL }));
    flow_table_destroy(t);

    /* One host: no router MAC. */
    in.router_mac = NULL;
    t = flow_table_create(0);
    error = pipeline_build(&in, t);
    CHECK(error == NULL);
    free(error);
    plain = build(cfg, ports, 1, 100);
    CHECK(count(t, PIPELINE_RULE_ROUTE_REMOTE, 20) == 0);
    CHECK(count(t, PIPELINE_RULE_ROUTED_IN, 0) == 0);
    CHECK(count(t, PIPELINE_RULE_UPLINK_SPOOF_DROP, 101) == 0);
    CHECK(flow_table_count(t) == flow_table_count(plain));
    size_t n_mods;
    struct flow_table_mod *mods = flow_table_diff(plain, t, &n_mods);
    CHECK(n_mods == 0);
    free(mods);
    flow_table_destroy(plain);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* Cluster mode: another host's port's bound link-local address is kept
 * from the guests here (traffic from it and probes for it dropped as for
 * a local owner), and frames from the uplink that claim a local port's
 * bound one are dropped; ports without bindings get none of these. */
static void
test_cluster_link_local_bindings_across_hosts(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct netaddr_ip local_ip, remote_ip, local_ll, remote_ll;
    struct pipeline_port ports[2];
    struct netaddr_mac router;
    struct flow_table *t, *none;
    char *error;

    parse_ip("10.10.0.9", &remote_ip);
    parse_ip("fe80::1:2:3:4", &local_ll);
    parse_ip("fe80::9:9:9:9", &remote_ll);
    struct pipeline_input in = cluster_input__(cfg, ports, &local_ip, 10,
                                               "remote-web", &remote_ip, 1,
                                               &router);
    none = flow_table_create(0);
    error = pipeline_build(&in, none);
    CHECK(error == NULL);
    free(error);
    CHECK(count(none, PIPELINE_RULE_LINK_LOCAL_TAKEN_DROP, 100) == 0);

    ports[0].lls = &local_ll;
    ports[0].n_lls = 1;
    ports[1].lls = &remote_ll;
    ports[1].n_lls = 1;
    t = flow_table_create(0);
    error = pipeline_build(&in, t);
    CHECK(error == NULL);
    free(error);
    /* The remote binding: from it, and duplicate address detection for
     * it, by any guest of web here (the object the uplink's ofport). */
    CHECK(count(t, PIPELINE_RULE_LINK_LOCAL_TAKEN_DROP, 100) == 2);
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "reg6=0xa", "reg5=0x1", "ipv6_src=fe80::9:9:9:9",
        "drop", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "reg6=0xa", "reg5=0x1", "icmp_type=135",
        "ipv6_src=::", "nd_target=fe80::9:9:9:9", "drop", NULL }));
    /* The local binding, claimed from the uplink in web's VLAN: from it,
     * a probe for it, an advertisement of it. */
    CHECK(count(t, PIPELINE_RULE_UPLINK_SPOOF_DROP, 101)
          == count(none, PIPELINE_RULE_UPLINK_SPOOF_DROP, 101) + 3);
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=100", "dl_vlan=10", "ipv6_src=fe80::1:2:3:4",
        "drop", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=100", "dl_vlan=10", "icmp_type=135",
        "nd_target=fe80::1:2:3:4", "drop", NULL }));
    CHECK(has_flow(t, (const char *[]) {
        "table=0", "in_port=100", "dl_vlan=10", "icmp_type=136",
        "nd_target=fe80::1:2:3:4", "drop", NULL }));
    flow_table_destroy(t);
    flow_table_destroy(none);
    gn_config_destroy(cfg);
}

/* Brings 't' to the flows of 'in' with pipeline state 'st'. */
static void
sync__(struct pipeline_state *st, const struct pipeline_input *in,
       struct flow_table *t)
{
    char *error = pipeline_state_update(st, in, t, NULL);

    CHECK(error == NULL);
    free(error);
}

/* Cluster mode: another host's port's addresses are kept from the guests
 * here in undeclared mode as a local port's are (the object the uplink's
 * ofport), where the network may have such a guest here: it has no DHCP of
 * guestnet's, or a server port here, which rebuilds the remote port's
 * group when it comes; an address a port here holds is that port's. */
static void
test_cluster_remote_addresses_kept_from_undeclared(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct netaddr_ip local_ip, remote_ips[2];
    struct pipeline_port ports[2];
    struct pipeline_state *st;
    struct netaddr_mac router;
    struct flow_table *t;

    /* Dmz (VLAN 30) has no gateway: no DHCP of guestnet's. */
    parse_ip("10.30.0.9", &remote_ips[0]);
    struct pipeline_input in = cluster_input__(cfg, ports, &local_ip, 30,
                                               "remote-dmz", remote_ips, 1,
                                               &router);
    st = pipeline_state_create();
    t = flow_table_create(0);
    sync__(st, &in, t);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 100) == 3);
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "priority=105", "reg6=0x1e", "reg4=0x2/0x2",
        "nw_src=10.30.0.9", "actions=goto_table:15", NULL }));
    flow_table_destroy(t);
    pipeline_state_destroy(st);

    /* Web (VLAN 10) has guestnet's DHCP: none until a port here is its
     * server; the remote group is rebuilt then, and when it goes. */
    parse_ip("10.10.0.9", &remote_ips[0]);
    parse_ip("2001:db8:10::9", &remote_ips[1]);
    in = cluster_input__(cfg, ports, &local_ip, 10, "remote-web", remote_ips,
                         2, &router);
    st = pipeline_state_create();
    t = flow_table_create(0);
    sync__(st, &in, t);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 100) == 0);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 0);
    ports[0].server = true;
    sync__(st, &in, t);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 100) == 3 + 3);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 3);
    CHECK(has_flow(t, (const char *[]) {
        "table=2", "priority=113", "reg6=0xa", "reg4=0x2/0x2",
        "icmp_type=136", "nd_target=2001:db8:10::9",
        "actions=goto_table:15", NULL }));
    ports[0].server = false;
    sync__(st, &in, t);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 100) == 0);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 0);

    /* A stale registry row for the local port's address: the local
     * port's drop alone, no clash; and the remote one's back once the
     * local port gives the address up. */
    ports[0].server = true;
    parse_ip("10.10.0.5", &remote_ips[0]);
    sync__(st, &in, t);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 3);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 100) == 3);
    parse_ip("10.10.0.6", &local_ip);
    sync__(st, &in, t);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 101) == 3);
    CHECK(count(t, PIPELINE_RULE_ADDRESS_TAKEN_DROP, 100) == 3 + 3);
    CHECK(has_flow(t, (const char *[]) {
        "table=1", "reg4=0x2/0x2", "arp_spa=10.10.0.5",
        "actions=goto_table:15", NULL }));
    flow_table_destroy(t);
    pipeline_state_destroy(st);
    gn_config_destroy(cfg);
}

/* Two rules between the same networks with one protocol and different
 * ports: each has its own flow for its port, and the later fragments of a
 * first datagram, which show no port, one flow for both. */
static void
test_rules_with_ports_share_later_fragments(void)
{
    char *json = gn_xstrdup(routed_config_json);
    char *second = strstr(strstr(json, "3306") + 1, "3306");
    struct gn_config *cfg;
    struct flow_table *t;

    memcpy(second, "5201", 4);
    cfg = load_config__(json);
    t = build(cfg, NULL, 0, -1);
    CHECK(count(t, PIPELINE_RULE_ROUTE_ALLOW, 0) == 2 * 2);
    CHECK(count(t, PIPELINE_RULE_ROUTE_ALLOW, 1) == 2);
    CHECK(has_flow(t, (const char *[]) {
        "table=5", "tp_dst=5201", "nw_dst=10.20.0.0/24", NULL }));
    CHECK(!has_flow(t, (const char *[]) {
        "table=5", "nw_frag=later", "cookie=0x1a000000000001,", NULL }));
    flow_table_destroy(t);
    gn_config_destroy(cfg);
    free(json);
}

int
main(void)
{
    TEST_RUN("pipeline-route/gateway-mac-from-vlan",
             test_gateway_mac_from_vlan);
    TEST_RUN("pipeline-route/gateways-answer-arp-and-nd-and-take-frames",
             test_gateways_answer_arp_and_nd_and_take_frames);
    TEST_RUN("pipeline-route/rules-with-ports-share-later-fragments",
             test_rules_with_ports_share_later_fragments);
    TEST_RUN("pipeline-route/rules-allow-new-connections-through-conntrack",
             test_rules_allow_new_connections_through_conntrack);
    TEST_RUN("pipeline-route/rules-per-family-from-source-subnets",
             test_rules_per_family);
    TEST_RUN("pipeline-route/routes-only-to-declared-unshared-addresses",
             test_routes_only_to_declared_unshared_addresses);
    TEST_RUN("pipeline-route/cluster-routes-to-other-hosts",
             test_cluster_routes_to_other_hosts);
    TEST_RUN("pipeline-route/cluster-remote-addresses-kept-from-undeclared",
             test_cluster_remote_addresses_kept_from_undeclared);
    TEST_RUN("pipeline-route/cluster-link-local-bindings-across-hosts",
             test_cluster_link_local_bindings_across_hosts);
    return test_done();
}
