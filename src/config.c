/* config.c - read and validate a subhost configuration file (SPEC section 2).
 *
 * Three passes, so that nothing runs before the file is known to be
 * well-formed and nothing on the host is touched before every key is valid:
 *  1. parse: lines into (key, raw value, line) entries; syntax errors and
 *     unknown-key warnings;
 *  2. evaluate: run the `!command` of the final value of each key, NAME
 *     first, then BASE, then the others in file order;
 *  3. interpret: resolve paths, apply defaults and validate into cfg.
 * This file reads the file and runs the commands (passes 1 and 2);
 * config-keys.c interprets each key (NAME and BASE, then pass 3).
 */
#include "config.h"
#include "config-internal.h"
#include "mount.h"
#include "spawn.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define CMD_OUTPUT_MAX (1024 * 1024)    /* a value, not a data stream */

extern char **environ;

#define STRF(f) offsetof(struct sh_config, f)
#define NOF ((size_t)-1)

static const struct keydef keydefs[] = {
	{ "NAME", 0, NOF },
	{ "BASE", 0, NOF },
	{ "LIVE", 0, NOF },
	{ "UPPER", 0, NOF },
	{ "WORK", 0, NOF },
	{ "LOWER", 0, NOF },
	{ "CABLES", KF_LIST, NOF },
	{ "BRIDGES", KF_LIST, NOF },
	{ "START", KF_LIST, NOF },
	{ "INIT", KF_LIST, NOF },
	{ "PREMOUNT", 0, NOF },
	{ "POSTMOUNT", 0, NOF },
	{ "RAM_SIZE", 0, NOF },
	{ "SHARE", KF_REPEAT, NOF },
	{ "LOG", 0, NOF },
	{ "HOSTNAME", 0, NOF },
	{ "RUNLEVEL", 0, NOF },
	{ "STOP_SIGNAL", 0, NOF },
	{ "DISKS", KF_LIST, NOF },
	{ "ADDRESS", KF_LIST | KF_REPEAT | KF_RESERVED, NOF },
	{ "IMAGE", 0, NOF },
	{ "GATEWAY", KF_RESERVED, STRF(gateway) },
	{ "MEMORY_MAX", KF_RESERVED, STRF(memory_max) },
	{ "MEMORY_HIGH", KF_RESERVED, STRF(memory_high) },
	{ "CPU_MAX", KF_RESERVED, STRF(cpu_max) },
	{ "CPU_WEIGHT", KF_RESERVED, STRF(cpu_weight) },
	{ "PIDS_MAX", KF_RESERVED, STRF(pids_max) },
	{ "IO_WEIGHT", KF_RESERVED, STRF(io_weight) },
	{ "CAPS_DROP", KF_LIST | KF_RESERVED, STRF(caps_drop) },
	{ "CAPS_KEEP", KF_LIST | KF_RESERVED, STRF(caps_keep) },
	{ "SECCOMP", KF_RESERVED, STRF(seccomp) },
	{ "IDMAP", KF_LIST | KF_RESERVED, STRF(idmap) },
};

/* "FILE:LINE" for a key that was set, "FILE" for one that was not. */
const char *cfg_where(struct ctx *c, int line)
{
	if (line > 0)
		snprintf(c->loc, sizeof c->loc, "%s:%d", c->file, line);
	else
		snprintf(c->loc, sizeof c->loc, "%s", c->file);
	return c->loc;
}

static const struct keydef *keydef_find(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof keydefs / sizeof keydefs[0]; i++)
		if (!strcmp(keydefs[i].key, key))
			return &keydefs[i];
	return NULL;
}

/* ---- lists ------------------------------------------------------------ */

void cfg_list_push(struct sh_list *l, char *s)
{
	l->v = xrealloc(l->v, (l->n + 2) * sizeof *l->v);
	l->v[l->n++] = s;
	l->v[l->n] = NULL;      /* NULL-terminated so init_argv can go to execv */
}

void sh_list_free(struct sh_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Read one shell-style word at *pp: blanks separate words, '...' and "..."
 * quote, a backslash escapes the next character outside single quotes.
 * In an array an unquoted ')' ends the word and the list.  Returns 1 with
 * *out set, 0 at the end, -EINVAL on an unterminated quote. */
static int next_word(const char **pp, bool in_array, char **out)
{
	const char *p = *pp;
	char *w;
	size_t n = 0;

	while (is_blank(*p))
		p++;
	*pp = p;
	if (!*p || (in_array && *p == ')'))
		return 0;
	w = xmalloc(strlen(p) + 1);
	while (*p && !is_blank(*p) && !(in_array && *p == ')')) {
		if (*p == '\'') {
			const char *e = strchr(p + 1, '\'');

			if (!e)
				goto open_quote;
			memcpy(w + n, p + 1, (size_t)(e - p - 1));
			n += (size_t)(e - p - 1);
			p = e + 1;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
					p++;
				w[n++] = *p;
			}
			if (!*p)
				goto open_quote;
			p++;
		} else if (*p == '\\' && p[1]) {
			w[n++] = p[1];
			p += 2;
		} else {
			w[n++] = *p++;
		}
	}
	w[n] = '\0';
	*out = w;
	*pp = p;
	return 1;

open_quote:
	free(w);
	return -EINVAL;
}

/* Find the ')' closing an array that starts with '(' at text[0].  Returns
 * its offset, -1 if the array is still open (or a quote is), so the
 * caller reads on. */
static ssize_t array_close(const char *text)
{
	const char *p = text + 1;
	char *w;
	int r;

	while ((r = next_word(&p, true, &w)) > 0)
		free(w);
	if (r < 0 || *p != ')')
		return -1;
	return p - text;
}

int config_split_list(const char *value, struct sh_list *out)
{
	const char *p = value;
	bool array;
	char *w;
	int r;

	out->v = NULL;
	out->n = 0;
	while (is_blank(*p))
		p++;
	array = *p == '(';
	if (array)
		p++;
	while ((r = next_word(&p, array, &w)) > 0)
		cfg_list_push(out, w);
	if (r == 0 && array) {
		/* the array must be closed and nothing may follow */
		if (*p == ')')
			for (p++; is_blank(*p); p++)
				;
		else
			r = -EINVAL;
		if (r == 0 && *p)
			r = -EINVAL;
	}
	if (r < 0) {
		sh_list_free(out);
		return r;
	}
	return 0;
}

/* ---- parsing ---------------------------------------------------------- */

/* k[0..len) minus trailing blanks is [A-Za-z_][A-Za-z0-9_]* */
static bool key_valid(const char *k, size_t len)
{
	size_t i;

	while (len > 0 && is_blank(k[len - 1]))
		len--;
	if (len == 0 || !(isalpha((unsigned char)k[0]) || k[0] == '_'))
		return false;
	for (i = 1; i < len; i++)
		if (!(isalnum((unsigned char)k[i]) || k[i] == '_'))
			return false;
	return true;
}

/* Drop one pair of matching quotes around the whole value. */
static bool unquote(char *v)
{
	size_t len = strlen(v);

	if (len < 2 || (v[0] != '"' && v[0] != '\'') || v[len - 1] != v[0])
		return false;
	if (memchr(v + 1, v[0], len - 2))
		return false;   /* "a" "b" is not one quoted value */
	memmove(v, v + 1, len - 2);
	v[len - 2] = '\0';
	return true;
}

static int add_entry(struct ctx *c, const char *key, char *val, int line, bool array)
{
	const struct keydef *def = keydef_find(key);
	struct ent *e;

	if (!def) {
		if (c->opts->warn) {
			char msg[PATH_MAX + 128];

			snprintf(msg, sizeof msg, "%s:%d: unknown key %s (ignored)", c->file, line, key);
			c->opts->warn(c->opts->warn_ctx, msg);
		}
		free(val);
		return 0;
	}
	if (array && !(def->flags & KF_LIST)) {
		free(val);
		return err_cfg(c->err, "%s: %s takes one value, not a bash array: expected %s=VALUE",
			       cfg_where(c, line), key, key);
	}
	c->ents = xrealloc(c->ents, (c->nents + 1) * sizeof *c->ents);
	e = &c->ents[c->nents++];
	*e = (struct ent){ .def = def, .val = val, .line = line, .array = array };
	if (!array)
		e->quoted = unquote(e->val);
	return 0;
}

/* Finish an array whose ')' is at rpar in text; text is consumed. */
static int array_finish(struct ctx *c, const char *key, char *text, ssize_t rpar,
			int start, int line)
{
	char *rest = text + rpar + 1;

	while (is_blank(*rest))
		rest++;
	/* a bash comment may follow; anything else is an error */
	if (*rest && *rest != '#') {
		int r = err_cfg(c->err, "%s: malformed array for %s: unexpected \"%s\" after ')': expected nothing",
				cfg_where(c, line), key, rest);
		free(text);
		return r;
	}
	text[rpar + 1] = '\0';
	return add_entry(c, key, text, start, true);
}

static int parse_file(struct ctx *c, FILE *f)
{
	_cleanup_free_ char *line = NULL;
	_cleanup_free_ char *akey = NULL;   /* open array: its key ... */
	char *atext = NULL;                 /* ... and text so far */
	int lineno = 0, astart = 0, r = 0;
	size_t cap = 0;

	for (;;) {
		ssize_t len = getline(&line, &cap, f), rpar;
		char *t, *eq, *key, *val, *joined;

		if (len < 0)
			break;
		lineno++;
		t = str_trim(line);
		if (atext) {
			if (*t == '#')
				continue;       /* comment line inside an array */
			joined = xasprintf("%s\n%s", atext, t);
			free(atext);
			atext = joined;
			rpar = array_close(atext);
			if (rpar >= 0) {
				r = array_finish(c, akey, TAKE_PTR(atext), rpar, astart, lineno);
				free(TAKE_PTR(akey));
				if (r < 0)
					return r;
			}
			continue;
		}
		if (!*t || *t == '#')
			continue;
		eq = strchr(t, '=');
		if (!eq || !key_valid(t, (size_t)(eq - t)))
			return err_cfg(c->err, "%s: expected KEY=VALUE, got \"%s\"", cfg_where(c, lineno), t);
		*eq = '\0';
		key = str_trim(t);
		val = str_trim(eq + 1);
		if (*val == '(') {
			rpar = array_close(val);
			if (rpar >= 0) {
				r = array_finish(c, key, xstrdup(val), rpar, lineno, lineno);
				if (r < 0)
					return r;
				continue;
			}
			atext = xstrdup(val);
			akey = xstrdup(key);
			astart = lineno;
			continue;
		}
		r = add_entry(c, key, xstrdup(val), lineno, false);
		if (r < 0)
			return r;
	}
	if (ferror(f)) {
		free(atext);
		return err_sys(c->err, errno, "%s: read", c->file);
	}
	if (atext) {
		free(atext);
		return err_cfg(c->err, "%s: malformed array for %s: expected ')'", cfg_where(c, astart), akey);
	}
	return 0;
}

/* Mark the occurrence of each key that counts: the last one, or all of a
 * repeating key. */
static void mark_final(struct ctx *c)
{
	size_t i, j;

	for (i = 0; i < c->nents; i++) {
		c->ents[i].final = true;
		if (c->ents[i].def->flags & KF_REPEAT)
			continue;
		for (j = i + 1; j < c->nents; j++)
			if (c->ents[j].def == c->ents[i].def) {
				c->ents[i].final = false;
				break;
			}
	}
}

/* ---- !commands -------------------------------------------------------- */

/* CONFIG, NAME, BASE (when known), ACTION and SUBHOST_KEY (the key the
 * value is for: overlay-diskfile mounts a LOWER read-only) for a command;
 * a caller's own values of those never leak into it. */
static void command_env(struct ctx *c, const char *key, char *own[6])
{
	own[0] = xasprintf("CONFIG=%s", c->cfg->path);
	own[1] = xasprintf("NAME=%s", c->cfg->name ? c->cfg->name : c->default_name);
	own[2] = xasprintf("ACTION=%s", c->opts->action ? c->opts->action : "overlay-boot");
	own[3] = c->cfg->base ? xasprintf("BASE=%s", c->cfg->base) : xstrdup("BASE");
	own[4] = xasprintf("SUBHOST_KEY=%s", key);
	own[5] = NULL;
}

/* Run `/bin/sh -c cmd` in dir with stdin on /dev/null and return its
 * trimmed stdout in *out.  stderr stays ours: the user sees the
 * command's complaints next to ours. */
static int run_command(struct ctx *c, const struct ent *e, const char *cmd,
		       const char *dir, char **out)
{
	char *own[6], *buf = NULL;
	struct spawn_opts so = { .dir = dir, .env_set = own, .capture = true,
				 .max_out = CMD_OUTPUT_MAX };
	int status = 0, r, k;

	command_env(c, e->def->key, own);
	r = spawn_shell(cmd, NULL, &so, &buf, &status);
	for (k = 0; k < 5; k++)
		free(own[k]);
	if (r == -EFBIG)
		return err_cfg(c->err, "%s: %s: command \"%s\" printed more than %d bytes: expected a value",
			       cfg_where(c, e->line), e->def->key, cmd, CMD_OUTPUT_MAX);
	if (r < 0)
		return err_sys(c->err, -r, "%s: %s: command \"%s\" in %s",
			       cfg_where(c, e->line), e->def->key, cmd, dir);
	if (WIFSIGNALED(status)) {
		free(buf);
		return err_cfg(c->err, "%s: %s: command \"%s\" failed (killed by signal %d)",
			       cfg_where(c, e->line), e->def->key, cmd, WTERMSIG(status));
	}
	if (WEXITSTATUS(status) != 0) {
		free(buf);
		return err_cfg(c->err, "%s: %s: command \"%s\" failed (exit status %d)",
			       cfg_where(c, e->line), e->def->key, cmd, WEXITSTATUS(status));
	}
	*out = xstrdup(str_trim(buf));
	free(buf);
	return 0;
}

/* Replace a `!command` value by the command's output. */
int cfg_eval_entry(struct ctx *c, struct ent *e, const char *dir)
{
	_cleanup_free_ char *cmd = NULL;
	char *out = NULL;
	int r;

	if (e->array || e->quoted || e->val[0] != '!')
		return 0;
	cmd = xstrdup(str_trim(e->val + 1));
	if (c->opts->no_commands)
		return err_cfg(c->err, "%s: %s: command \"%s\" not run: commands are disabled here: expected a plain value",
			       cfg_where(c, e->line), e->def->key, cmd);
	/* overlay-boot ran its commands after `unshare -m`: what they mount
	 * (overlay-diskfile) is the subhost's alone and goes with it. */
	if (c->opts->stage_mounts && c->host_ns < 0) {
		r = mntns_stage(&c->host_ns, &c->host_cwd, c->err);
		if (r < 0)
			return r;
	}
	r = run_command(c, e, cmd, dir, &out);
	if (r < 0)
		return r;
	free(e->val);
	e->val = out;
	return 0;
}

/* ---- entry points ----------------------------------------------------- */

/* Absolute conf path and its canonical directory, without resolving a
 * symlinked conf itself: BASE is relative to where the user put the file
 * (overlay-boot does `cd $(dirname $CONFIG)`). */
static int conf_location(struct ctx *c, const char *path)
{
	_cleanup_free_ char *cwd = NULL, *abs = NULL, *dir = NULL;
	const char *slash;
	char *real;

	if (path[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return err_sys(c->err, errno, "getcwd");
	}
	abs = cfg_path_lexical(cwd ? cwd : "/", path);
	slash = strrchr(abs, '/');
	dir = slash == abs ? xstrdup("/") : xasprintf("%.*s", (int)(slash - abs), abs);
	real = realpath(dir, NULL);
	c->confdir = real ? real : xstrdup(dir);
	c->cfg->path = path_join(c->confdir, slash + 1);

	/* default NAME: the file name without ".conf" */
	slash = strrchr(path, '/');
	c->default_name = xstrdup(slash ? slash + 1 : path);
	if (str_endswith(c->default_name, ".conf"))
		c->default_name[strlen(c->default_name) - 5] = '\0';
	return 0;
}

int config_load(const char *path, const struct sh_config_opts *opts,
		struct sh_config *cfg, struct sh_err *err)
{
	static const struct sh_config_opts no_opts;
	struct ctx c = { .file = path, .opts = opts ? opts : &no_opts, .cfg = cfg, .err = err,
			 .host_ns = -1, .host_cwd = -1 };
	struct stat st;
	FILE *f;
	size_t i;
	int r;

	memset(cfg, 0, sizeof *cfg);
	f = fopen(path, "re");
	if (!f) {
		int e = errno;

		return err_msg(err, EXIT_USAGE, e, "%s: %s: expected a readable configuration file",
			       path, strerror(e));
	}
	if (fstat(fileno(f), &st) < 0) {
		r = err_sys(err, errno, "%s: stat", path);
		fclose(f);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		fclose(f);
		return err_cfg(err, "%s: not a regular file: expected a configuration file", path);
	}
	r = parse_file(&c, f);
	fclose(f);
	if (r < 0)
		goto out;
	mark_final(&c);
	if ((r = conf_location(&c, path)) < 0 ||
	    (r = cfg_load_name(&c)) < 0 ||
	    (r = cfg_load_base(&c)) < 0)
		goto out;

	/* the other commands run in BASE; without fs checks it may not exist */
	for (i = 0; i < c.nents; i++) {
		struct ent *e = &c.ents[i];
		const char *dir = cfg->base;

		if (!e->final || !strcmp(e->def->key, "NAME") || !strcmp(e->def->key, "BASE"))
			continue;
		if (c.opts->no_fs_checks && access(dir, X_OK) < 0)
			dir = c.confdir;
		if ((r = cfg_eval_entry(&c, e, dir)) < 0)
			goto out;
	}

	if ((r = cfg_load_root(&c)) < 0 ||
	    (r = cfg_load_cables(&c)) < 0 ||
	    (r = cfg_check_hostif_names(&c)) < 0 ||
	    (r = cfg_load_rest(&c)) < 0)
		goto out;
out:
	if (c.host_ns >= 0) {
		/* back to the host's mounts; the staged ones stay with cfg */
		int fd = mntns_return(c.host_ns, c.host_cwd, r < 0 ? NULL : err);

		if (fd < 0 && r >= 0)
			r = fd;
		else if (fd >= 0 && r >= 0)
			cfg->mntns_fd = fd;
		else if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < c.nents; i++)
		free(c.ents[i].val);
	free(c.ents);
	free(c.confdir);
	free(c.default_name);
	if (r < 0)
		config_free(cfg);
	return r;
}

void config_free(struct sh_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->name);
	free(cfg->hostname);
	free(cfg->base);
	free(cfg->live);
	free(cfg->upper);
	free(cfg->work);
	sh_list_free(&cfg->lower);
	for (i = 0; i < cfg->ncables; i++) {
		free(cfg->cables[i].bridge);
		free(cfg->cables[i].mac);
	}
	free(cfg->cables);
	sh_list_free(&cfg->start);
	sh_list_free(&cfg->init_argv);
	free(cfg->premount);
	free(cfg->postmount);
	free(cfg->ram_size);
	for (i = 0; i < cfg->nshares; i++) {
		free(cfg->shares[i].hostdir);
		free(cfg->shares[i].subdir);
	}
	free(cfg->shares);
	free(cfg->log);
	for (i = 0; i < cfg->ndisks; i++) {
		free(cfg->disks[i].dev);
		free(cfg->disks[i].image);
		free(cfg->disks[i].node);
	}
	free(cfg->disks);
	sh_list_free(&cfg->address);
	free(cfg->image);
	free(cfg->image_mnt);
	if (cfg->mntns_fd > 2)
		close(cfg->mntns_fd);
	free(cfg->gateway);
	free(cfg->memory_max);
	free(cfg->memory_high);
	free(cfg->cpu_max);
	free(cfg->cpu_weight);
	free(cfg->pids_max);
	free(cfg->io_weight);
	free(cfg->caps_drop);
	free(cfg->caps_keep);
	free(cfg->seccomp);
	free(cfg->idmap);
	memset(cfg, 0, sizeof *cfg);
}

int config_key_line(const struct sh_config *cfg, const char *key)
{
	int line = 0;

	for (size_t i = 0; i < cfg->nreserved; i++)
		if (cfg->reserved[i].key && !strcmp(cfg->reserved[i].key, key))
			line = cfg->reserved[i].line;
	return line;
}

char *config_path_for(const char *arg)
{
	const char *dir = getenv("SUBHOST_CONFDIR");

	if (strchr(arg, '/') || str_endswith(arg, ".conf"))
		return xstrdup(arg);
	if (!dir || !*dir)
		dir = SYSCONFDIR "/subhost";
	return xasprintf("%s/%s.conf", dir, arg);
}
