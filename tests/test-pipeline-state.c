/* test-pipeline-state.c: unit tests of the incremental pipeline
 * (flows/pipeline-state.c): an update equals a full build, a port whose
 * flows clash is left out whole, rebuilds in slices against a deadline
 * resume where they stopped and converge when the input changes midway,
 * a large network's join rebuilds two groups, meters follow ofport swaps,
 * and an IPv6 address two ports share is routed to neither. */
#include <config.h>

#include "test-pipeline.h"

/* True if 'st' holds, in 'table' and its meters, exactly the flows and
 * meters a fresh state gives for 'n' 'ports' with 'cfg': the meters are
 * those of the ports that got their flows, at the config's rate. */
static bool
same_as_fresh_build(const struct pipeline_state *st,
                    const struct flow_table *table,
                    const struct gn_config *cfg,
                    const struct pipeline_port *ports, size_t n, int uplink)
{
    struct pipeline_state *fresh_st = pipeline_state_create();
    struct flow_table *fresh = flow_table_create(0);
    struct pipeline_input in = {
        .cfg = cfg, .ports = ports, .n_ports = n, .uplink_ofport = uplink,
    };
    const struct meter_table *meters = pipeline_state_meters(st);
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

        if (!pipeline_state_has_port(fresh_st, ports[i].name)) {
            continue;
        }
        if (!ports[i].blocked) {
            /* Its DHCP meter: what it sends up (its link-local punts at
             * least). */
            n_metered++;
            m = meter_table_find(meters,
                                 PIPELINE_DHCP_METER_ID(ports[i].ofport));
            same_meters &= (m && m->rate == (ports[i].server
                                             ? PIPELINE_SNOOP_PPS
                                             : PIPELINE_DHCP_PPS)
                            && m->burst == (ports[i].server
                                            ? PIPELINE_SNOOP_BURST
                                            : PIPELINE_DHCP_BURST));
        }
        if (!cfg->broadcast_limit.pps) {
            continue;
        }
        n_metered++;
        m = meter_table_find(meters, PIPELINE_METER_ID(ports[i].ofport));
        same_meters &= (m && m->rate == cfg->broadcast_limit.pps
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

/* The input of 'n' 'ports' with 'cfg' of generation 'cfg_gen' and uplink
 * 'uplink', without a deadline. */
static struct pipeline_input
make_input(const struct gn_config *cfg, unsigned long long cfg_gen,
           const struct pipeline_port *ports, size_t n, int uplink)
{
    return (struct pipeline_input) {
        .cfg = cfg, .cfg_gen = cfg_gen, .ports = ports, .n_ports = n,
        .uplink_ofport = uplink,
    };
}

/* Brings 'table' to 'n' 'ports' through 'st'; returns the stats. */
static struct pipeline_update_stats
update(struct pipeline_state *st, struct flow_table *table,
       const struct gn_config *cfg, unsigned long long cfg_gen,
       const struct pipeline_port *ports, size_t n, int uplink)
{
    struct pipeline_input in = make_input(cfg, cfg_gen, ports, n, uplink);
    struct pipeline_update_stats stats;
    char *error = pipeline_state_update(st, &in, table, &stats);

    CHECK(error == NULL);
    free(error);
    return stats;
}

static void
test_incremental_update_equals_full_build(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct pipeline_state *st = pipeline_state_create();
    struct flow_table *t = flow_table_create(0);
    struct netaddr_ip ips[3];
    struct pipeline_port ports[40];
    struct pipeline_update_stats s;
    size_t n = 0;

    parse_ip("10.10.0.11", &ips[0]);
    parse_ip("10.20.0.11", &ips[1]);
    parse_ip("10.20.0.12", &ips[2]);
    for (n = 0; n < 30; n++) {
        make_port(&ports[n], 101 + n, n % 2 ? 10 : 20, NULL, 0);
    }
    s = update(st, t, cfg, 1, ports, n, -1);
    /* Global, three networks, four flood chunks (web's and db's ofports
     * 64-127 and 128-191), thirty ports. */
    CHECK(s.groups_built == 1 + 3 + 4 + 30);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));

    /* Nothing changed: nothing rebuilt. */
    s = update(st, t, cfg, 1, ports, n, -1);
    CHECK(s.groups_built == 0 && s.flows_added == 0 && s.flows_removed == 0);

    /* One more port: it and its flood chunk, no more. */
    make_port(&ports[n++], 131, 10, &ips[0], 1);
    s = update(st, t, cfg, 1, ports, n, -1);
    CHECK(s.groups_built == 2);
    CHECK(s.groups_removed == 0);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));

    /* New addresses on one port: only that port. */
    ports[3].ips = &ips[1];
    ports[3].n_ips = 1;
    s = update(st, t, cfg, 1, ports, n, -1);
    CHECK(s.groups_built == 1);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));

    /* A second port declares the same address: both are rebuilt, and
     * neither is routed to. */
    ports[5].ips = &ips[1];
    ports[5].n_ips = 1;
    s = update(st, t, cfg, 1, ports, n, -1);
    CHECK(s.groups_built == 2);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 104) == 0);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 106) == 0);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));

    /* A port leaves (the last one takes its place in the array): its
     * flows go, its flood chunk is rebuilt. */
    size_t before = flow_table_count(t);
    ports[7] = ports[--n];
    s = update(st, t, cfg, 1, ports, n, -1);
    CHECK(s.groups_removed == 1);
    CHECK(flow_table_count(t) < before);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));

    /* An uplink appears: the networks, not the chunks nor the ports. */
    s = update(st, t, cfg, 1, ports, n, 100);
    CHECK(s.groups_built == 3);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, 100));

    /* A new config generation rebuilds everything. */
    s = update(st, t, cfg, 2, ports, n, 100);
    CHECK(s.groups_built == 1 + 3 + 4 + n);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, 100));

    /* Two ports swap ofports: each takes the other's meter id. */
    int ofport4 = ports[4].ofport;
    ports[4].ofport = ports[9].ofport;
    ports[9].ofport = ofport4;
    s = update(st, t, cfg, 2, ports, n, 100);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, 100));

    /* A port of web becomes its server: web's group and every port of
     * web (whose undeclared mode and DHCP flows depend on it) are
     * rebuilt, nothing else; and back. */
    size_t n_web = 0;
    for (size_t i = 0; i < n; i++) {
        n_web += ports[i].vlan == 10;
    }
    for (int server = 1; server >= 0; server--) {
        ports[1].server = server;
        s = update(st, t, cfg, 2, ports, n, 100);
        CHECK(s.groups_built == 1 + n_web);
        CHECK(count(t, PIPELINE_RULE_DHCP_SNOOP, ports[1].ofport)
              == (server ? 3 : 0));
        CHECK(same_as_fresh_build(st, t, cfg, ports, n, 100));
    }

    /* Another broadcast limit: every meter changes; without one, only
     * the ports' DHCP meters (their link-local punts; no gateway in cfg3:
     * no DHCP). */
    struct gn_config *cfg3 = load_config__(
        "{\"bridge\": \"br-int\", \"broadcast_limit\": {\"pps\": 7,"
        " \"burst\": 9}, \"networks\": [{\"name\": \"web\", \"vlan\": 10,"
        " \"subnets\": [\"10.10.0.0/24\"]}, {\"name\": \"db\","
        " \"vlan\": 20, \"subnets\": [\"10.20.0.0/24\"]}]}");
    s = update(st, t, cfg3, 3, ports, n, 100);
    CHECK(same_as_fresh_build(st, t, cfg3, ports, n, 100));
    CHECK(meter_table_count(pipeline_state_meters(st)) == 2 * n);
    CHECK(meter_table_find(pipeline_state_meters(st),
                           PIPELINE_METER_ID(ports[0].ofport))->rate == 7);
    cfg3->broadcast_limit.pps = 0;
    s = update(st, t, cfg3, 4, ports, n, 100);
    CHECK(same_as_fresh_build(st, t, cfg3, ports, n, 100));
    CHECK(meter_table_count(pipeline_state_meters(st)) == n);
    s = update(st, t, cfg, 5, ports, n, 100);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, 100));
    gn_config_destroy(cfg3);

    /* Every port gone: only what does not depend on ports is left.  The
     * ports and their four flood chunks go, web and db (whose chunks
     * changed) are rebuilt, nothing else. */
    s = update(st, t, cfg, 5, NULL, 0, 100);
    CHECK(s.groups_built == 2 && s.groups_removed == n + 4);
    CHECK(same_as_fresh_build(st, t, cfg, NULL, 0, 100));

    pipeline_state_destroy(st);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* An IPv6 address that two ports declare is routed to neither, as an
 * IPv4 one; once one of them gives it up, the other is routed to, and
 * only the ports whose addresses or routes changed are rebuilt. */
static void
test_shared_ipv6_address_routed_to_neither(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct pipeline_state *st = pipeline_state_create();
    struct flow_table *t = flow_table_create(0);
    struct netaddr_ip a[2], b[2];
    struct pipeline_port ports[3];
    struct pipeline_update_stats s;

    parse_ip("10.10.0.11", &a[0]);
    parse_ip("2001:db8:10::11", &a[1]);
    parse_ip("10.10.0.12", &b[0]);
    parse_ip("2001:db8:10::11", &b[1]);
    make_port(&ports[0], 101, 10, a, 2);
    make_port(&ports[1], 102, 10, b, 2);
    make_port(&ports[2], 103, 20, NULL, 0);
    s = update(st, t, cfg, 1, ports, 3, -1);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 101) == 1);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 102) == 1);
    CHECK(same_as_fresh_build(st, t, cfg, ports, 3, -1));

    parse_ip("2001:db8:10::12", &b[1]);
    s = update(st, t, cfg, 1, ports, 3, -1);
    CHECK(s.groups_built == 2);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 101) == 2);
    CHECK(count(t, PIPELINE_RULE_ROUTE_OUTPUT, 102) == 2);
    CHECK(same_as_fresh_build(st, t, cfg, ports, 3, -1));

    pipeline_state_destroy(st);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* Two ports with one MAC in a private network clash on their drop flow:
 * the second port's flows are left out entirely (no half group), the
 * rest is built, and the port gets its flows once the clash is gone. */
static void
test_clashing_port_is_left_out_whole(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_state *st = pipeline_state_create();
    struct flow_table *t = flow_table_create(0);
    struct pipeline_port ports[3];
    struct pipeline_input in = { .cfg = cfg, .ports = ports, .n_ports = 3,
                                 .uplink_ofport = -1 };
    char *error;

    make_port(&ports[0], 101, 30, NULL, 0);
    make_port(&ports[1], 102, 30, NULL, 0);
    ports[1].mac = ports[0].mac;
    make_port(&ports[2], 103, 10, NULL, 0);
    error = pipeline_state_update(st, &in, t, NULL);
    CHECK(error != NULL && strstr(error, "duplicates"));
    free(error);
    CHECK(count(t, 0, 101) + count(t, 0, 102)
          == undeclared_port_flows(30));
    CHECK(count(t, 0, 103) == undeclared_port_flows(10));
    /* The lower ofport wins; the other is known not to have its flows. */
    CHECK(pipeline_state_has_port(st, "p101"));
    CHECK(!pipeline_state_has_port(st, "p102"));
    CHECK(pipeline_state_has_port(st, "p103"));
    CHECK(!pipeline_state_has_port(st, "p999"));

    /* The first port leaves: the second is retried and built. */
    ports[0] = ports[2];
    in.n_ports = 2;
    error = pipeline_state_update(st, &in, t, NULL);
    CHECK(error == NULL);
    free(error);
    CHECK(count(t, 0, 102) == undeclared_port_flows(30));
    CHECK(pipeline_state_has_port(st, "p102"));
    CHECK(!pipeline_state_has_port(st, "p101"));
    CHECK(same_as_fresh_build(st, t, cfg, ports, 2, -1));

    pipeline_state_destroy(st);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* With 'slices_resume', update_in_slices() says its calls after the first
 * have the same input, so that an incomplete pass goes on where it
 * stopped; without, every call starts the pass again.  The deadline tests
 * run both ways. */
static bool slices_resume;

/* Brings 'table' to 'n' 'ports' through 'st' with a deadline in the past,
 * one call after another until an update completes (at most 'max_calls'
 * calls), each of which must rebuild exactly one group if it does not
 * complete.  Returns the number of calls; stores the error of the last in
 * '*errorp' (caller frees), or checks that there is none if 'errorp' is
 * NULL. */
static size_t
update_in_slices(struct pipeline_state *st, struct flow_table *table,
                 const struct gn_config *cfg, unsigned long long cfg_gen,
                 const struct pipeline_port *ports, size_t n, int uplink,
                 size_t max_calls, char **errorp)
{
    struct pipeline_input in = make_input(cfg, cfg_gen, ports, n, uplink);
    struct pipeline_update_stats stats;
    char *error = NULL;
    size_t calls = 0;

    in.deadline = 1;

    do {
        free(error);
        in.same_input = slices_resume && calls > 0;
        error = pipeline_state_update(st, &in, table, &stats);
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

/* With a deadline that has passed, an update rebuilds one group per call
 * and says it is incomplete; calling again goes on where it stopped, and
 * the table ends up with exactly the flows of a full build. */
static void
test_deadline_rebuilds_one_group_per_call(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct pipeline_state *st = pipeline_state_create();
    struct flow_table *t = flow_table_create(0);
    struct netaddr_ip ips[2];
    struct pipeline_port ports[40];
    size_t n, calls;

    parse_ip("10.10.0.11", &ips[0]);
    parse_ip("10.20.0.11", &ips[1]);
    for (n = 0; n < 30; n++) {
        make_port(&ports[n], 101 + n, n % 2 ? 10 : 20, NULL, 0);
    }
    /* Global, three networks, four flood chunks, thirty ports: one call
     * each. */
    calls = update_in_slices(st, t, cfg, 1, ports, n, -1, 100, NULL);
    CHECK(calls == 1 + 3 + 4 + 30);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));

    /* Nothing to do: done at once. */
    calls = update_in_slices(st, t, cfg, 1, ports, n, -1, 100, NULL);
    CHECK(calls == 1);

    /* A port joins: its flood chunk, then the port. */
    make_port(&ports[n++], 131, 10, &ips[0], 1);
    calls = update_in_slices(st, t, cfg, 1, ports, n, -1, 100, NULL);
    CHECK(calls == 2);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));

    /* A port leaves and another changes its address: the sweep of the
     * vanished one and a rebuild in the first call. */
    ports[7] = ports[--n];
    ports[3].ips = &ips[1];
    ports[3].n_ips = 1;
    calls = update_in_slices(st, t, cfg, 1, ports, n, 100, 100, NULL);
    /* Networks (uplink), web's first chunk (port 108 left), port 3. */
    CHECK(calls == 3 + 1 + 1);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, 100));

    pipeline_state_destroy(st);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* An input that changes between the calls of an incomplete update (ports
 * come and go, addresses change, the uplink appears, a new config
 * generation) still ends with exactly the full build of the last input. */
static void
test_deadline_input_change_midway_converges(void)
{
    struct gn_config *cfg = load_config__(routed_config_json);
    struct pipeline_state *st = pipeline_state_create();
    struct flow_table *t = flow_table_create(0);
    struct pipeline_input in = { .cfg = cfg, .cfg_gen = 1, .deadline = 1 };
    struct pipeline_update_stats stats;
    struct netaddr_ip ips[2];
    struct pipeline_port ports[60];
    size_t n;
    char *error;

    parse_ip("10.10.0.11", &ips[0]);
    parse_ip("10.20.0.11", &ips[1]);
    for (n = 0; n < 40; n++) {
        make_port(&ports[n], 101 + n, n % 3 ? 10 : 20, NULL, 0);
    }
    in.ports = ports;
    in.n_ports = n;
    in.uplink_ofport = -1;
    for (int i = 0; i < 10; i++) {
        error = pipeline_state_update(st, &in, t, &stats);
        CHECK(error == NULL && stats.incomplete);
        free(error);
    }

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
    for (int i = 0; i < 10; i++) {
        error = pipeline_state_update(st, &in, t, &stats);
        CHECK(error == NULL && stats.incomplete);
        free(error);
    }
    update_in_slices(st, t, cfg, 1, ports, n, 100, 200, NULL);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, 100));
    CHECK(pipeline_state_has_port(st, "p201"));
    CHECK(!pipeline_state_has_port(st, "p103"));

    /* A new config generation halfway through its rebuild. */
    in.cfg_gen = 2;
    for (int i = 0; i < 5; i++) {
        error = pipeline_state_update(st, &in, t, &stats);
        CHECK(error == NULL && stats.incomplete);
        free(error);
    }
    n -= 5;
    update_in_slices(st, t, cfg, 2, ports, n, 100, 200, NULL);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, 100));

    pipeline_state_destroy(st);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* Under a deadline, a port whose flows clash is tried once per round, not
 * once per call, and its error comes with the call that completes; two
 * ports that swap MACs across calls both end up with their flows, as in a
 * full build. */
static void
test_deadline_clash_tried_once_per_round(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_state *st = pipeline_state_create();
    struct flow_table *t = flow_table_create(0);
    struct pipeline_port ports[12];
    struct netaddr_mac mac;
    size_t n, calls;
    char *error;

    for (n = 0; n < 10; n++) {
        make_port(&ports[n], 101 + n, 30, NULL, 0);
    }
    ports[1].mac = ports[0].mac;
    calls = update_in_slices(st, t, cfg, 1, ports, n, -1, 100, &error);
    CHECK(error != NULL && strstr(error, "duplicates"));
    free(error);
    CHECK(calls == 1 + 3 + 1 + 10);
    CHECK(!pipeline_state_has_port(st, "p102"));
    CHECK(count(t, 0, 103) == undeclared_port_flows(30));

    /* The next round tries it once more; the clash is still there. */
    calls = update_in_slices(st, t, cfg, 1, ports, n, -1, 100, &error);
    CHECK(error != NULL && strstr(error, "duplicates"));
    free(error);
    CHECK(calls == 1);

    /* Gone: the port gets its flows. */
    make_port(&ports[1], 102, 30, NULL, 0);
    calls = update_in_slices(st, t, cfg, 1, ports, n, -1, 100, NULL);
    CHECK(pipeline_state_has_port(st, "p102"));
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));

    /* Two ports swap MACs: the first fails on the second's old flows in
     * one call, the second moves in the next, the first is retried once
     * the pass is complete. */
    mac = ports[4].mac;
    ports[4].mac = ports[5].mac;
    ports[5].mac = mac;
    calls = update_in_slices(st, t, cfg, 1, ports, n, -1, 100, NULL);
    CHECK(calls == 2);
    CHECK(pipeline_state_has_port(st, "p105"));
    CHECK(pipeline_state_has_port(st, "p106"));
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));

    pipeline_state_destroy(st);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* In a network of 990 ports, a port that joins costs two groups: its
 * flood chunk (an output per port of the 64 ofports it is among) and its
 * own.  The chunk's cost is printed (the first call with a deadline in
 * the past rebuilds it alone), and so is that of a batch of joins with and
 * without a budget.  Either way the table is that of a full build. */
static void
test_large_network_join_rebuilds_two_groups(void)
{
    struct gn_config *cfg = load_config();
    struct pipeline_state *st = pipeline_state_create();
    struct flow_table *t = flow_table_create(0);
    static struct pipeline_port ports[1020];
    struct pipeline_input in;
    struct pipeline_update_stats s;
    long long best = -1;
    size_t n;
    char *error;

    for (n = 0; n < 990; n++) {
        make_port(&ports[n], 1 + n, 10, NULL, 0);
    }
    s = update(st, t, cfg, 1, ports, n, 1023);
    CHECK(s.groups_built == 1 + 3 + 16 + 990);  /* 16 chunks: 0-1023. */
    for (int i = 0; i < 5; i++) {
        long long start;

        /* A port joins: its chunk alone in the first call. */
        make_port(&ports[n++], 991 + i, 10, NULL, 0);
        in = make_input(cfg, 1, ports, n, 1023);
        in.deadline = 1;
        start = gn_time_usec();
        error = pipeline_state_update(st, &in, t, &s);
        start = gn_time_usec() - start;
        CHECK(error == NULL && s.incomplete && s.groups_built == 1);
        free(error);
        best = best < 0 || start < best ? start : best;
        s = update(st, t, cfg, 1, ports, n, 1023);
        CHECK(s.groups_built == 1);
        n--;
        s = update(st, t, cfg, 1, ports, n, 1023);
        CHECK(s.groups_built == 1 && s.groups_removed == 1);
    }
    fprintf(stderr, "  flood chunk of a 990-port network: %lld us\n",
            best);
    CHECK(same_as_fresh_build(st, t, cfg, ports, n, 1023));

    /* A batch of 15 joins (one OVSDB transaction's worth): in one call,
     * then, with ports 15 more, in calls of a 2 ms budget. */
    for (int round = 0; round < 2; round++) {
        long long longest = 0, total = 0;
        int calls = 0;

        for (int i = 0; i < 15; i++) {
            make_port(&ports[n++], 991 + 15 * round + i, 10, NULL, 0);
        }
        in = make_input(cfg, 1, ports, n, 1023);
        do {
            long long start = gn_time_usec();

            in.deadline = round ? start + 2000 : 0;
            error = pipeline_state_update(st, &in, t, &s);
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
        CHECK(same_as_fresh_build(st, t, cfg, ports, n, 1023));
    }

    pipeline_state_destroy(st);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
}

/* A call that says its input is the same as the last, incomplete one's
 * but brings another config generation starts over with the new config
 * (a resumed pass would keep the groups built with the old one). */
static void
test_resume_needs_same_config(void)
{
    struct gn_config *cfg = load_config();
    struct gn_config *cfg2 = load_config__(
        "{\"bridge\": \"br-int\", \"broadcast_limit\": {\"pps\": 7,"
        " \"burst\": 9}, \"networks\": [{\"name\": \"web\", \"vlan\": 10,"
        " \"subnets\": [\"10.10.0.0/24\"]}, {\"name\": \"db\","
        " \"vlan\": 20, \"subnets\": [\"10.20.0.0/24\"]}]}");
    struct pipeline_state *st = pipeline_state_create();
    struct flow_table *t = flow_table_create(0);
    struct pipeline_port ports[30];
    struct pipeline_update_stats s;
    struct pipeline_input in;
    size_t n;

    for (n = 0; n < 30; n++) {
        make_port(&ports[n], 101 + n, 10, NULL, 0);
    }
    update(st, t, cfg, 1, ports, n, -1);
    /* New MACs: only the ports' groups change, so the pass stops among
     * them, where it could resume. */
    for (size_t i = 0; i < n; i++) {
        ports[i].mac.b[5] ^= 0x80;
    }
    in = make_input(cfg, 1, ports, n, -1);
    in.deadline = 1;
    free(pipeline_state_update(st, &in, t, &s));
    CHECK(s.incomplete);

    in = make_input(cfg2, 2, ports, n, -1);
    in.same_input = true;
    free(pipeline_state_update(st, &in, t, &s));
    CHECK(!s.incomplete);
    CHECK(same_as_fresh_build(st, t, cfg2, ports, n, -1));

    pipeline_state_destroy(st);
    flow_table_destroy(t);
    gn_config_destroy(cfg);
    gn_config_destroy(cfg2);
}

/* Ports swap ofports, one takes over the ofport another left, three
 * rotate theirs, in calls of one group each, resumed or not: each port
 * group takes the meters of its new ofport (two: its broadcast limit and
 * its DHCP messages), no error comes out, and the
 * flows and meters end up those of a fresh build. */
static void
test_ofport_swaps_in_slices_keep_meters(void)
{
    for (int resume = 0; resume < 2; resume++) {
        struct gn_config *cfg = load_config__(routed_config_json);
        struct pipeline_state *st = pipeline_state_create();
        struct flow_table *t = flow_table_create(0);
        struct pipeline_port ports[40];
        int ofport;
        size_t n;

        slices_resume = resume;
        for (n = 0; n < 20; n++) {
            make_port(&ports[n], 101 + n, 10, NULL, 0);
        }
        update_in_slices(st, t, cfg, 1, ports, n, -1, 1000, NULL);
        CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));
        CHECK(meter_table_count(pipeline_state_meters(st)) == 2 * n);

        ofport = ports[3].ofport;
        ports[3].ofport = ports[12].ofport;
        ports[12].ofport = ofport;
        update_in_slices(st, t, cfg, 1, ports, n, -1, 1000, NULL);
        CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));

        /* Port 5 moves to ofport 150, a new port takes its old one. */
        ofport = ports[5].ofport;
        ports[5].ofport = 150;
        make_port(&ports[n], 200, 10, NULL, 0);
        ports[n++].ofport = ofport;
        update_in_slices(st, t, cfg, 1, ports, n, -1, 1000, NULL);
        CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));
        CHECK(meter_table_count(pipeline_state_meters(st)) == 2 * n);

        ofport = ports[0].ofport;
        ports[0].ofport = ports[1].ofport;
        ports[1].ofport = ports[2].ofport;
        ports[2].ofport = ofport;
        update_in_slices(st, t, cfg, 1, ports, n, -1, 1000, NULL);
        CHECK(same_as_fresh_build(st, t, cfg, ports, n, -1));
        CHECK(meter_table_count(pipeline_state_meters(st)) == 2 * n);

        pipeline_state_destroy(st);
        flow_table_destroy(t);
        gn_config_destroy(cfg);
    }
    slices_resume = false;
}

int
main(void)
{
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
    TEST_RUN("pipeline/resume-needs-same-config",
             test_resume_needs_same_config);
    TEST_RUN("pipeline/ofport-swaps-in-slices-keep-meters",
             test_ofport_swaps_in_slices_keep_meters);
    TEST_RUN("pipeline/shared-ipv6-address-routed-to-neither",
             test_shared_ipv6_address_routed_to_neither);
    return test_done();
}
