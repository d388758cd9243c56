/* devfs.h - the subhost's /dev: a small tmpfs with the usual nodes, its
 * own devpts instance and no way back to host devices (no /dev/core). */
#ifndef SUBHOST_DEVFS_H
#define SUBHOST_DEVFS_H

#include "util.h"

/* Host ids of what /dev holds: root and the tty group as the subhost sees
 * them (IDMAP: the mapped ids of 0 and 5). */
struct devfs_owner {
	uid_t uid;
	gid_t gid;
	gid_t tty_gid;
};
#define DEVFS_OWNER_HOST ((struct devfs_owner){ 0, 0, 5 })

/* Build /dev detached, then attach it on rootfd/dev.  console, when not
 * NULL, is the host path of a terminal bind-mounted over /dev/console (the
 * supervisor's pty; a path, because open_tree() only clones mounts of the
 * caller's own mount namespace, and an fd from before clone is not).
 * Called by host root also with IDMAP: the nodes are real (mknod), and
 * owned by own. */
int devfs_setup(int rootfd, const char *console, const struct devfs_owner *own,
		struct sh_err *err);

#endif
