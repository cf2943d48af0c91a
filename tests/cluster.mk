# tests/cluster.mk: tests of cluster mode (included from tests/automake.mk):
# the clustered Guestnet database on a 3-member Raft cluster, and hosts
# (each a private OVS and guestnetd in a network namespace) joined by a
# fabric bridge.  tests/cluster-lib.sh holds their helpers.
INTEGRATION_TESTS += \
	tests/cluster-db.sh \
	tests/cluster-dhcp.sh \
	tests/cluster-dhcp6.sh \
	tests/cluster-fabric.sh \
	tests/cluster-ops.sh \
	tests/cluster-failover.sh \
	tests/cluster-hostile.sh \
	tests/cluster-link-local.sh \
	tests/cluster-undeclared.sh \
	tests/cluster-migration.sh \
	tests/cluster-policy.sh \
	tests/cluster-qemu-migration.sh \
	tests/cluster-registry.sh \
	tests/cluster-routing.sh \
	tests/cluster-routing6.sh \
	tests/cluster-schema.sh
EXTRA_DIST += tests/cluster-lib.sh tests/cluster/guestnet-1.2.ovsschema
