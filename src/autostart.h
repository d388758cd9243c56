/* autostart.h - the autostart list, /etc/subhosts.conf (SPEC 3, 4).
 *
 * overlay-boot's format, read exactly as its init script read it
 * (`for SUB in $(grep -v '#' /etc/subhosts.conf)`):
 *  - a line that contains '#' anywhere is ignored whole, as is a blank one;
 *  - every other line holds one or more blank-separated entries, each the
 *    path of a subhost's conf.
 * Ours besides: an entry without '/' that does not end in ".conf" is a
 * subhost NAME, looked up as `subhost boot NAME` does.  An entry that can
 * not be used (a relative path, an invalid name, a repeat) is kept with
 * the reason, so that `autostart` reports it by line and goes on.
 *
 * Pure: parses text only; never prints (notes go to the warn callback).
 */
#ifndef SUBHOST_AUTOSTART_H
#define SUBHOST_AUTOSTART_H

#include <stddef.h>
#include "config.h"

/* Where the list is unless --list or $SUBHOST_LIST says otherwise. */
#define AUTOSTART_LIST SYSCONFDIR "/subhosts.conf"

struct as_entry {
	char *arg;              /* the entry as written: a conf path or a NAME */
	unsigned line;          /* 1-based line of the list */
	char *error;            /* NULL, or why the entry cannot be used */
};

struct as_list {
	struct as_entry *v;
	size_t n;
};

/* Parse the NUL-terminated text of the list called `file` (for messages)
 * into out (zeroed by the callee).  warn, if not NULL, gets a note for a
 * line that is ignored although it holds more than a comment
 * ("FILE:LINE: ignored: ...").  Cannot fail (allocation aborts). */
void autostart_parse(const char *file, const char *text, struct as_list *out,
		     sh_warn_fn warn, void *warn_ctx);
void autostart_free(struct as_list *l);

/* Entries that can be used (error == NULL). */
size_t autostart_usable(const struct as_list *l);

#endif
