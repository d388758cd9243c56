/* test_config_keys.c - unit tests of config-keys.c (SPEC section 2):
 * what each key means and how a bad value is reported: the root's
 * directories and layers, cables, START/INIT/hooks, SHARE/LOG/HOSTNAME,
 * DISKS/IMAGE and the keys kept for their modules. */
#include "config-fixture.h"

/* ---- LIVE, UPPER, WORK, LOWER ------------------------------------------- */

static void test_live_upper(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	put(f, "file", "x");
	FAIL(f, "BASE=.\nUPPER=file\n", 2, "UPPER=", "/file is not a directory");
	FAIL(f, "BASE=.\nLIVE=nosuch\n", 2, "LIVE=", "/nosuch does not exist");
	mkd(f, "r2");
	mkd(f, "l2");
	load_ok(f, "t.conf", "BASE=.\nUPPER=r2\nLIVE=l2/\n", &cfg);
	assert_string_equal(cfg.upper, P(f, "r2"));
	assert_string_equal(cfg.live, P(f, "l2"));
	config_free(&cfg);
	/* the defaults are checked too, without a line */
	assert_int_equal(rmdir(P(f, "live")), 0);
	FAIL(f, "BASE=.\n", 0, "LIVE=", "/live does not exist");
}

static void test_upper_readonly(void **state)
{
	struct fx *f = *state;

	if (mount(P(f, "root"), P(f, "root"), NULL, MS_BIND, NULL) < 0)
		skip();
	snprintf(f->mounts[f->nmounts++], PATH_MAX, "%s", P(f, "root"));
	if (mount(NULL, P(f, "root"), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		skip();
	FAIL(f, "BASE=.\n", 0, "UPPER=", "is not writable", "expected a writable directory");
}

static void test_work_missing(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nWORK=nosuch\n", 2, "WORK=", "/nosuch does not exist");
	assert_int_equal(rmdir(P(f, "work")), 0);
	FAIL(f, "BASE=.\n", 0, "WORK=", "/work does not exist");
}

static void test_work_other_fs(void **state)
{
	struct fx *f = *state;
	char want[PATH_MAX * 2];

	if (mount("tmpfs", P(f, "work"), "tmpfs", 0, "size=64k") < 0)
		skip();
	snprintf(f->mounts[f->nmounts++], PATH_MAX, "%s", P(f, "work"));
	snprintf(want, sizeof want, "WORK=%s is on another filesystem than UPPER=%s: "
		 "overlayfs needs both on one filesystem", P(f, "work"), P(f, "root"));
	FAIL(f, "BASE=.\n", 0, want);
	FAIL(f, "BASE=.\n\nWORK=work\n", 3, "is on another filesystem");
}

static void test_bind_root(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	/* UPPER = LOWER needs no WORK */
	assert_int_equal(rmdir(P(f, "work")), 0);
	load_ok(f, "t.conf", "BASE=.\nUPPER=root\nLOWER=./root/\n", &cfg);
	assert_true(cfg.bind_root);
	LIST_IS(&cfg.lower, P(f, "root"));
	assert_false(cfg.lower_has_host_root);
	config_free(&cfg);
	/* two layers are an overlay, which needs WORK again */
	mkd(f, "other");
	FAIL(f, "BASE=.\nUPPER=root\nLOWER=root:other\n", 0, "WORK=", "does not exist");
}

static void test_lower_layers(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char text[PATH_MAX + 64];

	mkd(f, "l1");
	mkd(f, "l2");
	snprintf(text, sizeof text, "BASE=.\nLOWER=l1:%s:@other.1\n", P(f, "l2"));
	load_ok(f, "t.conf", text, &cfg);
	LIST_IS(&cfg.lower, P(f, "l1"), P(f, "l2"), "@other.1");
	assert_false(cfg.lower_has_host_root);
	assert_false(cfg.bind_root);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nLOWER=/\n", &cfg);
	assert_true(cfg.lower_has_host_root);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nLOWER=@base\n", &cfg);
	LIST_IS(&cfg.lower, "@base");
	assert_false(cfg.lower_has_host_root);
	config_free(&cfg);
}

static void test_lower_bad(void **state)
{
	struct fx *f = *state;

	mkd(f, "l1");
	FAIL(f, "BASE=.\nLOWER=l1::/\n", 2, "LOWER=l1::/ has an empty layer", "expected DIR[:DIR...]");
	FAIL(f, "BASE=.\nLOWER=l1:\n", 2, "empty layer");
	FAIL(f, "BASE=.\nLOWER=l1:nosuch\n", 2, "LOWER=", "/nosuch does not exist");
	FAIL(f, "BASE=.\nLOWER=@bad/name\n", 2, "LOWER layer @bad/name", "expected 1-15 characters");
	FAIL(f, "BASE=.\nLOWER=@\n", 2, "LOWER layer @");
}

/* Nested layers are accepted (overlay.c presents the outer one through a
 * view of its own); the same directory twice is not. */
static void test_lower_nested(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	mkd(f, "l1");
	mkd(f, "l1/sub");
	load_ok(f, "x.conf", "BASE=.\nLOWER=l1:l1/sub\n", &cfg);
	assert_int_equal(cfg.lower.n, 2);
	config_free(&cfg);
	FAIL(f, "BASE=.\nLOWER=l1:./l1\n", 2, "layer", "/l1 is listed twice", "expected each directory once");
	FAIL(f, "BASE=.\nLOWER=l1/sub:l1/../l1/sub\n", 2, "is listed twice");
}

/* ---- CABLES / BRIDGES --------------------------------------------------- */

static void test_cables_forms(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nCABLES=br0= =02:00:00:00:00:01 br1=0A:bC:00:00:00:02 =.5 br2=.6 = =.5\n",
		&cfg);
	assert_int_equal(cfg.ncables, 7);
	assert_string_equal(cfg.cables[0].bridge, "br0");
	assert_null(cfg.cables[0].mac);
	assert_null(cfg.cables[1].bridge);
	assert_string_equal(cfg.cables[1].mac, "02:00:00:00:00:01");
	assert_string_equal(cfg.cables[2].bridge, "br1");
	assert_string_equal(cfg.cables[2].mac, "0a:bc:00:00:00:02");
	assert_null(cfg.cables[3].bridge);
	assert_null(cfg.cables[3].mac);
	assert_int_equal(cfg.cables[3].vlan, 5);
	assert_string_equal(cfg.cables[4].bridge, "br2");
	assert_int_equal(cfg.cables[4].vlan, 6);
	assert_int_equal(cfg.cables[5].vlan, 0);
	assert_int_equal(cfg.cables[6].vlan, 5);     /* same tag, another cable */
	assert_int_equal(cfg.cables[6].line, 2);
	config_free(&cfg);

	load_ok(f, "t.conf", "BASE=.\nCABLES=( br0=02:00:00:00:00:01\n  br0= )\n", &cfg);
	assert_int_equal(cfg.ncables, 2);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nCABLES=\n", &cfg);
	assert_int_equal(cfg.ncables, 0);
	config_free(&cfg);
}

static void test_cables_bad_mac(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nCABLES=br0=02:00:00:00:00\n", 2, "CABLES entry \"br0=02:00:00:00:00\"",
	     "MAC \"02:00:00:00:00\" is malformed", "expected BRIDGE=MAC with six hex pairs");
	FAIL(f, "BASE=.\nCABLES= =zz:00:00:00:00:01\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= =02-00-00-00-00-01\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= =02:00:00:00:00:01:02\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= =2:0:0:0:0:1\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= =01:00:5e:00:00:01\n", 2, "is a multicast address", "low bit of the first octet clear");
	FAIL(f, "BASE=.\nCABLES= =ff:ff:ff:ff:ff:ff\n", 2, "multicast");
	FAIL(f, "BASE=.\nCABLES= =00:00:00:00:00:00\n", 2, "all zeros");
}

static void test_cables_vlan(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nCABLES= =.5\n", 2, "CABLES entry \"=.5\"", "a VLAN needs a previous cable");
	FAIL(f, "BASE=.\nCABLES= = =.0\n", 2, "VLAN 0 is out of range", "expected .1 to .4094");
	FAIL(f, "BASE=.\nCABLES= = =.4095\n", 2, "VLAN 4095 is out of range");
	FAIL(f, "BASE=.\nCABLES= = =.x\n", 2, "VLAN \".x\" is malformed");
	FAIL(f, "BASE=.\nCABLES= = =.5a\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= = =.\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= = =.-5\n", 2, "is malformed");
	FAIL(f, "BASE=.\nCABLES= = =.5 =.5\n", 2, "VLAN 5 is used twice");
}

static void test_cables_duplicate_mac(void **state)
{
	FAIL(*state, "BASE=.\nCABLES= =02:00:00:00:00:01 br=02:00:00:00:00:0A br2=02:00:00:00:00:01\n", 2,
	     "MAC 02:00:00:00:00:01 is used twice", "expected a distinct MAC per cable");
	FAIL(*state, "BASE=.\nCABLES= =02:00:00:00:00:aa =02:00:00:00:00:AA\n", 2, "is used twice");
}

static void test_cables_bad_entry(void **state)
{
	struct fx *f = *state;

	FAIL(f, "BASE=.\nCABLES=br0\n", 2, "CABLES entry \"br0\" has no '='", "expected BRIDGE=MAC");
	FAIL(f, "BASE=.\nCABLES=averyveryverylongbr=\n", 2, "bridge name \"averyveryverylongbr\" is invalid",
	     "expected 1-15 characters");
	FAIL(f, "BASE=.\nCABLES=a/b=\n", 2, "bridge name \"a/b\"");
	/* quotes group words: 'a b'= is one entry with bridge "a b" */
	FAIL(f, "BASE=.\nCABLES='a b'=\n", 2, "bridge name \"a b\"");
	FAIL(f, "BASE=.\nCABLES=a b=\n", 2, "CABLES entry \"a\" has no '='");
	FAIL(f, "BASE=.\nCABLES=( \"a b=\" )\n", 2, "bridge name \"a b\"");
	FAIL(f, "BASE=.\nCABLES=..=\n", 2, "bridge name \"..\"");
	FAIL(f, "BASE=.\nCABLES= =02:00:00:00:00:01=x\n", 2, "is malformed");
}

static void test_bridges(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\n\nBRIDGES=( homenet:06:a7:dd:b4:02:f2 :02:00:00:00:00:09 lan: lan:.7 )\n", &cfg);
	assert_int_equal(cfg.ncables, 4);
	assert_string_equal(cfg.cables[0].bridge, "homenet");
	assert_string_equal(cfg.cables[0].mac, "06:a7:dd:b4:02:f2");
	assert_int_equal(cfg.cables[0].line, 3);
	assert_null(cfg.cables[1].bridge);
	assert_string_equal(cfg.cables[1].mac, "02:00:00:00:00:09");
	assert_string_equal(cfg.cables[2].bridge, "lan");
	assert_null(cfg.cables[2].mac);
	assert_int_equal(cfg.cables[3].vlan, 7);
	config_free(&cfg);

	FAIL(f, "BASE=.\nBRIDGES=( homenet )\n", 2, "BRIDGES entry \"homenet\" has no ':'", "expected BRIDGE:MAC");
	FAIL(f, "BASE=.\nBRIDGES=( br:01:00:00:00:00:00 )\n", 2, "BRIDGES entry", "multicast");
	FAIL(f, "BASE=.\nBRIDGES=( br:02:00:00:00:00 )\n", 2, "expected BRIDGE:MAC with six hex pairs");
}

static void test_cables_and_bridges(void **state)
{
	FAIL(*state, "BASE=.\nCABLES= =\nBRIDGES=( br:02:00:00:00:00:01 )\n", 3,
	     "both CABLES (line 2) and BRIDGES are set", "expected only one of them");
}

/* ---- START, INIT, hooks, RAM_SIZE --------------------------------------- */

static void test_start(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nSTART=\n", &cfg);
	assert_int_equal(cfg.start.n, 0);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nSTART=none\n", &cfg);
	assert_int_equal(cfg.start.n, 0);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nSTART=!true\n", &cfg);
	assert_int_equal(cfg.start.n, 0);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nSTART= networking /usr/local/bin/setup.sh ssh\n", &cfg);
	LIST_IS(&cfg.start, "networking", "/usr/local/bin/setup.sh", "ssh");
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nSTART=( \"/bin/sh -c true\" ssh )\n", &cfg);
	LIST_IS(&cfg.start, "/bin/sh -c true", "ssh");
	config_free(&cfg);
	FAIL(f, "BASE=.\nSTART=a 'b\n", 2, "START=a 'b is malformed");
}

static void test_init(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nINIT=\n", &cfg);
	assert_int_equal(cfg.init_mode, INIT_SERVICES);
	assert_int_equal(cfg.init_argv.n, 0);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nINIT=sysv\n", &cfg);
	assert_int_equal(cfg.init_mode, INIT_SYSV);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nINIT=/sbin/init --foo  bar\n", &cfg);
	assert_int_equal(cfg.init_mode, INIT_EXEC);
	LIST_IS(&cfg.init_argv, "/sbin/init", "--foo", "bar");
	assert_null(cfg.init_argv.v[3]);             /* ready for execv */
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nINIT=( /bin/sh -c 'exec sleep 1' )\n", &cfg);
	assert_int_equal(cfg.init_mode, INIT_EXEC);
	LIST_IS(&cfg.init_argv, "/bin/sh", "-c", "exec sleep 1");
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nINIT=( sysv )\n", &cfg);
	assert_int_equal(cfg.init_mode, INIT_SYSV);
	assert_int_equal(cfg.init_argv.n, 0);
	config_free(&cfg);
	FAIL(f, "BASE=.\nINIT=systemd\n", 2, "INIT=systemd", "expected \"sysv\" or an absolute program path");
	FAIL(f, "BASE=.\nINIT=sysv x\n", 2, "expected \"sysv\"");
	FAIL(f, "BASE=.\nINIT=()\n", 2, "expected \"sysv\"");
}

static void test_hooks(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nPREMOUNT=/usr/lib/x/pre --flag \"$UPPER\"\nPOSTMOUNT = post.sh a\n", &cfg);
	assert_string_equal(cfg.premount, "/usr/lib/x/pre --flag \"$UPPER\"");
	assert_string_equal(cfg.postmount, "post.sh a");
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nPREMOUNT=\n", &cfg);
	assert_null(cfg.premount);
	assert_null(cfg.postmount);
	config_free(&cfg);
}

static void test_ram_size(void **state)
{
	static const char *const good[] = { "1G", "512k", "10%", "123", "64K", "2g", "7m" };
	static const char *const bad[] = { "50MB", "-1", "M", "abc", "1.5G", "10 M", "%" };
	struct fx *f = *state;
	struct sh_config cfg;
	char text[128];
	size_t i;

	load_ok(f, "t.conf", "BASE=.\nRAM_SIZE=none\n", &cfg);
	assert_null(cfg.ram_size);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nRAM_SIZE=\n", &cfg);
	assert_string_equal(cfg.ram_size, "50M");
	config_free(&cfg);
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(text, sizeof text, "BASE=.\nRAM_SIZE=%s\n", good[i]);
		load_ok(f, "t.conf", text, &cfg);
		assert_string_equal(cfg.ram_size, good[i]);
		config_free(&cfg);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "BASE=.\nRAM_SIZE=%s\n", bad[i]);
		FAIL(f, text, 2, "RAM_SIZE=", "expected a size like 50M");
	}
}

/* ---- SHARE, LOG, HOSTNAME ------------------------------------------------ */

static void test_share_forms(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char text[PATH_MAX * 4];

	mkd(f, "data");
	put(f, "afile", "x");
	snprintf(text, sizeof text,
		 "BASE=.\nSHARE=data\nSHARE=data:srv/x:ro\nSHARE=%s:/mnt//y/:rw\nSHARE=%s:ro\nSHARE=afile:/etc/afile\n",
		 P(f, "data"), P(f, "data"));
	load_ok(f, "t.conf", text, &cfg);
	assert_int_equal(cfg.nshares, 5);
	assert_string_equal(cfg.shares[0].hostdir, P(f, "data"));
	assert_string_equal(cfg.shares[0].subdir, "/data");
	assert_false(cfg.shares[0].ro);
	assert_string_equal(cfg.shares[1].hostdir, P(f, "data"));
	assert_string_equal(cfg.shares[1].subdir, "/srv/x");
	assert_true(cfg.shares[1].ro);
	assert_string_equal(cfg.shares[2].subdir, "/mnt/y");
	assert_false(cfg.shares[2].ro);
	assert_string_equal(cfg.shares[3].hostdir, P(f, "data"));
	assert_string_equal(cfg.shares[3].subdir, P(f, "data"));   /* single-dir form */
	assert_true(cfg.shares[3].ro);
	assert_string_equal(cfg.shares[4].hostdir, P(f, "afile"));
	config_free(&cfg);
}

static void test_share_bad(void **state)
{
	struct fx *f = *state;

	mkd(f, "data");
	FAIL(f, "BASE=.\nSHARE=data:../etc\n", 2, "SHARE=data:../etc", "contains \"..\"",
	     "expected a path inside the subhost");
	FAIL(f, "BASE=.\nSHARE=data:/a/../../etc:ro\n", 2, "contains \"..\"");
	FAIL(f, "BASE=.\nSHARE=nosuch:/x\n", 2, "SHARE=nosuch:/x", "/nosuch", "expected an existing directory");
	FAIL(f, "BASE=.\nSHARE=:/x\n", 2, "SHARE=:/x", "expected HOSTDIR, HOSTDIR:SUBDIR");
	FAIL(f, "BASE=.\nSHARE=data:\n", 2, "expected HOSTDIR");
	FAIL(f, "BASE=.\nSHARE=\n", 2, "expected HOSTDIR");
	FAIL(f, "BASE=.\nSHARE=:ro\n", 2, "expected HOSTDIR");
}

static void test_log(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	load_ok(f, "t.conf", "BASE=.\nLOG=logs/x.log\n", &cfg);
	assert_string_equal(cfg.log, P(f, "logs/x.log"));
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nLOG=/var/log/y.log\n", &cfg);
	assert_string_equal(cfg.log, "/var/log/y.log");
	config_free(&cfg);
}

static void test_hostname(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	char text[256];

	load_ok(f, "t.conf", "BASE=.\nHOSTNAME=host.example-1\n", &cfg);
	assert_string_equal(cfg.hostname, "host.example-1");
	config_free(&cfg);
	snprintf(text, sizeof text, "BASE=.\nHOSTNAME=%064d\n", 0);
	load_ok(f, "t.conf", text, &cfg);
	assert_int_equal(strlen(cfg.hostname), 64);
	config_free(&cfg);
	FAIL(f, "BASE=.\nHOSTNAME=a_b\n", 2, "HOSTNAME=a_b is invalid", "expected 1-64 characters of [A-Za-z0-9.-]");
	snprintf(text, sizeof text, "BASE=.\nHOSTNAME=%065d\n", 0);
	FAIL(f, text, 2, "HOSTNAME=", "expected 1-64");
}

/* ---- DISKS and IMAGE ---------------------------------------------------- */

static void test_disks(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	put(f, "d.img", "");
	put(f, "c:d.img", "");
	mkd(f, "mnt");
	load_ok(f, "t.conf", "BASE=.\nDISKS=( vda:2:d.img\n vdb::d.img vdc:0:c:d.img vdd:12:d.img )\n", &cfg);
	assert_int_equal(cfg.ndisks, 0 + 4);
	assert_string_equal(cfg.disks[0].dev, "vda");
	assert_int_equal(cfg.disks[0].part, 2);
	assert_string_equal(cfg.disks[0].image, P(f, "d.img"));
	assert_int_equal(cfg.disks[0].line, 2);
	assert_string_equal(cfg.disks[1].node, "vdb");
	assert_int_equal(cfg.disks[1].part, 0);
	assert_string_equal(cfg.disks[3].node, "vdd12");
	/* the image is what follows the second ':' */
	assert_string_equal(cfg.disks[2].image, P(f, "c:d.img"));
	/* the root disk is mounted on LIVE, under the overlay */
	LIST_IS(&cfg.lower, P(f, "live"));
	assert_false(cfg.lower_has_host_root);
	assert_false(cfg.bind_root);
	config_free(&cfg);

	/* LOWER names where the root disk goes; UPPER = LOWER: it is the root */
	load_ok(f, "t.conf", "BASE=.\nDISKS=vda:1:d.img\nLOWER=mnt\n", &cfg);
	LIST_IS(&cfg.lower, P(f, "mnt"));
	assert_false(cfg.bind_root);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nDISKS=vda:1:d.img\nLOWER=mnt\nUPPER=mnt\n", &cfg);
	assert_true(cfg.bind_root);
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nDISKS=()\n", &cfg);
	assert_int_equal(cfg.ndisks, 0);
	LIST_IS(&cfg.lower, "/");
	config_free(&cfg);
}

static void test_disks_bad(void **state)
{
	struct fx *f = *state;

	put(f, "d.img", "");
	FAIL(f, "BASE=.\nDISKS=( vda:1:d.img\n vdb )\n", 2, "DISKS entry \"vdb\" is malformed",
	     "expected DEV:PART:IMAGE");
	FAIL(f, "BASE=.\nDISKS=( vda:1: )\n", 2, "expected DEV:PART:IMAGE");
	FAIL(f, "BASE=.\nDISKS=( 1da:1:d.img )\n", 2, "device name \"1da\" is invalid");
	FAIL(f, "BASE=.\nDISKS=( :1:d.img )\n", 2, "device name \"\" is invalid");
	FAIL(f, "BASE=.\nDISKS=( v/a:1:d.img )\n", 2, "device name \"v/a\" is invalid");
	FAIL(f, "BASE=.\nDISKS=( vda:x:d.img )\n", 2, "partition \"x\" is invalid",
	     "expected a number from 1 to 999");
	FAIL(f, "BASE=.\nDISKS=( vda:1000:d.img )\n", 2, "partition \"1000\" is invalid");
	/* found by the fuzzer: a long number overflowed while it was read */
	FAIL(f, "BASE=.\nDISKS=( vda:33333333333333333333333333:d.img )\n", 2, "is invalid");
	FAIL(f, "BASE=.\n\nDISKS=( vda:1:nosuch.img )\n", 3, "image", "nosuch.img does not exist",
	     "expected an existing disk image file");
	FAIL(f, "BASE=.\nDISKS=( vda:1:root )\n", 2, "is not a regular file");
	FAIL(f, "BASE=.\nDISKS=( vda:1:d.img vdb:1:d.img vdb1::d.img )\n", 2,
	     "/dev/vdb1 is named twice");
	FAIL(f, "BASE=.\nDISKS=( vda:1:d.img tty:0:d.img )\n", 2, "/dev/tty exists inside already");
	FAIL(f, "BASE=.\nDISKS=( vda:1:d.img )\nLOWER=root:live\n", 3,
	     "with DISKS, LOWER is the directory the root disk is mounted on");
	FAIL(f, "BASE=.\nDISKS=( vda:1:d.img )\nLOWER=@other\n", 3, "expected one directory");
}

static void test_image(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;

	put(f, "s.img", "");
	/* UPPER and WORK are on the image, which the host has not mounted */
	load_ok(f, "t.conf", "BASE=.\nIMAGE=s.img\n", &cfg);
	assert_string_equal(cfg.image, P(f, "s.img"));
	assert_string_equal(cfg.image_mnt, P(f, "mnt"));
	assert_int_equal(cfg.image_line, 2);
	assert_string_equal(cfg.upper, P(f, "mnt/root"));
	assert_string_equal(cfg.work, P(f, "mnt/work"));
	LIST_IS(&cfg.lower, "/");
	config_free(&cfg);
	load_ok(f, "t.conf", "BASE=.\nIMAGE=s.img\nUPPER=mnt/u\nWORK=mnt/w\nLOWER=mnt/l\n", &cfg);
	assert_string_equal(cfg.upper, P(f, "mnt/u"));
	LIST_IS(&cfg.lower, P(f, "mnt/l"));
	config_free(&cfg);
	/* off the image, the usual checks */
	FAIL(f, "BASE=.\nIMAGE=s.img\nUPPER=elsewhere\n", 3, "UPPER=", "does not exist");
	FAIL(f, "BASE=.\nIMAGE=nosuch.img\n", 2, "IMAGE", "nosuch.img does not exist");
	FAIL(f, "BASE=.\nIMAGE=( s.img )\n", 2, "IMAGE takes one value");
}

/* ---- reserved keys ------------------------------------------------------- */

static void test_reserved(void **state)
{
	struct fx *f = *state;
	struct sh_config cfg;
	size_t i;

	load_ok(f, "t.conf",
		"BASE=.\nMEMORY_HIGH=1M\nADDRESS=eth0=10.0.3.2/24\nMEMORY_HIGH=2M\n"
		"GATEWAY=10.0.3.1\nMEMORY_MAX=1G\nMEMORY_HIGH=800M\nCPU_MAX=50000 100000\n"
		"CPU_WEIGHT=100\nPIDS_MAX=!echo 500\nIO_WEIGHT=200\nCAPS_DROP=( cap_sys_admin cap_net_raw )\n"
		"CAPS_KEEP=cap_chown\nSECCOMP=default\nIDMAP=0:100000:65536\nADDRESS=eth0=fd00::2/64\n"
		"MEMORY_MAX=2G\n", &cfg);
	LIST_IS(&cfg.address, "eth0=10.0.3.2/24", "eth0=fd00::2/64");
	assert_string_equal(cfg.gateway, "10.0.3.1");
	assert_string_equal(cfg.memory_max, "2G");
	assert_string_equal(cfg.memory_high, "800M");
	assert_string_equal(cfg.cpu_max, "50000 100000");
	assert_string_equal(cfg.cpu_weight, "100");
	assert_string_equal(cfg.pids_max, "500");
	assert_string_equal(cfg.io_weight, "200");
	assert_string_equal(cfg.caps_drop, "cap_sys_admin cap_net_raw");
	assert_string_equal(cfg.caps_keep, "cap_chown");
	assert_string_equal(cfg.seccomp, "default");
	assert_string_equal(cfg.idmap, "0:100000:65536");
	assert_int_equal(cfg.nreserved, 12);
	for (i = 0; i < cfg.nreserved; i++) {
		if (!strcmp(cfg.reserved[i].key, "ADDRESS"))
			assert_int_equal(cfg.reserved[i].line, 3);     /* the first one */
		if (!strcmp(cfg.reserved[i].key, "MEMORY_MAX"))
			assert_int_equal(cfg.reserved[i].line, 17);    /* the one that counts */
		if (!strcmp(cfg.reserved[i].key, "IDMAP"))
			assert_int_equal(cfg.reserved[i].line, 15);
	}
	assert_int_equal(f->nwarn, 0);
	config_free(&cfg);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_live_upper),
		T(test_upper_readonly),
		T(test_work_missing),
		T(test_work_other_fs),
		T(test_bind_root),
		T(test_lower_layers),
		T(test_lower_bad),
		T(test_lower_nested),
		T(test_cables_forms),
		T(test_cables_bad_mac),
		T(test_cables_vlan),
		T(test_cables_duplicate_mac),
		T(test_cables_bad_entry),
		T(test_bridges),
		T(test_cables_and_bridges),
		T(test_start),
		T(test_init),
		T(test_hooks),
		T(test_ram_size),
		T(test_share_forms),
		T(test_share_bad),
		T(test_log),
		T(test_hostname),
		T(test_reserved),
		T(test_disks),
		T(test_disks_bad),
		T(test_image),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
