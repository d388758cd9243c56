/* overlay.c - overlayfs option strings and the root mount. */
#include "overlay.h"

#include <fcntl.h>
#include <string.h>
#include "mount.h"
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>

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

/* The root of cfg on LIVE, from the lower layers at the paths lower. */
static int mount_root(const struct sh_config *cfg, const struct sh_list *layers,
		      struct sh_err *err)
{
	_cleanup_free_ char *what = xasprintf("root on %s", cfg->live);
	_cleanup_close_ int mfd = -1;

	if (cfg->bind_root) {
		/* overlay-boot: UPPER = LOWER means "no overlay: bind-mount it". */
		mfd = mnt_clone(AT_FDCWD, cfg->upper, true, MOUNT_ATTR_NODEV, what, err);
	} else {
		_cleanup_free_ char *lower = overlay_lowerdir(layers);
		_cleanup_free_ char *upper = overlay_escape(cfg->upper);
		_cleanup_free_ char *work = overlay_escape(cfg->work);
		const struct mnt_opt opts[] = {
			{ "lowerdir", lower },
			{ "upperdir", upper },
			{ "workdir", work },
		};
		mfd = mnt_new("overlay", cfg->name, opts, 3, MOUNT_ATTR_NODEV, what, err);
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
	int r;

	if (cfg->bind_root)
		return mount_root(cfg, &cfg->lower, err);
	/* overlayfs takes layers by path (by fd only from Linux 6.13): each
	 * idmapped layer goes on a directory of a small tmpfs on LIVE, in
	 * this private mount namespace, and the overlay on top of it. */
	stage = mnt_new("tmpfs", "idmap-layers", opts, 2,
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, what, err);
	if (stage < 0)
		return stage;
	r = mnt_attach(stage, AT_FDCWD, cfg->live, what, err);
	for (size_t i = 0; r == 0 && i < cfg->lower.n; i++) {
		_cleanup_free_ char *lw = xasprintf("LOWER layer %s", cfg->lower.v[i]);
		_cleanup_close_ int layer = -1;
		char name[24];
		struct statfs sf;

		snprintf(name, sizeof name, "%zu", i);
		if (mkdirat(stage, name, 0700) < 0) {
			r = err_sys(err, errno, "%s: mkdir %s", what, name);
			break;
		}
		layer = mnt_clone(AT_FDCWD, cfg->lower.v[i], false, 0, lw, err);
		if (layer < 0) {
			r = layer;
			break;
		}
		r = mnt_idmap(layer, userns_fd, lw, err);
		if (r == -EINVAL && fstatfs(layer, &sf) == 0) {
			r = err_msg(err, EXIT_FAIL, EINVAL, "IDMAP: LOWER layer %s is on %s "
				    "filesystem (0x%lx), which has no idmapped mounts: expected "
				    "lower layers on ext4, xfs, btrfs or tmpfs (Linux 6.3+), ...",
				    cfg->lower.v[i], fs_name((unsigned long)sf.f_type),
				    (unsigned long)sf.f_type);
			break;
		}
		if (r == 0)
			r = mnt_attach(layer, stage, name, lw, err);
		if (r == 0) {
			staged.v = xrealloc(staged.v, (staged.n + 2) * sizeof *staged.v);
			staged.v[staged.n++] = path_join(cfg->live, name);
			staged.v[staged.n] = NULL;
		}
	}
	if (r == 0)
		r = mount_root(cfg, &staged, err);
	sh_list_free(&staged);
	return r;
}
