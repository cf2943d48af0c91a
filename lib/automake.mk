# lib/: the code every layer uses (logging, small utilities, address
# parsing, the config model and its parser).  It includes nothing of
# guestnet's above it.
libguestnet_a_SOURCES += \
	lib/dhcp.c \
	lib/dhcp6.c \
	lib/gn-config.c \
	lib/gn-config-json.c \
	lib/gn-config-private.h \
	lib/gn-limits.c \
	lib/gn-log.c \
	lib/gn-util.c \
	lib/ip6-frame.c \
	lib/loop-lag.c \
	lib/netaddr.c \
	lib/ra.c
