/* test_cgroup_stats.c - unit tests of cgroup_stats() against a fake cgroup
 * tree of plain files (no root, no cgroupfs): a unified host, a hybrid host
 * (v2 group for CPU time and processes, v1 groups for the rest), a v1-only
 * host with a "cpu,cpuacct" hierarchy, a host without any group, and the
 * $SUBHOST_CGROUP_FS remapping of a real-looking mountinfo.
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
#include <sys/stat.h>

#include "cgroup.h"

static char tree[] = "/tmp/subhost-cgstats.XXXXXX";

/* Write tree/REL (creating its directories) with printf content. */
static void put(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(const char *rel, const char *fmt, ...)
{
	char *path = xasprintf("%s/%s", tree, rel), *slash = strrchr(path, '/');
	va_list ap;
	FILE *f;

	*slash = '\0';
	assert_int_equal(mkdir_p(path, 0755), 0);
	*slash = '/';
	f = fopen(path, "w");
	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	free(path);
}

static char *at(const char *rel)
{
	return xasprintf("%s/%s", tree, rel);
}

/* A mountinfo whose cgroup mount points are under tree/MNTDIR (or under
 * /sys/fs/cgroup when real is set, for the $SUBHOST_CGROUP_FS remap). */
static void mountinfo(const char *file, bool real, const char *const *hier, size_t n)
{
	char *path = at(file), *base = real ? xstrdup("/sys/fs/cgroup") : at("v1");
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
	fprintf(f, "31 23 0:28 / /sys/fs/cgroup rw,relatime shared:9 - tmpfs tmpfs rw,mode=755\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%zu 31 0:%zu / %s/%s rw,nosuid,nodev,noexec,relatime shared:%zu - cgroup cgroup rw,%s\n",
			40 + i, 40 + i, base, hier[i], 20 + i, hier[i]);
	fprintf(f, "50 31 0:50 / %s/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n", base);
	fprintf(f, "51 31 0:51 / %s/unified rw,relatime - cgroup2 cgroup2 rw\n", base);
	fclose(f);
	setenv("SUBHOST_MOUNTINFO", path, 1);
	free(path);
	free(base);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tree))
		return -1;
	unsetenv("SUBHOST_CGROUP_FS");
	return 0;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tree);
	int r;

	(void)state;
	r = system(cmd);
	free(cmd);
	strcpy(tree, "/tmp/subhost-cgstats.XXXXXX");
	unsetenv("SUBHOST_MOUNTINFO");
	unsetenv("SUBHOST_CGROUP_FS");
	return r == 0 ? 0 : -1;
}

/* ---- a unified host: everything from the cgroup2 group ------------------ */

static void test_unified(void **state)
{
	_cleanup_free_ char *v2 = at("unified/subhost/web");
	struct cg_stats st;

	(void)state;
	mountinfo("mountinfo", false, NULL, 0);
	put("unified/subhost/web/cpu.stat", "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n"
	    "nr_periods 0\n");
	put("unified/subhost/web/memory.current", "4194304\n");
	put("unified/subhost/web/memory.peak", "8388608\n");
	put("unified/subhost/web/pids.current", "7\n");
	put("unified/subhost/web/cgroup.procs", "1\n2\n");
	put("unified/subhost/web/io.stat",
	    "8:0 rbytes=1000 wbytes=2000 rios=1 wios=2 dbytes=0 dios=0\n"
	    "253:1 rbytes=24 wbytes=48 rios=1 wios=1 dbytes=0 dios=0\n");
	put("unified/subhost/web/memory.events", "low 0\nhigh 3\nmax 5\noom 2\noom_kill 2\noom_group_kill 0\n");
	assert_int_equal(cgroup_stats("web", v2, &st), 0);
	assert_true(st.cpu_usec == 1234567ULL);
	assert_int_equal(st.mem_current, 4194304);
	assert_int_equal(st.mem_peak, 8388608);
	assert_int_equal(st.pids, 7);              /* pids.current, not the 2 procs */
	assert_int_equal(st.io_read, 1024);
	assert_int_equal(st.io_write, 2048);
	assert_int_equal(st.oom_kills, 2);
}

/* An older kernel: no memory.peak (5.19), empty io.stat (no io yet). */
static void test_unified_partial(void **state)
{
	_cleanup_free_ char *v2 = at("unified/subhost/old");
	struct cg_stats st;

	(void)state;
	mountinfo("mountinfo", false, NULL, 0);
	put("unified/subhost/old/cpu.stat", "usage_usec 5\n");
	put("unified/subhost/old/memory.current", "1\n");
	put("unified/subhost/old/io.stat", "%s", "");
	put("unified/subhost/old/cgroup.procs", "10\n11\n12\n");
	assert_int_equal(cgroup_stats("old", v2, &st), 0);
	assert_true(st.cpu_usec == 5);
	assert_int_equal(st.mem_current, 1);
	assert_int_equal(st.mem_peak, -1);
	assert_int_equal(st.pids, 3);              /* counted from cgroup.procs */
	assert_int_equal(st.io_read, 0);
	assert_int_equal(st.io_write, 0);
	assert_int_equal(st.oom_kills, -1);
}

/* ---- hybrid: CPU and processes from v2, the rest from v1 ---------------- */

static void test_hybrid_v1_groups(void **state)
{
	static const char *const hier[] = { "cpu", "cpuacct", "memory", "pids", "blkio" };
	_cleanup_free_ char *v2 = at("v1/unified/subhost/db");
	struct cg_stats st;

	(void)state;
	mountinfo("mountinfo", false, hier, 5);
	/* the v2 group of a hybrid host: cpu.stat and cgroup.procs only */
	put("v1/unified/subhost/db/cpu.stat", "usage_usec 42\nuser_usec 40\nsystem_usec 2\n");
	put("v1/unified/subhost/db/cgroup.procs", "100\n");
	put("v1/cpuacct/subhost/db/cpuacct.usage", "999999000\n");      /* not used: v2 has it */
	put("v1/memory/subhost/db/memory.usage_in_bytes", "65536\n");
	put("v1/memory/subhost/db/memory.max_usage_in_bytes", "131072\n");
	put("v1/memory/subhost/db/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
	put("v1/pids/subhost/db/pids.current", "9\n");
	put("v1/blkio/subhost/db/blkio.throttle.io_service_bytes",
	    "8:0 Read 4096\n8:0 Write 512\n8:0 Sync 4608\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 4608\n"
	    "8:16 Read 4\n8:16 Write 8\n8:16 Total 12\nTotal 4620\n");
	assert_int_equal(cgroup_stats("db", v2, &st), 0);
	assert_true(st.cpu_usec == 42);
	assert_int_equal(st.mem_current, 65536);
	assert_int_equal(st.mem_peak, 131072);
	assert_int_equal(st.pids, 9);
	assert_int_equal(st.io_read, 4100);
	assert_int_equal(st.io_write, 520);
	assert_int_equal(st.oom_kills, 4);
}

/* Hybrid without v1 groups (no limits): what cgroup2 cannot say is unknown,
 * except memory, summed from the processes' VmRSS (the fake group lists
 * the real pids 1 and 2, so the sum is positive; a v1 memory group per
 * subhost would cost ~300 KB of kernel memory). */
static void test_hybrid_no_v1_groups(void **state)
{
	static const char *const hier[] = { "cpu", "cpuacct", "memory", "pids", "blkio" };
	_cleanup_free_ char *v2 = at("v1/unified/subhost/bare");
	struct cg_stats st;

	(void)state;
	mountinfo("mountinfo", false, hier, 5);
	put("v1/unified/subhost/bare/cpu.stat", "usage_usec 77\n");
	put("v1/unified/subhost/bare/cgroup.procs", "1\n2\n");
	/* another subhost's v1 groups must not be taken */
	put("v1/memory/subhost/other/memory.usage_in_bytes", "1\n");
	put("v1/memory/memory.usage_in_bytes", "123456789\n");     /* the root's */
	assert_int_equal(cgroup_stats("bare", v2, &st), 0);
	assert_true(st.cpu_usec == 77);
	assert_true(st.mem_current > 0);
	assert_true(st.mem_current != 123456789 && st.mem_current != 1);
	assert_int_equal(st.mem_peak, -1);
	assert_int_equal(st.pids, 2);
	assert_int_equal(st.io_read, -1);
	assert_int_equal(st.io_write, -1);
	assert_int_equal(st.oom_kills, -1);
}

/* ---- v1 only (no cgroup2): a combined cpu,cpuacct hierarchy -------------- */

static void test_v1_only_combined_cpuacct(void **state)
{
	static const char *const hier[] = { "cpu,cpuacct", "memory", "pids" };
	struct cg_stats st;

	(void)state;
	mountinfo("mountinfo", false, hier, 3);
	put("v1/cpu,cpuacct/subhost/old/cpuacct.usage", "2500000999\n");    /* ns */
	put("v1/memory/subhost/old/memory.usage_in_bytes", "100\n");
	put("v1/pids/subhost/old/pids.current", "3\n");
	assert_int_equal(cgroup_stats("old", NULL, &st), 0);
	assert_true(st.cpu_usec == 2500000ULL);
	assert_int_equal(st.mem_current, 100);
	assert_int_equal(st.mem_peak, -1);           /* no max_usage file */
	assert_int_equal(st.pids, 3);
	assert_int_equal(st.io_read, -1);
	assert_int_equal(st.oom_kills, -1);
	/* an empty v2path is no v2 group either */
	assert_int_equal(cgroup_stats("old", "", &st), 0);
	assert_true(st.cpu_usec == 2500000ULL);
}

/* ---- no group anywhere ------------------------------------------------ */

static void test_absent(void **state)
{
	static const char *const hier[] = { "cpuacct", "memory" };
	_cleanup_free_ char *v2 = at("unified/subhost/gone");
	struct cg_stats st;

	(void)state;
	mountinfo("mountinfo", false, hier, 2);
	memset(&st, 0x5a, sizeof st);
	assert_int_equal(cgroup_stats("gone", v2, &st), -ENOENT);
	assert_true(st.cpu_usec == 0);
	assert_int_equal(st.mem_current, -1);
	assert_int_equal(st.mem_peak, -1);
	assert_int_equal(st.pids, -1);
	assert_int_equal(st.io_read, -1);
	assert_int_equal(st.io_write, -1);
	assert_int_equal(st.oom_kills, -1);

	/* an unreadable mountinfo: no v1, and no crash */
	setenv("SUBHOST_MOUNTINFO", "/nonexistent/mountinfo", 1);
	assert_int_equal(cgroup_stats("gone", NULL, &st), -ENOENT);
	assert_int_equal(st.pids, -1);
}

/* Garbage in a counter is "unknown", not a number. */
static void test_garbage(void **state)
{
	_cleanup_free_ char *v2 = at("unified/subhost/bad");
	struct cg_stats st;

	(void)state;
	mountinfo("mountinfo", false, NULL, 0);
	put("unified/subhost/bad/cpu.stat", "user_usec 3\n");        /* no usage_usec */
	put("unified/subhost/bad/memory.current", "max\n");
	put("unified/subhost/bad/pids.current", "-4\n");
	put("unified/subhost/bad/cgroup.procs", "%s", "");
	assert_true(cgroup_stats("bad", v2, &st) < 0);
	assert_int_equal(st.mem_current, -1);
	assert_int_equal(st.pids, 0);                /* from the (empty) cgroup.procs */
}

/* ---- $SUBHOST_CGROUP_FS: a mountinfo naming /sys/fs/cgroup -------------- */

static void test_cgroup_fs_remap(void **state)
{
	static const char *const hier[] = { "cpuacct", "memory", "pids" };
	_cleanup_free_ char *v2 = at("fs/unified/subhost/x");
	_cleanup_free_ char *fs = at("fs");
	struct cg_stats st;

	(void)state;
	mountinfo("mountinfo.real", true, hier, 3);
	put("fs/memory/subhost/x/memory.usage_in_bytes", "2048\n");
	put("fs/memory/subhost/x/memory.max_usage_in_bytes", "4096\n");
	put("fs/cpuacct/subhost/x/cpuacct.usage", "3000\n");
	/* without the remap the real /sys/fs/cgroup has no subhost "x" group */
	setenv("SUBHOST_CGROUP_FS", fs, 1);
	assert_int_equal(cgroup_stats("x", v2, &st), 0);   /* no v2 group: v1 cpuacct */
	assert_true(st.cpu_usec == 3);
	assert_int_equal(st.mem_current, 2048);
	assert_int_equal(st.mem_peak, 4096);
	assert_int_equal(st.pids, -1);
}

/* A mount point with a blank in it, escaped in mountinfo as \040. */
static void test_escaped_mountpoint(void **state)
{
	_cleanup_free_ char *mi = at("mountinfo.esc");
	struct cg_stats st;
	FILE *f;

	(void)state;
	f = fopen(mi, "w");
	assert_non_null(f);
	fprintf(f, "40 31 0:40 / %s/my\\040cgroups rw,relatime shared:3 - cgroup cgroup rw,memory\n", tree);
	fclose(f);
	setenv("SUBHOST_MOUNTINFO", mi, 1);
	put("my cgroups/subhost/sp/memory.usage_in_bytes", "77\n");
	assert_int_equal(cgroup_stats("sp", NULL, &st), -ENOENT);    /* no CPU source */
	assert_int_equal(st.mem_current, 77);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unified, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unified_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hybrid_v1_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hybrid_no_v1_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_only_combined_cpuacct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_fs_remap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaped_mountpoint, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
