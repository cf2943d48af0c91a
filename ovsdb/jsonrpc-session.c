/* jsonrpc-session.c: a self-reconnecting JSON-RPC connection on libevent
 * (see include/jsonrpc-session.h).
 *
 * Owns the list of remotes and which one is in use, the socket (a
 * bufferevent), the reconnect backoff and the round of attempts over the
 * remotes, the inactivity probe, the table of requests awaiting replies and
 * the queue of callbacks that must run later from the loop.  One timer serves every state: in
 * BACKOFF it starts the next connection attempt, in CONNECTING it bounds the
 * attempt, in CONNECTED it drives the inactivity probe.
 *
 * Reentrancy: user callbacks may call any function here, including
 * jsonrpc_session_destroy().  While a callback runs ('in_cb' > 0) destroy
 * only sets a flag; the libevent callback that called the user frees the
 * session once the user's code has returned. */
#include <config.h>

#include "jsonrpc-session.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "gn-log.h"
#include "gn-util.h"
#include "jsonrpc-remote.h"
#include "jsonrpc.h"

GN_LOG_MODULE(jsonrpc_session);

/* Bound on one connection attempt when probes are off. */
#define JSONRPC_SESSION_CONNECT_TIMEOUT_MS 10000
#define JSONRPC_SESSION_MIN_BACKOFF_MS 1000

/* A request waiting for its reply, or a callback waiting to run. */
struct jsonrpc_pending {
    struct gn_queue_node node;
    long long id;
    jsonrpc_reply_cb *cb;       /* NULL for our own "echo" probes. */
    void *aux;
    char *error;                /* Deferred only: why it failed. */
    long long sent_msec;        /* Pending only: when it was sent. */
};

struct jsonrpc_session {
    struct event_base *base;
    struct jsonrpc_remote *remotes;
    size_t n_remotes;
    size_t cur;                 /* Index of the remote in use or next. */
    const char *remote;         /* remotes[cur].name. */
    size_t free_tries;          /* Attempts left before a backoff. */
    long long connected_msec;   /* When the connection came up. */
    unsigned int n_attempts;
    bool advance;               /* The next attempt takes the next remote. */
    bool forced;                /* The drop is a forced reconnect. */

    struct jsonrpc_session_options options;
    struct jsonrpc_session_cbs cbs;
    void *aux;

    enum jsonrpc_session_state state;
    struct bufferevent *bev;            /* Nonnull unless BACKOFF. */
    struct jsonrpc_parser *parser;      /* Nonnull when CONNECTED. */
    unsigned int conn_seqno;            /* Increases on every drop. */
    struct event *timer;
    int backoff_ms;                     /* Last backoff; 0 after success. */
    long long last_rx_msec;
    bool probe_sent;
    unsigned int n_connects;

    long long next_id;
    struct gn_queue pending;    /* Of jsonrpc_pending: awaiting replies. */
    struct gn_queue deferred;   /* Of jsonrpc_pending: failed, to call back. */
    struct event *deferred_ev;

    int in_cb;                  /* Depth of user callbacks running. */
    bool destroy_requested;     /* jsonrpc_session_destroy() inside one. */
};

static void jsonrpc_session_connect__(struct jsonrpc_session *);
static void jsonrpc_session_disconnect__(struct jsonrpc_session *,
                                         const char *reason);
static void jsonrpc_session_timer_cb(evutil_socket_t, short, void *);
static void jsonrpc_session_deferred_cb(evutil_socket_t, short, void *);

/* Removes and returns the first entry of 'q' (caller frees), or NULL. */
static struct jsonrpc_pending *
jsonrpc_pending_pop(struct gn_queue *q)
{
    return GN_QUEUE_ENTRY(gn_queue_pop(q), struct jsonrpc_pending, node);
}

/* Removes and returns the entry of 'q' with 'id' (caller frees), or NULL. */
static struct jsonrpc_pending *
jsonrpc_pending_remove(struct gn_queue *q, long long id)
{
    struct gn_queue_node **np;

    for (np = &q->head; *np; np = &(*np)->next) {
        if (GN_QUEUE_ENTRY(*np, struct jsonrpc_pending, node)->id == id) {
            return GN_QUEUE_ENTRY(gn_queue_unlink(q, np),
                                  struct jsonrpc_pending, node);
        }
    }
    return NULL;
}

/* Creates a session (see jsonrpc-session.h).  'cbs' is copied; 'remote' and
 * 'options' are copied; returns NULL and a malloc'd '*errorp' if 'remote'
 * is malformed. */
struct jsonrpc_session *
jsonrpc_session_create(struct event_base *base, const char *remote,
                       const struct jsonrpc_session_options *options,
                       const struct jsonrpc_session_cbs *cbs, void *aux,
                       char **errorp)
{
    static const struct jsonrpc_session_options default_options
        = JSONRPC_SESSION_OPTIONS_DEFAULT;
    struct jsonrpc_session *s = gn_xzalloc(sizeof *s);
    char *error;

    *errorp = NULL;
    error = jsonrpc_remotes_parse(remote, &s->remotes, &s->n_remotes);
    if (error) {
        free(s);
        *errorp = error;
        return NULL;
    }
    s->base = base;
    s->cur = jsonrpc_random_below(s->n_remotes);
    s->remote = s->remotes[s->cur].name;
    s->free_tries = s->n_remotes;
    s->options = options ? *options : default_options;
    if (s->options.probe_interval_ms < 0) {
        s->options.probe_interval_ms = 0;
    }
    if (s->options.max_backoff_ms < JSONRPC_SESSION_MIN_BACKOFF_MS) {
        s->options.max_backoff_ms = JSONRPC_SESSION_MIN_BACKOFF_MS;
    }
    if (cbs) {
        s->cbs = *cbs;
    }
    s->aux = aux;
    s->next_id = 1;
    gn_queue_init(&s->pending);
    gn_queue_init(&s->deferred);
    s->timer = evtimer_new(base, jsonrpc_session_timer_cb, s);
    s->deferred_ev = event_new(base, -1, 0, jsonrpc_session_deferred_cb, s);
    if (!s->timer || !s->deferred_ev) {
        gn_fatal("jsonrpc_session: cannot create libevent events");
    }
    jsonrpc_session_connect__(s);
    return s;
}

/* Frees 's' for real: closes the connection and runs every callback still
 * owed with an error, then releases the memory. */
static void
jsonrpc_session_free__(struct jsonrpc_session *s)
{
    struct jsonrpc_pending *p;

    s->destroy_requested = true;
    if (s->bev) {
        bufferevent_free(s->bev);
        s->bev = NULL;
    }
    jsonrpc_parser_destroy(s->parser);
    s->parser = NULL;
    s->state = JSONRPC_SESSION_BACKOFF;
    evtimer_del(s->timer);

    /* Callbacks may issue new requests; those land on 'deferred' (we are
     * not connected) and are failed here too. */
    s->in_cb++;
    for (;;) {
        p = jsonrpc_pending_pop(&s->pending);
        if (!p) {
            p = jsonrpc_pending_pop(&s->deferred);
        }
        if (!p) {
            break;
        }
        if (p->cb) {
            p->cb(s, NULL, "session destroyed", p->aux);
        }
        free(p->error);
        free(p);
    }
    s->in_cb--;

    event_free(s->timer);
    event_free(s->deferred_ev);
    jsonrpc_remotes_free(s->remotes, s->n_remotes);
    free(s);
}

/* Destroys 's' (accepts NULL), first running every pending request's
 * callback with an error.  Safe to call from inside any of the session's
 * callbacks: the session is then freed when that callback returns. */
void
jsonrpc_session_destroy(struct jsonrpc_session *s)
{
    if (!s || s->destroy_requested) {
        return;
    }
    if (s->in_cb) {
        s->destroy_requested = true;
        return;
    }
    jsonrpc_session_free__(s);
}

/* Called at the end of every libevent callback: frees 's' if a user
 * callback asked for it.  Returns true if 's' is gone. */
static bool
jsonrpc_session_reap__(struct jsonrpc_session *s)
{
    if (s->destroy_requested && !s->in_cb) {
        jsonrpc_session_free__(s);
        return true;
    }
    return false;
}

/* Arms the state timer to fire in 'ms' milliseconds. */
static void
jsonrpc_session_arm__(struct jsonrpc_session *s, long long ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

    evtimer_add(s->timer, &tv);
}

/* Queues a call of 'cb' with 'error' (copied) from the loop. */
static void
jsonrpc_session_defer__(struct jsonrpc_session *s, long long id,
                        jsonrpc_reply_cb *cb, void *aux, const char *error)
{
    struct jsonrpc_pending *p = gn_xzalloc(sizeof *p);

    p->id = id;
    p->cb = cb;
    p->aux = aux;
    p->error = gn_xstrdup(error);
    gn_queue_push(&s->deferred, &p->node);
    event_active(s->deferred_ev, EV_TIMEOUT, 0);
}

/* Enters BACKOFF after an attempt or a connection ended and, if
 * 'reconnect', schedules the next attempt, which goes to the next remote of
 * the list: at once while the current round (one attempt per remote) has
 * tries left, else after the exponential backoff, which starts a new
 * round.  'failed' is false after a connection that lasted: then a new
 * round starts at once.  With one remote every attempt waits for the
 * backoff. */
static void
jsonrpc_session_retry__(struct jsonrpc_session *s, bool reconnect,
                        bool failed)
{
    s->state = JSONRPC_SESSION_BACKOFF;
    s->advance = true;
    evtimer_del(s->timer);
    if (!reconnect) {
        return;
    }
    if (!failed && s->n_remotes > 1) {
        s->free_tries = s->n_remotes;
        GN_LOG_DBG("%s: trying the next remote at once", s->remote);
        jsonrpc_session_arm__(s, 0);
        return;
    }
    if (s->free_tries > 1) {
        s->free_tries--;
        GN_LOG_DBG("%s: trying the next remote at once", s->remote);
        jsonrpc_session_arm__(s, 0);
        return;
    }
    s->free_tries = s->n_remotes;
    s->backoff_ms = !s->backoff_ms ? JSONRPC_SESSION_MIN_BACKOFF_MS
                    : s->backoff_ms >= s->options.max_backoff_ms / 2
                    ? s->options.max_backoff_ms
                    : s->backoff_ms * 2;
    GN_LOG_DBG("%s: reconnecting in %d ms", s->remote, s->backoff_ms);
    jsonrpc_session_arm__(s, s->backoff_ms);
}

/* Drops the connection (if any) of 's': pending requests are failed with
 * 'reason' from the loop and the "disconnected" callback runs. */
static void
jsonrpc_session_disconnect__(struct jsonrpc_session *s, const char *reason)
{
    bool was_connected = s->state == JSONRPC_SESSION_CONNECTED;
    struct jsonrpc_pending *p;
    char *error;

    if (s->bev) {
        bufferevent_free(s->bev);
        s->bev = NULL;
    }
    jsonrpc_parser_destroy(s->parser);
    s->parser = NULL;
    s->conn_seqno++;
    /* A connection that lasted counts as a success, unless the user left
     * it: a new round. */
    jsonrpc_session_retry__(s, s->options.reconnect,
                            !was_connected || s->forced
                            || (gn_time_msec() - s->connected_msec
                                < JSONRPC_SESSION_MIN_BACKOFF_MS));
    s->forced = false;

    error = gn_xasprintf("connection to %s dropped: %s", s->remote, reason);
    while ((p = jsonrpc_pending_pop(&s->pending)) != NULL) {
        if (p->cb) {
            jsonrpc_session_defer__(s, p->id, p->cb, p->aux, error);
        }
        free(p);
    }
    free(error);

    if (was_connected && s->cbs.disconnected) {
        s->in_cb++;
        s->cbs.disconnected(s, reason, s->aux);
        s->in_cb--;
    }
}

/* Serialises and writes 'msg' (borrowed) on the connection. */
static void
jsonrpc_session_write__(struct jsonrpc_session *s, const json_t *msg)
{
    size_t len;
    char *text = jsonrpc_msg_to_string(msg, &len);

    bufferevent_write(s->bev, text, len);
    free(text);
}

/* Runs the callbacks of deferred failures, from the loop. */
static void
jsonrpc_session_deferred_cb(evutil_socket_t fd, short what, void *s_)
{
    struct jsonrpc_session *s = s_;
    struct jsonrpc_pending *p;
    struct gn_queue list;

    /* Only the callbacks queued so far: new ones re-activate the event. */
    if (gn_queue_is_empty(&s->deferred)) {
        return;
    }
    gn_queue_move(&list, &s->deferred);
    s->in_cb++;
    while ((p = jsonrpc_pending_pop(&list)) != NULL) {
        if (!s->destroy_requested) {
            p->cb(s, NULL, p->error, p->aux);
            free(p->error);
            free(p);
        } else {
            /* Hand the rest to jsonrpc_session_free__(). */
            gn_queue_push(&s->deferred, &p->node);
        }
    }
    s->in_cb--;
    jsonrpc_session_reap__(s);
}

/* Dispatches one message 'msg' (borrowed) received on 's'. */
static void
jsonrpc_session_dispatch__(struct jsonrpc_session *s, const json_t *msg)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 20);
    enum jsonrpc_msg_type type = jsonrpc_msg_type(msg);
    const char *method = json_string_value(json_object_get(msg, "method"));
    json_t *id = json_object_get(msg, "id");
    struct jsonrpc_pending *p;

    switch (type) {
    case JSONRPC_REQUEST:
        if (!strcmp(method, "echo")) {
            json_t *reply = jsonrpc_reply(
                json_incref(json_object_get(msg, "params")), id);

            jsonrpc_session_write__(s, reply);
            json_decref(reply);
            return;
        }
        /* Fall through. */
    case JSONRPC_NOTIFY:
        if (s->cbs.notify) {
            s->in_cb++;
            s->cbs.notify(s, msg, s->aux);
            s->in_cb--;
        }
        return;
    case JSONRPC_REPLY:
    case JSONRPC_ERROR:
        p = json_is_integer(id)
            ? jsonrpc_pending_remove(&s->pending, json_integer_value(id))
            : NULL;
        if (!p) {
            GN_LOG_WARN_RL(&rl, "%s: reply to unknown request id",
                           s->remote);
            return;
        }
        if (p->cb) {
            s->in_cb++;
            p->cb(s, msg, NULL, p->aux);
            s->in_cb--;
        }
        free(p);
        return;
    case JSONRPC_INVALID:
        GN_LOG_WARN_RL(&rl, "%s: received a message that is not JSON-RPC",
                       s->remote);
        jsonrpc_session_disconnect__(s, "protocol error");
        return;
    }
}

/* bufferevent read callback: feeds the bytes to the parser and dispatches
 * every complete message, stopping if a callback dropped the connection or
 * destroyed the session. */
static void
jsonrpc_session_read_cb(struct bufferevent *bev, void *s_)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 20);
    struct jsonrpc_session *s = s_;
    struct evbuffer *input = bufferevent_get_input(bev);
    unsigned int conn_seqno = s->conn_seqno;
    size_t n;
    json_t *msg;
    int error = 0;

    s->last_rx_msec = gn_time_msec();
    s->probe_sent = false;
    s->backoff_ms = 0;
    while (!error && (n = evbuffer_get_contiguous_space(input)) > 0) {
        error = jsonrpc_parser_feed(s->parser, evbuffer_pullup(input, n), n);
        evbuffer_drain(input, n);
    }
    while (s->conn_seqno == conn_seqno && !s->destroy_requested
           && (msg = jsonrpc_parser_next(s->parser)) != NULL) {
        jsonrpc_session_dispatch__(s, msg);
        json_decref(msg);
    }
    if (error && s->conn_seqno == conn_seqno && !s->destroy_requested) {
        GN_LOG_WARN_RL(&rl, "%s: %s", s->remote,
                       jsonrpc_parser_error(s->parser));
        jsonrpc_session_disconnect__(s, error == EMSGSIZE
                                     ? "message too long"
                                     : "protocol error");
    }
    jsonrpc_session_reap__(s);
}

/* bufferevent event callback: connection established, closed or failed. */
static void
jsonrpc_session_event_cb(struct bufferevent *bev, short what, void *s_)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 20);
    struct jsonrpc_session *s = s_;

    if (what & BEV_EVENT_CONNECTED) {
        s->state = JSONRPC_SESSION_CONNECTED;
        s->n_connects++;
        s->connected_msec = gn_time_msec();
        s->parser = jsonrpc_parser_create(s->options.max_message_size);
        s->last_rx_msec = gn_time_msec();
        s->probe_sent = false;
        evtimer_del(s->timer);
        if (s->options.probe_interval_ms) {
            jsonrpc_session_arm__(s, s->options.probe_interval_ms);
        }
        bufferevent_enable(bev, EV_READ | EV_WRITE);
        GN_LOG_INFO_RL(&rl, "%s: connected", s->remote);
        if (s->cbs.connected) {
            s->in_cb++;
            s->cbs.connected(s, s->aux);
            s->in_cb--;
        }
    } else if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        int error = EVUTIL_SOCKET_ERROR();
        const char *reason = what & BEV_EVENT_EOF
                             ? "connection closed by peer"
                             : evutil_socket_error_to_string(error);

        if (s->state == JSONRPC_SESSION_CONNECTING) {
            GN_LOG_WARN_RL(&rl, "%s: connection attempt failed (%s)",
                           s->remote, reason);
        } else {
            GN_LOG_WARN_RL(&rl, "%s: connection dropped (%s)",
                           s->remote, reason);
        }
        jsonrpc_session_disconnect__(s, reason);
    }
    jsonrpc_session_reap__(s);
}

/* Starts a nonblocking connection attempt. */
static void
jsonrpc_session_connect__(struct jsonrpc_session *s)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 20);
    int timeout;

    const struct jsonrpc_remote *r;

    if (s->advance) {
        s->advance = false;
        s->cur = (s->cur + 1) % s->n_remotes;
        s->remote = s->remotes[s->cur].name;
    }
    r = &s->remotes[s->cur];
    s->n_attempts++;
    s->bev = bufferevent_socket_new(s->base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!s->bev) {
        gn_fatal("jsonrpc_session: cannot create a bufferevent");
    }
    bufferevent_setcb(s->bev, jsonrpc_session_read_cb, NULL,
                      jsonrpc_session_event_cb, s);
    s->state = JSONRPC_SESSION_CONNECTING;
    if (bufferevent_socket_connect(s->bev, (const struct sockaddr *) &r->ss,
                                   r->ss_len) < 0) {
        GN_LOG_WARN_RL(&rl, "%s: connection attempt failed (%s)", s->remote,
                       evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        bufferevent_free(s->bev);
        s->bev = NULL;
        jsonrpc_session_retry__(s, s->options.reconnect, true);
        return;
    }
    timeout = s->options.probe_interval_ms
              ? s->options.probe_interval_ms
              : JSONRPC_SESSION_CONNECT_TIMEOUT_MS;
    jsonrpc_session_arm__(s, timeout);
}

/* The state timer (see the comment at the top of the file). */
static void
jsonrpc_session_timer_cb(evutil_socket_t fd, short what, void *s_)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 20);
    struct jsonrpc_session *s = s_;
    long long idle, interval = s->options.probe_interval_ms;

    switch (s->state) {
    case JSONRPC_SESSION_BACKOFF:
        jsonrpc_session_connect__(s);
        break;
    case JSONRPC_SESSION_CONNECTING:
        GN_LOG_WARN_RL(&rl, "%s: connection attempt timed out", s->remote);
        jsonrpc_session_disconnect__(s, "connection attempt timed out");
        break;
    case JSONRPC_SESSION_CONNECTED:
        idle = gn_time_msec() - s->last_rx_msec;
        if (idle < interval) {
            jsonrpc_session_arm__(s, interval - idle);
        } else if (!s->probe_sent) {
            json_t *echo = jsonrpc_request("echo", NULL, s->next_id);
            struct jsonrpc_pending *p = gn_xzalloc(sizeof *p);

            p->id = s->next_id++;
            p->sent_msec = gn_time_msec();
            gn_queue_push(&s->pending, &p->node);
            jsonrpc_session_write__(s, echo);
            json_decref(echo);
            s->probe_sent = true;
            GN_LOG_DBG("%s: idle %lld ms, sent inactivity probe",
                       s->remote, idle);
            jsonrpc_session_arm__(s, interval);
        } else {
            GN_LOG_WARN_RL(&rl, "%s: no response to inactivity probe "
                           "after %lld ms, disconnecting", s->remote, idle);
            jsonrpc_session_disconnect__(s, "inactivity probe timed out");
        }
        break;
    }
    jsonrpc_session_reap__(s);
}

/* Sends a request (see jsonrpc-session.h).  Steals 'params'.  'cb' runs
 * once, from the loop; 'aux' is passed to it.  Returns the id. */
long long
jsonrpc_session_request(struct jsonrpc_session *s, const char *method,
                        json_t *params, jsonrpc_reply_cb *cb, void *aux)
{
    long long id = s->next_id++;
    struct jsonrpc_pending *p;
    json_t *msg;

    if (s->state != JSONRPC_SESSION_CONNECTED || s->destroy_requested) {
        json_decref(params);
        jsonrpc_session_defer__(s, id, cb, aux, s->destroy_requested
                                ? "session destroyed" : "not connected");
        return id;
    }
    msg = jsonrpc_request(method, params, id);
    jsonrpc_session_write__(s, msg);
    json_decref(msg);

    p = gn_xzalloc(sizeof *p);
    p->id = id;
    p->cb = cb;
    p->aux = aux;
    p->sent_msec = gn_time_msec();
    gn_queue_push(&s->pending, &p->node);
    return id;
}

/* Sends 'msg' (stolen), or drops it with a log line if not connected. */
void
jsonrpc_session_send(struct jsonrpc_session *s, json_t *msg)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 20);

    if (s->state == JSONRPC_SESSION_CONNECTED && !s->destroy_requested) {
        jsonrpc_session_write__(s, msg);
    } else {
        GN_LOG_WARN_RL(&rl, "%s: not connected, dropping %s", s->remote,
                       jsonrpc_msg_type_name(jsonrpc_msg_type(msg)));
    }
    json_decref(msg);
}

/* Returns the state of 's'. */
enum jsonrpc_session_state
jsonrpc_session_state(const struct jsonrpc_session *s)
{
    return s->state;
}

/* Returns true if 's' has a working connection. */
bool
jsonrpc_session_is_connected(const struct jsonrpc_session *s)
{
    return s->state == JSONRPC_SESSION_CONNECTED;
}

/* Returns the remote that 's' is connected to, is trying, or tried last
 * (borrowed, lives as long as 's'): one element of the list given at
 * creation. */
const char *
jsonrpc_session_remote(const struct jsonrpc_session *s)
{
    return s->remote;
}

/* Returns the number of remotes in the list 's' was created with. */
size_t
jsonrpc_session_n_remotes(const struct jsonrpc_session *s)
{
    return s->n_remotes;
}

/* Returns how long the peer of 's' has been silent while it owes a reply:
 * the time since the oldest request still waiting for its reply was sent
 * or, if later, since anything last arrived; 0 if no reply is owed or
 * there is no connection.  (A hung peer shows here before the inactivity
 * probe drops the connection.) */
long long
jsonrpc_session_silent_msec(const struct jsonrpc_session *s)
{
    const struct jsonrpc_pending *oldest
        = GN_QUEUE_ENTRY(s->pending.head, struct jsonrpc_pending, node);
    long long since;

    if (s->state != JSONRPC_SESSION_CONNECTED || !oldest) {
        return 0;
    }
    since = (oldest->sent_msec > s->last_rx_msec ? oldest->sent_msec
             : s->last_rx_msec);
    return gn_time_msec() - since;
}

/* Sends an "echo" to the peer of 's' if it owes no reply now, so that
 * jsonrpc_session_silent_msec() tells whether it still answers.  Unlike
 * the inactivity probe, it never drops the connection. */
void
jsonrpc_session_ping(struct jsonrpc_session *s)
{
    struct jsonrpc_pending *p;
    json_t *echo;

    if (s->state != JSONRPC_SESSION_CONNECTED || s->destroy_requested
        || !gn_queue_is_empty(&s->pending)) {
        return;
    }
    p = gn_xzalloc(sizeof *p);
    p->id = s->next_id++;
    p->sent_msec = gn_time_msec();
    echo = jsonrpc_request("echo", NULL, p->id);
    gn_queue_push(&s->pending, &p->node);
    jsonrpc_session_write__(s, echo);
    json_decref(echo);
}

/* Returns how many connections 's' has made so far. */
unsigned int
jsonrpc_session_n_connects(const struct jsonrpc_session *s)
{
    return s->n_connects;
}

/* Returns how many connection attempts 's' has started so far. */
unsigned int
jsonrpc_session_n_attempts(const struct jsonrpc_session *s)
{
    return s->n_attempts;
}

/* Drops the connection of 's', if any, failing pending requests, and
 * reconnects, to the next remote (even with options.reconnect off): at
 * once if the round of remotes has tries left, else after the backoff.
 * The dropped connection uses a try of the round however long it
 * lasted. */
void
jsonrpc_session_force_reconnect(struct jsonrpc_session *s)
{
    bool reconnect = s->options.reconnect;

    if (s->destroy_requested) {
        return;
    }
    s->options.reconnect = true;
    if (s->state != JSONRPC_SESSION_BACKOFF) {
        s->forced = true;
        jsonrpc_session_disconnect__(s, "reconnect requested");
    } else if (!evtimer_pending(s->timer, NULL)) {
        jsonrpc_session_retry__(s, true, true);
    }
    s->options.reconnect = reconnect;
}
