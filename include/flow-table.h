/* flow-table.h: OpenFlow flow tables held in memory, and their difference.
 *
 * A flow table is a set of flows, each identified by its key (OpenFlow table
 * id, priority, match) and carrying a cookie and actions.  guestnet uses
 * two: the desired table, which the daemon builds from its policy on every
 * reconcile step and hands to ofctrl_put() (see ofctrl.h), and the installed
 * table, which ofctrl reads back from the switch and keeps current as
 * changes are acknowledged.
 *
 * Normalization.  Flows are given in ovs-ofctl syntax, where one flow has
 * many spellings ("in_port=1,ip" and "ip,in_port=1"; "strip_vlan" and
 * "pop_vlan").  Every flow, desired or read back from the switch, is
 * normalized the same way: the desired flow is parsed, encoded as a flow_mod
 * in the table's OpenFlow version and decoded again, exactly as the switch
 * will see it; a flow read back is decoded from the flow stats reply and
 * its actions completed from its match as the switch's flow_mod decoder
 * completed them.  Two flows are the same flow if their table id, priority
 * and decoded match are equal (minimatch_equal()), and unchanged if their
 * cookies and decoded actions are equal too (byte for byte, in the
 * canonical form flows/flow-body.h describes).  A table is therefore
 * normalized for one OpenFlow version (flow_table_convert() moves it to
 * another).  A flow's text (match_format(), ofpacts_format()) is written
 * only when a log, an error or a dump asks for it.
 *
 * Memory: a hash map with one small entry per flow (its place in the
 * table and a reference to its body).  The flow itself (the decoded match
 * and actions, in one block) is an immutable body that equal flows share,
 * in whichever tables they are: the desired and the installed table, the
 * normalization memo and owned changes hold one body per flow between
 * them, not a copy each.  A flow read back from the switch shares the body
 * of the equal flow already in memory.  Nothing else grows.
 *
 * No OVS type crosses this header, so the daemon's jansson-side files may
 * include it.  Thread-safety: a table may be used by one thread at a time. */
#ifndef GN_FLOW_TABLE_H
#define GN_FLOW_TABLE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gn-util.h"

struct flow_table;
struct flow_entry;

/* OpenFlow wire versions (the "version" byte of every OpenFlow header). */
#define FLOW_TABLE_OF13 4
#define FLOW_TABLE_OF14 5
#define FLOW_TABLE_OF15 6

/* Returns a new, empty table normalized for OpenFlow version 'ofp_version'
 * (FLOW_TABLE_OF13 ... FLOW_TABLE_OF15), or for OpenFlow 1.5 if it is 0.
 * Caller frees with flow_table_destroy(). */
struct flow_table *flow_table_create(uint8_t ofp_version);

/* Frees 'table' and all its flows.  Accepts NULL. */
void flow_table_destroy(struct flow_table *table);

/* Returns the OpenFlow version that 'table' is normalized for. */
uint8_t flow_table_ofp_version(const struct flow_table *table);

/* Returns the number of flows in 'table'. */
size_t flow_table_count(const struct flow_table *table);

/* Adds to 'table' the flow with OpenFlow table 'table_id', 'priority',
 * 'cookie', match 'match' and actions 'actions', both in ovs-ofctl syntax
 * ("ip,in_port=1,nw_src=10.0.0.1" and "mod_vlan_vid:10,output:2"; an empty
 * 'match' matches everything, empty 'actions' drops).  The caller keeps the
 * strings.
 *
 * Returns NULL on success.  Returns a malloc'd error message that names the
 * flow (caller frees) and leaves 'table' unchanged if the flow does not
 * parse, cannot be expressed in the table's OpenFlow version, or has the key
 * of a flow already in 'table'. */
char *flow_table_add(struct flow_table *table, uint8_t table_id,
                     uint16_t priority, uint64_t cookie, const char *match,
                     const char *actions) GN_WARN_UNUSED;

/* Like flow_table_add(), and on success stores in '*entryp' (if nonnull)
 * the flow as it is in 'table': valid until the flow is removed or 'table'
 * destroyed.  Stores NULL there on error. */
char *flow_table_add_ref(struct flow_table *table, uint8_t table_id,
                         uint16_t priority, uint64_t cookie,
                         const char *match, const char *actions,
                         const struct flow_entry **entryp) GN_WARN_UNUSED;

/* Removes 'entry' (a flow of 'table', from flow_table_add_ref()) from
 * 'table' and frees it. */
void flow_table_remove(struct flow_table *table,
                       const struct flow_entry *entry);

/* Says that a new batch of flow_table_add() calls on 'table' begins, for
 * the normalization memo's bound on memory (see flow-table.c): a table that
 * lives long and is changed in batches calls it before each batch. */
void flow_table_new_epoch(struct flow_table *table);

/* How many flow texts the normalization memo holds (for tests). */
size_t flow_table_memo_count(void);

/* How many flow bodies exist, in all tables, the memo and owned changes
 * together: equal flows share one (for tests). */
size_t flow_table_body_count(void);

/* Change tracking, for a desired table that is edited in place rather than
 * rebuilt: from flow_table_track_changes() on, 'table' records the key of
 * every flow added or removed, and flow_table_diff_changes() compares only
 * those keys.  flow_table_clear_changes() forgets them. */
void flow_table_track_changes(struct flow_table *table);
size_t flow_table_n_changes(const struct flow_table *table);
void flow_table_clear_changes(struct flow_table *table);

/* Stores in '*out' a new table normalized for 'ofp_version' with the flows
 * of 'table' (the caller frees it with flow_table_destroy()).  Returns NULL,
 * or a malloc'd error (caller frees) and NULL in '*out' if a flow cannot be
 * expressed in 'ofp_version'. */
char *flow_table_convert(const struct flow_table *table, uint8_t ofp_version,
                         struct flow_table **out) GN_WARN_UNUSED;

/* Decodes the OpenFlow flow stats reply in 'msg'/'len' (one message of a
 * multipart reply; the caller keeps it) and adds the flows it lists to
 * 'table' (not their counters).  A flow whose key is
 * already in 'table' replaces it.  Stores in '*more' whether the switch
 * sends more parts of the reply.
 *
 * Returns NULL, or a malloc'd error (caller frees) if the message is not a
 * well-formed flow stats reply in the table's OpenFlow version; flows
 * decoded before the error stay in 'table'. */
char *flow_table_add_stats_reply(struct flow_table *table, const void *msg,
                                 size_t len, bool *more) GN_WARN_UNUSED;

/* Returns the flow as one line of ovs-ofctl syntax,
 * "table=0,priority=100,cookie=0x1,in_port=1 actions=output:2".
 * Caller frees. */
char *flow_table_entry_to_string(const struct flow_entry *entry);

/* Counters of the flows that share one cookie (see ofctrl.h). */
struct flow_table_cookie_stats {
    uint64_t cookie;
    uint64_t n_flows;
    uint64_t n_packets;
    uint64_t n_bytes;
};

/* Returns a malloc'd array (caller frees) with the flows of 'table'
 * counted per cookie, sorted by cookie, and stores its size in '*n'.  Their
 * packet and byte counters are 0: a table keeps none (the switch's come
 * from flow_table_sum_stats_reply()). */
struct flow_table_cookie_stats *flow_table_cookie_stats(
    const struct flow_table *table, size_t *n);

/* Sorts the 'n' counters of 's' by cookie and sums those of one cookie
 * into one; returns how many remain (at the start of 's'). */
size_t flow_table_cookie_stats_merge(struct flow_table_cookie_stats *s,
                                     size_t n);

/* Checks that 'msg'/'len' is one message of a flow stats reply in
 * 'ofp_version' and stores in '*more' whether more parts follow.  Returns
 * NULL, or a malloc'd error (caller frees). */
char *flow_table_check_stats_reply(uint8_t ofp_version, const void *msg,
                                   size_t len, bool *more) GN_WARN_UNUSED;

/* Appends the counters of each flow that the flow stats reply 'msg'/'len'
 * (one message of a multipart reply in 'ofp_version'; the caller keeps
 * it) lists to '*sums', an array of '*n' counters with room for
 * '*allocated' (grown with realloc; the caller frees it), one per flow,
 * without keeping the flows themselves (a cookie stats request needs no
 * more: flow_table_cookie_stats_merge() sums them); stores in '*more'
 * whether the switch sends more parts.  Returns NULL, or a malloc'd error
 * as flow_table_add_stats_reply() does. */
char *flow_table_sum_stats_reply(uint8_t ofp_version, const void *msg,
                                 size_t len,
                                 struct flow_table_cookie_stats **sums,
                                 size_t *n, size_t *allocated, bool *more)
    GN_WARN_UNUSED;

/* One change that turns an installed flow table into a desired one. */
enum flow_table_mod_type {
    FLOW_TABLE_MOD_DELETE,      /* OFPFC_DELETE_STRICT of an installed flow. */
    FLOW_TABLE_MOD_MODIFY,      /* OFPFC_MODIFY_STRICT: new actions, same
                                 * cookie, counters kept. */
    FLOW_TABLE_MOD_REPLACE,     /* OFPFC_ADD over the installed flow: a new
                                 * cookie (MODIFY cannot change a cookie from
                                 * OpenFlow 1.2 on), counters kept. */
    FLOW_TABLE_MOD_ADD,         /* OFPFC_ADD of a new flow. */
};

struct flow_table_mod {
    enum flow_table_mod_type type;
    /* The desired flow (the installed one for FLOW_TABLE_MOD_DELETE),
     * borrowed from its table. */
    const struct flow_entry *entry;
};

/* Computes the changes that turn 'installed' into 'desired'; both must be
 * normalized for the same OpenFlow version.  Returns a malloc'd array
 * (caller frees; NULL if there is no change) and stores its size in '*n':
 * deletions first, then modifications, then additions.  Entries are
 * borrowed from the two tables and stay valid while both are unchanged. */
struct flow_table_mod *flow_table_diff(const struct flow_table *desired,
                                       const struct flow_table *installed,
                                       size_t *n);

/* Like flow_table_diff(), but looks only at the keys of the changes that
 * 'desired' recorded (see flow_table_track_changes()): the same changes
 * flow_table_diff() would compute if 'installed' held what 'desired' held
 * when the changes were last cleared. */
struct flow_table_mod *flow_table_diff_changes(
    const struct flow_table *desired, const struct flow_table *installed,
    size_t *n);

/* Replaces the borrowed entries of the 'n' changes in 'mods' by copies, so
 * that 'mods' stays valid while the tables change.  Free such an array
 * with flow_table_mods_free(). */
void flow_table_mods_own(struct flow_table_mod *mods, size_t n);
void flow_table_mods_free(struct flow_table_mod *mods, size_t n);

/* Encodes 'mod' as an OpenFlow flow_mod for version 'ofp_version' with
 * transaction id 'xid'.  Returns the malloc'd message (caller frees) and
 * stores its length in '*len'. */
void *flow_table_mod_encode(const struct flow_table_mod *mod,
                            uint8_t ofp_version, uint32_t xid, size_t *len);

/* Returns 'mod' as text for logs, "modify table=0,priority=100,... actions=
 * ...".  Caller frees. */
char *flow_table_mod_to_string(const struct flow_table_mod *mod);

/* Applies the 'n' changes in 'mods', computed by flow_table_diff() against
 * 'installed', to 'installed' (the switch has acknowledged them).  The
 * desired entries are copied; the desired table is not changed. */
void flow_table_apply(struct flow_table *installed,
                      const struct flow_table_mod *mods, size_t n);

#endif /* flow-table.h */
