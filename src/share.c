/* share.c - live shares of host directories into running subhosts. */
#include "share.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "mount.h"
#include "state.h"

/* ---- the argument ----------------------------------------------------- */

/* Absolute and lexically clean ("//", "." removed); NULL if it has "..". */
static char *clean_abs(const char *base, const char *p)
{
	_cleanup_free_ char *joined = *p == '/' ? xstrdup(p) : path_join(base, p);
	char *out = xmalloc(strlen(joined) + 2), *o = out, *save = NULL;

	for (char *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			free(out);
			return NULL;
		}
		*o++ = '/';
		strcpy(o, c);
		o += strlen(c);
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

int share_parse(const char *arg, struct share_spec *s, struct sh_err *err)
{
	_cleanup_free_ char *v = xstrdup(arg);
	char cwd[PATH_MAX], *colon;
	size_t len = strlen(v);

	memset(s, 0, sizeof *s);
	if (len >= 3 && (!strcmp(v + len - 3, ":ro") || !strcmp(v + len - 3, ":rw"))) {
		s->ro = !strcmp(v + len - 3, ":ro");
		v[len - 3] = '\0';
	}
	colon = strchr(v, ':');
	if (colon)
		*colon = '\0';
	if (!*v || (colon && !colon[1]))
		return err_cfg(err, "%s: expected HOSTDIR or HOSTDIR:SUBDIR, optionally followed by :ro",
			       arg);
	if (!getcwd(cwd, sizeof cwd))
		strcpy(cwd, "/");
	/* The host path as given, made absolute; the clone resolves it. */
	s->hostdir = *v == '/' ? xstrdup(v) : path_join(cwd, v);
	/* overlay-boot's single-directory form: the same path inside. */
	s->subdir = clean_abs("/", colon ? colon + 1 : s->hostdir);
	if (!s->subdir) {
		share_spec_free(s);
		return err_cfg(err, "%s: SUBDIR contains \"..\": expected a path inside the subhost",
			       arg);
	}
	return 0;
}

void share_spec_free(struct share_spec *s)
{
	free(s->hostdir);
	free(s->subdir);
	memset(s, 0, sizeof *s);
}

/* ---- records ------------------------------------------------------------ */

void share_rec_free(struct share_rec *r)
{
	free(r->hostdir);
	free(r->subdir);
	memset(r, 0, sizeof *r);
}

void share_recs_free(struct share_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		share_rec_free(&v[i]);
	free(v);
}

/* Blanks, newlines and '\' as \ooo, so a path is one word of a line. */
static char *escape(const char *p)
{
	char *out = xmalloc(4 * strlen(p) + 1), *o = out;

	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == '\\' || c == 0x7f)
			o += sprintf(o, "\\%03o", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

static char *unescape(const char *p, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\' && i + 3 < len && p[i + 1] >= '0' && p[i + 1] <= '3' &&
		    p[i + 2] >= '0' && p[i + 2] <= '7' && p[i + 3] >= '0' && p[i + 3] <= '7') {
			*o++ = (char)((p[i + 1] - '0') * 64 + (p[i + 2] - '0') * 8 + (p[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = p[i];
		}
	}
	*o = '\0';
	return out;
}

char *share_rec_format(const struct share_rec *r)
{
	_cleanup_free_ char *h = escape(r->hostdir), *s = escape(r->subdir);

	return xasprintf("%d %u:%u %llu %s %s %s", r->mnt_id, r->dev_major, r->dev_minor,
			 r->ino, r->ro ? "ro" : "rw", h, s);
}

int share_rec_parse(const char *line, struct share_rec *r)
{
	char mode[3];
	int off = 0;
	const char *h, *sp;

	memset(r, 0, sizeof *r);
	if (sscanf(line, "%d %u:%u %llu %2s %n", &r->mnt_id, &r->dev_major, &r->dev_minor,
		   &r->ino, mode, &off) != 5 || off == 0 ||
	    (strcmp(mode, "ro") && strcmp(mode, "rw")))
		return -EINVAL;
	r->ro = !strcmp(mode, "ro");
	h = line + off;
	sp = strchr(h, ' ');
	if (!sp || sp == h || !sp[1] || strchr(sp + 1, ' '))
		return -EINVAL;
	r->hostdir = unescape(h, (size_t)(sp - h));
	r->subdir = unescape(sp + 1, strlen(sp + 1));
	return 0;
}

int share_records_lock(const char *name)
{
	_cleanup_free_ char *dir = state_dir(name);
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;

	if (dfd < 0)
		return -errno;
	/* Relative to the directory: if the subhost ended and its state
	 * directory went meanwhile, nothing is created anywhere. */
	fd = openat(dfd, "shares", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int share_records_load(int fd, struct share_rec **v, size_t *n)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	char *line, *save = NULL;

	*v = NULL;
	*n = 0;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (cap - len < 4096)
			buf = xrealloc(buf, cap += 8192);
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (!buf)
		return 0;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct share_rec r;

		if (share_rec_parse(line, &r) < 0)
			continue;       /* a torn line: ignore it */
		*v = xrealloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = r;
	}
	return 0;
}

int share_records_store(int fd, const struct share_rec *v, size_t n)
{
	_cleanup_free_ char *all = xstrdup("");
	size_t len, off = 0;

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *line = share_rec_format(&v[i]);
		char *next = xasprintf("%s%s\n", all, line);
		free(all);
		all = next;
	}
	len = strlen(all);
	if (ftruncate(fd, 0) < 0)
		return -errno;
	while (off < len) {
		ssize_t w = pwrite(fd, all + off, len - off, (off_t)off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)w;
	}
	return 0;
}

void share_records_prune(pid_t pid, struct share_rec *v, size_t *n)
{
	char path[64];
	_cleanup_free_ char *buf = xmalloc(1 << 20);
	size_t keep = 0;

	snprintf(path, sizeof path, "/proc/%d/mountinfo", (int)pid);
	if (read_file(path, buf, 1 << 20) < 0)
		return;         /* can't tell: keep them all */
	for (size_t i = 0; i < *n; i++) {
		char id[24];
		bool found;

		snprintf(id, sizeof id, "%d ", v[i].mnt_id);
		found = str_startswith(buf, id);
		for (char *p = strchr(buf, '\n'); p && !found; p = strchr(p + 1, '\n'))
			found = str_startswith(p + 1, id);
		if (found)
			v[keep++] = v[i];
		else
			share_rec_free(&v[i]);
	}
	*n = keep;
}

/* ---- inside the subhost ------------------------------------------------- */

struct child_ret {
	int r;
	struct sh_err err;
};

/* Run fn in a child that joined the mount namespace of pidfd's process;
 * its result and error come back through a pipe. */
static int in_subhost(int pidfd, int (*fn)(void *arg, struct sh_err *err), void *arg,
		      struct sh_err *err)
{
	struct child_ret ret = { .r = -EIO };
	ssize_t got = 0;
	int p[2], status;
	pid_t child;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(err, errno, "pipe");
	child = fork();
	if (child < 0) {
		close(p[0]);
		close(p[1]);
		return err_sys(err, errno, "fork");
	}
	if (child == 0) {
		struct child_ret cr = { 0 };

		close(p[0]);
		/* Nothing inside may trace this process, which holds host
		 * descriptors. */
		prctl(PR_SET_DUMPABLE, 0);
		if (setns(pidfd, CLONE_NEWNS) < 0)
			cr.r = err_sys(&cr.err, errno, "join the subhost's mount namespace");
		else
			cr.r = fn(arg, &cr.err);
		if (write(p[1], &cr, sizeof cr) != (ssize_t)sizeof cr)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	while (got < (ssize_t)sizeof ret) {
		ssize_t n = read(p[0], (char *)&ret + got, sizeof ret - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(p[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (got != (ssize_t)sizeof ret)
		return err_sys(err, EIO, "the helper in the subhost ended without a result");
	if (ret.r < 0)
		*err = ret.err;
	return ret.r;
}

/* SUBDIR inside the subhost's root: its symlinks followed but kept inside
 * (RESOLVE_IN_ROOT); what is missing is created, without following a
 * symlink.  Returns an O_PATH fd of a directory (or, !dir, of a file). */
static int resolve_target(int rootfd, const char *subdir, bool dir, struct sh_err *err)
{
	_cleanup_free_ char *parent = NULL;
	_cleanup_close_ int pfd = -1;
	const char *last;
	struct stat st;
	int fd;

	fd = open_in_root(rootfd, subdir, O_PATH);
	if (fd == -ENOENT && strcmp(subdir, "/")) {
		last = strrchr(subdir, '/') + 1;
		parent = last - 1 == subdir ? xstrdup("/")
			 : xasprintf("%.*s", (int)(last - 1 - subdir), subdir);
		pfd = resolve_target(rootfd, parent, true, err);
		if (pfd < 0)
			return pfd;
		if (dir) {
			if (mkdirat(pfd, last, 0755) < 0 && errno != EEXIST)
				return err_sys(err, errno, "create %s inside the subhost", subdir);
		} else {
			fd = openat(pfd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd < 0 && errno != EEXIST)
				return err_sys(err, errno, "create %s inside the subhost", subdir);
			if (fd >= 0)
				close(fd);
		}
		fd = openat(pfd, last, O_PATH | O_NOFOLLOW | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
		if (fd < 0) {
			struct stat ls;
			int e = errno;

			if (fstatat(pfd, last, &ls, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(ls.st_mode))
				return err_msg(err, EXIT_FAIL, ENOENT, "%s inside the subhost is a symlink "
					       "to nothing there", subdir);
			fd = -e;
		}
	}
	if (fd < 0)
		return err_sys(err, -fd, "%s inside the subhost", subdir);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return err_sys(err, errno, "%s inside the subhost", subdir);
	}
	if (dir != !!S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) {
		close(fd);
		return err_msg(err, EXIT_FAIL, dir ? ENOTDIR : EISDIR,
			       "%s inside the subhost is %s, HOSTDIR is %s", subdir,
			       S_ISLNK(st.st_mode) ? "a symlink to nothing" :
			       S_ISDIR(st.st_mode) ? "a directory" : "not a directory",
			       dir ? "a directory" : "a file");
	}
	return fd;
}

static bool is_mount_root(int fd, struct statx *sx)
{
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_MNT_ID, sx) < 0)
		return false;
	return sx->stx_attributes_mask & sx->stx_attributes & STATX_ATTR_MOUNT_ROOT;
}

struct add_arg {
	int rootfd, mfd;
	const char *subdir;
	bool dir;
};

static int add_in(void *a, struct sh_err *err)
{
	struct add_arg *arg = a;
	_cleanup_close_ int fd = resolve_target(arg->rootfd, arg->subdir, arg->dir, err);
	struct statx sx;

	if (fd < 0)
		return fd;
	/* The root itself (a symlink to "/" resolves there), /proc, /dev, or
	 * an earlier share: never cover a mount. */
	if (is_mount_root(fd, &sx))
		return err_msg(err, EXIT_FAIL, EBUSY, "%s inside the subhost is (or leads to) a mount "
			       "point: the root, a system mount or another share: choose another SUBDIR",
			       arg->subdir);
	return mnt_attach(arg->mfd, fd, "", arg->subdir, err);
}

/* pid 1's pidfd and root, after checking it is still the recorded one. */
static int open_pid1(pid_t pid, unsigned long long start, int *rootfd, struct sh_err *err)
{
	char path[64];
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	snprintf(path, sizeof path, "/proc/%d/root", (int)pid);
	*rootfd = pidfd < 0 ? -1 : open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* The pidfd pins the pid: the start time checked after opening the
	 * root proves the root is that of the subhost's pid 1. */
	if (pidfd < 0 || *rootfd < 0 || !proc_alive(pid, start)) {
		if (pidfd >= 0)
			close(pidfd);
		if (*rootfd >= 0)
			close(*rootfd);
		*rootfd = -1;
		return err_msg(err, EXIT_NOTRUNNING, ESRCH, "not running");
	}
	return pidfd;
}

int share_add(pid_t pid, unsigned long long start, const struct share_spec *s,
	      struct share_rec *rec, struct sh_err *err)
{
	_cleanup_close_ int pidfd = -1, rootfd = -1, mfd = -1;
	_cleanup_free_ char *what = xasprintf("%s on %s", s->hostdir, s->subdir);
	struct mount_attr ma = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (s->ro ? MOUNT_ATTR_RDONLY : 0),
		.propagation = MS_PRIVATE,
	};
	struct add_arg arg = { .subdir = s->subdir };
	struct stat st;
	struct statx sx;
	int r;

	if (stat(s->hostdir, &st) < 0)
		return err_msg(err, EXIT_USAGE, errno, "HOSTDIR %s: %s: expected an existing "
			       "directory or file", s->hostdir, strerror(errno));
	pidfd = open_pid1(pid, start, &rootfd, err);
	if (pidfd < 0)
		return pidfd;
	/* Recursive, like a SHARE at boot: what is mounted below HOSTDIR on
	 * the host shows too.  Every mount of the copy gets the attributes,
	 * and private propagation: the host's mounts are shared, and a copy
	 * in their peer group would carry mounts made inside back out. */
	mfd = mnt_clone(AT_FDCWD, s->hostdir, true, 0, what, err);
	if (mfd < 0)
		return mfd;
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma, sizeof ma) < 0)
		return err_sys(err, errno, "%s: set nosuid,nodev%s", what, s->ro ? ",ro" : "");
	arg.rootfd = rootfd;
	arg.mfd = mfd;
	arg.dir = S_ISDIR(st.st_mode);
	r = in_subhost(pidfd, add_in, &arg, err);
	if (r < 0)
		return r;
	if (statx(mfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &sx) < 0)
		return err_sys(err, errno, "%s: stat", what);
	*rec = (struct share_rec){
		.mnt_id = (int)sx.stx_mnt_id, .dev_major = sx.stx_dev_major,
		.dev_minor = sx.stx_dev_minor, .ino = sx.stx_ino, .ro = s->ro,
		.hostdir = xstrdup(s->hostdir), .subdir = xstrdup(s->subdir),
	};
	return 0;
}

struct rm_arg {
	int rootfd, procfd;
	const char *subdir;
	const struct share_rec *recs;
	size_t n;
};

static int rm_in(void *a, struct sh_err *err)
{
	struct rm_arg *arg = a;
	_cleanup_close_ int fd = open_in_root(arg->rootfd, arg->subdir, O_PATH);
	struct statx sx;
	char path[32];
	size_t i;

	if (fd < 0)
		return err_sys(err, -fd, "%s inside the subhost", arg->subdir);
	if (!is_mount_root(fd, &sx))
		return err_msg(err, EXIT_FAIL, EINVAL, "%s inside the subhost is not a mount point: "
			       "nothing is shared there", arg->subdir);
	for (i = 0; i < arg->n; i++) {
		const struct share_rec *r = &arg->recs[i];
		if ((unsigned long long)r->mnt_id == sx.stx_mnt_id && r->ino == sx.stx_ino &&
		    r->dev_major == sx.stx_dev_major && r->dev_minor == sx.stx_dev_minor)
			break;
	}
	if (i == arg->n)
		return err_msg(err, EXIT_FAIL, EINVAL, "%s inside the subhost is not a share made by "
			       "\"subhost share\" (a SHARE of the configuration stays until the "
			       "subhost stops)", arg->subdir);
	/* umount2() takes a path: the descriptor's own, through the host's
	 * /proc (the subhost's /proc has no "self" for this process).  It
	 * names exactly the mount that was checked. */
	snprintf(path, sizeof path, "self/fd/%d", fd);
	if (fchdir(arg->procfd) < 0)
		return err_sys(err, errno, "enter /proc");
	if (umount2(path, MNT_DETACH) < 0)
		return err_sys(err, errno, "detach the share on %s", arg->subdir);
	return (int)i;
}

int share_remove(pid_t pid, unsigned long long start, const char *subdir,
		 const struct share_rec *recs, size_t n, size_t *which, struct sh_err *err)
{
	_cleanup_close_ int pidfd = -1, rootfd = -1, procfd = -1;
	struct rm_arg arg = { .subdir = subdir, .recs = recs, .n = n };
	int r;

	pidfd = open_pid1(pid, start, &rootfd, err);
	if (pidfd < 0)
		return pidfd;
	procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return err_sys(err, errno, "open /proc");
	arg.rootfd = rootfd;
	arg.procfd = procfd;
	r = in_subhost(pidfd, rm_in, &arg, err);
	if (r < 0)
		return r;
	*which = (size_t)r;
	return 0;
}
