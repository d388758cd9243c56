/* cmd-create.c - `subhost create NAME` and `subhost destroy NAME`: make
 * and remove a subhost's directories and conf (cage's base chains). */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "bases.h"
#include "bootstrap.h"
#include "overlay.h"
#include "cli.h"
#include "state.h"
#include "supervisor.h"

#define DEFAULT_BASE_DIR "/var/lib/subhost"

/* The directory that holds NAME.conf for `subhost boot NAME`. */
static char *conf_dir(void)
{
	_cleanup_free_ char *p = config_path_for("x");

	*strrchr(p, '/') = '\0';
	return xstrdup(p);
}

static int write_conf(const char *path, const char *text, struct sh_err *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	size_t len = strlen(text);

	if (fd < 0)
		return err_sys(err, errno, "create %s", path);
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		int e = errno ? errno : EIO;
		unlink(path);
		return err_sys(err, e, "write %s", path);
	}
	return 0;
}

/* LOWER for --base: "@OTHER" (which must resolve) or an existing directory. */
static int base_layer(const char *name, const char *base, char **out, struct sh_err *err)
{
	char real[PATH_MAX];
	struct stat st;

	if (base[0] == '@') {
		_cleanup_free_ char *p = NULL;

		if (config_check_name(base + 1, err) < 0) {
			err_prefix(err, "--base %s", base);
			return -EINVAL;
		}
		if (!strcmp(base + 1, name))
			return err_cfg(err, "--base %s: a subhost cannot stand on itself", base);
		p = bases_conf_path(base + 1);
		if (!p) {
			_cleanup_free_ char *want = config_path_for(base + 1);
			return err_cfg(err, "--base %s: no subhost %s: expected %s or a running "
				       "subhost of that name", base, base + 1, want);
		}
		*out = xstrdup(base);
		return 0;
	}
	if (!realpath(base, real) || stat(real, &st) < 0)
		return err_msg(err, EXIT_USAGE, errno, "--base %s: %s: expected @OTHER or a directory",
			       base, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_cfg(err, "--base %s is not a directory: expected @OTHER or a directory", base);
	if (strchr(real, ':'))
		return err_cfg(err, "--base %s: a path with ':' cannot be a LOWER layer", base);
	*out = xstrdup(real);
	return 0;
}

static char *conf_text(const char *name, const char *base, const char *lower, const char *init)
{
	char date[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(date, sizeof date, "%Y-%m-%d", localtime_r(&now, &tm));
	return xasprintf("# %s: made by `subhost create` on %s.  See subhost.conf(5).\n"
			 "BASE=%s\n"
			 "%s%s\n"
			 "%s%s%s"
			 "# Network cables to host bridges (BRIDGE[=MAC] ...), e.g.\n"
			 "# CABLES=br0\n",
			 name, date, base, lower ? "LOWER=" : "# LOWER=/ (default: the host's root)",
			 lower ? lower : "",
			 init ? "# The tree's own init is pid 1.\nINIT=" : "",
			 init ? init : "",
			 init ? "\n" : "# Nothing is started: pid 1 idles until services are named, e.g.\n"
				"# START=networking ssh\nSTART=none\n");
}

int cmd_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "dir", required_argument, NULL, 'd' },
		{ "debootstrap", required_argument, NULL, 'D' },
		{ "variant", required_argument, NULL, 'V' },
		{ "include", required_argument, NULL, 'I' },
		{ "init", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bootstrap_opts bo = { 0 };
	_cleanup_free_ char *tree = NULL;
	const char *base_arg = NULL, *dir_arg = NULL, *sub[] = { "root", "work", "live" };
	static const mode_t sub_mode[] = { 0755, 0700, 0755 };
	_cleanup_free_ char *confdir = conf_dir(), *conf = NULL, *lower = NULL, *base = NULL;
	_cleanup_free_ char *text = NULL;
	struct sh_err err = { 0 };
	const char *name = NULL;
	bool made_base = false;
	size_t made = 0;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': base_arg = optarg; break;
		case 'd': dir_arg = optarg; break;
		case 'D': bo.suite = optarg; break;
		case 'V': bo.variant = optarg; break;
		case 'I': bo.include = optarg; break;
		case 'N': bo.init = optarg; break;
		case 'h': cli_usage(stdout, "create"); return 0;
		default: cli_usage(stderr, "create"); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_usage(stderr, "create");
		return EXIT_USAGE;
	}
	if (config_check_name(argv[optind], &err) < 0) {
		report_err(NULL, &err);
		return EXIT_USAGE;
	}
	name = argv[optind];

	conf = config_path_for(name);
	if (access(conf, F_OK) == 0) {
		err_msg(&err, EXIT_USAGE, 0, "%s exists: expected a new name (or `subhost destroy %s`)",
			conf, name);
		goto fail;
	}
	if (!bo.suite && (bo.variant || bo.include || bo.init)) {
		err_cfg(&err, "--variant, --include and --init go with --debootstrap SUITE");
		goto fail;
	}
	if (bo.suite && base_arg) {
		err_cfg(&err, "--base and --debootstrap exclude each other: a new tree is the base");
		goto fail;
	}
	if (base_arg && base_layer(name, base_arg, &lower, &err) < 0)
		goto fail;
	if (dir_arg) {
		char real[PATH_MAX];
		_cleanup_free_ char *parent = xstrdup(dir_arg), *leaf = NULL;
		char *slash = strrchr(parent, '/');

		/* the directory may not exist yet; its parent must */
		leaf = xstrdup(slash ? slash + 1 : dir_arg);
		if (slash)
			slash == parent ? (void)(parent[1] = '\0') : (void)(*slash = '\0');
		else
			strcpy(parent, ".");
		if (!*leaf || !strcmp(leaf, ".") || !strcmp(leaf, "..") || !realpath(parent, real)) {
			err_msg(&err, EXIT_USAGE, errno, "--dir %s: expected a new or empty directory "
				"in an existing one", dir_arg);
			goto fail;
		}
		base = path_join(real, leaf);
	} else {
		base = path_join(DEFAULT_BASE_DIR, name);
		if (mkdir_p(DEFAULT_BASE_DIR, 0700) < 0) {
			err_sys(&err, errno, "create %s", DEFAULT_BASE_DIR);
			goto fail;
		}
	}
	if (strchr(base, ':') || strchr(base, ',')) {
		err_cfg(&err, "%s: a BASE with ':' or ',' cannot hold overlay layers", base);
		goto fail;
	}
	/* BASE 0700: host users must not reach the subhost's files (a setuid
	 * binary in UPPER, private keys); its root is 0755 for users inside. */
	if (mkdir(base, 0700) == 0) {
		made_base = true;
	} else {
		DIR *d = errno == EEXIST ? opendir(base) : NULL;
		struct dirent *e;
		bool empty = d != NULL;

		while (d && (e = readdir(d)))
			empty = empty && (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."));
		if (d)
			closedir(d);
		if (!empty) {
			err_msg(&err, EXIT_USAGE, errno == EEXIST ? 0 : errno,
				"%s exists and is not an empty directory: expected a new BASE", base);
			goto fail;
		}
		if (chmod(base, 0700) < 0) {
			err_sys(&err, errno, "chmod %s", base);
			goto fail;
		}
	}
	for (made = 0; made < 3; made++) {
		_cleanup_free_ char *p = path_join(base, sub[made]);
		if (mkdir(p, sub_mode[made]) < 0 || chmod(p, sub_mode[made]) < 0) {
			err_sys(&err, errno, "create %s", p);
			goto fail;
		}
	}
	r = mkdir_p(confdir, 0755);
	if (r < 0) {
		err_sys(&err, -r, "create %s", confdir);
		goto fail;
	}
	if (bo.suite) {
		/* the new tree is the lower layer, beside UPPER in BASE */
		tree = path_join(base, "tree");
		if (bootstrap_tree(tree, &bo, &err) < 0)
			goto fail;
		lower = xstrdup(tree);
	}
	text = conf_text(name, base, lower, bo.suite ? bootstrap_conf_init(&bo) : NULL);
	if (write_conf(conf, text, &err) < 0)
		goto fail;
	printf("created %s: conf %s, base %s%s%s\n", name, conf, base,
	       lower ? ", standing on " : "", lower ? lower : "");
	return 0;
fail:
	/* undo exactly what this call made */
	if (tree)
		remove_tree(tree, NULL);
	while (base && made > 0) {
		_cleanup_free_ char *p = path_join(base, sub[--made]);
		rmdir(p);
	}
	if (made_base)
		rmdir(base);
	report_err(name, &err);
	return err.status ? err.status : EXIT_FAIL;
}

/* True if one of the ':'-separated layers of value is exactly layer. */
static bool has_layer(const char *value, const char *layer)
{
	size_t n = strlen(layer);

	for (const char *p = value; p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL)
		if (!strncmp(p, layer, n) && (p[n] == ':' || p[n] == '\0'))
			return true;
	return false;
}

/* The first conf of the conf directory (but self) whose LOWER names @name,
 * or NULL.  Read as text: a dependent's !commands are not ours to run. */
static char *dependent_conf(const char *confdir, const char *self, const char *const *layers,
			    size_t nlayers)
{
	DIR *d = opendir(confdir);
	struct dirent *e;
	char *found = NULL;

	while (d && !found && (e = readdir(d))) {
		_cleanup_free_ char *p = NULL;
		char line[4096];
		FILE *f;

		if (!str_endswith(e->d_name, ".conf"))
			continue;
		p = path_join(confdir, e->d_name);
		if (!strcmp(p, self) || !(f = fopen(p, "re")))
			continue;
		while (!found && fgets(line, sizeof line, f)) {
			char *s = str_trim(line), *v;

			if (!str_startswith(s, "LOWER") || !(v = strchr(s, '=')))
				continue;
			v = str_trim(v + 1);
			if (*v == '"' || *v == '\'') {
				size_t l = strlen(v);
				if (l > 1 && v[l - 1] == *v)
					v[l - 1] = '\0';
				v++;
			}
			for (size_t i = 0; i < nlayers && !found; i++)
				if (has_layer(v, layers[i]))
					found = xasprintf("%s (LOWER=%s)", p, v);
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* True if path is strictly inside dir. */
static bool inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return path[1] != '\0';
	return !strncmp(path, dir, n) && path[n] == '/' && path[n + 1];
}

static bool is_mount_point(const char *path)
{
	_cleanup_free_ char *parent = path_join(path, "..");
	struct stat a, b;

	return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

struct plan {
	const char *what[SH_LAYERS_MAX + 8];
	char *path[SH_LAYERS_MAX + 8];
	size_t n;
	bool whole_base;        /* BASE is create's own directory: remove it all */
};

static void plan_add(struct plan *pl, const char *what, const char *path)
{
	for (size_t i = 0; i < pl->n; i++)
		if (!strcmp(pl->path[i], path))
			return;
	if (pl->n == sizeof pl->path / sizeof *pl->path)
		return;
	pl->what[pl->n] = what;
	pl->path[pl->n++] = xstrdup(path);
}

/* The layers another subhost may stand on: "@NAME", UPPER, and the lower
 * directories inside BASE that destroy removes (a --debootstrap tree). */
static int check_dependents(const struct sh_config *cfg, const char *confdir,
			    const char *const *layers, size_t nlayers, struct sh_err *err)
{
	_cleanup_free_ char *dep = dependent_conf(confdir, cfg->path, layers, nlayers);
	struct sh_state *others;
	size_t n;
	int r = 0;

	if (dep)
		return err_msg(err, EXIT_FAIL, 0, "%s stands on it: expected no subhost built "
			       "on it (destroy that first)", dep);
	others = state_read_others(cfg->name, &n);
	for (size_t i = 0; i < n && r == 0; i++)
		for (size_t k = 1; k < nlayers && r == 0; k++)
			if (others[i].lower && has_layer(others[i].lower, layers[k]))
				r = err_msg(err, EXIT_FAIL, 0, "running subhost %s stands on it: "
					    "expected no subhost built on it (stop and destroy that "
					    "first)", others[i].name);
	state_free_all(others, n);
	return r;
}

int cmd_destroy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_free_ char *confdir = conf_dir(), *own = NULL, *deflog = NULL;
	_cleanup_close_ int lock = -1;
	struct sh_config cfg = { 0 };
	struct sh_err err = { 0 };
	struct plan pl = { 0 };
	bool yes = false, stale = false;
	int c, status = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "yh", longopts, NULL)) != -1) {
		switch (c) {
		case 'y': yes = true; break;
		case 'h': cli_usage(stdout, "destroy"); return 0;
		default: cli_usage(stderr, "destroy"); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_usage(stderr, "destroy");
		return EXIT_USAGE;
	}
	status = cli_load_config(argv[optind], &cfg);
	if (status)
		return status;
	lock = state_lock(cfg.name, &stale, &err);
	if (lock == -EBUSY) {
		err_msg(&err, EXIT_RUNNING, 0, "is running: expected a stopped subhost (subhost stop %s)",
			cfg.name);
		goto out;
	}
	if (lock < 0)
		goto out;
	if (stale)
		subhost_clean_stale(cfg.name);
	{
		_cleanup_free_ char *at = xasprintf("@%s", cfg.name);
		const char *layers[SH_LAYERS_MAX + 2] = { at, cfg.upper };
		size_t nl = 2;

		for (size_t i = 0; i < cfg.lower.n && nl < SH_LAYERS_MAX + 2; i++)
			if (inside(cfg.lower.v[i], cfg.base))
				layers[nl++] = cfg.lower.v[i];
		if (check_dependents(&cfg, confdir, layers, nl, &err) < 0)
			goto out;
	}

	/* Only what is the subhost's own: its conf, and UPPER, WORK and LIVE
	 * when they lie inside BASE; BASE itself when `create` made it. */
	own = path_join(DEFAULT_BASE_DIR, cfg.name);
	deflog = xasprintf("/var/log/subhost/%s.log", cfg.name);
	pl.whole_base = !strcmp(cfg.base, own);
	if (!pl.whole_base) {
		const char *what[] = { "UPPER", "WORK", "LIVE" };
		const char *path[] = { cfg.upper, cfg.work, cfg.live };
		for (size_t i = 0; i < 3; i++) {
			if (!inside(path[i], cfg.base))
				printf("leaving %s %s: not inside BASE %s\n", what[i], path[i], cfg.base);
			else if (is_mount_point(path[i]))
				printf("leaving %s %s: a mount point\n", what[i], path[i]);
			else if (access(path[i], F_OK) == 0)
				plan_add(&pl, what[i], path[i]);
		}
		/* a lower layer inside BASE is the subhost's own (--debootstrap's tree) */
		for (size_t i = 0; i < cfg.lower.n; i++)
			if (inside(cfg.lower.v[i], cfg.base) && !is_mount_point(cfg.lower.v[i]))
				plan_add(&pl, "LOWER", cfg.lower.v[i]);
	} else {
		plan_add(&pl, "BASE", cfg.base);
	}
	if (cfg.log && (!strcmp(cfg.log, deflog) || inside(cfg.log, cfg.base)) &&
	    access(cfg.log, F_OK) == 0)
		plan_add(&pl, "LOG", cfg.log);
	/* the conf last, and only when all else went: what is left can
	 * still be named to destroy */
	plan_add(&pl, "conf", cfg.path);
	if (!yes) {
		for (size_t i = 0; i < pl.n; i++)
			printf("would remove %s %s\n", pl.what[i], pl.path[i]);
		err_msg(&err, EXIT_USAGE, 0, "nothing removed: add --yes to destroy it");
		goto out;
	}
	raise_nofile_limit();    /* remove_tree holds two descriptors a level */
	for (size_t i = 0; i < pl.n; i++) {
		unsigned long long bytes = 0;
		int r;

		if (i == pl.n - 1 && status != EXIT_OK) {
			printf("leaving conf %s: not everything could be removed\n", pl.path[i]);
			break;
		}
		r = remove_tree(pl.path[i], &bytes);

		if (r < 0) {
			fprintf(stderr, "%s: %s: remove %s %s: %s\n", prog_name, cfg.name, pl.what[i],
				pl.path[i], r == -EBUSY ? "a mount inside was left" : strerror(-r));
			status = EXIT_FAIL;
		} else {
			printf("removed %s %s (%llu bytes in files)\n", pl.what[i], pl.path[i], bytes);
		}
	}
	if (!pl.whole_base && rmdir(cfg.base) < 0 && errno != ENOENT)
		printf("leaving BASE %s: %s\n", cfg.base,
		       errno == ENOTEMPTY || errno == EEXIST ? "it holds other files" : strerror(errno));
out:
	if (err.msg[0]) {
		report_err(cfg.name, &err);
		status = err.status ? err.status : EXIT_FAIL;
	}
	if (lock >= 0) {
		close(TAKE_FD(lock));
		state_remove(cfg.name);
	}
	for (size_t i = 0; i < pl.n; i++)
		free(pl.path[i]);
	config_free(&cfg);
	return status;
}
