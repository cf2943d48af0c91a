# devices/: the host's network devices over netlink (taps, veths,
# namespaces) and the worker thread that runs those calls off the loop.
libguestnet_a_SOURCES += \
	devices/dev-worker.c \
	devices/netdev.c \
	devices/netdev-host.c \
	devices/netdev-nl.c \
	devices/netdev-private.h
