/* cmd-boot.c - `subhost boot NAME|CONF [--foreground]` */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "supervisor.h"

int cmd_boot(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sv_opts o = { .grace = 5, .boot_timeout = 300 };
	struct sh_err err = { 0 };
	struct sh_config cfg;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ft:h", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 't':
			o.boot_timeout = (int)strtol(optarg, &end, 10);
			if (*end || o.boot_timeout < 0) {
				fprintf(stderr, "subhost: --timeout %s: expected seconds (0: no limit)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			o.foreground = true;
			break;
		case 'h':
			cli_usage(stdout, "boot");
			return 0;
		default:
			cli_usage(stderr, "boot");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_usage(stderr, "boot");
		return EXIT_USAGE;
	}
	status = cli_load_config(argv[optind], &cfg);
	if (status)
		return status;
	status = subhost_start(&cfg, &o, &err);
	if (status)
		report_err(cfg.name, &err);
	config_free(&cfg);
	return status;
}
