/* jsonrpc.h: JSON-RPC 1.0 messages as OVSDB (RFC 7047) and ovs-vswitchd's
 * unixctl socket speak them, and a framing parser that works on bytes with
 * no I/O.
 *
 * The stream is a sequence of JSON texts with nothing between them.  The
 * parser finds where each text ends (tracking strings, escapes and nesting
 * across calls, so input may be split at any byte) and hands complete texts
 * to jansson.  It bounds memory: a message longer than 'max_size' bytes is
 * an error, and after an error the parser stays failed (the connection must
 * be dropped: there is no way to resynchronise a JSON stream).
 *
 * Messages are jansson objects:
 *   request      {"method": M, "params": [...], "id": ID}
 *   notification {"method": M, "params": [...], "id": null}
 *   reply        {"result": R, "error": null, "id": ID}
 *   error reply  {"result": null, "error": E, "id": ID}
 *
 * Thread-safety: a parser is used by one thread at a time. */
#ifndef GN_JSONRPC_H
#define GN_JSONRPC_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define JSONRPC_DEFAULT_MAX_SIZE (64u * 1024 * 1024)

struct jsonrpc_parser;

/* Returns a new parser that accepts messages up to 'max_size' bytes (0 for
 * JSONRPC_DEFAULT_MAX_SIZE).  Free with jsonrpc_parser_destroy(). */
struct jsonrpc_parser *jsonrpc_parser_create(size_t max_size);
void jsonrpc_parser_destroy(struct jsonrpc_parser *);

/* Feeds 'n' bytes.  Returns 0, or EPROTO if the stream is not a sequence of
 * JSON objects (the reason is in jsonrpc_parser_error()), or EMSGSIZE if a
 * message exceeds the limit.  Complete messages are queued for
 * jsonrpc_parser_next(); feeding never blocks and never does I/O. */
int jsonrpc_parser_feed(struct jsonrpc_parser *, const void *data, size_t n);

/* Returns the next complete message (a new reference the caller owns), or
 * NULL if none is complete yet. */
json_t *jsonrpc_parser_next(struct jsonrpc_parser *);

/* Returns a description of the parser's error, or NULL if none (borrowed:
 * valid until the parser is destroyed). */
const char *jsonrpc_parser_error(const struct jsonrpc_parser *);

/* Bytes fed but not yet part of a complete message. */
size_t jsonrpc_parser_pending(const struct jsonrpc_parser *);

enum jsonrpc_msg_type {
    JSONRPC_REQUEST,
    JSONRPC_NOTIFY,
    JSONRPC_REPLY,
    JSONRPC_ERROR,
    JSONRPC_INVALID,
};

/* Classifies 'msg' (borrowed). */
enum jsonrpc_msg_type jsonrpc_msg_type(const json_t *msg);
const char *jsonrpc_msg_type_name(enum jsonrpc_msg_type);

/* Builders.  Each steals 'params', 'result', 'error' (they may be NULL for
 * an empty array / JSON null) and returns a new reference. */
json_t *jsonrpc_request(const char *method, json_t *params, json_int_t id);
json_t *jsonrpc_notify(const char *method, json_t *params);
json_t *jsonrpc_reply(json_t *result, json_t *id);
json_t *jsonrpc_error_reply(json_t *error, json_t *id);

/* Serialises 'msg' (borrowed) compactly.  Caller frees the result. */
char *jsonrpc_msg_to_string(const json_t *msg, size_t *len);

#endif /* jsonrpc.h */
