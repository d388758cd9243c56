/* idmap.h - the IDMAP key: which host ids a subhost's uids and gids map
 * to in its user namespace (lcboot's id_map; SPEC 8).  Parsing, checking
 * and arithmetic only: nothing here talks to the kernel.
 *
 * The value is one of
 *   USER    (a login name or a numeric uid) the subhost's ids 0..65535 map
 *           to USER's first range of at least 65536 ids in /etc/subuid,
 *           and its gids to the first such range in /etc/subgid;
 *   EXTENT [EXTENT...]   explicit extents, blank-separated (a bash array
 *           is the same), each [u:|g:|b:]INSIDE:HOST:COUNT: COUNT ids from
 *           INSIDE in the subhost are HOST.. on the host, for uids (u:),
 *           gids (g:) or both (b:, the default) - the triples of lcboot's
 *           id_map and of mount-idmapped's --map-mount.
 * Either way every uid and every gid 0..65535 inside must be mapped, no
 * two extents of a kind may overlap inside or on the host, none may reach
 * host id 0 (the host's root), and there are at most IDMAP_MAX extents of
 * each kind, less than IDMAP_TEXT_MAX bytes as text (the kernel's limits).
 */
#ifndef SUBHOST_IDMAP_H
#define SUBHOST_IDMAP_H

#include <stdint.h>
#include "util.h"

#define IDMAP_MAX 340           /* extents per map: the kernel's limit */
#define IDMAP_SPAN 65536u       /* ids 0..65535 must be mapped */
#define IDMAP_NONE UINT32_MAX   /* "not mapped" */
#define IDMAP_TEXT_MAX 4096     /* a uid_map is written at once, in less than a page */

struct idmap_extent {
	uint32_t inside, host, count;
};

struct idmap {
	struct idmap_extent uid[IDMAP_MAX], gid[IDMAP_MAX];
	size_t nuid, ngid;
};

/* Parse and check IDMAP's value into out.  where names the setting in
 * messages ("FILE:LINE").  A USER is looked up in /etc/subuid and
 * /etc/subgid ($SUBHOST_SUBUID and $SUBHOST_SUBGID name other files) and
 * in the passwd database.  Errors are configuration errors (EXIT_USAGE)
 * "where: IDMAP=value: what is wrong: what was expected". */
int idmap_parse(const char *value, const char *where, struct idmap *out, struct sh_err *err);

/* The explicit form only (no user look-up). */
int idmap_parse_extents(const char *value, const char *where, struct idmap *out,
			struct sh_err *err);

/* The USER form from the texts of the two files (named subuid_file and
 * subgid_file in messages); uid is USER's uid from the passwd database,
 * or -1 if there is none (then only entries naming USER count). */
int idmap_from_subid(const char *user, long long uid, const char *subuid, const char *subuid_file,
		     const char *subgid, const char *subgid_file, const char *where,
		     struct idmap *out, struct sh_err *err);

/* Check the rules above (idmap_parse does); value is quoted in messages. */
int idmap_check(const struct idmap *m, const char *value, const char *where, struct sh_err *err);

/* The host id of inside id id, or IDMAP_NONE. */
uint32_t idmap_to_host(const struct idmap_extent *v, size_t n, uint32_t id);

/* The text for /proc/PID/uid_map or gid_map ("INSIDE HOST COUNT\n" per
 * extent), NUL-terminated in buf (IDMAP_TEXT_MAX is always enough for a
 * checked map); returns its length, or -ENOSPC. */
int idmap_format(const struct idmap_extent *v, size_t n, char *buf, size_t size);

#endif
