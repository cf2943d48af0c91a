/* gn-limits.c: noisy-neighbour limits: parsing, formatting and merging
 * (see include/gn-limits.h). */
#include <config.h>

#include "gn-limits.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const gn_limit_names[GN_N_LIMITS] = {
#define LIMIT(ENUM, NAME) NAME,
    GN_LIMITS
#undef LIMIT
};

const char *
gn_limit_name(enum gn_limit limit)
{
    return limit < GN_N_LIMITS ? gn_limit_names[limit] : "?";
}

const char *
gn_limit_source_name(enum gn_limit_source source)
{
    return (source == GN_LIMIT_FROM_PORT ? "port"
            : source == GN_LIMIT_FROM_NETWORK ? "network" : "default");
}

bool
gn_limit_is_pps(enum gn_limit limit)
{
    return limit == GN_LIMIT_EGRESS_PPS || limit == GN_LIMIT_INGRESS_PPS;
}

/* Returns the lowest value member 'limit' may have. */
static unsigned int
gn_limit_min__(enum gn_limit limit)
{
    return limit == GN_LIMIT_BURST_MS ? 1 : 0;
}

/* Returns the highest value member 'limit' may have. */
static unsigned int
gn_limit_max__(enum gn_limit limit)
{
    return (limit == GN_LIMIT_BURST_MS ? GN_LIMITS_BURST_MS_MAX
            : GN_LIMITS_RATE_MAX);
}

/* Returns the limit named 'name', or GN_N_LIMITS. */
static enum gn_limit
gn_limit_find__(const char *name, size_t len)
{
    for (int i = 0; i < GN_N_LIMITS; i++) {
        if (strlen(gn_limit_names[i]) == len
            && !strncmp(gn_limit_names[i], name, len)) {
            return i;
        }
    }
    return GN_N_LIMITS;
}

/* Returns the names of all members, for error messages.  Caller frees. */
static char *
gn_limits_names__(void)
{
    struct gn_buf s = GN_BUF_INIT;
    char *names;

    for (int i = 0; i < GN_N_LIMITS; i++) {
        gn_buf_printf(&s, "%s%s", i ? ", " : "", gn_limit_names[i]);
    }
    names = gn_xstrdup(gn_buf_cstr(&s));
    gn_buf_destroy(&s);
    return names;
}

char *
gn_limits_from_json(const json_t *j, const char *path,
                    struct gn_limits *limits, unsigned int *cleared)
{
    const char *key;
    json_t *value;

    memset(limits, 0, sizeof *limits);
    if (cleared) {
        *cleared = 0;
    }
    if (!json_is_object(j)) {
        return gn_xasprintf("%s: expected an object of limits", path);
    }
    json_object_foreach((json_t *) j, key, value) {
        enum gn_limit limit = gn_limit_find__(key, strlen(key));
        unsigned int min, max;

        if (limit == GN_N_LIMITS) {
            char *names = gn_limits_names__();
            char *error = gn_xasprintf("%s.%s: unknown limit (known: %s)",
                                       path, key, names);

            free(names);
            return error;
        }
        if (json_is_null(value) && cleared) {
            *cleared |= 1u << limit;
            continue;
        }
        min = gn_limit_min__(limit);
        max = gn_limit_max__(limit);
        if (!json_is_integer(value) || json_integer_value(value) < min
            || json_integer_value(value) > max) {
            char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
            char *error = gn_xasprintf("%s.%s: %s is not a %s (an integer "
                                       "%u-%u%s)", path, key,
                                       text ? text : "value",
                                       limit == GN_LIMIT_BURST_MS
                                       ? "burst in milliseconds"
                                       : gn_limit_is_pps(limit)
                                       ? "rate in packets a second"
                                       : "rate in kbit/s",
                                       min, max,
                                       limit == GN_LIMIT_BURST_MS ? ""
                                       : ", 0 for no limit");

            free(text);
            return error;
        }
        limits->value[limit] = json_integer_value(value);
        limits->set |= 1u << limit;
    }
    return NULL;
}

json_t *
gn_limits_to_json(const struct gn_limits *limits)
{
    json_t *j = json_object();

    for (int i = 0; i < GN_N_LIMITS; i++) {
        if (limits->set & (1u << i)) {
            json_object_set_new(j, gn_limit_names[i],
                                json_integer(limits->value[i]));
        }
    }
    return j;
}

char *
gn_limits_format(const struct gn_limits *limits)
{
    struct gn_buf s = GN_BUF_INIT;
    char *text;

    for (int i = 0; i < GN_N_LIMITS; i++) {
        if (limits->set & (1u << i)) {
            gn_buf_printf(&s, "%s%s=%u", s.len ? "," : "", gn_limit_names[i],
                          limits->value[i]);
        }
    }
    text = gn_xstrdup(gn_buf_cstr(&s));
    gn_buf_destroy(&s);
    return text;
}

bool
gn_limits_parse(const char *s, struct gn_limits *limits)
{
    bool ok = true;

    memset(limits, 0, sizeof *limits);
    while (s && *s) {
        size_t len = strcspn(s, ",");
        const char *eq = memchr(s, '=', len);
        enum gn_limit limit = (eq ? gn_limit_find__(s, eq - s)
                               : GN_N_LIMITS);
        unsigned long long n = 0;
        char *end = NULL;

        if (limit != GN_N_LIMITS && eq[1] >= '0' && eq[1] <= '9') {
            errno = 0;
            n = strtoull(eq + 1, &end, 10);
        }
        if (limit == GN_N_LIMITS || !end || end != s + len || errno
            || n < gn_limit_min__(limit) || n > gn_limit_max__(limit)) {
            ok = false;
        } else {
            limits->value[limit] = n;
            limits->set |= 1u << limit;
        }
        s += len + (s[len] == ',');
    }
    return ok;
}

void
gn_limits_effective(const struct gn_limits *port,
                    const struct gn_limits *net, struct gn_limits *eff,
                    enum gn_limit_source from[GN_N_LIMITS])
{
    memset(eff, 0, sizeof *eff);
    for (int i = 0; i < GN_N_LIMITS; i++) {
        enum gn_limit_source source = GN_LIMIT_FROM_DEFAULT;
        unsigned int bit = 1u << i;

        if (port && port->set & bit) {
            eff->value[i] = port->value[i];
            source = GN_LIMIT_FROM_PORT;
        } else if (net && net->set & bit) {
            eff->value[i] = net->value[i];
            source = GN_LIMIT_FROM_NETWORK;
        } else {
            eff->value[i] = (i == GN_LIMIT_BURST_MS
                             ? GN_LIMITS_BURST_MS_DEFAULT : 0);
        }
        eff->set |= bit;
        if (from) {
            from[i] = source;
        }
    }
}

unsigned int
gn_limits_burst(const struct gn_limits *eff, enum gn_limit limit)
{
    uint64_t rate = eff->value[limit];
    uint64_t burst = rate * eff->value[GN_LIMIT_BURST_MS] / 1000;
    uint64_t min = gn_limit_is_pps(limit) ? 1 : GN_LIMITS_MIN_BURST_KBIT;

    if (!rate || limit == GN_LIMIT_BURST_MS) {
        return 0;
    }
    return burst < min ? min : burst > UINT32_MAX ? UINT32_MAX : burst;
}
