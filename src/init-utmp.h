/* init-utmp.h - runlevel and boot records in utmp/wtmp, for `runlevel`
 * and `who -r` inside a sysv-mode subhost.
 *
 * The records are written in glibc's on-disk format (384 bytes, 32-bit
 * times on every 64-bit architecture), which is what the guest's tools
 * read.  We do not use <utmpx.h>: under musl, which links pid 1, it is a
 * set of no-op stubs with a different struct layout.
 */
#ifndef SUBHOST_INIT_UTMP_H
#define SUBHOST_INIT_UTMP_H

#include <stdint.h>

#define INIT_UTMP_PATH          "/var/run/utmp"
#define INIT_WTMP_PATH          "/var/log/wtmp"

#define INIT_UT_RUN_LVL         1
#define INIT_UT_BOOT_TIME       2

struct init_utmp {
	int16_t ut_type;
	int16_t ut_pad;
	int32_t ut_pid;         /* RUN_LVL: level + 256 * previous level */
	char ut_line[32];
	char ut_id[4];
	char ut_user[32];
	char ut_host[256];
	int16_t ut_termination;
	int16_t ut_exit;
	int32_t ut_session;
	int32_t ut_tv_sec;
	int32_t ut_tv_usec;
	int32_t ut_addr_v6[4];
	char ut_unused[20];
};

_Static_assert(sizeof(struct init_utmp) == 384, "glibc's utmp record is 384 bytes");

/* Fill *u as sysvinit does: user "runlevel" (RUN_LVL) or "reboot"
 * (BOOT_TIME), id "~~", line "~", host = kernel release.  For RUN_LVL,
 * level and prev are characters ('2', 'N' for none). */
void init_utmp_record(struct init_utmp *u, int type, char level, char prev,
		      int64_t sec, int32_t usec, const char *release);

/* Replace the record of the same type in utmp_path (creating the file if
 * it is missing) and append to wtmp_path if that exists.  Returns 0 or
 * -errno of the first failure. */
int init_utmp_write(const struct init_utmp *u, const char *utmp_path, const char *wtmp_path);

#endif
