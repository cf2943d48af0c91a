/* gn-limits.h: noisy-neighbour limits, the bandwidth and packet rate a
 * guest port may use each way, as a network's defaults (the config file)
 * and a port's own values (the API, stored on the port's Interface row)
 * state them, and the limits that result for a port.
 *
 * Directions are the guest's, as Incus defines limits.egress and
 * limits.ingress: "egress" is what the guest sends, "ingress" what it
 * receives.  Each rate is in kbit/s ("_kbps", 1000 bit/s) or packets a
 * second ("_pps"); 0 means no limit.  "burst_ms" sizes the bursts each
 * limit lets through: the traffic of that many milliseconds at the
 * limit's rate (at least GN_LIMITS_MIN_BURST_KBIT kbit, or 1 packet).
 *
 * A port's value of a member wins over its network's, which wins over
 * the default (no limit; GN_LIMITS_BURST_MS_DEFAULT): each member on its
 * own, so a port that sets only "egress_kbps" keeps its network's other
 * limits, and one that sets "egress_kbps": 0 has none that way.
 *
 * Pure: parsing, formatting and merging.  Thread-safety: plain data. */
#ifndef GN_LIMITS_H
#define GN_LIMITS_H 1

#include <jansson.h>
#include <stdbool.h>

#include "gn-util.h"

#define GN_LIMITS                                                       \
    LIMIT(EGRESS_KBPS, "egress_kbps")                                   \
    LIMIT(INGRESS_KBPS, "ingress_kbps")                                 \
    LIMIT(EGRESS_PPS, "egress_pps")                                     \
    LIMIT(INGRESS_PPS, "ingress_pps")                                   \
    LIMIT(BURST_MS, "burst_ms")

enum gn_limit {
#define LIMIT(ENUM, NAME) GN_LIMIT_##ENUM,
    GN_LIMITS
#undef LIMIT
    GN_N_LIMITS
};

/* The largest rate, in kbit/s (100 Gbit/s) or packets a second. */
#define GN_LIMITS_RATE_MAX 100000000u
/* "burst_ms": 1 to this; the default. */
#define GN_LIMITS_BURST_MS_MAX 10000u
#define GN_LIMITS_BURST_MS_DEFAULT 500u
/* The smallest burst of a bandwidth limit: a few full-size frames. */
#define GN_LIMITS_MIN_BURST_KBIT 64u

/* The Interface external_ids key holding a port's own limits, in
 * gn_limits_format()'s form. */
#define GN_LIMITS_KEY "guestnet:limits"

/* Limits as stated: 'value[i]' counts if bit i of 'set' is. */
struct gn_limits {
    unsigned int value[GN_N_LIMITS];
    unsigned int set;
};

/* Where a port's limit comes from. */
enum gn_limit_source {
    GN_LIMIT_FROM_DEFAULT,
    GN_LIMIT_FROM_NETWORK,
    GN_LIMIT_FROM_PORT,
};

/* Returns the name of 'limit' ("egress_kbps"). */
const char *gn_limit_name(enum gn_limit limit);
/* Returns "default", "network" or "port". */
const char *gn_limit_source_name(enum gn_limit_source);

/* Parses the limits object 'j' (borrowed) found at 'path' (for error
 * messages: "limits", "networks[0].limits") into '*limits' (cleared
 * first).  A member that is null is allowed only if 'cleared' is
 * nonnull: its bit is set in '*cleared' (the caller's way to drop a
 * port's own value).  Returns NULL, or a malloc'd message naming the
 * field (unknown member, not an integer, out of range), caller frees. */
char *gn_limits_from_json(const json_t *j, const char *path,
                          struct gn_limits *limits, unsigned int *cleared)
    GN_WARN_UNUSED;

/* Returns the members of 'limits' that are set, as a JSON object (new
 * reference). */
json_t *gn_limits_to_json(const struct gn_limits *limits);

/* Returns 'limits' as "egress_kbps=50000,burst_ms=100" (the members that
 * are set, in GN_LIMITS order; "" if none).  Caller frees. */
char *gn_limits_format(const struct gn_limits *limits);

/* Parses 's' (gn_limits_format()'s form; NULL or "" gives no member set)
 * into '*limits'.  Members that are unknown or out of range are left
 * out.  Returns false if there were any. */
bool gn_limits_parse(const char *s, struct gn_limits *limits);

/* Stores in '*eff' every member of a port's limits: its own ('port',
 * may be NULL), else its network's ('net', may be NULL), else the
 * default; and in 'from' (if nonnull) where each came from. */
void gn_limits_effective(const struct gn_limits *port,
                         const struct gn_limits *net, struct gn_limits *eff,
                         enum gn_limit_source from[GN_N_LIMITS]);

/* The burst of the rate limit 'limit' (not GN_LIMIT_BURST_MS) of the
 * effective limits 'eff', in kbit or packets; 0 if it has no limit. */
unsigned int gn_limits_burst(const struct gn_limits *eff,
                             enum gn_limit limit);

/* True if 'limit' is in packets a second, false if in kbit/s. */
bool gn_limit_is_pps(enum gn_limit limit);

#endif /* gn-limits.h */
