/* notify.c: systemd's service notification protocol (see notify.h). */
#include <config.h>

#include "notify.h"

#include <event2/event.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "gn-log.h"
#include "gn-util.h"

GN_LOG_MODULE(notify);

/* The text of the last STATUS= sent, or NULL. */
static char *notify_last_status;

/* Sends 'msg' to systemd.  A failure to send is logged (rate-limited):
 * systemd would then wait for READY=1 in vain, which its timeout reports
 * too. */
static void
notify_send__(const char *msg)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(1, 5);
    int r = sd_notify(0, msg);

    if (r < 0) {
        GN_LOG_WARN_RL(&rl, "sd_notify(\"%s\"): %s", msg, strerror(-r));
    }
}

void
notify_status(const char *format, ...)
{
    va_list args;
    char *text, *msg;

    va_start(args, format);
    text = gn_xvasprintf(format, args);
    va_end(args);
    for (char *p = text; *p; p++) {
        if (*p == '\n') {
            *p = ' ';
        }
    }
    if (notify_last_status && !strcmp(text, notify_last_status)) {
        free(text);
        return;
    }
    msg = gn_xasprintf("STATUS=%s", text);
    notify_send__(msg);
    free(msg);
    free(notify_last_status);
    notify_last_status = text;
}

void
notify_ready(void)
{
    notify_send__("READY=1");
}

void
notify_reloading(void)
{
    char *msg = gn_xasprintf("RELOADING=1\nMONOTONIC_USEC=%lld",
                             gn_time_usec());

    notify_send__(msg);
    free(msg);
}

void
notify_stopping(void)
{
    notify_send__("STOPPING=1");
}

struct notify_watchdog {
    struct event *timer;
};

static void
notify_watchdog_cb__(evutil_socket_t fd, short what, void *w)
{
    (void) fd;
    (void) what;
    (void) w;
    notify_send__("WATCHDOG=1");
}

struct notify_watchdog *
notify_watchdog_create(struct event_base *base)
{
    struct notify_watchdog *w;
    uint64_t usec = 0;
    struct timeval tv;

    if (sd_watchdog_enabled(0, &usec) <= 0 || !usec) {
        return NULL;
    }
    usec /= 2;
    tv.tv_sec = usec / 1000000;
    tv.tv_usec = usec % 1000000;
    w = gn_xzalloc(sizeof *w);
    w->timer = event_new(base, -1, EV_PERSIST, notify_watchdog_cb__, w);
    event_add(w->timer, &tv);
    GN_LOG_INFO("watchdog: pinging systemd every %.3f s",
                (double) usec / 1e6);
    /* The first ping at once: systemd counts the period from the start. */
    notify_send__("WATCHDOG=1");
    return w;
}

void
notify_watchdog_destroy(struct notify_watchdog *w)
{
    if (w) {
        event_free(w->timer);
        free(w);
    }
}
