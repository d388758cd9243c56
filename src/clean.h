/* clean.h - drop from an overlay's UPPER what the lower layers already show
 * (`subhost clean`, overlay-boot's overlay-clean-root).
 *
 * A regular file or symlink in UPPER is removed when it is identical to the
 * entry the overlay would show in its place without it: the topmost lower
 * layer that has the path, with whiteouts and opaque directories of the
 * lower layers honoured, and nothing at all under an opaque directory of
 * UPPER.  Identical means same type, mode, owner, size, content (or symlink
 * target) and extended attributes (overlayfs' own trusted.overlay.* and
 * user.overlay.* not counted).  A directory is removed when it is empty
 * (afterwards), not opaque, and the lower layers show a directory with the
 * same mode, owner and attributes there.  Whiteouts, opaque directories,
 * device nodes, fifos, sockets and mount points are left alone.
 *
 * The walk never follows a symlink and never leaves UPPER or a layer: every
 * lookup is one name relative to a directory descriptor (openat2
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV).  Each lower layer
 * is read through a detached, non-recursive clone of its mount, the way
 * overlayfs uses it: mounts below a layer (for LOWER=/, the host's /proc,
 * /home, ...) are not looked into.  When unsure (no clone without
 * privilege, an overlay redirect or metacopy attribute), a file is kept.
 */
#ifndef SUBHOST_CLEAN_H
#define SUBHOST_CLEAN_H

#include <stdbool.h>
#include <stddef.h>
#include "idmap.h"
#include "util.h"

enum clean_event {
	CLEAN_REMOVE,           /* removed (or, dry run, would be) */
	CLEAN_KEEP,             /* a file or symlink kept; reason says why */
	CLEAN_ERROR,            /* could not check or remove it: kept; reason is the error */
};

typedef void (*clean_report_fn)(void *ctx, enum clean_event ev, const char *path,
				bool is_dir, const char *reason);

struct clean_opts {
	bool dry_run;           /* decide and report, remove nothing */
	/* IDMAP: UPPER holds host ids, the lower layers the ids the subhost
	 * sees through its idmapped mounts: a lower owner is compared by the
	 * host id it maps to.  NULL: no mapping. */
	const struct idmap *idmap;
	clean_report_fn report; /* each decision; may be NULL */
	void *ctx;
};

struct clean_stats {
	unsigned long long files;       /* regular files and symlinks removed */
	unsigned long long dirs;        /* directories removed */
	unsigned long long bytes;       /* disk space freed (blocks of inodes whose last link went) */
	unsigned long long kept;        /* files and symlinks kept */
	unsigned long long errors;      /* entries that could not be checked or removed */
};

/* Clean upper against layers (absolute directories, topmost first).
 * Returns 0 (per-entry errors are reported and counted in st->errors) or a
 * negative errno with err filled when UPPER or a layer cannot be opened. */
int clean_upper(const char *upper, const char *const *layers, size_t nlayers,
		const struct clean_opts *o, struct clean_stats *st, struct sh_err *err);

/* An overlayfs-internal attribute name, not compared (exposed for tests). */
bool clean_xattr_internal(const char *name);

/* Compare two non-directory entries, each a name in a directory descriptor,
 * as clean_upper does.  Returns 1 identical, 0 different (reason, when
 * not NULL, gets a static string saying what differs), or -errno. */
int clean_same_entry(int dfa, const char *a, int dfb, const char *b, const char **reason);

#endif
