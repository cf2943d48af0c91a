/* test-port-view.h: what the port view's unit tests share: a synthetic
 * OVSDB (a bridge, its own port, an uplink and guest ports g<i>), changes
 * to it, and the comparison of the view with a fresh one
 * (tests/test-port-view.c tests bindings, planners and counts,
 * tests/test-port-view-pipeline.c the pipeline's input and timing). */
#ifndef GN_TEST_PORT_VIEW_H
#define GN_TEST_PORT_VIEW_H 1

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
    "  \"ofport_request\": {\"type\": {\"key\": \"integer\","
    "     \"min\": 0, \"max\": 1}},"
    "  \"mac_in_use\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "     \"max\": 1}},"
    "  \"link_state\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "     \"max\": 1}},"
    "  \"error\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "     \"max\": 1}},"
    "  \"ifindex\": {\"type\": {\"key\": \"integer\", \"min\": 0,"
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

static inline void
port_uuid(int i, char uuid[37])
{
    snprintf(uuid, 37, "%08x-0000-4000-8000-000000000000", i + 0x100);
}

static inline void
iface_uuid(int i, char uuid[37])
{
    snprintf(uuid, 37, "%08x-0000-4000-8000-000000000001", i + 0x100);
}

/* Applies 'tu' (stolen) as an "update2". */
static inline void
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
static inline void
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

static inline json_t *
world_tu(void)
{
    return json_pack("{s:{}, s:{}, s:{}, s:{}}", "Open_vSwitch", "Bridge",
                     "Port", "Interface");
}

/* A world with 'n' guest ports in network "web" (VLAN 10), all with
 * ofports and installed marks. */
static inline struct world *
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

static inline void
world_destroy(struct world *w)
{
    port_view_destroy(w->v);
    ovsdb_replica_destroy(w->r);
    gn_config_destroy(w->cfg);
    free(w);
}

/* Adds guest port 'i' ("g<i>") with 'tag' to the bridge, as one
 * transaction does. */
static inline void
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
static inline void
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
static inline void
world_modify(struct world *w, const char *table, const char *uuid,
             const char *column, json_t *value)
{
    json_t *tu = world_tu();

    json_object_set_new(json_object_get(tu, table), uuid, json_pack(
        "{s:{s:o}}", "modify", column, value));
    world_apply(w, tu, false);
}

/* Modifies column 'column' of Interface 'i' to 'value' (stolen). */
static inline void
world_modify_iface(struct world *w, int i, const char *column,
                   json_t *value)
{
    char iu[37];

    iface_uuid(i, iu);
    world_modify(w, "Interface", iu, column, value);
}

/* Modifies column 'column' of Port 'i' to 'value' (stolen). */
static inline void
world_modify_port(struct world *w, int i, const char *column, json_t *value)
{
    char pu[37];

    port_uuid(i, pu);
    world_modify(w, "Port", pu, column, value);
}

/* The pipeline port named 'name' in 'v', or NULL. */
static inline const struct pipeline_port *
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
static inline int
cmp_pp(const void *a_, const void *b_)
{
    const struct pipeline_port *a = a_, *b = b_;

    return strcmp(a->name, b->name);
}

static inline int
cmp_vp(const void *a_, const void *b_)
{
    const struct port_view_port *a = a_, *b = b_;

    return strcmp(a->uuid, b->uuid);
}

/* Appends to 'buf' the planners' list 'what' of 'v', sorted by UUID. */
static inline void
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

static inline char *
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
static inline size_t
world_update(struct world *w)
{
    return port_view_update(w->v, w->cfg, w->cfg_gen, w->r, BR);
}

/* Updates the view of 'w' and checks that it now equals a fresh view of
 * 'w'; returns the number of ports bound again. */
static inline size_t
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

#endif /* test-port-view.h */
