/* jsonrpc.c: JSON-RPC 1.0 framing and messages (see include/jsonrpc.h).
 *
 * Owns the byte-level scanner that splits a stream of JSON texts into
 * messages, and the builders and classifier of JSON-RPC messages.  Does no
 * I/O: jsonrpc-session.c moves the bytes. */
#include <config.h>

#include "jsonrpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gn-util.h"

struct jsonrpc_parser {
    size_t max_size;

    /* The text being scanned: its bytes so far, in 'buf'. */
    char *buf;                  /* Freed after a text longer than
                                 * JSONRPC_PARSER_KEEP_BYTES. */
    size_t len;
    size_t allocated;
    unsigned int depth;         /* Open '{' and '[' not yet closed. */
    bool in_string;             /* Inside a JSON string. */
    bool escape;                /* Just after a backslash in a string. */

    /* Complete messages not yet taken: queue[head..tail). */
    json_t **queue;
    size_t head;
    size_t tail;
    size_t queue_allocated;

    int error;                  /* 0, EPROTO or EMSGSIZE; sticky. */
    char *error_msg;
};

/* The most room for text a parser keeps between messages: the buffer that
 * a longer text (a monitor reply with every row, megabytes at 1000 ports)
 * grew to is freed once the text is parsed. */
#define JSONRPC_PARSER_KEEP_BYTES (64 * 1024)

/* Returns a new parser for messages up to 'max_size' bytes (0 for
 * JSONRPC_DEFAULT_MAX_SIZE).  Caller frees with jsonrpc_parser_destroy(). */
struct jsonrpc_parser *
jsonrpc_parser_create(size_t max_size)
{
    struct jsonrpc_parser *p = gn_xzalloc(sizeof *p);

    p->max_size = max_size ? max_size : JSONRPC_DEFAULT_MAX_SIZE;
    return p;
}

/* Frees 'p' and every message still queued in it.  Accepts NULL. */
void
jsonrpc_parser_destroy(struct jsonrpc_parser *p)
{
    if (!p) {
        return;
    }
    while (p->head < p->tail) {
        json_decref(p->queue[p->head++]);
    }
    free(p->queue);
    free(p->buf);
    free(p->error_msg);
    free(p);
}

/* Puts 'p' in the failed state 'error' with a message built from 'fmt'.
 * Returns 'error'. */
static int GN_PRINTF(3, 4)
jsonrpc_parser_fail__(struct jsonrpc_parser *p, int error,
                      const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    p->error = error;
    p->error_msg = gn_xvasprintf(fmt, args);
    va_end(args);
    return error;
}

/* Appends 'msg' (ownership taken) to the queue of complete messages. */
static void
jsonrpc_parser_enqueue__(struct jsonrpc_parser *p, json_t *msg)
{
    if (p->head == p->tail) {
        p->head = p->tail = 0;
    }
    if (p->tail == p->queue_allocated) {
        if (p->head > 0) {
            memmove(p->queue, p->queue + p->head,
                    (p->tail - p->head) * sizeof *p->queue);
            p->tail -= p->head;
            p->head = 0;
        } else {
            p->queue_allocated = p->queue_allocated * 2 + 8;
            p->queue = gn_xrealloc(p->queue,
                                   p->queue_allocated * sizeof *p->queue);
        }
    }
    p->queue[p->tail++] = msg;
}

/* Hands the complete text in p->buf to jansson and queues the message.
 * Returns 0 or EPROTO. */
static int
jsonrpc_parser_complete__(struct jsonrpc_parser *p)
{
    json_error_t error;
    json_t *msg;

    msg = json_loadb(p->buf, p->len, 0, &error);
    p->len = 0;
    if (p->allocated > JSONRPC_PARSER_KEEP_BYTES) {
        free(p->buf);
        p->buf = NULL;
        p->allocated = 0;
    }
    if (!msg) {
        return jsonrpc_parser_fail__(p, EPROTO, "invalid JSON: %s (at %d)",
                                     error.text, error.position);
    }
    jsonrpc_parser_enqueue__(p, msg);
    return 0;
}

/* Appends 'n' bytes at 'data' to the current text.  Returns 0 or
 * EMSGSIZE. */
static int
jsonrpc_parser_append__(struct jsonrpc_parser *p, const char *data, size_t n)
{
    if (n > p->max_size - p->len) {
        return jsonrpc_parser_fail__(p, EMSGSIZE,
                                     "message longer than %zu bytes",
                                     p->max_size);
    }
    if (p->len + n > p->allocated) {
        p->allocated = p->len + n > 2 * p->allocated
                       ? p->len + n : 2 * p->allocated;
        p->buf = gn_xrealloc(p->buf, p->allocated);
    }
    memcpy(p->buf + p->len, data, n);
    p->len += n;
    return 0;
}

/* Feeds the 'n' bytes at 'data' to 'p'.  Returns 0, EPROTO or EMSGSIZE
 * (see jsonrpc.h); once it returned an error it returns that error again
 * and ignores further input.  Messages completed before an error stay
 * queued.  Caller keeps 'data'. */
int
jsonrpc_parser_feed(struct jsonrpc_parser *p, const void *data_, size_t n)
{
    const char *data = data_;
    size_t start = 0;           /* First byte of the text in this feed. */
    size_t i;
    int error;

    if (p->error) {
        return p->error;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = data[i];

        if (p->len == 0 && i == start) {
            /* Between texts: skip whitespace; a text must be an object. */
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                start = i + 1;
                continue;
            } else if (c != '{') {
                return jsonrpc_parser_fail__(
                    p, EPROTO, "message is not a JSON object "
                    "(starts with byte 0x%02x)", c);
            }
        }
        if (p->in_string) {
            if (p->escape) {
                p->escape = false;
            } else if (c == '\\') {
                p->escape = true;
            } else if (c == '"') {
                p->in_string = false;
            }
        } else if (c == '"') {
            p->in_string = true;
        } else if (c == '{' || c == '[') {
            p->depth++;
        } else if (c == '}' || c == ']') {
            if (--p->depth == 0) {
                error = jsonrpc_parser_append__(p, data + start,
                                                i + 1 - start);
                if (!error) {
                    error = jsonrpc_parser_complete__(p);
                }
                if (error) {
                    return error;
                }
                start = i + 1;
            }
        }
        if (p->len + (i + 1 - start) > p->max_size) {
            return jsonrpc_parser_fail__(p, EMSGSIZE,
                                         "message longer than %zu bytes",
                                         p->max_size);
        }
    }
    return n > start ? jsonrpc_parser_append__(p, data + start, n - start)
                     : 0;
}

/* Returns the oldest complete message (a new reference the caller owns), or
 * NULL if there is none. */
json_t *
jsonrpc_parser_next(struct jsonrpc_parser *p)
{
    return p->head < p->tail ? p->queue[p->head++] : NULL;
}

/* Returns the reason 'p' failed, or NULL (borrowed, lives as long as
 * 'p'). */
const char *
jsonrpc_parser_error(const struct jsonrpc_parser *p)
{
    return p->error_msg;
}

/* Returns how many bytes of an incomplete message 'p' holds. */
size_t
jsonrpc_parser_pending(const struct jsonrpc_parser *p)
{
    return p->len;
}

/* Classifies 'msg' (borrowed) as a request, notification, reply or error
 * reply, or JSONRPC_INVALID if it is none of them. */
enum jsonrpc_msg_type
jsonrpc_msg_type(const json_t *msg)
{
    const json_t *method, *params, *result, *error, *id;

    if (!json_is_object(msg)) {
        return JSONRPC_INVALID;
    }
    method = json_object_get(msg, "method");
    params = json_object_get(msg, "params");
    result = json_object_get(msg, "result");
    error = json_object_get(msg, "error");
    id = json_object_get(msg, "id");

    if (method) {
        if (!json_is_string(method) || !json_is_array(params)
            || result || error) {
            return JSONRPC_INVALID;
        }
        return !id || json_is_null(id) ? JSONRPC_NOTIFY : JSONRPC_REQUEST;
    }
    if (!id || json_is_null(id) || params || (!result && !error)) {
        return JSONRPC_INVALID;
    }
    return error && !json_is_null(error) ? JSONRPC_ERROR : JSONRPC_REPLY;
}

/* Returns the name of 'type' (a static string). */
const char *
jsonrpc_msg_type_name(enum jsonrpc_msg_type type)
{
    switch (type) {
    case JSONRPC_REQUEST:
        return "request";
    case JSONRPC_NOTIFY:
        return "notification";
    case JSONRPC_REPLY:
        return "reply";
    case JSONRPC_ERROR:
        return "error";
    case JSONRPC_INVALID:
        return "invalid";
    }
    return "invalid";
}

/* Returns a new request {"method": 'method', "params": 'params' (stolen; NULL
 * for []), "id": 'id'}. */
json_t *
jsonrpc_request(const char *method, json_t *params, json_int_t id)
{
    return json_pack("{s:s, s:o, s:I}", "method", method,
                     "params", params ? params : json_array(), "id", id);
}

/* Returns a new notification, as jsonrpc_request() but with "id": null. */
json_t *
jsonrpc_notify(const char *method, json_t *params)
{
    return json_pack("{s:s, s:o, s:n}", "method", method,
                     "params", params ? params : json_array(), "id");
}

/* Returns a new reply carrying 'result' (stolen; NULL for null) for the
 * request whose id is 'id' (borrowed; NULL for null). */
json_t *
jsonrpc_reply(json_t *result, json_t *id)
{
    return json_pack("{s:o, s:n, s:O}", "result",
                     result ? result : json_null(), "error",
                     "id", id ? id : json_null());
}

/* Returns a new error reply carrying 'error' (stolen; NULL for null) for
 * the request whose id is 'id' (borrowed; NULL for null). */
json_t *
jsonrpc_error_reply(json_t *error, json_t *id)
{
    return json_pack("{s:n, s:o, s:O}", "result",
                     "error", error ? error : json_null(),
                     "id", id ? id : json_null());
}

/* Returns 'msg' (borrowed) as compact JSON text in a malloc'd string that
 * the caller frees; stores its length in '*len' if 'len' is nonnull. */
char *
jsonrpc_msg_to_string(const json_t *msg, size_t *len)
{
    char *s = json_dumps(msg, JSON_COMPACT);

    if (!s) {
        gn_fatal("jsonrpc: out of memory serialising a message");
    }
    if (len) {
        *len = strlen(s);
    }
    return s;
}
