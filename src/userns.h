/* userns.h - the kernel side of IDMAP (SPEC 8): the subhost's user
 * namespace, the host objects its root must own, and the start of pid 1
 * inside it.
 *
 * The order, and why:
 *  1. userns_create(): a helper process makes a user namespace together
 *     with a network namespace (so the netns is owned by the userns and
 *     root inside can configure its own interfaces, and mount sysfs); the
 *     supervisor writes the maps and keeps both as fds for the subhost's
 *     whole life, reboots included.  The helper then exits.
 *  2. UPPER, WORK, the cgroup and the console are handed to root inside.
 *  3. userns_launch(), for every boot of pid 1: a launcher process, still
 *     host root, assembles the root in a private mount namespace (the
 *     lower layers idmapped, /dev with real device nodes, sysfs of the
 *     subhost's netns), then joins the user namespace as root inside and
 *     clones pid 1 with new mount, pid, ipc, uts, cgroup and time
 *     namespaces, all owned by the user namespace.  Copying the mount
 *     table into a namespace of a less privileged user namespace locks it
 *     (MNT_LOCKED): root inside can mount on top, but cannot unmount what
 *     hides a host path or remount read-only mounts writable.
 * A boot without IDMAP uses none of this.
 */
#ifndef SUBHOST_USERNS_H
#define SUBHOST_USERNS_H

#include <sys/types.h>
#include "config.h"
#include "idmap.h"

struct userns {
	int fd;                 /* the user namespace (nsfs), O_CLOEXEC; -1 if none */
	uid_t uid;              /* host uid of root inside */
	gid_t gid;              /* host gid of root inside */
	gid_t tty_gid;          /* host gid of the group tty (5) inside */
	gid_t disk_gid;         /* host gid of the group disk (6) inside */
};

/* IDMAP of cfg into m (idmap_parse, with the conf's file and line):
 * 1 if set, 0 if not, or a negative errno with err filled. */
int userns_config(const struct sh_config *cfg, struct idmap *m, struct sh_err *err);

/* The host ids of root, tty and disk inside m (no kernel call; u->fd = -1). */
void userns_ids(const struct idmap *m, struct userns *u);

/* Step 1: a user namespace with map m and a network namespace it owns;
 * fills u (see userns_ids) and *netns_fd (O_CLOEXEC; lo is still down). */
int userns_create(const struct idmap *m, struct userns *u, int *netns_fd, struct sh_err *err);

/* UPPER (and WORK) owned by root inside: an empty UPPER (a new subhost)
 * and WORK are chowned to it; an UPPER with files, owned by anyone else,
 * is refused, since its files would be unreachable inside (it was used
 * without IDMAP, or with another map). */
int userns_prepare_layers(const struct sh_config *cfg, const struct userns *u,
			  struct sh_err *err);

struct rootfs_plan;
struct userns_launch {
	const struct userns *u;
	int netns_fd;           /* joined before the root is assembled (sysfs) */
	int cgroup_fd;          /* the launcher is born in it (pid 1 with it); -1: none */
	const struct rootfs_plan *plan;   /* assembled by the launcher, as host root */
	void (*child)(void *arg);         /* pid 1's code until it executes; never returns */
	void *arg;
	int timeout_ms;         /* for assembling the root (PREMOUNT...); 0: none */
};

/* Step 3: start pid 1 as a child of the caller (CLONE_PARENT) and return
 * its pid and a pidfd for it.  The launcher's failures come back in err
 * as they would from a boot without IDMAP ("mount overlay on ...: ..."). */
int userns_launch(const struct userns_launch *l, pid_t *pid, int *pidfd, struct sh_err *err);

#endif
