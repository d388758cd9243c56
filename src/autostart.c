/* autostart.c - parsing the autostart list (see autostart.h). */
#include "autostart.h"

#include <stdio.h>
#include <string.h>

#define BLANKS " \t\r\v\f"

static void note(sh_warn_fn warn, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(sh_warn_fn warn, void *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn(ctx, msg);
}

/* Why arg cannot be an entry, malloc'd, or NULL when it can. */
static char *entry_error(const struct as_list *l, const char *arg)
{
	struct sh_err err = { 0 };

	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(l->v[i].arg, arg))
			return xasprintf("listed already on line %u", l->v[i].line);
	}
	if (strchr(arg, '/') || str_endswith(arg, ".conf")) {
		/* overlay-boot resolved these against its caller's directory,
		 * which an init script does not promise. */
		if (arg[0] != '/')
			return xstrdup("a relative path: expected the absolute path of a "
				       "subhost's .conf, or a subhost name");
		return NULL;
	}
	if (config_check_name(arg, &err) < 0)
		return xstrdup(err.msg);
	return NULL;
}

static void add_entry(struct as_list *l, const char *arg, size_t len, unsigned line)
{
	char *word = xmalloc(len + 1);
	char *why;

	memcpy(word, arg, len);
	word[len] = '\0';
	why = entry_error(l, word);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = (struct as_entry){ .arg = word, .line = line, .error = why };
}

void autostart_parse(const char *file, const char *text, struct as_list *out,
		     sh_warn_fn warn, void *warn_ctx)
{
	const char *p = text;
	unsigned line = 0;

	memset(out, 0, sizeof *out);
	while (*p) {
		size_t len = strcspn(p, "\n");
		const char *end = p + len, *hash = memchr(p, '#', len);

		line++;
		if (hash) {
			/* grep -v '#' drops the whole line: say so when that
			 * throws away an entry written before the '#'. */
			size_t lead = strspn(p, BLANKS);
			if (p + lead < hash)
				note(warn, warn_ctx, "%s:%u: ignored: a line with '#' is a comment "
				     "(as in overlay-boot); write the entry on a line of its own",
				     file, line);
		} else {
			const char *w = p;
			for (;;) {
				size_t n;
				w += strspn(w, BLANKS);
				if (w >= end)
					break;
				n = strcspn(w, BLANKS "\n");
				add_entry(out, w, n, line);
				w += n;
			}
		}
		p = *end ? end + 1 : end;
	}
}

void autostart_free(struct as_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].arg);
		free(l->v[i].error);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

size_t autostart_usable(const struct as_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += !l->v[i].error;
	return n;
}
