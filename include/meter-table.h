/* meter-table.h: sets of OpenFlow meters held in memory, and their
 * difference.
 *
 * guestnet's meters are of two shapes: a packet rate limit or a bandwidth
 * limit, each with a burst and one drop band (flags pktps or kbps, burst
 * and stats).  A meter table is a set of
 * them keyed by meter id.  Like flow tables (flow-table.h) there are two:
 * the desired meters, built by the pipeline and handed to
 * ofctrl_put_meters(), and the installed ones, read back from the switch
 * (OFPMP_METER_CONFIG) at each connection and kept current by ofctrl.
 *
 * A meter read back from the switch that does not have guestnet's shape
 * (several bands, DSCP remark, no burst ...) is kept as "foreign": it differs
 * from every desired meter, so it is modified into the desired one or
 * deleted.
 *
 * Memory: an array sorted by meter id.  No OVS type crosses this header,
 * so the daemon's jansson-side files may include it.  Thread-safety: a
 * table may be used by one thread at a time. */
#ifndef GN_METER_TABLE_H
#define GN_METER_TABLE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gn-util.h"

struct meter_table;

/* The highest meter id OpenFlow allows for a regular meter (OFPM13_MAX). */
#define METER_TABLE_MAX_ID 0xffff0000u

/* One meter: at most 'rate' packets a second, with bursts of 'burst'
 * packets, or, if 'kbps', 'rate' kbit/s with bursts of 'burst' kbit. */
struct meter_table_meter {
    uint32_t id;
    uint32_t rate;
    uint32_t burst;
    bool kbps;                  /* Bandwidth, not packets. */
    bool foreign;               /* Read back in another shape. */
};

/* Returns a new, empty table.  Caller frees with meter_table_destroy(). */
struct meter_table *meter_table_create(void);

/* Frees 'table'.  Accepts NULL. */
void meter_table_destroy(struct meter_table *table);

/* Returns a new table with the meters of 'table' (caller frees). */
struct meter_table *meter_table_clone(const struct meter_table *table);

/* Returns the number of meters in 'table'. */
size_t meter_table_count(const struct meter_table *table);

/* Returns the meter with 'id' in 'table' (borrowed), or NULL. */
const struct meter_table_meter *meter_table_find(
    const struct meter_table *table, uint32_t id);

/* Adds to 'table' the meter 'id' limiting packets to 'pps' a second with
 * bursts of 'burst' packets.  Returns NULL, or a malloc'd error message
 * (caller frees) and leaves 'table' unchanged if 'id' is 0 or above
 * METER_TABLE_MAX_ID or already in 'table', or 'pps' or 'burst' is 0. */
char *meter_table_add(struct meter_table *table, uint32_t id, uint32_t pps,
                      uint32_t burst) GN_WARN_UNUSED;
/* The same for a meter limiting bandwidth to 'kbps' kbit/s with bursts of
 * 'burst' kbit. */
char *meter_table_add_kbps(struct meter_table *table, uint32_t id,
                           uint32_t kbps, uint32_t burst) GN_WARN_UNUSED;

/* Removes the meter with 'id' from 'table', if there is one. */
void meter_table_remove(struct meter_table *table, uint32_t id);

/* Returns a malloc'd OpenFlow request (caller frees) for the configuration
 * of all meters (OFPMP_METER_CONFIG, OFPM13_ALL) in 'ofp_version' (1.3 or
 * later) with transaction id 'xid', and stores its length in '*len'. */
void *meter_table_encode_config_request(uint8_t ofp_version, uint32_t xid,
                                        size_t *len);

/* Returns true if 'msg' (an OpenFlow message of 'len' bytes, caller keeps)
 * is a meter config reply. */
bool meter_table_is_config_reply(const void *msg, size_t len);

/* Decodes the meter config reply in 'msg'/'len' (one message of a
 * multipart reply; the caller keeps it) and adds the meters it lists to
 * 'table' (a meter already there is replaced).  Stores in '*more' whether
 * the switch sends more parts.  Returns NULL, or a malloc'd error (caller
 * frees) if the message is not a well-formed meter config reply; meters
 * decoded before the error stay in 'table'. */
char *meter_table_add_config_reply(struct meter_table *table,
                                   const void *msg, size_t len, bool *more)
    GN_WARN_UNUSED;

/* One change that turns installed meters into desired ones. */
enum meter_table_mod_type {
    METER_TABLE_MOD_ADD,        /* OFPMC13_ADD of a new meter. */
    METER_TABLE_MOD_MODIFY,     /* OFPMC13_MODIFY: new rate or burst. */
    METER_TABLE_MOD_DELETE,     /* OFPMC13_DELETE of an installed meter. */
};

struct meter_table_mod {
    enum meter_table_mod_type type;
    struct meter_table_meter meter;     /* The desired meter (the installed
                                         * one for a deletion); a copy. */
};

/* Computes the changes that turn 'installed' into 'desired'.  Returns a
 * malloc'd array (caller frees; NULL if there is no change) and stores its
 * size in '*n': additions and modifications first, by meter id, then
 * deletions, by meter id.  The first '*n_before' of them are the additions
 * and modifications: flows about to use a meter need it in place first,
 * and a meter may go only once no flow uses it (the switch would delete
 * the flows that do). */
struct meter_table_mod *meter_table_diff(const struct meter_table *desired,
                                         const struct meter_table *installed,
                                         size_t *n, size_t *n_before);

/* Encodes 'mod' as an OpenFlow meter_mod for 'ofp_version' (1.3 or later)
 * with transaction id 'xid'.  Returns the malloc'd message (caller frees)
 * and stores its length in '*len'. */
void *meter_table_mod_encode(const struct meter_table_mod *mod,
                             uint8_t ofp_version, uint32_t xid, size_t *len);

/* Returns 'mod' as text for logs, "add meter=65537 pktps rate=100
 * burst_size=200" (or "kbps").  Caller frees. */
char *meter_table_mod_to_string(const struct meter_table_mod *mod);

/* Applies the 'n' changes in 'mods' to 'installed' (the switch has
 * acknowledged them). */
void meter_table_apply(struct meter_table *installed,
                       const struct meter_table_mod *mods, size_t n);

#endif /* meter-table.h */
