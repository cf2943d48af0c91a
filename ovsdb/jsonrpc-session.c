/* jsonrpc-session.c: placeholder, being written. */
