/* overlay.h - the subhost's root: an overlay of LOWER under UPPER/WORK on
 * LIVE, or a bind mount of UPPER when UPPER = LOWER. */
#ifndef SUBHOST_OVERLAY_H
#define SUBHOST_OVERLAY_H

#include "config.h"

#define SH_LAYERS_MAX 64         /* lower layers after @OTHER expansion */

/* The lowerdir= value for layers (topmost first): each path with '\', ':'
 * and ',' escaped by a backslash, joined by ':'.  malloc'd. */
char *overlay_lowerdir(const struct sh_list *layers);

/* Escape one path for an overlay option value.  malloc'd. */
char *overlay_escape(const char *path);

/* Mount the root of cfg on cfg->live (in the caller's mount namespace). */
int overlay_mount_root(const struct sh_config *cfg, struct sh_err *err);

/* IDMAP: the same, by host root in a private mount namespace, with every
 * lower layer seen through an idmapped mount of the user namespace
 * userns_fd (host id N is N inside).  Each layer's own mount only, as
 * overlayfs never shows a layer's submounts: LOWER=/ is the root
 * filesystem.  UPPER stays plain (what root inside writes is owned by its
 * host ids); UPPER = LOWER is a plain bind of UPPER. */
int overlay_mount_root_idmapped(const struct sh_config *cfg, int userns_fd, struct sh_err *err);

#endif
