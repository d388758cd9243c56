/* cmd-clean.c - `subhost clean NAME|CONF [--dry-run] [--verbose]`, and
 * overlay-boot's `overlay-clean-root CONF`: drop from a stopped subhost's
 * UPPER every file the lower layers already show identically (clean.c). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include "clean.h"
#include "bases.h"
#include "cli.h"
#include "state.h"
#include "supervisor.h"
#include "userns.h"

struct out {
	const char *name;
	bool dry_run, verbose;
};

static void print_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: warning: %s\n", prog_name, msg);
}

/* A path on one line: control bytes and '\' as \ooo (as in mountinfo). */
static void print_path(FILE *f, const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f || c == '\\')
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
}

static void on_event(void *ctx, enum clean_event ev, const char *path, bool is_dir,
		     const char *reason)
{
	const struct out *o = ctx;

	switch (ev) {
	case CLEAN_REMOVE:
		if (!o->dry_run && !o->verbose)
			return;
		fputs(o->dry_run ? "would remove " : "removed ", stdout);
		print_path(stdout, path);
		fputs(is_dir ? "/\n" : "\n", stdout);
		break;
	case CLEAN_KEEP:
		if (!o->verbose)
			return;
		fputs("kept ", stdout);
		print_path(stdout, path);
		printf(": %s\n", reason);
		break;
	case CLEAN_ERROR:
		fprintf(stderr, "%s: %s: ", prog_name, o->name);
		print_path(stderr, path);
		fprintf(stderr, ": %s (kept)\n", reason);
		break;
	}
}

/* A running subhost whose layers include upper (LOWER=@NAME chains): its
 * name, malloc'd, or NULL. */
static char *running_user_of(const char *self, const char *upper)
{
	size_t n;
	struct sh_state *v = state_read_others(self, &n);
	char *found = NULL;

	for (size_t i = 0; i < n && !found; i++) {
		_cleanup_free_ char *layers = xstrdup(v[i].lower ? v[i].lower : "");
		char *save = NULL;
		int stale_fd;

		for (char *l = strtok_r(layers, ":", &save); l && !found; l = strtok_r(NULL, ":", &save)) {
			if (strcmp(l, upper))
				continue;
			if (state_probe(v[i].name, &stale_fd) == 1)
				found = xstrdup(v[i].name);
			else if (stale_fd >= 0)
				close(stale_fd);
		}
	}
	state_free_all(v, n);
	return found;
}

/* Someone holds NAME's lock: its supervisor (it runs), or another clean. */
static int busy(const char *name)
{
	struct sh_state st;

	if (state_read(name, &st) == 0) {
		state_free(&st);
		warnx_name(name, "is running: stop it before cleaning its UPPER");
	} else {
		warnx_name(name, "is locked by another subhost command (a clean, or a boot "
			   "just starting): try again");
	}
	return EXIT_RUNNING;
}

static int run_clean(struct sh_config *cfg, struct out *o)
{
	const char **layers = NULL;
	struct clean_opts co = { .dry_run = o->dry_run, .report = on_event, .ctx = o };
	struct clean_stats st;
	struct sh_err err = { 0 };
	struct idmap map;
	_cleanup_free_ char *user = NULL;
	bool stale = false;
	int lock, r;

	if (cfg->bind_root) {
		warnx_name(cfg->name, "UPPER = LOWER (%s): no overlay, nothing to clean", cfg->upper);
		return EXIT_USAGE;
	}
	/* UPPER or a lower layer on a disk image exists only inside the
	 * subhost's own mount namespace: what lies under the host's mount
	 * point is not what the overlay shows. */
	if (cfg->image || cfg->ndisks) {
		warnx_name(cfg->name, "%s: %s: clean of a subhost whose root lives in a disk image "
			   "is not supported: expected UPPER and LOWER as host directories",
			   cfg->path, cfg->image ? "IMAGE" : "DISKS");
		return EXIT_USAGE;
	}
	/* IDMAP: UPPER's owners are host ids; compare through the map. */
	switch (userns_config(cfg, &map, &err)) {
	case 0:
		break;
	case 1:
		co.idmap = &map;
		break;
	default:
		report_err(cfg->name, &err);
		return err.status ? err.status : EXIT_USAGE;
	}
	/* Compare against what the overlay shows: a base chain's layers. */
	if (bases_resolve(cfg, &err) < 0) {
		report_err(cfg->name, &err);
		return err.status ? err.status : EXIT_USAGE;
	}
	/* The subhost's own lock: while we hold it, it cannot boot. */
	lock = state_lock(cfg->name, &stale, &err);
	if (lock == -EBUSY)
		return busy(cfg->name);
	if (lock < 0) {
		report_err(cfg->name, &err);
		return EXIT_FAIL;
	}
	if (stale) {
		/* A dead supervisor's leftovers; that removes the lock file too. */
		subhost_clean_stale(cfg->name);
		close(lock);
		lock = state_lock(cfg->name, NULL, &err);
		if (lock == -EBUSY)
			return busy(cfg->name);
		if (lock < 0) {
			report_err(cfg->name, &err);
			return EXIT_FAIL;
		}
	}
	user = running_user_of(cfg->name, cfg->upper);
	if (user) {
		warnx_name(cfg->name, "UPPER %s is a lower layer of running subhost %s: stop it first",
			   cfg->upper, user);
		state_remove(cfg->name);
		close(lock);
		return EXIT_RUNNING;
	}
	layers = xcalloc(cfg->lower.n ? cfg->lower.n : 1, sizeof *layers);
	for (size_t i = 0; i < cfg->lower.n; i++)
		layers[i] = cfg->lower.v[i];
	r = clean_upper(cfg->upper, layers, cfg->lower.n, &co, &st, &err);
	free(layers);
	state_remove(cfg->name);
	close(lock);
	if (r < 0) {
		report_err(cfg->name, &err);
		return EXIT_FAIL;
	}
	printf("%s: %s %llu file%s and %llu director%s from %s, %s %llu bytes\n", cfg->name,
	       o->dry_run ? "would remove" : "removed", st.files, st.files == 1 ? "" : "s",
	       st.dirs, st.dirs == 1 ? "y" : "ies", cfg->upper,
	       o->dry_run ? "freeing" : "freed", st.bytes);
	if (st.errors) {
		warnx_name(cfg->name, "%llu entr%s could not be checked or removed (kept)",
			   st.errors, st.errors == 1 ? "y" : "ies");
		return EXIT_FAIL;
	}
	return 0;
}

int cmd_clean(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sh_config_opts copts = { .warn = print_warning, .action = "overlay-clean-root" };
	struct out o = { 0 };
	struct sh_config cfg;
	struct sh_err err = { 0 };
	_cleanup_free_ char *path = NULL;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.dry_run = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			cli_usage(stdout, "clean");
			return 0;
		default:
			cli_usage(stderr, "clean");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_usage(stderr, "clean");
		return EXIT_USAGE;
	}
	/* !commands see ACTION=overlay-clean-root, as under overlay-boot 1.6:
	 * a helper like overlay-diskfile mounts nothing for a clean. */
	path = config_path_for(argv[optind]);
	if (config_load(path, &copts, &cfg, &err) < 0) {
		report_err(NULL, &err);
		return err.status ? err.status : EXIT_USAGE;
	}
	/* Each directory level holds one descriptor per layer: deep trees
	 * need more than the default 1024. */
	raise_nofile_limit();
	o.name = cfg.name;
	status = run_clean(&cfg, &o);
	config_free(&cfg);
	return status;
}
