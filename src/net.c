/* net.c - the subhost's named network namespace and its cables (SPEC 2, 6.3).
 *
 * What is created where, for the subhost NAME (cable k = k-th CABLES or
 * BRIDGES entry, counted from 0; i = its inside index):
 *
 *   /run/netns/NAME   a bind mount of the new netns's nsfs file, so that
 *                     `ip netns exec NAME` works beside us; `lo` is up.
 *
 *   "BR=MAC"  a veth pair, made by ONE RTM_NEWLINK from the host:
 *     host netns:  NAME<i>  MAC derived from (machine id, NAME, i), up,
 *                           enslaved to BR when BR is given;
 *     subhost:     eth<i>   created directly in the netns (IFLA_NET_NS_FD
 *                           on the peer), MAC as configured or derived;
 *                           brought up by a second request from inside
 *                           (IFF_UP on a veth peer at creation fails).
 *     It takes the next inside index i.
 *
 *   "BR=.N"   a VLAN, made by one RTM_NEWLINK in the host netns:
 *     host netns:  NAME<j>.<N>  VLAN N on NAME<j>, where j is the index
 *                           of the last veth before this entry (that is
 *                           the interface overlay-boot's `ifup` made); up,
 *                           enslaved to BR when BR is given.
 *     subhost:     nothing; the tagged frames reach eth<j>, where the
 *                  subhost may make eth<j>.<N> itself.
 *     It takes no inside index (overlay-boot decremented i).
 *
 *   ADDRESS ethN=CIDR   RTM_NEWADDR on eth<N>, sent from the host through
 *                       a netlink socket opened inside the netns (IPv6
 *                       with IFA_F_NODAD, usable at once);
 *   GATEWAY ADDR [ADDR6]  RTM_NEWROUTE default via ADDR on the eth whose
 *                       ADDRESS subnet holds it, likewise.
 *
 * All this happens before pid 1 starts.  Deleting the netns takes the
 * cables with it: the kernel destroys eth<i>, hence NAME<i> and its VLANs,
 * 10-300 ms after the last reference goes, so stop does not wait for them
 * and the next boot waits (bounded) for stale NAME<i> to vanish instead.
 *
 * Host-end MACs are derived too (as nspawn does): a bridge takes the lowest
 * port MAC as its own, and random port MACs would make it change at every
 * boot.  Every netlink exchange goes through libnl-route-3; only `lo` is
 * brought up by ioctl (see lo_up()).
 */
#include "net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if.h>
#include <linux/magic.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>

#include <netlink/netlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vlan.h>
#include <netlink/route/route.h>

#define SELF_NETNS "/proc/thread-self/ns/net"
#define STALE_WAIT_MS 1000      /* how long a stale NAME<i> may take to vanish */

/* ---- pure helpers ------------------------------------------------------ */

static bool name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	return len >= 1 && len <= SH_NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

int net_hostif_name(const char *name, size_t i, char out[16])
{
	int n = snprintf(out, 16, "%s%zu", name, i);

	if (n < 0)
		return -EINVAL;
	return n > 15 ? -ENAMETOOLONG : 0;
}

int net_cable_plan(const struct sh_config *cfg, size_t k, struct net_cable_plan *out)
{
	size_t j, next = 0;
	int n;

	if (k >= cfg->ncables)
		return -EINVAL;
	for (j = 0; j < k; j++)
		if (cfg->cables[j].vlan <= 0)
			next++;
	memset(out, 0, sizeof *out);
	if (cfg->cables[k].vlan <= 0) {
		out->eth = (int)next;
		return net_hostif_name(cfg->name, next, out->hostif);
	}
	/* a VLAN hangs off the last veth before it */
	if (next == 0)
		return -EINVAL;
	out->eth = -1;
	out->vlan = cfg->cables[k].vlan;
	n = net_hostif_name(cfg->name, next - 1, out->parent);
	if (n < 0)
		return n;
	n = snprintf(out->hostif, sizeof out->hostif, "%s.%d", out->parent, out->vlan);
	return n < 0 ? -EINVAL : n > 15 ? -ENAMETOOLONG : 0;
}

size_t net_eth_count(const struct sh_config *cfg)
{
	size_t k, n = 0;

	for (k = 0; k < cfg->ncables; k++)
		if (cfg->cables[k].vlan <= 0)
			n++;
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int net_mac_parse(const char *s, uint8_t mac[6])
{
	int i, hi, lo;

	for (i = 0; i < 6; i++, s += 3) {
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 1)
		return -EINVAL;         /* multicast */
	for (i = 0; i < 6; i++)
		if (mac[i])
			return 0;
	return -EINVAL;
}

void net_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--) {
		h ^= *c++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void net_mac_derive(const char *machine_id, const char *name, int end, size_t i,
		    uint8_t mac[6])
{
	uint64_t h = 0xcbf29ce484222325ULL, idx = i;
	const char tag[] = "subhost-cable";
	unsigned char e = (unsigned char)end;
	int b;

	/* FNV-1a then the splitmix64 finaliser: not secret, just well spread;
	 * the machine id keeps equal names on two hosts of one LAN apart */
	h = fnv1a(h, tag, sizeof tag);
	h = fnv1a(h, machine_id ? machine_id : "", machine_id ? strlen(machine_id) + 1 : 1);
	h = fnv1a(h, name, strlen(name) + 1);
	h = fnv1a(h, &e, 1);
	h = fnv1a(h, &idx, sizeof idx);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	for (b = 0; b < 6; b++)
		mac[b] = (uint8_t)(h >> (8 * b));
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);     /* unicast, locally administered */
}

/* "ADDR[/PREFIX]" into out (eth untouched). */
static int parse_ip(const char *s, bool allow_prefix, struct net_addr *out)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long prefix;
	unsigned max;

	if (strlen(s) >= sizeof buf)
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		if (!allow_prefix)
			return -EINVAL;
		*slash++ = '\0';
	}
	memset(out->addr, 0, sizeof out->addr);
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = AF_INET6, max = 128;
	else
		return -EINVAL;
	out->prefix = max;
	if (slash) {
		if (*slash < '0' || *slash > '9')
			return -EINVAL;
		errno = 0;
		prefix = strtoul(slash, &end, 10);
		if (*end || errno || prefix > max)
			return -EINVAL;
		out->prefix = (unsigned)prefix;
	}
	return 0;
}

int net_address_parse(const char *entry, struct net_addr *out)
{
	unsigned long eth;
	char *end;

	if (strncmp(entry, "eth", 3) || entry[3] < '0' || entry[3] > '9' ||
	    (entry[3] == '0' && entry[4] != '='))
		return -EINVAL;         /* ethN, no leading zeros: it names eth<N> */
	errno = 0;
	eth = strtoul(entry + 3, &end, 10);
	if (*end != '=' || errno || eth > 9999)
		return -EINVAL;
	if (parse_ip(end + 1, true, out) < 0)
		return -EINVAL;
	out->eth = (int)eth;
	return 0;
}

int net_gateways_parse(const char *s, struct net_addr out[2], size_t *n)
{
	char buf[256], *tok, *save = NULL;

	*n = 0;
	if (strlen(s) >= sizeof buf)
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		struct net_addr a;

		if (parse_ip(tok, false, &a) < 0 || *n == 2 ||
		    (*n == 1 && out[0].family == a.family))
			return -EINVAL;
		a.eth = -1;
		out[(*n)++] = a;
	}
	return 0;
}

static bool in_subnet(const struct net_addr *net, const struct net_addr *a)
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;

	if (net->family != a->family || memcmp(net->addr, a->addr, full))
		return false;
	if (!rest)
		return true;
	return ((net->addr[full] ^ a->addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int net_gateway_eth(const struct net_addr *addrs, size_t n, const struct net_addr *gw)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (in_subnet(&addrs[k], gw))
			return addrs[k].eth;
	if (gw->family == AF_INET6 && gw->addr[0] == 0xfe && (gw->addr[1] & 0xc0) == 0x80)
		return 0;       /* link-local: on-link on the first cable */
	return -ENETUNREACH;
}

char *net_interfaces_text(const struct sh_config *cfg)
{
	size_t i, n = net_eth_count(cfg), cap = 128 + strlen(cfg->name) + n * 64, len;
	char *s = xmalloc(cap);

	len = (size_t)snprintf(s, cap, "# Generated for %s subhost\nauto lo\niface lo inet loopback\n",
			       cfg->name);
	for (i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(s + len, cap - len, "auto eth%zu\niface eth%zu inet manual\n",
					i, i);
	return s;
}

/* ---- netlink through libnl --------------------------------------------- */

struct rt {
	struct nl_sock *sk;
	int syserr;             /* errno of the last NLMSG_ERROR, 0 if none */
	char ext[160];          /* the kernel's extended-ack text, "" if none */
};

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
static const char *rt_ext(const struct rt *n, char *buf, size_t size)
{
	if (!n->ext[0])
		return "";
	snprintf(buf, size, " (%s)", n->ext);
	return buf;
}

/* Enter netns_fd on this thread, run nothing but the socket's creation,
 * and come back: a netlink socket stays bound to the netns it was made
 * in, so the rest of the work needs no setns at all. */
static int rt_open(struct rt *n, int netns_fd)
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

static void rt_close(struct rt *n)
{
	if (n->sk)
		nl_socket_free(n->sk);      /* closes the fd */
	n->sk = NULL;
}

/* Look a link up by name; -ENODEV if there is none. */
static int link_get(struct rt *n, const char *name, struct rtnl_link **out)
{
	rt_reset(n);
	return rt_errno(n, rtnl_link_get_kernel(n->sk, 0, name, out));
}

static int link_ifindex(struct rt *n, const char *name)
{
	struct rtnl_link *l = NULL;
	int r = link_get(n, name, &l);

	if (r < 0)
		return r;
	r = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return r;
}

/* Delete a host link by name; an absent one counts as deleted (nspawn). */
static int link_del(struct rt *n, const char *name)
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
static int link_up(struct rt *n, const char *name)
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

/* ---- the netns --------------------------------------------------------- */

/* /run/netns must be a shared mount point, as iproute2 makes it: a
 * NAME bind mount copied into a mount namespace created later (a `go`
 * session, a service's PrivateTmp, ...) then sees our umount, instead of
 * pinning the netns and its cables forever. */
static int netns_dir_prepare(struct sh_err *err)
{
	bool bound = false;

	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return err_sys(err, errno, "create %s", NETNS_RUN_DIR);
	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		/* EINVAL: not a mount point yet; make it one, once */
		if (errno != EINVAL || bound)
			return err_sys(err, errno, "make %s a shared mount", NETNS_RUN_DIR);
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return err_sys(err, errno, "bind-mount %s onto itself", NETNS_RUN_DIR);
		bound = true;
	}
	return 0;
}

/* Bring lo up in the netns this thread is in.  Two SIOC[GS]IFFLAGS on a
 * datagram socket: measured cheaper than a libnl socket for this one
 * flag (net_ns_create is on every boot's path). */
static int lo_up(void)
{
	struct ifreq ifr;
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return -errno;
	return 0;
}

static void netns_path(const char *name, char out[PATH_MAX])
{
	snprintf(out, PATH_MAX, "%s/%s", NETNS_RUN_DIR, name);
}

/* A new netns with lo up, bound on path when path is set; returns its fd.
 * Only this thread moves, and only until the setns() back. */
static int netns_new(const char *path, const char *label, struct sh_err *err)
{
	_cleanup_close_ int self = -1, fd = -1;
	const char *what;
	bool mounted = false;
	int r;

	self = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return err_sys(err, errno, "open %s", SELF_NETNS);
	if (unshare(CLONE_NEWNET) < 0)
		return err_sys(err, errno, "create network namespace %s", label);
	r = lo_up();
	what = "bring lo up in";
	if (r == 0) {
		fd = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
		r = fd < 0 ? -errno : 0;
		what = "open";
	}
	if (r == 0 && path) {
		r = mount(SELF_NETNS, path, "none", MS_BIND, NULL) < 0 ? -errno : 0;
		mounted = r == 0;
		what = "bind-mount";
	}
	if (setns(self, CLONE_NEWNET) < 0) {
		/* we hold the fd of our own netns: only ENOMEM gets here */
		r = err_sys(err, errno, "return to the host network namespace");
		goto fail;
	}
	if (r < 0) {
		r = err_sys(err, -r, "%s network namespace %s", what, label);
		goto fail;
	}
	return TAKE_FD(fd);
fail:
	if (mounted)
		umount2(path, MNT_DETACH);
	return r;
}

int net_ns_create(const char *name, struct sh_err *err)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	int r;

	if (!name_ok(name))
		return err_msg(err, EXIT_USAGE, EINVAL, "network namespace name \"%s\" is invalid",
			       name ? name : "");
	r = netns_dir_prepare(err);
	if (r < 0)
		return r;
	netns_path(name, path);
	/* O_EXCL: never adopt a namespace someone else made under our name */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EEXIST)
			return err_msg(err, EXIT_FAIL, EEXIST, "network namespace %s already exists", path);
		return err_sys(err, errno, "create %s", path);
	}
	close(TAKE_FD(fd));
	r = netns_new(path, path, err);
	if (r < 0)
		unlink(path);
	return r;
}

int net_ns_create_anon(struct sh_err *err)
{
	return netns_new(NULL, "(unnamed)", err);
}

int net_ns_open(const char *name)
{
	char path[PATH_MAX];
	struct statfs sf;
	_cleanup_close_ int fd = -1;

	if (!name_ok(name))
		return -EINVAL;
	netns_path(name, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* a left-over file with nothing mounted on it is no namespace */
	if (fstatfs(fd, &sf) < 0)
		return -errno;
	if (sf.f_type != NSFS_MAGIC)
		return -ENOENT;
	return TAKE_FD(fd);
}

int net_ns_remove(const char *name, struct sh_err *err)
{
	char path[PATH_MAX];

	if (!name_ok(name))
		return err_msg(err, EXIT_USAGE, EINVAL, "network namespace name \"%s\" is invalid",
			       name ? name : "");
	netns_path(name, path);
	/* Detach only: the kernel tears the namespace (and the cables) down
	 * when its last user goes; waiting for that would cost 10-300 ms. */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return err_sys(err, errno, "unmount %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return err_sys(err, errno, "remove %s", path);
	return 0;
}

/* ---- checks before creating anything ------------------------------------ */

static const char *conf_path(const struct sh_config *cfg)
{
	return cfg->path ? cfg->path : "(config)";
}

static int key_line(const struct sh_config *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->nreserved; i++)
		if (!strcmp(cfg->reserved[i].key, key))
			return cfg->reserved[i].line;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Is netns id nsid (as the host numbers it) still alive?  RTM_GETNSID
 * by id answers ENOENT once the namespace is being dismantled, while the
 * id itself stays valid until the kernel's cleanup work runs. */
static int nsid_alive(struct rt *n, int32_t nsid)
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
	rt_reset(n);
	r = rt_errno(n, nl_send_sync(n->sk, m));       /* frees m; the reply is skipped */
	return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

/* Is host link l a veth whose other end is gone or in another netns?
 * That is what the previous run of this subhost leaves for a while: its
 * netns dies when the last reference goes (and a closed netlink socket
 * lets go of its netns only after an RCU grace period), then the kernel
 * destroys eth<i> and with it NAME<i>. */
static bool veth_elsewhere(struct rtnl_link *l)
{
	int32_t nsid;
	const char *kind = rtnl_link_get_type(l);

	if (!kind || strcmp(kind, "veth"))
		return false;
	return rtnl_link_get_link_netnsid(l, &nsid) == 0 || rtnl_link_get_link(l) == 0;
}

/* Host interface ifname must be free.  A veth left by the previous run
 * of this subhost gets STALE_WAIT_MS to vanish. */
static int hostif_free(struct rt *n, const struct sh_config *cfg, size_t k,
		       const char *ifname, struct sh_err *err)
{
	double deadline = now_ms() + STALE_WAIT_MS;
	struct rtnl_link *l;
	int32_t nsid = -1;
	bool elsewhere;
	int r;

	for (;;) {
		l = NULL;
		r = link_get(n, ifname, &l);
		if (r == -ENODEV)
			return 0;
		if (r < 0)
			return err_sys(err, -r, "cable %zu (line %d): look up host interface %s",
				       k, cfg->cables[k].line, ifname);
		elsewhere = veth_elsewhere(l);
		if (rtnl_link_get_link_netnsid(l, &nsid) < 0)
			nsid = -1;
		rtnl_link_put(l);
		if (!elsewhere)
			return err_msg(err, EXIT_FAIL, EEXIST,
				       "cable %zu (line %d): host interface %s already exists "
				       "(and is not a cable of a stopped %s)", k, cfg->cables[k].line,
				       ifname, cfg->name);
		if (now_ms() >= deadline)
			break;
		sleep_ms(2);
	}
	if (nsid >= 0 && nsid_alive(n, nsid) == 1)
		return err_msg(err, EXIT_FAIL, EEXIST,
			       "cable %zu (line %d): host interface %s already exists and its other "
			       "end is in a network namespace that is still in use", k,
			       cfg->cables[k].line, ifname);
	return err_msg(err, EXIT_FAIL, EBUSY,
		       "cable %zu (line %d): host interface %s of a previous run is still "
		       "being removed by the kernel after %d ms", k, cfg->cables[k].line, ifname,
		       STALE_WAIT_MS);
}

static int bridge_check(struct rt *n, const struct sh_config *cfg, size_t k, struct sh_err *err)
{
	const char *br = cfg->cables[k].bridge;
	struct rtnl_link *l = NULL;
	const char *kind;
	int r = link_get(n, br, &l);

	if (r == -ENODEV)
		return err_msg(err, EXIT_FAIL, ENODEV, "cable %zu (line %d): bridge %s does not exist",
			       k, cfg->cables[k].line, br);
	if (r < 0)
		return err_sys(err, -r, "cable %zu (line %d): look up bridge %s", k, cfg->cables[k].line, br);
	kind = rtnl_link_get_type(l);
	if (!kind || strcmp(kind, "bridge"))
		r = err_msg(err, EXIT_FAIL, ENOTSUP, "cable %zu (line %d): %s is not a bridge (it is %s%s)",
			    k, cfg->cables[k].line, br, kind ? "a " : "an interface of no kind",
			    kind ? kind : "");
	rtnl_link_put(l);
	return r;
}

static void machine_id(char out[64])
{
	if (read_file("/etc/machine-id", out, 64) < 0)
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* The inside MAC of veth cable k (eth i): configured or derived. */
static int inside_mac(const struct sh_config *cfg, size_t k, size_t i, const char *mid,
		      uint8_t mac[6])
{
	if (cfg->cables[k].mac)
		return net_mac_parse(cfg->cables[k].mac, mac);
	net_mac_derive(mid, cfg->name, NET_MAC_INSIDE, i, mac);
	return 0;
}

/* ADDRESS and GATEWAY, parsed and checked against the cables. */
/* ADDRESS and GATEWAY, parsed and checked against the cables; the
 * caller frees *out whatever the result. */
static int addresses_load(const struct sh_config *cfg, struct net_addr **out, size_t *nout,
			  struct net_addr gws[2], size_t *ngw, struct sh_err *err)
{
	size_t i, neth = net_eth_count(cfg);
	struct net_addr *a;
	int line = key_line(cfg, "ADDRESS");

	*out = a = cfg->address.n ? xcalloc(cfg->address.n, sizeof *a) : NULL;
	*nout = *ngw = 0;
	for (i = 0; i < cfg->address.n; i++) {
		if (net_address_parse(cfg->address.v[i], &a[i]) < 0)
			return err_cfg(err, "%s:%d: ADDRESS entry \"%s\" is malformed: "
				       "expected ethN=ADDRESS/PREFIX with an IPv4 or IPv6 address",
				       conf_path(cfg), line, cfg->address.v[i]);
		if ((size_t)a[i].eth >= neth)
			return err_cfg(err, "%s:%d: ADDRESS entry \"%s\": there is no eth%d: "
				       "expected one of the %zu cable(s) of CABLES", conf_path(cfg), line,
				       cfg->address.v[i], a[i].eth, neth);
	}
	*nout = cfg->address.n;
	if (!cfg->gateway || !*cfg->gateway)
		return 0;
	line = key_line(cfg, "GATEWAY");
	if (net_gateways_parse(cfg->gateway, gws, ngw) < 0)
		return err_cfg(err, "%s:%d: GATEWAY=%s is malformed: expected an IPv4 and/or an "
			       "IPv6 address, at most one of each", conf_path(cfg), line, cfg->gateway);
	for (i = 0; i < *ngw; i++) {
		int e = net_gateway_eth(a, *nout, &gws[i]);
		char buf[INET6_ADDRSTRLEN];

		if (e >= 0 && (size_t)e < neth)
			continue;
		inet_ntop(gws[i].family, gws[i].addr, buf, sizeof buf);
		return err_cfg(err, "%s:%d: GATEWAY %s is not inside the subnet of any ADDRESS: "
			       "expected an ADDRESS entry whose subnet holds it", conf_path(cfg),
			       line, buf);
	}
	return 0;
}

int net_cables_check(const struct sh_config *cfg, struct sh_err *err)
{
	struct net_cable_plan p;
	struct net_addr *addrs = NULL, gws[2];
	size_t k, j, naddr, ngw;
	uint8_t (*macs)[6] = NULL;
	struct rt n = { 0 };
	char mid[64];
	int r;

	if (!name_ok(cfg->name))
		return err_cfg(err, "%s: NAME \"%s\" is invalid", conf_path(cfg), cfg->name ? cfg->name : "");
	/* pure checks first: nothing here needs the kernel */
	r = addresses_load(cfg, &addrs, &naddr, gws, &ngw, err);
	free(addrs);
	if (r < 0)
		return r;
	if (!cfg->ncables)
		return 0;
	machine_id(mid);
	macs = xcalloc(cfg->ncables, sizeof *macs);
	for (k = 0; k < cfg->ncables; k++) {
		r = net_cable_plan(cfg, k, &p);
		if (r < 0) {
			r = err_cfg(err, "%s:%d: cable %zu: %s", conf_path(cfg), cfg->cables[k].line, k,
				    r == -ENAMETOOLONG ? "host interface name longer than 15 characters"
						       : "a VLAN needs a cable before it");
			goto out;
		}
		if (p.eth < 0)
			continue;
		if (inside_mac(cfg, k, (size_t)p.eth, mid, macs[k]) < 0) {
			r = err_cfg(err, "%s:%d: cable %zu: MAC \"%s\" is malformed: expected a unicast "
				    "aa:bb:cc:dd:ee:ff", conf_path(cfg), cfg->cables[k].line, k,
				    cfg->cables[k].mac);
			goto out;
		}
		for (j = 0; j < k; j++) {
			if (cfg->cables[j].vlan <= 0 && !memcmp(macs[j], macs[k], 6)) {
				char s[18];
				net_mac_format(macs[k], s);
				r = err_cfg(err, "%s:%d: cable %zu: MAC %s is also cable %zu's: expected "
					    "a distinct MAC per cable", conf_path(cfg), cfg->cables[k].line,
					    k, s, j);
				goto out;
			}
		}
	}
	r = rt_open(&n, -1);
	if (r < 0) {
		r = err_sys(err, -r, "open a netlink socket");
		goto out;
	}
	for (k = 0; k < cfg->ncables; k++) {
		net_cable_plan(cfg, k, &p);
		if (cfg->cables[k].bridge && (r = bridge_check(&n, cfg, k, err)) < 0)
			goto out;
		if ((r = hostif_free(&n, cfg, k, p.hostif, err)) < 0)
			goto out;
	}
	r = 0;
out:
	rt_close(&n);
	free(macs);
	return r;
}

/* ---- creating the cables ------------------------------------------------ */

static int set_mac(struct rtnl_link *l, const uint8_t mac[6])
{
	struct nl_addr *a = nl_addr_build(AF_LLC, mac, 6);

	if (!a)
		return -ENOMEM;
	rtnl_link_set_addr(l, a);       /* takes its own reference */
	nl_addr_put(a);
	return 0;
}

/* Veth cable: host end NAME<i> (up, on its bridge) and its peer eth<i>
 * made directly inside netns_fd, in one request. */
static struct rtnl_link *veth_link(const struct net_cable_plan *p, int master, int netns_fd,
				   const uint8_t host_mac[6], const uint8_t in_mac[6])
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	char ethname[16];
	int r;

	if (!l)
		return NULL;
	peer = rtnl_link_veth_get_peer(l);
	snprintf(ethname, sizeof ethname, "eth%d", p->eth);
	rtnl_link_set_name(l, p->hostif);
	rtnl_link_set_flags(l, IFF_UP);
	if (master > 0)
		rtnl_link_set_master(l, master);
	/* no IFF_UP on the peer: the kernel opens it before the pair is
	 * linked and veth_open() fails with ENOTCONN; link_up() does it */
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

/* VLAN cable: NAME<j>.<N> on the host end NAME<j> (ifindex lower). */
static struct rtnl_link *vlan_link(const struct net_cable_plan *p, int lower, int master)
{
	struct rtnl_link *l = rtnl_link_vlan_alloc();

	if (!l)
		return NULL;
	rtnl_link_set_name(l, p->hostif);
	rtnl_link_set_link(l, lower);
	rtnl_link_set_flags(l, IFF_UP);
	if (master > 0)
		rtnl_link_set_master(l, master);
	if (rtnl_link_vlan_set_id(l, (uint16_t)p->vlan) < 0) {
		rtnl_link_put(l);
		return NULL;
	}
	return l;
}

int net_cable_msg(const struct sh_config *cfg, size_t k, const char *machine_id, int master,
		  int lower, int netns_fd, struct nl_msg **out)
{
	struct net_cable_plan p;
	struct rtnl_link *l;
	uint8_t hmac[6], imac[6];
	int r = net_cable_plan(cfg, k, &p);

	*out = NULL;
	if (r < 0)
		return r;
	if (p.eth >= 0) {
		if (inside_mac(cfg, k, (size_t)p.eth, machine_id, imac) < 0)
			return -EINVAL;
		net_mac_derive(machine_id, cfg->name, NET_MAC_HOST, (size_t)p.eth, hmac);
		l = veth_link(&p, master, netns_fd, hmac, imac);
	} else {
		l = vlan_link(&p, lower, master);
	}
	if (!l)
		return -ENOMEM;
	r = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, out);
	rtnl_link_put(l);
	return r < 0 ? rt_errno(NULL, r) : 0;
}

/* Make cable k: one request, one ACK. */
static int cable_add(struct rt *n, const struct sh_config *cfg, size_t k, const char *mid,
		     int master, int lower, int netns_fd)
{
	struct nl_msg *msg;
	int r = net_cable_msg(cfg, k, mid, master, lower, netns_fd, &msg);

	if (r < 0)
		return r;
	rt_reset(n);
	return rt_errno(n, nl_send_sync(n->sk, msg));   /* frees msg */
}

static struct nl_addr *addr_build(const struct net_addr *a, unsigned prefix)
{
	struct nl_addr *na = nl_addr_build(a->family, a->addr, a->family == AF_INET ? 4 : 16);

	if (na)
		nl_addr_set_prefixlen(na, (int)prefix);
	return na;
}

static int address_add(struct rt *in, int ifindex, const struct net_addr *a)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = addr_build(a, a->prefix);
	int r = -ENOMEM;

	if (ra && local) {
		rtnl_addr_set_ifindex(ra, ifindex);
		r = rtnl_addr_set_local(ra, local);
		rtnl_addr_set_prefixlen(ra, (int)a->prefix);
		/* usable at once, before pid 1 starts, like the IPv4 ones: an
		 * ADDRESS is the admin's static choice (Docker does the same) */
		if (a->family == AF_INET6)
			rtnl_addr_set_flags(ra, IFA_F_NODAD);
		if (r == 0) {
			rt_reset(in);
			r = rtnl_addr_add(in->sk, ra, NLM_F_EXCL);
		}
		r = rt_errno(in, r);
	}
	nl_addr_put(local);
	if (ra)
		rtnl_addr_put(ra);
	return r;
}

static int default_route_add(struct rt *in, int ifindex, const struct net_addr *gw)
{
	static const uint8_t zero[16];
	struct net_addr any = { .family = gw->family };
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = NULL, *via = addr_build(gw, gw->family == AF_INET ? 32 : 128);
	int r = -ENOMEM;

	memcpy(any.addr, zero, sizeof zero);
	dst = addr_build(&any, 0);
	if (rt && nh && dst && via) {
		rtnl_route_set_family(rt, (uint8_t)gw->family);
		rtnl_route_set_table(rt, RT_TABLE_MAIN);
		rtnl_route_set_protocol(rt, RTPROT_BOOT);    /* as `ip route add` marks it */
		rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
		r = rtnl_route_set_dst(rt, dst);
		rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_add_nexthop(rt, nh);         /* rt owns nh from here */
		nh = NULL;
		if (r == 0) {
			rt_reset(in);
			r = rtnl_route_add(in->sk, rt, NLM_F_EXCL);
		}
		r = rt_errno(in, r);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	nl_addr_put(via);
	if (rt)
		rtnl_route_put(rt);
	return r;
}

/* ADDRESS and GATEWAY, through in, a socket inside the netns. */
static int addresses_apply(const struct sh_config *cfg, struct rt *in, struct sh_err *err)
{
	struct net_addr *a = NULL, gws[2];
	size_t i, na, ngw;
	char ifname[16], buf[INET6_ADDRSTRLEN], ext[200];
	int r, ifindex, *idx = NULL;    /* eth<i>'s ifindex, looked up once */

	r = addresses_load(cfg, &a, &na, gws, &ngw, err);
	if (r < 0 || na + ngw == 0)
		goto out;
	idx = xcalloc(net_eth_count(cfg), sizeof *idx);
	for (i = 0; i < na + ngw; i++) {
		const struct net_addr *x = i < na ? &a[i] : &gws[i - na];
		int eth = i < na ? x->eth : net_gateway_eth(a, na, x);

		snprintf(ifname, sizeof ifname, "eth%d", eth);
		ifindex = idx[eth] ? idx[eth] : link_ifindex(in, ifname);
		if (ifindex < 0) {
			r = err_sys(err, -ifindex, "find %s in network namespace %s", ifname, cfg->name);
			goto out;
		}
		idx[eth] = ifindex;
		inet_ntop(x->family, x->addr, buf, sizeof buf);
		if (i < na) {
			r = address_add(in, ifindex, x);
			if (r < 0) {
				r = err_sys(err, -r, "%s:%d: ADDRESS %s: add %s/%u to %s%s", conf_path(cfg),
					    key_line(cfg, "ADDRESS"), cfg->address.v[i], buf, x->prefix,
					    ifname, rt_ext(in, ext, sizeof ext));
				goto out;
			}
		} else {
			r = default_route_add(in, ifindex, x);
			if (r < 0) {
				r = err_sys(err, -r, "%s:%d: GATEWAY: add default route via %s on %s%s",
					    conf_path(cfg), key_line(cfg, "GATEWAY"), buf, ifname,
					    rt_ext(in, ext, sizeof ext));
				goto out;
			}
		}
	}
	r = 0;
out:
	free(idx);
	free(a);
	return r;
}

int net_cables_create(const struct sh_config *cfg, int netns_fd, struct sh_err *err)
{
	struct net_cable_plan p;
	struct rt host = { 0 }, in = { 0 };
	char mid[64], ext[200], ethname[16];
	size_t k, made = 0;
	int r, master, lower;

	if (!cfg->ncables && !cfg->address.n && !(cfg->gateway && *cfg->gateway))
		return 0;
	machine_id(mid);
	r = rt_open(&host, -1);
	if (r < 0)
		return err_sys(err, -r, "open a netlink socket");
	r = rt_open(&in, netns_fd);
	if (r < 0) {
		r = err_sys(err, -r, "open a netlink socket in network namespace %s", cfg->name);
		goto fail;
	}
	for (k = 0; k < cfg->ncables; k++) {
		r = net_cable_plan(cfg, k, &p);
		if (r < 0) {
			r = err_cfg(err, "%s:%d: cable %zu: host interface name too long or VLAN without "
				    "a cable before it", conf_path(cfg), cfg->cables[k].line, k);
			goto fail;
		}
		master = 0;
		if (cfg->cables[k].bridge) {
			master = link_ifindex(&host, cfg->cables[k].bridge);
			if (master < 0) {
				r = master == -ENODEV ?
					err_msg(err, EXIT_FAIL, ENODEV, "cable %zu (line %d): bridge %s does not exist",
						k, cfg->cables[k].line, cfg->cables[k].bridge) :
					err_sys(err, -master, "cable %zu (line %d): look up bridge %s", k,
						cfg->cables[k].line, cfg->cables[k].bridge);
				goto fail;
			}
		}
		if (p.eth < 0) {
			lower = link_ifindex(&host, p.parent);
			r = lower < 0 ? lower : cable_add(&host, cfg, k, mid, master, lower, -1);
			if (r == -EOPNOTSUPP) {
				r = err_sys(err, -r, "cable %zu (line %d): create VLAN %s on %s: "
					    "this kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q)",
					    k, cfg->cables[k].line, p.hostif, p.parent);
				goto fail;
			}
			if (r < 0) {
				r = err_sys(err, -r, "cable %zu (line %d): create VLAN %s on %s%s", k,
					    cfg->cables[k].line, p.hostif, p.parent,
					    rt_ext(&host, ext, sizeof ext));
				goto fail;
			}
			made = k + 1;
			continue;
		}
		r = cable_add(&host, cfg, k, mid, master, 0, netns_fd);
		if (r < 0) {
			r = err_sys(err, -r, "cable %zu (line %d): create veth %s <-> eth%d%s%s%s",
				    k, cfg->cables[k].line, p.hostif, p.eth,
				    master ? " on bridge " : "", master ? cfg->cables[k].bridge : "",
				    rt_ext(&host, ext, sizeof ext));
			goto fail;
		}
		made = k + 1;
		snprintf(ethname, sizeof ethname, "eth%d", p.eth);
		r = link_up(&in, ethname);
		if (r < 0) {
			r = err_sys(err, -r, "cable %zu (line %d): bring %s up in network namespace %s%s",
				    k, cfg->cables[k].line, ethname, cfg->name, rt_ext(&in, ext, sizeof ext));
			goto fail;
		}
	}
	r = addresses_apply(cfg, &in, err);
	if (r < 0)
		goto fail;
	rt_close(&in);
	rt_close(&host);
	return 0;
fail:
	/* Undo in reverse.  A VLAN goes with its veth and eth<i> with NAME<i>,
	 * so deleting the veth host ends is enough. */
	while (made-- > 0) {
		if (net_cable_plan(cfg, made, &p) == 0 && p.eth >= 0)
			link_del(&host, p.hostif);
	}
	rt_close(&in);
	rt_close(&host);
	return r;
}

/* ---- /etc/network/interfaces ------------------------------------------- */

/* Open dir under root without leaving it: openat2(RESOLVE_IN_ROOT) where
 * the kernel has it (5.6), else component by component refusing
 * symlinks.  A subhost's UPPER is written by its root, so a symlink there
 * must not lead us to write a host file. */
static int open_in_root(int rootfd, const char *rel, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC), .mode = mode,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char buf[PATH_MAX], *tok, *save = NULL, *next;
	_cleanup_close_ int dir = -1;
	int fd;

	if (!(flags & O_CREAT))
		how.mode = 0;
	fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return fd < 0 ? -errno : fd;
	/* fallback (EPERM: a seccomp filter that predates openat2) */
	if (strlen(rel) >= sizeof buf)
		return -ENAMETOOLONG;
	strcpy(buf, rel);
	dir = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (dir < 0)
		return -errno;
	for (tok = strtok_r(buf, "/", &save); tok; tok = next) {
		next = strtok_r(NULL, "/", &save);
		if (!strcmp(tok, ".."))
			return -EPERM;
		fd = openat(dir, tok, next ? O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
					    : flags | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0)
			return -errno;
		if (!next)
			return fd;
		close(dir);
		dir = fd;
	}
	return -EINVAL;
}

/* mkdir rel under root (0755, as overlay-boot's mkdir -p made it). */
static int mkdir_in_root(int rootfd, const char *rel)
{
	_cleanup_close_ int fd = -1, dfd = -1;
	const char *slash = strrchr(rel, '/');
	char parent[PATH_MAX];

	if (slash) {
		snprintf(parent, sizeof parent, "%.*s", (int)(slash - rel), rel);
		fd = open_in_root(rootfd, parent, O_PATH | O_DIRECTORY, 0);
		if (fd < 0)
			return fd;
	}
	if (mkdirat(slash ? fd : rootfd, slash ? slash + 1 : rel, 0755) < 0)
		return errno == EEXIST ? 0 : -errno;
	/* 0755 whatever our umask: an upper dir's mode is the merged one's */
	dfd = openat(slash ? fd : rootfd, slash ? slash + 1 : rel,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || fchmod(dfd, 0755) < 0)
		return -errno;
	return 0;
}

int net_write_interfaces(const struct sh_config *cfg, struct sh_err *err)
{
	static const char rel[] = "etc/network/interfaces";
	_cleanup_close_ int root = -1, fd = -1;
	_cleanup_free_ char *text = NULL;
	size_t len, off = 0;
	ssize_t w;
	int r;

	if (cfg->address.n)
		return 0;       /* ADDRESS configures the cables from the host */
	root = open(cfg->upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return err_sys(err, errno, "open UPPER %s", cfg->upper);
	/* exists (even as a dangling symlink or a whiteout): leave it alone */
	fd = open_in_root(root, rel, O_PATH | O_NOFOLLOW, 0);
	if (fd >= 0)
		return 0;
	if (fd != -ENOENT)
		return err_sys(err, -fd, "look at %s/%s", cfg->upper, rel);
	if ((r = mkdir_in_root(root, "etc")) < 0 || (r = mkdir_in_root(root, "etc/network")) < 0)
		return err_sys(err, -r, "create %s/etc/network", cfg->upper);
	/* O_EXCL: never truncate or follow something that appeared meanwhile */
	fd = open_in_root(root, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
	if (fd == -EEXIST)
		return 0;
	if (fd < 0)
		return err_sys(err, -fd, "create %s/%s", cfg->upper, rel);
	text = net_interfaces_text(cfg);
	len = strlen(text);
	while (off < len) {
		w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			unlinkat(root, rel, 0);
			return err_sys(err, -r, "write %s/%s", cfg->upper, rel);
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) < 0)       /* whatever our umask */
		return err_sys(err, errno, "chmod %s/%s", cfg->upper, rel);
	return 0;
}

/* ---- status ------------------------------------------------------------ */

int net_cable_info(const char *name, size_t i, struct net_cable_info *out)
{
	struct rt host = { 0 }, in = { 0 };
	struct rtnl_link *l = NULL, *br = NULL, *eth = NULL;
	_cleanup_close_ int nsfd = -1;
	char ethname[16];
	struct nl_addr *a;
	int r, master;

	memset(out, 0, sizeof *out);
	if (!name_ok(name))
		return -EINVAL;
	r = net_hostif_name(name, i, out->hostif);
	if (r < 0)
		return r;
	r = rt_open(&host, -1);
	if (r < 0)
		return r;
	r = link_get(&host, out->hostif, &l);
	if (r < 0)
		goto out;
	out->rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
	out->tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
	master = rtnl_link_get_master(l);
	if (master > 0 && rtnl_link_get_kernel(host.sk, master, NULL, &br) >= 0 && br)
		snprintf(out->bridge, sizeof out->bridge, "%s", rtnl_link_get_name(br));
	/* the MAC is only known inside: ask there */
	nsfd = net_ns_open(name);
	if (nsfd < 0 || rt_open(&in, nsfd) < 0)
		goto out;       /* partial information is still information */
	snprintf(ethname, sizeof ethname, "eth%zu", i);
	if (link_get(&in, ethname, &eth) == 0 && (a = rtnl_link_get_addr(eth)) &&
	    nl_addr_get_len(a) == 6)
		net_mac_format(nl_addr_get_binary_addr(a), out->mac);
out:
	if (eth)
		rtnl_link_put(eth);
	if (br)
		rtnl_link_put(br);
	if (l)
		rtnl_link_put(l);
	rt_close(&in);
	rt_close(&host);
	return r;
}
