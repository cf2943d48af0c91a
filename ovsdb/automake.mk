# ovsdb/: the RFC 7047 client (JSON-RPC framing, connection, replica,
# transactions), on libevent and jansson.
libguestnet_a_SOURCES += \
	ovsdb/jsonrpc.c \
	ovsdb/jsonrpc-remote.c \
	ovsdb/jsonrpc-session.c \
	ovsdb/ovsdb-replica.c \
	ovsdb/ovsdb-replica-datum.c \
	ovsdb/ovsdb-replica-index.c \
	ovsdb/ovsdb-replica-intern.c \
	ovsdb/ovsdb-replica-monitor.c \
	ovsdb/ovsdb-replica-private.h \
	ovsdb/ovsdb-server-db.c \
	ovsdb/ovsdb-txn.c
