/* init-args.c - parse the command line of subhost-init.  Pure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init-args.h"

static const char *const mode_names[] = {
	[INIT_MODE_SERVICES] = "services",
	[INIT_MODE_SYSV] = "sysv",
	[INIT_MODE_EXEC] = "exec",
	[INIT_MODE_RUN] = "run",
};

const char *init_mode_name(enum init_mode m)
{
	if ((size_t)m < sizeof mode_names / sizeof mode_names[0])
		return mode_names[m];
	return "?";
}

int init_usage_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_mode(const char *s, enum init_mode *m)
{
	size_t i;

	for (i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum init_mode)i;
			return 0;
		}
	}
	return -1;
}

static int parse_grace(const char *s, int *grace)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;      /* strtol would take " 5", "+5" and "-0" */
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > INIT_GRACE_MAX)
		return -1;
	*grace = (int)v;
	return 0;
}

/* "--key VALUE" or "--key=VALUE": the value, or NULL if it is missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *eq)
{
	if (eq)
		return eq + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* Apply one option that takes a value; key is "--mode" etc. */
static int set_option(struct init_opts *o, const char *key, const char *v, char *err,
		      size_t errlen)
{
	if (strcmp(key, "--name") == 0) {
		if (!*v)
			return init_usage_error(err, errlen, "--name must not be empty");
		o->name = v;
	} else if (strcmp(key, "--mode") == 0) {
		if (parse_mode(v, &o->mode) < 0)
			return init_usage_error(err, errlen,
					   "--mode '%s': expected services, sysv, exec or run", v);
	} else if (strcmp(key, "--runlevel") == 0) {
		if (v[0] < '1' || v[0] > '5' || v[1])
			return init_usage_error(err, errlen, "--runlevel '%s': expected 1 to 5", v);
		o->runlevel = v[0];
	} else if (strcmp(key, "--grace") == 0) {
		if (parse_grace(v, &o->grace) < 0)
			return init_usage_error(err, errlen,
					   "--grace '%s': expected whole seconds from 0 to %d",
					   v, INIT_GRACE_MAX);
	} else {
		return init_usage_error(err, errlen, "unknown option '%s'", key);
	}
	return 0;
}

int init_args_parse(int argc, char **argv, struct init_opts *o, char *err, size_t errlen)
{
	int i;

	memset(o, 0, sizeof *o);
	o->action = INIT_ACT_RUN;
	o->mode = INIT_MODE_SERVICES;
	o->runlevel = '2';
	o->grace = 5;
	o->args = argv + argc;  /* the terminating NULL: no ARGS */
	err[0] = '\0';

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *v;
		char key[16];
		int klen;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;          /* first non-option: ARGS start here */
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			o->action = INIT_ACT_HELP;
			return 0;
		}
		if (strcmp(a, "--version") == 0) {
			o->action = INIT_ACT_VERSION;
			return 0;
		}
		if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
			o->quiet = true;
			continue;
		}
		eq = strchr(a, '=');
		klen = (int)(eq ? (size_t)(eq - a) : strlen(a));
		/* key: a (cut) copy of "--mode" in "--mode=run", for strcmp() */
		snprintf(key, sizeof key, "%.*s", klen, a);
		if (strcmp(key, "--name") && strcmp(key, "--mode") && strcmp(key, "--runlevel") &&
		    strcmp(key, "--grace"))
			return init_usage_error(err, errlen, "unknown option '%.*s'", klen, a);
		v = opt_value(argc, argv, &i, eq);
		if (!v)
			return init_usage_error(err, errlen, "option '%s' needs a value", a);
		if (set_option(o, key, v, err, errlen) < 0)
			return -1;
	}
	o->args = argv + i;
	o->nargs = argc - i;
	if ((o->mode == INIT_MODE_EXEC || o->mode == INIT_MODE_RUN) && o->nargs == 0)
		return init_usage_error(err, errlen, "--mode %s needs a program to run after '--'",
				   init_mode_name(o->mode));
	return 0;
}
