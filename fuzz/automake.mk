# fuzz/: libFuzzer targets for the parsers that take input from outside
# (configure --enable-fuzzing with CC=clang; scripts/fuzz.sh builds and
# runs them, "make fuzz" too).  Seed corpora: fuzz/corpus/TARGET/.
EXTRA_DIST += fuzz/corpus
if FUZZING
FUZZ_TARGETS = \
	fuzz/fuzz-api-request \
	fuzz/fuzz-config \
	fuzz/fuzz-dhcp \
	fuzz/fuzz-dhcp6 \
	fuzz/fuzz-http \
	fuzz/fuzz-jsonrpc \
	fuzz/fuzz-ofp \
	fuzz/fuzz-port-spec \
	fuzz/fuzz-replica
noinst_PROGRAMS += $(FUZZ_TARGETS)
FUZZ_LINK = -fsanitize=fuzzer
fuzz_fuzz_api_request_SOURCES = fuzz/fuzz-api-request.c fuzz/fuzz-util.c \
	fuzz/fuzz-util.h
fuzz_fuzz_api_request_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
fuzz_fuzz_api_request_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
fuzz_fuzz_api_request_LDADD = $(GN_LIBS)
fuzz_fuzz_config_SOURCES = fuzz/fuzz-config.c
fuzz_fuzz_config_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
fuzz_fuzz_config_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
fuzz_fuzz_config_LDADD = $(GN_LIBS)
fuzz_fuzz_dhcp_SOURCES = fuzz/fuzz-dhcp.c
fuzz_fuzz_dhcp_CFLAGS = $(AM_CFLAGS)
fuzz_fuzz_dhcp_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
fuzz_fuzz_dhcp_LDADD = $(GN_LIBS)
fuzz_fuzz_dhcp6_SOURCES = fuzz/fuzz-dhcp6.c
fuzz_fuzz_dhcp6_CFLAGS = $(AM_CFLAGS)
fuzz_fuzz_dhcp6_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
fuzz_fuzz_dhcp6_LDADD = $(GN_LIBS)
fuzz_fuzz_http_SOURCES = fuzz/fuzz-http.c fuzz/fuzz-util.c fuzz/fuzz-util.h
fuzz_fuzz_http_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS)
fuzz_fuzz_http_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
fuzz_fuzz_http_LDADD = $(GN_LIBS)
fuzz_fuzz_jsonrpc_SOURCES = fuzz/fuzz-jsonrpc.c
fuzz_fuzz_jsonrpc_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
fuzz_fuzz_jsonrpc_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
fuzz_fuzz_jsonrpc_LDADD = $(GN_LIBS)
fuzz_fuzz_port_spec_SOURCES = fuzz/fuzz-port-spec.c fuzz/fuzz-util.c \
	fuzz/fuzz-util.h
fuzz_fuzz_port_spec_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
fuzz_fuzz_port_spec_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
fuzz_fuzz_port_spec_LDADD = $(GN_LIBS)
fuzz_fuzz_replica_SOURCES = fuzz/fuzz-replica.c
fuzz_fuzz_replica_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
fuzz_fuzz_replica_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
fuzz_fuzz_replica_LDADD = $(GN_LIBS)
# The OVS side: libopenvswitch's headers, its names renamed.
fuzz_fuzz_ofp_SOURCES = fuzz/fuzz-ofp.c
fuzz_fuzz_ofp_CFLAGS = $(AM_CFLAGS) $(OVS_SIDE_CFLAGS)
fuzz_fuzz_ofp_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
fuzz_fuzz_ofp_LDADD = $(GN_LIBS)
$(fuzz_fuzz_ofp_OBJECTS): ovs-lib/ovs-renames.h
print-fuzz-targets:
	@echo $(FUZZ_TARGETS)
else
print-fuzz-targets:
	@echo
endif
.PHONY: print-fuzz-targets

# make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS_RUN="config jsonrpc"]: builds
# the targets in .cache/fuzz and runs each for N seconds (60).
FUZZ_SECONDS = 60
fuzz:
	$(srcdir)/scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS_RUN)
.PHONY: fuzz
