/* cgroup.c - create, join, kill and remove a subhost's cgroup2 group. */
#include "cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <time.h>

static bool is_cgroup2(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

const char *cgroup2_root(void)
{
	static const char *root;
	static bool probed;

	if (!probed) {
		const char *env = getenv("SUBHOST_CGROUP_ROOT");
		if (env && *env == '/' && is_cgroup2(env))
			root = env;
		else if (is_cgroup2("/sys/fs/cgroup"))
			root = "/sys/fs/cgroup";
		else if (is_cgroup2("/sys/fs/cgroup/unified"))
			root = "/sys/fs/cgroup/unified";    /* hybrid layout */
		probed = true;
	}
	return root;
}

char *cgroup_path(const char *name)
{
	const char *root = cgroup2_root();
	return root ? xasprintf("%s/subhost/%s", root, name) : NULL;
}

/* How deep groups may nest below a subhost's own (systemd uses ~4). */
#define CGROUP_DEPTH_MAX 32

int cgroup_create(const char *name, char **path, struct sh_err *err)
{
	_cleanup_free_ char *parent = NULL;
	char *p = cgroup_path(name);
	int fd;

	*path = NULL;
	if (!p)
		return -ENOENT;
	parent = xasprintf("%s/subhost", cgroup2_root());
	if (mkdir(parent, 0755) < 0 && errno != EEXIST) {
		int e = errno;
		free(p);
		return err_sys(err, e, "create cgroup %s", parent);
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		int e = errno;
		err_sys(err, e, "create cgroup %s", p);
		free(p);
		return -e;
	}
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		err_sys(err, e, "open cgroup %s", p);
		rmdir(p);
		free(p);
		return -e;
	}
	{
		/* Bounds what an init inside (or a delegated root) can nest, so
		 * that remove_children() reaches every level at teardown. */
		_cleanup_free_ char *depth = path_join(p, "cgroup.max.depth");
		char want[16];

		snprintf(want, sizeof want, "%d", CGROUP_DEPTH_MAX);
		if (write_file(depth, want) < 0 && errno != ENOENT) {
			/* old kernels lack it; not worth failing a boot */
		}
	}
	*path = p;
	return fd;
}

int cgroup_kill(const char *path)
{
	_cleanup_free_ char *k = path_join(path, "cgroup.kill");
	_cleanup_free_ char *procs = path_join(path, "cgroup.procs");
	char buf[65536], *s, *save = NULL;
	int r;

	if (write_file(k, "1") == 0)
		return 0;
	/* Kernels before 5.14: signal each member. */
	r = read_file(procs, buf, sizeof buf);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (s = strtok_r(buf, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
		kill(atoi(s), SIGKILL);
	return 0;
}

int cgroup_nprocs(const char *path)
{
	_cleanup_free_ char *procs = path_join(path, "cgroup.procs");
	char buf[65536];
	int r, n = 0;

	r = read_file(procs, buf, sizeof buf);
	if (r < 0)
		return r;
	for (char *s = buf; *s; s++)
		n += *s == '\n';
	return n;
}

/* rmdir the groups below dirfd, deepest first: an init inside (systemd)
 * makes its own tree under the subhost's group and leaves some of it
 * behind (init.scope at least), and a group with children can't go. */
static void remove_children(int dirfd, int depth)
{
	DIR *d;
	struct dirent *e;
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		int sub;

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		if (depth <= CGROUP_DEPTH_MAX)
			remove_children(sub, depth + 1);
		close(sub);
		unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

int cgroup_remove(const char *path)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	if (!path || !*path)
		return 0;
	for (i = 0; i < 2000; i++) {
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (fd >= 0) {
			remove_children(fd, 0);
			close(fd);
		}
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		/* Members left once pid 1 is gone are dying with its pid
		 * namespace (`subhost go` commands among them; their relays
		 * on the host are not members and report the end).  Give
		 * them a moment before killing. */
		if (i >= 200 && i % 100 == 0)
			cgroup_kill(path);
		nanosleep(&ts, NULL);
	}
	return -EBUSY;
}

int cgroup_join(const char *path, pid_t pid)
{
	_cleanup_free_ char *procs = path_join(path, "cgroup.procs");
	char buf[32];

	snprintf(buf, sizeof buf, "%d", (int)pid);
	return write_file(procs, buf);
}

int cgroup_delegate(const char *path, uid_t uid, gid_t gid, struct sh_err *err)
{
	char list[1024] = "cgroup.procs\ncgroup.threads\ncgroup.subtree_control\n";
	_cleanup_close_ int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *save = NULL;

	if (dir < 0 || fchown(dir, uid, gid) < 0)
		return err_sys(err, errno, "delegate cgroup %s to %u:%u", path, (unsigned)uid,
			       (unsigned)gid);
	/* Kernels before 4.15 have no list: the three of cgroup-v2.rst. */
	read_file("/sys/kernel/cgroup/delegate", list, sizeof list);
	for (char *f = strtok_r(list, "\n", &save); f; f = strtok_r(NULL, "\n", &save)) {
		if (fchownat(dir, f, uid, gid, 0) < 0 && errno != ENOENT)
			return err_sys(err, errno, "delegate cgroup %s: chown %s", path, f);
	}
	return 0;
}
