/* init-go.c - `subhost-init --go`: enter the pid namespace, drop
 * capabilities, run the command (see init-go.h for why this is here). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init-args.h"
#include "init-go.h"

extern char **environ;

/* The capget/capset ABI, version 3 (64 capability bits in two words);
 * spelled out here because the static build has no kernel headers. */
#define CAP_V3 0x20080522
struct cap_hdr { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

int init_go_parse(int argc, char **argv, struct go_opts *o, char *err, size_t errlen)
{
	static char *none[] = { NULL };
	bool have_pidfd = false, have_caps = false;
	int i;

	memset(o, 0, sizeof *o);
	o->pidfd = -1;
	o->cgroup_fd = -1;
	o->cmd = none;
	err[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		char *end;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--tty")) {
			o->tty = true;
			continue;
		}
		if (strcmp(a, "--pidfd") && strcmp(a, "--caps-drop") && strcmp(a, "--cgroup-fd"))
			return init_usage_error(err, errlen, "--go: unknown option '%s'", a);
		if (i + 1 >= argc)
			return init_usage_error(err, errlen, "--go: %s needs a value", a);
		v = argv[++i];
		errno = 0;
		if (!strcmp(a, "--pidfd") || !strcmp(a, "--cgroup-fd")) {
			long fd = strtol(v, &end, 10);
			if (errno || *end || end == v || fd < 0 || fd > 65535)
				return init_usage_error(err, errlen, "--go: %s '%s': expected a descriptor", a, v);
			if (!strcmp(a, "--pidfd")) {
				o->pidfd = (int)fd;
				have_pidfd = true;
			} else {
				o->cgroup_fd = (int)fd;
			}
		} else {
			unsigned long long m = strtoull(v, &end, 16);
			if (errno || *end || end == v || v[0] == '-')
				return init_usage_error(err, errlen, "--go: --caps-drop '%s': expected a hex mask", v);
			o->caps_drop = m;
			have_caps = true;
		}
	}
	if (!have_pidfd || !have_caps)
		return init_usage_error(err, errlen, "--go needs --pidfd and --caps-drop");
	if (i < argc)
		o->cmd = argv + i;
	return 0;
}

__attribute__((format(printf, 1, 2)))
static void go_warn(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof buf, "subhost: go: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
}

/* Bounding set, effective and permitted lose drop; inheritable and
 * ambient are emptied (the same as hardening_apply() for pid 1). */
static int caps_drop_all(uint64_t drop)
{
	struct cap_hdr h = { CAP_V3, 0 };
	struct cap_data d[2];

	for (int c = 0; c < 64; c++) {
		if (!((drop >> c) & 1))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;  /* EINVAL: the kernel has no such capability */
	}
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		uint32_t m = (uint32_t)(drop >> (32 * i));
		d[i].effective &= ~m;
		d[i].permitted &= ~m;
		d[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

static void close_from_3(void)
{
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
	for (int fd = 3; fd < 4096; fd++)
		close(fd);      /* kernels before 5.9 */
}

/* The command's process: only async-signal-safe calls until exec. */
static void run_cmd(const struct go_opts *o) __attribute__((noreturn));
static void run_cmd(const struct go_opts *o)
{
	static char *bash[] = { "-bash", NULL }, *sh[] = { "-sh", NULL };
	sigset_t none;
	int e;

	/* Into the subhost's cgroup2 group (through cgroup.procs opened on
	 * the host: the write is checked against the opener) and then its
	 * cgroup namespace; only then give up capabilities, which setns may
	 * need. */
	if (o->cgroup_fd >= 0 && write(o->cgroup_fd, "0", 1) != 1) {
		go_warn("join the subhost's cgroup: %s", strerror(errno));
		_exit(126);
	}
	if (setns(o->pidfd, CLONE_NEWCGROUP) < 0) {
		go_warn("enter the cgroup namespace: %s", strerror(errno));
		_exit(126);
	}
	e = caps_drop_all(o->caps_drop);
	if (e < 0) {
		go_warn("drop capabilities: %s", strerror(-e));
		_exit(126);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	if (o->tty && (setsid() < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)) {
		go_warn("take the pty as controlling terminal: %s", strerror(errno));
		_exit(126);
	}
	if (chdir("/root") < 0 && chdir("/") < 0)
		_exit(126);
	close_from_3();
	if (!o->cmd[0]) {
		execve("/bin/bash", bash, environ);
		execve("/bin/sh", sh, environ);
	} else {
		execvp(o->cmd[0], o->cmd);
	}
	e = errno;
	go_warn("%s: %s", o->cmd[0] ? o->cmd[0] : "/bin/sh", strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

int init_go_main(int argc, char **argv)
{
	struct go_opts o;
	char err[256];
	int status;
	pid_t pid;

	if (init_go_parse(argc, argv, &o, err, sizeof err) < 0) {
		go_warn("%s", err);
		return 2;
	}
	/* Not readable or traceable by a user inside while we hold the
	 * pidfd; the command's process inherits this until its exec. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NAME, "subhost-go", 0, 0, 0) < 0) {
		go_warn("prctl: %s", strerror(errno));
		return 1;
	}
	if (setns(o.pidfd, CLONE_NEWPID) < 0) {
		go_warn("enter the pid namespace: %s", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		go_warn("fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0)
		run_cmd(&o);
	close(o.pidfd);
	if (o.cgroup_fd >= 0)
		close(o.cgroup_fd);
	/* ^C on the caller's terminal is the command's business. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
