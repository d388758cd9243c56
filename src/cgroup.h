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

/* Remove the cgroup, killing what is left and retrying while the kernel
 * still reports it busy.  Absent counts as success. */
int cgroup_remove(const char *path);

/* Move pid into the cgroup. */
int cgroup_join(const char *path, pid_t pid);

/* Number of processes in it (for status). */
int cgroup_nprocs(const char *path);

#endif
