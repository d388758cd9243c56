/* rootfs.h - assemble the subhost's root inside the boot child's private
 * mount namespace, then pivot into it (SPEC 6 steps 4-5).
 *
 * Order (security first, as bubblewrap and crun do): the whole tree is made
 * private before the first mount; PREMOUNT; the overlay on LIVE; /dev,
 * /sys (ro), /run, /etc/adjtime (ro), SHAREs (nosuid,nodev), hidden host
 * paths; POSTMOUNT; pivot_root with the old root detached; /proc with its
 * read-only and masked parts.
 */
#ifndef SUBHOST_ROOTFS_H
#define SUBHOST_ROOTFS_H

#include "config.h"
#include "disk.h"

struct userns;
struct rootfs_plan {
	const struct sh_config *cfg;
	const char *console;    /* host path of the pty to show as /dev/console, or NULL */
	char **hide;            /* host paths to cover when a lower layer is the host root */
	size_t nhide;
	const struct disk_set *disks; /* DISKS and IMAGE, attached by the supervisor */
	bool interfaces;        /* write UPPER/etc/network/interfaces when missing */
	bool own_cgroup;        /* the child has a cgroup (and cgroup namespace) of its own */
	const struct userns *userns;    /* IDMAP: lower layers idmapped through it; UPPER,
					 * /dev and /run owned by root inside; else NULL */
};

/* Everything before pivot_root.  Runs in the boot child. */
int rootfs_assemble(const struct rootfs_plan *p, struct sh_err *err);

/* Cover path (as seen inside rootfd) with an empty read-only tmpfs; a path
 * that is not there is nothing to hide. */
int rootfs_hide(int rootfd, const char *path, struct sh_err *err);

/* pivot_root into live, detach the old root. */
int rootfs_pivot(const char *live, struct sh_err *err);

/* Mount /proc for the new pid namespace and restrict it. */
int rootfs_proc(struct sh_err *err);

/* IDMAP: rootfs_pivot and rootfs_proc for pid 1 before it executes, as
 * root of a user namespace whose mount namespace holds the launcher's
 * tree, locked, with the working directory on the root to enter (the
 * launcher's, carried into the new namespace by the kernel: the path to
 * LIVE may not be searchable by root inside).  pivot_root refuses a
 * locked new root: it pivots into a recursive bind of it.  The new /proc
 * is made before the old root goes, while the host's /proc is there to
 * show that it reveals nothing new (the kernel's rule for mounting proc
 * in a user namespace). */
int rootfs_enter_locked(struct sh_err *err);

/* Run a hook command line with one argument and the !command environment. */
int rootfs_run_hook(const struct sh_config *cfg, const char *key, const char *cmd,
		    const char *arg, struct sh_err *err);

#endif
