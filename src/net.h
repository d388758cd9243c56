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
 * exist and are bridges, host names NAME<i> / NAME<j>.<N> are free, MACs
 * well-formed and distinct, ADDRESS/GATEWAY parse and fit the cables.  A
 * NAME<i> that is a veth whose other end is in another netns (what the
 * previous stop leaves for 10-300 ms) gets up to 1 s to vanish.  Call it
 * after taking the lock and cleaning a stale run.  Errors name the cable
 * by its 0-based CABLES entry ("cable 2 (line 4): bridge br9 does not
 * exist"); configuration errors have status EXIT_USAGE. */
int net_cables_check(const struct sh_config *cfg, struct sh_err *err);

/* Create /run/netns/NAME (mkdir /run/netns and make it a shared mount the
 * way iproute2 does), bring lo up inside.  Returns an O_CLOEXEC fd of the
 * new netns (for setns) or a negative errno.  Only the calling thread
 * visits the new netns, and it is back in its own on return.  -EEXIST
 * (nothing touched) if the name exists.  Call it in the host's mount
 * namespace: the bind mount must be visible to `ip netns` and to stop. */
int net_ns_create(const char *name, struct sh_err *err);

/* The same without a name: for `subhost run`, whose netns lives exactly as
 * long as its processes (no bind mount to make, and none to detach at the
 * end, which costs an RCU grace period on every run). */
int net_ns_create_anon(struct sh_err *err);

/* IDMAP: the same for a netns made elsewhere (owned by the subhost's user
 * namespace): bring lo up in netns_fd and, when name is not NULL, bind it
 * on /run/netns/NAME.  -EEXIST (nothing touched) if the name exists. */
int net_ns_adopt(const char *name, int netns_fd, struct sh_err *err);

/* Open /run/netns/NAME O_RDONLY|O_CLOEXEC; negative errno if absent
 * (-ENOENT also for a left-over file with no namespace mounted on it). */
int net_ns_open(const char *name);

/* Remove /run/netns/NAME: detach the bind mount and unlink the file.
 * Absent counts as success; err may be NULL.  Does not wait for the kernel
 * to destroy the namespace (the cables go with it, asynchronously, once
 * the last fd, socket and process in it are gone). */
int net_ns_remove(const char *name, struct sh_err *err);

/* Create the cables of cfg with their inside ends in the netns netns_fd,
 * bring both ends up, enslave host ends to their bridges, apply MACs,
 * VLANs and ADDRESS/GATEWAY (IPv6 ones without DAD, usable at once).  On
 * failure, removes what it created.  A no-op without cables and ADDRESS. */
int net_cables_create(const struct sh_config *cfg, int netns_fd, struct sh_err *err);

/* Write UPPER/etc/network/interfaces for lo and each eth<i> (overlay-boot's
 * overlay-premount), only when UPPER has none (lstat: a symlink or a
 * whiteout counts) and no ADDRESS is set.  Resolves inside UPPER only.
 * What it creates is owned by uid:gid (IDMAP: root inside; else 0:0). */
int net_write_interfaces(const struct sh_config *cfg, uid_t uid, gid_t gid, struct sh_err *err);

struct net_cable_info {
	char hostif[16];        /* host end */
	char bridge[16];        /* "" if none */
	char mac[18];           /* inside end's MAC */
	uint64_t rx_bytes, tx_bytes;  /* host end counters */
};

/* Read the state of cable i (eth<i> / NAME<i>; VLAN entries have none)
 * of a running subhost, for status/list.  -ENODEV if NAME<i> does not
 * exist; mac stays "" if the netns cannot be read.  rx/tx are the host
 * end's (rx = what the subhost sent). */
int net_cable_info(const char *name, size_t i, struct net_cable_info *out);

/* ---- pure helpers (no kernel; exposed for the unit tests) ---------------- */

/* What cable k of cfg makes on the host; see the comment at the top of
 * net.c.  eth is the inside index (eth<eth>) or -1 for a VLAN entry. */
struct net_cable_plan {
	char hostif[16];        /* NAME<i>, or NAME<j>.<N> for a VLAN */
	char parent[16];        /* VLAN: the veth host end NAME<j> it sits on; else "" */
	int eth;                /* i of eth<i>; -1 for a VLAN */
	int vlan;               /* VLAN id, 0 for a veth */
};
int net_cable_plan(const struct sh_config *cfg, size_t k, struct net_cable_plan *out);
/* Number of veth cables (eth0 .. eth<n-1>) of cfg; VLAN entries don't count. */
size_t net_eth_count(const struct sh_config *cfg);

/* "aa:bb:cc:dd:ee:ff" (either case) to bytes; -EINVAL if malformed,
 * multicast or all zeros. */
int net_mac_parse(const char *s, uint8_t mac[6]);
void net_mac_format(const uint8_t mac[6], char out[18]);
/* Stable MAC of a cable end (nspawn-style): a hash of the machine id, the
 * subhost name, the end and the index; locally administered, unicast. */
enum { NET_MAC_HOST = 0, NET_MAC_INSIDE = 1 };
void net_mac_derive(const char *machine_id, const char *name, int end, size_t i,
		    uint8_t mac[6]);

/* One ADDRESS entry "ethN=ADDR[/PREFIX]" or one GATEWAY word "ADDR". */
struct net_addr {
	int eth;                /* N of ethN; -1 for a gateway */
	int family;             /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;        /* default 32 / 128 */
};
int net_address_parse(const char *entry, struct net_addr *out);
/* GATEWAY: blank- or comma-separated, at most one IPv4 and one IPv6;
 * *n receives the count.  -EINVAL if malformed. */
int net_gateways_parse(const char *s, struct net_addr out[2], size_t *n);
/* The eth index a gateway is reached through: the first ADDRESS of its
 * family whose subnet holds it; eth0 for an IPv6 link-local gateway;
 * -ENETUNREACH if none. */
int net_gateway_eth(const struct net_addr *addrs, size_t n, const struct net_addr *gw);

/* The RTM_NEWLINK request that creates cable k (veth pair or VLAN; see
 * net.c), for master bridge ifindex master (0: none), VLAN lower ifindex
 * lower, inside netns netns_fd.  The caller nlmsg_free()s *out. */
struct nl_msg;
int net_cable_msg(const struct sh_config *cfg, size_t k, const char *machine_id, int master,
		  int lower, int netns_fd, struct nl_msg **out);

/* The text net_write_interfaces() writes (malloc'd). */
char *net_interfaces_text(const struct sh_config *cfg);

#endif
