/* jsonrpc-remote.h: the remotes of a jsonrpc_session (see
 * jsonrpc-session.h): "unix:PATH" or "tcp:IP:PORT", alone or in a
 * comma-separated list.
 *
 * Thread-safety: pure functions. */
#ifndef GN_JSONRPC_REMOTE_H
#define GN_JSONRPC_REMOTE_H 1

#include <stddef.h>
#include <sys/socket.h>

struct jsonrpc_remote {
    char *name;                 /* "unix:PATH" or "tcp:IP:PORT". */
    struct sockaddr_storage ss;
    int ss_len;
};

/* Parses the comma-separated 'list' into a new array of remotes stored in
 * '*remotesp' and their number in '*np'.  Returns NULL, or a malloc'd
 * error naming the element at fault (and stores NULL and 0). */
char *jsonrpc_remotes_parse(const char *list,
                            struct jsonrpc_remote **remotesp, size_t *np)
    __attribute__((warn_unused_result));
/* Frees the 'n' remotes of 'remotes' and the array. */
void jsonrpc_remotes_free(struct jsonrpc_remote *remotes, size_t n);
/* A random number below 'n' (0 if the kernel has none to give). */
size_t jsonrpc_random_below(size_t n);

#endif /* jsonrpc-remote.h */
