/* netlink.c - rtnetlink through libnl-route-3, for net.c (see netlink.h).
 *
 * A struct rt is one NETLINK_ROUTE socket, bound for good to the netns it
 * was made in, that remembers the kernel's own errno and extended-ack
 * text of the last failed exchange: libnl would fold both into its own
 * codes, and "Operation not supported" alone does not tell the admin
 * which attribute the kernel refused.  No function here prints.
 */
#include "netlink.h"
#include "util.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/netlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vlan.h>
#include <netlink/route/route.h>

/* ---- the socket and its errors ----------------------------------------- */

/* Keep the kernel's errno and its extended-ack text, which libnl would
 * fold into its own codes.  libnl hands us nlmsg_data() of the received
 * message, so the header sits just before it. */
static int on_nlerr(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct rt *n = arg;
	const struct nlmsghdr *h = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + sizeof *e;
	struct nlattr *a;

	(void)who;
	n->syserr = -e->error;
	n->ext[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (h->nlmsg_len <= off)
		return NL_STOP;
	a = nla_find((struct nlattr *)((char *)h + off), (int)(h->nlmsg_len - off), NLMSGERR_ATTR_MSG);
	if (a)
		snprintf(n->ext, sizeof n->ext, "%.*s", nla_len(a), (const char *)nla_data(a));
	return NL_STOP;
}

/* A libnl error as a negative errno: the kernel's own when it sent one. */
static int rt_errno(const struct rt *n, int nle)
{
	if (nle >= 0)
		return 0;
	if (n && n->syserr > 0)
		return -n->syserr;
	switch (-nle) {
	case NLE_NOMEM: return -ENOMEM;
	case NLE_EXIST: return -EEXIST;
	case NLE_OBJ_NOTFOUND: case NLE_NODEV: return -ENODEV;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_BUSY: return -EBUSY;
	case NLE_RANGE: return -ERANGE;
	case NLE_INVAL: case NLE_AF_MISMATCH: case NLE_MISSING_ATTR: return -EINVAL;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_MSGSIZE: return -EMSGSIZE;
	case NLE_NOADDR: return -EADDRNOTAVAIL;
	case NLE_BAD_SOCK: return -EBADF;
	default: return -EIO;
	}
}

/* Forget the previous exchange's error before the next one. */
static void rt_reset(struct rt *n)
{
	n->syserr = 0;
	n->ext[0] = '\0';
}

/* " (kernel text)" for messages, or "". */
const char *rt_ext(const struct rt *n, char *buf, size_t size)
{
	if (!n->ext[0])
		return "";
	snprintf(buf, size, " (%s)", n->ext);
	return buf;
}

/* Enter netns_fd on this thread, run nothing but the socket's creation,
 * and come back: a netlink socket stays bound to the netns it was made
 * in, so the rest of the work needs no setns at all. */
int rt_open(struct rt *n, int netns_fd)
{
	_cleanup_close_ int self = -1;
	int r, one = 1;

	memset(n, 0, sizeof *n);
	n->sk = nl_socket_alloc();
	if (!n->sk)
		return -ENOMEM;
	r = nl_socket_modify_err_cb(n->sk, NL_CB_CUSTOM, on_nlerr, n);
	if (r < 0)
		goto fail;
	if (netns_fd >= 0) {
		self = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
		if (self < 0 || setns(netns_fd, CLONE_NEWNET) < 0) {
			r = -errno;
			goto fail_errno;
		}
	}
	r = nl_connect(n->sk, NETLINK_ROUTE);
	if (netns_fd >= 0 && setns(self, CLONE_NEWNET) < 0) {
		/* we hold our own netns open: only ENOMEM could get here */
		r = -errno;
		goto fail_errno;
	}
	if (r < 0)
		goto fail;
	/* best effort: without them errors just lose the kernel's text */
	setsockopt(nl_socket_get_fd(n->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	setsockopt(nl_socket_get_fd(n->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	return 0;
fail:
	r = rt_errno(NULL, r);
fail_errno:
	nl_socket_free(n->sk);
	n->sk = NULL;
	return r;
}

void rt_close(struct rt *n)
{
	if (n->sk)
		nl_socket_free(n->sk);      /* closes the fd */
	n->sk = NULL;
}

int rt_send(struct rt *n, struct nl_msg *msg)
{
	rt_reset(n);
	return rt_errno(n, nl_send_sync(n->sk, msg));   /* frees msg; the reply is skipped */
}

/* ---- links ------------------------------------------------------------- */

/* Look a link up by name; -ENODEV if there is none. */
static int link_get(struct rt *n, const char *name, struct rtnl_link **out)
{
	rt_reset(n);
	return rt_errno(n, rtnl_link_get_kernel(n->sk, 0, name, out));
}

int rt_link_get(struct rt *n, const char *name, struct rt_link_info *out)
{
	struct rtnl_link *l = NULL;
	const char *kind;
	struct nl_addr *a;
	int r;

	memset(out, 0, sizeof *out);
	r = link_get(n, name, &l);
	if (r < 0)
		return r;
	kind = rtnl_link_get_type(l);
	snprintf(out->kind, sizeof out->kind, "%s", kind ? kind : "");
	out->master = rtnl_link_get_master(l);
	out->link = rtnl_link_get_link(l);
	out->has_link_netnsid = rtnl_link_get_link_netnsid(l, &out->link_netnsid) == 0;
	if (!out->has_link_netnsid)
		out->link_netnsid = -1;
	a = rtnl_link_get_addr(l);
	if (a && nl_addr_get_len(a) == 6) {
		out->has_mac = true;
		memcpy(out->mac, nl_addr_get_binary_addr(a), 6);
	}
	out->rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
	out->tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
	rtnl_link_put(l);
	return 0;
}

int rt_link_ifindex(struct rt *n, const char *name)
{
	struct rtnl_link *l = NULL;
	int r = link_get(n, name, &l);

	if (r < 0)
		return r;
	r = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return r;
}

int rt_link_name(struct rt *n, int ifindex, char out[16])
{
	struct rtnl_link *l = NULL;
	int r;

	rt_reset(n);
	r = rt_errno(n, rtnl_link_get_kernel(n->sk, ifindex, NULL, &l));
	if (r == 0 && l)
		snprintf(out, 16, "%s", rtnl_link_get_name(l));
	if (l)
		rtnl_link_put(l);
	return r;
}

/* Delete a host link by name; an absent one counts as deleted (nspawn). */
int rt_link_del(struct rt *n, const char *name)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int r;

	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, name);
	rt_reset(n);
	r = rt_errno(n, rtnl_link_delete(n->sk, l));
	rtnl_link_put(l);
	return r == -ENODEV ? 0 : r;
}

/* Set IFF_UP on a link by name, without looking it up first. */
int rt_link_up(struct rt *n, const char *name)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *chg = rtnl_link_alloc();
	int r = -ENOMEM;

	if (orig && chg) {
		rtnl_link_set_name(chg, name);
		rtnl_link_set_flags(chg, IFF_UP);
		rt_reset(n);
		r = rt_errno(n, rtnl_link_change(n->sk, orig, chg, 0));
	}
	if (orig)
		rtnl_link_put(orig);
	if (chg)
		rtnl_link_put(chg);
	return r;
}

/* Is netns id nsid (as the host numbers it) still alive?  RTM_GETNSID
 * by id answers ENOENT once the namespace is being dismantled, while the
 * id itself stays valid until the kernel's cleanup work runs. */
int rt_nsid_alive(struct rt *n, int32_t nsid)
{
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETNSID, 0);
	int r;

	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &g, sizeof g, NLMSG_ALIGNTO) < 0 || nla_put_s32(m, NETNSA_NSID, nsid) < 0) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	r = rt_send(n, m);
	return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

/* ---- the requests that make a cable ------------------------------------ */

static int set_mac(struct rtnl_link *l, const uint8_t mac[6])
{
	struct nl_addr *a = nl_addr_build(AF_LLC, mac, 6);

	if (!a)
		return -ENOMEM;
	rtnl_link_set_addr(l, a);       /* takes its own reference */
	nl_addr_put(a);
	return 0;
}

/* Veth cable: host end hostif (up, on its bridge) and its peer ethname
 * made directly inside netns_fd, in one request. */
static struct rtnl_link *veth_link(const char *hostif, const char *ethname, int master,
				   int netns_fd, const uint8_t host_mac[6], const uint8_t in_mac[6])
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	int r;

	if (!l)
		return NULL;
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, hostif);
	rtnl_link_set_flags(l, IFF_UP);
	if (master > 0)
		rtnl_link_set_master(l, master);
	/* no IFF_UP on the peer: the kernel opens it before the pair is
	 * linked and veth_open() fails with ENOTCONN; rt_link_up() does it */
	rtnl_link_set_name(peer, ethname);
	rtnl_link_set_ns_fd(peer, netns_fd);
	r = set_mac(l, host_mac);
	if (r == 0)
		r = set_mac(peer, in_mac);
	rtnl_link_put(peer);
	if (r < 0) {
		rtnl_link_put(l);       /* frees the peer too */
		return NULL;
	}
	return l;
}

/* VLAN cable: hostif, VLAN vlan on the link lower. */
static struct rtnl_link *vlan_link(const char *hostif, int lower, int vlan, int master)
{
	struct rtnl_link *l = rtnl_link_vlan_alloc();

	if (!l)
		return NULL;
	rtnl_link_set_name(l, hostif);
	rtnl_link_set_link(l, lower);
	rtnl_link_set_flags(l, IFF_UP);
	if (master > 0)
		rtnl_link_set_master(l, master);
	if (rtnl_link_vlan_set_id(l, (uint16_t)vlan) < 0) {
		rtnl_link_put(l);
		return NULL;
	}
	return l;
}

/* The RTM_NEWLINK request creating l, which this drops; NULL l: -ENOMEM. */
static int link_add_msg(struct rtnl_link *l, struct nl_msg **out)
{
	int r;

	if (!l)
		return -ENOMEM;
	r = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, out);
	rtnl_link_put(l);
	return r < 0 ? rt_errno(NULL, r) : 0;
}

int rt_veth_msg(const char *hostif, const char *ethname, int master, int netns_fd,
		const uint8_t host_mac[6], const uint8_t in_mac[6], struct nl_msg **out)
{
	return link_add_msg(veth_link(hostif, ethname, master, netns_fd, host_mac, in_mac), out);
}

int rt_vlan_msg(const char *hostif, int lower, int vlan, int master, struct nl_msg **out)
{
	return link_add_msg(vlan_link(hostif, lower, vlan, master), out);
}

/* ---- addresses and routes ---------------------------------------------- */

static struct nl_addr *addr_build(int family, const uint8_t addr[16], unsigned prefix)
{
	struct nl_addr *na = nl_addr_build(family, addr, family == AF_INET ? 4 : 16);

	if (na)
		nl_addr_set_prefixlen(na, (int)prefix);
	return na;
}

int rt_address_add(struct rt *n, int ifindex, int family, const uint8_t addr[16],
		   unsigned prefix)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = addr_build(family, addr, prefix);
	int r = -ENOMEM;

	if (ra && local) {
		rtnl_addr_set_ifindex(ra, ifindex);
		r = rtnl_addr_set_local(ra, local);
		rtnl_addr_set_prefixlen(ra, (int)prefix);
		/* usable at once, before pid 1 starts, like the IPv4 ones: an
		 * ADDRESS is the admin's static choice (Docker does the same) */
		if (family == AF_INET6)
			rtnl_addr_set_flags(ra, IFA_F_NODAD);
		if (r == 0) {
			rt_reset(n);
			r = rtnl_addr_add(n->sk, ra, NLM_F_EXCL);
		}
		r = rt_errno(n, r);
	}
	nl_addr_put(local);
	if (ra)
		rtnl_addr_put(ra);
	return r;
}

int rt_default_route_add(struct rt *n, int ifindex, int family, const uint8_t gw[16])
{
	static const uint8_t zero[16];
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = addr_build(family, zero, 0);
	struct nl_addr *via = addr_build(family, gw, family == AF_INET ? 32 : 128);
	int r = -ENOMEM;

	if (rt && nh && dst && via) {
		rtnl_route_set_family(rt, (uint8_t)family);
		rtnl_route_set_table(rt, RT_TABLE_MAIN);
		rtnl_route_set_protocol(rt, RTPROT_BOOT);    /* as `ip route add` marks it */
		rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
		r = rtnl_route_set_dst(rt, dst);
		rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_add_nexthop(rt, nh);         /* rt owns nh from here */
		nh = NULL;
		if (r == 0) {
			rt_reset(n);
			r = rtnl_route_add(n->sk, rt, NLM_F_EXCL);
		}
		r = rt_errno(n, r);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	nl_addr_put(via);
	if (rt)
		rtnl_route_put(rt);
	return r;
}
