/* test_clean.c - unit tests of clean.c on temporary directory trees: what
 * counts as identical (content, mode, owner, attributes, symlink target),
 * which lower entry a file is compared with (topmost first, whiteouts and
 * opaque directories of the lower layers honoured, nothing under an opaque
 * UPPER directory), directories emptied, dry runs, hard links, symlinks
 * never followed, and (as root, in a private mount namespace) mounts below
 * a lower layer not looked into.
 *
 * Without root, the cases that need it (chown, whiteout device nodes,
 * trusted.* attributes, mounts) are skipped; opaque directories then use
 * the user.overlay.opaque form, which clean honours too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "clean.h"

static char top[256];           /* the test's temporary directory */
static char removed[8192];      /* "path\n" per removed entry, in report order */
static char kept[8192];         /* "path: reason\n" per kept file */

static bool is_root(void)
{
	return geteuid() == 0;
}

static char *p(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", top, rel);
	return buf[i];
}

static void put(const char *rel, const char *content, mode_t mode)
{
	int fd = open(p(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void dir(const char *rel)
{
	assert_int_equal(mkdir(p(rel), 0755), 0);
}

static void sym(const char *target, const char *rel)
{
	assert_int_equal(symlink(target, p(rel)), 0);
}

static bool exists(const char *rel)
{
	struct stat st;
	return lstat(p(rel), &st) == 0;
}

static void xset(const char *rel, const char *name, const char *val)
{
	assert_int_equal(lsetxattr(p(rel), name, val, strlen(val), 0), 0);
}

/* An opaque directory in the form this process may write. */
static void opaque(const char *rel)
{
	xset(rel, is_root() ? "trusted.overlay.opaque" : "user.overlay.opaque", "y");
}

static void on_event(void *ctx, enum clean_event ev, const char *path, bool is_dir,
		     const char *reason)
{
	(void)ctx;
	if (ev == CLEAN_REMOVE) {
		strcat(removed, path);
		strcat(removed, is_dir ? "/\n" : "\n");
	} else if (ev == CLEAN_KEEP) {
		snprintf(kept + strlen(kept), sizeof kept - strlen(kept), "%s: %s\n", path, reason);
	} else {
		snprintf(kept + strlen(kept), sizeof kept - strlen(kept), "%s: ERROR %s\n", path, reason);
	}
}

/* clean u against the given layers of the temporary directory. */
static struct clean_stats run(bool dry, int nlayers, ...)
{
	const char *layers[4];
	char paths[4][512];
	struct clean_opts o = { .dry_run = dry, .report = on_event };
	struct clean_stats st;
	struct sh_err err = { 0 };
	va_list ap;

	removed[0] = kept[0] = '\0';
	va_start(ap, nlayers);
	for (int i = 0; i < nlayers; i++) {
		snprintf(paths[i], sizeof paths[i], "%s/%s", top, va_arg(ap, const char *));
		layers[i] = paths[i];
	}
	va_end(ap);
	assert_int_equal(clean_upper(p("u"), layers, (size_t)nlayers, &o, &st, &err), 0);
	return st;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof top, "%s/test_clean.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(top))
		return -1;
	dir("l1");
	dir("l2");
	dir("u");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- what is identical ---------------------------------------------------- */

static void test_identical_file_goes(void **state)
{
	(void)state;
	put("l1/a", "same\n", 0644);
	put("u/a", "same\n", 0644);
	struct clean_stats st = run(false, 1, "l1");
	assert_string_equal(removed, "/a\n");
	assert_false(exists("u/a"));
	assert_true(exists("l1/a"));
	assert_int_equal(st.files, 1);
	assert_int_equal(st.dirs, 0);
	assert_true(st.bytes > 0);
	assert_int_equal(st.errors, 0);
}

static void test_differences_stay(void **state)
{
	(void)state;
	put("l1/content", "aaaa\n", 0644);
	put("u/content", "aaab\n", 0644);       /* same size, other bytes */
	put("l1/size", "aaaa\n", 0644);
	put("u/size", "aaaaa\n", 0644);
	put("l1/mode", "m\n", 0644);
	put("u/mode", "m\n", 0755);
	put("l1/xattr", "x\n", 0644);
	put("u/xattr", "x\n", 0644);
	xset("u/xattr", "user.test", "1");
	put("l1/xval", "x\n", 0644);
	put("u/xval", "x\n", 0644);
	xset("l1/xval", "user.test", "1");
	xset("u/xval", "user.test", "2");
	put("l1/xsame", "x\n", 0644);
	put("u/xsame", "x\n", 0644);
	xset("l1/xsame", "user.test", "1");
	xset("u/xsame", "user.test", "1");
	put("u/upper-only", "new\n", 0644);
	run(false, 1, "l1");
	assert_string_equal(removed, "/xsame\n");
	assert_non_null(strstr(kept, "/content: content differs\n"));
	assert_non_null(strstr(kept, "/size: size differs\n"));
	assert_non_null(strstr(kept, "/mode: mode differs\n"));
	assert_non_null(strstr(kept, "/xattr: extended attributes differ\n"));
	assert_non_null(strstr(kept, "/xval: extended attributes differ\n"));
	assert_non_null(strstr(kept, "/upper-only: not in the lower layers\n"));
	assert_true(exists("u/content") && exists("u/size") && exists("u/mode") &&
		    exists("u/xattr") && exists("u/xval") && exists("u/upper-only"));
}

static void test_owner(void **state)
{
	(void)state;
	if (!is_root())
		skip();
	put("l1/o", "o\n", 0644);
	put("u/o", "o\n", 0644);
	assert_int_equal(lchown(p("u/o"), 1, 1), 0);
	put("l1/g", "g\n", 0644);
	put("u/g", "g\n", 0644);
	assert_int_equal(lchown(p("u/g"), 0, 1), 0);
	run(false, 1, "l1");
	assert_string_equal(removed, "");
	assert_non_null(strstr(kept, "/o: owner differs\n"));
	assert_non_null(strstr(kept, "/g: owner differs\n"));
}

static void test_overlay_xattrs_ignored(void **state)
{
	const char *ns = is_root() ? "trusted.overlay." : "user.overlay.";
	char name[64];

	(void)state;
	put("l1/a", "a\n", 0644);
	put("u/a", "a\n", 0644);
	snprintf(name, sizeof name, "%sorigin", ns);
	xset("u/a", name, "\x00\xfb");          /* what copy-up leaves */
	run(false, 1, "l1");
	assert_string_equal(removed, "/a\n");

	assert_true(clean_xattr_internal("trusted.overlay.origin"));
	assert_true(clean_xattr_internal("user.overlay.opaque"));
	assert_false(clean_xattr_internal("trusted.overlay.overlay.opaque"));   /* escaped */
	assert_false(clean_xattr_internal("user.test"));
	assert_false(clean_xattr_internal("security.capability"));
	assert_false(clean_xattr_internal("trusted.overlayx"));
}

static void test_metacopy_kept(void **state)
{
	(void)state;
	put("l1/m", "m\n", 0644);
	put("u/m", "m\n", 0644);
	xset("u/m", is_root() ? "trusted.overlay.metacopy" : "user.overlay.metacopy", "");
	run(false, 1, "l1");
	assert_string_equal(removed, "");
	assert_true(exists("u/m"));
}

static void test_symlinks(void **state)
{
	(void)state;
	sym("target", "l1/same");
	sym("target", "u/same");
	sym("target", "l1/other");
	sym("elsewhere", "u/other");            /* same length? no: size differs */
	sym("targex", "l1/samelen");
	sym("targey", "u/samelen");
	sym("/etc/passwd", "l1/abs");
	sym("/etc/passwd", "u/abs");            /* pointing outside: compared, not followed */
	put("l1/tofile", "x\n", 0644);
	sym("tofile", "u/tofile");              /* a symlink over a file */
	run(false, 1, "l1");
	assert_string_equal(removed, "/abs\n/same\n");
	assert_non_null(strstr(kept, "/samelen: symlink target differs\n"));
	assert_non_null(strstr(kept, "/tofile: type differs\n"));
	assert_true(exists("u/other") && exists("u/samelen") && exists("u/tofile"));
	assert_int_equal(access("/etc/passwd", F_OK), 0);
}

static void test_symlink_dir_not_followed(void **state)
{
	(void)state;
	/* UPPER/link -> the lower layer itself: never walked into. */
	sym(p("l1"), "u/link");
	put("l1/f", "f\n", 0644);
	dir("l1/link");
	put("l1/link/f", "f\n", 0644);
	run(false, 1, "l1");
	assert_string_equal(removed, "");
	assert_true(exists("l1/f") && exists("l1/link/f") && exists("u/link"));
	assert_non_null(strstr(kept, "/link: a directory in the lower layers\n"));
}

/* ---- which lower entry ---------------------------------------------------- */

static void test_topmost_layer_counts(void **state)
{
	(void)state;
	put("l1/f", "top\n", 0644);
	put("l2/f", "low\n", 0644);
	put("u/f", "low\n", 0644);              /* like l2's, but l1's shows */
	put("l2/g", "low\n", 0644);
	put("u/g", "low\n", 0644);              /* only l2 has it */
	put("l1/h", "top\n", 0644);
	put("u/h", "top\n", 0644);
	run(false, 2, "l1", "l2");
	assert_string_equal(removed, "/g\n/h\n");
	assert_non_null(strstr(kept, "/f: content differs\n"));
}

static void test_lower_whiteout(void **state)
{
	(void)state;
	if (!is_root())
		skip();
	put("l2/w", "w\n", 0644);
	assert_int_equal(mknod(p("l1/w"), S_IFCHR | 0000, makedev(0, 0)), 0);
	put("u/w", "w\n", 0644);                /* l1 deletes l2's: the upper file adds it back */
	run(false, 2, "l1", "l2");
	assert_string_equal(removed, "");
	assert_non_null(strstr(kept, "/w: the lower layers delete this path\n"));
}

static void test_lower_xwhiteout(void **state)
{
	(void)state;
	/* The attribute form of a whiteout (overlayfs 6.7+) counts too. */
	put("l2/w", "w\n", 0644);
	put("l1/w", "", 0644);
	xset("l1/w", is_root() ? "trusted.overlay.whiteout" : "user.overlay.whiteout", "");
	put("u/w", "w\n", 0644);
	run(false, 2, "l1", "l2");
	assert_string_equal(removed, "");
}

static void test_lower_opaque_dir(void **state)
{
	(void)state;
	dir("l1/d");
	opaque("l1/d");
	dir("l2/d");
	put("l2/d/hidden", "h\n", 0644);        /* hidden by l1's opaque d */
	put("l1/d/shown", "s\n", 0644);
	dir("u/d");
	put("u/d/hidden", "h\n", 0644);
	put("u/d/shown", "s\n", 0644);
	run(false, 2, "l1", "l2");
	assert_string_equal(removed, "/d/shown\n");
	assert_non_null(strstr(kept, "/d/hidden: not in the lower layers\n"));
	assert_true(exists("u/d/hidden"));
}

static void test_lower_nondir_stops(void **state)
{
	(void)state;
	put("l1/n", "file\n", 0644);            /* a file in l1 hides l2's directory n */
	dir("l2/n");
	put("l2/n/f", "f\n", 0644);
	dir("u/n");
	put("u/n/f", "f\n", 0644);
	run(false, 2, "l1", "l2");
	assert_string_equal(removed, "");
	assert_true(exists("u/n/f"));
}

static void test_upper_opaque_dir(void **state)
{
	(void)state;
	dir("l1/o");
	put("l1/o/f", "f\n", 0644);
	dir("u/o");
	opaque("u/o");
	put("u/o/f", "f\n", 0644);
	run(false, 1, "l1");
	assert_string_equal(removed, "");
	assert_true(exists("u/o/f"));
}

static void test_upper_whiteout_stays(void **state)
{
	(void)state;
	if (!is_root())
		skip();
	put("l1/gone", "g\n", 0644);
	assert_int_equal(mknod(p("u/gone"), S_IFCHR | 0000, makedev(0, 0)), 0);
	run(false, 1, "l1");
	assert_string_equal(removed, "");
	assert_true(exists("u/gone"));
}

/* ---- directories, dry runs, links ---------------------------------------- */

static void test_emptied_dirs(void **state)
{
	(void)state;
	dir("l1/e");
	dir("l1/e/sub");
	put("l1/e/sub/f", "f\n", 0644);
	dir("u/e");
	dir("u/e/sub");
	put("u/e/sub/f", "f\n", 0644);          /* e/sub/f, e/sub and e all go */
	dir("u/new");                           /* not below: stays */
	dir("l1/keep");
	dir("u/keep");
	put("u/keep/own", "o\n", 0644);         /* not empty: stays */
	dir("l1/mode");
	dir("u/mode");
	assert_int_equal(chmod(p("u/mode"), 0700), 0);
	dir("l1/x");
	dir("u/x");
	xset("u/x", "user.test", "1");          /* attributes differ: stays */
	dir("l1/empty");
	dir("u/empty");                         /* empty from the start, same: goes */
	struct clean_stats st = run(false, 1, "l1");
	assert_string_equal(removed, "/e/sub/f\n/e/sub/\n/e/\n/empty/\n");
	assert_int_equal(st.files, 1);
	assert_int_equal(st.dirs, 3);
	assert_false(exists("u/e"));
	assert_true(exists("u/new") && exists("u/keep/own") && exists("u/mode") && exists("u/x"));
	assert_true(exists("l1/e/sub/f"));
}

static void test_dry_run(void **state)
{
	(void)state;
	dir("l1/e");
	put("l1/e/f", "f\n", 0644);
	dir("u/e");
	put("u/e/f", "f\n", 0644);
	put("l1/g", "g\n", 0644);
	put("u/g", "G\n", 0644);
	struct clean_stats dry = run(true, 1, "l1");
	assert_string_equal(removed, "/e/f\n/e/\n");
	assert_true(exists("u/e/f") && exists("u/g"));
	struct clean_stats real = run(false, 1, "l1");
	assert_string_equal(removed, "/e/f\n/e/\n");
	assert_int_equal(dry.files, real.files);
	assert_int_equal(dry.dirs, real.dirs);
	assert_int_equal(dry.bytes, real.bytes);
	assert_false(exists("u/e"));
	assert_true(exists("u/g"));
}

static void test_hardlinks_counted_once(void **state)
{
	struct stat s;

	(void)state;
	put("l1/a", "same content\n", 0644);
	put("l1/b", "same content\n", 0644);
	put("u/a", "same content\n", 0644);
	assert_int_equal(link(p("u/a"), p("u/b")), 0);
	assert_int_equal(stat(p("u/a"), &s), 0);
	struct clean_stats st = run(false, 1, "l1");
	assert_string_equal(removed, "/a\n/b\n");
	assert_int_equal(st.files, 2);
	assert_int_equal(st.bytes, (unsigned long long)s.st_blocks * 512);

	/* one of two links goes: no space freed */
	put("u/a", "same content\n", 0644);
	assert_int_equal(link(p("u/a"), p("u/c")), 0);
	st = run(false, 1, "l1");
	assert_string_equal(removed, "/a\n");
	assert_int_equal(st.bytes, 0);
}

static void test_special_files_stay(void **state)
{
	(void)state;
	assert_int_equal(mkfifo(p("l1/fifo"), 0644), 0);
	assert_int_equal(mkfifo(p("u/fifo"), 0644), 0);
	put("l1/f2", "x\n", 0644);
	assert_int_equal(mkfifo(p("u/f2"), 0644), 0);
	assert_int_equal(mkfifo(p("l1/f3"), 0644), 0);
	put("u/f3", "x\n", 0644);               /* a file over a fifo: never opened */
	run(false, 1, "l1");
	assert_string_equal(removed, "");
	assert_true(exists("u/fifo") && exists("u/f2") && exists("u/f3"));
}

static void test_bad_layer(void **state)
{
	const char *layers[] = { "/nonexistent/layer" };
	struct clean_opts o = { 0 };
	struct clean_stats st;
	struct sh_err err = { 0 };

	(void)state;
	assert_int_equal(clean_upper(p("u"), layers, 1, &o, &st, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "lower layer /nonexistent/layer"));
	assert_int_equal(clean_upper(p("nothere"), layers, 1, &o, &st, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "UPPER"));
}

static void test_same_entry(void **state)
{
	const char *why = NULL;
	int dfd = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	put("l1/a", "1\n", 0644);
	put("u/a", "1\n", 0644);
	put("u/b", "2\n", 0644);
	assert_int_equal(clean_same_entry(dfd, "l1/a", dfd, "u/a", &why), 1);
	assert_null(why);
	assert_int_equal(clean_same_entry(dfd, "l1/a", dfd, "u/b", &why), 0);
	assert_string_equal(why, "content differs");
	assert_int_equal(clean_same_entry(dfd, "l1", dfd, "u", &why), -EISDIR);
	close(dfd);
}

/* As root: a mount below a lower layer is not what overlayfs shows there
 * (it uses the layer's own mount only), so it is not compared with. */
static void test_lower_submount_ignored(void **state)
{
	(void)state;
	if (!is_root())
		skip();
	/* a private mount namespace: the test's mounts vanish with it */
	assert_int_equal(unshare(CLONE_NEWNS), 0);
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	dir("l1/m");
	put("l1/m/under", "under\n", 0644);     /* what the overlay shows */
	assert_int_equal(mount("tmpfs", p("l1/m"), "tmpfs", 0, "size=64k"), 0);
	put("l1/m/over", "over\n", 0644);       /* in the submount: not shown */
	put("l1/m/under", "other\n", 0644);
	dir("u/m");
	put("u/m/over", "over\n", 0644);
	put("u/m/under", "under\n", 0644);
	run(false, 1, "l1");
	assert_string_equal(removed, "/m/under\n");
	assert_non_null(strstr(kept, "/m/over: not in the lower layers\n"));
	assert_int_equal(umount(p("l1/m")), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_identical_file_goes),
		T(test_differences_stay),
		T(test_owner),
		T(test_overlay_xattrs_ignored),
		T(test_metacopy_kept),
		T(test_symlinks),
		T(test_symlink_dir_not_followed),
		T(test_topmost_layer_counts),
		T(test_lower_whiteout),
		T(test_lower_xwhiteout),
		T(test_lower_opaque_dir),
		T(test_lower_nondir_stops),
		T(test_upper_opaque_dir),
		T(test_upper_whiteout_stays),
		T(test_emptied_dirs),
		T(test_dry_run),
		T(test_hardlinks_counted_once),
		T(test_special_files_stay),
		T(test_bad_layer),
		T(test_same_entry),
		T(test_lower_submount_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
