/* api.h: guestnetd's JSON API: HTTP/1.1 on a unix socket, served by
 * libevent's evhttp, so "curl --unix-socket SOCK http://localhost/v1/status"
 * and guestnetctl share one interface.
 *
 *   GET    /v1/status          daemon, OVSDB and bridge state, counts
 *   GET    /v1/health          200 {"healthy": true} or 503 with the reason
 *   GET    /v1/ports           every guest port on the bridge
 *   GET    /v1/ports/NAME      one port, with what its guest needs
 *   GET    /v1/networks        the configured networks and their ports
 *   POST   /v1/ports           add a port (JSON body, see ports.h);
 *                              answers when ready unless ?wait=false
 *   DELETE /v1/ports/NAME      remove a port and the devices guestnet made
 *   POST   /v1/reload          re-read the config file
 *
 * Errors are {"error": {"code": HTTP_STATUS, "message": "..."}}.  Reads
 * are open to whoever can connect to the socket (root and the socket's
 * group); writes need root or the admin group, checked per request from
 * the peer's credentials (SO_PEERCRED), not from the socket's mode alone.
 * Request bodies are limited in size, headers in size, and connections in
 * time.
 *
 * Thread-safety: runs on the thread of its event base. */
#ifndef GN_API_H
#define GN_API_H 1

#include <stddef.h>
#include <sys/types.h>

struct event_base;
struct engine;
struct api;

struct api_options {
    const char *socket_path;
    gid_t socket_group;          /* (gid_t) -1: root's group. */
    gid_t admin_group;           /* (gid_t) -1: only root may write. */
    size_t max_body_size;        /* 0: 64 KiB. */
    int timeout_s;               /* 0: 60 s. */
};

/* Starts serving 'engine' on 'opts->socket_path' (a stale socket file is
 * replaced; the folder is created).  Returns NULL and a malloc'd error in
 * '*errorp' on failure.  Free with api_destroy(), which removes the socket
 * file. */
struct api *api_create(struct event_base *, struct engine *,
                       const struct api_options *, char **errorp);
void api_destroy(struct api *);

#endif /* api.h */
