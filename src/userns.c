/* userns.c - the subhost's user namespace (IDMAP); see userns.h. */
#include "userns.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include "rootfs.h"

#define TTY_GROUP 5     /* Debian's tty group, as devfs.c */
#define DISK_GROUP 6    /* Debian's disk group, as disk.c */

int userns_config(const struct sh_config *cfg, struct idmap *m, struct sh_err *err)
{
	_cleanup_free_ char *where = NULL;
	int r;

	if (!cfg->idmap)
		return 0;
	where = xasprintf("%s:%d", cfg->path, config_key_line(cfg, "IDMAP"));
	r = idmap_parse(cfg->idmap, where, m, err);
	return r < 0 ? r : 1;
}

void userns_ids(const struct idmap *m, struct userns *u)
{
	u->fd = -1;
	u->uid = idmap_to_host(m->uid, m->nuid, 0);
	u->gid = idmap_to_host(m->gid, m->ngid, 0);
	u->tty_gid = idmap_to_host(m->gid, m->ngid, TTY_GROUP);
	u->disk_gid = idmap_to_host(m->gid, m->ngid, DISK_GROUP);
}

static int write_map(pid_t pid, const char *file, const struct idmap_extent *v, size_t n,
		     struct sh_err *err)
{
	char path[64], text[IDMAP_TEXT_MAX];
	_cleanup_close_ int fd = -1;
	int len = idmap_format(v, n, text, sizeof text);

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	if (len < 0)
		return err_sys(err, -len, "write %s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, errno, "open the user namespace's %s", file);
	/* one write: the kernel takes a map only whole */
	errno = 0;
	if (write(fd, text, (size_t)len) != len)
		return err_sys(err, errno ? errno : EIO, "write the user namespace's %s", file);
	return 0;
}

int userns_create(const struct idmap *m, struct userns *u, int *netns_fd, struct sh_err *err)
{
	_cleanup_close_ int ufd = -1, nfd = -1;
	char path[64];
	int p[2], r = 0;
	pid_t pid;

	userns_ids(m, u);
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(err, errno, "pipe");
	/* The helper only holds the namespaces open while we map and open
	 * them; it runs nothing else. */
	pid = clone3_into(CLONE_NEWUSER | CLONE_NEWNET, -1, NULL);
	if (pid < 0) {
		r = err_sys(err, errno, "create the user namespace (clone3 CLONE_NEWUSER)");
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		char c;
		close(p[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	if ((r = write_map(pid, "uid_map", m->uid, m->nuid, err)) == 0 &&
	    (r = write_map(pid, "gid_map", m->gid, m->ngid, err)) == 0) {
		snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
		ufd = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
		nfd = open(path, O_RDONLY | O_CLOEXEC);
		if (ufd < 0 || nfd < 0)
			r = err_sys(err, errno, "open the new namespaces");
	}
	close(p[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	u->fd = TAKE_FD(ufd);
	*netns_fd = TAKE_FD(nfd);
	return 0;
}

/* ---- UPPER and WORK ------------------------------------------------------ */

/* An empty directory: nothing but "." and "..". */
static int dir_empty(int fd)
{
	_cleanup_close_ int dup = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
	struct dirent *de;
	int empty = 1;

	if (!d)
		return -errno;
	dup = -1;       /* the DIR owns it */
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

static int own_dir(const char *key, const char *path, const struct userns *u, bool if_empty,
		   struct sh_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int empty;

	if (fd < 0 || fstat(fd, &st) < 0)
		return err_sys(err, errno, "%s %s", key, path);
	if (st.st_uid == u->uid && st.st_gid == u->gid)
		return 0;
	if (if_empty && st.st_uid != u->uid) {
		empty = dir_empty(fd);
		if (empty < 0)
			return err_sys(err, -empty, "read %s %s", key, path);
		if (!empty)
			return err_msg(err, EXIT_FAIL, EPERM, "IDMAP: %s %s is owned by %u:%u, not by "
				       "root inside (%u:%u): it was used without IDMAP or with another "
				       "map, and root inside could not change its files. Shift the "
				       "owner of every file in it by the map (e.g. 0 -> %u), or start "
				       "from an empty %s", key, path, (unsigned)st.st_uid,
				       (unsigned)st.st_gid, (unsigned)u->uid, (unsigned)u->gid,
				       (unsigned)u->uid, key);
	}
	/* The directory of a new subhost, or UPPER's group only: ours. */
	if (fchown(fd, u->uid, u->gid) < 0)
		return err_sys(err, errno, "IDMAP: hand %s %s to root inside (%u:%u)", key, path,
			       (unsigned)u->uid, (unsigned)u->gid);
	return 0;
}

int userns_prepare_layers(const struct sh_config *cfg, const struct userns *u,
			  struct sh_err *err)
{
	int r = own_dir("UPPER", cfg->upper, u, true, err);

	/* WORK's top only: overlayfs makes what it needs in it itself */
	if (r == 0 && !cfg->bind_root)
		r = own_dir("WORK", cfg->work, u, false, err);
	return r;
}

/* ---- starting pid 1 ------------------------------------------------------ */

#define CHILD_NS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | \
		  CLONE_NEWCGROUP | CLONE_NEWTIME)

/* The launcher: host root until the root is assembled, then root inside. */
static void launcher(const struct userns_launch *l, pid_t parent, int out) __attribute__((noreturn));
static void launcher(const struct userns_launch *l, pid_t parent, int out)
{
	struct clone_args ca;
	struct sh_err err = { 0 };
	char buf[32];
	pid_t pid;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(EXIT_FAIL);
	umask(0);
	/* A mount namespace of the host's user namespace: what is mounted
	 * here is copied, locked, into pid 1's.  A cgroup namespace rooted
	 * at the subhost's group (we were born in it): a cgroup2 mounted for
	 * a real init shows that group, not the host's tree. */
	if (unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0) {
		err_sys(&err, errno, "create mount and cgroup namespaces");
		child_report_fail(out, &err);
	}
	/* sysfs shows the netns of its mounter, and only a netns owned by
	 * the user namespace lets root inside mount one itself */
	if (setns(l->netns_fd, CLONE_NEWNET) < 0) {
		err_sys(&err, errno, "join the network namespace");
		child_report_fail(out, &err);
	}
	if (rootfs_assemble(l->plan, &err) < 0)
		child_report_fail(out, &err);
	/* pid 1 starts in the root: the clone moves the working directory
	 * into its copy of the mount table, and no path (whose directories
	 * root inside may not search) is resolved again */
	if (chdir(l->plan->cfg->live) < 0) {
		err_sys(&err, errno, "enter %s", l->plan->cfg->live);
		child_report_fail(out, &err);
	}
	/* Root inside from here on: capabilities only in the user namespace. */
	if (setns(l->u->fd, CLONE_NEWUSER) < 0 || setresgid(0, 0, 0) < 0 ||
	    setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0) {
		err_sys(&err, errno, "become root in the user namespace");
		child_report_fail(out, &err);
	}
	/* pid 1 is the supervisor's child (CLONE_PARENT: it waits for it
	 * with a pidfd and gets its exit status), not ours. */
	memset(&ca, 0, sizeof ca);
	ca.flags = CHILD_NS | CLONE_PARENT;
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0) {
		err_sys(&err, errno, "create the subhost's namespaces (clone3)");
		child_report_fail(out, &err);
	}
	if (pid == 0) {
		close(out);
		l->child(l->arg);
		_exit(EXIT_FAIL);
	}
	snprintf(buf, sizeof buf, "PID %d", (int)pid);
	if (write(out, buf, strlen(buf)) < 0)
		_exit(EXIT_FAIL);
	_exit(0);
}

int userns_launch(const struct userns_launch *l, pid_t *pid, int *pidfd, struct sh_err *err)
{
	char buf[1200];
	int p[2], lfd = -1, r;
	pid_t lpid, parent = getpid();
	siginfo_t si;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(err, errno, "pipe");
	/* born in the subhost's cgroup: so is pid 1 */
	lpid = clone3_into(0, l->cgroup_fd, &lfd);
	if (lpid < 0) {
		r = err_sys(err, errno, "start the launcher of pid 1 (clone3)");
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (lpid == 0) {
		close(p[0]);
		launcher(l, parent, p[1]);
	}
	close(p[1]);
	/* The launcher runs PREMOUNT and POSTMOUNT: bounded like a boot. */
	for (;;) {
		struct pollfd pf = { .fd = lfd, .events = POLLIN };
		int pr = poll(&pf, 1, l->timeout_ms > 0 ? l->timeout_ms : -1);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			kill(lpid, SIGKILL);
			r = err_msg(err, EXIT_FAIL, ETIMEDOUT, "the root was not assembled after %d s "
				    "(a PREMOUNT or POSTMOUNT hook still running?)",
				    l->timeout_ms / 1000);
			waitid((idtype_t)P_PIDFD, (id_t)lfd, &si, WEXITED);
			close(lfd);
			close(p[0]);
			return r;
		}
		break;
	}
	memset(&si, 0, sizeof si);
	while (waitid((idtype_t)P_PIDFD, (id_t)lfd, &si, WEXITED) < 0 && errno == EINTR)
		;
	close(lfd);
	/* Its last word is in the pipe already (pid 1 holds a copy of the
	 * write end until it executes: read what is there, not to the end). */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	if (str_startswith(buf, "ERR ")) {
		char *msg = NULL;
		int st = (int)strtol(buf + 4, &msg, 10);
		return err_msg(err, st ? st : EXIT_FAIL, 0, "%s", msg && *msg ? msg + 1 : buf);
	}
	if (!str_startswith(buf, "PID ") || si.si_code != CLD_EXITED || si.si_status != 0)
		return err_msg(err, EXIT_FAIL, 0, "the launcher of pid 1 ended without a word "
			       "(status %d)", si.si_status);
	*pid = (pid_t)atoi(buf + 4);
	/* our child (CLONE_PARENT), so the pid can't have been reused */
	*pidfd = (int)syscall(SYS_pidfd_open, *pid, 0);
	if (*pid <= 0 || *pidfd < 0)
		return err_sys(err, errno, "open pid 1 (%d)", (int)*pid);
	return 0;
}
