/* config.c - read and validate a subhost configuration file (SPEC section 2).
 *
 * Three passes, so that nothing runs before the file is known to be
 * well-formed and nothing on the host is touched before every key is valid:
 *  1. parse: lines into (key, raw value, line) entries; syntax errors and
 *     unknown-key warnings;
 *  2. evaluate: run the `!command` of the final value of each key, NAME
 *     first, then BASE, then the others in file order;
 *  3. interpret: resolve paths, apply defaults and validate into cfg.
 */
#include "config.h"
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

/* Key flags. */
enum {
	KF_LIST = 1 << 0,       /* takes a bash array or blank-separated words */
	KF_REPEAT = 1 << 1,     /* every occurrence counts, in file order */
	KF_RESERVED = 1 << 2,   /* kept for later work, recorded in reserved[] */
};

struct keydef {
	const char *key;
	unsigned flags;
	size_t off;             /* reserved scalar keys: char * field in sh_config */
};

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
	{ "DISKS", KF_LIST | KF_RESERVED, NOF },
	{ "ADDRESS", KF_LIST | KF_REPEAT | KF_RESERVED, NOF },
	{ "IMAGE", KF_RESERVED, NOF },
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
	{ "IDMAP", KF_RESERVED, STRF(idmap) },
};

/* One KEY=VALUE occurrence. */
struct ent {
	const struct keydef *def;
	char *val;              /* raw, then evaluated; arrays keep "( ... )" */
	int line;
	bool array;
	bool quoted;            /* was wrapped in quotes: literal, never a command */
	bool final;             /* the occurrence that counts */
};

struct ctx {
	const char *file;       /* as the caller named it, for messages */
	const struct sh_config_opts *opts;
	struct sh_config *cfg;
	struct sh_err *err;
	char *confdir;          /* canonical directory holding the file */
	char *default_name;
	struct ent *ents;
	size_t nents;
	char loc[PATH_MAX + 32];
};

/* "FILE:LINE" for a key that was set, "FILE" for one that was not. */
static const char *where(struct ctx *c, int line)
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

/* The occurrence that counts for a non-repeating key, or NULL. */
static struct ent *ent_get(struct ctx *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->nents; i++)
		if (c->ents[i].final && !strcmp(c->ents[i].def->key, key))
			return &c->ents[i];
	return NULL;
}

/* A set, non-empty value (overlay-boot treats "KEY=" as unset). */
static const char *val_get(struct ctx *c, const char *key, int *line)
{
	struct ent *e = ent_get(c, key);

	*line = e ? e->line : 0;
	return e && e->val[0] ? e->val : NULL;
}

/* ---- lists ------------------------------------------------------------ */

static void list_push(struct sh_list *l, char *s)
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
		list_push(out, w);
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

/* ---- paths ------------------------------------------------------------ */

/* Make p absolute against dir and clean it lexically ("//", ".", ".."). */
static char *path_lexical(const char *dir, const char *p)
{
	_cleanup_free_ char *full = p[0] == '/' ? xstrdup(p) : path_join(dir, p);
	char *out = xmalloc(strlen(full) + 2), *tok, *save = NULL;
	size_t o = 0;

	for (tok = strtok_r(full, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		size_t len = strlen(tok);

		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, tok, len);
		o += len;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/* Absolute path of p (relative to dir): canonical when it exists. */
static char *path_resolve(const char *dir, const char *p)
{
	_cleanup_free_ char *full = p[0] == '/' ? xstrdup(p) : path_join(dir, p);
	char *real = realpath(full, NULL);

	return real ? real : path_lexical("/", full);
}

/* KEY=PATH must be an existing directory. */
static int check_dir(struct ctx *c, const char *key, int line, const char *path)
{
	struct stat st;

	if (c->opts->no_fs_checks)
		return 0;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return err_cfg(c->err, "%s: %s=%s does not exist: expected an existing directory",
				       where(c, line), key, path);
		return err_cfg(c->err, "%s: %s=%s: %s: expected an accessible directory",
			       where(c, line), key, path, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return err_cfg(c->err, "%s: %s=%s is not a directory: expected a directory",
			       where(c, line), key, path);
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
			       where(c, line), key, key);
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
				where(c, line), key, rest);
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
			return err_cfg(c->err, "%s: expected KEY=VALUE, got \"%s\"", where(c, lineno), t);
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
		return err_cfg(c->err, "%s: malformed array for %s: expected ')'", where(c, astart), akey);
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

/* CONFIG, NAME, BASE (when known) and ACTION for a command; a caller's
 * own values of those never leak into it. */
static void command_env(struct ctx *c, char *own[5])
{
	own[0] = xasprintf("CONFIG=%s", c->cfg->path);
	own[1] = xasprintf("NAME=%s", c->cfg->name ? c->cfg->name : c->default_name);
	own[2] = xasprintf("ACTION=%s", c->opts->action ? c->opts->action : "overlay-boot");
	own[3] = c->cfg->base ? xasprintf("BASE=%s", c->cfg->base) : xstrdup("BASE");
	own[4] = NULL;
}

/* Run `/bin/sh -c cmd` in dir with stdin on /dev/null and return its
 * trimmed stdout in *out.  stderr stays ours: the user sees the
 * command's complaints next to ours. */
static int run_command(struct ctx *c, const struct ent *e, const char *cmd,
		       const char *dir, char **out)
{
	char *own[5], *buf = NULL;
	struct spawn_opts so = { .dir = dir, .env_set = own, .capture = true,
				 .max_out = CMD_OUTPUT_MAX };
	int status = 0, r, k;

	command_env(c, own);
	r = spawn_shell(cmd, NULL, &so, &buf, &status);
	for (k = 0; k < 4; k++)
		free(own[k]);
	if (r == -EFBIG)
		return err_cfg(c->err, "%s: %s: command \"%s\" printed more than %d bytes: expected a value",
			       where(c, e->line), e->def->key, cmd, CMD_OUTPUT_MAX);
	if (r < 0)
		return err_sys(c->err, -r, "%s: %s: command \"%s\" in %s",
			       where(c, e->line), e->def->key, cmd, dir);
	if (WIFSIGNALED(status)) {
		free(buf);
		return err_cfg(c->err, "%s: %s: command \"%s\" failed (killed by signal %d)",
			       where(c, e->line), e->def->key, cmd, WTERMSIG(status));
	}
	if (WEXITSTATUS(status) != 0) {
		free(buf);
		return err_cfg(c->err, "%s: %s: command \"%s\" failed (exit status %d)",
			       where(c, e->line), e->def->key, cmd, WEXITSTATUS(status));
	}
	*out = xstrdup(str_trim(buf));
	free(buf);
	return 0;
}

/* Replace a `!command` value by the command's output. */
static int eval_entry(struct ctx *c, struct ent *e, const char *dir)
{
	_cleanup_free_ char *cmd = NULL;
	char *out = NULL;
	int r;

	if (e->array || e->quoted || e->val[0] != '!')
		return 0;
	cmd = xstrdup(str_trim(e->val + 1));
	if (c->opts->no_commands)
		return err_cfg(c->err, "%s: %s: command \"%s\" not run: commands are disabled here: expected a plain value",
			       where(c, e->line), e->def->key, cmd);
	r = run_command(c, e, cmd, dir, &out);
	if (r < 0)
		return r;
	free(e->val);
	e->val = out;
	return 0;
}

/* ---- NAME and BASE ---------------------------------------------------- */

int config_check_name(const char *name, struct sh_err *err)
{
	size_t len = strlen(name), i;
	bool ok = len >= 1 && len <= SH_NAME_MAX && name[0] != '-' &&
		  strcmp(name, ".") && strcmp(name, "..");

	for (i = 0; ok && i < len; i++)
		ok = isalnum((unsigned char)name[i]) || strchr("_.-", name[i]);
	if (!ok)
		return err_cfg(err, "name \"%s\" is invalid: expected 1-%d characters of [A-Za-z0-9_.-], "
			       "not \".\" or \"..\", not starting with '-'", name, SH_NAME_MAX);
	return 0;
}

static int load_name(struct ctx *c)
{
	struct ent *e = ent_get(c, "NAME");
	int r;

	if (e) {
		r = eval_entry(c, e, c->confdir);
		if (r < 0)
			return r;
	}
	c->cfg->name = xstrdup(e && e->val[0] ? e->val : c->default_name);
	r = config_check_name(c->cfg->name, c->err);
	if (r < 0)
		err_prefix(c->err, "%s: NAME", where(c, e && e->val[0] ? e->line : 0));
	return r;
}

static int load_base(struct ctx *c)
{
	struct ent *e = ent_get(c, "BASE");
	int r;

	if (e) {
		r = eval_entry(c, e, c->confdir);
		if (r < 0)
			return r;
	}
	if (!e || !e->val[0])
		return err_cfg(c->err, "%s: BASE is %s: expected BASE=<subhost directory>",
			       where(c, e ? e->line : 0), e ? "empty" : "not set");
	c->cfg->base = path_resolve(c->confdir, e->val);
	return check_dir(c, "BASE", e->line, c->cfg->base);
}

/* ---- the root: LIVE, UPPER, WORK, LOWER ------------------------------- */

static char *path_key(struct ctx *c, const char *key, const char *def, int *line)
{
	const char *v = val_get(c, key, line);

	return path_resolve(c->cfg->base, v ? v : def);
}

static int load_lower(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	int line, r;
	const char *v = val_get(c, "LOWER", &line);
	_cleanup_free_ char *copy = xstrdup(v ? v : "/");
	char *p = copy, *layer;

	do {
		layer = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
		if (!*layer)
			return err_cfg(c->err, "%s: LOWER=%s has an empty layer: expected DIR[:DIR...] or @OTHER",
				       where(c, line), v);
		if (layer[0] == '@') {
			r = config_check_name(layer + 1, c->err);
			if (r < 0) {
				err_prefix(c->err, "%s: LOWER layer %s", where(c, line), layer);
				return r;
			}
			list_push(&cfg->lower, xstrdup(layer));
			continue;
		}
		list_push(&cfg->lower, path_resolve(cfg->base, layer));
		r = check_dir(c, "LOWER", line, cfg->lower.v[cfg->lower.n - 1]);
		if (r < 0)
			return r;
		if (!strcmp(cfg->lower.v[cfg->lower.n - 1], "/"))
			cfg->lower_has_host_root = true;
	} while (p);
	cfg->bind_root = cfg->lower.n == 1 && !strcmp(cfg->lower.v[0], cfg->upper);
	return 0;
}

static int load_root(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	int lline, uline, wline, r;
	struct stat ust, wst;

	cfg->live = path_key(c, "LIVE", "live", &lline);
	cfg->upper = path_key(c, "UPPER", "root", &uline);
	cfg->work = path_key(c, "WORK", "work", &wline);
	if ((r = check_dir(c, "LIVE", lline, cfg->live)) < 0 ||
	    (r = check_dir(c, "UPPER", uline, cfg->upper)) < 0)
		return r;
	if (!c->opts->no_fs_checks && access(cfg->upper, W_OK) < 0)
		return err_cfg(c->err, "%s: UPPER=%s is not writable (%s): expected a writable directory",
			       where(c, uline), cfg->upper, strerror(errno));
	r = load_lower(c);
	if (r < 0 || cfg->bind_root || c->opts->no_fs_checks)
		return r;
	/* overlayfs needs WORK next to UPPER; it doesn't need it for a bind */
	if ((r = check_dir(c, "WORK", wline, cfg->work)) < 0)
		return r;
	if (stat(cfg->upper, &ust) < 0 || stat(cfg->work, &wst) < 0)
		return err_sys(c->err, errno, "%s: stat UPPER/WORK", where(c, wline));
	if (ust.st_dev != wst.st_dev)
		return err_cfg(c->err, "%s: WORK=%s is on another filesystem than UPPER=%s: "
			       "overlayfs needs both on one filesystem", where(c, wline ? wline : uline),
			       cfg->work, cfg->upper);
	return 0;
}

/* ---- CABLES / BRIDGES ------------------------------------------------- */

static bool ifname_valid(const char *s)
{
	size_t len = strlen(s);

	if (len < 1 || len > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

/* Fill cable from its MAC side: "", ".N" or six hex pairs. */
static int cable_mac(struct ctx *c, struct sh_cable *cab, const char *key, const char *entry,
		     const char *form, const char *mac)
{
	unsigned long octet;
	size_t i;
	bool zero = true;
	char *end;

	if (!*mac)
		return 0;
	if (mac[0] == '.') {
		long vlan;

		errno = 0;
		vlan = strtol(mac + 1, &end, 10);
		if (!isdigit((unsigned char)mac[1]) || *end || errno)
			return err_cfg(c->err, "%s: %s entry \"%s\": VLAN \"%s\" is malformed: expected .N with N from 1 to 4094",
				       where(c, cab->line), key, entry, mac);
		if (vlan < 1 || vlan > 4094)
			return err_cfg(c->err, "%s: %s entry \"%s\": VLAN %ld is out of range: expected .1 to .4094",
				       where(c, cab->line), key, entry, vlan);
		cab->vlan = (int)vlan;
		return 0;
	}
	for (i = 0; i < 17; i++) {
		if (i % 3 == 2 ? mac[i] != ':' : !isxdigit((unsigned char)mac[i]))
			break;
		if (i % 3 != 2 && mac[i] != '0')
			zero = false;
	}
	if (i < 17 || mac[17])
		return err_cfg(c->err, "%s: %s entry \"%s\": MAC \"%s\" is malformed: "
			       "expected %s with six hex pairs like 02:00:00:00:00:01, or .N for a VLAN",
			       where(c, cab->line), key, entry, mac, form);
	octet = strtoul(mac, NULL, 16);
	if (octet & 1)
		return err_cfg(c->err, "%s: %s entry \"%s\": MAC %s is a multicast address: "
			       "expected a unicast MAC (low bit of the first octet clear)",
			       where(c, cab->line), key, entry, mac);
	if (zero)
		return err_cfg(c->err, "%s: %s entry \"%s\": MAC %s is all zeros: expected a unicast MAC",
			       where(c, cab->line), key, entry, mac);
	cab->mac = xstrdup(mac);
	for (end = cab->mac; *end; end++)
		*end = (char)tolower((unsigned char)*end);
	return 0;
}

static int load_cables(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	struct ent *ce = ent_get(c, "CABLES"), *be = ent_get(c, "BRIDGES"), *e;
	struct sh_list l = { NULL, 0 };
	const char *key, *form;
	char sep;
	size_t i, j;
	int r = 0;

	if (ce && be)
		return err_cfg(c->err, "%s: both CABLES (line %d) and BRIDGES are set: expected only one of them",
			       where(c, be->line), ce->line);
	e = ce ? ce : be;
	if (!e)
		return 0;
	key = e->def->key;
	sep = ce ? '=' : ':';
	form = ce ? "BRIDGE=MAC" : "BRIDGE:MAC";
	if (config_split_list(e->val, &l) < 0)
		return err_cfg(c->err, "%s: %s=%s has an unterminated quote: expected %s entries",
			       where(c, e->line), key, e->val, form);
	if (l.n == 0)
		return 0;
	cfg->cables = xcalloc(l.n, sizeof *cfg->cables);
	for (i = 0; i < l.n; i++) {
		struct sh_cable *cab = &cfg->cables[cfg->ncables++];
		char *s = strchr(l.v[i], sep);

		cab->line = e->line;
		if (!s) {
			r = err_cfg(c->err, "%s: %s entry \"%s\" has no '%c': expected %s (either side may be empty)",
				    where(c, e->line), key, l.v[i], sep, form);
			goto out;
		}
		*s = '\0';
		if (*l.v[i] && !ifname_valid(l.v[i])) {
			r = err_cfg(c->err, "%s: %s entry \"%s%c%s\": bridge name \"%s\" is invalid: "
				    "expected 1-15 characters without '/', ':' or blanks",
				    where(c, e->line), key, l.v[i], sep, s + 1, l.v[i]);
			goto out;
		}
		if (*l.v[i])
			cab->bridge = xstrdup(l.v[i]);
		*s = sep;
		r = cable_mac(c, cab, key, l.v[i], form, s + 1);
		if (r < 0)
			goto out;
		if (cab->vlan && i == 0) {
			r = err_cfg(c->err, "%s: %s entry \"%s\": a VLAN needs a previous cable: expected a %s entry before it",
				    where(c, e->line), key, l.v[i], form);
			goto out;
		}
		for (j = 0; cab->mac && j < i; j++) {
			if (cfg->cables[j].mac && !strcmp(cab->mac, cfg->cables[j].mac)) {
				r = err_cfg(c->err, "%s: %s entry \"%s\": MAC %s is used twice: "
					    "expected a distinct MAC per cable", where(c, e->line), key,
					    l.v[i], cab->mac);
				goto out;
			}
		}
		/* a VLAN hangs off the last real cable; a repeated one would
		 * name the same host interface twice */
		if (cab->vlan) {
			for (j = i; j-- > 0 && cfg->cables[j].vlan;)
				if (cfg->cables[j].vlan == cab->vlan) {
					r = err_cfg(c->err, "%s: %s entry \"%s\": VLAN %d is used twice on one cable: "
						    "expected a distinct VLAN per cable", where(c, e->line), key,
						    l.v[i], cab->vlan);
					goto out;
				}
		}
	}
out:
	sh_list_free(&l);
	return r;
}

/* NAME<i> (and NAME<i>.N for VLANs) are host interface names. */
static int check_hostif_names(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	int nline, line;
	size_t i, idx = 0;
	char ifname[64];

	val_get(c, "NAME", &nline);
	line = nline ? nline : cfg->ncables ? cfg->cables[0].line : 0;
	for (i = 0; i < cfg->ncables; i++) {
		if (cfg->cables[i].vlan)
			snprintf(ifname, sizeof ifname, "%s%zu.%d", cfg->name, idx - 1, cfg->cables[i].vlan);
		else
			snprintf(ifname, sizeof ifname, "%s%zu", cfg->name, idx++);
		if (strlen(ifname) > SH_NAME_MAX)
			return err_cfg(c->err, "%s: NAME \"%s\" is too long for host interface names: "
				       "%s must fit %d characters", where(c, line), cfg->name, ifname, SH_NAME_MAX);
	}
	return 0;
}

/* ---- the rest --------------------------------------------------------- */

static int load_list(struct ctx *c, const struct ent *e, struct sh_list *out)
{
	struct sh_list l;
	size_t i;

	if (config_split_list(e->val, &l) < 0)
		return err_cfg(c->err, "%s: %s=%s is malformed (unterminated quote or ')'): "
			       "expected blank-separated words or ( a b c )", where(c, e->line),
			       e->def->key, e->val);
	for (i = 0; i < l.n; i++)
		list_push(out, l.v[i]);
	free(l.v);
	return 0;
}

static int load_start_init(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	struct ent *e = ent_get(c, "START");
	int r, line;
	const char *v;

	/* START= and START=none start nothing; unset starts the default */
	if (!e) {
		list_push(&cfg->start, xstrdup("networking"));
		list_push(&cfg->start, xstrdup("ssh"));
	} else {
		r = load_list(c, e, &cfg->start);
		if (r < 0)
			return r;
		if (cfg->start.n == 1 && !strcmp(cfg->start.v[0], "none"))
			sh_list_free(&cfg->start);
	}

	e = ent_get(c, "INIT");
	v = e && e->val[0] ? e->val : NULL;
	line = e ? e->line : 0;
	cfg->init_mode = INIT_SERVICES;
	if (!v)
		return 0;
	r = load_list(c, e, &cfg->init_argv);
	if (r < 0)
		return r;
	if (cfg->init_argv.n == 1 && !strcmp(cfg->init_argv.v[0], "sysv")) {
		sh_list_free(&cfg->init_argv);
		cfg->init_mode = INIT_SYSV;
		return 0;
	}
	if (cfg->init_argv.n == 0 || cfg->init_argv.v[0][0] != '/')
		return err_cfg(c->err, "%s: INIT=%s: expected \"sysv\" or an absolute program path "
			       "(with arguments)", where(c, line), v);
	cfg->init_mode = INIT_EXEC;
	return 0;
}

static int load_ram_size(struct ctx *c)
{
	int line;
	const char *v = val_get(c, "RAM_SIZE", &line), *p;

	if (!v)
		v = "50M";
	if (!strcmp(v, "none"))
		return 0;
	for (p = v; isdigit((unsigned char)*p); p++)
		;
	if (p == v || (*p && (!strchr("kKmMgG%", *p) || p[1])))
		return err_cfg(c->err, "%s: RAM_SIZE=%s is invalid: expected a size like 50M, 1G, 10%% or \"none\"",
			       where(c, line), v);
	c->cfg->ram_size = xstrdup(v);
	return 0;
}

static bool has_dotdot(const char *path)
{
	_cleanup_free_ char *scan = xstrdup(path);
	char *tok, *save = NULL;

	for (tok = strtok_r(scan, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (!strcmp(tok, ".."))
			return true;
	return false;
}

/* SHARE=HOSTDIR[:SUBDIR][:ro|:rw] */
static int load_share(struct ctx *c, const struct ent *e)
{
	struct sh_config *cfg = c->cfg;
	_cleanup_free_ char *v = xstrdup(e->val), *sub = NULL;
	struct sh_share *sh;
	char *colon;
	bool ro = false;
	size_t len = strlen(v);

	if (len >= 3 && (!strcmp(v + len - 3, ":ro") || !strcmp(v + len - 3, ":rw"))) {
		ro = !strcmp(v + len - 3, ":ro");
		v[len - 3] = '\0';
	}
	colon = strchr(v, ':');
	if (colon)
		*colon = '\0';
	if (!*v || (colon && !colon[1]))
		return err_cfg(c->err, "%s: SHARE=%s: expected HOSTDIR, HOSTDIR:SUBDIR, optionally followed by :ro",
			       where(c, e->line), e->val);
	/* overlay-boot's single-dir form: the same path inside */
	sub = xstrdup(colon ? colon + 1 : v);
	if (has_dotdot(sub))
		return err_cfg(c->err, "%s: SHARE=%s: SUBDIR %s contains \"..\": "
			       "expected a path inside the subhost", where(c, e->line), e->val, sub);
	cfg->shares = xrealloc(cfg->shares, (cfg->nshares + 1) * sizeof *cfg->shares);
	sh = &cfg->shares[cfg->nshares++];
	*sh = (struct sh_share){
		.hostdir = path_resolve(cfg->base, v),
		.subdir = path_lexical("/", sub),
		.ro = ro,
		.line = e->line,
	};
	if (!c->opts->no_fs_checks && access(sh->hostdir, F_OK) < 0)
		return err_cfg(c->err, "%s: SHARE=%s: host path %s: %s: expected an existing directory or file",
			       where(c, e->line), e->val, sh->hostdir, strerror(errno));
	return 0;
}

static int load_hostname(struct ctx *c)
{
	int line;
	const char *v = val_get(c, "HOSTNAME", &line), *p;

	if (!v) {
		c->cfg->hostname = xstrdup(c->cfg->name);
		return 0;
	}
	for (p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			break;
	if (*p || p - v > 64)
		return err_cfg(c->err, "%s: HOSTNAME=%s is invalid: expected 1-64 characters of [A-Za-z0-9.-]",
			       where(c, line), v);
	c->cfg->hostname = xstrdup(v);
	return 0;
}

/* Keys later work implements: keep the evaluated value, note the line. */
static int load_reserved(struct ctx *c, const struct ent *e)
{
	struct sh_config *cfg = c->cfg;
	const struct keydef *d = e->def;
	size_t i;
	int r = 0;

	for (i = 0; i < cfg->nreserved; i++)
		if (!strcmp(cfg->reserved[i].key, d->key))
			break;
	if (i == cfg->nreserved && i < sizeof cfg->reserved / sizeof cfg->reserved[0]) {
		cfg->reserved[i].key = d->key;
		cfg->reserved[i].line = e->line;
		cfg->nreserved++;
	}
	if (!strcmp(d->key, "DISKS")) {
		sh_list_free(&cfg->disks);
		r = load_list(c, e, &cfg->disks);
	} else if (!strcmp(d->key, "ADDRESS")) {
		r = load_list(c, e, &cfg->address);
	} else if (!strcmp(d->key, "IMAGE")) {
		free(cfg->image);
		cfg->image = e->val[0] ? path_resolve(cfg->base, e->val) : NULL;
	} else {
		char **field = (char **)((char *)cfg + d->off);
		struct sh_list l = { NULL, 0 };
		size_t len = 1;

		free(*field);
		*field = NULL;
		if (!e->array) {
			*field = e->val[0] ? xstrdup(e->val) : NULL;
			return 0;
		}
		/* CAPS_DROP=( a b ): one blank-separated string */
		r = load_list(c, e, &l);
		if (r < 0)
			return r;
		for (i = 0; i < l.n; i++)
			len += strlen(l.v[i]) + 1;
		*field = xcalloc(1, len);
		for (i = 0; i < l.n; i++) {
			if (i)
				strcat(*field, " ");
			strcat(*field, l.v[i]);
		}
		sh_list_free(&l);
	}
	return r;
}

static int load_rest(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	int line, r;
	const char *v;
	size_t i;

	if ((r = load_start_init(c)) < 0)
		return r;
	v = val_get(c, "PREMOUNT", &line);
	cfg->premount = v ? xstrdup(v) : NULL;
	v = val_get(c, "POSTMOUNT", &line);
	cfg->postmount = v ? xstrdup(v) : NULL;
	if ((r = load_ram_size(c)) < 0)
		return r;
	v = val_get(c, "LOG", &line);
	if (v)
		cfg->log = path_resolve(cfg->base, v);
	else
		cfg->log = xasprintf("/var/log/subhost/%s.log", cfg->name);
	if ((r = load_hostname(c)) < 0)
		return r;
	for (i = 0; i < c->nents; i++) {
		const struct ent *e = &c->ents[i];

		if (!e->final)
			continue;
		if (!strcmp(e->def->key, "SHARE"))
			r = load_share(c, e);
		else if (e->def->flags & KF_RESERVED)
			r = load_reserved(c, e);
		if (r < 0)
			return r;
	}
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
	abs = path_lexical(cwd ? cwd : "/", path);
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
	struct ctx c = { .file = path, .opts = opts ? opts : &no_opts, .cfg = cfg, .err = err };
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
	    (r = load_name(&c)) < 0 ||
	    (r = load_base(&c)) < 0)
		goto out;

	/* the other commands run in BASE; without fs checks it may not exist */
	for (i = 0; i < c.nents; i++) {
		struct ent *e = &c.ents[i];
		const char *dir = cfg->base;

		if (!e->final || !strcmp(e->def->key, "NAME") || !strcmp(e->def->key, "BASE"))
			continue;
		if (c.opts->no_fs_checks && access(dir, X_OK) < 0)
			dir = c.confdir;
		if ((r = eval_entry(&c, e, dir)) < 0)
			goto out;
	}

	if ((r = load_root(&c)) < 0 ||
	    (r = load_cables(&c)) < 0 ||
	    (r = check_hostif_names(&c)) < 0 ||
	    (r = load_rest(&c)) < 0)
		goto out;
out:
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
	sh_list_free(&cfg->disks);
	sh_list_free(&cfg->address);
	free(cfg->image);
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

char *config_path_for(const char *arg)
{
	const char *dir = getenv("SUBHOST_CONFDIR");

	if (strchr(arg, '/') || str_endswith(arg, ".conf"))
		return xstrdup(arg);
	if (!dir || !*dir)
		dir = SYSCONFDIR "/subhost";
	return xasprintf("%s/%s.conf", dir, arg);
}
