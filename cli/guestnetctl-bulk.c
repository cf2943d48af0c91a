/* guestnetctl-bulk.c: "port add-many FILE", which adds the ports a JSON
 * file lists in one request (POST /v1/ports with {"ports": [...]}, see
 * doc/api.md) and prints what became of each. */
#include <config.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gn-util.h"
#include "guestnetctl-private.h"

/* Reads 'file' ("-": standard input): a JSON array of ports, or an object
 * {"ports": [...]}.  Returns the request body (new reference) or exits
 * with a usage error. */
static json_t *
bulk_read__(const char *file)
{
    json_error_t jerr;
    json_t *j, *body;

    j = (!strcmp(file, "-") ? json_loadf(stdin, JSON_REJECT_DUPLICATES,
                                         &jerr)
                            : json_load_file(file, JSON_REJECT_DUPLICATES,
                                             &jerr));
    if (!j) {
        usage_error("port add-many: %s: %s (line %d)",
                    !strcmp(file, "-") ? "standard input" : file, jerr.text,
                    jerr.line);
    }
    if (json_is_array(j)) {
        body = json_pack("{s:o}", "ports", j);
    } else if (json_is_object(j) && json_object_get(j, "ports")) {
        body = j;
    } else {
        json_decref(j);
        usage_error("port add-many: %s: expected a JSON array of ports or "
                    "an object {\"ports\": [...]}", file);
    }
    return body;
}

int
cmd_port_add_many(int argc, char *argv[])
{
    const char *path = "/v1/ports";
    const char *file = NULL;
    json_t *body, *answer, *item;
    int status, rc = 0;
    size_t i;

    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--no-wait")) {
            path = "/v1/ports?wait=false";
        } else if (!file && (argv[k][0] != '-' || !strcmp(argv[k], "-"))) {
            file = argv[k];
        } else {
            usage_error("port add-many: unexpected \"%s\"", argv[k]);
        }
    }
    if (!file) {
        usage_error("port add-many: expected a FILE (\"-\": standard "
                    "input)");
    }
    body = bulk_read__(file);
    answer = request("POST", path, body, &status);
    json_decref(body);
    if (status != 200 && status != 207) {
        refuse(status, answer, NULL);
    }
    json_array_foreach (json_object_get(answer, "ports"), i, item) {
        int s = (int) json_integer_value(json_object_get(item, "status"));

        if (s >= 500) {
            rc = EXIT_FAILED;
        } else if (s >= 300 && !rc) {
            rc = EXIT_REFUSED;
        }
    }
    if (json_output) {
        print_json(answer);
    } else {
        json_array_foreach (json_object_get(answer, "ports"), i, item) {
            const json_t *err = json_object_get(item, "error");
            const json_t *port = json_object_get(item, "port");
            int s = (int) json_integer_value(json_object_get(item,
                                                             "status"));

            if (err) {
                printf("%-16s %d %s\n", str(item, "name"), s,
                       str(err, "message"));
            } else {
                char *ofport = scalar(port, "ofport");
                printf("%-16s %d %s ofport %s\n", str(item, "name"), s,
                       s == 202 ? "committed" : "added", ofport);
                free(ofport);
            }
        }
        printf("%lld added, %lld failed\n",
               (long long) json_integer_value(json_object_get(answer,
                                                              "added")),
               (long long) json_integer_value(json_object_get(answer,
                                                              "failed")));
    }
    json_decref(answer);
    return rc;
}
