# include/: headers shared between guestnet's modules.
noinst_HEADERS += \
	include/api.h \
	include/api-report.h \
	include/api-trace.h \
	include/bridge.h \
	include/dev-worker.h \
	include/engine.h \
	include/flow-codec.h \
	include/flow-table.h \
	include/gn-config.h \
	include/gn-log.h \
	include/gn-util.h \
	include/http-client.h \
	include/jsonrpc-session.h \
	include/jsonrpc.h \
	include/loop-lag.h \
	include/meter-table.h \
	include/netaddr.h \
	include/netdev.h \
	include/ofctrl.h \
	include/ovsdb-replica.h \
	include/ovsdb-txn.h \
	include/pipeline.h \
	include/port-view.h \
	include/ports.h
