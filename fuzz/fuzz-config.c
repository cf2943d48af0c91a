/* fuzz-config: the config file's parser (lib/gn-config.c) on arbitrary
 * JSON: a config it accepts turns back into JSON that it accepts again. */
#include <config.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "gn-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *json = json_loadb((const char *) data, size,
                              JSON_REJECT_DUPLICATES, NULL);
    struct gn_config *cfg = NULL;
    char *error;

    if (!json) {
        return 0;
    }
    error = gn_config_from_json(json, &cfg);
    json_decref(json);
    if (!error) {
        struct gn_config *again = NULL;
        json_t *back = gn_config_to_json(cfg);

        error = gn_config_from_json(back, &again);
        if (error) {
            abort();            /* What it wrote, it must read. */
        }
        json_decref(back);
        gn_config_destroy(again);
    }
    free(error);
    gn_config_destroy(cfg);
    return 0;
}
