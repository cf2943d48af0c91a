/* cluster-migrate.c: live migration between hosts.  When a port that the
 * registry has on host A is added on host B with the same identity (the
 * same network and MAC, as libvirt's port for a migrating guest has), B
 * asks for it (Port "requested_host") and makes the port blocked: nothing
 * is delivered to it and it sends nothing but its guest's announcements
 * (QEMU sends RARP when a migrated guest resumes), which the switch
 * counts.  B polls those counters while a migration is pending; the first
 * announcement moves the port to B in the registry (one transaction that
 * holds only if B still asked for it) and unblocks it.  A host whose port
 * the registry has elsewhere blocks its own (the migration's source, from
 * the moment the registry moved it), so no frame is delivered by both.
 * A destination that is not announced within the timeout is removed and
 * its request withdrawn: the source, never blocked, goes on. */
#include <config.h>

#include "cluster-private.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "flow-table.h"
#include "gn-log.h"
#include "gn-util.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "pipeline.h"

GN_LOG_MODULE(cluster_migrate);

/* How often the announcement counters are read while a migration is
 * pending. */
#define CLUSTER_MIGRATE_POLL_MS 50

struct cluster_migration {
    struct cluster_migration *next;
    char *name;
    char *from;                 /* The source host. */
    long long start_msec;
    long long deadline;
    bool activating;            /* The move's transaction is in flight. */
    bool confirmed;             /* The replica showed the request. */
};

/* What a stats request keeps, so that the cluster may go first. */
struct cluster_migrate_poll {
    struct cluster *c;
};

static struct cluster_migration *
cluster_migration_find__(const struct cluster *c, const char *name)
{
    for (struct cluster_migration *m = c->migrations; m; m = m->next) {
        if (!strcmp(m->name, name)) {
            return m;
        }
    }
    return NULL;
}

static void
cluster_migration_remove__(struct cluster *c, struct cluster_migration *m)
{
    for (struct cluster_migration **p = &c->migrations; *p;
         p = &(*p)->next) {
        if (*p == m) {
            *p = m->next;
            break;
        }
    }
    free(m->name);
    free(m->from);
    free(m);
}

static size_t
cluster_n_migrations__(const struct cluster *c)
{
    size_t n = 0;

    for (const struct cluster_migration *m = c->migrations; m; m = m->next) {
        n++;
    }
    return n;
}

bool
cluster_migration_pending__(const struct cluster *c, const char *name)
{
    return cluster_migration_find__(c, name) != NULL;
}

void
cluster_migrate_update__(struct cluster *c)
{
    size_t n_ports, n = 0;
    const struct pipeline_port *ports = engine_bridge_ports(c->engine,
                                                            &n_ports);
    const char **names = gn_xcalloc(n_ports + 1 + cluster_n_migrations__(c),
                                    sizeof *names);
    struct gn_strmap listed = GN_STRMAP_INIT;
    struct gn_buf digest = GN_BUF_INIT;

    for (size_t i = 0; i < n_ports; i++) {
        const char *name = ports[i].name;
        const json_t *row = cluster_find__(c, "Port", "name", name, NULL);
        const char *host = row ? ovsdb_datum_string(row, "host") : NULL;

        /* A pending destination, or a port the registry has elsewhere. */
        if (cluster_migration_find__(c, name)
            || (host && strcmp(host, c->host))) {
            names[n++] = name;
            gn_strmap_put(&listed, name, &listed);
            gn_buf_printf(&digest, "%s\n", name);
        }
    }
    for (struct cluster_migration *m = c->migrations; m; m = m->next) {
        if (!gn_strmap_get(&listed, m->name)) {
            /* Not on the bridge yet: blocked from its first flows. */
            names[n++] = m->name;
            gn_buf_printf(&digest, "%s\n", m->name);
        }
    }
    gn_strmap_destroy(&listed);
    if (!c->blocked_digest || strcmp(c->blocked_digest,
                                     gn_buf_cstr(&digest))) {
        free(c->blocked_digest);
        c->blocked_digest = gn_xstrdup(gn_buf_cstr(&digest));
        engine_set_blocked(c->engine, names, n);
    }
    gn_buf_destroy(&digest);
    free(names);
}

/* The ofport of local port 'name', or 0. */
static int
cluster_local_ofport__(const struct cluster *c, const char *name)
{
    json_t *port = engine_port(c->engine, name);
    int ofport = json_integer_value(json_object_get(port, "ofport"));

    json_decref(port);
    return ofport;
}

/* What the move's transaction keeps: the migration may be gone when it
 * answers (the registry's update often comes first). */
struct cluster_move {
    struct cluster *c;
    char *name;
};

static void
cluster_activated__(struct ovsdb_txn *txn, const struct ovsdb_txn_result *r,
                    void *move_)
{
    struct cluster_move *move = move_;
    struct cluster_migration *m = cluster_migration_find__(move->c,
                                                           move->name);

    (void) txn;
    if (m) {
        m->activating = false;
    }
    if (r->status != OVSDB_TXN_SUCCESS) {
        GN_LOG_WARN("port %s: moving it here in the registry: %s (tried "
                    "again)", move->name, r->error ? r->error : "failed");
    }
    free(move->name);
    free(move);
}

/* The guest of migration 'm' announced itself here: the registry moves
 * the port to this host (if it still asks for it), which unblocks it
 * (cluster_replica_changed__() calls cluster_migrate_changed__()). */
static void
cluster_activate__(struct cluster *c, struct cluster_migration *m)
{
    struct ovsdb_txn *txn = cluster_txn__(c);

    GN_LOG_INFO("port %s: its guest announced itself here %lld ms after "
                "the request: moving it from host %s", m->name,
                gn_time_msec() - m->start_msec, m->from);
    ovsdb_txn_wait(txn, "Port", cluster_where__("name", m->name),
                   json_pack("[s]", "requested_host"), "==",
                   json_pack("[{s:s}]", "requested_host", c->host), 0);
    ovsdb_txn_update(txn, "Port", cluster_where__("name", m->name),
                     json_pack("{s:s, s:o, s:s}", "host", c->host,
                               "requested_host", ovsdb_datum_empty_set(),
                               "state", "ready"));
    struct cluster_move *move = gn_xmalloc(sizeof *move);

    move->c = c;
    move->name = gn_xstrdup(m->name);
    m->activating = true;
    ovsdb_txn_commit(txn, c->session, cluster_activated__, move);
}

static void
cluster_withdrawn__(struct ovsdb_txn *txn, const struct ovsdb_txn_result *r,
                    void *name_)
{
    (void) txn;
    if (r->status != OVSDB_TXN_SUCCESS) {
        GN_LOG_WARN("port %s: withdrawing the migration request: %s",
                    (char *) name_, r->error ? r->error : "failed");
    }
    free(name_);
}

/* Withdraws this host's request for port 'name' in the registry. */
void
cluster_migration_withdraw__(struct cluster *c, const char *name)
{
    struct cluster_migration *m = cluster_migration_find__(c, name);
    struct ovsdb_txn *txn = cluster_txn__(c);

    ovsdb_txn_update(txn, "Port", json_pack(
                         "[[s, s, s], [s, s, s]]", "name", "==", name,
                         "requested_host", "==", c->host),
                     json_pack("{s:o}", "requested_host",
                               ovsdb_datum_empty_set()));
    ovsdb_txn_commit(txn, c->session, cluster_withdrawn__,
                     gn_xstrdup(name));
    if (m) {
        cluster_migration_remove__(c, m);
    }
    cluster_migrate_update__(c);
}

static void
cluster_timed_out_deleted__(int status, json_t *body, void *name_)
{
    GN_LOG_INFO("port %s: removed after its migration timed out (%d)",
                (char *) name_, status);
    json_decref(body);
    free(name_);
}

static void
cluster_migrate_stats__(const struct flow_table_cookie_stats *stats,
                        size_t n, int error, void *poll_)
{
    struct cluster_migrate_poll *poll = poll_;
    struct cluster *c = poll->c;

    free(poll);
    if (!c) {
        return;                 /* The cluster went first. */
    }
    c->migrate_poll = NULL;
    if (error) {
        return;
    }
    for (struct cluster_migration *m = c->migrations; m; m = m->next) {
        int ofport = cluster_local_ofport__(c, m->name);
        uint64_t cookie = PIPELINE_COOKIE(PIPELINE_RULE_MIGRATION_ANNOUNCE,
                                          ofport);

        for (size_t i = 0; ofport > 0 && !m->activating && i < n; i++) {
            if (stats[i].cookie == cookie && stats[i].n_packets) {
                cluster_activate__(c, m);
            }
        }
    }
}

static void
cluster_migrate_timer__(evutil_socket_t fd, short what, void *c_)
{
    struct cluster *c = c_;
    long long now = gn_time_msec();
    struct cluster_migration *m, *next;

    (void) fd;
    (void) what;
    for (m = c->migrations; m; m = next) {
        next = m->next;
        if (now >= m->deadline && !m->activating) {
            GN_LOG_WARN("port %s: no announcement from its guest within "
                        "%d s: the migration from host %s is abandoned",
                        m->name, c->migration_timeout_ms / 1000, m->from);
            engine_port_delete(c->engine, m->name,
                               cluster_timed_out_deleted__,
                               gn_xstrdup(m->name));
            cluster_migration_withdraw__(c, m->name);
        }
    }
    if (c->migrations && !c->migrate_poll) {
        struct cluster_migrate_poll *poll = gn_xzalloc(sizeof *poll);

        poll->c = c;
        if (!ofctrl_request_cookie_stats(engine_ofctrl(c->engine),
                                         cluster_migrate_stats__, poll)) {
            c->migrate_poll = poll;
        } else {
            free(poll);
        }
    }
    if (c->migrations) {
        struct timeval tv = { 0, CLUSTER_MIGRATE_POLL_MS * 1000 };
        evtimer_add(c->migrate_timer, &tv);
    }
}

void
cluster_migration_start__(struct cluster *c, const char *name,
                          const char *from)
{
    struct cluster_migration *m = gn_xzalloc(sizeof *m);
    struct timeval tv = { 0, CLUSTER_MIGRATE_POLL_MS * 1000 };

    m->name = gn_xstrdup(name);
    m->from = gn_xstrdup(from);
    m->start_msec = gn_time_msec();
    m->deadline = m->start_msec + c->migration_timeout_ms;
    m->next = c->migrations;
    c->migrations = m;
    if (!c->migrate_timer) {
        c->migrate_timer = evtimer_new(c->base, cluster_migrate_timer__, c);
    }
    evtimer_add(c->migrate_timer, &tv);
    cluster_migrate_update__(c);
}

void
cluster_migrate_changed__(struct cluster *c)
{
    struct cluster_migration *m, *next;

    for (m = c->migrations; m; m = next) {
        const json_t *row = cluster_find__(c, "Port", "name", m->name, NULL);
        const char *host = row ? ovsdb_datum_string(row, "host") : NULL;
        const char *req = row ? ovsdb_datum_string(row, "requested_host")
                              : NULL;

        next = m->next;
        if (req && !strcmp(req, c->host)) {
            m->confirmed = true;
        }
        if (host && !strcmp(host, c->host)) {
            GN_LOG_INFO("port %s: migrated here from host %s in %lld ms",
                        m->name, m->from, gn_time_msec() - m->start_msec);
            cluster_migration_remove__(c, m);
        } else if (!m->activating && m->confirmed
                   && (!row || !req || strcmp(req, c->host))) {
            /* The request, seen before, went (the source deleted the
             * port, or the host was removed): the destination goes too. */
            GN_LOG_WARN("port %s: the registry no longer has this host's "
                        "migration request: removing the port", m->name);
            engine_port_delete(c->engine, m->name,
                               cluster_timed_out_deleted__,
                               gn_xstrdup(m->name));
            cluster_migration_remove__(c, m);
        }
    }
    cluster_migrate_update__(c);
}

void
cluster_migrate_destroy__(struct cluster *c)
{
    while (c->migrations) {
        cluster_migration_remove__(c, c->migrations);
    }
    if (c->migrate_poll) {
        c->migrate_poll->c = NULL;
    }
    if (c->migrate_timer) {
        event_free(c->migrate_timer);
    }
    free(c->blocked_digest);
}
