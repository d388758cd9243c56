/* spawn.c - run a shell command line for a conf value or a hook. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util.h"

/* Keep fds off 0-2 so the child's dup2() onto stdin/stdout can't clobber them. */
static int fd_above_stdio(int *fd)
{
	int nfd;

	if (*fd > 2)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		return -errno;
	close(*fd);
	*fd = nfd;
	return 0;
}

/* environ without the keys of set, then set. */
static char **build_env(char **set)
{
	size_t n = 0, ns = 0, i, k, o = 0;
	char **env;

	while (environ && environ[n])
		n++;
	while (set && set[ns])
		ns++;
	env = xcalloc(n + ns + 1, sizeof *env);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ns; k++) {
			size_t klen = strcspn(set[k], "=");
			if (!strncmp(environ[i], set[k], klen) && environ[i][klen] == '=')
				break;
		}
		if (k == ns)
			env[o++] = environ[i];
	}
	for (k = 0; k < ns; k++)
		if (strchr(set[k], '='))
			env[o++] = set[k];
	env[o] = NULL;
	return env;
}

int spawn_shell(const char *script, char *const args[], const struct spawn_opts *o,
		char **out, int *wstatus)
{
	_cleanup_close_ int dirfd = -1, nullfd = -1, rfd = -1, wfd = -1;
	_cleanup_free_ char *buf = NULL;
	char *argv[16] = { "sh", "-c", (char *)script, "sh" };
	size_t len = 0, size = 0, na = 4;
	char **env;
	int r = 0, e;
	pid_t pid;

	for (size_t i = 0; args && args[i] && na < 15; i++)
		argv[na++] = args[i];
	argv[na] = NULL;
	dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd < 0)
		return -errno;
	if (o->capture) {
		int fds[2];
		if (pipe2(fds, O_CLOEXEC) < 0)
			return -errno;
		rfd = fds[0];
		wfd = fds[1];
		if ((r = fd_above_stdio(&wfd)) < 0)
			return r;
	}
	if ((r = fd_above_stdio(&nullfd)) < 0)
		return r;

	env = build_env(o->env_set);
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		/* only async-signal-safe calls from here to exec */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (fchdir(dirfd) < 0 || dup2(nullfd, 0) < 0 || (wfd >= 0 && dup2(wfd, 1) < 0))
			_exit(126);
		execve("/bin/sh", argv, env);
		_exit(127);
	}
	e = errno;
	free(env);
	if (pid < 0)
		return -e;
	if (wfd >= 0)
		close(TAKE_FD(wfd));
	while (rfd >= 0) {
		ssize_t n;

		if (size - len < 4096) {
			size = size ? 2 * size : 8192;
			buf = xrealloc(buf, size);
		}
		n = read(rfd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : 0;
			break;
		}
		len += (size_t)n;
		if (o->max_out && len > o->max_out) {
			r = -EFBIG;
			break;
		}
	}
	/* closing first makes a still-writing child die of SIGPIPE, not hang */
	if (rfd >= 0)
		close(TAKE_FD(rfd));
	while (waitpid(pid, wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (r < 0)
		return r;
	if (o->capture) {
		if (!buf)
			buf = xcalloc(1, 1);
		buf[len] = '\0';
		*out = TAKE_PTR(buf);
	}
	return 0;
}
