/* net.h - the subhost's named network namespace and its cables (SPEC 2, 6.3).
 *
 * The netns is named the iproute2 way (/run/netns/NAME, a bind mount of an
 * nsfs file) so `ip netns exec NAME ...` works beside us.  Cables are veth
 * pairs: eth<i> inside, NAME<i> on the host, optionally enslaved to a
 * bridge; all netlink goes through libnl-route-3.  No function prints.
 */
#ifndef SUBHOST_NET_H
#define SUBHOST_NET_H

#include <stdint.h>
#include "config.h"

#define NETNS_RUN_DIR "/run/netns"

/* Host-side interface name of cable i ("NAME<i>"); -ENAMETOOLONG if it
 * would not fit IFNAMSIZ. */
int net_hostif_name(const char *name, size_t i, char out[16]);

/* Check everything that can be checked before creating anything: bridges
 * exist and are bridges, host names NAME<i> are free (or being removed by a
 * previous stop: wait briefly for them), MACs well-formed and distinct.
 * Errors name the cable ("cable 2 (CABLES line 4): bridge br9 does not
 * exist"). */
int net_cables_check(const struct sh_config *cfg, struct sh_err *err);

/* Create /run/netns/NAME (mkdir /run/netns and make it a shared mount the
 * way iproute2 does, on first use), bring lo up inside.  Returns an
 * O_CLOEXEC fd of the new netns (for setns) or a negative errno.  The
 * caller's own netns is unchanged on return.  -EEXIST if the name exists. */
int net_ns_create(const char *name, struct sh_err *err);

/* Open /run/netns/NAME O_RDONLY|O_CLOEXEC; negative errno if absent. */
int net_ns_open(const char *name);

/* Remove /run/netns/NAME: detach the bind mount and unlink the file.
 * Absent counts as success.  Does not wait for the kernel to destroy the
 * namespace (the cables go with it, asynchronously). */
int net_ns_remove(const char *name, struct sh_err *err);

/* Create the cables of cfg with their inside ends in the netns netns_fd,
 * bring both ends up, enslave host ends to their bridges, apply MACs,
 * VLANs and ADDRESS/GATEWAY.  On failure, removes what it created. */
int net_cables_create(const struct sh_config *cfg, int netns_fd, struct sh_err *err);

/* Write UPPER/etc/network/interfaces for lo and each eth<i> (overlay-boot's
 * overlay-premount), only when UPPER has none and no ADDRESS is set. */
int net_write_interfaces(const struct sh_config *cfg, struct sh_err *err);

struct net_cable_info {
	char hostif[16];        /* host end */
	char bridge[16];        /* "" if none */
	char mac[18];           /* inside end's MAC */
	uint64_t rx_bytes, tx_bytes;  /* host end counters */
};

/* Read the state of cable i of a running subhost (for status/list). */
int net_cable_info(const char *name, size_t i, struct net_cable_info *out);

#endif
