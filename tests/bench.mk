# tests/bench.mk: the benchmarks of bench/ run at a small scale, so that
# they keep working (included from tests/automake.mk).
INTEGRATION_TESTS += tests/bench-smoke.sh
