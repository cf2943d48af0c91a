/* notify.c: systemd's service notification protocol (see notify.h). */
#include <config.h>

#include "notify.h"

#include <ctype.h>
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

/* Messages that found systemd's socket full, oldest first, and the timer
 * that sends them again (see notify_init()). */
#define NOTIFY_MAX_PENDING 32
static char *notify_pending[NOTIFY_MAX_PENDING];
static size_t notify_n_pending;
static struct event *notify_retry;

/* How often messages that found the socket full are sent again. */
#define NOTIFY_RETRY_MS 50

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

/* Returns the socket messages go out on, opening it the first time, or -1
 * (errno set). */
static int
notify_socket__(void)
{
    if (notify_fd < 0) {
        notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    }
    return notify_fd;
}

/* Sends 'msg' as one datagram to $NOTIFY_SOCKET, whose address 'sun' and
 * 'len' are.  Returns 0 or an errno value (EAGAIN: the socket is full and
 * 'flags' has MSG_DONTWAIT). */
static int
notify_sendto__(const char *msg, const struct sockaddr_un *sun,
                socklen_t len, int flags)
{
    if (notify_socket__() < 0) {
        return errno;
    }
    return (sendto(notify_fd, msg, strlen(msg), flags | MSG_NOSIGNAL,
                   (const struct sockaddr *) sun, len) < 0 ? errno : 0);
}

/* Keeps 'msg' for notify_flush__(), after those kept already.  A STATUS=
 * replaces the STATUS= kept (systemd shows the latest), a WATCHDOG=1 joins
 * one kept; past NOTIFY_MAX_PENDING the message is dropped (logged). */
static void
notify_keep__(const char *msg)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(1, 5);
    bool status = !strncmp(msg, "STATUS=", 7);

    for (size_t i = 0; i < notify_n_pending; i++) {
        if (status && !strncmp(notify_pending[i], "STATUS=", 7)) {
            free(notify_pending[i]);
            notify_pending[i] = gn_xstrdup(msg);
            return;
        }
        if (!strcmp(msg, "WATCHDOG=1") && !strcmp(notify_pending[i], msg)) {
            return;
        }
    }
    if (notify_n_pending >= NOTIFY_MAX_PENDING) {
        GN_LOG_WARN_RL(&rl, "notification \"%s\" dropped: systemd has not "
                       "read the %d before it", msg, NOTIFY_MAX_PENDING);
        return;
    }
    notify_pending[notify_n_pending++] = gn_xstrdup(msg);
}

/* Sends the messages kept, in order, until one finds the socket full
 * ('flags' with MSG_DONTWAIT) or all are gone.  A message that fails
 * otherwise is dropped and logged. */
static void
notify_flush__(const struct sockaddr_un *sun, socklen_t len, int flags)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(1, 5);
    size_t i;

    for (i = 0; i < notify_n_pending; i++) {
        int error = notify_sendto__(notify_pending[i], sun, len, flags);

        if (error == EAGAIN) {
            break;
        } else if (error) {
            GN_LOG_WARN_RL(&rl, "notification \"%s\" to %s: %s",
                           notify_pending[i], getenv("NOTIFY_SOCKET"),
                           strerror(error));
        }
        free(notify_pending[i]);
    }
    memmove(notify_pending, &notify_pending[i],
            (notify_n_pending - i) * sizeof *notify_pending);
    notify_n_pending -= i;
    if (notify_n_pending && notify_retry) {
        struct timeval tv = { 0, NOTIFY_RETRY_MS * 1000 };

        event_add(notify_retry, &tv);
    }
}

/* Sends 'msg' to systemd without waiting: a message that finds the socket
 * full (systemd busy) is kept and sent again, after those kept before it,
 * from a timer (see notify_init()).  A failure to send is logged
 * (rate-limited): systemd would then wait for READY=1 in vain, which its
 * timeout reports too. */
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
    notify_keep__(msg);
    notify_flush__(&sun, len, MSG_DONTWAIT);
}

static void
notify_retry_cb__(evutil_socket_t fd, short what, void *aux)
{
    struct sockaddr_un sun;
    socklen_t len;

    (void) fd;
    (void) what;
    (void) aux;
    if (notify_address__(&sun, &len) > 0) {
        notify_flush__(&sun, len, MSG_DONTWAIT);
    }
}

void
notify_init(struct event_base *base)
{
    if (!notify_retry) {
        notify_retry = evtimer_new(base, notify_retry_cb__, NULL);
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
    if (errno || *end || !isdigit((unsigned char) usec[0])) {
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
    struct sockaddr_un sun;
    struct timeval tv = { 5, 0 };
    socklen_t len;

    if (notify_address__(&sun, &len) <= 0) {
        return;
    }
    /* The last message: what is kept goes first, each waiting for room
     * (the event loop has stopped), until one has waited 5 s in vain. */
    notify_keep__("STOPPING=1");
    if (notify_socket__() >= 0) {
        setsockopt(notify_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    notify_flush__(&sun, len, 0);
    if (notify_retry) {
        event_free(notify_retry);
        notify_retry = NULL;
    }
    for (size_t i = 0; i < notify_n_pending; i++) {
        free(notify_pending[i]);
    }
    notify_n_pending = 0;
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
    usec = usec / 2 > 1000 ? usec / 2 : 1000;   /* (1 ms at least.) */
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
