/* ofctrl-private.h: the state of struct ofctrl, shared by flows/ofctrl.c
 * (the change sets it sends) and flows/ofctrl-recv.c (what the switch
 * answers).  Nothing outside flows/ofctrl*.c includes it. */
#ifndef GN_OFCTRL_PRIVATE_H
#define GN_OFCTRL_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofctrl.h"

struct ofp_header;

/* At most this many cookie stats requests wait for their replies. */
#define OFCTRL_MAX_STATS_REQUESTS 8

/* Flags of every bundle ofctrl opens. */
#define OFCTRL_BUNDLE_FLAGS (OFPBF_ATOMIC | OFPBF_ORDERED)

enum ofctrl_state {
    OFCTRL_DOWN,                /* Not connected. */
    OFCTRL_DUMPING,             /* Reading the switch's flows and meters. */
    OFCTRL_SYNCED,              /* Installed table known, nothing in flight. */
    OFCTRL_METERS_BEFORE,       /* Meter additions and modifications sent;
                                 * waiting for their barrier. */
    OFCTRL_ADDING,              /* Bundle opened and filled (after the
                                 * meters before it, if 'meters_in_bundle');
                                 * waiting for the barrier to learn whether
                                 * all was taken. */
    OFCTRL_COMMITTING,          /* Commit sent; waiting for its barrier. */
    OFCTRL_METERS_AFTER,        /* Meter deletions sent after the commit;
                                 * waiting for their barrier. */
};

/* A cookie stats request waiting for its (multipart) reply. */
struct ofctrl_stats_request {
    uint32_t xid;
    uint8_t ofp_version;        /* Of the reply. */
    struct flow_table_cookie_stats *sums;   /* One per flow received so */
    size_t n_sums, allocated_sums;          /* far (not yet merged). */
    ofctrl_cookie_stats_cb *cb;
    void *aux;
};

struct ofctrl {
    struct of_conn *conn;
    struct event *run_event;    /* Deferred ofctrl_run__(). */
    ofctrl_notify_cb *notify;
    void *aux;
    enum ofctrl_state state;

    struct flow_table *desired; /* Latest ofctrl_put() or the table of
                                 * ofctrl_desired(), or NULL.  Tracks its
                                 * changes (flow_table_track_changes()). */
    uint64_t desired_seqno;
    bool desired_dirty;         /* Not yet compared with 'installed'. */
    bool held;                  /* ofctrl_hold(): an edit is under way. */
    bool full_diff;             /* The next comparison must look at every
                                 * flow, not only the changed ones: after
                                 * ofctrl_put(), a (re)connection, or a
                                 * failed change set. */

    struct flow_table *installed;   /* Nonnull from SYNCED on. */
    uint64_t installed_seqno;

    uint32_t dump_xid;          /* DUMPING: the flow stats request. */
    struct flow_table *dump;    /* DUMPING: flows received so far, until
                                 * the last part; then NULL. */
    uint32_t meter_dump_xid;    /* DUMPING: the meter config request. */
    struct meter_table *meter_dump; /* DUMPING: meters so far, likewise. */

    struct meter_table *desired_meters;     /* Never NULL. */
    struct meter_table *installed_meters;   /* Nonnull from SYNCED on. */

    /* The bundle in flight (ADDING, COMMITTING). */
    struct flow_table_mod *mods;    /* Own their entries: the desired table
                                     * may change meanwhile. */
    size_t n_mods;
    uint64_t bundle_seqno;
    uint32_t bundle_id;
    uint32_t bundle_first_xid;  /* Xids of the bundle's messages. */
    uint32_t bundle_last_xid;
    uint32_t barrier_xid;
    char *bundle_error;         /* First error for the change set (meters
                                 * or bundle), or NULL. */

    /* The meter changes of the change set in flight: the first
     * 'n_meter_before' (additions, modifications) go before the bundle,
     * the rest (deletions) after its commit. */
    struct meter_table_mod *meter_mods;
    size_t n_meter_mods;
    size_t n_meter_before;
    size_t meter_batch;         /* Index in 'meter_mods' of the batch sent
                                 * with xids meter_first_xid...last. */
    uint32_t meter_first_xid;
    uint32_t meter_last_xid;
    bool meters_in_bundle;      /* The meters before the bundle went just
                                 * before it, under its barrier. */
    bool meter_error;           /* The switch refused a meter_mod of the
                                 * change set in flight. */

    char *last_error;           /* Why the last bundle failed, or NULL. */

    struct ofctrl_stats_request stats[OFCTRL_MAX_STATS_REQUESTS];
    size_t n_stats;

    uint64_t n_flow_mods;
    uint64_t n_meter_mods_sent;
    uint64_t n_bundles;
    uint64_t n_bundle_failures;
    uint64_t n_errors;

    /* Packet-ins (flows/ofctrl-pin.c). */
    ofctrl_packet_in_cb *pin_cb;
    void *pin_aux;
    long long pin_tokens;       /* The budget's token bucket. */
    long long pin_refill_msec;
    uint64_t n_packet_in;       /* Handed to 'pin_cb'. */
    uint64_t n_packet_in_dropped;   /* Over the budget, or undecodable. */
    uint64_t n_packet_out;
};

/* ofctrl.c, for ofctrl-recv.c. */

/* Sends what is due in the current state: a new change set when the
 * desired tables differ from the installed ones and nothing is in flight. */
void ofctrl_run__(struct ofctrl *);
/* Sends a bundle control message of 'type' for the bundle in flight and
 * returns its xid. */
uint32_t ofctrl_send_bundle_ctrl__(struct ofctrl *, uint16_t type);
/* Ends the change set in flight, successful or not, and notifies. */
void ofctrl_finish_bundle__(struct ofctrl *);
/* Sends meter_mods [start, end) of the change set and enters 'state'. */
void ofctrl_send_meter_mods__(struct ofctrl *, size_t start, size_t end,
                              enum ofctrl_state);
/* After the meters that go before the bundle are in: opens the bundle. */
void ofctrl_continue_after_meters__(struct ofctrl *);

/* ofctrl-pin.c, for ofctrl.c and ofctrl-recv.c. */

/* At most this many packet-ins a second are decoded and handed to the
 * owner (bursts of as many); the others are dropped and counted.  The
 * flows that punt packets meter them per port first (include/
 * pipeline.h), so this is the last bound on the loop's time, for all
 * ports together. */
#define OFCTRL_PACKET_IN_RATE 2000

/* Asks the switch for whole packets in packet-ins on this connection. */
void ofctrl_send_switch_config__(struct ofctrl *);
/* Handles the OFPT_PACKET_IN 'oh'. */
void ofctrl_recv_packet_in__(struct ofctrl *, const struct ofp_header *oh);

/* ofctrl-recv.c, for ofctrl.c: the of_conn callbacks. */

/* A message 'msg' of 'len' bytes from the switch (borrowed). */
void ofctrl_received__(const void *msg, size_t len, void *o);
/* A malloc'd description of the message sent with 'xid', or NULL. */
char *ofctrl_describe__(uint32_t xid, void *o);

#endif /* ofctrl-private.h */
