# include/: headers shared between guestnet's modules, by the folder that
# implements them.
# lib/
noinst_HEADERS += include/dhcp.h include/dhcp6.h include/gn-config.h \
	include/gn-limits.h include/gn-log.h include/ip6-frame.h include/ra.h \
	include/gn-util.h \
	include/loop-lag.h include/netaddr.h
# ovsdb/
noinst_HEADERS += include/jsonrpc.h include/jsonrpc-remote.h \
	include/jsonrpc-session.h \
	include/ovsdb-replica.h include/ovsdb-server-db.h include/ovsdb-txn.h
# flows/
noinst_HEADERS += include/flow-codec.h include/flow-table.h \
	include/meter-table.h include/ofctrl.h include/pipeline.h
# devices/
noinst_HEADERS += include/dev-worker.h include/netdev.h
# engine/
noinst_HEADERS += include/bridge.h include/engine.h include/port-view.h \
	include/ports.h
# api/ and cli/
noinst_HEADERS += include/api.h include/api-report.h include/api-request.h \
	include/api-trace.h \
	include/http-client.h
# daemon/: in daemon/automake.mk
