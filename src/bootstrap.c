/* bootstrap.c - a Debian tree from mmdebstrap or debootstrap (bootstrap.h). */
#include "bootstrap.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define SOURCES_MAX (1024 * 1024)       /* one sources file; real ones are tiny */

static void list_push(struct sh_list *l, char *s)
{
	l->v = xrealloc(l->v, (l->n + 2) * sizeof *l->v);
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

/* ---- the host's APT sources ------------------------------------------------ */

/* Does an entry's suite belong to the suite asked for? */
static bool suite_matches(const char *entry, const char *suite)
{
	size_t n = strlen(suite);

	return !strncmp(entry, suite, n) && (!entry[n] || entry[n] == '-' || entry[n] == '/');
}

/* One source as we pass it on; options we keep: signed-by (a file path,
 * not an inline key) and arch. */
struct src {
	const char *uri, *suite, *signed_by, *arch;
	char comps[512];
};

static void src_emit(const struct src *s, const char *suite, struct sh_list *out)
{
	char opts[1024] = "";
	size_t n = 0;

	if (!suite_matches(s->suite, suite) || !s->uri || !*s->uri)
		return;
	if (s->signed_by && *s->signed_by == '/' && !strpbrk(s->signed_by, " \t\n]"))
		n += (size_t)snprintf(opts + n, sizeof opts - n, "signed-by=%s", s->signed_by);
	if (s->arch && *s->arch && !strpbrk(s->arch, " \t\n]") && n < sizeof opts)
		snprintf(opts + n, sizeof opts - n, "%sarch=%s", n ? " " : "", s->arch);
	list_push(out, xasprintf("deb %s%s%s%s %s %s", opts[0] ? "[" : "", opts, opts[0] ? "] " : "",
				 s->uri, s->suite, s->comps[0] ? s->comps : "main"));
}

/* One-line style: "deb [opt=v opt=v] URI SUITE COMP..." per line. */
static void parse_list(char *text, const char *suite, struct sh_list *out)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct src s = { 0 };
		char *hash = strchr(line, '#'), *p, *tok, *tsave = NULL;
		size_t cn = 0;

		if (hash)
			*hash = '\0';
		p = line + strspn(line, " \t");
		if (strncmp(p, "deb", 3) || (p[3] != ' ' && p[3] != '\t'))
			continue;       /* deb-src and the rest */
		p += 3;
		p += strspn(p, " \t");
		if (*p == '[') {
			char *end = strchr(p, ']'), *o, *osave = NULL;
			if (!end)
				continue;
			*end = '\0';
			for (o = strtok_r(p + 1, " \t", &osave); o; o = strtok_r(NULL, " \t", &osave)) {
				if (str_startswith(o, "signed-by="))
					s.signed_by = o + 10;
				else if (str_startswith(o, "arch="))
					s.arch = o + 5;
			}
			p = end + 1;
		}
		s.uri = strtok_r(p, " \t", &tsave);
		s.suite = strtok_r(NULL, " \t", &tsave);
		if (!s.uri || !s.suite)
			continue;
		while ((tok = strtok_r(NULL, " \t", &tsave)) && cn < sizeof s.comps - 1)
			cn += (size_t)snprintf(s.comps + cn, sizeof s.comps - cn, "%s%s", cn ? " " : "", tok);
		src_emit(&s, suite, out);
	}
}

/* deb822 style: paragraphs of "Field: value" with indented continuation
 * lines; every combination of URIs and Suites of a "deb" paragraph. */
static void parse_deb822_para(char **fields, size_t nf, const char *suite, struct sh_list *out)
{
	const char *types = "", *uris = "", *suites = "", *comps = "", *signed_by = NULL,
		   *arch = NULL, *enabled = "yes";
	_cleanup_free_ char *u = NULL, *su = NULL;
	char *a, *b, *as = NULL, *bs = NULL;
	bool deb = false;

	for (size_t i = 0; i < nf; i++) {
		char *colon = strchr(fields[i], ':');
		const char *v;

		if (!colon)
			continue;
		*colon = '\0';
		v = colon + 1;
		v += strspn(v, " \t");
		if (!strcasecmp(fields[i], "Types"))
			types = v;
		else if (!strcasecmp(fields[i], "URIs"))
			uris = v;
		else if (!strcasecmp(fields[i], "Suites"))
			suites = v;
		else if (!strcasecmp(fields[i], "Components"))
			comps = v;
		else if (!strcasecmp(fields[i], "Signed-By"))
			signed_by = strchr(v, '\n') ? NULL : v;        /* an inline key */
		else if (!strcasecmp(fields[i], "Architectures"))
			arch = v;
		else if (!strcasecmp(fields[i], "Enabled"))
			enabled = v;
	}
	if (strcasecmp(enabled, "yes"))
		return;
	{
		_cleanup_free_ char *t = xstrdup(types);
		char *ts = NULL;
		for (a = strtok_r(t, " \t\n", &ts); a; a = strtok_r(NULL, " \t\n", &ts))
			deb = deb || !strcmp(a, "deb");
	}
	if (!deb)
		return;
	u = xstrdup(uris);
	for (a = strtok_r(u, " \t\n", &as); a; a = strtok_r(NULL, " \t\n", &as)) {
		free(su);
		su = xstrdup(suites);
		for (b = strtok_r(su, " \t\n", &bs); b; b = strtok_r(NULL, " \t\n", &bs)) {
			struct src s = { .uri = a, .suite = b, .signed_by = signed_by, .arch = arch };
			_cleanup_free_ char *cw = xstrdup(comps);
			char *c, *cs = NULL;
			size_t cn = 0;

			/* one line of single-blank-separated words */
			for (c = strtok_r(cw, " \t\n", &cs); c && cn < sizeof s.comps - 1;
			     c = strtok_r(NULL, " \t\n", &cs))
				cn += (size_t)snprintf(s.comps + cn, sizeof s.comps - cn, "%s%s",
						       cn ? " " : "", c);
			src_emit(&s, suite, out);
		}
	}
}

static void parse_deb822(char *text, const char *suite, struct sh_list *out)
{
	char **fields = NULL;
	size_t nf = 0;
	char *line = text, *next;

	for (; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#')
			continue;
		if (!*str_trim(line)) {
			parse_deb822_para(fields, nf, suite, out);
			for (size_t i = 0; i < nf; i++)
				free(fields[i]);
			nf = 0;
		} else if ((line[0] == ' ' || line[0] == '\t') && nf > 0) {
			/* continuation: join with a newline (an inline key stays
			 * recognisable as one) */
			char *joined = xasprintf("%s\n%s", fields[nf - 1], line + 1);
			free(fields[nf - 1]);
			fields[nf - 1] = joined;
		} else {
			fields = xrealloc(fields, (nf + 1) * sizeof *fields);
			fields[nf++] = xstrdup(line);
		}
	}
	parse_deb822_para(fields, nf, suite, out);
	for (size_t i = 0; i < nf; i++)
		free(fields[i]);
	free(fields);
}

static int parse_file(const char *path, bool deb822, const char *suite, struct sh_list *out)
{
	char *buf = xmalloc(SOURCES_MAX);
	int r = read_file(path, buf, SOURCES_MAX);

	if (r >= 0) {
		if (deb822)
			parse_deb822(buf, suite, out);
		else
			parse_list(buf, suite, out);
	}
	free(buf);
	return r == -ENOENT ? 0 : r < 0 ? r : 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int bootstrap_host_sources(const char *apt_dir, const char *suite, struct sh_list *out)
{
	_cleanup_free_ char *main_list = path_join(apt_dir, "sources.list");
	_cleanup_free_ char *dirpath = path_join(apt_dir, "sources.list.d");
	size_t before = out->n, nn = 0;
	char **names = NULL;
	struct dirent *e;
	DIR *d;
	int r;

	r = parse_file(main_list, false, suite, out);
	if (r < 0)
		return r;
	d = opendir(dirpath);
	if (!d)
		return errno == ENOENT ? (int)(out->n - before) : -errno;
	while ((e = readdir(d))) {
		/* apt's own rule: only these suffixes, no dot files */
		if (e->d_name[0] == '.' ||
		    (!str_endswith(e->d_name, ".list") && !str_endswith(e->d_name, ".sources")))
			continue;
		names = xrealloc(names, (nn + 1) * sizeof *names);
		names[nn++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (nn)
		qsort(names, nn, sizeof *names, name_cmp);
	for (size_t i = 0; i < nn; i++) {
		_cleanup_free_ char *p = path_join(dirpath, names[i]);
		if (r == 0)
			r = parse_file(p, str_endswith(names[i], ".sources"), suite, out);
		free(names[i]);
	}
	free(names);
	return r < 0 ? r : (int)(out->n - before);
}

/* ---- the command line ------------------------------------------------------- */

/* A suite, variant or package name: no option injection, no blanks. */
static bool word_ok(const char *w, const char *extra)
{
	if (!*w || !isalnum((unsigned char)*w))
		return false;
	for (; *w; w++)
		if (!isalnum((unsigned char)*w) && !strchr(extra, *w))
			return false;
	return true;
}

static const char *init_package(const char *init)
{
	if (!init || !strcmp(init, "systemd"))
		return "systemd-sysv";
	if (!strcmp(init, "sysv"))
		return "sysvinit-core";
	return "";      /* "none" */
}

const char *bootstrap_conf_init(const struct bootstrap_opts *o)
{
	if (!o->init || !strcmp(o->init, "systemd"))
		return "/sbin/init";
	if (!strcmp(o->init, "sysv"))
		return "sysv";
	return NULL;
}

/* "pkg,pkg" of the init's package and o->include, validated. */
static int packages(const struct bootstrap_opts *o, char **out, struct sh_err *err)
{
	_cleanup_free_ char *copy = xstrdup(o->include ? o->include : "");
	const char *init = init_package(o->init);
	size_t len = strlen(init) + strlen(copy) + 2, n;
	char *list = xcalloc(1, len), *p, *save = NULL;

	n = (size_t)snprintf(list, len, "%s", init);
	for (p = strtok_r(copy, ", \t\n", &save); p; p = strtok_r(NULL, ", \t\n", &save)) {
		if (!word_ok(p, "+-.:=~/_")) {
			free(list);
			return err_cfg(err, "package \"%s\" is invalid: expected a Debian package name "
				       "(optionally =VERSION or /RELEASE)", p);
		}
		n += (size_t)snprintf(list + n, len - n, "%s%s", n ? "," : "", p);
	}
	*out = list;
	return 0;
}

/* URI and components of the first line whose suite is exactly suite. */
static int primary_mirror(const struct sh_list *mirrors, const char *suite, char **uri,
			  char **comps, char **keyring)
{
	for (size_t i = 0; i < mirrors->n; i++) {
		_cleanup_free_ char *l = xstrdup(mirrors->v[i]);
		char *p = l + 4, *save = NULL, *u, *s, *c;     /* after "deb " */

		*keyring = NULL;
		if (*p == '[') {
			char *end = strchr(p, ']'), *sb;
			if (!end)
				continue;
			*end = '\0';
			sb = strstr(p, "signed-by=");
			if (sb)
				*keyring = xasprintf("%.*s", (int)strcspn(sb + 10, " "), sb + 10);
			p = end + 2;
		}
		u = strtok_r(p, " ", &save);
		s = strtok_r(NULL, " ", &save);
		if (!u || !s || strcmp(s, suite)) {
			free(*keyring);
			*keyring = NULL;
			continue;
		}
		*uri = xstrdup(u);
		*comps = xstrdup("");
		while ((c = strtok_r(NULL, " ", &save))) {
			char *more = xasprintf("%s%s%s", *comps, **comps ? "," : "", c);
			free(*comps);
			*comps = more;
		}
		return 0;
	}
	return -ENOENT;
}

int bootstrap_argv(const char *tool, const char *dir, const struct bootstrap_opts *o,
		   const struct sh_list *mirrors, struct sh_list *argv, struct sh_err *err)
{
	const char *variant = o->variant ? o->variant : "minbase";
	_cleanup_free_ char *pkgs = NULL, *uri = NULL, *comps = NULL, *keyring = NULL;
	bool mm = !strcmp(tool, "mmdebstrap");
	int r;

	if (!o->suite || !word_ok(o->suite, "-._"))
		return err_cfg(err, "suite \"%s\" is invalid: expected a Debian release name such as "
			       "bookworm or stable", o->suite ? o->suite : "");
	if (!word_ok(variant, "-._"))
		return err_cfg(err, "variant \"%s\" is invalid: expected a name such as minbase", variant);
	if (o->init && strcmp(o->init, "systemd") && strcmp(o->init, "sysv") && strcmp(o->init, "none"))
		return err_cfg(err, "init \"%s\" is invalid: expected systemd, sysv or none", o->init);
	if (o->mirror && (!strstr(o->mirror, ":/") || strpbrk(o->mirror, " \t\n")))
		return err_cfg(err, "mirror \"%s\" is invalid: expected a URI such as "
			       "http://deb.debian.org/debian", o->mirror);
	r = packages(o, &pkgs, err);
	if (r < 0)
		return r;
	if (!mm && !o->mirror &&
	    primary_mirror(mirrors, o->suite, &uri, &comps, &keyring) < 0)
		return err_msg(err, EXIT_USAGE, ENOENT, "no APT source for suite %s among the "
			       "host's: give a mirror", o->suite);
	list_push(argv, xstrdup(tool));
	list_push(argv, xasprintf("--variant=%s", variant));
	if (*pkgs)
		list_push(argv, xasprintf("--include=%s", pkgs));
	if (mm) {
		if (o->quiet)
			list_push(argv, xstrdup("--quiet"));
		list_push(argv, xstrdup(o->suite));
		list_push(argv, xstrdup(dir));
		if (o->mirror) {
			list_push(argv, xstrdup(o->mirror));
		} else {
			for (size_t i = 0; i < mirrors->n; i++)
				list_push(argv, xstrdup(mirrors->v[i]));
		}
		return 0;
	}
	/* debootstrap: one mirror */
	if (comps && *comps)
		list_push(argv, xasprintf("--components=%s", comps));
	if (keyring)
		list_push(argv, xasprintf("--keyring=%s", keyring));
	list_push(argv, xstrdup(o->suite));
	list_push(argv, xstrdup(dir));
	list_push(argv, xstrdup(o->mirror ? o->mirror : uri));
	return 0;
}

/* ---- running it ------------------------------------------------------------- */

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = xstrdup(path && *path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	char *d, *save = NULL;

	for (d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = path_join(d, prog);
		if (access(p, X_OK) == 0)
			return true;
	}
	return false;
}

/* dir must be new or an empty directory: a tree is never made over data. */
static int check_target(const char *dir, struct sh_err *err)
{
	DIR *d;
	struct dirent *e;

	if (dir[0] != '/')
		return err_cfg(err, "tree directory %s: expected an absolute path", dir);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : err_sys(err, errno, "tree directory %s", dir);
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			closedir(d);
			return err_msg(err, EXIT_FAIL, EEXIST, "tree directory %s is not empty: "
				       "expected a new or empty directory", dir);
		}
	}
	closedir(d);
	return 0;
}

static int run(char **argv, int *status)
{
	pid_t pid = fork();
	int devnull;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* stdin from /dev/null: mmdebstrap reads sources from a
		 * non-terminal stdin; its progress goes to our stderr. */
		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(2, 1) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int bootstrap_tree(const char *dir, const struct bootstrap_opts *o, struct sh_err *err)
{
	struct sh_list mirrors = { NULL, 0 }, argv = { NULL, 0 };
	const char *tool = o->tool;
	_cleanup_free_ char *hostname = NULL;
	int r, status = 0;

	if (!tool)
		tool = on_path("mmdebstrap") ? "mmdebstrap" : "debootstrap";
	if (strcmp(tool, "mmdebstrap") && strcmp(tool, "debootstrap"))
		return err_cfg(err, "bootstrap tool \"%s\": expected mmdebstrap or debootstrap", tool);
	r = check_target(dir, err);
	if (r < 0)
		return r;
	if (!o->mirror && o->suite) {
		const char *apt = o->apt_dir ? o->apt_dir : "/etc/apt";
		r = bootstrap_host_sources(apt, o->suite, &mirrors);
		if (r < 0) {
			r = err_sys(err, -r, "read the APT sources in %s", apt);
			goto out;
		}
		if (r == 0) {
			r = err_msg(err, EXIT_USAGE, ENOENT, "no APT source for suite %s in %s: "
				    "expected an entry for %s (or %s-updates, %s-security) there, "
				    "or give a mirror", o->suite, apt, o->suite, o->suite, o->suite);
			goto out;
		}
	}
	r = bootstrap_argv(tool, dir, o, &mirrors, &argv, err);
	if (r < 0)
		goto out;
	r = run(argv.v, &status);
	if (r < 0) {
		r = err_sys(err, -r, "run %s", tool);
		goto out;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		r = err_msg(err, EXIT_FAIL, ENOENT, "%s %s: %s is not installed", tool, o->suite, tool);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		r = err_msg(err, EXIT_FAIL, 0, "%s %s into %s failed: %s %d", tool, o->suite, dir,
			    WIFEXITED(status) ? "exit status" : "killed by signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto out;
	}
	/* The host's name, copied in by the tool, would rename the subhost
	 * at its first boot (hostname.sh, systemd). */
	hostname = path_join(dir, "etc/hostname");
	if (unlink(hostname) < 0 && errno != ENOENT) {
		r = err_sys(err, errno, "remove %s", hostname);
		goto out;
	}
	r = 0;
out:
	sh_list_free(&mirrors);
	sh_list_free(&argv);
	return r;
}
