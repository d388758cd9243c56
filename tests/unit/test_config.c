/* test_config.c - unit tests of config.c (SPEC section 2).
 *
 * Every test runs in its own mkdtemp directory, which holds a subhost
 * directory (live/, root/, work/) so that "BASE=." works, and is removed
 * (after unmounting anything a test mounted) by the teardown.
 */
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

static void collect_warn(void *ctx, const char *msg)
{
	struct fx *f = ctx;
	size_t len = strlen(f->warns);

	snprintf(f->warns + len, sizeof f->warns - len, "%s\n", msg);
	f->nwarn++;
}

/* Path under the test dir; a few rotating buffers so calls can nest. */
static const char *P(struct fx *f, const char *rel)
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

static void mkd(struct fx *f, const char *rel)
{
	if (mkdir(P(f, rel), 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", rel, strerror(errno));
}

/* A subhost directory: rel/{live,root,work}. */
static void mkbase(struct fx *f, const char *rel)
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

static void put(struct fx *f, const char *rel, const char *text)
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

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
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

static int load(struct fx *f, const char *rel, const char *text, struct sh_config *cfg)
{
	if (text)
		put(f, rel, text);
	memset(&f->err, 0, sizeof f->err);
	return config_load(P(f, rel), &f->opts, cfg, &f->err);
}

static void load_ok(struct fx *f, const char *rel, const char *text, struct sh_config *cfg)
{
	int r = load(f, rel, text, cfg);

	if (r != 0)
		fail_msg("config_load(%s) = %d: %s", rel, r, f->err.msg);
}

static void has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" not found in \"%s\"", needle, hay);
}

/* Load text as rel; it must fail with a configuration error at
 * FILE:LINE (FILE alone for line 0) whose message holds every string of
 * the NULL-terminated list; cfg must be left zeroed. */
static void load_fail(struct fx *f, const char *rel, const char *text, int line, ...)
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

static void list_is(const struct sh_list *l, ...)
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

/* ---- overlay-boot's examples ----------------------------------------- */

static void check_overlay_defaults(struct fx *f, const struct sh_config *cfg, const char *sub)
{
	char path[PATH_MAX];

	assert_string_equal(cfg->base, P(f, sub));
	snprintf(path, sizeof path, "%s%slive", sub, *sub ? "/" : "");
	assert_string_equal(cfg->live, P(f, path));
	snprintf(path, sizeof path, "%s%sroot", sub, *sub ? "/" : "");
	assert_string_equal(cfg->upper, P(f, path));
	snprintf(path, sizeof path, "%s%swork", sub, *sub ? "/" : "");
	assert_string_equal(cfg->work, P(f, path));
	assert_false(cfg->bind_root);
	assert_int_equal(cfg->init_mode, INIT_SERVICES);
	assert_null(cfg->premount);
	assert_null(cfg->postmount);
	assert_string_equal(cfg->ram_size, "50M");
	assert_int_equal(cfg->nshares, 0);
	assert_int_equal(cfg->nreserved, 0);
}

static void test_minimal(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "ex1.conf", "BASE=.\n", &cfg);
	assert_string_equal(cfg.path, P(f, "ex1.conf"));
	assert_string_equal(cfg.name, "ex1");
	assert_string_equal(cfg.hostname, "ex1");
	check_overlay_defaults(f, &cfg, "");
	LIST_IS(&cfg.lower, "/");
	assert_true(cfg.lower_has_host_root);
	LIST_IS(&cfg.start, "networking", "ssh");
	assert_int_equal(cfg.ncables, 0);
	assert_null(cfg.cables);
	assert_string_equal(cfg.log, "/var/log/subhost/ex1.log");
	assert_int_equal(f->nwarn, 0);
	config_free(&cfg);
}

static void test_copy(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkbase(f, "copy");
	load_ok(f, "copy/copy.conf", "BASE=.\n", &cfg);
	assert_string_equal(cfg.name, "copy");
	check_overlay_defaults(f, &cfg, "copy");
	LIST_IS(&cfg.lower, "/");
	LIST_IS(&cfg.start, "networking", "ssh");
	assert_int_equal(cfg.ncables, 0);
	config_free(&cfg);
}

static void test_tiny(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkbase(f, "tiny");
	mkd(f, "tiny/base");
	load_ok(f, "tiny/tiny.conf", "BASE=.\nCABLES= =\nSTART= none\nLOWER= base\n", &cfg);
	assert_string_equal(cfg.name, "tiny");
	check_overlay_defaults(f, &cfg, "tiny");
	assert_int_equal(cfg.ncables, 1);
	assert_null(cfg.cables[0].bridge);
	assert_null(cfg.cables[0].mac);
	assert_int_equal(cfg.cables[0].vlan, 0);
	assert_int_equal(cfg.cables[0].line, 2);
	assert_int_equal(cfg.start.n, 0);
	LIST_IS(&cfg.lower, P(f, "tiny/base"));
	assert_false(cfg.lower_has_host_root);
	config_free(&cfg);
}

static void test_mta(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkbase(f, "mta");
	load_ok(f, "mta/mta.conf",
		"BASE=.\nCABLES= =\nSTART= rsyslog networking ssh saslauthd postfix dovecot\n", &cfg);
	assert_string_equal(cfg.name, "mta");
	check_overlay_defaults(f, &cfg, "mta");
	assert_int_equal(cfg.ncables, 1);
	assert_null(cfg.cables[0].bridge);
	assert_null(cfg.cables[0].mac);
	LIST_IS(&cfg.start, "rsyslog", "networking", "ssh", "saslauthd", "postfix", "dovecot");
	LIST_IS(&cfg.lower, "/");
	config_free(&cfg);
}

/* ---- syntax ------------------------------------------------------------ */

static void test_whitespace_comments(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf",
		"  # a comment\n\n\t\n\tBASE = . \n   START =  a   b  \n#START=c\n  RAM_SIZE=1G\r\n", &cfg);
	assert_string_equal(cfg.base, f->dir);
	LIST_IS(&cfg.start, "a", "b");
	assert_string_equal(cfg.ram_size, "1G");
	assert_int_equal(f->nwarn, 0);
	config_free(&cfg);
}

static void test_quotes(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf",
		"BASE=\".\"\nNAME=\"q1\"\nHOSTNAME='h-1'\nLOG=\"a b.log\"\nSTART='x y'\n"
		"PREMOUNT=\"a\" \"b\"\nPOSTMOUNT='it''s'\n", &cfg);
	assert_string_equal(cfg.name, "q1");
	assert_string_equal(cfg.hostname, "h-1");
	assert_string_equal(cfg.log, P(f, "a b.log"));
	LIST_IS(&cfg.start, "x", "y");
	assert_string_equal(cfg.premount, "\"a\" \"b\"");     /* not one pair */
	assert_string_equal(cfg.postmount, "'it''s'");
	config_free(&cfg);
}

static void test_syntax_error(void **state)
{
	FAIL(*state, "BASE=.\n\njunk line\n", 3, "expected KEY=VALUE", "got \"junk line\"");
}

static void test_bad_key(void **state)
{
	FAIL(*state, "BASE=.\n9X=1\n", 2, "expected KEY=VALUE", "\"9X=1\"");
	FAIL(*state, "A-B = 1\n", 1, "expected KEY=VALUE", "\"A-B = 1\"");
	FAIL(*state, "two words=1\n", 1, "expected KEY=VALUE");
	FAIL(*state, "=value\n", 1, "expected KEY=VALUE");
}

static void test_unknown_key_warns(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char want[PATH_MAX + 64];

	load_ok(f, "t.conf", "BASE=.\nFOO=bar\nFOO2=( a\nb )\nFOO=!false\n", &cfg);
	assert_int_equal(f->nwarn, 3);
	snprintf(want, sizeof want, "%s:2: unknown key FOO (ignored)\n", P(f, "t.conf"));
	has(f->warns, want);
	snprintf(want, sizeof want, "%s:3: unknown key FOO2 (ignored)\n", P(f, "t.conf"));
	has(f->warns, want);
	/* an unknown key's command never runs */
	snprintf(want, sizeof want, "%s:5: unknown key FOO (ignored)\n", P(f, "t.conf"));
	has(f->warns, want);
	config_free(&cfg);

	f->opts.warn = NULL;
	load_ok(f, "t.conf", NULL, &cfg);
	config_free(&cfg);
}

static void test_repeat_last_wins(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=/nonexistent\nBASE=.\nSTART=a\nSTART=b c\nRAM_SIZE=1G\nRAM_SIZE=2G\n", &cfg);
	assert_string_equal(cfg.base, f->dir);
	LIST_IS(&cfg.start, "b", "c");
	assert_string_equal(cfg.ram_size, "2G");
	assert_int_equal(f->nwarn, 0);
	config_free(&cfg);
}

static void test_repeat_share(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char text[PATH_MAX * 2];

	mkd(f, "d1");
	mkd(f, "d2");
	snprintf(text, sizeof text, "BASE=.\nSHARE=d1\nSTART=x\nSHARE=%s:/mnt/x:ro\nSHARE=d1:/again\n", P(f, "d2"));
	load_ok(f, "t.conf", text, &cfg);
	assert_int_equal(cfg.nshares, 3);
	assert_string_equal(cfg.shares[0].hostdir, P(f, "d1"));
	assert_string_equal(cfg.shares[0].subdir, "/d1");
	assert_false(cfg.shares[0].ro);
	assert_int_equal(cfg.shares[0].line, 2);
	assert_string_equal(cfg.shares[1].hostdir, P(f, "d2"));
	assert_string_equal(cfg.shares[1].subdir, "/mnt/x");
	assert_true(cfg.shares[1].ro);
	assert_int_equal(cfg.shares[1].line, 4);
	assert_string_equal(cfg.shares[2].subdir, "/again");
	assert_int_equal(cfg.shares[2].line, 5);
	config_free(&cfg);
}

static void test_array_one_line(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nADDRESS=( eth0=10.0.3.2/24 eth1=10.0.4.2/24 )\n", &cfg);
	LIST_IS(&cfg.address, "eth0=10.0.3.2/24", "eth1=10.0.4.2/24");
	assert_int_equal(cfg.nreserved, 1);
	assert_string_equal(cfg.reserved[0].key, "ADDRESS");
	assert_int_equal(cfg.reserved[0].line, 2);
	config_free(&cfg);

	load_ok(f, "t.conf", "BASE=.\nADDRESS=(a b)\nSTART=()\n", &cfg);
	LIST_IS(&cfg.address, "a", "b");
	assert_int_equal(cfg.start.n, 0);
	config_free(&cfg);
}

static void test_array_multi_line(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nADDRESS=(\n  a\n  # a comment\n\n  b\n c )\nSTART=x\nSTART=(\n ssh\n)\n", &cfg);
	LIST_IS(&cfg.address, "a", "b", "c");
	assert_int_equal(cfg.reserved[0].line, 2);
	LIST_IS(&cfg.start, "ssh");
	config_free(&cfg);

	/* the line count goes on after an array: the error is on line 5 */
	FAIL(f, "BASE=.\nADDRESS=( a\nb\n)\nbad\n", 5, "expected KEY=VALUE");
}

static void test_array_quoted(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nADDRESS=( \"a b\" 'c)d' e\\\"f \"g\\\"h\" x'y z'\n 'multi\nline' )\n", &cfg);
	LIST_IS(&cfg.address, "a b", "c)d", "e\"f", "g\"h", "xy z", "multi\nline");
	config_free(&cfg);
}

static void test_array_malformed(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	FAIL(f, "BASE=.\nDISKS=( a\nb\n", 2, "malformed array for DISKS", "expected ')'");
	FAIL(f, "BASE=.\nADDRESS=( 'a )\n", 2, "malformed array for ADDRESS", "expected ')'");
	FAIL(f, "BASE=.\nSTART=( a ) b\n", 2, "malformed array for START", "after ')'");
	FAIL(f, "BASE=.\nSTART=( a\n) b\n", 3, "malformed array for START", "after ')'");
	/* a bash comment after ')' is fine */
	load_ok(f, "t.conf", "BASE=.\nSTART=( a ) # services\n", &cfg);
	LIST_IS(&cfg.start, "a");
	config_free(&cfg);
}

static void test_array_scalar_key(void **state)
{
	FAIL(*state, "BASE=( . )\n", 1, "BASE takes one value, not a bash array");
	FAIL(*state, "BASE=.\nLOWER=(\n/\n)\n", 2, "LOWER takes one value");
}

static void test_split_list(void **state)
{
	struct sh_list l;

	(void)state;
	assert_int_equal(config_split_list("  a  b\tc\n", &l), 0);
	LIST_IS(&l, "a", "b", "c");
	sh_list_free(&l);
	assert_int_equal(config_split_list("( a 'b c' \"d\" )", &l), 0);
	LIST_IS(&l, "a", "b c", "d");
	sh_list_free(&l);
	assert_int_equal(config_split_list("", &l), 0);
	assert_int_equal(l.n, 0);
	sh_list_free(&l);
	assert_int_equal(config_split_list("()", &l), 0);
	assert_int_equal(l.n, 0);
	sh_list_free(&l);
	assert_int_equal(config_split_list("a) b", &l), 0);     /* ')' is plain outside arrays */
	LIST_IS(&l, "a)", "b");
	sh_list_free(&l);
	assert_int_equal(config_split_list("a\\ b c", &l), 0);
	LIST_IS(&l, "a b", "c");
	sh_list_free(&l);
	assert_int_equal(config_split_list("( a b", &l), -EINVAL);
	assert_null(l.v);
	assert_int_equal(config_split_list("( a ) b", &l), -EINVAL);
	assert_int_equal(config_split_list("a 'b", &l), -EINVAL);
	assert_int_equal(config_split_list("( \"a )", &l), -EINVAL);
	assert_int_equal(l.n, 0);
}

/* ---- !commands ----------------------------------------------------------- */

static void test_command_cwd_trim(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkbase(f, "sub");
	mkd(f, "etc");
	load_ok(f, "etc/c1.conf",
		"BASE=../sub\nLOG=!pwd\nHOSTNAME=!printf '  h1 \\n\\n'\nSTART=!printf 'a\\nb  c\\n'\nDISKS=!cat\n", &cfg);
	assert_string_equal(cfg.log, P(f, "sub"));     /* ran in BASE */
	assert_string_equal(cfg.hostname, "h1");
	LIST_IS(&cfg.start, "a", "b", "c");
	assert_int_equal(cfg.ndisks, 0);               /* stdin is /dev/null */
	config_free(&cfg);
}

static void test_command_env(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char want[PATH_MAX * 3];

	setenv("BASE", "/leak", 1);
	setenv("SUBHOST_TEST_OURS", "kept", 1);
	load_ok(f, "t.conf",
		"NAME=!echo \"x${BASE}y\"\nBASE=!echo .\n"
		"GATEWAY=!echo \"$CONFIG|$NAME|$ACTION|$BASE|$SUBHOST_TEST_OURS\"\n", &cfg);
	unsetenv("BASE");
	/* the caller's BASE never reaches NAME's command */
	assert_string_equal(cfg.name, "xy");
	snprintf(want, sizeof want, "%s|xy|overlay-boot|%s|kept", P(f, "t.conf"), f->dir);
	assert_string_equal(cfg.gateway, want);
	config_free(&cfg);

	f->opts.action = "overlay-stop";
	load_ok(f, "t.conf", "BASE=.\nGATEWAY=!echo $ACTION $SUBHOST_KEY\n", &cfg);
	assert_string_equal(cfg.gateway, "overlay-stop GATEWAY");
	config_free(&cfg);
	unsetenv("SUBHOST_TEST_OURS");
}

static void test_command_order(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkbase(f, "sub");
	/* NAME and BASE are evaluated first, in the conf's directory, even
	 * when they come last; the others then see them */
	load_ok(f, "t.conf", "START=!echo $NAME $(basename $BASE) $(basename $PWD)\n"
		"BASE=!test -d sub && echo sub\nNAME=!echo n2\n", &cfg);
	assert_string_equal(cfg.name, "n2");
	assert_string_equal(cfg.base, P(f, "sub"));
	LIST_IS(&cfg.start, "n2", "sub", "sub");
	config_free(&cfg);
}

static void test_command_fails(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nSTART=!exit 3\n", 2, "START: command \"exit 3\" failed (exit status 3)");
	FAIL(f, "BASE=.\n\nNAME=! false\n", 3, "NAME: command \"false\" failed (exit status 1)");
	FAIL(f, "BASE=!exit 2\n", 1, "BASE: command \"exit 2\" failed (exit status 2)");
	FAIL(f, "BASE=.\nLOG=!kill -9 $$\n", 2, "LOG: command \"kill -9 $$\" failed (killed by signal 9)");
	FAIL(f, "BASE=.\nLOG=!nosuchcommand-xyz 2>/dev/null\n", 2, "failed (exit status 127)");
}

static void test_command_only_final(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nSTART=!exit 1\nSTART=ok\nPREMOUNT='!echo literal'\n", &cfg);
	LIST_IS(&cfg.start, "ok");
	assert_string_equal(cfg.premount, "!echo literal");   /* quoted: not a command */
	config_free(&cfg);
}

static void test_no_commands(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	f->opts.no_commands = true;
	FAIL(f, "BASE=.\nSTART=!echo a\n", 2, "START", "commands are disabled");
	FAIL(f, "NAME=!echo a\nBASE=.\n", 1, "NAME", "commands are disabled");
	load_ok(f, "t.conf", "BASE=.\nSTART=a\n", &cfg);
	config_free(&cfg);
}

/* ---- NAME and BASE ---------------------------------------------------- */

static void test_base_relative_to_conf(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char text[PATH_MAX + 16];

	mkbase(f, "sub");
	mkd(f, "sub/l1");
	mkd(f, "etc");
	load_ok(f, "etc/x.conf", "BASE=../sub\nLOWER=l1\nLIVE=./live/\n", &cfg);
	assert_string_equal(cfg.path, P(f, "etc/x.conf"));
	assert_string_equal(cfg.name, "x");
	assert_string_equal(cfg.base, P(f, "sub"));
	assert_string_equal(cfg.live, P(f, "sub/live"));
	LIST_IS(&cfg.lower, P(f, "sub/l1"));
	config_free(&cfg);

	snprintf(text, sizeof text, "BASE=%s\n", P(f, "sub"));
	load_ok(f, "etc/y.conf", text, &cfg);
	assert_string_equal(cfg.base, P(f, "sub"));
	config_free(&cfg);

	/* BASE is canonical: a symlink to it is resolved */
	assert_int_equal(symlink(P(f, "sub"), P(f, "link")), 0);
	load_ok(f, "etc/z.conf", "BASE=../link\n", &cfg);
	assert_string_equal(cfg.base, P(f, "sub"));
	config_free(&cfg);
}

static void test_base_missing(void **state)
{
	struct fx *f = *state;

	FAIL(f, "START=a\n", 0, "BASE is not set", "expected BASE=<subhost directory>");
	FAIL(f, "# nothing\n", 0, "BASE is not set");
	FAIL(f, "START=a\nBASE=\n", 2, "BASE is empty", "expected BASE=");
}

static void test_base_not_dir(void **state)
{
	struct fx *f = *state;

	put(f, "file", "x");
	FAIL(f, "\nBASE=file\n", 2, "BASE=", "/file is not a directory", "expected a directory");
	FAIL(f, "BASE=nosuch\n", 1, "BASE=", "/nosuch does not exist", "expected an existing directory");
}

static void test_name_default_and_explicit(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "My_host-1.2.conf", "BASE=.\n", &cfg);
	assert_string_equal(cfg.name, "My_host-1.2");
	config_free(&cfg);
	load_ok(f, "noext", "BASE=.\n", &cfg);
	assert_string_equal(cfg.name, "noext");
	config_free(&cfg);
	load_ok(f, "t.conf", "NAME=other\nBASE=.\n", &cfg);
	assert_string_equal(cfg.name, "other");
	assert_string_equal(cfg.hostname, "other");
	assert_string_equal(cfg.log, "/var/log/subhost/other.log");
	config_free(&cfg);
	load_ok(f, "t.conf", "NAME=\nBASE=.\n", &cfg);
	assert_string_equal(cfg.name, "t");
	config_free(&cfg);
}

static void test_name_bad_chars(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nNAME=a/b\n", 2, "NAME", "\"a/b\"", "expected 1-15 characters of [A-Za-z0-9_.-]");
	FAIL(f, "BASE=.\nNAME=a b\n", 2, "NAME", "\"a b\"");
	FAIL(f, "BASE=.\nNAME=a:b\n", 2, "NAME");
	FAIL(f, "NAME=.\nBASE=.\n", 1, "NAME", "\".\"");
	FAIL(f, "NAME=..\nBASE=.\n", 1, "NAME", "\"..\"");
	FAIL(f, "NAME=-x\nBASE=.\n", 1, "NAME", "\"-x\"");
	/* an invalid default NAME (from the file name) has no line */
	load_fail(f, "x+y.conf", "BASE=.\n", 0, "NAME", "\"x+y\"", (const char *)NULL);
}

static void test_name_too_long(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	FAIL(f, "BASE=.\nNAME=abcdefghijklmnop\n", 2, "\"abcdefghijklmnop\"", "expected 1-15 characters");
	load_fail(f, "abcdefghijklmnop.conf", "BASE=.\n", 0, "NAME", (const char *)NULL);
	load_ok(f, "t.conf", "BASE=.\nNAME=abcdefghijklmno\n", &cfg);
	assert_string_equal(cfg.name, "abcdefghijklmno");
	config_free(&cfg);
}

static void test_name_too_long_for_interfaces(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	FAIL(f, "BASE=.\nNAME=abcdefghijklmno\nCABLES= =\n", 2,
	     "NAME \"abcdefghijklmno\" is too long for host interface names",
	     "abcdefghijklmno0 must fit 15 characters");
	/* no NAME line: the CABLES line */
	load_fail(f, "abcdefghijklmno.conf", "BASE=.\nCABLES= =\n", 2, "abcdefghijklmno0 must fit",
		  (const char *)NULL);
	/* 14 characters leave room for cables 0-9, not 10 */
	load_ok(f, "t.conf", "BASE=.\nNAME=abcdefghijklmn\nCABLES== = = = = = = = = =\n", &cfg);
	assert_int_equal(cfg.ncables, 10);
	config_free(&cfg);
	FAIL(f, "BASE=.\nNAME=abcdefghijklmn\nCABLES== = = = = = = = = = =\n", 2, "abcdefghijklmn10 must fit");
	/* a VLAN's host interface is NAME<i>.N */
	FAIL(f, "BASE=.\nNAME=abcdefghijk\nCABLES== =.100\n", 2, "abcdefghijk0.100 must fit");
}

static void test_check_name(void **state)
{
	static const char *const good[] = { "a", "A9", "a.b_c-d", "abcdefghijklmno", "_x", "x-" };
	static const char *const bad[] = { "", "abcdefghijklmnop", "-a", ".", "..", "a/b", "a b", "a:b",
					   "caf\xc3\xa9", "a\n" };
	struct sh_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(config_check_name(good[i], &err), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		assert_int_equal(config_check_name(bad[i], &err), -EINVAL);
		has(err.msg, "expected 1-15 characters of [A-Za-z0-9_.-]");
		assert_int_equal(err.status, EXIT_USAGE);
	}
	assert_int_equal(config_check_name("x/y", NULL), -EINVAL);
}

/* ---- LIVE, UPPER, WORK, LOWER ------------------------------------------- */

static void test_live_upper(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	put(f, "file", "x");
	FAIL(f, "BASE=.\nUPPER=file\n", 2, "UPPER=", "/file is not a directory");
	FAIL(f, "BASE=.\nLIVE=nosuch\n", 2, "LIVE=", "/nosuch does not exist");
	mkd(f, "r2");
	mkd(f, "l2");
	load_ok(f, "t.conf", "BASE=.\nUPPER=r2\nLIVE=l2/\n", &cfg);
	assert_string_equal(cfg.upper, P(f, "r2"));
	assert_string_equal(cfg.live, P(f, "l2"));
	config_free(&cfg);
	/* the defaults are checked too, without a line */
	assert_int_equal(rmdir(P(f, "live")), 0);
	FAIL(f, "BASE=.\n", 0, "LIVE=", "/live does not exist");
}

static void test_upper_readonly(void **state)
{
	struct fx *f = *state;

	if (mount(P(f, "root"), P(f, "root"), NULL, MS_BIND, NULL) < 0)
		skip();
	snprintf(f->mounts[f->nmounts++], PATH_MAX, "%s", P(f, "root"));
	if (mount(NULL, P(f, "root"), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		skip();
	FAIL(f, "BASE=.\n", 0, "UPPER=", "is not writable", "expected a writable directory");
}

static void test_work_missing(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nWORK=nosuch\n", 2, "WORK=", "/nosuch does not exist");
	assert_int_equal(rmdir(P(f, "work")), 0);
	FAIL(f, "BASE=.\n", 0, "WORK=", "/work does not exist");
}

static void test_work_other_fs(void **state)
{
	struct fx *f = *state;
	char want[PATH_MAX * 2];

	if (mount("tmpfs", P(f, "work"), "tmpfs", 0, "size=64k") < 0)
		skip();
	snprintf(f->mounts[f->nmounts++], PATH_MAX, "%s", P(f, "work"));
	snprintf(want, sizeof want, "WORK=%s is on another filesystem than UPPER=%s: "
		 "overlayfs needs both on one filesystem", P(f, "work"), P(f, "root"));
	FAIL(f, "BASE=.\n", 0, want);
	FAIL(f, "BASE=.\n\nWORK=work\n", 3, "is on another filesystem");
}

static void test_bind_root(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	/* UPPER = LOWER needs no WORK */
	assert_int_equal(rmdir(P(f, "work")), 0);
	load_ok(f, "t.conf", "BASE=.\nUPPER=root\nLOWER=./root/\n", &cfg);
	assert_true(cfg.bind_root);
	LIST_IS(&cfg.lower, P(f, "root"));
	assert_false(cfg.lower_has_host_root);
	config_free(&cfg);
	/* two layers are an overlay, which needs WORK again */
	mkd(f, "other");
	FAIL(f, "BASE=.\nUPPER=root\nLOWER=root:other\n", 0, "WORK=", "does not exist");
}

static void test_lower_layers(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char text[PATH_MAX + 64];

	mkd(f, "l1");
	mkd(f, "l2");
	snprintf(text, sizeof text, "BASE=.\nLOWER=l1:%s:@other.1\n", P(f, "l2"));
	load_ok(f, "t.conf", text, &cfg);
	LIST_IS(&cfg.lower, P(f, "l1"), P(f, "l2"), "@other.1");
	assert_false(cfg.lower_has_host_root);
	assert_false(cfg.bind_root);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nLOWER=/\n", &cfg);
	assert_true(cfg.lower_has_host_root);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nLOWER=@base\n", &cfg);
	LIST_IS(&cfg.lower, "@base");
	assert_false(cfg.lower_has_host_root);
	config_free(&cfg);
}

static void test_lower_bad(void **state)
{
	struct fx *f = *state;

	mkd(f, "l1");
	FAIL(f, "BASE=.\nLOWER=l1::/\n", 2, "LOWER=l1::/ has an empty layer", "expected DIR[:DIR...]");
	FAIL(f, "BASE=.\nLOWER=l1:\n", 2, "empty layer");
	FAIL(f, "BASE=.\nLOWER=l1:nosuch\n", 2, "LOWER=", "/nosuch does not exist");
	FAIL(f, "BASE=.\nLOWER=@bad/name\n", 2, "LOWER layer @bad/name", "expected 1-15 characters");
	FAIL(f, "BASE=.\nLOWER=@\n", 2, "LOWER layer @");
}

/* Nested layers are accepted (overlay.c presents the outer one through a
 * view of its own); the same directory twice is not. */
static void test_lower_nested(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkd(f, "l1");
	mkd(f, "l1/sub");
	load_ok(f, "x.conf", "BASE=.\nLOWER=l1:l1/sub\n", &cfg);
	assert_int_equal(cfg.lower.n, 2);
	config_free(&cfg);
	FAIL(f, "BASE=.\nLOWER=l1:./l1\n", 2, "layer", "/l1 is listed twice", "expected each directory once");
	FAIL(f, "BASE=.\nLOWER=l1/sub:l1/../l1/sub\n", 2, "is listed twice");
}

/* ---- CABLES / BRIDGES --------------------------------------------------- */

static void test_cables_forms(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nCABLES=br0= =02:00:00:00:00:01 br1=0A:bC:00:00:00:02 =.5 br2=.6 = =.5\n",
		&cfg);
	assert_int_equal(cfg.ncables, 7);
	assert_string_equal(cfg.cables[0].bridge, "br0");
	assert_null(cfg.cables[0].mac);
	assert_null(cfg.cables[1].bridge);
	assert_string_equal(cfg.cables[1].mac, "02:00:00:00:00:01");
	assert_string_equal(cfg.cables[2].bridge, "br1");
	assert_string_equal(cfg.cables[2].mac, "0a:bc:00:00:00:02");
	assert_null(cfg.cables[3].bridge);
	assert_null(cfg.cables[3].mac);
	assert_int_equal(cfg.cables[3].vlan, 5);
	assert_string_equal(cfg.cables[4].bridge, "br2");
	assert_int_equal(cfg.cables[4].vlan, 6);
	assert_int_equal(cfg.cables[5].vlan, 0);
	assert_int_equal(cfg.cables[6].vlan, 5);     /* same tag, another cable */
	assert_int_equal(cfg.cables[6].line, 2);
	config_free(&cfg);

	load_ok(f, "t.conf", "BASE=.\nCABLES=( br0=02:00:00:00:00:01\n  br0= )\n", &cfg);
	assert_int_equal(cfg.ncables, 2);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nCABLES=\n", &cfg);
	assert_int_equal(cfg.ncables, 0);
	config_free(&cfg);
}

static void test_cables_bad_mac(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nCABLES=br0=02:00:00:00:00\n", 2, "CABLES entry \"br0=02:00:00:00:00\"",
	     "MAC \"02:00:00:00:00\" is malformed", "expected BRIDGE=MAC with six hex pairs");
	FAIL(f, "BASE=.\nCABLES= =zz:00:00:00:00:01\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= =02-00-00-00-00-01\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= =02:00:00:00:00:01:02\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= =2:0:0:0:0:1\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= =01:00:5e:00:00:01\n", 2, "is a multicast address", "low bit of the first octet clear");
	FAIL(f, "BASE=.\nCABLES= =ff:ff:ff:ff:ff:ff\n", 2, "multicast");
	FAIL(f, "BASE=.\nCABLES= =00:00:00:00:00:00\n", 2, "all zeros");
}

static void test_cables_vlan(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nCABLES= =.5\n", 2, "CABLES entry \"=.5\"", "a VLAN needs a previous cable");
	FAIL(f, "BASE=.\nCABLES= = =.0\n", 2, "VLAN 0 is out of range", "expected .1 to .4094");
	FAIL(f, "BASE=.\nCABLES= = =.4095\n", 2, "VLAN 4095 is out of range");
	FAIL(f, "BASE=.\nCABLES= = =.x\n", 2, "VLAN \".x\" is malformed");
	FAIL(f, "BASE=.\nCABLES= = =.5a\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= = =.\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= = =.-5\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= = =.5 =.5\n", 2, "VLAN 5 is used twice");
}

static void test_cables_duplicate_mac(void **state)
{
	FAIL(*state, "BASE=.\nCABLES= =02:00:00:00:00:01 br=02:00:00:00:00:0A br2=02:00:00:00:00:01\n", 2,
	     "MAC 02:00:00:00:00:01 is used twice", "expected a distinct MAC per cable");
	FAIL(*state, "BASE=.\nCABLES= =02:00:00:00:00:aa =02:00:00:00:00:AA\n", 2, "is used twice");
}

static void test_cables_bad_entry(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nCABLES=br0\n", 2, "CABLES entry \"br0\" has no '='", "expected BRIDGE=MAC");
	FAIL(f, "BASE=.\nCABLES=averyveryverylongbr=\n", 2, "bridge name \"averyveryverylongbr\" is invalid",
	     "expected 1-15 characters");
	FAIL(f, "BASE=.\nCABLES=a/b=\n", 2, "bridge name \"a/b\"");
	/* quotes group words: 'a b'= is one entry with bridge "a b" */
	FAIL(f, "BASE=.\nCABLES='a b'=\n", 2, "bridge name \"a b\"");
	FAIL(f, "BASE=.\nCABLES=a b=\n", 2, "CABLES entry \"a\" has no '='");
	FAIL(f, "BASE=.\nCABLES=( \"a b=\" )\n", 2, "bridge name \"a b\"");
	FAIL(f, "BASE=.\nCABLES=..=\n", 2, "bridge name \"..\"");
	FAIL(f, "BASE=.\nCABLES= =02:00:00:00:00:01=x\n", 2, "is malformed");
}

static void test_bridges(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\n\nBRIDGES=( homenet:06:a7:dd:b4:02:f2 :02:00:00:00:00:09 lan: lan:.7 )\n", &cfg);
	assert_int_equal(cfg.ncables, 4);
	assert_string_equal(cfg.cables[0].bridge, "homenet");
	assert_string_equal(cfg.cables[0].mac, "06:a7:dd:b4:02:f2");
	assert_int_equal(cfg.cables[0].line, 3);
	assert_null(cfg.cables[1].bridge);
	assert_string_equal(cfg.cables[1].mac, "02:00:00:00:00:09");
	assert_string_equal(cfg.cables[2].bridge, "lan");
	assert_null(cfg.cables[2].mac);
	assert_int_equal(cfg.cables[3].vlan, 7);
	config_free(&cfg);

	FAIL(f, "BASE=.\nBRIDGES=( homenet )\n", 2, "BRIDGES entry \"homenet\" has no ':'", "expected BRIDGE:MAC");
	FAIL(f, "BASE=.\nBRIDGES=( br:01:00:00:00:00:00 )\n", 2, "BRIDGES entry", "multicast");
	FAIL(f, "BASE=.\nBRIDGES=( br:02:00:00:00:00 )\n", 2, "expected BRIDGE:MAC with six hex pairs");
}

static void test_cables_and_bridges(void **state)
{
	FAIL(*state, "BASE=.\nCABLES= =\nBRIDGES=( br:02:00:00:00:00:01 )\n", 3,
	     "both CABLES (line 2) and BRIDGES are set", "expected only one of them");
}

/* ---- START, INIT, hooks, RAM_SIZE --------------------------------------- */

static void test_start(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nSTART=\n", &cfg);
	assert_int_equal(cfg.start.n, 0);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nSTART=none\n", &cfg);
	assert_int_equal(cfg.start.n, 0);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nSTART=!true\n", &cfg);
	assert_int_equal(cfg.start.n, 0);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nSTART= networking /usr/local/bin/setup.sh ssh\n", &cfg);
	LIST_IS(&cfg.start, "networking", "/usr/local/bin/setup.sh", "ssh");
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nSTART=( \"/bin/sh -c true\" ssh )\n", &cfg);
	LIST_IS(&cfg.start, "/bin/sh -c true", "ssh");
	config_free(&cfg);
	FAIL(f, "BASE=.\nSTART=a 'b\n", 2, "START=a 'b is malformed");
}

static void test_init(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nINIT=\n", &cfg);
	assert_int_equal(cfg.init_mode, INIT_SERVICES);
	assert_int_equal(cfg.init_argv.n, 0);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nINIT=sysv\n", &cfg);
	assert_int_equal(cfg.init_mode, INIT_SYSV);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nINIT=/sbin/init --foo  bar\n", &cfg);
	assert_int_equal(cfg.init_mode, INIT_EXEC);
	LIST_IS(&cfg.init_argv, "/sbin/init", "--foo", "bar");
	assert_null(cfg.init_argv.v[3]);             /* ready for execv */
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nINIT=( /bin/sh -c 'exec sleep 1' )\n", &cfg);
	assert_int_equal(cfg.init_mode, INIT_EXEC);
	LIST_IS(&cfg.init_argv, "/bin/sh", "-c", "exec sleep 1");
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nINIT=( sysv )\n", &cfg);
	assert_int_equal(cfg.init_mode, INIT_SYSV);
	assert_int_equal(cfg.init_argv.n, 0);
	config_free(&cfg);
	FAIL(f, "BASE=.\nINIT=systemd\n", 2, "INIT=systemd", "expected \"sysv\" or an absolute program path");
	FAIL(f, "BASE=.\nINIT=sysv x\n", 2, "expected \"sysv\"");
	FAIL(f, "BASE=.\nINIT=()\n", 2, "expected \"sysv\"");
}

static void test_hooks(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nPREMOUNT=/usr/lib/x/pre --flag \"$UPPER\"\nPOSTMOUNT = post.sh a\n", &cfg);
	assert_string_equal(cfg.premount, "/usr/lib/x/pre --flag \"$UPPER\"");
	assert_string_equal(cfg.postmount, "post.sh a");
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nPREMOUNT=\n", &cfg);
	assert_null(cfg.premount);
	assert_null(cfg.postmount);
	config_free(&cfg);
}

static void test_ram_size(void **state)
{
	static const char *const good[] = { "1G", "512k", "10%", "123", "64K", "2g", "7m" };
	static const char *const bad[] = { "50MB", "-1", "M", "abc", "1.5G", "10 M", "%" };
	struct fx *f = *state;
	struct sh_config cfg;
	char text[128];
	size_t i;

	load_ok(f, "t.conf", "BASE=.\nRAM_SIZE=none\n", &cfg);
	assert_null(cfg.ram_size);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nRAM_SIZE=\n", &cfg);
	assert_string_equal(cfg.ram_size, "50M");
	config_free(&cfg);
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(text, sizeof text, "BASE=.\nRAM_SIZE=%s\n", good[i]);
		load_ok(f, "t.conf", text, &cfg);
		assert_string_equal(cfg.ram_size, good[i]);
		config_free(&cfg);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "BASE=.\nRAM_SIZE=%s\n", bad[i]);
		FAIL(f, text, 2, "RAM_SIZE=", "expected a size like 50M");
	}
}

/* ---- SHARE, LOG, HOSTNAME ------------------------------------------------ */

static void test_share_forms(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char text[PATH_MAX * 4];

	mkd(f, "data");
	put(f, "afile", "x");
	snprintf(text, sizeof text,
		 "BASE=.\nSHARE=data\nSHARE=data:srv/x:ro\nSHARE=%s:/mnt//y/:rw\nSHARE=%s:ro\nSHARE=afile:/etc/afile\n",
		 P(f, "data"), P(f, "data"));
	load_ok(f, "t.conf", text, &cfg);
	assert_int_equal(cfg.nshares, 5);
	assert_string_equal(cfg.shares[0].hostdir, P(f, "data"));
	assert_string_equal(cfg.shares[0].subdir, "/data");
	assert_false(cfg.shares[0].ro);
	assert_string_equal(cfg.shares[1].hostdir, P(f, "data"));
	assert_string_equal(cfg.shares[1].subdir, "/srv/x");
	assert_true(cfg.shares[1].ro);
	assert_string_equal(cfg.shares[2].subdir, "/mnt/y");
	assert_false(cfg.shares[2].ro);
	assert_string_equal(cfg.shares[3].hostdir, P(f, "data"));
	assert_string_equal(cfg.shares[3].subdir, P(f, "data"));   /* single-dir form */
	assert_true(cfg.shares[3].ro);
	assert_string_equal(cfg.shares[4].hostdir, P(f, "afile"));
	config_free(&cfg);
}

static void test_share_bad(void **state)
{
	struct fx *f = *state;

	mkd(f, "data");
	FAIL(f, "BASE=.\nSHARE=data:../etc\n", 2, "SHARE=data:../etc", "contains \"..\"",
	     "expected a path inside the subhost");
	FAIL(f, "BASE=.\nSHARE=data:/a/../../etc:ro\n", 2, "contains \"..\"");
	FAIL(f, "BASE=.\nSHARE=nosuch:/x\n", 2, "SHARE=nosuch:/x", "/nosuch", "expected an existing directory");
	FAIL(f, "BASE=.\nSHARE=:/x\n", 2, "SHARE=:/x", "expected HOSTDIR, HOSTDIR:SUBDIR");
	FAIL(f, "BASE=.\nSHARE=data:\n", 2, "expected HOSTDIR");
	FAIL(f, "BASE=.\nSHARE=\n", 2, "expected HOSTDIR");
	FAIL(f, "BASE=.\nSHARE=:ro\n", 2, "expected HOSTDIR");
}

static void test_log(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nLOG=logs/x.log\n", &cfg);
	assert_string_equal(cfg.log, P(f, "logs/x.log"));
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nLOG=/var/log/y.log\n", &cfg);
	assert_string_equal(cfg.log, "/var/log/y.log");
	config_free(&cfg);
}

static void test_hostname(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char text[256];

	load_ok(f, "t.conf", "BASE=.\nHOSTNAME=host.example-1\n", &cfg);
	assert_string_equal(cfg.hostname, "host.example-1");
	config_free(&cfg);
	snprintf(text, sizeof text, "BASE=.\nHOSTNAME=%064d\n", 0);
	load_ok(f, "t.conf", text, &cfg);
	assert_int_equal(strlen(cfg.hostname), 64);
	config_free(&cfg);
	FAIL(f, "BASE=.\nHOSTNAME=a_b\n", 2, "HOSTNAME=a_b is invalid", "expected 1-64 characters of [A-Za-z0-9.-]");
	snprintf(text, sizeof text, "BASE=.\nHOSTNAME=%065d\n", 0);
	FAIL(f, text, 2, "HOSTNAME=", "expected 1-64");
}

/* ---- DISKS and IMAGE ---------------------------------------------------- */

static void test_disks(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	put(f, "d.img", "");
	put(f, "c:d.img", "");
	mkd(f, "mnt");
	load_ok(f, "t.conf", "BASE=.\nDISKS=( vda:2:d.img\n vdb::d.img vdc:0:c:d.img vdd:12:d.img )\n", &cfg);
	assert_int_equal(cfg.ndisks, 0 + 4);
	assert_string_equal(cfg.disks[0].dev, "vda");
	assert_int_equal(cfg.disks[0].part, 2);
	assert_string_equal(cfg.disks[0].image, P(f, "d.img"));
	assert_int_equal(cfg.disks[0].line, 2);
	assert_string_equal(cfg.disks[1].node, "vdb");
	assert_int_equal(cfg.disks[1].part, 0);
	assert_string_equal(cfg.disks[3].node, "vdd12");
	/* the image is what follows the second ':' */
	assert_string_equal(cfg.disks[2].image, P(f, "c:d.img"));
	/* the root disk is mounted on LIVE, under the overlay */
	LIST_IS(&cfg.lower, P(f, "live"));
	assert_false(cfg.lower_has_host_root);
	assert_false(cfg.bind_root);
	config_free(&cfg);

	/* LOWER names where the root disk goes; UPPER = LOWER: it is the root */
	load_ok(f, "t.conf", "BASE=.\nDISKS=vda:1:d.img\nLOWER=mnt\n", &cfg);
	LIST_IS(&cfg.lower, P(f, "mnt"));
	assert_false(cfg.bind_root);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nDISKS=vda:1:d.img\nLOWER=mnt\nUPPER=mnt\n", &cfg);
	assert_true(cfg.bind_root);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nDISKS=()\n", &cfg);
	assert_int_equal(cfg.ndisks, 0);
	LIST_IS(&cfg.lower, "/");
	config_free(&cfg);
}

static void test_disks_bad(void **state)
{
	struct fx *f = *state;

	put(f, "d.img", "");
	FAIL(f, "BASE=.\nDISKS=( vda:1:d.img\n vdb )\n", 2, "DISKS entry \"vdb\" is malformed",
	     "expected DEV:PART:IMAGE");
	FAIL(f, "BASE=.\nDISKS=( vda:1: )\n", 2, "expected DEV:PART:IMAGE");
	FAIL(f, "BASE=.\nDISKS=( 1da:1:d.img )\n", 2, "device name \"1da\" is invalid");
	FAIL(f, "BASE=.\nDISKS=( :1:d.img )\n", 2, "device name \"\" is invalid");
	FAIL(f, "BASE=.\nDISKS=( v/a:1:d.img )\n", 2, "device name \"v/a\" is invalid");
	FAIL(f, "BASE=.\nDISKS=( vda:x:d.img )\n", 2, "partition \"x\" is invalid",
	     "expected a number from 1 to 999");
	FAIL(f, "BASE=.\nDISKS=( vda:1000:d.img )\n", 2, "partition \"1000\" is invalid");
	/* found by the fuzzer: a long number overflowed while it was read */
	FAIL(f, "BASE=.\nDISKS=( vda:33333333333333333333333333:d.img )\n", 2, "is invalid");
	FAIL(f, "BASE=.\n\nDISKS=( vda:1:nosuch.img )\n", 3, "image", "nosuch.img does not exist",
	     "expected an existing disk image file");
	FAIL(f, "BASE=.\nDISKS=( vda:1:root )\n", 2, "is not a regular file");
	FAIL(f, "BASE=.\nDISKS=( vda:1:d.img vdb:1:d.img vdb1::d.img )\n", 2,
	     "/dev/vdb1 is named twice");
	FAIL(f, "BASE=.\nDISKS=( vda:1:d.img tty:0:d.img )\n", 2, "/dev/tty exists inside already");
	FAIL(f, "BASE=.\nDISKS=( vda:1:d.img )\nLOWER=root:live\n", 3,
	     "with DISKS, LOWER is the directory the root disk is mounted on");
	FAIL(f, "BASE=.\nDISKS=( vda:1:d.img )\nLOWER=@other\n", 3, "expected one directory");
}

static void test_image(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	put(f, "s.img", "");
	/* UPPER and WORK are on the image, which the host has not mounted */
	load_ok(f, "t.conf", "BASE=.\nIMAGE=s.img\n", &cfg);
	assert_string_equal(cfg.image, P(f, "s.img"));
	assert_string_equal(cfg.image_mnt, P(f, "mnt"));
	assert_int_equal(cfg.image_line, 2);
	assert_string_equal(cfg.upper, P(f, "mnt/root"));
	assert_string_equal(cfg.work, P(f, "mnt/work"));
	LIST_IS(&cfg.lower, "/");
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nIMAGE=s.img\nUPPER=mnt/u\nWORK=mnt/w\nLOWER=mnt/l\n", &cfg);
	assert_string_equal(cfg.upper, P(f, "mnt/u"));
	LIST_IS(&cfg.lower, P(f, "mnt/l"));
	config_free(&cfg);
	/* off the image, the usual checks */
	FAIL(f, "BASE=.\nIMAGE=s.img\nUPPER=elsewhere\n", 3, "UPPER=", "does not exist");
	FAIL(f, "BASE=.\nIMAGE=nosuch.img\n", 2, "IMAGE", "nosuch.img does not exist");
	FAIL(f, "BASE=.\nIMAGE=( s.img )\n", 2, "IMAGE takes one value");
}

/* ---- reserved keys ------------------------------------------------------- */

static void test_reserved(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	size_t i;

	load_ok(f, "t.conf",
		"BASE=.\nMEMORY_HIGH=1M\nADDRESS=eth0=10.0.3.2/24\nMEMORY_HIGH=2M\n"
		"GATEWAY=10.0.3.1\nMEMORY_MAX=1G\nMEMORY_HIGH=800M\nCPU_MAX=50000 100000\n"
		"CPU_WEIGHT=100\nPIDS_MAX=!echo 500\nIO_WEIGHT=200\nCAPS_DROP=( cap_sys_admin cap_net_raw )\n"
		"CAPS_KEEP=cap_chown\nSECCOMP=default\nIDMAP=0:100000:65536\nADDRESS=eth0=fd00::2/64\n"
		"MEMORY_MAX=2G\n", &cfg);
	LIST_IS(&cfg.address, "eth0=10.0.3.2/24", "eth0=fd00::2/64");
	assert_string_equal(cfg.gateway, "10.0.3.1");
	assert_string_equal(cfg.memory_max, "2G");
	assert_string_equal(cfg.memory_high, "800M");
	assert_string_equal(cfg.cpu_max, "50000 100000");
	assert_string_equal(cfg.cpu_weight, "100");
	assert_string_equal(cfg.pids_max, "500");
	assert_string_equal(cfg.io_weight, "200");
	assert_string_equal(cfg.caps_drop, "cap_sys_admin cap_net_raw");
	assert_string_equal(cfg.caps_keep, "cap_chown");
	assert_string_equal(cfg.seccomp, "default");
	assert_string_equal(cfg.idmap, "0:100000:65536");
	assert_int_equal(cfg.nreserved, 12);
	for (i = 0; i < cfg.nreserved; i++) {
		if (!strcmp(cfg.reserved[i].key, "ADDRESS"))
			assert_int_equal(cfg.reserved[i].line, 3);     /* the first one */
		if (!strcmp(cfg.reserved[i].key, "MEMORY_MAX"))
			assert_int_equal(cfg.reserved[i].line, 17);    /* the one that counts */
		if (!strcmp(cfg.reserved[i].key, "IDMAP"))
			assert_int_equal(cfg.reserved[i].line, 15);
	}
	assert_int_equal(f->nwarn, 0);
	config_free(&cfg);
}

/* ---- the rest ----------------------------------------------------------- */

static void test_path_for(void **state)
{
	char *p;

	(void)state;
	p = config_path_for("./x");
	assert_string_equal(p, "./x");
	free(p);
	p = config_path_for("/opt/mta/mta.conf");
	assert_string_equal(p, "/opt/mta/mta.conf");
	free(p);
	p = config_path_for("here.conf");
	assert_string_equal(p, "here.conf");
	free(p);
	setenv("SUBHOST_CONFDIR", "/srv/confs", 1);
	p = config_path_for("mta");
	assert_string_equal(p, "/srv/confs/mta.conf");
	free(p);
	setenv("SUBHOST_CONFDIR", "", 1);
	p = config_path_for("mta");
	assert_string_equal(p, "/etc/subhost/mta.conf");
	free(p);
	unsetenv("SUBHOST_CONFDIR");
	p = config_path_for("mta");
	assert_string_equal(p, "/etc/subhost/mta.conf");
	free(p);
}

static void test_free_safe(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg, zero;

	(void)f;
	memset(&cfg, 0, sizeof cfg);
	memset(&zero, 0, sizeof zero);
	config_free(&cfg);
	config_free(&cfg);
	config_free(NULL);
	sh_list_free(NULL);
	put(f, "a.img", "");
	load_ok(f, "t.conf", "BASE=.\nCABLES= =\nSHARE=root\nDISKS=( vda:1:a.img )\nIMAGE=a.img\n", &cfg);
	config_free(&cfg);
	assert_memory_equal(&cfg, &zero, sizeof cfg);
	config_free(&cfg);
}

static void test_missing_file(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	assert_int_equal(load(f, "nosuch.conf", NULL, &cfg), -ENOENT);
	has(f->err.msg, P(f, "nosuch.conf"));
	has(f->err.msg, "expected a readable configuration file");
	assert_int_equal(f->err.status, EXIT_USAGE);
	assert_null(cfg.name);
	mkd(f, "d.conf");
	assert_int_equal(load(f, "d.conf", NULL, &cfg), -EINVAL);
	has(f->err.msg, "not a regular file");
}

static void test_no_fs_checks(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	f->opts.no_fs_checks = true;
	load_ok(f, "t.conf", "BASE=/nonexistent/x/../y\nLOWER=a:/:@o\nSHARE=h:/s\nLOG=!pwd\n", &cfg);
	assert_string_equal(cfg.base, "/nonexistent/y");
	assert_string_equal(cfg.live, "/nonexistent/y/live");
	assert_string_equal(cfg.upper, "/nonexistent/y/root");
	assert_string_equal(cfg.work, "/nonexistent/y/work");
	LIST_IS(&cfg.lower, "/nonexistent/y/a", "/", "@o");
	assert_string_equal(cfg.shares[0].hostdir, "/nonexistent/y/h");
	assert_string_equal(cfg.log, f->dir);          /* ran in the conf's dir */
	config_free(&cfg);
	/* syntax is still checked */
	FAIL(f, "BASE=/nonexistent\nRAM_SIZE=x\n", 2, "RAM_SIZE=x");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_minimal),
		T(test_copy),
		T(test_tiny),
		T(test_mta),
		T(test_whitespace_comments),
		T(test_quotes),
		T(test_syntax_error),
		T(test_bad_key),
		T(test_unknown_key_warns),
		T(test_repeat_last_wins),
		T(test_repeat_share),
		T(test_array_one_line),
		T(test_array_multi_line),
		T(test_array_quoted),
		T(test_array_malformed),
		T(test_array_scalar_key),
		T(test_split_list),
		T(test_command_cwd_trim),
		T(test_command_env),
		T(test_command_order),
		T(test_command_fails),
		T(test_command_only_final),
		T(test_no_commands),
		T(test_base_relative_to_conf),
		T(test_base_missing),
		T(test_base_not_dir),
		T(test_name_default_and_explicit),
		T(test_name_bad_chars),
		T(test_name_too_long),
		T(test_name_too_long_for_interfaces),
		T(test_check_name),
		T(test_live_upper),
		T(test_upper_readonly),
		T(test_work_missing),
		T(test_work_other_fs),
		T(test_bind_root),
		T(test_lower_layers),
		T(test_lower_bad),
		T(test_lower_nested),
		T(test_cables_forms),
		T(test_cables_bad_mac),
		T(test_cables_vlan),
		T(test_cables_duplicate_mac),
		T(test_cables_bad_entry),
		T(test_bridges),
		T(test_cables_and_bridges),
		T(test_start),
		T(test_init),
		T(test_hooks),
		T(test_ram_size),
		T(test_share_forms),
		T(test_share_bad),
		T(test_log),
		T(test_hostname),
		T(test_reserved),
		T(test_path_for),
		T(test_free_safe),
		T(test_missing_file),
		T(test_no_fs_checks),
		T(test_disks),
		T(test_disks_bad),
		T(test_image),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
