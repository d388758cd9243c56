/* seccomp-filter.c - the deny-list of system calls (libseccomp). */
#include "seccomp-filter.h"

#include <ctype.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

/* Why each is here (root inside is the host's root; the capability it
 * would need is often kept, or CAP_SYS_ADMIN stands in for it):
 *  - kexec_*: boot another kernel; CAP_SYS_BOOT (kept for reboot(2),
 *    which a pid namespace confines) is all they check.
 *  - *_module: load kernel code (CAP_SYS_MODULE is dropped too).
 *  - open_by_handle_at: opens any file of a filesystem by handle, past
 *    mount namespaces and bind mounts (the "shocker" escape);
 *    CAP_DAC_READ_SEARCH is kept.  name_to_handle_at stays (systemd).
 *  - keyctl, add_key, request_key: the kernel keyring is not
 *    namespaced; uid 0 inside shares the host root's keys.  systemd and
 *    Docker-era software treat EPERM as "no keyring".
 *  - bpf, perf_event_open: kernel-wide programs and tracing, allowed by
 *    CAP_SYS_ADMIN even without CAP_BPF/CAP_PERFMON; bpf would also
 *    detach the device filter (devices.c).
 *  - swapon, swapoff: the host's memory.
 *  - settimeofday, clock_settime, stime: the host's clock (adjtimex and
 *    clock_adjtime stay: reading is harmless, setting needs the dropped
 *    CAP_SYS_TIME).
 *  - syslog: clear and silence the host's kernel log; CAP_SYS_ADMIN still
 *    allows it when CAP_SYSLOG is gone.
 *  - acct, iopl, ioperm: host process accounting, raw port access.
 *  - lookup_dcookie, uselib, nfsservctl, vm86*: obsolete and historically
 *    buggy; nothing inside needs them.
 *  - ioctl TIOCSTI/TIOCLINUX: push input into a terminal; a `go` or `run`
 *    command may hold the host's terminal (CVE-2017-5226, CVE-2023-28100).
 *  - mknod of a block device: host disks (devices.c refuses their use too).
 * Left allowed on purpose: mount, umount, pivot_root, unshare, setns,
 * reboot (all confined or needed by inits), ptrace (start-stop-daemon,
 * strace), userfaultfd (only of use against the kernel to someone who
 * lacks CAP_SYS_ADMIN, and unprivileged users get user-mode faults only
 * by default). */
static const struct sc_rule defaults[] = {
	{ "kexec_load", SC_ALWAYS, -1 },
	{ "kexec_file_load", SC_ALWAYS, -1 },
	{ "init_module", SC_ALWAYS, CAP_SYS_MODULE },
	{ "finit_module", SC_ALWAYS, CAP_SYS_MODULE },
	{ "delete_module", SC_ALWAYS, CAP_SYS_MODULE },
	{ "create_module", SC_ALWAYS, CAP_SYS_MODULE },
	{ "open_by_handle_at", SC_ALWAYS, -1 },
	{ "keyctl", SC_ALWAYS, -1 },
	{ "add_key", SC_ALWAYS, -1 },
	{ "request_key", SC_ALWAYS, -1 },
	{ "bpf", SC_ALWAYS, CAP_BPF },
	{ "perf_event_open", SC_ALWAYS, CAP_PERFMON },
	{ "swapon", SC_ALWAYS, -1 },
	{ "swapoff", SC_ALWAYS, -1 },
	{ "settimeofday", SC_ALWAYS, CAP_SYS_TIME },
	{ "clock_settime", SC_ALWAYS, CAP_SYS_TIME },
	{ "clock_settime64", SC_ALWAYS, CAP_SYS_TIME },
	{ "stime", SC_ALWAYS, CAP_SYS_TIME },
	{ "syslog", SC_ALWAYS, CAP_SYSLOG },
	{ "acct", SC_ALWAYS, CAP_SYS_PACCT },
	{ "iopl", SC_ALWAYS, CAP_SYS_RAWIO },
	{ "ioperm", SC_ALWAYS, CAP_SYS_RAWIO },
	{ "lookup_dcookie", SC_ALWAYS, -1 },
	{ "uselib", SC_ALWAYS, -1 },
	{ "nfsservctl", SC_ALWAYS, -1 },
	{ "vm86", SC_ALWAYS, -1 },
	{ "vm86old", SC_ALWAYS, -1 },
	{ "ioctl", SC_TTY_IOCTL, -1 },
	{ "mknod", SC_MKNOD_BLOCK, -1 },
	{ "mknodat", SC_MKNODAT_BLOCK, -1 },
};

const struct sc_rule *sc_default_rules(size_t *n)
{
	*n = sizeof defaults / sizeof *defaults;
	return defaults;
}

/* Next blank-separated word of *p: its start, length in *len; NULL at the end. */
static const char *next_word(const char **p, size_t *len)
{
	const char *w = *p + strspn(*p, " \t\n");

	*len = strcspn(w, " \t\n");
	*p = w + *len;
	return *len ? w : NULL;
}

int sc_check(const char *spec, const char **why, const char **bad, size_t *badlen)
{
	const char *p = spec ? spec : "", *w;
	size_t len, nwords = 0;
	bool none = false;

	while ((w = next_word(&p, &len))) {
		char name[64];
		size_t skip = (w[0] == '+' || w[0] == '-') ? 1 : 0;

		nwords++;
		*bad = w;
		*badlen = len;
		if (len == 4 && !strncmp(w, "none", 4)) {
			none = true;
			continue;
		}
		if (len == 7 && !strncmp(w, "default", 7))
			continue;
		if (len - skip == 0 || len - skip >= sizeof name) {
			*why = "expected a system call name";
			return -EINVAL;
		}
		snprintf(name, sizeof name, "%.*s", (int)(len - skip), w + skip);
		/* A name any architecture knows: "stime" exists on i386 only. */
		if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR) {
			*why = "not a system call libseccomp knows";
			return -EINVAL;
		}
	}
	if (none && nwords > 1) {
		*why = "\"none\" turns the filter off and takes no other word";
		return -EINVAL;
	}
	return 0;
}

static void plan_add(struct sc_plan *plan, const char *name, enum sc_match match, int cap)
{
	plan->rules = xrealloc(plan->rules, (plan->n + 1) * sizeof *plan->rules);
	plan->rules[plan->n].name = xstrdup(name);
	plan->rules[plan->n].match = match;
	plan->rules[plan->n].cap = cap;
	plan->n++;
}

void sc_plan_make(const char *spec, uint64_t caps_dropped, struct sc_plan *plan)
{
	const char *p = spec ? spec : "", *w;
	size_t len, i;

	memset(plan, 0, sizeof *plan);
	for (i = 0; i < sizeof defaults / sizeof *defaults; i++) {
		int cap = defaults[i].cap;

		if (cap >= 0 && !(caps_dropped & ((uint64_t)1 << cap)))
			continue;       /* CAPS_KEEP kept the power: let it be used */
		plan_add(plan, defaults[i].name, defaults[i].match, cap);
	}
	while ((w = next_word(&p, &len))) {
		if (len == 4 && !strncmp(w, "none", 4)) {
			plan->off = true;
			continue;
		}
		if (len == 7 && !strncmp(w, "default", 7))
			continue;
		if (w[0] == '-') {
			size_t o = 0;
			for (i = 0; i < plan->n; i++) {
				if (strlen(plan->rules[i].name) == len - 1 &&
				    !strncmp(plan->rules[i].name, w + 1, len - 1)) {
					free((char *)plan->rules[i].name);
					continue;
				}
				plan->rules[o++] = plan->rules[i];
			}
			plan->n = o;
			continue;
		}
		if (w[0] == '+') {
			w++;
			len--;
		}
		{
			_cleanup_free_ char *name = xasprintf("%.*s", (int)len, w);
			bool dup = false;
			for (i = 0; i < plan->n; i++)
				dup = dup || (!strcmp(plan->rules[i].name, name) &&
					      plan->rules[i].match == SC_ALWAYS);
			if (!dup)
				plan_add(plan, name, SC_ALWAYS, -1);
		}
	}
}

void sc_plan_free(struct sc_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		free((char *)plan->rules[i].name);
	free(plan->rules);
	memset(plan, 0, sizeof *plan);
}

bool sc_plan_denies(const struct sc_plan *plan, const char *name)
{
	if (plan->off)
		return false;
	for (size_t i = 0; i < plan->n; i++)
		if (!strcmp(plan->rules[i].name, name))
			return true;
	return false;
}

/* The compat architectures the kernel may run for a process of ours. */
static int add_arches(scmp_filter_ctx ctx)
{
	uint32_t extra[2] = { 0, 0 };
	int r;

	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		extra[0] = SCMP_ARCH_X86;
		extra[1] = SCMP_ARCH_X32;
		break;
	case SCMP_ARCH_AARCH64:
		extra[0] = SCMP_ARCH_ARM;
		break;
	case SCMP_ARCH_S390X:
		extra[0] = SCMP_ARCH_S390;
		break;
	case SCMP_ARCH_PPC64:
		extra[0] = SCMP_ARCH_PPC;
		break;
	default:
		break;
	}
	for (size_t i = 0; i < 2 && extra[i]; i++) {
		r = seccomp_arch_add(ctx, extra[i]);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, const struct sc_rule *ru)
{
	int nr = seccomp_syscall_resolve_name(ru->name);
	/* ioctl's request is an unsigned int: compare 32 bits, so high bits
	 * set in the register cannot pass for another request. */
	const struct scmp_arg_cmp sti = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI);
	const struct scmp_arg_cmp lnx = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX);
	const struct scmp_arg_cmp blk1 = SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFBLK);
	const struct scmp_arg_cmp blk2 = SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFBLK);
	const uint32_t act = SCMP_ACT_ERRNO(EPERM);
	int r;

	if (nr == __NR_SCMP_ERROR)
		return 0;       /* unknown to this libseccomp: nothing can call it by name */
	switch (ru->match) {
	case SC_TTY_IOCTL:
		r = seccomp_rule_add(ctx, act, nr, 1, sti);
		if (r == 0)
			r = seccomp_rule_add(ctx, act, nr, 1, lnx);
		break;
	case SC_MKNOD_BLOCK:
		r = seccomp_rule_add(ctx, act, nr, 1, blk1);
		break;
	case SC_MKNODAT_BLOCK:
		r = seccomp_rule_add(ctx, act, nr, 1, blk2);
		break;
	case SC_ALWAYS:
	default:
		r = seccomp_rule_add(ctx, act, nr, 0);
		break;
	}
	/* -EDOM: the call does not exist on one of the architectures (stime
	 * on x86_64); libseccomp added it where it exists. */
	return r == -EDOM ? 0 : r;
}

void *sc_build(const struct sc_plan *plan, struct sh_err *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx) {
		err_msg(err, EXIT_FAIL, ENOMEM, "seccomp: cannot create a filter");
		return NULL;
	}
	/* No NO_NEW_PRIVS: su, passwd and ping must work inside.  Loading
	 * without it is allowed to CAP_SYS_ADMIN, which the loader has. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = add_arches(ctx);
	if (r < 0) {
		err_sys(err, -r, "seccomp: add architectures");
		seccomp_release(ctx);
		return NULL;
	}
	for (size_t i = 0; i < plan->n; i++) {
		r = add_rule(ctx, &plan->rules[i]);
		if (r < 0) {
			err_sys(err, -r, "seccomp: rule for %s", plan->rules[i].name);
			seccomp_release(ctx);
			return NULL;
		}
	}
	return ctx;
}

size_t sc_arch_count(void *ctx)
{
	static const uint32_t all[] = {
		SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64, SCMP_ARCH_ARM,
		SCMP_ARCH_S390X, SCMP_ARCH_S390, SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE,
		SCMP_ARCH_PPC, SCMP_ARCH_RISCV64,
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		n += seccomp_arch_exist(ctx, all[i]) == 0;
	return n;
}

void sc_release(void *ctx)
{
	if (ctx)
		seccomp_release(ctx);
}

int sc_load(const char *spec, uint64_t caps_dropped, struct sh_err *err)
{
	struct sc_plan plan;
	void *ctx;
	int r = 0;

	sc_plan_make(spec, caps_dropped, &plan);
	if (plan.off) {
		sc_plan_free(&plan);
		return 0;
	}
	ctx = sc_build(&plan, err);
	sc_plan_free(&plan);
	if (!ctx)
		return -EINVAL;
	r = seccomp_load(ctx);
	if (r < 0)
		err_sys(err, -r, "load the seccomp filter");
	seccomp_release(ctx);
	return r;
}
