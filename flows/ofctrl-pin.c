/* ofctrl-pin.c: packets between the switch and guestnetd: the packet-ins
 * the switch sends up (OFPT_PACKET_IN, from a flow's "controller" action),
 * decoded and handed to the owner's callback within a budget, and the
 * packet-outs the owner sends down (OFPT_PACKET_OUT to one port).  Also
 * the switch config that makes the switch send packet-ins on this
 * connection at all (ovs-vswitchd sends no asynchronous message to a
 * service connection, BRIDGE.mgmt, whose miss_send_len is 0, its
 * default) and parse the transport header of first fragments. */
#include <config.h>

#include "ofctrl-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "gn-log.h"
#include "gn-util.h"
#include "of-conn.h"
#include "openflow/openflow.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/types.h"

GN_LOG_MODULE(ofctrl);

void
ofctrl_send_switch_config__(struct ofctrl *o)
{
    struct ofputil_switch_config config = {
        .frag = OFPUTIL_FRAG_NX_MATCH,      /* First fragments show their
                                             * transport header: the
                                             * pipeline's fragment guard
                                             * (flows/pipeline-guards.c)
                                             * judges them by it. */
        .invalid_ttl_to_controller = -1,
        .miss_send_len = UINT16_MAX,        /* Whole packets. */
    };
    struct ofpbuf *b = ofputil_encode_set_config(&config,
                                                 of_conn_version(o->conn));

    ofpmsg_update_length(b);
    ((struct ofp_header *) b->data)->xid = htonl(of_conn_next_xid(o->conn));
    of_conn_send(o->conn, b->data, b->size);
    ofpbuf_delete(b);
}

/* True if the budget of packet-ins allows one more now (a token bucket of
 * OFCTRL_PACKET_IN_RATE a second, bursts of as many). */
static bool
ofctrl_packet_in_budget__(struct ofctrl *o)
{
    long long now = gn_time_msec();
    long long elapsed = now - o->pin_refill_msec;

    if (elapsed > 0) {
        long long add = elapsed * OFCTRL_PACKET_IN_RATE / 1000;

        if (add > 0) {
            o->pin_tokens = (o->pin_tokens + add < OFCTRL_PACKET_IN_RATE
                             ? o->pin_tokens + add : OFCTRL_PACKET_IN_RATE);
            o->pin_refill_msec = now;
        }
    } else if (elapsed < 0) {
        o->pin_refill_msec = now;
    }
    if (o->pin_tokens <= 0) {
        return false;
    }
    o->pin_tokens--;
    return true;
}

void
ofctrl_recv_packet_in__(struct ofctrl *o, const struct ofp_header *oh)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 10);
    struct ofputil_packet_in pin;
    struct ofctrl_packet_in p;
    size_t total_len;
    uint32_t buffer_id;
    enum ofperr error;

    if (!o->pin_cb) {
        return;
    }
    if (!ofctrl_packet_in_budget__(o)) {
        o->n_packet_in_dropped++;
        return;
    }
    error = ofputil_decode_packet_in(oh, true, NULL, NULL, &pin, &total_len,
                                     &buffer_id, NULL);
    if (error) {
        o->n_packet_in_dropped++;
        GN_LOG_WARN_RL(&rl, "undecodable packet-in: %s",
                       ofperr_get_name(error));
        return;
    }
    o->n_packet_in++;
    p = (struct ofctrl_packet_in) {
        .cookie = ntohll(pin.cookie),
        .table_id = pin.table_id,
        .in_port = (uint16_t) pin.flow_metadata.flow.in_port.ofp_port,
        .packet = pin.packet,
        .len = pin.packet_len < total_len ? pin.packet_len : total_len,
        .truncated = pin.packet_len < total_len,
    };
    o->pin_cb(&p, o->pin_aux);     /* (Nothing to free: the packet and
                                     * userdata point into the message.) */
}

void
ofctrl_set_packet_in_cb(struct ofctrl *o, ofctrl_packet_in_cb *cb,
                        void *aux)
{
    o->pin_cb = cb;
    o->pin_aux = aux;
}

int
ofctrl_packet_out(struct ofctrl *o, uint32_t out_port, const void *packet,
                  size_t len)
{
    enum ofputil_protocol protocol;
    struct ofputil_packet_out po;
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts;
    struct ofpbuf *b;

    if (!of_conn_is_connected(o->conn)) {
        return ENOTCONN;
    }
    protocol = ofputil_protocol_from_ofp_version(of_conn_version(o->conn));
    ofpbuf_use_stub(&ofpacts, stub, sizeof stub);
    ofpact_put_OUTPUT(&ofpacts)->port = (ofp_port_t) out_port;
    memset(&po, 0, sizeof po);
    po.packet = packet;
    po.packet_len = len;
    po.buffer_id = UINT32_MAX;
    match_init_catchall(&po.flow_metadata);
    match_set_in_port(&po.flow_metadata, OFPP_CONTROLLER);
    po.ofpacts = ofpacts.data;
    po.ofpacts_len = ofpacts.size;
    b = ofputil_encode_packet_out(&po, protocol);
    ofpbuf_uninit(&ofpacts);
    ofpmsg_update_length(b);
    ((struct ofp_header *) b->data)->xid = htonl(of_conn_next_xid(o->conn));
    of_conn_send(o->conn, b->data, b->size);
    ofpbuf_delete(b);
    o->n_packet_out++;
    return 0;
}
