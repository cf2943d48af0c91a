/* http-client.h: the small blocking HTTP/1.1 client guestnetctl uses to
 * talk to guestnetd's unix socket.  One request per connection
 * ("Connection: close"); the response is parsed by http_client_parse(),
 * which works on bytes so tests feed it buffers.
 *
 * Thread-safety: no shared state. */
#ifndef GN_HTTP_CLIENT_H
#define GN_HTTP_CLIENT_H 1

#include <stddef.h>

struct http_response {
    int status;                 /* e.g. 200. */
    char *body;                 /* NUL-terminated, malloc'd. */
    size_t body_len;
};

/* Sends 'method' 'path' with 'body' (NULL for none; sent as JSON) to the
 * unix socket 'socket_path' and waits up to 'timeout_ms' for the whole
 * response.  Returns NULL and fills '*resp' (free with
 * http_response_destroy()), or a malloc'd error.  '*unreachable' is set to
 * 1 when the daemon could not be reached at all. */
char *http_client_request(const char *socket_path, const char *method,
                          const char *path, const char *body,
                          int timeout_ms, struct http_response *resp,
                          int *unreachable)
    __attribute__((warn_unused_result));

/* Parses a complete HTTP/1.x response of 'len' bytes.  Returns NULL and
 * fills '*resp', or a malloc'd error. */
char *http_client_parse(const char *data, size_t len,
                        struct http_response *resp)
    __attribute__((warn_unused_result));

void http_response_destroy(struct http_response *);

#endif /* http-client.h */
