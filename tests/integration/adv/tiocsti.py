#!/usr/bin/python3
# tiocsti.py - run on the host by 75-adversarial.t: give `subhost go` a
# pty as the host's terminal and let the command inside push "echo PWNED"
# into its descriptors with TIOCSTI; then look at what the host's terminal
# has as pending input.  Prints "RESULT <per-fd results> PENDING <n bytes>".
#   tiocsti.py SUBHOST NAME tty|notty     (subhost go NAME, stdin the terminal or not)
#   tiocsti.py SUBHOST CONF run           (subhost run CONF, stdin not the terminal)
#   tiocsti.py control       (the host itself injects: the probe works)
import fcntl, os, pty, select, subprocess, sys, termios, tty

INJECT = r"""
import fcntl, termios
res = []
for fd in (0, 1, 2):
    try:
        for c in b"echo PWNED\n":
            fcntl.ioctl(fd, termios.TIOCSTI, bytes([c]))
        res.append("%d:injected" % fd)
    except OSError as e:
        res.append("%d:%s" % (fd, e.strerror.replace(" ", "_")))
print("INSIDE", " ".join(res))
"""


def pending(fd):
    fl = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)
    try:
        return os.read(fd, 4096)
    except BlockingIOError:
        return b""


master, slave = pty.openpty()
tty.setraw(slave)
if sys.argv[1] == "control":
    fcntl.ioctl(slave, termios.TIOCSTI, b"x")
    print("RESULT control PENDING", len(pending(slave)))
    sys.exit(0)
subhost, name, mode = sys.argv[1:4]
stdin = slave if mode == "tty" else os.open(os.devnull, os.O_RDONLY)
p = subprocess.Popen([subhost, "run" if mode == "run" else "go", name, "--", "/usr/bin/python3", "-c", INJECT],
                     stdin=stdin, stdout=slave, stderr=slave, start_new_session=True)
out = b""
while p.poll() is None:
    r, _, _ = select.select([master], [], [], 0.1)
    if r:
        out += os.read(master, 4096)
while True:
    r, _, _ = select.select([master], [], [], 0.2)
    if not r:
        break
    out += os.read(master, 4096)
inside = [l for l in out.decode(errors="replace").splitlines() if "INSIDE" in l]
print("RESULT", inside[0].split("INSIDE", 1)[1].strip() if inside else "no-output:" + repr(out[-200:]),
      "PENDING", len(pending(slave)), "STATUS", p.returncode)
