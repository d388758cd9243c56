#!/usr/bin/python3
# syscalls.py - run inside a subhost by 75-adversarial.t: try system calls
# that act on the whole host, each with arguments that would do nothing
# harmful if it got through, and print "NAME ERRNO-NAME" (OK for success).
import ctypes, errno, os, platform, sys

if platform.machine() != "x86_64":
    print("SKIP system call numbers are x86_64's")
    sys.exit(0)
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def sc(nr, *args):
    conv = [ctypes.c_char_p(a) if isinstance(a, bytes) else ctypes.c_long(a) for a in args]
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr), *conv)
    return "OK" if r >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))


NOPE = b"/nonexistent-subhost-adv"
probes = [
    # name, number, args (harmless: bad pointers, bad flags, missing paths)
    ("keyctl", 250, 0, -3, 0),                  # KEYCTL_GET_KEYRING_ID of the session keyring
    ("add_key", 248, 0, 0, 0, 0, 0),            # NULL type: EFAULT if it got through
    ("request_key", 249, 0, 0, 0, 0),
    ("bpf", 321, 5, 0, 0),                      # BPF_PROG_LOAD with no attr
    ("perf_event_open", 298, 0, -1, 0, -1, 0),
    ("swapon", 167, NOPE, 0),                   # ENOENT if it got through
    ("swapoff", 168, NOPE),
    ("kexec_load", 246, 0, 0, 0, 0xdead0000),   # bad flags: EINVAL if it got through
    ("kexec_file_load", 320, -1, -1, 0, 0, 0xdead0000),
    ("init_module", 175, 0, 0, b""),
    ("finit_module", 313, -1, b"", 0),
    ("delete_module", 176, b"subhost_adv_nonexistent", 0),
    ("acct", 163, NOPE),
    ("settimeofday", 164, 0, 0),
    ("clock_settime", 227, 0, 0),               # NULL time: EFAULT if it got through
    ("syslog", 103, 10, 0, 0),                  # SYSLOG_ACTION_SIZE_BUFFER: a read
    ("open_by_handle_at", 304, -1, 0, 0),
    ("iopl", 172, 0),
    ("ioperm", 173, 0x80, 1, 0),
    ("lookup_dcookie", 212, 0, 0, 0),
    ("uselib", 134, NOPE),
    # allowed on purpose (SECURITY.md)
    ("userfaultfd", 323, 0),
    ("name_to_handle_at", 303, -100, b"/", 0, 0, 0),
]
for name, nr, *args in probes:
    print(name, sc(nr, *args))
sys.stdout.flush()
