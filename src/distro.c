/* distro.c - what a real distribution's init expects of its container,
 * and how to ask that init to power off (distro.h). */
#include "distro.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include "init-initctl.h"
#include "mount.h"

#define BOOT_ID_PATH    "/proc/sys/kernel/random/boot_id"
#define BOOT_ID_SOURCE  "/dev/.subhost-boot-id"

/* ---- at boot ------------------------------------------------------------ */

static int mount_cgroup(int rootfd, bool rw, struct sh_err *err)
{
	_cleanup_close_ int mfd = -1, target = -1;
	unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
			 (rw ? 0 : MOUNT_ATTR_RDONLY);

	/* Made in the child's own cgroup namespace: its root is the subhost's
	 * group, nothing above it is visible or reachable. */
	mfd = mnt_new("cgroup2", "cgroup2", NULL, 0, attrs, "/sys/fs/cgroup", err);
	if (mfd < 0)
		return mfd;
	target = open_in_root(rootfd, "/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_NOFOLLOW);
	if (target < 0)
		return err_sys(err, -target, "mount /sys/fs/cgroup: open the mount point");
	return mnt_attach(mfd, target, "", "/sys/fs/cgroup", err);
}

static int mount_tmp(int rootfd, struct sh_err *err)
{
	const struct mnt_opt opts[] = { { "mode", "1777" } };
	_cleanup_close_ int mfd = -1, target = -1;

	mfd = mnt_new("tmpfs", "tmp", opts, 1, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, "/tmp", err);
	if (mfd < 0)
		return mfd;
	target = mkdir_in_root(rootfd, "/tmp", false, err);
	if (target < 0)
		return target;
	return mnt_attach(mfd, target, "", "/tmp", err);
}

bool distro_machine_id_valid(const char *s)
{
	size_t i;

	for (i = 0; i < 32; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return false;
	return !s[32] || (s[32] == '\n' && !s[33]);
}

/* Is there a valid machine id at etc/machine-id under dirfd (resolved
 * inside it: a symlink in UPPER can't point at a host file)? */
static bool has_machine_id(int dirfd)
{
	char buf[64];
	int fd = open_in_root(dirfd, "/etc/machine-id", O_RDONLY | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return distro_machine_id_valid(buf);
}

static int random_bytes(unsigned char *b, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(b, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* /etc/machine-id belongs to the subhost: what UPPER holds is kept; else a
 * new one goes into UPPER (through the overlay on LIVE), so a tree used as
 * a lower layer by several subhosts gives each its own id.  Without it
 * systemd makes a new transient id at every boot (journal files pile up
 * under ever new directories) and dbus has none. */
static int machine_id(int rootfd, const struct sh_config *cfg, struct sh_err *err)
{
	_cleanup_close_ int upper = -1, etc = -1, fd = -1;
	unsigned char b[16];
	char id[34];
	int r;

	upper = open(cfg->bind_root ? cfg->live : cfg->upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (upper < 0)
		return err_sys(err, errno, "open %s", cfg->bind_root ? cfg->live : cfg->upper);
	if (has_machine_id(upper))
		return 0;
	r = random_bytes(b, sizeof b);
	if (r < 0)
		return err_sys(err, -r, "make a machine id: getrandom");
	for (size_t i = 0; i < sizeof b; i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
	id[32] = '\n';
	id[33] = '\0';
	etc = mkdir_in_root(rootfd, "/etc", false, err);
	if (etc < 0)
		return etc;
	/* A symlink or a whiteout-backed file there is replaced, never followed. */
	fd = openat(etc, "machine-id", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0 && (errno == ELOOP || errno == ENXIO || errno == ENODEV)) {
		if (unlinkat(etc, "machine-id", 0) < 0)
			return err_sys(err, errno, "replace /etc/machine-id");
		fd = openat(etc, "machine-id", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			    0444);
	}
	if (fd < 0)
		return err_sys(err, errno, "create /etc/machine-id");
	if (write(fd, id, 33) != 33)
		return err_sys(err, errno ? errno : EIO, "write /etc/machine-id");
	if (fchmod(fd, 0444) < 0)
		return err_sys(err, errno, "chmod /etc/machine-id");
	return 0;
}

int distro_prepare(int rootfd, const struct sh_config *cfg, bool own_cgroup, struct sh_err *err)
{
	bool real_init = cfg->init_mode == INIT_EXEC;
	int r;

	if (own_cgroup) {
		r = mount_cgroup(rootfd, real_init, err);
		if (r < 0)
			return r;
	}
	if (real_init) {
		r = mount_tmp(rootfd, err);
		if (r < 0)
			return r;
	}
	if (cfg->init_mode != INIT_SERVICES) {
		r = machine_id(rootfd, cfg, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int distro_boot_id(struct sh_err *err)
{
	_cleanup_close_ int fd = -1, mfd = -1;
	unsigned char b[16];
	char id[40];
	int r;

	if (access(BOOT_ID_PATH, F_OK) < 0)
		return 0;       /* no CONFIG_SYSCTL: nothing to cover */
	r = random_bytes(b, sizeof b);
	if (r < 0)
		return err_sys(err, -r, "make a boot id: getrandom");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);      /* a version 4 UUID, like the kernel's */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(id, sizeof id, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	/* The file lives on /dev's tmpfs only until it is bound: the mount
	 * keeps the inode, the name goes. */
	fd = open(BOOT_ID_SOURCE, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0)
		return err_sys(err, errno, "create %s", BOOT_ID_SOURCE);
	if (write(fd, id, strlen(id)) != (ssize_t)strlen(id))
		return err_sys(err, errno ? errno : EIO, "write %s", BOOT_ID_SOURCE);
	mfd = mnt_clone(AT_FDCWD, BOOT_ID_SOURCE, false,
			MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			BOOT_ID_PATH, err);
	if (mfd >= 0)
		r = mnt_attach(mfd, AT_FDCWD, BOOT_ID_PATH, BOOT_ID_PATH, err);
	else
		r = mfd;
	if (unlink(BOOT_ID_SOURCE) < 0 && r == 0)
		r = err_sys(err, errno, "remove %s", BOOT_ID_SOURCE);
	return r;
}

/* ---- readiness ------------------------------------------------------------ */

int distro_notify_socket(struct sh_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	if (mkdir("/run/host", 0755) < 0 && errno != EEXIST)
		return err_sys(err, errno, "mkdir /run/host");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_sys(err, errno, "notify socket");
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", DISTRO_NOTIFY_PATH);
	unlink(DISTRO_NOTIFY_PATH);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return err_sys(err, errno, "bind %s", DISTRO_NOTIFY_PATH);
	/* root's pid 1 only: nothing else inside has a say in readiness */
	if (chmod(DISTRO_NOTIFY_PATH, 0600) < 0)
		return err_sys(err, errno, "chmod %s", DISTRO_NOTIFY_PATH);
	return TAKE_FD(fd);
}

bool distro_notify_ready(const char *msg)
{
	for (const char *l = msg; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (str_startswith(l, "READY=1") && (l[7] == '\n' || l[7] == '\0'))
			return true;
	return false;
}

bool distro_exe_base(pid_t pid, char *base, size_t size)
{
	char link[64], exe[4096];
	const char *b;
	ssize_t n;

	snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof exe - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	if (n > 10 && !strcmp(exe + n - 10, " (deleted)"))
		exe[n - 10] = '\0';
	b = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
	snprintf(base, size, "%s", b);
	return true;
}

/* ---- power off ------------------------------------------------------------ */

int distro_stop_method(const struct sh_config *cfg, const char *exe_base)
{
	if (cfg->stop_signal)
		return cfg->stop_signal;
	if (cfg->init_mode != INIT_EXEC || !exe_base)
		return SIGTERM;         /* subhost-init: SIGTERM is power off */
	/* systemd: SIGTERM would make it re-execute itself; SIGRTMIN+4 starts
	 * poweroff.target (systemd(1), "Signals"). */
	if (!strcmp(exe_base, "systemd"))
		return SIGRTMIN + 4;
	/* sysvinit ignores SIGTERM and runs inittab's powerfail entries on
	 * SIGPWR, which Debian's inittab points at a script it doesn't ship;
	 * telinit 0 through the FIFO is what it understands. */
	if (!strcmp(exe_base, "init"))
		return SH_STOP_INITCTL;
	return SIGTERM;
}

/* telinit 0 from the outside: INIT_HALT=POWEROFF then runlevel 0, each one
 * 384-byte record (as sysvinit's own poweroff writes them). */
static int initctl_poweroff(pid_t pid)
{
	struct init_request req[2];
	char root[64];
	_cleanup_close_ int rootfd = -1, path = -1, fd = -1;
	struct stat st;

	snprintf(root, sizeof root, "/proc/%d/root", (int)pid);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	/* Resolved inside pid 1's root: whatever the subhost made of
	 * /run/initctl, it can't send us outside. */
	path = open_in_root(rootfd, "/run/initctl", O_PATH);
	if (path < 0)
		return path;
	/* Opened for writing only once it is known to be a FIFO: root inside
	 * could have put a device node there (opening some acts: a watchdog). */
	if (fstat(path, &st) < 0)
		return -errno;
	if (!S_ISFIFO(st.st_mode))
		return -EINVAL;
	snprintf(root, sizeof root, "/proc/self/fd/%d", path);
	fd = open(root, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(req, 0, sizeof req);
	req[0].magic = req[1].magic = INIT_REQ_MAGIC;
	req[0].cmd = INIT_CMD_SETENV;
	strcpy(req[0].i.data, "INIT_HALT=POWEROFF");
	req[1].cmd = INIT_CMD_RUNLVL;
	req[1].runlevel = '0';
	for (int i = 0; i < 2; i++)
		if (write(fd, &req[i], sizeof req[i]) != (ssize_t)sizeof req[i])
			return errno ? -errno : -EIO;
	return 0;
}

int distro_stop_request(const struct sh_config *cfg, pid_t pid, char *what, size_t whatlen)
{
	char exe[256];
	const char *base = distro_exe_base(pid, exe, sizeof exe) ? exe : NULL;
	int how, r;

	how = distro_stop_method(cfg, base);
	if (how == SH_STOP_INITCTL) {
		r = initctl_poweroff(pid);
		if (r == 0) {
			snprintf(what, whatlen, "runlevel 0 request on /run/initctl");
			return 0;
		}
		snprintf(what, whatlen, "/run/initctl: %s; SIGPWR", strerror(-r));
		how = SIGPWR;
	} else if (how >= SIGRTMIN) {
		snprintf(what, whatlen, "SIGRTMIN+%d", how - SIGRTMIN);
	} else {
		const char *abbrev = sigabbrev_np(how);
		snprintf(what, whatlen, "SIG%s", abbrev ? abbrev : "?");
	}
	if (base) {
		size_t l = strlen(what);
		snprintf(what + l, whatlen - l, " (pid 1 runs %s)", base);
	}
	if (kill(pid, how) < 0)
		return -errno;
	return 0;
}
