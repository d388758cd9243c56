/* sealed.h - programs run from sealed in-memory copies.
 *
 * pid 1 and the `go` helper run subhost-init from a memfd sealed against
 * writes: /proc/PID/exe of a process inside then names no host file that
 * root inside could open and overwrite (CVE-2019-5736), and nothing is
 * written into the subhost's layers. */
#ifndef SUBHOST_SEALED_H
#define SUBHOST_SEALED_H

#include <stddef.h>
#include "util.h"

#define SEALS_ALL (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* Where subhost-init is: $SUBHOST_INIT, LIBEXECDIR/subhost-init, or the
 * one beside our own binary (a build tree).  malloc'd. */
char *init_binary_path(void);

/* Read a whole program file (a regular file of at most 64 MiB) into a
 * malloc'd buffer. */
int program_read(const char *path, char **bin, size_t *len, struct sh_err *err);

/* A sealed memfd (O_CLOEXEC) holding len bytes of bin, named name. */
int sealed_memfd(const char *name, const char *bin, size_t len, struct sh_err *err);

#endif
