# tests/cli.mk: tests of guestnetctl on its own (included from
# tests/automake.mk).

# The cluster commands against a fake guestnetd on a unix socket.
INTEGRATION_TESTS += tests/guestnetctl-cluster.sh

EXTRA_DIST += tests/guestnetctl-cluster-server.py
