/* main.c - `subhost COMMAND ...`, and the overlay-boot names of it.
 * Only looks the command up; each command lives in its cmd-*.c. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

const struct cli_command cli_commands[] = {
	{ "boot", cmd_boot, "boot NAME|CONF [--foreground]\n",
	  "Assemble and start the subhost; return once its pid 1 runs and its START\n"
	  "services were started.\n"
	  "  -f, --foreground  stay in the foreground as its supervisor (for service managers)\n" },
	{ "run", cmd_run, "run NAME|CONF [--grace S] [--] [CMD [ARG...]]\n",
	  "Boot an ephemeral subhost with CMD (default /bin/sh) as its only service and\n"
	  "the caller's terminal; power off and tear down when CMD exits; exit with its status.\n"
	  "  --grace S  seconds to wait for leftover processes after CMD (default 1)\n" },
	{ "stop", cmd_stop, "stop NAME|CONF [--timeout S] [--force]\n",
	  "Power the subhost off in order (services in reverse, then all processes) and\n"
	  "wait until it is torn down.\n"
	  "  -t, --timeout S  kill everything after S seconds (default 30)\n"
	  "  -f, --force      kill everything at once\n" },
	{ "go", cmd_go, "go NAME [--] [CMD [ARG...]]\n",
	  "Run CMD (default a login shell) inside the running subhost: all its namespaces,\n"
	  "its cgroup, a clean environment, a new pty when stdin is a terminal.\n" },
	{ "list", cmd_list, "list [--json]\n",
	  "List the subhosts that run: name, state, pid 1, uptime, root, lower layers.\n" },
	{ "status", cmd_status, "status NAME|CONF [--json]\n",
	  "Show one subhost in detail; exit 3 when it does not run.\n" },
	{ "help", cmd_help, "help [COMMAND]\n", "Show help for subhost or one command.\n" },
	{ NULL, NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fputs("usage: subhost COMMAND [ARGS...]\n\n"
	      "Divide one Linux host into subhosts: overlay-root environments in their own\n"
	      "namespaces, run on the host kernel almost as if booted in a VM.\n\ncommands:\n", f);
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "  %s", c->synopsis);
	fputs("\nexit status: 0 ok, 1 failure, 2 usage or configuration error,\n"
	      "3 not running, 4 already running.  See subhost(8), subhost.conf(5).\n", f);
}

int cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		for (const struct cli_command *c = cli_commands; c->name; c++) {
			if (!strcmp(c->name, argv[1])) {
				cli_usage(stdout, c->name);
				return 0;
			}
		}
		fprintf(stderr, "subhost: unknown command \"%s\"\n", argv[1]);
		return EXIT_USAGE;
	}
	usage(stdout);
	return 0;
}

/* overlay-boot's programs, as names of this one (same arguments). */
static const struct { const char *alias, *cmd; } aliases[] = {
	{ "overlay-boot", "boot" },
	{ "overlay-stop", "stop" },
	{ "overlay-go", "go" },
};

static int dispatch(const char *cmd, int argc, char **argv)
{
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		if (!strcmp(c->name, cmd))
			return c->fn(argc, argv);
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
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("subhost %s\n", SUBHOST_VERSION);
		return 0;
	}
	return dispatch(argv[1], argc - 1, argv + 1);
}
