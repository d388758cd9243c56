/* supervisor-child.c - the boot child: from clone3 to the exec of
 * subhost-init as the subhost's pid 1. */
#include "supervisor-internal.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "distro.h"
#include "hardening.h"
#include "seccomp-filter.h"

/* ---- the boot child ---------------------------------------------------- */

static char **init_argv(struct sv *sv)
{
	const struct sh_config *cfg = sv->cfg;
	size_t n = 0, i, cap = 16 + cfg->start.n + cfg->init_argv.n;
	char **argv, **extra = NULL;
	const char *mode = "services";
	static char grace[16], runlevel[2];

	if (sv->o->run) {
		mode = "run";
		extra = sv->o->run_argv;
	} else if (cfg->init_mode == INIT_SYSV) {
		mode = "sysv";
	} else if (cfg->init_mode == INIT_EXEC) {
		mode = "exec";
	}
	for (i = 0; extra && extra[i]; i++)
		cap++;
	argv = xcalloc(cap, sizeof *argv);
	argv[n++] = "subhost-init";
	argv[n++] = "--name";
	argv[n++] = cfg->name;
	argv[n++] = "--mode";
	argv[n++] = (char *)mode;
	snprintf(grace, sizeof grace, "%d", sv->o->grace);
	argv[n++] = "--grace";
	argv[n++] = grace;
	if (sv->o->run)
		argv[n++] = "--quiet";
	if (!sv->o->run && cfg->init_mode == INIT_SYSV && cfg->runlevel != '2') {
		runlevel[0] = cfg->runlevel;
		argv[n++] = "--runlevel";
		argv[n++] = runlevel;
	}
	argv[n++] = "--";
	if (extra) {
		for (i = 0; extra[i]; i++)
			argv[n++] = extra[i];
	} else if (cfg->init_mode == INIT_EXEC) {
		for (i = 0; i < cfg->init_argv.n; i++)
			argv[n++] = cfg->init_argv.v[i];
	} else if (cfg->init_mode == INIT_SERVICES) {
		for (i = 0; i < cfg->start.n; i++)
			argv[n++] = cfg->start.v[i];
	}
	argv[n] = NULL;
	return argv;
}

struct rootfs_plan sv_rootfs_plan(struct sv *sv)
{
	return (struct rootfs_plan){
		.cfg = sv->cfg, .console = sv->cons_slave >= 0 ? sv->cons_path : NULL,
		.hide = sv->hide.v, .nhide = sv->hide.n, .disks = sv->disks,
		.interfaces = !sv->o->run, .own_cgroup = sv->cgroup_fd >= 0,
		.userns = sv->idmap_on ? &sv->userns : NULL,
	};
}

/* Runs in the clone3 child: new mount, pid, ipc, uts, time and cgroup
 * namespaces, already in the subhost's cgroup (IDMAP: all owned by the
 * user namespace, the root assembled by the launcher).  Never returns. */
void sv_child_main(struct sv *sv, int sync_fd)
{
	const struct sh_config *cfg = sv->cfg;
	struct rootfs_plan plan = sv_rootfs_plan(sv);
	struct sh_err err = { 0 };
	char term[64] = "TERM=linux";
	char *envp[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"container=subhost", "HOME=/", term, "SUBHOST_NOTIFY_FD=3", NULL, NULL,
	};
	/* If the supervisor dies (even by SIGKILL) the whole subhost goes with
	 * it: a pid namespace dies with its init.  What remains on the host
	 * (netns, cgroup, state) is then detected as stale by the next command. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		err_sys(&err, errno, "set the parent-death signal");
		child_report_fail(sync_fd, &err);
	}
	/* SIGTERM and friends stay blocked (as in the supervisor) through the
	 * exec: the kernel drops a signal sent to a pid namespace's init that
	 * has no handler, but keeps a blocked one pending, so a stop that
	 * arrives during boot reaches subhost-init's signalfd. */
	umask(0);
	if (sv->has_limits) {
		/* The supervisor moves us into the v1 groups of our limits
		 * before we start anything. */
		char go[4];
		if (recv(sync_fd, go, sizeof go, 0) != 2 || memcmp(go, "GO", 2))
			_exit(EXIT_FAIL);
	}
	if (sv->idmap_on) {
		/* in the netns since the launcher, the root assembled by it */
		if (rootfs_enter_locked(&err) < 0)
			child_report_fail(sync_fd, &err);
	} else {
		if (setns(sv->netns_fd, CLONE_NEWNET) < 0) {
			err_sys(&err, errno, "join network namespace %s", cfg->name);
			child_report_fail(sync_fd, &err);
		}
		if (rootfs_assemble(&plan, &err) < 0 || rootfs_pivot(cfg->live, &err) < 0 ||
		    rootfs_proc(&err) < 0)
			child_report_fail(sync_fd, &err);
	}
	if (sethostname(cfg->hostname, strlen(cfg->hostname)) < 0) {
		err_sys(&err, errno, "set hostname %s", cfg->hostname);
		child_report_fail(sync_fd, &err);
	}
	/* A real init gets NOTIFY_SOCKET (on our /run tmpfs): systemd says
	 * READY=1 there once its startup has finished. */
	if (cfg->init_mode == INIT_EXEC && !sv->o->run && cfg->ram_size) {
		int sd = distro_notify_socket(&err);
		char tag[] = "SDNOTIFY", cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { .iov_base = tag, .iov_len = sizeof tag - 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof cbuf };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

		if (sd < 0)
			child_report_fail(sync_fd, &err);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &sd, sizeof sd);
		if (sendmsg(sync_fd, &mh, MSG_NOSIGNAL) < 0) {
			err_sys(&err, errno, "pass the notify socket");
			child_report_fail(sync_fd, &err);
		}
		close(sd);
		envp[5] = "NOTIFY_SOCKET=" DISTRO_NOTIFY_PATH;
	}
	/* The seccomp filter pid 1 and everything inside inherit, loaded
	 * before the capabilities go: without NO_NEW_PRIVS loading needs
	 * CAP_SYS_ADMIN, which CAPS_DROP may take.  Nothing we do after it
	 * is on its list. */
	/* The root disk and IMAGE loops were allowed for mounting them; from
	 * now on only the data disks: the supervisor adds a program that
	 * allows no more (all programs on a group must allow a device) and
	 * takes it off again for a reboot.  Root inside could otherwise
	 * write the raw blocks under its mounted filesystem. */
	if (sv->narrow_devices) {
		char reply[4] = "";

		if (send(sync_fd, "NARROW", 6, MSG_NOSIGNAL) != 6 ||
		    recv(sync_fd, reply, sizeof reply, 0) != 2 || memcmp(reply, "GO", 2)) {
			err_msg(&err, EXIT_FAIL, 0, "the supervisor could not narrow the device filter");
			child_report_fail(sync_fd, &err);
		}
	}
	if (sc_load(cfg->seccomp, sv->caps_drop, &err) < 0 ||
	    hardening_apply(sv->caps_drop, &err) < 0)
		child_report_fail(sync_fd, &err);
	umask(022);
	if (sv->o->run) {
		const char *t = getenv("TERM");
		if (t)
			snprintf(term, sizeof term, "TERM=%s", t);
	} else if (sv->cons_slave >= 0) {
		if (dup2(sv->cons_slave, 0) < 0 || dup2(sv->cons_slave, 1) < 0 ||
		    dup2(sv->cons_slave, 2) < 0) {
			err_sys(&err, errno, "attach the console");
			child_report_fail(sync_fd, &err);
		}
	}
	/* Only stdio, the notify socket (3) and the init image (4, close-on-
	 * exec) survive into pid 1: nothing of the host leaks in. */
	if (dup3(sync_fd, NOTIFY_FD, 0) < 0 || dup3(sv->init_fd, 4, O_CLOEXEC) < 0 ||
	    syscall(SYS_close_range, 5U, ~0U, 0U) < 0) {
		err_sys(&err, errno, "prepare descriptors for pid 1");
		child_report_fail(sync_fd, &err);
	}
	sync_fd = NOTIFY_FD;
	syscall(SYS_execveat, 4, "", init_argv(sv), envp, AT_EMPTY_PATH);
	err_sys(&err, errno, "execute subhost-init");
	child_report_fail(sync_fd, &err);
}

