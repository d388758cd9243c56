/* devfs.c - populate a fresh tmpfs as /dev. */
#include "devfs.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "mount.h"


static const struct {
	const char *name;
	unsigned maj, min;
	mode_t mode;
} nodes[] = {
	{ "null", 1, 3, 0666 },
	{ "zero", 1, 5, 0666 },
	{ "full", 1, 7, 0666 },
	{ "random", 1, 8, 0666 },
	{ "urandom", 1, 9, 0666 },
	{ "tty", 5, 0, 0666 },
};

static const struct {
	const char *name, *target;
} links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
	/* Deliberately no "core" -> /proc/kcore (overlay-boot made one). */
};

/* IDMAP: everything in the new /dev to root inside (tty's group is tty). */
static int chown_all(int dev, const struct devfs_owner *own, struct sh_err *err)
{
	static const char *const names[] = {
		"null", "zero", "full", "random", "urandom", "tty", "fd", "stdin", "stdout",
		"stderr", "ptmx", "pts", "shm", "mqueue", "console",
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		gid_t g = strcmp(names[i], "tty") ? own->gid : own->tty_gid;
		if (fchownat(dev, names[i], own->uid, g, AT_SYMLINK_NOFOLLOW) < 0)
			return err_sys(err, errno, "/dev: chown %s", names[i]);
	}
	return 0;
}

int devfs_setup(int rootfd, const char *console, const struct devfs_owner *own,
		struct sh_err *err)
{
	char uid[16], gid[16], tty[16];
	const struct mnt_opt devopts[] = {
		{ "mode", "755" }, { "size", "4m" }, { "uid", uid }, { "gid", gid },
	};
	const struct mnt_opt ptsopts[] = {
		{ "newinstance", NULL }, { "ptmxmode", "0666" },
		{ "mode", "0620" }, { "gid", tty },
	};
	_cleanup_close_ int dev = -1, pts = -1, target = -1;
	bool idmap = own->uid || own->gid;
	size_t i;
	int r;

	snprintf(uid, sizeof uid, "%u", (unsigned)own->uid);
	snprintf(gid, sizeof gid, "%u", (unsigned)own->gid);
	/* devpts gives new ptys this gid (the tty group) */
	snprintf(tty, sizeof tty, "%u", (unsigned)own->tty_gid);
	dev = mnt_new("tmpfs", "dev", devopts, idmap ? 4 : 2, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
		      "/dev", err);
	if (dev < 0)
		return dev;
	/* The new tmpfs is still detached: fill it through its fd, so no path
	 * inside the subhost is involved. */
	for (i = 0; i < sizeof nodes / sizeof *nodes; i++) {
		if (mknodat(dev, nodes[i].name, S_IFCHR | nodes[i].mode,
			    makedev(nodes[i].maj, nodes[i].min)) < 0)
			return err_sys(err, errno, "/dev: mknod %s", nodes[i].name);
	}
	if (fchownat(dev, "tty", own->uid, own->tty_gid, 0) < 0)
		return err_sys(err, errno, "/dev: chown tty");
	for (i = 0; i < sizeof links / sizeof *links; i++) {
		if (symlinkat(links[i].target, dev, links[i].name) < 0)
			return err_sys(err, errno, "/dev: symlink %s", links[i].name);
	}
	if (mkdirat(dev, "pts", 0755) < 0 || mkdirat(dev, "shm", 01777) < 0 ||
	    mkdirat(dev, "mqueue", 0755) < 0)
		return err_sys(err, errno, "/dev: mkdir");
	if (!console && mknodat(dev, "console", S_IFCHR | 0600, makedev(1, 3)) < 0)
		return err_sys(err, errno, "/dev: mknod console");
	if (console) {
		int f = openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (f < 0)
			return err_sys(err, errno, "/dev: create console");
		close(f);
	}
	if (idmap && (r = chown_all(dev, own, err)) < 0)
		return r;
	target = mkdir_in_root(rootfd, "/dev", false, err);
	if (target < 0)
		return target;
	r = mnt_attach(dev, target, "", "/dev", err);
	if (r < 0)
		return r;
	/* Submounts go on after /dev is attached: older kernels refuse to
	 * mount inside a detached tree.  dev still names the tmpfs root. */
	pts = mnt_new("devpts", "devpts", ptsopts, 4, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
		      "/dev/pts", err);
	if (pts < 0)
		return pts;
	r = mnt_attach(pts, dev, "pts", "/dev/pts", err);
	if (r < 0)
		return r;
	/* The console is the supervisor's pty when there is one, else a null device. */
	if (console) {
		_cleanup_close_ int cons = mnt_clone(AT_FDCWD, console, false, 0, "/dev/console", err);
		if (cons < 0)
			return cons;
		r = mnt_attach(cons, dev, "console", "/dev/console", err);
		if (r < 0)
			return r;
	}
	return 0;
}
