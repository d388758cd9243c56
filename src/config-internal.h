/* config-internal.h - what config.c and config-keys.c share; nothing else
 * includes it.
 *
 * config.c reads the file into entries (struct ent), marks the one that
 * counts for each key and runs their `!command`s; config-keys.c turns the
 * entries into struct sh_config, key by key.  Both report through c->err
 * as "FILE:LINE: what is wrong: what was expected" (see config.h).
 */
#ifndef SUBHOST_CONFIG_INTERNAL_H
#define SUBHOST_CONFIG_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include "config.h"

/* Key flags. */
enum {
	KF_LIST = 1 << 0,       /* takes a bash array or blank-separated words */
	KF_REPEAT = 1 << 1,     /* every occurrence counts, in file order */
	KF_RESERVED = 1 << 2,   /* kept for later work, recorded in reserved[] */
};

struct keydef {
	const char *key;
	unsigned flags;
	size_t off;             /* reserved scalar keys: char * field in sh_config */
};

/* One KEY=VALUE occurrence. */
struct ent {
	const struct keydef *def;
	char *val;              /* raw, then evaluated; arrays keep "( ... )" */
	int line;
	bool array;
	bool quoted;            /* was wrapped in quotes: literal, never a command */
	bool final;             /* the occurrence that counts */
};

struct ctx {
	const char *file;       /* as the caller named it, for messages */
	const struct sh_config_opts *opts;
	struct sh_config *cfg;
	struct sh_err *err;
	char *confdir;          /* canonical directory holding the file */
	char *default_name;
	struct ent *ents;
	size_t nents;
	char loc[PATH_MAX + 32];
	int host_ns, host_cwd;  /* while !commands run staged (opts->stage_mounts): the way back */
};

/* ---- config.c ---------------------------------------------------------- */

/* "FILE:LINE" for a key that was set, "FILE" for one that was not (line
 * 0).  The text lives in c->loc until the next call. */
const char *cfg_where(struct ctx *c, int line);

/* Append s (taken over) to l, which stays NULL-terminated. */
void cfg_list_push(struct sh_list *l, char *s);

/* Replace a `!command` value by the command's output, the command run in
 * dir; a no-op for any other value. */
int cfg_eval_entry(struct ctx *c, struct ent *e, const char *dir);

/* ---- config-keys.c ----------------------------------------------------- */

/* Make p absolute against dir and clean it lexically ("//", ".", ".."). */
char *cfg_path_lexical(const char *dir, const char *p);

/* The key loaders, in the order config_load() calls them: NAME and BASE
 * (each evaluating its own `!command` in the conf's directory), then,
 * once the other commands have run in BASE, the root (LIVE, UPPER, WORK,
 * LOWER), CABLES or BRIDGES, the host interface names those make, and
 * the rest (START, INIT, PREMOUNT, POSTMOUNT, RAM_SIZE, LOG, HOSTNAME,
 * SHARE and the reserved keys).  Each returns 0 or a negative errno with
 * c->err filled. */
int cfg_load_name(struct ctx *c);
int cfg_load_base(struct ctx *c);
int cfg_load_root(struct ctx *c);
int cfg_load_cables(struct ctx *c);
int cfg_check_hostif_names(struct ctx *c);
int cfg_load_rest(struct ctx *c);

#endif
