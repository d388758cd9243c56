/* seccomp-filter.h - the system calls a subhost may not make (SPEC 8).
 *
 * A deny-list, not an allow-list: a subhost runs whole distributions, so
 * everything is allowed but calls that act on the whole machine (kexec,
 * modules, the clock, swap, the kernel keyring, bpf, perf, file handles)
 * and two argument patterns (TIOCSTI/TIOCLINUX ioctls, mknod of block
 * devices).  A denied call fails with EPERM, which software written for
 * containers expects; nothing is killed.  The filter covers every
 * architecture the kernel runs for the process (x86_64 + i386 + x32,
 * aarch64 + arm, ...), so a 32-bit call cannot slip past it.
 *
 * The SECCOMP key (the spec): unset, empty or "default" for the default
 * list; "none" for no filter; otherwise words "NAME" or "+NAME" (deny
 * NAME too) and "-NAME" (allow NAME: drop its rules from the list).
 * Rules tied to a capability (settimeofday to sys_time, ...) are left out
 * when CAPS_KEEP keeps that capability, so keeping it is enough to use it.
 */
#ifndef SUBHOST_SECCOMP_FILTER_H
#define SUBHOST_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

enum sc_match {
	SC_ALWAYS,              /* every call */
	SC_TTY_IOCTL,           /* ioctl(fd, TIOCSTI or TIOCLINUX, ...) */
	SC_MKNOD_BLOCK,         /* mknod(path, S_IFBLK|..., dev) */
	SC_MKNODAT_BLOCK,       /* mknodat(dirfd, path, S_IFBLK|..., dev) */
};

struct sc_rule {
	const char *name;       /* system call */
	enum sc_match match;
	int cap;                /* -1, or the capability that, kept, lifts the rule */
};

struct sc_plan {
	bool off;               /* SECCOMP=none */
	struct sc_rule *rules;
	size_t n;
};

/* The default list (for tests and the man page). */
const struct sc_rule *sc_default_rules(size_t *n);

/* Check a SECCOMP value; 0, or -EINVAL with *why (static text) and the
 * offending word in *bad / *badlen. */
int sc_check(const char *spec, const char **why, const char **bad, size_t *badlen);

/* The rules for spec (already checked) when the capabilities of
 * caps_dropped are gone.  Free with sc_plan_free. */
void sc_plan_make(const char *spec, uint64_t caps_dropped, struct sc_plan *plan);
void sc_plan_free(struct sc_plan *plan);
/* Does the plan deny name (in any form)? */
bool sc_plan_denies(const struct sc_plan *plan, const char *name);

/* Build (but do not load) the filter: the architectures the kernel runs
 * for us, each rule EPERM.  Returns a scmp_filter_ctx (void * to keep
 * seccomp.h out of the header) or NULL with err filled. */
void *sc_build(const struct sc_plan *plan, struct sh_err *err);
/* Number of architectures in a built filter (for tests). */
size_t sc_arch_count(void *ctx);
void sc_release(void *ctx);

/* Build and load into the calling process (no NO_NEW_PRIVS: setuid
 * programs inside keep working; root loads it with CAP_SYS_ADMIN). */
int sc_load(const char *spec, uint64_t caps_dropped, struct sh_err *err);

#endif
