/* port-view.h: the ports of the integration bridge as the engine needs
 * them on every change: each port's binding (ports.h) boiled down to what
 * the pipeline takes (struct pipeline_port) and what status counts.
 *
 * Binding a port reads several columns and maps of its Port and Interface
 * rows; doing it for every port on every OVSDB update made each update
 * cost O(ports) bindings.  The view keeps each port's result with the
 * replica seqnos of the two rows it came from (ovsdb_replica_row_seqno())
 * and the config generation, and binds again only the ports whose rows or
 * config changed.  An update still visits every port of the bridge, but
 * only to compare three numbers.
 *
 * Memory: one entry per port of the bridge.  Thread-safety: one thread. */
#ifndef GN_PORT_VIEW_H
#define GN_PORT_VIEW_H 1

#include <stddef.h>

#include "pipeline.h"

struct gn_config;
struct ovsdb_replica;
struct port_view;

struct port_view *port_view_create(void);
void port_view_destroy(struct port_view *);

/* Brings 'view' up to date with the ports of the bridge whose Bridge row
 * is 'br_uuid' (NULL: no bridge, no ports) in 'r', bound with 'cfg', whose
 * generation is 'cfg_gen' (it changes whenever 'cfg' does).  Returns the
 * number of ports bound again. */
size_t port_view_update(struct port_view *, const struct gn_config *cfg,
                        unsigned long long cfg_gen,
                        const struct ovsdb_replica *r, const char *br_uuid);

/* The guest ports with flows (bound to a network, with an ofport and a
 * MAC, not the uplink), as of the last update: an array (borrowed, valid
 * until the next update) of '*n', and the uplink's ofport or -1. */
const struct pipeline_port *port_view_pipeline_ports(const struct port_view *,
                                                     size_t *n);
int port_view_uplink_ofport(const struct port_view *);

/* Counts of the guest ports (every port of the bridge but the bridge's own
 * internal port and the uplink) as of the last update. */
struct port_view_counts {
    int ports;
    int quarantined;
    const int *per_network;     /* Ports bound to cfg->networks[i]. */
};
void port_view_counts(const struct port_view *, struct port_view_counts *);

#endif /* port-view.h */
