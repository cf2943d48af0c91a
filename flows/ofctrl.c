/* ofctrl.c: desired versus installed flows, sent as atomic bundles, and
 * the meters they use.
 *
 * Owns struct ofctrl: the desired and installed flow tables and meters,
 * the change set in flight (meter_mods before, the bundle, meter_mods
 * after), the dump of the switch's flows and meters at each connection,
 * cookie stats requests and the counters.  What the switch answers is
 * handled in flows/ofctrl-recv.c; the connection itself is
 * flows/of-conn.c, the tables flows/flow-table.c and flows/meter-table.c.
 * See include/ofctrl.h for the design. */
#include <config.h>

#include "ofctrl.h"
#include "ofctrl-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "byte-order.h"
#include "flow-table.h"
#include "gn-log.h"
#include "gn-util.h"
#include "meter-table.h"
#include "of-conn.h"
#include "openflow/openflow.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"

GN_LOG_MODULE(ofctrl);

/* Calls the owner's notification callback. */
static void
ofctrl_notify__(struct ofctrl *o)
{
    if (o->notify) {
        o->notify(o, o->aux);
    }
}

/* Sets the transaction id of the message in 'b' to a new one of the
 * connection and returns it. */
static uint32_t
ofctrl_set_xid__(struct ofctrl *o, struct ofpbuf *b)
{
    uint32_t xid = of_conn_next_xid(o->conn);

    ((struct ofp_header *) b->data)->xid = htonl(xid);
    return xid;
}

/* Sends 'b' and frees it. */
static void
ofctrl_send__(struct ofctrl *o, struct ofpbuf *b)
{
    ofpmsg_update_length(b);
    of_conn_send(o->conn, b->data, b->size);
    ofpbuf_delete(b);
}

/* Sends a request for the flows of all tables whose cookie matches
 * 'cookie' in the bits of 'cookie_mask' (0: all flows); returns its
 * xid. */
static uint32_t
ofctrl_send_flow_stats_request__(struct ofctrl *o, uint64_t cookie,
                                 uint64_t cookie_mask)
{
    uint8_t version = of_conn_version(o->conn);
    struct ofputil_flow_stats_request fsr = {
        .cookie = htonll(cookie),
        .cookie_mask = htonll(cookie_mask),
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = 0xff,
    };
    struct ofpbuf *b;
    uint32_t xid;

    match_init_catchall(&fsr.match);
    b = ofputil_encode_flow_stats_request(
        &fsr, ofputil_protocol_from_ofp_version(version));
    xid = ofctrl_set_xid__(o, b);
    ofctrl_send__(o, b);
    return xid;
}

/* Sends a BUNDLE_CONTROL of 'type' for the current bundle; returns its
 * xid. */
uint32_t
ofctrl_send_bundle_ctrl__(struct ofctrl *o, uint16_t type)
{
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = o->bundle_id,
        .type = type,
        .flags = OFCTRL_BUNDLE_FLAGS,
    };
    struct ofpbuf *b;
    uint32_t xid;

    b = ofputil_encode_bundle_ctrl_request(of_conn_version(o->conn), &bc);
    xid = ofctrl_set_xid__(o, b);
    ofctrl_send__(o, b);
    return xid;
}

/* Forgets the change set in flight. */
static void
ofctrl_end_bundle__(struct ofctrl *o)
{
    flow_table_mods_free(o->mods, o->n_mods);
    o->mods = NULL;
    o->n_mods = 0;
    free(o->meter_mods);
    o->meter_mods = NULL;
    o->n_meter_mods = o->n_meter_before = 0;
    o->meters_in_bundle = o->meter_error = false;
    free(o->bundle_error);
    o->bundle_error = NULL;
}

/* Sends 'o->mods' as one bundle, then a barrier. */
static void
ofctrl_start_bundle__(struct ofctrl *o)
{
    uint8_t version = of_conn_version(o->conn);
    size_t i;

    o->bundle_id++;
    /* Xids: the open, then mods[i] at bundle_first_xid + 1 + i, which
     * is how errors are traced back to flows, then the commit. */
    o->bundle_first_xid = ofctrl_send_bundle_ctrl__(o, OFPBCT_OPEN_REQUEST);
    for (i = 0; i < o->n_mods; i++) {
        uint32_t xid = of_conn_next_xid(o->conn);
        struct ofputil_bundle_add_msg bam = {
            .bundle_id = o->bundle_id,
            .flags = OFCTRL_BUNDLE_FLAGS,
        };
        struct ofpbuf *b;
        size_t len;
        void *fm;

        fm = flow_table_mod_encode(&o->mods[i], version, xid, &len);
        bam.msg = fm;
        b = ofputil_encode_bundle_add(version, &bam);
        ofctrl_send__(o, b);
        free(fm);
    }
    o->bundle_last_xid = o->bundle_first_xid + o->n_mods;
    o->n_flow_mods += o->n_mods;
    of_conn_send_barrier(o->conn, &o->barrier_xid);
    o->state = OFCTRL_ADDING;
    GN_LOG_DBG("bundle %u: %zu flow_mods for seqno %llu", o->bundle_id,
               o->n_mods, (unsigned long long) o->bundle_seqno);
}

/* Sends the meter_mods 'o->meter_mods[start]' up to (not including)
 * 'end'. */
static void
ofctrl_send_meter_batch__(struct ofctrl *o, size_t start, size_t end)
{
    uint8_t version = of_conn_version(o->conn);
    size_t i;

    o->meter_batch = start;
    for (i = start; i < end; i++) {
        uint32_t xid = of_conn_next_xid(o->conn);
        size_t len;
        void *mm;

        if (i == start) {
            o->meter_first_xid = xid;
        }
        o->meter_last_xid = xid;
        mm = meter_table_mod_encode(&o->meter_mods[i], version, xid, &len);
        of_conn_send(o->conn, mm, len);
        free(mm);
    }
    o->n_meter_mods_sent += end - start;
    GN_LOG_DBG("%zu meter_mods for seqno %llu", end - start,
               (unsigned long long) o->bundle_seqno);
}

/* Sends the meter_mods 'o->meter_mods[start]' up to (not including)
 * 'end', then a barrier, and enters 'state'. */
void
ofctrl_send_meter_mods__(struct ofctrl *o, size_t start, size_t end,
                         enum ofctrl_state state)
{
    ofctrl_send_meter_batch__(o, start, end);
    of_conn_send_barrier(o->conn, &o->barrier_xid);
    o->state = state;
}

/* Ends the change set in flight after its last barrier reply: a success
 * (the switch holds the desired flows and meters of 'o->bundle_seqno') if
 * the switch reported no error for it. */
void
ofctrl_finish_bundle__(struct ofctrl *o)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 10);

    free(o->last_error);
    o->last_error = NULL;
    if (o->bundle_error) {
        o->n_bundle_failures++;
        o->last_error = o->bundle_error;
        o->bundle_error = NULL;
        /* The switch kept its flows: the changes recorded since are not
         * all there is to send any more. */
        o->full_diff = true;
        GN_LOG_WARN_RL(&rl, "changes for seqno %llu (%zu flow_mods, %zu "
                       "meter_mods) failed: %s",
                       (unsigned long long) o->bundle_seqno, o->n_mods,
                       o->n_meter_mods, o->last_error);
    } else {
        o->installed_seqno = o->bundle_seqno;
        GN_LOG_DBG("seqno %llu installed (barrier reply)",
                   (unsigned long long) o->installed_seqno);
    }
    ofctrl_end_bundle__(o);
    o->state = OFCTRL_SYNCED;
    ofctrl_notify__(o);
    ofctrl_run__(o);
}

/* Goes on with the change set in flight after the meters that flows may
 * need are in place: the bundle, else the meter deletions, else done. */
void
ofctrl_continue_after_meters__(struct ofctrl *o)
{
    if (o->n_mods) {
        ofctrl_start_bundle__(o);
    } else if (o->n_meter_mods > o->n_meter_before) {
        ofctrl_send_meter_mods__(o, o->n_meter_before, o->n_meter_mods,
                                 OFCTRL_METERS_AFTER);
    } else {
        ofctrl_finish_bundle__(o);
    }
}

/* Compares the desired table with the installed one if either changed and
 * sends the difference. */
void
ofctrl_run__(struct ofctrl *o)
{
    uint8_t version;

    if (o->state != OFCTRL_SYNCED || !o->desired || !o->desired_dirty
        || o->held) {
        return;
    }
    o->desired_dirty = false;

    version = of_conn_version(o->conn);
    if (flow_table_ofp_version(o->desired) != version) {
        /* A switch without OpenFlow 1.5: every comparison is a full one,
         * of a converted copy. */
        struct flow_table *converted;
        char *error = flow_table_convert(o->desired, version, &converted);

        flow_table_clear_changes(o->desired);
        if (error) {
            free(o->last_error);
            o->last_error = error;
            o->n_bundle_failures++;
            GN_LOG_WARN("desired flows for seqno %llu: %s",
                        (unsigned long long) o->desired_seqno, error);
            ofctrl_notify__(o);
            return;
        }
        o->mods = flow_table_diff(converted, o->installed, &o->n_mods);
        flow_table_mods_own(o->mods, o->n_mods);
        flow_table_destroy(converted);
    } else {
        o->mods = (o->full_diff ? flow_table_diff
                   : flow_table_diff_changes)(o->desired, o->installed,
                                              &o->n_mods);
        flow_table_mods_own(o->mods, o->n_mods);
        flow_table_clear_changes(o->desired);
        o->full_diff = false;
    }
    o->meter_mods = meter_table_diff(o->desired_meters, o->installed_meters,
                                     &o->n_meter_mods, &o->n_meter_before);
    if (!o->n_mods && !o->n_meter_mods) {
        if (o->installed_seqno != o->desired_seqno) {
            o->installed_seqno = o->desired_seqno;
            free(o->last_error);
            o->last_error = NULL;
            ofctrl_notify__(o);
        }
        return;
    }
    o->bundle_seqno = o->desired_seqno;
    if (o->n_meter_before && o->n_mods) {
        /* The switch handles a connection's messages in order, so the
         * meters the flows need go right before the bundle, under its
         * barrier: ovs-vswitchd, busy for a while after it applies a
         * port, then reads both at once instead of answering the meters'
         * barrier first and the bundle after its next busy spell.  An
         * error for a meter fails the bundle (a flow that needs it fails
         * as well), as it would alone. */
        ofctrl_send_meter_batch__(o, 0, o->n_meter_before);
        o->meters_in_bundle = true;
        ofctrl_start_bundle__(o);
    } else if (o->n_meter_before) {
        ofctrl_send_meter_mods__(o, 0, o->n_meter_before,
                                 OFCTRL_METERS_BEFORE);
    } else {
        ofctrl_continue_after_meters__(o);
    }
}

/* libevent callback of 'run_event'. */
static void
ofctrl_run_cb__(evutil_socket_t fd, short what, void *o_)
{
    ofctrl_run__(o_);
}

/* of_conn callback: the connection is up; read the switch's flows and
 * meters. */
static void
ofctrl_connected__(void *o_)
{
    struct ofctrl *o = o_;

    uint8_t version = of_conn_version(o->conn);
    size_t len;
    void *msg;

    ofctrl_send_switch_config__(o);
    o->dump = flow_table_create(version);
    o->dump_xid = ofctrl_send_flow_stats_request__(o, 0, 0);
    o->meter_dump = meter_table_create();
    o->meter_dump_xid = of_conn_next_xid(o->conn);
    msg = meter_table_encode_config_request(version, o->meter_dump_xid,
                                            &len);
    of_conn_send(o->conn, msg, len);
    free(msg);
    o->state = OFCTRL_DUMPING;
    ofctrl_notify__(o);
}

/* of_conn callback: the connection dropped.  Everything the switch held is
 * unknown until the next dump. */
static void
ofctrl_disconnected__(int error, void *o_)
{
    struct ofctrl *o = o_;

    ofctrl_end_bundle__(o);
    flow_table_destroy(o->dump);
    o->dump = NULL;
    meter_table_destroy(o->meter_dump);
    o->meter_dump = NULL;
    flow_table_destroy(o->installed);
    o->installed = NULL;
    meter_table_destroy(o->installed_meters);
    o->installed_meters = NULL;
    o->installed_seqno = 0;
    o->desired_dirty = true;
    o->state = OFCTRL_DOWN;

    while (o->n_stats) {
        struct ofctrl_stats_request r = o->stats[--o->n_stats];

        free(r.sums);
        r.cb(NULL, 0, ENOTCONN, r.aux);
    }
    ofctrl_notify__(o);
}

void
ofctrl_options_init(struct ofctrl_options *options)
{
    options->min_ofp_version = FLOW_TABLE_OF13;
    options->max_ofp_version = FLOW_TABLE_OF15;
    options->probe_interval_msec = 5000;
    options->max_backoff_msec = 250;
}

struct ofctrl *
ofctrl_create(struct event_base *base, const char *target,
              const struct ofctrl_options *options, ofctrl_notify_cb *notify,
              void *aux, char **errorp)
{
    static const struct of_conn_callbacks cbs = {
        .connected = ofctrl_connected__,
        .disconnected = ofctrl_disconnected__,
        .received = ofctrl_received__,
        .describe = ofctrl_describe__,
    };
    struct ofctrl_options defaults;
    struct of_conn_options co;
    struct ofctrl *o;

    if (!options) {
        ofctrl_options_init(&defaults);
        options = &defaults;
    }
    co = (struct of_conn_options) {
        .min_version = options->min_ofp_version,
        .max_version = options->max_ofp_version,
        .probe_interval_msec = options->probe_interval_msec,
        .min_backoff_msec = 100,
        .max_backoff_msec = options->max_backoff_msec,
    };

    o = gn_xzalloc(sizeof *o);
    o->notify = notify;
    o->aux = aux;
    o->state = OFCTRL_DOWN;
    o->desired_meters = meter_table_create();
    o->run_event = event_new(base, -1, 0, ofctrl_run_cb__, o);
    if (!o->run_event) {
        gn_fatal("out of memory creating an event");
    }
    o->conn = of_conn_create(base, target, &co, &cbs, o, errorp);
    if (!o->conn) {
        event_free(o->run_event);
        meter_table_destroy(o->desired_meters);
        free(o);
        return NULL;
    }
    return o;
}

void
ofctrl_destroy(struct ofctrl *o)
{
    if (o) {
        size_t i;

        of_conn_destroy(o->conn);
        event_free(o->run_event);
        ofctrl_end_bundle__(o);
        flow_table_destroy(o->desired);
        flow_table_destroy(o->installed);
        flow_table_destroy(o->dump);
        meter_table_destroy(o->desired_meters);
        meter_table_destroy(o->installed_meters);
        meter_table_destroy(o->meter_dump);
        for (i = 0; i < o->n_stats; i++) {
            free(o->stats[i].sums);
        }
        free(o->last_error);
        free(o);
    }
}

void
ofctrl_put(struct ofctrl *o, struct flow_table *desired, uint64_t seqno)
{
    flow_table_destroy(o->desired);
    o->desired = desired;
    flow_table_track_changes(desired);
    o->full_diff = true;
    ofctrl_commit(o, seqno);
}

struct flow_table *
ofctrl_desired(struct ofctrl *o)
{
    if (!o->desired) {
        o->desired = flow_table_create(0);
        flow_table_track_changes(o->desired);
        o->full_diff = true;
    }
    return o->desired;
}

void
ofctrl_commit(struct ofctrl *o, uint64_t seqno)
{
    o->desired_seqno = seqno;
    o->desired_dirty = true;
    o->held = false;
    event_active(o->run_event, EV_TIMEOUT, 1);
}

void
ofctrl_hold(struct ofctrl *o)
{
    o->held = true;
}

void
ofctrl_put_meters(struct ofctrl *o, struct meter_table *desired)
{
    meter_table_destroy(o->desired_meters);
    o->desired_meters = desired ? desired : meter_table_create();
}

uint64_t
ofctrl_installed_seqno(const struct ofctrl *o)
{
    return o->installed_seqno;
}

bool
ofctrl_is_connected(const struct ofctrl *o)
{
    return of_conn_is_connected(o->conn);
}

long long
ofctrl_silent_msec(const struct ofctrl *o)
{
    return of_conn_silent_msec(o->conn);
}

void
ofctrl_get_status(const struct ofctrl *o, struct ofctrl_status *s)
{
    memset(s, 0, sizeof *s);
    s->connected = of_conn_is_connected(o->conn);
    s->ofp_version = of_conn_version(o->conn);
    s->desired_seqno = o->desired_seqno;
    s->installed_seqno = o->installed_seqno;
    s->n_desired = o->desired ? flow_table_count(o->desired) : 0;
    s->n_installed = o->installed ? flow_table_count(o->installed) : 0;
    s->n_flow_mods = o->n_flow_mods;
    s->n_meter_mods = o->n_meter_mods_sent;
    s->n_desired_meters = meter_table_count(o->desired_meters);
    s->n_installed_meters = o->installed_meters
                            ? meter_table_count(o->installed_meters) : 0;
    s->n_bundles = o->n_bundles;
    s->n_bundle_failures = o->n_bundle_failures;
    s->n_errors = o->n_errors;
    s->n_reconnects = of_conn_n_reconnects(o->conn);
    s->silent_msec = of_conn_silent_msec(o->conn);
    s->last_error = o->last_error;
    s->n_packet_in = o->n_packet_in;
    s->n_packet_in_dropped = o->n_packet_in_dropped;
    s->n_packet_out = o->n_packet_out;
}

int
ofctrl_request_cookie_stats(struct ofctrl *o, ofctrl_cookie_stats_cb *cb,
                            void *aux)
{
    return ofctrl_request_some_cookie_stats(o, 0, 0, cb, aux);
}

int
ofctrl_request_some_cookie_stats(struct ofctrl *o, uint64_t cookie,
                                 uint64_t cookie_mask,
                                 ofctrl_cookie_stats_cb *cb, void *aux)
{
    struct ofctrl_stats_request *r;

    if (!of_conn_is_connected(o->conn)) {
        return ENOTCONN;
    }
    if (o->n_stats >= OFCTRL_MAX_STATS_REQUESTS) {
        return EBUSY;
    }
    r = &o->stats[o->n_stats++];
    *r = (struct ofctrl_stats_request) {
        .ofp_version = of_conn_version(o->conn),
    };
    r->cb = cb;
    r->aux = aux;
    r->xid = ofctrl_send_flow_stats_request__(o, cookie, cookie_mask);
    return 0;
}
