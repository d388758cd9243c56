/* cli.c - helpers shared by the commands. */
#include "cli.h"

#include <string.h>

static void print_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: warning: %s\n", prog_name, msg);
}

const char *cli_cmd;

/* name_only: the caller wants NAME, for a subhost that may run; its
 * directories need not exist on the host (UPPER on overlay-diskfile's
 * mount, say, which only the subhost has). */
static int load_config(const char *arg, struct sh_config *cfg, bool name_only)
{
	_cleanup_free_ char *path = config_path_for(arg);
	bool boot = cli_cmd && (!strcmp(cli_cmd, "boot") || !strcmp(cli_cmd, "run"));
	_cleanup_free_ char *action = !cli_cmd || boot ? xstrdup("overlay-boot") :
				      !strcmp(cli_cmd, "clean") ? xstrdup("overlay-clean-root") :
				      xasprintf("overlay-%s", cli_cmd);
	struct sh_config_opts opts = { .warn = print_warning, .action = action, .stage_mounts = boot,
				       .no_fs_checks = name_only };
	struct sh_err err = { 0 };

	if (config_load(path, &opts, cfg, &err) < 0) {
		report_err(NULL, &err);
		return err.status ? err.status : EXIT_USAGE;
	}
	return 0;
}

int cli_load_config(const char *arg, struct sh_config *cfg)
{
	return load_config(arg, cfg, false);
}

char *cli_name(const char *arg, int *status)
{
	struct sh_err err = { 0 };
	struct sh_config cfg;
	char *name;

	*status = 0;
	if (!strchr(arg, '/') && !str_endswith(arg, ".conf")) {
		if (config_check_name(arg, &err) < 0) {
			report_err(NULL, &err);
			*status = EXIT_USAGE;
			return NULL;
		}
		return xstrdup(arg);
	}
	*status = load_config(arg, &cfg, true);
	if (*status)
		return NULL;
	name = xstrdup(cfg.name);
	config_free(&cfg);
	return name;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void cli_usage(FILE *f, const char *cmd)
{
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		if (!cmd || !strcmp(cmd, c->name))
			fprintf(f, "usage: subhost %s\n%s", c->synopsis, cmd ? c->help : "");
	}
}

const struct cli_command cli_commands[] = {
	{ "boot", cmd_boot, "boot NAME|CONF [--foreground] [--timeout S]\n",
	  "Assemble and start the subhost; return once its pid 1 runs and its START\n"
	  "services were started.\n"
	  "  -f, --foreground  stay in the foreground as its supervisor (for service managers)\n"
	  "  -t, --timeout S   fail (and undo everything) if START is not done after S\n"
	  "                    seconds (default 300; 0: wait as long as it takes)\n" },
	{ "run", cmd_run, "run NAME|CONF [--grace S] [--] [CMD [ARG...]]\n",
	  "Boot an ephemeral subhost with CMD (default /bin/sh) as its only service and\n"
	  "the caller's terminal; power off and tear down when CMD exits; exit with its status.\n"
	  "  --grace S  seconds to wait for leftover processes after CMD (default 1)\n" },
	{ "stop", cmd_stop, "stop NAME|CONF [--timeout S] [--force]\n",
	  "Power the subhost off in order (services in reverse, then all processes; a\n"
	  "real init is asked its own way: SIGRTMIN+4 for systemd, /run/initctl for\n"
	  "sysvinit, or STOP_SIGNAL) and wait until it is torn down.\n"
	  "  -t, --timeout S  kill everything after S seconds (default 30)\n"
	  "  -f, --force      kill everything at once\n" },
	{ "go", cmd_go, "go NAME [--] [CMD [ARG...]]\n",
	  "Run CMD (default a login shell) inside the running subhost: all its namespaces,\n"
	  "its cgroup, a clean environment, a new pty when stdin is a terminal.\n" },
	{ "list", cmd_list, "list [--json]\n",
	  "List the subhosts that run: name, state, pid 1, uptime, root, lower layers.\n" },
	{ "status", cmd_status, "status NAME|CONF [--json]\n",
	  "Show one subhost in detail; exit 3 when it does not run.\n" },
	{ "stats", cmd_stats, "stats NAME|CONF|--all [--json] [--interval S]\n",
	  "Show the accounting of running subhosts: CPU time and use, memory (current and\n"
	  "peak), processes, disk bytes read and written, OOM kills, cable bytes.\n"
	  "Exit 3 when NAME does not run.\n"
	  "  -a, --all         every running subhost\n"
	  "      --json        a JSON array of objects (null for what is unknown)\n"
	  "  -i, --interval S  measure CPU use over S seconds (default 1; 0: don't)\n" },
	{ "top", cmd_top, "top [--interval S] [--sort cpu|mem|pids|name] [--once]\n",
	  "A live view of every running subhost's accounting, refreshed every S seconds.\n"
	  "Keys: q quits; c, m, p, n sort by CPU use, memory, processes, name.\n"
	  "  -i, --interval S  seconds between refreshes (default 2)\n"
	  "  -s, --sort KEY    initial order: cpu (default), mem, pids or name\n"
	  "  -1, --once        print one frame as plain text and exit (for scripts)\n" },
	{ "create", cmd_create, "create NAME [--base @OTHER|DIR] [--dir DIR]\n",
	  "Make a new subhost: its conf in the conf directory (/etc/subhost) and its BASE\n"
	  "(mode 0700) with root, work and live.  START=none: it idles until told more.\n"
	  "  -b, --base @OTHER  stand on subhost OTHER (its UPPER over its own layers)\n"
	  "  -b, --base DIR     stand on directory DIR (default: the host's root, /)\n"
	  "  -d, --dir DIR      BASE directory (default /var/lib/subhost/NAME)\n" },
	{ "destroy", cmd_destroy, "destroy NAME|CONF [--yes]\n",
	  "Remove a stopped subhost: its conf, its log, and UPPER, WORK and LIVE when they\n"
	  "lie inside BASE (all of BASE when `create` made it).  Refused while it runs\n"
	  "(exit 4) or while another subhost stands on it.  Without --yes it only lists\n"
	  "what it would remove (exit 2).\n"
	  "  -y, --yes  really remove\n" },
	{ "autostart", cmd_autostart, "autostart start|stop|status [--list FILE] [--jobs N] [--timeout S]\n",
	  "Act on the autostart list (/etc/subhosts.conf, overlay-boot's format): start\n"
	  "boots the listed subhosts that do not run, N at a time; stop stops them in\n"
	  "reverse order; status shows each entry (exit 3 if one does not run).  An entry\n"
	  "that fails is reported by its line and does not stop the others; exit 1 if any\n"
	  "failed.\n"
	  "  -l, --list FILE    the list (default $SUBHOST_LIST or /etc/subhosts.conf)\n"
	  "  -j, --jobs N       boots at once (default $SUBHOST_JOBS or 4)\n"
	  "  -t, --timeout S    passed to each boot and stop\n" },
	{ "clean", cmd_clean, "clean NAME|CONF [--dry-run] [--verbose]\n",
	  "Remove from the stopped subhost's UPPER every file and symlink identical (type,\n"
	  "mode, owner, content or target, extended attributes) to what its lower layers\n"
	  "show at that path, and directories left empty that the layers also have.\n"
	  "Whiteouts and opaque directories stay.  Exit 4 while it runs.\n"
	  "  -n, --dry-run  list what would be removed (\"would remove PATH\"), remove nothing\n"
	  "  -v, --verbose  list each removed path, and each kept file with the reason\n" },
	{ "share", cmd_share, "share NAME HOSTDIR[:SUBDIR] [--ro]\n",
	  "Bind HOSTDIR (a directory or file) into the running subhost at SUBDIR (default:\n"
	  "the same path), at once, nosuid and nodev.  SUBDIR is resolved inside the\n"
	  "subhost's root (its symlinks cannot lead out) and created if missing.\n"
	  "Exit 3 when it does not run.\n"
	  "  -r, --ro  read-only (also HOSTDIR:SUBDIR:ro)\n" },
	{ "unshare", cmd_unshare, "unshare NAME SUBDIR\n",
	  "Take away a share made by \"subhost share\" from the running subhost; SUBDIR is\n"
	  "resolved inside it as for share.  Exit 3 when it does not run.\n" },
	{ "diskfile", cmd_diskfile, "diskfile PATH [DISKFILE [INDEX]]\n",
	  "overlay-diskfile, for a conf's !command values (LOWER=!overlay-diskfile mnt/ disk.img 2):\n"
	  "when a boot reads the conf (ACTION=overlay-boot), mount the filesystem of partition\n"
	  "INDEX of DISKFILE (of the whole file without INDEX) on PATH's directory, read-only\n"
	  "for LOWER, in the subhost's mount namespace only; print PATH.\n" },
	{ "help", cmd_help, "help [COMMAND]\n", "Show help for subhost or one command.\n" },
	{ NULL, NULL, NULL, NULL },
};

void cli_usage_all(FILE *f)
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
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cli_usage(stdout, "help");
		return 0;
	}
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
	cli_usage_all(stdout);
	return 0;
}

