/* devices.c - the device allow-list of a subhost: a BPF_CGROUP_DEVICE
 * program on its cgroup2 group.  The program is a handful of compares,
 * written here as instructions (as systemd's bpf-devices.c does): no BPF
 * compiler or library is needed at build or run time. */
#include "devices.h"

#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

static const struct dev_rule defaults[] = {
	{ 'c', 1, 3 },          /* null */
	{ 'c', 1, 5 },          /* zero */
	{ 'c', 1, 7 },          /* full */
	{ 'c', 1, 8 },          /* random */
	{ 'c', 1, 9 },          /* urandom */
	{ 'c', 5, 0 },          /* tty: the controlling terminal */
	{ 'c', 5, 2 },          /* ptmx: opens on the devpts beside it */
	/* pty slaves (UNIX98: majors 136-143).  A node for one only opens on
	 * a devpts mount, so this reaches the subhost's own ptys and the
	 * console pty bound in, never the host's other terminals. */
	{ 'c', 136, -1 }, { 'c', 137, -1 }, { 'c', 138, -1 }, { 'c', 139, -1 },
	{ 'c', 140, -1 }, { 'c', 141, -1 }, { 'c', 142, -1 }, { 'c', 143, -1 },
	{ 'c', 10, 200 },       /* net/tun: VPNs, in the subhost's own netns */
	{ 'c', 10, 229 },       /* fuse */
};

const struct dev_rule *devices_default(size_t *n)
{
	*n = sizeof defaults / sizeof *defaults;
	return defaults;
}

static bool rule_matches(const struct dev_rule *r, char type, int major, int minor)
{
	return r->type == type && (r->major < 0 || r->major == major) &&
	       (r->minor < 0 || r->minor == minor);
}

int devices_allowed(const struct dev_rule *rules, size_t n, char type, int major, int minor)
{
	for (size_t i = 0; i < n; i++)
		if (rule_matches(&rules[i], type, major, minor))
			return 1;
	return 0;
}

/* ---- the program --------------------------------------------------------
 * r1 = struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; },
 * access_type = access << 16 | type.  Allow (r0 = 1) on the first rule that
 * matches, else deny (r0 = 0). */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof i);
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

#define LDX_W(dst, src, off)    insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define AND32(dst, imm)         insn(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm)
#define JNE(dst, imm, off)      insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define MOV64(dst, imm)         insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define EXIT()                  insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static size_t build(const struct dev_rule *rules, size_t n, struct bpf_insn *p)
{
	size_t k = 0;

	p[k++] = LDX_W(2, 1, 0);        /* r2 = access_type */
	p[k++] = AND32(2, 0xffff);      /* r2 = device type */
	p[k++] = LDX_W(3, 1, 4);        /* r3 = major */
	p[k++] = LDX_W(4, 1, 8);        /* r4 = minor */
	for (size_t i = 0; i < n; i++) {
		const struct dev_rule *r = &rules[i];
		int len = 3 + (r->major >= 0) + (r->minor >= 0), at = 0;

		/* each compare jumps past the rest of this rule's block */
		p[k++] = JNE(2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR,
			     (int16_t)(len - ++at));
		if (r->major >= 0)
			p[k++] = JNE(3, r->major, (int16_t)(len - ++at));
		if (r->minor >= 0)
			p[k++] = JNE(4, r->minor, (int16_t)(len - ++at));
		p[k++] = MOV64(0, 1);
		p[k++] = EXIT();
	}
	p[k++] = MOV64(0, 0);
	p[k++] = EXIT();
	return k;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

int devices_attach(int cgroup_fd, const struct dev_rule *extra, size_t nextra,
		   int *prog_fd, struct sh_err *err)
{
	size_t ndef = sizeof defaults / sizeof *defaults, n = ndef + nextra, len;
	_cleanup_free_ struct dev_rule *rules = xcalloc(n, sizeof *rules);
	_cleanup_free_ struct bpf_insn *prog = xcalloc(6 + 5 * n, sizeof *prog);
	_cleanup_close_ int pfd = -1;
	static char log[4096];
	union bpf_attr attr;

	memcpy(rules, defaults, sizeof defaults);
	if (nextra)
		memcpy(rules + ndef, extra, nextra * sizeof *extra);
	len = build(rules, n, prog);

	memset(&attr, 0, sizeof attr);
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)len;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	log[0] = '\0';
	/* Without the verifier's log first: writing it costs more than the
	 * check itself (~2 ms a boot).  Asked for only to explain a refusal. */
	pfd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (pfd < 0 && errno != ENOSYS && errno != EPERM) {
		int e = errno;

		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = sizeof log;
		attr.log_level = 1;
		int again = sys_bpf(BPF_PROG_LOAD, &attr);

		if (again >= 0)
			close(again);
		if (again >= 0 || errno == ENOSPC)
			log[0] = '\0';
		errno = e;
	}
	if (pfd < 0)
		return err_sys(err, errno, "load the device filter (BPF_PROG_TYPE_CGROUP_DEVICE)%s%.200s",
			       log[0] ? ": " : "", log);
	memset(&attr, 0, sizeof attr);
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)pfd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/* MULTI: programs a real init inside might attach below stay
	 * possible, and every one of them must allow a device. */
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return err_sys(err, errno, "attach the device filter to the cgroup");
	if (prog_fd)
		*prog_fd = TAKE_FD(pfd);
	return 0;
}

int devices_detach(int cgroup_fd, int prog_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof attr);
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	return sys_bpf(BPF_PROG_DETACH, &attr) < 0 ? -errno : 0;
}
