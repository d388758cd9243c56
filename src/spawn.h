/* spawn.h - run a /bin/sh command line the way overlay-boot did for its
 * `!command` values and PREMOUNT/POSTMOUNT hooks: in a given directory,
 * stdin on /dev/null, our environment with some variables replaced, and
 * (for `!` values) stdout captured. */
#ifndef SUBHOST_SPAWN_H
#define SUBHOST_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

struct spawn_opts {
	const char *dir;        /* working directory */
	char **env_set;         /* "KEY=VALUE" entries replace ours, "KEY" removes it; NULL-terminated */
	bool capture;           /* collect stdout into *out */
	size_t max_out;         /* with capture: larger output fails with -EFBIG */
};

/* Run `/bin/sh -c script sh args...`; returns 0 with the wait status in
 * *wstatus (and, with capture, the raw output in *out, malloc'd), or a
 * negative errno: -ENOTDIR/-ENOENT for dir, -EFBIG for too much output. */
int spawn_shell(const char *script, char *const args[], const struct spawn_opts *o,
		char **out, int *wstatus);

#endif
