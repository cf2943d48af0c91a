/* jsonrpc-remote.c: the remotes a jsonrpc_session connects to: parsing
 * "unix:PATH" and "tcp:IP:PORT" and comma-separated lists of them (ssl:
 * refused with the reason), and the random first pick. */
#include <config.h>

#include "jsonrpc-remote.h"

#include <errno.h>
#include <event2/util.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "gn-util.h"

/* Parses the single remote 'name' into 'r' (which takes a copy of 'name'
 * on success).  Returns NULL or a malloc'd error that names 'name'. */
static char *
jsonrpc_remote_parse__(struct jsonrpc_remote *r, const char *name)
{
    memset(r, 0, sizeof *r);
    if (!strncmp(name, "unix:", 5)) {
        struct sockaddr_un *sun = (struct sockaddr_un *) &r->ss;
        const char *path = name + 5;

        if (!*path || strlen(path) >= sizeof sun->sun_path) {
            return gn_xasprintf("%s: bad or too long socket path", name);
        }
        sun->sun_family = AF_UNIX;
        strcpy(sun->sun_path, path);
        r->ss_len = sizeof *sun;
    } else if (!strncmp(name, "tcp:", 4)) {
        r->ss_len = sizeof r->ss;
        if (evutil_parse_sockaddr_port(name + 4, (struct sockaddr *) &r->ss,
                                       &r->ss_len)
            || (r->ss.ss_family != AF_INET && r->ss.ss_family != AF_INET6)
            || !strchr(name + 4, ':')) {
            return gn_xasprintf("%s: expected tcp:IP:PORT", name);
        }
    } else if (!strncmp(name, "ssl:", 4)) {
        return gn_xasprintf("%s: SSL remotes are not supported; use tcp: "
                            "on a private network, or unix:", name);
    } else {
        return gn_xasprintf("%s: remote must be unix:PATH or tcp:IP:PORT",
                            name);
    }
    r->name = gn_xstrdup(name);
    return NULL;
}

/* Frees the 'n' remotes of 'remotes' and the array itself. */
void
jsonrpc_remotes_free(struct jsonrpc_remote *remotes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(remotes[i].name);
    }
    free(remotes);
}

/* Parses the comma-separated list 'list' into a new array stored in
 * '*remotesp' (caller frees) with its size in '*np'.  Spaces around each
 * element are ignored.  Returns NULL, or a malloc'd error naming the first
 * bad element (then '*remotesp' is NULL). */
char *
jsonrpc_remotes_parse(const char *list, struct jsonrpc_remote **remotesp,
                        size_t *np)
{
    struct jsonrpc_remote *remotes = NULL;
    const char *p = list;
    size_t n = 0;
    char *error = NULL;

    *remotesp = NULL;
    *np = 0;
    for (;;) {
        size_t len = strcspn(p, ",");
        char *name;

        while (len && *p == ' ') {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ') {
            len--;
        }
        name = gn_xmemdup0(p, len);
        remotes = gn_xrealloc(remotes, (n + 1) * sizeof *remotes);
        error = !len
                ? gn_xasprintf("\"%s\": empty element in the remote list",
                               list)
                : jsonrpc_remote_parse__(&remotes[n], name);
        free(name);
        if (error) {
            jsonrpc_remotes_free(remotes, n);
            return error;
        }
        n++;
        p += strcspn(p, ",");
        if (!*p) {
            break;
        }
        p++;
    }
    *remotesp = remotes;
    *np = n;
    return NULL;
}

/* Returns a random index below 'n' from the kernel's pool (0 if it cannot
 * be read): the remote a session tries first. */
size_t
jsonrpc_random_below(size_t n)
{
    unsigned int r = 0;

    if (n < 2 || getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r) {
        return 0;
    }
    return r % n;
}

