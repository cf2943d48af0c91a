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
 * cluster mode, remote), nor queued for another port; and the port has
 * fewer than PIPELINE_LL_MAX bound ones (beyond: refused, logged and
 * counted).  In cluster mode (engine_set_ll_registrar()) the binding
 * waits for the cluster's registry to take it first (an Address row of
 * kind "link-local": cluster/cluster-ll.c); one the registry refuses
 * (another host's port holds it, or the cluster is out of reach) is
 * refused as above, so a guest never has a binding the registry does not
 * hold.  A binding is queued and written, with the port's others, to
 * its Interface's external_ids (PORTS_LINK_LOCALS_KEY) in the next
 * transaction (a change ovs-vswitchd does not read: no next_cfg; if it
 * fails, the guest's next packet asks again); the
 * port view reads it back and the pipeline allows the address to the
 * port and drops it from every other ("link-local-taken-drop").  A
 * restart finds the bindings in OVSDB and builds the same flows.  The
 * punted packet itself is not forwarded: the guest's next one passes
 * once the flows are in (a probe that meets no answer is what duplicate
 * address detection expects).
 *
 * Each packet costs a parse of its IPv6 header (and a solicitation's
 * target) and a walk of the port view's ports: nothing blocks. */
#include <config.h>

#include <arpa/inet.h>
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

/* True if 'a' is one of the link-local addresses of port 'p' (its EUI-64
 * one, or bound). */
static bool
engine_ll_is_ports__(const struct pipeline_port *p, const struct in6_addr *a)
{
    struct in6_addr eui64;

    ip6_link_local(p->mac.b, &eui64);
    if (!memcmp(&eui64, a, sizeof *a)) {
        return true;
    }
    for (size_t i = 0; i < p->n_lls; i++) {
        if (!memcmp(&p->lls[i].addr.v6, a, sizeof *a)) {
            return true;
        }
    }
    return false;
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
 * static reason to refuse it. */
static const char *
engine_ll_check__(struct engine *e, const struct pipeline_port *p,
                  const struct in6_addr *a)
{
    const struct pipeline_port *ports;
    struct netaddr_mac gw;
    struct in6_addr gw_ll;
    size_t n, mine = p->n_lls;

    if (engine_ll_is_ports__(p, a)) {
        return "";
    }
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
            return "held by another port of the network";
        }
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
    char s[INET6_ADDRSTRLEN] = "?";
    struct in6_addr a;
    struct ip6_frame f;

    if (p && !(why = ip6_frame_parse(pin->packet, pin->len, &f))
        && !(why = engine_ll_candidate__(&f, &a))) {
        inet_ntop(AF_INET6, &a, s, sizeof s);
        why = (memcmp(f.eth_src, p->mac.b, 6)
               ? "source MAC is not the port's"
               : engine_ll_check__(e, p, &a));
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

/* Adds to 'list' the addresses queued for port 'name' that it lacks, up
 * to PIPELINE_LL_MAX in all ('n' already), and marks them in the
 * transaction.  Returns the number added. */
static size_t
engine_ll_append__(struct engine *e, const char *name, struct gn_buf *list,
                   size_t n)
{
    size_t added = 0;

    for (size_t i = 0; i < e->n_ll_queue; i++) {
        struct engine_ll *q = &e->ll_queue[i];
        char s[INET6_ADDRSTRLEN];

        if (q->in_txn || q->registering || strcmp(q->port, name)) {
            continue;
        }
        q->in_txn = true;
        inet_ntop(AF_INET6, &q->addr, s, sizeof s);
        if (n < PIPELINE_LL_MAX && !strstr(gn_buf_cstr(list), s)) {
            gn_buf_printf(list, "%s%s", list->len ? "," : "", s);
            n++;
            added++;
        }
    }
    return added;
}

int
engine_ll_plan__(struct engine *e, struct ovsdb_txn *txn)
{
    const char *br = engine_bridge_uuid__(e);
    int n_ops = 0;

    for (size_t i = 0; br && i < e->n_ll_queue; i++) {
        const struct engine_ll *q = &e->ll_queue[i];
        const char *iface_uuid = NULL, *old;
        const json_t *iface = NULL;
        struct gn_buf list = GN_BUF_INIT;
        char *uuid;
        size_t n = 0;

        if (q->in_txn || q->registering) {
            continue;
        }
        if ((uuid = port_find(e->replica, br, q->port))) {
            iface = port_iface(e->replica, ovsdb_replica_get_row(
                                   e->replica, "Port", uuid), &iface_uuid);
            free(uuid);
        }
        old = iface ? ovsdb_datum_map_get_string(iface, "external_ids",
                                                 PORTS_LINK_LOCALS_KEY)
                    : NULL;
        if (old && *old) {
            gn_buf_printf(&list, "%s", old);
            for (const char *c = old; *c; c++) {
                n += *c == ',';
            }
            n++;
        }
        size_t added = engine_ll_append__(e, q->port, &list, n);
        if (iface && added) {
            ovsdb_txn_mutate(txn, "Interface", ovsdb_where_uuid(iface_uuid),
                             json_pack("[[s, s, [s, [s]]], [s, s, o]]",
                                       "external_ids", "delete", "set",
                                       PORTS_LINK_LOCALS_KEY,
                                       "external_ids", "insert",
                                       ovsdb_datum_map(json_pack(
                                           "{s:s}", PORTS_LINK_LOCALS_KEY,
                                           gn_buf_cstr(&list)))));
            n_ops++;
            e->n_ll_bound += added;
        }
        gn_buf_destroy(&list);
    }
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
