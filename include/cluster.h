/* cluster.h: guestnetd's cluster mode: the networks, rules and port
 * registry of every host, in the "Guestnet" database of a clustered
 * ovsdb-server (Raft; cluster/guestnet.ovsschema).
 *
 * With --cluster=REMOTES guestnetd keeps a replica of that database.  From
 * its Network, Rule and Cluster rows, merged with the host-local file
 * (bridge, datapath, uplink, host name), it makes the config the engine
 * runs on; every change of them reaches the engine at once, and the host
 * writes the policy generation whose flows its switch holds into its Host
 * row, so "is the change live everywhere?" has an answer.  The last policy
 * applied is kept in a cache file, so that a host that restarts while the
 * cluster is away comes back with the flows it had (fail-static).
 *
 * Ports: an add is registered first (a Port row, and an Address row per
 * IP: the schema's indexes make the cluster refuse a name, a MAC in a
 * network or an address in a network that another port or a gateway has,
 * whichever host asks), then made locally by the engine, then marked
 * ready.  A refused add answers 409 naming the owner (host and port).
 * Writes that need the cluster answer 503 while it is unreachable; reads,
 * local status and the installed flows stay.
 *
 * Live migration (cluster-migrate.c): a port added on another host with
 * the same network and MAC as one the registry has is that port's guest
 * migrating: blocked there until the guest announces itself, then moved.
 *
 * Host names: a host's row carries the system-id kept in the state
 * folder; a second guestnetd with the same host name and another
 * system-id is refused.
 *
 * Thread-safety: runs on the thread of its event base. */
#ifndef GN_CLUSTER_H
#define GN_CLUSTER_H 1

#include <jansson.h>
#include <stdbool.h>

#include "engine.h"

struct event_base;
struct cluster;

#define CLUSTER_DB "Guestnet"
#define CLUSTER_SCHEMA_MAJOR 1          /* Of the schema this code needs. */

struct cluster_options {
    const char *remotes;        /* "unix:A,tcp:IP:PORT,...". */
    const char *config_file;    /* The host-local file (re-read on
                                 * cluster_reload()). */
    const char *state_dir;      /* system-id and the policy cache. */
    int heartbeat_ms;           /* Host row's last_seen: 0: 5000. */
    int migration_timeout_s;    /* A migration's destination waits this
                                 * long for its guest: 0: 60. */
};

/* Starts cluster mode for 'engine', whose config 'local' (borrowed) came
 * from the host-local file.  Returns NULL and a malloc'd error if the
 * local file or the options are unfit (the file names networks, no host
 * name, unusable state folder). */
struct cluster *cluster_create(struct event_base *, struct engine *,
                               const struct gn_config *local,
                               const struct cluster_options *,
                               char **errorp);
void cluster_destroy(struct cluster *);

/* Re-reads the host-local file; NULL or a malloc'd error. */
char *cluster_reload(struct cluster *);

/* NULL when healthy, else a static or cluster-owned reason. */
const char *cluster_health(const struct cluster *);

/* Port writes through the registry, answered as engine_port_add() and
 * engine_port_delete() answer. */
void cluster_port_add(struct cluster *, const json_t *req, bool wait,
                      engine_done_cb *, void *aux);
void cluster_port_delete(struct cluster *, const char *name,
                         engine_done_cb *, void *aux);
void cluster_forget(struct cluster *, void *aux);

/* The /v1/cluster endpoints.  'method' is "GET", "POST" or "DELETE";
 * 'path' follows "/v1/cluster"; 'params' the query ({name: value}) and
 * 'body' the request's JSON object or NULL (both borrowed).  Answers
 * through 'cb', at once for reads and refusals. */
void cluster_handle(struct cluster *, const char *method, const char *path,
                    const json_t *params, const json_t *body,
                    engine_done_cb *cb, void *aux);

/* The MAC this host's routed frames leave with to other hosts:
 * 0a:58:XX:XX:XX:XX, XX the first bytes of its system-id. */
struct netaddr_mac;
void cluster_router_mac(const char *system_id, struct netaddr_mac *);

/* For /v1/status and /metrics (new reference). */
json_t *cluster_status_brief(const struct cluster *);

#endif /* cluster.h */
