/* supervisor.c - boot sequence, supervision, reboot and teardown. */
#include "supervisor.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/sched.h>
#include "bases.h"
#include "cgroup.h"
#include "devices.h"
#include "distro.h"
#include "disk.h"
#include "hardening.h"
#include "hide.h"
#include "net.h"
#include "rootfs.h"
#include "sealed.h"
#include "seccomp-filter.h"
#include "state.h"
#include "userns.h"
#include "supervisor-internal.h"

/* ---- logging ---------------------------------------------------------- */

static void sv_log(struct sv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sv_log(struct sv *sv, const char *fmt, ...)
{
	char buf[1200];
	va_list ap;
	int n;

	if (sv->log_fd < 0 && !sv->o->foreground)
		return;
	n = snprintf(buf, sizeof buf, "subhost[%d]: %s: %8.3f ms: ", (int)getpid(),
		     sv->cfg->name, now_ms() - sv->t0);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	if (sv->log_fd >= 0 && write(sv->log_fd, buf, (size_t)n) < 0) {
		/* the log is best effort */
	}
	if (sv->o->foreground && !sv->o->run && write(2, buf, (size_t)n) < 0) {
		/* idem */
	}
}

static int open_log(const char *path)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash && slash != dir) {
		*slash = '\0';
		mkdir_p(dir, 0755);
	}
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

/* ---- the report pipe to `subhost boot` --------------------------------- */

static void report(struct sv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct sv *sv, const char *fmt, ...)
{
	char buf[1200];
	va_list ap;
	int n;

	if (sv->report_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = (int)sizeof buf - 1;
	if (write(sv->report_fd, buf, (size_t)n) < 0) {
		/* the waiting command is gone: nothing to tell */
	}
	close(sv->report_fd);
	sv->report_fd = -1;
}

/* ---- pid 1 image ------------------------------------------------------- */

/* Whole contents of fd (from offset 0) equal buf?  Both are small. */
static bool same_content(int fd, const char *buf, size_t len)
{
	char *other = xmalloc(len + 1);
	ssize_t n = pread(fd, other, len + 1, 0);
	bool same = n == (ssize_t)len && memcmp(other, buf, len) == 0;

	free(other);
	return same;
}

/* The sealed copy another running supervisor holds, if it is exactly our
 * subhost-init: then every subhost runs pid 1 from the same pages (one
 * copy for 500 subhosts, not 500).  Sealed means nobody can change it. */
static int shared_init_memfd(const struct sh_state *others, size_t n, const char *bin,
			     size_t len)
{
	for (size_t i = 0; i < n; i++) {
		const struct sh_state *st = &others[i];
		char path[64];
		int fd;

		if (st->init_fd < 0 || !proc_alive(st->supervisor_pid, st->supervisor_start))
			continue;
		snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)st->supervisor_pid, st->init_fd);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if ((fcntl(fd, F_GET_SEALS) & SEALS_ALL) == SEALS_ALL && same_content(fd, bin, len) &&
		    proc_alive(st->supervisor_pid, st->supervisor_start))
			return fd;
		close(fd);
	}
	return -1;
}

/* A sealed in-memory copy of subhost-init: pid 1 runs from it, so nothing
 * is written into the subhost's layers and /proc/1/exe can't reach (and
 * overwrite) a host binary (cf. CVE-2019-5736). */
static int init_memfd(const struct sh_state *others, size_t nothers, struct sh_err *err)
{
	_cleanup_free_ char *path = init_binary_path();
	_cleanup_free_ char *bin = NULL;
	size_t len = 0;
	int mfd, r;

	r = program_read(path, &bin, &len, err);
	if (r < 0)
		return r;
	mfd = shared_init_memfd(others, nothers, bin, len);
	if (mfd >= 0)
		return mfd;
	return sealed_memfd("subhost-init", bin, len, err);
}

/* ---- pid 1 lifecycle --------------------------------------------------- */

struct child_arg {
	struct sv *sv;
	int sync_fd;
};

static void idmap_child(void *arg)
{
	struct child_arg *a = arg;
	sv_child_main(a->sv, a->sync_fd);
}

/* IDMAP: pid 1 through the launcher of userns.c. */
static int start_pid1_idmap(struct sv *sv, int sync_fd, pid_t *pid, int *pidfd,
			    struct sh_err *err)
{
	struct rootfs_plan plan = sv_rootfs_plan(sv);
	struct child_arg a = { sv, sync_fd };
	struct userns_launch l = {
		.u = &sv->userns, .netns_fd = sv->netns_fd, .cgroup_fd = sv->cgroup_fd,
		.plan = &plan, .child = idmap_child, .arg = &a,
		.timeout_ms = sv->o->boot_timeout * 1000,
	};

	return userns_launch(&l, pid, pidfd, err);
}

static int start_pid1(struct sv *sv, struct sh_err *err)
{
	int sp[2], pidfd = -1;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return err_sys(err, errno, "socketpair");
	if (sv->idmap_on) {
		int r = start_pid1_idmap(sv, sp[1], &pid, &pidfd, err);
		close(sp[1]);
		if (r < 0) {
			close(sp[0]);
			return r;
		}
		goto started;
	}
	/* Born inside its cgroup: no window in which pid 1 or its first
	 * children are accounted to the supervisor's group. */
	pid = clone3_into(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
			  CLONE_NEWCGROUP | CLONE_NEWTIME, sv->cgroup_fd, &pidfd);
	if (pid < 0) {
		int e = errno;
		close(sp[0]);
		close(sp[1]);
		return err_sys(err, e, "create the subhost's namespaces (clone3)");
	}
	if (pid == 0) {
		close(sp[0]);
		sv_child_main(sv, sp[1]);
	}
	close(sp[1]);
started:
	if (sv->has_limits) {
		char notes[1024] = "";
		int r = cgroup_limits_apply(sv->cfg->name, sv->cgroup, &sv->limits, pid, notes,
					    sizeof notes, err);
		if (notes[0])
			sv_log(sv, "%s", notes);
		if (r < 0 || send(sp[0], "GO", 2, MSG_NOSIGNAL) != 2) {
			siginfo_t si;
			if (r >= 0)
				r = err_sys(err, errno, "start pid 1");
			kill(pid, SIGKILL);
			waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED);
			close(pidfd);
			close(sp[0]);
			return r;
		}
		sv_log(sv, "limits applied");
	}
	sv->pid = pid;
	sv->pidfd = pidfd;
	sv->notify_fd = sp[0];
	sv->sd_fd = -1;
	sv->sd_wait = false;
	sv->ready = false;
	sv->fail[0] = '\0';
	sv->fail_status = 0;
	sv->st.pid = pid;
	sv->st.pid_start = proc_starttime(pid);
	return 0;
}

/* subhost-init is about to exec the program of INIT: once it has, is it
 * systemd (which will say READY=1 on the notify socket)? */
static bool pid1_becomes_systemd(struct sv *sv)
{
	struct timespec ms = { 0, 1000000 };
	char base[256];

	for (int i = 0; i < 1000; i++) {
		if (!distro_exe_base(sv->pid, base, sizeof base))
			return false;   /* gone: the exec failed */
		if (!str_startswith(base, "memfd:"))
			return !strcmp(base, "systemd");
		nanosleep(&ms, NULL);
	}
	return false;
}

/* A message from the boot child (ERR, SDNOTIFY with a socket) or from
 * subhost-init (READY, FAIL). */
static void handle_notify(struct sv *sv)
{
	char buf[1200] = "", cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof cbuf };
	ssize_t n = recvmsg(sv->notify_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	int passed = -1;

	if (n >= 0) {
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&passed, CMSG_DATA(cm), sizeof passed);
	}
	if (n == 8 && !memcmp(buf, "SDNOTIFY", 8) && passed >= 0 && sv->sd_fd < 0) {
		int on = 1;

		sv->sd_fd = passed;
		if (setsockopt(sv->sd_fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) < 0)
			sv_log(sv, "notify socket: SO_PASSCRED: %s", strerror(errno));
		return;
	}
	if (passed >= 0)
		close(passed);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close(sv->notify_fd);
		sv->notify_fd = -1;
		return;
	}
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (!strcmp(buf, "NARROW")) {
		struct sh_err e = { 0 };
		bool ok = sv->narrow_fd >= 0 ||
			  devices_attach(sv->cgroup_fd, sv->data_loops, sv->ndata_loops,
					 &sv->narrow_fd, &e) == 0;

		if (!ok)
			sv_log(sv, "%s", e.msg);
		else
			sv_log(sv, "device filter: only the data disks from now on");
		if (send(sv->notify_fd, ok ? "GO" : "NO", 2, MSG_NOSIGNAL) != 2)
			sv_log(sv, "answer the boot child: %s", strerror(errno));
		return;
	}
	if (!strcmp(buf, "READY")) {
		if (sv->sd_fd >= 0 && pid1_becomes_systemd(sv)) {
			sv->sd_wait = true;     /* ready at its READY=1 */
		} else {
			if (sv->sd_fd >= 0)
				close(sv->sd_fd);
			sv->sd_fd = -1;
			sv->ready = true;
		}
	} else if (str_startswith(buf, "FAIL ")) {
		snprintf(sv->fail, sizeof sv->fail, "%.1000s", buf + 5);
		sv->fail_status = EXIT_FAIL;
	} else if (str_startswith(buf, "ERR ")) {
		char *msg = NULL;
		sv->fail_status = (int)strtol(buf + 4, &msg, 10);
		snprintf(sv->fail, sizeof sv->fail, "%.1000s", msg && *msg ? msg + 1 : buf);
	}
}

static ssize_t drain_console(struct sv *sv)
{
	char buf[4096];
	ssize_t n = read(sv->cons_master, buf, sizeof buf);

	if (n > 0 && sv->log_fd >= 0 && write(sv->log_fd, buf, (size_t)n) < 0) {
		/* best effort */
	}
	if (n > 0 && sv->o->foreground && write(2, buf, (size_t)n) < 0) {
		/* best effort */
	}
	return n;
}

enum pid1_end { END_POWEROFF, END_REBOOT, END_BOOTFAIL };

/* Datagrams from a real init on its NOTIFY_SOCKET: READY=1 makes it
 * ready, when pid 1 itself sent it (any root process inside could write
 * to the socket; the kernel tells us who did). */
static void handle_sd_notify(struct sv *sv)
{
	char buf[4096], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	for (;;) {
		struct cmsghdr *cm;
		struct ucred cred = { .pid = 0 };

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof cbuf;
		n = recvmsg(sv->sd_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0)
			break;
		buf[n] = '\0';
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
			    cm->cmsg_len == CMSG_LEN(sizeof cred))
				memcpy(&cred, CMSG_DATA(cm), sizeof cred);
			else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
				close(*(int *)CMSG_DATA(cm));   /* nothing of theirs stays */
		}
		if (sv->sd_wait && cred.pid == sv->pid && distro_notify_ready(buf)) {
			sv->sd_wait = false;
			sv->ready = true;
		}
	}
}

/* Wait for pid 1 to end while relaying console output, readiness and
 * signals.  *status gets the exit status to report (run mode: CMD's). */

static enum pid1_end supervise_pid1(struct sv *sv, int sigfd, int *status)
{
	double deadline = sv->o->boot_timeout > 0 ? now_ms() + sv->o->boot_timeout * 1000.0 : 0;
	bool term_sent = false;

	for (;;) {
		struct pollfd p[5];
		int np = 0, i_notify = -1, i_cons = -1, i_sd = -1;

		p[np].fd = sv->pidfd; p[np++].events = POLLIN;
		p[np].fd = sigfd; p[np++].events = POLLIN;
		if (sv->notify_fd >= 0) {
			i_notify = np;
			p[np].fd = sv->notify_fd; p[np++].events = POLLIN;
		}
		if (sv->cons_master >= 0) {
			i_cons = np;
			p[np].fd = sv->cons_master; p[np++].events = POLLIN;
		}
		if (sv->sd_fd >= 0) {
			i_sd = np;
			p[np].fd = sv->sd_fd; p[np++].events = POLLIN;
		}
		int timeout = -1, pr;

		if (deadline > 0 && !sv->ready)
			timeout = deadline > now_ms() ? (int)(deadline - now_ms()) + 1 : 0;
		pr = poll(p, (nfds_t)np, timeout);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			sv_log(sv, "poll: %s", strerror(errno));
			kill(sv->pid, SIGKILL);
		}
		if (pr == 0 && !sv->ready && !sv->fail[0]) {
			/* A START service that never returns must not hang boot. */
			if (sv->sd_wait)
				snprintf(sv->fail, sizeof sv->fail, "systemd did not finish its startup "
					 "(READY=1) within %d s: see %s", sv->o->boot_timeout,
					 sv->cfg->log);
			else
				snprintf(sv->fail, sizeof sv->fail, "pid 1 was not ready after %d s "
					 "(a START service still starting?): see %s",
					 sv->o->boot_timeout, sv->cfg->log);
			sv->fail_status = EXIT_FAIL;
			sv_log(sv, "%s", sv->fail);
			kill(sv->pid, SIGKILL);
			deadline = 0;
			continue;
		}
		if (i_cons >= 0 && (p[i_cons].revents & POLLIN))
			drain_console(sv);
		if ((i_notify >= 0 && p[i_notify].revents) || (i_sd >= 0 && p[i_sd].revents)) {
			bool was_ready = sv->ready;
			if (i_notify >= 0 && p[i_notify].revents)
				handle_notify(sv);
			if (i_sd >= 0 && p[i_sd].revents && sv->sd_fd >= 0)
				handle_sd_notify(sv);
			if (sv->ready && !was_ready) {
				sv->st.status = "running";
				state_write(&sv->st);
				sv_log(sv, "pid 1 is up (host pid %d)", (int)sv->pid);
				/* BASEs of subhosts that booted beside us since the
				 * list was made: cover them now, before reporting. */
				if (sv->cfg->lower_has_host_root &&
				    hide_list_update(&sv->hide, sv->cfg->name, sv->pid, sv->st.pid_start))
					sv_log(sv, "could not cover another subhost's BASE inside");
				report(sv, "OK %d\n", (int)sv->pid);
			}
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof si) == sizeof si &&
			    (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT ||
			     si.ssi_signo == SIGQUIT)) {
				/* pid 1 powers off in order, asked the way its init
				 * understands; a second request kills.  Signal first:
				 * the bookkeeping can wait. */
				char how[160] = "SIGKILL";
				int r = 0;

				if (term_sent)
					kill(sv->pid, SIGKILL);
				else
					r = distro_stop_request(sv->cfg, sv->pid, how, sizeof how);
				term_sent = true;
				sv_log(sv, "signal %d: powering off: %s%s%s", (int)si.ssi_signo, how,
				       r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
				sv->st.status = "stopping";
				state_write(&sv->st);
			}
		}
		if (p[0].revents & POLLIN) {
			siginfo_t si;
			memset(&si, 0, sizeof si);
			if (waitid((idtype_t)P_PIDFD, (id_t)sv->pidfd, &si, WEXITED) < 0)
				continue;
			/* the master is non-blocking: read what pid 1 left */
			while (sv->cons_master >= 0 && drain_console(sv) > 0)
				;
			if (sv->notify_fd >= 0) {
				handle_notify(sv);      /* a last FAIL/ERR line */
				if (sv->notify_fd >= 0)
					close(sv->notify_fd);
				sv->notify_fd = -1;
			}
			close(sv->pidfd);
			sv->pidfd = -1;
			if (sv->sd_fd >= 0)
				close(sv->sd_fd);
			sv->sd_fd = -1;
			if (si.si_code == CLD_EXITED) {
				*status = si.si_status;
				sv_log(sv, "pid 1 exited with status %d", si.si_status);
			} else {
				*status = 128 + si.si_status;
				sv_log(sv, "pid 1 was killed by signal %d", si.si_status);
			}
			if (!sv->ready)
				return END_BOOTFAIL;
			if (si.si_code != CLD_EXITED && si.si_status == SIGHUP && !sv->o->run &&
			    !term_sent)
				return END_REBOOT;
			return END_POWEROFF;
		}
	}
}

/* ---- setup and teardown ------------------------------------------------ */

/* Take off the program that allowed only the data disks. */
static void widen_devices(struct sv *sv)
{
	if (sv->narrow_fd < 0)
		return;
	if (devices_detach(sv->cgroup_fd, sv->narrow_fd) < 0)
		sv_log(sv, "detach the data-disk device filter: %s", strerror(errno));
	close(sv->narrow_fd);
	sv->narrow_fd = -1;
}

static void teardown(struct sv *sv)
{
	struct sh_err err = { 0 };

	if (sv->pidfd >= 0) {
		siginfo_t si;
		kill(sv->pid, SIGKILL);
		waitid((idtype_t)P_PIDFD, (id_t)sv->pidfd, &si, WEXITED);
		close(sv->pidfd);
		sv->pidfd = -1;
	}
	if (sv->sd_fd >= 0)
		close(sv->sd_fd);
	sv->sd_fd = -1;
	/* pid 1 is gone: the loops detach as soon as its mounts are gone too */
	disks_release(sv->disks);
	if (sv->has_limits)
		cgroup_v1_remove(sv->cfg->name);
	if (sv->cgroup) {
		int r = cgroup_remove(sv->cgroup);
		if (r < 0)
			sv_log(sv, "remove cgroup %s: %s", sv->cgroup, strerror(-r));
	}
	if (sv->netns_fd >= 0) {
		close(sv->netns_fd);
		sv->netns_fd = -1;
		if (sv->netns_named && net_ns_remove(sv->cfg->name, &err) < 0)
			sv_log(sv, "%s", err.msg);
	}
	state_remove(sv->cfg->name);
	hide_list_free(&sv->hide);
	if (sv->narrow_fd >= 0)
		close(sv->narrow_fd);   /* the group is gone, and its programs */
	sv->narrow_fd = -1;
	free(sv->data_loops);
	sv->data_loops = NULL;
	sv->ndata_loops = 0;
	free(sv->cgroup);
	sv->cgroup = NULL;
	if (sv->cgroup_fd >= 0)
		close(sv->cgroup_fd);
	if (sv->init_fd >= 0)
		close(sv->init_fd);
	if (sv->userns.fd >= 0)
		close(sv->userns.fd);
	sv->cgroup_fd = sv->init_fd = sv->userns.fd = -1;
	sv_log(sv, "torn down");
	if (sv->lock_fd >= 0)
		close(sv->lock_fd);
	sv->lock_fd = -1;
}

void subhost_clean_stale(const char *name)
{
	struct sh_state st;
	_cleanup_free_ char *cg = NULL;

	if (state_read(name, &st) == 0) {
		/* Normally gone already (parent-death signal); be sure. */
		if (st.pid > 0 && proc_alive(st.pid, st.pid_start))
			kill(st.pid, SIGKILL);
		if (st.cgroup && *st.cgroup)
			cg = xstrdup(st.cgroup);
		state_free(&st);
	}
	if (!cg)
		cg = cgroup_path(name);
	if (cg)
		cgroup_remove(cg);
	cgroup_v1_remove(name);
	net_ns_remove(name, NULL);
	state_remove(name);
}

static int open_console(struct sv *sv, struct sh_err *err)
{
	struct termios tio;
	int m, s;

	if (openpty(&m, &s, sv->cons_path, NULL, NULL) < 0)
		return err_sys(err, errno, "allocate the console pty");
	fcntl(m, F_SETFD, FD_CLOEXEC);
	fcntl(s, F_SETFD, FD_CLOEXEC);
	/* The log gets what pid 1 wrote, not "\r\n" from output processing. */
	if (tcgetattr(s, &tio) == 0) {
		tio.c_oflag &= ~(tcflag_t)OPOST;
		tcsetattr(s, TCSANOW, &tio);
	}
	fcntl(m, F_SETFL, O_NONBLOCK);
	/* IDMAP: root inside must be able to open /dev/console */
	if (sv->idmap_on && fchown(s, sv->userns.uid, sv->userns.tty_gid) < 0) {
		int e = errno;
		close(m);
		close(s);
		return err_sys(err, e, "hand the console to root inside");
	}
	sv->cons_master = m;
	sv->cons_slave = s;
	return 0;
}

static char *layers_str(const struct sh_list *l)
{
	size_t len = 1, i;
	char *s;

	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	s = xcalloc(1, len);
	for (i = 0; i < l->n; i++) {
		if (i)
			strcat(s, ":");
		strcat(s, l->v[i]);
	}
	return s;
}

/* Runs in the supervisor process: from the lock to the end of the subhost. */
static int supervise(struct sv *sv, struct sh_err *err)
{
	struct sh_config *cfg = sv->cfg;
	sigset_t mask;
	int sigfd, r, status = 0, quick = 0;
	double last_boot;
	_cleanup_free_ char *lower = cfg->ndisks ? disks_root_str(cfg) : layers_str(&cfg->lower);
	struct sh_state *others = NULL;
	size_t nothers = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		r = err_sys(err, errno, "signalfd");
		goto fail;
	}

	sv->st.name = cfg->name;
	sv->st.status = "booting";
	sv->st.mode = sv->o->run ? "run" : "boot";
	sv->st.supervisor_pid = getpid();
	sv->st.supervisor_start = proc_starttime(getpid());
	sv->st.started = (long long)time(NULL);
	sv->st.boots = 1;
	sv->st.conf = cfg->path;
	sv->st.base = cfg->base;
	sv->st.live = cfg->live;
	sv->st.upper = cfg->upper;
	sv->st.lower = lower;
	sv->st.log = cfg->log;
	sv->st.hostname = cfg->hostname;
	sv->st.ncables = (unsigned)net_eth_count(cfg);
	sv->st.init_fd = -1;
	sv->st.caps_known = true;
	sv->st.caps_drop = sv->caps_drop;
	sv->st.seccomp = cfg->seccomp;
	r = state_write(&sv->st);
	if (r < 0) {
		err_sys(err, -r, "write state of %s", cfg->name);
		goto fail;
	}
	sv_log(sv, "booting from %s", cfg->path);
	{
		char note[PATH_MAX + 256];
		int pr = hardening_protect_upper(cfg->base, cfg->upper, note, sizeof note);
		if (pr < 0)
			sv_log(sv, "check access to %s: %s", cfg->upper, strerror(-pr));
		else if (pr > 0)
			sv_log(sv, "%s", note);
	}

	sv->netns_named = !sv->o->run;
	if (sv->idmap_on) {
		r = userns_create(&sv->idmap, &sv->userns, &sv->netns_fd, err);
		if (r < 0)
			goto fail;
		sv_log(sv, "user namespace: root inside is %u:%u on the host",
		       (unsigned)sv->userns.uid, (unsigned)sv->userns.gid);
		r = net_ns_adopt(sv->netns_named ? cfg->name : NULL, sv->netns_fd, err);
		if (r < 0) {
			close(sv->netns_fd);
			sv->netns_fd = r;
		}
	} else {
		sv->netns_fd = sv->netns_named ? net_ns_create(cfg->name, err) :
						 net_ns_create_anon(err);
	}
	if (sv->netns_fd < 0) {
		r = sv->netns_fd;
		if (r == -EEXIST)
			err_msg(err, EXIT_FAIL, EEXIST, "network namespace %s/%s already exists "
				"and is not this subhost's: remove it or rename the subhost",
				NETNS_RUN_DIR, cfg->name);
		goto fail;
	}
	sv_log(sv, "netns %s/%s", NETNS_RUN_DIR, sv->netns_named ? cfg->name : "(unnamed: run)");
	r = net_cables_create(cfg, sv->netns_fd, err);
	if (r < 0)
		goto fail;
	if (cfg->ncables)
		sv_log(sv, "%zu cable(s)", cfg->ncables);
	sv->cgroup_fd = cgroup_create(cfg->name, &sv->cgroup, err);
	if (sv->cgroup_fd < 0 && sv->cgroup_fd != -ENOENT) {
		r = sv->cgroup_fd;
		goto fail;
	}
	sv->st.cgroup = sv->cgroup;
	sv_log(sv, "cgroup %s", sv->cgroup ? sv->cgroup : "(none: no cgroup2 on this host)");
	if (sv->idmap_on && sv->cgroup) {
		r = cgroup_delegate(sv->cgroup, sv->userns.uid, sv->userns.gid, err);
		if (r < 0)
			goto fail;
	}
	r = disks_attach(sv->disks, err);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < sv->disks->n; i++)
		sv_log(sv, "%s on %s", sv->disks->v[i].part.image, sv->disks->v[i].dev);
	if (sv->cgroup_fd >= 0) {
		/* Before pid 1 is born into the group: no window with host
		 * disks.  The subhost's own loop devices are allowed: the boot
		 * child mounts them, and data disks are its block devices. */
		_cleanup_free_ struct dev_rule *loops = xcalloc(sv->disks->n + 1, sizeof *loops);
		size_t nl = 0;

		sv->data_loops = xcalloc(sv->disks->n + 1, sizeof *sv->data_loops);
		for (size_t i = 0; i < sv->disks->n; i++) {
			const struct disk_use *u = &sv->disks->v[i];
			struct dev_rule rule = { 'b', (int)major(u->rdev), (int)minor(u->rdev) };

			if (u->fd < 0)
				continue;
			loops[nl++] = rule;
			if (u->role == DISK_DATA)
				sv->data_loops[sv->ndata_loops++] = rule;
			else
				sv->narrow_devices = true;
		}
		r = devices_attach(sv->cgroup_fd, loops, nl, NULL, err);
		if (r < 0)
			goto fail;
		sv_log(sv, "device filter attached");
	} else {
		sv_log(sv, "no cgroup2: device access is not restricted");
	}
	/* One pass over the other subhosts' states serves the shared pid 1
	 * copy and both directions of hiding upper layers. */
	others = state_read_others(cfg->name, &nothers);
	sv->init_fd = init_memfd(others, nothers, err);
	if (sv->init_fd < 0) {
		r = sv->init_fd;
		goto fail;
	}
	sv->st.init_fd = sv->init_fd;   /* lets later boots share this copy */
	if (!sv->o->run) {
		r = open_console(sv, err);
		if (r < 0)
			goto fail;
	}
	if (hide_in_running(cfg->base, others, nothers))
		sv_log(sv, "could not cover %s inside every running subhost", cfg->base);

	for (;;) {
		enum pid1_end end;

		last_boot = now_ms();
		if (cfg->lower_has_host_root)
			hide_list_collect(&sv->hide, cfg->base, others, nothers);
		r = start_pid1(sv, err);
		if (r < 0)
			goto fail;
		/* The state names pid 1 once it is READY; until then stop and
		 * stale cleanup go through the supervisor (and the parent-death
		 * signal). */
		sv_log(sv, "pid 1 started (host pid %d)", (int)sv->pid);
		end = supervise_pid1(sv, sigfd, &status);
		if (end == END_BOOTFAIL) {
			if (sv->fail[0])
				r = err_msg(err, sv->fail_status ? sv->fail_status : EXIT_FAIL, 0,
					    "%s", sv->fail);
			else
				r = err_msg(err, EXIT_FAIL, 0, "pid 1 ended during boot (status %d)",
					    status);
			sv_log(sv, "boot failed: %s", err->msg);
			goto fail;
		}
		if (end == END_POWEROFF)
			break;
		quick = now_ms() - last_boot < 10000 ? quick + 1 : 0;
		if (quick >= MAX_QUICK_REBOOTS) {
			sv_log(sv, "rebooted %d times within 10 s each: giving up", quick);
			break;
		}
		sv->st.boots++;
		widen_devices(sv);      /* the next boot mounts its disks again */
		sv->st.status = "booting";
		/* Subhosts may have come and gone since: hide what is there now. */
		state_free_all(others, nothers);
		others = state_read_others(cfg->name, &nothers);
		sv_log(sv, "reboot requested from inside: booting again");
	}
	teardown(sv);
	close(sigfd);
	state_free_all(others, nothers);
	return sv->o->run ? status : EXIT_OK;
fail:
	state_free_all(others, nothers);
	teardown(sv);
	if (sigfd >= 0)
		close(sigfd);
	report(sv, "ERR %d %s\n", err->status ? err->status : EXIT_FAIL, err->msg);
	return r < 0 ? (err->status ? err->status : EXIT_FAIL) : EXIT_FAIL;
}

int subhost_start(struct sh_config *cfg, const struct sv_opts *o, struct sh_err *err)
{
	_cleanup_disks_ struct disk_set disks = { NULL, 0 };
	struct sv sv = {
		.cfg = cfg, .o = o, .lock_fd = -1, .report_fd = -1, .log_fd = -1,
		.netns_fd = -1, .cgroup_fd = -1, .init_fd = -1, .cons_master = -1,
		.cons_slave = -1, .pid = -1, .pidfd = -1, .notify_fd = -1, .sd_fd = -1,
		.narrow_fd = -1,
		.disks = &disks, .userns.fd = -1,
	};
	bool stale = false;
	int r, pfd[2];
	pid_t pid;

	sv.t0 = now_ms();
	r = bases_resolve(cfg, err);
	if (r < 0)
		return err->status ? err->status : EXIT_USAGE;
	r = cgroup_limits_parse(cfg, &sv.limits, err);
	if (r < 0)
		return err->status ? err->status : EXIT_USAGE;
	sv.has_limits = cgroup_limits_any(&sv.limits);
	r = disks_plan(cfg, &disks, err);
	if (r < 0)
		return err->status ? err->status : EXIT_USAGE;
	r = userns_config(cfg, &sv.idmap, err);
	if (r < 0)
		return err->status ? err->status : EXIT_USAGE;
	sv.idmap_on = r > 0;
	if (sv.idmap_on)
		userns_ids(&sv.idmap, &sv.userns);
	sv.caps_drop = caps_plan(cfg->caps_drop, cfg->caps_keep);
	if (mkdir_p("/var/lib/subhost", 0700) < 0) {
		/* only a convenience for `create`; not fatal */
	}
	sv.lock_fd = state_lock(cfg->name, &stale, err);
	if (sv.lock_fd == -EBUSY)
		return err_msg(err, EXIT_RUNNING, 0, "already running"), EXIT_RUNNING;
	if (sv.lock_fd < 0)
		return err->status ? err->status : EXIT_FAIL;
	if (stale)
		subhost_clean_stale(cfg->name);
	/* (re-)take the lock if the stale cleanup removed the directory */
	if (stale) {
		close(sv.lock_fd);
		sv.lock_fd = state_lock(cfg->name, NULL, err);
		if (sv.lock_fd == -EBUSY)
			return err_msg(err, EXIT_RUNNING, 0, "already running"), EXIT_RUNNING;
		if (sv.lock_fd < 0)
			return EXIT_FAIL;
	}
	/* Under the lock, after a dead predecessor's netns is gone: the host
	 * side of every cable is checked before anything is created. */
	r = net_cables_check(cfg, err);
	if (r < 0) {
		close(sv.lock_fd);
		state_remove(cfg->name);
		return err->status ? err->status : EXIT_FAIL;
	}
	sv.log_fd = open_log(cfg->log);

	if (o->foreground || o->run)
		return supervise(&sv, err);

	/* Detach a supervisor; wait until it says the subhost is up. */
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_sys(err, errno, "pipe"), EXIT_FAIL;
	pid = fork();
	if (pid < 0)
		return err_sys(err, errno, "fork the supervisor"), EXIT_FAIL;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		int keep[4] = { sv.lock_fd, pfd[1], sv.log_fd, cfg->mntns_fd > 2 ? cfg->mntns_fd : -1 };

		close(pfd[0]);
		sv.report_fd = pfd[1];
		if (setsid() < 0 || devnull < 0 || dup2(devnull, 0) < 0 ||
		    dup2(sv.log_fd >= 0 ? sv.log_fd : devnull, 1) < 0 ||
		    dup2(sv.log_fd >= 0 ? sv.log_fd : devnull, 2) < 0)
			_exit(EXIT_FAIL);
		/* Nothing of the caller's stays open for the subhost's lifetime
		 * (a $(subhost boot) would hang on its pipe, a make jobserver
		 * would lose tokens). */
		close_fds_except(keep, 4);
		if (chdir("/") < 0)
			_exit(EXIT_FAIL);
		prctl(PR_SET_NAME, "subhost-sv");
		_exit(supervise(&sv, err));
	}
	close(pfd[1]);
	close(sv.lock_fd);      /* the supervisor holds the lock now */
	{
		char buf[1200];
		size_t off = 0;
		ssize_t n;

		while (off < sizeof buf - 1 &&
		       ((n = read(pfd[0], buf + off, sizeof buf - 1 - off)) > 0 ||
			(n < 0 && errno == EINTR)))
			if (n > 0)
				off += (size_t)n;
		buf[off] = '\0';
		close(pfd[0]);
		if (str_startswith(buf, "OK "))
			return EXIT_OK;
		if (str_startswith(buf, "ERR ")) {
			char *msg = NULL;
			int st = (int)strtol(buf + 4, &msg, 10);
			size_t l;
			if (msg && *msg == ' ')
				msg++;
			l = strlen(msg);
			while (l && msg[l - 1] == '\n')
				msg[--l] = '\0';
			return err_msg(err, st ? st : EXIT_FAIL, 0, "%s", msg), st ? st : EXIT_FAIL;
		}
		return err_msg(err, EXIT_FAIL, 0, "the supervisor ended without a word; see %s",
			       cfg->log), EXIT_FAIL;
	}
}
