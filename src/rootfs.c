/* rootfs.c - the mount sequence of a boot. */
#include "rootfs.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "devfs.h"
#include "distro.h"
#include "mount.h"
#include "net.h"
#include "overlay.h"
#include "spawn.h"
#include "userns.h"

int rootfs_run_hook(const struct sh_config *cfg, const char *key, const char *cmd,
		    const char *arg, struct sh_err *err)
{
	_cleanup_free_ char *script = xasprintf("%s \"$1\"", cmd);
	char *env[5], *args[] = { (char *)arg, NULL };
	struct spawn_opts so = { .dir = cfg->base, .env_set = env };
	int status = 0, r, i;

	/* overlay-boot ran `env CONFIG=... $PREMOUNT "$UPPER"`: the same
	 * environment as a !command, the root path as the one argument. */
	env[0] = xasprintf("CONFIG=%s", cfg->path);
	env[1] = xasprintf("NAME=%s", cfg->name);
	env[2] = xasprintf("BASE=%s", cfg->base);
	env[3] = xstrdup("ACTION=overlay-boot");
	env[4] = NULL;
	r = spawn_shell(script, args, &so, NULL, &status);
	for (i = 0; i < 4; i++)
		free(env[i]);
	if (r < 0)
		return err_sys(err, -r, "%s \"%s\"", key, cmd);
	if (WIFSIGNALED(status))
		return err_msg(err, EXIT_FAIL, 0, "%s \"%s\" failed: killed by signal %d",
			       key, cmd, WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		return err_msg(err, EXIT_FAIL, 0, "%s \"%s\" failed: exit status %d",
			       key, cmd, WEXITSTATUS(status));
	return 0;
}

static int mount_sys(int rootfd, struct sh_err *err)
{
	_cleanup_close_ int mfd = -1, target = -1;

	/* Mounted from inside the subhost's netns, so /sys/class/net shows
	 * its own interfaces.  Read-only: no uevent_helper, no knobs. */
	mfd = mnt_new("sysfs", "sysfs", NULL, 0,
		      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
		      "/sys", err);
	if (mfd < 0)
		return mfd;
	target = mkdir_in_root(rootfd, "/sys", false, err);
	if (target < 0)
		return target;
	return mnt_attach(mfd, target, "", "/sys", err);
}

static int mount_run(int rootfd, const char *size, const struct devfs_owner *own,
		     struct sh_err *err)
{
	char uid[16], gid[16];
	const struct mnt_opt opts[] = {
		{ "mode", "755" }, { "size", size }, { "uid", uid }, { "gid", gid },
	};
	_cleanup_close_ int mfd = -1, target = -1;
	bool idmap = own->uid || own->gid;

	snprintf(uid, sizeof uid, "%u", (unsigned)own->uid);
	snprintf(gid, sizeof gid, "%u", (unsigned)own->gid);
	mfd = mnt_new("tmpfs", "run", opts, idmap ? 4 : 2, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
		      "/run", err);
	if (mfd < 0)
		return mfd;
	if (mkdirat(mfd, "lock", 01777) < 0)
		return err_sys(err, errno, "/run: mkdir lock");
	if (idmap && fchownat(mfd, "lock", own->uid, own->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(err, errno, "/run: chown lock");
	target = mkdir_in_root(rootfd, "/run", false, err);
	if (target < 0)
		return target;
	return mnt_attach(mfd, target, "", "/run", err);
}

static int bind_adjtime(int rootfd, struct sh_err *err)
{
	_cleanup_close_ int mfd = -1, target = -1;
	struct stat st;

	/* overlay-boot bound the host's adjtime in; read-only here, so the
	 * subhost's hwclock can't rewrite a host file. */
	if (stat("/etc/adjtime", &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	target = open_in_root(rootfd, "/etc/adjtime", O_PATH | O_NOFOLLOW);
	if (target < 0)
		return 0;       /* the subhost has none: nothing to share */
	mfd = mnt_clone(AT_FDCWD, "/etc/adjtime", false,
			MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, "/etc/adjtime", err);
	if (mfd < 0)
		return mfd;
	return mnt_attach(mfd, target, "", "/etc/adjtime", err);
}

static int bind_share(int rootfd, const struct sh_share *sh, struct sh_err *err)
{
	_cleanup_free_ char *what = xasprintf("SHARE %s on %s", sh->hostdir, sh->subdir);
	_cleanup_close_ int mfd = -1, target = -1;
	unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (sh->ro ? MOUNT_ATTR_RDONLY : 0);
	struct stat st;

	if (stat(sh->hostdir, &st) < 0)
		return err_sys(err, errno, "%s", what);
	mfd = mnt_clone(AT_FDCWD, sh->hostdir, true, attrs, what, err);
	if (mfd < 0)
		return mfd;
	target = mkdir_in_root(rootfd, sh->subdir, !S_ISDIR(st.st_mode), err);
	if (target < 0) {
		err_prefix(err, "%s", what);
		return target;
	}
	return mnt_attach(mfd, target, "", what, err);
}

int rootfs_hide(int rootfd, const char *path, struct sh_err *err)
{
	const struct mnt_opt opts[] = { { "mode", "000" }, { "size", "4k" } };
	_cleanup_free_ char *what = xasprintf("hide %s", path);
	_cleanup_close_ int mfd = -1, target = -1;

	if (!strcmp(path, "/"))
		return 0;
	target = open_in_root(rootfd, path, O_PATH | O_DIRECTORY | O_NOFOLLOW);
	if (target < 0)
		return 0;       /* not visible in this root: nothing to hide */
	mfd = mnt_new("tmpfs", "hidden", opts, 2,
		      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
		      what, err);
	if (mfd < 0)
		return mfd;
	return mnt_attach(mfd, target, "", what, err);
}

/* IDMAP: the data disks' nodes to root inside and its disk group. */
static int disks_own(int rootfd, const struct disk_set *set, const struct userns *u,
		     struct sh_err *err)
{
	_cleanup_close_ int dev = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);

	for (size_t i = 0; i < set->n; i++) {
		const char *node = set->v[i].conf ? set->v[i].conf->node : NULL;

		if (set->v[i].role != DISK_DATA || !node)
			continue;
		if (dev < 0)
			return err_sys(err, -dev, "open the subhost's /dev");
		if (fchownat(dev, node, u->uid, u->disk_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return err_sys(err, errno, "/dev/%s: chown", node);
	}
	return 0;
}

/* IDMAP: a machine id we just wrote (host root's) to root inside; one of
 * UPPER or the lower layers (root inside's already) stays as it is. */
static int own_machine_id(int rootfd, const struct userns *u, struct sh_err *err)
{
	_cleanup_close_ int fd = open_in_root(rootfd, "/etc/machine-id", O_PATH | O_NOFOLLOW);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != 0 || !S_ISREG(st.st_mode))
		return 0;
	if (fchownat(fd, "", u->uid, u->gid, AT_EMPTY_PATH) < 0)
		return err_sys(err, errno, "chown /etc/machine-id");
	return 0;
}

int rootfs_assemble(const struct rootfs_plan *p, struct sh_err *err)
{
	const struct sh_config *cfg = p->cfg;
	struct devfs_owner own = DEVFS_OWNER_HOST;
	_cleanup_close_ int rootfd = -1;
	size_t i;
	int r;

	/* Mounts the conf's !commands made (overlay-diskfile) are in the
	 * namespace they ran in: start from a copy of that one. */
	if (cfg->mntns_fd > 2 && (setns(cfg->mntns_fd, CLONE_NEWNS) < 0 || unshare(CLONE_NEWNS) < 0))
		return err_sys(err, errno, "enter the mounts of the configuration's commands");
	/* Nothing we mount may propagate back to the host, and nothing the
	 * host mounts later should appear in the subhost. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_sys(err, errno, "make the mount tree private");
	/* IMAGE and the root disk: UPPER may be on them, and PREMOUNT gets it */
	if (p->disks) {
		r = disks_mount(cfg, p->disks, err);
		if (r < 0)
			return r;
	}
	/* IDMAP: UPPER is root inside's (checked here, where an IMAGE holding
	 * it is mounted) before anything is written into it */
	if (p->userns) {
		r = userns_prepare_layers(cfg, p->userns, err);
		if (r < 0)
			return r;
	}
	/* overlay-boot's PREMOUNT wrote it; in here UPPER is what the
	 * subhost will see, also when it lies on an image. */
	if (p->interfaces) {
		r = net_write_interfaces(cfg, p->userns ? p->userns->uid : 0,
					 p->userns ? p->userns->gid : 0, err);
		if (r < 0)
			return r;
	}
	if (cfg->premount) {
		r = rootfs_run_hook(cfg, "PREMOUNT", cfg->premount, cfg->upper, err);
		if (r < 0)
			return r;
	}
	if (p->userns)
		r = overlay_mount_root_idmapped(cfg, p->userns->fd, err);
	else
		r = overlay_mount_root(cfg, err);
	if (r < 0)
		return r;
	rootfd = open(cfg->live, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_sys(err, errno, "open %s", cfg->live);
	if (p->userns)
		own = (struct devfs_owner){ p->userns->uid, p->userns->gid, p->userns->tty_gid };
	r = devfs_setup(rootfd, p->console, &own, err);
	if (r == 0 && p->disks)
		r = disks_nodes(rootfd, p->disks, err);
	if (r == 0 && p->disks && p->userns)
		r = disks_own(rootfd, p->disks, p->userns, err);
	if (r < 0)
		return r;
	r = mount_sys(rootfd, err);
	if (r < 0)
		return r;
	if (cfg->ram_size) {
		r = mount_run(rootfd, cfg->ram_size, &own, err);
		if (r < 0)
			return r;
	}
	r = bind_adjtime(rootfd, err);
	if (r < 0)
		return r;
	/* cgroup2, /tmp, machine-id for a real init (before SHAREs: one into
	 * /tmp lands on its tmpfs). */
	r = distro_prepare(rootfd, cfg, p->own_cgroup, err);
	if (r == 0 && p->userns)
		r = own_machine_id(rootfd, p->userns, err);
	if (r < 0)
		return r;
	if (cfg->lower_has_host_root) {
		/* The host root is a lower layer: cover every upper layer it
		 * would show, ours included (SPEC 6.4). */
		for (i = 0; i < p->nhide; i++) {
			r = rootfs_hide(rootfd, p->hide[i], err);
			if (r < 0)
				return r;
		}
	}
	for (i = 0; i < cfg->nshares; i++) {
		r = bind_share(rootfd, &cfg->shares[i], err);
		if (r < 0)
			return r;
	}
	if (cfg->postmount) {
		r = rootfs_run_hook(cfg, "POSTMOUNT", cfg->postmount, cfg->live, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int rootfs_pivot(const char *live, struct sh_err *err)
{
	_cleanup_close_ int fd = open(live, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fchdir(fd) < 0)
		return err_sys(err, errno, "enter %s", live);
	/* pivot_root(".", ".") stacks the old root under the new one; detaching
	 * it leaves nothing of the host's mount table reachable (the
	 * "nsenter -t 1 -m" hole overlay-boot 1.6 closed the same way). */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_sys(err, errno, "pivot_root into %s", live);
	if (umount2(".", MNT_DETACH) < 0)
		return err_sys(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return err_sys(err, errno, "chdir /");
	return 0;
}

/* Kernel interfaces a subhost must neither read nor write: host memory
 * and kernel addresses (kcore, kallsyms, kpage*), the host's kernel log
 * and keys, a host reboot or crash (sysrq-trigger), timers and scheduler
 * internals of every process, the host's MTRRs. */
static const char *const masked_files[] = {
	"/proc/kcore", "/proc/kmsg", "/proc/sysrq-trigger", "/proc/keys",
	"/proc/key-users", "/proc/timer_list", "/proc/sched_debug",
	"/proc/kallsyms", "/proc/latency_stats", "/proc/timer_stats",
	"/proc/kpagecount", "/proc/kpageflags", "/proc/kpagecgroup",
	"/proc/config.gz", "/proc/mtrr",
};
static const char *const masked_dirs[] = { "/proc/acpi", "/proc/scsi", "/proc/asound" };
/* Readable (lspci, /proc/interrupts tools) but not writable: PCI config
 * space, IRQ affinity and filesystem knobs act on the whole host. */
static const char *const ro_dirs[] = { "/proc/bus", "/proc/fs", "/proc/irq" };

static int proc_new(struct sh_err *err)
{
	return mnt_new("proc", "proc", NULL, 0,
		       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "/proc", err);
}

/* /proc from the proc mount fd proc (taken over). */
static int proc_setup(int procfd, struct sh_err *err)
{
	const unsigned ro = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOEXEC;
	_cleanup_close_ int proc = procfd, sys = -1, net = -1;
	size_t i;
	int r;

	if (mkdir("/proc", 0555) < 0 && errno != EEXIST)
		return err_sys(err, errno, "mkdir /proc");
	r = mnt_attach(proc, AT_FDCWD, "/proc", "/proc", err);
	if (r < 0)
		return r;
	/* /proc/sys read-only, except /proc/sys/net, which belongs to the
	 * subhost's own network namespace. */
	net = mnt_clone(AT_FDCWD, "/proc/sys/net", false, 0, "/proc/sys/net", err);
	if (net < 0)
		return net;
	sys = mnt_clone(AT_FDCWD, "/proc/sys", false, ro, "/proc/sys", err);
	if (sys < 0)
		return sys;
	r = mnt_attach(sys, AT_FDCWD, "/proc/sys", "/proc/sys", err);
	if (r < 0)
		return r;
	r = mnt_attach(net, AT_FDCWD, "/proc/sys/net", "/proc/sys/net", err);
	if (r < 0)
		return r;
	for (i = 0; i < sizeof masked_files / sizeof *masked_files; i++) {
		_cleanup_close_ int m = -1;

		if (access(masked_files[i], F_OK) < 0)
			continue;
		m = mnt_clone(AT_FDCWD, "/dev/null", false, ro, masked_files[i], err);
		if (m < 0)
			return m;
		r = mnt_attach(m, AT_FDCWD, masked_files[i], masked_files[i], err);
		if (r < 0)
			return r;
	}
	for (i = 0; i < sizeof masked_dirs / sizeof *masked_dirs; i++) {
		const struct mnt_opt opts[] = { { "mode", "555" }, { "size", "4k" } };
		_cleanup_close_ int m = -1;

		if (access(masked_dirs[i], F_OK) < 0)
			continue;
		m = mnt_new("tmpfs", "masked", opts, 2, ro, masked_dirs[i], err);
		if (m < 0)
			return m;
		r = mnt_attach(m, AT_FDCWD, masked_dirs[i], masked_dirs[i], err);
		if (r < 0)
			return r;
	}
	for (i = 0; i < sizeof ro_dirs / sizeof *ro_dirs; i++) {
		_cleanup_close_ int m = -1;

		if (access(ro_dirs[i], F_OK) < 0)
			continue;
		m = mnt_clone(AT_FDCWD, ro_dirs[i], true, ro, ro_dirs[i], err);
		if (m < 0)
			return m;
		r = mnt_attach(m, AT_FDCWD, ro_dirs[i], ro_dirs[i], err);
		if (r < 0)
			return r;
	}
	return distro_boot_id(err);
}

int rootfs_proc(struct sh_err *err)
{
	int proc = proc_new(err);

	return proc < 0 ? proc : proc_setup(proc, err);
}

int rootfs_enter_locked(struct sh_err *err)
{
	_cleanup_close_ int top = -1, proc = -1;
	int r;

	/* A new mount (unlocked; its submounts stay locked) on top of the
	 * root, which is our working directory. */
	top = mnt_clone(AT_FDCWD, ".", true, 0, "the root", err);
	if (top < 0)
		return top;
	r = mnt_attach(top, AT_FDCWD, ".", "the root", err);
	if (r < 0)
		return r;
	proc = proc_new(err);
	if (proc < 0)
		return proc;
	if (fchdir(top) < 0)
		return err_sys(err, errno, "enter the root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_sys(err, errno, "pivot_root into the root");
	if (umount2(".", MNT_DETACH) < 0)
		return err_sys(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return err_sys(err, errno, "chdir /");
	return proc_setup(TAKE_FD(proc), err);
}
