/* mount.h - small wrappers over the new mount API (fsopen, fsmount,
 * open_tree, mount_setattr, move_mount).  Each returns a negative errno and
 * fills err with the step and, where the kernel gave one, its own message
 * (read back from the fs context: "overlayfs: failed to resolve ...").
 */
#ifndef SUBHOST_MOUNT_H
#define SUBHOST_MOUNT_H

#include <sys/mount.h>
#include "util.h"

/* A filesystem option: key and value (value NULL for a flag). */
struct mnt_opt {
	const char *key;
	const char *value;
};

/* New detached mount of fstype with options, mount attributes
 * (MOUNT_ATTR_*) applied; returns the O_CLOEXEC mount fd.  what names the
 * mount in messages ("overlay on /x/live"). */
int mnt_new(const char *fstype, const char *source, const struct mnt_opt *opts,
	    size_t nopts, unsigned attrs, const char *what, struct sh_err *err);

/* Detached copy of the tree at path (recursive when rec), attrs applied. */
int mnt_clone(int dirfd, const char *path, bool rec, unsigned attrs,
	      const char *what, struct sh_err *err);

/* Make the detached mount mfd (from mnt_clone) show its files' ids through
 * the user namespace userns_fd: id N on disk is what N is inside it
 * (MOUNT_ATTR_IDMAP).  -EINVAL from a filesystem that can't. */
int mnt_idmap(int mfd, int userns_fd, const char *what, struct sh_err *err);

/* Attach a detached mount fd at dirfd/path (path resolved by the kernel
 * from dirfd; "" attaches on dirfd itself, e.g. an O_PATH fd from
 * mkdir_in_root(), so nothing is resolved twice). */
int mnt_attach(int mfd, int dirfd, const char *path, const char *what, struct sh_err *err);

/* Open a path strictly inside root (openat2 RESOLVE_IN_ROOT|NO_MAGICLINKS):
 * a symlink inside the subhost can't lead outside it.  O_PATH|O_CLOEXEC. */
int open_in_root(int rootfd, const char *path, int flags);

/* mkdir -p of path inside root (resolved in root); returns an O_PATH fd of
 * the final directory.  When as_file, the last component is created as an
 * empty regular file instead (bind target for a file). */
int mkdir_in_root(int rootfd, const char *path, bool as_file, struct sh_err *err);

/* Move the calling (single-threaded) process into a new mount namespace
 * whose mounts do not propagate to the host's (a recursive slave): for
 * commands whose mounts must stay off the host.  *host and *cwd get
 * O_CLOEXEC fds of the namespace and directory left behind. */
int mntns_stage(int *host, int *cwd, struct sh_err *err);

/* Return to host (and cwd) from a namespace entered with mntns_stage();
 * closes both.  Returns an O_CLOEXEC fd (> 2) of the namespace left, which
 * lives on as long as that fd, or a negative errno (err may be NULL). */
int mntns_return(int host, int cwd, struct sh_err *err);

#endif
