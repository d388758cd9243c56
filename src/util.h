/* util.h - error convention, cleanup helpers and small file helpers.
 *
 * Error convention (read this before writing a function):
 *  - Library-level functions return 0 (or a non-negative value) on success
 *    and a negative errno on failure.  They never print.
 *  - A function that can fail for a reason a user must read takes a
 *    `struct sh_err *err` and fills it with err_sys()/err_cfg()/err_msg();
 *    those return the negative errno so `return err_sys(err, ...)` works.
 *  - Only the command layer (cmd-*.c, main.c) reports, once, through
 *    report_err(), which prints "subhost: NAME: what went wrong: why" and
 *    maps err->status to the exit status of SPEC section 4.
 */
#ifndef SUBHOST_UTIL_H
#define SUBHOST_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

/* Exit statuses (SPEC section 4). */
enum sh_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* runtime failure */
	EXIT_USAGE = 2,     /* usage or configuration error */
	EXIT_NOTRUNNING = 3,
	EXIT_RUNNING = 4,   /* already running */
};

struct sh_err {
	int num;            /* errno of the failure, 0 if none applies */
	int status;         /* enum sh_exit to leave with */
	char msg[1024];     /* "what went wrong: why" */
};

/* Fill err with "fmt...: strerror(errnum)", status EXIT_FAIL; return -errnum. */
int err_sys(struct sh_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fill err with a configuration/usage message, status EXIT_USAGE; return -EINVAL. */
int err_cfg(struct sh_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Fill err with a message and an explicit status; return -EINVAL... or -errnum if errnum. */
int err_msg(struct sh_err *err, int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Prefix the current message with "fmt...: " (adds context on the way up). */
void err_prefix(struct sh_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* In a forked child that reports to its parent over fd: write
 * "ERR STATUS MESSAGE" (one datagram or pipe write) and _exit(1). */
void child_report_fail(int fd, const struct sh_err *err) __attribute__((noreturn));

/* Print "subhost: [NAME: ]msg" to stderr. */
void report_err(const char *name, const struct sh_err *err);
void warnx_name(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The program name used in messages ("subhost" or an overlay-* alias). */
extern const char *prog_name;

/* Cleanup attributes (bubblewrap/systemd style); destructors accept NULL/-1. */
void cleanup_freep(void *p);
void cleanup_closep(int *fd);
#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
static inline int take_fd(int *fd) { int r = *fd; *fd = -1; return r; }
static inline void *take_ptr_(void **p) { void *r = *p; *p = NULL; return r; }
#define TAKE_FD(fd) take_fd(&(fd))
#define TAKE_PTR(p) take_ptr_((void **)&(p))

/* Allocation that aborts on OOM (we are a small CLI; OOM is fatal). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* String helpers. */
char *str_trim(char *s);                 /* in place; returns s advanced */
bool str_startswith(const char *s, const char *prefix);
bool str_endswith(const char *s, const char *suffix);
char *path_join(const char *a, const char *b);   /* "a/b", b may start with '/' */

/* File helpers: all descriptors O_CLOEXEC; return 0 or -errno. */
int read_file(const char *path, char *buf, size_t size);   /* NUL-terminates; returns bytes */
int read_file_at(int dirfd, const char *path, char *buf, size_t size);
/* Read up to size bytes (fewer only at end of file), retrying on EINTR;
 * returns the count or -errno. */
ssize_t read_full(int fd, void *buf, size_t size);
int write_file(const char *path, const char *data);        /* O_WRONLY|O_TRUNC, no create */
int write_file_atomic(const char *path, const char *data, mode_t mode); /* tmp + rename */
int mkdir_p(const char *path, mode_t mode);

/* rm -r of path without following symlinks or leaving its filesystem:
 * a mount found inside is left (with what lies beneath it) and makes the
 * call fail with -EBUSY after removing everything else.  Adds the bytes of
 * removed regular files to *bytes when bytes is not NULL. */
int remove_tree(const char *path, unsigned long long *bytes);

/* clone3 with flags and SIGCHLD as the exit signal, born in the cgroup2
 * directory cgroup_fd when it is >= 0 (CLONE_INTO_CGROUP: no window in
 * which the child or its first children count in our group), and with a
 * pidfd in *pidfd when pidfd is not NULL.  Returns as fork() does. */
pid_t clone3_into(unsigned long long flags, int cgroup_fd, int *pidfd);

/* Raise the soft limit of open descriptors to the hard one (walks of deep
 * trees hold one or more per level). */
void raise_nofile_limit(void);

/* Close every descriptor above 2 that is not in keep. */
int close_fds_except(const int *keep, size_t nkeep);

/* Process helpers. */
/* Start time (field 22 of /proc/PID/stat) in clock ticks; 0 if gone. */
unsigned long long proc_starttime(pid_t pid);
/* True if pid runs and its start time equals starttime. */
bool proc_alive(pid_t pid, unsigned long long starttime);
/* Monotonic milliseconds, for logs and timeouts. */
double now_ms(void);

#endif
