/* bridge.c: plans the OVSDB changes that keep the integration bridge and
 * the uplink as configured (see include/bridge.h). */
#include <config.h>

#include "bridge.h"

#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-util.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "port-view.h"
#include "ports.h"

const char *const bridge_ovs_columns[] = {
    "bridges", "next_cfg", "cur_cfg", NULL
};
const char *const bridge_bridge_columns[] = {
    "name", "ports", "datapath_type", "fail_mode", "protocols",
    "stp_enable", "other_config", "external_ids", NULL
};
const char *const bridge_port_columns[] = {
    "name", "interfaces", "tag", "trunks", "vlan_mode", "external_ids", NULL
};
const char *const bridge_interface_columns[] = {
    "name", "type", "ofport", "ofport_request", "external_ids", "mac_in_use",
    "link_state", "error", "ifindex", NULL
};

static const char *const bridge_protocols[] = {
    "OpenFlow13", "OpenFlow14", "OpenFlow15"
};

/* The key under which guestnet marks rows it created. */
#define BRIDGE_ROLE_KEY "guestnet:role"

json_t *
bridge_set_elements(const json_t *value)
{
    if (!value) {
        return json_array();
    }
    if (json_is_array(value) && json_array_size(value) == 2
        && json_is_string(json_array_get(value, 0))
        && !strcmp(json_string_value(json_array_get(value, 0)), "set")) {
        return json_deep_copy(json_array_get(value, 1));
    }
    json_t *a = json_array();
    json_array_append_new(a, json_deep_copy(value));
    return a;
}

/* Returns true if sets 'a' and 'b' (arrays, borrowed) hold the same
 * elements, in any order. */
static bool
bridge_sets_equal__(const json_t *a, const json_t *b)
{
    size_t i, j;
    const json_t *x, *y;

    if (json_array_size(a) != json_array_size(b)) {
        return false;
    }
    json_array_foreach (a, i, x) {
        bool found = false;
        json_array_foreach (b, j, y) {
            if (json_equal((json_t *) x, (json_t *) y)) {
                found = true;
                break;
            }
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

const char *
bridge_root_uuid(const struct ovsdb_replica *r)
{
    const char *uuid;
    const json_t *row;

    OVSDB_REPLICA_FOR_EACH (uuid, row, r, "Open_vSwitch") {
        return uuid;
    }
    return NULL;
}

const char *
bridge_find(const struct ovsdb_replica *r, const char *name)
{
    return ovsdb_replica_index_find(r, "Bridge", "name", name);
}

/* The VLANs of 'cfg', sorted, as a JSON array of integers. */
static json_t *
bridge_trunks__(const struct gn_config *cfg)
{
    json_t *trunks = json_array();

    for (int vlan = NETADDR_VLAN_MIN; vlan <= NETADDR_VLAN_MAX; vlan++) {
        if (gn_config_find_vlan(cfg, vlan)) {
            json_array_append_new(trunks, json_integer(vlan));
        }
    }
    return trunks;
}

static json_t *
bridge_protocols_set__(void)
{
    json_t *a = json_array();

    for (size_t i = 0; i < GN_ARRAY_SIZE(bridge_protocols); i++) {
        json_array_append_new(a, json_string(bridge_protocols[i]));
    }
    return ovsdb_datum_set(a);
}

/* Appends "what" to the change summary in '*why'. */
static void
bridge_note__(char **why, const char *what)
{
    if (!why) {
        return;
    }
    char *s = *why ? gn_xasprintf("%s, %s", *why, what) : gn_xstrdup(what);
    free(*why);
    *why = s;
}

/* Inserts the uplink's Interface and Port rows (a trunk of the configured
 * VLANs) and returns the Port's named-uuid (borrowed from 'txn'). */
static const char *
bridge_insert_uplink__(const struct gn_config *cfg, struct ovsdb_txn *txn)
{
    json_t *irow = json_pack("{s:s}", "name", cfg->uplink);
    const char *iface = ovsdb_txn_insert(txn, "Interface", irow);
    json_t *prow = json_pack(
        "{s:s, s:o, s:s, s:o, s:o}",
        "name", cfg->uplink,
        "interfaces", ovsdb_datum_named_uuid(iface),
        "vlan_mode", "trunk",
        "trunks", ovsdb_datum_set(bridge_trunks__(cfg)),
        "external_ids",
        ovsdb_datum_map(json_pack("{s:s}", BRIDGE_ROLE_KEY, "uplink")));

    return ovsdb_txn_insert(txn, "Port", prow);
}

/* Adds the ops that create the bridge (and the uplink) from nothing. */
static int
bridge_plan_create__(const struct gn_config *cfg, const char *root,
                     struct ovsdb_txn *txn)
{
    json_t *row, *ports, *where;
    const char *iface, *port, *br;

    /* Fails the whole transaction if a bridge of that name appeared since
     * the replica was read. */
    where = ovsdb_where_eq("name", json_string(cfg->bridge));
    ovsdb_txn_wait(txn, "Bridge", where, json_pack("[s]", "name"), "==",
                   json_array(), 0);

    row = json_pack("{s:s, s:s}", "name", cfg->bridge, "type", "internal");
    iface = ovsdb_txn_insert(txn, "Interface", row);

    row = json_pack("{s:s, s:o}", "name", cfg->bridge,
                    "interfaces", ovsdb_datum_named_uuid(iface));
    port = ovsdb_txn_insert(txn, "Port", row);

    ports = json_array();
    json_array_append_new(ports, ovsdb_datum_named_uuid(port));
    if (cfg->uplink) {
        json_array_append_new(ports, ovsdb_datum_named_uuid(
                                  bridge_insert_uplink__(cfg, txn)));
    }
    row = json_pack("{s:s, s:s, s:s, s:o, s:b, s:o, s:o}",
                    "name", cfg->bridge,
                    "datapath_type", cfg->datapath_type,
                    "fail_mode", "secure",
                    "protocols", bridge_protocols_set__(),
                    "stp_enable", 0,
                    "other_config",
                    ovsdb_datum_map(json_pack("{s:s}", "disable-in-band",
                                              "true")),
                    "external_ids",
                    ovsdb_datum_map(json_pack("{s:s}", BRIDGE_ROLE_KEY,
                                              "integration-bridge")));
    json_object_set_new(row, "ports", ovsdb_datum_set(ports));
    br = ovsdb_txn_insert(txn, "Bridge", row);

    ovsdb_txn_mutate(txn, "Open_vSwitch", ovsdb_where_uuid(root),
                     json_pack("[[s, s, o]]", "bridges", "insert",
                               ovsdb_datum_named_uuid(br)));
    return ovsdb_txn_n_ops(txn);
}

/* Adds an update of the bridge for each column that differs from the
 * config. */
static void
bridge_plan_update__(const struct gn_config *cfg, const char *br_uuid,
                     const json_t *br, struct ovsdb_txn *txn, int *n,
                     char **why)
{
    json_t *row = json_object();
    const char *s;
    const json_t *v;

    s = ovsdb_datum_string(br, "datapath_type");
    if (!s || strcmp(s, cfg->datapath_type)) {
        json_object_set_new(row, "datapath_type",
                            json_string(cfg->datapath_type));
        bridge_note__(why, "datapath_type");
    }
    s = ovsdb_datum_string(br, "fail_mode");
    if (!s || strcmp(s, "secure")) {
        json_object_set_new(row, "fail_mode", json_string("secure"));
        bridge_note__(why, "fail_mode");
    }

    json_t *have = bridge_set_elements(json_object_get(br, "protocols"));
    json_t *want_set = bridge_protocols_set__();
    if (!bridge_sets_equal__(have, json_array_get(want_set, 1))) {
        json_object_set(row, "protocols", want_set);
        bridge_note__(why, "protocols");
    }
    json_decref(want_set);
    json_decref(have);

    v = json_object_get(br, "stp_enable");
    if (!json_is_false(v)) {
        json_object_set_new(row, "stp_enable", json_false());
        bridge_note__(why, "stp_enable");
    }
    if (json_object_size(row)) {
        ovsdb_txn_update(txn, "Bridge", ovsdb_where_uuid(br_uuid), row);
        (*n)++;
    } else {
        json_decref(row);
    }

    s = ovsdb_datum_map_get_string(br, "other_config", "disable-in-band");
    if (!s || strcmp(s, "true")) {
        ovsdb_txn_mutate(txn, "Bridge", ovsdb_where_uuid(br_uuid),
                         json_pack("[[s, s, o], [s, s, o]]",
                                   "other_config", "delete",
                                   json_pack("[s, [s]]", "set",
                                             "disable-in-band"),
                                   "other_config", "insert",
                                   ovsdb_datum_map(json_pack(
                                       "{s:s}", "disable-in-band",
                                       "true"))));
        (*n)++;
        bridge_note__(why, "other_config:disable-in-band");
    }
}

/* Adds the ops that make the uplink port match the config. */
static void
bridge_plan_uplink__(const struct gn_config *cfg,
                     const struct ovsdb_replica *r,
                     const struct port_view *view, const char *br_uuid,
                     struct ovsdb_txn *txn, int *n, char **why)
{
    const struct port_view_port *uplinks;
    size_t n_uplinks = port_view_uplinks(view, &uplinks);
    const json_t *row;
    char *uuid;

    /* Uplinks guestnet made earlier that are no longer configured. */
    for (size_t i = 0; i < n_uplinks; i++) {
        if (!cfg->uplink || strcmp(uplinks[i].name, cfg->uplink)) {
            ovsdb_txn_mutate(txn, "Bridge", ovsdb_where_uuid(br_uuid),
                             json_pack("[[s, s, o]]", "ports", "delete",
                                       ovsdb_datum_uuid(uplinks[i].uuid)));
            (*n)++;
            bridge_note__(why, "old uplink removed");
        }
    }

    if (!cfg->uplink) {
        return;
    }

    json_t *trunks = bridge_trunks__(cfg);
    uuid = port_find(r, br_uuid, cfg->uplink);
    if (!uuid) {
        const char *port = bridge_insert_uplink__(cfg, txn);
        ovsdb_txn_mutate(txn, "Bridge", ovsdb_where_uuid(br_uuid),
                         json_pack("[[s, s, o]]", "ports", "insert",
                                   ovsdb_datum_named_uuid(port)));
        *n += 3;
        bridge_note__(why, "uplink added");
    } else {
        row = ovsdb_replica_get_row(r, "Port", uuid);
        json_t *have = bridge_set_elements(json_object_get(row, "trunks"));
        const char *mode = ovsdb_datum_string(row, "vlan_mode");
        if (!bridge_sets_equal__(have, trunks) || !mode
            || strcmp(mode, "trunk")) {
            ovsdb_txn_update(
                txn, "Port", ovsdb_where_uuid(uuid),
                json_pack("{s:o, s:s}",
                          "trunks", ovsdb_datum_set(json_deep_copy(trunks)),
                          "vlan_mode", "trunk"));
            (*n)++;
            bridge_note__(why, "uplink trunks");
        }
        json_decref(have);
        free(uuid);
    }
    json_decref(trunks);
}

void
bridge_replica_init(struct ovsdb_replica *r)
{
    ovsdb_replica_add_table(r, "Open_vSwitch", bridge_ovs_columns);
    ovsdb_replica_add_table(r, "Bridge", bridge_bridge_columns);
    ovsdb_replica_add_table(r, "Port", bridge_port_columns);
    ovsdb_replica_add_table(r, "Interface", bridge_interface_columns);
    ovsdb_replica_add_index(r, "Bridge", "name");
    ovsdb_replica_add_index(r, "Bridge", "ports");
    ovsdb_replica_add_index(r, "Port", "name");
    ovsdb_replica_add_index(r, "Port", "interfaces");
    ovsdb_replica_add_index(r, "Interface", "name");
}

int
bridge_plan(const struct gn_config *cfg, const struct ovsdb_replica *r,
            const struct port_view *view, struct ovsdb_txn *txn, char **why)
{
    const char *root = bridge_root_uuid(r);
    const char *br_uuid;
    const json_t *br;
    int n = 0;

    if (why) {
        *why = NULL;
    }
    if (!root) {
        return 0;
    }
    br_uuid = bridge_find(r, cfg->bridge);
    if (!br_uuid) {
        bridge_note__(why, cfg->uplink ? "bridge and uplink created"
                                        : "bridge created");
        return bridge_plan_create__(cfg, root, txn);
    }
    br = ovsdb_replica_get_row(r, "Bridge", br_uuid);
    bridge_plan_update__(cfg, br_uuid, br, txn, &n, why);
    bridge_plan_uplink__(cfg, r, view, br_uuid, txn, &n, why);
    return n;
}
