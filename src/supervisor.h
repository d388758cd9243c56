/* supervisor.h - boot a subhost and hold it until it ends (SPEC 6).
 *
 * One `subhost` process per running subhost stays on the host as its
 * supervisor: it owns the lock, the netns, the cgroup and the console, it
 * is the parent of the subhost's pid 1, and when pid 1 ends for any reason
 * it removes everything.  A reboot from inside (pid 1 killed by SIGHUP,
 * which is what reboot(2) does in a pid namespace) boots again with the
 * same netns and cables.
 */
#ifndef SUBHOST_SUPERVISOR_H
#define SUBHOST_SUPERVISOR_H

#include "config.h"

struct sv_opts {
	bool foreground;        /* boot --foreground: stay attached, log to stderr too */
	bool run;               /* subhost run: CMD is the only service, caller's stdio */
	char **run_argv;        /* the CMD of run (NULL-terminated) */
	int grace;              /* seconds pid 1 waits between SIGTERM and SIGKILL */
	int boot_timeout;       /* seconds to wait for READY (START done); 0: no limit */
};

/* Boot cfg.  Returns the exit status for the command (0 once the subhost
 * runs; for run, CMD's status) and fills err on failure.  Without
 * foreground/run it returns in the caller while a forked supervisor holds
 * the subhost. */
int subhost_start(struct sh_config *cfg, const struct sv_opts *o, struct sh_err *err);

/* Remove what a dead supervisor left of NAME (processes, cgroup, netns,
 * state).  The caller holds NAME's lock (from state_probe/state_lock). */
void subhost_clean_stale(const char *name);

#endif
