# api/: the HTTP/JSON API server on a unix socket (routing, validation,
# handlers), its reports (status, flows, metrics) and packet traces.
libguestnet_a_SOURCES += \
	api/api.c \
	api/api-bulk.c \
	api/api-conn.c \
	api/api-handlers.c \
	api/api-request.c \
	api/api-private.h \
	api/api-report.c \
	api/api-trace.c
