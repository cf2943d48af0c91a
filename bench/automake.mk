# bench/: benchmarks against what operators use today (ovs-vsctl,
# ovs-ofctl, OVN), run as "bench/NAME.sh" after scripts/build.sh, and the
# C load client they drive guestnetd's API with (built by a plain "make",
# as the benchmarks need it outside "make check").
noinst_PROGRAMS += bench/api-load
bench_api_load_SOURCES = bench/api-load.c
bench_api_load_LDADD = libguestnet.a

EXTRA_DIST += bench/port-add.sh bench/api-bench.sh bench/flows-per-port.sh \
	bench/dataplane.sh bench/flood.sh bench/limits.sh bench/cluster.sh \
	bench/memory.sh bench/lib.sh
