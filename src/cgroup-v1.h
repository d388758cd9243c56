/* cgroup-v1.h - the v1 hierarchies of a hybrid host (cgroup-v1.c). */
#ifndef SUBHOST_CGROUP_V1_H
#define SUBHOST_CGROUP_V1_H

#include <stdbool.h>
#include "util.h"

/* True if the comma-separated option list opts holds word. */
bool cgroup_opt_has(const char *opts, const char *word);

/* The mountinfo file read ($SUBHOST_MOUNTINFO or /proc/self/mountinfo). */
const char *cgroup_v1_mountinfo(void);

typedef int (*cgroup_v1_fn)(const char *mnt, const char *superopts, void *ctx);

/* Call fn for every cgroup v1 mount (mount point, super options) until it
 * returns nonzero; returns that value, 0, or -errno if mountinfo cannot be
 * read. */
int cgroup_v1_each(cgroup_v1_fn fn, void *ctx);

/* Mount point of the v1 hierarchy holding ctrl (malloc'd in *mnt, NULL if
 * none); 0 or -errno reading mountinfo. */
int cgroup_v1_mount(const char *ctrl, char **mnt);

#endif
