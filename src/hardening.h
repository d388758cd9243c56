/* hardening.h - what the subhost's pid 1 (and `go`) give up before exec
 * (SPEC 8).  This version reduces the capability bounding set and empties
 * the inheritable and ambient sets; seccomp and CAPS_DROP/CAPS_KEEP are
 * the next step. */
#ifndef SUBHOST_HARDENING_H
#define SUBHOST_HARDENING_H

#include "util.h"

/* Drop the default capabilities from the bounding set.  Call in the child,
 * after the last mount, before exec. */
int hardening_apply(struct sh_err *err);

#endif
