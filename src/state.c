/* state.c - /run/subhost/NAME: lock and state file. */
#include "state.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

const char *state_rundir(void)
{
	const char *d = getenv("SUBHOST_RUNDIR");
	return d && *d == '/' ? d : SH_RUNDIR_DEFAULT;
}

char *state_dir(const char *name)
{
	return xasprintf("%s/%s", state_rundir(), name);
}

/* Open and lock dir/lock; the inode check guards against a racing
 * state_remove() that unlinked the file we locked. */
static int lock_once(const char *name, int how, struct sh_err *err)
{
	_cleanup_free_ char *dir = state_dir(name);
	_cleanup_free_ char *path = path_join(dir, "lock");
	_cleanup_close_ int fd = -1;
	struct stat a, b;
	int r;

	r = mkdir_p(state_rundir(), 0700);
	if (r < 0)
		return err_sys(err, -r, "create %s", state_rundir());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_sys(err, errno, "create %s", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (errno == ENOENT)
			return -EAGAIN;         /* directory removed under us: retry */
		return err_sys(err, errno, "open %s", path);
	}
	if (flock(fd, how | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return -EBUSY;
		return err_sys(err, errno, "lock %s", path);
	}
	if (fstat(fd, &a) < 0)
		return err_sys(err, errno, "stat %s", path);
	if (stat(path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		return -EAGAIN;
	return TAKE_FD(fd);
}

int state_lock(const char *name, bool *was_stale, struct sh_err *err)
{
	_cleanup_free_ char *dir = state_dir(name);
	_cleanup_free_ char *sf = path_join(dir, "state");
	int i, fd = -EAGAIN;

	for (i = 0; i < 100 && fd == -EAGAIN; i++)
		fd = lock_once(name, LOCK_EX, err);
	if (fd == -EAGAIN)
		return err_sys(err, EAGAIN, "lock %s", dir);
	if (fd >= 0 && was_stale)
		*was_stale = access(sf, F_OK) == 0;
	return fd;
}

int state_probe(const char *name, int *stale_fd)
{
	_cleanup_free_ char *dir = state_dir(name);
	struct stat st;
	int fd;

	*stale_fd = -1;
	if (stat(dir, &st) < 0)
		return 0;
	fd = state_lock(name, NULL, NULL);
	if (fd == -EBUSY)
		return 1;
	if (fd < 0)
		return 0;
	*stale_fd = fd;
	return 2;
}

int state_write(const struct sh_state *st)
{
	_cleanup_free_ char *dir = state_dir(st->name);
	_cleanup_free_ char *path = path_join(dir, "state");
	_cleanup_free_ char *data = NULL;

	data = xasprintf("name=%s\nstatus=%s\nmode=%s\nsupervisor_pid=%d\nsupervisor_start=%llu\n"
			 "pid=%d\npid_start=%llu\nstarted=%lld\nboots=%u\nconf=%s\nbase=%s\n"
			 "live=%s\nupper=%s\nlower=%s\nlog=%s\ncgroup=%s\nhostname=%s\nncables=%u\n"
			 "init_fd=%d\ncaps_drop=%#llx\nseccomp=%s\n",
			 st->name, st->status ? st->status : "", st->mode ? st->mode : "boot",
			 (int)st->supervisor_pid, st->supervisor_start, (int)st->pid, st->pid_start,
			 st->started, st->boots, st->conf ? st->conf : "", st->base ? st->base : "",
			 st->live ? st->live : "", st->upper ? st->upper : "",
			 st->lower ? st->lower : "", st->log ? st->log : "",
			 st->cgroup ? st->cgroup : "", st->hostname ? st->hostname : "", st->ncables,
			 st->init_fd, st->caps_drop, st->seccomp ? st->seccomp : "");
	return write_file_atomic(path, data, 0600);
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

int state_read(const char *name, struct sh_state *st)
{
	_cleanup_free_ char *dir = state_dir(name);
	_cleanup_free_ char *path = path_join(dir, "state");
	char buf[8192], *line, *save = NULL;
	int r;

	memset(st, 0, sizeof *st);
	st->init_fd = -1;
	r = read_file(path, buf, sizeof buf);
	if (r < 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		const char *k = line, *v;

		if (!eq)
			continue;
		*eq = '\0';
		v = eq + 1;
		if (!strcmp(k, "name")) set_str(&st->name, v);
		else if (!strcmp(k, "status")) set_str(&st->status, v);
		else if (!strcmp(k, "mode")) set_str(&st->mode, v);
		else if (!strcmp(k, "supervisor_pid")) st->supervisor_pid = atoi(v);
		else if (!strcmp(k, "supervisor_start")) st->supervisor_start = strtoull(v, NULL, 10);
		else if (!strcmp(k, "pid")) st->pid = atoi(v);
		else if (!strcmp(k, "pid_start")) st->pid_start = strtoull(v, NULL, 10);
		else if (!strcmp(k, "started")) st->started = strtoll(v, NULL, 10);
		else if (!strcmp(k, "boots")) st->boots = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(k, "conf")) set_str(&st->conf, v);
		else if (!strcmp(k, "base")) set_str(&st->base, v);
		else if (!strcmp(k, "live")) set_str(&st->live, v);
		else if (!strcmp(k, "upper")) set_str(&st->upper, v);
		else if (!strcmp(k, "lower")) set_str(&st->lower, v);
		else if (!strcmp(k, "log")) set_str(&st->log, v);
		else if (!strcmp(k, "cgroup")) set_str(&st->cgroup, v);
		else if (!strcmp(k, "hostname")) set_str(&st->hostname, v);
		else if (!strcmp(k, "ncables")) st->ncables = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(k, "init_fd")) st->init_fd = atoi(v);
		else if (!strcmp(k, "caps_drop")) {
			st->caps_drop = strtoull(v, NULL, 16);
			st->caps_known = true;
		} else if (!strcmp(k, "seccomp")) set_str(&st->seccomp, v);
	}
	if (!st->name)
		st->name = xstrdup(name);
	return 0;
}

void state_free(struct sh_state *st)
{
	free(st->name); free(st->status); free(st->mode); free(st->conf);
	free(st->base); free(st->live); free(st->upper); free(st->lower);
	free(st->log); free(st->cgroup); free(st->hostname); free(st->seccomp);
	memset(st, 0, sizeof *st);
}

void state_remove(const char *name)
{
	_cleanup_free_ char *dir = state_dir(name);
	_cleanup_free_ char *sf = path_join(dir, "state");
	_cleanup_free_ char *tmp = path_join(dir, "state.tmp");
	_cleanup_free_ char *lk = path_join(dir, "lock");
	_cleanup_free_ char *shares = path_join(dir, "shares");      /* share.c's records */

	unlink(sf);
	unlink(tmp);
	unlink(shares);
	unlink(lk);
	rmdir(dir);     /* fails harmlessly if a new boot already re-created files */
}

struct sh_state *state_read_others(const char *except, size_t *n)
{
	char **names = state_names();
	struct sh_state *v = NULL;

	*n = 0;
	for (size_t i = 0; names[i]; i++) {
		if (strcmp(names[i], except)) {
			v = xrealloc(v, (*n + 1) * sizeof *v);
			if (state_read(names[i], &v[*n]) == 0)
				(*n)++;
		}
		free(names[i]);
	}
	free(names);
	return v;
}

void state_free_all(struct sh_state *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		state_free(&v[i]);
	free(v);
}

char **state_names(void)
{
	DIR *d = opendir(state_rundir());
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	if (d) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.' || e->d_type != DT_DIR)
				continue;
			v = xrealloc(v, (n + 2) * sizeof *v);
			v[n++] = xstrdup(e->d_name);
		}
		closedir(d);
	}
	v = xrealloc(v, (n + 1) * sizeof *v);
	v[n] = NULL;
	return v;
}
