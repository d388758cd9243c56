/* devices.h - which device nodes a subhost may use (SPEC 8).
 *
 * Root inside holds CAP_MKNOD and CAP_SYS_ADMIN in the host's user
 * namespace: it could make a node for the host's disk, or mount devtmpfs
 * and find one there.  A BPF_CGROUP_DEVICE program on the subhost's
 * cgroup2 group makes the kernel refuse to open (or mknod) any device
 * but an allow-list: the /dev that devfs.c builds (null, zero, full,
 * random, urandom, tty), ptys, /dev/net/tun and /dev/fuse, plus what the
 * caller adds (the loop devices of DISKS).  It holds for every process of
 * the group, `go` sessions included; root inside cannot detach it
 * (seccomp denies bpf(2)) nor leave the group (its cgroup namespace).
 */
#ifndef SUBHOST_DEVICES_H
#define SUBHOST_DEVICES_H

#include <stddef.h>
#include "util.h"

struct dev_rule {
	char type;              /* 'c' or 'b' */
	int major;              /* -1: any */
	int minor;              /* -1: any */
};

/* The default allow-list (for tests and documentation). */
const struct dev_rule *devices_default(size_t *n);

/* Does the list allow type major:minor?  The same decision the program
 * makes (pure: for tests). */
int devices_allowed(const struct dev_rule *rules, size_t n, char type, int major, int minor);

/* Load the program for the default list plus extra and attach it to the
 * cgroup2 directory cgroup_fd (it goes when the group is removed).  With
 * prog_fd, the program's descriptor is kept there (O_CLOEXEC), for
 * devices_detach().  Returns 0 or a negative errno with err filled. */
int devices_attach(int cgroup_fd, const struct dev_rule *extra, size_t nextra,
		   int *prog_fd, struct sh_err *err);

/* Detach the program prog_fd from cgroup_fd; 0 or -errno. */
int devices_detach(int cgroup_fd, int prog_fd);

#endif
