/* engine.h: guestnetd's reconcile engine.
 *
 * Owns the OVSDB session and replica, the current config, and the queue of
 * port requests.  One step, run whenever the replica, the config or the
 * queue changes:
 *
 *     (config, replica, queued requests)
 *         -> one OVSDB transaction: bridge fixes + adoption + every queued
 *            port add/delete, with next_cfg incremented
 *         -> wait until ovs-vswitchd applied it (cur_cfg) and the new ports
 *            have an ofport, then answer the requests.
 *
 * Concurrent requests therefore share transactions.  Only one transaction
 * is in flight at a time.  If a shared transaction fails, its requests are
 * retried one by one so one bad request cannot fail the others.  If the
 * connection drops before the reply, the outcome is unknown: after the
 * resync the engine checks the replica and retries only what is missing,
 * so nothing is applied twice and nothing acknowledged is lost (a request
 * is acknowledged only after its transaction committed).
 *
 * Thread-safety: runs on the thread of its event base.  It owns one more
 * thread, the device worker (dev-worker.h), which only creates and deletes
 * devices for it. */
#ifndef GN_ENGINE_H
#define GN_ENGINE_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct gn_config;
struct engine;

/* Creates the engine and starts connecting to 'ovsdb_remote' and to the
 * bridge's OpenFlow management socket in 'ovs_rundir'.  Takes ownership of
 * 'cfg'; 'config_file' (may be NULL) is re-read by engine_reload().  Free
 * with engine_destroy(). */
struct engine *engine_create(struct event_base *, const char *ovsdb_remote,
                             const char *ovs_rundir, struct gn_config *cfg,
                             const char *config_file);
void engine_destroy(struct engine *);

/* Sets how long (ms, 30000 unless set) a port request waits for
 * ovsdb-server and ovs-vswitchd: a request that a daemon that is away
 * holds that long is answered 503 (the reason names the daemon); one that
 * ovs-vswitchd is that slow to apply while both answer, 504. */
void engine_set_apply_timeout(struct engine *, int ms);

/* A guest port whose spoofed frames (dropped by its own port-security
 * flows: mac-spoof-drop, ip-spoof-drop, tagged-frame-drop, and
 * guard-count for the shared guards) reach 'pps' a
 * second is marked "spoofing" (its API view, the status, the metrics, a
 * log line) until they stay below that for 'quiet_ms'.  'pps' 0 turns the
 * watch off.  Defaults: 20 a second, 30 s. */
void engine_set_spoofing(struct engine *, unsigned int pps, int quiet_ms);

/* Re-reads the config file and applies the differences.  Returns NULL or a
 * malloc'd error (the old config stays in force). */
char *engine_reload(struct engine *);

/* Replaces the config with 'cfg' (taken in every case; freed on error)
 * and applies the differences; 'source' names it in errors.  The bridge
 * cannot change. */
char *engine_set_config(struct engine *, struct gn_config *cfg,
                        const char *source);

/* While held (cluster mode, before the cluster's networks and rules are
 * known), the engine changes nothing: no transactions, no flows; port
 * requests wait as while OVSDB is away; /v1/health says why. */
void engine_hold(struct engine *, bool hold);

/* Cluster mode: the cluster's registry assigns addresses, unique across
 * its hosts, so the engine picks none itself (neither for adds nor for
 * adopted ports), and a port add may carry "ips_assigned" (refused
 * otherwise): which of its "ips", comma-separated, were assigned. */
void engine_set_external_ipam(struct engine *, bool external);
/* In that mode: 'ips' (comma-separated) are the assigned addresses of
 * the bridge's port 'name', which has none (someone else attached it, or
 * it was added without): the engine's next transaction writes them on its
 * Interface, unless it has addresses by then (or it is not on the bridge
 * then: forgotten).  A NULL 'name' forgets all. */
void engine_give_addresses(struct engine *, const char *name,
                           const char *ips);

/* Cluster mode: before the engine binds link-local address 'll' (text)
 * to its port 'port' of network 'network' (engine/engine-ll.c), it asks
 * 'cb' to register the binding in the cluster's registry; the binding
 * waits, and 'cb' (now or later) answers with engine_ll_registered().
 * NULL 'cb': bindings are made without asking (one host). */
typedef void engine_ll_register_cb(const char *port, const char *network,
                                   const char *ll, void *aux);
void engine_set_ll_registrar(struct engine *, engine_ll_register_cb *,
                             void *aux);
/* The answer to engine_ll_register_cb for 'port' and 'll': NULL if the
 * registry took the binding (the engine then writes it to the port's
 * Interface), else why not (the binding is refused, logged and counted
 * as a refusal; the guest's next packet from it asks again). */
void engine_ll_registered(struct engine *, const char *port, const char *ll,
                          const char *error);

/* Cluster mode: likewise, before the engine binds address 'addr' (text)
 * that the guest of its port 'port' of network 'network' took on first
 * use (engine/engine-learn.c), it asks 'cb' to register it as the port's
 * address in the cluster's registry; the binding waits for
 * engine_learn_registered() ('error' NULL: taken; else refused, logged
 * and counted).  NULL 'cb': bindings are made without asking. */
typedef void engine_learn_register_cb(const char *port, const char *network,
                                      const char *addr, void *aux);
void engine_set_learn_registrar(struct engine *, engine_learn_register_cb *,
                                void *aux);
void engine_learn_registered(struct engine *, const char *port,
                             const char *addr, const char *error);

/* Config generations: bumped by each engine_set_config(); the second is
 * that of the flows the switch holds (0 before any).  The callback runs
 * when the second changes. */
unsigned long long engine_config_gen(const struct engine *);
unsigned long long engine_installed_config_gen(const struct engine *);
typedef void engine_installed_cb(void *aux);
void engine_set_installed_cb(struct engine *, engine_installed_cb *,
                             void *aux);

/* Cluster mode: this host's router MAC (NULL: none, no routing across
 * hosts) and the ports of other hosts ('n' of 'ports', copied; 'remote'
 * and 'ofport' are ignored), which the pipeline routes to through the
 * uplink, and whose link-local addresses ('lls': bound to them in the
 * registry) no guest here may use or bind. */
struct netaddr_mac;
struct pipeline_port;
void engine_set_remote(struct engine *, const struct netaddr_mac *router_mac,
                       const struct pipeline_port *ports, size_t n);

/* Cluster mode: the bridge's ports named in 'names' ('n', copied) are
 * blocked (see pipeline_port.blocked): a live migration's destination
 * before the guest announces itself, or its source after. */
void engine_set_blocked(struct engine *, const char *const *names,
                        size_t n);
bool engine_is_blocked(const struct engine *, const char *name);
/* The bridge's bound ports, as the pipeline sees them (borrowed, valid
 * until the engine runs again): names and identities without the cost of
 * engine_ports()'s JSON. */
const struct pipeline_port *engine_bridge_ports(struct engine *,
                                                size_t *n);

/* Called when a request finishes: 'status' is an HTTP status, 'body' a new
 * reference the callee takes (a port object, or {"error": {...}}). */
typedef void engine_done_cb(int status, json_t *body, void *aux);

/* Queues adding the port described by 'req' (borrowed JSON, see
 * include/ports.h).  Validation errors are answered at once (from inside
 * this call).  With 'wait', 'cb' runs when the port is ready (ofport
 * assigned); without, when its transaction committed.  A port of that
 * name added by the same request is answered as that add was, unless it
 * lost the device guestnet made for it: then it is deleted, and once
 * ovs-vswitchd let it go, added again with new devices. */
void engine_port_add(struct engine *, const json_t *req, bool wait,
                     engine_done_cb *cb, void *aux);
/* Queues removing port 'name'. */
void engine_port_delete(struct engine *, const char *name,
                        engine_done_cb *cb, void *aux);
/* Changes the own limits of port 'name' (see include/gn-limits.h) by
 * 'body' (borrowed): a JSON object whose members set a limit, or, if
 * null, drop the port's own value (its network's applies again).  Answers
 * 200 with the port (its effective limits and where they come from) once
 * the change is committed in OVSDB and the switch holds the meters and
 * flows that enforce it; the port is not re-added and its traffic keeps
 * flowing.  400 for a body that is not valid (nothing changes), 404 for
 * no such port, 503 while OVSDB is away, 504 if the switch does not
 * confirm within the apply timeout (the change stays). */
void engine_port_set_limits(struct engine *, const char *name,
                            const json_t *body, engine_done_cb *cb,
                            void *aux);
/* Forgets 'aux' of a pending request (its client went away): the request
 * still completes, but its callback is not called. */
void engine_forget(struct engine *, void *aux);

/* Reads (new references).  engine_status() and engine_networks() count
 * the ports once per change of the replica or the config and keep the
 * counts in 'engine', so that polling them costs O(1) while nothing
 * changes. */
json_t *engine_status(struct engine *);
json_t *engine_ports(const struct engine *);
/* What engine_ports() answers depends on the replica and the config
 * only: while the pair stored here stays, so does the answer. */
void engine_ports_version(const struct engine *, unsigned long long *seqno,
                          unsigned long long *cfg_gen);
json_t *engine_port(const struct engine *, const char *name);  /* or NULL */
/* The statistics of port 'name''s Interface, which are not in the
 * replica (ovs-vswitchd rewrites them every 5 s): asks OVSDB for them and
 * calls 'cb' with the Interface row holding the "statistics" column
 * (borrowed), or NULL if OVSDB did not answer.  Returns NULL, without
 * asking or calling 'cb', if the port has no Interface or OVSDB is not
 * connected.  engine_port_statistics_cancel() makes sure 'cb' is not
 * called (the request lives on until OVSDB answers). */
struct engine_stats_req;
typedef void engine_stats_cb(const json_t *iface_row, void *aux);
struct engine_stats_req *engine_port_statistics(struct engine *,
                                                const char *name,
                                                engine_stats_cb *cb,
                                                void *aux);
void engine_port_statistics_cancel(struct engine_stats_req *);
json_t *engine_networks(struct engine *);
/* Health: NULL when healthy, else a static reason. */
const char *engine_health(const struct engine *);

/* Read-only access for modules that report on the engine's parts (the
 * API's metrics, flows and trace endpoints).  All borrowed. */
struct ofctrl;
struct ovsdb_replica;
struct ofctrl *engine_ofctrl(const struct engine *);
const struct ovsdb_replica *engine_replica(const struct engine *);
const struct gn_config *engine_config(const struct engine *);
const char *engine_ovs_rundir(const struct engine *);
/* The guest ends of the ports' veths, for port_spec_from_json() (see
 * port_peers_build()): made once per change of the replica. */
struct gn_strmap;
const struct gn_strmap *engine_port_peers(struct engine *);

#endif /* engine.h */
