/* config-fixture.h - what the unit tests of config.c share (included by
 * test_config.c and test_config_keys.c): a mkdtemp directory per test
 * holding a subhost directory (live/, root/, work/) so that "BASE=."
 * works, removed (after unmounting anything a test mounted) by the
 * teardown, and helpers to load a conf and check its errors. */
#ifndef SUBHOST_TEST_CONFIG_FIXTURE_H
#define SUBHOST_TEST_CONFIG_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

struct fx {
	char dir[PATH_MAX];             /* canonical temp dir */
	char mounts[4][PATH_MAX];       /* to unmount in teardown */
	int nmounts;
	char warns[4096];
	int nwarn;
	struct sh_config_opts opts;
	struct sh_err err;
};

static __attribute__((unused)) void collect_warn(void *ctx, const char *msg)
{
	struct fx *f = ctx;
	size_t len = strlen(f->warns);

	snprintf(f->warns + len, sizeof f->warns - len, "%s\n", msg);
	f->nwarn++;
}

/* Path under the test dir; a few rotating buffers so calls can nest. */
static __attribute__((unused)) const char *P(struct fx *f, const char *rel)
{
	static char bufs[16][PATH_MAX + 64];
	static int next;
	char *b = bufs[next++ % 16];

	if (!rel || !*rel)
		snprintf(b, sizeof bufs[0], "%s", f->dir);
	else
		snprintf(b, sizeof bufs[0], "%s/%s", f->dir, rel);
	return b;
}

static __attribute__((unused)) void mkd(struct fx *f, const char *rel)
{
	if (mkdir(P(f, rel), 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", rel, strerror(errno));
}

/* A subhost directory: rel/{live,root,work}. */
static __attribute__((unused)) void mkbase(struct fx *f, const char *rel)
{
	char sub[PATH_MAX];

	if (*rel)
		mkd(f, rel);
	snprintf(sub, sizeof sub, "%s%slive", rel, *rel ? "/" : "");
	mkd(f, sub);
	snprintf(sub, sizeof sub, "%s%sroot", rel, *rel ? "/" : "");
	mkd(f, sub);
	snprintf(sub, sizeof sub, "%s%swork", rel, *rel ? "/" : "");
	mkd(f, sub);
}

static __attribute__((unused)) void put(struct fx *f, const char *rel, const char *text)
{
	FILE *fp = fopen(P(f, rel), "we");

	if (!fp)
		fail_msg("create %s: %s", rel, strerror(errno));
	fputs(text, fp);
	fclose(fp);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char tmpl[] = "/tmp/subhost-test-config.XXXXXX";

	if (!f || !mkdtemp(tmpl) || !realpath(tmpl, f->dir))
		return -1;
	f->opts.warn = collect_warn;
	f->opts.warn_ctx = f;
	mkbase(f, "");
	*state = f;
	return 0;
}

static __attribute__((unused)) int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int i, r;

	for (i = f->nmounts; i-- > 0;)
		umount2(f->mounts[i], MNT_DETACH);
	r = nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return r;
}

static __attribute__((unused)) int load(struct fx *f, const char *rel, const char *text, struct sh_config *cfg)
{
	if (text)
		put(f, rel, text);
	memset(&f->err, 0, sizeof f->err);
	return config_load(P(f, rel), &f->opts, cfg, &f->err);
}

static __attribute__((unused)) void load_ok(struct fx *f, const char *rel, const char *text, struct sh_config *cfg)
{
	int r = load(f, rel, text, cfg);

	if (r != 0)
		fail_msg("config_load(%s) = %d: %s", rel, r, f->err.msg);
}

static __attribute__((unused)) void has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" not found in \"%s\"", needle, hay);
}

/* Load text as rel; it must fail with a configuration error at
 * FILE:LINE (FILE alone for line 0) whose message holds every string of
 * the NULL-terminated list; cfg must be left zeroed. */
static __attribute__((unused)) void load_fail(struct fx *f, const char *rel, const char *text, int line, ...)
{
	static const struct sh_config zero;
	struct sh_config cfg;
	char loc[PATH_MAX + 32];
	const char *s;
	va_list ap;
	int r;

	r = load(f, rel, text, &cfg);
	if (r >= 0) {
		config_free(&cfg);
		fail_msg("config_load(%s) succeeded, expected an error at line %d", rel, line);
	}
	assert_int_equal(r, -EINVAL);
	assert_int_equal(f->err.status, EXIT_USAGE);
	if (line > 0) {
		snprintf(loc, sizeof loc, "%s:%d: ", P(f, rel), line);
		has(f->err.msg, loc);
	} else {
		snprintf(loc, sizeof loc, "%s: ", P(f, rel));
		if (strncmp(f->err.msg, loc, strlen(loc)))
			fail_msg("\"%s\" does not start with \"%s\"", f->err.msg, loc);
	}
	va_start(ap, line);
	while ((s = va_arg(ap, const char *)))
		has(f->err.msg, s);
	va_end(ap);
	assert_memory_equal(&cfg, &zero, sizeof cfg);
}

#define FAIL(f, text, line, ...) load_fail(f, "t.conf", text, line, __VA_ARGS__, (const char *)NULL)

static __attribute__((unused)) void list_is(const struct sh_list *l, ...)
{
	const char *s;
	size_t i = 0;
	va_list ap;

	va_start(ap, l);
	while ((s = va_arg(ap, const char *))) {
		if (i >= l->n)
			fail_msg("list has %zu elements, expected more (next \"%s\")", l->n, s);
		assert_string_equal(l->v[i], s);
		i++;
	}
	va_end(ap);
	assert_int_equal(l->n, i);
}

#define LIST_IS(l, ...) list_is(l, __VA_ARGS__, (const char *)NULL)

#endif
