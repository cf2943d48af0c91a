/* notify.h: guestnetd's side of systemd's service notification protocol
 * (sd_notify(3)): one datagram a message to the unix socket named by
 * $NOTIFY_SOCKET (a path, or "@NAME" in the abstract namespace), sent
 * without waiting.
 *
 * systemd starts a Type=notify service with $NOTIFY_SOCKET set and waits
 * for READY=1 before it starts the units ordered after it; STATUS= lines
 * show in "systemctl status"; RELOADING=1 ... READY=1 frames a reload;
 * STOPPING=1 says the service is on its way out; WATCHDOG=1, sent more
 * often than $WATCHDOG_USEC, proves that the event loop still runs.
 * Without $NOTIFY_SOCKET (guestnetd not started by systemd) every function
 * here does nothing, so guestnetd calls them unconditionally.
 *
 * This module only speaks the protocol.  When guestnetd is ready is the
 * business of readiness.h.
 *
 * Thread-safety: call from the event loop's thread only. */
#ifndef GN_NOTIFY_H
#define GN_NOTIFY_H 1

#include "gn-util.h"

struct event_base;

/* Lets messages that find systemd's socket full wait on a timer of 'base'
 * and go again (in order, a STATUS= only the latest), instead of the event
 * loop waiting for room.  Call once, before the first message. */
void notify_init(struct event_base *base);

/* Sends "STATUS=" and the formatted text (one line: newlines become
 * spaces).  Sends nothing if the text is the one sent last. */
void notify_status(const char *format, ...) GN_PRINTF(1, 2);

/* Sends "READY=1", after start-up or after a reload. */
void notify_ready(void);

/* Sends "RELOADING=1" with "MONOTONIC_USEC=" (which systemd 253 and later
 * require); a notify_ready() must follow once the reload is done. */
void notify_reloading(void);

/* Sends "STOPPING=1", after the messages still waiting, each waiting for
 * room until one has waited 5 s in vain: for when the event loop has
 * stopped.  Frees the
 * timer of notify_init(). */
void notify_stopping(void);

/* If systemd asked for watchdog pings ($WATCHDOG_USEC, and $WATCHDOG_PID
 * unset or ours), sends "WATCHDOG=1" from a timer on 'base' every half
 * period, so that a loop stuck for longer than the period gets guestnetd
 * killed and restarted.  Returns the timer (free it with
 * notify_watchdog_destroy()), or NULL if no pings were asked for. */
struct notify_watchdog *notify_watchdog_create(struct event_base *base);
void notify_watchdog_destroy(struct notify_watchdog *);

#endif /* notify.h */
