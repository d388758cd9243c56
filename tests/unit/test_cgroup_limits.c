/* test_cgroup_limits.c - unit tests of cgroup-limits.c (SPEC section 7).
 *
 * Parsing works on hand-made struct sh_config values (plus one round trip
 * through config_load).  Applying and removing run against a fake tree in
 * a mkdtemp directory: plain files stand in for the cgroup control files
 * (created by the test, as the kernel would on mkdir) and
 * $SUBHOST_MOUNTINFO points at a fake mountinfo whose cgroup (v1) mounts
 * are directories of that tree.  No privileges needed.
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
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "config.h"

#define CONF "/etc/subhost/web.conf"
#define PID 4242

/* ---- parsing ---------------------------------------------------------- */

static char **field(struct sh_config *cfg, const char *key)
{
	if (!strcmp(key, "MEMORY_MAX")) return &cfg->memory_max;
	if (!strcmp(key, "MEMORY_HIGH")) return &cfg->memory_high;
	if (!strcmp(key, "CPU_MAX")) return &cfg->cpu_max;
	if (!strcmp(key, "CPU_WEIGHT")) return &cfg->cpu_weight;
	if (!strcmp(key, "PIDS_MAX")) return &cfg->pids_max;
	if (!strcmp(key, "IO_WEIGHT")) return &cfg->io_weight;
	fail_msg("unknown key %s", key);
	return NULL;
}

/* Parse a config that sets just key=val on line `line` (0: no line known). */
static int parse1(const char *key, const char *val, int line, struct cg_limits *l,
		  struct sh_err *err)
{
	struct sh_config cfg;

	memset(&cfg, 0, sizeof cfg);
	memset(err, 0, sizeof *err);
	cfg.path = (char *)CONF;
	*field(&cfg, key) = (char *)val;
	if (line > 0) {
		cfg.reserved[0].key = "GATEWAY";    /* another reserved key first */
		cfg.reserved[0].line = 2;
		cfg.reserved[1].key = key;
		cfg.reserved[1].line = line;
		cfg.nreserved = 2;
	}
	return cgroup_limits_parse(&cfg, l, err);
}

static void good(const char *key, const char *val, int k, long long want, bool optional)
{
	struct cg_limits l;
	struct sh_err err;
	int r = parse1(key, val, 7, &l, &err);

	if (r != 0)
		fail_msg("%s=%s: %d %s", key, val, r, err.msg);
	if (l.v[k] != want)
		fail_msg("%s=%s: got %lld, want %lld", key, val, l.v[k], want);
	assert_int_equal(l.optional[k], optional);
	assert_int_equal(l.line[k], 7);
	for (int i = 0; i < CG_NLIMITS; i++)
		if (i != k) {
			assert_int_equal(l.v[i], -1);
			assert_false(l.optional[i]);
		}
	assert_true(cgroup_limits_any(&l));
}

static void bad(const char *key, const char *val, const char *expected)
{
	char want[512];
	struct cg_limits l;
	struct sh_err err;
	int r = parse1(key, val, 12, &l, &err);

	if (r != -EINVAL)
		fail_msg("%s=%s: parsed (%d), expected an error", key, val, r);
	assert_int_equal(err.status, EXIT_USAGE);
	snprintf(want, sizeof want, CONF ":12: %s=%s: %s", key, val, expected);
	if (strcmp(err.msg, want))
		fail_msg("%s=%s:\n got  \"%s\"\n want \"%s\"", key, val, err.msg, want);
}

#define EXP_SIZE "expected a size like 64M, or max"
#define EXP_CPU "expected a percentage of one CPU like 50% (at least 1%), " \
	"\"QUOTA PERIOD\" in microseconds (quota >= 1000, period 1000-1000000), or max"
#define EXP_WEIGHT "expected a number from 1 to 10000"
#define EXP_PIDS "expected a positive number, or max"

static void test_parse_none(void **state)
{
	struct sh_config cfg;
	struct cg_limits l;
	struct sh_err err;

	memset(&cfg, 0, sizeof cfg);
	cfg.path = (char *)CONF;
	assert_int_equal(cgroup_limits_parse(&cfg, &l, &err), 0);
	for (int i = 0; i < CG_NLIMITS; i++) {
		assert_int_equal(l.v[i], -1);
		assert_false(l.optional[i]);
		assert_int_equal(l.line[i], 0);
	}
	assert_int_equal(l.cpu_period, 100000);
	assert_false(cgroup_limits_any(&l));
}

static void test_parse_memory(void **state)
{
	const char *keys[] = { "MEMORY_MAX", "MEMORY_HIGH" };

	for (int i = 0; i < 2; i++) {
		int k = i ? CG_MEMORY_HIGH : CG_MEMORY_MAX;
		const char *key = keys[i];

		good(key, "64M", k, 64LL << 20, false);
		good(key, "64m", k, 64LL << 20, false);
		good(key, "512", k, 512, false);
		good(key, "1k", k, 1024, false);
		good(key, "3K", k, 3072, false);
		good(key, "2G", k, 2LL << 30, false);
		good(key, "1T", k, 1LL << 40, false);
		good(key, "8388607T", k, 8388607LL << 40, false);
		good(key, "max", k, CG_UNLIMITED, false);
		good(key, "64M?", k, 64LL << 20, true);
		good(key, "max?", k, CG_UNLIMITED, true);
		good(key, " 1G ? ", k, 1LL << 30, true);

		bad(key, "abc", EXP_SIZE);
		bad(key, "", EXP_SIZE);
		bad(key, "?", EXP_SIZE);
		bad(key, "64X", EXP_SIZE);
		bad(key, "64MB", EXP_SIZE);
		bad(key, "64 M", EXP_SIZE);
		bad(key, "M", EXP_SIZE);
		bad(key, "0", EXP_SIZE);
		bad(key, "0M", EXP_SIZE);
		bad(key, "-1", EXP_SIZE);
		bad(key, "+1", EXP_SIZE);
		bad(key, "1.5G", EXP_SIZE);
		bad(key, "0x10", EXP_SIZE);
		bad(key, "8388608T", EXP_SIZE);                   /* 2^63: overflows */
		bad(key, "99999999999999999999", EXP_SIZE);
		bad(key, "MAX", EXP_SIZE);
		bad(key, "64M??", EXP_SIZE);
		bad(key, "?64M", EXP_SIZE);
	}
}

static void cpu_good(const char *val, long long quota, long long period, bool optional)
{
	struct cg_limits l;
	struct sh_err err;

	good("CPU_MAX", val, CG_CPU_MAX, quota, optional);
	assert_int_equal(parse1("CPU_MAX", val, 7, &l, &err), 0);
	if (l.cpu_period != period)
		fail_msg("CPU_MAX=%s: period %lld, want %lld", val, l.cpu_period, period);
}

static void test_parse_cpu_max(void **state)
{
	cpu_good("20%", 20000, 100000, false);
	cpu_good("1%", 1000, 100000, false);
	cpu_good("100%", 100000, 100000, false);
	cpu_good("250%", 250000, 100000, false);
	cpu_good("12.5%", 12500, 100000, false);
	cpu_good("1.001%", 1001, 100000, false);
	cpu_good("20%?", 20000, 100000, true);
	cpu_good("50000 100000", 50000, 100000, false);
	cpu_good("2000\t10000", 2000, 10000, false);
	cpu_good("1000 1000", 1000, 1000, false);
	cpu_good("3000000 1000000", 3000000, 1000000, false);
	cpu_good("max", CG_UNLIMITED, 100000, false);
	cpu_good("max 50000", CG_UNLIMITED, 50000, false);
	cpu_good("max?", CG_UNLIMITED, 100000, true);

	bad("CPU_MAX", "", EXP_CPU);
	bad("CPU_MAX", "20", EXP_CPU);                  /* % or us? */
	bad("CPU_MAX", "20000", EXP_CPU);
	bad("CPU_MAX", "0%", EXP_CPU);
	bad("CPU_MAX", "0.5%", EXP_CPU);
	bad("CPU_MAX", "-20%", EXP_CPU);
	bad("CPU_MAX", "20 %", EXP_CPU);
	bad("CPU_MAX", "20%%", EXP_CPU);
	bad("CPU_MAX", "%", EXP_CPU);
	bad("CPU_MAX", "12.%", EXP_CPU);
	bad("CPU_MAX", ".5%", EXP_CPU);
	bad("CPU_MAX", "12.3456%", EXP_CPU);
	bad("CPU_MAX", "20% 100000", EXP_CPU);
	bad("CPU_MAX", "500 100000", EXP_CPU);         /* quota < 1000 */
	bad("CPU_MAX", "1000 999", EXP_CPU);           /* period < 1000 */
	bad("CPU_MAX", "1000 1000001", EXP_CPU);       /* period > 1 s */
	bad("CPU_MAX", "1000 100000 5", EXP_CPU);
	bad("CPU_MAX", "1000 x", EXP_CPU);
	bad("CPU_MAX", "max 5", EXP_CPU);
	bad("CPU_MAX", "maxx", EXP_CPU);
	bad("CPU_MAX", "max%", EXP_CPU);
	bad("CPU_MAX", "half", EXP_CPU);
	bad("CPU_MAX", "99999999999999999999%", EXP_CPU);
}

static void test_parse_weights(void **state)
{
	const char *keys[] = { "CPU_WEIGHT", "IO_WEIGHT" };

	for (int i = 0; i < 2; i++) {
		int k = i ? CG_IO_WEIGHT : CG_CPU_WEIGHT;
		const char *key = keys[i];

		good(key, "1", k, 1, false);
		good(key, "100", k, 100, false);
		good(key, "10000", k, 10000, false);
		good(key, "500?", k, 500, true);

		bad(key, "0", EXP_WEIGHT);
		bad(key, "10001", EXP_WEIGHT);
		bad(key, "-5", EXP_WEIGHT);
		bad(key, "max", EXP_WEIGHT);
		bad(key, "1.5", EXP_WEIGHT);
		bad(key, "50%", EXP_WEIGHT);
		bad(key, "high", EXP_WEIGHT);
		bad(key, "", EXP_WEIGHT);
	}
}

static void test_parse_pids(void **state)
{
	good("PIDS_MAX", "1", CG_PIDS_MAX, 1, false);
	good("PIDS_MAX", "50", CG_PIDS_MAX, 50, false);
	good("PIDS_MAX", "4194304", CG_PIDS_MAX, 4194304, false);
	good("PIDS_MAX", "max", CG_PIDS_MAX, CG_UNLIMITED, false);
	good("PIDS_MAX", "50?", CG_PIDS_MAX, 50, true);
	good("PIDS_MAX", "max?", CG_PIDS_MAX, CG_UNLIMITED, true);

	bad("PIDS_MAX", "0", EXP_PIDS);
	bad("PIDS_MAX", "-1", EXP_PIDS);
	bad("PIDS_MAX", "1e3", EXP_PIDS);
	bad("PIDS_MAX", "50K", EXP_PIDS);
	bad("PIDS_MAX", "unlimited", EXP_PIDS);
	bad("PIDS_MAX", "99999999999", EXP_PIDS);
}

static void test_parse_messages(void **state)
{
	struct cg_limits l;
	struct sh_err err;

	/* The brief's example, verbatim. */
	assert_int_equal(parse1("MEMORY_MAX", "abc", 3, &l, &err), -EINVAL);
	assert_string_equal(err.msg, CONF ":3: MEMORY_MAX=abc: expected a size like 64M, or max");
	assert_int_equal(err.num, EINVAL);
	/* The raw value, '?' and all. */
	assert_int_equal(parse1("PIDS_MAX", "many?", 9, &l, &err), -EINVAL);
	assert_string_equal(err.msg, CONF ":9: PIDS_MAX=many?: " EXP_PIDS);
	/* No line known: just the file. */
	assert_int_equal(parse1("CPU_WEIGHT", "0", 0, &l, &err), -EINVAL);
	assert_string_equal(err.msg, CONF ": CPU_WEIGHT=0: " EXP_WEIGHT);
}

static void test_parse_all(void **state)
{
	struct sh_config cfg;
	struct cg_limits l;
	struct sh_err err;
	const char *keys[] = { "MEMORY_MAX", "MEMORY_HIGH", "CPU_MAX", "CPU_WEIGHT",
			       "PIDS_MAX", "IO_WEIGHT" };

	memset(&cfg, 0, sizeof cfg);
	cfg.path = (char *)CONF;
	cfg.memory_max = (char *)"1G";
	cfg.memory_high = (char *)"768M?";
	cfg.cpu_max = (char *)"50%";
	cfg.cpu_weight = (char *)"200";
	cfg.pids_max = (char *)"100";
	cfg.io_weight = (char *)"300?";
	for (int i = 0; i < 6; i++) {
		cfg.reserved[i].key = keys[i];
		cfg.reserved[i].line = 10 + i;
	}
	cfg.nreserved = 6;
	assert_int_equal(cgroup_limits_parse(&cfg, &l, &err), 0);
	assert_int_equal(l.v[CG_MEMORY_MAX], 1LL << 30);
	assert_int_equal(l.v[CG_MEMORY_HIGH], 768LL << 20);
	assert_int_equal(l.v[CG_CPU_MAX], 50000);
	assert_int_equal(l.cpu_period, 100000);
	assert_int_equal(l.v[CG_CPU_WEIGHT], 200);
	assert_int_equal(l.v[CG_PIDS_MAX], 100);
	assert_int_equal(l.v[CG_IO_WEIGHT], 300);
	for (int i = 0; i < CG_NLIMITS; i++)
		assert_int_equal(l.line[i], 10 + i);
	assert_false(l.optional[CG_MEMORY_MAX]);
	assert_true(l.optional[CG_MEMORY_HIGH]);
	assert_true(l.optional[CG_IO_WEIGHT]);
	assert_false(l.optional[CG_PIDS_MAX]);

	/* The first bad key is reported, with its own line. */
	cfg.pids_max = (char *)"none";
	cfg.io_weight = (char *)"0";
	assert_int_equal(cgroup_limits_parse(&cfg, &l, &err), -EINVAL);
	assert_string_equal(err.msg, CONF ":14: PIDS_MAX=none: " EXP_PIDS);
}

/* ---- fake cgroup tree ------------------------------------------------- */

struct fx {
	char dir[PATH_MAX];
	char notes[1024];
	struct sh_err err;
	struct cg_limits l;
};

static const char *P(struct fx *f, const char *rel)
{
	static char bufs[16][PATH_MAX + 64];
	static int next;
	char *b = bufs[next++ % 16];

	snprintf(b, sizeof bufs[0], "%.2000s/%.2000s", f->dir, rel);
	return b;
}

static void mkd(struct fx *f, const char *rel)
{
	if (mkdir(P(f, rel), 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", rel, strerror(errno));
}

static void put(struct fx *f, const char *rel, const char *text)
{
	FILE *fp = fopen(P(f, rel), "we");

	if (!fp) {
		fail_msg("create %s: %s", rel, strerror(errno));
		return;
	}
	fputs(text, fp);
	fclose(fp);
}

/* Content of a file without trailing newline; "(absent)" if missing. */
static const char *get(struct fx *f, const char *rel)
{
	static char bufs[8][256];
	static int next;
	char *b = bufs[next++ % 8];
	FILE *fp = fopen(P(f, rel), "re");
	size_t n;

	if (!fp)
		return "(absent)";
	n = fread(b, 1, sizeof bufs[0] - 1, fp);
	fclose(fp);
	b[n] = '\0';
	while (n > 0 && b[n - 1] == '\n')
		b[--n] = '\0';
	return b;
}

static bool exists(struct fx *f, const char *rel)
{
	struct stat st;
	return lstat(P(f, rel), &st) == 0;
}

/* A group dir with empty control files, as cgroupfs makes it on mkdir. */
static void group(struct fx *f, const char *dir, const char *files)
{
	char buf[512], rel[PATH_MAX], *save = NULL;

	mkd(f, dir);
	snprintf(buf, sizeof buf, "%s", files);
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		snprintf(rel, sizeof rel, "%s/%s", dir, t);
		put(f, rel, "");
	}
}

#define V2 "unified/subhost/web"
#define V2_FILES "cgroup.procs memory.max memory.high cpu.max cpu.weight pids.max io.weight"
#define MEM_FILES "cgroup.procs tasks memory.limit_in_bytes memory.soft_limit_in_bytes"
#define CPU_FILES "cgroup.procs tasks cpu.cfs_quota_us cpu.cfs_period_us cpu.shares"
#define PIDS_FILES "cgroup.procs tasks pids.max"

/* mountinfo as on the testbed (hybrid), with the mounts moved into dir;
 * opts lists the v1 hierarchies, e.g. "memory cpu,cpuacct pids blkio". */
static void mountinfo(struct fx *f, const char *hierarchies)
{
	char buf[4096], list[256], *save = NULL;
	size_t len;
	int id = 32;

	len = (size_t)snprintf(buf, sizeof buf,
			       "25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
			       "31 23 0:28 / %s rw,relatime - tmpfs tmpfs rw,mode=755\n", f->dir);
	snprintf(list, sizeof list, "%s", hierarchies);
	for (char *h = strtok_r(list, " ", &save); h; h = strtok_r(NULL, " ", &save)) {
		char mnt[64];
		size_t n = strcspn(h, ",");

		snprintf(mnt, sizeof mnt, "%.*s", (int)n, h);
		mkd(f, mnt);
		len += (size_t)snprintf(buf + len, sizeof buf - len,
					"%d 31 0:%d / %s/%s rw,nosuid,nodev,noexec,relatime shared:%d - cgroup cgroup rw,%s\n",
					id, id - 3, f->dir, mnt, id, h);
		id++;
	}
	snprintf(buf + len, sizeof buf - len,
		 "%d 31 0:99 / %s/unified rw,relatime - cgroup2 cgroup2 rw,memory\n", id, f->dir);
	put(f, "mountinfo", buf);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char tmpl[] = "/tmp/subhost-test-cglimits.XXXXXX";

	if (!f || !mkdtemp(tmpl) || !realpath(tmpl, f->dir))
		return -1;
	mkd(f, "unified");
	put(f, "unified/cgroup.subtree_control", "");
	mkd(f, "unified/subhost");
	put(f, "unified/subhost/cgroup.subtree_control", "");
	group(f, V2, V2_FILES);
	mountinfo(f, "cpu,cpuacct cpuset memory devices freezer blkio pids name=systemd");
	setenv("SUBHOST_MOUNTINFO", P(f, "mountinfo"), 1);
	for (int i = 0; i < CG_NLIMITS; i++)
		f->l.v[i] = -1;
	f->l.cpu_period = 100000;
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
	int r = nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);

	unsetenv("SUBHOST_MOUNTINFO");
	unsetenv("SUBHOST_CGROUP_FS");
	free(f);
	return r;
}

static int apply(struct fx *f, bool with_v2)
{
	memset(&f->err, 0, sizeof f->err);
	return cgroup_limits_apply("web", with_v2 ? P(f, V2) : NULL, &f->l, PID,
				   f->notes, sizeof f->notes, &f->err);
}

static void apply_ok(struct fx *f, bool with_v2)
{
	int r = apply(f, with_v2);

	if (r != 0)
		fail_msg("cgroup_limits_apply = %d: %s", r, f->err.msg);
}

static void set_all(struct fx *f)
{
	f->l.v[CG_MEMORY_MAX] = 64LL << 20;
	f->l.v[CG_MEMORY_HIGH] = CG_UNLIMITED;
	f->l.v[CG_CPU_MAX] = 20000;
	f->l.v[CG_CPU_WEIGHT] = 100;
	f->l.v[CG_PIDS_MAX] = 50;
	f->l.v[CG_IO_WEIGHT] = 200;
}

/* Remove the plain files of a fake group, as cgroupfs would on rmdir. */
static void unfake(struct fx *f, const char *dir, const char *files)
{
	char buf[512], rel[PATH_MAX], *save = NULL;

	snprintf(buf, sizeof buf, "%s", files);
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		snprintf(rel, sizeof rel, "%s/%s", dir, t);
		unlink(P(f, rel));
	}
}

/* ---- applying: cgroup2 ---------------------------------------------- */

static void test_apply_nothing(void **state)
{
	struct fx *f = *state;

	apply_ok(f, true);
	apply_ok(f, false);
	assert_false(exists(f, "memory/subhost"));
	assert_string_equal(f->notes, "");
}

static void test_apply_v2(void **state)
{
	struct fx *f = *state;

	put(f, "unified/subhost/cgroup.subtree_control", "cpu io memory pids\n");
	set_all(f);
	apply_ok(f, true);
	assert_string_equal(get(f, V2 "/memory.max"), "67108864");
	assert_string_equal(get(f, V2 "/memory.high"), "max");
	assert_string_equal(get(f, V2 "/cpu.max"), "20000 100000");
	assert_string_equal(get(f, V2 "/cpu.weight"), "100");
	assert_string_equal(get(f, V2 "/pids.max"), "50");
	assert_string_equal(get(f, V2 "/io.weight"), "200");
	/* pid was born in the v2 group: not moved, no v1 groups made */
	assert_string_equal(get(f, V2 "/cgroup.procs"), "");
	assert_false(exists(f, "memory/subhost"));
	assert_false(exists(f, "cpu/subhost"));
	assert_false(exists(f, "pids/subhost"));
	assert_false(exists(f, "blkio/subhost"));
	/* enabled already: the parents were left alone */
	assert_string_equal(get(f, "unified/cgroup.subtree_control"), "");
	assert_string_equal(f->notes, "");
}

static void test_apply_v2_unlimited(void **state)
{
	struct fx *f = *state;

	put(f, "unified/subhost/cgroup.subtree_control", "memory cpu pids");
	f->l.v[CG_MEMORY_MAX] = CG_UNLIMITED;
	f->l.v[CG_CPU_MAX] = CG_UNLIMITED;
	f->l.cpu_period = 50000;
	f->l.v[CG_PIDS_MAX] = CG_UNLIMITED;
	apply_ok(f, true);
	assert_string_equal(get(f, V2 "/memory.max"), "max");
	assert_string_equal(get(f, V2 "/cpu.max"), "max 50000");
	assert_string_equal(get(f, V2 "/pids.max"), "max");
	assert_string_equal(get(f, V2 "/memory.high"), "");     /* unset: untouched */
}

static void test_apply_v2_bfq(void **state)
{
	struct fx *f = *state;

	put(f, "unified/subhost/cgroup.subtree_control", "io");
	unlink(P(f, V2 "/io.weight"));
	put(f, V2 "/io.bfq.weight", "");
	f->l.v[CG_IO_WEIGHT] = 5000;
	apply_ok(f, true);
	assert_string_equal(get(f, V2 "/io.bfq.weight"), "1000");
}

static void test_apply_v2_write_fails(void **state)
{
	struct fx *f = *state;
	char want[PATH_MAX + 128];

	put(f, "unified/subhost/cgroup.subtree_control", "pids");
	unlink(P(f, V2 "/pids.max"));
	f->l.v[CG_PIDS_MAX] = 50;
	assert_int_equal(apply(f, true), -ENOENT);
	assert_int_equal(f->err.status, EXIT_FAIL);
	snprintf(want, sizeof want, "PIDS_MAX=50: write %s: No such file or directory",
		 P(f, V2 "/pids.max"));
	assert_string_equal(f->err.msg, want);
	/* optional: a note, and success */
	f->l.optional[CG_PIDS_MAX] = true;
	apply_ok(f, true);
	assert_non_null(strstr(f->notes, "optional PIDS_MAX=50? not applied: write "));
}

/* ---- applying: v1 fallback ------------------------------------------ */

static void v1_groups(struct fx *f)
{
	mkd(f, "memory/subhost");
	group(f, "memory/subhost/web", MEM_FILES);
	mkd(f, "cpu/subhost");
	group(f, "cpu/subhost/web", CPU_FILES);
	mkd(f, "pids/subhost");
	group(f, "pids/subhost/web", PIDS_FILES);
	mkd(f, "blkio/subhost");
	group(f, "blkio/subhost/web", "cgroup.procs tasks blkio.bfq.weight");
}

static void test_apply_v1(void **state)
{
	struct fx *f = *state;

	v1_groups(f);
	set_all(f);
	apply_ok(f, true);
	assert_string_equal(get(f, "memory/subhost/web/memory.limit_in_bytes"), "67108864");
	assert_string_equal(get(f, "memory/subhost/web/memory.soft_limit_in_bytes"), "-1");
	assert_string_equal(get(f, "cpu/subhost/web/cpu.cfs_quota_us"), "20000");
	assert_string_equal(get(f, "cpu/subhost/web/cpu.cfs_period_us"), "100000");
	assert_string_equal(get(f, "cpu/subhost/web/cpu.shares"), "1024");
	assert_string_equal(get(f, "pids/subhost/web/pids.max"), "50");
	assert_string_equal(get(f, "blkio/subhost/web/blkio.bfq.weight"), "200");
	assert_string_equal(get(f, "memory/subhost/web/cgroup.procs"), "4242");
	assert_string_equal(get(f, "cpu/subhost/web/cgroup.procs"), "4242");
	assert_string_equal(get(f, "pids/subhost/web/cgroup.procs"), "4242");
	assert_string_equal(get(f, "blkio/subhost/web/cgroup.procs"), "4242");
	/* v2 files untouched; the parents were asked to enable (fails on
	 * this fake, as on a hybrid host) */
	assert_string_equal(get(f, V2 "/memory.max"), "");
	assert_string_equal(get(f, "unified/subhost/cgroup.subtree_control"), "+io");
	/* hierarchies without limits are not joined */
	assert_false(exists(f, "cpuset/subhost"));
	assert_false(exists(f, "freezer/subhost"));
	assert_string_equal(f->notes, "");
}

static void test_apply_v1_without_v2(void **state)
{
	struct fx *f = *state;

	v1_groups(f);
	f->l.v[CG_PIDS_MAX] = CG_UNLIMITED;
	f->l.v[CG_CPU_MAX] = CG_UNLIMITED;
	f->l.v[CG_MEMORY_HIGH] = 3LL << 30;
	put(f, "cpu/subhost/web/cpu.cfs_quota_us", "20000");
	apply_ok(f, false);
	assert_string_equal(get(f, "pids/subhost/web/pids.max"), "max");
	assert_string_equal(get(f, "cpu/subhost/web/cpu.cfs_quota_us"), "-1");
	assert_string_equal(get(f, "cpu/subhost/web/cpu.cfs_period_us"), "100000");
	assert_string_equal(get(f, "cpu/subhost/web/cpu.shares"), "");
	assert_string_equal(get(f, "memory/subhost/web/memory.soft_limit_in_bytes"), "3221225472");
	assert_string_equal(get(f, "memory/subhost/web/memory.limit_in_bytes"), "");
	assert_string_equal(get(f, "blkio/subhost/web/cgroup.procs"), "");
	assert_string_equal(get(f, "memory/subhost/web/cgroup.procs"), "4242");
}

static void test_apply_v1_conversions(void **state)
{
	struct fx *f = *state;
	static const struct { long long weight; const char *shares, *bfq, *cfq; } t[] = {
		{ 1, "10", "1", "10" },
		{ 50, "512", "50", "250" },
		{ 100, "1024", "100", "500" },
		{ 1000, "10240", "1000", "1000" },
		{ 10000, "102400", "1000", "1000" },
	};

	v1_groups(f);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		f->l.v[CG_CPU_WEIGHT] = t[i].weight;
		f->l.v[CG_IO_WEIGHT] = t[i].weight;
		put(f, "blkio/subhost/web/blkio.bfq.weight", "");
		apply_ok(f, true);
		assert_string_equal(get(f, "cpu/subhost/web/cpu.shares"), t[i].shares);
		assert_string_equal(get(f, "blkio/subhost/web/blkio.bfq.weight"), t[i].bfq);
		/* CFQ (old kernels): blkio.weight */
		unlink(P(f, "blkio/subhost/web/blkio.bfq.weight"));
		put(f, "blkio/subhost/web/blkio.weight", "");
		apply_ok(f, true);
		assert_string_equal(get(f, "blkio/subhost/web/blkio.weight"), t[i].cfq);
		unlink(P(f, "blkio/subhost/web/blkio.weight"));
	}
	f->l.v[CG_CPU_WEIGHT] = -1;
	f->l.v[CG_IO_WEIGHT] = -1;
	f->l.v[CG_CPU_MAX] = 3000000;
	f->l.cpu_period = 1000000;
	apply_ok(f, true);
	assert_string_equal(get(f, "cpu/subhost/web/cpu.cfs_quota_us"), "3000000");
	assert_string_equal(get(f, "cpu/subhost/web/cpu.cfs_period_us"), "1000000");
}

/* The hierarchy's subhost/ and subhost/NAME are created (0755). */
static void test_apply_v1_creates_groups(void **state)
{
	struct fx *f = *state;
	char want[PATH_MAX + 128];
	struct stat st;

	f->l.v[CG_MEMORY_MAX] = 64LL << 20;
	/* A fake dir has no control files: the write fails, naming the file. */
	assert_int_equal(apply(f, true), -ENOENT);
	assert_int_equal(f->err.status, EXIT_FAIL);
	snprintf(want, sizeof want, "MEMORY_MAX=64M: write %s: No such file or directory",
		 P(f, "memory/subhost/web/memory.limit_in_bytes"));
	assert_string_equal(f->err.msg, want);
	assert_int_equal(stat(P(f, "memory/subhost"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(stat(P(f, "memory/subhost/web"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
}

/* The v1 group cannot be made: an error naming the directory. */
static void test_apply_v1_mkdir_fails(void **state)
{
	struct fx *f = *state;
	char want[PATH_MAX + 128];

	put(f, "pids/subhost", "a file in the way");
	f->l.v[CG_PIDS_MAX] = 10;
	assert_int_equal(apply(f, true), -ENOTDIR);
	snprintf(want, sizeof want, "PIDS_MAX=10: create %s: Not a directory",
		 P(f, "pids/subhost/web"));
	assert_string_equal(f->err.msg, want);
}

static void test_apply_v1_join_fails(void **state)
{
	struct fx *f = *state;
	char want[PATH_MAX + 128];

	v1_groups(f);
	unlink(P(f, "pids/subhost/web/cgroup.procs"));
	f->l.v[CG_PIDS_MAX] = 10;
	assert_int_equal(apply(f, true), -ENOENT);
	snprintf(want, sizeof want, "PIDS_MAX=10: move pid 4242 into %s: No such file or directory",
		 P(f, "pids/subhost/web"));
	assert_string_equal(f->err.msg, want);
}

/* ---- unavailable limits: error or, when optional, a note ------------ */

static void test_unavailable_error(void **state)
{
	struct fx *f = *state;

	mountinfo(f, "cpu,cpuacct pids");       /* no memory hierarchy */
	f->l.v[CG_MEMORY_MAX] = 64LL << 20;
	assert_int_equal(apply(f, true), -ENODEV);
	assert_int_equal(f->err.status, EXIT_FAIL);
	assert_string_equal(f->err.msg, "MEMORY_MAX=64M: no memory controller: not enabled in cgroup2 "
			    "and no v1 memory hierarchy");
	assert_false(exists(f, "memory/subhost"));

	/* cpu matches "cpu,cpuacct" but a cpuset-only hierarchy is no cpu */
	mountinfo(f, "cpuset cpuacct");
	f->l.v[CG_MEMORY_MAX] = -1;
	f->l.v[CG_CPU_MAX] = 12500;
	assert_int_equal(apply(f, false), -ENODEV);
	assert_string_equal(f->err.msg, "CPU_MAX=12.5%: no cpu controller: not enabled in cgroup2 "
			    "and no v1 cpu hierarchy");
	assert_false(exists(f, "cpuset/subhost"));
	f->l.cpu_period = 50000;
	assert_int_equal(apply(f, false), -ENODEV);
	assert_non_null(strstr(f->err.msg, "CPU_MAX=12500 50000: no cpu controller"));
}

static void test_unavailable_optional(void **state)
{
	struct fx *f = *state;

	mountinfo(f, "pids");
	mkd(f, "pids/subhost");
	group(f, "pids/subhost/web", PIDS_FILES);
	f->l.v[CG_MEMORY_MAX] = 64LL << 20;
	f->l.optional[CG_MEMORY_MAX] = true;
	f->l.v[CG_MEMORY_HIGH] = 1LL << 30;
	f->l.optional[CG_MEMORY_HIGH] = true;
	f->l.v[CG_CPU_WEIGHT] = 300;
	f->l.optional[CG_CPU_WEIGHT] = true;
	f->l.v[CG_PIDS_MAX] = 50;
	apply_ok(f, true);
	assert_string_equal(f->notes,
		"optional MEMORY_MAX=64M? not applied: no memory controller: not enabled in cgroup2 and no v1 memory hierarchy\n"
		"optional MEMORY_HIGH=1G? not applied: no memory controller: not enabled in cgroup2 and no v1 memory hierarchy\n"
		"optional CPU_WEIGHT=300? not applied: no cpu controller: not enabled in cgroup2 and no v1 cpu hierarchy\n");
	/* the others still applied */
	assert_string_equal(get(f, "pids/subhost/web/pids.max"), "50");
	assert_string_equal(get(f, "pids/subhost/web/cgroup.procs"), "4242");

	/* a mandatory one among optional ones is still an error */
	f->notes[0] = '\0';
	f->l.optional[CG_MEMORY_HIGH] = false;
	assert_int_equal(apply(f, true), -ENODEV);
	assert_string_equal(f->err.msg, "MEMORY_HIGH=1G: no memory controller: not enabled in cgroup2 "
			    "and no v1 memory hierarchy");
	assert_string_equal(f->notes, "optional MEMORY_MAX=64M? not applied: no memory controller: "
			    "not enabled in cgroup2 and no v1 memory hierarchy\n");
}

static void test_io_without_weights(void **state)
{
	struct fx *f = *state;

	f->l.v[CG_IO_WEIGHT] = 200;
	assert_int_equal(apply(f, true), -ENOTSUP);
	assert_string_equal(f->err.msg, "IO_WEIGHT=200: no I/O weights: io is not enabled in cgroup2 "
			    "and the v1 blkio hierarchy has neither blkio.bfq.weight nor blkio.weight "
			    "(the I/O scheduler has no weights)");
	rmdir(P(f, "blkio/subhost/web"));

	/* optional: a note, and the group made for it is gone again */
	f->l.optional[CG_IO_WEIGHT] = true;
	apply_ok(f, true);
	assert_non_null(strstr(f->notes, "optional IO_WEIGHT=200? not applied: no I/O weights"));
	assert_false(exists(f, "blkio/subhost/web"));
	assert_true(exists(f, "blkio/subhost"));
}

static void test_notes_bounded(void **state)
{
	struct fx *f = *state;
	char notes[40];
	int r;

	mountinfo(f, "");
	for (int i = 0; i < CG_NLIMITS; i++) {
		f->l.v[i] = 100;
		f->l.optional[i] = true;
	}
	f->l.v[CG_CPU_MAX] = 1000;
	snprintf(notes, sizeof notes, "before\n");
	r = cgroup_limits_apply("web", NULL, &f->l, PID, notes, sizeof notes, &f->err);
	assert_int_equal(r, 0);
	assert_int_equal(strlen(notes), sizeof notes - 1);
	assert_true(str_startswith(notes, "before\noptional MEMORY_MAX=100? not"));
	/* no room at all, or no buffer */
	assert_int_equal(cgroup_limits_apply("web", NULL, &f->l, PID, NULL, 0, &f->err), 0);
}

static void test_bad_name(void **state)
{
	struct fx *f = *state;
	const char *names[] = { "", ".", "..", "a/b" };

	f->l.v[CG_PIDS_MAX] = 5;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(cgroup_limits_apply(names[i], NULL, &f->l, PID, NULL, 0, &f->err),
				 -EINVAL);
		cgroup_v1_remove(names[i]);     /* a no-op, not a crash */
	}
	assert_int_equal(cgroup_limits_apply(NULL, NULL, &f->l, PID, NULL, 0, &f->err), -EINVAL);
	assert_true(exists(f, "pids"));
}

static void test_unreadable_mountinfo(void **state)
{
	struct fx *f = *state;

	unlink(P(f, "mountinfo"));
	f->l.v[CG_PIDS_MAX] = 5;
	assert_int_equal(apply(f, true), -ENOENT);
	assert_non_null(strstr(f->err.msg, "PIDS_MAX=5: no pids controller in cgroup2, and reading "));
	assert_non_null(strstr(f->err.msg, "mountinfo failed: No such file or directory"));
	cgroup_v1_remove("web");
}

/* Mount points with blanks are escaped in mountinfo; optional fields vary. */
static void test_mountinfo_forms(void **state)
{
	struct fx *f = *state;
	char buf[8192];

	mkd(f, "a dir");
	snprintf(buf, sizeof buf,
		 "40 31 0:37 / %.1000s/systemd rw - cgroup cgroup rw,name=systemd\n"
		 "41 31 0:40 / %.1000s/cpus rw shared:3 master:1 - cgroup cgroup rw,cpuset\n"
		 "42 31 0:41 / %.1000s/a\\040dir rw shared:4 propagate_from:2 unbindable - cgroup cgroup rw,pids,memory\n"
		 "43 31 0:42 / %.1000s/nothere rw - tmpfs pids rw,pids\n"
		 "garbage\n"
		 "44 31 0:43 /\n",
		 f->dir, f->dir, f->dir, f->dir);
	put(f, "mountinfo", buf);
	group(f, "a dir/subhost", "");
	group(f, "a dir/subhost/web", PIDS_FILES " memory.limit_in_bytes");
	f->l.v[CG_PIDS_MAX] = 7;
	f->l.v[CG_MEMORY_MAX] = 1LL << 20;
	apply_ok(f, false);
	assert_string_equal(get(f, "a dir/subhost/web/pids.max"), "7");
	assert_string_equal(get(f, "a dir/subhost/web/memory.limit_in_bytes"), "1048576");
	assert_string_equal(get(f, "a dir/subhost/web/cgroup.procs"), "4242");
	assert_false(exists(f, "nothere"));
}

/* $SUBHOST_CGROUP_FS: a copy of a real mountinfo, /sys/fs/cgroup moved. */
static void test_cgroup_fs_hook(void **state)
{
	struct fx *f = *state;
	char buf[4096], want[PATH_MAX + 128];

	snprintf(buf, sizeof buf,
		 "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		 "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		 "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
		 "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
		 "50 25 0:50 / %.2000s/nowhere/mem rw,relatime - cgroup cgroup rw,memory\n", f->dir);
	put(f, "mountinfo", buf);
	setenv("SUBHOST_CGROUP_FS", f->dir, 1);
	mkd(f, "pids/subhost");
	group(f, "pids/subhost/web", PIDS_FILES);
	f->l.v[CG_PIDS_MAX] = 9;
	apply_ok(f, true);
	assert_string_equal(get(f, "pids/subhost/web/pids.max"), "9");
	assert_string_equal(get(f, "pids/subhost/web/cgroup.procs"), "4242");
	/* a mount point elsewhere is taken as it is */
	f->l.v[CG_MEMORY_MAX] = 1LL << 20;
	f->l.optional[CG_MEMORY_MAX] = true;
	apply_ok(f, true);
	snprintf(want, sizeof want, "optional MEMORY_MAX=1M? not applied: create %s: No such file or directory\n",
		 P(f, "nowhere/mem/subhost"));
	assert_string_equal(f->notes, want);
	unfake(f, "pids/subhost/web", PIDS_FILES);
	cgroup_v1_remove("web");
	assert_false(exists(f, "pids/subhost/web"));
	assert_true(exists(f, "pids/subhost"));
	unsetenv("SUBHOST_CGROUP_FS");
}

/* ---- removal ---------------------------------------------------------- */

static void test_v1_remove(void **state)
{
	struct fx *f = *state;

	mkd(f, "memory/subhost");
	mkd(f, "memory/subhost/web");
	mkd(f, "memory/subhost/web/child");          /* made inside the subhost */
	mkd(f, "memory/subhost/web/child/grandchild");
	mkd(f, "memory/subhost/webx");                /* another subhost */
	mkd(f, "pids/subhost");
	mkd(f, "pids/subhost/web");
	mkd(f, "name=systemd");
	mkd(f, "cpu/subhost");                        /* no group for web */
	cgroup_v1_remove("web");
	assert_false(exists(f, "memory/subhost/web"));
	assert_false(exists(f, "pids/subhost/web"));
	assert_true(exists(f, "memory/subhost"));     /* parents stay */
	assert_true(exists(f, "pids/subhost"));
	assert_true(exists(f, "cpu/subhost"));
	assert_true(exists(f, "memory/subhost/webx"));
	/* absent everywhere: fine, and again */
	cgroup_v1_remove("web");
	cgroup_v1_remove("nosuch");
	assert_true(exists(f, "memory/subhost/webx"));
}

/* apply then remove: the v1 groups it made go away. */
static void test_apply_then_remove(void **state)
{
	struct fx *f = *state;

	v1_groups(f);
	f->l.v[CG_MEMORY_MAX] = 1LL << 30;
	f->l.v[CG_PIDS_MAX] = 3;
	f->l.v[CG_IO_WEIGHT] = 100;
	f->l.optional[CG_IO_WEIGHT] = true;
	unlink(P(f, "blkio/subhost/web/blkio.bfq.weight"));
	apply_ok(f, true);
	assert_non_null(strstr(f->notes, "optional IO_WEIGHT=100? not applied: no I/O weights"));
	assert_string_equal(get(f, "pids/subhost/web/cgroup.procs"), "4242");
	unfake(f, "memory/subhost/web", MEM_FILES);
	unfake(f, "pids/subhost/web", PIDS_FILES);
	unfake(f, "blkio/subhost/web", "cgroup.procs tasks");
	cgroup_v1_remove("web");
	assert_false(exists(f, "memory/subhost/web"));
	assert_false(exists(f, "pids/subhost/web"));
	assert_false(exists(f, "blkio/subhost/web"));
	assert_true(exists(f, "cpu/subhost/web"));       /* not empty on this fake */
	assert_true(exists(f, "memory/subhost"));
}

static void test_config_roundtrip(void **state)
{
	struct fx *f = *state;
	struct sh_config_opts opts = { .no_fs_checks = true, .no_commands = true };
	struct sh_config cfg;
	struct cg_limits l;
	struct sh_err err;
	char want[PATH_MAX + 128];

	put(f, "web.conf", "BASE=/nonexistent\nMEMORY_MAX=64M\n# comment\nPIDS_MAX=50?\n"
	    "CPU_MAX=\"20000 100000\"\nCPU_WEIGHT=200\n");
	if (config_load(P(f, "web.conf"), &opts, &cfg, &err) < 0)
		fail_msg("config_load: %s", err.msg);
	assert_int_equal(cgroup_limits_parse(&cfg, &l, &err), 0);
	assert_int_equal(l.v[CG_MEMORY_MAX], 64LL << 20);
	assert_int_equal(l.line[CG_MEMORY_MAX], 2);
	assert_int_equal(l.v[CG_PIDS_MAX], 50);
	assert_true(l.optional[CG_PIDS_MAX]);
	assert_int_equal(l.line[CG_PIDS_MAX], 4);
	assert_int_equal(l.v[CG_CPU_MAX], 20000);
	assert_int_equal(l.line[CG_CPU_MAX], 5);
	assert_int_equal(l.v[CG_CPU_WEIGHT], 200);
	assert_int_equal(l.v[CG_IO_WEIGHT], -1);
	config_free(&cfg);

	put(f, "web.conf", "BASE=/nonexistent\n\nIO_WEIGHT=heavy\n");
	if (config_load(P(f, "web.conf"), &opts, &cfg, &err) < 0)
		fail_msg("config_load: %s", err.msg);
	assert_int_equal(cgroup_limits_parse(&cfg, &l, &err), -EINVAL);
	snprintf(want, sizeof want, "%s:3: IO_WEIGHT=heavy: " EXP_WEIGHT, P(f, "web.conf"));
	assert_string_equal(err.msg, want);
	config_free(&cfg);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_none),
		cmocka_unit_test(test_parse_memory),
		cmocka_unit_test(test_parse_cpu_max),
		cmocka_unit_test(test_parse_weights),
		cmocka_unit_test(test_parse_pids),
		cmocka_unit_test(test_parse_messages),
		cmocka_unit_test(test_parse_all),
		T(test_config_roundtrip),
		T(test_apply_nothing),
		T(test_apply_v2),
		T(test_apply_v2_unlimited),
		T(test_apply_v2_bfq),
		T(test_apply_v2_write_fails),
		T(test_apply_v1),
		T(test_apply_v1_without_v2),
		T(test_apply_v1_conversions),
		T(test_apply_v1_creates_groups),
		T(test_apply_v1_mkdir_fails),
		T(test_apply_v1_join_fails),
		T(test_unavailable_error),
		T(test_unavailable_optional),
		T(test_io_without_weights),
		T(test_notes_bounded),
		T(test_bad_name),
		T(test_unreadable_mountinfo),
		T(test_mountinfo_forms),
		T(test_cgroup_fs_hook),
		T(test_v1_remove),
		T(test_apply_then_remove),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
