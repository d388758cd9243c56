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

#endif
