/* overlay.c - overlayfs option strings and the root mount. */
#include "overlay.h"

#include <fcntl.h>
#include <string.h>
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

int overlay_mount_root(const struct sh_config *cfg, struct sh_err *err)
{
	_cleanup_free_ char *what = xasprintf("root on %s", cfg->live);
	_cleanup_close_ int mfd = -1;

	if (cfg->bind_root) {
		/* overlay-boot: UPPER = LOWER means "no overlay: bind-mount it". */
		mfd = mnt_clone(AT_FDCWD, cfg->upper, true, MOUNT_ATTR_NODEV, what, err);
	} else {
		_cleanup_free_ char *lower = overlay_lowerdir(&cfg->lower);
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
