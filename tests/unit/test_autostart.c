/* test_autostart.c - the autostart list parser (/etc/subhosts.conf in
 * overlay-boot's format): comments, blank lines, several entries on a line,
 * names, and the bad entries that are kept with a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include "autostart.h"

static char notes[4096];

static void collect(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(notes, msg, sizeof notes - strlen(notes) - 2);
	strcat(notes, "\n");
}

static void parse(const char *text, struct as_list *l)
{
	notes[0] = '\0';
	autostart_parse("L", text, l, collect, NULL);
}

static void test_empty(void **state)
{
	struct as_list l;

	(void)state;
	parse("", &l);
	assert_int_equal(l.n, 0);
	parse("\n\n   \n\t\n", &l);
	assert_int_equal(l.n, 0);
	assert_string_equal(notes, "");
	autostart_free(&l);
}

/* overlay-boot's own shipped file: comments only. */
static void test_overlay_boot_sample(void **state)
{
	struct as_list l;

	(void)state;
	parse("# This file is used by subhosts boot facility to start overlay-boot(8)\n"
	      "# subhosts upon system boot. Lines with '#' and blank lines are\n"
	      "# ignored.\n", &l);
	assert_int_equal(l.n, 0);
	assert_string_equal(notes, "");
	autostart_free(&l);
}

static void test_entries_and_lines(void **state)
{
	struct as_list l;

	(void)state;
	parse("# subhosts\n"
	      "/opt/mta/mta.conf\n"
	      "\n"
	      "  /srv/a/a.conf\t/srv/b/b.conf  \n"
	      "web\n"
	      "/srv/c/c.conf", &l);     /* no final newline */
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].arg, "/opt/mta/mta.conf");
	assert_int_equal(l.v[0].line, 2);
	assert_string_equal(l.v[1].arg, "/srv/a/a.conf");
	assert_int_equal(l.v[1].line, 4);
	assert_string_equal(l.v[2].arg, "/srv/b/b.conf");
	assert_int_equal(l.v[2].line, 4);
	assert_string_equal(l.v[3].arg, "web");
	assert_int_equal(l.v[3].line, 5);
	assert_string_equal(l.v[4].arg, "/srv/c/c.conf");
	assert_int_equal(l.v[4].line, 6);
	for (size_t i = 0; i < l.n; i++)
		assert_null(l.v[i].error);
	assert_int_equal(autostart_usable(&l), 5);
	assert_string_equal(notes, "");
	autostart_free(&l);
	assert_int_equal(l.n, 0);
}

/* grep -v '#' drops a whole line, even with an entry before the '#'. */
static void test_hash_anywhere(void **state)
{
	struct as_list l;

	(void)state;
	parse("/a/a.conf # the mail host\n"
	      "   # indented comment\n"
	      "/b/b#c.conf\n"
	      "/d/d.conf\n", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].arg, "/d/d.conf");
	assert_int_equal(l.v[0].line, 4);
	assert_string_equal(notes,
		"L:1: ignored: a line with '#' is a comment (as in overlay-boot); "
		"write the entry on a line of its own\n"
		"L:3: ignored: a line with '#' is a comment (as in overlay-boot); "
		"write the entry on a line of its own\n");
	autostart_free(&l);
}

static void test_crlf(void **state)
{
	struct as_list l;

	(void)state;
	parse("/a/a.conf\r\n/b/b.conf\r\n", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].arg, "/a/a.conf");
	assert_string_equal(l.v[1].arg, "/b/b.conf");
	assert_int_equal(l.v[1].line, 2);
	autostart_free(&l);
}

static void test_bad_entries(void **state)
{
	struct as_list l;

	(void)state;
	parse("/ok/ok.conf\n"
	      "relative/x.conf\n"
	      "x.conf\n"
	      "bad!name\n"
	      "-dash\n"
	      "a-name-that-is-far-too-long\n"
	      "/ok/ok.conf\n"
	      "good\n", &l);
	assert_int_equal(l.n, 8);
	assert_null(l.v[0].error);
	assert_non_null(l.v[1].error);
	assert_true(strstr(l.v[1].error, "a relative path") != NULL);
	assert_int_equal(l.v[1].line, 2);
	assert_true(strstr(l.v[2].error, "a relative path") != NULL);
	assert_true(strstr(l.v[3].error, "name \"bad!name\" is invalid") != NULL);
	assert_true(strstr(l.v[4].error, "is invalid") != NULL);
	assert_true(strstr(l.v[5].error, "is invalid") != NULL);
	assert_string_equal(l.v[6].error, "listed already on line 1");
	assert_int_equal(l.v[6].line, 7);
	assert_null(l.v[7].error);
	assert_int_equal(autostart_usable(&l), 2);
	autostart_free(&l);
}

/* A bad entry does not hide the good one beside it on the same line. */
static void test_bad_beside_good(void **state)
{
	struct as_list l;

	(void)state;
	parse("rel/a.conf /abs/b.conf\n", &l);
	assert_int_equal(l.n, 2);
	assert_non_null(l.v[0].error);
	assert_null(l.v[1].error);
	assert_int_equal(l.v[1].line, 1);
	autostart_free(&l);
}

static void test_no_warn_callback(void **state)
{
	struct as_list l;

	(void)state;
	autostart_parse("L", "/a/a.conf # x\n/b/b.conf\n", &l, NULL, NULL);
	assert_int_equal(l.n, 1);
	autostart_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_overlay_boot_sample),
		cmocka_unit_test(test_entries_and_lines),
		cmocka_unit_test(test_hash_anywhere),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_bad_entries),
		cmocka_unit_test(test_bad_beside_good),
		cmocka_unit_test(test_no_warn_callback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
