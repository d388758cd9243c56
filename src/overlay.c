/* overlay.c - overlayfs option strings and the root mount. */
#include "overlay.h"

#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "mount.h"

char *overlay_escape(const char *path)
{
	char *out = xmalloc(2 * strlen(path) + 1), *o = out;

	/* overlayfs splits lowerdir on ':' and (legacy parser) options on ','
	 * and accepts a backslash before any character. */
	for (; *path; path++) {
		if (*path == '\\' || *path == ':' || *path == ',')
			*o++ = '\\';
		*o++ = *path;
	}
	*o = '\0';
	return out;
}

char *overlay_lowerdir(const struct sh_list *layers)
{
	size_t i, len = 1;
	char *out, **esc = xcalloc(layers->n ? layers->n : 1, sizeof *esc);

	for (i = 0; i < layers->n; i++) {
		esc[i] = overlay_escape(layers->v[i]);
		len += strlen(esc[i]) + 1;
	}
	out = xmalloc(len);
	out[0] = '\0';
	for (i = 0; i < layers->n; i++) {
		if (i)
			strcat(out, ":");
		strcat(out, esc[i]);
		free(esc[i]);
	}
	free(esc);
	return out;
}

/* overlayfs refuses (ELOOP) a lower layer that lies below another lower
 * layer of the same filesystem: it walks each layer's ancestors looking
 * for the others.  Every directory of the root filesystem lies below "/",
 * so LOWER=/srv/base:/ or a base chain standing on the host root would
 * not stack.  An outer layer is therefore presented through a read-only
 * overlay of its own (the layer over an empty tmpfs directory, since
 * overlayfs wants two lower layers without an upper): a separate
 * filesystem whose root the walk never meets.  The aliases are detached
 * mounts named by /proc/self/fd paths; the root overlay keeps private
 * references, so they go away with it. */
struct aliases {
	int empty_fd;           /* detached empty tmpfs: the second layer of each view */
	int fds[SH_LAYERS_MAX];
	size_t n;
};

static void aliases_close(struct aliases *a)
{
	if (a->empty_fd >= 0)
		close(a->empty_fd);
	for (size_t i = 0; i < a->n; i++)
		close(a->fds[i]);
	a->empty_fd = -1;
	a->n = 0;
}

static bool is_outer_layer(const struct sh_list *layers, size_t j)
{
	for (size_t i = 0; i < layers->n; i++)
		if (i != j && config_layer_nested(layers->v[i], layers->v[j]))
			return true;
	return false;
}

static int alias_layer(struct aliases *a, const char *name, const char *dir, char **out,
		       struct sh_err *err)
{
	static const struct mnt_opt tmpfs_opts[] = { { "size", "4k" }, { "mode", "0555" } };
	_cleanup_free_ char *what = xasprintf("read-only view of layer %s", dir);
	_cleanup_free_ char *lower = NULL, *esc = overlay_escape(dir);
	int mfd;

	if (a->n == SH_LAYERS_MAX)
		return err_cfg(err, "too many lower layers (at most %d)", SH_LAYERS_MAX);
	if (a->empty_fd < 0) {
		a->empty_fd = mnt_new("tmpfs", "subhost-empty", tmpfs_opts, 2,
				      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID |
				      MOUNT_ATTR_NOEXEC, what, err);
		if (a->empty_fd < 0)
			return a->empty_fd;
	}
	lower = xasprintf("%s:/proc/self/fd/%d", esc, a->empty_fd);
	{
		const struct mnt_opt opts[] = { { "lowerdir", lower } };
		mfd = mnt_new("overlay", name, opts, 1, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV, what, err);
	}
	if (mfd < 0)
		return mfd;
	a->fds[a->n++] = mfd;
	*out = xasprintf("/proc/self/fd/%d", mfd);
	return 0;
}

/* The root of cfg on LIVE; layer j of cfg->lower is found at src->v[j]
 * (itself, or its idmapped stand-in). */
static int mount_root(const struct sh_config *cfg, const struct sh_list *src, struct sh_err *err)
{
	_cleanup_free_ char *what = xasprintf("root on %s", cfg->live);
	_cleanup_close_ int mfd = -1;
	struct aliases al = { .empty_fd = -1 };

	if (cfg->bind_root) {
		/* overlay-boot: UPPER = LOWER means "no overlay: bind-mount it". */
		mfd = mnt_clone(AT_FDCWD, cfg->upper, true, MOUNT_ATTR_NODEV, what, err);
	} else {
		struct sh_list layers = { xcalloc(cfg->lower.n + 1, sizeof(char *)), cfg->lower.n };
		_cleanup_free_ char *lower = NULL;
		_cleanup_free_ char *upper = overlay_escape(cfg->upper);
		_cleanup_free_ char *work = overlay_escape(cfg->work);
		int r = 0;

		for (size_t j = 0; j < cfg->lower.n && r == 0; j++) {
			if (is_outer_layer(&cfg->lower, j))
				r = alias_layer(&al, cfg->name, src->v[j], &layers.v[j], err);
			else
				layers.v[j] = xstrdup(src->v[j]);
		}
		if (r == 0) {
			/* an alias path is ours: no escaping needed, none wanted */
			lower = overlay_lowerdir(&layers);
			const struct mnt_opt opts[] = {
				{ "lowerdir", lower },
				{ "upperdir", upper },
				{ "workdir", work },
			};
			mfd = mnt_new("overlay", cfg->name, opts, 3, MOUNT_ATTR_NODEV, what, err);
		} else {
			mfd = r;
		}
		layers.n = cfg->lower.n;
		for (size_t j = 0; j < layers.n; j++)
			free(layers.v[j]);
		free(layers.v);
		aliases_close(&al);
	}
	if (mfd < 0)
		return mfd;
	return mnt_attach(mfd, AT_FDCWD, cfg->live, what, err);
}

int overlay_mount_root(const struct sh_config *cfg, struct sh_err *err)
{
	return mount_root(cfg, &cfg->lower, err);
}

/* Filesystems often found under a lower layer, by name for messages. */
static const char *fs_name(unsigned long type)
{
	static const struct { unsigned long type; const char *name; } t[] = {
		{ 0xef53, "ext4" }, { 0x58465342, "xfs" }, { 0x9123683e, "btrfs" },
		{ 0x01021994, "tmpfs" }, { 0x794c7630, "overlay" }, { 0x6969, "nfs" },
		{ 0x2fc12fc1, "zfs" }, { 0x65735546, "fuse" }, { 0x73717368, "squashfs" },
		{ 0xf2f52010, "f2fs" }, { 0x4d44, "vfat" }, { 0x858458f6, "ramfs" },
	};

	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (t[i].type == type)
			return t[i].name;
	return "this";
}

int overlay_mount_root_idmapped(const struct sh_config *cfg, int userns_fd, struct sh_err *err)
{
	const struct mnt_opt opts[] = { { "mode", "700" }, { "size", "64k" } };
	_cleanup_free_ char *what = xasprintf("idmapped lower layers on %s", cfg->live);
	_cleanup_close_ int stage = -1;
	struct sh_list staged = { NULL, 0 };
	int layers[SH_LAYERS_MAX];
	size_t n = 0;
	int r = 0;

	if (cfg->bind_root)
		return mount_root(cfg, &cfg->lower, err);
	if (cfg->lower.n > SH_LAYERS_MAX)
		return err_cfg(err, "too many lower layers (at most %d)", SH_LAYERS_MAX);
	/* Every layer first: one may be LIVE itself (a root disk mounted
	 * there), which the stage below covers. */
	for (; n < cfg->lower.n; n++) {
		_cleanup_free_ char *lw = xasprintf("LOWER layer %s", cfg->lower.v[n]);
		struct statfs sf;

		layers[n] = mnt_clone(AT_FDCWD, cfg->lower.v[n], false, 0, lw, err);
		if (layers[n] < 0) {
			r = layers[n];
			break;
		}
		r = mnt_idmap(layers[n], userns_fd, lw, err);
		if (r == -EINVAL && fstatfs(layers[n], &sf) == 0)
			r = err_msg(err, EXIT_FAIL, EINVAL, "IDMAP: LOWER layer %s is on %s "
				    "filesystem (0x%lx), which has no idmapped mounts: expected "
				    "lower layers on ext4, xfs, btrfs or tmpfs (Linux 6.3+), ...",
				    cfg->lower.v[n], fs_name((unsigned long)sf.f_type),
				    (unsigned long)sf.f_type);
		if (r < 0) {
			close(layers[n]);
			break;
		}
	}
	/* overlayfs takes layers by path (by fd only from Linux 6.13): each
	 * idmapped layer goes on a directory of a small tmpfs on LIVE, in
	 * this private mount namespace, and the overlay on top of it. */
	if (r == 0) {
		stage = mnt_new("tmpfs", "idmap-layers", opts, 2,
				MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, what, err);
		r = stage < 0 ? stage : mnt_attach(stage, AT_FDCWD, cfg->live, what, err);
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		char name[24];

		snprintf(name, sizeof name, "%zu", i);
		if (mkdirat(stage, name, 0700) < 0)
			r = err_sys(err, errno, "%s: mkdir %s", what, name);
		else
			r = mnt_attach(layers[i], stage, name, what, err);
		if (r == 0) {
			staged.v = xrealloc(staged.v, (staged.n + 2) * sizeof *staged.v);
			staged.v[staged.n++] = path_join(cfg->live, name);
			staged.v[staged.n] = NULL;
		}
	}
	for (size_t i = 0; i < n; i++)
		close(layers[i]);
	if (r == 0)
		r = mount_root(cfg, &staged, err);
	sh_list_free(&staged);
	return r;
}
