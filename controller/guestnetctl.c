/* guestnetctl.c: main() of the guestnet CLI.  Orchestration only. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "gn-log.h"
#include "gn-util.h"

GN_LOG_MODULE(guestnetctl);

static void
usage(void)
{
    printf("%s: control guestnetd\n"
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
            printf("guestnetctl (guestnet) %s\n", PACKAGE_VERSION);
            return 0;
        default:
            return 2;
        }
    }
    usage();
    return 0;
}
