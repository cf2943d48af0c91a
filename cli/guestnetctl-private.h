/* guestnetctl-private.h: what guestnetctl's source files share.
 * guestnetctl.c owns main(), the global options, the exit codes, the
 * request and error helpers and the small formatting helpers below;
 * guestnetctl-cluster.c owns the cluster commands, which guestnetctl.c
 * dispatches to through cluster_command(). */
#ifndef GUESTNETCTL_PRIVATE_H
#define GUESTNETCTL_PRIVATE_H 1

#include <jansson.h>
#include <stdbool.h>

#include "gn-util.h"

/* Exit codes (0 is done). */
enum {
    EXIT_REFUSED = 1,           /* 4xx, or an invalid config file. */
    EXIT_USAGE = 2,
    EXIT_UNREACHABLE = 3,
    EXIT_FAILED = 4,            /* 5xx, malformed answer or timeout. */
};

extern bool json_output;        /* --json: print JSON instead of tables. */
extern bool cluster_option;     /* --cluster: ask for the whole cluster. */

/* Prints "PROGRAM: MESSAGE (try --help)" and exits with EXIT_USAGE. */
void usage_error(const char *fmt, ...) GN_PRINTF(1, 2) GN_NORETURN;

/* Member 'key' of 'obj' if it is a string, else "-". */
const char *str(const json_t *obj, const char *key);
/* Member 'key' of 'obj' formatted for tables (malloc'd): strings as they
 * are, integers in decimal, booleans "yes"/"no", anything else "-". */
char *scalar(const json_t *obj, const char *key);
/* Returns 'name' if it can stand in a URL path as it is; otherwise a
 * usage error names it as a 'what' name ("port", "host", ...).  Names are
 * not percent-encoded: the daemon validates them. */
const char *url_safe_name(const char *what, const char *name);

/* Sends 'method' 'path' with 'body' (may be NULL) and returns the parsed
 * JSON answer (new reference), storing the HTTP status in '*status'.
 * Exits, after printing why, when guestnetd is unreachable, times out or
 * answers anything but JSON. */
json_t *request(const char *method, const char *path, const json_t *body,
                int *status);
/* Prints a refused request's error (with --json also 'answer' on stdout)
 * and exits: EXIT_FAILED for a 5xx 'status', else EXIT_REFUSED.  Prints
 * 'message' if nonnull, else the message in 'answer'. */
void refuse(int status, const json_t *answer, const char *message)
    GN_NORETURN;
/* request(), then refuse() any status from 400 up; returns the answer
 * (new reference). */
json_t *call(const char *method, const char *path, const json_t *body);

/* Prints 'j' indented, keys sorted, for --json. */
void print_json(const json_t *j);

/* guestnetctl-bulk.c: "port add-many FILE [--no-wait]" (argv[0] is
 * "add-many"); returns the exit code: 0 if every port was added,
 * EXIT_REFUSED if one was refused, EXIT_FAILED if one failed (5xx). */
int cmd_port_add_many(int argc, char *argv[]);

/* guestnetctl-cluster.c. */

/* Prints the cluster commands' part of --help. */
void cluster_usage(void);
/* Runs argv[0...] if it is a cluster command ("cluster ...", "network
 * add|set|del", "rule ...", or "status", "port list|show" and "network
 * list|show" with --cluster) and returns its exit code; returns -1 for
 * any other command. */
int cluster_command(int argc, char *argv[]);

/* guestnetctl-limits.c: the options of a port's limits, for getopt_long()
 * arrays (port add, port limit), with codes above those of the other
 * options. */
enum {
    LIMITS_OPT_EGRESS = 1000,
    LIMITS_OPT_INGRESS,
    LIMITS_OPT_EGRESS_PPS,
    LIMITS_OPT_INGRESS_PPS,
    LIMITS_OPT_BURST_MS,
};
#define LIMITS_OPTIONS                                                  \
    { "egress", required_argument, NULL, LIMITS_OPT_EGRESS },           \
    { "ingress", required_argument, NULL, LIMITS_OPT_INGRESS },         \
    { "egress-pps", required_argument, NULL, LIMITS_OPT_EGRESS_PPS },   \
    { "ingress-pps", required_argument, NULL, LIMITS_OPT_INGRESS_PPS }, \
    { "burst-ms", required_argument, NULL, LIMITS_OPT_BURST_MS },

/* Sets in 'limits' (a JSON object) the member of the limit option 'c'
 * (LIMITS_OPT_*) given as 'arg'; exits with a usage error if 'arg' is not
 * valid. */
void limits_option(json_t *limits, int c, const char *arg);
/* The case labels of the limit options, for a switch over getopt_long()'s
 * answer. */
#define LIMITS_CASES                                                    \
    case LIMITS_OPT_EGRESS: case LIMITS_OPT_INGRESS:                    \
    case LIMITS_OPT_EGRESS_PPS: case LIMITS_OPT_INGRESS_PPS:            \
    case LIMITS_OPT_BURST_MS
/* Sets 'limits' (taken) as member "limits" of 'req' unless it is empty. */
void limits_put(json_t *req, json_t *limits);
/* Prints the "limits" of the port 'port' (an API answer), if it has
 * them. */
void limits_print(const json_t *port);
/* "port limit NAME OPTION...": 'argv[0]' is "limit". */
int cmd_port_limit(int argc, char *argv[]);

#endif /* guestnetctl-private.h */
