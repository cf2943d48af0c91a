/* port-view.c: the bridge's ports, bound incrementally (see
 * include/port-view.h).
 *
 * Owns struct port_view: a map from Port UUID to the port's cached
 * binding, and the arrays and counts of the last update. */
#include <config.h>

#include "port-view.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-util.h"
#include "netaddr.h"
#include "ovsdb-replica.h"
#include "ports.h"

struct port_view_entry {
    /* What the binding below was computed from. */
    unsigned long long port_seqno;
    unsigned long long iface_seqno;
    char *iface_uuid;           /* NULL if the port had no interface. */
    unsigned long long cfg_gen;
    unsigned long long seen;    /* The last update that had this port. */

    /* The binding, boiled down. */
    bool guest;                 /* Counted: not the bridge's own port nor
                                 * one with a guestnet:role. */
    bool quarantined;
    int network;                /* Index in cfg->networks, or -1. */
    bool uplink;                /* guestnet:role=uplink. */
    int ofport;                 /* Of the uplink. */
    bool has_flows;             /* 'pp' is valid. */
    struct pipeline_port pp;    /* Its strings are 'name' and 'ips'. */
    char *name;
    struct netaddr_ip *ips;
};

struct port_view {
    struct gn_strmap entries;   /* Port UUID -> struct port_view_entry. */
    unsigned long long update;

    struct pipeline_port *ports;    /* Of the last update. */
    size_t n_ports;
    size_t allocated_ports;
    int uplink_ofport;
    int n_guests;
    int n_quarantined;
    int *per_network;
    size_t n_networks;
};

struct port_view *
port_view_create(void)
{
    struct port_view *v = gn_xzalloc(sizeof *v);

    v->entries = (struct gn_strmap) GN_STRMAP_INIT;
    v->uplink_ofport = -1;
    return v;
}

static void
port_view_entry_clear__(struct port_view_entry *x)
{
    free(x->iface_uuid);
    free(x->name);
    free(x->ips);
    memset(x, 0, sizeof *x);
}

void
port_view_destroy(struct port_view *v)
{
    struct gn_strmap_node *node;

    if (!v) {
        return;
    }
    GN_STRMAP_FOR_EACH (node, &v->entries) {
        port_view_entry_clear__(node->value);
        free(node->value);
    }
    gn_strmap_destroy(&v->entries);
    free(v->ports);
    free(v->per_network);
    free(v);
}

/* Parses the comma-separated addresses in 'ips' into a new array (caller
 * frees); unparsable entries (someone else's typo in external_ids) are
 * skipped. */
static struct netaddr_ip *
port_view_parse_ips__(const char *ips, size_t *n)
{
    struct netaddr_ip *out = NULL;
    char *copy, *save = NULL;

    *n = 0;
    if (!ips) {
        return NULL;
    }
    copy = gn_xstrdup(ips);
    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        struct netaddr_ip ip;
        char *error = netaddr_parse_ip(t, 1, &ip);
        if (error) {
            free(error);
            continue;
        }
        out = gn_xrealloc(out, (*n + 1) * sizeof *out);
        out[(*n)++] = ip;
    }
    free(copy);
    return out;
}

/* Binds Port row 'row' into 'x' (cleared first). */
static void
port_view_bind__(struct port_view_entry *x, const struct gn_config *cfg,
                 const struct ovsdb_replica *r, const json_t *row)
{
    struct port_binding b;
    const char *role;

    port_view_entry_clear__(x);
    port_binding(cfg, r, row, &b);
    role = ovsdb_datum_map_get_string(row, "external_ids", "guestnet:role");
    x->network = -1;
    x->guest = b.name && strcmp(b.name, cfg->bridge) && !role;
    x->quarantined = b.quarantine != NULL;
    if (b.network) {
        const struct gn_network *net = gn_config_find_network(cfg,
                                                              b.network);
        x->network = net ? (int) (net - cfg->networks) : -1;
    }
    if (role && !strcmp(role, "uplink")) {
        x->uplink = true;
        x->ofport = b.ofport > 0 ? b.ofport : -1;
        return;
    }
    if (b.quarantine || b.ofport <= 0 || !b.name
        || (cfg->uplink && !strcmp(b.name, cfg->uplink))) {
        return;
    }
    char *error = netaddr_parse_mac(b.mac, true, &x->pp.mac);
    if (error) {
        free(error);
        return;
    }
    x->has_flows = true;
    x->name = gn_xstrdup(b.name);
    x->ips = port_view_parse_ips__(b.ips, &x->pp.n_ips);
    x->pp.name = x->name;
    x->pp.ofport = b.ofport;
    x->pp.vlan = b.vlan;
    x->pp.server = b.server;
    x->pp.ips = x->ips;
}

size_t
port_view_update(struct port_view *v, const struct gn_config *cfg,
                 unsigned long long cfg_gen, const struct ovsdb_replica *r,
                 const char *br_uuid)
{
    const json_t *br = br_uuid ? ovsdb_replica_get_row(r, "Bridge", br_uuid)
                               : NULL;
    struct gn_strmap_node *node;
    const char *uuid;
    size_t pos, n_bound = 0;

    v->update++;
    v->n_ports = 0;
    v->uplink_ofport = -1;
    v->n_guests = v->n_quarantined = 0;
    free(v->per_network);
    v->n_networks = cfg->n_networks;
    v->per_network = gn_xcalloc(cfg->n_networks + 1,
                                sizeof *v->per_network);

    OVSDB_DATUM_FOR_EACH_UUID (uuid, pos, br, "ports") {
        const json_t *row = ovsdb_replica_get_row(r, "Port", uuid);
        struct port_view_entry *x;
        const char *iface_uuid;
        unsigned long long port_seqno, iface_seqno;

        if (!row) {
            continue;
        }
        port_seqno = ovsdb_replica_row_seqno(r, "Port", uuid);
        port_iface(r, row, &iface_uuid);
        iface_seqno = iface_uuid ? ovsdb_replica_row_seqno(r, "Interface",
                                                           iface_uuid) : 0;
        x = gn_strmap_get(&v->entries, uuid);
        if (!x) {
            x = gn_xzalloc(sizeof *x);
            gn_strmap_put(&v->entries, uuid, x);
        } else if (x->seen == v->update) {
            continue;           /* Listed twice. */
        }
        if (!x->seen || x->port_seqno != port_seqno
            || x->iface_seqno != iface_seqno || x->cfg_gen != cfg_gen
            || (x->iface_uuid == NULL) != (iface_uuid == NULL)
            || (iface_uuid && strcmp(x->iface_uuid, iface_uuid))) {
            port_view_bind__(x, cfg, r, row);
            x->port_seqno = port_seqno;
            x->iface_seqno = iface_seqno;
            x->iface_uuid = iface_uuid ? gn_xstrdup(iface_uuid) : NULL;
            x->cfg_gen = cfg_gen;
            n_bound++;
        }
        x->seen = v->update;

        if (x->guest) {
            v->n_guests++;
            v->n_quarantined += x->quarantined;
            if (x->network >= 0) {
                v->per_network[x->network]++;
            }
        }
        if (x->uplink) {
            v->uplink_ofport = x->ofport;
        }
        if (x->has_flows) {
            if (v->n_ports >= v->allocated_ports) {
                v->allocated_ports = 2 * v->allocated_ports + 64;
                v->ports = gn_xrealloc(v->ports, v->allocated_ports
                                                 * sizeof *v->ports);
            }
            v->ports[v->n_ports++] = x->pp;
        }
    }

    /* Ports that left the bridge. */
    struct gn_strmap_node *next;
    GN_STRMAP_FOR_EACH_SAFE (node, next, &v->entries) {
        struct port_view_entry *x = node->value;

        if (x->seen != v->update) {
            gn_strmap_remove(&v->entries, node->key);
            port_view_entry_clear__(x);
            free(x);
        }
    }
    return n_bound;
}

const struct pipeline_port *
port_view_pipeline_ports(const struct port_view *v, size_t *n)
{
    *n = v->n_ports;
    return v->ports;
}

int
port_view_uplink_ofport(const struct port_view *v)
{
    return v->uplink_ofport;
}

void
port_view_counts(const struct port_view *v, struct port_view_counts *c)
{
    c->ports = v->n_guests;
    c->quarantined = v->n_quarantined;
    c->per_network = v->per_network;
}
