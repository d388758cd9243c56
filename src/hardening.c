/* hardening.c - reduce what root inside a subhost can do to the host. */
#include "hardening.h"

#include <sys/capability.h>
#include <sys/prctl.h>

/* Kernel-wide powers a subhost never needs.  CAP_SYS_BOOT stays: inside a
 * pid namespace reboot(2) only ends the subhost, and real inits use it. */
static const cap_value_t dropped[] = {
	CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_TIME, CAP_MAC_ADMIN,
	CAP_MAC_OVERRIDE, CAP_SYSLOG, CAP_WAKE_ALARM, CAP_BLOCK_SUSPEND,
	CAP_AUDIT_CONTROL, CAP_SYS_PACCT, CAP_BPF, CAP_PERFMON,
};

int hardening_apply(struct sh_err *err)
{
	size_t i;
	cap_t caps;

	for (i = 0; i < sizeof dropped / sizeof *dropped; i++) {
		if (!CAP_IS_SUPPORTED(dropped[i]))
			continue;
		if (cap_drop_bound(dropped[i]) < 0)
			return err_sys(err, errno, "drop capability %s from the bounding set",
				       cap_to_name(dropped[i]));
	}
	/* Effective and permitted lose them too; inheritable is emptied so
	 * nothing regains them across exec. */
	caps = cap_get_proc();
	if (!caps)
		return err_sys(err, errno, "read capabilities");
	if (cap_clear_flag(caps, CAP_INHERITABLE) < 0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, sizeof dropped / sizeof *dropped, dropped, CAP_CLEAR) < 0 ||
	    cap_set_flag(caps, CAP_PERMITTED, sizeof dropped / sizeof *dropped, dropped, CAP_CLEAR) < 0 ||
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
