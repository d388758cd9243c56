/* util.c - error reporting, allocation, strings, files and processes. */
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <signal.h>

const char *prog_name = "subhost";

static void vfill(struct sh_err *err, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void vfill(struct sh_err *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

int err_sys(struct sh_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (errnum <= 0)
		errnum = errnum < 0 ? -errnum : EIO;
	if (!err)
		return -errnum;
	va_start(ap, fmt);
	vfill(err, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof err->msg - len, ": %s", strerror(errnum));
	err->num = errnum;
	err->status = EXIT_FAIL;
	return -errnum;
}

int err_cfg(struct sh_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EINVAL;
	va_start(ap, fmt);
	vfill(err, fmt, ap);
	va_end(ap);
	err->num = EINVAL;
	err->status = EXIT_USAGE;
	return -EINVAL;
}

int err_msg(struct sh_err *err, int status, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (errnum < 0)
		errnum = -errnum;
	if (!err)
		return errnum ? -errnum : -EINVAL;
	va_start(ap, fmt);
	vfill(err, fmt, ap);
	va_end(ap);
	err->num = errnum;
	err->status = status;
	return errnum ? -errnum : -EINVAL;
}

void err_prefix(struct sh_err *err, const char *fmt, ...)
{
	char pre[512], old[sizeof err->msg];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	snprintf(err->msg, sizeof err->msg, "%.400s: %.600s", pre, old);
}

void report_err(const char *name, const struct sh_err *err)
{
	if (name && *name)
		fprintf(stderr, "%s: %s: %s\n", prog_name, name, err->msg);
	else
		fprintf(stderr, "%s: %s\n", prog_name, err->msg);
}

void warnx_name(const char *name, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (name && *name)
		fprintf(stderr, "%s: %s: %s\n", prog_name, name, buf);
	else
		fprintf(stderr, "%s: %s\n", prog_name, buf);
}

void child_report_fail(int fd, const struct sh_err *err)
{
	char buf[1200];
	int n = snprintf(buf, sizeof buf, "ERR %d %s", err->status ? err->status : EXIT_FAIL,
			 err->msg);

	if (write(fd, buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1)) < 0) {
		/* the parent sees us exit 1 */
	}
	_exit(EXIT_FAIL);
}

void cleanup_freep(void *p)
{
	free(*(void **)p);
}

void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static void oom(void)
{
	fputs("subhost: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return s;
}

char *str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

bool str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_endswith(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (!*b)
		return xasprintf("%.*s", (int)la, a);
	if (la == 1 && a[0] == '/')
		return xasprintf("/%s", b);
	return xasprintf("%.*s/%s", (int)la, a, b);
}

ssize_t read_full(int fd, void *buf, size_t size)
{
	size_t off = 0;

	while (off < size) {
		ssize_t n = read(fd, (char *)buf + off, size - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	return (ssize_t)off;
}

int read_file_at(int dirfd, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read_full(fd, buf, size - 1);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	return (int)n;
}

int read_file(const char *path, char *buf, size_t size)
{
	return read_file_at(AT_FDCWD, path, buf, size);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file(const char *path, const char *data)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return write_all(fd, data, strlen(data));
}

int write_file_atomic(const char *path, const char *data, mode_t mode)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	int fd, r;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, strlen(data));
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = xstrdup(path);
	char *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int remove_entries(int dfd, dev_t dev, unsigned long long *bytes)
{
	DIR *d;
	struct dirent *e;
	int r = 0, fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = r ? r : -errno;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub, rr;

			if (st.st_dev != dev) {         /* a mount: not ours to empty */
				r = r ? r : -EBUSY;
				continue;
			}
			sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				r = r ? r : -errno;
				continue;
			}
			rr = remove_entries(sub, dev, bytes);
			close(sub);
			if (rr < 0) {
				r = r ? r : rr;
				continue;
			}
			if (unlinkat(dfd, e->d_name, AT_REMOVEDIR) < 0)
				r = r ? r : -errno;
		} else {
			if (unlinkat(dfd, e->d_name, 0) < 0)
				r = r ? r : -errno;
			else if (bytes && S_ISREG(st.st_mode))
				*bytes += (unsigned long long)st.st_size;
		}
	}
	closedir(d);
	return r;
}

int remove_tree(const char *path, unsigned long long *bytes)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0) {
		if (errno != ENOTDIR && errno != ELOOP)
			return errno == ENOENT ? 0 : -errno;
		if (lstat(path, &st) == 0 && bytes && S_ISREG(st.st_mode))
			*bytes += (unsigned long long)st.st_size;
		return unlink(path) < 0 ? -errno : 0;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	r = remove_entries(fd, st.st_dev, bytes);
	if (r < 0)
		return r;
	return rmdir(path) < 0 ? -errno : 0;
}

pid_t clone3_into(unsigned long long flags, int cgroup_fd, int *pidfd)
{
	struct clone_args ca;

	memset(&ca, 0, sizeof ca);
	ca.flags = flags;
	ca.exit_signal = SIGCHLD;
	if (pidfd) {
		ca.flags |= CLONE_PIDFD;
		ca.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	if (cgroup_fd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_fd;
	}
	return (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
}

void raise_nofile_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			/* the walk reports EMFILE where it happens */
		}
	}
}

int close_fds_except(const int *keep, size_t nkeep)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		int fd;
		size_t i;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		fd = atoi(e->d_name);
		if (fd <= 2 || fd == dirfd(d))
			continue;
		for (i = 0; i < nkeep && keep[i] != fd; i++)
			;
		if (i == nkeep)
			close(fd);
	}
	closedir(d);
	return 0;
}

unsigned long long proc_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	int i;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof buf) < 0)
		return 0;
	/* comm may contain spaces and parentheses: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (i = 3; i <= 22 && p; i++) {
		p = strchr(p + 1, ' ');
		if (i == 21 && p)
			start = strtoull(p + 1, NULL, 10);
	}
	return start;
}

bool proc_alive(pid_t pid, unsigned long long starttime)
{
	unsigned long long s = proc_starttime(pid);
	return s != 0 && s == starttime;
}

double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
