# tests/guestnetd.mk: tests of guestnetd and guestnetctl against a real OVS
# (included from tests/automake.mk).
INTEGRATION_TESTS += \
	tests/guestnetd-bridge.sh \
	tests/guestnetd-ports.sh \
	tests/guestnetd-adopt.sh \
	tests/guestnetd-durability.sh \
	tests/guestnetd-rollback.sh \
	tests/fault-kill.sh \
	tests/fault-ovs.sh \
	tests/fault-device.sh
EXTRA_DIST += tests/fault-clients.py tests/gn_api.py

# The port view and the planners on a synthetic replica (no server).
UNIT_TESTS += tests/test-port-view tests/test-port-view-pipeline
tests_test_port_view_CFLAGS = $(GN_TEST_CFLAGS)
tests_test_port_view_pipeline_CFLAGS = $(GN_TEST_CFLAGS)
noinst_HEADERS += tests/test-port-view.h
