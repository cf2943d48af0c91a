/* test-symbol-clash.c: jansson and libopenvswitch in one binary.
 *
 * Both libraries export json_object(), json_array(), ...  If guestnet's
 * build left one of those names shared, jansson's json_object() below would
 * land in OVS's accessor and abort, so this program fails. */
#include <config.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flow-codec.h"
#include "symbol-clash-ovs.h"
#include "test-util.h"

static void
test_jansson_works(void)
{
    json_t *obj = json_object();
    json_t *arr = json_array();
    char *text;

    CHECK(obj && json_is_object(obj));
    CHECK(arr && json_is_array(arr));
    json_array_append_new(arr, json_integer(7));
    json_array_append_new(arr, json_real(0.5));
    json_object_set_new(obj, "a", arr);
    json_object_set_new(obj, "s", json_string("x"));
    text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    CHECK_STREQ(text, "{\"a\":[7,0.5],\"s\":\"x\"}");
    CHECK(json_equal(obj, obj));
    free(text);
    json_decref(obj);
}

static void
test_ovs_json_works(void)
{
    CHECK(symbol_clash_ovs_object_size("{\"a\": 1, \"b\": [2]}") == 2);
    CHECK(symbol_clash_ovs_object_size("[1]") == -1);
}

static void
test_ovs_openflow_codec_works(void)
{
    void *msg;
    size_t len;
    char *error, *text;

    error = flow_codec_encode_flow_mod(
        "priority=100,in_port=1,dl_src=52:54:00:00:00:01 actions=drop",
        FLOW_CODEC_ADD, 4, &msg, &len);
    CHECK(!error);
    CHECK(len > 16);
    if (!error) {
        text = flow_codec_to_string(msg, len);
        CHECK(text && strstr(text, "OFPT_FLOW_MOD (OF1.3)"));
        CHECK(text && strstr(text, "dl_src=52:54:00:00:00:01"));
        free(text);
        free(msg);
    }
    free(error);

    error = flow_codec_encode_flow_mod("priority=1,no_such_field=3 "
                                       "actions=drop",
                                       FLOW_CODEC_ADD, 4, &msg, &len);
    CHECK(error && strstr(error, "no_such_field"));
    CHECK(!msg && !len);
    free(error);
}

/* No global name is defined both by the linked copy of libopenvswitch and
 * by libjansson.so. */
static void
test_no_shared_names(void)
{
    char script[] = "/tmp/gn-symbol-clash-XXXXXX";
    char line[256];
    int shared = 0;
    FILE *f, *p;
    int fd;

    fd = mkstemp(script);
    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    f = fdopen(fd, "w");
    fprintf(f,
            "set -o pipefail\n"
            "comm -12 "
            "<(nm -g --defined-only %s/*.a | awk 'NF == 3 {print $3}' "
            "  | sort -u) "
            "<(nm -D --defined-only %s | awk 'NF == 3 {print $3}' "
            "  | sed 's/@.*//' | sort -u)\n",
            OVS_LIB_DIR, JANSSON_SO);
    fclose(f);

    snprintf(line, sizeof line, "bash %s", script);
    p = popen(line, "r");
    CHECK(p != NULL);
    while (p && fgets(line, sizeof line, p)) {
        fprintf(stderr, "shared name left: %s", line);
        shared++;
    }
    CHECK(p && pclose(p) == 0);
    unlink(script);
    CHECK(shared == 0);
}

int
main(void)
{
    TEST_RUN("symbol-clash/jansson-json-object-works", test_jansson_works);
    TEST_RUN("symbol-clash/ovs-json-object-works", test_ovs_json_works);
    TEST_RUN("symbol-clash/ovs-openflow-codec-works",
             test_ovs_openflow_codec_works);
    TEST_RUN("symbol-clash/no-shared-global-names", test_no_shared_names);
    return test_done();
}
