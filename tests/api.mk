# tests/api.mk: tests of guestnetd's API and guestnetctl against a real OVS
# (included from tests/automake.mk).
INTEGRATION_TESTS += \
	tests/api-endpoints.sh \
	tests/api-access.sh \
	tests/api-hostile.sh \
	tests/api-bulk.sh

EXTRA_DIST += tests/api-lib.sh tests/api-clients.py

# api-request: query strings, bodies and POST /v1/ports options, without
# I/O.
UNIT_TESTS += tests/test-api-request
tests_test_api_request_CFLAGS = $(GN_TEST_CFLAGS)
