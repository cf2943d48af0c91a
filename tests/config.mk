# tests/config.mk: tests of the config area (included from tests/automake.mk).

# netaddr: MAC, IP, VLAN and interface name parsing.
UNIT_TESTS += tests/test-netaddr
check_PROGRAMS += tests/test-netaddr
tests_test_netaddr_SOURCES = tests/test-netaddr.c
tests_test_netaddr_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS)
tests_test_netaddr_LDADD = $(GN_LIBS)

# gn-config: the config file, including the shipped example.
UNIT_TESTS += tests/test-config
check_PROGRAMS += tests/test-config
tests_test_config_SOURCES = tests/test-config.c
tests_test_config_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(LIBEVENT_CFLAGS) -DGN_SRCDIR='"$(abs_top_srcdir)"'
tests_test_config_LDADD = $(GN_LIBS)

EXTRA_DIST += daemon/guestnet.example.json

# loop-lag: the event loop's lateness, per window.
UNIT_TESTS += tests/test-loop-lag
check_PROGRAMS += tests/test-loop-lag
tests_test_loop_lag_SOURCES = tests/test-loop-lag.c
tests_test_loop_lag_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
tests_test_loop_lag_LDADD = $(GN_LIBS)
