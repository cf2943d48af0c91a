/* jsonrpc-session.h: a JSON-RPC connection on the libevent loop that keeps
 * itself up.
 *
 * Connects to "unix:PATH" or "tcp:IP:PORT", or to one of a comma-separated
 * list of them (the members of a clustered ovsdb-server), reconnects with
 * exponential backoff (1 s doubling to max_backoff), answers the peer's "echo"
 * requests, and sends its own "echo" after 'probe_interval' ms of silence,
 * dropping the connection if the peer stays silent as long again (OVSDB's
 * inactivity probe).  Requests carry a callback; when the connection drops,
 * every pending request's callback runs with 'reply' NULL and an error, so
 * callers can retry: nothing is lost silently.
 *
 * With a list, the first attempt goes to a random member and each attempt
 * after it to the next one in the list, wrapping around.  An attempt that
 * fails, or a connection that drops or is forced to reconnect within 1 s of
 * coming up, uses one try of the round (one try per remote): the next
 * remote is tried at once until the round is used up, and only then does
 * the session wait for the backoff.  A connection that lasted longer,
 * and was not forced to reconnect, starts a new round at once.  With one remote, every reconnect waits for
 * the backoff.
 *
 * Used for ovsdb-server (reconnect on) and for ovs-vswitchd's unixctl
 * socket (same framing; one-shot requests).
 *
 * Thread-safety: a session belongs to the thread running its event base. */
#ifndef GN_JSONRPC_SESSION_H
#define GN_JSONRPC_SESSION_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct jsonrpc_session;

enum jsonrpc_session_state {
    JSONRPC_SESSION_BACKOFF,     /* Waiting to (re)connect. */
    JSONRPC_SESSION_CONNECTING,
    JSONRPC_SESSION_CONNECTED,
};

struct jsonrpc_session_cbs {
    /* The session connected (again).  Called before any message of the new
     * connection is delivered; a good place to send "monitor". */
    void (*connected)(struct jsonrpc_session *, void *aux);
    /* The session lost its connection ('reason' is human-readable). */
    void (*disconnected)(struct jsonrpc_session *, const char *reason,
                         void *aux);
    /* A notification or request from the peer other than "echo".  'msg' is
     * borrowed. */
    void (*notify)(struct jsonrpc_session *, const json_t *msg, void *aux);
};

/* Called with the reply to a request: 'reply' is the whole reply message
 * (borrowed; its "error" member may be non-null), or NULL if the connection
 * dropped before the reply came, with 'error' saying why. */
typedef void jsonrpc_reply_cb(struct jsonrpc_session *, const json_t *reply,
                              const char *error, void *aux);

struct jsonrpc_session_options {
    int probe_interval_ms;      /* 0: no probes.  Default 5000. */
    int max_backoff_ms;         /* Default 8000. */
    bool reconnect;             /* Default true. */
    size_t max_message_size;    /* Default JSONRPC_DEFAULT_MAX_SIZE. */
};
#define JSONRPC_SESSION_OPTIONS_DEFAULT { 5000, 8000, true, 0 }

/* Creates a session to 'remote' ("unix:PATH" or "tcp:IP:PORT", or a
 * comma-separated list of them, spaces allowed around the commas) and
 * starts connecting at once.  'options' may be NULL for the defaults; 'cbs'
 * and 'aux' are kept.  Free with jsonrpc_session_destroy(), which runs
 * pending callbacks with an error first.  Returns NULL (and sets '*errorp'
 * to a malloc'd message that names the bad element) if an element of
 * 'remote' is malformed, empty, or an "ssl:" remote, which this client
 * does not support. */
struct jsonrpc_session *jsonrpc_session_create(
    struct event_base *, const char *remote,
    const struct jsonrpc_session_options *,
    const struct jsonrpc_session_cbs *, void *aux, char **errorp);
void jsonrpc_session_destroy(struct jsonrpc_session *);

/* Sends a request for 'method' with 'params' (stolen; NULL for []).  'cb'
 * runs exactly once, from the event loop and never from inside this call:
 * with the reply, or with an error if the session is not connected or the
 * connection drops first.  Returns the request id. */
long long jsonrpc_session_request(struct jsonrpc_session *,
                                  const char *method, json_t *params,
                                  jsonrpc_reply_cb *cb, void *aux);

/* Sends a notification or reply (stolen).  Dropped with a log line if not
 * connected. */
void jsonrpc_session_send(struct jsonrpc_session *, json_t *msg);

enum jsonrpc_session_state jsonrpc_session_state(
    const struct jsonrpc_session *);
bool jsonrpc_session_is_connected(const struct jsonrpc_session *);
/* The remote connected to, being tried, or tried last (borrowed): one
 * element of the list. */
const char *jsonrpc_session_remote(const struct jsonrpc_session *);
size_t jsonrpc_session_n_remotes(const struct jsonrpc_session *);
/* How long the peer has been silent while it owes a reply (ms), or 0. */
long long jsonrpc_session_silent_msec(const struct jsonrpc_session *);
/* Sends an "echo" if the peer owes no reply, to learn whether it still
 * answers (see jsonrpc_session_silent_msec()); never disconnects. */
void jsonrpc_session_ping(struct jsonrpc_session *);
/* Connections made so far (the first counts), for /metrics. */
unsigned int jsonrpc_session_n_connects(const struct jsonrpc_session *);
/* Connection attempts started so far (the first counts). */
unsigned int jsonrpc_session_n_attempts(const struct jsonrpc_session *);
/* Drops the connection and reconnects to the next remote (at once while
 * the round of remotes has tries left, else after the backoff). */
void jsonrpc_session_force_reconnect(struct jsonrpc_session *);

#endif /* jsonrpc-session.h */
