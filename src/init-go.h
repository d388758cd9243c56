/* init-go.h - `subhost-init --go`: the last step of `subhost go`.
 *
 *   subhost-init --go --pidfd N --caps-drop HEX [--cgroup-fd M] [--tty]
 *                [-- CMD ARGS...]
 *
 * `subhost go` is a dynamically linked host program.  A process inside
 * the subhost's pid namespace is visible there, and root inside holds
 * CAP_SYS_PTRACE, so between fork and exec it could open such a process's
 * /proc/PID/exe, map_files and environ: the host's binary and libraries
 * (CVE-2019-5736) and the caller's environment.  So `subhost go` never
 * forks into the pid namespace itself.  It joins the cgroup and the other
 * namespaces, loads the seccomp filter, and execs this static program
 * from a sealed memfd with a clean environment, outside the pid
 * namespace.  Here we join the pid namespace (pidfd N, which pins pid 1),
 * give up the capabilities of HEX, and fork the command's process: from
 * inside, its exe is the sealed memfd, it maps no host file, its
 * environment is the clean one, and it holds only stdio.
 * With --cgroup-fd, the command's process writes itself into that
 * cgroup.procs (the subhost's cgroup2 group) before it enters the cgroup
 * namespace: only the command, which is inside the pid namespace, joins.
 * With --tty, fds 0-2 are a pty of the subhost's devpts, which the
 * command gets as its controlling terminal.  Our exit status is the
 * command's (128+N for signal N, 127/126 when it cannot be run).
 */
#ifndef SUBHOST_INIT_GO_H
#define SUBHOST_INIT_GO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct go_opts {
	int pidfd;
	int cgroup_fd;          /* the subhost's cgroup.procs, or -1 */
	uint64_t caps_drop;
	bool tty;
	char **cmd;             /* NULL-terminated; cmd[0] NULL for a login shell */
};

/* Parse argv after "--go" (argv[0] is "--go").  Pure.  Returns 0, or -1
 * with a message in err. */
int init_go_parse(int argc, char **argv, struct go_opts *o, char *err, size_t errlen);

/* Run as described above; returns the exit status. */
int init_go_main(int argc, char **argv);

#endif
