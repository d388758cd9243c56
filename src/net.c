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
 * boot.  Every netlink exchange goes through netlink.c (libnl-route-3);
 * only `lo` is brought up by ioctl (see lo_up()).
 */
#include "net.h"
#include "netlink.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if.h>
#include <linux/magic.h>
#include <linux/openat2.h>
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

/* The empty file /run/netns/NAME, ours alone, to bind a netns on. */
static int netns_file(const char *name, char path[PATH_MAX], struct sh_err *err)
{
	int fd, r;

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
	close(fd);
	return 0;
}

int net_ns_adopt(const char *name, int netns_fd, struct sh_err *err)
{
	_cleanup_close_ int self = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
	char path[PATH_MAX], src[64];
	int r;

	if (self < 0)
		return err_sys(err, errno, "open %s", SELF_NETNS);
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return err_sys(err, errno, "enter the network namespace");
	r = lo_up();
	if (setns(self, CLONE_NEWNET) < 0)
		return err_sys(err, errno, "return to the host network namespace");
	if (r < 0)
		return err_sys(err, -r, "bring lo up in the network namespace");
	if (!name)
		return 0;
	r = netns_file(name, path, err);
	if (r < 0)
		return r;
	snprintf(src, sizeof src, "/proc/self/fd/%d", netns_fd);
	if (mount(src, path, "none", MS_BIND, NULL) < 0) {
		r = err_sys(err, errno, "bind-mount network namespace %s", path);
		unlink(path);
		return r;
	}
	return 0;
}

int net_ns_create(const char *name, struct sh_err *err)
{
	char path[PATH_MAX];
	int r;

	r = netns_file(name, path, err);
	if (r < 0)
		return r;
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


static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Is host link l a veth whose other end is gone or in another netns?
 * That is what the previous run of this subhost leaves for a while: its
 * netns dies when the last reference goes (and a closed netlink socket
 * lets go of its netns only after an RCU grace period), then the kernel
 * destroys eth<i> and with it NAME<i>. */
static bool veth_elsewhere(const struct rt_link_info *l)
{
	if (strcmp(l->kind, "veth"))
		return false;
	return l->has_link_netnsid || l->link == 0;
}

/* Host interface ifname must be free.  A veth left by the previous run
 * of this subhost gets STALE_WAIT_MS to vanish. */
static int hostif_free(struct rt *n, const struct sh_config *cfg, size_t k,
		       const char *ifname, struct sh_err *err)
{
	double deadline = now_ms() + STALE_WAIT_MS;
	struct rt_link_info l;
	int32_t nsid = -1;
	int r;

	for (;;) {
		r = rt_link_get(n, ifname, &l);
		if (r == -ENODEV)
			return 0;
		if (r < 0)
			return err_sys(err, -r, "cable %zu (line %d): look up host interface %s",
				       k, cfg->cables[k].line, ifname);
		nsid = l.link_netnsid;
		if (!veth_elsewhere(&l))
			return err_msg(err, EXIT_FAIL, EEXIST,
				       "cable %zu (line %d): host interface %s already exists "
				       "(and is not a cable of a stopped %s)", k, cfg->cables[k].line,
				       ifname, cfg->name);
		if (now_ms() >= deadline)
			break;
		sleep_ms(2);
	}
	if (nsid >= 0 && rt_nsid_alive(n, nsid) == 1)
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
	struct rt_link_info l;
	int r = rt_link_get(n, br, &l);

	if (r == -ENODEV)
		return err_msg(err, EXIT_FAIL, ENODEV, "cable %zu (line %d): bridge %s does not exist",
			       k, cfg->cables[k].line, br);
	if (r < 0)
		return err_sys(err, -r, "cable %zu (line %d): look up bridge %s", k, cfg->cables[k].line, br);
	if (strcmp(l.kind, "bridge"))
		r = err_msg(err, EXIT_FAIL, ENOTSUP, "cable %zu (line %d): %s is not a bridge (it is %s%s)",
			    k, cfg->cables[k].line, br, l.kind[0] ? "a " : "an interface of no kind",
			    l.kind);
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

/* ADDRESS and GATEWAY, parsed and checked against the cables; the
 * caller frees *out whatever the result. */
static int addresses_load(const struct sh_config *cfg, struct net_addr **out, size_t *nout,
			  struct net_addr gws[2], size_t *ngw, struct sh_err *err)
{
	size_t i, neth = net_eth_count(cfg);
	struct net_addr *a;
	int line = config_key_line(cfg, "ADDRESS");

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
	line = config_key_line(cfg, "GATEWAY");
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

int net_cable_msg(const struct sh_config *cfg, size_t k, const char *machine_id, int master,
		  int lower, int netns_fd, struct nl_msg **out)
{
	struct net_cable_plan p;
	uint8_t hmac[6], imac[6];
	char ethname[16];
	int r = net_cable_plan(cfg, k, &p);

	*out = NULL;
	if (r < 0)
		return r;
	if (p.eth < 0)
		return rt_vlan_msg(p.hostif, lower, p.vlan, master, out);
	if (inside_mac(cfg, k, (size_t)p.eth, machine_id, imac) < 0)
		return -EINVAL;
	net_mac_derive(machine_id, cfg->name, NET_MAC_HOST, (size_t)p.eth, hmac);
	snprintf(ethname, sizeof ethname, "eth%d", p.eth);
	return rt_veth_msg(p.hostif, ethname, master, netns_fd, hmac, imac, out);
}

/* Make cable k: one request, one ACK. */
static int cable_add(struct rt *n, const struct sh_config *cfg, size_t k, const char *mid,
		     int master, int lower, int netns_fd)
{
	struct nl_msg *msg;
	int r = net_cable_msg(cfg, k, mid, master, lower, netns_fd, &msg);

	if (r < 0)
		return r;
	return rt_send(n, msg);         /* frees msg */
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
		ifindex = idx[eth] ? idx[eth] : rt_link_ifindex(in, ifname);
		if (ifindex < 0) {
			r = err_sys(err, -ifindex, "find %s in network namespace %s", ifname, cfg->name);
			goto out;
		}
		idx[eth] = ifindex;
		inet_ntop(x->family, x->addr, buf, sizeof buf);
		if (i < na) {
			r = rt_address_add(in, ifindex, x->family, x->addr, x->prefix);
			if (r < 0) {
				r = err_sys(err, -r, "%s:%d: ADDRESS %s: add %s/%u to %s%s", conf_path(cfg),
					    config_key_line(cfg, "ADDRESS"), cfg->address.v[i], buf, x->prefix,
					    ifname, rt_ext(in, ext, sizeof ext));
				goto out;
			}
		} else {
			r = rt_default_route_add(in, ifindex, x->family, x->addr);
			if (r < 0) {
				r = err_sys(err, -r, "%s:%d: GATEWAY: add default route via %s on %s%s",
					    conf_path(cfg), config_key_line(cfg, "GATEWAY"), buf, ifname,
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
			master = rt_link_ifindex(&host, cfg->cables[k].bridge);
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
			lower = rt_link_ifindex(&host, p.parent);
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
		r = rt_link_up(&in, ethname);
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
			rt_link_del(&host, p.hostif);
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

/* mkdir rel under root (0755, as overlay-boot's mkdir -p made it), owned
 * by uid:gid when it is new. */
static int mkdir_in_root(int rootfd, const char *rel, uid_t uid, gid_t gid)
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
	if ((uid || gid) && fchown(dfd, uid, gid) < 0)
		return -errno;
	return 0;
}

int net_write_interfaces(const struct sh_config *cfg, uid_t uid, gid_t gid, struct sh_err *err)
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
	if ((r = mkdir_in_root(root, "etc", uid, gid)) < 0 ||
	    (r = mkdir_in_root(root, "etc/network", uid, gid)) < 0)
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
	if ((uid || gid) && fchown(fd, uid, gid) < 0)
		return err_sys(err, errno, "chown %s/%s", cfg->upper, rel);
	return 0;
}

/* ---- status ------------------------------------------------------------ */

int net_cable_info(const char *name, size_t i, struct net_cable_info *out)
{
	struct rt host = { 0 }, in = { 0 };
	struct rt_link_info l, eth;
	_cleanup_close_ int nsfd = -1;
	char ethname[16];
	int r;

	memset(out, 0, sizeof *out);
	if (!name_ok(name))
		return -EINVAL;
	r = net_hostif_name(name, i, out->hostif);
	if (r < 0)
		return r;
	r = rt_open(&host, -1);
	if (r < 0)
		return r;
	r = rt_link_get(&host, out->hostif, &l);
	if (r < 0)
		goto out;
	out->rx_bytes = l.rx_bytes;
	out->tx_bytes = l.tx_bytes;
	if (l.master > 0)
		rt_link_name(&host, l.master, out->bridge);
	/* the MAC is only known inside: ask there */
	nsfd = net_ns_open(name);
	if (nsfd < 0 || rt_open(&in, nsfd) < 0)
		goto out;       /* partial information is still information */
	snprintf(ethname, sizeof ethname, "eth%zu", i);
	if (rt_link_get(&in, ethname, &eth) == 0 && eth.has_mac)
		net_mac_format(eth.mac, out->mac);
out:
	rt_close(&in);
	rt_close(&host);
	return r;
}
