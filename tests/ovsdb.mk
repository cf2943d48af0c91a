# tests/ovsdb.mk: tests of the ovsdb area (included from tests/automake.mk).
#
# Unit tests feed bytes and JSON with no server; tests/ovsdb-client.sh runs
# tests/ovsdb-live against a real ovsdb-server and ovs-vswitchd, and
# tests/ovsdb-cluster.sh tests/ovsdb-cluster-live against a 3-member
# clustered ovsdb-server.
OVSDB_TEST_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)

UNIT_TESTS += \
	tests/test-jsonrpc \
	tests/test-ovsdb-cluster \
	tests/test-ovsdb-replica \
	tests/test-ovsdb-replica-index \
	tests/test-ovsdb-txn
check_PROGRAMS += \
	tests/test-jsonrpc \
	tests/test-ovsdb-cluster \
	tests/test-ovsdb-replica \
	tests/test-ovsdb-replica-index \
	tests/test-ovsdb-txn \
	tests/ovsdb-live \
	tests/ovsdb-cluster-live

tests_test_jsonrpc_SOURCES = tests/test-jsonrpc.c
tests_test_jsonrpc_CFLAGS = $(OVSDB_TEST_CFLAGS)
tests_test_jsonrpc_LDADD = $(GN_LIBS)
noinst_HEADERS += tests/test-jsonrpc-server.h

tests_test_ovsdb_cluster_SOURCES = tests/test-ovsdb-cluster.c
tests_test_ovsdb_cluster_CFLAGS = $(OVSDB_TEST_CFLAGS)
tests_test_ovsdb_cluster_LDADD = $(GN_LIBS)

tests_test_ovsdb_replica_SOURCES = tests/test-ovsdb-replica.c
tests_test_ovsdb_replica_CFLAGS = $(OVSDB_TEST_CFLAGS)
tests_test_ovsdb_replica_LDADD = $(GN_LIBS)

tests_test_ovsdb_replica_index_SOURCES = tests/test-ovsdb-replica-index.c
tests_test_ovsdb_replica_index_CFLAGS = $(OVSDB_TEST_CFLAGS)
noinst_HEADERS += tests/test-ovsdb-replica.h

tests_test_ovsdb_txn_SOURCES = tests/test-ovsdb-txn.c
tests_test_ovsdb_txn_CFLAGS = $(OVSDB_TEST_CFLAGS)
tests_test_ovsdb_txn_LDADD = $(GN_LIBS)

# Not a test by itself: the client that tests/ovsdb-client.sh drives.
tests_ovsdb_live_SOURCES = tests/ovsdb-live.c
tests_ovsdb_live_CFLAGS = $(OVSDB_TEST_CFLAGS)
tests_ovsdb_live_LDADD = $(GN_LIBS)

# Not a test by itself: the client that tests/ovsdb-cluster.sh drives.
tests_ovsdb_cluster_live_SOURCES = tests/ovsdb-cluster-live.c
tests_ovsdb_cluster_live_CFLAGS = $(OVSDB_TEST_CFLAGS)
tests_ovsdb_cluster_live_LDADD = $(GN_LIBS)

INTEGRATION_TESTS += tests/ovsdb-client.sh tests/ovsdb-cluster.sh
