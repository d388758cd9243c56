/* minimal.c - the bare sequence a subhost-like tool cannot avoid, as a
 * floor for bench/bench.sh: clone into new mount/pid/ipc/uts/net
 * namespaces, overlay LOWER with SCRATCH/upper and SCRATCH/work on
 * SCRATCH/live, a tmpfs /dev holding only null, /proc, pivot_root,
 * exec CMD.  The parent waits and exits with CMD's status.
 *
 * Usage: minimal LOWER SCRATCH CMD [ARG...]
 * Build: cc -std=gnu17 -O2 -o minimal minimal.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *lower, *scratch;
static char **cmd;

static void die(const char *what)
{
	fprintf(stderr, "minimal: %s: %s\n", what, strerror(errno));
	_exit(125);
}

static void path(char *buf, size_t len, const char *a, const char *b)
{
	if ((size_t)snprintf(buf, len, "%s/%s", a, b) >= len) {
		errno = ENAMETOOLONG;
		die(a);
	}
}

static int child(void *arg)
{
	char live[4096], upper[4096], work[4096], opts[3 * 4096 + 64], p[4096];

	(void)arg;
	path(live, sizeof live, scratch, "live");
	path(upper, sizeof upper, scratch, "upper");
	path(work, sizeof work, scratch, "work");

	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");

	if ((size_t)snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s",
			     lower, upper, work) >= sizeof opts) {
		errno = ENAMETOOLONG;
		die("overlay options");
	}
	if (mount("overlay", live, "overlay", 0, opts) < 0)
		die("mount overlay");

	path(p, sizeof p, live, "dev");
	if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") < 0)
		die("mount /dev");
	path(p, sizeof p, live, "dev/null");
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) < 0)
		die("mknod /dev/null");

	path(p, sizeof p, live, "proc");
	if (mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("mount /proc");

	/* pivot_root(".", ".") stacks the old root under the new one;
	 * detaching "." then drops it. */
	if (chdir(live) < 0)
		die("chdir live");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("detach old root");
	if (chdir("/") < 0)
		die("chdir /");

	execv(cmd[0], cmd);
	die(cmd[0]);
	return 125;
}

int main(int argc, char **argv)
{
	static char stack[256 * 1024] __attribute__((aligned(16)));
	const char *subdirs[] = { "live", "upper", "work" };
	char p[4096];
	int status;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: minimal LOWER SCRATCH CMD [ARG...]\n");
		return 2;
	}
	lower = argv[1];
	scratch = argv[2];
	cmd = argv + 3;
	umask(022);
	if (mkdir(scratch, 0755) < 0 && errno != EEXIST)
		die(scratch);
	for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		path(p, sizeof p, scratch, subdirs[i]);
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die(p);
	}

	pid = clone(child, stack + sizeof stack,
		    CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
		    CLONE_NEWNET | SIGCHLD, NULL);
	if (pid < 0)
		die("clone");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
