/* flow-body.h: the immutable, shared body of an OpenFlow flow (private to
 * flows/flow-table.c).
 *
 * A body is a flow as libopenvswitch decoded it (table id, priority,
 * cookie, match and actions), in one block: a 40-byte header, the
 * ofpacts, the match's two miniflows and, if the match maps tunnel
 * metadata, its allocation.  Every table, memo entry and owned change that
 * holds a flow holds a reference to one body, and equal flows share one
 * body:
 * flow_body_get() returns the body of an equal flow when there is one, so
 * a flow read back from the switch and the same flow normalized from its
 * text are one body in memory.
 *
 * Canonical form.  Two bodies are equal when their OpenFlow version, table
 * id, priority and cookie are equal, their matches are equal
 * (minimatch_equal()) and their ofpacts are equal byte for byte.  Decoding
 * leaves bytes no field owns undefined in a few actions (the padding after
 * a set_field's value and mask), so flow_body_get() zeroes them first; and
 * the flow_mod decoder completes some actions from the match
 * (ofpacts_check(): whether a VLAN header is there, the IP protocol), which
 * flows/flow-table.c does to flows read back from the switch too.  Equal
 * flows then have equal bytes, however they were spelled.  The bytes
 * include what the decoder records of the encoding (struct ofpact's 'raw':
 * which OpenFlow action carried it), so a flow that another program (or
 * guestnet speaking another OpenFlow version) installed with the same
 * meaning but another encoding differs, and is modified once to
 * guestnet's encoding; after that the switch holds what guestnet sent.
 *
 * No text is kept: flow_body_format() writes the flow's normalized text
 * (match_format(), ofpacts_format()) when a log, an error or a dump needs
 * it.
 *
 * Memory: the bodies that have a reference, in one process-wide map.
 * Thread-safety: used by the event loop's thread only, as the flow tables'
 * normalization memo is. */
#ifndef GN_FLOW_BODY_H
#define GN_FLOW_BODY_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/match.h"

struct ds;
struct ofpact;

struct flow_body {
    struct hmap_node node;      /* In the map of bodies, by everything. */
    uint32_t n_refs;
    uint32_t key_hash;          /* Of the key: table id, priority, match. */

    /* Key. */
    uint8_t ofp_version;        /* Normalized for this OpenFlow version. */
    uint8_t table_id;
    uint16_t priority;
    uint32_t ofpacts_len : 31;
    uint32_t has_tun_md : 1;    /* The match maps tunnel metadata. */

    uint64_t cookie;
    uint64_t data[];            /* The ofpacts (8-byte aligned), then the
                                 * match's flow and mask miniflows, then
                                 * its tunnel metadata allocation if
                                 * 'has_tun_md' (see flow_body_match()). */
};

/* Returns a reference to the body of the decoded flow 'match' and
 * 'ofpacts' normalized for 'ofp_version': the body of an equal flow if
 * there is one, else a new one.  Zeroes the bytes of 'ofpacts' that no
 * field owns (see "Canonical form" above); the caller keeps both.  The
 * caller drops the reference with flow_body_unref(). */
struct flow_body *flow_body_get(uint8_t ofp_version, uint8_t table_id,
                                uint16_t priority, uint64_t cookie,
                                const struct match *match,
                                struct ofpact *ofpacts, size_t ofpacts_len);

/* Returns a new reference to 'b'. */
struct flow_body *flow_body_ref(struct flow_body *b);

/* Drops a reference to 'b', and frees it with the last.  Accepts NULL. */
void flow_body_unref(struct flow_body *b);

/* Returns the ofpacts of 'b' (NULL if it has none). */
const struct ofpact *flow_body_ofpacts(const struct flow_body *b);

/* Stores in '*mm' the match of 'b', which points into 'b': valid as long as
 * 'b' is, never passed to minimatch_destroy(). */
void flow_body_match(const struct flow_body *b, struct minimatch *mm);

/* True if 'a' and 'b' have the same key (table id, priority, match). */
bool flow_body_same_key(const struct flow_body *a, const struct flow_body *b);

/* True if 'a' and 'b' have the same actions. */
bool flow_body_same_actions(const struct flow_body *a,
                            const struct flow_body *b);

/* Appends to 'match' the normalized text of the match of 'b' ("" if it
 * matches everything) and to 'actions' that of its actions ("" if it has
 * none). */
void flow_body_format(const struct flow_body *b, struct ds *match,
                      struct ds *actions);

/* Returns how many bodies have a reference. */
size_t flow_body_count(void);

#endif /* flow-body.h */
