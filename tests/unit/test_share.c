/* test_share.c - unit tests of share.c's pure parts: the HOSTDIR[:SUBDIR]
 * argument and the record lines of /run/subhost/NAME/shares. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "share.h"

static void parse_ok(const char *arg, const char *host, const char *sub, bool ro)
{
	struct share_spec s;
	struct sh_err err = { 0 };

	assert_int_equal(share_parse(arg, &s, &err), 0);
	assert_string_equal(s.hostdir, host);
	assert_string_equal(s.subdir, sub);
	assert_int_equal(s.ro, ro);
	share_spec_free(&s);
}

static void parse_bad(const char *arg, const char *msg)
{
	struct share_spec s;
	struct sh_err err = { 0 };

	assert_int_equal(share_parse(arg, &s, &err), -EINVAL);
	assert_int_equal(err.status, EXIT_USAGE);
	assert_non_null(strstr(err.msg, msg));
}

static void test_parse(void **state)
{
	(void)state;
	parse_ok("/srv/data", "/srv/data", "/srv/data", false);
	parse_ok("/srv/data:/mnt/d", "/srv/data", "/mnt/d", false);
	parse_ok("/srv/data:/mnt/d:ro", "/srv/data", "/mnt/d", true);
	parse_ok("/srv/data:/mnt/d:rw", "/srv/data", "/mnt/d", false);
	parse_ok("/srv/data:ro", "/srv/data", "/srv/data", true);
	parse_ok("/srv/data:mnt//d/./e/", "/srv/data", "/mnt/d/e", false);  /* relative to / */
	parse_ok("/srv/data:/", "/srv/data", "/", false);
	parse_bad("", "expected HOSTDIR");
	parse_bad(":/x", "expected HOSTDIR");
	parse_bad("/srv/data:", "expected HOSTDIR");
	parse_bad("/srv/data:/a/../../etc", "contains \"..\"");
	parse_bad("/srv/../data", "contains \"..\"");   /* the default SUBDIR is HOSTDIR */
}

static void test_parse_relative(void **state)
{
	char cwd[4096], want[4200];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(want, sizeof want, "%s/rel/dir", strcmp(cwd, "/") ? cwd : "");
	parse_ok("rel/dir:/in", want, "/in", false);
}

static void test_record_roundtrip(void **state)
{
	struct share_rec r = {
		.mnt_id = 1234, .dev_major = 254, .dev_minor = 1, .ino = 987654321ULL, .ro = true,
		.hostdir = "/srv/with space\tand\\slash", .subdir = "/in\nside",
	}, back;
	char *line = share_rec_format(&r);

	(void)state;
	assert_null(strchr(line, '\n'));
	assert_string_equal(line, "1234 254:1 987654321 ro /srv/with\\040space\\011and\\134slash /in\\012side");
	assert_int_equal(share_rec_parse(line, &back), 0);
	assert_int_equal(back.mnt_id, 1234);
	assert_int_equal(back.dev_major, 254);
	assert_int_equal(back.dev_minor, 1);
	assert_int_equal(back.ino, 987654321ULL);
	assert_true(back.ro);
	assert_string_equal(back.hostdir, r.hostdir);
	assert_string_equal(back.subdir, r.subdir);
	share_rec_free(&back);
	free(line);
}

static void test_record_bad_lines(void **state)
{
	struct share_rec r;

	(void)state;
	assert_int_equal(share_rec_parse("", &r), -EINVAL);
	assert_int_equal(share_rec_parse("12 1:2 3 rw /only-one", &r), -EINVAL);
	assert_int_equal(share_rec_parse("12 1:2 3 xx /a /b", &r), -EINVAL);
	assert_int_equal(share_rec_parse("12 1-2 3 rw /a /b", &r), -EINVAL);
	assert_int_equal(share_rec_parse("12 1:2 3 rw /a /b /c", &r), -EINVAL);
	assert_int_equal(share_rec_parse("12 1:2 3 rw /a /b", &r), 0);
	assert_string_equal(r.subdir, "/b");
	share_rec_free(&r);
}

static void test_records_file(void **state)
{
	char path[] = "/tmp/test_share.XXXXXX";
	int fd = mkstemp(path);
	struct share_rec in[2] = {
		{ .mnt_id = 1, .dev_major = 8, .dev_minor = 0, .ino = 2, .hostdir = "/a", .subdir = "/b" },
		{ .mnt_id = 3, .dev_major = 8, .dev_minor = 0, .ino = 4, .ro = true, .hostdir = "/c", .subdir = "/d" },
	}, *out = NULL;
	size_t n = 0;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(share_records_store(fd, in, 2), 0);
	assert_int_equal(share_records_load(fd, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[1].subdir, "/d");
	assert_true(out[1].ro);
	share_recs_free(out, n);
	/* a torn last line is skipped, the rest kept */
	assert_int_equal(pwrite(fd, "5 8:0 6 rw /e", 13, lseek(fd, 0, SEEK_END)), 13);
	assert_int_equal(share_records_load(fd, &out, &n), 0);
	assert_int_equal(n, 2);
	share_recs_free(out, n);
	/* storing fewer shortens the file */
	assert_int_equal(share_records_store(fd, in, 1), 0);
	assert_int_equal(share_records_load(fd, &out, &n), 0);
	assert_int_equal(n, 1);
	share_recs_free(out, n);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_relative),
		cmocka_unit_test(test_record_roundtrip),
		cmocka_unit_test(test_record_bad_lines),
		cmocka_unit_test(test_records_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
