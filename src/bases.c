/* bases.c - expand LOWER=@OTHER chains (cage's layered bases). */
#include "bases.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "overlay.h"
#include "state.h"

char *bases_conf_path(const char *name)
{
	char *path = config_path_for(name);
	struct sh_state st;

	if (access(path, F_OK) == 0)
		return path;
	free(path);
	path = NULL;
	/* A base that runs from a conf outside the conf directory. */
	if (state_read(name, &st) == 0) {
		if (st.conf && *st.conf)
			path = xstrdup(st.conf);
		state_free(&st);
	}
	return path;
}

struct walk {
	const char *where;      /* "FILE:LINE" of the LOWER that started it */
	const char *value;      /* that LOWER value */
	const char *chain[SH_BASES_MAX + 1];
	size_t depth;
	struct sh_list out;
	bool host_root;
};

static void chain_text(const struct walk *w, const char *last, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < w->depth && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s -> ", w->chain[i]);
	if (off < size)
		snprintf(buf + off, size - off, "%s", last);
}

static void push(struct walk *w, const char *dir)
{
	w->out.v = xrealloc(w->out.v, (w->out.n + 2) * sizeof *w->out.v);
	w->out.v[w->out.n++] = xstrdup(dir);
	w->out.v[w->out.n] = NULL;
	if (!strcmp(dir, "/"))
		w->host_root = true;
}

static int expand(struct walk *w, const struct sh_list *lower, struct sh_err *err);

/* Add the layers of base `name` (an "@name" entry) to w. */
static int expand_base(struct walk *w, const char *name, struct sh_err *err)
{
	struct sh_config_opts opts = { .action = "subhost-base" };
	struct sh_config b;
	struct sh_err berr = { 0 };
	_cleanup_free_ char *path = NULL;
	char chain[512];
	int r;

	chain_text(w, name, chain, sizeof chain);
	for (size_t i = 0; i < w->depth; i++)
		if (!strcmp(w->chain[i], name))
			return err_cfg(err, "%s: LOWER=%s: the bases form a cycle (%s): "
				       "expected a chain that ends in directories", w->where, w->value, chain);
	if (w->depth == SH_BASES_MAX)
		return err_cfg(err, "%s: LOWER=%s: bases nested deeper than %d (%s)", w->where,
			       w->value, SH_BASES_MAX, chain);
	path = bases_conf_path(name);
	if (!path) {
		_cleanup_free_ char *want = config_path_for(name);
		return err_cfg(err, "%s: LOWER=%s: no subhost %s (%s): expected %s or a running "
			       "subhost of that name", w->where, w->value, name, chain, want);
	}
	r = config_load(path, &opts, &b, &berr);
	if (r < 0)
		return err_cfg(err, "%s: LOWER=%s: base %s cannot be read: %s", w->where, w->value,
			       name, berr.msg);
	if (b.ndisks || b.image)
		r = err_cfg(err, "%s: LOWER=%s: base %s (%s) keeps its root in a disk image "
			    "(%s): expected a base whose layers are host directories",
			    w->where, w->value, name, path, b.image ? "IMAGE" : "DISKS");
	if (r == 0) {
		/* OTHER as it sees itself: its UPPER, over its own layers unless
		 * UPPER = LOWER made the UPPER its whole root. */
		push(w, b.upper);
		if (!b.bind_root) {
			w->chain[w->depth++] = name;
			r = expand(w, &b.lower, err);
			w->depth--;
		}
	}
	config_free(&b);
	return r;
}

static int expand(struct walk *w, const struct sh_list *lower, struct sh_err *err)
{
	for (size_t i = 0; i < lower->n; i++) {
		int r;

		if (lower->v[i][0] != '@') {
			push(w, lower->v[i]);
			continue;
		}
		r = expand_base(w, lower->v[i] + 1, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int bases_resolve(struct sh_config *cfg, struct sh_err *err)
{
	struct walk w = { 0 };
	char where[PATH_MAX + 16];
	_cleanup_free_ char *value = NULL;
	bool any = false;
	int r;

	for (size_t i = 0; i < cfg->lower.n; i++)
		any = any || cfg->lower.v[i][0] == '@';
	if (!any)
		return 0;
	snprintf(where, sizeof where, "%s:%d", cfg->path, cfg->lower_line);
	value = xstrdup("");
	for (size_t i = 0; i < cfg->lower.n; i++) {
		char *v = xasprintf("%s%s%s", value, i ? ":" : "", cfg->lower.v[i]);
		free(value);
		value = v;
	}
	w.where = where;
	w.value = value;
	w.chain[w.depth++] = cfg->name;
	r = expand(&w, &cfg->lower, err);
	if (r == 0 && w.out.n > SH_LAYERS_MAX)
		r = err_cfg(err, "%s: LOWER=%s: the bases add up to %zu layers: expected at most %d",
			    where, value, w.out.n, SH_LAYERS_MAX);
	for (size_t i = 0; r == 0 && i < w.out.n; i++) {
		if (!strcmp(w.out.v[i], cfg->upper))
			r = err_cfg(err, "%s: LOWER=%s: this subhost's own UPPER %s would be one of its "
				    "lower layers: expected bases that do not stand on %s",
				    where, value, cfg->upper, cfg->name);
	}
	if (r == 0)
		r = config_check_layers(where, value, &w.out, err);
	if (r < 0) {
		sh_list_free(&w.out);
		return r;
	}
	sh_list_free(&cfg->lower);
	cfg->lower = w.out;
	cfg->lower_has_host_root = cfg->lower_has_host_root || w.host_root;
	return 0;
}
