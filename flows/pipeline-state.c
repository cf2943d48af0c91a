/* pipeline-state.c: incremental building of the pipeline's flows (see
 * include/pipeline.h).
 *
 * Owns struct pipeline_state: one group per built piece of the pipeline
 * (one map of names per kind: the global flows, a network by VLAN, a flood
 * chunk by "VLAN/CHUNK", a port by name), each with the bytes of the input
 * it was built from (its key) and the flows it added to the table; and the
 * meter table of the port groups' meters, each added and removed with its
 * group's flows.  An update computes every group's key from the new
 * input, which costs O(ports) with small constants, and rebuilds only the
 * groups whose key changed; the expensive part, writing and normalizing
 * flows, is thus proportional to the change.
 *
 * Rounds.  With a deadline (see include/pipeline.h), one pass over the
 * groups may take several calls; a round is the calls from the first of a
 * pass to the one that completes it.  A call over a new input starts the
 * pass over (the groups it already rebuilt match their keys: a glance
 * each); a call over the same input resumes at the port where the last
 * stopped.  A group that failed earlier in the round with the same key is
 * not retried, so a group that cannot be built costs one try per round,
 * not one per call.  The retry after a clash (the second pass) comes once
 * the round has completed its pass.  Memory: the groups of the current
 * input, their keys, the errors of the failed ones, a meter per port
 * group, and the sorted ports (with their groups) of a pass that may
 * resume. */
#include <config.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow-table.h"
#include "gn-config.h"
#include "gn-util.h"
#include "meter-table.h"
#include "pipeline-private.h"
#include "pipeline.h"

enum pipeline_group_kind {
    PIPELINE_GROUP_GLOBAL,
    PIPELINE_GROUP_NETWORK,
    PIPELINE_GROUP_FLOOD,       /* A network's flood chunk, "VLAN/CHUNK". */
    PIPELINE_GROUP_PORT,
    PIPELINE_GROUP_REMOTE,      /* Another host's port, by name. */
};
#define PIPELINE_N_GROUP_KINDS (PIPELINE_GROUP_REMOTE + 1)

struct pipeline_group {
    struct gn_buf key;          /* The input its flows were built from. */
    bool failed;                /* Not built, or built with an error:
                                 * rebuild next time. */
    char *error;                /* Why it failed, or NULL. */
    unsigned long long failed_round;    /* The round it failed in. */
    int ofport;                 /* PIPELINE_GROUP_PORT: as built. */
    unsigned long long seen;    /* The last update that had this group. */
    unsigned long long synced;  /* The last pass that synced it. */
    const struct flow_entry **flows;    /* In the table. */
    size_t n_flows;
    uint32_t meter_ids[PIPELINE_PORT_MAX_METERS];  /* PIPELINE_GROUP_PORT:
                                 * its meters in the state's meters. */
    size_t n_meters;
    long long build_us;         /* How long its last build took. */
};

/* The ports of an update that get flows, by ofport, and their IPv4 and
 * IPv6 addresses, sorted, to find those that two ports declare. */
struct pipeline_update_ports {
    const struct pipeline_port **sorted;
    struct pipeline_group **groups;     /* Each one's group, if known. */
    size_t n_sorted;
    uint32_t *v4;
    size_t n_v4;
    struct in6_addr *v6;
    size_t n_v6;
    const struct pipeline_port **remote;    /* Other hosts' ports routed
                                             * to (cluster mode). */
    size_t n_remote;
    uint8_t servers[4096 / 8];  /* Bit VLAN: a server port in there. */
};
#define PIPELINE_HAS_SERVER(UP, VLAN) \
    (((UP)->servers[(VLAN) / 8] >> ((VLAN) % 8)) & 1)

struct pipeline_state {
    struct gn_strmap groups[PIPELINE_N_GROUP_KINDS];   /* Name -> group. */
    struct meter_table *meters; /* Those of the port groups' flows. */
    unsigned long long update;  /* Counts updates. */
    unsigned long long pass;    /* Counts passes over the groups. */
    bool have_cfg;
    unsigned long long cfg_gen; /* Of the groups' flows. */
    unsigned long long round;   /* Counts rounds (see above), from 1. */
    bool in_round;              /* The last call did not complete. */
    size_t round_removed;       /* Flows removed so far in this round. */
    /* An incomplete pass that stopped among the ports, kept so that a call
     * with the same input (pipeline_input.same_input) goes on from port
     * 'resume_port' of 'resume_up' without sorting, marking and comparing
     * again what it already did. */
    bool can_resume;
    struct pipeline_update_ports resume_up;
    size_t resume_port;
    char *round_error;          /* The first error since the last full
                                 * pass (a resumed pass does not see
                                 * again the groups that failed before
                                 * it). */
};

struct pipeline_state *
pipeline_state_create(void)
{
    struct pipeline_state *st = gn_xzalloc(sizeof *st);

    for (int k = 0; k < PIPELINE_N_GROUP_KINDS; k++) {
        st->groups[k] = (struct gn_strmap) GN_STRMAP_INIT;
    }
    st->meters = meter_table_create();
    st->round = 1;
    return st;
}

static void
pipeline_group_free__(struct pipeline_group *g)
{
    gn_buf_destroy(&g->key);
    free(g->error);
    free(g->flows);
    free(g);
}

static void
pipeline_update_ports_free__(struct pipeline_update_ports *up)
{
    free(up->sorted);
    free(up->groups);
    free(up->v4);
    free(up->v6);
    free(up->remote);
}

void
pipeline_state_destroy(struct pipeline_state *st)
{
    struct gn_strmap_node *node;

    if (!st) {
        return;
    }
    for (int k = 0; k < PIPELINE_N_GROUP_KINDS; k++) {
        GN_STRMAP_FOR_EACH (node, &st->groups[k]) {
            pipeline_group_free__(node->value);
        }
        gn_strmap_destroy(&st->groups[k]);
    }
    meter_table_destroy(st->meters);
    pipeline_update_ports_free__(&st->resume_up);
    free(st->round_error);
    free(st);
}

static struct pipeline_group *
pipeline_group_find__(const struct pipeline_state *st,
                      enum pipeline_group_kind kind, const char *name)
{
    return gn_strmap_get(&st->groups[kind], name);
}

/* Removes the flows of 'g' from 'table' and its meter from 'st'. */
static void
pipeline_group_clear__(struct pipeline_state *st, struct pipeline_group *g,
                       struct flow_table *table,
                       struct pipeline_update_stats *stats)
{
    for (size_t i = 0; i < g->n_flows; i++) {
        flow_table_remove(table, g->flows[i]);
    }
    for (size_t i = 0; i < g->n_meters; i++) {
        meter_table_remove(st->meters, g->meter_ids[i]);
    }
    g->n_meters = 0;
    stats->flows_removed += g->n_flows;
    free(g->flows);
    g->flows = NULL;
    g->n_flows = 0;
}

/* What a group's flows are built from. */
struct pipeline_group_input {
    const struct gn_config *cfg;
    const struct gn_network *net;
    const struct pipeline_port *port;   /* PIPELINE_GROUP_PORT. */
    const bool *routed;                 /* PIPELINE_GROUP_PORT; REMOTE:
                                         * those no port here holds. */
    const int *chunks;                  /* PIPELINE_GROUP_NETWORK. */
    size_t n_chunks;
    int chunk;                          /* PIPELINE_GROUP_FLOOD, */
    const int *ofports;                 /* with the ofports in it. */
    size_t n_ofports;
    int uplink_ofport;
    const struct netaddr_mac *router_mac;   /* Cluster mode, or NULL. */
    bool has_server;                    /* The network has a server
                                         * port here (NETWORK, PORT and
                                         * REMOTE). */
};

/* Creates the group 'kind'/'name', not built yet. */
static struct pipeline_group *
pipeline_group_create__(struct pipeline_state *st,
                        enum pipeline_group_kind kind, const char *name)
{
    struct pipeline_group *g = gn_xzalloc(sizeof *g);

    g->failed = true;
    gn_strmap_put(&st->groups[kind], name, g);
    return g;
}

/* Removes 'g', the group 'kind'/'name', from 'st' and frees it; its flows
 * must be gone. */
static void
pipeline_group_delete__(struct pipeline_state *st,
                        enum pipeline_group_kind kind, const char *name,
                        struct pipeline_group *g)
{
    gn_strmap_remove(&st->groups[kind], name);
    pipeline_group_free__(g);
}

/* How one pass over the groups goes. */
struct pipeline_pass {
    long long deadline;         /* See struct pipeline_input; 0: none. */
    bool retry_failed;          /* Retry the groups failed in this round. */
    size_t n_built;             /* Groups rebuilt so far. */
    bool stopped;               /* At the deadline, before the end. */
    bool stopped_in_ports;      /* At port 'stop_port' of the sorted ones. */
    size_t stop_port;
};

/* True if 'pass' may not rebuild group 'g' now: it rebuilt one already and
 * its deadline has come, or would pass before 'g' is built again if that
 * takes as long as last time (so a long group goes first in a call). */
static bool
pipeline_pass_must_stop__(const struct pipeline_pass *pass,
                          const struct pipeline_group *g)
{
    return pass->deadline && pass->n_built
           && gn_time_usec() + g->build_us >= pass->deadline;
}

/* Makes the group 'kind'/'name' hold the flows of 'in', whose key is
 * 'key': keeps it if it was built from the same key, rebuilds it
 * otherwise, unless 'pass' must stop (then it sets 'pass->stopped' and
 * leaves the group as it is).  A group that failed in this round with the
 * same key is retried only if 'pass->retry_failed'.  Stores the first
 * error in '*errorp' (that of a group not retried too).  With 'hint'
 * nonnull, '*hint' is the group if nonnull (no lookup), and is set to it
 * otherwise. */
static void
pipeline_group_sync__(struct pipeline_state *st, struct flow_table *table,
                      enum pipeline_group_kind kind, const char *name,
                      struct pipeline_group **hint,
                      const struct gn_buf *key,
                      const struct pipeline_group_input *in,
                      struct pipeline_pass *pass,
                      struct pipeline_update_stats *stats, char **errorp)
{
    struct pipeline_group *g = (hint && *hint ? *hint
                                : pipeline_group_find__(st, kind, name));
    struct pipeline_ctx ctx = { .table = table };
    bool same_key;

    if (!g) {
        g = pipeline_group_create__(st, kind, name);
    }
    if (hint) {
        *hint = g;
    }
    if (g->synced == st->pass) {
        return;                 /* Two ports of one name: the first wins. */
    }
    g->seen = st->update;
    g->synced = st->pass;
    same_key = (g->key.len == key->len
                && !memcmp(gn_buf_cstr(&g->key), gn_buf_cstr(key),
                           key->len));
    if (same_key && !g->failed) {
        return;
    }
    if (same_key && g->error && g->failed_round == st->round
        && !pass->retry_failed) {
        if (!*errorp) {
            *errorp = gn_xstrdup(g->error);
        }
        return;
    }
    if (pipeline_pass_must_stop__(pass, g)) {
        pass->stopped = true;
        g->synced = 0;          /* A resumed pass starts with it. */
        return;
    }
    pass->n_built++;
    long long start = gn_time_usec();

    pipeline_group_clear__(st, g, table, stats);
    free(g->error);
    g->error = NULL;
    switch (kind) {
    case PIPELINE_GROUP_GLOBAL:
        pipeline_global_flows(&ctx, in->cfg);
        break;
    case PIPELINE_GROUP_NETWORK:
        pipeline_network_flows(&ctx, in->net, in->chunks, in->n_chunks,
                               in->uplink_ofport, in->router_mac,
                               in->has_server);
        break;
    case PIPELINE_GROUP_REMOTE:
        pipeline_remote_port_flows(&ctx, in->net, in->port, in->routed,
                                   in->has_server, in->uplink_ofport,
                                   in->router_mac);
        break;
    case PIPELINE_GROUP_FLOOD:
        pipeline_flood_chunk_flows(&ctx, in->net, in->chunk, in->ofports,
                                   in->n_ofports);
        break;
    case PIPELINE_GROUP_PORT:
        pipeline_port_flows(&ctx, in->cfg, in->net, in->port, in->routed,
                            in->has_server, in->uplink_ofport,
                            in->router_mac);
        g->ofport = in->port->ofport;
        if (!ctx.error) {
            ctx.error = pipeline_port_meters(in->cfg, in->net, in->port,
                                             st->meters, g->meter_ids,
                                             &g->n_meters);
        }
        break;
    }
    g->flows = ctx.flows;
    g->n_flows = ctx.n_flows;
    g->build_us = gn_time_usec() - start;
    stats->groups_built++;
    stats->flows_added += ctx.n_flows;
    gn_buf_clear(&g->key);
    gn_buf_put(&g->key, gn_buf_cstr(key), key->len);
    g->failed = ctx.error != NULL;
    if (ctx.error) {
        /* Half a group would be worse than none: a port without its
         * flows is dropped by default. */
        pipeline_group_clear__(st, g, table, stats);
        stats->flows_added -= ctx.n_flows;
        stats->flows_removed -= ctx.n_flows;
        g->error = ctx.error;
        g->failed_round = st->round;
        if (!*errorp) {
            *errorp = gn_xstrdup(ctx.error);
        }
    }
}

/* Removes the groups that the update 'st->update' did not see. */
static void
pipeline_state_sweep__(struct pipeline_state *st, struct flow_table *table,
                       struct pipeline_update_stats *stats)
{
    struct gn_strmap_node *node, *next;

    for (int k = 0; k < PIPELINE_N_GROUP_KINDS; k++) {
        GN_STRMAP_FOR_EACH_SAFE (node, next, &st->groups[k]) {
            struct pipeline_group *g = node->value;

            if (g->seen != st->update) {
                pipeline_group_clear__(st, g, table, stats);
                pipeline_group_delete__(st, k, node->key, g);
                stats->groups_removed++;
            }
        }
    }
}

static int
pipeline_u32_cmp__(const void *a_, const void *b_)
{
    uint32_t a = *(const uint32_t *) a_, b = *(const uint32_t *) b_;

    return (a > b) - (a < b);
}

static int
pipeline_port_cmp__(const void *a_, const void *b_)
{
    const struct pipeline_port *const *a = a_;
    const struct pipeline_port *const *b = b_;

    return ((*a)->ofport > (*b)->ofport) - ((*a)->ofport < (*b)->ofport);
}

static int
pipeline_in6_cmp__(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct in6_addr));
}

/* How often 'a' is in 'sorted', 'n' elements of 'size' bytes sorted by
 * 'cmp': 0, 1, or 2 for more than once. */
static int
pipeline_count__(const void *sorted, size_t n, size_t size, const void *a,
                 int (*cmp)(const void *, const void *))
{
    const char *base = sorted;
    const char *p = bsearch(a, sorted, n, size, cmp);

    return !p ? 0 : ((p > base && !cmp(p - size, a))
                     || (p + size < base + n * size
                         && !cmp(p + size, a))) ? 2 : 1;
}

/* How many ports of 'up' (of this host) hold address 'ip': 0, 1, or 2 for
 * more than one. */
static int
pipeline_ip_holders__(const struct pipeline_update_ports *up,
                      const struct netaddr_ip *ip)
{
    return (ip->family == AF_INET
            ? pipeline_count__(up->v4, up->n_v4, sizeof *up->v4,
                               &ip->addr.v4.s_addr, pipeline_u32_cmp__)
            : pipeline_count__(up->v6, up->n_v6, sizeof *up->v6,
                               &ip->addr.v6, pipeline_in6_cmp__));
}

/* Appends the key of port 'p' to 'key': everything its flows depend on
 * besides the config. */
static void
pipeline_port_key__(struct gn_buf *key, const struct pipeline_port *p,
                    const bool *routed)
{
    gn_buf_put(key, &p->ofport, sizeof p->ofport);
    gn_buf_put(key, &p->vlan, sizeof p->vlan);
    gn_buf_put(key, p->mac.b, sizeof p->mac.b);
    gn_buf_put(key, &p->server, sizeof p->server);
    gn_buf_put(key, &p->blocked, sizeof p->blocked);
    gn_buf_put(key, &p->learned, sizeof p->learned);
    gn_buf_put(key, p->limits.value, sizeof p->limits.value);
    for (size_t i = 0; i < p->n_ips; i++) {
        const struct netaddr_ip *ip = &p->ips[i];

        gn_buf_put(key, &ip->family, sizeof ip->family);
        gn_buf_put(key, &ip->plen, sizeof ip->plen);
        if (ip->family == AF_INET) {
            gn_buf_put(key, &ip->addr.v4, sizeof ip->addr.v4);
        } else {
            gn_buf_put(key, &ip->addr.v6, sizeof ip->addr.v6);
        }
        gn_buf_put(key, &routed[i], sizeof routed[i]);
    }
    for (size_t i = 0; i < p->n_lls; i++) {
        gn_buf_put(key, &p->lls[i].addr.v6, sizeof p->lls[i].addr.v6);
    }
}

/* Writes the name of flood chunk 'chunk' of the network of VLAN 'vlan'
 * into 'name'. */
static void
pipeline_flood_chunk_name__(char *name, size_t size, int vlan, int chunk)
{
    snprintf(name, size, "%d/%d", vlan, chunk);
}

/* Marks the group 'kind'/'name', if there is one, as part of this
 * update, and returns it (or NULL). */
static struct pipeline_group *
pipeline_group_mark__(struct pipeline_state *st,
                      enum pipeline_group_kind kind, const char *name)
{
    struct pipeline_group *g = pipeline_group_find__(st, kind, name);

    if (g) {
        g->seen = st->update;
    }
    return g;
}

/* Syncs the global group and each network's groups (its own and its flood
 * chunks) of 'in', until 'pass' stops. */
static void
pipeline_state_pass_networks__(struct pipeline_state *st,
                               const struct pipeline_input *in,
                               const struct pipeline_update_ports *up,
                               struct flow_table *table,
                               struct pipeline_pass *pass,
                               struct pipeline_update_stats *stats,
                               char **errorp)
{
    const struct gn_config *cfg = in->cfg;
    struct gn_buf key = GN_BUF_INIT;
    int *ofports, *chunks;
    struct pipeline_group_input gin = { .cfg = cfg };

    pipeline_group_sync__(st, table, PIPELINE_GROUP_GLOBAL, "", NULL, &key,
                          &gin, pass, stats, errorp);

    ofports = gn_xcalloc(up->n_sorted + 1, sizeof *ofports);
    chunks = gn_xcalloc(up->n_sorted + 1, sizeof *chunks);
    for (size_t i = 0; !pass->stopped && i < cfg->n_networks; i++) {
        const struct gn_network *net = &cfg->networks[i];
        char name[32];
        size_t n = 0, n_chunks = 0;
        bool has_server = PIPELINE_HAS_SERVER(up, net->vlan);

        for (size_t j = 0; j < up->n_sorted; j++) {
            if (up->sorted[j]->vlan == net->vlan
                && !up->sorted[j]->blocked) {
                const struct pipeline_port *p = up->sorted[j];
                int chunk = pipeline_flood_chunk(p->ofport);

                ofports[n++] = (pipeline_port_ingress_limited(p)
                                ? -p->ofport : p->ofport);
                if (!n_chunks || chunks[n_chunks - 1] != chunk) {
                    chunks[n_chunks++] = chunk;
                }
            }
        }
        gn_buf_clear(&key);
        gn_buf_put(&key, &in->uplink_ofport, sizeof in->uplink_ofport);
        gn_buf_put(&key, in->router_mac ? "R" : "-", 1);
        gn_buf_put(&key, has_server ? "S" : "-", 1);
        gn_buf_put(&key, chunks, n_chunks * sizeof *chunks);
        snprintf(name, sizeof name, "%d", net->vlan);
        gin = (struct pipeline_group_input) {
            .cfg = cfg, .net = net, .chunks = chunks, .n_chunks = n_chunks,
            .uplink_ofport = in->uplink_ofport, .router_mac = in->router_mac,
            .has_server = has_server,
        };
        pipeline_group_sync__(st, table, PIPELINE_GROUP_NETWORK, name, NULL,
                              &key, &gin, pass, stats, errorp);

        /* Its flood chunks: the ofports are sorted, so each chunk's are
         * consecutive. */
        for (size_t j = 0, c = 0; !pass->stopped && c < n_chunks; c++) {
            size_t first = j;

            while (j < n
                   && pipeline_flood_chunk(abs(ofports[j])) == chunks[c]) {
                j++;
            }
            gn_buf_clear(&key);
            gn_buf_put(&key, &ofports[first], (j - first) * sizeof *ofports);
            pipeline_flood_chunk_name__(name, sizeof name, net->vlan,
                                        chunks[c]);
            gin = (struct pipeline_group_input) {
                .cfg = cfg, .net = net, .chunk = chunks[c],
                .ofports = &ofports[first], .n_ofports = j - first,
            };
            pipeline_group_sync__(st, table, PIPELINE_GROUP_FLOOD, name,
                                  NULL, &key, &gin, pass, stats, errorp);
        }
    }
    free(ofports);
    free(chunks);
    gn_buf_destroy(&key);
}

/* Syncs every group of 'in' (see pipeline_group_sync__()), in order: the
 * global group, the networks, the ports, until 'pass' stops.  With
 * 'first_port' nonzero, goes on with an earlier pass over the same input
 * that stopped at that port. */
static void
pipeline_state_pass__(struct pipeline_state *st,
                      const struct pipeline_input *in,
                      const struct pipeline_update_ports *up,
                      size_t first_port,
                      struct flow_table *table, struct pipeline_pass *pass,
                      struct pipeline_update_stats *stats, char **errorp)
{
    const struct gn_config *cfg = in->cfg;
    struct gn_buf key = GN_BUF_INIT;

    if (!first_port) {
        st->pass++;
        pipeline_state_pass_networks__(st, in, up, table, pass, stats,
                                       errorp);
    }
    for (size_t i = first_port; !pass->stopped && i < up->n_sorted; i++) {
        const struct pipeline_port *p = up->sorted[i];
        bool routed_buf[8];
        bool *routed = (p->n_ips <= GN_ARRAY_SIZE(routed_buf) ? routed_buf
                        : gn_xcalloc(p->n_ips, sizeof *routed));

        for (size_t j = 0; j < p->n_ips; j++) {
            routed[j] = pipeline_ip_holders__(up, &p->ips[j]) < 2;
        }
        bool has_server = PIPELINE_HAS_SERVER(up, p->vlan);

        gn_buf_clear(&key);
        pipeline_port_key__(&key, p, routed);
        gn_buf_put(&key, &has_server, sizeof has_server);
        if (in->router_mac) {
            /* Its uplink spoofing drops. */
            gn_buf_put(&key, &in->uplink_ofport, sizeof in->uplink_ofport);
        }
        struct pipeline_group_input pin = {
            .cfg = cfg, .net = gn_config_find_vlan(cfg, p->vlan), .port = p,
            .routed = routed, .uplink_ofport = in->uplink_ofport,
            .router_mac = in->router_mac, .has_server = has_server,
        };
        pipeline_group_sync__(st, table, PIPELINE_GROUP_PORT, p->name,
                              &up->groups[i], &key, &pin, pass, stats,
                              errorp);
        if (pass->stopped) {
            pass->stopped_in_ports = true;
            pass->stop_port = i;
        }
        if (routed != routed_buf) {
            free(routed);
        }
    }
    for (size_t i = 0; !pass->stopped && i < up->n_remote; i++) {
        const struct pipeline_port *p = up->remote[i];
        /* Routed to all; those a port here holds are its to keep. */
        bool *owned = gn_xmalloc((p->n_ips + 1) * sizeof *owned);
        bool has_server = PIPELINE_HAS_SERVER(up, p->vlan);

        for (size_t j = 0; j < p->n_ips; j++) {
            owned[j] = !pipeline_ip_holders__(up, &p->ips[j]);
        }
        gn_buf_clear(&key);
        pipeline_port_key__(&key, p, owned);
        gn_buf_put(&key, &has_server, sizeof has_server);
        gn_buf_put(&key, in->router_mac->b, sizeof in->router_mac->b);
        gn_buf_put(&key, &in->uplink_ofport, sizeof in->uplink_ofport);
        struct pipeline_group_input rin = {
            .cfg = cfg, .net = gn_config_find_vlan(cfg, p->vlan), .port = p,
            .routed = owned, .uplink_ofport = in->uplink_ofport,
            .router_mac = in->router_mac, .has_server = has_server,
        };
        pipeline_group_sync__(st, table, PIPELINE_GROUP_REMOTE, p->name,
                              NULL, &key, &rin, pass, stats, errorp);
        free(owned);
    }
    gn_buf_destroy(&key);
}

/* Sorts the ports of 'in' that get flows into '*up', marks the groups
 * that 'in' still has and removes the others (the groups of vanished
 * ports go first, so that their flows cannot clash with those of the
 * ports that take their place). */
static void
pipeline_state_prepare__(struct pipeline_state *st,
                         const struct pipeline_input *in,
                         struct flow_table *table,
                         struct pipeline_update_ports *up_,
                         struct pipeline_update_stats *stats)
{
    const struct gn_config *cfg = in->cfg;
    struct pipeline_update_ports up = { .sorted = NULL };
    size_t n_ips = 0;

    up.sorted = gn_xcalloc(in->n_ports + 1, sizeof *up.sorted);
    for (size_t i = 0; i < in->n_ports; i++) {
        const struct pipeline_port *p = &in->ports[i];

        if (p->remote) {
            const struct gn_network *net = gn_config_find_vlan(cfg, p->vlan);

            /* (Without addresses nor bindings, and not private: no flows.) */
            if (in->router_mac && in->uplink_ofport > 0 && net
                && (p->n_ips || p->n_lls || net->private_)) {
                if (!up.remote) {
                    up.remote = gn_xcalloc(in->n_ports, sizeof *up.remote);
                }
                up.remote[up.n_remote++] = p;
                pipeline_group_mark__(st, PIPELINE_GROUP_REMOTE, p->name);
            }
            continue;
        }
        if (p->ofport <= 0 || !gn_config_find_vlan(cfg, p->vlan)) {
            continue;
        }
        up.sorted[up.n_sorted++] = p;
        n_ips += p->n_ips;
        up.servers[p->vlan / 8] |= (uint8_t) (p->server << (p->vlan % 8));
    }
    up.v4 = gn_xmalloc((n_ips + 1) * sizeof *up.v4);
    up.v6 = gn_xmalloc((n_ips + 1) * sizeof *up.v6);
    for (size_t i = 0; i < up.n_sorted; i++) {
        const struct pipeline_port *p = up.sorted[i];

        for (size_t j = 0; j < p->n_ips; j++) {
            if (p->ips[j].family == AF_INET) {
                up.v4[up.n_v4++] = p->ips[j].addr.v4.s_addr;
            } else {
                up.v6[up.n_v6++] = p->ips[j].addr.v6;
            }
        }
    }
    qsort(up.sorted, up.n_sorted, sizeof *up.sorted, pipeline_port_cmp__);
    qsort(up.v4, up.n_v4, sizeof *up.v4, pipeline_u32_cmp__);
    qsort(up.v6, up.n_v6, sizeof *up.v6, pipeline_in6_cmp__);

    pipeline_group_mark__(st, PIPELINE_GROUP_GLOBAL, "");
    for (size_t i = 0; i < cfg->n_networks; i++) {
        char name[16];

        snprintf(name, sizeof name, "%d", cfg->networks[i].vlan);
        pipeline_group_mark__(st, PIPELINE_GROUP_NETWORK, name);
    }
    /* By ofport, so each network's chunks come in order: each is marked
     * once.  A port's group found here is not looked up again. */
    up.groups = gn_xcalloc(up.n_sorted + 1, sizeof *up.groups);
    int *last_chunk = gn_xmalloc((cfg->n_networks + 1) * sizeof *last_chunk);
    for (size_t i = 0; i < cfg->n_networks; i++) {
        last_chunk[i] = -1;
    }
    for (size_t i = 0; i < up.n_sorted; i++) {
        const struct pipeline_port *p = up.sorted[i];
        size_t net = gn_config_find_vlan(cfg, p->vlan) - cfg->networks;
        int chunk = pipeline_flood_chunk(p->ofport);

        up.groups[i] = pipeline_group_mark__(st, PIPELINE_GROUP_PORT,
                                             p->name);
        if (!p->blocked && last_chunk[net] != chunk) {
            char name[32];

            last_chunk[net] = chunk;
            pipeline_flood_chunk_name__(name, sizeof name, p->vlan, chunk);
            pipeline_group_mark__(st, PIPELINE_GROUP_FLOOD, name);
        }
    }
    free(last_chunk);
    pipeline_state_sweep__(st, table, stats);
    *up_ = up;
}

char *
pipeline_state_update(struct pipeline_state *st,
                      const struct pipeline_input *in,
                      struct flow_table *table,
                      struct pipeline_update_stats *stats_)
{
    struct pipeline_update_stats stats = { 0, 0, 0, 0, false };
    struct pipeline_update_ports up = { .sorted = NULL };
    struct pipeline_pass pass = { .deadline = in->deadline };
    size_t first_port = 0;
    char *error = NULL;

    if (in->same_input && st->can_resume && st->in_round
        && st->cfg_gen == in->cfg_gen) {
        up = st->resume_up;
        first_port = st->resume_port;
    } else {
        /* A full pass sees every failed group again. */
        free(st->round_error);
        st->round_error = NULL;
        pipeline_update_ports_free__(&st->resume_up);
        st->update++;
        if (st->have_cfg && st->cfg_gen != in->cfg_gen) {
            /* Everything may depend on the config: no group is kept. */
            pipeline_state_sweep__(st, table, &stats);
            st->update++;
        }
        st->have_cfg = true;
        st->cfg_gen = in->cfg_gen;
        if (!st->in_round) {
            /* The calls of one round are one batch for the memo. */
            flow_table_new_epoch(table);
            st->in_round = true;
            st->round_removed = 0;
        }
        pipeline_state_prepare__(st, in, table, &up, &stats);
    }
    st->can_resume = false;
    memset(&st->resume_up, 0, sizeof st->resume_up);

    pipeline_state_pass__(st, in, &up, first_port, table, &pass, &stats,
                          &error);
    st->round_removed += stats.flows_removed;
    if (pass.stopped) {
        /* The errors so far come again with the call that completes. */
        stats.incomplete = true;
        if (error && !st->round_error) {
            st->round_error = error;
        } else {
            free(error);
        }
        error = NULL;
        if (pass.stopped_in_ports && pass.stop_port) {
            st->can_resume = true;
            st->resume_up = up;
            st->resume_port = pass.stop_port;
            memset(&up, 0, sizeof up);
        }
    } else {
        if (!error) {
            error = st->round_error;
        } else {
            free(st->round_error);
        }
        st->round_error = NULL;
        if (error && st->round_removed) {
            /* A group rebuilt later in the pass may have given up what a
             * failed one needed (two ports that swapped MACs): once more,
             * retrying the failed groups. */
            struct pipeline_pass again = { .retry_failed = true };

            free(error);
            error = NULL;
            pipeline_state_pass__(st, in, &up, 0, table, &again, &stats,
                                  &error);
        }
        st->in_round = false;
        st->round++;
    }

    pipeline_update_ports_free__(&up);
    if (stats_) {
        *stats_ = stats;
    }
    return error;
}

const struct meter_table *
pipeline_state_meters(const struct pipeline_state *st)
{
    return st->meters;
}

bool
pipeline_state_has_port(const struct pipeline_state *st, const char *name)
{
    return pipeline_state_ofport(st, name) > 0;
}

int
pipeline_state_ofport(const struct pipeline_state *st, const char *name)
{
    const struct pipeline_group *g = pipeline_group_find__(
        st, PIPELINE_GROUP_PORT, name);

    return g && !g->failed ? g->ofport : 0;
}

char *
pipeline_build(const struct pipeline_input *in, struct flow_table *table)
{
    struct pipeline_state *st = pipeline_state_create();
    struct pipeline_input full = *in;
    char *error;

    full.deadline = 0;
    error = pipeline_state_update(st, &full, table, NULL);

    pipeline_state_destroy(st);
    return error;
}
