/* netlink.h - the rtnetlink layer under net.c, through libnl-route-3.
 *
 * Only what net.c needs: a route socket that keeps the kernel's errno and
 * extended-ack text, link queries, the RTM_NEWLINK requests that make a
 * cable, and RTM_NEWADDR / RTM_NEWROUTE.  Every function returns 0 (or a
 * non-negative value) or a negative errno, and none prints.  Nothing here
 * knows about a subhost's configuration: net.c plans, this file speaks.
 */
#ifndef SUBHOST_NETLINK_H
#define SUBHOST_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SELF_NETNS "/proc/thread-self/ns/net"   /* this thread's netns, to come back to */

struct nl_sock;
struct nl_msg;

/* A NETLINK_ROUTE socket bound to one netns.  Zero-initialise it so that
 * rt_close() is safe on one rt_open() never filled. */
struct rt {
	struct nl_sock *sk;
	int syserr;             /* errno of the last NLMSG_ERROR, 0 if none */
	char ext[160];          /* the kernel's extended-ack text, "" if none */
};

/* Open a socket in the netns netns_fd (-1: the caller's own).  Only the
 * calling thread enters netns_fd, and only while the socket is made. */
int rt_open(struct rt *n, int netns_fd);
void rt_close(struct rt *n);

/* " (kernel text)" of the last failed exchange on n, for messages, or "". */
const char *rt_ext(const struct rt *n, char *buf, size_t size);

/* What net.c reads from one RTM_GETLINK answer. */
struct rt_link_info {
	char kind[64];          /* IFLA_INFO_KIND ("veth", "bridge", ...); "" if none */
	int master;             /* IFLA_MASTER ifindex; 0 if none */
	int link;               /* IFLA_LINK ifindex (a veth's peer); 0 if none */
	bool has_link_netnsid;  /* IFLA_LINK_NETNSID given: the peer is in another netns */
	int32_t link_netnsid;   /* its value; -1 if not given */
	bool has_mac;           /* IFLA_ADDRESS is a 6-byte MAC */
	uint8_t mac[6];
	uint64_t rx_bytes, tx_bytes;
};

/* Look a link up by name; -ENODEV if there is none. */
int rt_link_get(struct rt *n, const char *name, struct rt_link_info *out);
/* The ifindex of a link by name; -ENODEV if there is none. */
int rt_link_ifindex(struct rt *n, const char *name);
/* The name of link ifindex into out; out is untouched on failure. */
int rt_link_name(struct rt *n, int ifindex, char out[16]);
/* Delete a link by name; an absent one counts as deleted (nspawn). */
int rt_link_del(struct rt *n, const char *name);
/* Set IFF_UP on a link by name, without looking it up first. */
int rt_link_up(struct rt *n, const char *name);

/* Is netns id nsid (as n's netns numbers it) still alive?  1 if so, 0 if
 * not, or a negative errno. */
int rt_nsid_alive(struct rt *n, int32_t nsid);

/* The RTM_NEWLINK request (NLM_F_CREATE | NLM_F_EXCL) of a veth pair:
 * hostif up, enslaved to master (0: none), and its peer ethname created
 * directly in netns_fd.  The caller nlmsg_free()s *out (or hands it to
 * rt_send()). */
int rt_veth_msg(const char *hostif, const char *ethname, int master, int netns_fd,
		const uint8_t host_mac[6], const uint8_t in_mac[6], struct nl_msg **out);
/* The same for VLAN vlan named hostif on the link lower, up, enslaved to
 * master (0: none). */
int rt_vlan_msg(const char *hostif, int lower, int vlan, int master, struct nl_msg **out);
/* Send msg (which this frees) and wait for the kernel's ACK. */
int rt_send(struct rt *n, struct nl_msg *msg);

/* RTM_NEWADDR of addr/prefix (family AF_INET or AF_INET6; addr holds 4
 * or 16 bytes) on ifindex; IPv6 with IFA_F_NODAD. */
int rt_address_add(struct rt *n, int ifindex, int family, const uint8_t addr[16],
		   unsigned prefix);
/* RTM_NEWROUTE of the default route of family via gw on ifindex. */
int rt_default_route_add(struct rt *n, int ifindex, int family, const uint8_t gw[16]);

#endif
