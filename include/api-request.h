/* api-request.h: the parts of the API's request handling that take bytes
 * and do no I/O: the query string, the JSON body, the options of
 * POST /v1/ports and the names of the endpoints.  api/api.c and
 * api/api-handlers.c answer with what these return; unit tests and
 * fuzz/fuzz-api-request.c feed them buffers directly.
 *
 * Errors are malloc'd messages for the answer's body (caller frees).
 *
 * Thread-safety: no state; callable from any thread. */
#ifndef GN_API_REQUEST_H
#define GN_API_REQUEST_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "gn-util.h"

/* Parses 'query' (the part of the URI after '?', NULL or "" if none) into
 * '*paramsp', a new object {name: value} of strings.  Returns NULL, or an
 * error (for a 400 answer) with '*paramsp' NULL if 'query' is malformed,
 * names a parameter twice or is not UTF-8. */
char *api_request_query(const char *query, json_t **paramsp) GN_WARN_UNUSED;

/* Returns NULL if 'params' (borrowed) has no member other than 'allowed'
 * (may be NULL), otherwise an error for a 400 answer. */
char *api_request_check_params(const json_t *params, const char *allowed)
    GN_WARN_UNUSED;

/* Parses the body of a request ('len' bytes at 'data', with 'content_type'
 * from its header, NULL if none) as a JSON object into '*bodyp' (a new
 * reference).  Returns NULL, or an error with '*bodyp' NULL and the
 * answer's status in '*statusp' (415 for another content type, 400). */
char *api_request_body(const char *content_type, const char *data,
                       size_t len, int *statusp, json_t **bodyp)
    GN_WARN_UNUSED;

/* POST /v1/ports: sets '*waitp' from the query parameter "wait" of
 * 'params' (borrowed; true, false, 1 or 0; true if absent).  Returns NULL
 * or an error for a 400 answer. */
char *api_request_wait_param(const json_t *params, bool *waitp)
    GN_WARN_UNUSED;

/* POST /v1/ports: a member "wait" of 'body' (a boolean) overrides
 * '*waitp' and is removed from 'body'.  Returns NULL or an error for a 400
 * answer (and leaves 'body' as it was). */
char *api_request_wait_body(json_t *body, bool *waitp) GN_WARN_UNUSED;

/* POST /v1/ports adds several ports at once when its body is an object
 * {"ports": [PORT, ...]} ("wait" taken out as for one port), each PORT
 * what a request adding one port carries. */
#define API_BULK_MAX 2048

/* True if 'body' (borrowed) asks to add several ports: it has "ports" and
 * no "name" (one port's body with a stray "ports" is one port's, whose
 * check names the unknown field). */
bool api_request_is_bulk(const json_t *body);

/* Checks the shape of a request adding several ports: "ports" is its only
 * member, an array of 1 to API_BULK_MAX objects, no two of them with the
 * same "name".  Returns NULL or an error for a 400 answer.  Each port's
 * own content is checked as one add checks it, port by port. */
char *api_request_bulk_body(const json_t *body) GN_WARN_UNUSED;

/* True if 'path' names one of the API's endpoints (for 405 vs 404). */
bool api_request_known_path(const char *path);

#endif /* api-request.h */
