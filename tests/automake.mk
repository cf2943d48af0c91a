# tests/: C unit tests (one program per module, many checks each) and
# integration tests (shell scripts against a real OVS from gn-sandbox).
# "make check" runs them all through tests/run-tests.sh, which prints one
# closing line "N passed, N failed, N skipped".
noinst_HEADERS += tests/test-util.h

UNIT_TESTS = \
	tests/test-symbol-clash
INTEGRATION_TESTS = \
	tests/configure-ovs.sh \
	tests/layering.sh \
	tests/fuzz-smoke.sh \
	tests/sanitizers.sh \
	tests/sandbox-forwarding.sh

check_PROGRAMS += $(UNIT_TESTS)

# A test program's source is tests/NAME.c; its flags are those of
# guestnet's side (jansson) or of the OVS side (libopenvswitch's headers,
# never <jansson.h>); it links GN_LIBS (the default LDADD: programs
# elsewhere name their own).
GN_TEST_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS)
OVS_TEST_CFLAGS = $(AM_CFLAGS) $(OVS_SIDE_CFLAGS) $(LIBEVENT_CFLAGS)
LDADD = $(GN_LIBS)

tests_test_symbol_clash_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	-DOVS_LIB_DIR='"$(abs_builddir)/ovs-lib"' -DJANSSON_SO='"$(JANSSON_SO)"'
tests_test_symbol_clash_LDADD = tests/libtestovs.a $(GN_LIBS)

# Test helpers that use libopenvswitch's own JSON (the OVS side).
check_LIBRARIES = tests/libtestovs.a
tests_libtestovs_a_SOURCES = tests/symbol-clash-ovs.c tests/symbol-clash-ovs.h
tests_libtestovs_a_CFLAGS = $(AM_CFLAGS) $(OVS_SIDE_CFLAGS)

# Each area's tests: UNIT_TESTS += and INTEGRATION_TESTS += there.
include tests/ovsdb.mk
include tests/config.mk
include tests/netdev.mk
include tests/guestnetd.mk
include tests/flows.mk
include tests/pipeline.mk
include tests/api.mk
include tests/cli.mk
include tests/guests.mk
include tests/bench.mk
include tests/package.mk
include tests/cluster.mk

EXTRA_DIST += tests/run-tests.sh tests/lib.sh $(INTEGRATION_TESTS)

# TESTS='pattern ...' selects tests by file name, as in
# "make check TESTS='test-*'".
check-local: $(UNIT_TESTS) $(sbin_PROGRAMS) $(bin_PROGRAMS)
	@GN_SRCDIR=$(abs_top_srcdir) GN_BUILDDIR=$(abs_top_builddir) \
	  $(SHELL) $(srcdir)/tests/run-tests.sh \
	  $(UNIT_TESTS:%=$(abs_builddir)/%) \
	  $(INTEGRATION_TESTS:%=$(abs_srcdir)/%)

# The unit test programs, for tests/sanitizers.sh.
print-unit-tests:
	@echo $(UNIT_TESTS)
.PHONY: print-unit-tests

clean-local:
	rm -rf tests/logs
