/* bases.h - layered bases (cage): LOWER=@OTHER.
 *
 * `@OTHER` in LOWER stands for OTHER's root as OTHER sees it: its UPPER
 * over its own lower layers, which may name further bases.  Boot expands
 * the chain into plain directories, topmost first, before anything is
 * mounted.  OTHER's conf is the one `subhost boot OTHER` would read, or,
 * when that does not exist, the one OTHER is running from.
 */
#ifndef SUBHOST_BASES_H
#define SUBHOST_BASES_H

#include "config.h"

#define SH_BASES_MAX 32         /* deepest chain accepted (overlayfs allows 500 layers) */

/* Replace every "@OTHER" layer of cfg->lower by OTHER's layers, recursively,
 * and re-check the result (no cycle, no missing base, no base whose root
 * is not a stack of host directories, no nested layers).  Sets
 * cfg->lower_has_host_root when a base stands on "/".  Returns 0 or a
 * negative errno with err naming cfg's file and line. */
int bases_resolve(struct sh_config *cfg, struct sh_err *err);

/* The conf path of subhost name as a base: CONFDIR/NAME.conf if it exists,
 * else the conf of the running subhost NAME; NULL if neither. */
char *bases_conf_path(const char *name);

#endif
