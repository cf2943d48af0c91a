/* test-port-view-pipeline.c: the port view as the pipeline's input: its
 * generation moves exactly when a port's flows would change, a pipeline
 * working in slices keeps pointers into it safely through changes, and
 * with 1000 ports an update and the planners are timed (printed, for the
 * record). */
#include <config.h>

#include "test-port-view.h"

/* Snapshot of a view's pipeline input: the array, its strings, the
 * generation. */
struct pipeline_snap {
    const struct pipeline_port *ports;
    size_t n;
    const char *names[64];
    char copies[64][16];        /* What 'names' pointed to. */
    unsigned long long gen;
};

static void
pipeline_snap(const struct port_view *v, struct pipeline_snap *s)
{
    s->ports = port_view_pipeline_ports(v, &s->n);
    CHECK(s->n <= GN_ARRAY_SIZE(s->names));
    for (size_t i = 0; i < s->n && i < GN_ARRAY_SIZE(s->names); i++) {
        s->names[i] = s->ports[i].name;
        snprintf(s->copies[i], sizeof s->copies[i], "%s", s->names[i]);
    }
    s->gen = port_view_pipeline_gen(v);
}

/* True if 'v' has the very array and strings of 's', and the strings
 * still say what they said (a string freed and reused would not). */
static bool
pipeline_snap_same(const struct port_view *v, const struct pipeline_snap *s)
{
    struct pipeline_snap now;

    pipeline_snap(v, &now);
    if (now.gen != s->gen || now.ports != s->ports || now.n != s->n) {
        return false;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (now.names[i] != s->names[i]
            || strcmp(s->names[i], s->copies[i])) {
            return false;
        }
    }
    return true;
}

/* The pipeline's input moves only with what the pipeline takes: a port
 * bound again for its link state, its installed mark or a new config
 * generation keeps the array, its strings and the generation; a new
 * ofport, MAC, port or uplink ofport changes the generation. */
static void
test_pipeline_gen_moves_only_with_its_input(void)
{
    struct world *w = world_create(20);
    const struct port_view_port *unmarked;
    struct pipeline_snap s;

    CHECK(update_and_compare(w) == 22);
    pipeline_snap(w->v, &s);

    world_modify_iface(w, 5, "link_state", json_string("down"));
    CHECK(update_and_compare(w) == 1);
    CHECK(pipeline_snap_same(w->v, &s));
    /* "modify" in an update2 carries a diff: a pair that is there goes. */
    world_modify_iface(w, 6, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s}", "guestnet-installed", "true")));
    CHECK(update_and_compare(w) == 1);
    CHECK(port_view_unmarked(w->v, &unmarked) == 1
          && !strcmp(unmarked[0].name, "g6"));
    CHECK(pipeline_snap_same(w->v, &s));
    /* Bound again for its link state, the port keeps the strings the
     * planners' list points to (under ASan, a freed one would show). */
    world_modify_iface(w, 6, "link_state", json_string("down"));
    CHECK(update_and_compare(w) == 1);
    CHECK(port_view_unmarked(w->v, &unmarked) == 1
          && !strcmp(unmarked[0].name, "g6"));
    CHECK(pipeline_snap_same(w->v, &s));
    w->cfg_gen++;
    CHECK(update_and_compare(w) == 22);
    CHECK(pipeline_snap_same(w->v, &s));

    world_modify_iface(w, 5, "ofport", json_integer(99));
    CHECK(update_and_compare(w) == 1);
    CHECK(port_view_pipeline_gen(w->v) == s.gen + 1);
    pipeline_snap(w->v, &s);
    world_modify_iface(w, 6, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s}", "attached-mac", "02:00:00:00:00:66")));
    CHECK(update_and_compare(w) == 1);
    CHECK(port_view_pipeline_gen(w->v) == s.gen + 1);
    pipeline_snap(w->v, &s);
    world_add_port(w, 30, 20);
    CHECK(update_and_compare(w) == 1);
    CHECK(port_view_pipeline_gen(w->v) == s.gen + 1);
    pipeline_snap(w->v, &s);
    world_delete_port(w, 7);
    CHECK(update_and_compare(w) == 0);
    CHECK(port_view_pipeline_gen(w->v) == s.gen + 1);
    pipeline_snap(w->v, &s);
    world_modify_iface(w, 1, "ofport", json_integer(2));   /* Uplink. */
    CHECK(update_and_compare(w) == 1);
    CHECK(port_view_uplink_ofport(w->v) == 2);
    CHECK(port_view_pipeline_gen(w->v) == s.gen + 1);

    world_destroy(w);
}

/* Updates the view of 'w' and compares it with a fresh view
 * (update_and_compare()); true if its pipeline generation moved by 'by'. */
static bool
update_moves_gen(struct world *w, unsigned long long by)
{
    unsigned long long gen = port_view_pipeline_gen(w->v);

    update_and_compare(w);
    return port_view_pipeline_gen(w->v) == gen + by;
}

/* Every part of a port the pipeline takes moves the generation when it
 * changes: its addresses (also another address of the same count), the
 * server flag, the VLAN, a quarantine, its name, a lost ofport, the
 * bridge going and coming back; a port without flows that changes or
 * leaves does not. */
static void
test_pipeline_gen_moves_with_each_input_field(void)
{
    struct world *w = world_create(20);
    const struct pipeline_port *p;
    unsigned long long gen;
    char ip[INET_ADDRSTRLEN];
    size_t n;

    update_and_compare(w);

    world_modify_iface(w, 5, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s}", "guestnet:ips", "10.10.0.5")));
    CHECK(update_moves_gen(w, 1));
    p = find_pp(w->v, "g5");
    CHECK(p && p->n_ips == 1);

    world_modify_iface(w, 5, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s}", "guestnet:ips", "10.10.0.6")));
    CHECK(update_moves_gen(w, 1));
    p = find_pp(w->v, "g5");
    CHECK(p && p->n_ips == 1
          && !strcmp(inet_ntop(AF_INET, &p->ips[0].addr.v4, ip, sizeof ip),
                     "10.10.0.6"));

    world_modify_iface(w, 5, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s}", "guestnet:server", "true")));
    CHECK(update_moves_gen(w, 1));
    p = find_pp(w->v, "g5");
    CHECK(p && p->server);

    /* Bound link-local addresses: those of fe80::/64 only, at most
     * PIPELINE_LL_MAX, after the port's other addresses. */
    world_modify_iface(w, 6, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s, s:s}", "guestnet:ips", "10.10.0.6",
                           "guestnet:link-locals", "fe80::1,2001:db8::1,"
                           "bogus,fe80:1::2,fe80::2,fe80::3,fe80::4,"
                           "fe80::5")));
    CHECK(update_moves_gen(w, 1));
    p = find_pp(w->v, "g6");
    CHECK(p && p->n_ips == 1 && p->n_lls == PIPELINE_LL_MAX);
    for (size_t i = 0; p && i < p->n_lls; i++) {
        char want[32], got[INET6_ADDRSTRLEN];

        snprintf(want, sizeof want, "fe80::%zu", i + 1);
        inet_ntop(AF_INET6, &p->lls[i].addr.v6, got, sizeof got);
        TEST_ROW("%s", want);
        CHECK(!strcmp(got, want));
    }
    TEST_ROW_END();
    world_modify_iface(w, 6, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s, s:s}", "guestnet:ips", "10.10.0.6",
                           "guestnet:link-locals", "fe80::1")));
    CHECK(update_moves_gen(w, 1));
    p = find_pp(w->v, "g6");
    CHECK(p && p->n_lls == 1);

    world_modify_port(w, 7, "tag", json_integer(20));
    CHECK(update_moves_gen(w, 1));
    p = find_pp(w->v, "g7");
    CHECK(p && p->vlan == 20);

    /* A VLAN no network has: quarantined, out of the pipeline. */
    world_modify_port(w, 8, "tag", json_integer(99));
    CHECK(update_moves_gen(w, 1));
    CHECK(!find_pp(w->v, "g8"));
    world_modify_iface(w, 8, "ofport", json_integer(77));
    CHECK(update_moves_gen(w, 0));
    world_delete_port(w, 8);
    CHECK(update_moves_gen(w, 0));

    world_modify_port(w, 9, "name", json_string("renamed9"));
    CHECK(update_moves_gen(w, 1));
    CHECK(find_pp(w->v, "renamed9") && !find_pp(w->v, "g9"));

    world_modify_iface(w, 10, "ofport", json_integer(-1));
    CHECK(update_moves_gen(w, 1));
    CHECK(!find_pp(w->v, "g10"));

    gen = port_view_pipeline_gen(w->v);
    port_view_update(w->v, w->cfg, w->cfg_gen, w->r, NULL);    /* No bridge. */
    CHECK(port_view_pipeline_gen(w->v) == gen + 1);
    port_view_pipeline_ports(w->v, &n);
    CHECK(n == 0);
    CHECK(update_moves_gen(w, 1));

    world_destroy(w);
}

/* The engine's use of the view with a pipeline that works in slices
 * (a deadline in the past: one group per call): between calls, ports
 * change link state, statistics, ofport, come and go; a call resumes
 * only while the view's generation stays.  The flows end up those of a
 * fresh build (and, under ASan, no pointer the pipeline held dangles). */
static void
test_view_and_sliced_pipeline_through_changes(void)
{
    struct world *w = world_create(60);
    struct pipeline_state *st = pipeline_state_create();
    struct flow_table *t = flow_table_create(0);
    unsigned long long last_gen = 0;
    bool incomplete = false, built = false;
    int next_port = 100, resumed = 0;

    srand(11);
    for (int step = 0; step < 600; step++) {
        bool settle = step >= 590;      /* The last steps: no changes. */
        unsigned long long gen;

        world_update(w);
        gen = port_view_pipeline_gen(w->v);
        if (!built || incomplete || gen != last_gen) {
            struct pipeline_update_stats stats;
            struct pipeline_input in = {
                .cfg = w->cfg, .cfg_gen = w->cfg_gen,
                .uplink_ofport = port_view_uplink_ofport(w->v),
                .deadline = settle ? 0 : 1,
                .same_input = incomplete && gen == last_gen,
            };
            size_t n;

            resumed += in.same_input;
            last_gen = gen;
            in.ports = port_view_pipeline_ports(w->v, &n);
            in.n_ports = n;
            free(pipeline_state_update(st, &in, t, &stats));
            incomplete = stats.incomplete;
            built = true;
        }
        if (settle) {
            continue;
        }
        int i = 2 + rand() % 60;
        switch (rand() % 8) {
        case 0: case 1: case 2:
            world_modify_iface(w, i, "link_state",
                               json_string(rand() % 2 ? "up" : "down"));
            break;
        case 3:
            world_modify_iface(w, i, "statistics", ovsdb_datum_map(
                                   json_pack("{s:i}", "rx_packets",
                                             rand())));
            break;
        case 4:
            world_modify_iface(w, i, "ofport", json_integer(1000 + step));
            break;
        case 5:
            world_add_port(w, next_port++, 10);
            break;
        case 6:
            if (next_port > 100) {
                world_delete_port(w, --next_port);
            }
            break;
        default:
            break;
        }
    }
    CHECK(!incomplete);
    CHECK(resumed > 50);

    struct flow_table *fresh = flow_table_create(0);
    struct pipeline_input in = {
        .cfg = w->cfg, .cfg_gen = w->cfg_gen,
        .uplink_ofport = port_view_uplink_ofport(w->v),
    };
    struct flow_table_mod *mods;
    size_t n, n_mods;

    in.ports = port_view_pipeline_ports(w->v, &n);
    in.n_ports = n;
    free(pipeline_build(&in, fresh));
    mods = flow_table_diff(t, fresh, &n_mods);
    free(mods);
    CHECK(n_mods == 0 && flow_table_count(t) == flow_table_count(fresh));
    flow_table_destroy(fresh);

    pipeline_state_destroy(st);
    flow_table_destroy(t);
    world_destroy(w);
}

/* Median of 'n' timings in microseconds. */
static int
cmp_ll(const void *a_, const void *b_)
{
    const long long *a = a_, *b = b_;

    return *a < *b ? -1 : *a > *b;
}

static long long
median(long long *t, size_t n)
{
    qsort(t, n, sizeof *t, cmp_ll);
    return t[n / 2];
}

#define N_TIMED 1000

#define N_RUNS 21

/* Times, with 1000 ports, what one port added costs the view and the
 * planners; prints the medians.  Checks that the update bound only the
 * new port. */
static void
test_timing_1000_ports(void)
{
    struct world *w = world_create(N_TIMED);
    long long t_view[N_RUNS], t_adopt[N_RUNS], t_bridge[N_RUNS];
    size_t n_bound;

    world_update(w);
    for (int k = 0; k < N_RUNS; k++) {
        struct ovsdb_txn *txn;
        long long start;

        world_add_port(w, N_TIMED + 2 + k, 10);
        start = gn_time_usec();
        n_bound = world_update(w);
        t_view[k] = gn_time_usec() - start;
        CHECK(n_bound == 1);

        txn = ovsdb_txn_create("Open_vSwitch");
        start = gn_time_usec();
        CHECK(port_view_plan_adoption(w->v, txn) == 0);
        t_adopt[k] = gn_time_usec() - start;
        ovsdb_txn_destroy(txn);

        txn = ovsdb_txn_create("Open_vSwitch");
        start = gn_time_usec();
        CHECK(bridge_plan(w->cfg, w->r, w->v, txn, NULL) == 0);
        t_bridge[k] = gn_time_usec() - start;
        ovsdb_txn_destroy(txn);
    }
    printf("  %d ports, one added: port_view_update %lld us, "
           "ports_plan_adoption %lld us, bridge_plan %lld us (medians of "
           "%d)\n", N_TIMED, median(t_view, N_RUNS),
           median(t_adopt, N_RUNS), median(t_bridge, N_RUNS), N_RUNS);
    world_destroy(w);
}

int
main(void)
{
    TEST_RUN("port-view/pipeline-gen-moves-only-with-its-input",
             test_pipeline_gen_moves_only_with_its_input);
    TEST_RUN("port-view/pipeline-gen-moves-with-each-input-field",
             test_pipeline_gen_moves_with_each_input_field);
    TEST_RUN("port-view/view-and-sliced-pipeline-through-changes",
             test_view_and_sliced_pipeline_through_changes);
    TEST_RUN("port-view/timing-1000-ports", test_timing_1000_ports);
    return test_done();
}
