# tests/flows.mk: tests of the flows area (included from tests/automake.mk).
# OVS-side programs: libopenvswitch headers, never <jansson.h>.

UNIT_TESTS += tests/test-flow-table
check_PROGRAMS += tests/test-flow-table
tests_test_flow_table_SOURCES = tests/test-flow-table.c
tests_test_flow_table_CFLAGS = $(AM_CFLAGS) $(OVS_SIDE_CFLAGS) \
	$(LIBEVENT_CFLAGS)
# libguestnet.a again after GN_LIBS: libguestnet-ofp.a calls gn_log() and
# gn_x*() from it, and a static link resolves only left to right.
tests_test_flow_table_LDADD = $(GN_LIBS)

# The program that tests/ofctrl.sh drives against a real ovs-vswitchd.
check_PROGRAMS += tests/ofctrl-live
tests_ofctrl_live_SOURCES = tests/ofctrl-live.c
tests_ofctrl_live_CFLAGS = $(AM_CFLAGS) $(OVS_SIDE_CFLAGS) $(LIBEVENT_CFLAGS)
tests_ofctrl_live_LDADD = $(GN_LIBS)

INTEGRATION_TESTS += tests/ofctrl.sh

UNIT_TESTS += tests/test-meter-table
check_PROGRAMS += tests/test-meter-table
tests_test_meter_table_SOURCES = tests/test-meter-table.c
tests_test_meter_table_CFLAGS = $(AM_CFLAGS) $(OVS_SIDE_CFLAGS) \
	$(LIBEVENT_CFLAGS)
tests_test_meter_table_LDADD = $(GN_LIBS)
