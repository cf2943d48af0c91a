# scripts/: set-up, the OVS sandbox, the demo and the test entry point.
dist_noinst_SCRIPTS += \
	scripts/build-ovs.sh \
	scripts/setup.sh \
	scripts/build.sh \
	scripts/test.sh \
	scripts/gn-sandbox \
	scripts/check-layering \
	scripts/fuzz.sh
