/* ofctrl-recv.c: what the switch answers ofctrl: the dumps of its flows and
 * meters at each connection, the replies to cookie stats requests, errors
 * for the change set in flight and the barriers that move a change set on
 * (see flows/ofctrl.c for the change sets themselves). */
#include <config.h>

#include "ofctrl-private.h"

#include <errno.h>
#include <stdlib.h>

#include "byte-order.h"
#include "flow-table.h"
#include "gn-log.h"
#include "gn-util.h"
#include "meter-table.h"
#include "of-conn.h"
#include "openflow/openflow.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"

GN_LOG_MODULE(ofctrl);

/* Returns the index in 'o->stats' of the request with 'xid', or -1. */
static int
ofctrl_find_stats_request__(const struct ofctrl *o, uint32_t xid)
{
    size_t i;

    for (i = 0; i < o->n_stats; i++) {
        if (o->stats[i].xid == xid) {
            return i;
        }
    }
    return -1;
}

/* Handles a part of the reply to the cookie stats request 'o->stats[idx]'
 * ('msg'/'len', or NULL if the switch answered with an error). */
static void
ofctrl_recv_cookie_stats__(struct ofctrl *o, int idx, const void *msg,
                           size_t len)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 10);
    struct ofctrl_stats_request *r = &o->stats[idx];
    struct ofctrl_stats_request done;
    bool more = false;

    if (msg) {
        char *error = flow_table_sum_stats_reply(r->ofp_version, msg, len,
                                                 &r->sums, &r->n_sums,
                                                 &r->allocated_sums, &more);

        if (error) {
            GN_LOG_WARN_RL(&rl, "cookie stats: %s", error);
            free(error);
        }
        if (more) {
            return;
        }
    }

    done = *r;
    o->stats[idx] = o->stats[--o->n_stats];
    if (msg) {
        /* No flows is an answer too: never NULL, which means none. */
        struct flow_table_cookie_stats none;
        size_t n = flow_table_cookie_stats_merge(done.sums, done.n_sums);

        done.cb(done.sums ? done.sums : &none, n, 0, done.aux);
    } else {
        done.cb(NULL, 0, EPROTO, done.aux);
    }
    free(done.sums);
}

/* Once both dumps are complete, knows what the switch holds. */
static void
ofctrl_dump_done__(struct ofctrl *o)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 10);

    if (!o->installed || !o->installed_meters) {
        return;
    }
    o->state = OFCTRL_SYNCED;
    o->desired_dirty = true;
    o->full_diff = true;
    GN_LOG_INFO_RL(&rl, "switch holds %zu flows and %zu meters",
                   flow_table_count(o->installed),
                   meter_table_count(o->installed_meters));
    ofctrl_run__(o);
}

/* Handles a part of the reply to the dump of the switch's flows. */
static void
ofctrl_recv_dump__(struct ofctrl *o, const void *msg, size_t len)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 10);
    bool more = false;

    if (msg) {
        char *error = flow_table_add_stats_reply(o->dump, msg, len, &more);

        if (error) {
            GN_LOG_WARN_RL(&rl, "reading the switch's flows: %s", error);
            free(error);
        }
        if (more) {
            return;
        }
    }
    o->installed = o->dump;
    o->dump = NULL;
    ofctrl_dump_done__(o);
}

/* Handles a part of the reply to the dump of the switch's meters (NULL if
 * the switch answered with an error: then it holds none of ours). */
static void
ofctrl_recv_meter_dump__(struct ofctrl *o, const void *msg, size_t len)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 10);
    bool more = false;

    if (msg) {
        char *error = meter_table_add_config_reply(o->meter_dump, msg, len,
                                                   &more);

        if (error) {
            GN_LOG_WARN_RL(&rl, "reading the switch's meters: %s", error);
            free(error);
        }
        if (more) {
            return;
        }
    }
    o->installed_meters = o->meter_dump;
    o->meter_dump = NULL;
    ofctrl_dump_done__(o);
}

/* Returns true if 'xid' is that of a meter_mod of the batch in flight. */
static bool
ofctrl_is_meter_xid__(const struct ofctrl *o, uint32_t xid)
{
    return ((o->state == OFCTRL_METERS_BEFORE
             || o->state == OFCTRL_METERS_AFTER
             || (o->state == OFCTRL_ADDING && o->meters_in_bundle))
            && (int32_t) (xid - o->meter_first_xid) >= 0
            && (int32_t) (o->meter_last_xid - xid) >= 0);
}

/* of_conn callback: returns a malloc'd description of the message sent
 * with 'xid' (for a flow_mod of the bundle in flight, the flow's text), or
 * NULL. */
char *
ofctrl_describe__(uint32_t xid, void *o_)
{
    struct ofctrl *o = o_;
    uint32_t i = xid - o->bundle_first_xid;

    if (o->state == OFCTRL_DUMPING && xid == o->dump_xid) {
        return gn_xstrdup("flow stats request (reading the switch's flows)");
    } else if (o->state == OFCTRL_DUMPING && xid == o->meter_dump_xid) {
        return gn_xstrdup("meter config request (reading the switch's "
                          "meters)");
    } else if (ofctrl_is_meter_xid__(o, xid)) {
        return meter_table_mod_to_string(
            &o->meter_mods[o->meter_batch + (xid - o->meter_first_xid)]);
    } else if (o->state != OFCTRL_ADDING && o->state != OFCTRL_COMMITTING) {
        return NULL;
    } else if (i == 0) {
        return gn_xasprintf("bundle %u open", o->bundle_id);
    } else if (i <= o->n_mods) {
        return flow_table_mod_to_string(&o->mods[i - 1]);
    } else if (xid == o->bundle_last_xid) {
        return gn_xasprintf("bundle %u commit", o->bundle_id);
    }
    return NULL;
}

/* Records the OFPT_ERROR 'oh' as the error of the bundle in flight. */
static void
ofctrl_bundle_error__(struct ofctrl *o, const struct ofp_header *oh)
{
    if (!o->bundle_error) {
        struct ofpbuf payload;
        enum ofperr error = ofperr_decode_msg(oh, &payload);
        char *what = ofctrl_describe__(ntohl(oh->xid), o);

        o->bundle_error = gn_xasprintf("%s for %s",
                                       error ? ofperr_get_name(error)
                                             : "undecodable error",
                                       what ? what : "bundle message");
        free(what);
        if (error) {
            ofpbuf_uninit(&payload);
        }
    }
}

/* of_conn callback: a message from the switch. */
void
ofctrl_received__(const void *msg, size_t len, void *o_)
{
    const struct ofp_header *oh = msg;
    uint32_t xid = ntohl(oh->xid);
    struct ofctrl *o = o_;
    enum ofptype type;
    int idx;

    if (ofptype_decode(&type, oh)) {
        return;
    }
    idx = ofctrl_find_stats_request__(o, xid);

    switch (type) {
    case OFPTYPE_ERROR:
        o->n_errors++;
        if ((o->state == OFCTRL_ADDING || o->state == OFCTRL_COMMITTING)
            && (int32_t) (xid - o->bundle_first_xid) >= 0
            && (int32_t) (o->bundle_last_xid - xid) >= 0) {
            ofctrl_bundle_error__(o, oh);
        } else if (ofctrl_is_meter_xid__(o, xid)) {
            o->meter_error = true;
            ofctrl_bundle_error__(o, oh);
        } else if (o->state == OFCTRL_DUMPING && xid == o->dump_xid) {
            ofctrl_recv_dump__(o, NULL, 0);
        } else if (o->state == OFCTRL_DUMPING && xid == o->meter_dump_xid) {
            ofctrl_recv_meter_dump__(o, NULL, 0);
        } else if (idx >= 0) {
            ofctrl_recv_cookie_stats__(o, idx, NULL, 0);
        }
        break;

    case OFPTYPE_FLOW_STATS_REPLY:
        if (o->state == OFCTRL_DUMPING && xid == o->dump_xid) {
            ofctrl_recv_dump__(o, msg, len);
        } else if (idx >= 0) {
            ofctrl_recv_cookie_stats__(o, idx, msg, len);
        }
        break;

    case OFPTYPE_METER_CONFIG_STATS_REPLY:
        if (o->state == OFCTRL_DUMPING && xid == o->meter_dump_xid) {
            ofctrl_recv_meter_dump__(o, msg, len);
        }
        break;

    case OFPTYPE_BARRIER_REPLY:
        if (xid != o->barrier_xid) {
            break;
        }
        if (o->state == OFCTRL_ADDING) {
            if (o->meters_in_bundle && !o->meter_error) {
                /* The switch holds them, whatever became of the flows. */
                meter_table_apply(o->installed_meters, o->meter_mods,
                                  o->n_meter_before);
            }
            o->meters_in_bundle = false;
            if (o->bundle_error) {
                /* Some flow_mod was refused: drop the whole bundle. */
                ofctrl_send_bundle_ctrl__(o, OFPBCT_DISCARD_REQUEST);
                ofctrl_finish_bundle__(o);
            } else {
                GN_LOG_DBG("bundle %u: flow_mods accepted, committing",
                           o->bundle_id);
                o->bundle_last_xid = ofctrl_send_bundle_ctrl__(
                    o, OFPBCT_COMMIT_REQUEST);
                of_conn_send_barrier(o->conn, &o->barrier_xid);
                o->state = OFCTRL_COMMITTING;
            }
        } else if (o->state == OFCTRL_COMMITTING) {
            if (!o->bundle_error) {
                flow_table_apply(o->installed, o->mods, o->n_mods);
                o->n_bundles++;
            }
            if (!o->bundle_error && o->n_meter_mods > o->n_meter_before) {
                ofctrl_send_meter_mods__(o, o->n_meter_before,
                                         o->n_meter_mods,
                                         OFCTRL_METERS_AFTER);
            } else {
                ofctrl_finish_bundle__(o);
            }
        } else if (o->state == OFCTRL_METERS_BEFORE) {
            if (o->bundle_error) {
                /* The flows may need a meter that is not there: keep the
                 * flows as they are. */
                ofctrl_finish_bundle__(o);
            } else {
                meter_table_apply(o->installed_meters, o->meter_mods,
                                  o->n_meter_before);
                ofctrl_continue_after_meters__(o);
            }
        } else if (o->state == OFCTRL_METERS_AFTER) {
            if (!o->bundle_error) {
                meter_table_apply(o->installed_meters,
                                  o->meter_mods + o->n_meter_before,
                                  o->n_meter_mods - o->n_meter_before);
            }
            ofctrl_finish_bundle__(o);
        }
        break;

    case OFPTYPE_PACKET_IN:
        ofctrl_recv_packet_in__(o, oh);
        break;

    default:
        break;
    }
}
