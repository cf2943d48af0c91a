/* test-port-view.c: the port view and the planners that read it, driven
 * with a synthetic replica (no server): an incremental update gives the
 * same ports, counts and uplink as a fresh view; it binds again only the
 * ports whose rows changed, and rescans when the change feeds cannot tell;
 * the planners find untagged ports, stale uplinks and missing installed
 * marks; the pipeline's input changes only with what the pipeline
 * takes; and, with 1000 ports, a timing of each (printed, for the
 * record). */
#include <config.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "flow-table.h"
#include "gn-config.h"
#include "gn-util.h"
#include "netaddr.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "pipeline.h"
#include "port-view.h"
#include "ports.h"
#include "test-util.h"

/* The columns of the vswitch schema that guestnetd monitors. */
static const char schema_json[] =
    "{\"name\": \"Open_vSwitch\", \"tables\": {"
    " \"Open_vSwitch\": {\"columns\": {"
    "  \"next_cfg\": {\"type\": \"integer\"},"
    "  \"cur_cfg\": {\"type\": \"integer\"},"
    "  \"bridges\": {\"type\": {\"key\": {\"type\": \"uuid\"},"
    "     \"min\": 0, \"max\": \"unlimited\"}}}},"
    " \"Bridge\": {\"columns\": {"
    "  \"name\": {\"type\": \"string\"},"
    "  \"ports\": {\"type\": {\"key\": {\"type\": \"uuid\"},"
    "     \"min\": 0, \"max\": \"unlimited\"}},"
    "  \"datapath_type\": {\"type\": \"string\"},"
    "  \"fail_mode\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "     \"max\": 1}},"
    "  \"protocols\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "     \"max\": \"unlimited\"}},"
    "  \"stp_enable\": {\"type\": \"boolean\"},"
    "  \"other_config\": {\"type\": {\"key\": \"string\","
    "     \"value\": \"string\", \"min\": 0, \"max\": \"unlimited\"}},"
    "  \"external_ids\": {\"type\": {\"key\": \"string\","
    "     \"value\": \"string\", \"min\": 0, \"max\": \"unlimited\"}}}},"
    " \"Port\": {\"columns\": {"
    "  \"name\": {\"type\": \"string\"},"
    "  \"interfaces\": {\"type\": {\"key\": {\"type\": \"uuid\"},"
    "     \"min\": 1, \"max\": \"unlimited\"}},"
    "  \"tag\": {\"type\": {\"key\": \"integer\", \"min\": 0, \"max\": 1}},"
    "  \"trunks\": {\"type\": {\"key\": \"integer\", \"min\": 0,"
    "     \"max\": 4096}},"
    "  \"vlan_mode\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "     \"max\": 1}},"
    "  \"external_ids\": {\"type\": {\"key\": \"string\","
    "     \"value\": \"string\", \"min\": 0, \"max\": \"unlimited\"}}}},"
    " \"Interface\": {\"columns\": {"
    "  \"name\": {\"type\": \"string\"},"
    "  \"type\": {\"type\": \"string\"},"
    "  \"ofport\": {\"type\": {\"key\": \"integer\", \"min\": 0,"
    "     \"max\": 1}},"
    "  \"mac_in_use\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "     \"max\": 1}},"
    "  \"link_state\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "     \"max\": 1}},"
    "  \"error\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "     \"max\": 1}},"
    "  \"statistics\": {\"type\": {\"key\": \"string\","
    "     \"value\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}},"
    "  \"external_ids\": {\"type\": {\"key\": \"string\","
    "     \"value\": \"string\", \"min\": 0, \"max\": \"unlimited\"}}}}}}";

static const char config_json[] =
    "{\"bridge\": \"br-int\", \"uplink\": \"eth1\", \"networks\": ["
    " {\"name\": \"web\", \"vlan\": 10, \"subnets\": [\"10.10.0.0/16\"]},"
    " {\"name\": \"db\", \"vlan\": 20, \"subnets\": [\"10.20.0.0/16\"]}]}";

#define ROOT "00000000-0000-4000-8000-000000000001"
#define BR "00000000-0000-4000-8000-000000000002"
#define BR2 "00000000-0000-4000-8000-000000000003"

/* The synthetic database: a bridge "br-int" with its internal port, the
 * uplink "eth1" and guest ports "g<i>" (Port UUID from port_uuid(i),
 * Interface from iface_uuid(i)); and the view under test. */
struct world {
    struct ovsdb_replica *r;
    struct gn_config *cfg;
    unsigned long long cfg_gen;
    struct port_view *v;
};

static void
port_uuid(int i, char uuid[37])
{
    snprintf(uuid, 37, "%08x-0000-4000-8000-000000000000", i + 0x100);
}

static void
iface_uuid(int i, char uuid[37])
{
    snprintf(uuid, 37, "%08x-0000-4000-8000-000000000001", i + 0x100);
}

/* Applies 'tu' (stolen) as an "update2". */
static void
world_apply(struct world *w, json_t *tu, bool initial)
{
    char *error = ovsdb_replica_apply_update(w->r, tu, true, initial);

    if (error) {
        fprintf(stderr, "  apply: %s\n", error);
    }
    CHECK(error == NULL);
    free(error);
    json_decref(tu);
}

/* Adds to 'tu' the Port and Interface rows of port 'i' named 'name' with
 * 'tag' (-1: none), 'role' (NULL: none), ofport 'ofport' and the installed
 * mark if 'installed'. */
static void
world_port_rows(json_t *tu, int i, const char *name, int tag,
                const char *role, int ofport, bool installed)
{
    char pu[37], iu[37], mac[18];
    json_t *iface_ids = json_object();
    json_t *port_ids = json_object();
    json_t *port;

    port_uuid(i, pu);
    iface_uuid(i, iu);
    snprintf(mac, sizeof mac, "02:00:00:00:%02x:%02x", (i >> 8) & 0xff,
             i & 0xff);
    json_object_set_new(iface_ids, "attached-mac", json_string(mac));
    if (installed) {
        json_object_set_new(iface_ids, "guestnet-installed",
                            json_string("true"));
    }
    if (role) {
        json_object_set_new(port_ids, "guestnet:role", json_string(role));
    }
    json_object_set_new(json_object_get(tu, "Interface"), iu, json_pack(
        "{s:{s:s, s:i, s:o}}", "insert", "name", name, "ofport", ofport,
        "external_ids", ovsdb_datum_map(iface_ids)));
    port = json_pack("{s:s, s:o, s:o}", "name", name,
                     "interfaces", ovsdb_datum_uuid(iu),
                     "external_ids", ovsdb_datum_map(port_ids));
    if (tag >= 0) {
        json_object_set_new(port, "tag", json_integer(tag));
    }
    if (role) {
        json_object_set_new(port, "vlan_mode", json_string("trunk"));
        json_object_set_new(port, "trunks", ovsdb_datum_set(
                                json_pack("[i, i]", 10, 20)));
    }
    json_object_set_new(json_object_get(tu, "Port"), pu,
                        json_pack("{s:o}", "insert", port));
}

static json_t *
world_tu(void)
{
    return json_pack("{s:{}, s:{}, s:{}, s:{}}", "Open_vSwitch", "Bridge",
                     "Port", "Interface");
}

/* A world with 'n' guest ports in network "web" (VLAN 10), all with
 * ofports and installed marks. */
static struct world *
world_create(int n)
{
    struct world *w = gn_xzalloc(sizeof *w);
    json_t *schema = json_loads(schema_json, 0, NULL);
    json_t *cfg = json_loads(config_json, 0, NULL);
    json_t *tu = world_tu();
    json_t *ports = json_array();
    char pu[37];
    char *error;

    CHECK(schema && cfg);
    error = gn_config_from_json(cfg, &w->cfg);
    CHECK(!error);
    free(error);
    json_decref(cfg);

    w->r = ovsdb_replica_create("Open_vSwitch", NULL, NULL);
    bridge_replica_init(w->r);
    error = ovsdb_replica_set_schema(w->r, schema);
    CHECK(!error);
    free(error);
    json_decref(schema);

    world_port_rows(tu, 0, "br-int", -1, NULL, 65534, false);
    world_port_rows(tu, 1, "eth1", -1, "uplink", 1, false);
    for (int i = 0; i < n + 2; i++) {
        if (i >= 2) {
            char name[16];

            snprintf(name, sizeof name, "g%d", i);
            world_port_rows(tu, i, name, 10, NULL, i, true);
        }
        port_uuid(i, pu);
        json_array_append_new(ports, ovsdb_datum_uuid(pu));
    }
    json_object_set_new(json_object_get(tu, "Bridge"), BR, json_pack(
        "{s:{s:s, s:o, s:s, s:s, s:o, s:b, s:o}}", "initial",
        "name", "br-int", "ports", ovsdb_datum_set(ports),
        "datapath_type", "system", "fail_mode", "secure",
        "protocols", ovsdb_datum_set(json_pack("[s, s, s]", "OpenFlow13",
                                               "OpenFlow14",
                                               "OpenFlow15")),
        "stp_enable", 0,
        "other_config", ovsdb_datum_map(json_pack("{s:s}",
                                                  "disable-in-band",
                                                  "true"))));
    json_object_set_new(json_object_get(tu, "Open_vSwitch"), ROOT,
                        json_pack("{s:{s:o, s:i, s:i}}", "initial",
                                  "bridges", ovsdb_datum_uuid(BR),
                                  "next_cfg", 1, "cur_cfg", 1));
    world_apply(w, tu, true);
    w->v = port_view_create();
    return w;
}

static void
world_destroy(struct world *w)
{
    port_view_destroy(w->v);
    ovsdb_replica_destroy(w->r);
    gn_config_destroy(w->cfg);
    free(w);
}

/* Adds guest port 'i' ("g<i>") with 'tag' to the bridge, as one
 * transaction does. */
static void
world_add_port(struct world *w, int i, int tag)
{
    json_t *tu = world_tu();
    char name[16], pu[37];

    snprintf(name, sizeof name, "g%d", i);
    port_uuid(i, pu);
    world_port_rows(tu, i, name, tag, NULL, i, false);
    json_object_set_new(json_object_get(tu, "Bridge"), BR, json_pack(
        "{s:{s:o}}", "modify", "ports", ovsdb_datum_uuid(pu)));
    world_apply(w, tu, false);
}

/* Removes port 'i' from the bridge; its rows go too (OVSDB's garbage
 * collection). */
static void
world_delete_port(struct world *w, int i)
{
    json_t *tu = world_tu();
    char pu[37], iu[37];

    port_uuid(i, pu);
    iface_uuid(i, iu);
    json_object_set_new(json_object_get(tu, "Bridge"), BR, json_pack(
        "{s:{s:o}}", "modify", "ports", ovsdb_datum_uuid(pu)));
    json_object_set_new(json_object_get(tu, "Port"), pu,
                        json_pack("{s:n}", "delete"));
    json_object_set_new(json_object_get(tu, "Interface"), iu,
                        json_pack("{s:n}", "delete"));
    world_apply(w, tu, false);
}

/* Modifies column 'column' of row 'uuid' of 'table' to 'value' (stolen),
 * as one update does. */
static void
world_modify(struct world *w, const char *table, const char *uuid,
             const char *column, json_t *value)
{
    json_t *tu = world_tu();

    json_object_set_new(json_object_get(tu, table), uuid, json_pack(
        "{s:{s:o}}", "modify", column, value));
    world_apply(w, tu, false);
}

/* Modifies column 'column' of Interface 'i' to 'value' (stolen). */
static void
world_modify_iface(struct world *w, int i, const char *column,
                   json_t *value)
{
    char iu[37];

    iface_uuid(i, iu);
    world_modify(w, "Interface", iu, column, value);
}

/* Modifies column 'column' of Port 'i' to 'value' (stolen). */
static void
world_modify_port(struct world *w, int i, const char *column, json_t *value)
{
    char pu[37];

    port_uuid(i, pu);
    world_modify(w, "Port", pu, column, value);
}

/* The pipeline port named 'name' in 'v', or NULL. */
static const struct pipeline_port *
find_pp(const struct port_view *v, const char *name)
{
    const struct pipeline_port *pp;
    size_t n;

    pp = port_view_pipeline_ports(v, &n);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(pp[i].name, name)) {
            return &pp[i];
        }
    }
    return NULL;
}

/* Returns the ports of 'v' sorted by name, as a string, for comparing
 * views (caller frees). */
static int
cmp_pp(const void *a_, const void *b_)
{
    const struct pipeline_port *a = a_, *b = b_;

    return strcmp(a->name, b->name);
}

static int
cmp_vp(const void *a_, const void *b_)
{
    const struct port_view_port *a = a_, *b = b_;

    return strcmp(a->uuid, b->uuid);
}

/* Appends to 'buf' the planners' list 'what' of 'v', sorted by UUID. */
static void
summarize_list(struct gn_buf *buf, const char *what,
               const struct port_view *v,
               size_t (*list)(const struct port_view *,
                              const struct port_view_port **))
{
    const struct port_view_port *ports;
    size_t n = list(v, &ports);
    struct port_view_port *sorted = gn_xmalloc((n + 1) * sizeof *sorted);

    memcpy(sorted, ports, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_vp);
    gn_buf_printf(buf, " | %s", what);
    for (size_t i = 0; i < n; i++) {
        gn_buf_printf(buf, " %s/%s/%s", sorted[i].uuid,
                      sorted[i].name ? sorted[i].name : "-",
                      sorted[i].iface_uuid ? sorted[i].iface_uuid : "-");
    }
    free(sorted);
}

static char *
view_summary(const struct port_view *v, size_t n_networks)
{
    const struct pipeline_port *pp;
    struct pipeline_port *sorted;
    struct port_view_counts c;
    struct gn_buf buf = GN_BUF_INIT;
    size_t n;

    pp = port_view_pipeline_ports(v, &n);
    sorted = gn_xmalloc((n + 1) * sizeof *sorted);
    memcpy(sorted, pp, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_pp);
    for (size_t i = 0; i < n; i++) {
        const struct pipeline_port *p = &sorted[i];
        char mac[18];

        netaddr_format_mac(&p->mac, mac);
        gn_buf_printf(&buf, "%s/%d/%d/%s/%d", p->name, p->ofport, p->vlan,
                      mac, p->server);
        for (size_t j = 0; j < p->n_ips; j++) {
            char ip[INET6_ADDRSTRLEN];

            inet_ntop(p->ips[j].family, &p->ips[j].addr, ip, sizeof ip);
            gn_buf_printf(&buf, "/%s/%u", ip, p->ips[j].plen);
        }
        gn_buf_put(&buf, " ", 1);
    }
    free(sorted);
    port_view_counts(v, &c);
    gn_buf_printf(&buf, "| uplink %d ports %d quarantined %d nets",
                  port_view_uplink_ofport(v), c.ports, c.quarantined);
    for (size_t i = 0; i < n_networks; i++) {
        gn_buf_printf(&buf, " %d", c.per_network[i]);
    }
    summarize_list(&buf, "untagged", v, port_view_untagged);
    summarize_list(&buf, "uplinks", v, port_view_uplinks);
    summarize_list(&buf, "unmarked", v, port_view_unmarked);
    char *summary = gn_xstrdup(gn_buf_cstr(&buf));
    gn_buf_destroy(&buf);
    return summary;
}

/* Brings the view of 'w' up to date; returns the number of ports bound
 * again. */
static size_t
world_update(struct world *w)
{
    return port_view_update(w->v, w->cfg, w->cfg_gen, w->r, BR);
}

/* Updates the view of 'w' and checks that it now equals a fresh view of
 * 'w'; returns the number of ports bound again. */
static size_t
update_and_compare(struct world *w)
{
    struct port_view *fresh = port_view_create();
    size_t n_bound = world_update(w);
    char *a, *b;

    port_view_update(fresh, w->cfg, w->cfg_gen, w->r, BR);
    a = view_summary(w->v, w->cfg->n_networks);
    b = view_summary(fresh, w->cfg->n_networks);
    if (strcmp(a, b)) {
        fprintf(stderr, "  incremental: %s\n  fresh:       %s\n", a, b);
    }
    CHECK(!strcmp(a, b));
    free(a);
    free(b);
    port_view_destroy(fresh);
    return n_bound;
}

/* Each kind of change binds again only the ports it concerns, and leaves
 * the view as a fresh one would be. */
static void
test_update_binds_only_changed_ports(void)
{
    struct world *w = world_create(20);

    CHECK(update_and_compare(w) == 22);
    CHECK(update_and_compare(w) == 0);

    world_add_port(w, 30, 10);
    CHECK(update_and_compare(w) == 1);
    world_add_port(w, 31, 20);
    world_add_port(w, 32, -1);
    CHECK(update_and_compare(w) == 2);

    world_modify_iface(w, 5, "ofport", json_integer(99));
    CHECK(update_and_compare(w) == 1);
    world_modify_iface(w, 6, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s}", "attached-mac", "02:00:00:00:00:99")));
    CHECK(update_and_compare(w) == 1);

    world_delete_port(w, 7);
    CHECK(update_and_compare(w) == 0);
    world_delete_port(w, 1);            /* The uplink. */
    CHECK(update_and_compare(w) == 0);

    w->cfg_gen++;
    CHECK(update_and_compare(w) == 23);

    world_destroy(w);
}

/* A port that moves from another bridge without its own row changing,
 * and changes past what the replica's change log keeps, are found by a
 * rescan; the rescan binds again only the ports whose rows changed. */
static void
test_update_rescans_when_feed_cannot_tell(void)
{
    struct world *w = world_create(20);
    json_t *tu = world_tu();
    char pu[37];

    CHECK(update_and_compare(w) == 22);

    /* g40 on a second bridge, then moved to br-int. */
    world_port_rows(tu, 40, "g40", 10, NULL, 40, true);
    port_uuid(40, pu);
    json_object_set_new(json_object_get(tu, "Bridge"), BR2, json_pack(
        "{s:{s:s, s:o}}", "insert", "name", "br2",
        "ports", ovsdb_datum_uuid(pu)));
    world_apply(w, tu, false);
    CHECK(update_and_compare(w) == 0);
    tu = world_tu();
    json_object_set_new(json_object_get(tu, "Bridge"), BR2, json_pack(
        "{s:{s:o}}", "modify", "ports", ovsdb_datum_uuid(pu)));
    json_object_set_new(json_object_get(tu, "Bridge"), BR, json_pack(
        "{s:{s:o}}", "modify", "ports", ovsdb_datum_uuid(pu)));
    world_apply(w, tu, false);
    CHECK(update_and_compare(w) == 1);

    /* More changes than the Interface log keeps. */
    for (int i = 0; i < 200; i++) {
        world_modify_iface(w, 5, "ofport", json_integer(1000 + i));
    }
    CHECK(update_and_compare(w) == 1);

    world_destroy(w);
}

/* The planners see only the ports that need them: an untagged port is
 * quarantined (a wait, an update and a mutate), a port with flows and no
 * installed mark is listed until the mark comes, an uplink no longer
 * configured is removed. */
static void
test_planners_see_only_ports_needing_action(void)
{
    struct world *w = world_create(20);
    const struct port_view_port *p;
    struct ovsdb_txn *txn;
    char pu[37], iu[37];
    char *why;

    world_update(w);
    CHECK(port_view_untagged(w->v, &p) == 0);
    CHECK(port_view_unmarked(w->v, &p) == 0);
    CHECK(port_view_uplinks(w->v, &p) == 1 && !strcmp(p[0].name, "eth1"));

    world_add_port(w, 30, -1);
    world_add_port(w, 31, 10);
    world_update(w);
    port_uuid(30, pu);
    CHECK(port_view_untagged(w->v, &p) == 1 && !strcmp(p[0].uuid, pu)
          && !strcmp(p[0].name, "g30"));
    txn = ovsdb_txn_create("Open_vSwitch");
    CHECK(port_view_plan_adoption(w->v, txn) == 1);
    CHECK(ovsdb_txn_n_ops(txn) == 3);
    ovsdb_txn_destroy(txn);
    iface_uuid(31, iu);
    CHECK(port_view_unmarked(w->v, &p) == 1 && !strcmp(p[0].name, "g31")
          && !strcmp(p[0].iface_uuid, iu));

    world_modify_iface(w, 31, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s}", "guestnet-installed", "true")));
    world_update(w);
    CHECK(port_view_unmarked(w->v, &p) == 0);

    txn = ovsdb_txn_create("Open_vSwitch");
    CHECK(bridge_plan(w->cfg, w->r, w->v, txn, NULL) == 0);
    ovsdb_txn_destroy(txn);
    free(w->cfg->uplink);
    w->cfg->uplink = NULL;
    w->cfg_gen++;
    world_update(w);
    txn = ovsdb_txn_create("Open_vSwitch");
    CHECK(bridge_plan(w->cfg, w->r, w->v, txn, &why) == 1);
    CHECK(why && strstr(why, "old uplink removed"));
    free(why);
    ovsdb_txn_destroy(txn);

    world_destroy(w);
}

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

/* Changes that move only the counts and the planners' lists (no port
 * gains or loses flows) show in them: a port without an ofport moves
 * between networks and out of them, an untagged port gets the access VLAN
 * 4095 (as adoption gives it) and leaves the untagged list, a quarantined
 * port is renamed.  The generation stays. */
static void
test_counts_and_lists_follow_changes_without_flows(void)
{
    struct world *w = world_create(10);
    const struct port_view_port *p;
    struct port_view_counts c;
    unsigned long long gen;

    world_add_port(w, 30, 10);
    world_modify_iface(w, 30, "ofport", json_integer(-1));
    world_add_port(w, 31, -1);
    update_and_compare(w);
    gen = port_view_pipeline_gen(w->v);
    CHECK(port_view_untagged(w->v, &p) == 1 && !strcmp(p[0].name, "g31"));

    world_modify_port(w, 30, "tag", json_integer(20));
    update_and_compare(w);
    port_view_counts(w->v, &c);
    CHECK(c.per_network[0] == 10 && c.per_network[1] == 1);
    world_modify_port(w, 30, "tag", json_integer(99));
    update_and_compare(w);
    port_view_counts(w->v, &c);
    CHECK(c.per_network[1] == 0 && c.quarantined == 2);

    world_modify_port(w, 31, "tag", json_integer(4095));
    update_and_compare(w);
    CHECK(port_view_untagged(w->v, &p) == 0);
    world_modify_port(w, 30, "name", json_string("renamed30"));
    update_and_compare(w);
    CHECK(port_view_pipeline_gen(w->v) == gen);

    world_destroy(w);
}

/* Parses MAC 's' or IP 's' for the owner lookups. */
static const char *
mac_owner(const struct port_view *v, int vlan, const char *s)
{
    struct netaddr_mac mac;
    char *error = netaddr_parse_mac(s, false, &mac);

    CHECK(!error);
    free(error);
    return port_view_mac_owner(v, vlan, &mac);
}

static const char *
ip_owner(const struct port_view *v, int vlan, const char *s)
{
    struct netaddr_ip ip;
    char *error = netaddr_parse_ip(s, 0, &ip);

    CHECK(!error);
    free(error);
    return port_view_ip_owner(v, vlan, &ip);
}

/* The view's index of MACs and IPs per network follows the ports: their
 * addresses, a move to another network, a quarantine and a deletion. */
static void
test_address_owners_follow_ports(void)
{
    struct world *w = world_create(3);
    const struct port_view *v;
    const char *o;

    v = w->v;

    world_modify_iface(w, 2, "external_ids", ovsdb_datum_map(json_pack(
        "{s:s, s:s}", "attached-mac", "02:00:00:00:02:02",
        "guestnet:ips", "10.10.0.5,2001:db8::5")));
    update_and_compare(w);
    o = mac_owner(v, 10, "02:00:00:00:02:02");
    CHECK(o && !strcmp(o, "g2"));
    o = mac_owner(v, 10, "02:00:00:00:00:03");
    CHECK(o && !strcmp(o, "g3"));
    o = ip_owner(v, 10, "10.10.0.5");
    CHECK(o && !strcmp(o, "g2"));
    o = ip_owner(v, 10, "2001:db8:0::5");
    CHECK(o && !strcmp(o, "g2"));
    CHECK(!ip_owner(v, 10, "10.10.0.6"));
    CHECK(!mac_owner(v, 20, "02:00:00:00:02:02"));

    /* To network db: its addresses move with it. */
    world_modify_port(w, 2, "tag", json_integer(20));
    update_and_compare(w);
    CHECK(!mac_owner(v, 10, "02:00:00:00:02:02"));
    o = mac_owner(v, 20, "02:00:00:00:02:02");
    CHECK(o && !strcmp(o, "g2"));
    o = ip_owner(v, 20, "10.10.0.5");
    CHECK(o && !strcmp(o, "g2"));

    /* Quarantined (a VLAN that is no network): no addresses. */
    world_modify_port(w, 2, "tag", json_integer(99));
    update_and_compare(w);
    CHECK(!mac_owner(v, 20, "02:00:00:00:02:02"));
    CHECK(!ip_owner(v, 20, "10.10.0.5"));

    /* Deleted: its MAC is free. */
    world_delete_port(w, 4);
    update_and_compare(w);
    CHECK(!mac_owner(v, 10, "02:00:00:00:00:04"));
    o = mac_owner(v, 10, "02:00:00:00:00:03");
    CHECK(o && !strcmp(o, "g3"));

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
    TEST_RUN("port-view/update-binds-only-changed-ports",
             test_update_binds_only_changed_ports);
    TEST_RUN("port-view/update-rescans-when-feed-cannot-tell",
             test_update_rescans_when_feed_cannot_tell);
    TEST_RUN("port-view/planners-see-only-ports-needing-action",
             test_planners_see_only_ports_needing_action);
    TEST_RUN("port-view/pipeline-gen-moves-only-with-its-input",
             test_pipeline_gen_moves_only_with_its_input);
    TEST_RUN("port-view/pipeline-gen-moves-with-each-input-field",
             test_pipeline_gen_moves_with_each_input_field);
    TEST_RUN("port-view/counts-and-lists-follow-changes-without-flows",
             test_counts_and_lists_follow_changes_without_flows);
    TEST_RUN("port-view/address-owners-follow-ports",
             test_address_owners_follow_ports);
    TEST_RUN("port-view/view-and-sliced-pipeline-through-changes",
             test_view_and_sliced_pipeline_through_changes);
    TEST_RUN("port-view/timing-1000-ports", test_timing_1000_ports);
    return test_done();
}
