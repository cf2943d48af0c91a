# ovsdb/: the RFC 7047 client (JSON-RPC framing, connection, replica,
# transactions), on libevent and jansson.
