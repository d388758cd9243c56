/* mount.c - new mount API helpers. */
#include "mount.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

/* Append the kernel's own explanation, if the fs context holds one. */
static void fs_context_msg(int fsfd, struct sh_err *err)
{
	char buf[512];
	ssize_t n;

	if (!err)
		return;
	while ((n = read(fsfd, buf, sizeof buf - 1)) > 0) {
		size_t len = strlen(err->msg);
		buf[n] = '\0';
		if (n > 2 && buf[1] == ' ')     /* "e msg", "w msg", "i msg" */
			snprintf(err->msg + len, sizeof err->msg - len, " (%s)", buf + 2);
	}
}

int mnt_new(const char *fstype, const char *source, const struct mnt_opt *opts,
	    size_t nopts, unsigned attrs, const char *what, struct sh_err *err)
{
	_cleanup_close_ int fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
	int mfd, r;
	size_t i;

	if (fsfd < 0)
		return err_sys(err, errno, "mount %s: fsopen %s", what, fstype);
	if (source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return err_sys(err, errno, "mount %s: source %s", what, source);
	for (i = 0; i < nopts; i++) {
		if (opts[i].value)
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, opts[i].key, opts[i].value, 0);
		else
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opts[i].key, NULL, 0);
		if (r < 0) {
			r = err_sys(err, errno, "mount %s: option %s%s%s", what, opts[i].key,
				    opts[i].value ? "=" : "", opts[i].value ? opts[i].value : "");
			fs_context_msg(fsfd, err);
			return r;
		}
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		r = err_sys(err, errno, "mount %s", what);
		fs_context_msg(fsfd, err);
		return r;
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mfd < 0) {
		r = err_sys(err, errno, "mount %s: fsmount", what);
		fs_context_msg(fsfd, err);
		return r;
	}
	return mfd;
}

int mnt_clone(int dirfd, const char *path, bool rec, unsigned attrs,
	      const char *what, struct sh_err *err)
{
	_cleanup_close_ int mfd = -1;
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0);

	mfd = open_tree(dirfd, path, flags | (*path ? 0 : AT_EMPTY_PATH));
	if (mfd < 0)
		return err_sys(err, errno, "bind %s: open %s", what, path);
	if (attrs) {
		struct mount_attr ma = { .attr_set = attrs };
		if (mount_setattr(mfd, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0),
				  &ma, sizeof ma) < 0)
			return err_sys(err, errno, "bind %s: set attributes", what);
	}
	return TAKE_FD(mfd);
}

int mnt_idmap(int mfd, int userns_fd, const char *what, struct sh_err *err)
{
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };

	if (mount_setattr(mfd, "", AT_EMPTY_PATH, &ma, sizeof ma) < 0)
		return err_sys(err, errno, "idmap %s", what);
	return 0;
}

int mnt_attach(int mfd, int dirfd, const char *path, const char *what, struct sh_err *err)
{
	unsigned flags = MOVE_MOUNT_F_EMPTY_PATH | (*path ? 0 : MOVE_MOUNT_T_EMPTY_PATH);

	if (move_mount(mfd, "", dirfd, path, flags) < 0)
		return err_sys(err, errno, "attach %s", what);
	return 0;
}

int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	while (*path == '/')
		path++;
	fd = (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof how);
	return fd < 0 ? -errno : fd;
}

int mkdir_in_root(int rootfd, const char *path, bool as_file, struct sh_err *err)
{
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_close_ int cur = -1;
	char *save = NULL, *comp, *next;

	cur = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
	if (cur < 0)
		return err_sys(err, -cur, "open the subhost root");
	for (comp = strtok_r(copy, "/", &save); comp; comp = next) {
		int fd;

		next = strtok_r(NULL, "/", &save);
		if (!strcmp(comp, "..") || !strcmp(comp, "."))
			return err_cfg(err, "%s: '.' and '..' are not allowed", path);
		if (!next && as_file) {
			fd = openat(cur, comp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd < 0 && errno != EISDIR)
				return err_sys(err, errno, "create %s", path);
			if (fd >= 0)
				close(fd);
			fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		} else {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
				return err_sys(err, errno, "create %s", path);
			/* Never follow a symlink planted inside the subhost. */
			fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0)
			return err_sys(err, errno, "open %s", path);
		close(cur);
		cur = fd;
	}
	return TAKE_FD(cur);
}

int mntns_stage(int *host, int *cwd, struct sh_err *err)
{
	_cleanup_close_ int h = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int d = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (h < 0 || d < 0)
		return err_sys(err, errno, "open the current mount namespace");
	if (unshare(CLONE_NEWNS) < 0)
		return err_sys(err, errno, "new mount namespace for commands");
	/* A copy of shared mounts would still propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		int e = errno;

		if (setns(h, CLONE_NEWNS) < 0 || fchdir(d) < 0) {
			/* nothing better to do: the caller fails anyway */
		}
		return err_sys(err, e, "make the commands' mount namespace a slave");
	}
	*host = TAKE_FD(h);
	*cwd = TAKE_FD(d);
	return 0;
}

int mntns_return(int host, int cwd, struct sh_err *err)
{
	_cleanup_close_ int h = host, d = cwd, staged = -1;

	staged = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (staged < 0)
		return err_sys(err, errno, "open the commands' mount namespace");
	/* setns() also moves the root and cwd to the namespace's root */
	if (setns(h, CLONE_NEWNS) < 0)
		return err_sys(err, errno, "return to the host's mount namespace");
	if (fchdir(d) < 0)
		return err_sys(err, errno, "return to the working directory");
	if (staged <= 2) {
		int fd = fcntl(staged, F_DUPFD_CLOEXEC, 3);

		if (fd < 0)
			return err_sys(err, errno, "dup");
		close(staged);
		staged = fd;
	}
	return TAKE_FD(staged);
}
