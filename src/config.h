/* config.h - read and validate a subhost configuration file (SPEC section 2).
 *
 * config_load() parses the whole file, runs the `!command` values, resolves
 * relative paths and validates every key before anything on the host is
 * touched.  It never prints: warnings go to the callback, errors into err
 * as "FILE:LINE: what is wrong: what was expected" with status EXIT_USAGE.
 */
#ifndef SUBHOST_CONFIG_H
#define SUBHOST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

#define SH_NAME_MAX 15          /* IFNAMSIZ - 1: the name is also a netns and an interface prefix */

struct sh_list {
	char **v;               /* NULL-terminated when n > 0 (init_argv can go to execv) */
	size_t n;
};

/* One CABLES / BRIDGES entry. */
struct sh_cable {
	char *bridge;           /* host bridge to enslave the host end to; NULL if none */
	char *mac;              /* "aa:bb:cc:dd:ee:ff" for the inside end; NULL if random */
	int vlan;               /* > 0: ".N" entry = VLAN N on the previous cable's host end */
	int line;               /* line of the conf that defined it */
};

/* One SHARE entry: HOSTDIR[:SUBDIR][:ro]. */
struct sh_share {
	char *hostdir;          /* absolute (relative ones resolved against BASE) */
	char *subdir;           /* absolute path inside the subhost; = hostdir if omitted */
	bool ro;
	int line;
};

/* STOP_SIGNAL=initctl: a runlevel 0 request on the subhost's /run/initctl. */
#define SH_STOP_INITCTL (-1)

/* One DISKS entry, DEV:PART:IMAGE (pretend-boot).  The first is the root
 * filesystem; the others appear inside as block devices /dev/NODE. */
struct sh_disk {
	char *dev;              /* device name inside, "vdb" */
	int part;               /* partition number; 0: the whole image is one filesystem */
	char *image;            /* absolute path of the image (or block device) */
	char *node;             /* name inside /dev: DEV followed by PART unless 0, "vdb1" */
	int line;
};

enum sh_init_mode {
	INIT_SERVICES = 0,      /* INIT unset: start START entries (overlay-boot) */
	INIT_SYSV,              /* INIT=sysv: rc S, rc 2 (pretend-boot) */
	INIT_EXEC,              /* INIT=/program args: exec as pid 1 (lcboot) */
};

struct sh_config {
	char *path;             /* absolute path of the conf file */
	char *name;             /* NAME, validated: 1-15 chars of [A-Za-z0-9_.-] */
	char *hostname;         /* HOSTNAME, default name */
	char *base;             /* BASE, absolute and canonical (realpath) */
	char *live;             /* LIVE, absolute, default BASE/live */
	char *upper;            /* UPPER, absolute, default BASE/root */
	char *work;             /* WORK, absolute, default BASE/work */
	struct sh_list lower;   /* LOWER layers, topmost first: absolute dirs or "@OTHER" */
	int lower_line;         /* line of LOWER (0: the default "/") */
	bool lower_has_host_root; /* one of the layers is "/" */
	bool bind_root;         /* UPPER = LOWER: bind-mount UPPER on LIVE, no overlay */
	struct sh_cable *cables; /* CABLES, or BRIDGES when CABLES is unset */
	size_t ncables;
	struct sh_list start;   /* START entries; empty for "none" or "" */
	enum sh_init_mode init_mode;
	struct sh_list init_argv; /* INIT_EXEC: program and arguments (split on blanks) */
	char runlevel;          /* RUNLEVEL for INIT=sysv: '1'-'5', default '2' */
	int stop_signal;        /* STOP_SIGNAL: a signal, SH_STOP_INITCTL, or 0 (by init) */
	char *premount;         /* PREMOUNT command line, NULL if unset */
	char *postmount;        /* POSTMOUNT command line, NULL if unset */
	char *ram_size;         /* RAM_SIZE for the /run tmpfs ("50M"); NULL for "none" */
	struct sh_share *shares; /* SHARE, in file order */
	size_t nshares;
	char *log;              /* LOG, absolute, default /var/log/subhost/NAME.log */
	struct sh_disk *disks;  /* DISKS, in order; disks[0] is the root filesystem */
	size_t ndisks;
	char *image;            /* IMAGE (absolute), mounted on BASE/mnt at boot; NULL if unset */
	char *image_mnt;        /* BASE/mnt when IMAGE is set */
	int image_line;
	/* A mount namespace (fd > 2; 0: none) in which the `!command`s of a
	 * boot ran: mounts they made (overlay-diskfile) live there, never on
	 * the host, and the subhost's own namespace starts as a copy of it. */
	int mntns_fd;

	/* Keys kept verbatim (after `!command` evaluation) for the module that
	 * interprets them: net-addr.c, cgroup-limits.c, hardening.c and
	 * seccomp-filter.c, idmap.c.  Lists are the bash-array or
	 * blank-separated words. */
	struct sh_list address; /* ADDRESS (repeatable) */
	char *gateway;          /* GATEWAY */
	char *memory_max, *memory_high, *cpu_max, *cpu_weight, *pids_max, *io_weight;
	char *caps_drop, *caps_keep, *seccomp, *idmap;
	/* Line numbers of those keys (0 = not set), for messages. */
	struct sh_reserved { const char *key; int line; } reserved[24];
	size_t nreserved;
};

typedef void (*sh_warn_fn)(void *ctx, const char *msg);

struct sh_config_opts {
	sh_warn_fn warn;        /* called with "FILE:LINE: unknown key FOO (ignored)" etc.; may be NULL */
	void *warn_ctx;
	const char *action;     /* ACTION for !commands; default "overlay-boot" */
	bool no_commands;       /* don't run !commands (keys with one are an error) */
	bool no_fs_checks;      /* skip existence checks of directories (unit tests of pure syntax) */
	bool stage_mounts;      /* run !commands in a mount namespace of their own, kept in cfg->mntns_fd */
};

/* Parse, evaluate and validate the file at path into cfg (zeroed by the
 * callee).  Returns 0 or a negative errno with err filled.  On failure cfg
 * holds nothing that needs freeing (config_free is still safe). */
int config_load(const char *path, const struct sh_config_opts *opts,
		struct sh_config *cfg, struct sh_err *err);
void config_free(struct sh_config *cfg);

/* The line that set a key kept verbatim (ADDRESS, GATEWAY, the limits,
 * CAPS_*, SECCOMP, IDMAP), or 0 when it is not set. */
int config_key_line(const struct sh_config *cfg, const char *key);

/* True if dir lies inside (or is) anc on the same filesystem: overlayfs
 * refuses (ELOOP) to stack such layers as they are (see overlay.c). */
bool config_layer_nested(const char *dir, const char *anc);
/* Refuse a layer listed twice in l (the LOWER value v, at where =
 * "FILE:LINE"), which overlayfs cannot stack either. */
int config_check_layers(const char *where, const char *v, const struct sh_list *l,
			struct sh_err *err);

/* Validate a subhost name (also used by commands taking NAME).  Returns 0
 * or -EINVAL with err filled ("name ... : expected 1-15 characters of
 * [A-Za-z0-9_.-]"). */
int config_check_name(const char *name, struct sh_err *err);

/* Resolve a command-line argument to a conf path: an argument containing
 * '/' or ending in ".conf" is a path; otherwise CONFDIR/NAME.conf where
 * CONFDIR is $SUBHOST_CONFDIR or /etc/subhost.  Returns a malloc'd string. */
char *config_path_for(const char *arg);

/* Parse a list value: bash array "( a b c )" or blank-separated words.
 * Exposed for unit tests.  Returns 0 or -EINVAL (malformed array). */
int config_split_list(const char *value, struct sh_list *out);
void sh_list_free(struct sh_list *l);

/* Parse a STOP_SIGNAL value: a signal name with or without SIG ("PWR",
 * "SIGRTMIN+4", "RTMAX-2"), a number, or "initctl" (SH_STOP_INITCTL).
 * SIGKILL and SIGSTOP ask nothing of an init and are refused.  Returns 0
 * with *sig set, or -EINVAL. */
int config_stop_signal(const char *value, int *sig);

#endif
