/* notify.c: systemd's service notification protocol (see notify.h). */
#include <config.h>

#include "notify.h"

#include <errno.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "gn-log.h"
#include "gn-util.h"

GN_LOG_MODULE(notify);

/* The text of the last STATUS= sent, or NULL. */
static char *notify_last_status;

/* The datagram socket messages go out on, once opened (-1 before). */
static int notify_fd = -1;

/* Fills 'sun' and '*len' with the address $NOTIFY_SOCKET names: an
 * absolute path, or "@NAME" for NAME in the abstract namespace.  Returns 0
 * if it is unset (nothing to send), 1 if set, or a negative errno value if
 * it names no such address. */
static int
notify_address__(struct sockaddr_un *sun, socklen_t *len)
{
    const char *name = getenv("NOTIFY_SOCKET");
    size_t n;

    if (!name || !*name) {
        return 0;
    }
    n = strlen(name);
    if (name[0] != '/' && name[0] != '@') {
        return -EINVAL;
    }
    if (n > sizeof sun->sun_path) {
        return -ENAMETOOLONG;
    }
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path, name, n);
    if (name[0] == '@') {
        sun->sun_path[0] = '\0';
    }
    *len = offsetof(struct sockaddr_un, sun_path) + n
           + (name[0] == '/' && n < sizeof sun->sun_path);
    return 1;
}

/* Sends 'msg' to systemd: one datagram to $NOTIFY_SOCKET, never waiting
 * (a full socket drops it).  A failure to send is logged (rate-limited):
 * systemd would then wait for READY=1 in vain, which its timeout reports
 * too. */
static void
notify_send__(const char *msg)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(1, 5);
    struct sockaddr_un sun;
    socklen_t len;
    int r = notify_address__(&sun, &len);

    if (r <= 0) {
        if (r < 0) {
            GN_LOG_WARN_RL(&rl, "NOTIFY_SOCKET=%s: %s",
                           getenv("NOTIFY_SOCKET"), strerror(-r));
        }
        return;
    }
    if (notify_fd < 0) {
        notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    }
    if (notify_fd < 0
        || sendto(notify_fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
                  (const struct sockaddr *) &sun, len) < 0) {
        GN_LOG_WARN_RL(&rl, "notification \"%s\" to %s: %s", msg,
                       getenv("NOTIFY_SOCKET"), strerror(errno));
    }
}

/* Returns systemd's watchdog period in microseconds ($WATCHDOG_USEC), or
 * 0 if it asks for no pings from this process ($WATCHDOG_PID is set and
 * not ours). */
static unsigned long long
notify_watchdog_usec__(void)
{
    const char *usec = getenv("WATCHDOG_USEC");
    const char *pid = getenv("WATCHDOG_PID");
    unsigned long long value;
    char *end;

    if (!usec || !*usec) {
        return 0;
    }
    errno = 0;
    value = strtoull(usec, &end, 10);
    if (errno || *end || usec[0] == '-') {
        GN_LOG_WARN("WATCHDOG_USEC=%s is not a number of microseconds: "
                    "no watchdog pings", usec);
        return 0;
    }
    if (pid && *pid) {
        long long n = strtoll(pid, &end, 10);

        if (*end || n != (long long) getpid()) {
            return 0;
        }
    }
    return value;
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
    unsigned long long usec = notify_watchdog_usec__();
    struct timeval tv;

    if (!usec) {
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
