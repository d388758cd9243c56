/* test_hardening.c - unit tests of the hardening lists: capability names
 * and plans (hardening.c), the seccomp spec and filter (seccomp-filter.c;
 * the filter is loaded for real in a forked child), the device allow-list
 * (devices.c), the go helper's arguments (init-go.c, included here), the
 * UPPER protection, and the config keys' errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "devices.h"
#include "hardening.h"
#include "seccomp-filter.h"
#include "../../src/init-args.c"
#include "../../src/init-go.c"

#define BIT(c) ((uint64_t)1 << (c))

/* ---- capabilities ------------------------------------------------------- */

static void test_caps_parse(void **state)
{
	uint64_t m;
	const char *bad = NULL;
	size_t badlen = 0;

	(void)state;
	assert_int_equal(caps_parse("sys_time CAP_NET_RAW\tcap_chown\n Sys_Nice", &m, &bad, &badlen), 0);
	assert_true(m == (BIT(CAP_SYS_TIME) | BIT(CAP_NET_RAW) | BIT(CAP_CHOWN) | BIT(CAP_SYS_NICE)));
	assert_int_equal(caps_parse("", &m, &bad, &badlen), 0);
	assert_true(m == 0);
	assert_int_equal(caps_parse("  chown all ", &m, &bad, &badlen), 0);
	assert_true(m == CAPS_ALL);
	assert_int_equal(caps_parse("chown sys_bogus net_raw", &m, &bad, &badlen), -EINVAL);
	assert_int_equal(badlen, 9);
	assert_memory_equal(bad, "sys_bogus", 9);
	/* numbers are not names; cap_ alone is nothing */
	assert_int_equal(caps_parse("12", &m, &bad, &badlen), -EINVAL);
	assert_int_equal(caps_parse("cap_", &m, &bad, &badlen), -EINVAL);
	assert_string_equal(caps_name(CAP_SYS_TIME), "cap_sys_time");
}

static void test_caps_default(void **state)
{
	uint64_t d = caps_default_drop();
	static const int dropped[] = {
		CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_TIME, CAP_MAC_ADMIN, CAP_MAC_OVERRIDE,
		CAP_SYSLOG, CAP_WAKE_ALARM, CAP_BLOCK_SUSPEND, CAP_AUDIT_CONTROL, CAP_SYS_PACCT,
		CAP_BPF, CAP_PERFMON, CAP_AUDIT_READ, CAP_CHECKPOINT_RESTORE,
	};
	/* what inits, mount, ip and start-stop-daemon need inside */
	static const int kept[] = {
		CAP_SYS_BOOT, CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_NET_ADMIN, CAP_MKNOD,
		CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_KILL, CAP_AUDIT_WRITE,
		CAP_SYS_CHROOT, CAP_SYS_TTY_CONFIG, CAP_NET_RAW, CAP_SYS_RESOURCE,
	};

	(void)state;
	for (size_t i = 0; i < sizeof dropped / sizeof *dropped; i++)
		assert_true(d & BIT(dropped[i]));
	for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
		assert_false(d & BIT(kept[i]));
}

static void test_caps_plan(void **state)
{
	uint64_t d = caps_default_drop();

	(void)state;
	assert_true(caps_plan(NULL, NULL) == d);
	assert_true(caps_plan("net_raw sys_ptrace", NULL) == (d | BIT(CAP_NET_RAW) | BIT(CAP_SYS_PTRACE)));
	assert_true(caps_plan(NULL, "sys_time") == (d & ~BIT(CAP_SYS_TIME)));
	assert_true(caps_plan(NULL, "all") == 0);
	/* keep wins over "all": an allow-list */
	assert_true(caps_plan("all", "chown setuid") == (CAPS_ALL & ~(BIT(CAP_CHOWN) | BIT(CAP_SETUID))));
}

/* ---- seccomp: spec and plan ---------------------------------------------- */

static void check_spec(const char *spec, int want, const char *want_bad)
{
	const char *why = NULL, *bad = NULL;
	size_t badlen = 0;
	int r = sc_check(spec, &why, &bad, &badlen);

	if (r != want)
		fail_msg("sc_check(\"%s\") = %d, want %d (%s)", spec, r, want, why ? why : "");
	if (want_bad && (badlen != strlen(want_bad) || strncmp(bad, want_bad, badlen)))
		fail_msg("sc_check(\"%s\"): bad word \"%.*s\", want \"%s\"", spec, (int)badlen, bad,
			 want_bad);
}

static void test_seccomp_check(void **state)
{
	(void)state;
	check_spec(NULL, 0, NULL);
	check_spec("", 0, NULL);
	check_spec("default", 0, NULL);
	check_spec("none", 0, NULL);
	check_spec("  -keyctl +ptrace userfaultfd\n-ioctl ", 0, NULL);
	check_spec("stime vm86", 0, NULL);     /* i386-only names are names */
	check_spec("keyctl nosuchcall", -EINVAL, "nosuchcall");
	check_spec("none keyctl", -EINVAL, NULL);
	check_spec("-keyctl +", -EINVAL, "+");
	check_spec("-", -EINVAL, "-");
}

static const struct sc_rule *find_rule(const struct sc_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->rules[i].name, name))
			return &p->rules[i];
	return NULL;
}

static void test_seccomp_plan(void **state)
{
	uint64_t d = caps_default_drop();
	struct sc_plan p;
	static const char *const denied[] = {
		"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
		"open_by_handle_at", "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
		"swapon", "swapoff", "settimeofday", "clock_settime", "acct", "iopl", "ioperm",
		"syslog", "lookup_dcookie",
	};
	static const char *const allowed[] = {
		"mount", "umount2", "pivot_root", "unshare", "setns", "reboot", "ptrace",
		"userfaultfd", "name_to_handle_at", "adjtimex", "clock_adjtime", "clone3",
	};

	(void)state;
	sc_plan_make(NULL, d, &p);
	assert_false(p.off);
	for (size_t i = 0; i < sizeof denied / sizeof *denied; i++)
		if (!sc_plan_denies(&p, denied[i]))
			fail_msg("the default list does not deny %s", denied[i]);
	for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
		if (sc_plan_denies(&p, allowed[i]))
			fail_msg("the default list denies %s", allowed[i]);
	assert_int_equal(find_rule(&p, "ioctl")->match, SC_TTY_IOCTL);
	assert_int_equal(find_rule(&p, "mknod")->match, SC_MKNOD_BLOCK);
	assert_int_equal(find_rule(&p, "mknodat")->match, SC_MKNODAT_BLOCK);
	sc_plan_free(&p);

	sc_plan_make("-keyctl +ptrace -ioctl +ptrace default", d, &p);
	assert_false(sc_plan_denies(&p, "keyctl"));
	assert_false(sc_plan_denies(&p, "ioctl"));
	assert_true(sc_plan_denies(&p, "add_key"));
	assert_true(sc_plan_denies(&p, "ptrace"));
	assert_int_equal(find_rule(&p, "ptrace")->match, SC_ALWAYS);
	{
		size_t n = 0;
		for (size_t i = 0; i < p.n; i++)
			n += !strcmp(p.rules[i].name, "ptrace");
		assert_int_equal(n, 1);
	}
	sc_plan_free(&p);

	sc_plan_make("none", d, &p);
	assert_true(p.off);
	assert_false(sc_plan_denies(&p, "keyctl"));
	sc_plan_free(&p);

	/* CAPS_KEEP=sys_time lifts the clock rules, and only those */
	sc_plan_make(NULL, d & ~BIT(CAP_SYS_TIME), &p);
	assert_false(sc_plan_denies(&p, "settimeofday"));
	assert_false(sc_plan_denies(&p, "clock_settime"));
	assert_true(sc_plan_denies(&p, "kexec_load"));
	assert_true(sc_plan_denies(&p, "syslog"));
	sc_plan_free(&p);
}

static void test_seccomp_build(void **state)
{
	struct sh_err err = { 0 };
	struct sc_plan p;
	void *ctx;

	(void)state;
	sc_plan_make("+ptrace stime", caps_default_drop(), &p);
	ctx = sc_build(&p, &err);
	if (!ctx)
		fail_msg("sc_build: %s", err.msg);
#if defined(__x86_64__)
	assert_int_equal(sc_arch_count(ctx), 3);       /* x86_64, i386, x32 */
#elif defined(__aarch64__)
	assert_int_equal(sc_arch_count(ctx), 2);       /* aarch64, arm */
#else
	assert_true(sc_arch_count(ctx) >= 1);
#endif
	sc_release(ctx);
	sc_plan_free(&p);
}

/* ---- seccomp: loaded, in a child ------------------------------------------ */

#if defined(__x86_64__)
/* A system call through the i386 entry (int 0x80), as a 32-bit program
 * would make it. */
static long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}
#endif

/* What the child found, one code per probe. */
enum { P_KEYCTL, P_STI, P_STI_HIGH, P_WINSZ, P_MKBLK, P_MKFIFO, P_I386_KEYCTL, P_X32_KEYCTL,
       P_SETTIME, P_N };

static void probe(const char *spec, uint64_t caps_dropped, int res[P_N])
{
	int fds[2], master, slave;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sh_err err = { 0 };
		int out[P_N];
		char dir[] = "/tmp/subhost-test-sc.XXXXXX", path[64];
		struct winsize ws;
		struct timespec now;
		char c = 'x';

		/* Root may load without NO_NEW_PRIVS (as the supervisor does);
		 * anyone else needs it for the test. */
		if (geteuid() != 0)
			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (sc_load(spec, caps_dropped, &err) < 0) {
			fprintf(stderr, "sc_load: %s\n", err.msg);
			_exit(2);
		}
#define R(x) ((x) < 0 ? errno : 0)
		out[P_KEYCTL] = R(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
		out[P_STI] = R(ioctl(slave, TIOCSTI, &c));
		out[P_STI_HIGH] = R(syscall(SYS_ioctl, slave, 0x100000000UL | TIOCSTI, &c));
		out[P_WINSZ] = R(ioctl(slave, TIOCGWINSZ, &ws));
		if (!mkdtemp(dir))
			_exit(3);
		snprintf(path, sizeof path, "%s/blk", dir);
		out[P_MKBLK] = R(mknodat(AT_FDCWD, path, S_IFBLK | 0600, makedev(7, 255)));
		unlink(path);
		snprintf(path, sizeof path, "%s/fifo", dir);
		out[P_MKFIFO] = R(mknodat(AT_FDCWD, path, S_IFIFO | 0600, 0));
		unlink(path);
		rmdir(dir);
#if defined(__x86_64__)
		{
			long r = int80(288 /* i386 keyctl */, 0, -3, 0);
			out[P_I386_KEYCTL] = r < 0 ? (int)-r : 0;
			r = syscall(0x40000000L | 250 /* x32 keyctl */, 0, -3, 0);
			out[P_X32_KEYCTL] = r < 0 ? errno : 0;
		}
#else
		out[P_I386_KEYCTL] = out[P_X32_KEYCTL] = -1;
#endif
		/* setting the clock to what it is: harmless if it got through */
		clock_gettime(CLOCK_REALTIME, &now);
		out[P_SETTIME] = R(syscall(SYS_clock_settime, CLOCK_REALTIME, &now));
		if (write(fds[1], out, sizeof out) != sizeof out)
			_exit(4);
		_exit(0);
	}
	{
		int status;
		assert_int_equal(read(fds[0], res, sizeof(int) * P_N), (ssize_t)sizeof(int) * P_N);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(fds[0]);
	close(fds[1]);
	close(master);
	close(slave);
}

static void test_seccomp_loaded(void **state)
{
	int r[P_N];

	(void)state;
	probe(NULL, caps_default_drop(), r);
	assert_int_equal(r[P_KEYCTL], EPERM);
	assert_int_equal(r[P_STI], EPERM);
	assert_int_equal(r[P_STI_HIGH], EPERM);         /* high bits cannot hide TIOCSTI */
	assert_int_equal(r[P_WINSZ], 0);                /* other ioctls work */
	assert_int_equal(r[P_MKBLK], EPERM);
	assert_int_equal(r[P_MKFIFO], 0);               /* other nodes work */
	assert_int_equal(r[P_SETTIME], EPERM);
#if defined(__x86_64__)
	assert_int_equal(r[P_I386_KEYCTL], EPERM);      /* the 32-bit entry is filtered too */
	assert_int_equal(r[P_X32_KEYCTL], EPERM);       /* and x32 */
#endif

	/* -keyctl: the call reaches the kernel (which answers, not EPERM) */
	probe("-keyctl -ioctl", caps_default_drop(), r);
	assert_int_not_equal(r[P_KEYCTL], EPERM);
	assert_int_equal(r[P_MKBLK], EPERM);
#if defined(__x86_64__)
	assert_int_not_equal(r[P_I386_KEYCTL], EPERM);
#endif
}

/* ---- devices ------------------------------------------------------------- */

static void test_devices(void **state)
{
	size_t n;
	const struct dev_rule *d = devices_default(&n);
	const struct dev_rule extra[] = { { 'b', 7, 3 } };
	struct dev_rule all[64];

	(void)state;
	assert_true(devices_allowed(d, n, 'c', 1, 3));         /* null */
	assert_true(devices_allowed(d, n, 'c', 1, 9));         /* urandom */
	assert_true(devices_allowed(d, n, 'c', 5, 2));         /* ptmx */
	assert_true(devices_allowed(d, n, 'c', 136, 7));       /* a pty */
	assert_true(devices_allowed(d, n, 'c', 143, 0));
	assert_true(devices_allowed(d, n, 'c', 10, 200));      /* tun */
	assert_true(devices_allowed(d, n, 'c', 10, 229));      /* fuse */
	assert_false(devices_allowed(d, n, 'c', 1, 1));        /* mem */
	assert_false(devices_allowed(d, n, 'c', 1, 11));       /* kmsg */
	assert_false(devices_allowed(d, n, 'c', 5, 1));        /* the host's console */
	assert_false(devices_allowed(d, n, 'c', 4, 1));        /* tty1 */
	assert_false(devices_allowed(d, n, 'c', 21, 0));       /* sg0 */
	assert_false(devices_allowed(d, n, 'c', 10, 130));     /* watchdog */
	assert_false(devices_allowed(d, n, 'b', 8, 0));        /* sda */
	assert_false(devices_allowed(d, n, 'b', 254, 0));      /* vda */
	assert_false(devices_allowed(d, n, 'b', 7, 3));        /* loop3 */
	assert_false(devices_allowed(d, n, 'b', 1, 3));        /* type matters */
	memcpy(all, d, n * sizeof *d);
	all[n] = extra[0];
	assert_true(devices_allowed(all, n + 1, 'b', 7, 3));
	assert_false(devices_allowed(all, n + 1, 'b', 7, 4));
}

/* ---- the go helper's arguments ---------------------------------------------- */

static void test_go_parse(void **state)
{
	char err[256];
	struct go_opts o;
	char *a1[] = { "--go", "--pidfd", "3", "--caps-drop", "1ff00", "--tty", "--", "ls", "-l", NULL };
	char *a2[] = { "--go", "--caps-drop", "0", "--pidfd", "7", "--", NULL };
	char *a3[] = { "--go", "--pidfd", "3", NULL };
	char *a4[] = { "--go", "--pidfd", "x", "--caps-drop", "0", NULL };
	char *a5[] = { "--go", "--pidfd", "3", "--caps-drop", "-1", NULL };
	char *a6[] = { "--go", "--bogus", NULL };
	char *a7[] = { "--go", "--pidfd", "3", "--caps-drop", NULL };

	(void)state;
	assert_int_equal(init_go_parse(9, a1, &o, err, sizeof err), 0);
	assert_int_equal(o.pidfd, 3);
	assert_true(o.caps_drop == 0x1ff00);
	assert_true(o.tty);
	assert_string_equal(o.cmd[0], "ls");
	assert_string_equal(o.cmd[1], "-l");
	assert_null(o.cmd[2]);
	assert_int_equal(init_go_parse(6, a2, &o, err, sizeof err), 0);
	assert_int_equal(o.pidfd, 7);
	assert_false(o.tty);
	assert_null(o.cmd[0]);                          /* a login shell */
	assert_int_equal(init_go_parse(3, a3, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "--caps-drop"));
	assert_int_equal(init_go_parse(5, a4, &o, err, sizeof err), -1);
	assert_int_equal(init_go_parse(5, a5, &o, err, sizeof err), -1);
	assert_int_equal(init_go_parse(2, a6, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(init_go_parse(4, a7, &o, err, sizeof err), -1);
}

/* ---- UPPER's directory ------------------------------------------------------ */

static void test_protect_upper(void **state)
{
	char base[] = "/tmp/subhost-test-upper.XXXXXX", upper[64], other[64], note[512];
	struct stat st;
	int r;

	(void)state;
	assert_non_null(mkdtemp(base));
	snprintf(upper, sizeof upper, "%s/root", base);
	assert_int_equal(mkdir(upper, 0755), 0);
	assert_int_equal(chmod(base, 0755), 0);
	r = hardening_protect_upper(base, upper, note, sizeof note);
	assert_int_equal(stat(base, &st), 0);
	if (geteuid() == 0) {
		assert_int_equal(r, 1);
		assert_int_equal(st.st_mode & 07777, 0700);
		assert_non_null(strstr(note, "0755 -> 0700"));
		assert_non_null(strstr(note, base));
		/* again: nothing to do */
		assert_int_equal(hardening_protect_upper(base, upper, note, sizeof note), 0);
	} else {
		assert_int_equal(r, 2);                 /* not root's: only told */
		assert_int_equal(st.st_mode & 07777, 0755);
	}
	/* UPPER outside BASE: its directory is never changed, only reported */
	snprintf(other, sizeof other, "%s/elsewhere", base);
	assert_int_equal(mkdir(other, 0755), 0);
	snprintf(upper, sizeof upper, "%s/elsewhere/up", base);
	assert_int_equal(mkdir(upper, 0755), 0);
	assert_int_equal(hardening_protect_upper("/nonexistent", upper, note, sizeof note), 2);
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(hardening_protect_upper("/", "/x", note, sizeof note), 0);
	/* a top-level directory is never closed, even as BASE: /srv may hold
	 * more (/proc stands in for it: it could not be changed anyway) */
	assert_int_equal(hardening_protect_upper("/proc", "/proc/up", note, sizeof note), 2);
	rmdir(upper);
	rmdir(other);
	snprintf(upper, sizeof upper, "%s/root", base);
	rmdir(upper);
	rmdir(base);
}

/* ---- the keys in a conf ----------------------------------------------------- */

static int load_conf(const char *body, char *msg, size_t msglen)
{
	char dir[] = "/tmp/subhost-test-hconf.XXXXXX", path[128], sub[160];
	struct sh_config_opts opts = { 0 };
	struct sh_config cfg;
	struct sh_err err = { 0 };
	FILE *f;
	int r;

	assert_non_null(mkdtemp(dir));
	for (const char *const *d = (const char *const[]){ "live", "root", "work", NULL }; *d; d++) {
		snprintf(sub, sizeof sub, "%s/%s", dir, *d);
		mkdir(sub, 0755);
	}
	snprintf(path, sizeof path, "%s/h.conf", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	fprintf(f, "BASE=.\n%s", body);
	fclose(f);
	r = config_load(path, &opts, &cfg, &err);
	snprintf(msg, msglen, "%s", err.msg);
	config_free(&cfg);
	unlink(path);
	for (const char *const *d = (const char *const[]){ "live", "root", "work", NULL }; *d; d++) {
		snprintf(sub, sizeof sub, "%s/%s", dir, *d);
		rmdir(sub);
	}
	rmdir(dir);
	return r;
}

static void test_conf_keys(void **state)
{
	char msg[1024];

	(void)state;
	assert_int_equal(load_conf("CAPS_DROP=( net_raw sys_ptrace )\nCAPS_KEEP=sys_time\n"
				   "SECCOMP=-keyctl +userfaultfd\n", msg, sizeof msg), 0);
	assert_int_equal(load_conf("CAPS_DROP=all\nCAPS_KEEP=chown\nSECCOMP=none\n", msg, sizeof msg), 0);
	assert_int_equal(load_conf("START=none\nCAPS_DROP= net_raw cap_sys_bogus\n", msg, sizeof msg), -EINVAL);
	assert_non_null(strstr(msg, "h.conf:3: CAPS_DROP: \"cap_sys_bogus\" is not a capability"));
	assert_int_equal(load_conf("CAPS_KEEP=( chown\n  nonsense )\n", msg, sizeof msg), -EINVAL);
	assert_non_null(strstr(msg, "h.conf:2: CAPS_KEEP: \"nonsense\""));
	assert_int_equal(load_conf("CAPS_DROP=net_raw sys_time\nCAPS_KEEP=sys_time\n", msg, sizeof msg), -EINVAL);
	assert_non_null(strstr(msg, "h.conf:3: CAPS_KEEP keeps cap_sys_time, which CAPS_DROP (line 2) drops"));
	assert_int_equal(load_conf("SECCOMP=+keyctl -no_such_call\n", msg, sizeof msg), -EINVAL);
	assert_non_null(strstr(msg, "h.conf:2: SECCOMP: \"-no_such_call\": not a system call"));
	assert_int_equal(load_conf("SECCOMP=!printf -- '-keyctl\\nfoo=bar\\n+ptrace'\nSTART=none\n", msg, sizeof msg), -EINVAL);
	assert_non_null(strstr(msg, "\"foo=bar\": not a system call"));
	assert_int_equal(load_conf("SECCOMP=none -keyctl\n", msg, sizeof msg), -EINVAL);
	assert_non_null(strstr(msg, "\"none\" turns the filter off"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_parse),
		cmocka_unit_test(test_caps_default),
		cmocka_unit_test(test_caps_plan),
		cmocka_unit_test(test_seccomp_check),
		cmocka_unit_test(test_seccomp_plan),
		cmocka_unit_test(test_seccomp_build),
		cmocka_unit_test(test_seccomp_loaded),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_go_parse),
		cmocka_unit_test(test_protect_upper),
		cmocka_unit_test(test_conf_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
