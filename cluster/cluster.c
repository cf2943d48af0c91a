/* cluster.c: the connection to the cluster database and the replica of
 * it, this host's identity (system-id) and row (registration, heartbeat,
 * installed policy generation), health, and the read endpoints; routes
 * the rest to cluster-policy.c and cluster-ports.c. */
#include <config.h>

#include "cluster-private.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "jsonrpc-session.h"
#include "netaddr.h"
#include "ovsdb-replica.h"
#include "ovsdb-server-db.h"
#include "ovsdb-txn.h"

GN_LOG_MODULE(cluster);

static const char *const cluster_columns[][12] = {
    { "Cluster", "generation", "broadcast_pps", "broadcast_burst", NULL },
    { "Network", "name", "vlan", "subnets", "gateways", "mtu", "private",
      "external_ids", NULL },
    { "Rule", "from", "to", "proto", "port", NULL },
    { "Host", "name", "system_id", "uplink", "addresses", "version",
      "generation", "last_seen", NULL },
    { "Port", "name", "host", "network", "mac", "ips", "kind", "state",
      "requested_host", "external_ids", NULL },
    { "Address", "network", "ip", "owner", "kind", NULL },
};

/* What cluster_find__() looks up. */
static const char *const cluster_indexes[][2] = {
    { "Network", "name" }, { "Host", "name" }, { "Port", "name" },
    { "Port", "mac" }, { "Port", "host" }, { "Port", "network" },
    { "Address", "ip" }, { "Address", "owner" },
};

json_t *
cluster_error_body__(const char *fmt, ...)
{
    va_list args;
    char *msg;
    json_t *j;

    va_start(args, fmt);
    msg = gn_xvasprintf(fmt, args);
    va_end(args);
    j = json_pack("{s:{s:s}}", "error", "message", msg);
    free(msg);
    return j;
}

void
cluster_refuse__(engine_done_cb *cb, void *aux, int status, char *msg)
{
    json_t *e = cluster_error_body__("%s", msg);

    json_object_set_new(json_object_get(e, "error"), "code",
                        json_integer(status));
    free(msg);
    cb(status, e, aux);
}

void
cluster_answer__(engine_done_cb *cb, void *aux, int status, const char *msg)
{
    cluster_refuse__(cb, aux, status, gn_xstrdup(msg));
}

struct cluster_op *
cluster_op_create__(struct cluster *c, const char *name, engine_done_cb *cb,
                    void *aux)
{
    struct cluster_op *op = gn_xzalloc(sizeof *op);

    op->c = c;
    op->name = gn_xstrdup(name ? name : "");
    op->cb = cb;
    op->aux = aux;
    op->next = c->ops;
    c->ops = op;
    return op;
}

/* Answers 'op' (unless its client went away) and frees it. */
void
cluster_op_finish__(struct cluster_op *op, int status, json_t *body)
{
    struct cluster *c = op->c;

    for (struct cluster_op **p = &c->ops; *p; p = &(*p)->next) {
        if (*p == op) {
            *p = op->next;
            break;
        }
    }
    if (op->cb) {
        json_t *err = json_object_get(body, "error");
        if (err && !json_object_get(err, "code")) {
            json_object_set_new(err, "code", json_integer(status));
        }
        op->cb(status, body, op->aux);
    } else {
        json_decref(body);
    }
    if (op->timer) {
        event_free(op->timer);
    }
    json_decref(op->req);
    json_decref(op->info);
    free(op->name);
    free(op);
}

const char *
cluster_unwritable__(const struct cluster *c)
{
    if (c->fatal) {
        return c->fatal;
    }
    if (ovsdb_server_db_error(c->sdb)) {
        return ovsdb_server_db_error(c->sdb);
    }
    if (!jsonrpc_session_is_connected(c->session)
        || !ovsdb_replica_is_synced(c->replica)) {
        return "the cluster database is unreachable: changes that need it "
               "are refused until it is back (installed flows and guests' "
               "traffic stay)";
    }
    if (!c->registered) {
        return "this host is not registered in the cluster yet";
    }
    return NULL;
}

json_t *
cluster_strings__(const json_t *row, const char *column)
{
    const json_t *v = json_object_get(row, column);
    const json_t *list = NULL;
    json_t *out = json_array();

    if (json_is_string(v)) {
        json_array_append(out, (json_t *) v);
    } else if (json_is_array(v) && json_array_size(v) == 2
               && json_is_array(json_array_get(v, 1))
               && !strcmp(json_string_value(json_array_get(v, 0)) ?
                          json_string_value(json_array_get(v, 0)) : "",
                          "set")) {
        list = json_array_get(v, 1);        /* ["set", [...]] */
    } else if (json_is_array(v)) {
        list = v;                           /* A plain list. */
    }
    if (list) {
        size_t i;
        json_t *e;

        json_array_foreach (list, i, e) {
            if (json_is_string(e)) {
                json_array_append(out, e);
            }
        }
    }
    return out;
}

const json_t *
cluster_find__(const struct cluster *c, const char *table,
               const char *column, const char *value, const char **uuidp)
{
    const char *uuid = ovsdb_replica_index_find(c->replica, table, column,
                                                value);

    if (uuidp) {
        *uuidp = uuid;
    }
    return uuid ? ovsdb_replica_get_row(c->replica, table, uuid) : NULL;
}

bool
cluster_index_clash__(const struct ovsdb_txn_result *r)
{
    return (r->status == OVSDB_TXN_OP_ERROR && r->error
            && strstr(r->error, "constraint violation")
            && strstr(r->error, "for index on"));
}

json_t *
cluster_where__(const char *column, const char *value)
{
    return json_pack("[[s, s, s]]", column, "==", value);
}

struct ovsdb_txn *
cluster_txn__(const struct cluster *c)
{
    struct ovsdb_txn *txn = ovsdb_txn_create(CLUSTER_DB);
    char *comment = gn_xasprintf("guestnetd %s", c->host);

    ovsdb_txn_comment(txn, comment);
    free(comment);
    return txn;
}

/* The host's identity: the UUID in STATE_DIR/system-id, made on first use
 * (written to a temporary file, synced, renamed). */
static char *
cluster_system_id__(const char *dir, char **idp)
{
    char *file = gn_xasprintf("%s/system-id", dir);
    char buf[64];
    char *error = NULL;
    FILE *f;

    *idp = NULL;
    if (mkdir(dir, 0755) && errno != EEXIST) {
        error = gn_xasprintf("%s: %s", dir, strerror(errno));
        goto out;
    }
    f = fopen(file, "r");
    if (f) {
        if (fgets(buf, sizeof buf, f)) {
            buf[strcspn(buf, "\n")] = '\0';
            if (strlen(buf) == 36) {
                *idp = gn_xstrdup(buf);
            }
        }
        fclose(f);
        if (!*idp) {
            error = gn_xasprintf("%s: not a system-id (a UUID); remove it "
                                 "to make a new one", file);
        }
        goto out;
    }
    f = fopen("/proc/sys/kernel/random/uuid", "r");
    if (!f || !fgets(buf, sizeof buf, f)) {
        error = gn_xstrdup("cannot read /proc/sys/kernel/random/uuid");
        if (f) {
            fclose(f);
        }
        goto out;
    }
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
    char *tmp = gn_xasprintf("%s.tmp", file);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dprintf(fd, "%s\n", buf) < 0 || fsync(fd)
        || rename(tmp, file)) {
        error = gn_xasprintf("%s: %s", file, strerror(errno));
    } else {
        *idp = gn_xstrdup(buf);
        GN_LOG_INFO("new system-id %s in %s", buf, file);
    }
    if (fd >= 0) {
        close(fd);
    }
    free(tmp);
out:
    free(file);
    return error;
}

/* Host rows. */

json_t *
cluster_host_json__(const struct cluster *c, const json_t *row)
{
    json_int_t gen = 0, seen = 0;
    const char *name = ovsdb_datum_string(row, "name");
    int n_ports = name ? ovsdb_replica_index_count(c->replica, "Port",
                                                   "host", name) : 0;
    long long ago;

    struct netaddr_mac mac;
    char router_mac[18];

    cluster_router_mac(ovsdb_datum_string(row, "system_id"), &mac);
    netaddr_format_mac(&mac, router_mac);
    ovsdb_datum_integer(row, "generation", &gen);
    ovsdb_datum_integer(row, "last_seen", &seen);
    ago = gn_time_wall_msec() - seen;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:b, s:i}",
                     "router_mac", router_mac,
                     "name", name ? name : "",
                     "system_id", ovsdb_datum_string(row, "system_id")
                                  ? ovsdb_datum_string(row, "system_id")
                                  : "",
                     "version", ovsdb_datum_string(row, "version")
                                ? ovsdb_datum_string(row, "version") : "",
                     "uplink", ovsdb_datum_string(row, "uplink")
                               ? ovsdb_datum_string(row, "uplink") : "",
                     "addresses", cluster_strings__(row, "addresses"),
                     "generation", gen,
                     "last_seen_ms_ago", (json_int_t) (ago < 0 ? 0 : ago),
                     "connected", ago < (long long) c->heartbeat_ms
                                        * CLUSTER_HOST_MISSED_BEATS,
                     "ports", n_ports);
}

static void
cluster_host_done__(struct ovsdb_txn *txn,
                    const struct ovsdb_txn_result *r, void *c_)
{
    struct cluster *c = c_;

    (void) txn;
    c->host_txn_in_flight = false;
    if (r->status == OVSDB_TXN_SUCCESS) {
        return;
    }
    if (cluster_index_clash__(r)) {
        /* Another guestnetd inserted a row of this name meanwhile. */
        gn_fatal("host name \"%s\" is registered in the cluster by another "
                 "guestnetd: give this host its own \"host\" in %s",
                 c->host, c->config_file);
    }
    GN_LOG_WARN("updating host %s in the cluster: %s", c->host,
                r->error ? r->error : "failed");
}

/* Registers this host, or refreshes its row: last_seen, version, uplink
 * and the policy generation installed. */
void
cluster_host_update__(struct cluster *c)
{
    const json_t *uplink = json_object_get(c->local, "uplink");
    const char *uuid = NULL;
    const json_t *row;
    struct ovsdb_txn *txn;
    json_t *values;

    if (c->host_txn_in_flight || c->fatal
        || !jsonrpc_session_is_connected(c->session)
        || !ovsdb_replica_is_synced(c->replica)) {
        return;
    }
    row = cluster_find__(c, "Host", "name", c->host, &uuid);
    if (row) {
        const char *sid = ovsdb_datum_string(row, "system_id");
        if (!sid || strcmp(sid, c->system_id)) {
            char *msg = gn_xasprintf(
                "host name \"%s\" is registered in the cluster by another "
                "guestnetd (system-id %s): give this host its own \"host\" "
                "in %s, or remove the other with \"guestnetctl cluster host "
                "del %s\" if it is gone", c->host, sid ? sid : "?",
                c->config_file, c->host);
            if (!c->was_registered) {
                gn_fatal("%s", msg);
            }
            /* Someone took the name meanwhile: no more writes. */
            GN_LOG_ERR("%s", msg);
            free(c->fatal);
            c->fatal = msg;
            return;
        }
    }
    values = json_pack("{s:s, s:s, s:I, s:I}",
                       "version", PACKAGE_VERSION,
                       "uplink", json_is_string(uplink)
                                 ? json_string_value(uplink) : "",
                       "generation", (json_int_t) (c->reported_generation > 0
                                                   ? c->reported_generation
                                                   : 0),
                       "last_seen", (json_int_t) gn_time_wall_msec());
    txn = cluster_txn__(c);
    if (row) {
        ovsdb_txn_update(txn, "Host", json_pack("[[s, s, o]]", "_uuid", "==",
                                                ovsdb_datum_uuid(uuid)),
                         values);
    } else {
        json_object_set_new(values, "name", json_string(c->host));
        json_object_set_new(values, "system_id",
                            json_string(c->system_id));
        ovsdb_txn_insert(txn, "Host", values);
        GN_LOG_INFO("registering host %s (system-id %s)", c->host,
                    c->system_id);
    }
    c->host_txn_in_flight = true;
    c->reported_msec = gn_time_msec();
    ovsdb_txn_commit(txn, c->session, cluster_host_done__, c);
}

/* The cluster did not answer in time after the start: the policy and the
 * other hosts' ports cached by the last run, so that the flows stay as
 * they were. */
static void
cluster_fallback_cb__(evutil_socket_t fd, short what, void *c_)
{
    struct cluster *c = c_;

    (void) fd;
    (void) what;
    if (!c->policy_text) {
        GN_LOG_WARN("the cluster did not answer within %d ms: running the "
                    "policy this host last applied", CLUSTER_FALLBACK_MS);
        cluster_policy_load_cache__(c);
        cluster_remote_load__(c);
    }
}

static void
cluster_timer_cb__(evutil_socket_t fd, short what, void *c_)
{
    (void) fd;
    (void) what;
    cluster_host_update__(c_);
    cluster_reconcile__(c_);
    cluster_remote_save__(c_);
}

/* The engine installed a newer config: report the policy generation. */
static void
cluster_installed_cb__(void *c_)
{
    struct cluster *c = c_;

    if (c->policy_cfg_gen
        && engine_installed_config_gen(c->engine) >= c->policy_cfg_gen
        && c->reported_generation != c->policy_generation) {
        c->reported_generation = c->policy_generation;
        GN_LOG_INFO("policy generation %lld installed",
                    c->policy_generation);
        cluster_host_update__(c);
    }
}

static void
cluster_replica_changed__(struct ovsdb_replica *r, bool initial, void *c_)
{
    struct cluster *c = c_;
    const char *uuid = NULL;
    const json_t *row;

    (void) r;
    if (initial) {
        GN_LOG_INFO("cluster database synced (%zu hosts, %zu networks, "
                    "%zu ports)", ovsdb_replica_count(c->replica, "Host"),
                    ovsdb_replica_count(c->replica, "Network"),
                    ovsdb_replica_count(c->replica, "Port"));
    }
    cluster_policy_changed__(c);
    cluster_remote_update__(c);
    cluster_migrate_changed__(c);
    row = cluster_find__(c, "Host", "name", c->host, &uuid);
    if (initial || !row) {
        c->registered = false;
    }
    if (row) {
        const char *sid = ovsdb_datum_string(row, "system_id");
        c->registered = sid && !strcmp(sid, c->system_id);
        c->was_registered |= c->registered;
    } else if (c->was_registered && !c->fatal) {
        /* Removed (guestnetctl cluster host del) while running: the
         * operator decides when it comes back, not a heartbeat. */
        c->fatal = gn_xasprintf(
            "this host (%s) was removed from the cluster while running: "
            "restart guestnetd to register it again", c->host);
        GN_LOG_ERR("%s", c->fatal);
    }
    if (!c->registered && !c->fatal) {
        cluster_host_update__(c);
    } else if (initial) {
        cluster_reconcile__(c);
    }
    cluster_installed_cb__(c);
}

/* The member reached has the database (and, clustered, is in the
 * cluster): check the schema's major version, then monitor the data,
 * resuming from the last transaction seen where the server allows. */
static void
cluster_server_changed__(struct ovsdb_server_db *sdb, void *c_)
{
    struct cluster *c = c_;
    const struct ovsdb_server_db_info *info = ovsdb_server_db_info(sdb);

    if (!ovsdb_server_db_is_ready(sdb) || c->monitoring) {
        return;
    }
    free(c->schema_version);
    c->schema_version = info->version ? gn_xstrdup(info->version) : NULL;
    free(c->fatal);
    c->fatal = NULL;
    if (info->version && atoi(info->version) != CLUSTER_SCHEMA_MAJOR) {
        c->fatal = gn_xasprintf(
            "the cluster database has schema %s but this guestnetd (%s) "
            "needs %d.x: %s", info->version, PACKAGE_VERSION,
            CLUSTER_SCHEMA_MAJOR,
            atoi(info->version) > CLUSTER_SCHEMA_MAJOR
            ? "upgrade guestnet on this host"
            : "convert the database with \"ovsdb-client convert\" and "
              "this guestnet's guestnet.ovsschema");
        GN_LOG_ERR("%s", c->fatal);
        return;
    }
    c->monitoring = true;
    ovsdb_replica_monitor(c->replica, c->session);
}

static void
cluster_connected__(struct jsonrpc_session *s, void *c_)
{
    struct cluster *c = c_;

    GN_LOG_INFO("connected to cluster member %s",
                jsonrpc_session_remote(s));
    c->monitoring = false;
    ovsdb_server_db_monitor(c->sdb, s);
}

static void
cluster_disconnected__(struct jsonrpc_session *s, const char *reason,
                       void *c_)
{
    struct cluster *c = c_;

    GN_LOG_WARN("lost cluster member %s: %s", jsonrpc_session_remote(s),
                reason);
    ovsdb_server_db_disconnected(c->sdb);
    ovsdb_replica_disconnected(c->replica);
    c->monitoring = false;
    c->host_txn_in_flight = false;
}

static void
cluster_notify__(struct jsonrpc_session *s, const json_t *msg, void *c_)
{
    struct cluster *c = c_;

    (void) s;
    if (!ovsdb_server_db_handle_notify(c->sdb, msg)) {
        ovsdb_replica_handle_notify(c->replica, msg);
    }
}

/* The host-local settings of 'local' as config JSON, or an error if it
 * names what comes from the cluster. */
static char *
cluster_local_json__(const struct gn_config *local, json_t **jsonp)
{
    json_t *j;

    *jsonp = NULL;
    if (local->n_networks || local->n_rules) {
        return gn_xstrdup("in cluster mode the networks and rules come from "
                          "the cluster database: remove \"networks\" and "
                          "\"rules\" from the host's config file (import "
                          "them once with \"guestnetctl cluster import "
                          "FILE\")");
    }
    if (!local->host) {
        return gn_xstrdup("cluster mode needs this host's name: add "
                          "\"host\": \"NAME\" to the config file");
    }
    j = json_pack("{s:s, s:s, s:s}", "bridge", local->bridge,
                  "datapath_type", local->datapath_type,
                  "host", local->host);
    if (local->uplink) {
        json_object_set_new(j, "uplink", json_string(local->uplink));
    }
    *jsonp = j;
    return NULL;
}

struct cluster *
cluster_create(struct event_base *base, struct engine *engine,
               const struct gn_config *local,
               const struct cluster_options *opts, char **errorp)
{
    static const struct jsonrpc_session_cbs cbs = {
        .connected = cluster_connected__,
        .disconnected = cluster_disconnected__,
        .notify = cluster_notify__,
    };
    struct cluster *c;
    json_t *local_json;
    char *system_id;
    char *error;

    error = cluster_local_json__(local, &local_json);
    if (!error) {
        error = cluster_system_id__(opts->state_dir, &system_id);
        if (error) {
            json_decref(local_json);
        }
    }
    if (error) {
        *errorp = error;
        return NULL;
    }
    c = gn_xzalloc(sizeof *c);
    c->base = base;
    c->engine = engine;
    c->remotes = gn_xstrdup(opts->remotes);
    c->config_file = gn_xstrdup(opts->config_file);
    c->state_dir = gn_xstrdup(opts->state_dir);
    c->system_id = system_id;
    c->host = gn_xstrdup(local->host);
    c->local = local_json;
    c->ipam_repairs = json_object();
    c->heartbeat_ms = opts->heartbeat_ms > 0 ? opts->heartbeat_ms : 5000;
    c->migration_timeout_ms = (opts->migration_timeout_s > 0
                               ? opts->migration_timeout_s * 1000 : 60000);
    c->reported_generation = -1;

    c->sdb = ovsdb_server_db_create(CLUSTER_DB, cluster_server_changed__,
                                    c);
    c->replica = ovsdb_replica_create(CLUSTER_DB, cluster_replica_changed__,
                                      c);
    ovsdb_replica_set_resume(c->replica, true);
    for (size_t i = 0; i < GN_ARRAY_SIZE(cluster_columns); i++) {
        ovsdb_replica_add_table(c->replica, cluster_columns[i][0],
                                &cluster_columns[i][1]);
    }
    for (size_t i = 0; i < GN_ARRAY_SIZE(cluster_indexes); i++) {
        ovsdb_replica_add_index(c->replica, cluster_indexes[i][0],
                                cluster_indexes[i][1]);
    }
    engine_set_installed_cb(engine, cluster_installed_cb__, c);
    /* Addresses are assigned through the registry (cluster-ipam.c). */
    engine_set_external_ipam(engine, true);
    /* Link-local bindings too, unique across hosts (cluster-ll.c). */
    engine_set_ll_registrar(engine, cluster_ll_register__, c);
    engine_set_learn_registrar(engine, cluster_learn_register__, c);
    /* The engine waits for the cluster's policy, or, if the cluster does
     * not answer in time, runs the one it last applied (the cache). */
    engine_hold(engine, true);
    c->fallback = evtimer_new(base, cluster_fallback_cb__, c);
    struct timeval fb = { CLUSTER_FALLBACK_MS / 1000,
                          (CLUSTER_FALLBACK_MS % 1000) * 1000 };
    evtimer_add(c->fallback, &fb);

    c->session = jsonrpc_session_create(base, c->remotes, NULL, &cbs, c,
                                        &error);
    if (!c->session) {
        *errorp = error;
        cluster_destroy(c);
        return NULL;
    }
    c->timer = event_new(base, -1, EV_PERSIST, cluster_timer_cb__, c);
    struct timeval tv = { c->heartbeat_ms / 1000,
                          (c->heartbeat_ms % 1000) * 1000 };
    event_add(c->timer, &tv);
    GN_LOG_INFO("cluster mode: host %s, system-id %s, members %s",
                c->host, c->system_id, c->remotes);
    *errorp = NULL;
    return c;
}

void
cluster_destroy(struct cluster *c)
{
    if (!c) {
        return;
    }
    engine_set_installed_cb(c->engine, NULL, NULL);
    cluster_remote_save__(c);
    if (c->timer) {
        event_free(c->timer);
    }
    if (c->fallback) {
        event_free(c->fallback);
    }
    /* The transactions in flight are answered (with an error) while their
     * ops are alive; then the ops that wait for the engine are forgotten
     * there and answered. */
    jsonrpc_session_destroy(c->session);
    c->session = NULL;
    while (c->ops) {
        engine_forget(c->engine, c->ops);
        cluster_op_finish__(c->ops, 503, cluster_error_body__(
                                "guestnetd is stopping"));
    }
    engine_set_ll_registrar(c->engine, NULL, NULL);
    engine_set_learn_registrar(c->engine, NULL, NULL);
    cluster_migrate_destroy__(c);
    ovsdb_replica_destroy(c->replica);
    ovsdb_server_db_destroy(c->sdb);
    json_decref(c->ipam_repairs);
    json_decref(c->local);
    free(c->remotes);
    free(c->config_file);
    free(c->state_dir);
    free(c->system_id);
    free(c->host);
    free(c->schema_version);
    free(c->fatal);
    free(c->policy_text);
    free(c->policy_error);
    free(c->remote_digest);
    json_decref(c->remote_rows);
    free(c);
}

char *
cluster_reload(struct cluster *c)
{
    struct gn_config *cfg;
    json_t *local;
    char *error;

    error = gn_config_read(c->config_file, &cfg);
    if (!error) {
        error = cluster_local_json__(cfg, &local);
        if (!error && (strcmp(cfg->host, c->host)
                       || strcmp(cfg->bridge, engine_config(c->engine)
                                 ->bridge))) {
            error = gn_xasprintf("%s: changing the host name or the bridge "
                                 "needs a restart", c->config_file);
            json_decref(local);
        }
        gn_config_destroy(cfg);
    }
    if (error) {
        GN_LOG_WARN("reload refused, old config stays: %s", error);
        return error;
    }
    json_decref(c->local);
    c->local = local;
    free(c->policy_text);
    c->policy_text = NULL;      /* Apply again, with the new settings. */
    cluster_policy_changed__(c);
    cluster_host_update__(c);
    return c->policy_error ? gn_xstrdup(c->policy_error) : NULL;
}

const char *
cluster_health(const struct cluster *c)
{
    /* A cluster out of reach is not ill health: the flows stay. */
    return c->fatal;
}

void
cluster_forget(struct cluster *c, void *aux)
{
    for (struct cluster_op *op = c->ops; op; op = op->next) {
        if (op->aux == aux) {
            op->cb = NULL;
            op->aux = NULL;
        }
    }
    engine_forget(c->engine, aux);
}

json_t *
cluster_status_brief(const struct cluster *c)
{
    const char *why = cluster_unwritable__(c);
    json_t *j = json_pack("{s:s, s:s, s:b, s:b, s:I, s:s, s:s, s:I, s:I}",
                          "remotes", c->remotes,
                          "remote", jsonrpc_session_remote(c->session),
                          "connected",
                          jsonrpc_session_is_connected(c->session),
                          "synced", ovsdb_replica_is_synced(c->replica),
                          "generation",
                          (json_int_t) cluster_generation__(c),
                          "host", c->host,
                          "system_id", c->system_id,
                          "installed_generation",
                          (json_int_t) c->reported_generation,
                          "applied_generation",
                          (json_int_t) c->policy_generation);
    if (why) {
        json_object_set_new(j, "error", json_string(why));
    }
    if (c->policy_error) {
        json_object_set_new(j, "policy_error",
                            json_string(c->policy_error));
    }
    if (c->schema_version) {
        json_object_set_new(j, "schema_version",
                            json_string(c->schema_version));
    }
    int n_ops = 0;
    for (const struct cluster_op *op = c->ops; op; op = op->next) {
        n_ops++;
    }
    json_object_set_new(j, "writes_in_flight", json_integer(n_ops));
    json_object_set_new(j, "resumes", json_integer(
                            ovsdb_replica_n_resumes(c->replica)));
    json_object_set_new(j, "full_resyncs", json_integer(
                            ovsdb_replica_n_full_resyncs(c->replica)));
    if (ovsdb_server_db_is_ready(c->sdb)) {
        json_object_set_new(j, "leader", json_boolean(
                                ovsdb_server_db_info(c->sdb)->leader));
    }
    return j;
}

static json_t *
cluster_hosts_json__(const struct cluster *c)
{
    json_t *hosts = json_array();
    const char *uuid;
    const json_t *row;

    OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Host") {
        json_array_append_new(hosts, cluster_host_json__(c, row));
    }
    return hosts;
}

/* True if 'path' is 'prefix' or below it ("/ports", "/ports/NAME"). */
static bool
cluster_path_is__(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    return !strncmp(path, prefix, n) && (!path[n] || path[n] == '/');
}

void
cluster_handle(struct cluster *c, const char *method, const char *path,
               const json_t *params, const json_t *body, engine_done_cb *cb,
               void *aux)
{
    bool get = !strcmp(method, "GET");

    if (get && !strcmp(path, "/status")) {
        json_t *brief = cluster_status_brief(c);
        json_t *host = json_pack("{s:s, s:s, s:I}", "name", c->host,
                                 "system_id", c->system_id, "generation",
                                 (json_int_t) c->reported_generation);
        cb(200, json_pack("{s:o, s:o, s:o}", "cluster", brief, "host", host,
                          "hosts", cluster_hosts_json__(c)), aux);
    } else if (get && !strcmp(path, "/hosts")) {
        cb(200, json_pack("{s:o}", "hosts", cluster_hosts_json__(c)), aux);
    } else if (cluster_path_is__(path, "/ports")
               || !strncmp(path, "/hosts/", 7)) {
        cluster_ports_handle__(c, method, path, params, cb, aux);
    } else if (cluster_path_is__(path, "/networks")
               || !strcmp(path, "/rules") || !strcmp(path, "/import")) {
        cluster_policy_handle__(c, method, path, params, body, cb, aux);
    } else {
        cluster_answer__(cb, aux, 404, "no such endpoint");
    }
}
