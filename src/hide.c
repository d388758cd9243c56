/* hide.c - cover upper layers that a host-root lower layer would show. */
#include "hide.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "rootfs.h"
#include "state.h"

static bool listed(const struct hide_list *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], path))
			return true;
	return false;
}

static void add(struct hide_list *l, const char *path)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = xstrdup(path);
}

void hide_list_free(struct hide_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Cover path inside one running subhost: a child joins its mount
 * namespace (whose root is that subhost's root) and mounts there. */
static int hide_in(pid_t pid, unsigned long long start, const char *path)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status;
	pid_t child;

	if (pidfd < 0 || !proc_alive(pid, start))
		return 0;       /* it ended meanwhile */
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		struct sh_err e = { 0 };
		int rootfd;

		if (setns(pidfd, CLONE_NEWNS) < 0)
			_exit(1);
		rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		_exit(rootfd < 0 || rootfs_hide(rootfd, path, &e) < 0);
	}
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int hide_list_update(struct hide_list *l, const char *self, pid_t pid, unsigned long long start)
{
	char **names = state_names();
	int failed = 0;

	for (size_t i = 0; names[i]; i++) {
		struct sh_state st;

		if (strcmp(names[i], self) && state_read(names[i], &st) == 0) {
			if (st.base && *st.base && !listed(l, st.base)) {
				if (pid > 0 && hide_in(pid, start, st.base) < 0)
					failed++;
				add(l, st.base);
			}
			state_free(&st);
		}
		free(names[i]);
	}
	free(names);
	return failed;
}

void hide_list_collect(struct hide_list *l, const char *base,
		       const struct sh_state *others, size_t nothers)
{
	hide_list_free(l);
	add(l, "/var/lib/subhost");
	add(l, state_rundir());
	add(l, base);
	for (size_t i = 0; i < nothers; i++)
		if (others[i].base && *others[i].base && !listed(l, others[i].base))
			add(l, others[i].base);
}

static bool has_host_root_layer(const char *layers)
{
	_cleanup_free_ char *copy = xstrdup(layers ? layers : "");
	char *save = NULL;

	for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
		if (!strcmp(p, "/"))
			return true;
	return false;
}

int hide_in_running(const char *base, const struct sh_state *others, size_t nothers)
{
	struct stat rs, bs;
	int failed = 0;

	/* Only a BASE on the root filesystem shows through "/" (overlayfs
	 * shows no submounts), and /var/lib/subhost is covered in all. */
	if (stat("/", &rs) < 0 || stat(base, &bs) < 0 || rs.st_dev != bs.st_dev ||
	    str_startswith(base, "/var/lib/subhost/"))
		return 0;
	for (size_t i = 0; i < nothers; i++) {
		const struct sh_state *st = &others[i];

		if (st->pid > 0 && st->status && !strcmp(st->status, "running") &&
		    has_host_root_layer(st->lower) && hide_in(st->pid, st->pid_start, base) < 0)
			failed++;
	}
	return failed;
}
