/* idmap.c - parse and check IDMAP (see idmap.h). */
#include "idmap.h"

#include <ctype.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SUBID_MAX (4 << 20)     /* a subuid file larger than this is not one */
#define SHOWN 60                /* at most this much of a value in a message */

/* The value as quoted in messages: long ones end in "..." so the message
 * still says what is wrong. */
static const char *shown(const char *value, char buf[SHOWN + 4])
{
	if (strlen(value) <= SHOWN)
		return value;
	snprintf(buf, SHOWN + 4, "%.*s...", SHOWN, value);
	return buf;
}

/* A decimal number 0..max with nothing else: no sign, no blanks. */
static bool parse_u32(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* One extent word "[u:|g:|b:]INSIDE:HOST:COUNT". */
static bool parse_extent(const char *w, char *kind, struct idmap_extent *e)
{
	const char *f[3];
	size_t n = 0, len[3];
	const char *p = w;

	*kind = 'b';
	if ((w[0] == 'u' || w[0] == 'g' || w[0] == 'b') && w[1] == ':') {
		*kind = w[0];
		p = w + 2;
	}
	for (;;) {
		const char *c = strchr(p, ':');
		if (n == 3)
			return false;
		f[n] = p;
		len[n] = c ? (size_t)(c - p) : strlen(p);
		n++;
		if (!c)
			break;
		p = c + 1;
	}
	/* ids are below 2^32-1, which the kernel reserves as "no id" */
	return n == 3 && parse_u32(f[0], len[0], UINT32_MAX - 1, &e->inside) &&
	       parse_u32(f[1], len[1], UINT32_MAX - 1, &e->host) &&
	       parse_u32(f[2], len[2], UINT32_MAX, &e->count) && e->count > 0 &&
	       (uint64_t)e->inside + e->count <= UINT32_MAX &&
	       (uint64_t)e->host + e->count <= UINT32_MAX;
}

static int push(struct idmap_extent *v, size_t *n, const struct idmap_extent *e,
		const char *what, const char *value, const char *where, struct sh_err *err)
{
	if (*n == IDMAP_MAX)
		return err_cfg(err, "%s: IDMAP=%s: more than %d %s extents: the kernel takes at most %d",
			       where, value, IDMAP_MAX, what, IDMAP_MAX);
	v[(*n)++] = *e;
	return 0;
}

int idmap_parse_extents(const char *value, const char *where, struct idmap *out,
			struct sh_err *err)
{
	_cleanup_free_ char *copy = xstrdup(value);
	char *save = NULL, *w, sb[SHOWN + 4];
	int r;

	value = shown(value, sb);       /* from here on only for messages */
	out->nuid = out->ngid = 0;
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		struct idmap_extent e;
		char kind;

		if (!parse_extent(w, &kind, &e))
			return err_cfg(err, "%s: IDMAP=%s: \"%s\" is not an extent: expected "
				       "[u:|g:|b:]INSIDE:HOST:COUNT (e.g. 0:100000:65536) with "
				       "COUNT > 0 and ids below 4294967295, or a user name",
				       where, value, w);
		if (kind != 'g' && (r = push(out->uid, &out->nuid, &e, "uid", value, where, err)) < 0)
			return r;
		if (kind != 'u' && (r = push(out->gid, &out->ngid, &e, "gid", value, where, err)) < 0)
			return r;
	}
	if (out->nuid + out->ngid == 0)
		return err_cfg(err, "%s: IDMAP is empty: expected a user name or "
			       "[u:|g:|b:]INSIDE:HOST:COUNT extents", where);
	return idmap_check(out, value, where, err);
}

/* ---- the USER form ---------------------------------------------------- */

/* First range of at least IDMAP_SPAN ids for user (or its uid) in the text
 * of a subuid/subgid file.  0 found, -ENOENT no entry at all, -ERANGE
 * entries but none large enough (*largest gets the largest count). */
static int subid_find(const char *text, const char *user, long long uid, uint32_t *start,
		      uint32_t *largest)
{
	char uidstr[24] = "";
	const char *line = text;
	bool any = false;

	if (uid >= 0)
		snprintf(uidstr, sizeof uidstr, "%lld", uid);
	*largest = 0;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *c1 = memchr(line, ':', len), *c2;
		uint32_t s, n;

		c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
		if (len && line[0] != '#' && c1 && c2) {
			size_t nlen = (size_t)(c1 - line);
			size_t clen = len - (size_t)(c2 + 1 - line);

			while (clen && (c2[clen] == '\r' || c2[clen] == ' '))
				clen--;
			if (((nlen == strlen(user) && !memcmp(line, user, nlen)) ||
			     (*uidstr && nlen == strlen(uidstr) && !memcmp(line, uidstr, nlen))) &&
			    parse_u32(c1 + 1, (size_t)(c2 - c1 - 1), UINT32_MAX - 1, &s) &&
			    parse_u32(c2 + 1, clen, UINT32_MAX, &n)) {
				any = true;
				if (n > *largest)
					*largest = n;
				if (n >= IDMAP_SPAN && (uint64_t)s + IDMAP_SPAN <= UINT32_MAX) {
					*start = s;
					return 0;
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	return any ? -ERANGE : -ENOENT;
}

static int user_range(const char *user, long long uid, bool known, const char *text,
		      const char *file, const char *what, const char *where, uint32_t *start,
		      struct sh_err *err)
{
	uint32_t largest;
	int r = subid_find(text, user, uid, start, &largest);

	if (r == -ENOENT && !known)
		return err_cfg(err, "%s: IDMAP=%s: unknown user %s: not in the passwd database "
			       "and not in %s: expected a user with subordinate ids, or "
			       "INSIDE:HOST:COUNT extents", where, user, user, file);
	if (r == -ENOENT)
		return err_cfg(err, "%s: IDMAP=%s: %s has no subordinate %s in %s: expected a "
			       "line %s:START:COUNT with COUNT >= %u (usermod --add-sub%ss)",
			       where, user, user, what, file, user, IDMAP_SPAN,
			       !strcmp(what, "uids") ? "uid" : "gid");
	if (r == -ERANGE)
		return err_cfg(err, "%s: IDMAP=%s: the %s ranges of %s in %s are too small "
			       "(the largest has %u): expected one of at least %u, for ids 0..%u",
			       where, user, what, user, file, largest, IDMAP_SPAN, IDMAP_SPAN - 1);
	return 0;
}

int idmap_from_subid(const char *user, long long uid, const char *subuid, const char *subuid_file,
		     const char *subgid, const char *subgid_file, const char *where,
		     struct idmap *out, struct sh_err *err)
{
	uint32_t us, gs;
	int r;

	/* known: in the passwd database, or found in subuid (then a missing
	 * subgid entry is that, not an unknown user) */
	if ((r = user_range(user, uid, uid >= 0, subuid, subuid_file, "uids", where, &us, err)) < 0 ||
	    (r = user_range(user, uid, true, subgid, subgid_file, "gids", where, &gs, err)) < 0)
		return r;
	out->nuid = out->ngid = 1;
	out->uid[0] = (struct idmap_extent){ 0, us, IDMAP_SPAN };
	out->gid[0] = (struct idmap_extent){ 0, gs, IDMAP_SPAN };
	return idmap_check(out, user, where, err);
}

/* The whole of a small text file, malloc'd; "" if it does not exist. */
static int slurp(const char *path, char **out, struct sh_err *err, const char *where)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	size_t off = 0;
	char *buf;

	if (fd < 0 && errno == ENOENT) {
		*out = xstrdup("");
		return 0;
	}
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_sys(err, errno, "%s: IDMAP: read %s", where, path);
	if (st.st_size > SUBID_MAX)
		return err_cfg(err, "%s: IDMAP: %s is larger than %d bytes: not a subordinate id file",
			       where, path, SUBID_MAX);
	buf = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return err_sys(err, e, "%s: IDMAP: read %s", where, path);
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	*out = buf;
	return 0;
}

static bool user_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-$", *s))
			return false;
	return true;
}

int idmap_parse(const char *value, const char *where, struct idmap *out, struct sh_err *err)
{
	const char *subuid = getenv("SUBHOST_SUBUID"), *subgid = getenv("SUBHOST_SUBGID");
	_cleanup_free_ char *ut = NULL, *gt = NULL;
	const struct passwd *pw;
	long long uid = -1;
	uint32_t n;
	int r;

	while (*value == ' ' || *value == '\t')
		value++;
	if (strchr(value, ':') || !*value)
		return idmap_parse_extents(value, where, out, err);
	if (!user_name_ok(value))
		return err_cfg(err, "%s: IDMAP=%s: expected a user name (or uid) with subordinate "
			       "ids, or [u:|g:|b:]INSIDE:HOST:COUNT extents", where, value);
	subuid = subuid && *subuid == '/' ? subuid : "/etc/subuid";
	subgid = subgid && *subgid == '/' ? subgid : "/etc/subgid";
	if ((r = slurp(subuid, &ut, err, where)) < 0 || (r = slurp(subgid, &gt, err, where)) < 0)
		return r;
	/* subuid lines name the user or its uid (shadow's newuidmap takes both) */
	if (parse_u32(value, strlen(value), UINT32_MAX - 1, &n)) {
		uid = n;
		pw = getpwuid((uid_t)n);
	} else {
		pw = getpwnam(value);
		if (pw)
			uid = pw->pw_uid;
	}
	return idmap_from_subid(pw ? pw->pw_name : value, uid, ut, subuid, gt, subgid, where,
				out, err);
}

/* ---- checks and arithmetic --------------------------------------------- */

static int check_kind(const struct idmap_extent *v, size_t n, const char *what,
		      const char *value, const char *where, struct sh_err *err)
{
	uint32_t next = 0;

	for (size_t i = 0; i < n; i++) {
		const struct idmap_extent *a = &v[i];

		if (a->host == 0)
			return err_cfg(err, "%s: IDMAP=%s: %s extent %u:%u:%u maps to host id 0, the "
				       "host's root: expected unprivileged host ids (e.g. 100000 and up)",
				       where, value, what, a->inside, a->host, a->count);
		for (size_t j = 0; j < i; j++) {
			const struct idmap_extent *b = &v[j];

			if (a->inside < b->inside + (uint64_t)b->count &&
			    b->inside < a->inside + (uint64_t)a->count)
				return err_cfg(err, "%s: IDMAP=%s: %s extents %u:%u:%u and %u:%u:%u "
					       "overlap inside: expected each inside id mapped once",
					       where, value, what, b->inside, b->host, b->count,
					       a->inside, a->host, a->count);
			if (a->host < b->host + (uint64_t)b->count &&
			    b->host < a->host + (uint64_t)a->count)
				return err_cfg(err, "%s: IDMAP=%s: %s extents %u:%u:%u and %u:%u:%u "
					       "overlap on the host: expected each host id used once",
					       where, value, what, b->inside, b->host, b->count,
					       a->inside, a->host, a->count);
		}
	}
	/* 0..IDMAP_SPAN-1 covered: walk up from 0 through adjacent extents */
	for (bool moved = true; moved && next < IDMAP_SPAN;) {
		moved = false;
		for (size_t i = 0; i < n; i++) {
			if (v[i].inside <= next && next < v[i].inside + (uint64_t)v[i].count) {
				next = v[i].inside + v[i].count;
				moved = true;
			}
		}
	}
	if (next < IDMAP_SPAN) {
		uint32_t end = IDMAP_SPAN - 1;
		for (size_t i = 0; i < n; i++)
			if (v[i].inside > next && v[i].inside - 1 < end)
				end = v[i].inside - 1;
		return err_cfg(err, "%s: IDMAP=%s: %ss %u..%u inside are not mapped: expected "
			       "every %s 0..%u mapped", where, value, what, next, end, what,
			       IDMAP_SPAN - 1);
	}
	return 0;
}

int idmap_check(const struct idmap *m, const char *value, const char *where, struct sh_err *err)
{
	char sb[SHOWN + 4];
	int r;

	value = shown(value, sb);
	if ((r = check_kind(m->uid, m->nuid, "uid", value, where, err)) < 0 ||
	    (r = check_kind(m->gid, m->ngid, "gid", value, where, err)) < 0)
		return r;
	for (int k = 0; k < 2; k++) {
		char buf[IDMAP_TEXT_MAX];

		/* the kernel takes a map in one write of less than a page */
		if (idmap_format(k ? m->gid : m->uid, k ? m->ngid : m->nuid, buf, sizeof buf) < 0)
			return err_cfg(err, "%s: IDMAP=%s: the %s map is longer than the kernel "
				       "takes (%d bytes as text): expected fewer extents",
				       where, value, k ? "gid" : "uid", IDMAP_TEXT_MAX - 1);
	}
	return 0;
}

uint32_t idmap_to_host(const struct idmap_extent *v, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].inside <= id && id - v[i].inside < v[i].count)
			return v[i].host + (id - v[i].inside);
	return IDMAP_NONE;
}

int idmap_format(const struct idmap_extent *v, size_t n, char *buf, size_t size)
{
	size_t off = 0;

	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + off, size - off, "%u %u %u\n", v[i].inside, v[i].host,
				 v[i].count);
		if (w < 0 || (size_t)w >= size - off)
			return -ENOSPC;
		off += (size_t)w;
	}
	return (int)off;
}
