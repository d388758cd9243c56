/* test_idmap.c - unit tests of idmap.c: the IDMAP value, its subuid/subgid
 * look-up, the coverage and overlap rules and the uid_map text.  The
 * subordinate id files are written to a mkdtemp directory and named by
 * $SUBHOST_SUBUID / $SUBHOST_SUBGID.  No privileges needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "idmap.h"

#define WHERE "/etc/subhost/web.conf:7"

static struct idmap m;
static struct sh_err err;

static int parse(const char *v)
{
	memset(&m, 0, sizeof m);
	memset(&err, 0, sizeof err);
	return idmap_parse(v, WHERE, &m, &err);
}

/* The parse fails as a configuration error whose message has every part. */
static void bad(const char *v, ...)
{
	va_list ap;
	const char *part;

	assert_int_equal(parse(v), -EINVAL);
	assert_int_equal(err.status, EXIT_USAGE);
	assert_true(strncmp(err.msg, WHERE ": ", strlen(WHERE) + 2) == 0);
	va_start(ap, v);
	while ((part = va_arg(ap, const char *))) {
		if (!strstr(err.msg, part))
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
	}
	va_end(ap);
}

static void test_one_triple(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(parse("0:100000:65536"), 0);
	assert_int_equal(m.nuid, 1);
	assert_int_equal(m.ngid, 1);
	assert_int_equal(m.uid[0].inside, 0);
	assert_int_equal(m.uid[0].host, 100000);
	assert_int_equal(m.uid[0].count, 65536);
	assert_memory_equal(&m.uid[0], &m.gid[0], sizeof m.uid[0]);
	assert_int_equal(idmap_to_host(m.uid, m.nuid, 0), 100000);
	assert_int_equal(idmap_to_host(m.uid, m.nuid, 65535), 165535);
	assert_int_equal(idmap_to_host(m.uid, m.nuid, 65536), IDMAP_NONE);
	assert_int_equal(idmap_format(m.uid, m.nuid, buf, sizeof buf), 15);
	assert_string_equal(buf, "0 100000 65536\n");
	/* b: is the default, spelled out */
	assert_int_equal(parse("b:0:100000:65536"), 0);
	assert_int_equal(m.nuid, 1);
	assert_int_equal(m.ngid, 1);
}

static void test_lcboot_example(void **state)
{
	char buf[256];

	(void)state;
	/* lcboot's README: users 0 1000000 65536; groups in four pieces */
	assert_int_equal(parse("  u:0:1000000:65536 g:0:1000000:1 g:1:1000001:1\tg:2:1000002:1 "
			       "g:3:1000003:65533 "), 0);
	assert_int_equal(m.nuid, 1);
	assert_int_equal(m.ngid, 4);
	assert_int_equal(idmap_to_host(m.gid, m.ngid, 2), 1000002);
	assert_int_equal(idmap_to_host(m.gid, m.ngid, 5), 1000005);
	assert_int_equal(idmap_format(m.gid, m.ngid, buf, sizeof buf), 52);
	assert_string_equal(buf, "0 1000000 1\n1 1000001 1\n2 1000002 1\n3 1000003 65533\n");
}

static void test_pieces_any_order(void **state)
{
	(void)state;
	/* out of order, an admin's own uid for inside 1000, more than 65536 */
	assert_int_equal(parse("1001:201001:100000 0:200000:1000 1000:1000:1"), 0);
	assert_int_equal(m.nuid, 3);
	assert_int_equal(idmap_to_host(m.uid, m.nuid, 1000), 1000);
	assert_int_equal(idmap_to_host(m.uid, m.nuid, 999), 200999);
	assert_int_equal(idmap_to_host(m.uid, m.nuid, 101000), 301000);
	assert_int_equal(idmap_to_host(m.uid, m.nuid, 101001), IDMAP_NONE);
}

static void test_bad_extents(void **state)
{
	(void)state;
	bad("0:100000", "\"0:100000\" is not an extent", "INSIDE:HOST:COUNT", NULL);
	bad("0:100000:65536:1", "is not an extent", NULL);
	bad("x:0:100000:65536", "\"x:0:100000:65536\" is not an extent", NULL);
	bad("0:100000:0", "COUNT > 0", NULL);
	bad("0:-1:65536", "is not an extent", NULL);
	bad("0:+100000:65536", "is not an extent", NULL);
	bad("0:100000:65536x", "is not an extent", NULL);
	bad("0::65536", "is not an extent", NULL);
	bad("0:4294967295:1", "below 4294967295", NULL);
	bad("0:4294967000:65536", "is not an extent", NULL);
	bad("0:100000:99999999999", "is not an extent", NULL);
	bad("0:100000:65536 bob", "\"bob\" is not an extent", NULL);
	bad("", "IDMAP is empty", NULL);
	bad("   ", "IDMAP is empty", NULL);
	bad("bob alice", "IDMAP=bob alice", "expected a user name", NULL);
	bad("-rf", "expected a user name", NULL);
	bad("a/b", "expected a user name", NULL);
}

static void test_coverage(void **state)
{
	(void)state;
	bad("0:100000:65535", "IDMAP=0:100000:65535: uids 65535..65535 inside are not mapped",
	    "expected every uid 0..65535 mapped", NULL);
	bad("1:100000:65536", "uids 0..0 inside are not mapped", NULL);
	bad("0:100000:1000 2000:102000:63536", "uids 1000..1999 inside are not mapped", NULL);
	bad("u:0:100000:65536", "gids 0..65535 inside are not mapped", NULL);
	bad("g:0:100000:65536", "uids 0..65535 inside are not mapped", NULL);
	bad("u:0:100000:65536 g:0:100000:1000", "gids 1000..65535", NULL);
}

static void test_overlaps(void **state)
{
	(void)state;
	bad("0:100000:65536 100:300000:10", "uid extents 0:100000:65536 and 100:300000:10 overlap inside",
	    "each inside id mapped once", NULL);
	bad("0:100000:1000 1000:100500:64536", "uid extents 0:100000:1000 and 1000:100500:64536 "
	    "overlap on the host", "each host id used once", NULL);
	bad("u:0:100000:65536 g:0:200000:65536 g:65535:300000:2", "gid extents", "overlap inside", NULL);
	/* touching is not overlapping */
	assert_int_equal(parse("0:100000:1000 1000:101000:64536"), 0);
	/* uids and gids are separate spaces */
	assert_int_equal(parse("u:0:100000:65536 g:0:100000:65536"), 0);
}

static void test_host_root(void **state)
{
	(void)state;
	bad("0:0:65536", "uid extent 0:0:65536 maps to host id 0, the host's root", NULL);
	bad("u:0:100000:65536 g:0:0:65536", "gid extent 0:0:65536 maps to host id 0", NULL);
	/* the host's root inside is fine as long as it is not host 0 */
	assert_int_equal(parse("0:1:65536"), 0);
}

static void test_too_many(void **state)
{
	char *v = xmalloc(IDMAP_MAX * 40 + 64), *p = v;

	(void)state;
	for (unsigned i = 0; i < IDMAP_MAX + 1; i++)
		p += sprintf(p, "%u:%u:1 ", i, 100000 + i);
	sprintf(p, "%u:%u:%u", IDMAP_MAX + 1, 100000 + IDMAP_MAX + 1, 65536 - IDMAP_MAX - 1);
	bad(v, "IDMAP=0:100000:1 1:100001:1 2:100002:1 3:100003:1 4:100004:1 5:100...: more "
	    "than 340 uid extents", NULL);
	free(v);
}

static void test_text_too_long(void **state)
{
	char *v = xmalloc(IDMAP_MAX * 40 + 64), *p = v;

	(void)state;
	/* 200 extents with long numbers: within 340, but over a page as text */
	for (unsigned i = 0; i < 200; i++)
		p += sprintf(p, "u:%u:%u:1 ", 4000000000u + i, 3000000000u + i);
	sprintf(p, "0:100000:65536");
	bad(v, "the uid map is longer than the kernel takes (4095 bytes as text)", NULL);
	free(v);
}

static void test_format_space(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(parse("0:100000:65536"), 0);
	assert_int_equal(idmap_format(m.uid, m.nuid, buf, sizeof buf), -ENOSPC);
	assert_int_equal(idmap_format(m.uid, 0, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
}

/* ---- the USER form ---------------------------------------------------- */

static char dir[] = "/tmp/test_idmap.XXXXXX";
static char subuid[64], subgid[64];

static void files(const char *u, const char *g)
{
	FILE *f = fopen(subuid, "w");
	assert_non_null(f);
	fputs(u, f);
	fclose(f);
	f = fopen(subgid, "w");
	assert_non_null(f);
	fputs(g, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(subuid, sizeof subuid, "%s/subuid", dir);
	snprintf(subgid, sizeof subgid, "%s/subgid", dir);
	setenv("SUBHOST_SUBUID", subuid, 1);
	setenv("SUBHOST_SUBGID", subgid, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(subuid);
	unlink(subgid);
	rmdir(dir);
	return 0;
}

static void test_user(void **state)
{
	(void)state;
	/* nobody-like names need not exist in passwd: the ranges decide */
	files("# comment\nalice:100000:65536\nsubhosttestu:200000:1000\n"
	      "subhosttestu:300000:65536\nsubhosttestu:500000:65536\n",
	      "subhosttestu:400000:70000\r\n");
	assert_int_equal(parse("subhosttestu"), 0);
	assert_int_equal(m.nuid, 1);
	assert_int_equal(m.uid[0].inside, 0);
	assert_int_equal(m.uid[0].host, 300000);  /* the first large enough */
	assert_int_equal(m.uid[0].count, 65536);   /* only 0..65535, even of more */
	assert_int_equal(m.gid[0].host, 400000);
	assert_int_equal(m.gid[0].count, 65536);
}

static void test_user_by_uid(void **state)
{
	(void)state;
	/* root (uid 0) exists everywhere; its entries may name it by uid */
	files("0:600000:65536\n", "root:700000:65536\n");
	assert_int_equal(parse("root"), 0);
	assert_int_equal(m.uid[0].host, 600000);
	assert_int_equal(m.gid[0].host, 700000);
	assert_int_equal(parse("0"), 0);
	assert_int_equal(m.uid[0].host, 600000);
	assert_int_equal(m.gid[0].host, 700000);
}

static void test_user_errors(void **state)
{
	(void)state;
	files("alice:100000:65536\nsmall:200000:1000\nsmall:300000:65535\nzero:0:65536\n",
	      "alice:100000:65536\nsmall:200000:65536\nzero:100000:65536\n");
	bad("subhost-no-such-user", "IDMAP=subhost-no-such-user: unknown user subhost-no-such-user",
	    "not in the passwd database and not in ", subuid, NULL);
	bad("small", "the uids ranges of small in ", subuid, "too small (the largest has 65535)",
	    "at least 65536", NULL);
	bad("zero", "uid extent 0:0:65536 maps to host id 0", NULL);
	files("alice:100000:65536\n", "bob:100000:65536\n");
	bad("alice", "alice has no subordinate gids in ", subgid, "alice:START:COUNT",
	    "usermod --add-subgids", NULL);
	bad("root", "root has no subordinate uids in ", subuid, NULL);
	/* absent files: nobody has ranges */
	unlink(subuid);
	unlink(subgid);
	bad("root", "root has no subordinate uids", NULL);
	bad("subhost-no-such-user", "unknown user", NULL);
}

static void test_user_malformed_lines(void **state)
{
	(void)state;
	/* lines that are not NAME:START:COUNT are skipped, not taken */
	files("alice\nalice:x:65536\nalice:100000\nalice:1:2:3\n:5:5\nalice:100000:65536\n",
	      "alice:100000:65536");
	assert_int_equal(parse("alice"), 0);
	assert_int_equal(m.uid[0].host, 100000);
}

static void test_from_subid_pure(void **state)
{
	(void)state;
	memset(&err, 0, sizeof err);
	assert_int_equal(idmap_from_subid("bob", 1234, "1234:100000:65536\n", "U",
					  "bob:200000:65536\n", "G", WHERE, &m, &err), 0);
	assert_int_equal(m.uid[0].host, 100000);
	assert_int_equal(m.gid[0].host, 200000);
	assert_int_equal(idmap_from_subid("bob", -1, "1234:100000:65536\n", "U", "", "G", WHERE,
					  &m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown user bob"));
	/* a range running past the top of the id space is no range */
	assert_int_equal(idmap_from_subid("bob", -1, "bob:4294960000:65536\n", "U", "", "G", WHERE,
					  &m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "too small"));
}

/* A conf with IDMAP keeps the value for the supervisor, with its line. */
static void test_config_keeps_value(void **state)
{
	char path[80];
	struct sh_config cfg;
	struct sh_config_opts o = { .no_fs_checks = true };
	FILE *f;
	int line = 0;

	(void)state;
	snprintf(path, sizeof path, "%s/x.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("BASE=.\nSTART=none\nIDMAP=( u:0:100000:65536 g:0:200000:65536 )\n", f);
	fclose(f);
	memset(&err, 0, sizeof err);
	assert_int_equal(config_load(path, &o, &cfg, &err), 0);
	assert_string_equal(cfg.idmap, "u:0:100000:65536 g:0:200000:65536");
	for (size_t i = 0; i < cfg.nreserved; i++)
		if (!strcmp(cfg.reserved[i].key, "IDMAP"))
			line = cfg.reserved[i].line;
	assert_int_equal(line, 3);
	assert_int_equal(parse(cfg.idmap), 0);
	assert_int_equal(m.uid[0].host, 100000);
	assert_int_equal(m.gid[0].host, 200000);
	config_free(&cfg);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_triple),
		cmocka_unit_test(test_lcboot_example),
		cmocka_unit_test(test_pieces_any_order),
		cmocka_unit_test(test_bad_extents),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_host_root),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_text_too_long),
		cmocka_unit_test(test_format_space),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_user_by_uid),
		cmocka_unit_test(test_user_errors),
		cmocka_unit_test(test_user_malformed_lines),
		cmocka_unit_test(test_from_subid_pure),
		cmocka_unit_test(test_config_keeps_value),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
