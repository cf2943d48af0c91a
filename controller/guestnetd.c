/* guestnetd.c: main() of the guestnet daemon.  Orchestration only. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "gn-log.h"
#include "gn-util.h"

GN_LOG_MODULE(guestnetd);

static void
usage(void)
{
    printf("%s: per-host Open vSwitch controller for KVM and LXC guests\n"
           "usage: %s [OPTIONS]\n"
           "  -h, --help         show this help and exit\n"
           "  -V, --version      show the version and exit\n",
           gn_program_name(), gn_program_name());
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    gn_set_program_name(argv[0]);
    while ((c = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage();
            return 0;
        case 'V':
            printf("guestnetd (guestnet) %s\n", PACKAGE_VERSION);
            return 0;
        default:
            return 2;
        }
    }
    GN_LOG_INFO("guestnetd %s", PACKAGE_VERSION);
    return 0;
}
