/* port-view.h: the ports of the integration bridge as the engine needs
 * them on every change: each port's binding (ports.h) boiled down to what
 * the pipeline takes (struct pipeline_port) and what status counts.
 *
 * Binding a port reads several columns and maps of its Port and Interface
 * rows; doing it for every port on every OVSDB update made each update
 * cost O(ports) bindings.  The view keeps each port's result, and an
 * update follows the replica's change feeds (ovsdb_replica_changes_init())
 * from the seqno it last saw: it binds again only the ports whose Port or
 * Interface row changed (an Interface leads to its Port through the
 * replica's index on Port.interfaces), adds those that joined the bridge
 * (their Port rows are new) and drops those that left (their Port rows
 * went: OVSDB collects a Port no bridge holds).  So an update costs the
 * rows that changed, not the ports of the bridge.  It visits every port
 * of the bridge, comparing each one's row seqnos
 * (ovsdb_replica_row_seqno()) and binding again those that changed, only
 * when the feeds cannot tell: on the first update, after a resync or a
 * trimmed log, when the config generation or the bridge changed (then
 * every port is bound again), when another Bridge row changed (a port may
 * have moved between bridges), or when the bridge's port count does not
 * match the view's.  Rebuilding the results below from the view's entries
 * is a loop over plain structs, done only when what an entry adds to them
 * changed.
 *
 * The view also records, per port, what the planners act on, so that
 * they look at those ports only: untagged ports to adopt
 * (port_view_plan_adoption()), uplinks guestnet made (bridge_plan()),
 * ports with flows whose Interface lacks the installed mark, and the end
 * of the earliest lease of a network's own DHCP server (PORTS_IPS_LEASED_KEY,
 * PORTS_LEASE_EXPIRES_KEY).
 *
 * Memory: one entry per port of the bridge.  Thread-safety: one thread. */
#ifndef GN_PORT_VIEW_H
#define GN_PORT_VIEW_H 1

#include <stddef.h>

#include "pipeline.h"

struct gn_config;
struct netaddr_ip;
struct netaddr_mac;
struct ovsdb_replica;
struct ovsdb_txn;
struct port_view;

struct port_view *port_view_create(void);
void port_view_destroy(struct port_view *);

/* Brings 'view' up to date with the ports of the bridge whose Bridge row
 * is 'br_uuid' (NULL: no bridge, no ports) in 'r', bound with 'cfg', whose
 * generation is 'cfg_gen' (it changes whenever 'cfg' does).  Returns the
 * number of ports bound again.  Needs the replica's indexes on
 * Bridge.ports and Port.interfaces. */
size_t port_view_update(struct port_view *, const struct gn_config *cfg,
                        unsigned long long cfg_gen,
                        const struct ovsdb_replica *r, const char *br_uuid);

/* The guest ports with flows (bound to a network, with an ofport and a
 * MAC, not the uplink), as of the last update: an array (borrowed) of
 * '*n', and the uplink's ofport or -1.
 *
 * These are the pipeline's input.  port_view_pipeline_gen() changes
 * whenever they do; while it stays, an update leaves the array and the
 * strings it points to as they are (an update that binds a port again
 * for a column the pipeline does not take, its link state, its statistics
 * or the installed mark, keeps the port's part), so the pipeline need not
 * look at them again and may hold on to pointers into them. */
const struct pipeline_port *port_view_pipeline_ports(const struct port_view *,
                                                     size_t *n);
int port_view_uplink_ofport(const struct port_view *);
unsigned long long port_view_pipeline_gen(const struct port_view *);

/* Counts of the guest ports (every port of the bridge but the bridge's own
 * internal port and the uplink) as of the last update. */
struct port_view_counts {
    int ports;
    int quarantined;
    const int *per_network;     /* Ports bound to cfg->networks[i] (valid
                                 * until the next update). */
};
void port_view_counts(const struct port_view *, struct port_view_counts *);

/* Ports the planners act on, as of the last update: each function stores
 * in '*ports' an array (borrowed, valid until the next update) and returns
 * its size.
 *
 * port_view_untagged(): named ports with no tag, no guestnet:role, other
 * than the bridge's own port (to be quarantined).
 * port_view_uplinks(): named ports with guestnet:role=uplink.
 * port_view_unmarked(): ports with flows (see port_view_pipeline_ports())
 * whose Interface lacks external_ids:guestnet-installed=true.
 * port_view_wrongly_marked(): quarantined ports (no flows: nothing passes)
 * whose Interface has that mark, which must go. */
struct port_view_port {
    const char *uuid;           /* The Port row. */
    const char *name;           /* Port.name, or NULL. */
    const char *iface_uuid;     /* Its (first) Interface row, or NULL. */
};
size_t port_view_untagged(const struct port_view *,
                          const struct port_view_port **ports);
size_t port_view_uplinks(const struct port_view *,
                         const struct port_view_port **ports);
size_t port_view_unmarked(const struct port_view *,
                          const struct port_view_port **ports);
size_t port_view_wrongly_marked(const struct port_view *,
                                const struct port_view_port **ports);

/* The name (borrowed) of the port of the bridge bound to the network of
 * 'vlan' that has MAC 'mac' or address 'ip' (external_ids attached-mac,
 * guestnet:ips), as of the last update, or NULL.  O(1): the view keeps
 * an index of them, updated with the ports it binds again. */
const char *port_view_mac_owner(const struct port_view *, int vlan,
                                const struct netaddr_mac *mac);
const char *port_view_ip_owner(const struct port_view *, int vlan,
                               const struct netaddr_ip *ip);

/* Leases that a network's own DHCP server gave (engine/engine-snoop.c):
 * port_view_next_lease_expiry() is the earliest time (s since the epoch)
 * at which one of the bridge's ports' leases ends, or 0 if none does;
 * port_view_expired_leases() stores in '*names' an array (caller frees
 * the array; the names are borrowed, valid until the next update) of the
 * ports whose leases ended at 'now' and returns its size.  The first is
 * O(1), the second O(ports). */
long long port_view_next_lease_expiry(const struct port_view *);
size_t port_view_expired_leases(const struct port_view *, long long now,
                                const char ***names);

/* Adds to 'txn' the ops that quarantine every port of port_view_untagged()
 * (port_plan_quarantine()); 'view' must be up to date with the replica.
 * Returns the number of ports quarantined. */
int port_view_plan_adoption(const struct port_view *, struct ovsdb_txn *);

#endif /* port-view.h */
