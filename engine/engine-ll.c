/* engine-ll.c: IPv6 link-local addresses bound to a port on first use.
 *
 * A guest picks its link-local address itself: the EUI-64 one of its MAC
 * (always the port's), or a stable-privacy one (RFC 7217, as
 * systemd-networkd and Windows pick) or another.  The switch sends up,
 * through the port's DHCP meter ("link-local-punt", include/pipeline.h),
 * a duplicate address detection probe for an address of fe80::/64 that no
 * port holds and IPv6 from such an address.  This binds it to the port if
 * it is free: not the gateway's link-local address, nor the EUI-64 or a
 * bound link-local address of another port of the network (local or, in
 * cluster mode, remote: merged, or one of the other hosts' ports that
 * the engine knows by VLAN and MAC only, engine_remote_mac_owner__()),
 * nor queued for another port; and the port has fewer than
 * PIPELINE_LL_MAX bound ones (beyond: refused, logged and counted).  In
 * cluster mode (engine_set_ll_registrar()) the binding waits for the
 * cluster's registry to take it first (an Address row of
 * kind "link-local": cluster/cluster-ll.c); one the registry refuses
 * (another host's port holds it, or the cluster is out of reach) is
 * refused as above, so a guest never has a binding the registry does not
 * hold.  A binding is queued and written, with the port's others, to
 * its Interface's external_ids (PORTS_LINK_LOCALS_KEY) in the next
 * transaction (a change ovs-vswitchd does not read: no next_cfg; if it
 * fails, the guest's next packet asks again); the
 * port view reads it back and the pipeline allows the address to the
 * port and drops it from every other ("link-local-taken-drop").  A
 * restart finds the bindings in OVSDB and builds the same flows.
 *
 * A port's EUI-64 link-local address is its own whenever the port comes:
 * a binding of it to another port of the network (a guest that took it
 * before the port existed, on this host or another) is void from the
 * moment the port (local, being added or another host's) is known
 * (engine_ll_void__(): the pipeline never sees it) and is removed from
 * that port's Interface in the next transaction.  So no guest can keep a
 * port that comes later, or comes back, out of its own address.  (An add
 * in progress voids it in the flows only: the Interface keeps it until
 * the port is on the bridge, so a refused add takes nothing away.)  The
 * punted packet itself is not forwarded: the guest's next one passes
 * once the flows are in (a probe that meets no answer is what duplicate
 * address detection expects).
 *
 * Each packet costs a parse of its IPv6 header (and a solicitation's
 * target) and a walk of the port view's ports: nothing blocks. */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-private.h"
#include "gn-config.h"
#include "gn-log.h"
#include "ip6-frame.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "pipeline.h"
#include "port-view.h"
#include "ports.h"

GN_LOG_MODULE(link_local);

/* The most bindings waiting for a transaction. */
#define ENGINE_LL_QUEUE_MAX 256

/* True if 'a' is one of the link-local addresses bound to port 'p'. */
static bool
engine_ll_bound__(const struct pipeline_port *p, const struct in6_addr *a)
{
    for (size_t i = 0; i < p->n_lls; i++) {
        if (!memcmp(&p->lls[i].addr.v6, a, sizeof *a)) {
            return true;
        }
    }
    return false;
}

/* True if 'a' is one of the link-local addresses of port 'p' (its EUI-64
 * one, or bound). */
static bool
engine_ll_is_ports__(const struct pipeline_port *p, const struct in6_addr *a)
{
    struct in6_addr eui64;

    ip6_link_local(p->mac.b, &eui64);
    return !memcmp(&eui64, a, sizeof *a) || engine_ll_bound__(p, a);
}

/* Marks of engine_ll_void__()'s map of vlan/MAC keys: a MAC a binding
 * names, one a port has, one only an add in progress has. */
static char engine_ll_named, engine_ll_owned, engine_ll_owned_pending;

/* If port 'p''s bound link-local address 'a' is void, the EUI-64 address
 * of a MAC that another port of its network has ('owners'), returns that
 * MAC's mark (&engine_ll_owned or &engine_ll_owned_pending), else
 * NULL. */
static const char *
engine_ll_void_mark__(const struct gn_strmap *owners,
                      const struct pipeline_port *p, const struct in6_addr *a)
{
    struct netaddr_mac mac;
    const char *mark;
    char key[ENGINE_MAC_KEY_SIZE];

    if (!ip6_link_local_mac(a, mac.b)
        || !memcmp(&mac, &p->mac, sizeof mac)) {
        return NULL;
    }
    engine_mac_key__(p->vlan, &mac, key);
    mark = gn_strmap_get(owners, key);
    return (mark == &engine_ll_owned || mark == &engine_ll_owned_pending
            ? mark : NULL);
}

/* True if a bound link-local address of port 'p' is void. */
static bool
engine_ll_has_void__(const struct gn_strmap *owners,
                     const struct pipeline_port *p)
{
    for (size_t j = 0; j < p->n_lls; j++) {
        if (engine_ll_void_mark__(owners, p, &p->lls[j].addr.v6)) {
            return true;
        }
    }
    return false;
}

size_t
engine_ll_void__(struct pipeline_port *ports, size_t n, size_t pending,
                 size_t n_pending, const struct gn_strmap *macs,
                 struct netaddr_ip **bufp)
{
    struct gn_strmap owners = GN_STRMAP_INIT;
    struct gn_strmap_node *node;
    size_t n_cut_ports = 0, n_cut = 0, k = 0;
    struct netaddr_mac mac;
    char key[ENGINE_MAC_KEY_SIZE];

    /* The MACs that bindings in EUI-64 form name (few: most guests bind
     * none), then which of them a port of the network has. */
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < ports[i].n_lls; j++) {
            if (ip6_link_local_mac(&ports[i].lls[j].addr.v6, mac.b)) {
                engine_mac_key__(ports[i].vlan, &mac, key);
                gn_strmap_put(&owners, key, &engine_ll_named);
            }
        }
    }
    for (size_t i = 0; owners.n && i < n; i++) {
        bool is_pending = i >= pending && i < pending + n_pending;

        engine_mac_key__(ports[i].vlan, &ports[i].mac, key);
        if (gn_strmap_get(&owners, key)) {
            gn_strmap_put(&owners, key, is_pending ? &engine_ll_owned_pending
                                                   : &engine_ll_owned);
        }
    }
    /* (Other hosts' ports outside 'ports' come after all of them.) */
    if (macs->n) {
        GN_STRMAP_FOR_EACH (node, &owners) {
            if (gn_strmap_get(macs, node->key)) {
                node->value = &engine_ll_owned;
            }
        }
    }
    for (size_t i = 0; owners.n && i < n; i++) {
        if (engine_ll_has_void__(&owners, &ports[i])) {
            n_cut_ports++;
        }
    }
    if (n_cut_ports) {
        *bufp = gn_xrealloc(*bufp, n_cut_ports * PIPELINE_LL_MAX
                                   * sizeof **bufp);
    }
    for (size_t i = 0; k < n_cut_ports && i < n; i++) {
        struct pipeline_port *p = &ports[i];
        struct netaddr_ip *kept = *bufp + k * PIPELINE_LL_MAX;
        size_t n_kept = 0;

        if (!engine_ll_has_void__(&owners, p)) {
            continue;
        }
        for (size_t j = 0; j < p->n_lls; j++) {
            const char *mark = engine_ll_void_mark__(&owners, p,
                                                     &p->lls[j].addr.v6);

            if (!mark) {
                if (n_kept < PIPELINE_LL_MAX) {
                    kept[n_kept++] = p->lls[j];
                }
            } else if (i < pending) {
                /* Counted only if its owner is on a bridge. */
                n_cut += mark == &engine_ll_owned;
            }
        }
        p->lls = kept;
        p->n_lls = n_kept;
        k++;
    }
    gn_strmap_destroy(&owners);
    return n_cut;
}

bool
engine_ll_foreign__(const struct pipeline_port *p)
{
    struct netaddr_mac mac;

    for (size_t i = 0; i < p->n_lls; i++) {
        if (ip6_link_local_mac(&p->lls[i].addr.v6, mac.b)
            && memcmp(&mac, &p->mac, sizeof mac)) {
            return true;
        }
    }
    return false;
}

/* The name of the port (of the bridge, or another host's: merged or in
 * 'remote.macs') of the network of 'vlan' other than 'name' whose EUI-64
 * link-local address 'a' is, or NULL. */
static const char *
engine_ll_eui64_owner__(struct engine *e, int vlan, const struct in6_addr *a,
                        const char *name)
{
    struct netaddr_mac mac;

    return (ip6_link_local_mac(a, mac.b)
            ? engine_mac_owner__(e, vlan, &mac, name) : NULL);
}

const char *
engine_mac_owner__(struct engine *e, int vlan, const struct netaddr_mac *mac_,
                   const char *name)
{
    const struct engine_remote *r = &e->remote;
    const struct pipeline_port *ports;
    struct netaddr_mac mac = *mac_;
    size_t n, n_view;

    port_view_pipeline_ports(e->view, &n_view);
    ports = engine_remote_merge__(e, &n);
    for (size_t i = 0; i < n; i++) {
        bool pending = !r->plain && i >= n_view && i < n - r->n;

        if (!pending && ports[i].vlan == vlan
            && !memcmp(&ports[i].mac, &mac, sizeof mac)
            && strcmp(ports[i].name, name)) {
            return ports[i].name;
        }
    }
    return engine_remote_mac_owner__(e, vlan, &mac, name);
}

/* The link-local address that packet 'f' uses: its source or, for a
 * duplicate address detection probe (from "::"), its target.  Returns
 * NULL or a static reason. */
static const char *
engine_ll_candidate__(const struct ip6_frame *f, struct in6_addr *a)
{
    if (!IN6_IS_ADDR_UNSPECIFIED(&f->src)) {
        *a = f->src;
    } else if (f->next == IPPROTO_ICMPV6 && f->len >= 24
               && f->payload[0] == 135 && f->payload[1] == 0) {
        memcpy(a, f->payload + 8, sizeof *a);
    } else {
        return "from \"::\" but not a neighbour solicitation";
    }
    return (ip6_is_link_local64(a) ? NULL
            : "not a link-local address of fe80::/64");
}

/* Decides whether 'a' may be bound to port 'p'.  Returns NULL (queue it),
 * "" (nothing to do: it is the port's or queued for it already) or a
 * reason to refuse it (static, or in 'buf' of 'size' bytes). */
static const char *
engine_ll_check__(struct engine *e, const struct pipeline_port *p,
                  const struct in6_addr *a, char *buf, size_t size)
{
    const struct pipeline_port *ports;
    struct netaddr_mac gw, mac;
    struct in6_addr gw_ll;
    size_t n, mine = p->n_lls;
    const char *owner;

    pipeline_gateway_mac(p->vlan, &gw);
    ip6_link_local(gw.b, &gw_ll);
    if (!memcmp(&gw_ll, a, sizeof *a)) {
        return "the gateway's link-local address";
    }
    /* The bridge's ports and, in cluster mode, other hosts' (their
     * EUI-64 addresses and the bindings the registry holds for them). */
    ports = engine_remote_merge__(e, &n);
    for (size_t i = 0; i < n; i++) {
        if (ports[i].vlan == p->vlan && strcmp(ports[i].name, p->name)
            && engine_ll_is_ports__(&ports[i], a)) {
            snprintf(buf, size, "held by port %s of the network%s",
                     ports[i].name, ports[i].remote ? " (another host's)"
                                                    : "");
            return buf;
        }
    }
    /* Then other hosts' ports that only their MACs' EUI-64 addresses
     * stand for (engine-remote.c: not merged). */
    if (ip6_link_local_mac(a, mac.b)
        && (owner = engine_remote_mac_owner__(e, p->vlan, &mac, p->name))) {
        snprintf(buf, size, "held by port %s of the network (another "
                 "host's)", owner);
        return buf;
    }
    /* (After the others: a binding of the port that is void meanwhile
     * is refused, not taken for its own.) */
    if (engine_ll_is_ports__(p, a)) {
        return "";
    }
    for (size_t i = 0; i < e->n_ll_queue; i++) {
        const struct engine_ll *q = &e->ll_queue[i];

        if (q->vlan != p->vlan) {
            continue;
        }
        bool same_port = !strcmp(q->port, p->name);
        if (!memcmp(&q->addr, a, sizeof *a)) {
            return same_port ? "" : "being bound to another port";
        }
        mine += same_port;
    }
    if (mine >= PIPELINE_LL_MAX) {
        return "the port has the most bound link-local addresses already";
    }
    if (e->n_ll_queue >= ENGINE_LL_QUEUE_MAX) {
        return "too many bindings waiting for a transaction";
    }
    return NULL;
}

void
engine_ll_packet_in__(struct engine *e, const struct ofctrl_packet_in *pin)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 10);
    const char *why = NULL;
    const struct pipeline_port *p = engine_punt_port__(e, pin, &why);
    char s[INET6_ADDRSTRLEN] = "?", buf[128];
    struct in6_addr a;
    struct ip6_frame f;

    if (p && !(why = ip6_frame_parse(pin->packet, pin->len, &f))
        && !(why = engine_ll_candidate__(&f, &a))) {
        inet_ntop(AF_INET6, &a, s, sizeof s);
        why = (memcmp(f.eth_src, p->mac.b, 6)
               ? "source MAC is not the port's"
               : engine_ll_check__(e, p, &a, buf, sizeof buf));
    }
    if (!why) {
        const struct gn_network *net = gn_config_find_vlan(e->cfg, p->vlan);
        struct engine_ll *q;

        e->ll_queue = gn_xrealloc(e->ll_queue, (e->n_ll_queue + 1)
                                               * sizeof *e->ll_queue);
        q = &e->ll_queue[e->n_ll_queue++];
        q->port = gn_xstrdup(p->name);
        q->vlan = p->vlan;
        q->addr = a;
        q->in_txn = false;
        q->registering = e->ll_register != NULL;
        GN_LOG_INFO("port %s: binding link-local address %s%s", p->name, s,
                    q->registering ? " (registering it in the cluster)"
                                   : "");
        if (q->registering) {
            /* Last: the answer may come at once and drop 'q'. */
            e->ll_register(p->name, net ? net->name : "", s,
                           e->ll_register_aux);
        } else {
            engine_schedule__(e);
        }
    } else if (*why) {
        e->n_ll_refused++;
        GN_LOG_INFO_RL(&rl, "port %s (ofport %u): link-local address %s "
                       "not bound: %s", p ? p->name : "?", pin->in_port, s,
                       why);
    }
}

/* True if 'a' is one of the 'n' addresses of 'list'. */
static bool
engine_ll_in__(const struct in6_addr *list, size_t n, const struct in6_addr *a)
{
    for (size_t i = 0; i < n; i++) {
        if (!memcmp(&list[i], a, sizeof *a)) {
            return true;
        }
    }
    return false;
}

/* Adds to 'txn' the op that writes port 'name''s bindings anew: those
 * its Interface has, but those engine_ll_void__() cut from it ('cut', its
 * merged port, if it cut any), and the queued ones it lacks that are not
 * another port's EUI-64 address meanwhile (up to PIPELINE_LL_MAX in
 * all).  Marks the queued
 * ones of the port in the transaction.  Returns the number of ops. */
static int
engine_ll_write__(struct engine *e, struct ovsdb_txn *txn, const char *name,
                  const struct pipeline_port *cut)
{
    struct in6_addr list[PIPELINE_LL_MAX];
    const char *iface_uuid = NULL, *old = NULL;
    const json_t *iface = NULL;
    size_t n = 0, added = 0, removed = 0;
    struct gn_buf text = GN_BUF_INIT;
    char *copy, *save = NULL;

    iface = engine_find_iface__(e, name, &iface_uuid);
    old = iface ? ovsdb_datum_map_get_string(iface, "external_ids",
                                             PORTS_LINK_LOCALS_KEY) : NULL;
    copy = gn_xstrdup(old ? old : "");
    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        struct in6_addr a;

        if (inet_pton(AF_INET6, t, &a) != 1) {
            continue;
        }
        if (cut && !engine_ll_bound__(cut, &a)
            && engine_ll_eui64_owner__(e, cut->vlan, &a, name)) {
            removed++;
        } else if (n < PIPELINE_LL_MAX && !engine_ll_in__(list, n, &a)) {
            list[n++] = a;
        }
    }
    free(copy);
    for (size_t i = 0; i < e->n_ll_queue; i++) {
        struct engine_ll *q = &e->ll_queue[i];

        if (q->in_txn || q->registering || strcmp(q->port, name)) {
            continue;
        }
        q->in_txn = true;
        if (n < PIPELINE_LL_MAX && !engine_ll_in__(list, n, &q->addr)
            && !engine_ll_eui64_owner__(e, q->vlan, &q->addr, name)) {
            list[n++] = q->addr;
            added++;
        }
    }
    if (!iface || (!added && !removed)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char s[INET6_ADDRSTRLEN];

        inet_ntop(AF_INET6, &list[i], s, sizeof s);
        gn_buf_printf(&text, "%s%s", i ? "," : "", s);
    }
    ovsdb_txn_mutate(txn, "Interface", ovsdb_where_uuid(iface_uuid),
                     n ? json_pack("[[s, s, [s, [s]]], [s, s, o]]",
                                   "external_ids", "delete", "set",
                                   PORTS_LINK_LOCALS_KEY,
                                   "external_ids", "insert",
                                   ovsdb_datum_map(json_pack(
                                       "{s:s}", PORTS_LINK_LOCALS_KEY,
                                       gn_buf_cstr(&text))))
                       : json_pack("[[s, s, [s, [s]]]]", "external_ids",
                                   "delete", "set", PORTS_LINK_LOCALS_KEY));
    gn_buf_destroy(&text);
    e->n_ll_bound += added;
    e->n_ll_unbound += removed;
    if (removed) {
        GN_LOG_INFO("port %s: %zu link-local address%s unbound (another "
                    "port's own EUI-64 address)", name, removed,
                    removed == 1 ? "" : "es");
    }
    return 1;
}

int
engine_ll_plan__(struct engine *e, struct ovsdb_txn *txn)
{
    const char *br = engine_bridge_uuid__(e);
    struct gn_strmap todo = GN_STRMAP_INIT;
    const struct engine_remote *r = &e->remote;
    struct gn_strmap_node *node;
    int n_ops = 0;
    size_t n;

    if (!br) {
        return 0;
    }
    /* Entries still marked belong to a pass whose transaction carried
     * nothing (none is in flight while a transaction is planned). */
    engine_ll_txn_done__(e);
    /* The bridge's ports whose bindings engine_ll_void__() cut... */
    engine_remote_merge__(e, &n);
    if (r->n_voided_local) {
        size_t n_view;
        const struct pipeline_port *view = port_view_pipeline_ports(
            e->view, &n_view);

        for (size_t i = 0; i < r->n_merged_view && i < n_view; i++) {
            if (r->merged[i].n_lls < view[i].n_lls) {
                gn_strmap_put(&todo, view[i].name, &r->merged[i]);
            }
        }
    }
    /* ...and those with queued bindings. */
    for (size_t i = 0; i < e->n_ll_queue; i++) {
        const struct engine_ll *q = &e->ll_queue[i];

        if (!q->in_txn && !q->registering
            && !gn_strmap_get(&todo, q->port)) {
            gn_strmap_put(&todo, q->port, NULL);
        }
    }
    GN_STRMAP_FOR_EACH (node, &todo) {
        n_ops += engine_ll_write__(e, txn, node->key, node->value);
    }
    gn_strmap_destroy(&todo);
    return n_ops;
}

void
engine_ll_txn_done__(struct engine *e)
{
    size_t k = 0;

    for (size_t i = 0; i < e->n_ll_queue; i++) {
        struct engine_ll *q = &e->ll_queue[i];

        if (q->in_txn) {
            free(q->port);
        } else {
            e->ll_queue[k++] = *q;
        }
    }
    e->n_ll_queue = k;
}

bool
engine_ll_queued__(const struct engine *e)
{
    if (e->remote.n_voided_local) {
        return true;
    }
    for (size_t i = 0; i < e->n_ll_queue; i++) {
        if (!e->ll_queue[i].in_txn && !e->ll_queue[i].registering) {
            return true;
        }
    }
    return false;
}

void
engine_set_ll_registrar(struct engine *e, engine_ll_register_cb *cb,
                        void *aux)
{
    e->ll_register = cb;
    e->ll_register_aux = aux;
}

void
engine_ll_registered(struct engine *e, const char *port, const char *ll,
                     const char *error)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 10);
    struct in6_addr a;

    if (inet_pton(AF_INET6, ll, &a) != 1) {
        return;
    }
    for (size_t i = 0; i < e->n_ll_queue; i++) {
        struct engine_ll *q = &e->ll_queue[i];

        if (!q->registering || strcmp(q->port, port)
            || memcmp(&q->addr, &a, sizeof a)) {
            continue;
        }
        if (!error) {
            q->registering = false;
            engine_schedule__(e);
            return;
        }
        e->n_ll_refused++;
        GN_LOG_INFO_RL(&rl, "port %s: link-local address %s not bound: %s",
                       port, ll, error);
        free(q->port);
        e->ll_queue[i] = e->ll_queue[--e->n_ll_queue];
        return;
    }
}

void
engine_ll_destroy__(struct engine *e)
{
    for (size_t i = 0; i < e->n_ll_queue; i++) {
        free(e->ll_queue[i].port);
    }
    free(e->ll_queue);
}
