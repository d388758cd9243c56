/* cmd-autostart.c - `subhost autostart start|stop|status [--list FILE]
 * [--jobs N] [--timeout S]`: act on the autostart list (autostart.h), for
 * the init script and subhosts.service.
 *
 * start boots, at most N at a time, the listed subhosts that do not run;
 * stop stops the listed ones in reverse order; status shows each entry.
 * Every boot and stop is a `subhost boot|stop` of its own (the same code
 * path as by hand), its messages caught in a memfd and reported under the
 * list's FILE:LINE.  An entry that fails does not hold up the others; the
 * exit status is 1 when any failed.
 */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "autostart.h"
#include "cli.h"
#include "state.h"
#include "supervisor.h"

#define LIST_MAX (1 << 20)
#define JOBS_DEFAULT 4
#define JOBS_MAX 64
#define OUTPUT_MAX 16384

struct as_opts {
	const char *list;       /* the list's path */
	bool list_given;        /* by --list or $SUBHOST_LIST: it must exist */
	int jobs;               /* boots at once */
	const char *timeout;    /* --timeout S for each boot and stop, or NULL */
};

static void print_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: autostart: warning: %s\n", prog_name, msg);
}

/* The whole list into *text (malloc'd); a default list that does not
 * exist is empty, as overlay-boot's `[ -r /etc/subhosts.conf ]` had it. */
static int read_list(const struct as_opts *o, char **text, struct sh_err *err)
{
	_cleanup_close_ int fd = open(o->list, O_RDONLY | O_CLOEXEC);
	size_t len = 0, size = 4096;
	char *buf;

	if (fd < 0 && errno == ENOENT && !o->list_given) {
		*text = xstrdup("");
		return 0;
	}
	if (fd < 0)
		return err_sys(err, errno, "read the autostart list %s", o->list);
	buf = xmalloc(size);
	for (;;) {
		ssize_t n;

		if (len == size - 1) {
			if (size > LIST_MAX) {
				free(buf);
				return err_msg(err, EXIT_FAIL, 0, "%s: larger than %d bytes: "
					       "expected a list of conf paths", o->list, LIST_MAX);
			}
			size *= 2;
			buf = xrealloc(buf, size);
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return err_sys(err, e, "read the autostart list %s", o->list);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

/* ---- one `subhost boot|stop` per entry ---------------------------------- */

struct job {
	pid_t pid;
	int out;                /* memfd with its stdout and stderr */
	const struct as_entry *e;
};

/* Start `subhost ARGV...` (ourselves, by /proc/self/exe, so an upgrade
 * that replaced the binary meanwhile changes nothing) with stdin on
 * /dev/null and its output into a fresh memfd.  Returns 0 or -errno. */
static int spawn(char *const argv[], struct job *j, struct sh_err *err)
{
	int fd = memfd_create("subhost-autostart", MFD_CLOEXEC);
	pid_t pid;

	if (fd < 0)
		return err_sys(err, errno, "memfd_create");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fd);
		return err_sys(err, e, "fork");
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(EXIT_FAIL);
		execv("/proc/self/exe", argv);
		dprintf(2, "%s: exec /proc/self/exe: %s\n", prog_name, strerror(errno));
		_exit(EXIT_FAIL);
	}
	j->pid = pid;
	j->out = fd;
	return 0;
}

/* Exit status of a waited child: its code, or 128 + the signal. */
static int exit_code(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	return WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : EXIT_FAIL;
}

/* Print what the job said, a line at a time, under the list's FILE:LINE;
 * lines equal to skip (after "subhost: ") are left out.  Returns the number
 * of lines printed. */
static int relay(const struct as_opts *o, const struct job *j, const char *skip)
{
	char buf[OUTPUT_MAX + 1], *line, *save = NULL;
	ssize_t n = pread(j->out, buf, OUTPUT_MAX, 0);
	size_t plen = strlen(prog_name);
	int shown = 0;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* "subhost: NAME: why" reads better without a second "subhost:" */
		if (!strncmp(line, prog_name, plen) && !strncmp(line + plen, ": ", 2))
			line += plen + 2;
		else if (str_startswith(line, "subhost: "))
			line += strlen("subhost: ");
		if (!*line || (skip && str_endswith(line, skip)))
			continue;
		fprintf(stderr, "%s: autostart: %s:%u: %s\n", prog_name, o->list, j->e->line, line);
		shown++;
	}
	return shown;
}

static void say(const struct as_entry *e, const char *what)
{
	printf("%s: %s\n", e->arg, what);
	fflush(stdout);
}

/* The outcome of a finished boot; true if it counts as a failure. */
static bool boot_done(const struct as_opts *o, const struct job *j, int code)
{
	if (code == EXIT_OK) {
		relay(o, j, NULL);      /* warnings, e.g. unknown keys */
		say(j->e, "booted");
		return false;
	}
	if (code == EXIT_RUNNING) {
		relay(o, j, ": already running");
		say(j->e, "already running");
		return false;
	}
	if (!relay(o, j, NULL))
		fprintf(stderr, "%s: autostart: %s:%u: %s: boot failed with status %d\n",
			prog_name, o->list, j->e->line, j->e->arg, code);
	return true;
}

static bool stop_done(const struct as_opts *o, const struct job *j, int code)
{
	if (code == EXIT_OK) {
		relay(o, j, NULL);
		say(j->e, "stopped");
		return false;
	}
	if (code == EXIT_NOTRUNNING) {
		relay(o, j, ": not running");
		say(j->e, "not running");
		return false;
	}
	if (!relay(o, j, NULL))
		fprintf(stderr, "%s: autostart: %s:%u: %s: stop failed with status %d\n",
			prog_name, o->list, j->e->line, j->e->arg, code);
	return true;
}

/* argv for `subhost VERB [--timeout S] ARG`. */
static void job_argv(char *argv[6], const char *verb, const struct as_opts *o, const char *arg)
{
	int i = 0;

	argv[i++] = (char *)"subhost";
	argv[i++] = (char *)verb;
	if (o->timeout) {
		argv[i++] = (char *)"--timeout";
		argv[i++] = (char *)o->timeout;
	}
	argv[i++] = (char *)arg;
	argv[i] = NULL;
}

/* Wait for one of the jobs; returns its index in v (and its exit code),
 * or -1 when there is no child left to wait for. */
static int wait_job(struct job *v, size_t n, int *code)
{
	int ws;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &ws, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (v[i].pid == pid) {
				*code = exit_code(ws);
				return (int)i;
			}
		}
	}
}

static void report_bad(const struct as_opts *o, const struct as_entry *e, const char *how)
{
	fprintf(stderr, "%s: autostart: %s:%u: %s: %s%s\n", prog_name, o->list, e->line, e->arg,
		how, e->error);
}

/* ---- which entries run --------------------------------------------------- */

/* The states of the subhosts that run now (stale ones are cleaned, as
 * `subhost list` does). */
struct running {
	struct sh_state *v;
	size_t n;
};

static void running_read(struct running *r)
{
	char **names = state_names();

	memset(r, 0, sizeof *r);
	for (size_t i = 0; names[i]; i++) {
		int stale_fd, probe = state_probe(names[i], &stale_fd);

		if (probe == 2) {
			subhost_clean_stale(names[i]);
			close(stale_fd);
		} else if (probe == 1) {
			r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
			if (state_read(names[i], &r->v[r->n]) == 0)
				r->n++;
		}
		free(names[i]);
	}
	free(names);
}

/* The running subhost that entry e booted: by name for a NAME, by the conf
 * path its supervisor recorded for a path (that path has its directory
 * resolved, as config_load does).  No conf is read, so no `!command` runs
 * and a conf removed since the boot still finds its subhost. */
static const struct sh_state *running_find(const struct running *r, const struct as_entry *e)
{
	_cleanup_free_ char *key = NULL;
	bool is_path = strchr(e->arg, '/') || str_endswith(e->arg, ".conf");

	if (is_path && e->arg[0] == '/') {
		const char *slash = strrchr(e->arg, '/');
		_cleanup_free_ char *dir = slash == e->arg ? xstrdup("/")
			: xasprintf("%.*s", (int)(slash - e->arg), e->arg);
		_cleanup_free_ char *real = realpath(dir, NULL);

		key = path_join(real ? real : dir, slash + 1);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct sh_state *st = &r->v[i];

		if (!is_path && !strcmp(st->name, e->arg))
			return st;
		if (is_path && st->conf && (!strcmp(st->conf, e->arg) || (key && !strcmp(st->conf, key))))
			return st;
	}
	return NULL;
}

/* ---- the actions ---------------------------------------------------------- */

static int do_start(const struct as_opts *o, const struct as_list *l)
{
	struct job *run = xcalloc((size_t)o->jobs, sizeof *run);
	size_t next = 0, busy = 0, failed = 0;
	struct running r;

	running_read(&r);
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].error) {
			report_bad(o, &l->v[i], "");
			failed++;
		}
	}
	for (;;) {
		int slot, code;

		while (busy < (size_t)o->jobs && next < l->n) {
			const struct as_entry *e = &l->v[next++];
			struct sh_err err = { 0 };
			char *argv[6];
			size_t k;

			if (e->error)
				continue;
			if (running_find(&r, e)) {
				say(e, "already running");
				continue;
			}
			for (k = 0; run[k].pid; k++)
				;
			job_argv(argv, "boot", o, e->arg);
			run[k].e = e;
			if (spawn(argv, &run[k], &err) < 0) {
				fprintf(stderr, "%s: autostart: %s:%u: %s: %s\n", prog_name, o->list,
					e->line, e->arg, err.msg);
				run[k].pid = 0;
				failed++;
				continue;
			}
			busy++;
		}
		if (!busy)
			break;
		slot = wait_job(run, (size_t)o->jobs, &code);
		if (slot < 0)
			break;
		failed += boot_done(o, &run[slot], code);
		close(run[slot].out);
		run[slot].pid = 0;
		busy--;
	}
	free(run);
	state_free_all(r.v, r.n);
	if (failed)
		fprintf(stderr, "%s: autostart: %zu of %zu entries of %s failed\n", prog_name,
			failed, l->n, o->list);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int do_stop(const struct as_opts *o, const struct as_list *l)
{
	size_t failed = 0;
	struct running r;

	running_read(&r);
	for (size_t i = l->n; i-- > 0;) {
		const struct as_entry *e = &l->v[i];
		const struct sh_state *st = e->error ? NULL : running_find(&r, e);
		struct sh_err err = { 0 };
		struct job j = { .e = e };
		char *argv[6];
		int code;

		if (!st) {
			/* a bad entry was never booted from this list */
			say(e, "not running");
			continue;
		}
		job_argv(argv, "stop", o, st->name);
		if (spawn(argv, &j, &err) < 0) {
			fprintf(stderr, "%s: autostart: %s:%u: %s: %s\n", prog_name, o->list,
				e->line, e->arg, err.msg);
			failed++;
			continue;
		}
		if (wait_job(&j, 1, &code) < 0)
			code = EXIT_FAIL;
		failed += stop_done(o, &j, code);
		close(j.out);
	}
	state_free_all(r.v, r.n);
	if (failed)
		fprintf(stderr, "%s: autostart: %zu of %zu entries of %s failed\n", prog_name,
			failed, l->n, o->list);
	return failed ? EXIT_FAIL : EXIT_OK;
}

/* For an entry that does not run: its subhost's name (malloc'd) if its
 * conf can be read, else NULL with *why (malloc'd) set. */
static char *entry_name(const struct as_entry *e, char **why)
{
	struct sh_config_opts opts = { .action = "autostart-status" };
	struct sh_err err = { 0 };
	_cleanup_free_ char *path = NULL;
	struct sh_config cfg;
	char *name;

	*why = NULL;
	if (e->error) {
		*why = xasprintf("%s: %s", e->arg, e->error);
		return NULL;
	}
	path = config_path_for(e->arg);
	if (config_load(path, &opts, &cfg, &err) < 0) {
		/* config_load's messages start with the file's name */
		*why = str_startswith(err.msg, path) ? xstrdup(err.msg)
			: xasprintf("%s: %s", path, err.msg);
		return NULL;
	}
	name = xstrdup(cfg.name);
	config_free(&cfg);
	return name;
}

static int do_status(const struct as_opts *o, const struct as_list *l)
{
	size_t down = 0;
	struct running r;

	(void)o;
	running_read(&r);
	printf("%5s %-15s %-9s %8s  %s\n", "LINE", "NAME", "STATE", "PID", "ENTRY");
	for (size_t i = 0; i < l->n; i++) {
		const struct as_entry *e = &l->v[i];
		const struct sh_state *st = e->error ? NULL : running_find(&r, e);
		_cleanup_free_ char *why = NULL, *name = NULL;

		if (st) {
			printf("%5u %-15s %-9s %8d  %s\n", e->line, st->name, st->status,
			       (int)st->pid, e->arg);
			continue;
		}
		down++;
		name = entry_name(e, &why);
		if (name)
			printf("%5u %-15s %-9s %8s  %s\n", e->line, name, "stopped", "-", e->arg);
		else
			printf("%5u %-15s %-9s %8s  %s\n", e->line, "-", "bad", "-", why);
	}
	state_free_all(r.v, r.n);
	return down ? EXIT_NOTRUNNING : EXIT_OK;
}

/* A whole number from lo to hi in s; -1 if it is not one. */
static int parse_int(const char *s, int lo, int hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return -1;
	return (int)v;
}

int cmd_autostart(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", required_argument, NULL, 'l' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct as_opts o = { .list = getenv("SUBHOST_LIST"), .jobs = JOBS_DEFAULT };
	const char *env_jobs = getenv("SUBHOST_JOBS"), *action;
	_cleanup_free_ char *text = NULL;
	struct sh_err err = { 0 };
	struct as_list l;
	int c, status;

	if (o.list && *o.list)
		o.list_given = true;
	else
		o.list = AUTOSTART_LIST;
	if (env_jobs && *env_jobs && (o.jobs = parse_int(env_jobs, 1, JOBS_MAX)) < 0) {
		fprintf(stderr, "%s: autostart: SUBHOST_JOBS=%s: expected 1 to %d\n", prog_name,
			env_jobs, JOBS_MAX);
		return EXIT_USAGE;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:j:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o.list = optarg;
			o.list_given = true;
			break;
		case 'j':
			o.jobs = parse_int(optarg, 1, JOBS_MAX);
			if (o.jobs < 0) {
				fprintf(stderr, "%s: autostart: --jobs %s: expected 1 to %d\n",
					prog_name, optarg, JOBS_MAX);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (parse_int(optarg, 0, 1000000) < 0) {
				fprintf(stderr, "%s: autostart: --timeout %s: expected seconds\n",
					prog_name, optarg);
				return EXIT_USAGE;
			}
			o.timeout = optarg;
			break;
		case 'h':
			cli_usage(stdout, "autostart");
			return 0;
		default:
			cli_usage(stderr, "autostart");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_usage(stderr, "autostart");
		return EXIT_USAGE;
	}
	action = argv[optind];
	if (strcmp(action, "start") && strcmp(action, "stop") && strcmp(action, "status")) {
		fprintf(stderr, "%s: autostart: unknown action \"%s\": expected start, stop or status\n",
			prog_name, action);
		return EXIT_USAGE;
	}
	if (read_list(&o, &text, &err) < 0) {
		report_err("autostart", &err);
		return err.status;
	}
	autostart_parse(o.list, text, &l, print_warning, NULL);
	if (!strcmp(action, "start"))
		status = do_start(&o, &l);
	else if (!strcmp(action, "stop"))
		status = do_stop(&o, &l);
	else
		status = do_status(&o, &l);
	autostart_free(&l);
	return status;
}
