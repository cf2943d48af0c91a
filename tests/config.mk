# tests/config.mk: tests of the config area (included from tests/automake.mk).

# netaddr: MAC, IP, VLAN and interface name parsing.
UNIT_TESTS += tests/test-netaddr
tests_test_netaddr_CFLAGS = $(GN_TEST_CFLAGS)

# gn-config: the config file, including the shipped example.
UNIT_TESTS += tests/test-config
tests_test_config_CFLAGS = $(GN_TEST_CFLAGS) -DGN_SRCDIR='"$(abs_top_srcdir)"'

EXTRA_DIST += daemon/guestnet.example.json

# gn-util: its containers.
UNIT_TESTS += tests/test-gn-util
tests_test_gn_util_CFLAGS = $(GN_TEST_CFLAGS)
# gn-limits: a port's limits parsed, stored, merged with its network's.
UNIT_TESTS += tests/test-limits
tests_test_limits_CFLAGS = $(GN_TEST_CFLAGS)

# loop-lag: the event loop's lateness, per window.
UNIT_TESTS += tests/test-loop-lag
tests_test_loop_lag_CFLAGS = $(GN_TEST_CFLAGS)

# dhcp: DHCPv4 messages parsed and built, from bytes.
UNIT_TESTS += tests/test-dhcp
tests_test_dhcp_CFLAGS = $(GN_TEST_CFLAGS)
# dhcp6: DHCPv6 messages, router solicitations and advertisements.
UNIT_TESTS += tests/test-dhcp6
tests_test_dhcp6_CFLAGS = $(GN_TEST_CFLAGS)
