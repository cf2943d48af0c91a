/* fuzz-jsonrpc: JSON-RPC framing (ovsdb/jsonrpc.c) fed arbitrary bytes, in
 * pieces whose sizes the input's first byte chooses: every message out is
 * classified and printed back, nothing crashes, leaks or reads out of
 * bounds, and the buffered bytes never pass the size limit. */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "jsonrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jsonrpc_parser *p = jsonrpc_parser_create(4096);
    size_t piece = size ? data[0] % 64 + 1 : 1;
    size_t off = size ? 1 : 0;

    while (off < size) {
        size_t n = size - off < piece ? size - off : piece;
        json_t *msg;

        if (jsonrpc_parser_feed(p, data + off, n)) {
            break;              /* Malformed or too big: the stream ends. */
        }
        off += n;
        while ((msg = jsonrpc_parser_next(p)) != NULL) {
            size_t len;
            char *text = jsonrpc_msg_to_string(msg, &len);

            (void) jsonrpc_msg_type_name(jsonrpc_msg_type(msg));
            free(text);
            json_decref(msg);
        }
        if (jsonrpc_parser_pending(p) > 4096 + piece) {
            abort();
        }
    }
    jsonrpc_parser_destroy(p);
    return 0;
}
