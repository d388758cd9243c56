/* distro.h - what a real distribution's init expects of its container
 * (SPEC section 5: INIT=sysv and INIT=/sbin/init), and how to ask that
 * init to power off.
 *
 * At boot, in the boot child before pivot_root (distro_prepare):
 *  - cgroup2 on /sys/fs/cgroup, rooted at the subhost's own group (the
 *    child is already in its cgroup namespace).  Writable for INIT=/program:
 *    systemd runs in unified mode there and never creates groups in a
 *    hybrid host's v1 hierarchies, which it would mount itself otherwise;
 *    read-only for the built-in init.
 *  - /tmp a tmpfs for INIT=/program, as systemd and sysvinit's
 *    RAMTMP expect of a fresh boot.
 *  - /etc/machine-id kept in UPPER for INIT=sysv and INIT=/program: made
 *    once when UPPER has no valid one, so a tree shared as a lower layer
 *    gives each subhost its own id, stable across its boots.
 * After /proc is mounted (distro_boot_id): a boot id of this boot of the
 * subhost over /proc/sys/kernel/random/boot_id, which is otherwise the
 * host's (the same across the subhost's reboots).
 */
#ifndef SUBHOST_DISTRO_H
#define SUBHOST_DISTRO_H

#include <stdbool.h>
#include <sys/types.h>
#include "config.h"

/* Mount and write what cfg's init expects; rootfd is LIVE (O_PATH) with
 * /sys and /run already mounted.  own_cgroup: the child is in a cgroup
 * of its own (else there is nothing of ours to show on /sys/fs/cgroup). */
int distro_prepare(int rootfd, const struct sh_config *cfg, bool own_cgroup, struct sh_err *err);

/* After pivot_root and /proc: a fresh random boot id for this boot. */
int distro_boot_id(struct sh_err *err);

/* True if s is a machine id: 32 lowercase hex digits, an optional newline. */
bool distro_machine_id_valid(const char *s);

/* ---- readiness of systemd (sd_notify) ----------------------------------
 * A container manager may give pid 1 NOTIFY_SOCKET; systemd sends
 * "READY=1" there when its startup has finished (as under nspawn).  So
 * `subhost boot` of a systemd subhost returns when systemctl works inside,
 * not when systemd was merely started. */
#define DISTRO_NOTIFY_PATH "/run/host/notify"

/* In the boot child after pivot_root, with /run our tmpfs: a datagram
 * socket bound at DISTRO_NOTIFY_PATH (O_CLOEXEC fd), or -errno. */
int distro_notify_socket(struct sh_err *err);

/* Does a notify datagram say READY=1 (one of its lines)? */
bool distro_notify_ready(const char *msg);

/* The last path component of what pid runs (/proc/PID/exe) into base;
 * false if it can't be read. */
bool distro_exe_base(pid_t pid, char *base, size_t size);

/* How pid 1 of cfg is asked to power off: a signal number, or
 * SH_STOP_INITCTL.  STOP_SIGNAL wins; otherwise by INIT and, for
 * INIT=/program, by what pid 1 runs (exe_base, the last component of
 * /proc/PID/exe, or NULL): SIGRTMIN+4 for systemd, an initctl runlevel 0
 * request for sysvinit's init, SIGTERM for subhost-init and the rest. */
int distro_stop_method(const struct sh_config *cfg, const char *exe_base);

/* Ask pid 1 (host pid, our unreaped child) to power off as
 * distro_stop_method says.  An initctl request falls back to SIGPWR when
 * the FIFO can't be written.  what gets a few words for the log. */
int distro_stop_request(const struct sh_config *cfg, pid_t pid, char *what, size_t whatlen);

#endif
