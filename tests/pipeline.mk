# tests/pipeline.mk: tests of the isolation pipeline (included from
# tests/automake.mk): the flow builder on its own, and real packets between
# guest namespaces through guestnetd's flows.

INTEGRATION_TESTS += \
	tests/pipeline-l2.sh \
	tests/host-isolation.sh \
	tests/pipeline-spoof.sh \
	tests/pipeline-neighbour.sh \
	tests/pipeline-server.sh \
	tests/pipeline-vlan.sh \
	tests/pipeline-private.sh \
	tests/pipeline-restart.sh \
	tests/pipeline-renumber.sh \
	tests/pipeline-reload.sh \
	tests/pipeline-scale.sh \
	tests/pipeline-uplink.sh \
	tests/pipeline-meter.sh \
	tests/limits.sh \
	tests/pipeline-route.sh \
	tests/pipeline-route6.sh \
	tests/pipeline-route-spill.sh \
	tests/pipeline-guard-nd.sh \
	tests/pipeline-undeclared.sh \
	tests/pipeline-guard-dhcp.sh \
	tests/pipeline-guard-frag.sh \
	tests/pipeline-flood.sh \
	tests/dhcp-server.sh \
	tests/dhcp-snoop.sh \
	tests/dhcp-release.sh \
	tests/dhcp-ipam.sh \
	tests/dhcp-flood.sh \
	tests/dhcp6-server.sh \
	tests/dhcp6-link-local.sh \
	tests/link-local-eui64.sh \
	tests/address-learn.sh

UNIT_TESTS += tests/test-pipeline
tests_test_pipeline_CFLAGS = $(GN_TEST_CFLAGS)
UNIT_TESTS += tests/test-pipeline-route
tests_test_pipeline_route_CFLAGS = $(GN_TEST_CFLAGS)
UNIT_TESTS += tests/test-pipeline-state
tests_test_pipeline_state_CFLAGS = $(GN_TEST_CFLAGS)
noinst_HEADERS += tests/test-pipeline.h
