/* engine-spoof.c: which guest ports keep sending spoofed frames.
 *
 * Every ENGINE_SPOOF_POLL_MS the engine asks the switch for the counters
 * of the per-port drop flows of port security: "mac-spoof-drop" (a source
 * MAC not the port's), "ip-spoof-drop" (IPv4, ARP or IPv6 from an address
 * not the port's, ARP with another sender MAC, other EtherTypes),
 * "tagged-frame-drop" (802.1Q from an access port) and "guard-count"
 * (what the guards all ports share refused of the port's frames:
 * neighbour discovery options and targets, DHCP server messages, router
 * advertisements, redirects, probes for another's address; see table 15
 * in include/pipeline.h).  Each is one flow per port whose cookie names
 * the rule and the ofport, so four requests filtered by cookie
 * (ofctrl_request_some_cookie_stats()) bring exactly one counter per port
 * and rule, on the OpenFlow connection the engine already has, without
 * waiting: the answers come back through the event loop.
 *
 * A port whose drops reach the threshold ('pps' a second, averaged over
 * one poll) is marked spoofing: a WARN log line, the mark in its API view
 * ("spoofing", "spoofing_since"), the gauge guestnet_port_spoofing and a
 * new episode in guestnet_spoofing_episodes_total.  Once its drops have
 * stayed below the threshold for 'quiet_ms', the mark goes, with an INFO
 * line.  The drops themselves stay what they are: the flows drop every
 * spoofed frame whether or not the port is marked. */
#include <config.h>

#include "engine-private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include "flow-table.h"
#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "ofctrl.h"

GN_LOG_MODULE(spoof);

/* The per-port rules whose drops count as spoofing. */
static const enum pipeline_rule engine_spoof_rules[] = {
    PIPELINE_RULE_MAC_SPOOF_DROP,
    PIPELINE_RULE_IP_SPOOF_DROP,
    PIPELINE_RULE_TAGGED_DROP,
    PIPELINE_RULE_GUARD_COUNT,
};
#define ENGINE_SPOOF_N_RULES GN_ARRAY_SIZE(engine_spoof_rules)

/* One guest port as the monitor knows it. */
struct engine_spoof_port {
    char *network;
    int ofport;                 /* The flows' ofport its counters are of. */
    uint64_t drops;             /* Their sum at the last poll. */
    uint64_t total;             /* Spoofed frames dropped since known. */
    bool spoofing;
    long long since_wall_msec;  /* Marked at (wall clock). */
    long long last_active_msec; /* Last poll over the threshold. */
    unsigned long long episodes;
    unsigned long long poll;    /* Last poll that saw the port. */
};

/* A counter of one poll: a per-port drop flow's packets. */
struct engine_spoof_count {
    uint32_t ofport;
    uint64_t n_packets;
};

struct engine_spoof {
    struct engine *engine;
    struct event *timer;
    unsigned int pps;           /* 0: off. */
    int quiet_ms;
    struct gn_strmap ports;     /* Name -> struct engine_spoof_port. */
    size_t n_spoofing;
    unsigned long long episodes;
    unsigned long long gen;     /* Bumped when a mark comes or goes. */
    unsigned long long n_polls;

    /* The poll in flight. */
    int pending;                /* Requests not answered yet. */
    bool failed;                /* One of them failed: the poll is void. */
    struct engine_spoof_count *counts;
    size_t n_counts, allocated_counts;
    long long last_poll_msec;   /* When the last complete poll ended. */
};

static int
engine_spoof_count_cmp__(const void *a_, const void *b_)
{
    const struct engine_spoof_count *a = a_, *b = b_;

    return a->ofport < b->ofport ? -1 : a->ofport > b->ofport;
}

/* The sum of the counters of 'ofport' in the sorted counts of 's'. */
static uint64_t
engine_spoof_sum__(const struct engine_spoof *s, uint32_t ofport)
{
    size_t lo = 0, hi = s->n_counts;
    uint64_t sum = 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (s->counts[mid].ofport < ofport) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (; lo < s->n_counts && s->counts[lo].ofport == ofport; lo++) {
        sum += s->counts[lo].n_packets;
    }
    return sum;
}

static void
engine_spoof_port_free__(struct engine_spoof_port *p)
{
    if (p) {
        free(p->network);
        free(p);
    }
}

/* Judges port 'pp' from the counters of the poll that ended at 'now',
 * 'dt' ms after the one before (0: the first). */
static void
engine_spoof_judge__(struct engine_spoof *s, const struct pipeline_port *pp,
                     const char *network, long long now, long long dt)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(30, 30);
    struct engine_spoof_port *p = gn_strmap_get(&s->ports, pp->name);
    uint64_t sum = engine_spoof_sum__(s, pp->ofport);
    uint64_t delta;

    if (!p || p->ofport != pp->ofport || !dt) {
        /* New, or new flows (their counters start at 0): a baseline. */
        if (!p) {
            p = gn_xzalloc(sizeof *p);
            gn_strmap_put(&s->ports, pp->name, p);
        }
        free(p->network);
        p->network = gn_xstrdup(network);
        p->ofport = pp->ofport;
        p->drops = sum;
        p->poll = s->n_polls;
        return;
    }
    p->poll = s->n_polls;
    /* Counters that went down belong to flows installed again. */
    delta = sum >= p->drops ? sum - p->drops : sum;
    p->drops = sum;
    p->total += delta;
    if (delta * 1000 >= (uint64_t) s->pps * dt) {
        p->last_active_msec = now;
        if (!p->spoofing) {
            p->spoofing = true;
            p->since_wall_msec = gn_time_wall_msec();
            p->episodes++;
            s->episodes++;
            s->n_spoofing++;
            s->gen++;
            GN_LOG_WARN_RL(&rl, "port %s (network %s) is spoofing: %"PRIu64
                           " spoofed frames dropped in %.1f s",
                           pp->name, network, delta, dt / 1000.0);
        }
    } else if (p->spoofing && now - p->last_active_msec >= s->quiet_ms) {
        p->spoofing = false;
        s->n_spoofing--;
        s->gen++;
        GN_LOG_INFO_RL(&rl, "port %s (network %s) stopped spoofing: under "
                       "%u dropped frames a second for %.1f s (%"PRIu64
                       " dropped in all)", pp->name, network, s->pps,
                       (now - p->last_active_msec) / 1000.0, p->total);
    }
}

/* All answers of a poll are in: judges every bound guest port, forgets
 * the ports that are gone. */
static void
engine_spoof_poll_done__(struct engine_spoof *s)
{
    struct engine *e = s->engine;
    long long now = gn_time_msec();
    long long dt = s->last_poll_msec ? now - s->last_poll_msec : 0;
    const struct pipeline_port *ports;
    struct gn_strmap_node *node, *next;
    size_t n;

    s->n_polls++;
    s->last_poll_msec = now;
    if (s->n_counts > 1) {
        qsort(s->counts, s->n_counts, sizeof *s->counts,
              engine_spoof_count_cmp__);
    }
    ports = engine_bridge_ports(e, &n);
    for (size_t i = 0; i < n; i++) {
        const struct gn_network *net = NULL;

        for (size_t j = 0; j < e->cfg->n_networks; j++) {
            if (e->cfg->networks[j].vlan == ports[i].vlan) {
                net = &e->cfg->networks[j];
            }
        }
        if (ports[i].name && ports[i].ofport > 0 && !ports[i].remote
            && net) {
            engine_spoof_judge__(s, &ports[i], net->name, now, dt);
        }
    }
    GN_STRMAP_FOR_EACH_SAFE (node, next, &s->ports) {
        struct engine_spoof_port *p = node->value;

        if (p->poll != s->n_polls) {
            if (p->spoofing) {
                s->n_spoofing--;
                s->gen++;
            }
            gn_strmap_remove(&s->ports, node->key);
            engine_spoof_port_free__(p);
        }
    }
}

/* ofctrl's answer to one of a poll's requests. */
static void
engine_spoof_stats_cb__(const struct flow_table_cookie_stats *stats,
                        size_t n, int error, void *s_)
{
    struct engine_spoof *s = s_;

    if (error) {
        s->failed = true;
    }
    for (size_t i = 0; !error && i < n; i++) {
        if (s->n_counts >= s->allocated_counts) {
            s->allocated_counts = 2 * s->allocated_counts + 64;
            s->counts = gn_xrealloc(s->counts, s->allocated_counts
                                               * sizeof *s->counts);
        }
        s->counts[s->n_counts++] = (struct engine_spoof_count) {
            .ofport = pipeline_cookie_object(stats[i].cookie),
            .n_packets = stats[i].n_packets,
        };
    }
    if (--s->pending) {
        return;
    }
    if (!s->failed) {
        engine_spoof_poll_done__(s);
    } else {
        /* A gap: the next poll starts a new baseline interval. */
        s->last_poll_msec = 0;
    }
}

/* The timer: a poll, unless one is in flight or there is nothing to do. */
static void
engine_spoof_timer_cb__(evutil_socket_t fd, short what, void *s_)
{
    struct engine_spoof *s = s_;
    struct ofctrl *of = s->engine->ofctrl;

    (void) fd;
    (void) what;
    if (s->pending || !s->pps || !ofctrl_is_connected(of)) {
        return;
    }
    s->n_counts = 0;
    s->failed = false;
    for (size_t i = 0; i < ENGINE_SPOOF_N_RULES; i++) {
        uint64_t cookie = PIPELINE_COOKIE(engine_spoof_rules[i], 0);

        if (ofctrl_request_some_cookie_stats(of, cookie,
                                             UINT64_C(0xffff) << 48,
                                             engine_spoof_stats_cb__, s)) {
            s->failed = true;
        } else {
            s->pending++;
        }
    }
    if (!s->pending) {
        s->last_poll_msec = 0;
    }
}

void
engine_spoof_start__(struct engine *e)
{
    struct engine_spoof *s = gn_xzalloc(sizeof *s);
    struct timeval tv = { ENGINE_SPOOF_POLL_MS / 1000,
                          ENGINE_SPOOF_POLL_MS % 1000 * 1000 };

    s->engine = e;
    s->pps = ENGINE_SPOOF_PPS;
    s->quiet_ms = ENGINE_SPOOF_QUIET_MS;
    s->ports = (struct gn_strmap) GN_STRMAP_INIT;
    s->timer = event_new(e->base, -1, EV_PERSIST, engine_spoof_timer_cb__,
                         s);
    event_add(s->timer, &tv);
    e->spoof = s;
}

void
engine_spoof_destroy__(struct engine *e)
{
    struct engine_spoof *s = e->spoof;
    struct gn_strmap_node *node;

    if (!s) {
        return;
    }
    event_free(s->timer);
    GN_STRMAP_FOR_EACH (node, &s->ports) {
        engine_spoof_port_free__(node->value);
    }
    gn_strmap_destroy(&s->ports);
    free(s->counts);
    free(s);
    e->spoof = NULL;
}

void
engine_set_spoofing(struct engine *e, unsigned int pps, int quiet_ms)
{
    struct engine_spoof *s = e->spoof;
    struct gn_strmap_node *node;

    s->pps = pps;
    s->quiet_ms = quiet_ms;
    if (pps) {
        return;
    }
    /* Off: no port is marked. */
    GN_STRMAP_FOR_EACH (node, &s->ports) {
        engine_spoof_port_free__(node->value);
    }
    gn_strmap_destroy(&s->ports);
    s->ports = (struct gn_strmap) GN_STRMAP_INIT;
    s->n_spoofing = 0;
    s->last_poll_msec = 0;
    s->gen++;
}

unsigned long long
engine_spoof_gen__(const struct engine *e)
{
    return e->spoof->gen;
}

void
engine_spoof_port_json__(const struct engine *e, const char *name,
                         json_t *port)
{
    const struct engine_spoof_port *p = gn_strmap_get(&e->spoof->ports,
                                                      name);
    bool spoofing = p && p->spoofing;

    json_object_set_new(port, "spoofing", json_boolean(spoofing));
    json_object_set_new(port, "spoofing_since",
                        spoofing ? json_integer(p->since_wall_msec / 1000)
                                 : json_null());
    json_object_set_new(port, "spoofing_episodes",
                        json_integer(p ? (json_int_t) p->episodes : 0));
}

json_t *
engine_spoof_status__(const struct engine *e)
{
    const struct engine_spoof *s = e->spoof;
    const struct gn_strmap_node *node;
    json_t *ports = json_array();

    GN_STRMAP_FOR_EACH (node, &s->ports) {
        const struct engine_spoof_port *p = node->value;

        if (p->spoofing) {
            json_array_append_new(ports, json_pack(
                                      "{s:s, s:s, s:I}", "port", node->key,
                                      "network", p->network,
                                      "since", (json_int_t)
                                      (p->since_wall_msec / 1000)));
        }
    }
    return json_pack("{s:i, s:f, s:I, s:I, s:o}",
                     "threshold_pps", (int) s->pps,
                     "quiet_s", s->quiet_ms / 1000.0,
                     "episodes", (json_int_t) s->episodes,
                     "polls", (json_int_t) s->n_polls,
                     "ports", ports);
}
