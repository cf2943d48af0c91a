/* cluster-private.h: the state of struct cluster, shared by
 * cluster/cluster.c (the connection, the replica, this host's row, reads),
 * cluster/cluster-policy.c (networks and rules to the engine),
 * cluster/cluster-edit.c (their changes) and cluster/cluster-ports.c (the
 * port registry).  Nothing
 * outside cluster/ includes it. */
#ifndef GN_CLUSTER_PRIVATE_H
#define GN_CLUSTER_PRIVATE_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cluster.h"

struct event;
struct gn_config;
struct ovsdb_txn;
struct ovsdb_txn_result;

/* A host whose row was not refreshed for this many heartbeats counts as
 * disconnected. */
#define CLUSTER_HOST_MISSED_BEATS 3

#define CLUSTER_CLASH_WAIT_MS 1000

/* How long a start waits for the cluster's policy before it runs the
 * cached one. */
#define CLUSTER_FALLBACK_MS 2000

/* A cluster write in progress, answered through 'cb' unless forgotten. */
struct cluster_op {
    struct cluster_op *next;
    struct cluster *c;
    char *name;                 /* Port, network or host concerned. */
    json_t *req;                /* Port add: the request for the engine. */
    json_t *info;               /* What the answer needs. */
    bool wait;
    bool registered;            /* Port add: its rows are ours to undo. */
    struct event *timer;        /* Port add refused: polls the replica for
                                 * the owner, CLUSTER_CLASH_WAIT_MS at
                                 * most. */
    int n_polls;
    int n_tries;                /* Port add: assigned addresses tried. */
    engine_done_cb *cb;
    void *aux;
};

struct cluster {
    struct event_base *base;
    struct engine *engine;
    char *remotes;
    char *config_file;
    char *state_dir;
    char *system_id;
    char *host;                 /* This host's name. */
    json_t *local;              /* Host-local settings as config JSON. */
    int heartbeat_ms;

    struct jsonrpc_session *session;
    struct ovsdb_replica *replica;
    struct ovsdb_server_db *sdb;        /* The member's _Server row. */
    bool monitoring;            /* The replica's monitor was sent. */
    char *schema_version;       /* The server's, once known. */
    char *fatal;                /* Why the cluster cannot be used at all
                                 * (schema), or NULL. */
    bool registered;            /* This host's row is there and ours. */
    bool was_registered;        /* It was, since the start. */
    bool host_txn_in_flight;
    int n_repairs;              /* Repair transactions in flight. */
    json_t *ipam_repairs;       /* "NETWORK IP" each registration of an
                                 * adopted port in flight was assigned. */
    struct event *timer;        /* Heartbeat. */
    struct event *fallback;     /* Start: the cache if the cluster is
                                 * late. */

    /* The policy the engine runs: its canonical text, its generation and
     * the engine's config generation for it. */
    char *policy_text;
    long long policy_generation;
    unsigned long long policy_cfg_gen;
    char *policy_error;         /* The cluster's policy is unfit, or
                                 * NULL. */
    long long reported_generation;      /* In this host's row. */
    long long reported_msec;            /* When last_seen was written. */

    /* Live migrations (cluster-migrate.c). */
    struct cluster_migration *migrations;   /* Pending here. */
    struct event *migrate_timer;
    struct cluster_migrate_poll *migrate_poll;
    char *blocked_digest;       /* The blocked ports given to the engine. */
    int migration_timeout_ms;

    /* What the engine was last given of other hosts' ports. */
    char *remote_digest;
    json_t *remote_rows;        /* To save at the next heartbeat, or
                                 * NULL. */
    unsigned long long remote_seqno;
    unsigned long long remote_cfg_gen;

    struct cluster_op *ops;
};

/* cluster.c */
struct cluster_op *cluster_op_create__(struct cluster *, const char *name,
                                       engine_done_cb *, void *aux);
void cluster_op_finish__(struct cluster_op *, int status, json_t *body);
json_t *cluster_error_body__(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* NULL if writes can go to the cluster now, else why not (static). */
const char *cluster_unwritable__(const struct cluster *);
/* The string members of set-of-string column 'column' of 'row' (new):
 * an OVSDB set, a bare string, or a plain list. */
json_t *cluster_strings__(const json_t *row, const char *column);
/* The row of 'table' whose string 'column' is 'value', or NULL. */
const json_t *cluster_find__(const struct cluster *, const char *table,
                             const char *column, const char *value,
                             const char **uuidp);
/* True if 'r' failed because a schema index refused a duplicate. */
bool cluster_index_clash__(const struct ovsdb_txn_result *);
/* [[column, "==", value]] (new). */
json_t *cluster_where__(const char *column, const char *value);
/* A transaction on the Guestnet database with guestnetd's comment. */
struct ovsdb_txn *cluster_txn__(const struct cluster *);
void cluster_host_update__(struct cluster *);
json_t *cluster_host_json__(const struct cluster *, const json_t *row);

/* Answers through 'cb' with the error 'msg' (taken, or copied). */
void cluster_refuse__(engine_done_cb *, void *aux, int status, char *msg);
void cluster_answer__(engine_done_cb *, void *aux, int status,
                      const char *msg);

/* A Network row's external_ids: "false" if the network's "dhcp" is;
 * its "dns" servers, comma-separated; its default limits, in
 * gn_limits_format()'s form ("egress_kbps=50000,burst_ms=100"). */
#define CLUSTER_NET_DHCP_KEY "dhcp"
#define CLUSTER_NET_DNS_KEY "dns"
#define CLUSTER_NET_LIMITS_KEY "limits"

/* cluster-ipam.c */
/* The Port row's external_ids key: those of its "ips" the registry
 * assigned (comma-separated). */
#define CLUSTER_ASSIGNED_KEY "ips-assigned"
/* The prefix of the Port row's external_ids keys that mark those of its
 * "ips" its guest took on first use ("ip-learned:ADDRESS" = "true", one
 * key per address, so that two registrations in flight never overwrite
 * each other's: cluster-ll.c). */
#define CLUSTER_LEARNED_PREFIX "ip-learned:"
/* True if the Port row 'row' marks its address 'ip' as taken on first
 * use. */
bool cluster_ip_learned__(const json_t *row, const char *ip);
/* Adds to 'j', the JSON of Port row 'row' with its "ips", the addresses
 * of them the registry assigned ("ips_assigned", if any) and those taken
 * on first use ("ips_learned"). */
void cluster_ipam_json__(const json_t *row, json_t *j);
/* At most this many addresses are tried for one add that others' adds
 * keep beating to them. */
#define CLUSTER_IPAM_TRIES 16
struct port_spec;
/* True if a port of 'network' with the addresses 'ips' (canonical
 * texts), the network's server if 'server', gets an assigned IPv4
 * address. */
bool cluster_ipam_wants__(const struct cluster *, const char *network,
                          bool server, const json_t *ips);
/* Stores the text of the first free address of network 'network''s DHCP
 * subnet from its '*from'th in 'ip' ('size' bytes), moves '*from' past it
 * and returns NULL, or returns a malloc'd message (409: the subnet is
 * full). */
char *cluster_ipam_next__(const struct cluster *, const char *network,
                          uint64_t *from, char *ip, size_t size);
/* The name of the registered port of network 'net' whose EUI-64
 * link-local address is 'll' (text), or NULL. */
const char *cluster_ll_eui64_owner__(const struct cluster *, const char *net,
                                     const char *ll);
/* The Address row of network 'net' that holds 'ip' (canonical text), or
 * NULL (borrowed from the replica). */
const json_t *cluster_address_row__(const struct cluster *, const char *net,
                                    const char *ip);
/* What the registry assigns a port of 'network' with 'mac' that declares
 * 'ips' (canonical texts), the network's server if 'server': stores in
 * '*assigned' NULL (nothing), or a new array of texts: an IPv4 address
 * (cluster_ipam_next__() from '*from') and, if it declares no address at
 * all, its EUI-64 addresses as engine-ipam.c picks them.  Returns NULL,
 * or a malloc'd message (409: the subnet is full, or a port declared one
 * of its EUI-64 addresses, unless 'skip_taken': then that one is left
 * out, as a single host leaves it out, for a port that exists already). */
char *cluster_ipam_pick__(const struct cluster *, const char *network,
                          bool server, const char *mac, const json_t *ips,
                          bool skip_taken, uint64_t *from,
                          json_t **assigned);
/* The strings of array 'items', comma-separated (malloc'd). */
char *cluster_ipam_join__(const json_t *items);
/* The addresses of a port add's 'info' that a retry keeps: the declared
 * ones and the EUI-64 ones (new array). */
json_t *cluster_ipam_fixed__(const json_t *info);
/* If registry row 'row' has assigned addresses, puts them in add request
 * 'req' as the engine takes them: "ips" (all the row's) and
 * "ips_assigned". */
void cluster_ipam_req__(const json_t *row, json_t *req);
/* The items of the comma-separated 'list' (new array of strings). */
json_t *cluster_list__(const char *list);
/* True if 'ip' (canonical text) is one that 'row' was assigned, or that
 * its guest took on first use: no add request's (a live migration's
 * destination asks without them). */
bool cluster_ipam_not_requested__(const json_t *row, const char *ip);
/* Gives the port add 'op' the assigned addresses 'assigned' (an array of
 * texts, its IPv4 one first, the one before the 'from'th of its subnet;
 * takes ownership) in its request for the engine and in its info. */
void cluster_assign__(struct cluster_op *, json_t *assigned, uint64_t from);
/* The add 'op' lost its assigned address to another host's add: tries
 * the next free one, or answers 409 if the subnet is full now.  Returns
 * false if it cannot (the add lost something else, or tried
 * CLUSTER_IPAM_TRIES times). */
bool cluster_reassign__(struct cluster_op *);

/* cluster-ll.c */
/* NULL if the cluster database's schema has link-local bindings (Address
 * kind "link-local", 1.1.0 and later), else why not (malloc'd). */
char *cluster_ll_unsupported__(const struct cluster *);
/* engine_ll_register_cb: registers the binding of link-local address
 * 'll' to this host's port 'port' of 'network' in the registry, then
 * answers the engine (engine_ll_registered()). */
void cluster_ll_register__(const char *port, const char *network,
                           const char *ll, void *cluster);
/* engine_learn_register_cb: registers address 'addr' that port 'port''s
 * guest took on first use as the port's (its Port row's "ips" and an
 * Address row of kind "port"). */
void cluster_learn_register__(const char *port, const char *network,
                              const char *addr, void *c);
/* Port name -> array of the link-local addresses the registry binds to
 * it, sorted (new object). */
json_t *cluster_ll_owners__(const struct cluster *);

/* cluster-policy.c */
/* Parses the host-local settings with 'policy' (borrowed) as one config;
 * NULL or a malloc'd error. */
char *cluster_config__(const struct cluster *, const json_t *policy,
                       struct gn_config **cfgp);
/* The policy in the replica as config JSON: {"networks", "rules",
 * "broadcast_limit"} (new). */
json_t *cluster_policy_json__(const struct cluster *);
long long cluster_generation__(const struct cluster *);
void cluster_policy_changed__(struct cluster *);
bool cluster_policy_load_cache__(struct cluster *);

/* cluster-edit.c */
void cluster_policy_handle__(struct cluster *, const char *method,
                             const char *path, const json_t *params,
                             const json_t *body, engine_done_cb *, void *);

/* cluster-migrate.c */
void cluster_migration_start__(struct cluster *, const char *name,
                               const char *from);
bool cluster_migration_pending__(const struct cluster *, const char *name);
void cluster_migration_withdraw__(struct cluster *, const char *name);
/* The registry or the bridge changed: migrations done or abandoned, and
 * the ports to block. */
void cluster_migrate_changed__(struct cluster *);
void cluster_migrate_update__(struct cluster *);
void cluster_migrate_destroy__(struct cluster *);

/* cluster-remote.c */
void cluster_remote_update__(struct cluster *);
void cluster_remote_load__(struct cluster *);
void cluster_remote_save__(struct cluster *);

/* cluster-ports.c */
json_t *cluster_port_json__(const json_t *row);
/* True if a write of this module for port 'name' is in progress. */
bool cluster_port_busy__(const struct cluster *, const char *name);
/* Adds the ops that remove port 'name' of this host from the registry. */
void cluster_plan_unregister__(const struct cluster *, struct ovsdb_txn *,
                               const char *name);
/* Who in network 'net' holds one of the addresses of 'ips' (canonical
 * strings): a malloc'd description, or NULL if nobody does. */
char *cluster_address_clash__(const struct cluster *, const char *net,
                              const json_t *ips);
/* Who in network 'net' holds MAC 'mac' or one of the addresses of 'ips'
 * (canonical strings), or the name 'name': a malloc'd description, or
 * NULL if nobody does. */
char *cluster_clash__(const struct cluster *, const char *name,
                      const char *net, const char *mac, const json_t *ips);
/* Registers the port add 'op': its Port row and an Address row per
 * address, declared or assigned; the answer goes on from there. */
void cluster_register__(struct cluster_op *);

/* cluster-repair.c */
void cluster_reconcile__(struct cluster *);
void cluster_ports_handle__(struct cluster *, const char *method,
                            const char *path, const json_t *params,
                            engine_done_cb *, void *);

#endif /* cluster-private.h */
