/* init-utmp.c - runlevel and boot records in utmp/wtmp (see init-utmp.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "init-utmp.h"

/* strncpy semantics on purpose: utmp fields are fixed-width, NUL-padded
 * and need no terminator when full. */
static void field(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n > size)
		n = size;

	memset(dst, 0, size);
	memcpy(dst, src, n);
}

void init_utmp_record(struct init_utmp *u, int type, char level, char prev,
		      int64_t sec, int32_t usec, const char *release)
{
	memset(u, 0, sizeof *u);
	u->ut_type = (int16_t)type;
	if (type == INIT_UT_RUN_LVL)
		u->ut_pid = (unsigned char)level + 256 * (unsigned char)prev;
	field(u->ut_line, sizeof u->ut_line, "~");
	field(u->ut_id, sizeof u->ut_id, "~~");
	field(u->ut_user, sizeof u->ut_user, type == INIT_UT_RUN_LVL ? "runlevel" : "reboot");
	field(u->ut_host, sizeof u->ut_host, release ? release : "");
	/* The format has 32-bit seconds; glibc stores them the same way. */
	u->ut_tv_sec = (int32_t)sec;
	u->ut_tv_usec = usec;
}

/* Offset of the record of u's type in fd, or of the end of the last
 * whole record if there is none. */
static off_t find_slot(int fd, const struct init_utmp *u)
{
	struct init_utmp cur;
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, &cur, sizeof cur, off)) == (ssize_t)sizeof cur) {
		if (cur.ut_type == u->ut_type)
			return off;
		off += (off_t)sizeof cur;
	}
	return n < 0 ? -1 : off;
}

/* No lock: glibc's readers take fcntl read locks, and pid 1 must never
 * block on one; a single pwrite of a whole record is what they read. */
int init_utmp_write(const struct init_utmp *u, const char *utmp_path, const char *wtmp_path)
{
	int fd, ret = 0;
	off_t off;

	fd = open(utmp_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0664);
	if (fd < 0)
		return -errno;
	errno = 0;      /* a short write leaves it alone */
	off = find_slot(fd, u);
	if (off < 0 || pwrite(fd, u, sizeof *u, off) != (ssize_t)sizeof *u)
		ret = errno ? -errno : -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;

	/* wtmp is history: append, but only where the guest keeps one. */
	fd = open(wtmp_path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ret ? ret : (errno == ENOENT ? 0 : -errno);
	errno = 0;
	if (write(fd, u, sizeof *u) != (ssize_t)sizeof *u && !ret)
		ret = errno ? -errno : -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}
