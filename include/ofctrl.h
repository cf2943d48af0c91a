/* ofctrl.h: guestnet's OpenFlow programming layer.
 *
 * Design overview (after ovn-controller's ofctrl.c).  guestnetd describes
 * the flows it wants on the integration bridge as a whole: on each reconcile
 * step it builds a desired flow table (include/flow-table.h) and hands it to
 * ofctrl_put() with a sequence number.  ofctrl keeps:
 *
 *   - the desired table: the latest one put;
 *   - the installed table: what the switch holds.  At every connection it
 *     is read back from the switch with a flow stats request, so a
 *     restarted guestnetd sees what is already installed and a restarted
 *     ovs-vswitchd (whose tables are empty) gets everything back at once;
 *     afterwards it is kept current as the switch acknowledges changes.
 *
 * The daemon may also edit the desired table in place (ofctrl_desired(),
 * ofctrl_commit()); ofctrl then compares only the flows that changed.
 *
 * Whenever the two differ, ofctrl sends only the difference (additions,
 * modifications, deletions; see flow_table_diff()) as ONE atomic, ordered
 * OpenFlow bundle: BUNDLE_CONTROL open, one BUNDLE_ADD_MESSAGE per
 * flow_mod, a barrier, and only if the switch rejected none of them, the
 * commit and another barrier.  If the switch rejects a flow, the bundle is
 * discarded (or its commit fails), the switch's tables and the installed
 * table stay exactly as before, the error is logged with the text of the
 * flow and kept for ofctrl_get_status(), and that desired table is not
 * retried until the next ofctrl_put() or reconnection.  One bundle is in
 * flight at a time; tables put meanwhile are coalesced.
 *
 * Timing.  Nothing is actually sent to the switch until ofctrl_put(); the
 * work is done later from the event loop.  A sequence number put with a
 * desired table becomes ofctrl_installed_seqno() once the switch confirmed
 * (barrier reply after the commit) that it holds exactly that table, so the
 * daemon can report a port ready only when its flows are in.  When the
 * connection drops, ofctrl_installed_seqno() falls back to 0 until the
 * flows are confirmed again.
 *
 * Meters.  Flows may use meters (the "meter:N" action).  The desired
 * meters (include/meter-table.h) are handed to ofctrl_put_meters() and go
 * out with the flows of the next ofctrl_put(); the installed meters are
 * read back at every connection (OFPMP_METER_CONFIG) like the flows.  OVS
 * 3.1 does not take meter_mods inside bundles (ofputil_is_bundlable()
 * refuses OFPT_METER_MOD with OFPBFC_MSG_UNSUP), so a change set is:
 * meter additions and modifications, sent right before the flows' bundle
 * and under its barrier (the switch handles a connection's messages in
 * order; a change set of meters alone has a barrier of its own); the
 * bundle as above; meter deletions, a barrier.  A meter is thus in place
 * before any flow uses it, and goes only after the commit removed the
 * flows that used it (OVS deletes the flows of a deleted meter).  If a
 * meter_mod before the bundle is refused, the bundle is discarded (not
 * sent, for meters alone) and the change set fails like a refused bundle;
 * the sequence number becomes installed only when the flows and the
 * meters are in.
 *
 * Ownership: ofctrl owns every bridge table (all OpenFlow tables of the
 * bridge) and every meter: flows and meters it did not put are deleted.  Run the bridge with
 * fail_mode=secure so that isolation holds while guestnetd is away.
 *
 * The OpenFlow connection (flows/of-conn.c) goes to the bridge's management
 * socket, negotiates OpenFlow 1.5, 1.4 or 1.3 (bundles use the ONF
 * extension there), keeps itself alive with echo requests and reconnects
 * with backoff.  No OVS type and no jansson type crosses this header.
 *
 * Thread-safety: single-threaded; call from the thread that runs the
 * event loop.  Callbacks must not destroy the ofctrl. */
#ifndef GN_OFCTRL_H
#define GN_OFCTRL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gn-util.h"

struct event_base;
struct flow_table;
struct flow_table_cookie_stats;
struct meter_table;
struct ofctrl;

struct ofctrl_options {
    uint8_t min_ofp_version;    /* 4 (OpenFlow 1.3) ... 6 (1.5). */
    uint8_t max_ofp_version;    /* The highest common one is used. */
    int probe_interval_msec;    /* Echo request after this much silence,
                                 * disconnect after twice as much. */
    int max_backoff_msec;       /* Reconnection delay cap (from 100 ms). */
};

/* Fills 'options' with the defaults: OpenFlow 1.3 to 1.5, 5000 ms probe
 * interval, 250 ms maximum backoff (a restarted ovs-vswitchd is found
 * within a quarter second; a local connect() attempt costs nothing). */
void ofctrl_options_init(struct ofctrl_options *options);

/* Called from the event loop when the connection comes up or goes down and
 * when ofctrl_installed_seqno() changes or a bundle fails. */
typedef void ofctrl_notify_cb(struct ofctrl *, void *aux);

/* Returns a new ofctrl that connects to the switch at 'target'
 * ("unix:<rundir>/<bridge>.mgmt") on 'base' and calls 'notify' (may be
 * NULL) with 'aux'.  'options' may be NULL for the defaults.  The caller
 * keeps 'target' and 'options'.  Caller frees with ofctrl_destroy().
 *
 * Returns NULL and a malloc'd message in '*errorp' (caller frees) if
 * 'target' or 'options' is invalid. */
struct ofctrl *ofctrl_create(struct event_base *base, const char *target,
                             const struct ofctrl_options *options,
                             ofctrl_notify_cb *notify, void *aux,
                             char **errorp);

/* Disconnects and frees 'ofctrl' and its tables.  Accepts NULL.  Flows
 * stay on the switch.  Outstanding cookie stats requests are dropped
 * without their callbacks. */
void ofctrl_destroy(struct ofctrl *ofctrl);

/* Makes 'desired' the flow table that the switch should hold and 'seqno'
 * (nonzero; increasing) its sequence number.  Takes ownership of
 * 'desired'.  Nothing is sent here; the difference goes out from the event
 * loop (see the overview). */
void ofctrl_put(struct ofctrl *ofctrl, struct flow_table *desired,
                uint64_t seqno);

/* The desired table, to be edited in place: returns it (an empty one if
 * nothing was put yet), to which the caller adds flows and from which it
 * removes them (flow_table_add_ref(), flow_table_remove()); then
 * ofctrl_commit() makes the edited table desired with 'seqno'.  The table
 * records which flows changed, so that only those are compared with the
 * installed ones: the cost of a change is that of the change, not of the
 * table (after a reconnection or a failed change set, the next comparison
 * is a full one).  The table stays ofctrl's: do not destroy it, and do not
 * keep it across ofctrl_put(), which replaces it. */
struct flow_table *ofctrl_desired(struct ofctrl *ofctrl);
void ofctrl_commit(struct ofctrl *ofctrl, uint64_t seqno);

/* Says that the caller is in the middle of an edit of the desired table
 * that spans several returns to the event loop: until the next
 * ofctrl_commit() or ofctrl_put(), ofctrl compares nothing with the switch
 * (not even after a reconnection), so that the switch never gets half an
 * edit. */
void ofctrl_hold(struct ofctrl *ofctrl);

/* Makes 'desired' (NULL: none) the meters that the switch should hold,
 * from the next ofctrl_put() on: they are sent with that table's flows and
 * its sequence number covers both.  Takes ownership of 'desired'.  Until
 * the first call, the desired meters are none. */
void ofctrl_put_meters(struct ofctrl *ofctrl, struct meter_table *desired);

/* Returns the sequence number of the desired table that the switch is
 * confirmed to hold right now, or 0. */
uint64_t ofctrl_installed_seqno(const struct ofctrl *ofctrl);

/* Returns true if the OpenFlow connection is up. */
bool ofctrl_is_connected(const struct ofctrl *ofctrl);

/* Returns how long (ms) the switch has been silent while it owes an
 * answer (to a bundle's barrier, a dump, an echo), or 0. */
long long ofctrl_silent_msec(const struct ofctrl *ofctrl);

struct ofctrl_status {
    bool connected;
    uint8_t ofp_version;        /* Negotiated version, 0 if not connected. */
    uint64_t desired_seqno;     /* Of the latest ofctrl_put(), or 0. */
    uint64_t installed_seqno;   /* As ofctrl_installed_seqno(). */
    size_t n_desired;           /* Flows in the desired table. */
    size_t n_installed;         /* Flows known to be on the switch. */
    size_t n_desired_meters;    /* Meters of the last ofctrl_put_meters(). */
    size_t n_installed_meters;  /* Meters known to be on the switch. */

    /* Counters since ofctrl_create(). */
    uint64_t n_flow_mods;       /* flow_mods sent (in bundles). */
    uint64_t n_meter_mods;      /* meter_mods sent (around bundles). */
    uint64_t n_bundles;         /* Bundles committed. */
    uint64_t n_bundle_failures; /* Bundles discarded or failed to commit. */
    uint64_t n_errors;          /* OFPT_ERROR messages received. */
    uint64_t n_reconnects;      /* Connections after the first. */
    long long silent_msec;      /* As ofctrl_silent_msec(). */
    uint64_t n_packet_in;       /* Packet-ins handed to the callback. */
    uint64_t n_packet_in_dropped;   /* Over the budget, or undecodable. */
    uint64_t n_packet_out;

    /* Why the last change set failed, borrowed: "OFPBAC_BAD_OUT_GROUP for
     * add table=0,..." (NULL if the last bundle succeeded).  Valid until
     * the next call into ofctrl or return to the event loop. */
    const char *last_error;
};

/* Packets.  A flow's "controller" action sends a packet up to guestnetd
 * (OFPT_PACKET_IN); ofctrl asks the switch for whole packets at every
 * connection, decodes at most OFCTRL_PACKET_IN_RATE (flows/
 * ofctrl-private.h) a second, drops and counts the rest, and hands each
 * to the callback, which must be quick: it runs on the event loop, once
 * per packet.  The fields are borrowed for the call. */
struct ofctrl_packet_in {
    uint64_t cookie;            /* Of the flow that sent it up. */
    uint8_t table_id;
    uint32_t in_port;           /* The OpenFlow port it came in on. */
    const void *packet;         /* The Ethernet frame. */
    size_t len;
    bool truncated;             /* The switch sent only the first 'len'
                                 * bytes. */
};
typedef void ofctrl_packet_in_cb(const struct ofctrl_packet_in *,
                                 void *aux);

/* Makes 'cb' (NULL: none) with 'aux' the receiver of packet-ins. */
void ofctrl_set_packet_in_cb(struct ofctrl *ofctrl, ofctrl_packet_in_cb *cb,
                             void *aux);

/* Sends the Ethernet frame 'packet'/'len' (the caller keeps it) out of
 * the switch's OpenFlow port 'out_port' (OFPT_PACKET_OUT, from the
 * controller: no flow sees it).  Returns 0 or ENOTCONN. */
int ofctrl_packet_out(struct ofctrl *ofctrl, uint32_t out_port,
                      const void *packet, size_t len);

/* Fills 'status' with the state and counters of 'ofctrl'. */
void ofctrl_get_status(const struct ofctrl *ofctrl,
                       struct ofctrl_status *status);

/* Called with the packet and byte counters of the switch's flows summed per
 * cookie (array 'stats' of 'n', sorted by cookie, borrowed for the call),
 * or with 'error' ENOTCONN (stats NULL) if the connection dropped first. */
typedef void ofctrl_cookie_stats_cb(const struct flow_table_cookie_stats
                                    *stats, size_t n, int error, void *aux);

/* Asks the switch for the counters of all its flows and later calls 'cb'
 * with 'aux' from the event loop.  Returns 0, ENOTCONN if the connection
 * is down, or EBUSY if too many requests are outstanding (8). */
int ofctrl_request_cookie_stats(struct ofctrl *ofctrl,
                                ofctrl_cookie_stats_cb *cb, void *aux);
/* Likewise for the flows whose cookie matches 'cookie' in the bits of
 * 'cookie_mask' only (the switch filters them: a request for one rule's
 * flows, PIPELINE_COOKIE(RULE, 0) with mask 0xffff << 48, costs the
 * switch and guestnetd that rule's flows, not the table's). */
int ofctrl_request_some_cookie_stats(struct ofctrl *ofctrl, uint64_t cookie,
                                     uint64_t cookie_mask,
                                     ofctrl_cookie_stats_cb *cb, void *aux);

#endif /* ofctrl.h */
