/* cmd-go.c - `subhost go NAME [--] [CMD ARGS...]`: a command inside a
 * running subhost, in all of its namespaces and its cgroup.
 *
 * We never fork into the subhost's pid namespace ourselves: the command's
 * process is made by subhost-init --go, run from a sealed memfd with a
 * clean environment (init-go.h says why).  This process stays outside,
 * invisible from inside, and relays the pty. */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <grp.h>
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
#include "sealed.h"
#include "seccomp-filter.h"
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

/* What the helper gets: the pidfd (its fd 3), the subhost's cgroup.procs
 * opened on the host (fd 5, or -1), the capabilities to drop. */
struct helper {
	int mfd, pidfd, cgprocs;
	uint64_t caps;
};

/* Start subhost-init --go from the sealed memfd (init-go.h), with the
 * pidfd as its fd 3, cgroup.procs as fd 5 and, for a terminal, the pty
 * slave as its stdio. */
static pid_t spawn_helper(const struct helper *h, int slave, char **cmd)
{
	char capsarg[32], **argv;
	size_t n = 0, ncmd = 0;
	pid_t pid;

	while (cmd && cmd[ncmd])
		ncmd++;
	argv = xcalloc(ncmd + 12, sizeof *argv);

	snprintf(capsarg, sizeof capsarg, "%llx", (unsigned long long)h->caps);
	argv[n++] = "subhost-init";
	argv[n++] = "--go";
	argv[n++] = "--pidfd";
	argv[n++] = "3";
	argv[n++] = "--caps-drop";
	argv[n++] = capsarg;
	if (slave >= 0)
		argv[n++] = "--tty";
	if (h->cgprocs >= 0) {
		argv[n++] = "--cgroup-fd";
		argv[n++] = "5";
	}
	argv[n++] = "--";
	for (size_t i = 0; i < ncmd; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	pid = fork();
	if (pid != 0) {
		free(argv);
		return pid;
	}
	{
		sigset_t none;
		int hi_mfd, hi_pidfd, hi_slave = -1, hi_cg = -1;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Out of the way first, then into place (dup2 clears CLOEXEC). */
		hi_mfd = fcntl(h->mfd, F_DUPFD_CLOEXEC, 10);
		hi_pidfd = fcntl(h->pidfd, F_DUPFD_CLOEXEC, 10);
		if (slave >= 0)
			hi_slave = fcntl(slave, F_DUPFD_CLOEXEC, 10);
		if (h->cgprocs >= 0)
			hi_cg = fcntl(h->cgprocs, F_DUPFD_CLOEXEC, 10);
		if (hi_mfd < 0 || hi_pidfd < 0 || (slave >= 0 && hi_slave < 0) ||
		    (h->cgprocs >= 0 && hi_cg < 0) ||
		    (slave >= 0 && (dup2(hi_slave, 0) < 0 || dup2(hi_slave, 1) < 0 ||
				    dup2(hi_slave, 2) < 0)) ||
		    dup2(hi_pidfd, 3) < 0 || dup3(hi_mfd, 4, O_CLOEXEC) < 0 ||
		    (hi_cg >= 0 && dup2(hi_cg, 5) < 0) ||
		    syscall(SYS_close_range, 6U, ~0U, 0U) < 0) {
			fprintf(stderr, "subhost: go: prepare descriptors: %s\n", strerror(errno));
			_exit(126);
		}
		syscall(SYS_execveat, 4, "", argv, clean_env, AT_EMPTY_PATH);
		fprintf(stderr, "subhost: go: execute subhost-init: %s\n", strerror(errno));
		_exit(126);
	}
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
static int run_with_pty(const struct helper *h, char **cmd)
{
	struct termios saved, raw;
	struct winsize ws;
	sigset_t mask;
	int master, slave, sigfd, status = 0;
	bool have_ws = ioctl(0, TIOCGWINSZ, &ws) == 0, in_open = true, reaped = false;
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
	/* ptsname() names it in the subhost's /dev/pts, where we are. */
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		fprintf(stderr, "subhost: go: open the pty inside: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	pid = spawn_helper(h, slave, cmd);
	close(slave);
	if (pid < 0) {
		fprintf(stderr, "subhost: go: fork: %s\n", strerror(errno));
		return EXIT_FAIL;
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
			/* The command is done even if something it left behind
			 * inside (sleep 100 &) still holds the pty: print what
			 * is buffered and go. */
			if (waitpid(pid, &status, WNOHANG) == pid) {
				reaped = true;
				fcntl(master, F_SETFL, O_NONBLOCK);
				while (copy_fd(master, 1) == 0 && poll(p, 1, 0) > 0 &&
				       (p[0].revents & POLLIN))
					;
				break;
			}
		}
	}
	tcsetattr(0, TCSANOW, &saved);
	while (!reaped && waitpid(pid, &status, 0) < 0 && errno == EINTR)
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
	_cleanup_free_ char *name = NULL, *init = NULL, *bin = NULL, *seccomp = NULL;
	_cleanup_close_ int pidfd = -1, mfd = -1, cgprocs = -1;
	struct sh_err err = { 0 };
	struct helper h;
	uint64_t caps;
	size_t len = 0;
	struct sh_state st;
	char **cmd = NULL;
	int status, stale_fd, probe, r;
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
	if (probe != 1 || state_read(name, &st) < 0) {
		warnx_name(name, "not running");
		return EXIT_NOTRUNNING;
	}
	if (!st.status || strcmp(st.status, "running")) {
		warnx_name(name, "not running (%s)", st.status ? st.status : "no status");
		state_free(&st);
		return EXIT_NOTRUNNING;
	}
	pidfd = (int)syscall(SYS_pidfd_open, st.pid, 0);
	/* The pidfd pins the process; the start time proves it is still ours. */
	if (pidfd < 0 || !proc_alive(st.pid, st.pid_start)) {
		warnx_name(name, "not running");
		state_free(&st);
		return EXIT_NOTRUNNING;
	}
	/* Nothing inside may read our memory (the caller's environment is
	 * in it); we never become visible there, and this covers the rest. */
	if (prctl(PR_SET_DUMPABLE, 0) < 0) {
		warnx_name(name, "prctl: %s", strerror(errno));
		state_free(&st);
		return EXIT_FAIL;
	}
	caps = st.caps_known ? (uint64_t)st.caps_drop : caps_plan(NULL, NULL);
	seccomp = st.seccomp ? xstrdup(st.seccomp) : NULL;
	/* The helper's image, read while we still see the host's files. */
	init = init_binary_path();
	if (program_read(init, &bin, &len, &err) < 0 ||
	    (mfd = sealed_memfd("subhost-go", bin, len, &err)) < 0) {
		report_err(name, &err);
		state_free(&st);
		return EXIT_FAIL;
	}
	/* The host admin's audit session stays on the host. */
	hardening_reset_loginuid();
	/* The cgroups while we still see the host's cgroup tree: the v1
	 * groups of its limits for us (the command inherits them); the
	 * cgroup2 group only for the command, which the helper moves there
	 * through this descriptor before it enters the cgroup namespace.  A
	 * process outside the pid namespace in the group would show inside
	 * as pid 0, which systemctl status and systemd-cgls fail on. */
	if (st.cgroup && *st.cgroup) {
		_cleanup_free_ char *procs = path_join(st.cgroup, "cgroup.procs");
		cgprocs = open(procs, O_WRONLY | O_CLOEXEC);
	}
	if (st.cgroup && *st.cgroup && cgprocs < 0) {
		warnx_name(name, "open %s/cgroup.procs: %s", st.cgroup, strerror(errno));
		state_free(&st);
		return EXIT_FAIL;
	}
	r = cgroup_v1_join(name, getpid());
	if (r < 0) {
		warnx_name(name, "join the v1 cgroups of its limits: %s", strerror(-r));
		state_free(&st);
		return EXIT_FAIL;
	}
	userns = other_userns(st.pid);
	state_free(&st);
	/* Every namespace but the pid and cgroup namespaces (the helper and
	 * the command join those); IDMAP: the user namespace first (setns
	 * does), then root inside. */
	if (setns(pidfd, CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
		  CLONE_NEWTIME | (userns ? CLONE_NEWUSER : 0)) < 0 ||
	    (userns && (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
			setresuid(0, 0, 0) < 0))) {
		warnx_name(name, "enter its namespaces: %s", strerror(errno));
		return EXIT_FAIL;
	}
	/* The same filter as pid 1's; the helper and the command inherit it. */
	if (sc_load(seccomp, caps, &err) < 0) {
		report_err(name, &err);
		return EXIT_FAIL;
	}
	build_env();
	h = (struct helper){ .mfd = mfd, .pidfd = pidfd, .cgprocs = cgprocs, .caps = caps };
	if (isatty(0))
		return run_with_pty(&h, cmd);
	pid = spawn_helper(&h, -1, cmd);
	if (pid < 0) {
		warnx_name(name, "fork: %s", strerror(errno));
		return EXIT_FAIL;
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return EXIT_FAIL;
	}
	return exit_status(status);
}
