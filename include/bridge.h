/* bridge.h: the integration bridge that guestnetd keeps in OVSDB.
 *
 * From the config and the OVSDB replica, bridge_plan() adds to a transaction
 * exactly the operations that bring the bridge to its desired state, and
 * none when it is already there (so a restarted guestnetd writes nothing):
 *
 *   - Bridge 'name' with datapath_type, fail_mode=secure (no NORMAL
 *     fallback when guestnetd is away), protocols OpenFlow13-15,
 *     stp_enable=false, other_config:disable-in-band=true, and its internal
 *     port, as "ovs-vsctl add-br" makes it;
 *   - the uplink, when configured: a trunk of exactly the configured VLANs
 *     (vlan_mode=trunk, trunks=[...]); an uplink guestnetd added earlier and
 *     no longer configured is removed.
 *
 * Creation is guarded by a "wait" op, so two writers cannot both create the
 * bridge.  Pure: it reads the replica and writes ops, nothing else.
 *
 * Thread-safety: no state of its own. */
#ifndef GN_BRIDGE_H
#define GN_BRIDGE_H 1

#include <jansson.h>
#include <stdbool.h>

struct gn_config;
struct ovsdb_replica;
struct ovsdb_txn;
struct port_view;

/* Tables and columns guestnet monitors (NULL-terminated column lists). */
extern const char *const bridge_ovs_columns[];
extern const char *const bridge_bridge_columns[];
extern const char *const bridge_port_columns[];
extern const char *const bridge_interface_columns[];

/* Makes 'r' (new, empty) a replica of what guestnetd monitors: those
 * tables and columns, the indexes its lookups need (Bridge.name,
 * Bridge.ports, Port.name, Port.interfaces, Interface.name).  Not
 * Interface.statistics: ovs-vswitchd rewrites it every 5 s for every
 * port, and it is asked of OVSDB when shown (engine_port_statistics()). */
void bridge_replica_init(struct ovsdb_replica *r);

/* Adds to 'txn' the ops that make the bridge match 'cfg'.  Returns the
 * number of ops added (0: the bridge is as it should be).  '*why', if
 * nonnull, receives a malloc'd summary of what differs (for the log), or
 * NULL when nothing does.  Needs the replica's indexes on Bridge.name,
 * Bridge.ports and Port.name, and 'view' up to date with the replica for
 * the bridge named in 'cfg' (its uplinks: port_view_uplinks()). */
int bridge_plan(const struct gn_config *cfg, const struct ovsdb_replica *,
                const struct port_view *view, struct ovsdb_txn *txn,
                char **why);

/* Returns the UUID of the Bridge row named 'name' (borrowed from the
 * replica), or NULL.  Needs the replica's index on Bridge.name. */
const char *bridge_find(const struct ovsdb_replica *, const char *name);

/* Returns the UUID of the Open_vSwitch root row, or NULL if not synced. */
const char *bridge_root_uuid(const struct ovsdb_replica *);

/* Returns the elements of an OVSDB set value as a new array: a bare atom
 * becomes a one-element array, ["set", [...]] its elements.  NULL or a
 * missing column gives an empty array. */
json_t *bridge_set_elements(const json_t *value);

#endif /* bridge.h */
