/* main.c - `subhost COMMAND ...`, and the overlay-boot names of it.
 * Only looks the command up; each command lives in its cmd-*.c. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

/* overlay-boot's programs, as names of this one (same arguments). */
static const struct { const char *alias, *cmd; } aliases[] = {
	{ "overlay-boot", "boot" },
	{ "overlay-stop", "stop" },
	{ "overlay-go", "go" },
	{ "overlay-clean-root", "clean" },
	{ "overlay-share", "share" },   /* DIR NAME: cmd_share knows the order */
	{ "overlay-diskfile", "diskfile" },
};

static int dispatch(const char *cmd, int argc, char **argv)
{
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		if (!strcmp(c->name, cmd)) {
			cli_cmd = c->name;
			return c->fn(argc, argv);
		}
	}
	fprintf(stderr, "subhost: unknown command \"%s\" (try subhost --help)\n", cmd);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
		if (!strcmp(base, aliases[i].alias)) {
			prog_name = aliases[i].alias;
			return dispatch(aliases[i].cmd, argc, argv);
		}
	}
	if (argc < 2) {
		cli_usage_all(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_usage_all(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("subhost %s\n", SUBHOST_VERSION);
		return 0;
	}
	return dispatch(argv[1], argc - 1, argv + 1);
}
