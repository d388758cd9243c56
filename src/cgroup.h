/* cgroup.h - the subhost's cgroup (SPEC section 7).
 *
 * Every subhost gets subhost/NAME in the cgroup2 hierarchy: /sys/fs/cgroup
 * on a unified host, /sys/fs/cgroup/unified on a hybrid one.  pid 1 is born
 * into it (clone3 CLONE_INTO_CGROUP), the supervisor stays outside so the
 * group can always be emptied (cgroup.kill) and removed.  Limits are the
 * business of a later step (cgroup_apply_limits).
 */
#ifndef SUBHOST_CGROUP_H
#define SUBHOST_CGROUP_H

#include <sys/types.h>
#include "util.h"

/* Where cgroup2 is mounted, or NULL when there is none. */
const char *cgroup2_root(void);

/* Path of NAME's cgroup (malloc'd), or NULL without cgroup2. */
char *cgroup_path(const char *name);

/* Create NAME's cgroup; returns an O_DIRECTORY|O_CLOEXEC fd for
 * CLONE_INTO_CGROUP, or -ENOENT (no cgroup2: the caller goes on without),
 * or another negative errno with err filled.  *path receives the path. */
int cgroup_create(const char *name, char **path, struct sh_err *err);

/* Kill every process of the cgroup (cgroup.kill, else SIGKILL each pid). */
int cgroup_kill(const char *path);

/* Remove the cgroup and the groups an init made below it, killing what
 * is left and retrying while the kernel still reports it busy.  Absent
 * counts as success. */
int cgroup_remove(const char *path);

/* IDMAP: hand the group at path to uid:gid (root inside) the way the
 * kernel documents delegation: the directory and the files that
 * /sys/kernel/cgroup/delegate lists (cgroup.procs, cgroup.threads,
 * cgroup.subtree_control, ...), so a real init inside can manage its
 * subtree.  Limits set from the host stay out of its reach. */
int cgroup_delegate(const char *path, uid_t uid, gid_t gid, struct sh_err *err);

/* Move pid into the cgroup. */
int cgroup_join(const char *path, pid_t pid);

/* Number of processes in it (for status). */
int cgroup_nprocs(const char *path);

/* ---- limits (cgroup-limits.c) --------------------------------------- */

enum cg_limit_key {
	CG_MEMORY_MAX, CG_MEMORY_HIGH, CG_CPU_MAX, CG_CPU_WEIGHT, CG_PIDS_MAX, CG_IO_WEIGHT,
	CG_NLIMITS,
};

/* The limits of one subhost, from its conf.  A value of -1 means unset;
 * CG_CPU_MAX holds the quota and cpu_period the period (microseconds);
 * "max" is stored as CG_UNLIMITED. */
#define CG_UNLIMITED (-2LL)
struct cg_limits {
	long long v[CG_NLIMITS];
	long long cpu_period;
	bool optional[CG_NLIMITS];      /* the value ended in '?': failure is only a warning */
	int line[CG_NLIMITS];           /* conf line, for messages */
};

/* Parse the limit keys of cfg (MEMORY_MAX=64M, CPU_MAX=20% or "QUOTA PERIOD",
 * CPU_WEIGHT=1..10000, PIDS_MAX=N|max, IO_WEIGHT=1..10000; a trailing '?'
 * marks a limit optional).  Errors are configuration errors naming the
 * file, line and what was expected. */
struct sh_config;
int cgroup_limits_parse(const struct sh_config *cfg, struct cg_limits *out, struct sh_err *err);

/* True if any limit is set. */
bool cgroup_limits_any(const struct cg_limits *l);

/* Apply the limits to subhost name whose pid 1 is pid (not yet running
 * anything): on the cgroup2 group v2path where the controller is enabled
 * there, else through the v1 hierarchy of that controller (its
 * subhost/NAME group is created and pid moved into it).  A limit that can
 * be applied nowhere is an error (EXIT_FAIL, naming the limit and why)
 * unless optional; warnings for optional ones are appended to notes. */
int cgroup_limits_apply(const char *name, const char *v2path, const struct cg_limits *l,
			pid_t pid, char *notes, size_t notes_size, struct sh_err *err);

/* Move pid into every v1 group subhost name has (those of its limits), so
 * `subhost go` is held by the same limits as the subhost's own processes. */
int cgroup_v1_join(const char *name, pid_t pid);

/* Remove subhost name's groups from every v1 hierarchy (absent = success). */
void cgroup_v1_remove(const char *name);

/* ---- accounting (cgroup-stats.c) --------------------------------------- */

struct cg_stats {
	unsigned long long cpu_usec;     /* CPU time used, microseconds */
	long long mem_current, mem_peak; /* bytes, -1 if unknown */
	long long pids;                  /* -1 if unknown */
	long long io_read, io_write;     /* bytes, -1 if unknown */
	long long oom_kills;             /* -1 if unknown */
};

/* Read the accounting of subhost name (v2 group v2path, else v1). */
int cgroup_stats(const char *name, const char *v2path, struct cg_stats *out);

#endif
