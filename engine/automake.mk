# engine/: the reconcile core of guestnetd: the engine (one step from
# config, OVSDB replica and queued requests to one OVSDB transaction and
# one flow bundle), the bridge planner, guest ports and the port view.
libguestnet_a_SOURCES += \
	engine/bridge.c \
	engine/engine.c \
	engine/engine-dhcp.c \
	engine/engine-dhcp6.c \
	engine/engine-ipam.c \
	engine/engine-limits.c \
	engine/engine-learn.c \
	engine/engine-ll.c \
	engine/engine-ofport.c \
	engine/engine-ops.c \
	engine/engine-private.h \
	engine/engine-remote.c \
	engine/engine-snoop.c \
	engine/engine-spoof.c \
	engine/engine-status.c \
	engine/engine-sweep.c \
	engine/port-spec.c \
	engine/ports.c \
	engine/ports-private.h \
	engine/port-view.c
