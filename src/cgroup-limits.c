/* cgroup-limits.c - MEMORY_MAX, MEMORY_HIGH, CPU_MAX, CPU_WEIGHT, PIDS_MAX
 * and IO_WEIGHT (SPEC section 7).
 *
 * A limit goes to the subhost's cgroup2 group when its controller is
 * enabled there, else to subhost/NAME in the controller's v1 hierarchy
 * (hybrid hosts bind every controller to v1; the cgroup2 group then only
 * groups and accounts).  v1 hierarchies are found in /proc/self/mountinfo,
 * never by guessing paths.
 *
 * Test hook (shared with cgroup-stats.c): $SUBHOST_MOUNTINFO names a file
 * read instead of /proc/self/mountinfo, its mount points taken as they are
 * (point them into a fake tree of plain files), except that with
 * $SUBHOST_CGROUP_FS set a mount point under /sys/fs/cgroup is looked up
 * under $SUBHOST_CGROUP_FS instead, so a copy of a real mountinfo serves
 * too.  The cgroup2 side needs no hook: its parents are derived from the
 * v2path the caller passes.
 */
#include "cgroup.h"
#include "cgroup-v1.h"
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CPU_PERIOD_DEFAULT 100000LL     /* the kernel's default cfs period, us */
#define CPU_PERIOD_MIN 1000LL           /* the kernel's bounds for period and quota */
#define CPU_PERIOD_MAX 1000000LL
#define CPU_QUOTA_MIN 1000LL

enum kind { K_SIZE, K_CPU, K_WEIGHT, K_PIDS };

static const struct limit_def {
	const char *key;
	enum kind kind;
	const char *expected;
} defs[CG_NLIMITS] = {
	[CG_MEMORY_MAX] = { "MEMORY_MAX", K_SIZE, "expected a size like 64M, or max" },
	[CG_MEMORY_HIGH] = { "MEMORY_HIGH", K_SIZE, "expected a size like 64M, or max" },
	[CG_CPU_MAX] = { "CPU_MAX", K_CPU,
		"expected a percentage of one CPU like 50% (at least 1%), "
		"\"QUOTA PERIOD\" in microseconds (quota >= 1000, period 1000-1000000), or max" },
	[CG_CPU_WEIGHT] = { "CPU_WEIGHT", K_WEIGHT, "expected a number from 1 to 10000" },
	[CG_PIDS_MAX] = { "PIDS_MAX", K_PIDS, "expected a positive number, or max" },
	[CG_IO_WEIGHT] = { "IO_WEIGHT", K_WEIGHT, "expected a number from 1 to 10000" },
};

/* ---- parsing ---------------------------------------------------------- */

/* Decimal digits only, up to max: strtoll would take " -1", "+1", "0x10". */
static const char *parse_num(const char *s, long long max, long long *out)
{
	long long v = 0;

	if (!isdigit((unsigned char)*s))
		return NULL;
	for (; isdigit((unsigned char)*s); s++) {
		int d = *s - '0';
		if (v > (max - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	*out = v;
	return s;
}

static int parse_size(const char *s, long long *out)
{
	long long v, mult = 1;
	const char *p;

	if (!strcmp(s, "max")) {
		*out = CG_UNLIMITED;
		return 0;
	}
	p = parse_num(s, LLONG_MAX, &v);
	if (!p || v <= 0)
		return -EINVAL;
	switch (*p) {
	case '\0': break;
	case 'k': case 'K': mult = 1LL << 10; p++; break;
	case 'm': case 'M': mult = 1LL << 20; p++; break;
	case 'g': case 'G': mult = 1LL << 30; p++; break;
	case 't': case 'T': mult = 1LL << 40; p++; break;
	default: return -EINVAL;
	}
	if (*p || v > LLONG_MAX / mult)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

/* "N%" (N with up to 3 decimals: N% of 100000 us is N*1000 us exactly),
 * "QUOTA PERIOD", "max" or "max PERIOD". */
static int parse_cpu(const char *s, long long *quota, long long *period)
{
	long long q, p = CPU_PERIOD_DEFAULT, frac = 0;
	const char *e;

	if (str_startswith(s, "max")) {
		q = CG_UNLIMITED;
		e = s + 3;
	} else {
		e = parse_num(s, LLONG_MAX / 1000 - 1, &q);
		if (!e)
			return -EINVAL;
		if (*e == '.' || *e == '%') {
			int n = 0;

			if (*e == '.') {
				for (e++; isdigit((unsigned char)*e) && n < 3; e++, n++)
					frac = frac * 10 + (*e - '0');
				if (n == 0 || isdigit((unsigned char)*e))
					return -EINVAL;
				for (; n < 3; n++)
					frac *= 10;
			}
			if (strcmp(e, "%"))
				return -EINVAL;
			q = q * 1000 + frac;
			if (q < CPU_QUOTA_MIN)
				return -EINVAL;
			*quota = q;
			*period = CPU_PERIOD_DEFAULT;
			return 0;
		}
		if (q < CPU_QUOTA_MIN || (*e != ' ' && *e != '\t'))
			return -EINVAL;    /* a bare number is ambiguous: % or us? */
	}
	if (*e) {
		if (*e != ' ' && *e != '\t')
			return -EINVAL;
		while (*e == ' ' || *e == '\t')
			e++;
		e = parse_num(e, CPU_PERIOD_MAX, &p);
		if (!e || *e || p < CPU_PERIOD_MIN)
			return -EINVAL;
	}
	*quota = q;
	*period = p;
	return 0;
}

static int parse_one(enum kind kind, const char *s, long long *v, long long *period)
{
	const char *e;

	switch (kind) {
	case K_SIZE:
		return parse_size(s, v);
	case K_CPU:
		return parse_cpu(s, v, period);
	case K_WEIGHT:
		e = parse_num(s, 10000, v);
		return e && !*e && *v >= 1 ? 0 : -EINVAL;
	case K_PIDS:
		if (!strcmp(s, "max")) {
			*v = CG_UNLIMITED;
			return 0;
		}
		e = parse_num(s, INT_MAX, v);
		return e && !*e && *v >= 1 ? 0 : -EINVAL;
	}
	return -EINVAL;
}


int cgroup_limits_parse(const struct sh_config *cfg, struct cg_limits *out, struct sh_err *err)
{
	const char *raw[CG_NLIMITS] = {
		[CG_MEMORY_MAX] = cfg->memory_max, [CG_MEMORY_HIGH] = cfg->memory_high,
		[CG_CPU_MAX] = cfg->cpu_max, [CG_CPU_WEIGHT] = cfg->cpu_weight,
		[CG_PIDS_MAX] = cfg->pids_max, [CG_IO_WEIGHT] = cfg->io_weight,
	};
	const char *file = cfg->path ? cfg->path : "(config)";

	memset(out, 0, sizeof *out);
	out->cpu_period = CPU_PERIOD_DEFAULT;
	for (int k = 0; k < CG_NLIMITS; k++) {
		_cleanup_free_ char *copy = NULL;
		char *s;
		size_t len;

		out->v[k] = -1;
		out->line[k] = config_key_line(cfg, defs[k].key);
		if (!raw[k])
			continue;
		copy = xstrdup(raw[k]);
		s = str_trim(copy);
		len = strlen(s);
		if (len > 0 && s[len - 1] == '?') {
			out->optional[k] = true;
			s[len - 1] = '\0';
			s = str_trim(s);
		}
		if (parse_one(defs[k].kind, s, &out->v[k], &out->cpu_period) < 0) {
			if (out->line[k] > 0)
				return err_cfg(err, "%s:%d: %s=%s: %s", file, out->line[k],
					       defs[k].key, raw[k], defs[k].expected);
			return err_cfg(err, "%s: %s=%s: %s", file, defs[k].key, raw[k],
				       defs[k].expected);
		}
	}
	return 0;
}

bool cgroup_limits_any(const struct cg_limits *l)
{
	for (int k = 0; k < CG_NLIMITS; k++)
		if (l->v[k] != -1)
			return true;
	return false;
}

/* The value as the conf could have said it, for messages. */
static void fmt_value(const struct cg_limits *l, int k, char *buf, size_t size)
{
	long long v = l->v[k];

	if (k == CG_CPU_MAX && l->cpu_period != CPU_PERIOD_DEFAULT) {
		if (v == CG_UNLIMITED)
			snprintf(buf, size, "max %lld", l->cpu_period);
		else
			snprintf(buf, size, "%lld %lld", v, l->cpu_period);
	} else if (v == CG_UNLIMITED) {
		snprintf(buf, size, "max");
	} else if (k == CG_CPU_MAX) {
		int n = snprintf(buf, size, "%lld.%03lld", v / 1000, v % 1000);
		/* drop trailing zeros (and the dot) of the fraction */
		while (n > 0 && (size_t)n < size && (buf[n - 1] == '0' || buf[n - 1] == '.')) {
			bool dot = buf[n - 1] == '.';
			buf[--n] = '\0';
			if (dot)
				break;
		}
		if ((size_t)n + 1 < size)
			snprintf(buf + n, size - (size_t)n, "%%");
	} else if (defs[k].kind == K_SIZE) {
		static const char units[] = "TGMK";
		int shift = 40;

		for (const char *u = units; *u; u++, shift -= 10)
			if (v % (1LL << shift) == 0) {
				snprintf(buf, size, "%lld%c", v >> shift, *u);
				return;
			}
		snprintf(buf, size, "%lld", v);
	} else {
		snprintf(buf, size, "%lld", v);
	}
}

/* ---- v1 hierarchies --------------------------------------------------- */

static bool in_list(const char *list, const char *word, const char *seps)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, seps);
		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
		p += strspn(p, seps);
	}
	return false;
}

/* ---- applying ------------------------------------------------------- */

struct apply {
	const char *name, *v2path;
	const struct cg_limits *l;
	pid_t pid;
	char *notes;
	size_t notes_size;
	struct sh_err *err;
};

static void add_note(struct apply *a, const char *msg)
{
	size_t len;

	if (!a->notes || a->notes_size == 0)
		return;
	len = strnlen(a->notes, a->notes_size);
	if (len + 1 >= a->notes_size)
		return;
	snprintf(a->notes + len, a->notes_size - len, "%s\n", msg);
}

/* Limit k could not be applied: an error, or a note when it is optional. */
static int fail(struct apply *a, int k, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct apply *a, int k, int errnum, const char *fmt, ...)
{
	char val[64], why[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	fmt_value(a->l, k, val, sizeof val);
	if (a->l->optional[k]) {
		char msg[1024];

		snprintf(msg, sizeof msg, "optional %s=%s? not applied: %s", defs[k].key, val, why);
		add_note(a, msg);
		return 0;
	}
	return err_msg(a->err, EXIT_FAIL, errnum, "%s=%s: %s", defs[k].key, val, why);
}

static int fail_write(struct apply *a, int k, const char *path, int r)
{
	return fail(a, k, -r, "write %s: %s", path, strerror(-r));
}

/* Write text to dir/file; 0 or -errno, *path keeps the path for messages. */
static int put(const char *dir, const char *file, const char *text, char **path)
{
	free(*path);
	*path = path_join(dir, file);
	return write_file(*path, text);
}

static void fmt_limit(long long v, const char *unlimited, char *buf, size_t size)
{
	if (v == CG_UNLIMITED)
		snprintf(buf, size, "%s", unlimited);
	else
		snprintf(buf, size, "%lld", v);
}

static long long clamp(long long v, long long lo, long long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Is ctrl enabled for the group v2path, i.e. listed in its parent's
 * cgroup.subtree_control?  If not, try enabling it top-down first. */
static bool v2_enabled(const char *v2path, const char *ctrl)
{
	_cleanup_free_ char *parent = xstrdup(v2path);
	_cleanup_free_ char *root = NULL, *ctl = NULL, *rootctl = NULL, *plus = NULL;
	char buf[1024], *slash;

	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return false;
	*slash = '\0';
	ctl = path_join(parent, "cgroup.subtree_control");
	if (read_file(ctl, buf, sizeof buf) >= 0 && in_list(buf, ctrl, " \t\n"))
		return true;
	root = xstrdup(parent);
	slash = strrchr(root, '/');
	if (slash && slash != root) {
		*slash = '\0';
		rootctl = path_join(root, "cgroup.subtree_control");
	}
	/* Fails on hybrid hosts (the controller is bound to v1) and when the
	 * host's manager keeps it: what counts is the read below. */
	plus = xasprintf("+%s", ctrl);
	if (rootctl)
		(void)write_file(rootctl, plus);
	(void)write_file(ctl, plus);
	return read_file(ctl, buf, sizeof buf) >= 0 && in_list(buf, ctrl, " \t\n");
}

static int v2_apply(struct apply *a, int k)
{
	const struct cg_limits *l = a->l;
	_cleanup_free_ char *path = NULL;
	char buf[64];
	int r;

	switch (k) {
	case CG_MEMORY_MAX:
	case CG_MEMORY_HIGH:
		fmt_limit(l->v[k], "max", buf, sizeof buf);
		r = put(a->v2path, k == CG_MEMORY_MAX ? "memory.max" : "memory.high", buf, &path);
		break;
	case CG_CPU_MAX:
		fmt_limit(l->v[k], "max", buf, sizeof buf);
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " %lld", l->cpu_period);
		r = put(a->v2path, "cpu.max", buf, &path);
		break;
	case CG_CPU_WEIGHT:
		snprintf(buf, sizeof buf, "%lld", l->v[k]);
		r = put(a->v2path, "cpu.weight", buf, &path);
		break;
	case CG_PIDS_MAX:
		fmt_limit(l->v[k], "max", buf, sizeof buf);
		r = put(a->v2path, "pids.max", buf, &path);
		break;
	case CG_IO_WEIGHT:
		snprintf(buf, sizeof buf, "%lld", l->v[k]);
		r = put(a->v2path, "io.weight", buf, &path);
		if (r == -ENOENT) {
			/* Without blk-iocost, only BFQ has weights (1..1000). */
			snprintf(buf, sizeof buf, "%lld", clamp(l->v[k], 1, 1000));
			r = put(a->v2path, "io.bfq.weight", buf, &path);
		}
		break;
	default:
		return 0;
	}
	return r < 0 ? fail_write(a, k, path, r) : 0;
}

/* Write limit k into the v1 group grp; 1 if applied, 0 if it failed
 * harmlessly (optional, noted), or a negative errno. */
static int v1_apply(struct apply *a, int k, const char *grp)
{
	const struct cg_limits *l = a->l;
	_cleanup_free_ char *path = NULL;
	char buf[64];
	int r;

	switch (k) {
	case CG_MEMORY_MAX:
	case CG_MEMORY_HIGH:
		/* MEMORY_HIGH has no v1 twin; the soft limit is the nearest:
		 * reclaim pushes the group back to it under memory pressure. */
		fmt_limit(l->v[k], "-1", buf, sizeof buf);
		r = put(grp, k == CG_MEMORY_MAX ? "memory.limit_in_bytes" : "memory.soft_limit_in_bytes",
			buf, &path);
		break;
	case CG_CPU_MAX:
		/* Unlimited first, so the period can change whatever quota a
		 * reused group had. */
		r = put(grp, "cpu.cfs_quota_us", "-1", &path);
		if (r == 0) {
			snprintf(buf, sizeof buf, "%lld", l->cpu_period);
			r = put(grp, "cpu.cfs_period_us", buf, &path);
		}
		if (r == 0 && l->v[k] != CG_UNLIMITED) {
			snprintf(buf, sizeof buf, "%lld", l->v[k]);
			r = put(grp, "cpu.cfs_quota_us", buf, &path);
		}
		break;
	case CG_CPU_WEIGHT:
		/* weight 100 (cgroup2 default) = 1024 shares (v1 default) */
		snprintf(buf, sizeof buf, "%lld", clamp(l->v[k] * 1024 / 100, 2, 262144));
		r = put(grp, "cpu.shares", buf, &path);
		break;
	case CG_PIDS_MAX:
		fmt_limit(l->v[k], "max", buf, sizeof buf);
		r = put(grp, "pids.max", buf, &path);
		break;
	case CG_IO_WEIGHT:
		/* BFQ: 1..1000, default 100 like cgroup2; CFQ's blkio.weight
		 * (kernels before 5.0): 10..1000, default 500. */
		snprintf(buf, sizeof buf, "%lld", clamp(l->v[k], 1, 1000));
		r = put(grp, "blkio.bfq.weight", buf, &path);
		if (r == -ENOENT) {
			snprintf(buf, sizeof buf, "%lld", clamp(l->v[k] * 5, 10, 1000));
			r = put(grp, "blkio.weight", buf, &path);
		}
		if (r == -ENOENT)
			return fail(a, k, ENOTSUP,
				    "no I/O weights: io is not enabled in cgroup2 and the v1 blkio hierarchy "
				    "has neither blkio.bfq.weight nor blkio.weight (the I/O scheduler has no weights)");
		break;
	default:
		return 0;
	}
	if (r < 0)
		return fail_write(a, k, path, r);
	return 1;
}

static const struct ctrl {
	const char *v2, *v1;
	int keys[2];
	int nkeys;
} ctrls[] = {
	{ "memory", "memory", { CG_MEMORY_MAX, CG_MEMORY_HIGH }, 2 },
	{ "cpu", "cpu", { CG_CPU_MAX, CG_CPU_WEIGHT }, 2 },
	{ "pids", "pids", { CG_PIDS_MAX }, 1 },
	{ "io", "blkio", { CG_IO_WEIGHT }, 1 },
};

/* Every set limit of c fails for the same reason. */
static int fail_all(struct apply *a, const struct ctrl *c, int errnum, const char *why)
{
	for (int i = 0; i < c->nkeys; i++) {
		int r;
		if (a->l->v[c->keys[i]] == -1)
			continue;
		r = fail(a, c->keys[i], errnum, "%s", why);
		if (r < 0)
			return r;
	}
	return 0;
}

static int apply_v1(struct apply *a, const struct ctrl *c)
{
	_cleanup_free_ char *mnt = NULL, *top = NULL, *grp = NULL, *procs = NULL;
	char why[768], buf[32];
	bool created = false;
	int applied[2], napplied = 0, r;

	r = cgroup_v1_mount(c->v1, &mnt);
	if (r < 0) {
		snprintf(why, sizeof why, "no %s controller in cgroup2, and reading %s failed: %s",
			 c->v2, cgroup_v1_mountinfo(), strerror(-r));
		return fail_all(a, c, -r, why);
	}
	if (!mnt) {
		snprintf(why, sizeof why, "no %s controller: not enabled in cgroup2 and no v1 %s hierarchy",
			 c->v2, c->v1);
		return fail_all(a, c, ENODEV, why);
	}
	top = path_join(mnt, "subhost");
	grp = path_join(top, a->name);
	if (mkdir(top, 0755) < 0 && errno != EEXIST) {
		snprintf(why, sizeof why, "create %s: %s", top, strerror(errno));
		return fail_all(a, c, errno, why);
	}
	if (mkdir(grp, 0755) == 0)
		created = true;
	else if (errno != EEXIST) {
		snprintf(why, sizeof why, "create %s: %s", grp, strerror(errno));
		return fail_all(a, c, errno, why);
	}
	for (int i = 0; i < c->nkeys; i++) {
		int k = c->keys[i];
		if (a->l->v[k] == -1)
			continue;
		r = v1_apply(a, k, grp);
		if (r < 0)
			return r;
		if (r > 0)
			applied[napplied++] = k;
	}
	if (napplied == 0) {
		/* Nothing to hold the pid for.  Should rmdir fail, teardown's
		 * cgroup_v1_remove removes the empty group. */
		if (created)
			(void)rmdir(grp);
		return 0;
	}
	procs = path_join(grp, "cgroup.procs");
	snprintf(buf, sizeof buf, "%d", (int)a->pid);
	r = write_file(procs, buf);
	if (r < 0) {
		/* The limits are in place but pid is not under them: report it
		 * against a mandatory one if there is one. */
		int k = applied[0];
		for (int i = 0; i < napplied; i++)
			if (!a->l->optional[applied[i]]) {
				k = applied[i];
				break;
			}
		return fail(a, k, -r, "move pid %d into %s: %s", (int)a->pid, grp, strerror(-r));
	}
	return 0;
}

static bool name_ok(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

int cgroup_limits_apply(const char *name, const char *v2path, const struct cg_limits *l,
			pid_t pid, char *notes, size_t notes_size, struct sh_err *err)
{
	struct apply a = { name, v2path, l, pid, notes, notes_size, err };

	if (!name_ok(name))
		return err_msg(err, EXIT_FAIL, EINVAL, "cgroup limits: invalid subhost name");
	for (size_t i = 0; i < sizeof ctrls / sizeof ctrls[0]; i++) {
		const struct ctrl *c = &ctrls[i];
		bool any = false;
		int r = 0;

		for (int j = 0; j < c->nkeys; j++)
			any |= l->v[c->keys[j]] != -1;
		if (!any)
			continue;
		if (v2path && v2_enabled(v2path, c->v2)) {
			for (int j = 0; j < c->nkeys && r >= 0; j++)
				if (l->v[c->keys[j]] != -1)
					r = v2_apply(&a, c->keys[j]);
		} else {
			r = apply_v1(&a, c);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- removal ---------------------------------------------------------- */

/* Last resort for a group that stays busy: SIGKILL what is left in it. */
static void kill_tasks(const char *grp)
{
	_cleanup_free_ char *tasks = path_join(grp, "tasks");
	FILE *fp = fopen(tasks, "re");
	int pid;

	if (!fp)
		return;
	while (fscanf(fp, "%d", &pid) == 1)
		if (pid > 0)
			(void)kill(pid, SIGKILL);   /* ESRCH: already gone, as wanted */
	fclose(fp);
}

/* rmdir grp after its child groups (a v1 group with children is busy). */
static void remove_group(const char *grp, int depth)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int fd = open(grp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return;     /* absent (ENOENT) is success; anything else rmdir can't fix */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (depth < 16) {
			_cleanup_free_ char *child = path_join(grp, e->d_name);
			remove_group(child, depth + 1);
		}
	}
	closedir(d);
	/* ~2 s: tasks leave a group shortly after they die; from ~200 ms on
	 * kill what still lingers. */
	for (int i = 0; i < 200; i++) {
		if (rmdir(grp) == 0 || errno == ENOENT || errno != EBUSY)
			return;
		if (i >= 20 && i % 20 == 0)
			kill_tasks(grp);
		nanosleep(&ts, NULL);
	}
}

static int remove_cb(const char *mnt, const char *superopts, void *ctx)
{
	_cleanup_free_ char *grp = xasprintf("%s/subhost/%s", mnt, (const char *)ctx);

	remove_group(grp, 0);
	return 0;
}

void cgroup_v1_remove(const char *name)
{
	if (!name_ok(name))
		return;
	/* Unreadable mountinfo: nothing we could find to remove. */
	(void)cgroup_v1_each(remove_cb, (void *)name);
}

struct join_ctx {
	const char *name;
	pid_t pid;
	int failed;
};

static int join_cb(const char *mnt, const char *superopts, void *ctx)
{
	struct join_ctx *j = ctx;
	_cleanup_free_ char *grp = xasprintf("%s/subhost/%s", mnt, j->name);
	_cleanup_free_ char *procs = path_join(grp, "cgroup.procs");
	char buf[32];

	(void)superopts;
	if (access(grp, F_OK) < 0)
		return 0;       /* this hierarchy carries no limit of ours */
	snprintf(buf, sizeof buf, "%d", (int)j->pid);
	if (write_file(procs, buf) < 0)
		j->failed++;
	return 0;
}

int cgroup_v1_join(const char *name, pid_t pid)
{
	struct join_ctx j = { .name = name, .pid = pid };

	if (!name_ok(name))
		return -EINVAL;
	(void)cgroup_v1_each(join_cb, &j);
	return j.failed ? -EIO : 0;
}
