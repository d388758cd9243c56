/* init-log.h - what subhost-init tells: log lines on stdout/stderr, and
 * the one READY/FAIL line on the supervisor's notify fd. */
#ifndef SUBHOST_INIT_LOG_H
#define SUBHOST_INIT_LOG_H

#include <stdbool.h>
#include <stddef.h>

extern bool init_quiet;         /* --quiet: init_say() prints nothing */

/* write(2) until done; gives up silently (there is nowhere to complain). */
void init_write_all(int fd, const char *buf, size_t len);

/* "subhost-init: MESSAGE\n" in one write: progress on stdout, silent
 * with --quiet; init_warn() on stderr, always, and keeps errno. */
__attribute__((format(printf, 1, 2))) void init_say(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void init_warn(const char *fmt, ...);

/* "exit status 3", "killed by signal 9 (Killed)" for a wait status. */
const char *init_status_str(int status, char *buf, size_t len);
bool init_status_ok(int status);

/* Take SUBHOST_NOTIFY_FD=N out of the environment (before any child can
 * see it) and make fd N close-on-exec. */
void init_notify_setup(void);

/* The notify fd, or -1 if there is none (any more). */
int init_notify_fd(void);

/* Send "READY" or "FAIL why" as one line, then close the fd; later calls
 * do nothing.  The supervisor waits for exactly one such line. */
__attribute__((format(printf, 1, 2))) void init_notify(const char *fmt, ...);

#endif
