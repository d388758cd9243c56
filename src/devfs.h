/* devfs.h - the subhost's /dev: a small tmpfs with the usual nodes, its
 * own devpts instance and no way back to host devices (no /dev/core). */
#ifndef SUBHOST_DEVFS_H
#define SUBHOST_DEVFS_H

#include "util.h"

/* Build /dev detached, then attach it on rootfd/dev.  console_fd, when >= 0,
 * is a terminal bind-mounted over /dev/console (the supervisor's pty). */
int devfs_setup(int rootfd, int console_fd, struct sh_err *err);

#endif
