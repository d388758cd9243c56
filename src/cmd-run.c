/* cmd-run.c - `subhost run NAME|CONF [--] [CMD ARGS...]`: an ephemeral
 * subhost whose only service is CMD. */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "supervisor.h"

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "grace", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char *default_cmd[] = { "/bin/sh", NULL };
	struct sv_opts o = { .run = true, .grace = 1 };
	struct sh_err err = { 0 };
	struct sh_config cfg;
	int c, status;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+g:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			o.grace = (int)strtol(optarg, &end, 10);
			if (*end || o.grace < 0) {
				fprintf(stderr, "subhost: --grace %s: expected seconds\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			cli_usage(stdout, "run");
			return 0;
		default:
			cli_usage(stderr, "run");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_usage(stderr, "run");
		return EXIT_USAGE;
	}
	status = cli_load_config(argv[optind++], &cfg);
	if (status)
		return status;
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	o.run_argv = optind < argc ? argv + optind : default_cmd;
	status = subhost_start(&cfg, &o, &err);
	if (err.msg[0])
		report_err(cfg.name, &err);
	config_free(&cfg);
	return status;
}
