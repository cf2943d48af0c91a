/* of-conn.c: one OpenFlow connection on the libevent loop.
 *
 * Owns the socket to the switch, the HELLO negotiation, echo (keepalive),
 * framing, reconnection with backoff and the logging of OFPT_ERRORs.  See
 * flows/of-conn.h. */
#include <config.h>

#include "of-conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "byte-order.h"
#include "gn-log.h"
#include "gn-util.h"
#include "openflow/openflow.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "util.h"

GN_LOG_MODULE(of_conn);

/* The largest OpenFlow message: its length field has 16 bits. */
#define OF_CONN_MAX_MSG 65535

enum of_conn_state {
    OF_CONN_BACKOFF,            /* Not connected; the timer reconnects. */
    OF_CONN_HELLO,              /* HELLO sent; waiting for the peer's. */
    OF_CONN_ACTIVE,             /* Version negotiated. */
};

struct of_conn {
    struct event_base *base;
    char *target;               /* "unix:PATH", for logs. */
    struct sockaddr_un sun;
    socklen_t sun_len;
    struct of_conn_options opts;
    uint32_t allowed_versions;  /* Bitmap: 1 << version. */
    struct of_conn_callbacks cbs;
    void *aux;

    enum of_conn_state state;
    struct bufferevent *bev;    /* Nonnull unless BACKOFF. */
    struct event *timer;        /* Reconnect, HELLO timeout or probe. */
    int backoff_msec;           /* Delay before the next connect. */
    uint8_t version;            /* Negotiated version if ACTIVE. */
    uint32_t next_xid;
    long long last_rx_msec;     /* When a message last arrived. */
    long long active_msec;      /* When the connection became ACTIVE. */
    bool probe_sent;            /* Echo request sent since last_rx_msec. */
    long long owed_msec;        /* When the first message that asks for an
                                 * answer went out since last_rx_msec, or
                                 * 0. */
    uint64_t n_active;          /* Times the connection became ACTIVE. */

    void *rxbuf;                /* OF_CONN_MAX_MSG bytes, 8-byte aligned. */
};

/* Returns "1.3", "1.4" or "1.5" for OpenFlow wire 'version' (4 to 6, as
 * of_conn_create() allows). */
static const char *
of_conn_version_name__(uint8_t version)
{
    static const char *const names[] = { "1.3", "1.4", "1.5" };

    return version >= 4 && version <= 6 ? names[version - 4] : "?";
}

/* Runs the timer of 'c' 'msec' milliseconds from now. */
static void
of_conn_arm__(struct of_conn *c, long long msec)
{
    struct timeval tv;

    if (msec < 0) {
        msec = 0;
    }
    tv.tv_sec = msec / 1000;
    tv.tv_usec = (msec % 1000) * 1000;
    evtimer_add(c->timer, &tv);
}

/* Closes the socket of 'c' and schedules a reconnection.  If the connection
 * was ACTIVE, tells the owner with 'error' (positive errno or EOF). */
static void
of_conn_disconnect__(struct of_conn *c, int error)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 10);
    bool was_active = c->state == OF_CONN_ACTIVE;

    if (c->bev) {
        bufferevent_free(c->bev);
        c->bev = NULL;
    }
    c->version = 0;
    c->probe_sent = false;
    c->owed_msec = 0;
    c->state = OF_CONN_BACKOFF;

    /* A connection that lived reconnects at once, as after a switch
     * restart; a failed or short-lived one backs off. */
    if (was_active
        && gn_time_msec() - c->active_msec >= c->opts.max_backoff_msec) {
        c->backoff_msec = 0;
    } else {
        c->backoff_msec = MIN(c->opts.max_backoff_msec,
                              MAX(c->opts.min_backoff_msec,
                                  2 * c->backoff_msec));
    }
    of_conn_arm__(c, c->backoff_msec);

    if (was_active) {
        GN_LOG_INFO_RL(&rl, "%s: connection dropped (%s)", c->target,
                       error == EOF ? "closed by peer" : strerror(error));
        c->cbs.disconnected(error, c->aux);
    } else {
        GN_LOG_DBG_RL(&rl, "%s: connection failed (%s)", c->target,
                      error == EOF ? "closed by peer" : strerror(error));
    }
}

/* Queues 'msg'/'len' on the socket of 'c'. */
static void
of_conn_write__(struct of_conn *c, const void *msg, size_t len)
{
    bufferevent_write(c->bev, msg, len);
}

/* Notes that a message just sent asks the switch for an answer. */
static void
of_conn_owed__(struct of_conn *c)
{
    if (!c->owed_msec) {
        c->owed_msec = gn_time_msec();
    }
}

/* Queues 'b' on the socket of 'c' and frees it. */
static void
of_conn_write_ofpbuf__(struct of_conn *c, struct ofpbuf *b)
{
    ofpmsg_update_length(b);
    of_conn_write__(c, b->data, b->size);
    ofpbuf_delete(b);
}

/* Handles the peer's HELLO 'oh' (state HELLO).  Returns true if the
 * connection is now ACTIVE, false if it was dropped. */
static bool
of_conn_recv_hello__(struct of_conn *c, const struct ofp_header *oh)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 10);
    enum ofptype type;
    uint32_t peer_versions;
    uint32_t common;

    if (ofptype_decode(&type, oh) || type != OFPTYPE_HELLO) {
        GN_LOG_WARN_RL(&rl, "%s: first message is not HELLO", c->target);
        of_conn_disconnect__(c, EPROTO);
        return false;
    }
    ofputil_decode_hello(oh, &peer_versions);
    common = peer_versions & c->allowed_versions;
    if (!common) {
        char *s = gn_xasprintf("guestnet needs OpenFlow %s to %s",
                               of_conn_version_name__(c->opts.min_version),
                               of_conn_version_name__(c->opts.max_version));

        GN_LOG_WARN_RL(&rl, "%s: no common OpenFlow version (peer bitmap "
                       "%#x): %s", c->target, peer_versions, s);
        of_conn_write_ofpbuf__(c, ofperr_encode_hello(
                                   OFPERR_OFPHFC_INCOMPATIBLE,
                                   c->opts.max_version, s));
        /* Best effort: out before the socket closes. */
        evbuffer_write(bufferevent_get_output(c->bev),
                       bufferevent_getfd(c->bev));
        free(s);
        of_conn_disconnect__(c, EPROTO);
        return false;
    }

    c->version = leftmost_1bit_idx(common);
    c->state = OF_CONN_ACTIVE;
    c->active_msec = gn_time_msec();
    c->n_active++;
    GN_LOG_INFO_RL(&rl, "%s: connected, OpenFlow %s", c->target,
                   of_conn_version_name__(c->version));
    of_conn_arm__(c, c->opts.probe_interval_msec);
    c->cbs.connected(c->aux);
    return c->state == OF_CONN_ACTIVE;
}

/* Logs the OFPT_ERROR 'oh', naming the message it answers. */
static void
of_conn_log_error__(const struct of_conn *c, const struct ofp_header *oh)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(20, 50);
    uint32_t xid = ntohl(oh->xid);
    struct ofpbuf payload;
    enum ofperr error;
    char *s;

    error = ofperr_decode_msg(oh, &payload);
    if (!error) {
        GN_LOG_WARN_RL(&rl, "%s: undecodable error message (xid %u)",
                       c->target, xid);
        return;
    }
    s = c->cbs.describe(xid, c->aux);
    if (!s) {
        s = payload.size ? ofp_to_string(payload.data, payload.size, NULL,
                                         NULL, 1)
                         : gn_xstrdup("(no data)");
    }
    GN_LOG_WARN_RL(&rl, "%s: switch reports %s (%s) for xid %u: %s",
                   c->target, ofperr_get_name(error),
                   ofperr_get_description(error), xid, s);
    free(s);
    ofpbuf_uninit(&payload);
}

/* Handles the message 'oh' of length 'len' received on 'c'.  Returns false
 * if the connection was dropped meanwhile. */
static bool
of_conn_recv__(struct of_conn *c, const struct ofp_header *oh, size_t len)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 10);
    struct bufferevent *bev = c->bev;
    enum ofptype type;

    if (c->state == OF_CONN_HELLO) {
        return of_conn_recv_hello__(c, oh);
    }
    if (ofptype_decode(&type, oh)) {
        GN_LOG_DBG_RL(&rl, "%s: ignoring undecodable message type %u",
                      c->target, oh->type);
        return true;
    }
    if (oh->version != c->version && type != OFPTYPE_ERROR) {
        GN_LOG_WARN_RL(&rl, "%s: ignoring message in OpenFlow version %u "
                       "(negotiated %u)", c->target, oh->version,
                       c->version);
        return true;
    }

    switch (type) {
    case OFPTYPE_ECHO_REQUEST:
        of_conn_write_ofpbuf__(c, ofputil_encode_echo_reply(oh));
        return true;
    case OFPTYPE_ECHO_REPLY:
    case OFPTYPE_HELLO:
        return true;
    case OFPTYPE_ERROR:
        of_conn_log_error__(c, oh);
        break;
    default:
        break;
    }

    c->cbs.received(oh, len, c->aux);
    return c->bev == bev;
}

/* libevent read callback: frames and handles the messages that arrived. */
static void
of_conn_read_cb__(struct bufferevent *bev, void *c_)
{
    struct of_conn *c = c_;
    struct evbuffer *in = bufferevent_get_input(bev);

    for (;;) {
        struct ofp_header oh;
        size_t len;

        if (evbuffer_copyout(in, &oh, sizeof oh) < (ssize_t) sizeof oh) {
            return;
        }
        len = ntohs(oh.length);
        if (len < sizeof oh) {
            static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 10);

            GN_LOG_WARN_RL(&rl, "%s: message length %zu is too short",
                           c->target, len);
            of_conn_disconnect__(c, EPROTO);
            return;
        }
        if (evbuffer_get_length(in) < len) {
            return;
        }
        evbuffer_remove(in, c->rxbuf, len);
        c->last_rx_msec = gn_time_msec();
        c->probe_sent = false;
        c->owed_msec = 0;
        if (!of_conn_recv__(c, c->rxbuf, len)) {
            return;
        }
    }
}

/* libevent event callback: the socket closed or failed. */
static void
of_conn_event_cb__(struct bufferevent *bev, short what, void *c_)
{
    struct of_conn *c = c_;

    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        int error = what & BEV_EVENT_EOF ? EOF : EVUTIL_SOCKET_ERROR();

        of_conn_disconnect__(c, error ? error : ECONNRESET);
    }
}

/* Opens the socket of 'c' and sends HELLO, or schedules a retry. */
static void
of_conn_connect__(struct of_conn *c)
{
    struct ofpbuf *hello;
    int fd;

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &c->sun, c->sun_len)) {
        int error = errno;

        if (fd >= 0) {
            close(fd);
        }
        of_conn_disconnect__(c, error);
        return;
    }

    c->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!c->bev) {
        close(fd);
        gn_fatal("out of memory creating a bufferevent");
    }
    bufferevent_setcb(c->bev, of_conn_read_cb__, NULL, of_conn_event_cb__,
                      c);
    bufferevent_enable(c->bev, EV_READ);
    c->state = OF_CONN_HELLO;
    c->last_rx_msec = gn_time_msec();

    hello = ofputil_encode_hello(c->allowed_versions);
    of_conn_write_ofpbuf__(c, hello);
    of_conn_arm__(c, c->opts.probe_interval_msec);
}

/* Timer callback: reconnects (BACKOFF), gives up waiting for HELLO, or
 * probes a silent switch (ACTIVE). */
static void
of_conn_timer_cb__(evutil_socket_t fd, short what, void *c_)
{
    struct of_conn *c = c_;
    long long probe = c->opts.probe_interval_msec;
    long long idle;

    switch (c->state) {
    case OF_CONN_BACKOFF:
        of_conn_connect__(c);
        return;
    case OF_CONN_HELLO:
        of_conn_disconnect__(c, ETIMEDOUT);
        return;
    case OF_CONN_ACTIVE:
        idle = gn_time_msec() - c->last_rx_msec;
        if (c->probe_sent && idle >= 2 * probe) {
            static struct gn_log_rl rl = GN_LOG_RL_INIT(10, 10);

            GN_LOG_WARN_RL(&rl, "%s: no response to echo for %lld ms",
                           c->target, idle);
            of_conn_disconnect__(c, ETIMEDOUT);
        } else if (!c->probe_sent && idle >= probe) {
            of_conn_write_ofpbuf__(c, ofputil_encode_echo_request(
                                       c->version));
            of_conn_owed__(c);
            c->probe_sent = true;
            of_conn_arm__(c, 2 * probe - idle);
        } else {
            of_conn_arm__(c, (c->probe_sent ? 2 * probe : probe) - idle);
        }
        return;
    }
}

struct of_conn *
of_conn_create(struct event_base *base, const char *target,
               const struct of_conn_options *options,
               const struct of_conn_callbacks *cbs, void *aux,
               char **errorp)
{
    static const struct of_conn_options defaults = {
        .min_version = 4,               /* OpenFlow 1.3. */
        .max_version = 6,               /* OpenFlow 1.5. */
        .probe_interval_msec = 5000,
        .min_backoff_msec = 100,
        .max_backoff_msec = 250,
    };
    const struct of_conn_options *o = options ? options : &defaults;
    struct of_conn *c;
    const char *path;
    uint8_t v;

    *errorp = NULL;
    if (strncmp(target, "unix:", 5) || !target[5]) {
        *errorp = gn_xasprintf("%s: OpenFlow target must be unix:PATH",
                               target);
        return NULL;
    }
    path = target + 5;
    if (strlen(path) >= sizeof c->sun.sun_path) {
        *errorp = gn_xasprintf("%s: socket path too long", target);
        return NULL;
    }
    if (o->min_version < 4 || o->max_version > 6
        || o->min_version > o->max_version
        || o->probe_interval_msec < 100 || o->min_backoff_msec < 1
        || o->max_backoff_msec < o->min_backoff_msec) {
        *errorp = gn_xasprintf("%s: invalid OpenFlow connection options "
                               "(versions 4 to 6, probe >= 100 ms, "
                               "backoff >= 1 ms)", target);
        return NULL;
    }

    c = gn_xzalloc(sizeof *c);
    c->base = base;
    c->target = gn_xstrdup(target);
    c->sun.sun_family = AF_UNIX;
    strcpy(c->sun.sun_path, path);
    c->sun_len = offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
    c->opts = *o;
    for (v = o->min_version; v <= o->max_version; v++) {
        c->allowed_versions |= 1u << v;
    }
    c->cbs = *cbs;
    c->aux = aux;
    c->state = OF_CONN_BACKOFF;
    c->timer = evtimer_new(base, of_conn_timer_cb__, c);
    if (!c->timer) {
        gn_fatal("out of memory creating a timer");
    }
    c->next_xid = 1;
    c->rxbuf = gn_xmalloc(OF_CONN_MAX_MSG);
    of_conn_arm__(c, 0);
    return c;
}

void
of_conn_destroy(struct of_conn *c)
{
    if (c) {
        if (c->bev) {
            bufferevent_free(c->bev);
        }
        event_free(c->timer);
        free(c->rxbuf);
        free(c->target);
        free(c);
    }
}

bool
of_conn_is_connected(const struct of_conn *c)
{
    return c->state == OF_CONN_ACTIVE;
}

uint8_t
of_conn_version(const struct of_conn *c)
{
    return c->version;
}

uint32_t
of_conn_next_xid(struct of_conn *c)
{
    return c->next_xid++;
}

int
of_conn_send(struct of_conn *c, const void *msg, size_t len)
{
    if (c->state != OF_CONN_ACTIVE) {
        return ENOTCONN;
    }
    of_conn_write__(c, msg, len);
    of_conn_owed__(c);
    return 0;
}

int
of_conn_send_barrier(struct of_conn *c, uint32_t *xid)
{
    struct ofpbuf *b;

    if (c->state != OF_CONN_ACTIVE) {
        return ENOTCONN;
    }
    b = ofputil_encode_barrier_request(c->version);
    *xid = of_conn_next_xid(c);
    ((struct ofp_header *) b->data)->xid = htonl(*xid);
    of_conn_write_ofpbuf__(c, b);
    of_conn_owed__(c);
    return 0;
}

long long
of_conn_silent_msec(const struct of_conn *c)
{
    return (c->state == OF_CONN_ACTIVE && c->owed_msec
            ? gn_time_msec() - c->owed_msec : 0);
}

uint64_t
of_conn_n_reconnects(const struct of_conn *c)
{
    return c->n_active ? c->n_active - 1 : 0;
}
