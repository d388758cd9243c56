/* cmd-share.c - `subhost share NAME HOSTDIR[:SUBDIR] [--ro]`,
 * `subhost unshare NAME SUBDIR`, and overlay-boot's `overlay-share DIR NAME`
 * (share.c does the mounting). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "share.h"
#include "state.h"
#include "supervisor.h"

/* NAME's state if it runs (st filled, returns 0), else an exit status
 * after saying so; a dead supervisor's leftovers are cleaned on the way. */
static int running_state(const char *name, struct sh_state *st)
{
	int stale_fd, probe = state_probe(name, &stale_fd);

	if (probe == 2) {
		subhost_clean_stale(name);
		close(stale_fd);
	}
	if (probe == 1 && state_read(name, st) == 0) {
		if (st->status && !strcmp(st->status, "running") && st->pid > 0)
			return 0;
		state_free(st);
	}
	warnx_name(name, "not running");
	return EXIT_NOTRUNNING;
}

/* Under the record lock: the records of shares still mounted, and the
 * lock fd.  Returns the fd, or an exit status (negated) after a message. */
static int load_records(const char *name, pid_t pid, struct share_rec **v, size_t *n)
{
	int fd = share_records_lock(name), r;

	if (fd < 0) {
		warnx_name(name, "lock the share records in %s: %s", state_rundir(), strerror(-fd));
		return -EXIT_FAIL;
	}
	r = share_records_load(fd, v, n);
	if (r < 0) {
		warnx_name(name, "read the share records: %s", strerror(-r));
		close(fd);
		return -EXIT_FAIL;
	}
	share_records_prune(pid, *v, n);
	return fd;
}

static int do_share(const char *arg, const struct share_spec *spec)
{
	_cleanup_free_ char *name = NULL;
	struct share_rec *recs = NULL, rec;
	struct sh_err err = { 0 };
	struct sh_state st;
	size_t n = 0;
	int status, fd, r;

	name = cli_name(arg, &status);
	if (!name)
		return status;
	status = running_state(name, &st);
	if (status)
		return status;
	fd = load_records(name, st.pid, &recs, &n);
	if (fd < 0) {
		state_free(&st);
		return -fd;
	}
	r = share_add(st.pid, st.pid_start, spec, &rec, &err);
	state_free(&st);
	if (r < 0) {
		if (err.status == EXIT_NOTRUNNING)
			warnx_name(name, "not running");
		else
			report_err(name, &err);
		share_recs_free(recs, n);
		close(fd);
		return err.status ? err.status : EXIT_FAIL;
	}
	recs = xrealloc(recs, (n + 1) * sizeof *recs);
	recs[n++] = rec;
	r = share_records_store(fd, recs, n);
	if (r < 0)
		warnx_name(name, "shared %s on %s, but could not record it (unshare will refuse it): %s",
			   spec->hostdir, spec->subdir, strerror(-r));
	share_recs_free(recs, n);
	close(fd);
	return r < 0 ? EXIT_FAIL : 0;
}

/* overlay-share DIR NAME (overlay-boot 1.6): DIR at the same path inside;
 * without NAME, list the running subhosts to pick from. */
static int overlay_share(int argc, char **argv)
{
	struct share_spec spec = { 0 };
	struct sh_err err = { 0 };
	struct stat s;
	int status;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout, "usage: overlay-share DIR NAME\n"
			"Share the host directory DIR with the running subhost NAME, at the same path.\n");
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (stat(argv[1], &s) < 0 || !S_ISDIR(s.st_mode)) {
		warnx_name(NULL, "not a directory: %s", argv[1]);
		return EXIT_FAIL;
	}
	if (argc < 3) {
		char **names = state_names();

		printf("Select subhost:");
		for (size_t i = 0; names[i]; i++) {
			int stale_fd;
			if (state_probe(names[i], &stale_fd) == 1)
				printf(" %s", names[i]);
			else if (stale_fd >= 0)
				close(stale_fd);
			free(names[i]);
		}
		printf("\n");
		free(names);
		return 0;
	}
	if (argc > 3) {
		fprintf(stderr, "usage: overlay-share DIR NAME\n");
		return EXIT_USAGE;
	}
	if (strchr(argv[1], ':')) {
		warnx_name(NULL, "%s: a directory name with ':' cannot be shared", argv[1]);
		return EXIT_USAGE;
	}
	if (share_parse(argv[1], &spec, &err) < 0) {
		report_err(NULL, &err);
		return EXIT_USAGE;
	}
	status = do_share(argv[2], &spec);
	share_spec_free(&spec);
	return status;
}

int cmd_share(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ro", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct share_spec spec;
	struct sh_err err = { 0 };
	struct stat s;
	bool ro = false;
	int c, status;

	if (!strcmp(prog_name, "overlay-share"))
		return overlay_share(argc, argv);
	optind = 1;
	while ((c = getopt_long(argc, argv, "rh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			ro = true;
			break;
		case 'h':
			cli_usage(stdout, "share");
			return 0;
		default:
			cli_usage(stderr, "share");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 2) {
		cli_usage(stderr, "share");
		return EXIT_USAGE;
	}
	if (share_parse(argv[optind + 1], &spec, &err) < 0) {
		report_err(NULL, &err);
		return EXIT_USAGE;
	}
	spec.ro = spec.ro || ro;
	if (stat(spec.hostdir, &s) < 0) {
		warnx_name(NULL, "HOSTDIR %s: %s: expected an existing directory or file",
			   spec.hostdir, strerror(errno));
		share_spec_free(&spec);
		return EXIT_USAGE;
	}
	status = do_share(argv[optind], &spec);
	share_spec_free(&spec);
	return status;
}

int cmd_unshare(int argc, char **argv)
{
	_cleanup_free_ char *name = NULL;
	struct share_spec spec;
	struct share_rec *recs = NULL;
	struct sh_err err = { 0 };
	struct sh_state st;
	size_t n = 0, which = 0;
	int status, fd, r;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cli_usage(stdout, "unshare");
		return 0;
	}
	if (argc != 3) {
		cli_usage(stderr, "unshare");
		return EXIT_USAGE;
	}
	/* SUBDIR alone, checked as the SUBDIR of a share (no "..") */
	{
		_cleanup_free_ char *as_spec = xasprintf("/:%s", argv[2]);
		if (!*argv[2] || share_parse(as_spec, &spec, &err) < 0) {
			warnx_name(NULL, "%s: expected a path inside the subhost, without \"..\"", argv[2]);
			return EXIT_USAGE;
		}
	}
	name = cli_name(argv[1], &status);
	if (!name) {
		share_spec_free(&spec);
		return status;
	}
	status = running_state(name, &st);
	if (status) {
		share_spec_free(&spec);
		return status;
	}
	fd = load_records(name, st.pid, &recs, &n);
	if (fd < 0) {
		state_free(&st);
		share_spec_free(&spec);
		return -fd;
	}
	r = share_remove(st.pid, st.pid_start, spec.subdir, recs, n, &which, &err);
	state_free(&st);
	share_spec_free(&spec);
	if (r == 0) {
		share_rec_free(&recs[which]);
		recs[which] = recs[--n];
		r = share_records_store(fd, recs, n);
		if (r < 0)
			warnx_name(name, "update the share records: %s", strerror(-r));
		r = r < 0 ? EXIT_FAIL : 0;
	} else {
		if (err.status == EXIT_NOTRUNNING)
			warnx_name(name, "not running");
		else
			report_err(name, &err);
		r = err.status ? err.status : EXIT_FAIL;
	}
	share_recs_free(recs, n);
	close(fd);
	return r;
}
