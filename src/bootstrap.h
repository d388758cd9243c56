/* bootstrap.h - make a Debian tree for a subhost's lower layer with
 * mmdebstrap (when it is on PATH) or debootstrap, from the host's own APT
 * sources (for `subhost create NAME --debootstrap SUITE`).
 *
 * What the tree gets: variant minbase (the Priority: required packages and
 * apt; the smallest tree apt works in) plus an init, because minbase has
 * none and a subhost with a real init needs one:
 *   init "systemd" (default): systemd-sysv, booted with INIT=/sbin/init;
 *   init "sysv": sysvinit-core, booted with INIT=sysv (subhost-init runs
 *                its rc scripts) or INIT=/sbin/init (sysvinit itself);
 *   init "none": nothing added (a tree for START services).
 * plus --include's packages.  The host's /etc/hostname, which both tools
 * copy in, is removed: the subhost's HOSTNAME names it.
 *
 * Mirrors: every "deb" entry of the host's sources.list, sources.list.d/
 * *.list and *.sources (deb822) whose suite is SUITE, SUITE-something or
 * SUITE/something (updates, security, backports) goes to mmdebstrap, and
 * so into the tree's own sources.list; debootstrap takes the first entry
 * whose suite is SUITE itself.  mmdebstrap alone would use deb.debian.org,
 * which a host behind its own mirror or proxy can't reach.
 */
#ifndef SUBHOST_BOOTSTRAP_H
#define SUBHOST_BOOTSTRAP_H

#include <stdbool.h>
#include "config.h"

struct bootstrap_opts {
	const char *suite;      /* required: "bookworm", "stable", ... */
	const char *variant;    /* NULL: "minbase" */
	const char *include;    /* more packages, separated by ',' or blanks; NULL: none */
	const char *init;       /* "systemd" (NULL), "sysv" or "none" */
	const char *mirror;     /* a URI instead of the host's sources; NULL: the host's */
	const char *tool;       /* "mmdebstrap" or "debootstrap"; NULL: mmdebstrap if found */
	const char *apt_dir;    /* NULL: "/etc/apt" (tests use another) */
	bool quiet;             /* mmdebstrap prints errors only (debootstrap has no such option) */
};

/* Make the tree in dir (absent, or an empty directory) as o says, with the
 * tool's progress on our stderr.  Returns 0, or a negative errno with err
 * filled ("mmdebstrap bookworm: exit status 1", a usage error for a bad
 * suite/variant/package name, "no APT source for SUITE in /etc/apt"). */
int bootstrap_tree(const char *dir, const struct bootstrap_opts *o, struct sh_err *err);

/* The INIT value a conf for a tree made with o boots with ("/sbin/init",
 * "sysv"), or NULL for none (START services). */
const char *bootstrap_conf_init(const struct bootstrap_opts *o);

/* ---- parts, exposed for the unit tests ------------------------------------ */

/* The "deb [signed-by=... arch=...] URI SUITE COMPONENTS" lines of the APT
 * sources under apt_dir whose suite belongs to suite (see above), in file
 * order (sources.list, then sources.list.d/ sorted).  Lines are appended
 * to out.  Returns the number found (0 is not an error) or -errno. */
int bootstrap_host_sources(const char *apt_dir, const char *suite, struct sh_list *out);

/* The command line for tool (argv[0] is the tool's name).  mirrors are
 * lines from bootstrap_host_sources(), or o->mirror wins.  Returns 0, or
 * -EINVAL with err filled for a bad suite, variant, package or init. */
int bootstrap_argv(const char *tool, const char *dir, const struct bootstrap_opts *o,
		   const struct sh_list *mirrors, struct sh_list *argv, struct sh_err *err);

#endif
