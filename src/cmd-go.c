/* cmd-go.c - `subhost go NAME [--] [CMD ARGS...]`: a command inside a
 * running subhost, in all of its namespaces and its cgroup. */
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include "cgroup.h"
#include "cli.h"
#include "hardening.h"
#include "state.h"
#include "supervisor.h"

static char *clean_env[8];

static void build_env(void)
{
	const char *term = getenv("TERM");
	size_t n = 0;

	clean_env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	clean_env[n++] = "HOME=/root";
	clean_env[n++] = "USER=root";
	clean_env[n++] = "LOGNAME=root";
	clean_env[n++] = "container=subhost";
	if (term)
		clean_env[n++] = xasprintf("TERM=%s", term);
	clean_env[n] = NULL;
}

/* Descriptors that survive into the go process after it entered the
 * subhost: the pidfd (to enter the cgroup namespace last) and the
 * subhost's cgroup.procs. */
#define GO_PIDFD 3
#define GO_CGPROCS 4

/* In the forked command, before anything else: join the subhost's cgroup2
 * group, then its cgroup namespace.  Only the command joins: a relay left
 * outside the pid namespace would show inside as pid 0 in cgroup.procs,
 * and systemctl status and systemd-cgls fail on it. */
static void enter_cgroup(void)
{
	if (fcntl(GO_CGPROCS, F_GETFD) >= 0 && write(GO_CGPROCS, "0", 1) != 1) {
		fprintf(stderr, "subhost: go: join the subhost's cgroup: %s\n", strerror(errno));
		_exit(126);
	}
	if (setns(GO_PIDFD, CLONE_NEWCGROUP) < 0) {
		fprintf(stderr, "subhost: go: enter the cgroup namespace: %s\n", strerror(errno));
		_exit(126);
	}
	close(GO_PIDFD);
	close(GO_CGPROCS);
}

static void exec_cmd(char **cmd) __attribute__((noreturn));
static void exec_cmd(char **cmd)
{
	static char *bash[] = { "-bash", NULL }, *sh[] = { "-sh", NULL };
	int e;

	if (chdir("/root") < 0 && chdir("/") < 0)
		_exit(126);
	if (!cmd) {
		execve("/bin/bash", bash, clean_env);
		execve("/bin/sh", sh, clean_env);
		e = errno;
	} else {
		environ = clean_env;
		execvp(cmd[0], cmd);
		e = errno;
	}
	fprintf(stderr, "subhost: go: %s: %s\n", cmd ? cmd[0] : "/bin/sh", strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_FAIL;
}

static int copy_fd(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof buf);
	ssize_t off = 0;

	if (n <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	while (off < n) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		off += w;
	}
	return 0;
}

/* stdin is a terminal: give CMD a pty of the subhost's own devpts, so
 * TIOCSTI or a hijacked controlling tty inside can't reach the host's
 * terminal; relay bytes and window size. */
static int run_with_pty(char **cmd)
{
	struct termios saved, raw;
	struct winsize ws;
	sigset_t mask;
	int master, sigfd, status = 0;
	bool have_ws = ioctl(0, TIOCGWINSZ, &ws) == 0, in_open = true;
	pid_t pid;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		fprintf(stderr, "subhost: go: allocate a pty inside: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	if (have_ws)
		ioctl(master, TIOCSWINSZ, &ws);
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "subhost: go: fork: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	if (pid == 0) {
		int slave;
		enter_cgroup();
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		if (setsid() < 0)
			_exit(126);
		slave = open(ptsname(master), O_RDWR);
		if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0 ||
		    dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
			_exit(126);
		if (slave > 2)
			close(slave);
		exec_cmd(cmd);
	}
	tcgetattr(0, &saved);
	raw = saved;
	cfmakeraw(&raw);
	tcsetattr(0, TCSANOW, &raw);
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = master, .events = POLLIN },
			{ .fd = in_open ? 0 : -1, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (copy_fd(master, 1) < 0)
				break;  /* EIO: the last process inside closed the pty */
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			if (copy_fd(0, master) < 0)
				in_open = false;
		}
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGWINCH && ioctl(0, TIOCGWINSZ, &ws) == 0)
					ioctl(master, TIOCSWINSZ, &ws);
			}
		}
	}
	tcsetattr(0, TCSANOW, &saved);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return exit_status(status);
}

/* Is pid in a user namespace other than ours (an IDMAP subhost)? */
static bool other_userns(pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	return stat(path, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 &&
	       (a.st_ino != b.st_ino || a.st_dev != b.st_dev);
}

int cmd_go(int argc, char **argv)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int pidfd = -1, cgprocs = -1;
	struct sh_err err = { 0 };
	struct sh_state st;
	char **cmd = NULL;
	int status, stale_fd, probe;
	bool userns;
	pid_t pid;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cli_usage(stdout, "go");
		return 0;
	}
	if (argc < 2) {
		cli_usage(stderr, "go");
		return EXIT_USAGE;
	}
	name = cli_name(argv[1], &status);
	if (!name)
		return status;
	if (argc > 2)
		cmd = argv + (strcmp(argv[2], "--") ? 2 : 3);
	if (cmd && !cmd[0])
		cmd = NULL;

	probe = state_probe(name, &stale_fd);
	if (probe == 2) {
		subhost_clean_stale(name);
		close(stale_fd);
	}
	if (probe != 1 || state_read(name, &st) < 0 || !st.status || strcmp(st.status, "running")) {
		warnx_name(name, "not running");
		return EXIT_NOTRUNNING;
	}
	pidfd = (int)syscall(SYS_pidfd_open, st.pid, 0);
	/* The pidfd pins the process; the start time proves it is still ours. */
	if (pidfd < 0 || !proc_alive(st.pid, st.pid_start)) {
		warnx_name(name, "not running");
		state_free(&st);
		return EXIT_NOTRUNNING;
	}
	/* Nothing inside may ptrace or read the memory of this process, which
	 * is still the host's binary until it execs. */
	if (prctl(PR_SET_DUMPABLE, 0) < 0) {
		warnx_name(name, "prctl: %s", strerror(errno));
		return EXIT_FAIL;
	}
	/* The cgroups first, while we still see the host's cgroup tree: the
	 * v1 groups of its limits for this process (its command inherits
	 * them), the cgroup2 group for the command alone (enter_cgroup). */
	if (st.cgroup && *st.cgroup) {
		_cleanup_free_ char *procs = path_join(st.cgroup, "cgroup.procs");
		cgprocs = open(procs, O_WRONLY | O_CLOEXEC);
	}
	if ((st.cgroup && *st.cgroup && cgprocs < 0) || cgroup_v1_join(name, getpid()) < 0) {
		warnx_name(name, "join the cgroups of %s: %s", name, strerror(errno));
		state_free(&st);
		return EXIT_FAIL;
	}
	userns = other_userns(st.pid);
	state_free(&st);
	/* IDMAP: the user namespace first (setns does), then root inside */
	if (setns(pidfd, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
		  CLONE_NEWNET | CLONE_NEWTIME | (userns ? CLONE_NEWUSER : 0)) < 0 ||
	    (userns && (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
			setresuid(0, 0, 0) < 0))) {
		warnx_name(name, "enter its namespaces: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (hardening_apply(&err) < 0) {
		report_err(name, &err);
		return EXIT_FAIL;
	}
	/* Close everything but stdio and what enter_cgroup() needs: no
	 * descriptor of ours reaches the command. */
	{
		int a = fcntl(pidfd, F_DUPFD_CLOEXEC, 10);
		int b = cgprocs >= 0 ? fcntl(cgprocs, F_DUPFD_CLOEXEC, 10) : -1;

		if (a < 0 || dup3(a, GO_PIDFD, O_CLOEXEC) < 0 ||
		    (b >= 0 && dup3(b, GO_CGPROCS, O_CLOEXEC) < 0)) {
			warnx_name(name, "prepare descriptors: %s", strerror(errno));
			return EXIT_FAIL;
		}
		if (b < 0)
			close(GO_CGPROCS);
	}
	syscall(SYS_close_range, (unsigned)GO_CGPROCS + 1, ~0U, 0U);
	pidfd = cgprocs = -1;
	build_env();
	if (isatty(0))
		return run_with_pty(cmd);
	pid = fork();
	if (pid < 0) {
		warnx_name(name, "fork: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (pid == 0) {
		enter_cgroup();
		exec_cmd(cmd);
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return EXIT_FAIL;
	}
	return exit_status(status);
}
