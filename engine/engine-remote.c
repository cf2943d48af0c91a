/* engine-remote.c: what the engine knows of other hosts in cluster mode:
 * this host's router MAC (the source of routed frames it sends to the
 * fabric), the ports of other hosts (those with addresses the pipeline
 * routes to over the uplink), with the link-local addresses the registry
 * binds to them, which no guest here may use, nor their EUI-64 ones, and
 * the bridge's ports that a live migration blocks.  The pipeline sees
 * the bridge's ports (blocked ones flagged), the ports of the adds in
 * progress (engine-ofport.c), then the other hosts', in one array that
 * stays the same while none of it changes, without the link-local
 * bindings that are another port's EUI-64 address (engine_ll_void__()).
 *
 * Other hosts' ports that the pipeline builds nothing for (no addresses
 * nor bindings, in a network that is not private: most of a large
 * registry's) stay out of that array: the engine keeps only their names
 * by VLAN and MAC ('remote.macs'), which engine-ll.c consults for their
 * EUI-64 link-local addresses besides the array's ports.  A config
 * change that makes a network private, or no longer private, moves its
 * ports between the two (engine_remote_config__()). */
#include <config.h>

#include "engine-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-util.h"
#include "pipeline.h"
#include "port-view.h"

void
engine_port_copy__(struct pipeline_port *dst, const struct pipeline_port *src)
{
    struct netaddr_ip *ips = gn_xcalloc(src->n_ips + 1, sizeof *ips);
    struct netaddr_ip *lls = gn_xcalloc(src->n_lls + 1, sizeof *lls);

    *dst = *src;
    dst->name = gn_xstrdup(src->name);
    if (src->n_ips) {
        memcpy(ips, src->ips, src->n_ips * sizeof *ips);
    }
    dst->ips = ips;
    if (src->n_lls) {           /* (A pending port's 'lls' is NULL.) */
        memcpy(lls, src->lls, src->n_lls * sizeof *lls);
    }
    dst->lls = lls;
}

void
engine_port_clear__(struct pipeline_port *p)
{
    free((char *) p->name);
    free((struct netaddr_ip *) p->ips);
    free((struct netaddr_ip *) p->lls);
}

void
engine_ports_free__(struct pipeline_port *ports, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        engine_port_clear__(&ports[i]);
    }
    free(ports);
}

void
engine_mac_key__(int vlan, const struct netaddr_mac *mac,
                 char key[ENGINE_MAC_KEY_SIZE])
{
    char text[18];

    netaddr_format_mac(mac, text);
    snprintf(key, ENGINE_MAC_KEY_SIZE, "%d/%s", vlan, text);
}

/* Fills 'vlans' (a bit per VLAN) with the VLANs of the private networks
 * of 'cfg'. */
static void
engine_remote_private_vlans__(const struct gn_config *cfg,
                              uint8_t vlans[4096 / 8])
{
    memset(vlans, 0, 4096 / 8);
    for (size_t i = 0; cfg && i < cfg->n_networks; i++) {
        int vlan = cfg->networks[i].vlan;

        if (cfg->networks[i].private_ && vlan >= 0 && vlan < 4096) {
            vlans[vlan / 8] |= 1u << (vlan % 8);
        }
    }
}

/* True if 'vlan' is that of a private network in 'r->private_vlans'. */
static bool
engine_remote_private__(const struct engine_remote *r, int vlan)
{
    return (vlan >= 0 && vlan < 4096
            && r->private_vlans[vlan / 8] & (1u << (vlan % 8)));
}

/* True if the pipeline builds nothing for another host's port 'p' with
 * the private networks of 'r->private_vlans': it belongs in
 * 'r->macs'. */
static bool
engine_remote_is_bare__(const struct engine_remote *r,
                        const struct pipeline_port *p)
{
    static const struct gn_limits no_limits;

    return (!p->n_ips && !p->n_lls && !p->server
            && !engine_remote_private__(r, p->vlan)
            && !memcmp(&p->limits, &no_limits, sizeof no_limits));
}

/* Adds port 'p' (engine_remote_is_bare__()) to 'r->macs', after those of
 * its VLAN and MAC. */
static void
engine_remote_mac_add__(struct engine_remote *r,
                        const struct pipeline_port *p)
{
    size_t len = strlen(p->name) + 1;
    struct engine_remote_mac *m = gn_xmalloc(sizeof *m + len);
    struct engine_remote_mac *first, **tail;
    char key[ENGINE_MAC_KEY_SIZE];

    m->next = NULL;
    m->vlan = p->vlan;
    m->mac = p->mac;
    memcpy(m->name, p->name, len);
    engine_mac_key__(p->vlan, &p->mac, key);
    first = gn_strmap_get(&r->macs, key);
    if (!first) {
        gn_strmap_put(&r->macs, key, m);
        return;
    }
    for (tail = &first->next; *tail; tail = &(*tail)->next) {
        continue;
    }
    *tail = m;
}

/* Frees the entries of 'r->macs' and empties it. */
static void
engine_remote_macs_clear__(struct engine_remote *r)
{
    struct gn_strmap_node *node;

    GN_STRMAP_FOR_EACH (node, &r->macs) {
        for (struct engine_remote_mac *m = node->value, *next; m; m = next) {
            next = m->next;
            free(m);
        }
    }
    gn_strmap_destroy(&r->macs);
}

const char *
engine_remote_mac_owner__(const struct engine *e, int vlan,
                          const struct netaddr_mac *mac,
                          const char *other_than)
{
    const struct engine_remote_mac *m;
    char key[ENGINE_MAC_KEY_SIZE];

    if (!e->remote.macs.n) {
        return NULL;
    }
    engine_mac_key__(vlan, mac, key);
    for (m = gn_strmap_get(&e->remote.macs, key); m; m = m->next) {
        if (!other_than || strcmp(m->name, other_than)) {
            return m->name;
        }
    }
    return NULL;
}

static void
engine_remote_clear__(struct engine_remote *r)
{
    engine_ports_free__(r->ports, r->n);
    r->ports = NULL;
    r->n = 0;
    engine_remote_macs_clear__(r);
}

void
engine_set_remote(struct engine *e, const struct netaddr_mac *router_mac,
                  const struct pipeline_port *ports, size_t n)
{
    struct engine_remote *r = &e->remote;
    size_t n_full = 0;

    engine_remote_clear__(r);
    r->has_router_mac = router_mac != NULL;
    if (router_mac) {
        r->router_mac = *router_mac;
    }
    engine_remote_private_vlans__(e->cfg, r->private_vlans);
    for (size_t i = 0; i < n; i++) {
        n_full += !engine_remote_is_bare__(r, &ports[i]);
    }
    r->ports = gn_xcalloc(n_full + 1, sizeof *r->ports);
    for (size_t i = 0; i < n; i++) {
        struct pipeline_port *p = &r->ports[r->n];

        if (engine_remote_is_bare__(r, &ports[i])) {
            engine_remote_mac_add__(r, &ports[i]);
            continue;
        }
        engine_port_copy__(p, &ports[i]);
        p->ofport = 0;
        p->remote = true;
        r->n++;
    }
    r->gen++;
    engine_schedule__(e);
}

void
engine_remote_config__(struct engine *e)
{
    struct engine_remote *r = &e->remote;
    struct gn_strmap_node *node, *next;
    uint8_t vlans[sizeof r->private_vlans];
    struct pipeline_port *ports;
    size_t n = 0;

    engine_remote_private_vlans__(e->cfg, vlans);
    if (!memcmp(vlans, r->private_vlans, sizeof vlans)) {
        return;
    }
    memcpy(r->private_vlans, vlans, sizeof vlans);
    if (!r->n && !r->macs.n) {
        return;
    }
    /* The ports that stay, then those of 'macs' now in a private
     * network. */
    GN_STRMAP_FOR_EACH (node, &r->macs) {
        for (const struct engine_remote_mac *m = node->value; m;
             m = m->next) {
            n++;
        }
    }
    ports = gn_xcalloc(r->n + n + 1, sizeof *ports);
    n = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (engine_remote_is_bare__(r, &r->ports[i])) {
            engine_remote_mac_add__(r, &r->ports[i]);
            engine_port_clear__(&r->ports[i]);
        } else {
            ports[n++] = r->ports[i];
        }
    }
    GN_STRMAP_FOR_EACH_SAFE (node, next, &r->macs) {
        struct engine_remote_mac *m = node->value, *m_next;

        if (!engine_remote_private__(r, m->vlan)) {
            continue;
        }
        for (; m; m = m_next) {
            struct pipeline_port p = {
                .name = m->name, .vlan = m->vlan, .mac = m->mac,
                .remote = true,
            };

            m_next = m->next;
            engine_port_copy__(&ports[n++], &p);
            free(m);
        }
        gn_strmap_remove(&r->macs, node->key);
    }
    free(r->ports);
    r->ports = ports;
    r->n = n;
    r->gen++;
    engine_schedule__(e);
}

void
engine_set_blocked(struct engine *e, const char *const *names, size_t n)
{
    struct engine_remote *r = &e->remote;

    /* (The values are not allocated: the map is a set.) */
    gn_strmap_destroy(&r->blocked);
    r->blocked = (struct gn_strmap) GN_STRMAP_INIT;
    for (size_t i = 0; i < n; i++) {
        gn_strmap_put(&r->blocked, names[i], r);
    }
    r->gen++;
    engine_schedule__(e);
}

const struct pipeline_port *
engine_bridge_ports(struct engine *e, size_t *n)
{
    return port_view_pipeline_ports(engine_view__(e), n);
}

bool
engine_is_blocked(const struct engine *e, const char *name)
{
    return gn_strmap_get(&e->remote.blocked, name) != NULL;
}

const struct pipeline_port *
engine_remote_merge__(struct engine *e, size_t *n)
{
    struct engine_remote *r = &e->remote;
    size_t n_view, n_pending;
    const struct pipeline_port *view = port_view_pipeline_ports(e->view,
                                                                &n_view);
    unsigned long long view_gen = port_view_pipeline_gen(e->view);
    const struct pipeline_port *pending = engine_ofport_pending__(
        e, view, n_view, &n_pending);

    if (!r->merged_valid || r->merged_view_gen != view_gen
        || r->merged_gen != r->gen
        || r->merged_pending_gen != e->pending.gen) {
        bool lls = false;

        /* (Only a binding in another MAC's EUI-64 form can be void.) */
        for (size_t i = 0; i < n_view && !lls; i++) {
            lls = engine_ll_foreign__(&view[i]);
        }
        for (size_t i = 0; i < r->n && !lls; i++) {
            lls = engine_ll_foreign__(&r->ports[i]);
        }
        /* Without other hosts' ports, blocked ports, adds in progress
         * and link-local bindings that the merge could cut, the view is
         * the array. */
        r->plain = !r->n && !r->blocked.n && !n_pending && !lls;
        free(r->merged);
        r->merged = NULL;
        r->n_merged = r->n_merged_view = r->n_voided_local = 0;
        if (!r->plain) {
            r->merged = gn_xcalloc(n_view + n_pending + r->n + 1,
                                   sizeof *r->merged);
            for (size_t i = 0; i < n_view; i++) {
                r->merged[i] = view[i];
                r->merged[i].blocked = engine_is_blocked(e, view[i].name);
            }
            for (size_t i = 0; i < n_pending; i++) {
                r->merged[n_view + i] = pending[i];
            }
            for (size_t i = 0; i < r->n; i++) {
                r->merged[n_view + n_pending + i] = r->ports[i];
            }
            r->n_merged = n_view + n_pending + r->n;
            r->n_merged_view = n_view;
            if (lls) {
                r->n_voided_local = engine_ll_void__(
                    r->merged, r->n_merged, n_view, n_pending, &r->macs,
                    &r->merged_lls);
            }
        }
        r->merged_valid = true;
        r->merged_view_gen = view_gen;
        r->merged_gen = r->gen;
        r->merged_pending_gen = e->pending.gen;
    }
    if (r->plain) {
        *n = n_view;
        return view;
    }
    *n = r->n_merged;
    return r->merged;
}

void
engine_remote_destroy__(struct engine *e)
{
    engine_remote_clear__(&e->remote);
    gn_strmap_destroy(&e->remote.blocked);
    free(e->remote.merged);
    e->remote.merged = NULL;
    free(e->remote.merged_lls);
    e->remote.merged_lls = NULL;
    e->remote.merged_valid = false;
}
