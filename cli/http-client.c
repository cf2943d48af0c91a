/* http-client.c: blocking HTTP/1.1 over a unix socket, for guestnetctl
 * (see include/http-client.h). */
#include <config.h>

#include "http-client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "gn-util.h"

/* Responses larger than this are refused (guestnetd's are far smaller). */
#define HTTP_CLIENT_MAX_RESPONSE (64u * 1024 * 1024)

void
http_response_destroy(struct http_response *resp)
{
    if (resp) {
        free(resp->body);
        resp->body = NULL;
    }
}

char *
http_client_parse(const char *data, size_t len, struct http_response *resp)
{
    const char *end = NULL, *p, *line;
    long long content_length = -1;
    int major, minor, status;

    memset(resp, 0, sizeof *resp);
    for (p = data; p + 3 < data + len; p++) {
        if (!memcmp(p, "\r\n\r\n", 4)) {
            end = p;
            break;
        }
    }
    if (!end) {
        return gn_xstrdup("truncated HTTP response (no end of headers)");
    }
    if (sscanf(data, "HTTP/%d.%d %d", &major, &minor, &status) != 3
        || major != 1 || status < 100 || status > 599) {
        return gn_xstrdup("malformed HTTP status line");
    }
    /* Headers: only Content-Length matters here. */
    for (line = memchr(data, '\n', end - data); line && line < end;
         line = memchr(line, '\n', end - line)) {
        line++;
        if (!strncasecmp(line, "Content-Length:", 15)) {
            content_length = strtoll(line + 15, NULL, 10);
        }
    }
    const char *body = end + 4;
    size_t body_len = data + len - body;
    if (content_length >= 0) {
        if ((size_t) content_length > body_len) {
            return gn_xasprintf("truncated HTTP response (%zu of %lld body "
                                "bytes)", body_len, content_length);
        }
        body_len = content_length;
    }
    resp->status = status;
    resp->body = gn_xmemdup0(body, body_len);
    resp->body_len = body_len;
    return NULL;
}

/* Connects to 'path'.  Returns the fd or -1 with errno set. */
static int
http_client_connect__(const char *path)
{
    struct sockaddr_un sun;
    int fd;

    if (strlen(path) >= sizeof sun.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Waits for 'fd' to be ready for 'events' until 'deadline'.  Returns 0, or
 * ETIMEDOUT. */
static int
http_client_wait__(int fd, short events, long long deadline)
{
    struct pollfd pfd = { .fd = fd, .events = events };
    long long left = deadline - gn_time_msec();

    if (left <= 0) {
        return ETIMEDOUT;
    }
    int n = poll(&pfd, 1, left);
    return n > 0 ? 0 : n == 0 ? ETIMEDOUT : errno;
}

char *
http_client_request(const char *socket_path, const char *method,
                    const char *path, const char *body, int timeout_ms,
                    struct http_response *resp, int *unreachable)
{
    long long deadline = gn_time_msec() + timeout_ms;
    char *req, *buf = NULL, *error = NULL;
    size_t len = 0, cap = 0, sent = 0, req_len;
    int fd, err;

    *unreachable = 0;
    memset(resp, 0, sizeof *resp);
    fd = http_client_connect__(socket_path);
    if (fd < 0) {
        *unreachable = 1;
        return gn_xasprintf("cannot connect to guestnetd at %s: %s (is it "
                            "running? see --socket)", socket_path,
                            strerror(errno));
    }
    req = gn_xasprintf("%s %s HTTP/1.1\r\nHost: localhost\r\n"
                       "Connection: close\r\n"
                       "Content-Type: application/json\r\n"
                       "Content-Length: %zu\r\n\r\n%s",
                       method, path, body ? strlen(body) : 0,
                       body ? body : "");
    req_len = strlen(req);
    while (sent < req_len) {
        if ((err = http_client_wait__(fd, POLLOUT, deadline))) {
            error = gn_xasprintf("sending to %s: %s", socket_path,
                                 strerror(err));
            goto out;
        }
        ssize_t n = send(fd, req + sent, req_len - sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EINTR && errno != EAGAIN) {
            error = gn_xasprintf("sending to %s: %s", socket_path,
                                 strerror(errno));
            goto out;
        }
        sent += n > 0 ? n : 0;
    }
    for (;;) {
        if ((err = http_client_wait__(fd, POLLIN, deadline))) {
            error = gn_xasprintf("waiting for guestnetd's answer: %s",
                                 strerror(err));
            goto out;
        }
        if (cap - len < 4096) {
            cap = cap ? 2 * cap : 8192;
            if (cap > HTTP_CLIENT_MAX_RESPONSE) {
                error = gn_xstrdup("response too large");
                goto out;
            }
            buf = gn_xrealloc(buf, cap);
        }
        ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        } else if (n < 0) {
            error = gn_xasprintf("reading from %s: %s", socket_path,
                                 strerror(errno));
            goto out;
        } else if (n == 0) {
            break;
        }
        len += n;
    }
    error = http_client_parse(buf ? buf : "", len, resp);

out:
    free(req);
    free(buf);
    close(fd);
    return error;
}
