/* supervisor-internal.h - what supervisor.c (boot sequence, supervision,
 * teardown) and supervisor-child.c (the boot child that becomes pid 1)
 * share: the supervisor's state.  Nothing else includes it. */
#ifndef SUBHOST_SUPERVISOR_INTERNAL_H
#define SUBHOST_SUPERVISOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "cgroup.h"
#include "devices.h"
#include "disk.h"
#include "hide.h"
#include "idmap.h"
#include "rootfs.h"
#include "state.h"
#include "supervisor.h"
#include "userns.h"

#define NOTIFY_FD 3
#define MAX_QUICK_REBOOTS 5     /* reboots within 10 s before we give up */

struct sv {
	struct sh_config *cfg;
	const struct sv_opts *o;
	struct sh_state st;
	int lock_fd;
	int report_fd;          /* pipe to the waiting `subhost boot`, or -1 */
	int log_fd;
	int netns_fd;
	bool netns_named;       /* /run/netns/NAME exists (boot), or not (run) */
	int cgroup_fd;
	char *cgroup;
	int init_fd;            /* sealed memfd holding subhost-init */
	int cons_master, cons_slave;
	char cons_path[64];     /* /dev/pts/N of the console on the host */
	struct hide_list hide;  /* paths covered before pivot_root (hide.c) */
	struct disk_set *disks; /* DISKS and IMAGE: their loops, held until teardown */
	struct dev_rule *data_loops; /* the loops of data disks: all the device filter */
	size_t ndata_loops;          /* allows once the root is assembled */
	bool narrow_devices;         /* root or IMAGE loops were allowed for the boot */
	int narrow_fd;               /* the program allowing only data loops, or -1 */
	struct cg_limits limits;
	bool has_limits;        /* pid 1 waits for GO while its limits are set */
	bool idmap_on;          /* IDMAP: a user namespace (userns.h) */
	struct idmap idmap;
	struct userns userns;
	uint64_t caps_drop;     /* capabilities pid 1 gives up (hardening.h) */
	double t0;
	/* the current pid 1 */
	pid_t pid;
	int pidfd;
	int notify_fd;
	int sd_fd;              /* NOTIFY_SOCKET of a real init (exec mode), or -1 */
	bool sd_wait;           /* pid 1 is systemd: ready at its READY=1 */
	bool ready;
	char fail[1024];        /* FAIL / ERR text from the child or init */
	int fail_status;
};

/* The root as the boot child assembles it. */
struct rootfs_plan sv_rootfs_plan(struct sv *sv);

/* Runs in the clone3 child (or, IDMAP, the launcher's child): new mount,
 * pid, ipc, uts, time and cgroup namespaces, already in the subhost's
 * cgroup.  Joins the netns, assembles the root, hardens itself and execs
 * subhost-init from the sealed memfd.  Never returns; a failure goes to
 * the supervisor as "ERR STATUS MESSAGE" on sync_fd. */
void sv_child_main(struct sv *sv, int sync_fd) __attribute__((noreturn));

#endif
