/* test_net.c - unit tests of the pure parts of net.c (no kernel, no root):
 * host interface names, the cable plan (veths and VLANs), MAC parsing and
 * derivation, ADDRESS/GATEWAY parsing, the generated interfaces file and
 * the RTM_NEWLINK requests that create the cables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "net.h"

/* A hand-filled config: name plus "BR=MAC" / "BR=.N" cables. */
struct fx {
	struct sh_config cfg;
	struct sh_cable cables[8];
	char *addrs[8];
};

static void fx_set(struct fx *f, const char *name, const char *const *cables, size_t n)
{
	size_t k;

	memset(f, 0, sizeof *f);
	f->cfg.name = (char *)name;
	f->cfg.cables = f->cables;
	f->cfg.ncables = n;
	for (k = 0; k < n; k++) {
		const char *eq = strchr(cables[k], '=');

		f->cables[k].line = (int)k + 3;
		f->cables[k].bridge = eq != cables[k] ? strndup(cables[k], (size_t)(eq - cables[k])) : NULL;
		if (eq[1] == '.')
			f->cables[k].vlan = atoi(eq + 2);
		else if (eq[1])
			f->cables[k].mac = strdup(eq + 1);
	}
}

static void fx_free(struct fx *f)
{
	size_t k;

	for (k = 0; k < f->cfg.ncables; k++) {
		free(f->cables[k].bridge);
		free(f->cables[k].mac);
	}
}

/* ---- host interface names and the plan -------------------------------- */

static void test_hostif_name(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(net_hostif_name("web", 0, out), 0);
	assert_string_equal(out, "web0");
	assert_int_equal(net_hostif_name("web", 12, out), 0);
	assert_string_equal(out, "web12");
	assert_int_equal(net_hostif_name("abcdefghijklmn", 3, out), 0);      /* 15 */
	assert_string_equal(out, "abcdefghijklmn3");
	assert_int_equal(net_hostif_name("abcdefghijklmn", 10, out), -ENAMETOOLONG);
	assert_int_equal(net_hostif_name("abcdefghijklmno", 0, out), -ENAMETOOLONG);
}

static void test_plan_veth_and_vlans(void **state)
{
	static const char *const c[] = { "br0=", "br1=.5", "=.6", "br2=02:00:00:00:00:01", "=" };
	struct net_cable_plan p;
	struct fx f;

	(void)state;
	fx_set(&f, "web", c, 5);
	assert_int_equal(net_eth_count(&f.cfg), 3);
	assert_int_equal(net_cable_plan(&f.cfg, 0, &p), 0);
	assert_string_equal(p.hostif, "web0");
	assert_string_equal(p.parent, "");
	assert_int_equal(p.eth, 0);
	assert_int_equal(p.vlan, 0);
	/* both VLANs hang off the last veth and take no eth index */
	assert_int_equal(net_cable_plan(&f.cfg, 1, &p), 0);
	assert_string_equal(p.hostif, "web0.5");
	assert_string_equal(p.parent, "web0");
	assert_int_equal(p.eth, -1);
	assert_int_equal(p.vlan, 5);
	assert_int_equal(net_cable_plan(&f.cfg, 2, &p), 0);
	assert_string_equal(p.hostif, "web0.6");
	assert_string_equal(p.parent, "web0");
	assert_int_equal(net_cable_plan(&f.cfg, 3, &p), 0);
	assert_string_equal(p.hostif, "web1");
	assert_int_equal(p.eth, 1);
	assert_int_equal(net_cable_plan(&f.cfg, 4, &p), 0);
	assert_string_equal(p.hostif, "web2");
	assert_int_equal(p.eth, 2);
	assert_int_equal(net_cable_plan(&f.cfg, 5, &p), -EINVAL);
	fx_free(&f);
}

static void test_plan_errors(void **state)
{
	static const char *const vfirst[] = { "=.5" };
	static const char *const longv[] = { "=", "=.4094" };
	struct net_cable_plan p;
	struct fx f;

	(void)state;
	fx_set(&f, "web", vfirst, 1);
	assert_int_equal(net_cable_plan(&f.cfg, 0, &p), -EINVAL);
	assert_int_equal(net_eth_count(&f.cfg), 0);
	fx_free(&f);
	fx_set(&f, "abcdefghij", longv, 2);     /* abcdefghij0.4094 = 16 */
	assert_int_equal(net_cable_plan(&f.cfg, 0, &p), 0);
	assert_int_equal(net_cable_plan(&f.cfg, 1, &p), -ENAMETOOLONG);
	fx_free(&f);
}

/* ---- MACs ---------------------------------------------------------------- */

static void test_mac_parse(void **state)
{
	uint8_t m[6];
	char s[18];

	(void)state;
	assert_int_equal(net_mac_parse("06:a7:dd:b4:02:f2", m), 0);
	assert_int_equal(m[0], 0x06);
	assert_int_equal(m[5], 0xf2);
	net_mac_format(m, s);
	assert_string_equal(s, "06:a7:dd:b4:02:f2");
	assert_int_equal(net_mac_parse("06:A7:DD:B4:02:F2", m), 0);
	net_mac_format(m, s);
	assert_string_equal(s, "06:a7:dd:b4:02:f2");
	assert_int_equal(net_mac_parse("06:a7:dd:b4:02", m), -EINVAL);
	assert_int_equal(net_mac_parse("06:a7:dd:b4:02:f2:00", m), -EINVAL);
	assert_int_equal(net_mac_parse("06-a7-dd-b4-02-f2", m), -EINVAL);
	assert_int_equal(net_mac_parse("06:a7:dd:b4:02:g2", m), -EINVAL);
	assert_int_equal(net_mac_parse("6:a7:dd:b4:02:f2", m), -EINVAL);
	assert_int_equal(net_mac_parse("", m), -EINVAL);
	assert_int_equal(net_mac_parse("01:00:5e:00:00:01", m), -EINVAL);  /* multicast */
	assert_int_equal(net_mac_parse("00:00:00:00:00:00", m), -EINVAL);
}

static void test_mac_derive(void **state)
{
	uint8_t a[6], b[6];
	int i;

	(void)state;
	net_mac_derive("0123456789abcdef0123456789abcdef", "web", NET_MAC_INSIDE, 0, a);
	net_mac_derive("0123456789abcdef0123456789abcdef", "web", NET_MAC_INSIDE, 0, b);
	assert_memory_equal(a, b, 6);                   /* stable */
	assert_int_equal(a[0] & 0x03, 0x02);            /* unicast, locally administered */
	net_mac_derive("0123456789abcdef0123456789abcdef", "web", NET_MAC_HOST, 0, b);
	assert_memory_not_equal(a, b, 6);
	assert_int_equal(b[0] & 0x03, 0x02);
	net_mac_derive("0123456789abcdef0123456789abcdef", "web", NET_MAC_INSIDE, 1, b);
	assert_memory_not_equal(a, b, 6);
	net_mac_derive("0123456789abcdef0123456789abcdef", "web2", NET_MAC_INSIDE, 0, b);
	assert_memory_not_equal(a, b, 6);
	net_mac_derive("fedcba9876543210fedcba9876543210", "web", NET_MAC_INSIDE, 0, b);
	assert_memory_not_equal(a, b, 6);
	net_mac_derive(NULL, "web", NET_MAC_INSIDE, 0, b);
	assert_int_equal(b[0] & 0x03, 0x02);
	/* "web1" cable 0 and "web" cable 10 must not collide through concatenation */
	net_mac_derive("", "web1", NET_MAC_INSIDE, 0, a);
	net_mac_derive("", "web", NET_MAC_INSIDE, 10, b);
	assert_memory_not_equal(a, b, 6);
	for (i = 0; i < 64; i++) {
		uint8_t m[6];
		char s[18];

		net_mac_derive("x", "web", i & 1, (size_t)i, m);
		net_mac_format(m, s);
		assert_int_equal(net_mac_parse(s, m), 0);       /* always a valid unicast MAC */
	}
}

/* ---- ADDRESS and GATEWAY ------------------------------------------------- */

static void test_address_parse(void **state)
{
	struct net_addr a;
	char s[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(net_address_parse("eth0=10.0.3.2/24", &a), 0);
	assert_int_equal(a.eth, 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.prefix, 24);
	inet_ntop(AF_INET, a.addr, s, sizeof s);
	assert_string_equal(s, "10.0.3.2");
	assert_int_equal(net_address_parse("eth12=fd00::2/64", &a), 0);
	assert_int_equal(a.eth, 12);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.prefix, 64);
	assert_int_equal(net_address_parse("eth1=10.0.3.2", &a), 0);
	assert_int_equal(a.prefix, 32);
	assert_int_equal(net_address_parse("eth1=fd00::2", &a), 0);
	assert_int_equal(a.prefix, 128);
	assert_int_equal(net_address_parse("eth0=10.0.3.2/0", &a), 0);
	assert_int_equal(a.prefix, 0);
	assert_int_equal(net_address_parse("eth0=10.0.3.2/33", &a), -EINVAL);
	assert_int_equal(net_address_parse("eth0=fd00::2/129", &a), -EINVAL);
	assert_int_equal(net_address_parse("eth0=10.0.3.2/", &a), -EINVAL);
	assert_int_equal(net_address_parse("eth0=10.0.3.2/-1", &a), -EINVAL);
	assert_int_equal(net_address_parse("eth0=10.0.3.2/24x", &a), -EINVAL);
	assert_int_equal(net_address_parse("eth0=10.0.3/24", &a), -EINVAL);
	assert_int_equal(net_address_parse("eth0=", &a), -EINVAL);
	assert_int_equal(net_address_parse("eth0", &a), -EINVAL);
	assert_int_equal(net_address_parse("eth=10.0.3.2/24", &a), -EINVAL);
	assert_int_equal(net_address_parse("eth01=10.0.3.2/24", &a), -EINVAL);
	assert_int_equal(net_address_parse("lo=127.0.0.2/8", &a), -EINVAL);
	assert_int_equal(net_address_parse("10.0.3.2/24", &a), -EINVAL);
	assert_int_equal(net_address_parse("eth0=default", &a), -EINVAL);
}

static void test_gateways_parse(void **state)
{
	struct net_addr g[2];
	size_t n;

	(void)state;
	assert_int_equal(net_gateways_parse("10.0.3.1", g, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(g[0].family, AF_INET);
	assert_int_equal(g[0].eth, -1);
	assert_int_equal(net_gateways_parse("10.0.3.1 fd00::1", g, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(g[1].family, AF_INET6);
	assert_int_equal(net_gateways_parse("fe80::1,10.0.3.1", g, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(net_gateways_parse("", g, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(net_gateways_parse("10.0.3.1 10.0.3.2", g, &n), -EINVAL);
	assert_int_equal(net_gateways_parse("10.0.3.1 fd00::1 10.0.3.2", g, &n), -EINVAL);
	assert_int_equal(net_gateways_parse("10.0.3.1/24", g, &n), -EINVAL);
	assert_int_equal(net_gateways_parse("gw.example", g, &n), -EINVAL);
}

static void test_gateway_eth(void **state)
{
	struct net_addr a[3], g[2];
	size_t n;

	(void)state;
	assert_int_equal(net_address_parse("eth0=10.0.3.2/24", &a[0]), 0);
	assert_int_equal(net_address_parse("eth1=172.16.0.2/20", &a[1]), 0);
	assert_int_equal(net_address_parse("eth2=fd00:1::2/64", &a[2]), 0);
	assert_int_equal(net_gateways_parse("10.0.3.1", g, &n), 0);
	assert_int_equal(net_gateway_eth(a, 3, &g[0]), 0);
	assert_int_equal(net_gateways_parse("172.16.15.254", g, &n), 0);      /* /20 edge */
	assert_int_equal(net_gateway_eth(a, 3, &g[0]), 1);
	assert_int_equal(net_gateways_parse("172.16.16.1", g, &n), 0);
	assert_int_equal(net_gateway_eth(a, 3, &g[0]), -ENETUNREACH);
	assert_int_equal(net_gateways_parse("fd00:1::1", g, &n), 0);
	assert_int_equal(net_gateway_eth(a, 3, &g[0]), 2);
	assert_int_equal(net_gateways_parse("fd00:2::1", g, &n), 0);
	assert_int_equal(net_gateway_eth(a, 3, &g[0]), -ENETUNREACH);
	assert_int_equal(net_gateways_parse("fe80::1", g, &n), 0);            /* link-local */
	assert_int_equal(net_gateway_eth(a, 3, &g[0]), 0);
	assert_int_equal(net_gateways_parse("10.0.3.1", g, &n), 0);
	assert_int_equal(net_gateway_eth(a, 0, &g[0]), -ENETUNREACH);
}

/* ---- /etc/network/interfaces ------------------------------------------------ */

static void test_interfaces_text(void **state)
{
	static const char *const c[] = { "br0=", "br1=.5", "=" };
	struct fx f;
	char *t;

	(void)state;
	fx_set(&f, "web", c, 3);
	t = net_interfaces_text(&f.cfg);
	assert_string_equal(t, "# Generated for web subhost\n"
			    "auto lo\niface lo inet loopback\n"
			    "auto eth0\niface eth0 inet manual\n"
			    "auto eth1\niface eth1 inet manual\n");
	free(t);
	fx_free(&f);
	fx_set(&f, "solo", NULL, 0);
	t = net_interfaces_text(&f.cfg);
	assert_string_equal(t, "# Generated for solo subhost\nauto lo\niface lo inet loopback\n");
	free(t);
}

/* ---- the RTM_NEWLINK requests ---------------------------------------------- */

static void test_msg_veth(void **state)
{
	static const char *const c[] = { "br0=", "br0=02:aa:bb:cc:dd:ee" };
	struct nlattr *tb[IFLA_MAX + 1], *ptb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *vd[VETH_INFO_MAX + 1];
	struct nl_msg *m;
	struct nlmsghdr *h;
	struct ifinfomsg *ifi, *pifi;
	uint8_t mac[6];
	struct fx f;

	(void)state;
	fx_set(&f, "web", c, 2);
	assert_int_equal(net_cable_msg(&f.cfg, 1, "mid", 7, 0, 42, &m), 0);
	h = nlmsg_hdr(m);
	assert_int_equal(h->nlmsg_type, RTM_NEWLINK);
	assert_true(h->nlmsg_flags & NLM_F_CREATE);
	assert_true(h->nlmsg_flags & NLM_F_EXCL);
	ifi = nlmsg_data(h);
	assert_true(ifi->ifi_flags & IFF_UP);           /* host end up */
	assert_int_equal(nlmsg_parse(h, sizeof *ifi, tb, IFLA_MAX, NULL), 0);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "web1");
	assert_int_equal(nla_get_u32(tb[IFLA_MASTER]), 7);
	net_mac_derive("mid", "web", NET_MAC_HOST, 1, mac);
	assert_int_equal(nla_len(tb[IFLA_ADDRESS]), 6);
	assert_memory_equal(nla_data(tb[IFLA_ADDRESS]), mac, 6);
	assert_null(tb[IFLA_NET_NS_FD]);                /* host end stays on the host */
	assert_int_equal(nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL), 0);
	assert_string_equal(nla_get_string(li[IFLA_INFO_KIND]), "veth");
	assert_int_equal(nla_parse_nested(vd, VETH_INFO_MAX, li[IFLA_INFO_DATA], NULL), 0);
	assert_non_null(vd[VETH_INFO_PEER]);
	/* the peer: an ifinfomsg, then its attributes */
	pifi = nla_data(vd[VETH_INFO_PEER]);
	assert_false(pifi->ifi_flags & IFF_UP);         /* the kernel would refuse (ENOTCONN) */
	assert_int_equal(nla_parse(ptb, IFLA_MAX, (struct nlattr *)(pifi + 1),
				   nla_len(vd[VETH_INFO_PEER]) - (int)sizeof *pifi, NULL), 0);
	assert_string_equal(nla_get_string(ptb[IFLA_IFNAME]), "eth1");
	assert_int_equal(nla_get_u32(ptb[IFLA_NET_NS_FD]), 42);
	assert_memory_equal(nla_data(ptb[IFLA_ADDRESS]), "\x02\xaa\xbb\xcc\xdd\xee", 6);
	assert_null(ptb[IFLA_MASTER]);
	nlmsg_free(m);

	/* no bridge, no MAC: no master, a derived inside MAC */
	fx_free(&f);
	fx_set(&f, "web", (const char *const[]){ "=" }, 1);
	assert_int_equal(net_cable_msg(&f.cfg, 0, "mid", 0, 0, 42, &m), 0);
	h = nlmsg_hdr(m);
	assert_int_equal(nlmsg_parse(h, sizeof *ifi, tb, IFLA_MAX, NULL), 0);
	assert_null(tb[IFLA_MASTER]);
	assert_int_equal(nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL), 0);
	assert_int_equal(nla_parse_nested(vd, VETH_INFO_MAX, li[IFLA_INFO_DATA], NULL), 0);
	pifi = nla_data(vd[VETH_INFO_PEER]);
	assert_int_equal(nla_parse(ptb, IFLA_MAX, (struct nlattr *)(pifi + 1),
				   nla_len(vd[VETH_INFO_PEER]) - (int)sizeof *pifi, NULL), 0);
	net_mac_derive("mid", "web", NET_MAC_INSIDE, 0, mac);
	assert_memory_equal(nla_data(ptb[IFLA_ADDRESS]), mac, 6);
	nlmsg_free(m);
	fx_free(&f);
}

static void test_msg_vlan(void **state)
{
	static const char *const c[] = { "br0=", "br5=.5" };
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *vd[IFLA_VLAN_MAX + 1];
	struct nl_msg *m;
	struct nlmsghdr *h;
	struct ifinfomsg *ifi;
	struct fx f;

	(void)state;
	fx_set(&f, "web", c, 2);
	assert_int_equal(net_cable_msg(&f.cfg, 1, "mid", 9, 33, -1, &m), 0);
	h = nlmsg_hdr(m);
	ifi = nlmsg_data(h);
	assert_true(ifi->ifi_flags & IFF_UP);
	assert_int_equal(nlmsg_parse(h, sizeof *ifi, tb, IFLA_MAX, NULL), 0);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "web0.5");
	assert_int_equal(nla_get_u32(tb[IFLA_LINK]), 33);
	assert_int_equal(nla_get_u32(tb[IFLA_MASTER]), 9);
	assert_null(tb[IFLA_NET_NS_FD]);
	assert_int_equal(nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL), 0);
	assert_string_equal(nla_get_string(li[IFLA_INFO_KIND]), "vlan");
	assert_int_equal(nla_parse_nested(vd, IFLA_VLAN_MAX, li[IFLA_INFO_DATA], NULL), 0);
	assert_int_equal(nla_get_u16(vd[IFLA_VLAN_ID]), 5);
	nlmsg_free(m);
	/* a bad MAC never reaches the kernel */
	fx_free(&f);
	fx_set(&f, "web", (const char *const[]){ "=01:00:00:00:00:01" }, 1);
	assert_int_equal(net_cable_msg(&f.cfg, 0, "mid", 0, 0, 42, &m), -EINVAL);
	assert_null(m);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostif_name),
		cmocka_unit_test(test_plan_veth_and_vlans),
		cmocka_unit_test(test_plan_errors),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_mac_derive),
		cmocka_unit_test(test_address_parse),
		cmocka_unit_test(test_gateways_parse),
		cmocka_unit_test(test_gateway_eth),
		cmocka_unit_test(test_interfaces_text),
		cmocka_unit_test(test_msg_veth),
		cmocka_unit_test(test_msg_vlan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
