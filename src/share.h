/* share.h - bind a host directory into a running subhost and take it away
 * again (`subhost share`, `subhost unshare`, overlay-boot's overlay-share).
 *
 * The share is a recursive detached clone of HOSTDIR made in the host
 * (open_tree), with nosuid, nodev (and rdonly for --ro) set on every mount
 * of it and its propagation made private, so that mounts made inside the
 * subhost under it never reach the host and the host's later mounts never
 * reach the subhost.  A forked child then joins the subhost's mount
 * namespace (setns on a pidfd of its pid 1), resolves SUBDIR inside the
 * subhost's root (openat2 RESOLVE_IN_ROOT from /proc/PID/root: a symlink
 * inside the subhost is followed, but cannot lead out of it), creates what
 * is missing without following symlinks, and attaches the clone on the
 * resulting descriptor (move_mount MOVE_MOUNT_T_EMPTY_PATH): no path is
 * looked up twice.
 *
 * Live shares are recorded in /run/subhost/NAME/shares (mount id, and
 * device and inode of the share's root), so that unshare detaches only
 * mounts that share made.
 */
#ifndef SUBHOST_SHARE_H
#define SUBHOST_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "util.h"

struct share_spec {
	char *hostdir;          /* absolute (relative to the cwd if given so) */
	char *subdir;           /* absolute inside the subhost, lexically clean */
	bool ro;
};

/* Parse HOSTDIR[:SUBDIR][:ro|:rw] (the SHARE syntax); SUBDIR defaults to
 * HOSTDIR and may not contain "..".  Returns 0 or -EINVAL (err filled,
 * status EXIT_USAGE). */
int share_parse(const char *arg, struct share_spec *s, struct sh_err *err);
void share_spec_free(struct share_spec *s);

/* A live share, as recorded. */
struct share_rec {
	int mnt_id;             /* mount id of the share (as in mountinfo) */
	unsigned dev_major, dev_minor;
	unsigned long long ino; /* the share's root */
	bool ro;
	char *hostdir, *subdir;
};

void share_rec_free(struct share_rec *r);
void share_recs_free(struct share_rec *v, size_t n);

/* One record as a line (no newline), paths escaped; malloc'd.  And back:
 * 0 or -EINVAL. */
char *share_rec_format(const struct share_rec *r);
int share_rec_parse(const char *line, struct share_rec *r);

/* Open and lock (flock, exclusive) NAME's record file in its state
 * directory; never creates that directory.  Returns the fd or -errno. */
int share_records_lock(const char *name);
/* Read all records from the locked fd; replace them. */
int share_records_load(int fd, struct share_rec **v, size_t *n);
int share_records_store(int fd, const struct share_rec *v, size_t n);
/* Drop the records whose mount no longer exists in pid's mount table. */
void share_records_prune(pid_t pid, struct share_rec *v, size_t *n);

/* Bind s->hostdir into the running subhost whose pid 1 is pid (started at
 * start) and fill rec.  Statuses in err: EXIT_NOTRUNNING if pid 1 is gone,
 * EXIT_USAGE for a missing HOSTDIR, EXIT_FAIL otherwise. */
int share_add(pid_t pid, unsigned long long start, const struct share_spec *s,
	      struct share_rec *rec, struct sh_err *err);

/* Detach the share at subdir (resolved in the subhost's root) if it is one
 * of recs; *which gets its index. */
int share_remove(pid_t pid, unsigned long long start, const char *subdir,
		 const struct share_rec *recs, size_t n, size_t *which, struct sh_err *err);

#endif
