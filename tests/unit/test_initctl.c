/* test_initctl.c - unit tests of subhost-init's pure parts (SPEC section 5):
 * the /run/initctl record decoder, the command line, and the utmp records.
 *
 * The init sources are not part of the library objects, so they are
 * included here directly.  The utmp records are checked against glibc's
 * own <utmp.h> layout and read back with glibc's getutxent(), which is
 * what runlevel(8) and who(1) inside a guest use.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utmp.h>
#include <utmpx.h>

#include "../../src/init-initctl.c"
#include "../../src/init-args.c"
#include "../../src/init-utmp.c"

/* ---- initctl ----------------------------------------------------------- */

static void req_fill(struct init_request *r, int cmd, int runlevel)
{
	memset(r, 0, sizeof *r);
	r->magic = INIT_REQ_MAGIC;
	r->cmd = cmd;
	r->runlevel = runlevel;
}

/* A SETENV/UNSETENV record whose data is the len bytes of s. */
static void req_env(struct init_request *r, int cmd, const char *s, size_t len)
{
	req_fill(r, cmd, 0);
	memcpy(r->i.data, s, len);
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct init_request), 384);
	assert_int_equal(offsetof(struct init_request, magic), 0);
	assert_int_equal(offsetof(struct init_request, cmd), 4);
	assert_int_equal(offsetof(struct init_request, runlevel), 8);
	assert_int_equal(offsetof(struct init_request, sleeptime), 12);
	assert_int_equal(offsetof(struct init_request, i.data), 16);
	assert_int_equal(offsetof(struct init_request, i.bsd.pid), 16 + 108);
}

static void test_runlevels(void **state)
{
	static const struct { int in; char out; } cases[] = {
		{ '0', '0' }, { '6', '6' }, { '2', '2' }, { 's', 'S' }, { 'S', 'S' },
		{ 'q', 'Q' }, { 'u', 'U' }, { 'a', 'A' },
	};
	struct init_request r;
	struct init_req d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		req_fill(&r, INIT_CMD_RUNLVL, cases[i].in);
		init_initctl_decode(&r, sizeof r, &d);
		assert_int_equal(d.type, INIT_REQ_RUNLEVEL);
		assert_int_equal(d.runlevel, cases[i].out);
		assert_int_equal(d.cmd, INIT_CMD_RUNLVL);
	}
}

static void test_bad_runlevel(void **state)
{
	static const int bad[] = { 0, ' ', 0x7f, 0x130, -48, '0' + 256 };
	struct init_request r;
	struct init_req d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		req_fill(&r, INIT_CMD_RUNLVL, bad[i]);
		init_initctl_decode(&r, sizeof r, &d);
		assert_int_equal(d.type, INIT_REQ_BAD_RUNLEVEL);
	}
}

static void test_bad_magic(void **state)
{
	struct init_request r;
	struct init_req d;

	(void)state;
	req_fill(&r, INIT_CMD_RUNLVL, '0');
	r.magic = 0x69190903;   /* the other byte order */
	init_initctl_decode(&r, sizeof r, &d);
	assert_int_equal(d.type, INIT_REQ_BAD_MAGIC);
	assert_int_equal(d.magic, 0x69190903);
}

static void test_short(void **state)
{
	char buf[INIT_REQ_SIZE + 1];
	struct init_request r;
	struct init_req d;

	(void)state;
	req_fill(&r, INIT_CMD_RUNLVL, '0');
	memcpy(buf, &r, sizeof r);
	buf[INIT_REQ_SIZE] = 0;
	init_initctl_decode(buf, 0, &d);
	assert_int_equal(d.type, INIT_REQ_SHORT);
	init_initctl_decode(buf, 100, &d);
	assert_int_equal(d.type, INIT_REQ_SHORT);
	init_initctl_decode(buf, INIT_REQ_SIZE - 1, &d);
	assert_int_equal(d.type, INIT_REQ_SHORT);
	init_initctl_decode(buf, INIT_REQ_SIZE + 1, &d);
	assert_int_equal(d.type, INIT_REQ_SHORT);
	init_initctl_decode(buf, INIT_REQ_SIZE, &d);
	assert_int_equal(d.type, INIT_REQ_RUNLEVEL);
}

/* FIFO reads land anywhere in a buffer: no alignment is assumed. */
static void test_unaligned(void **state)
{
	char buf[INIT_REQ_SIZE + 3];
	struct init_request r;
	struct init_req d;

	(void)state;
	req_fill(&r, INIT_CMD_RUNLVL, '6');
	memcpy(buf + 3, &r, sizeof r);
	init_initctl_decode(buf + 3, sizeof r, &d);
	assert_int_equal(d.type, INIT_REQ_RUNLEVEL);
	assert_int_equal(d.runlevel, '6');
}

static void test_other_commands(void **state)
{
	static const int cmds[] = { INIT_CMD_START, INIT_CMD_POWERFAIL, INIT_CMD_POWERFAILNOW,
				    INIT_CMD_POWEROK, INIT_CMD_BSD, 12345, -1 };
	struct init_request r;
	struct init_req d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		req_fill(&r, cmds[i], '0');
		init_initctl_decode(&r, sizeof r, &d);
		assert_int_equal(d.type, INIT_REQ_OTHER);
		assert_int_equal(d.cmd, cmds[i]);
	}
}

/* sysvinit's halt/poweroff: INIT_HALT=HALT|POWEROFF before runlevel 0. */
static void test_setenv_halt(void **state)
{
/* a string literal and its size, embedded NULs and the final one included */
#define S(lit) lit, sizeof(lit)
	static const struct {
		const char *s;
		size_t len;
		enum init_halt halt;
		unsigned n;
	} cases[] = {
		{ S("INIT_HALT=POWEROFF"), INIT_HALT_POWEROFF, 1 },
		{ S("INIT_HALT=HALT"), INIT_HALT_HALT, 1 },
		{ S("INIT_HALT=poweroff"), INIT_HALT_POWEROFF, 1 },
		{ S("INIT_HALT"), INIT_HALT_CLEARED, 1 },              /* unset */
		{ S("INIT_HALT="), INIT_HALT_CLEARED, 1 },
		{ S("INIT_HALT=REBOOT"), INIT_HALT_CLEARED, 1 },
		{ S("INIT_HALT=HALTX"), INIT_HALT_CLEARED, 1 },
		{ S("INIT_HALTX=POWEROFF"), INIT_HALT_UNTOUCHED, 1 },
		{ S("XINIT_HALT=POWEROFF"), INIT_HALT_UNTOUCHED, 1 },
		{ S("FOO=1\0INIT_HALT=HALT\0BAR=2"), INIT_HALT_HALT, 3 },
		{ S("INIT_HALT=HALT\0INIT_HALT=POWEROFF"), INIT_HALT_POWEROFF, 2 },
		/* an empty string ends the list, as in sysvinit */
		{ S("FOO=1\0\0INIT_HALT=HALT"), INIT_HALT_UNTOUCHED, 1 },
		{ S(""), INIT_HALT_UNTOUCHED, 0 },
	};
#undef S
	struct init_request r;
	struct init_req d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		req_env(&r, INIT_CMD_SETENV, cases[i].s, cases[i].len);
		init_initctl_decode(&r, sizeof r, &d);
		assert_int_equal(d.type, INIT_REQ_SETENV);
		assert_int_equal(d.halt, cases[i].halt);
		assert_int_equal(d.nvars, cases[i].n);
	}
}

static void test_unsetenv(void **state)
{
	struct init_request r;
	struct init_req d;

	(void)state;
	req_env(&r, INIT_CMD_UNSETENV, "INIT_HALT", sizeof "INIT_HALT");
	init_initctl_decode(&r, sizeof r, &d);
	assert_int_equal(d.type, INIT_REQ_UNSETENV);
	assert_int_equal(d.halt, INIT_HALT_CLEARED);
	/* UNSETENV takes names: a KEY=VALUE there does not set anything */
	req_env(&r, INIT_CMD_UNSETENV, "INIT_HALT=POWEROFF", sizeof "INIT_HALT=POWEROFF");
	init_initctl_decode(&r, sizeof r, &d);
	assert_int_equal(d.halt, INIT_HALT_UNTOUCHED);
}

/* A data area filled to the brim, without any NUL, stays inside it. */
static void test_setenv_unterminated(void **state)
{
	struct init_request r;
	struct init_req d;

	(void)state;
	req_fill(&r, INIT_CMD_SETENV, 0);
	memset(r.i.data, 'A', sizeof r.i.data);
	init_initctl_decode(&r, sizeof r, &d);
	assert_int_equal(d.type, INIT_REQ_SETENV);
	assert_int_equal(d.nvars, 1);
	assert_int_equal(d.halt, INIT_HALT_UNTOUCHED);

	/* ...and one that ends exactly at the edge */
	memset(r.i.data, 0, sizeof r.i.data);
	memcpy(r.i.data + sizeof r.i.data - 18, "INIT_HALT=POWEROFF", 18);
	r.i.data[0] = 'X';
	memset(r.i.data + 1, 'Y', sizeof r.i.data - 19);
	r.i.data[sizeof r.i.data - 19] = '\0';
	init_initctl_decode(&r, sizeof r, &d);
	assert_int_equal(d.nvars, 2);
	assert_int_equal(d.halt, INIT_HALT_POWEROFF);
}

/* ---- command line ------------------------------------------------------ */

/* argc of a NULL-terminated argv array */
#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0]) - 1))

static int parse(int argc, char **argv, struct init_opts *o, char *err)
{
	return init_args_parse(argc, argv, o, err, 256);
}

static void test_args_defaults(void **state)
{
	char *argv[] = { "subhost-init", NULL };
	struct init_opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(1, argv, &o, err), 0);
	assert_int_equal(o.action, INIT_ACT_RUN);
	assert_int_equal(o.mode, INIT_MODE_SERVICES);
	assert_int_equal(o.runlevel, '2');
	assert_int_equal(o.grace, 5);
	assert_false(o.quiet);
	assert_null(o.name);
	assert_int_equal(o.nargs, 0);
	assert_null(o.args[0]);
}

static void test_args_full(void **state)
{
	char *argv[] = { "subhost-init", "--name", "web", "--mode", "sysv", "--runlevel", "3",
			 "--grace", "0", "--quiet", "--", "a", "--b", "", NULL };
	struct init_opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o, err), 0);
	assert_string_equal(o.name, "web");
	assert_int_equal(o.mode, INIT_MODE_SYSV);
	assert_int_equal(o.runlevel, '3');
	assert_int_equal(o.grace, 0);
	assert_true(o.quiet);
	assert_int_equal(o.nargs, 3);
	assert_string_equal(o.args[0], "a");
	assert_string_equal(o.args[1], "--b");  /* after --: an ARG */
	assert_string_equal(o.args[2], "");
	assert_null(o.args[3]);
}

static void test_args_forms(void **state)
{
	char *a1[] = { "subhost-init", "--mode=run", "--grace=86400", "sh", "-c", "exit 3", NULL };
	char *a2[] = { "subhost-init", "--mode", "exec", "--", "/sbin/init", "--log-level=debug",
		       NULL };
	char *a3[] = { "subhost-init", "--mode", "services", "--", NULL };
	struct init_opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(a1), a1, &o, err), 0);
	assert_int_equal(o.mode, INIT_MODE_RUN);
	assert_int_equal(o.grace, 86400);
	assert_int_equal(o.nargs, 3);   /* ARGS begin at the first non-option */
	assert_string_equal(o.args[1], "-c");

	assert_int_equal(parse(ARGC(a2), a2, &o, err), 0);
	assert_int_equal(o.mode, INIT_MODE_EXEC);
	assert_int_equal(o.nargs, 2);
	assert_string_equal(o.args[0], "/sbin/init");

	assert_int_equal(parse(ARGC(a3), a3, &o, err), 0);
	assert_int_equal(o.nargs, 0);
}

static void test_args_help_version(void **state)
{
	char *a1[] = { "subhost-init", "--help", NULL };
	char *a2[] = { "subhost-init", "--mode", "run", "--version", NULL };
	char *a3[] = { "subhost-init", "-h", "--bogus", NULL };
	struct init_opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(a1), a1, &o, err), 0);
	assert_int_equal(o.action, INIT_ACT_HELP);
	assert_int_equal(parse(ARGC(a2), a2, &o, err), 0);
	assert_int_equal(o.action, INIT_ACT_VERSION);
	assert_int_equal(parse(ARGC(a3), a3, &o, err), 0);
	assert_int_equal(o.action, INIT_ACT_HELP);
}

static void test_args_errors(void **state)
{
	static const struct { const char *a, *b; const char *msg; } cases[] = {
		{ "--bogus", NULL, "unknown option '--bogus'" },
		{ "--bogus=1", NULL, "unknown option '--bogus'" },
		{ "-x", NULL, "unknown option '-x'" },
		{ "--mode", NULL, "option '--mode' needs a value" },
		{ "--mode", "init", "--mode 'init': expected services, sysv, exec or run" },
		{ "--mode=", NULL, "--mode '': expected services, sysv, exec or run" },
		{ "--mode", "run", "--mode run needs a program to run after '--'" },
		{ "--mode", "exec", "--mode exec needs a program to run after '--'" },
		{ "--runlevel", "0", "--runlevel '0': expected 1 to 5" },
		{ "--runlevel", "6", "--runlevel '6': expected 1 to 5" },
		{ "--runlevel", "22", "--runlevel '22': expected 1 to 5" },
		{ "--runlevel", "S", "--runlevel 'S': expected 1 to 5" },
		{ "--grace", "-1", "--grace '-1': expected whole seconds from 0 to 86400" },
		{ "--grace", "5s", "--grace '5s': expected whole seconds from 0 to 86400" },
		{ "--grace", "", "--grace '': expected whole seconds from 0 to 86400" },
		{ "--grace", " 5", "--grace ' 5': expected whole seconds from 0 to 86400" },
		{ "--grace", "+5", "--grace '+5': expected whole seconds from 0 to 86400" },
		{ "--grace", "86401", "--grace '86401': expected whole seconds from 0 to 86400" },
		{ "--grace", "99999999999999999999", NULL },
		{ "--name", "", "--name must not be empty" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[] = { "subhost-init", (char *)cases[i].a, (char *)cases[i].b, NULL };
		int argc = cases[i].b ? 3 : 2;
		struct init_opts o;
		char err[256];

		assert_int_equal(parse(argc, argv, &o, err), -1);
		if (cases[i].msg)
			assert_string_equal(err, cases[i].msg);
		else
			assert_true(err[0] != '\0');
	}
}

static void test_mode_names(void **state)
{
	(void)state;
	assert_string_equal(init_mode_name(INIT_MODE_SERVICES), "services");
	assert_string_equal(init_mode_name(INIT_MODE_SYSV), "sysv");
	assert_string_equal(init_mode_name(INIT_MODE_EXEC), "exec");
	assert_string_equal(init_mode_name(INIT_MODE_RUN), "run");
	assert_string_equal(init_mode_name((enum init_mode)42), "?");
}

/* ---- utmp -------------------------------------------------------------- */

/* Our record must be glibc's struct utmp, field for field. */
static void test_utmp_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct init_utmp), sizeof(struct utmp));
	assert_int_equal(offsetof(struct init_utmp, ut_pid), offsetof(struct utmp, ut_pid));
	assert_int_equal(offsetof(struct init_utmp, ut_line), offsetof(struct utmp, ut_line));
	assert_int_equal(offsetof(struct init_utmp, ut_id), offsetof(struct utmp, ut_id));
	assert_int_equal(offsetof(struct init_utmp, ut_user), offsetof(struct utmp, ut_user));
	assert_int_equal(offsetof(struct init_utmp, ut_host), offsetof(struct utmp, ut_host));
	assert_int_equal(offsetof(struct init_utmp, ut_session), offsetof(struct utmp, ut_session));
	assert_int_equal(offsetof(struct init_utmp, ut_tv_sec), offsetof(struct utmp, ut_tv));
	assert_int_equal(offsetof(struct init_utmp, ut_addr_v6), offsetof(struct utmp, ut_addr_v6));
	assert_int_equal(INIT_UT_RUN_LVL, RUN_LVL);
	assert_int_equal(INIT_UT_BOOT_TIME, BOOT_TIME);
}

static void test_utmp_record(void **state)
{
	char release[300];
	struct init_utmp u;

	(void)state;
	init_utmp_record(&u, INIT_UT_RUN_LVL, '3', 'N', 1700000000, 123456, "6.1.0-test");
	assert_int_equal(u.ut_type, RUN_LVL);
	assert_int_equal(u.ut_pid, '3' + 256 * 'N');    /* runlevel(8): pid % 256, pid / 256 */
	assert_string_equal(u.ut_user, "runlevel");
	assert_memory_equal(u.ut_id, "~~\0\0", 4);
	assert_string_equal(u.ut_line, "~");
	assert_string_equal(u.ut_host, "6.1.0-test");
	assert_int_equal(u.ut_tv_sec, 1700000000);
	assert_int_equal(u.ut_tv_usec, 123456);

	/* a host field that fills the record's 256 bytes is cut, not overrun */
	memset(release, 'r', sizeof release - 1);
	release[sizeof release - 1] = '\0';
	init_utmp_record(&u, INIT_UT_BOOT_TIME, 0, 0, 1, 0, release);
	assert_int_equal(u.ut_type, BOOT_TIME);
	assert_int_equal(u.ut_pid, 0);
	assert_memory_equal(u.ut_user, "reboot\0", 7);
	assert_int_equal(u.ut_host[255], 'r');
	assert_int_equal(u.ut_termination, 0);
	assert_int_equal(u.ut_exit, 0);
}

static off_t file_size(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return -1;
	return sb.st_size;
}

static void test_utmp_write(void **state)
{
	char dir[] = "/tmp/test_initctl.XXXXXX", utmp_path[PATH_MAX], wtmp_path[PATH_MAX];
	struct init_utmp u;
	struct utmpx *ut;
	int runlvl = 0, boot = 0, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(utmp_path, sizeof utmp_path, "%s/utmp", dir);
	snprintf(wtmp_path, sizeof wtmp_path, "%s/wtmp", dir);

	/* utmp is created; wtmp only appended to if it exists */
	init_utmp_record(&u, INIT_UT_BOOT_TIME, 0, 0, 1000, 0, "rel");
	assert_int_equal(init_utmp_write(&u, utmp_path, wtmp_path), 0);
	assert_int_equal(file_size(utmp_path), 384);
	assert_int_equal(file_size(wtmp_path), -1);

	fd = open(wtmp_path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	init_utmp_record(&u, INIT_UT_RUN_LVL, '2', 'N', 1001, 0, "rel");
	assert_int_equal(init_utmp_write(&u, utmp_path, wtmp_path), 0);
	/* the second RUN_LVL record replaces the first in utmp, adds to wtmp */
	init_utmp_record(&u, INIT_UT_RUN_LVL, '3', '2', 1002, 0, "rel");
	assert_int_equal(init_utmp_write(&u, utmp_path, wtmp_path), 0);
	assert_int_equal(file_size(utmp_path), 2 * 384);
	assert_int_equal(file_size(wtmp_path), 2 * 384);

	/* and glibc reads it back as runlevel(8) would */
	assert_int_equal(utmpxname(utmp_path), 0);
	setutxent();
	while ((ut = getutxent())) {
		if (ut->ut_type == RUN_LVL) {
			runlvl++;
			assert_int_equal(ut->ut_pid % 256, '3');
			assert_int_equal(ut->ut_pid / 256, '2');
			assert_int_equal(ut->ut_tv.tv_sec, 1002);
			assert_string_equal(ut->ut_user, "runlevel");
		} else if (ut->ut_type == BOOT_TIME) {
			boot++;
			assert_int_equal(ut->ut_tv.tv_sec, 1000);
		}
	}
	endutxent();
	assert_int_equal(runlvl, 1);
	assert_int_equal(boot, 1);

	/* a directory where utmp should be: an error, not a crash */
	assert_int_equal(init_utmp_write(&u, dir, wtmp_path), -EISDIR);

	assert_int_equal(unlink(utmp_path), 0);
	assert_int_equal(unlink(wtmp_path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_runlevels),
		cmocka_unit_test(test_bad_runlevel),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_other_commands),
		cmocka_unit_test(test_setenv_halt),
		cmocka_unit_test(test_unsetenv),
		cmocka_unit_test(test_setenv_unterminated),
		cmocka_unit_test(test_args_defaults),
		cmocka_unit_test(test_args_full),
		cmocka_unit_test(test_args_forms),
		cmocka_unit_test(test_args_help_version),
		cmocka_unit_test(test_args_errors),
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_utmp_layout),
		cmocka_unit_test(test_utmp_record),
		cmocka_unit_test(test_utmp_write),
	};

	return cmocka_run_group_tests_name("initctl", tests, NULL, NULL);
}
