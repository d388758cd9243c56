/* cli.h - what the cmd-*.c files share: loading a conf with warnings
 * printed, turning NAME|CONF into a name, JSON string output, and the
 * command table. */
#ifndef SUBHOST_CLI_H
#define SUBHOST_CLI_H

#include <stdio.h>
#include "config.h"

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
	const char *help;
};

extern const struct cli_command cli_commands[];

/* The command being run ("boot", "stop", ...), set by main's dispatch: the
 * conf's `!command`s get ACTION=overlay-boot from boot and run (and run
 * where their mounts stay the subhost's), overlay-stop from stop, and so on,
 * as overlay-boot's programs set it. */
extern const char *cli_cmd;

/* Load the conf named by arg (NAME or path); prints errors; returns an exit
 * status (0 on success). */
int cli_load_config(const char *arg, struct sh_config *cfg);

/* A subhost name from NAME or CONF; prints errors; NULL with *status set. */
char *cli_name(const char *arg, int *status);

/* Print s as a JSON string literal. */
void json_str(FILE *f, const char *s);

/* Print the usage of subhost (all commands) to f. */
void cli_usage_all(FILE *f);
/* Print the usage of one command to f. */
void cli_usage(FILE *f, const char *cmd);

int cmd_boot(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_go(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_autostart(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_share(int argc, char **argv);
int cmd_unshare(int argc, char **argv);
int cmd_diskfile(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif
