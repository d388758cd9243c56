/* init-args.h - the command line of subhost-init (SPEC section 5).
 *
 *   subhost-init [--name NAME] [--mode services|sysv|exec|run]
 *                [--runlevel N] [--grace SECONDS] [--quiet] -- ARGS...
 *
 * Parsing is pure (no printing, no exit, no global getopt state) so that
 * it can be unit-tested.
 */
#ifndef SUBHOST_INIT_ARGS_H
#define SUBHOST_INIT_ARGS_H

#include <stdbool.h>
#include <stddef.h>

enum init_mode {
	INIT_MODE_SERVICES,     /* start START entries, stay up (overlay-boot) */
	INIT_MODE_SYSV,         /* rc S, rc N (pretend-boot) */
	INIT_MODE_EXEC,         /* become ARGS (lcboot: systemd, sysvinit...) */
	INIT_MODE_RUN,          /* run ARGS, power off when it exits */
};

enum init_action {
	INIT_ACT_RUN,           /* boot as the options say */
	INIT_ACT_HELP,
	INIT_ACT_VERSION,
};

#define INIT_GRACE_MAX  86400   /* seconds; a day is long enough for anything */

struct init_opts {
	enum init_action action;
	const char *name;       /* --name, for messages; NULL if not given */
	enum init_mode mode;
	char runlevel;          /* '1'-'5' */
	int grace;              /* seconds, 0..INIT_GRACE_MAX */
	bool quiet;
	char **args;            /* ARGS, NULL-terminated (points into argv) */
	int nargs;
};

/* Parse argv (argv[0] is skipped).  Returns 0, or -1 with a one-line
 * message in err (usage error). */
int init_args_parse(int argc, char **argv, struct init_opts *o, char *err, size_t errlen);

const char *init_mode_name(enum init_mode m);

/* Format a usage message into err (errlen bytes); returns -1, so that
 * `return init_usage_error(...)` ends a parser. */
int init_usage_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
