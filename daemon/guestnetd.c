/* guestnetd.c: main() of the guestnet daemon.  Orchestration only: parse
 * the command line, read the config, wire the engine and the API onto one
 * libevent loop, tell systemd how it goes (readiness, notify), and handle
 * signals. */
#include <config.h>

#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "cluster.h"
#include "engine.h"
#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "loop-lag.h"
#include "notify.h"
#include "readiness.h"

GN_LOG_MODULE(guestnetd);

#define DEFAULT_CONFIG "/etc/guestnet/guestnet.json"
#define DEFAULT_SOCKET "/run/guestnet/guestnetd.sock"
#define DEFAULT_STATE_DIR "/var/lib/guestnet"

struct options {
    const char *config;
    char *ovsdb;
    const char *ovs_rundir;
    const char *socket;
    const char *log_file;
    const char *pidfile;
    const char *socket_group;
    const char *admin_group;
    const char *metrics_listen;
    int request_timeout_s;
    int apply_timeout_s;
    unsigned int max_clients;
    const char *cluster;
    const char *state_dir;
    int migration_timeout_s;
    int spoofing_pps;           /* -1: the engine's default. */
    int spoofing_quiet_s;       /* 0: the engine's default. */
};

/* What SIGHUP acts on. */
struct guestnetd {
    struct engine *engine;
    struct cluster *cluster;    /* NULL unless in cluster mode. */
    struct readiness *readiness;
};

static void
usage(void)
{
    printf("%s: per-host Open vSwitch controller for KVM and LXC guests\n"
           "usage: %s [OPTIONS]\n"
           "  -c, --config=FILE       config file (default %s)\n"
           "      --ovsdb=REMOTE      ovsdb-server (default "
           "unix:RUNDIR/db.sock)\n"
           "      --cluster=REMOTES   cluster mode: networks, rules and "
           "ports in the\n"
           "                          clustered database at REMOTES "
           "(unix:PATH,\n"
           "                          tcp:IP:PORT, comma-separated)\n"
           "      --state-dir=DIR     cluster mode's system-id and policy "
           "cache\n"
           "                          (default %s)\n"
           "      --migration-timeout=SECS  cluster mode: how long a live "
           "migration's\n"
           "                          destination waits for its guest "
           "(default 60)\n"
           "      --ovs-rundir=DIR    OVS run directory, holding "
           "BRIDGE.mgmt (default\n"
           "                          $OVS_RUNDIR or /var/run/openvswitch)\n"
           "  -s, --socket=PATH       API socket (default %s)\n"
           "      --socket-group=GRP  group that may read the API\n"
           "      --admin-group=GRP   group that may also change things\n"
           "      --metrics-listen=IP:PORT  also serve /metrics and "
           "/v1/health on this\n"
           "                          loopback TCP address (Prometheus)\n"
           "      --max-clients=N     API connections at once (default "
           "256)\n"
           "      --request-timeout=SECS  time a client has to send a "
           "request\n"
           "                          (default 10)\n"
           "      --apply-timeout=SECS  time a port request waits for "
           "ovsdb-server\n"
           "                          and ovs-vswitchd (default 30)\n"
           "      --spoofing-threshold=PPS  spoofed frames a second that "
           "mark a port\n"
           "                          spoofing (default 20; 0: never)\n"
           "      --spoofing-quiet=SECS  time under the threshold that "
           "clears the\n"
           "                          mark (default 30)\n"
           "      --log-file=FILE     log here instead of stderr\n"
           "  -v, --verbose=LEVEL     err, warn, info (default) or dbg\n"
           "      --pidfile=FILE      write the process id here\n"
           "  -h, --help              show this help and exit\n"
           "  -V, --version           show the version and exit\n",
           gn_program_name(), gn_program_name(), DEFAULT_CONFIG,
           DEFAULT_STATE_DIR, DEFAULT_SOCKET);
}

static gid_t
group_id(const char *name)
{
    struct group *gr;
    char *end;
    long n;

    if (!name) {
        return (gid_t) -1;
    }
    n = strtol(name, &end, 10);
    if (*name && !*end && n >= 0) {
        return n;
    }
    gr = getgrnam(name);
    if (!gr) {
        gn_fatal("no group \"%s\"", name);
    }
    return gr->gr_gid;
}

/* Parses 'arg' of option 'name' as an integer 1...'max', or exits. */
static int
positive_int(const char *name, const char *arg, int max)
{
    char *end;
    long n = strtol(arg, &end, 10);

    if (!*arg || *end || n < 1 || n > max) {
        gn_fatal("%s: \"%s\" is not a number from 1 to %d", name, arg, max);
    }
    return n;
}

static void
parse_options(int argc, char *argv[], struct options *o)
{
    enum {
        OPT_OVSDB = 256, OPT_OVS_RUNDIR, OPT_LOG_FILE, OPT_PIDFILE, OPT_SOCKET_GROUP,
        OPT_ADMIN_GROUP, OPT_METRICS_LISTEN, OPT_MAX_CLIENTS,
        OPT_REQUEST_TIMEOUT, OPT_CLUSTER, OPT_STATE_DIR,
        OPT_MIGRATION_TIMEOUT, OPT_APPLY_TIMEOUT, OPT_SPOOFING_THRESHOLD,
        OPT_SPOOFING_QUIET,
    };
    static const struct option long_options[] = {
        { "config", required_argument, NULL, 'c' },
        { "ovsdb", required_argument, NULL, OPT_OVSDB },
        { "ovs-rundir", required_argument, NULL, OPT_OVS_RUNDIR },
        { "socket", required_argument, NULL, 's' },
        { "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
        { "admin-group", required_argument, NULL, OPT_ADMIN_GROUP },
        { "metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN },
        { "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
        { "request-timeout", required_argument, NULL,
          OPT_REQUEST_TIMEOUT },
        { "apply-timeout", required_argument, NULL, OPT_APPLY_TIMEOUT },
        { "spoofing-threshold", required_argument, NULL,
          OPT_SPOOFING_THRESHOLD },
        { "spoofing-quiet", required_argument, NULL, OPT_SPOOFING_QUIET },
        { "log-file", required_argument, NULL, OPT_LOG_FILE },
        { "cluster", required_argument, NULL, OPT_CLUSTER },
        { "state-dir", required_argument, NULL, OPT_STATE_DIR },
        { "migration-timeout", required_argument, NULL,
          OPT_MIGRATION_TIMEOUT },
        { "verbose", required_argument, NULL, 'v' },
        { "pidfile", required_argument, NULL, OPT_PIDFILE },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    enum gn_log_level level;
    int c;

    memset(o, 0, sizeof *o);
    o->config = DEFAULT_CONFIG;
    o->socket = DEFAULT_SOCKET;
    o->state_dir = DEFAULT_STATE_DIR;
    o->spoofing_pps = -1;
    while ((c = getopt_long(argc, argv, "c:s:v:hV", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'c':
            o->config = optarg;
            break;
        case OPT_OVSDB:
            o->ovsdb = gn_xstrdup(optarg);
            break;
        case OPT_OVS_RUNDIR:
            o->ovs_rundir = optarg;
            break;
        case 's':
            o->socket = optarg;
            break;
        case OPT_SOCKET_GROUP:
            o->socket_group = optarg;
            break;
        case OPT_ADMIN_GROUP:
            o->admin_group = optarg;
            break;
        case OPT_METRICS_LISTEN:
            o->metrics_listen = optarg;
            break;
        case OPT_MAX_CLIENTS:
            o->max_clients = positive_int("--max-clients", optarg, 65536);
            break;
        case OPT_REQUEST_TIMEOUT:
            o->request_timeout_s = positive_int("--request-timeout", optarg,
                                                3600);
            break;
        case OPT_APPLY_TIMEOUT:
            o->apply_timeout_s = positive_int("--apply-timeout", optarg,
                                              3600);
            break;
        case OPT_SPOOFING_THRESHOLD:
            /* 0 is allowed: the watch is off. */
            o->spoofing_pps = (!strcmp(optarg, "0") ? 0
                               : positive_int("--spoofing-threshold", optarg,
                                              1000000));
            break;
        case OPT_SPOOFING_QUIET:
            o->spoofing_quiet_s = positive_int("--spoofing-quiet", optarg,
                                               86400);
            break;
        case OPT_LOG_FILE:
            o->log_file = optarg;
            break;
        case OPT_CLUSTER:
            o->cluster = optarg;
            break;
        case OPT_STATE_DIR:
            o->state_dir = optarg;
            break;
        case OPT_MIGRATION_TIMEOUT:
            o->migration_timeout_s = positive_int("--migration-timeout",
                                                  optarg, 3600);
            break;
        case 'v':
            if (!gn_log_level_from_string(optarg, &level)) {
                gn_fatal("--verbose: unknown level \"%s\" (err, warn, info, "
                         "dbg)", optarg);
            }
            gn_log_set_level(level);
            break;
        case OPT_PIDFILE:
            o->pidfile = optarg;
            break;
        case 'h':
            usage();
            exit(0);
        case 'V':
            printf("guestnetd (guestnet) %s\n", PACKAGE_VERSION);
            exit(0);
        default:
            fprintf(stderr, "Try '%s --help'.\n", gn_program_name());
            exit(2);
        }
    }
    if (optind < argc) {
        gn_fatal("unexpected argument \"%s\" (try --help)", argv[optind]);
    }
    if (!o->ovs_rundir) {
        o->ovs_rundir = getenv("OVS_RUNDIR");
        if (!o->ovs_rundir || !*o->ovs_rundir) {
            o->ovs_rundir = "/var/run/openvswitch";
        }
    }
    if (!o->ovsdb) {
        o->ovsdb = gn_xasprintf("unix:%s/db.sock", o->ovs_rundir);
    }
}

static void
write_pidfile(const char *file)
{
    FILE *f = fopen(file, "w");

    if (!f) {
        gn_fatal("%s: %s", file, strerror(errno));
    }
    fprintf(f, "%ld\n", (long) getpid());
    fclose(f);
}

static void
on_exit_signal(evutil_socket_t sig, short what, void *base)
{
    (void) what;
    GN_LOG_INFO("signal %d: exiting", (int) sig);
    event_base_loopbreak(base);
}

static void
on_sighup(evutil_socket_t sig, short what, void *d_)
{
    struct guestnetd *d = d_;
    char *error;

    (void) sig;
    (void) what;
    notify_reloading();
    gn_log_reopen();
    error = (d->cluster ? cluster_reload(d->cluster)
             : engine_reload(d->engine));
    if (error) {
        GN_LOG_ERR("SIGHUP: %s", error);
    }
    readiness_restart(d->readiness, error);
    free(error);
}

int
main(int argc, char *argv[])
{
    struct api_options api_opts;
    struct event *sigterm, *sigint, *sighup;
    struct notify_watchdog *watchdog;
    struct gn_config *cfg;
    struct event_base *base;
    struct loop_lag *loop_lag;
    struct engine *engine;
    struct guestnetd d;
    struct options o;
    struct api *api;
    char *error;
    int err;

    gn_set_program_name(argv[0]);
    gn_heap_one_arena();
    parse_options(argc, argv, &o);
    if (o.log_file && (err = gn_log_open(o.log_file))) {
        gn_fatal("%s: %s", o.log_file, strerror(err));
    }
    error = gn_config_read(o.config, &cfg);
    if (error) {
        gn_fatal("%s", error);
    }
    signal(SIGPIPE, SIG_IGN);

    base = event_base_new();
    notify_init(base);
    /* The loop's lateness, every 50 ms, per minute (/v1/status "loop"):
     * a stall of 50 ms or more is always seen, a shorter one when it covers
     * a firing.  (A timer every 10 or 20 ms doubles the status p99 of
     * bench/api-bench.sh while ports are added: 5-10 ms against 2-3.) */
    loop_lag = loop_lag_create(base, 50, 60000);
    engine = engine_create(base, o.ovsdb, o.ovs_rundir, cfg, o.config);
    if (o.apply_timeout_s) {
        engine_set_apply_timeout(engine, o.apply_timeout_s * 1000);
    }
    if (o.spoofing_pps >= 0 || o.spoofing_quiet_s) {
        engine_set_spoofing(engine, o.spoofing_pps >= 0 ? o.spoofing_pps : 20,
                            (o.spoofing_quiet_s ? o.spoofing_quiet_s
                                                : 30) * 1000);
    }
    d.cluster = NULL;
    if (o.cluster) {
        struct cluster_options copts = {
            .remotes = o.cluster,
            .config_file = o.config,
            .state_dir = o.state_dir,
            .migration_timeout_s = o.migration_timeout_s,
        };
        d.cluster = cluster_create(base, engine, engine_config(engine),
                                   &copts, &error);
        if (!d.cluster) {
            gn_fatal("%s: %s", o.config, error);
        }
    }

    memset(&api_opts, 0, sizeof api_opts);
    api_opts.socket_path = o.socket;
    api_opts.socket_group = group_id(o.socket_group);
    api_opts.admin_group = group_id(o.admin_group);
    api_opts.metrics_listen = o.metrics_listen;
    api_opts.max_clients = o.max_clients;
    api_opts.request_timeout_s = o.request_timeout_s;
    api_opts.loop_lag = loop_lag;
    api_opts.cluster = d.cluster;
    api = api_create(base, engine, &api_opts, &error);
    if (!api) {
        gn_fatal("%s", error);
    }
    if (o.pidfile) {
        write_pidfile(o.pidfile);
    }
    d.engine = engine;
    d.readiness = readiness_create(base, engine);
    watchdog = notify_watchdog_create(base);
    sigterm = evsignal_new(base, SIGTERM, on_exit_signal, base);
    sigint = evsignal_new(base, SIGINT, on_exit_signal, base);
    sighup = evsignal_new(base, SIGHUP, on_sighup, &d);
    event_add(sigterm, NULL);
    event_add(sigint, NULL);
    event_add(sighup, NULL);
    GN_LOG_INFO("guestnetd %s started (config %s, ovsdb %s)",
                PACKAGE_VERSION, o.config, o.ovsdb);

    event_base_dispatch(base);

    notify_stopping();
    notify_watchdog_destroy(watchdog);
    readiness_destroy(d.readiness);
    event_free(sigterm);
    event_free(sigint);
    event_free(sighup);
    api_destroy(api);
    cluster_destroy(d.cluster);
    engine_destroy(engine);
    loop_lag_destroy(loop_lag);
    event_base_free(base);
    if (o.pidfile) {
        unlink(o.pidfile);
    }
    free(o.ovsdb);
    return 0;
}
