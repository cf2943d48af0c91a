/* guestnetctl-limits.c: the CLI's noisy-neighbour limits: the options
 * that state them (port add, port limit), "port limit NAME", and how a
 * port's limits are printed.  Rates are given as an operator writes them
 * (100mbit, 512kbit, 1gbit, or a number of kbit/s), packet rates and
 * bursts as numbers; "none" means no limit (0), "default" drops the
 * port's own value so its network's applies. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gn-limits.h"
#include "gn-util.h"
#include "guestnetctl-private.h"

static const struct option limits_options[] = {
    LIMITS_OPTIONS
    { NULL, 0, NULL, 0 },
};

/* Returns the value of 'arg' for the limit of option 'opt' ("--egress"),
 * in kbit/s if 'kbps': a new JSON integer, or null for "default".  Exits
 * with a usage error if it is none of those. */
static json_t *
limits_value__(const char *opt, const char *arg, bool kbps)
{
    static const struct {
        const char *suffix;
        double kbit;
    } units[] = {
        { "gbit", 1e6 }, { "mbit", 1e3 }, { "kbit", 1 }, { "bit", 1e-3 },
    };
    double n, scale = 1;
    char *end;

    if (!strcmp(arg, "default")) {
        return json_null();
    } else if (!strcmp(arg, "none")) {
        return json_integer(0);
    }
    errno = 0;
    n = strtod(arg, &end);
    if (end == arg || errno || n < 0) {
        usage_error("--%s: \"%s\" is not a %s, \"none\" or \"default\"",
                    opt, arg, kbps ? "rate (100mbit, 512kbit, 1gbit)"
                                   : "number");
    }
    if (*end) {
        size_t i;

        for (i = 0; kbps && i < GN_ARRAY_SIZE(units); i++) {
            if (!strcasecmp(end, units[i].suffix)) {
                scale = units[i].kbit;
                break;
            }
        }
        if (!kbps || i == GN_ARRAY_SIZE(units)) {
            usage_error("--%s: \"%s\": unknown unit \"%s\"%s", opt, arg, end,
                        kbps ? " (bit, kbit, mbit, gbit)" : "");
        }
    } else if (!kbps && n != (long long) n) {
        usage_error("--%s: \"%s\" is not a whole number", opt, arg);
    }
    n *= scale;
    if (n > GN_LIMITS_RATE_MAX) {
        usage_error("--%s: \"%s\" is more than %u%s", opt, arg,
                    GN_LIMITS_RATE_MAX, kbps ? " kbit/s" : "");
    }
    /* A rate below 1 kbit/s but not 0 is 1 kbit/s, not "no limit". */
    return json_integer(n > 0 && n < 1 ? 1 : (json_int_t) (n + 0.5));
}

void
limits_option(json_t *limits, int c, const char *arg)
{
    const struct option *o = &limits_options[c - LIMITS_OPT_EGRESS];
    static const enum gn_limit limit_of[] = {
        GN_LIMIT_EGRESS_KBPS, GN_LIMIT_INGRESS_KBPS, GN_LIMIT_EGRESS_PPS,
        GN_LIMIT_INGRESS_PPS, GN_LIMIT_BURST_MS,
    };
    enum gn_limit limit = limit_of[c - LIMITS_OPT_EGRESS];

    json_object_set_new(limits, gn_limit_name(limit),
                        limits_value__(o->name, arg,
                                       c == LIMITS_OPT_EGRESS
                                       || c == LIMITS_OPT_INGRESS));
}

void
limits_put(json_t *req, json_t *limits)
{
    if (json_object_size(limits)) {
        json_object_set(req, "limits", limits);
    }
    json_decref(limits);
}

/* Prints rate 'v' of limit 'limit' ("50 Mbit/s", "none"). */
static void
limits_print_rate__(enum gn_limit limit, json_int_t v)
{
    if (!v) {
        printf("none");
    } else if (limit == GN_LIMIT_BURST_MS) {
        printf("%lld ms", (long long) v);
    } else if (gn_limit_is_pps(limit)) {
        printf("%lld packets/s", (long long) v);
    } else if (v >= 1000000 && v % 1000 == 0) {
        printf("%g Gbit/s", v / 1e6);
    } else if (v >= 1000) {
        printf("%g Mbit/s", v / 1e3);
    } else {
        printf("%lld kbit/s", (long long) v);
    }
}

void
limits_print(const json_t *port)
{
    const json_t *limits = json_object_get(port, "limits");
    const json_t *from = json_object_get(limits, "from");

    if (!json_is_object(limits)) {
        return;
    }
    printf("  limits (from the guest's side):\n");
    for (int i = 0; i < GN_N_LIMITS; i++) {
        const char *name = gn_limit_name(i);
        const json_t *v = json_object_get(limits, name);

        if (!json_is_integer(v)) {
            continue;
        }
        printf("    %-16s ", name);
        limits_print_rate__(i, json_integer_value(v));
        printf(" (%s)\n", str(from, name));
    }
}

int
cmd_port_limit(int argc, char *argv[])
{
    json_t *limits = json_object();
    json_t *answer;
    char *path;
    int c;

    optind = 0;
    while ((c = getopt_long(argc, argv, "", limits_options, NULL))
           != -1) {
        if (c < LIMITS_OPT_EGRESS || c > LIMITS_OPT_BURST_MS) {
            exit(EXIT_USAGE);
        }
        limits_option(limits, c, optarg);
    }
    if (optind != argc - 1) {
        usage_error("port limit: expected one port NAME");
    }
    if (!json_object_size(limits)) {
        usage_error("port limit: expected at least one of --egress, "
                    "--ingress, --egress-pps, --ingress-pps, --burst-ms");
    }
    path = gn_xasprintf("/v1/ports/%s/limits",
                        url_safe_name("port", argv[optind]));
    answer = call("POST", path, limits);
    free(path);
    json_decref(limits);
    if (json_output) {
        print_json(answer);
    } else {
        printf("port %s\n", str(answer, "name"));
        limits_print(answer);
    }
    json_decref(answer);
    return 0;
}
