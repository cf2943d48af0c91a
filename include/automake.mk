# include/: headers shared between guestnet's modules.
noinst_HEADERS += \
	include/flow-codec.h \
	include/gn-log.h \
	include/gn-util.h
