/* port-view.c: the bridge's ports, bound incrementally (see
 * include/port-view.h).
 *
 * Owns struct port_view: a map from Port UUID to the port's cached
 * binding, the replica seqno it is current with, the arrays and counts of
 * the last update, and the pipeline generation.  While the generation
 * stays, the ports array and the name and addresses of each entry stay
 * where they are (the pipeline holds pointers into them across its
 * slices); while an entry's other results stay, so do its name and
 * Interface UUID, which the planners' lists point to. */
#include <config.h>

#include "port-view.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-util.h"
#include "ip6-frame.h"
#include "netaddr.h"
#include "ovsdb-replica.h"
#include "ports.h"

/* Room for "VLAN/ADDRESS". */
#define PORT_VIEW_KEY_SIZE (8 + INET6_ADDRSTRLEN)

struct port_view_entry {
    /* What the binding below was computed from. */
    unsigned long long port_seqno;
    unsigned long long iface_seqno;
    char *iface_uuid;           /* NULL if the port had no interface. */
    unsigned long long cfg_gen;
    unsigned long long seen;    /* The last update that had this port. */

    /* The binding, boiled down. */
    char *port_name;            /* Port.name, or NULL. */
    bool untagged;              /* Adoption candidate: named, not the
                                 * bridge's own port, no guestnet:role and
                                 * no tag. */
    bool installed;             /* Its Interface has
                                 * external_ids:guestnet-installed=true. */
    bool guest;                 /* Counted: not the bridge's own port nor
                                 * one with a guestnet:role. */
    bool quarantined;
    long long lease_expires;    /* The earliest end of its leases (s
                                 * since the epoch), or 0: none. */
    int network;                /* Index in cfg->networks, or -1. */
    bool uplink;                /* guestnet:role=uplink. */
    int ofport;                 /* Of the uplink. */
    bool has_flows;             /* 'pp' is valid. */
    struct pipeline_port pp;    /* Its strings are 'name' and 'ips'. */
    char *name;
    struct netaddr_ip *ips;

    /* The keys of 'addrs' in struct port_view that name this entry (its
     * MAC and IPs in its network). */
    char **addr_keys;
    size_t n_addr_keys;
};

struct port_view {
    struct gn_strmap entries;   /* Port UUID -> struct port_view_entry. */
    struct gn_strmap addrs;     /* "VLAN/MAC" and "VLAN/IP" of the ports
                                 * bound to a network -> their entry (the
                                 * first one, should two share it). */
    unsigned long long update;

    /* What the entries are current with (when 'valid'). */
    bool valid;
    char *br_uuid;
    unsigned long long seqno;   /* ovsdb_replica_seqno(). */
    unsigned long long cfg_gen;

    /* What the update running now changed, so far. */
    bool results_changed;       /* What an entry adds to the counts and
                                 * lists, other than its pipeline part. */
    bool pipeline_changed;      /* An entry's pipeline part (see
                                 * port_view_same_flows__()). */

    /* The results.  'ports' and 'uplink_ofport' are the pipeline's input:
     * they are left alone, the strings that 'ports' points to included,
     * while 'pipeline_gen' stays. */
    struct pipeline_port *ports;
    size_t n_ports;
    size_t allocated_ports;
    int uplink_ofport;
    unsigned long long pipeline_gen;
    long long next_lease_expiry;    /* The earliest of the entries', or
                                     * 0. */
    int n_guests;
    int n_quarantined;
    int *per_network;
    size_t n_networks;

    /* The ports the planners act on, of the last update. */
    struct port_view_port *untagged;
    size_t n_untagged;
    struct port_view_port *uplinks;
    size_t n_uplinks;
    struct port_view_port *unmarked;
    size_t n_unmarked;
    struct port_view_port *wrongly_marked;
    size_t n_wrongly_marked;
    size_t allocated_attention;     /* Of each of the four. */
};

struct port_view *
port_view_create(void)
{
    struct port_view *v = gn_xzalloc(sizeof *v);

    v->entries = (struct gn_strmap) GN_STRMAP_INIT;
    v->addrs = (struct gn_strmap) GN_STRMAP_INIT;
    v->uplink_ofport = -1;
    return v;
}

static void
port_view_entry_clear__(struct port_view_entry *x)
{
    free(x->iface_uuid);
    free(x->port_name);
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
        struct port_view_entry *x = node->value;

        for (size_t i = 0; i < x->n_addr_keys; i++) {
            free(x->addr_keys[i]);
        }
        free(x->addr_keys);
        port_view_entry_clear__(x);
        free(x);
    }
    gn_strmap_destroy(&v->entries);
    gn_strmap_destroy(&v->addrs);
    free(v->br_uuid);
    free(v->ports);
    free(v->per_network);
    free(v->untagged);
    free(v->uplinks);
    free(v->unmarked);
    free(v->wrongly_marked);
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

/* Appends to 'x->ips' the link-local addresses of fe80::/64 (at most
 * PIPELINE_LL_MAX) in the comma-separated 'lls' (or NULL), as the
 * pipeline port's bound link-local addresses: they follow its other
 * addresses in the one array. */
static void
port_view_add_link_locals__(struct port_view_entry *x, const char *lls)
{
    size_t n;
    struct netaddr_ip *all = port_view_parse_ips__(lls, &n);

    x->ips = gn_xrealloc(x->ips, (x->pp.n_ips + PIPELINE_LL_MAX + 1)
                                 * sizeof *x->ips);
    x->pp.n_lls = 0;
    for (size_t i = 0; i < n && x->pp.n_lls < PIPELINE_LL_MAX; i++) {
        if (all[i].family == AF_INET6 && all[i].plen == 128
            && ip6_is_link_local64(&all[i].addr.v6)) {
            x->ips[x->pp.n_ips + x->pp.n_lls++] = all[i];
        }
    }
    x->pp.lls = x->ips + x->pp.n_ips;
    free(all);
}

/* True if there are addresses in 'ips' ('n') and the comma-separated
 * 'learned' (or NULL) lists each of them. */
static bool
port_view_all_learned__(const struct netaddr_ip *ips, size_t n,
                        const char *learned)
{
    size_t n_learned;
    struct netaddr_ip *list = port_view_parse_ips__(learned, &n_learned);
    bool all = n > 0;

    for (size_t i = 0; all && i < n; i++) {
        bool found = false;

        for (size_t k = 0; k < n_learned && !found; k++) {
            found = netaddr_ip_same_addr(&ips[i], &list[k]);
        }
        all = found;
    }
    free(list);
    return all;
}

/* Writes into 'buf' the key of 'addrs' in struct port_view for address
 * 'addr' (already formatted) in the network of 'vlan'. */
static void
port_view_addr_key__(char buf[PORT_VIEW_KEY_SIZE], int vlan, const char *addr)
{
    snprintf(buf, PORT_VIEW_KEY_SIZE, "%d/%s", vlan, addr);
}

/* Stores in 'x' the keys of its MAC and IPs in the network of VLAN 'vlan'
 * ('mac' and 'ips' as binding.h gives them, NULL if none). */
static void
port_view_addr_keys__(struct port_view_entry *x, int vlan, const char *mac,
                      const char *ips)
{
    struct netaddr_mac m;
    char buf[PORT_VIEW_KEY_SIZE];
    struct netaddr_ip *addrs;
    size_t n = 0;
    char *error;

    addrs = ips ? port_view_parse_ips__(ips, &n) : NULL;
    x->addr_keys = gn_xcalloc(n + 1, sizeof *x->addr_keys);
    error = mac ? netaddr_parse_mac(mac, false, &m) : gn_xstrdup("none");
    if (!error) {
        char s[18];

        netaddr_format_mac(&m, s);
        port_view_addr_key__(buf, vlan, s);
        x->addr_keys[x->n_addr_keys++] = gn_xstrdup(buf);
    }
    free(error);
    for (size_t i = 0; i < n; i++) {
        char s[INET6_ADDRSTRLEN];

        netaddr_format_ip(&addrs[i], s, sizeof s);
        port_view_addr_key__(buf, vlan, s);
        x->addr_keys[x->n_addr_keys++] = gn_xstrdup(buf);
    }
    free(addrs);
}

/* Enters the keys of 'x' into 'v->addrs', except those another entry
 * holds. */
static void
port_view_addrs_add__(struct port_view *v, struct port_view_entry *x)
{
    for (size_t i = 0; i < x->n_addr_keys; i++) {
        if (!gn_strmap_get(&v->addrs, x->addr_keys[i])) {
            gn_strmap_put(&v->addrs, x->addr_keys[i], x);
        }
    }
}

/* Removes from 'v->addrs' the keys that name 'x' and frees its keys. */
static void
port_view_addrs_remove__(struct port_view *v, struct port_view_entry *x)
{
    for (size_t i = 0; i < x->n_addr_keys; i++) {
        if (gn_strmap_get(&v->addrs, x->addr_keys[i]) == x) {
            gn_strmap_remove(&v->addrs, x->addr_keys[i]);
        }
        free(x->addr_keys[i]);
    }
    free(x->addr_keys);
    x->addr_keys = NULL;
    x->n_addr_keys = 0;
}

/* Binds Port row 'row' into 'x' (cleared first). */
static void
port_view_bind__(struct port_view_entry *x, const struct gn_config *cfg,
                 const struct ovsdb_replica *r, const json_t *row)
{
    struct port_binding b;
    const char *role, *mark;
    json_int_t tag;

    port_view_entry_clear__(x);
    port_binding(cfg, r, row, &b);
    role = ovsdb_datum_map_get_string(row, "external_ids", "guestnet:role");
    x->port_name = b.name ? gn_xstrdup(b.name) : NULL;
    x->untagged = (b.name && strcmp(b.name, cfg->bridge) && !role
                   && !ovsdb_datum_integer(row, "tag", &tag));
    mark = b.iface ? ovsdb_datum_map_get_string(b.iface, "external_ids",
                                                PORTS_INSTALLED_KEY)
                   : NULL;
    x->installed = mark && !strcmp(mark, "true");
    x->network = -1;
    x->guest = b.name && strcmp(b.name, cfg->bridge) && !role;
    x->quarantined = b.quarantine != NULL;
    x->lease_expires = port_lease_first_expiry(b.ips_leased,
                                               b.lease_expires);
    if (b.network) {
        const struct gn_network *net = gn_config_find_network(cfg,
                                                              b.network);
        x->network = net ? (int) (net - cfg->networks) : -1;
        if (net) {
            port_view_addr_keys__(x, net->vlan, b.mac, b.ips);
        }
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
    x->pp.learned = port_view_all_learned__(x->ips, x->pp.n_ips,
                                            b.ips_learned);
    port_view_add_link_locals__(x, b.link_locals);
    x->pp.name = x->name;
    x->pp.ofport = b.ofport;
    x->pp.vlan = b.vlan;
    x->pp.server = b.server;
    x->pp.ips = x->ips;
    port_binding_limits(&b, &x->pp.limits, NULL);
}

/* True if entries 'a' and 'b' give the pipeline the same port (or
 * neither gives it one). */
static bool
port_view_same_flows__(const struct port_view_entry *a,
                       const struct port_view_entry *b)
{
    const struct pipeline_port *p = &a->pp, *q = &b->pp;

    if (a->has_flows != b->has_flows || !a->has_flows) {
        return a->has_flows == b->has_flows;
    }
    if (strcmp(p->name, q->name) || p->ofport != q->ofport
        || p->vlan != q->vlan || p->server != q->server
        || p->learned != q->learned
        || memcmp(p->mac.b, q->mac.b, sizeof p->mac.b)
        || memcmp(p->limits.value, q->limits.value, sizeof p->limits.value)
        || p->n_ips != q->n_ips || p->n_lls != q->n_lls) {
        return false;
    }
    for (size_t i = 0; i < p->n_ips + p->n_lls; i++) {
        const struct netaddr_ip *x = &p->ips[i], *y = &q->ips[i];

        if (x->family != y->family || x->plen != y->plen
            || (x->family == AF_INET
                ? x->addr.v4.s_addr != y->addr.v4.s_addr
                : memcmp(&x->addr.v6, &y->addr.v6, sizeof x->addr.v6))) {
            return false;
        }
    }
    return true;
}

/* True if entry 'a' adds to the counts and lists of the results what 'b',
 * whose Interface is 'b_iface_uuid', does. */
static bool
port_view_same_results__(const struct port_view_entry *a,
                         const struct port_view_entry *b,
                         const char *b_iface_uuid)
{
    return (!a->port_name == !b->port_name
            && (!a->port_name || !strcmp(a->port_name, b->port_name))
            && !a->iface_uuid == !b_iface_uuid
            && (!a->iface_uuid || !strcmp(a->iface_uuid, b_iface_uuid))
            && a->untagged == b->untagged && a->installed == b->installed
            && a->guest == b->guest && a->quarantined == b->quarantined
            && a->network == b->network && a->uplink == b->uplink
            && a->ofport == b->ofport
            && a->lease_expires == b->lease_expires);
}

/* Binds Port 'uuid' (row 'row') into its entry in 'v', creating it, if
 * it is new or 'force' or its rows changed since it was bound; marks it
 * seen in this update.  Returns true if it bound it. */
static bool
port_view_visit__(struct port_view *v, const struct gn_config *cfg,
                  unsigned long long cfg_gen, const struct ovsdb_replica *r,
                  const char *uuid, const json_t *row, bool force)
{
    struct port_view_entry *x = gn_strmap_get(&v->entries, uuid);
    unsigned long long port_seqno, iface_seqno;
    const char *iface_uuid;

    if (x && x->seen == v->update) {
        return false;           /* Listed twice. */
    }
    port_seqno = ovsdb_replica_row_seqno(r, "Port", uuid);
    port_iface(r, row, &iface_uuid);
    iface_seqno = iface_uuid ? ovsdb_replica_row_seqno(r, "Interface",
                                                       iface_uuid) : 0;
    if (!x) {
        x = gn_xzalloc(sizeof *x);
        gn_strmap_put(&v->entries, uuid, x);
        force = true;
        v->results_changed = true;
    }
    if (!force && x->port_seqno == port_seqno
        && x->iface_seqno == iface_seqno && x->cfg_gen == cfg_gen
        && (x->iface_uuid == NULL) == (iface_uuid == NULL)
        && (!iface_uuid || !strcmp(x->iface_uuid, iface_uuid))) {
        x->seen = v->update;
        return false;
    }
    /* What the new binding has the same of is kept, strings included: the
     * last ports array points into the pipeline's part (see
     * port_view_pipeline_gen()), the planners' lists into the rest.  A
     * port bound again for its link state changes neither. */
    port_view_addrs_remove__(v, x);
    struct port_view_entry old = *x;

    x->name = NULL;
    x->ips = NULL;
    x->port_name = NULL;
    x->iface_uuid = NULL;
    port_view_bind__(x, cfg, r, row);   /* Clears 'x' first. */
    port_view_addrs_add__(v, x);
    if (port_view_same_flows__(&old, x)) {
        free(x->name);
        free(x->ips);
        x->name = old.name;
        x->ips = old.ips;
        x->pp = old.pp;
    } else {
        free(old.name);
        free(old.ips);
        v->pipeline_changed = true;
    }
    if (port_view_same_results__(&old, x, iface_uuid)) {
        free(x->port_name);
        x->port_name = old.port_name;
        x->iface_uuid = old.iface_uuid;
    } else {
        free(old.port_name);
        free(old.iface_uuid);
        x->iface_uuid = iface_uuid ? gn_xstrdup(iface_uuid) : NULL;
        v->results_changed = true;
    }
    x->port_seqno = port_seqno;
    x->iface_seqno = iface_seqno;
    x->cfg_gen = cfg_gen;
    x->seen = v->update;
    return true;
}

/* Removes the entry of Port 'uuid' from 'v', if any. */
static void
port_view_forget__(struct port_view *v, const char *uuid)
{
    struct port_view_entry *x = gn_strmap_remove(&v->entries, uuid);

    if (x) {
        v->pipeline_changed |= x->has_flows;
        v->results_changed = true;
        port_view_addrs_remove__(v, x);
        port_view_entry_clear__(x);
        free(x);
    }
}

/* Visits every port of the bridge row 'br' (NULL: none) and drops the
 * entries of ports no longer on it.  Returns the number of ports bound. */
static size_t
port_view_rescan__(struct port_view *v, const struct gn_config *cfg,
                   unsigned long long cfg_gen, const struct ovsdb_replica *r,
                   const json_t *br)
{
    struct gn_strmap_node *node, *next;
    const char *uuid;
    size_t pos, n_bound = 0;

    OVSDB_DATUM_FOR_EACH_UUID (uuid, pos, br, "ports") {
        const json_t *row = ovsdb_replica_get_row(r, "Port", uuid);

        if (row) {
            n_bound += port_view_visit__(v, cfg, cfg_gen, r, uuid, row,
                                         false);
        }
    }
    GN_STRMAP_FOR_EACH_SAFE (node, next, &v->entries) {
        struct port_view_entry *x = node->value;

        if (x->seen != v->update) {
            port_view_forget__(v, node->key);
        }
    }
    return n_bound;
}

/* Adds Port 'uuid' to 'dirty' (a set). */
static void
port_view_mark_dirty__(struct gn_strmap *dirty, const char *uuid)
{
    gn_strmap_put(dirty, uuid, dirty);
}

/* Brings 'v' from the replica seqno it is current with to now through the
 * change feeds: binds again the ports whose Port or Interface row changed,
 * adds those that joined bridge 'br_uuid' (row 'br'), drops those that
 * left.  Stores the number of ports bound in '*n_bound'.  Returns false if
 * the feeds cannot tell (then the caller rescans): a log does not reach
 * back, another Bridge row changed (a port may have moved between bridges
 * without its own row changing), or the bridge's port count does not add
 * up. */
static bool
port_view_follow__(struct port_view *v, const struct gn_config *cfg,
                   unsigned long long cfg_gen, const struct ovsdb_replica *r,
                   const char *br_uuid, const json_t *br, size_t *n_bound)
{
    struct gn_strmap dirty = GN_STRMAP_INIT;
    struct ovsdb_replica_changes it;
    enum ovsdb_replica_change change;
    struct gn_strmap_node *node;
    const char *uuid;
    bool ok = true;

    *n_bound = 0;
    if (!ovsdb_replica_changes_init(&it, r, "Bridge", v->seqno)) {
        return false;
    }
    while ((uuid = ovsdb_replica_changes_next(&it, &change))) {
        if (strcmp(uuid, br_uuid) || change != OVSDB_REPLICA_MODIFIED) {
            return false;
        }
    }

    if (!ovsdb_replica_changes_init(&it, r, "Port", v->seqno)) {
        return false;
    }
    while ((uuid = ovsdb_replica_changes_next(&it, &change))) {
        port_view_mark_dirty__(&dirty, uuid);
    }
    if (!ovsdb_replica_changes_init(&it, r, "Interface", v->seqno)) {
        ok = false;
    }
    while (ok && (uuid = ovsdb_replica_changes_next(&it, &change))) {
        struct ovsdb_replica_index_iter pit;
        const char *port_uuid;

        OVSDB_REPLICA_INDEX_FOR_EACH (port_uuid, pit, r, "Port",
                                      "interfaces", uuid) {
            port_view_mark_dirty__(&dirty, port_uuid);
        }
    }

    GN_STRMAP_FOR_EACH (node, &dirty) {
        const json_t *row;

        if (!ok) {
            break;
        }
        row = ovsdb_replica_get_row(r, "Port", node->key);
        if (row && ovsdb_replica_index_has(r, "Bridge", "ports", node->key,
                                           br_uuid)) {
            *n_bound += port_view_visit__(v, cfg, cfg_gen, r, node->key,
                                          row, true);
        } else {
            port_view_forget__(v, node->key);
        }
    }
    gn_strmap_destroy(&dirty);
    return ok && v->entries.n == ovsdb_datum_size(br, "ports");
}

/* Rebuilds the results of 'v' from its entries: the counts and lists, and
 * the ports array if the pipeline's part of an entry changed; then, or if
 * the uplink's ofport changed, 'v->pipeline_gen' moves. */
static void
port_view_results__(struct port_view *v, const struct gn_config *cfg)
{
    struct gn_strmap_node *node;
    int uplink_ofport = v->uplink_ofport;
    bool ports = v->pipeline_changed;

    if (ports) {
        v->n_ports = 0;
    }
    v->uplink_ofport = -1;
    v->n_guests = v->n_quarantined = 0;
    v->next_lease_expiry = 0;
    v->n_untagged = v->n_uplinks = v->n_unmarked = 0;
    v->n_wrongly_marked = 0;
    free(v->per_network);
    v->n_networks = cfg->n_networks;
    v->per_network = gn_xcalloc(cfg->n_networks + 1,
                                sizeof *v->per_network);
    if (v->allocated_attention < v->entries.n) {
        v->allocated_attention = 2 * v->entries.n + 16;
        v->untagged = gn_xrealloc(v->untagged, v->allocated_attention
                                               * sizeof *v->untagged);
        v->uplinks = gn_xrealloc(v->uplinks, v->allocated_attention
                                             * sizeof *v->uplinks);
        v->unmarked = gn_xrealloc(v->unmarked, v->allocated_attention
                                               * sizeof *v->unmarked);
        v->wrongly_marked = gn_xrealloc(v->wrongly_marked,
                                        v->allocated_attention
                                        * sizeof *v->wrongly_marked);
    }
    GN_STRMAP_FOR_EACH (node, &v->entries) {
        struct port_view_entry *x = node->value;
        struct port_view_port p = {
            .uuid = node->key,
            .name = x->port_name,
            .iface_uuid = x->iface_uuid,
        };

        if (x->untagged) {
            v->untagged[v->n_untagged++] = p;
        }
        if (x->uplink && x->port_name) {
            v->uplinks[v->n_uplinks++] = p;
        }
        if (x->has_flows && x->iface_uuid && !x->installed) {
            v->unmarked[v->n_unmarked++] = p;
        }
        if (x->quarantined && x->iface_uuid && x->installed) {
            v->wrongly_marked[v->n_wrongly_marked++] = p;
        }
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
        if (x->lease_expires > 0 && (!v->next_lease_expiry
                                     || x->lease_expires
                                        < v->next_lease_expiry)) {
            v->next_lease_expiry = x->lease_expires;
        }
        if (ports && x->has_flows) {
            if (v->n_ports >= v->allocated_ports) {
                v->allocated_ports = 2 * v->allocated_ports + 64;
                v->ports = gn_xrealloc(v->ports, v->allocated_ports
                                                 * sizeof *v->ports);
            }
            v->ports[v->n_ports++] = x->pp;
        }
    }
    if (ports || uplink_ofport != v->uplink_ofport) {
        v->pipeline_gen++;
    }
    v->pipeline_changed = v->results_changed = false;
}

size_t
port_view_update(struct port_view *v, const struct gn_config *cfg,
                 unsigned long long cfg_gen, const struct ovsdb_replica *r,
                 const char *br_uuid)
{
    const json_t *br = br_uuid ? ovsdb_replica_get_row(r, "Bridge", br_uuid)
                               : NULL;
    size_t n_bound = 0;

    v->update++;
    if (!br || !v->valid || cfg_gen != v->cfg_gen
        || strcmp(br_uuid, v->br_uuid)
        || !port_view_follow__(v, cfg, cfg_gen, r, br_uuid, br, &n_bound)) {
        /* Entries bound meanwhile are current: not bound again. */
        n_bound += port_view_rescan__(v, cfg, cfg_gen, r, br);
    }
    if (!v->valid || cfg_gen != v->cfg_gen) {
        v->results_changed = true;
    }
    v->valid = true;
    free(v->br_uuid);
    v->br_uuid = gn_xstrdup(br_uuid ? br_uuid : "");
    v->seqno = ovsdb_replica_seqno(r);
    v->cfg_gen = cfg_gen;
    if (v->results_changed || v->pipeline_changed) {
        port_view_results__(v, cfg);
    }
    return n_bound;
}

const struct pipeline_port *
port_view_pipeline_ports(const struct port_view *v, size_t *n)
{
    *n = v->n_ports;
    return v->ports;
}

unsigned long long
port_view_pipeline_gen(const struct port_view *v)
{
    return v->pipeline_gen;
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

size_t
port_view_untagged(const struct port_view *v,
                   const struct port_view_port **ports)
{
    *ports = v->untagged;
    return v->n_untagged;
}

size_t
port_view_uplinks(const struct port_view *v,
                  const struct port_view_port **ports)
{
    *ports = v->uplinks;
    return v->n_uplinks;
}

size_t
port_view_wrongly_marked(const struct port_view *v,
                         const struct port_view_port **ports)
{
    *ports = v->wrongly_marked;
    return v->n_wrongly_marked;
}

size_t
port_view_unmarked(const struct port_view *v,
                   const struct port_view_port **ports)
{
    *ports = v->unmarked;
    return v->n_unmarked;
}

long long
port_view_next_lease_expiry(const struct port_view *v)
{
    return v->next_lease_expiry;
}

size_t
port_view_expired_leases(const struct port_view *v, long long now,
                         const char ***names)
{
    struct gn_strmap_node *node;
    size_t n = 0;

    *names = NULL;
    GN_STRMAP_FOR_EACH (node, &v->entries) {
        const struct port_view_entry *x = node->value;

        if (x->lease_expires > 0 && x->lease_expires <= now
            && x->port_name) {
            *names = gn_xrealloc(*names, (n + 1) * sizeof **names);
            (*names)[n++] = x->port_name;
        }
    }
    return n;
}

int
port_view_plan_adoption(const struct port_view *v, struct ovsdb_txn *txn)
{
    const struct port_view_port *ports;
    size_t n = port_view_untagged(v, &ports);

    for (size_t i = 0; i < n; i++) {
        port_plan_quarantine(ports[i].uuid, ports[i].name, txn);
    }
    return n;
}

/* The name of the port whose entry holds 'key' of 'v->addrs', or NULL. */
static const char *
port_view_addr_owner__(const struct port_view *v, const char *key)
{
    const struct port_view_entry *x = gn_strmap_get(&v->addrs, key);

    return x ? (x->port_name ? x->port_name : "(unnamed)") : NULL;
}

const char *
port_view_mac_owner(const struct port_view *v, int vlan,
                    const struct netaddr_mac *mac)
{
    char buf[PORT_VIEW_KEY_SIZE], s[18];

    netaddr_format_mac(mac, s);
    port_view_addr_key__(buf, vlan, s);
    return port_view_addr_owner__(v, buf);
}

const char *
port_view_ip_owner(const struct port_view *v, int vlan,
                   const struct netaddr_ip *ip)
{
    char buf[PORT_VIEW_KEY_SIZE], s[INET6_ADDRSTRLEN];

    netaddr_format_ip(ip, s, sizeof s);
    port_view_addr_key__(buf, vlan, s);
    return port_view_addr_owner__(v, buf);
}
