/* of-conn.h: one OpenFlow connection to a switch, on a libevent loop.
 *
 * An of_conn connects to a switch's management socket ("unix:PATH", as
 * ovn-controller connects to br-int.mgmt), says HELLO with a version bitmap
 * and negotiates the highest common version, answers the switch's echo
 * requests, sends its own when the switch has been silent for the probe
 * interval and drops the connection if the silence lasts another interval.
 * When the connection fails or drops it reconnects with exponential
 * backoff, for ever, until destroyed.
 *
 * Messages go out as bytes (the caller encodes them with libopenvswitch);
 * of_conn reads them back framed by the length in the OpenFlow header, at
 * most 64 kB each.  An OFPT_ERROR is logged (rate-limited) with its ofperr
 * name and the description of the message it answers, which the owner
 * gives from its own record of outstanding xids (the 'describe' callback:
 * for a flow_mod, the flow's text), or else the decoded message.
 *
 * Callbacks run from the event loop; they must not destroy the of_conn.
 * No OVS type crosses this header.  Not thread-safe. */
#ifndef GN_OF_CONN_H
#define GN_OF_CONN_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct of_conn;

struct of_conn_options {
    uint8_t min_version;        /* Lowest OpenFlow version (wire number). */
    uint8_t max_version;        /* Highest OpenFlow version. */
    int probe_interval_msec;    /* Echo after this much silence. */
    int min_backoff_msec;       /* First reconnect delay after a failure. */
    int max_backoff_msec;       /* Backoff doubles up to this. */
};

struct of_conn_callbacks {
    /* The HELLO exchange is done: of_conn_version() is valid. */
    void (*connected)(void *aux);
    /* An established connection dropped ('error' is a positive errno, or
     * EOF if the switch closed it).  Reconnection is already scheduled. */
    void (*disconnected)(int error, void *aux);
    /* A message other than HELLO and ECHO: 'msg'/'len' is borrowed for the
     * call.  OFPT_ERROR messages have been logged already. */
    void (*received)(const void *msg, size_t len, void *aux);
    /* Returns a malloc'd description of the message sent with 'xid' (the
     * caller frees it), or NULL if unknown. */
    char *(*describe)(uint32_t xid, void *aux);
};

/* Returns a new connection to 'target' ("unix:PATH") that starts connecting
 * at once on 'base'.  'options' may be NULL for the defaults: OpenFlow 1.3
 * to 1.5, 5 s probe interval, backoff from 100 ms to 250 ms (switch restarts
 * must be noticed quickly; a local connect() costs nothing).  The callbacks
 * get 'aux'.  The caller keeps 'target', 'options' and 'cbs'.
 *
 * Returns NULL and a malloc'd message in '*errorp' (caller frees) if
 * 'target' or 'options' is invalid. */
struct of_conn *of_conn_create(struct event_base *base, const char *target,
                               const struct of_conn_options *options,
                               const struct of_conn_callbacks *cbs,
                               void *aux, char **errorp);

/* Closes the connection and frees 'conn'.  Accepts NULL.  Must not be
 * called from 'conn''s callbacks. */
void of_conn_destroy(struct of_conn *conn);

/* Returns true if the connection is up and its version negotiated. */
bool of_conn_is_connected(const struct of_conn *conn);

/* Returns the negotiated OpenFlow version, or 0 if not connected. */
uint8_t of_conn_version(const struct of_conn *conn);

/* Returns a transaction id not used before on this connection. */
uint32_t of_conn_next_xid(struct of_conn *conn);

/* Queues the OpenFlow message 'msg'/'len' (the caller keeps it; it carries
 * its own xid) for sending.  Returns 0, or ENOTCONN if the connection is
 * not up.  Output is not bounded here: the owner sends one batch of
 * messages at a time and waits for a barrier reply. */
int of_conn_send(struct of_conn *conn, const void *msg, size_t len);

/* Sends a barrier request; stores its xid in '*xid'.  Returns 0 or
 * ENOTCONN. */
int of_conn_send_barrier(struct of_conn *conn, uint32_t *xid);

/* Returns how long the switch has been silent since a message that asks
 * for an answer (a request, a barrier, an echo) went out, in ms, or 0 if
 * it owes none or the connection is not up.  A hung switch shows here
 * before the echo probe drops the connection. */
long long of_conn_silent_msec(const struct of_conn *conn);

/* Returns the number of times the connection came up after the first. */
uint64_t of_conn_n_reconnects(const struct of_conn *conn);

#endif /* of-conn.h */
