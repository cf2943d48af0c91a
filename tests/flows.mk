# tests/flows.mk: tests of the flows area (included from tests/automake.mk),
# programs of the OVS side.
UNIT_TESTS += tests/test-flow-table tests/test-meter-table
tests_test_flow_table_CFLAGS = $(OVS_TEST_CFLAGS)
tests_test_meter_table_CFLAGS = $(OVS_TEST_CFLAGS)

# The program that tests/ofctrl.sh drives against a real ovs-vswitchd.
check_PROGRAMS += tests/ofctrl-live
tests_ofctrl_live_CFLAGS = $(OVS_TEST_CFLAGS)
INTEGRATION_TESTS += tests/ofctrl.sh
