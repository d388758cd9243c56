/* init-log.c - log lines and the notify fd of subhost-init (init-log.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init-log.h"

bool init_quiet;

static int notify_fd = -1;      /* -1 once READY/FAIL is written */

void init_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;         /* nowhere left to complain to */
		buf += n;
		len -= (size_t)n;
	}
}

/* One line, "subhost-init: " + message + "\n", in a single write. */
__attribute__((format(printf, 2, 0)))
static void vlog_line(int fd, const char *fmt, va_list ap)
{
	static const char prefix[] = "subhost-init: ";
	char buf[1024];
	size_t len = sizeof prefix - 1;
	int n;

	memcpy(buf, prefix, len);
	n = vsnprintf(buf + len, sizeof buf - len - 1, fmt, ap);
	if (n > 0)
		len += (size_t)n < sizeof buf - len - 1 ? (size_t)n : sizeof buf - len - 2;
	buf[len++] = '\n';
	init_write_all(fd, buf, len);
}

void init_say(const char *fmt, ...)
{
	va_list ap;

	if (init_quiet)
		return;
	va_start(ap, fmt);
	vlog_line(STDOUT_FILENO, fmt, ap);
	va_end(ap);
}

void init_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog_line(STDERR_FILENO, fmt, ap);
	va_end(ap);
	errno = saved;
}

const char *init_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "wait status 0x%x", (unsigned)status);
	return buf;
}

bool init_status_ok(int status)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void init_notify_setup(void)
{
	const char *s = getenv("SUBHOST_NOTIFY_FD");
	char *end;
	long fd;

	if (!s)
		return;
	errno = 0;
	fd = strtol(s, &end, 10);
	if (errno || end == s || *end || fd < 3 || fd > INT_MAX)
		init_warn("ignoring SUBHOST_NOTIFY_FD=%s: not a descriptor above 2", s);
	else if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0)
		init_warn("ignoring SUBHOST_NOTIFY_FD=%ld: %s", fd, strerror(errno));
	else
		notify_fd = (int)fd;
	if (unsetenv("SUBHOST_NOTIFY_FD") < 0)
		init_warn("unset SUBHOST_NOTIFY_FD: %s", strerror(errno));
}

int init_notify_fd(void)
{
	return notify_fd;
}

/* The fd must not stay open in pid 1: closing it is the supervisor's
 * end-of-file, and no child may inherit it. */
void init_notify(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	size_t len, i;
	int n;

	if (notify_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	len = n < 0 ? 0 : (size_t)n < sizeof buf - 1 ? (size_t)n : sizeof buf - 2;
	for (i = 0; i < len; i++) {
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';   /* exactly one line */
	}
	buf[len++] = '\n';
	/* One write: the fd is a SOCK_SEQPACKET socket, one message per line. */
	if (write(notify_fd, buf, len) != (ssize_t)len)
		init_warn("notify the supervisor: %s", strerror(errno));
	if (close(notify_fd) < 0)
		init_warn("close the notify fd: %s", strerror(errno));
	notify_fd = -1;
}
