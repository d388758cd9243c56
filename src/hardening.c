/* hardening.c - reduce what root inside a subhost can do to the host. */
#include "hardening.h"

#include <ctype.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>

/* Kernel-wide powers a subhost never needs (root inside is the host's
 * root, so each of these acts on the whole machine).  CAP_SYS_BOOT stays:
 * inside a pid namespace reboot(2) only ends the subhost, and real inits
 * use it (kexec, which it would also allow, is denied by seccomp).
 * CAP_SYS_PTRACE, CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_MKNOD stay: inits,
 * start-stop-daemon, mount and ip need them inside. */
static const cap_value_t default_drop[] = {
	CAP_SYS_MODULE,         /* load kernel code */
	CAP_SYS_RAWIO,          /* /dev/mem, iopl, raw SCSI commands */
	CAP_SYS_TIME,           /* the host's clock: not namespaced */
	CAP_MAC_ADMIN, CAP_MAC_OVERRIDE,        /* the host's LSM policy */
	CAP_SYSLOG,             /* the host's kernel log */
	CAP_WAKE_ALARM, CAP_BLOCK_SUSPEND,      /* the host's power management */
	CAP_AUDIT_CONTROL, CAP_AUDIT_READ,      /* the host's audit rules and log */
	CAP_SYS_PACCT,          /* the host's process accounting */
	CAP_BPF, CAP_PERFMON,   /* kernel-wide tracing and programs */
	CAP_CHECKPOINT_RESTORE, /* /proc/PID/map_files, ns_last_pid */
};

uint64_t caps_default_drop(void)
{
	uint64_t m = 0;

	for (size_t i = 0; i < sizeof default_drop / sizeof *default_drop; i++)
		m |= (uint64_t)1 << default_drop[i];
	return m;
}

const char *caps_name(unsigned cap)
{
	static char buf[64];
	char *s;

	if (cap >= 64)
		return NULL;
	s = cap_to_name((cap_value_t)cap);
	if (!s)
		return NULL;
	/* libcap prints an unknown one as its number */
	if (isdigit((unsigned char)s[0])) {
		cap_free(s);
		return NULL;
	}
	snprintf(buf, sizeof buf, "%s", s);
	cap_free(s);
	return buf;
}

int caps_parse(const char *words, uint64_t *mask, const char **bad, size_t *badlen)
{
	const char *p = words;

	*mask = 0;
	while (p && *p) {
		char name[64];
		size_t len;
		cap_value_t v;
		bool digits = true;

		p += strspn(p, " \t\n");
		len = strcspn(p, " \t\n");
		if (!len)
			break;
		for (size_t i = 0; i < len; i++)
			digits = digits && isdigit((unsigned char)p[i]);
		if (len == 3 && !strncasecmp(p, "all", 3)) {
			*mask = CAPS_ALL;
		} else {
			/* libcap wants "cap_x"; accept "x" and any case. */
			size_t pre = len > 4 && !strncasecmp(p, "cap_", 4) ? 0 : 4;
			if (digits || len + pre >= sizeof name)
				goto invalid;
			memcpy(name, "cap_", pre);
			for (size_t i = 0; i < len; i++)
				name[pre + i] = (char)tolower((unsigned char)p[i]);
			name[pre + len] = '\0';
			if (cap_from_name(name, &v) < 0 || v < 0 || v >= 64)
				goto invalid;
			*mask |= (uint64_t)1 << v;
		}
		p += len;
	}
	return 0;
invalid:
	*bad = p;
	*badlen = strcspn(p, " \t\n");
	return -EINVAL;
}

uint64_t caps_plan(const char *caps_drop, const char *caps_keep)
{
	uint64_t drop = 0, keep = 0;
	const char *bad;
	size_t badlen;

	if (caps_drop && caps_parse(caps_drop, &drop, &bad, &badlen) < 0)
		drop = 0;
	if (caps_keep && caps_parse(caps_keep, &keep, &bad, &badlen) < 0)
		keep = 0;
	return (caps_default_drop() | drop) & ~keep;
}

void hardening_reset_loginuid(void)
{
	char buf[32];
	int fd;

	/* (uid_t)-1 is "unset"; setting it needs CAP_AUDIT_CONTROL, which we
	 * still have here.  No audit in the kernel: no file, nothing to do. */
	if (read_file("/proc/self/loginuid", buf, sizeof buf) < 0 || !strcmp(buf, "4294967295"))
		return;
	fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "4294967295", 10) < 0) {
		/* audit=immutable: the id stays; pam_loginuid copes (PAM_IGNORE) */
	}
	close(fd);
}

int hardening_apply(uint64_t drop, struct sh_err *err)
{
	cap_value_t list[64];
	int n = 0, last = cap_max_bits() - 1;
	cap_t caps;

	hardening_reset_loginuid();
	for (int c = 0; c <= last && c < 64; c++) {
		if (!(drop & ((uint64_t)1 << c)) || !CAP_IS_SUPPORTED(c))
			continue;
		if (cap_drop_bound(c) < 0)
			return err_sys(err, errno, "drop capability %s from the bounding set",
				       caps_name((unsigned)c) ? caps_name((unsigned)c) : "?");
		list[n++] = c;
	}
	/* Effective and permitted lose them too; inheritable is emptied so
	 * nothing regains them across exec. */
	caps = cap_get_proc();
	if (!caps)
		return err_sys(err, errno, "read capabilities");
	if (cap_clear_flag(caps, CAP_INHERITABLE) < 0 ||
	    (n && cap_set_flag(caps, CAP_EFFECTIVE, n, list, CAP_CLEAR) < 0) ||
	    (n && cap_set_flag(caps, CAP_PERMITTED, n, list, CAP_CLEAR) < 0) ||
	    cap_set_proc(caps) < 0) {
		int e = errno;
		cap_free(caps);
		return err_sys(err, e, "set capabilities");
	}
	cap_free(caps);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return err_sys(err, errno, "clear ambient capabilities");
	return 0;
}

/* Is dir base, or inside it? */
static bool within(const char *dir, const char *base)
{
	size_t blen = strlen(base);

	return !strncmp(dir, base, blen) && (dir[blen] == '\0' || dir[blen] == '/' || blen == 1);
}

int hardening_protect_upper(const char *base, const char *upper, char *note, size_t notelen)
{
	_cleanup_free_ char *copy = xstrdup(upper);
	const char *dir = dirname(copy);
	/* The directory holding UPPER is ours to close when it is the
	 * subhost's own (BASE or below) and not a top-level one such as /srv,
	 * which may hold other things.  Anything else is only reported. */
	bool ours = within(dir, base) && strchr(dir + 1, '/') != NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;

	note[0] = '\0';
	if (!strcmp(dir, "/") || !strcmp(dir, "."))
		return 0;
	/* O_NOFOLLOW: we chmod what we checked, not what a symlink swapped
	 * in meanwhile points to. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!(st.st_mode & 077))
		return 0;
	if (!ours || st.st_uid != 0) {
		snprintf(note, notelen, "%s lets group or others in: host users may reach (and "
			 "run) setuid files written inside, in %s", dir, upper);
		return 2;
	}
	if (fchmod(fd, st.st_mode & 07700) < 0)
		return -errno;
	snprintf(note, notelen, "%s: mode %04o -> %04o, so that host users cannot reach (and "
		 "run) setuid files written inside, in %s", dir, (unsigned)(st.st_mode & 07777),
		 (unsigned)(st.st_mode & 07700), upper);
	return 1;
}
