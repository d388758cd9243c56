/* net-addr.c - the text forms of the addresses a subhost's cables carry
 * (SPEC 2, 6.3): MACs of CABLES entries and derived ones, ADDRESS
 * entries and GATEWAY words.  Pure: no kernel, no configuration, no
 * printing; net.c checks and applies them, the unit tests call them
 * directly.  Declared in net.h.
 */
#include "net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

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
