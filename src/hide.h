/* hide.h - keep subhosts from reading upper layers through the host root.
 *
 * A subhost whose lower layer is the host's "/" would see, through it,
 * every directory of the root filesystem: its own BASE (with UPPER), the
 * BASEs of other subhosts, /var/lib/subhost and the run directory.  Each
 * is covered by an empty read-only tmpfs inside (SPEC 6.4): the list is
 * mounted before pivot_root, and BASEs of subhosts that boot later are
 * covered inside the running ones by joining their mount namespace.
 */
#ifndef SUBHOST_HIDE_H
#define SUBHOST_HIDE_H

#include <stdbool.h>
#include <sys/types.h>
#include "state.h"
#include "util.h"

struct hide_list {
	char **v;
	size_t n;
};

void hide_list_free(struct hide_list *l);

/* The paths to cover in a subhost with BASE base: /var/lib/subhost, the
 * run directory, base, and the BASE of every other subhost (others). */
void hide_list_collect(struct hide_list *l, const char *base,
		       const struct sh_state *others, size_t nothers);

/* Add other subhosts' BASEs not yet in l (they booted since); with pid > 0,
 * also cover each inside that running subhost (pid 1 and its start time).
 * Returns how many could not be covered. */
int hide_list_update(struct hide_list *l, const char *self, pid_t pid, unsigned long long start);

/* Cover base inside every running subhost of others that has the host
 * root as a layer.  Returns how many could not be covered. */
int hide_in_running(const char *base, const struct sh_state *others, size_t nothers);

#endif
