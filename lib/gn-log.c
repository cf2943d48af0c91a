/* gn-log.c: the log and its rate limiters (see include/gn-log.h).
 *
 * Thread-safe: guestnetd's device worker (dev-worker.h) logs too.  One
 * mutex guards the log file, its sequence numbers and the rate limiters. */
#include <config.h>

#include "gn-log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static FILE *log_file;
static char *log_file_name;
static int log_level = GN_LOG_INFO;     /* Atomic: read by every thread. */
static unsigned long long log_seq;
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {
    [GN_LOG_ERR] = "ERR",
    [GN_LOG_WARN] = "WARN",
    [GN_LOG_INFO] = "INFO",
    [GN_LOG_DBG] = "DBG",
};

static int
gn_log_open__(const char *file_name)
{
    FILE *f;

    if (!file_name || !strcmp(file_name, "-")) {
        if (log_file && log_file != stderr) {
            fclose(log_file);
        }
        log_file = stderr;
        free(log_file_name);
        log_file_name = NULL;
        return 0;
    }
    f = fopen(file_name, "a");
    if (!f) {
        return errno;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    if (log_file && log_file != stderr) {
        fclose(log_file);
    }
    log_file = f;
    if (log_file_name != file_name) {
        free(log_file_name);
        log_file_name = gn_xstrdup(file_name);
    }
    return 0;
}

int
gn_log_open(const char *file_name)
{
    int error;

    pthread_mutex_lock(&log_mutex);
    error = gn_log_open__(file_name);
    pthread_mutex_unlock(&log_mutex);
    return error;
}

int
gn_log_reopen(void)
{
    return log_file_name ? gn_log_open(log_file_name) : 0;
}

void
gn_log_set_level(enum gn_log_level level)
{
    __atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

bool
gn_log_is_enabled(enum gn_log_level level)
{
    return (int) level <= __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

bool
gn_log_level_from_string(const char *s, enum gn_log_level *level)
{
    static const char *const names[] = { "err", "warn", "info", "dbg" };

    for (size_t i = 0; i < GN_ARRAY_SIZE(names); i++) {
        if (!strcasecmp(s, names[i])) {
            *level = i;
            return true;
        }
    }
    return false;
}

static void
gn_log_valist__(const char *module, enum gn_log_level level,
                const char *fmt, va_list args)
{
    long long now = gn_time_wall_msec();
    time_t secs = now / 1000;
    struct tm tm;
    char stamp[32];

    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    pthread_mutex_lock(&log_mutex);
    FILE *f = log_file ? log_file : stderr;
    fprintf(f, "%s.%03lldZ|%05llu|%s|%s|", stamp, now % 1000, ++log_seq,
            module, level_names[level]);
    vfprintf(f, fmt, args);
    fputc('\n', f);
    fflush(f);
    pthread_mutex_unlock(&log_mutex);
}

void
gn_log(const char *module, enum gn_log_level level, const char *fmt, ...)
{
    va_list args;

    if (!gn_log_is_enabled(level)) {
        return;
    }
    va_start(args, fmt);
    gn_log_valist__(module, level, fmt, args);
    va_end(args);
}

/* Returns true if 'rl' lets one more line through now. */
static bool
gn_log_rl_admit__(struct gn_log_rl *rl)
{
    long long now = gn_time_msec();

    if (rl->last_msec) {
        rl->tokens += (now - rl->last_msec) * rl->rate / 60000.0;
        if (rl->tokens > rl->burst) {
            rl->tokens = rl->burst;
        }
    }
    rl->last_msec = now;
    if (rl->tokens >= 1.0) {
        rl->tokens -= 1.0;
        return true;
    }
    rl->dropped++;
    return false;
}

void
gn_log_rl(struct gn_log_rl *rl, const char *module, enum gn_log_level level,
          const char *fmt, ...)
{
    unsigned int dropped;
    bool admit;
    va_list args;

    if (!gn_log_is_enabled(level)) {
        return;
    }
    pthread_mutex_lock(&log_mutex);
    admit = gn_log_rl_admit__(rl);
    dropped = admit ? rl->dropped : 0;
    if (admit) {
        rl->dropped = 0;
    }
    pthread_mutex_unlock(&log_mutex);
    if (!admit) {
        return;
    }
    if (dropped) {
        gn_log(module, level, "(%u lines like the next were suppressed)",
               dropped);
    }
    va_start(args, fmt);
    gn_log_valist__(module, level, fmt, args);
    va_end(args);
}
