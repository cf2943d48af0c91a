/* test-limits.c: unit tests of gn-limits: a port's own limits as the API
 * gives them and as OVSDB stores them, parsed strictly or leniently, how
 * they merge with its network's, and the bursts they give. */
#include <config.h>

#include "gn-limits.h"

#include <stdlib.h>
#include <string.h>

#include "test-util.h"

/* A port's own limits as stored in OVSDB, and how they merge with its
 * network's. */
static void
test_stored_limits_merge(void)
{
    struct gn_limits own, net, eff;
    enum gn_limit_source from[GN_N_LIMITS];
    char *text;

    CHECK(gn_limits_parse("egress_kbps=50000,ingress_pps=0", &own));
    text = gn_limits_format(&own);
    CHECK_STREQ(text, "egress_kbps=50000,ingress_pps=0");
    free(text);
    CHECK(!gn_limits_parse("egress_kbps=x,bogus=1,burst_ms=0,"
                           "ingress_kbps=7", &net));
    CHECK(net.set == 1u << GN_LIMIT_INGRESS_KBPS);
    net.value[GN_LIMIT_EGRESS_KBPS] = 9;
    net.set |= 1u << GN_LIMIT_EGRESS_KBPS;
    gn_limits_effective(&own, &net, &eff, from);
    CHECK(eff.value[GN_LIMIT_EGRESS_KBPS] == 50000
          && from[GN_LIMIT_EGRESS_KBPS] == GN_LIMIT_FROM_PORT);
    CHECK(eff.value[GN_LIMIT_INGRESS_KBPS] == 7
          && from[GN_LIMIT_INGRESS_KBPS] == GN_LIMIT_FROM_NETWORK);
    CHECK(eff.value[GN_LIMIT_INGRESS_PPS] == 0
          && from[GN_LIMIT_INGRESS_PPS] == GN_LIMIT_FROM_PORT);
    CHECK(eff.value[GN_LIMIT_BURST_MS] == GN_LIMITS_BURST_MS_DEFAULT
          && from[GN_LIMIT_BURST_MS] == GN_LIMIT_FROM_DEFAULT);
    /* Bursts: the rate's traffic of burst_ms, at least 64 kbit or 1
     * packet. */
    eff.value[GN_LIMIT_BURST_MS] = 200;
    CHECK(gn_limits_burst(&eff, GN_LIMIT_EGRESS_KBPS) == 10000);
    CHECK(gn_limits_burst(&eff, GN_LIMIT_INGRESS_KBPS) == 64);
    CHECK(gn_limits_burst(&eff, GN_LIMIT_INGRESS_PPS) == 0);
    eff.value[GN_LIMIT_EGRESS_PPS] = 3;
    CHECK(gn_limits_burst(&eff, GN_LIMIT_EGRESS_PPS) == 1);
}

/* The API's form: nulls only where allowed, every member checked and
 * named. */
static void
test_json_limits_checked(void)
{
    struct gn_limits l;
    unsigned int cleared;
    json_t *j = json_pack("{s:i, s:n}", "egress_pps", 7, "burst_ms");
    char *error;

    error = gn_limits_from_json(j, "limits", &l, &cleared);
    CHECK(!error);
    CHECK(l.set == 1u << GN_LIMIT_EGRESS_PPS
          && l.value[GN_LIMIT_EGRESS_PPS] == 7);
    CHECK(cleared == 1u << GN_LIMIT_BURST_MS);
    free(error);
    error = gn_limits_from_json(j, "limits", &l, NULL);
    CHECK(error && strstr(error, "limits.burst_ms: null"));
    free(error);
    json_decref(j);

    j = json_pack("{s:f}", "ingress_kbps", 1.5);
    error = gn_limits_from_json(j, "x", &l, &cleared);
    CHECK(error
          && strstr(error, "x.ingress_kbps: 1.5 is not a rate in kbit/s"));
    free(error);
    json_decref(j);

    j = json_pack("[i]", 1);
    error = gn_limits_from_json(j, "limits", &l, NULL);
    CHECK(error && strstr(error, "limits: expected an object"));
    free(error);
    json_decref(j);
}

int
main(void)
{
    TEST_RUN("limits/stored-limits-merge", test_stored_limits_merge);
    TEST_RUN("limits/json-limits-checked", test_json_limits_checked);
    return test_done();
}
