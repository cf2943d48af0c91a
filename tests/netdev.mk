# tests/netdev.mk: tests of the netdev area (included from tests/automake.mk).
# test-netdev needs root: it creates taps, veths and network namespaces in a
# private namespace of its own, and skips without root (fails under CI=true).
UNIT_TESTS += tests/test-netdev
check_PROGRAMS += tests/test-netdev
tests_test_netdev_SOURCES = tests/test-netdev.c
tests_test_netdev_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(LIBNL_CFLAGS)
tests_test_netdev_LDADD = $(GN_LIBS)

# dev-worker: device jobs on a thread, completions on the loop.
UNIT_TESTS += tests/test-dev-worker
check_PROGRAMS += tests/test-dev-worker
tests_test_dev_worker_SOURCES = tests/test-dev-worker.c
tests_test_dev_worker_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS)
tests_test_dev_worker_LDADD = $(GN_LIBS)
