/* test_config.c - unit tests of config.c (SPEC section 2): overlay-boot's
 * examples, the syntax, !commands, NAME and BASE, paths and loading.
 * The keys' meanings are in test_config_keys.c. */
#include "config-fixture.h"

/* ---- overlay-boot's examples ----------------------------------------- */

static void check_overlay_defaults(struct fx *f, const struct sh_config *cfg, const char *sub)
{
	char path[PATH_MAX];

	assert_string_equal(cfg->base, P(f, sub));
	snprintf(path, sizeof path, "%s%slive", sub, *sub ? "/" : "");
	assert_string_equal(cfg->live, P(f, path));
	snprintf(path, sizeof path, "%s%sroot", sub, *sub ? "/" : "");
	assert_string_equal(cfg->upper, P(f, path));
	snprintf(path, sizeof path, "%s%swork", sub, *sub ? "/" : "");
	assert_string_equal(cfg->work, P(f, path));
	assert_false(cfg->bind_root);
	assert_int_equal(cfg->init_mode, INIT_SERVICES);
	assert_null(cfg->premount);
	assert_null(cfg->postmount);
	assert_string_equal(cfg->ram_size, "50M");
	assert_int_equal(cfg->nshares, 0);
	assert_int_equal(cfg->nreserved, 0);
}

static void test_minimal(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "ex1.conf", "BASE=.\n", &cfg);
	assert_string_equal(cfg.path, P(f, "ex1.conf"));
	assert_string_equal(cfg.name, "ex1");
	assert_string_equal(cfg.hostname, "ex1");
	check_overlay_defaults(f, &cfg, "");
	LIST_IS(&cfg.lower, "/");
	assert_true(cfg.lower_has_host_root);
	LIST_IS(&cfg.start, "networking", "ssh");
	assert_int_equal(cfg.ncables, 0);
	assert_null(cfg.cables);
	assert_string_equal(cfg.log, "/var/log/subhost/ex1.log");
	assert_int_equal(f->nwarn, 0);
	config_free(&cfg);
}

static void test_copy(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkbase(f, "copy");
	load_ok(f, "copy/copy.conf", "BASE=.\n", &cfg);
	assert_string_equal(cfg.name, "copy");
	check_overlay_defaults(f, &cfg, "copy");
	LIST_IS(&cfg.lower, "/");
	LIST_IS(&cfg.start, "networking", "ssh");
	assert_int_equal(cfg.ncables, 0);
	config_free(&cfg);
}

static void test_tiny(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkbase(f, "tiny");
	mkd(f, "tiny/base");
	load_ok(f, "tiny/tiny.conf", "BASE=.\nCABLES= =\nSTART= none\nLOWER= base\n", &cfg);
	assert_string_equal(cfg.name, "tiny");
	check_overlay_defaults(f, &cfg, "tiny");
	assert_int_equal(cfg.ncables, 1);
	assert_null(cfg.cables[0].bridge);
	assert_null(cfg.cables[0].mac);
	assert_int_equal(cfg.cables[0].vlan, 0);
	assert_int_equal(cfg.cables[0].line, 2);
	assert_int_equal(cfg.start.n, 0);
	LIST_IS(&cfg.lower, P(f, "tiny/base"));
	assert_false(cfg.lower_has_host_root);
	config_free(&cfg);
}

static void test_mta(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkbase(f, "mta");
	load_ok(f, "mta/mta.conf",
		"BASE=.\nCABLES= =\nSTART= rsyslog networking ssh saslauthd postfix dovecot\n", &cfg);
	assert_string_equal(cfg.name, "mta");
	check_overlay_defaults(f, &cfg, "mta");
	assert_int_equal(cfg.ncables, 1);
	assert_null(cfg.cables[0].bridge);
	assert_null(cfg.cables[0].mac);
	LIST_IS(&cfg.start, "rsyslog", "networking", "ssh", "saslauthd", "postfix", "dovecot");
	LIST_IS(&cfg.lower, "/");
	config_free(&cfg);
}

/* ---- syntax ------------------------------------------------------------ */

static void test_whitespace_comments(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf",
		"  # a comment\n\n\t\n\tBASE = . \n   START =  a   b  \n#START=c\n  RAM_SIZE=1G\r\n", &cfg);
	assert_string_equal(cfg.base, f->dir);
	LIST_IS(&cfg.start, "a", "b");
	assert_string_equal(cfg.ram_size, "1G");
	assert_int_equal(f->nwarn, 0);
	config_free(&cfg);
}

static void test_quotes(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf",
		"BASE=\".\"\nNAME=\"q1\"\nHOSTNAME='h-1'\nLOG=\"a b.log\"\nSTART='x y'\n"
		"PREMOUNT=\"a\" \"b\"\nPOSTMOUNT='it''s'\n", &cfg);
	assert_string_equal(cfg.name, "q1");
	assert_string_equal(cfg.hostname, "h-1");
	assert_string_equal(cfg.log, P(f, "a b.log"));
	LIST_IS(&cfg.start, "x", "y");
	assert_string_equal(cfg.premount, "\"a\" \"b\"");     /* not one pair */
	assert_string_equal(cfg.postmount, "'it''s'");
	config_free(&cfg);
}

static void test_syntax_error(void **state)
{
	FAIL(*state, "BASE=.\n\njunk line\n", 3, "expected KEY=VALUE", "got \"junk line\"");
}

static void test_bad_key(void **state)
{
	FAIL(*state, "BASE=.\n9X=1\n", 2, "expected KEY=VALUE", "\"9X=1\"");
	FAIL(*state, "A-B = 1\n", 1, "expected KEY=VALUE", "\"A-B = 1\"");
	FAIL(*state, "two words=1\n", 1, "expected KEY=VALUE");
	FAIL(*state, "=value\n", 1, "expected KEY=VALUE");
}

static void test_unknown_key_warns(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char want[PATH_MAX + 64];

	load_ok(f, "t.conf", "BASE=.\nFOO=bar\nFOO2=( a\nb )\nFOO=!false\n", &cfg);
	assert_int_equal(f->nwarn, 3);
	snprintf(want, sizeof want, "%s:2: unknown key FOO (ignored)\n", P(f, "t.conf"));
	has(f->warns, want);
	snprintf(want, sizeof want, "%s:3: unknown key FOO2 (ignored)\n", P(f, "t.conf"));
	has(f->warns, want);
	/* an unknown key's command never runs */
	snprintf(want, sizeof want, "%s:5: unknown key FOO (ignored)\n", P(f, "t.conf"));
	has(f->warns, want);
	config_free(&cfg);

	f->opts.warn = NULL;
	load_ok(f, "t.conf", NULL, &cfg);
	config_free(&cfg);
}

static void test_repeat_last_wins(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=/nonexistent\nBASE=.\nSTART=a\nSTART=b c\nRAM_SIZE=1G\nRAM_SIZE=2G\n", &cfg);
	assert_string_equal(cfg.base, f->dir);
	LIST_IS(&cfg.start, "b", "c");
	assert_string_equal(cfg.ram_size, "2G");
	assert_int_equal(f->nwarn, 0);
	config_free(&cfg);
}

static void test_repeat_share(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char text[PATH_MAX * 2];

	mkd(f, "d1");
	mkd(f, "d2");
	snprintf(text, sizeof text, "BASE=.\nSHARE=d1\nSTART=x\nSHARE=%s:/mnt/x:ro\nSHARE=d1:/again\n", P(f, "d2"));
	load_ok(f, "t.conf", text, &cfg);
	assert_int_equal(cfg.nshares, 3);
	assert_string_equal(cfg.shares[0].hostdir, P(f, "d1"));
	assert_string_equal(cfg.shares[0].subdir, "/d1");
	assert_false(cfg.shares[0].ro);
	assert_int_equal(cfg.shares[0].line, 2);
	assert_string_equal(cfg.shares[1].hostdir, P(f, "d2"));
	assert_string_equal(cfg.shares[1].subdir, "/mnt/x");
	assert_true(cfg.shares[1].ro);
	assert_int_equal(cfg.shares[1].line, 4);
	assert_string_equal(cfg.shares[2].subdir, "/again");
	assert_int_equal(cfg.shares[2].line, 5);
	config_free(&cfg);
}

static void test_array_one_line(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nADDRESS=( eth0=10.0.3.2/24 eth1=10.0.4.2/24 )\n", &cfg);
	LIST_IS(&cfg.address, "eth0=10.0.3.2/24", "eth1=10.0.4.2/24");
	assert_int_equal(cfg.nreserved, 1);
	assert_string_equal(cfg.reserved[0].key, "ADDRESS");
	assert_int_equal(cfg.reserved[0].line, 2);
	config_free(&cfg);

	load_ok(f, "t.conf", "BASE=.\nADDRESS=(a b)\nSTART=()\n", &cfg);
	LIST_IS(&cfg.address, "a", "b");
	assert_int_equal(cfg.start.n, 0);
	config_free(&cfg);
}

static void test_array_multi_line(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nADDRESS=(\n  a\n  # a comment\n\n  b\n c )\nSTART=x\nSTART=(\n ssh\n)\n", &cfg);
	LIST_IS(&cfg.address, "a", "b", "c");
	assert_int_equal(cfg.reserved[0].line, 2);
	LIST_IS(&cfg.start, "ssh");
	config_free(&cfg);

	/* the line count goes on after an array: the error is on line 5 */
	FAIL(f, "BASE=.\nADDRESS=( a\nb\n)\nbad\n", 5, "expected KEY=VALUE");
}

static void test_array_quoted(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nADDRESS=( \"a b\" 'c)d' e\\\"f \"g\\\"h\" x'y z'\n 'multi\nline' )\n", &cfg);
	LIST_IS(&cfg.address, "a b", "c)d", "e\"f", "g\"h", "xy z", "multi\nline");
	config_free(&cfg);
}

static void test_array_malformed(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	FAIL(f, "BASE=.\nDISKS=( a\nb\n", 2, "malformed array for DISKS", "expected ')'");
	FAIL(f, "BASE=.\nADDRESS=( 'a )\n", 2, "malformed array for ADDRESS", "expected ')'");
	FAIL(f, "BASE=.\nSTART=( a ) b\n", 2, "malformed array for START", "after ')'");
	FAIL(f, "BASE=.\nSTART=( a\n) b\n", 3, "malformed array for START", "after ')'");
	/* a bash comment after ')' is fine */
	load_ok(f, "t.conf", "BASE=.\nSTART=( a ) # services\n", &cfg);
	LIST_IS(&cfg.start, "a");
	config_free(&cfg);
}

static void test_array_scalar_key(void **state)
{
	FAIL(*state, "BASE=( . )\n", 1, "BASE takes one value, not a bash array");
	FAIL(*state, "BASE=.\nLOWER=(\n/\n)\n", 2, "LOWER takes one value");
}

static void test_split_list(void **state)
{
	struct sh_list l;

	(void)state;
	assert_int_equal(config_split_list("  a  b\tc\n", &l), 0);
	LIST_IS(&l, "a", "b", "c");
	sh_list_free(&l);
	assert_int_equal(config_split_list("( a 'b c' \"d\" )", &l), 0);
	LIST_IS(&l, "a", "b c", "d");
	sh_list_free(&l);
	assert_int_equal(config_split_list("", &l), 0);
	assert_int_equal(l.n, 0);
	sh_list_free(&l);
	assert_int_equal(config_split_list("()", &l), 0);
	assert_int_equal(l.n, 0);
	sh_list_free(&l);
	assert_int_equal(config_split_list("a) b", &l), 0);     /* ')' is plain outside arrays */
	LIST_IS(&l, "a)", "b");
	sh_list_free(&l);
	assert_int_equal(config_split_list("a\\ b c", &l), 0);
	LIST_IS(&l, "a b", "c");
	sh_list_free(&l);
	assert_int_equal(config_split_list("( a b", &l), -EINVAL);
	assert_null(l.v);
	assert_int_equal(config_split_list("( a ) b", &l), -EINVAL);
	assert_int_equal(config_split_list("a 'b", &l), -EINVAL);
	assert_int_equal(config_split_list("( \"a )", &l), -EINVAL);
	assert_int_equal(l.n, 0);
}

/* ---- !commands ----------------------------------------------------------- */

static void test_command_cwd_trim(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkbase(f, "sub");
	mkd(f, "etc");
	load_ok(f, "etc/c1.conf",
		"BASE=../sub\nLOG=!pwd\nHOSTNAME=!printf '  h1 \\n\\n'\nSTART=!printf 'a\\nb  c\\n'\nDISKS=!cat\n", &cfg);
	assert_string_equal(cfg.log, P(f, "sub"));     /* ran in BASE */
	assert_string_equal(cfg.hostname, "h1");
	LIST_IS(&cfg.start, "a", "b", "c");
	assert_int_equal(cfg.ndisks, 0);               /* stdin is /dev/null */
	config_free(&cfg);
}

static void test_command_env(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char want[PATH_MAX * 3];

	setenv("BASE", "/leak", 1);
	setenv("SUBHOST_TEST_OURS", "kept", 1);
	load_ok(f, "t.conf",
		"NAME=!echo \"x${BASE}y\"\nBASE=!echo .\n"
		"GATEWAY=!echo \"$CONFIG|$NAME|$ACTION|$BASE|$SUBHOST_TEST_OURS\"\n", &cfg);
	unsetenv("BASE");
	/* the caller's BASE never reaches NAME's command */
	assert_string_equal(cfg.name, "xy");
	snprintf(want, sizeof want, "%s|xy|overlay-boot|%s|kept", P(f, "t.conf"), f->dir);
	assert_string_equal(cfg.gateway, want);
	config_free(&cfg);

	f->opts.action = "overlay-stop";
	load_ok(f, "t.conf", "BASE=.\nGATEWAY=!echo $ACTION $SUBHOST_KEY\n", &cfg);
	assert_string_equal(cfg.gateway, "overlay-stop GATEWAY");
	config_free(&cfg);
	unsetenv("SUBHOST_TEST_OURS");
}

static void test_command_order(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkbase(f, "sub");
	/* NAME and BASE are evaluated first, in the conf's directory, even
	 * when they come last; the others then see them */
	load_ok(f, "t.conf", "START=!echo $NAME $(basename $BASE) $(basename $PWD)\n"
		"BASE=!test -d sub && echo sub\nNAME=!echo n2\n", &cfg);
	assert_string_equal(cfg.name, "n2");
	assert_string_equal(cfg.base, P(f, "sub"));
	LIST_IS(&cfg.start, "n2", "sub", "sub");
	config_free(&cfg);
}

static void test_command_fails(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nSTART=!exit 3\n", 2, "START: command \"exit 3\" failed (exit status 3)");
	FAIL(f, "BASE=.\n\nNAME=! false\n", 3, "NAME: command \"false\" failed (exit status 1)");
	FAIL(f, "BASE=!exit 2\n", 1, "BASE: command \"exit 2\" failed (exit status 2)");
	FAIL(f, "BASE=.\nLOG=!kill -9 $$\n", 2, "LOG: command \"kill -9 $$\" failed (killed by signal 9)");
	FAIL(f, "BASE=.\nLOG=!nosuchcommand-xyz 2>/dev/null\n", 2, "failed (exit status 127)");
}

static void test_command_only_final(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nSTART=!exit 1\nSTART=ok\nPREMOUNT='!echo literal'\n", &cfg);
	LIST_IS(&cfg.start, "ok");
	assert_string_equal(cfg.premount, "!echo literal");   /* quoted: not a command */
	config_free(&cfg);
}

static void test_no_commands(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	f->opts.no_commands = true;
	FAIL(f, "BASE=.\nSTART=!echo a\n", 2, "START", "commands are disabled");
	FAIL(f, "NAME=!echo a\nBASE=.\n", 1, "NAME", "commands are disabled");
	load_ok(f, "t.conf", "BASE=.\nSTART=a\n", &cfg);
	config_free(&cfg);
}

/* ---- NAME and BASE ---------------------------------------------------- */

static void test_base_relative_to_conf(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char text[PATH_MAX + 16];

	mkbase(f, "sub");
	mkd(f, "sub/l1");
	mkd(f, "etc");
	load_ok(f, "etc/x.conf", "BASE=../sub\nLOWER=l1\nLIVE=./live/\n", &cfg);
	assert_string_equal(cfg.path, P(f, "etc/x.conf"));
	assert_string_equal(cfg.name, "x");
	assert_string_equal(cfg.base, P(f, "sub"));
	assert_string_equal(cfg.live, P(f, "sub/live"));
	LIST_IS(&cfg.lower, P(f, "sub/l1"));
	config_free(&cfg);

	snprintf(text, sizeof text, "BASE=%s\n", P(f, "sub"));
	load_ok(f, "etc/y.conf", text, &cfg);
	assert_string_equal(cfg.base, P(f, "sub"));
	config_free(&cfg);

	/* BASE is canonical: a symlink to it is resolved */
	assert_int_equal(symlink(P(f, "sub"), P(f, "link")), 0);
	load_ok(f, "etc/z.conf", "BASE=../link\n", &cfg);
	assert_string_equal(cfg.base, P(f, "sub"));
	config_free(&cfg);
}

static void test_base_missing(void **state)
{
	struct fx *f = *state;

	FAIL(f, "START=a\n", 0, "BASE is not set", "expected BASE=<subhost directory>");
	FAIL(f, "# nothing\n", 0, "BASE is not set");
	FAIL(f, "START=a\nBASE=\n", 2, "BASE is empty", "expected BASE=");
}

static void test_base_not_dir(void **state)
{
	struct fx *f = *state;

	put(f, "file", "x");
	FAIL(f, "\nBASE=file\n", 2, "BASE=", "/file is not a directory", "expected a directory");
	FAIL(f, "BASE=nosuch\n", 1, "BASE=", "/nosuch does not exist", "expected an existing directory");
}

static void test_name_default_and_explicit(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "My_host-1.2.conf", "BASE=.\n", &cfg);
	assert_string_equal(cfg.name, "My_host-1.2");
	config_free(&cfg);
	load_ok(f, "noext", "BASE=.\n", &cfg);
	assert_string_equal(cfg.name, "noext");
	config_free(&cfg);
	load_ok(f, "t.conf", "NAME=other\nBASE=.\n", &cfg);
	assert_string_equal(cfg.name, "other");
	assert_string_equal(cfg.hostname, "other");
	assert_string_equal(cfg.log, "/var/log/subhost/other.log");
	config_free(&cfg);
	load_ok(f, "t.conf", "NAME=\nBASE=.\n", &cfg);
	assert_string_equal(cfg.name, "t");
	config_free(&cfg);
}

static void test_name_bad_chars(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nNAME=a/b\n", 2, "NAME", "\"a/b\"", "expected 1-15 characters of [A-Za-z0-9_.-]");
	FAIL(f, "BASE=.\nNAME=a b\n", 2, "NAME", "\"a b\"");
	FAIL(f, "BASE=.\nNAME=a:b\n", 2, "NAME");
	FAIL(f, "NAME=.\nBASE=.\n", 1, "NAME", "\".\"");
	FAIL(f, "NAME=..\nBASE=.\n", 1, "NAME", "\"..\"");
	FAIL(f, "NAME=-x\nBASE=.\n", 1, "NAME", "\"-x\"");
	/* an invalid default NAME (from the file name) has no line */
	load_fail(f, "x+y.conf", "BASE=.\n", 0, "NAME", "\"x+y\"", (const char *)NULL);
}

static void test_name_too_long(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	FAIL(f, "BASE=.\nNAME=abcdefghijklmnop\n", 2, "\"abcdefghijklmnop\"", "expected 1-15 characters");
	load_fail(f, "abcdefghijklmnop.conf", "BASE=.\n", 0, "NAME", (const char *)NULL);
	load_ok(f, "t.conf", "BASE=.\nNAME=abcdefghijklmno\n", &cfg);
	assert_string_equal(cfg.name, "abcdefghijklmno");
	config_free(&cfg);
}

static void test_name_too_long_for_interfaces(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	FAIL(f, "BASE=.\nNAME=abcdefghijklmno\nCABLES= =\n", 2,
	     "NAME \"abcdefghijklmno\" is too long for host interface names",
	     "abcdefghijklmno0 must fit 15 characters");
	/* no NAME line: the CABLES line */
	load_fail(f, "abcdefghijklmno.conf", "BASE=.\nCABLES= =\n", 2, "abcdefghijklmno0 must fit",
		  (const char *)NULL);
	/* 14 characters leave room for cables 0-9, not 10 */
	load_ok(f, "t.conf", "BASE=.\nNAME=abcdefghijklmn\nCABLES== = = = = = = = = =\n", &cfg);
	assert_int_equal(cfg.ncables, 10);
	config_free(&cfg);
	FAIL(f, "BASE=.\nNAME=abcdefghijklmn\nCABLES== = = = = = = = = = =\n", 2, "abcdefghijklmn10 must fit");
	/* a VLAN's host interface is NAME<i>.N */
	FAIL(f, "BASE=.\nNAME=abcdefghijk\nCABLES== =.100\n", 2, "abcdefghijk0.100 must fit");
}

static void test_check_name(void **state)
{
	static const char *const good[] = { "a", "A9", "a.b_c-d", "abcdefghijklmno", "_x", "x-" };
	static const char *const bad[] = { "", "abcdefghijklmnop", "-a", ".", "..", "a/b", "a b", "a:b",
					   "caf\xc3\xa9", "a\n" };
	struct sh_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(config_check_name(good[i], &err), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		assert_int_equal(config_check_name(bad[i], &err), -EINVAL);
		has(err.msg, "expected 1-15 characters of [A-Za-z0-9_.-]");
		assert_int_equal(err.status, EXIT_USAGE);
	}
	assert_int_equal(config_check_name("x/y", NULL), -EINVAL);
}

/* ---- the rest ----------------------------------------------------------- */

static void test_path_for(void **state)
{
	char *p;

	(void)state;
	p = config_path_for("./x");
	assert_string_equal(p, "./x");
	free(p);
	p = config_path_for("/opt/mta/mta.conf");
	assert_string_equal(p, "/opt/mta/mta.conf");
	free(p);
	p = config_path_for("here.conf");
	assert_string_equal(p, "here.conf");
	free(p);
	setenv("SUBHOST_CONFDIR", "/srv/confs", 1);
	p = config_path_for("mta");
	assert_string_equal(p, "/srv/confs/mta.conf");
	free(p);
	setenv("SUBHOST_CONFDIR", "", 1);
	p = config_path_for("mta");
	assert_string_equal(p, "/etc/subhost/mta.conf");
	free(p);
	unsetenv("SUBHOST_CONFDIR");
	p = config_path_for("mta");
	assert_string_equal(p, "/etc/subhost/mta.conf");
	free(p);
}

static void test_free_safe(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg, zero;

	(void)f;
	memset(&cfg, 0, sizeof cfg);
	memset(&zero, 0, sizeof zero);
	config_free(&cfg);
	config_free(&cfg);
	config_free(NULL);
	sh_list_free(NULL);
	put(f, "a.img", "");
	load_ok(f, "t.conf", "BASE=.\nCABLES= =\nSHARE=root\nDISKS=( vda:1:a.img )\nIMAGE=a.img\n", &cfg);
	config_free(&cfg);
	assert_memory_equal(&cfg, &zero, sizeof cfg);
	config_free(&cfg);
}

static void test_missing_file(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	assert_int_equal(load(f, "nosuch.conf", NULL, &cfg), -ENOENT);
	has(f->err.msg, P(f, "nosuch.conf"));
	has(f->err.msg, "expected a readable configuration file");
	assert_int_equal(f->err.status, EXIT_USAGE);
	assert_null(cfg.name);
	mkd(f, "d.conf");
	assert_int_equal(load(f, "d.conf", NULL, &cfg), -EINVAL);
	has(f->err.msg, "not a regular file");
}

static void test_no_fs_checks(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	f->opts.no_fs_checks = true;
	load_ok(f, "t.conf", "BASE=/nonexistent/x/../y\nLOWER=a:/:@o\nSHARE=h:/s\nLOG=!pwd\n", &cfg);
	assert_string_equal(cfg.base, "/nonexistent/y");
	assert_string_equal(cfg.live, "/nonexistent/y/live");
	assert_string_equal(cfg.upper, "/nonexistent/y/root");
	assert_string_equal(cfg.work, "/nonexistent/y/work");
	LIST_IS(&cfg.lower, "/nonexistent/y/a", "/", "@o");
	assert_string_equal(cfg.shares[0].hostdir, "/nonexistent/y/h");
	assert_string_equal(cfg.log, f->dir);          /* ran in the conf's dir */
	config_free(&cfg);
	/* syntax is still checked */
	FAIL(f, "BASE=/nonexistent\nRAM_SIZE=x\n", 2, "RAM_SIZE=x");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_minimal),
		T(test_copy),
		T(test_tiny),
		T(test_mta),
		T(test_whitespace_comments),
		T(test_quotes),
		T(test_syntax_error),
		T(test_bad_key),
		T(test_unknown_key_warns),
		T(test_repeat_last_wins),
		T(test_repeat_share),
		T(test_array_one_line),
		T(test_array_multi_line),
		T(test_array_quoted),
		T(test_array_malformed),
		T(test_array_scalar_key),
		T(test_split_list),
		T(test_command_cwd_trim),
		T(test_command_env),
		T(test_command_order),
		T(test_command_fails),
		T(test_command_only_final),
		T(test_no_commands),
		T(test_base_relative_to_conf),
		T(test_base_missing),
		T(test_base_not_dir),
		T(test_name_default_and_explicit),
		T(test_name_bad_chars),
		T(test_name_too_long),
		T(test_name_too_long_for_interfaces),
		T(test_check_name),
		T(test_path_for),
		T(test_free_safe),
		T(test_missing_file),
		T(test_no_fs_checks),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
