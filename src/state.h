/* state.h - the runtime state directory of a subhost (/run/subhost/NAME).
 *
 * The supervisor holds an exclusive flock on NAME/lock for as long as the
 * subhost exists; the lock, not the pid, says "running".  A state directory
 * whose lock can be taken is stale (its supervisor died) and is cleaned by
 * whoever notices first, under that same lock.  The state file is written
 * atomically (tmp + rename).
 */
#ifndef SUBHOST_STATE_H
#define SUBHOST_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "util.h"

#define SH_RUNDIR_DEFAULT "/run/subhost"

struct sh_state {
	char *name;
	char *status;                   /* booting, running, stopping */
	char *mode;                     /* boot, run */
	pid_t supervisor_pid;
	unsigned long long supervisor_start;
	pid_t pid;                      /* pid 1 of the subhost, as the host sees it */
	unsigned long long pid_start;
	long long started;              /* epoch seconds of the first boot */
	unsigned boots;                 /* 1 + reboots */
	char *conf, *base, *live, *upper, *lower, *log, *cgroup, *hostname;
	unsigned ncables;
	int init_fd;                    /* the supervisor's sealed memfd of subhost-init, -1 if none */
	/* What pid 1 gave up (hardening.h, seccomp-filter.h); `go` gives up
	 * the same.  caps_known is false for a state without them. */
	bool caps_known;
	unsigned long long caps_drop;   /* capabilities dropped (bit mask) */
	char *seccomp;                  /* the SECCOMP value ("" = default) */
};

/* The run directory ($SUBHOST_RUNDIR or /run/subhost). */
const char *state_rundir(void);
/* NAME's directory, malloc'd. */
char *state_dir(const char *name);

/* Take NAME's lock: creates the directories, returns the locked fd (O_CLOEXEC)
 * or -EBUSY when a live supervisor holds it.  *was_stale is set when a state
 * file from a dead supervisor was found (the caller must clean up before
 * reusing the name). */
int state_lock(const char *name, bool *was_stale, struct sh_err *err);

/* Probe without blocking: 1 = held (running), 0 = absent, and for a stale
 * directory: takes the lock and returns its fd via *stale_fd (returns 2). */
int state_probe(const char *name, int *stale_fd);

int state_write(const struct sh_state *st);
int state_read(const char *name, struct sh_state *st);
void state_free(struct sh_state *st);
/* Remove NAME's state directory (lock file last). */
void state_remove(const char *name);
/* Names with a state directory; NULL-terminated, malloc'd (free each + array). */
char **state_names(void);

/* The states of every subhost but except, read in one pass (a boot needs
 * them three times); *n gets the count.  Free with state_free_all. */
struct sh_state *state_read_others(const char *except, size_t *n);
void state_free_all(struct sh_state *v, size_t n);

#endif
