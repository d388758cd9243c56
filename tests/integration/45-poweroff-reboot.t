#!/bin/bash
# Power off and reboot from inside, through subhost-init's /run/initctl
# (the sysvinit init_request protocol) and the tools that speak it.
. "$(dirname "$0")/lib.sh"

newpid() { local p; p=$(st_get "$1" pid); [ -n "$p" ] && [ "$p" != "$2" ] && st_is "$1" status running; }
# telinit NAME LEVEL: write one 384-byte init_request for LEVEL from inside
# in one write (printf: int magic 0x03091969, int cmd 1 (runlevel), int runlevel, int
# sleeptime 0, then 368 zero bytes; little-endian).
telinit_in() {
	local lvl
	lvl=$(printf '\\%03o' "'$2")
	# (in a subshell: the power off may SIGKILL this go, which joined the
	# subhost's cgroup; keep bash's "Killed" note out of the TAP stream)
	( "$SUBHOST" go "$1" -- sh -c "{ printf '\\151\\031\\011\\003\\001\\000\\000\\000'; printf '$lvl\\000\\000\\000\\000\\000\\000\\000'; head -c 368 /dev/zero; } | dd of=/run/initctl bs=384 count=1 iflag=fullblock status=none" </dev/null; exit $? ) 2>/dev/null
}

# the request itself, checked on the host first
req=$( { printf '\151\031\011\003\001\000\000\000'; printf '\060\000\000\000\000\000\000\000'; head -c 368 /dev/zero; } | od -An -tx4 -N16 | tr -s ' ')
is "$req" " 03091969 00000001 00000030 00000000" "the test's init_request encoding (magic, cmd 1, '0', 0)"

# ---- runlevel 0: the subhost ends, nothing remains --------------------------
n=$(uniq_name rl0); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n" || diag "$(cat "$DIR/log")"
pid=$(st_get "$n" pid)
"$SUBHOST" go "$n" -- test -p /run/initctl </dev/null; ok $? "/run/initctl is a FIFO inside"
telinit_in "$n" 0; st=$?
[ "$st" = 0 ] || [ "$st" -gt 128 ]
ok $? "write a runlevel 0 request to /run/initctl (the writer may be killed by the power off: $st)"
wait_for 100 gone "$n"; ok $? "the subhost powers off"
check "its pid 1 is gone" -- dead "$pid"
no_residue "$n"
like "$(cat "$DIR/log")" 'initctl' "the log mentions the initctl request"

# ---- junk on /run/initctl is ignored -------------------------------------------
n=$(uniq_name junk); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n"
"$SUBHOST" go "$n" -- sh -c 'head -c 384 /dev/zero > /run/initctl; echo short > /run/initctl' </dev/null
sleep 0.5
is "$(st_get "$n" status)" running "a bad magic and a short record are ignored"
"$SUBHOST" go "$n" -- true </dev/null; ok $? "it still works"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"

# ---- runlevel 6: it comes back with a new pid 1 --------------------------------
n=$(uniq_name rl6); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n"
pid=$(st_get "$n" pid); svpid=$(st_get "$n" supervisor_pid)
"$SUBHOST" go "$n" -- sh -c 'echo before > /root/reboot-mark' </dev/null
telinit_in "$n" 6; st=$?
[ "$st" = 0 ] || [ "$st" -gt 128 ]
ok $? "write a runlevel 6 request to /run/initctl (the writer may be killed by the power off: $st)"
wait_for 100 newpid "$n" "$pid"; ok $? "it is running again with another pid 1" || diag "$(cat "$DIR/log")"
check "the old pid 1 is gone" -- dead "$pid"
is "$(st_get "$n" supervisor_pid)" "$svpid" "the same supervisor"
out=$("$SUBHOST" status --json "$n" </dev/null)
is "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["boots"])')" 2 "status --json: boots=2"
[ "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')" != "$pid" ]
ok $? "status --json shows the new pid"
is "$("$SUBHOST" go "$n" -- cat /root/reboot-mark </dev/null)" before "after the reboot: usable, UPPER kept"
is "$("$SUBHOST" go "$n" -- cat /proc/1/comm </dev/null)" subhost-init "after the reboot: pid 1 is subhost-init"
is "$("$SUBHOST" go "$n" -- hostname </dev/null)" "$n" "after the reboot: hostname"
"$SUBHOST" go "$n" -- test -p /run/initctl </dev/null; ok $? "after the reboot: a fresh /run/initctl"
check "after the reboot: the netns is there" -- test -e "/run/netns/$n"
like "$(grep -F " $DIR" /proc/self/mountinfo)" '^$' "after the reboot: still nothing under BASE in the host's mount table"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"

# ---- the sysvinit tools inside: poweroff, reboot --------------------------------
n=$(uniq_name pwr); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n"
if needs "/sbin/poweroff inside" -- "$SUBHOST" go "$n" -- test -x /sbin/poweroff </dev/null; then
	pid=$(st_get "$n" pid)
	( "$SUBHOST" go "$n" -- sh -c "test -x /sbin/reboot && reboot" </dev/null >"$DIR/reboot.out" 2>&1; exit $? ) 2>/dev/null
	st=$?
	wait_for 100 newpid "$n" "$pid"
	ok $? "reboot inside reboots the subhost (status $st)" || diag "$(cat "$DIR/reboot.out")"
	( "$SUBHOST" go "$n" -- poweroff </dev/null >"$DIR/poweroff.out" 2>&1; exit $? ) 2>/dev/null
	st=$?
	wait_for 100 gone "$n"
	ok $? "poweroff inside powers the subhost off (status $st)" || diag "$(cat "$DIR/poweroff.out")" "$(tail -5 "$DIR/log")"
	no_residue "$n"
else
	"$SUBHOST" stop "$n" </dev/null
	no_residue "$n"
fi

# ---- SIGTERM to pid 1 from the host powers off (SPEC 5) ----------------------
n=$(uniq_name sig); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n"
pid=$(st_get "$n" pid)
kill -TERM "$pid"
wait_for 100 gone "$n"; ok $? "SIGTERM to pid 1 from the host powers the subhost off"
no_residue "$n"

# ---- too many quick reboots: the supervisor gives up ------------------------------
n=$(uniq_name loop); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n"
for i in 1 2 3 4 5 6; do
	pid=$(st_get "$n" pid)
	[ -n "$pid" ] || break
	telinit_in "$n" 6 2>/dev/null
	wait_for 50 newpid "$n" "$pid" || break
done
wait_for 100 gone "$n"; ok $? "after 5 quick reboots the supervisor gives up" || diag "$(tail -5 "$DIR/log")"
like "$(cat "$DIR/log")" 'giving up' "the log says so"
no_residue "$n"

done_testing
