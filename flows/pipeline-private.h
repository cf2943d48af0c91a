/* pipeline-private.h: the flow groups of the pipeline, shared by
 * flows/pipeline.c (which writes their flows) and flows/pipeline-state.c
 * (which decides which groups to rebuild).  Not for other modules. */
#ifndef GN_PIPELINE_PRIVATE_H
#define GN_PIPELINE_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>

struct flow_entry;
struct flow_table;
struct gn_config;
struct gn_network;
struct pipeline_port;

/* Where a group's flows go: the first error wins and later adds are
 * skipped; every flow added is appended to 'flows' (the caller frees the
 * array), so that the group can be removed again. */
struct pipeline_ctx {
    struct flow_table *table;
    char *error;
    const struct flow_entry **flows;
    size_t n_flows;
    size_t allocated_flows;
};

/* The flows that depend on the config only: every table's default drop,
 * tables 4 and 5 (routing, stateful filter). */
void pipeline_global_flows(struct pipeline_ctx *, const struct gn_config *);

/* A network's guest ports are flooded to in chunks: chunk k holds those
 * whose ofport is in [k * PIPELINE_FLOOD_CHUNK, (k + 1) *
 * PIPELINE_FLOOD_CHUNK), so that a port that comes or goes changes the
 * flow of its chunk only. */
#define PIPELINE_FLOOD_CHUNK 64

/* The flood chunk of 'ofport'. */
static inline int
pipeline_flood_chunk(int ofport)
{
    return ofport / PIPELINE_FLOOD_CHUNK;
}

/* The flows of network 'net', whose guest ports fill the 'n_chunks' flood
 * 'chunks' (their numbers, increasing): uplink ingress, flooding into the
 * chunks, unknown unicast, gateway ARP and routing entry. */
void pipeline_network_flows(struct pipeline_ctx *, const struct gn_network *,
                            const int *chunks, size_t n_chunks,
                            int uplink_ofport);

/* The flow of flood chunk 'chunk' of network 'net' (table 7): an output to
 * each of its 'n' guest 'ofports', in increasing order (so that the flow
 * does not depend on the order the caller found the ports in). */
void pipeline_flood_chunk_flows(struct pipeline_ctx *,
                                const struct gn_network *, int chunk,
                                const int *ofports, size_t n);

/* The flows of guest port 'p' of network 'net': tables 0, 1, 2, its
 * unicast flow in table 3 and its routed addresses in table 6: those
 * p->ips[i] with 'routed[i]' (an address that two ports declare is routed
 * to neither). */
void pipeline_port_flows(struct pipeline_ctx *, const struct gn_config *,
                         const struct gn_network *,
                         const struct pipeline_port *p, const bool *routed);

#endif /* pipeline-private.h */
