/* cli.c - helpers shared by the commands. */
#include "cli.h"

#include <string.h>

static void print_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: warning: %s\n", prog_name, msg);
}

int cli_load_config(const char *arg, struct sh_config *cfg)
{
	_cleanup_free_ char *path = config_path_for(arg);
	struct sh_config_opts opts = { .warn = print_warning };
	struct sh_err err = { 0 };

	if (config_load(path, &opts, cfg, &err) < 0) {
		report_err(NULL, &err);
		return err.status ? err.status : EXIT_USAGE;
	}
	return 0;
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
	*status = cli_load_config(arg, &cfg);
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
