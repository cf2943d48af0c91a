/* flow-body.h: the immutable, shared body of an OpenFlow flow (private to
 * flows/flow-table.c).
 *
 * A body is a flow as libopenvswitch decoded it (table id, priority,
 * cookie, match and actions) with its normalized text (match_format(),
 * ofpacts_format()), in one block beside the match's own.  Every table,
 * memo entry and owned change that holds a flow holds a reference to one
 * body, and equal flows (same OpenFlow version, key, cookie and normalized
 * actions) share one body: flow_body_get() returns the body of an equal
 * flow when there is one, so a flow read back from the switch and the same
 * flow normalized from its text are one body in memory.
 *
 * Formatting a flow's text costs more than the rest of looking it up, so a
 * second map finds a body by its decoded form (match and ofpacts, compared
 * bit for bit) first: a flow read back from the switch after the same flow
 * was normalized from its text, or the other way round, is found without
 * being formatted.  Equal decoded forms format to equal text; a flow whose
 * decoded form differs from every body's is formatted and looked up by its
 * text as before, so bodies stay unique by their text.
 *
 * Memory: the bodies that have a reference, in two process-wide maps.
 * Thread-safety: used by the event loop's thread only, as the flow tables'
 * normalization memo is. */
#ifndef GN_FLOW_BODY_H
#define GN_FLOW_BODY_H 1

#include <stddef.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/match.h"

struct ofpact;

struct flow_body {
    struct hmap_node node;      /* In the map of bodies, by text. */
    struct hmap_node bin_node;  /* In the map by decoded form. */
    size_t n_refs;
    uint8_t ofp_version;        /* Normalized for this OpenFlow version. */

    /* Key. */
    uint8_t table_id;
    uint16_t priority;
    const char *match_s;        /* Normalized match, for key and logs (in
                                 * 'data', after the ofpacts). */

    uint64_t cookie;
    const char *actions_s;      /* Normalized actions (in 'data', after
                                 * 'match_s'). */

    /* The decoded form, for encoding flow_mods. */
    struct minimatch match;
    size_t ofpacts_len;
    uint64_t data[];            /* The ofpacts (8-byte aligned), then
                                 * 'match_s' and 'actions_s'. */
};

/* Returns a reference to the body of the decoded flow 'match' and
 * 'ofpacts' normalized for 'ofp_version' (the caller keeps both): the body
 * of an equal flow if there is one, else a new one.  The caller drops the
 * reference with flow_body_unref(). */
struct flow_body *flow_body_get(uint8_t ofp_version, uint8_t table_id,
                                uint16_t priority, uint64_t cookie,
                                const struct match *match,
                                const struct ofpact *ofpacts,
                                size_t ofpacts_len);

/* Returns a new reference to 'b'. */
struct flow_body *flow_body_ref(struct flow_body *b);

/* Drops a reference to 'b', and frees it with the last.  Accepts NULL. */
void flow_body_unref(struct flow_body *b);

/* Returns the ofpacts of 'b' (NULL if it has none). */
const struct ofpact *flow_body_ofpacts(const struct flow_body *b);

/* Returns how many bodies have a reference. */
size_t flow_body_count(void);

#endif /* flow-body.h */
