/* gn-log.h: guestnet's log, with a rate limiter per log site.
 *
 * Lines look like OVS's vlog:
 *   2026-11-22T06:55:00.123Z|00042|ovsdb_conn|WARN|connection dropped
 * and go to stderr, or to the file given to gn_log_open().  Every log site
 * that network or guest input can reach uses a rate limiter so input cannot
 * flood the log:
 *
 *     static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 20);
 *     GN_LOG_WARN_RL(&rl, "bad message from %s", peer);
 *
 * Each file declares its module name once: GN_LOG_MODULE(ovsdb_conn);
 *
 * Thread-safety: guestnet is single-threaded; these functions are not
 * thread-safe. */
#ifndef GN_LOG_H
#define GN_LOG_H 1

#include <stdbool.h>
#include "gn-util.h"

enum gn_log_level {
    GN_LOG_ERR,
    GN_LOG_WARN,
    GN_LOG_INFO,
    GN_LOG_DBG,
};

/* A token bucket: 'rate' lines a minute, bursts of up to 'burst'. */
struct gn_log_rl {
    unsigned int rate;
    unsigned int burst;
    double tokens;
    long long last_msec;
    unsigned int dropped;
};
#define GN_LOG_RL_INIT(RATE, BURST) { (RATE), (BURST), (BURST), 0, 0 }

#define GN_LOG_MODULE(NAME) \
    static const char *gn_log_this_module __attribute__((unused)) = #NAME

/* Log destination: NULL or "-" for stderr.  Returns 0 or an errno. */
int gn_log_open(const char *file_name);
/* Reopens the log file (after rotation).  Returns 0 or an errno. */
int gn_log_reopen(void);
void gn_log_set_level(enum gn_log_level);
bool gn_log_is_enabled(enum gn_log_level);
/* Parses "err", "warn", "info", "dbg".  Returns false if unknown. */
bool gn_log_level_from_string(const char *, enum gn_log_level *);

void gn_log(const char *module, enum gn_log_level, const char *fmt, ...)
    GN_PRINTF(3, 4);
void gn_log_rl(struct gn_log_rl *, const char *module, enum gn_log_level,
               const char *fmt, ...) GN_PRINTF(4, 5);

#define GN_LOG_ERR(...) gn_log(gn_log_this_module, GN_LOG_ERR, __VA_ARGS__)
#define GN_LOG_WARN(...) gn_log(gn_log_this_module, GN_LOG_WARN, __VA_ARGS__)
#define GN_LOG_INFO(...) gn_log(gn_log_this_module, GN_LOG_INFO, __VA_ARGS__)
#define GN_LOG_DBG(...) gn_log(gn_log_this_module, GN_LOG_DBG, __VA_ARGS__)
#define GN_LOG_ERR_RL(RL, ...) \
    gn_log_rl(RL, gn_log_this_module, GN_LOG_ERR, __VA_ARGS__)
#define GN_LOG_WARN_RL(RL, ...) \
    gn_log_rl(RL, gn_log_this_module, GN_LOG_WARN, __VA_ARGS__)
#define GN_LOG_INFO_RL(RL, ...) \
    gn_log_rl(RL, gn_log_this_module, GN_LOG_INFO, __VA_ARGS__)
#define GN_LOG_DBG_RL(RL, ...) \
    gn_log_rl(RL, gn_log_this_module, GN_LOG_DBG, __VA_ARGS__)

#endif /* gn-log.h */
