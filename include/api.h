/* api.h: guestnetd's JSON API: HTTP/1.1 on a unix socket, served by
 * libevent's evhttp, so "curl --unix-socket SOCK http://localhost/v1/status"
 * and guestnetctl share one interface.
 *
 *   GET    /v1/status          daemon, OVSDB and bridge state, counts
 *   GET    /v1/health          200 {"healthy": true} or 503 with the reason
 *   GET    /v1/ports           every guest port on the bridge
 *   GET    /v1/ports/NAME      one port, with what its guest needs
 *   GET    /v1/networks        the configured networks and their ports
 *   GET    /v1/flows           desired vs installed flows, per-rule
 *                              packet counters
 *   GET    /v1/trace?...       what the bridge does with a described
 *                              packet, in guestnet's rule names
 *   GET    /metrics            Prometheus text format
 *   POST   /v1/ports           add a port (JSON body, see ports.h);
 *                              answers when ready unless ?wait=false
 *   DELETE /v1/ports/NAME      remove a port and the devices guestnet made
 *   POST   /v1/reload          re-read the config file
 *   *      /v1/cluster/...     cluster mode: status, hosts, ports,
 *                              networks, rules, import (cluster.h)
 *
 * Errors are {"error": {"code": HTTP_STATUS, "message": "..."}}.  Reads
 * are open to whoever can connect to the socket (root and the socket's
 * group); writes need root or the admin group, checked per request from
 * the peer's credentials (SO_PEERCRED), not from the socket's mode alone.
 * Request bodies are limited in size, headers in size, the number of open
 * connections (more are answered 503 and closed at once), and the time a
 * client may take to send a whole request (408, then closed).
 *
 * Optionally a second listener on a loopback TCP address serves only
 * /metrics and /v1/health, for Prometheus.
 *
 * Reads that need the switch's counters (/v1/flows, /metrics,
 * /v1/ports/NAME) share one OpenFlow statistics request at a time and
 * reuse its answer for up to a second.
 *
 * Thread-safety: runs on the thread of its event base. */
#ifndef GN_API_H
#define GN_API_H 1

#include <stddef.h>
#include <sys/types.h>

struct event_base;
struct cluster;
struct engine;
struct loop_lag;
struct api;

struct api_options {
    const char *socket_path;
    gid_t socket_group;          /* (gid_t) -1: root's group. */
    gid_t admin_group;           /* (gid_t) -1: only root may write. */
    size_t max_body_size;        /* 0: 256 KiB. */
    int timeout_s;               /* Idle connections: 0: 60 s. */
    int request_timeout_s;       /* Whole request: 0: 10 s. */
    unsigned int max_clients;    /* Open connections: 0: 256. */
    const char *metrics_listen;  /* "127.0.0.1:PORT", "[::1]:PORT" or
                                  * NULL: no TCP listener. */
    struct cluster *cluster;     /* Cluster mode (/v1/cluster/..., port
                                  * writes through the registry), or
                                  * NULL. */
    const struct loop_lag *loop_lag;    /* The loop's lateness, reported in
                                         * /v1/status and /metrics; may be
                                         * NULL.  The caller keeps it. */
};

/* Starts serving 'engine' on 'opts->socket_path' (a stale socket file is
 * replaced; the folder is created) and, if set, 'opts->metrics_listen'
 * (which must be a loopback address).  The caller keeps 'opts'.  Returns
 * NULL and a malloc'd error in '*errorp' on failure.  Free with
 * api_destroy(), which removes the socket file, before engine_destroy() and
 * without running the event loop in between (requests waiting for the
 * switch's counters are dropped with their clients). */
struct api *api_create(struct event_base *, struct engine *,
                       const struct api_options *, char **errorp);
void api_destroy(struct api *);

#endif /* api.h */
