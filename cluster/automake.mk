# cluster/: cluster mode: the networks, rules and port registry of every
# host in the "Guestnet" database of a clustered ovsdb-server, and its
# schema, installed for ovsdb-tool create-cluster and ovsdb-client convert.
libguestnet_a_SOURCES += \
	cluster/cluster.c \
	cluster/cluster-edit.c \
	cluster/cluster-ipam.c \
	cluster/cluster-ll.c \
	cluster/cluster-migrate.c \
	cluster/cluster-policy.c \
	cluster/cluster-ports.c \
	cluster/cluster-remote.c \
	cluster/cluster-repair.c \
	cluster/cluster-private.h
noinst_HEADERS += include/cluster.h
dist_pkgdata_DATA = cluster/guestnet.ovsschema
