/* devfs.h - the subhost's /dev: a small tmpfs with the usual nodes, its
 * own devpts instance and no way back to host devices (no /dev/core). */
#ifndef SUBHOST_DEVFS_H
#define SUBHOST_DEVFS_H

#include "util.h"

/* Build /dev detached, then attach it on rootfd/dev.  console, when not
 * NULL, is the host path of a terminal bind-mounted over /dev/console (the
 * supervisor's pty; a path, because open_tree() only clones mounts of the
 * caller's own mount namespace, and an fd from before clone is not). */
int devfs_setup(int rootfd, const char *console, struct sh_err *err);

#endif
