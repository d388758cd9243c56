/* cmd-stop.c - `subhost stop NAME|CONF [--timeout S] [--force]` */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include "cgroup.h"
#include "cli.h"
#include "state.h"
#include "supervisor.h"

/* Wait up to ms for the process behind pidfd to end; true if it did. */
static bool wait_gone(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	double end = now_ms() + ms;
	int r;

	for (;;) {
		int left = (int)(end - now_ms());
		if (left < 0)
			left = 0;
		r = poll(&p, 1, left);
		if (r > 0)
			return true;
		if (r == 0 || errno != EINTR)
			return false;
	}
}

static void kill_all(const struct sh_state *st)
{
	if (st->pid > 0 && proc_alive(st->pid, st->pid_start))
		kill(st->pid, SIGKILL);
	if (st->cgroup && *st->cgroup)
		cgroup_kill(st->cgroup);
}

int cmd_stop(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int pidfd = -1;
	struct sh_state st;
	int c, status, timeout = 30, stale_fd, probe;
	bool force = false;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = (int)strtol(optarg, &end, 10);
			if (*end || timeout < 0) {
				fprintf(stderr, "subhost: --timeout %s: expected seconds\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			cli_usage(stdout, "stop");
			return 0;
		default:
			cli_usage(stderr, "stop");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_usage(stderr, "stop");
		return EXIT_USAGE;
	}
	name = cli_name(argv[optind], &status);
	if (!name)
		return status;

	probe = state_probe(name, &stale_fd);
	if (probe == 2) {
		subhost_clean_stale(name);
		close(stale_fd);
		warnx_name(name, "not running (removed the state its dead supervisor left)");
		return EXIT_NOTRUNNING;
	}
	if (probe == 0 || state_read(name, &st) < 0) {
		warnx_name(name, "not running");
		return EXIT_NOTRUNNING;
	}
	pidfd = (int)syscall(SYS_pidfd_open, st.supervisor_pid, 0);
	if (pidfd < 0 || !proc_alive(st.supervisor_pid, st.supervisor_start)) {
		/* The lock is held but the recorded supervisor is not the holder:
		 * it is still booting and has not written its pid yet. */
		warnx_name(name, "is booting; try again");
		state_free(&st);
		return EXIT_FAIL;
	}
	if (force) {
		kill_all(&st);
	} else if (kill(st.supervisor_pid, SIGTERM) < 0) {
		int e = errno;
		warnx_name(name, "signal supervisor %d: %s", (int)st.supervisor_pid, strerror(e));
		state_free(&st);
		return EXIT_FAIL;
	}
	if (!wait_gone(pidfd, force ? 10000 : timeout * 1000)) {
		if (!force)
			warnx_name(name, "did not power off within %d s: killing it", timeout);
		kill_all(&st);
		if (!wait_gone(pidfd, 10000)) {
			warnx_name(name, "supervisor %d does not end", (int)st.supervisor_pid);
			state_free(&st);
			return EXIT_FAIL;
		}
	}
	state_free(&st);
	return 0;
}
