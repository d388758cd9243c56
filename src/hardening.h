/* hardening.h - what the subhost's pid 1 (and `go`) give up before exec
 * (SPEC 8): capabilities, the host's audit login id, and the host path of
 * UPPER.  The seccomp filter is seccomp-filter.h, device access devices.h.
 *
 * Capability sets are 64-bit masks of CAP_* bit numbers.  The set a
 * subhost loses is the default list, plus CAPS_DROP, minus CAPS_KEEP. */
#ifndef SUBHOST_HARDENING_H
#define SUBHOST_HARDENING_H

#include <stdint.h>
#include "config.h"
#include "util.h"

#define CAPS_ALL (~(uint64_t)0)

/* The capabilities a subhost loses unless CAPS_KEEP names them. */
uint64_t caps_default_drop(void);

/* Parse a CAPS_DROP / CAPS_KEEP value: blank-separated names such as
 * "sys_time" or "CAP_SYS_TIME" (any case), or "all".  Returns 0 with
 * *mask, or -EINVAL with *bad set to the first word that is not a
 * capability (points into words). */
int caps_parse(const char *words, uint64_t *mask, const char **bad, size_t *badlen);

/* The set to drop for these values (NULL = unset): default | drop, minus
 * keep.  Both must have parsed (config_load checked them). */
uint64_t caps_plan(const char *caps_drop, const char *caps_keep);

/* "cap_sys_time" for 25; NULL if libcap knows no name for it. */
const char *caps_name(unsigned cap);

/* Drop the capabilities of mask from the bounding, effective and
 * permitted sets, empty the inheritable and ambient sets, and forget the
 * host's audit login id.  Call in the child, after the last mount, before
 * exec; the process is root, so exec gives it the bounding set. */
int hardening_apply(uint64_t drop, struct sh_err *err);

/* Make the audit login id of this process (and so of everything it
 * starts) "unset", so the host admin's session id doesn't leak in and
 * pam_loginuid inside can set its own without CAP_AUDIT_CONTROL.  Best
 * effort: the kernel may refuse (audit=immutable). */
void hardening_reset_loginuid(void);

/* Setuid files written inside land in UPPER on the host: a host user who
 * can reach UPPER could run them.  When the directory holding UPPER (BASE
 * by default) is BASE or inside it, is not a top-level directory, is
 * root's and lets group or others in, take that away and return 1 with a
 * note; return 2 with a note when it lets them in but is not ours to
 * change; 0 when nothing was needed; a negative errno on failure. */
int hardening_protect_upper(const char *base, const char *upper, char *note, size_t notelen);

#endif
