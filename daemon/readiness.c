/* readiness.c: when guestnetd is ready, for systemd (see readiness.h). */
#include <config.h>

#include "readiness.h"

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>

#include "engine.h"
#include "gn-log.h"
#include "gn-util.h"
#include "notify.h"

GN_LOG_MODULE(readiness);

struct readiness {
    struct engine *engine;
    struct event *timer;
    bool ready;                 /* READY=1 sent since the start or reload. */
    long long last_steps;       /* Reconcile steps at the last poll, or -1. */
    char *reload_error;         /* Of the last reload, or NULL. */
};

/* The parts of engine_status() that readiness looks at. */
struct readiness_input {
    const char *remote;
    int ovsdb_connected;
    int synced;
    const char *bridge;
    int bridge_exists;
    int of_connected;
    json_int_t desired_seqno;
    json_int_t installed_seqno;
    json_int_t desired_flows;
    json_int_t installed_flows;
    int ports;
    int quarantined;
    json_int_t steps;
};

/* Returns NULL if 'in' says that guestnetd is ready, else a malloc'd text
 * saying what it waits for.  'settled' is false if the engine ran a
 * reconcile step since the last poll. */
static char *
readiness_waiting_for__(const struct readiness *r,
                        const struct readiness_input *in, bool settled)
{
    if (!in->ovsdb_connected) {
        return gn_xasprintf("waiting for ovsdb-server (%s)", in->remote);
    }
    if (!in->synced) {
        return gn_xstrdup("waiting for the OVSDB replica to sync");
    }
    if (!in->bridge_exists) {
        return gn_xasprintf("waiting for the bridge %s to be created in "
                            "OVSDB", in->bridge);
    }
    if (!in->of_connected) {
        return gn_xasprintf("waiting for ovs-vswitchd: no OpenFlow "
                            "connection to %s/%s.mgmt",
                            engine_ovs_rundir(r->engine), in->bridge);
    }
    if (!in->desired_seqno) {
        return gn_xstrdup("waiting for the flow table to be built");
    }
    if (in->installed_seqno != in->desired_seqno) {
        return gn_xasprintf("waiting for the flows: the switch confirmed "
                            "%lld of %lld", (long long) in->installed_flows,
                            (long long) in->desired_flows);
    }
    if (!settled) {
        return gn_xstrdup("waiting for the reconcile steps to settle");
    }
    return NULL;
}

/* Reads engine_status() into 'in'.  Returns false (and logs) if its shape
 * is not the expected one. */
static bool
readiness_read__(json_t *st, struct readiness_input *in)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(1, 2);
    json_error_t error;

    if (json_unpack_ex(st, &error, 0,
                       "{s:{s:s, s:b, s:b}, s:{s:s, s:b},"
                       " s:{s:i, s:i}, s:{s:I},"
                       " s:{s:b, s:I, s:I, s:I, s:I}}",
                       "ovsdb", "remote", &in->remote,
                       "connected", &in->ovsdb_connected,
                       "synced", &in->synced,
                       "bridge", "name", &in->bridge,
                       "exists", &in->bridge_exists,
                       "counts", "ports", &in->ports,
                       "quarantined", &in->quarantined,
                       "reconcile", "steps", &in->steps,
                       "openflow", "connected", &in->of_connected,
                       "desired_seqno", &in->desired_seqno,
                       "installed_seqno", &in->installed_seqno,
                       "desired_flows", &in->desired_flows,
                       "installed_flows", &in->installed_flows)) {
        GN_LOG_ERR_RL(&rl, "engine status: %s", error.text);
        return false;
    }
    return true;
}

static void
readiness_schedule__(struct readiness *r, int msec)
{
    struct timeval tv = { msec / 1000, (msec % 1000) * 1000 };

    event_add(r->timer, &tv);
}

static void
readiness_poll__(evutil_socket_t fd, short what, void *r_)
{
    struct readiness *r = r_;
    struct readiness_input in;
    json_t *st = engine_status(r->engine);
    char *waiting;
    bool settled;

    (void) fd;
    (void) what;
    if (!readiness_read__(st, &in)) {
        json_decref(st);
        readiness_schedule__(r, READINESS_WATCH_MS);
        return;
    }
    settled = (in.steps == r->last_steps);
    r->last_steps = in.steps;
    waiting = readiness_waiting_for__(r, &in, settled || r->ready);
    if (waiting) {
        notify_status("%s%s%s%s", r->ready ? "degraded: " : "", waiting,
                      r->reload_error ? "; last reload refused: " : "",
                      r->reload_error ? r->reload_error : "");
        free(waiting);
    } else {
        notify_status("ready: %d ports (%d quarantined), %lld flows%s%s",
                      in.ports, in.quarantined,
                      (long long) in.installed_flows,
                      r->reload_error ? "; last reload refused: " : "",
                      r->reload_error ? r->reload_error : "");
        if (!r->ready) {
            r->ready = true;
            GN_LOG_INFO("ready: %d ports, %lld flows installed", in.ports,
                        (long long) in.installed_flows);
            notify_ready();
            /* What starting took and freed (the replica's first monitor
             * reply, the switch's flow dump: 5 MB at 1000 ports) goes back
             * to the system, once, after ready is told (a few ms). */
            gn_heap_trim();
        }
    }
    json_decref(st);
    readiness_schedule__(r, r->ready ? READINESS_WATCH_MS
                                     : READINESS_POLL_MS);
}

struct readiness *
readiness_create(struct event_base *base, struct engine *engine)
{
    struct readiness *r = gn_xzalloc(sizeof *r);

    r->engine = engine;
    r->last_steps = -1;
    r->timer = event_new(base, -1, 0, readiness_poll__, r);
    /* The first STATUS= at once, before anything else goes to systemd. */
    readiness_poll__(-1, 0, r);
    return r;
}

void
readiness_destroy(struct readiness *r)
{
    if (r) {
        event_free(r->timer);
        free(r->reload_error);
        free(r);
    }
}

void
readiness_restart(struct readiness *r, const char *error)
{
    free(r->reload_error);
    r->reload_error = error ? gn_xstrdup(error) : NULL;
    r->ready = false;
    r->last_steps = -1;
    event_del(r->timer);
    readiness_schedule__(r, 0);
}
