/* test_distro.c - unit tests of the real-distribution parts: the host's APT
 * sources and the mmdebstrap/debootstrap command lines (bootstrap.c), the
 * RUNLEVEL and STOP_SIGNAL keys, and how pid 1 is asked to power off
 * (distro.c).  Unprivileged: temp files only, nothing is run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap.h"
#include "config.h"
#include "distro.h"

static char tmp[PATH_MAX];

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX + 64];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	char sub[PATH_MAX + 32];

	(void)state;
	snprintf(tmp, sizeof tmp, "/tmp/subhost-test-distro.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(sub, sizeof sub, "%s/sources.list.d", tmp);
	return mkdir(sub, 0755);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the host's APT sources ------------------------------------------------ */

static void test_sources_one_line(void **state)
{
	struct sh_list l = { NULL, 0 };

	(void)state;
	put("sources.list",
	    "# a comment\n"
	    "deb http://mirror.example/debian bookworm main contrib\n"
	    "deb-src http://mirror.example/debian bookworm main\n"
	    "deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg trusted=yes] http://m2.example/d bookworm-updates main # tail\n"
	    "deb http://security.example/ bookworm-security main\n"
	    "deb http://mirror.example/debian bookwormish main\n"
	    "deb http://mirror.example/debian trixie main\n"
	    "   deb   http://mirror.example/debian   bookworm/updates   main  \n");
	assert_int_equal(bootstrap_host_sources(tmp, "bookworm", &l), 4);
	assert_string_equal(l.v[0], "deb http://mirror.example/debian bookworm main contrib");
	assert_string_equal(l.v[1], "deb [signed-by=/usr/share/keyrings/k.gpg arch=amd64] "
			    "http://m2.example/d bookworm-updates main");
	assert_string_equal(l.v[2], "deb http://security.example/ bookworm-security main");
	assert_string_equal(l.v[3], "deb http://mirror.example/debian bookworm/updates main");
	sh_list_free(&l);
	assert_int_equal(bootstrap_host_sources(tmp, "sid", &l), 0);
	assert_int_equal(l.n, 0);
}

static void test_sources_deb822(void **state)
{
	struct sh_list l = { NULL, 0 };

	(void)state;
	/* this machine's layout: no sources.list, Debian's deb822 file, and
	 * third-party repositories of other suites */
	put("sources.list.d/debian.sources",
	    "Types: deb\n"
	    "# http://snapshot.debian.org/archive/debian/20250520T000000Z\n"
	    "URIs: http://deb.debian.org/debian\n"
	    "Suites: bookworm bookworm-updates\n"
	    "Components: main\n"
	    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
	    "\n"
	    "Types: deb deb-src\n"
	    "URIs: http://deb.debian.org/debian-security\n"
	    "Suites: bookworm-security\n"
	    "Components: main\n"
	    "  non-free-firmware\n"
	    "Signed-By:\n"
	    " -----BEGIN PGP PUBLIC KEY BLOCK-----\n"
	    " .\n"
	    " mQINBF...\n"
	    "\n"
	    "Types: deb-src\n"
	    "URIs: http://src.example/\n"
	    "Suites: bookworm\n"
	    "Components: main\n"
	    "\n"
	    "Enabled: no\n"
	    "Types: deb\n"
	    "URIs: http://off.example/\n"
	    "Suites: bookworm\n");
	put("sources.list.d/nodesource.sources",
	    "Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\n"
	    "Components: main\nArchitectures: amd64\n");
	put("sources.list.d/google.list", "deb https://packages.example/apt cloud-sdk-bookworm main\n");
	put("sources.list.d/ignored.list.save", "deb http://x.example/ bookworm main\n");
	put("sources.list.d/.hidden.list", "deb http://x.example/ bookworm main\n");
	assert_int_equal(bootstrap_host_sources(tmp, "bookworm", &l), 3);
	assert_string_equal(l.v[0], "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
			    "http://deb.debian.org/debian bookworm main");
	assert_string_equal(l.v[1], "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
			    "http://deb.debian.org/debian bookworm-updates main");
	/* the inline key can't go on one line: left to apt's keyrings */
	assert_string_equal(l.v[2], "deb http://deb.debian.org/debian-security bookworm-security "
			    "main non-free-firmware");
	sh_list_free(&l);
}

static void test_sources_missing(void **state)
{
	struct sh_list l = { NULL, 0 };
	char nowhere[PATH_MAX + 16];

	(void)state;
	snprintf(nowhere, sizeof nowhere, "%s/none", tmp);
	assert_int_equal(bootstrap_host_sources(nowhere, "bookworm", &l), 0);
}

/* ---- command lines ------------------------------------------------------------ */

static char *joined(const struct sh_list *l)
{
	static char buf[4096];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? "|" : "", l->v[i]);
	return buf;
}

static void test_argv(void **state)
{
	char *m[] = { "deb [signed-by=/k.gpg] http://d.example/debian bookworm main contrib",
		      "deb http://d.example/debian bookworm-updates main", NULL };
	struct sh_list mirrors = { m, 2 }, a = { NULL, 0 };
	struct bootstrap_opts o = { .suite = "bookworm" };
	struct sh_err err = { 0 };

	(void)state;
	assert_int_equal(bootstrap_argv("mmdebstrap", "/t", &o, &mirrors, &a, &err), 0);
	assert_string_equal(joined(&a), "mmdebstrap|--variant=minbase|--include=systemd-sysv|bookworm|/t|"
			    "deb [signed-by=/k.gpg] http://d.example/debian bookworm main contrib|"
			    "deb http://d.example/debian bookworm-updates main");
	sh_list_free(&a);
	o.init = "sysv";
	o.include = "cron, rsyslog  procps=2:4.0.2-3";
	o.quiet = true;
	assert_int_equal(bootstrap_argv("mmdebstrap", "/t", &o, &mirrors, &a, &err), 0);
	assert_string_equal(joined(&a), "mmdebstrap|--variant=minbase|"
			    "--include=sysvinit-core,cron,rsyslog,procps=2:4.0.2-3|--quiet|bookworm|/t|"
			    "deb [signed-by=/k.gpg] http://d.example/debian bookworm main contrib|"
			    "deb http://d.example/debian bookworm-updates main");
	sh_list_free(&a);
	o.init = "none";
	o.include = NULL;
	o.variant = "buildd";
	assert_int_equal(bootstrap_argv("debootstrap", "/t", &o, &mirrors, &a, &err), 0);
	assert_string_equal(joined(&a), "debootstrap|--variant=buildd|--components=main,contrib|"
			    "--keyring=/k.gpg|bookworm|/t|http://d.example/debian");
	sh_list_free(&a);
	o.mirror = "http://other.example/debian";
	assert_int_equal(bootstrap_argv("mmdebstrap", "/t", &o, &mirrors, &a, &err), 0);
	assert_string_equal(joined(&a), "mmdebstrap|--variant=buildd|--quiet|bookworm|/t|"
			    "http://other.example/debian");
	sh_list_free(&a);
}

static void test_argv_errors(void **state)
{
	struct sh_list none = { NULL, 0 }, a = { NULL, 0 };
	struct bootstrap_opts o = { .suite = "--root=/" };
	struct sh_err err = { 0 };

	(void)state;
	assert_int_equal(bootstrap_argv("mmdebstrap", "/t", &o, &none, &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "suite \"--root=/\" is invalid"));
	o.suite = "bookworm";
	o.variant = "min base";
	assert_int_equal(bootstrap_argv("mmdebstrap", "/t", &o, &none, &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "variant"));
	o.variant = NULL;
	o.include = "cron,--hook=x";
	assert_int_equal(bootstrap_argv("mmdebstrap", "/t", &o, &none, &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "package \"--hook=x\" is invalid"));
	o.include = NULL;
	o.init = "openrc";
	assert_int_equal(bootstrap_argv("mmdebstrap", "/t", &o, &none, &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "expected systemd, sysv or none"));
	o.init = NULL;
	o.mirror = "deb.debian.org";
	assert_int_equal(bootstrap_argv("mmdebstrap", "/t", &o, &none, &a, &err), -EINVAL);
	o.mirror = NULL;
	/* debootstrap needs one source of exactly the suite */
	assert_true(bootstrap_argv("debootstrap", "/t", &o, &none, &a, &err) < 0);
	assert_non_null(strstr(err.msg, "no APT source for suite bookworm"));
	assert_int_equal(a.n, 0);
}

static void test_conf_init(void **state)
{
	struct bootstrap_opts o = { .suite = "bookworm" };

	(void)state;
	assert_string_equal(bootstrap_conf_init(&o), "/sbin/init");
	o.init = "systemd";
	assert_string_equal(bootstrap_conf_init(&o), "/sbin/init");
	o.init = "sysv";
	assert_string_equal(bootstrap_conf_init(&o), "sysv");
	o.init = "none";
	assert_null(bootstrap_conf_init(&o));
}

static void test_tree_refuses_data(void **state)
{
	struct bootstrap_opts o = { .suite = "bookworm", .apt_dir = tmp };
	struct sh_err err = { 0 };

	(void)state;
	put("x", "data");
	assert_true(bootstrap_tree(tmp, &o, &err) < 0);
	assert_non_null(strstr(err.msg, "is not empty"));
	assert_true(bootstrap_tree("relative/dir", &o, &err) < 0);
	assert_non_null(strstr(err.msg, "absolute"));
	o.tool = "cdebootstrap";
	assert_true(bootstrap_tree("/nonexistent/t", &o, &err) < 0);
	assert_non_null(strstr(err.msg, "expected mmdebstrap or debootstrap"));
	/* no source for the suite: nothing is run */
	o.tool = "mmdebstrap";
	assert_true(bootstrap_tree("/nonexistent/t", &o, &err) < 0);
	assert_non_null(strstr(err.msg, "no APT source for suite bookworm"));
}

/* ---- RUNLEVEL, STOP_SIGNAL and the stop request ------------------------------ */

static void test_stop_signal(void **state)
{
	int sig = 0;

	(void)state;
	assert_int_equal(config_stop_signal("PWR", &sig), 0);
	assert_int_equal(sig, SIGPWR);
	assert_int_equal(config_stop_signal("SIGTERM", &sig), 0);
	assert_int_equal(sig, SIGTERM);
	assert_int_equal(config_stop_signal("SIGRTMIN+4", &sig), 0);
	assert_int_equal(sig, SIGRTMIN + 4);
	assert_int_equal(config_stop_signal("RTMIN", &sig), 0);
	assert_int_equal(sig, SIGRTMIN);
	assert_int_equal(config_stop_signal("RTMAX-1", &sig), 0);
	assert_int_equal(sig, SIGRTMAX - 1);
	assert_int_equal(config_stop_signal("37", &sig), 0);
	assert_int_equal(sig, 37);
	assert_int_equal(config_stop_signal("initctl", &sig), 0);
	assert_int_equal(sig, SH_STOP_INITCTL);
	assert_int_equal(config_stop_signal("KILL", &sig), -EINVAL);
	assert_int_equal(config_stop_signal("SIGSTOP", &sig), -EINVAL);
	assert_int_equal(config_stop_signal("0", &sig), -EINVAL);
	assert_int_equal(config_stop_signal("65", &sig), -EINVAL);
	assert_int_equal(config_stop_signal("RTMIN+99", &sig), -EINVAL);
	assert_int_equal(config_stop_signal("RTMIN+", &sig), -EINVAL);
	assert_int_equal(config_stop_signal("sigterm", &sig), -EINVAL);
	assert_int_equal(config_stop_signal("TERM ", &sig), -EINVAL);
	assert_int_equal(config_stop_signal("", &sig), -EINVAL);
}

static struct sh_config *load(const char *text, struct sh_err *err, int *r)
{
	static struct sh_config cfg;
	struct sh_config_opts opts = { .no_fs_checks = true };
	char p[PATH_MAX + 32];

	put("t.conf", text);
	snprintf(p, sizeof p, "%s/t.conf", tmp);
	*r = config_load(p, &opts, &cfg, err);
	return &cfg;
}

static void test_keys(void **state)
{
	struct sh_err err = { 0 };
	struct sh_config *c;
	int r;

	(void)state;
	c = load("BASE=.\nINIT=sysv\n", &err, &r);
	assert_int_equal(r, 0);
	assert_int_equal(c->runlevel, '2');
	assert_int_equal(c->stop_signal, 0);
	config_free(c);
	c = load("BASE=.\nINIT=sysv\nRUNLEVEL=3\nSTOP_SIGNAL=SIGPWR\n", &err, &r);
	assert_int_equal(r, 0);
	assert_int_equal(c->runlevel, '3');
	assert_int_equal(c->stop_signal, SIGPWR);
	config_free(c);
	c = load("BASE=.\nRUNLEVEL=6\n", &err, &r);
	assert_true(r < 0);
	assert_non_null(strstr(err.msg, "t.conf:2: RUNLEVEL=6 is invalid: expected a runlevel from 1 to 5"));
	config_free(c);
	c = load("BASE=.\nSTOP_SIGNAL=KILL\n", &err, &r);
	assert_true(r < 0);
	assert_non_null(strstr(err.msg, "t.conf:2: STOP_SIGNAL=KILL is invalid"));
	config_free(c);
}

static void test_stop_method(void **state)
{
	struct sh_config c = { .init_mode = INIT_SERVICES };

	(void)state;
	assert_int_equal(distro_stop_method(&c, "memfd:subhost-init"), SIGTERM);
	c.init_mode = INIT_SYSV;
	assert_int_equal(distro_stop_method(&c, NULL), SIGTERM);
	c.init_mode = INIT_EXEC;
	assert_int_equal(distro_stop_method(&c, "systemd"), SIGRTMIN + 4);
	assert_int_equal(distro_stop_method(&c, "init"), SH_STOP_INITCTL);
	assert_int_equal(distro_stop_method(&c, "tini"), SIGTERM);
	assert_int_equal(distro_stop_method(&c, NULL), SIGTERM);
	c.stop_signal = SIGPWR;
	assert_int_equal(distro_stop_method(&c, "systemd"), SIGPWR);
	c.init_mode = INIT_SERVICES;
	assert_int_equal(distro_stop_method(&c, NULL), SIGPWR);
}

static void test_machine_id(void **state)
{
	(void)state;
	assert_true(distro_machine_id_valid("0123456789abcdef0123456789abcdef"));
	assert_true(distro_machine_id_valid("0123456789abcdef0123456789abcdef\n"));
	assert_false(distro_machine_id_valid(""));
	assert_false(distro_machine_id_valid("uninitialized\n"));
	assert_false(distro_machine_id_valid("0123456789ABCDEF0123456789abcdef"));
	assert_false(distro_machine_id_valid("0123456789abcdef0123456789abcde"));
	assert_false(distro_machine_id_valid("0123456789abcdef0123456789abcdef0"));
	assert_false(distro_machine_id_valid("0123456789abcdef0123456789abcdef\n\n"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_sources_one_line), T(test_sources_deb822), T(test_sources_missing),
		T(test_argv), T(test_argv_errors), T(test_conf_init), T(test_tree_refuses_data),
		T(test_stop_signal), T(test_keys), T(test_stop_method), T(test_machine_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
