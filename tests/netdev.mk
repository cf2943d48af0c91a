# tests/netdev.mk: tests of the netdev area (included from tests/automake.mk).
# test-netdev needs root: it creates taps, veths and network namespaces in a
# private namespace of its own, and skips without root (fails under CI=true).
UNIT_TESTS += tests/test-netdev
tests_test_netdev_CFLAGS = $(GN_TEST_CFLAGS) $(LIBNL_CFLAGS)

# dev-worker: device jobs on a thread, completions on the loop.
UNIT_TESTS += tests/test-dev-worker
tests_test_dev_worker_CFLAGS = $(GN_TEST_CFLAGS)
