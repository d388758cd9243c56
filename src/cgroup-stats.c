/* cgroup-stats.c - the accounting of a subhost's cgroups (SPEC section 7).
 *
 * Each figure comes from the subhost's cgroup2 group when the kernel keeps
 * it there, else from the subhost/NAME group of the v1 hierarchy that holds
 * the controller (hybrid hosts: the controllers are bound to v1, and those
 * groups exist only when cgroup-limits.c made them for a limit).  On a
 * hybrid host the cgroup2 group still has cpu.stat (rstat keeps CPU time for
 * every cgroup2 group, controller or not) and cgroup.procs.
 *
 *   CPU time     v2 cpu.stat usage_usec | v1 cpuacct.usage (ns)
 *   memory       v2 memory.current, memory.peak |
 *                v1 memory.usage_in_bytes, memory.max_usage_in_bytes
 *   pids         v2 pids.current | v1 pids.current | lines of v2 cgroup.procs
 *   io bytes     v2 io.stat rbytes/wbytes | v1 blkio.throttle.io_service_bytes
 *   oom kills    v2 memory.events oom_kill | v1 memory.oom_control oom_kill
 *
 * The v1 hierarchies are found in /proc/self/mountinfo (fstype "cgroup", the
 * controller among the super options), never by guessing paths, so
 * "cpuacct" and "cpu,cpuacct" mounts both work.
 *
 * Test hook, as in cgroup-limits.c: $SUBHOST_MOUNTINFO names a file read
 * instead of /proc/self/mountinfo; its mount points are taken as they are
 * (point them into a fake tree), except that with $SUBHOST_CGROUP_FS set a
 * mount point under /sys/fs/cgroup is looked up under $SUBHOST_CGROUP_FS
 * instead, so a copy of a real mountinfo serves too.  The cgroup2 side
 * needs no hook: it is the v2path the caller passes.  The unit tests run
 * unprivileged against a tree of plain files.
 *
 * cgroup_stats() returns 0 when it read the CPU time, else the -errno of
 * that (-ENOENT: no group of the subhost); the other figures are filled
 * either way, -1 where unknown.
 */
#include "cgroup.h"
#include "cgroup-v1.h"

#include <stdio.h>
#include <string.h>

enum { V1_CPUACCT, V1_MEMORY, V1_PIDS, V1_BLKIO, V1_N };
static const char *const v1_ctrl[V1_N] = { "cpuacct", "memory", "pids", "blkio" };

/* The v1 subhost/NAME group of each controller that has one, else NULL. */
static void v1_groups(const char *name, char *group[V1_N])
{
	for (int c = 0; c < V1_N; c++) {
		_cleanup_free_ char *mnt = NULL;

		group[c] = NULL;
		if (cgroup_v1_mount(v1_ctrl[c], &mnt) < 0 || !mnt)
			continue;
		group[c] = xasprintf("%s/subhost/%s", mnt, name);
		if (access(group[c], F_OK) < 0) {
			free(group[c]);
			group[c] = NULL;
		}
	}
}

/* Read DIR/FILE into buf; 0 or -errno (missing DIR counts as -ENOENT). */
static int read_in(const char *dir, const char *file, char *buf, size_t size)
{
	_cleanup_free_ char *p = NULL;
	int r;

	if (!dir || !*dir)
		return -ENOENT;
	p = path_join(dir, file);
	r = read_file(p, buf, size);
	return r < 0 ? r : 0;
}

/* A file holding one number.  0 or -errno. */
static int read_num(const char *dir, const char *file, long long *out)
{
	char buf[64], *end;
	long long v;
	int r = read_in(dir, file, buf, sizeof buf);

	if (r < 0)
		return r;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The value of KEY in a "key value" per line file (cpu.stat, memory.events,
 * memory.oom_control).  0 or -errno (-ENODATA without the key). */
static int read_key(const char *dir, const char *file, const char *key, long long *out)
{
	char buf[4096], *save = NULL;
	size_t n = strlen(key);
	int r = read_in(dir, file, buf, sizeof buf);

	if (r < 0)
		return r;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, key, n) && l[n] == ' ') {
			char *end;
			errno = 0;
			*out = strtoll(l + n + 1, &end, 10);
			return errno || end == l + n + 1 || *out < 0 ? -EINVAL : 0;
		}
	}
	return -ENODATA;
}

/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N ..." per device. */
static int read_io_v2(const char *dir, long long *rd, long long *wr)
{
	char buf[16384], *save = NULL;
	int r = read_in(dir, "io.stat", buf, sizeof buf);

	if (r < 0)
		return r;
	*rd = *wr = 0;
	for (char *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
		if (str_startswith(t, "rbytes="))
			*rd += strtoll(t + 7, NULL, 10);
		else if (str_startswith(t, "wbytes="))
			*wr += strtoll(t + 7, NULL, 10);
	}
	return 0;
}

/* v1 blkio.throttle.io_service_bytes: "MAJ:MIN Read N", "MAJ:MIN Write N"
 * ... per device, then "Total N". */
static int read_io_v1(const char *dir, long long *rd, long long *wr)
{
	char buf[16384], *save = NULL;
	int r = read_in(dir, "blkio.throttle.io_service_bytes", buf, sizeof buf);

	if (r < 0)
		return r;
	*rd = *wr = 0;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char dev[32], op[16];
		long long v;

		if (sscanf(l, "%31s %15s %lld", dev, op, &v) != 3)
			continue;
		if (!strcmp(op, "Read"))
			*rd += v;
		else if (!strcmp(op, "Write"))
			*wr += v;
	}
	return 0;
}

/* Sum of VmRSS over the processes of a cgroup2 group, bytes; -1 if none. */
static long long rss_sum(const char *v2)
{
	_cleanup_free_ char *procs = path_join(v2, "cgroup.procs");
	char buf[65536], *save = NULL;
	long long sum = -1;

	if (read_file(procs, buf, sizeof buf) < 0)
		return -1;
	for (char *p = strtok_r(buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		char path[64], st[4096], *line;

		snprintf(path, sizeof path, "/proc/%d/status", atoi(p));
		if (read_file(path, st, sizeof st) < 0 || !(line = strstr(st, "\nVmRSS:")))
			continue;
		sum = (sum < 0 ? 0 : sum) + strtoll(line + 8, NULL, 10) * 1024;
	}
	return sum;
}

int cgroup_stats(const char *name, const char *v2path, struct cg_stats *out)
{
	const char *v2 = v2path && *v2path ? v2path : NULL;
	char *v1[V1_N];
	long long v;
	int cpu_r, r;

	out->cpu_usec = 0;
	out->mem_current = out->mem_peak = out->pids = -1;
	out->io_read = out->io_write = out->oom_kills = -1;
	v1_groups(name, v1);

	/* CPU */
	cpu_r = read_key(v2, "cpu.stat", "usage_usec", &v);
	if (cpu_r == 0) {
		out->cpu_usec = (unsigned long long)v;
	} else if (v1[V1_CPUACCT]) {
		r = read_num(v1[V1_CPUACCT], "cpuacct.usage", &v);
		if (r == 0)
			out->cpu_usec = (unsigned long long)v / 1000;
		cpu_r = r;
	}

	/* memory */
	if (read_num(v2, "memory.current", &v) == 0) {
		out->mem_current = v;
		if (read_num(v2, "memory.peak", &v) == 0)
			out->mem_peak = v;
	} else if (v1[V1_MEMORY]) {
		if (read_num(v1[V1_MEMORY], "memory.usage_in_bytes", &v) == 0)
			out->mem_current = v;
		if (read_num(v1[V1_MEMORY], "memory.max_usage_in_bytes", &v) == 0)
			out->mem_peak = v;
	} else if (v2) {
		/* Hybrid host, no memory limit: a v1 memory group would cost
		 * ~300 KB of kernel memory per subhost just for this figure, so
		 * sum the resident memory of its processes instead (no peak). */
		out->mem_current = rss_sum(v2);
	}

	/* pids */
	if (read_num(v2, "pids.current", &v) == 0 ||
	    (v1[V1_PIDS] && read_num(v1[V1_PIDS], "pids.current", &v) == 0))
		out->pids = v;
	else if (v2 && (r = cgroup_nprocs(v2)) >= 0)
		out->pids = r;

	/* io */
	if (read_io_v2(v2, &out->io_read, &out->io_write) < 0 &&
	    (!v1[V1_BLKIO] || read_io_v1(v1[V1_BLKIO], &out->io_read, &out->io_write) < 0))
		out->io_read = out->io_write = -1;

	/* oom kills */
	if (read_key(v2, "memory.events", "oom_kill", &v) == 0 ||
	    (v1[V1_MEMORY] && read_key(v1[V1_MEMORY], "memory.oom_control", "oom_kill", &v) == 0))
		out->oom_kills = v;

	for (int c = 0; c < V1_N; c++)
		free(v1[c]);
	/* CPU time is the one figure every cgroup has: without it there is no
	 * group of this subhost (or it cannot be read); the rest may still be
	 * filled. */
	return cpu_r < 0 ? cpu_r : 0;
}
