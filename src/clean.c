/* clean.c - remove from UPPER what the lower layers already show. */
#include "clean.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <linux/openat2.h>

/* One name in a directory: no symlink followed (a symlink itself is
 * opened with O_PATH), nothing outside the directory, no mount crossed. */
static int open_beneath(int dirfd, const char *name, int flags)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC | O_NOFOLLOW),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof how);

	return fd < 0 ? -errno : fd;
}

/* The l*xattr() path of name in dirfd: the directory is reached through
 * its descriptor, name itself is not followed (works for symlinks, which
 * an O_PATH descriptor can't give to f*xattr()). */
static void xpath(char *buf, size_t size, int dirfd, const char *name)
{
	snprintf(buf, size, "/proc/self/fd/%d/%s", dirfd, name);
}

bool clean_xattr_internal(const char *name)
{
	const char *rest;

	if (str_startswith(name, "trusted.overlay."))
		rest = name + strlen("trusted.overlay.");
	else if (str_startswith(name, "user.overlay."))
		rest = name + strlen("user.overlay.");
	else
		return false;
	/* "trusted.overlay.overlay.X" is a nested overlay's attribute, escaped:
	 * the overlay shows it as an ordinary one. */
	return !str_startswith(rest, "overlay.");
}

/* Whether overlayfs' attribute KEY is set (trusted.overlay.KEY, or the
 * user.overlay.KEY of userxattr mounts); its first byte in *first. */
static bool ovl_attr(const char *path, const char *key, char *first)
{
	char name[64], val[256];
	const char *ns[] = { "trusted.overlay.", "user.overlay." };

	for (size_t i = 0; i < 2; i++) {
		ssize_t n;

		snprintf(name, sizeof name, "%s%s", ns[i], key);
		n = lgetxattr(path, name, val, sizeof val);
		if (n >= 0 || errno == ERANGE) {
			if (first)
				*first = n > 0 ? val[0] : '\0';
			return true;
		}
	}
	return false;
}

/* ---- extended attributes ---------------------------------------------- */

struct xattr {
	char *name;
	char *val;
	size_t len;
};

struct xattrs {
	struct xattr *v;
	size_t n;
};

static void xattrs_free(struct xattrs *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->v[i].name);
		free(x->v[i].val);
	}
	free(x->v);
	x->v = NULL;
	x->n = 0;
}

static int xattr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct xattr *)a)->name, ((const struct xattr *)b)->name);
}

/* *buf = malloc'd result of get(path, name, buf, size), grown until it fits. */
static ssize_t xattr_get(const char *path, const char *name, char **buf)
{
	for (;;) {
		ssize_t n = name ? lgetxattr(path, name, NULL, 0) : llistxattr(path, NULL, 0);
		ssize_t m;

		if (n < 0)
			return -errno;
		*buf = xmalloc((size_t)n + 1);
		m = name ? lgetxattr(path, name, *buf, (size_t)n) : llistxattr(path, *buf, (size_t)n);
		if (m >= 0)
			return m;
		free(*buf);
		*buf = NULL;
		if (errno != ERANGE)
			return -errno;  /* else it grew meanwhile: again */
	}
}

/* The attributes of name in dirfd that the overlay would show, by name. */
static int xattrs_read(int dirfd, const char *name, struct xattrs *x)
{
	char path[PATH_MAX];
	_cleanup_free_ char *list = NULL;
	ssize_t len;

	x->v = NULL;
	x->n = 0;
	xpath(path, sizeof path, dirfd, name);
	len = xattr_get(path, NULL, &list);
	if (len == -ENOTSUP || len == 0)
		return 0;
	if (len < 0)
		return (int)len;
	for (char *p = list; p < list + len; p += strlen(p) + 1) {
		char *val = NULL;
		ssize_t n;

		if (!*p || clean_xattr_internal(p))
			continue;
		n = xattr_get(path, p, &val);
		if (n == -ENODATA)
			continue;       /* removed since the listing */
		if (n < 0) {
			xattrs_free(x);
			return (int)n;
		}
		x->v = xrealloc(x->v, (x->n + 1) * sizeof *x->v);
		x->v[x->n++] = (struct xattr){ .name = xstrdup(p), .val = val, .len = (size_t)n };
	}
	if (x->n > 1)
		qsort(x->v, x->n, sizeof *x->v, xattr_cmp);
	return 0;
}

/* 1 if both entries carry the same attributes, 0 if not, or -errno. */
static int same_xattrs(int dfa, const char *a, int dfb, const char *b)
{
	struct xattrs xa, xb;
	int r;

	r = xattrs_read(dfa, a, &xa);
	if (r < 0)
		return r;
	r = xattrs_read(dfb, b, &xb);
	if (r < 0) {
		xattrs_free(&xa);
		return r;
	}
	r = xa.n == xb.n;
	for (size_t i = 0; r && i < xa.n; i++)
		r = !strcmp(xa.v[i].name, xb.v[i].name) && xa.v[i].len == xb.v[i].len &&
		    !memcmp(xa.v[i].val, xb.v[i].val, xa.v[i].len);
	xattrs_free(&xa);
	xattrs_free(&xb);
	return r;
}

/* ---- entries ------------------------------------------------------------ */

enum kind {
	K_ABSENT,
	K_WHITEOUT,     /* char device 0/0, or a file marked overlay.whiteout */
	K_DIR,
	K_FILE,         /* regular file or symlink */
	K_OTHER,        /* device, fifo, socket */
	K_UNSURE,       /* a mount point, or an overlay metacopy/redirect file */
};

struct entry {
	enum kind kind;
	struct statx sx;
	bool opaque;    /* directory: overlay.opaque = y */
	bool redirect;  /* directory: overlay.redirect (renamed with redirect_dir) */
};

static int classify(int dirfd, const char *name, struct entry *e)
{
	char path[PATH_MAX], c;

	memset(e, 0, sizeof *e);
	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
		  STATX_BASIC_STATS, &e->sx) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return e->kind = K_ABSENT, 0;
		return -errno;
	}
	if (e->sx.stx_attributes_mask & e->sx.stx_attributes & STATX_ATTR_MOUNT_ROOT)
		return e->kind = K_UNSURE, 0;
	xpath(path, sizeof path, dirfd, name);
	switch (e->sx.stx_mode & S_IFMT) {
	case S_IFDIR:
		e->kind = K_DIR;
		e->opaque = ovl_attr(path, "opaque", &c) && c == 'y';
		e->redirect = ovl_attr(path, "redirect", NULL);
		break;
	case S_IFCHR:
		e->kind = e->sx.stx_rdev_major == 0 && e->sx.stx_rdev_minor == 0 ? K_WHITEOUT : K_OTHER;
		break;
	case S_IFREG:
	case S_IFLNK:
		/* A metacopy file's data lives in another layer; a redirect
		 * points elsewhere: what the overlay shows is not this file. */
		if (S_ISREG(e->sx.stx_mode) && e->sx.stx_size == 0 && ovl_attr(path, "whiteout", NULL))
			e->kind = K_WHITEOUT;
		else if (ovl_attr(path, "metacopy", NULL) || ovl_attr(path, "redirect", NULL))
			e->kind = K_UNSURE;
		else
			e->kind = K_FILE;
		break;
	default:
		e->kind = K_OTHER;
	}
	return 0;
}

/* Open a regular file for reading without touching its atime. */
static int open_read(int dirfd, const char *name)
{
	int fd = open_beneath(dirfd, name, O_RDONLY | O_NOATIME | O_NONBLOCK | O_NOCTTY);

	if (fd == -EPERM)       /* O_NOATIME needs ownership or CAP_FOWNER */
		fd = open_beneath(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	return fd;
}

/* 1 if the two regular files hold the same bytes, 0 if not, or -errno. */
static int same_content(int dfa, const char *a, const struct statx *sa,
			int dfb, const char *b, const struct statx *sb)
{
	enum { CHUNK = 64 * 1024 };
	_cleanup_close_ int fa = -1, fb = -1;
	_cleanup_free_ char *ba = NULL, *bb = NULL;
	struct stat s;

	if (sa->stx_ino == sb->stx_ino && sa->stx_dev_major == sb->stx_dev_major &&
	    sa->stx_dev_minor == sb->stx_dev_minor)
		return 1;       /* two links of one inode */
	fa = open_read(dfa, a);
	if (fa < 0)
		return fa;
	fb = open_read(dfb, b);
	if (fb < 0)
		return fb;
	/* Still the files that were looked at (and still regular files). */
	if (fstat(fa, &s) < 0 || s.st_ino != sa->stx_ino || !S_ISREG(s.st_mode) ||
	    fstat(fb, &s) < 0 || s.st_ino != sb->stx_ino || !S_ISREG(s.st_mode))
		return -ESTALE;
	ba = xmalloc(CHUNK);
	bb = xmalloc(CHUNK);
	for (;;) {
		ssize_t na = read_full(fa, ba, CHUNK), nb;

		if (na < 0)
			return (int)na;
		nb = read_full(fb, bb, CHUNK);
		if (nb < 0)
			return (int)nb;
		if (na != nb || memcmp(ba, bb, (size_t)na))
			return 0;
		if (na < CHUNK)
			return 1;
	}
}

static int same_target(int dfa, const char *a, int dfb, const char *b, size_t size)
{
	_cleanup_free_ char *ta = xmalloc(size + 1), *tb = xmalloc(size + 1);
	ssize_t na = readlinkat(dfa, a, ta, size + 1), nb;

	if (na < 0)
		return -errno;
	nb = readlinkat(dfb, b, tb, size + 1);
	if (nb < 0)
		return -errno;
	return na == nb && (size_t)na <= size && !memcmp(ta, tb, (size_t)na);
}

/* Mode, owner and, for non-directories, size. */
static const char *meta_differs(const struct statx *a, const struct statx *b)
{
	if ((a->stx_mode & S_IFMT) != (b->stx_mode & S_IFMT))
		return "type differs";
	if (a->stx_mode != b->stx_mode)
		return "mode differs";
	if (a->stx_uid != b->stx_uid || a->stx_gid != b->stx_gid)
		return "owner differs";
	if (!S_ISDIR(a->stx_mode) && a->stx_size != b->stx_size)
		return "size differs";
	return NULL;
}

static int same_entry(int dfa, const char *a, const struct statx *sa,
		      int dfb, const char *b, const struct statx *sb, const char **reason)
{
	const char *why = meta_differs(sa, sb);
	int r = 1;

	if (!why && S_ISLNK(sa->stx_mode)) {
		r = same_target(dfa, a, dfb, b, (size_t)sa->stx_size);
		why = r == 0 ? "symlink target differs" : NULL;
	} else if (!why && S_ISREG(sa->stx_mode)) {
		r = same_content(dfa, a, sa, dfb, b, sb);
		why = r == 0 ? "content differs" : NULL;
	}
	if (r < 0)
		return r;
	if (!why) {
		r = same_xattrs(dfa, a, dfb, b);
		if (r < 0)
			return r;
		why = r == 0 ? "extended attributes differ" : NULL;
	}
	if (reason)
		*reason = why;
	return !why;
}

int clean_same_entry(int dfa, const char *a, int dfb, const char *b, const char **reason)
{
	struct statx sa, sb;

	if (statx(dfa, a, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sa) < 0 ||
	    statx(dfb, b, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sb) < 0)
		return -errno;
	if (S_ISDIR(sa.stx_mode) || S_ISDIR(sb.stx_mode))
		return -EISDIR;
	return same_entry(dfa, a, &sa, dfb, b, &sb, reason);
}

/* ---- the walk ------------------------------------------------------------ */

struct inode_links {            /* an inode with more than one link */
	unsigned dev_major, dev_minor;
	unsigned long long ino;
	unsigned nlink, removed;
};

struct walk {
	const struct clean_opts *o;
	struct clean_stats *st;
	size_t nlayers;
	char path[PATH_MAX];    /* of the current entry, "/a/b" relative to UPPER */
	size_t plen;
	struct inode_links *links;
	size_t nlinks;
};

static void report(struct walk *w, enum clean_event ev, bool is_dir, const char *reason)
{
	if (w->o->report)
		w->o->report(w->o->ctx, ev, w->path, is_dir, reason);
}

static void report_errno(struct walk *w, const char *what, int r)
{
	char buf[256];

	snprintf(buf, sizeof buf, "%s: %s", what, strerror(-r));
	w->st->errors++;
	report(w, CLEAN_ERROR, false, buf);
}

static void keep(struct walk *w, const char *why)
{
	w->st->kept++;
	report(w, CLEAN_KEEP, false, why);
}

/* Count the space an entry frees: all of it once its last link goes. */
static void account(struct walk *w, const struct statx *sx)
{
	unsigned long long bytes = sx->stx_blocks * 512ULL;
	size_t i;

	if (S_ISDIR(sx->stx_mode) || sx->stx_nlink <= 1) {
		w->st->bytes += bytes;
		return;
	}
	for (i = 0; i < w->nlinks; i++) {
		struct inode_links *l = &w->links[i];
		if (l->ino == sx->stx_ino && l->dev_major == sx->stx_dev_major &&
		    l->dev_minor == sx->stx_dev_minor)
			break;
	}
	if (i == w->nlinks) {
		w->links = xrealloc(w->links, (w->nlinks + 1) * sizeof *w->links);
		w->links[w->nlinks++] = (struct inode_links){
			.dev_major = sx->stx_dev_major, .dev_minor = sx->stx_dev_minor,
			.ino = sx->stx_ino, .nlink = sx->stx_nlink,
		};
	}
	if (++w->links[i].removed == w->links[i].nlink)
		w->st->bytes += bytes;
}

/* Remove name from ufd unless a dry run, after checking it is still the
 * inode that was compared.  Returns 0 or -errno. */
static int remove_entry(struct walk *w, int ufd, const char *name, const struct statx *sx)
{
	struct statx now;
	bool dir = S_ISDIR(sx->stx_mode);

	if (w->o->dry_run)
		return 0;
	if (statx(ufd, name, AT_SYMLINK_NOFOLLOW, STATX_INO, &now) < 0)
		return -errno;
	if (now.stx_ino != sx->stx_ino)
		return -ESTALE;
	if (unlinkat(ufd, name, dir ? AT_REMOVEDIR : 0) < 0)
		return -errno;
	return 0;
}

/* The directories the lower layers merge at name, given those merged at
 * its parent (act, topmost first): each layer's name, down to a whiteout,
 * a non-directory or an opaque directory.  Fills out (O_PATH fds) and
 * returns how many; *top is the topmost lower entry at name (K_ABSENT if
 * none) and *top_layer the index in act where it is. */
static size_t lower_dirs(const int *act, size_t nact, const char *name,
			 int *out, struct entry *top, size_t *top_layer)
{
	size_t n = 0;

	top->kind = K_ABSENT;
	for (size_t i = 0; i < nact; i++) {
		struct entry e;
		int fd;

		if (classify(act[i], name, &e) < 0)
			e.kind = K_UNSURE;      /* can't tell what this layer holds */
		if (e.kind == K_ABSENT)
			continue;
		if (top->kind == K_ABSENT) {
			*top = e;
			*top_layer = i;
		}
		if (e.kind != K_DIR)
			break;  /* a whiteout, or a non-directory: nothing below shows */
		fd = open_beneath(act[i], name, O_PATH | O_DIRECTORY);
		if (fd < 0)
			break;
		out[n++] = fd;
		if (e.opaque || e.redirect)
			break;
	}
	return n;
}

static bool clean_dir(struct walk *w, int ufd, const int *act, size_t nact);

static bool push(struct walk *w, const char *name)
{
	size_t len = strlen(name);

	if (w->plen + 1 + len >= sizeof w->path)
		return false;
	w->path[w->plen] = '/';
	memcpy(w->path + w->plen + 1, name, len + 1);
	w->plen += 1 + len;
	return true;
}

static void pop(struct walk *w, size_t plen)
{
	w->plen = plen;
	w->path[plen] = '\0';
}

/* A lower entry's owner as UPPER would hold it (IDMAP: the host ids). */
static void lower_owner_as_upper(const struct walk *w, struct statx *sx)
{
	const struct idmap *m = w->o->idmap;

	if (!m)
		return;
	sx->stx_uid = idmap_to_host(m->uid, m->nuid, sx->stx_uid);
	sx->stx_gid = idmap_to_host(m->gid, m->ngid, sx->stx_gid);
}

static bool clean_subdir(struct walk *w, int ufd, const char *name, const struct entry *u,
			 const int *act, size_t nact)
{
	_cleanup_free_ int *child = xcalloc(w->nlayers ? w->nlayers : 1, sizeof *child);
	struct entry top;
	size_t n, top_layer = 0;
	bool empty = false;
	int r;

	/* An opaque directory hides everything below it: all of it stays. */
	if (u->opaque)
		return false;
	if (u->redirect) {
		keep(w, "an overlay redirect (renamed directory)");
		return false;
	}
	n = lower_dirs(act, nact, name, child, &top, &top_layer);
	if (n > 0) {
		_cleanup_close_ int dfd = open_beneath(ufd, name, O_RDONLY | O_DIRECTORY);

		if (dfd < 0)
			report_errno(w, "open", dfd);
		else
			empty = clean_dir(w, dfd, child, n);
	}
	for (size_t i = 0; i < n; i++)
		close(child[i]);
	lower_owner_as_upper(w, &top.sx);
	/* Empty now, and the layers show a directory just like it here: the
	 * merged directory looks the same without it. */
	if (!empty || n == 0 || meta_differs(&u->sx, &top.sx))
		return false;
	r = same_xattrs(ufd, name, act[top_layer], name);
	if (r <= 0) {
		if (r < 0)
			report_errno(w, "compare", r);
		return false;
	}
	r = remove_entry(w, ufd, name, &u->sx);
	if (r < 0) {
		report_errno(w, "remove", r);
		return false;
	}
	w->st->dirs++;
	account(w, &u->sx);
	report(w, CLEAN_REMOVE, true, NULL);
	return true;
}

static bool clean_file(struct walk *w, int ufd, const char *name, const struct entry *u,
		       const int *act, size_t nact)
{
	const char *why = NULL;
	struct entry l = { .kind = K_ABSENT };
	size_t i;
	int r;

	for (i = 0; i < nact; i++) {
		r = classify(act[i], name, &l);
		if (r < 0) {
			report_errno(w, "look up in a lower layer", r);
			return false;
		}
		if (l.kind != K_ABSENT)
			break;
	}
	switch (l.kind) {
	case K_ABSENT:
		keep(w, "not in the lower layers");
		return false;
	case K_WHITEOUT:
		keep(w, "the lower layers delete this path");
		return false;
	case K_DIR:
		keep(w, "a directory in the lower layers");
		return false;
	case K_FILE:
		break;
	default:
		keep(w, "a special file or mount point in the lower layers");
		return false;
	}
	lower_owner_as_upper(w, &l.sx);
	r = same_entry(ufd, name, &u->sx, act[i], name, &l.sx, &why);
	if (r < 0) {
		report_errno(w, "compare", r);
		return false;
	}
	if (!r) {
		keep(w, why);
		return false;
	}
	r = remove_entry(w, ufd, name, &u->sx);
	if (r < 0) {
		report_errno(w, "remove", r);
		return false;
	}
	w->st->files++;
	account(w, &u->sx);
	report(w, CLEAN_REMOVE, false, NULL);
	return true;
}

/* true if the entry went (or, dry run, would go). */
static bool clean_entry(struct walk *w, int ufd, const char *name, const int *act, size_t nact)
{
	struct entry u;
	int r = classify(ufd, name, &u);

	if (r < 0) {
		report_errno(w, "stat", r);
		return false;
	}
	switch (u.kind) {
	case K_DIR:
		return clean_subdir(w, ufd, name, &u, act, nact);
	case K_FILE:
		return clean_file(w, ufd, name, &u, act, nact);
	case K_UNSURE:
		keep(w, u.sx.stx_attributes & STATX_ATTR_MOUNT_ROOT ? "a mount point"
			: "an overlay metacopy or redirect");
		return false;
	default:
		return false;   /* whiteouts, devices, fifos, sockets stay */
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Clean one UPPER directory whose lower counterparts are act; true if it
 * is empty afterwards. */
static bool clean_dir(struct walk *w, int ufd, const int *act, size_t nact)
{
	char **names = NULL;
	size_t n = 0, left, plen = w->plen;
	struct dirent *de;
	DIR *d;
	int fd = openat(ufd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		report_errno(w, "read directory", -errno);
		if (fd >= 0)
			close(fd);
		return false;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	if (errno) {
		report_errno(w, "read directory", -errno);
		closedir(d);
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return false;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, name_cmp);  /* a stable order for the report */
	left = n;
	for (size_t i = 0; i < n; i++) {
		if (!push(w, names[i])) {
			w->st->errors++;
			report(w, CLEAN_ERROR, false, "path too long");
		} else if (clean_entry(w, ufd, names[i], act, nact)) {
			left--;
		}
		pop(w, plen);
		free(names[i]);
	}
	free(names);
	return left == 0;
}

/* A lower layer as overlayfs uses it: its mount alone, without the mounts
 * below it, through a detached non-recursive clone.  Without the right to
 * clone (unit tests), the directory itself: then the walk treats every
 * mount point in it as unknown. */
static int open_layer(const char *path, struct sh_err *err)
{
	int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	struct stat s;

	if (fd < 0) {
		if (errno != EPERM && errno != ENOSYS && errno != EINVAL)
			return err_sys(err, errno, "lower layer %s", path);
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return err_sys(err, errno, "lower layer %s", path);
	}
	if (fstat(fd, &s) < 0 || !S_ISDIR(s.st_mode)) {
		close(fd);
		return err_sys(err, ENOTDIR, "lower layer %s", path);
	}
	return fd;
}

int clean_upper(const char *upper, const char *const *layers, size_t nlayers,
		const struct clean_opts *o, struct clean_stats *st, struct sh_err *err)
{
	struct walk w = { .o = o, .st = st, .nlayers = nlayers };
	_cleanup_free_ int *act = xcalloc(nlayers ? nlayers : 1, sizeof *act);
	_cleanup_close_ int ufd = -1;
	size_t n = 0;
	char c;
	int r = 0;

	memset(st, 0, sizeof *st);
	ufd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ufd < 0)
		return err_sys(err, errno, "UPPER %s", upper);
	for (n = 0; n < nlayers; n++) {
		act[n] = open_layer(layers[n], err);
		if (act[n] < 0) {
			r = act[n];
			goto out;
		}
	}
	/* An opaque UPPER root would hide every layer: nothing is redundant. */
	if (!(ovl_attr(upper, "opaque", &c) && c == 'y'))
		clean_dir(&w, ufd, act, nlayers);
out:
	for (size_t i = 0; i < n; i++)
		close(act[i]);
	free(w.links);
	return r;
}
