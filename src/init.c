/* init.c - subhost-init, the pid 1 of a subhost (SPEC section 5).
 *
 * Modelled on catatonit and tini.  Every signal but the synchronous
 * faults is blocked and read from a signalfd; children are reaped in a
 * WNOHANG loop (orphans of the whole subhost are reparented to us); each
 * child starts with an empty mask and default dispositions.  Between
 * events pid 1 sleeps in poll() on the signalfd and the /run/initctl FIFO.
 *
 * The four modes (init-args.h) share one power-off sequence: the mode's
 * own stop work (service stops, rc 0), then SIGTERM to every process, a
 * grace period that ends as soon as none is left, SIGKILL for the rest.
 *
 * Errors: before the first child is spawned pid 1 may give up (it reports
 * FAIL on the notify fd and exits 1); after that it only warns, because a
 * pid 1 that exits takes the whole subhost with it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init-args.h"
#include "init-go.h"
#include "init-initctl.h"
#include "init-log.h"
#include "init-utmp.h"

#ifndef SUBHOST_VERSION
#define SUBHOST_VERSION "unknown"
#endif

#define INITCTL_PATH    "/run/initctl"
#define RC_PATH         "/etc/init.d/rc"
#define DEFAULT_PATH    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* run_sync(): the child could not be created / we stopped waiting for it. */
#define RUN_NOT_STARTED (-1)
#define RUN_ABORTED     (-2)

enum down_kind { DOWN_POWEROFF, DOWN_HALT, DOWN_REBOOT };

static struct init_opts opt;

static struct {
	int sigfd;
	int ctlfd;              /* /run/initctl, or -1 */
	sigset_t child_mask;    /* what every child starts with: empty */

	/* The one child we wait for: a start/stop script, rc, or run's CMD. */
	pid_t watch_pid;
	int watch_status;
	bool watch_done;

	int down;               /* 0 up, 1 power off requested, 2 forced (skip to SIGKILL) */
	enum down_kind down_kind;
	enum init_halt halt_env; /* last INIT_HALT sent through initctl */

	/* sysv mode */
	char level, prevlevel;  /* current and previous runlevel, 'N' for none */
	char pending_level;     /* a runlevel request to act on once idle, or 0 */
} st = { .sigfd = -1, .ctlfd = -1, .level = 'N', .prevlevel = 'N' };

/* ---- process setup ----------------------------------------------------- */

/* Close every inherited fd from 3 up except keep (-1 for none). */
static void close_stray_fds(int keep)
{
	DIR *d;
	struct dirent *e;

#ifdef SYS_close_range
	if (keep < 3) {
		if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
			return;
	} else if ((keep == 3 || syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0U) == 0) &&
		   syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U) == 0) {
		return;
	}
	if (errno != ENOSYS && errno != EINVAL)
		init_warn("close_range: %s", strerror(errno));
#endif
	/* Kernels before 5.9: walk /proc/self/fd. */
	d = opendir("/proc/self/fd");
	if (!d) {
		init_warn("close inherited descriptors: /proc/self/fd: %s", strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name || fd < 3 || fd == keep || fd == dirfd(d))
			continue;
		if (close((int)fd) < 0 && errno != EBADF)
			init_warn("close fd %ld: %s", fd, strerror(errno));
	}
	if (closedir(d) < 0)
		init_warn("closedir /proc/self/fd: %s", strerror(errno));
}

/* A closed 0, 1 or 2 would be taken by our next open (say, the signalfd)
 * and then written to by every child: put /dev/null there instead. */
static void ensure_stdio(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		nfd = open("/dev/null", O_RDWR);
		if (nfd < 0) {
			init_warn("open /dev/null: %s", strerror(errno));
			return;
		}
		if (nfd != fd) {
			if (dup2(nfd, fd) < 0)
				init_warn("dup2 /dev/null: %s", strerror(errno));
			if (close(nfd) < 0)
				init_warn("close /dev/null: %s", strerror(errno));
		}
	}
}

/* Dispositions survive exec when ignored: a SIG_IGN for SIGCHLD left by
 * whoever exec'd us would make the kernel reap our children for us. */
static void reset_dispositions(void)
{
	struct sigaction sa;
	int sig;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* EINVAL: the C library reserves a few real-time signals. */
		if (sigaction(sig, &sa, NULL) < 0 && errno != EINVAL)
			init_warn("reset signal %d: %s", sig, strerror(errno));
	}
}

/* Block everything but the synchronous faults and read it from a
 * signalfd.  The faults stay deliverable so that a crash of pid 1 is a
 * crash the supervisor sees, not a signal queued for us to read. */
static int signals_setup(void)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP };
	sigset_t set;
	size_t i;

	if (sigfillset(&set) < 0)
		return -1;
	for (i = 0; i < sizeof faults / sizeof faults[0]; i++)
		sigdelset(&set, faults[i]);
	if (sigprocmask(SIG_SETMASK, &set, NULL) < 0) {
		init_warn("block signals: %s", strerror(errno));
		return -1;
	}
	st.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (st.sigfd < 0) {
		init_warn("signalfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* /run/initctl: the FIFO telinit, halt, poweroff, reboot and systemctl
 * write to.  O_RDWR keeps a writer open (us), so it never reports EOF.
 * Failures only cost those commands; pid 1 goes on without it. */
static void initctl_setup(void)
{
	struct stat sb;
	int fd;

	if (mkdir("/run", 0755) < 0 && errno != EEXIST) {
		init_warn("mkdir /run: %s", strerror(errno));
		return;
	}
	/* Whatever is there (a stale FIFO, a file) goes: ours is fresh. */
	if (unlink(INITCTL_PATH) < 0 && errno != ENOENT &&
	    !(errno == EISDIR && rmdir(INITCTL_PATH) == 0)) {
		init_warn("remove the old %s: %s", INITCTL_PATH, strerror(errno));
		return;
	}
	if (mkfifo(INITCTL_PATH, 0600) < 0) {
		init_warn("mkfifo %s: %s", INITCTL_PATH, strerror(errno));
		return;
	}
	fd = open(INITCTL_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		init_warn("open %s: %s", INITCTL_PATH, strerror(errno));
		return;
	}
	if (fstat(fd, &sb) < 0 || !S_ISFIFO(sb.st_mode)) {
		init_warn("%s is not the FIFO we made", INITCTL_PATH);
		if (close(fd) < 0)
			init_warn("close %s: %s", INITCTL_PATH, strerror(errno));
		return;
	}
	st.ctlfd = fd;
}

/* ---- children ---------------------------------------------------------- */

struct env_kv {
	const char *key, *val;
};

#define SPAWN_SESSION   0x1     /* own session: no controlling terminal, own group */
#define SPAWN_NULLIN    0x2     /* stdin from /dev/null */

/* In the child: report why it cannot become argv[0] and exit like a shell. */
__attribute__((noreturn))
static void child_fail(const char *what, const char *arg, int err)
{
	init_warn("%s %s: %s", what, arg, strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

/* Fork and exec argv (PATH search) with env added.  Returns the pid, or
 * -1 if fork failed (reported). */
static pid_t spawn(char *const argv[], int flags, const struct env_kv *env)
{
	pid_t pid = fork();

	if (pid < 0) {
		init_warn("fork for %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (pid > 0)
		return pid;

	if ((flags & SPAWN_SESSION) && setsid() < 0)
		child_fail("setsid for", argv[0], errno);
	if (flags & SPAWN_NULLIN) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd < 0)
			child_fail("open", "/dev/null", errno);
		if (fd != STDIN_FILENO && (dup2(fd, STDIN_FILENO) < 0 || close(fd) < 0))
			child_fail("dup2", "/dev/null", errno);
	}
	for (; env && env->key; env++) {
		if (setenv(env->key, env->val, 1) < 0)
			child_fail("setenv", env->key, errno);
	}
	/* Last: a signal sent now stays pending until the new program runs. */
	if (sigprocmask(SIG_SETMASK, &st.child_mask, NULL) < 0)
		child_fail("unblock signals for", argv[0], errno);
	execvp(argv[0], argv);
	child_fail("exec", argv[0], errno);
}

/* Collect exited children: with WNOHANG those already gone, with 0 all
 * of them, blocking (after SIGKILL).  Returns whether any child remains. */
static bool reap(int flags)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, flags);

		if (pid > 0) {
			if (pid == st.watch_pid) {
				st.watch_status = status;
				st.watch_done = true;
			}
			continue;
		}
		if (pid == 0)
			return true;
		if (errno == EINTR)
			continue;
		if (errno != ECHILD)
			init_warn("waitpid: %s", strerror(errno));
		return false;
	}
}

/* ---- events ------------------------------------------------------------ */

static const char *down_name(enum down_kind k)
{
	return k == DOWN_REBOOT ? "reboot" : k == DOWN_HALT ? "halt" : "power off";
}

/* The first request starts the power off; a second one while it runs
 * skips the waiting and goes straight to SIGKILL. */
static void request_down(enum down_kind kind, const char *why)
{
	if (st.down == 0) {
		st.down = 1;
		st.down_kind = kind;
		init_say("%s: %s requested", why, down_name(kind));
	} else if (st.down == 1) {
		st.down = 2;
		init_say("%s again: killing every process now", why);
	}
}

static void on_signal(const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;
	char why[64];
	int n;

	/* ssi_pid is 0 for a sender outside our pid namespace (the supervisor). */
	n = snprintf(why, sizeof why, "%s", sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" :
		     sig == SIGPWR ? "SIGPWR" : sig == SIGHUP ? "SIGHUP" :
		     sig == SIGUSR1 ? "SIGUSR1" : sig == SIGUSR2 ? "SIGUSR2" : "signal");
	if (si->ssi_pid && n > 0 && (size_t)n < sizeof why)
		snprintf(why + n, sizeof why - (size_t)n, " from pid %u", (unsigned)si->ssi_pid);

	switch (sig) {
	case SIGCHLD:
		reap(WNOHANG);
		break;
	case SIGTERM:
	case SIGINT:
	case SIGPWR:
		request_down(DOWN_POWEROFF, why);
		break;
	case SIGHUP:
	case SIGUSR1:
	case SIGUSR2:
		init_say("%s ignored", why);
		break;
	default:
		break;          /* SIGWINCH, SIGPIPE, job control...: nothing to do */
	}
}

static void read_signals(void)
{
	struct signalfd_siginfo si[16];

	for (;;) {
		ssize_t n = read(st.sigfd, si, sizeof si);
		size_t i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				init_warn("read signalfd: %s", strerror(errno));
			return;
		}
		for (i = 0; i < (size_t)n / sizeof si[0]; i++)
			on_signal(&si[i]);
		if ((size_t)n < sizeof si)
			return;
	}
}

static void on_runlevel(char level)
{
	if (level == '0' || level == '6') {
		enum down_kind k = level == '6' ? DOWN_REBOOT :
				   st.halt_env == INIT_HALT_HALT ? DOWN_HALT : DOWN_POWEROFF;

		/* rc 0 scripts may ask again (halt without -f): not a second signal. */
		if (st.down) {
			init_say("initctl: runlevel %c while going down: ignored", level);
			return;
		}
		if (k == DOWN_REBOOT && opt.mode == INIT_MODE_RUN) {
			/* A run ends with its command's status; a reboot would lose it. */
			init_say("initctl: a run cannot reboot; powering off");
			k = DOWN_POWEROFF;
		}
		request_down(k, "initctl runlevel request");
		return;
	}
	if ((level >= '1' && level <= '5') || level == 'S') {
		if (opt.mode != INIT_MODE_SYSV) {
			init_say("initctl: runlevel %c means nothing in %s mode: ignored", level,
				 init_mode_name(opt.mode));
			return;
		}
		st.pending_level = level;       /* acted on once no rc runs */
		return;
	}
	init_say("initctl: runlevel request '%c' ignored", level);
}

static void on_request(const struct init_req *r)
{
	switch (r->type) {
	case INIT_REQ_RUNLEVEL:
		on_runlevel(r->runlevel);
		break;
	case INIT_REQ_SETENV:
	case INIT_REQ_UNSETENV:
		if (r->halt != INIT_HALT_UNTOUCHED)
			st.halt_env = r->halt;
		init_say("initctl: %s of %u variable(s); INIT_HALT %s",
			 r->type == INIT_REQ_SETENV ? "setenv" : "unsetenv", r->nvars,
			 st.halt_env == INIT_HALT_POWEROFF ? "= POWEROFF" :
			 st.halt_env == INIT_HALT_HALT ? "= HALT" : "unset");
		break;
	case INIT_REQ_BAD_RUNLEVEL:
		init_warn("initctl: runlevel request without a valid level: ignored");
		break;
	case INIT_REQ_OTHER:
		init_say("initctl: command %d ignored", r->cmd);
		break;
	case INIT_REQ_SHORT:
	case INIT_REQ_BAD_MAGIC:
		break;          /* handled by the reader */
	}
}

/* Throw away what is queued: after a torn or foreign record we cannot
 * tell where the next one starts. */
static void drain_initctl(void)
{
	char junk[4096];

	while (read(st.ctlfd, junk, sizeof junk) > 0)
		;
}

static void read_initctl(void)
{
	for (;;) {
		/* Records are written whole (384 < PIPE_BUF), so one read is one record. */
		char buf[INIT_REQ_SIZE];
		struct init_req r;
		ssize_t n = read(st.ctlfd, buf, sizeof buf);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			init_warn("read %s: %s; no longer listening", INITCTL_PATH,
				  strerror(errno));
			if (close(st.ctlfd) < 0)
				init_warn("close %s: %s", INITCTL_PATH, strerror(errno));
			st.ctlfd = -1;
			return;
		}
		if (n == 0)
			return;
		init_initctl_decode(buf, (size_t)n, &r);
		if (r.type == INIT_REQ_SHORT || r.type == INIT_REQ_BAD_MAGIC) {
			if (r.type == INIT_REQ_SHORT)
				init_warn("initctl: partial request of %zd bytes ignored", n);
			else
				init_warn("initctl: request with bad magic 0x%08x ignored",
					  (unsigned)r.magic);
			drain_initctl();
			return;
		}
		on_request(&r);
	}
}

/* Wait up to timeout_ms (-1: forever) for signals or initctl requests, and
 * handle them. */
static void pump(int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = st.sigfd, .events = POLLIN },
		{ .fd = st.ctlfd, .events = POLLIN },
	};
	nfds_t n = st.ctlfd >= 0 ? 2 : 1;

	if (poll(p, n, timeout_ms) < 0) {
		if (errno != EINTR) {
			struct timespec backoff = { 0, 100 * 1000 * 1000 };

			/* Not expected (ENOMEM); do not spin on it. */
			init_warn("poll: %s", strerror(errno));
			if (nanosleep(&backoff, NULL) < 0 && errno != EINTR)
				init_warn("nanosleep: %s", strerror(errno));
		}
		return;
	}
	if (p[0].revents)
		read_signals();
	if (n > 1 && p[1].revents)
		read_initctl();
}

static int64_t now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;       /* cannot happen for CLOCK_MONOTONIC */
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run argv in its own session with stdin on /dev/null and wait for it,
 * serving signals and initctl meanwhile.  Returns its wait status,
 * RUN_NOT_STARTED, or RUN_ABORTED when a power off at level >= abort_at
 * came first: the child's process group then gets SIGTERM and the power
 * off collects it. */
static int run_sync(char *const argv[], const struct env_kv *env, int abort_at)
{
	pid_t pid = spawn(argv, SPAWN_SESSION | SPAWN_NULLIN, env);

	if (pid < 0)
		return RUN_NOT_STARTED;
	st.watch_pid = pid;
	st.watch_done = false;
	while (!st.watch_done && st.down < abort_at)
		pump(-1);
	st.watch_pid = 0;
	if (!st.watch_done) {
		/* ESRCH: it has not called setsid() yet; kill(-1) will get it. */
		if (kill(-pid, SIGTERM) < 0 && errno != ESRCH)
			init_warn("kill %s: %s", argv[0], strerror(errno));
		return RUN_ABORTED;
	}
	return st.watch_status;
}

/* ---- power off --------------------------------------------------------- */

/* SIGTERM to every process but us, up to --grace seconds for them to go
 * (less as soon as none is left), then SIGKILL, and reap them all. */
static void kill_all(void)
{
	int64_t deadline;

	if (st.down < 2) {
		if (kill(-1, SIGTERM) < 0) {
			if (errno != ESRCH)
				init_warn("kill -TERM -1: %s", strerror(errno));
		}
		deadline = now_ms() + (int64_t)opt.grace * 1000;
		while (reap(WNOHANG) && st.down < 2) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				break;
			pump(left > INT_MAX ? INT_MAX : (int)left);
		}
	}
	if (reap(WNOHANG)) {
		init_say("sending SIGKILL to the processes left");
		if (kill(-1, SIGKILL) < 0 && errno != ESRCH)
			init_warn("kill -KILL -1: %s", strerror(errno));
	}
	reap(0);
}

static void say_going_down(void)
{
	init_say("%s: %s", opt.name ? opt.name : "subhost",
		 st.down_kind == DOWN_REBOOT ? "rebooting" :
		 st.down_kind == DOWN_HALT ? "halting" : "powering off");
}

/* Start the power off if nobody asked for it (a failed start, run's CMD
 * exited): a signal from now on counts as the second one. */
static void begin_down(void)
{
	if (st.down == 0) {
		st.down = 1;
		st.down_kind = DOWN_POWEROFF;
	}
}

/* The end: exit code for a power off or halt; a reboot asks the kernel,
 * which kills us with SIGHUP so that the supervisor boots again. */
static int finish(int code)
{
	if (st.down_kind != DOWN_REBOOT || code != 0)
		return code;
	/* No sync(): it would flush every filesystem of the host, and the
	 * host's page cache survives us anyway. */
	if (reboot(RB_AUTOBOOT) < 0)
		init_warn("reboot: %s; exiting as for a power off", strerror(errno));
	return 0;
}

/* ---- services mode (overlay-boot) -------------------------------------- */

/* argv for a START entry: "/cmd args" runs through the shell, a name X
 * through `service X start|stop`. */
static void entry_argv(char *entry, char *verb, char *argv[4])
{
	static char sh[] = "/bin/sh", dash_c[] = "-c", service[] = "service";

	if (entry[0] == '/') {
		argv[0] = sh;
		argv[1] = dash_c;
		argv[2] = entry;
	} else {
		argv[0] = service;
		argv[1] = entry;
		argv[2] = verb;
	}
	argv[3] = NULL;
}

static int mode_services(void)
{
	static char start[] = "start", stop[] = "stop";
	char fail[512] = "", sbuf[64];
	int i, started = 0;

	for (i = 0; i < opt.nargs && !st.down; i++) {
		char *e = opt.args[i], *argv[4];
		int r;

		if (!*e) {
			init_warn("skipping an empty START entry");
			continue;
		}
		entry_argv(e, start, argv);
		init_say("starting %s", e);
		r = run_sync(argv, NULL, 1);
		if (r == RUN_ABORTED) {
			init_say("%s: start interrupted", e);
			break;
		}
		if (r == RUN_NOT_STARTED) {
			snprintf(fail, sizeof fail, "%s: cannot start it", e);
		} else if (!init_status_ok(r)) {
			if (e[0] == '/')
				snprintf(fail, sizeof fail, "%s: %s", e,
					 init_status_str(r, sbuf, sizeof sbuf));
			else
				snprintf(fail, sizeof fail, "service %s start: %s", e,
					 init_status_str(r, sbuf, sizeof sbuf));
		}
		if (fail[0]) {
			init_warn("%s", fail);
			break;
		}
		init_say("%s started", e);
		started = i + 1;
	}

	if (fail[0]) {
		init_notify("FAIL %s", fail);
		begin_down();
	} else if (st.down) {
		init_notify("FAIL %s requested during startup", down_name(st.down_kind));
	} else {
		init_notify("READY");
		init_say("%s is up", opt.name ? opt.name : "subhost");
	}
	while (!st.down)
		pump(-1);

	say_going_down();
	/* Only what started: a failed or interrupted start is left to kill_all(). */
	for (i = started - 1; i >= 0 && st.down < 2; i--) {
		char *e = opt.args[i], *argv[4];
		int r;

		if (!*e || e[0] == '/')
			continue;       /* a command line has nothing to stop */
		entry_argv(e, stop, argv);
		init_say("stopping %s", e);
		r = run_sync(argv, NULL, 2);
		if (r >= 0 && !init_status_ok(r))
			init_warn("service %s stop: %s", e, init_status_str(r, sbuf, sizeof sbuf));
	}
	kill_all();
	return finish(fail[0] ? 1 : 0);
}

/* ---- sysv mode (pretend-boot) ------------------------------------------ */

/* Record a runlevel change in utmp/wtmp for runlevel(8) and who -r. */
static void utmp_note(int type, char level, char prev)
{
	struct init_utmp u;
	struct utsname un;
	struct timespec ts;
	int r;

	if (uname(&un) < 0)
		un.release[0] = '\0';
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		ts.tv_sec = ts.tv_nsec = 0;
	init_utmp_record(&u, type, level, prev, (int64_t)ts.tv_sec,
			 (int32_t)(ts.tv_nsec / 1000), un.release);
	r = init_utmp_write(&u, INIT_UTMP_PATH, INIT_WTMP_PATH);
	if (r < 0)
		init_warn("record runlevel %c in %s: %s", level, INIT_UTMP_PATH, strerror(-r));
}

static void set_level(char level)
{
	st.prevlevel = st.level;
	st.level = level;
	utmp_note(INIT_UT_RUN_LVL, st.level, st.prevlevel);
}

/* /etc/init.d/rc LEVEL, with the environment sysvinit gives it (Debian's
 * rc uses PREVLEVEL to decide what to stop, its halt script INIT_HALT). */
static int run_rc(char level, int abort_at)
{
	static char rc[] = RC_PATH;
	char lv[2] = { level, '\0' }, prev[2] = { st.prevlevel, '\0' }, sbuf[64];
	char *argv[] = { rc, lv, NULL };
	struct env_kv env[] = {
		{ "RUNLEVEL", lv }, { "PREVLEVEL", prev }, { NULL, NULL }, { NULL, NULL },
	};
	int r;

	if (level == '0') {
		env[2].key = "INIT_HALT";
		env[2].val = st.down_kind == DOWN_HALT ? "HALT" : "POWEROFF";
	}
	init_say("running %s %c", RC_PATH, level);
	r = run_sync(argv, env, abort_at);
	if (r == RUN_ABORTED)
		init_say("%s %c interrupted", RC_PATH, level);
	else if (r >= 0 && !init_status_ok(r))
		init_warn("%s %c: %s", RC_PATH, level, init_status_str(r, sbuf, sizeof sbuf));
	return r;
}

static void change_level(char level)
{
	if (level == st.level) {
		init_say("already in runlevel %c", level);
		return;
	}
	set_level(level);
	init_say("switching to runlevel %c", level);
	/* Like sysvinit, S alone starts nothing (sulogin has no console here);
	 * `telinit 1` runs rc 1, whose last script asks for S. */
	if (level != 'S')
		run_rc(level, 1);
}

static int mode_sysv(void)
{
	char lv[2] = { opt.runlevel, '\0' };

	/* rc S runs with RUNLEVEL=S, PREVLEVEL=N, and no runlevel recorded yet. */
	run_rc('S', 1);
	if (!st.down) {
		utmp_note(INIT_UT_BOOT_TIME, 0, 0);
		set_level(opt.runlevel);
		run_rc(opt.runlevel, 1);
	}
	if (st.down) {
		init_notify("FAIL %s requested during startup", down_name(st.down_kind));
	} else {
		init_notify("READY");
		init_say("%s is up in runlevel %s", opt.name ? opt.name : "subhost", lv);
	}
	while (!st.down) {
		pump(-1);
		while (st.pending_level && !st.down) {
			char level = st.pending_level;

			st.pending_level = 0;
			change_level(level);
		}
	}

	say_going_down();
	if (st.down < 2) {
		char level = st.down_kind == DOWN_REBOOT ? '6' : '0';

		set_level(level);
		run_rc(level, 2);
	}
	kill_all();
	return finish(0);
}

/* ---- exec mode (lcboot) ------------------------------------------------ */

/* Become ARGS: the program is pid 1 from now on. */
static int mode_exec(void)
{
	char *prog = opt.args[0];
	int e;

	/* Catch the common mistakes while the supervisor still listens. */
	if (strchr(prog, '/') && access(prog, X_OK) < 0) {
		e = errno;
		init_notify("FAIL exec %s: %s", prog, strerror(e));
		init_warn("exec %s: %s", prog, strerror(e));
		return e == ENOENT ? 127 : 126;
	}
	init_notify("READY");
	/* Whatever mask we were given, an init expects to start with none. */
	if (sigprocmask(SIG_SETMASK, &st.child_mask, NULL) < 0)
		init_warn("unblock signals: %s", strerror(errno));
	execvp(prog, opt.args);
	e = errno;
	init_warn("exec %s: %s", prog, strerror(e));
	return e == ENOENT ? 127 : 126;
}

/* ---- run mode (subhost run) -------------------------------------------- */

/* CMD keeps our stdio and session, so a terminal keeps working; its status
 * is ours. */
static int mode_run(void)
{
	pid_t pid = spawn(opt.args, 0, NULL);

	if (pid < 0) {
		init_notify("FAIL cannot start %s", opt.args[0]);
		return 1;
	}
	st.watch_pid = pid;
	st.watch_done = false;
	init_notify("READY");
	while (!st.watch_done && !st.down)
		pump(-1);
	begin_down();
	kill_all();
	if (!st.watch_done)
		return 1;       /* reap(0) returned without it: cannot happen */
	if (WIFSIGNALED(st.watch_status))
		return 128 + WTERMSIG(st.watch_status);
	return WEXITSTATUS(st.watch_status);
}

/* ---- main -------------------------------------------------------------- */

static void usage(void)
{
	static const char text[] =
		"Usage: subhost-init [--name NAME] [--mode services|sysv|exec|run]\n"
		"                    [--runlevel N] [--grace SECONDS] [--quiet] -- ARGS...\n"
		"\n"
		"The pid 1 of a subhost; started by subhost(8), not by hand.\n"
		"\n"
		"  --mode services  start each ARG (a service name, or /a command line),\n"
		"                   stop them in reverse at power off (default)\n"
		"  --mode sysv      run /etc/init.d/rc S, then rc N (--runlevel, default 2)\n"
		"  --mode exec      become ARGS (e.g. /sbin/init)\n"
		"  --mode run       run ARGS, power off when it exits, exit with its status\n"
		"  --grace SECONDS  between SIGTERM and SIGKILL at power off (default 5)\n"
		"  --quiet          print errors only\n"
		"\n"
		"SIGTERM, SIGINT and SIGPWR power off; so do runlevel 0 and 6 (reboot)\n"
		"requests on /run/initctl.  SUBHOST_NOTIFY_FD=N gets READY or FAIL <why>.\n";

	init_write_all(STDOUT_FILENO, text, sizeof text - 1);
}

int main(int argc, char **argv)
{
	char err[256];

	/* `subhost go`'s helper, not a pid 1 (init-go.h). */
	if (argc > 1 && !strcmp(argv[1], "--go"))
		return init_go_main(argc - 1, argv + 1);
	/* Exec'd from a memfd, we would be named after the fd ("4"). */
	if (prctl(PR_SET_NAME, "subhost-init", 0, 0, 0) < 0)
		init_warn("prctl PR_SET_NAME: %s", strerror(errno));
	if (init_args_parse(argc, argv, &opt, err, sizeof err) < 0) {
		init_warn("%s (see --help)", err);
		return 2;
	}
	init_quiet = opt.quiet;
	if (opt.action == INIT_ACT_HELP) {
		usage();
		return 0;
	}
	if (opt.action == INIT_ACT_VERSION) {
		static const char version[] = "subhost-init " SUBHOST_VERSION "\n";

		init_write_all(STDOUT_FILENO, version, sizeof version - 1);
		return 0;
	}
	/* Power off sends SIGTERM and SIGKILL to every process we can see:
	 * anywhere but in our own pid namespace that would be the host's. */
	if (getpid() != 1) {
		init_warn("must run as pid 1 of a pid namespace");
		return 1;
	}

	init_notify_setup();
	close_stray_fds(init_notify_fd());
	ensure_stdio();
	if (chdir("/") < 0)
		init_warn("chdir /: %s", strerror(errno));
	umask(022);
	if (!getenv("PATH") && setenv("PATH", DEFAULT_PATH, 1) < 0)
		init_warn("setenv PATH: %s", strerror(errno));
	if (setenv("container", "subhost", 0) < 0)
		init_warn("setenv container: %s", strerror(errno));
	reset_dispositions();
	sigemptyset(&st.child_mask);

	if (opt.mode == INIT_MODE_EXEC)
		return mode_exec();

	if (signals_setup() < 0) {
		init_notify("FAIL cannot set up signal handling");
		return 1;
	}
	initctl_setup();

	/* From here on there are children: pid 1 only warns, never gives up. */
	switch (opt.mode) {
	case INIT_MODE_SYSV:
		return mode_sysv();
	case INIT_MODE_RUN:
		return mode_run();
	case INIT_MODE_SERVICES:
	case INIT_MODE_EXEC:
	default:
		return mode_services();
	}
}
