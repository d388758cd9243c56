#!/bin/bash
# subhost go (exit status, clean environment, cgroup, pty) and subhost run
# (an ephemeral subhost whose only service is CMD).
. "$(dirname "$0")/lib.sh"

go() { "$SUBHOST" go "$@" </dev/null; }

# ---- go ----------------------------------------------------------------------
n=$(uniq_name go); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n" || diag "$(cat "$DIR/log")"

go "$n" -- sh -c 'exit 7'; is "$?" 7 "go passes the exit status through (7)"
go "$n" -- true; is "$?" 0 "go -- true exits 0"
go "$n" -- sh -c 'kill -TERM $$'; is "$?" 143 "a command killed by SIGTERM: 128+15"
go "$n" -- /nonexistent-cmd 2>/dev/null; is "$?" 127 "a command that does not exist: 127"
go "$n" -- sh -c 'echo echo > /root/noexec; chmod 644 /root/noexec'
go "$n" -- /root/noexec 2>/dev/null; is "$?" 126 "a command that cannot be executed: 126"
go "$n" echo without-dashdash >/dev/null; ok $? "go NAME CMD works without --"
is "$(go "$n" echo hello)" hello "go's output reaches the caller"
is "$(echo piped | go "$n" -- cat 2>&1)" "" "stdin /dev/null: cat reads nothing"
is "$(echo piped | "$SUBHOST" go "$n" -- cat)" piped "a piped stdin reaches the command"
is "$(go "$n" -- sh -c 'echo err >&2' 2>&1 >/dev/null)" err "stderr reaches the caller's stderr"

env_in=$(FOO=bar-$n SUBHOST_SECRET=x go "$n" -- env)
[[ $env_in != *FOO=* && $env_in != *SUBHOST_SECRET* ]]; ok $? "the caller's variables do not reach inside" || diag "$env_in"
like "$env_in" '(^|'$'\n'')container=subhost('$'\n''|$)' "container=subhost is set"
like "$env_in" '(^|'$'\n'')HOME=/root('$'\n''|$)' "HOME=/root"
like "$env_in" '(^|'$'\n'')PATH=/' "PATH is set"
is "$(go "$n" -- pwd)" /root "go starts in /root"
is "$(go "$n" -- id -u)" 0 "go runs as root"
like "$(go "$n" -- sh -c 'grep ^CapBnd /proc/self/status')" 'CapBnd' "capabilities are readable"
is "$(go "$n" -- sh -c 'ls /proc/self/fd | tr "\n" " "')" "0 1 2 3 " \
	"go's command has only stdio (3 is ls's own directory fd)"

# the cgroup: inside, its own cgroup namespace root; on the host, the subhost's group
cg=$(st_get "$n" cgroup)
if needs "cgroup2 for the subhost" -- test -n "$cg" -a -d "$cg"; then
	is "$(go "$n" -- sh -c 'grep "^0::" /proc/self/cgroup')" "0::/" "inside, /proc/self/cgroup's unified line is 0::/"
	"$SUBHOST" go "$n" -- sleep 5 </dev/null &
	gp=$!
	# go -> subhost-init --go (the sealed helper) -> the command
	hp=$(wait_for 50 pgrep -P "$gp" >/dev/null && pgrep -P "$gp")
	sl=$(wait_for 50 pgrep -P "${hp:-1}" -x sleep >/dev/null && pgrep -P "${hp:-1}" -x sleep)
	wait_for 50 grep -qx "${sl:-x}" "$cg/cgroup.procs"
	ok $? "go's command (host pid ${sl:-?}) is in $cg while it runs"
	! grep -qx -e "$gp" -e "${hp:-x}" "$cg/cgroup.procs"
	ok $? "the go relay and its helper (host pids $gp, ${hp:-?}, outside the pid namespace) are not: inside they would be pid 0"
	is "$(go "$n" -- sh -c 'grep -cx 0 /sys/fs/cgroup/cgroup.procs')" 0 "inside, cgroup.procs lists no pid 0"
	kill "$gp" 2>/dev/null; wait "$gp" 2>/dev/null
fi
# a terminal: the command gets a pty of the subhost's own devpts
if needs "script(1) for a terminal" -- command -v script; then
	script -qec "$SUBHOST go $n -- sh -c 'echo TTY=\$(tty); echo DEV=\$(stat -c %d \$(tty)) PTS=\$(stat -c %d /dev/pts/ptmx); exit 5'" \
		/dev/null </dev/null >"$DIR/pty.out" 2>&1
	st=$?
	out=$(tr -d '\r' < "$DIR/pty.out")
	tty_in=$(echo "$out" | sed -n 's/.*TTY=//p')
	like "$tty_in" '^/dev/pts/[0-9]+$' "with a terminal, tty inside is /dev/pts/N (got $tty_in)"
	d1=$(echo "$out" | sed -n 's/.*DEV=\([0-9]*\) .*/\1/p'); d2=$(echo "$out" | sed -n 's/.*PTS=\([0-9]*\).*/\1/p')
	[ -n "$d1" ] && [ "$d1" = "$d2" ]; ok $? "that pty lives on the subhost's own devpts" || diag "$out"
	[ "$d1" != "$(stat -c %d /dev/pts/ptmx)" ]; ok $? "not on the host's devpts"
	is "$st" 5 "the exit status passes through the pty"
	out=$(script -qec "$SUBHOST go $n -- sh -c 'echo TERM=\$TERM'" /dev/null </dev/null | tr -d '\r' | sed -n 's/.*TERM=//p')
	is "$out" "${TERM:-dumb}" "TERM is passed in" 
	# a process left behind inside that holds the pty does not keep go waiting
	t0=$(date +%s%N)
	out=$(timeout 20 script -qec "$SUBHOST go $n -- sh -c 'sleep 30 & echo left'" /dev/null </dev/null | tr -d '\r')
	t1=$(date +%s%N)
	[[ $out == *left* ]] && [ $(( (t1 - t0) / 1000000 )) -lt 10000 ]
	ok $? "go returns when its command ends, though a child it left inside holds the pty ($(( (t1 - t0) / 1000000 )) ms)"
	in_sh "$n" 'pkill -x sleep' 2>/dev/null
fi

"$SUBHOST" stop "$n" </dev/null; ok $? "stop $n"
no_residue "$n"

# ---- run -----------------------------------------------------------------------
n=$(uniq_name run); mk "$n"
mkdir -p "$DIR/root/root" && echo echo > "$DIR/root/root/noexec" && chmod 644 "$DIR/root/root/noexec"
"$SUBHOST" run "$CONF" -- /bin/true </dev/null; is "$?" 0 "run CONF -- /bin/true exits 0"
no_residue "$n" "nothing remains after run"
"$SUBHOST" run "$CONF" -- sh -c 'exit 3' </dev/null; is "$?" 3 "run -- sh -c 'exit 3' exits 3"
no_residue "$n"
"$SUBHOST" run "$CONF" -- /nonexistent-cmd-$n </dev/null >/dev/null 2>&1; is "$?" 127 "run of a nonexistent command exits 127"
no_residue "$n"
"$SUBHOST" run "$CONF" -- /root/noexec </dev/null >/dev/null 2>&1; is "$?" 126 "run of a non-executable exits 126"
no_residue "$n"
"$SUBHOST" run "$CONF" -- sh -c 'kill -KILL $$' </dev/null >/dev/null 2>&1; is "$?" 137 "run: CMD killed by SIGKILL gives 137"
no_residue "$n"
out=$("$SUBHOST" run "$CONF" -- sh -c 'echo out-$(hostname); echo err >&2' </dev/null 2>"$DIR/run.err")
is "$out" "out-$n" "run: CMD's output (and only it) reaches the caller's stdout"
is "$(cat "$DIR/run.err")" "err" "run: CMD's stderr reaches the caller's stderr"
is "$(echo input | "$SUBHOST" run "$CONF" -- cat)" input "run: the caller's stdin reaches CMD"
out=$("$SUBHOST" run "$CONF" -- sh -c 'cat /proc/1/comm; echo $$; set -- /proc/[0-9]*; echo $#' </dev/null)
is "$(echo "$out" | tr '\n' ' ')" "subhost-init 2 2 " "run: CMD is pid 2 under subhost-init, alone"
out=$("$SUBHOST" run "$CONF" -- sh -c 'echo x > /root/run-$$; echo $(hostname)' </dev/null)
is "$out" "$n" "run: hostname is the name"
ls "$DIR/root/root/" 2>/dev/null | grep -q '^run-'; ok $? "run: writes land in UPPER"
no_residue "$n"
# leftovers of CMD are ended at power off
start=$(date +%s)
"$SUBHOST" run --grace 1 "$CONF" -- sh -c 'sleep 60 >/dev/null 2>&1 & trap "" TERM; (trap "" TERM; sleep 60) >/dev/null 2>&1 & exit 0' </dev/null
is "$?" 0 "run: CMD leaving processes behind still exits with CMD's status"
[ $(( $(date +%s) - start )) -lt 10 ]; ok $? "run: leftovers (even ones ignoring SIGTERM) are killed after the grace period"
no_residue "$n"
"$SUBHOST" run "$CONF" </dev/null >/dev/null 2>&1; is "$?" 0 "run without CMD runs /bin/sh (stdin at EOF: exits 0)"
no_residue "$n"
# SIGTERM to run powers the subhost off
"$SUBHOST" run "$CONF" -- sleep 60 </dev/null &
rp=$!
wait_for 100 st_is "$n" status running
ok $? "run: the ephemeral subhost shows as running"
is "$(st_get "$n" mode)" run "run: state mode is run"
kill -TERM "$rp"
wait "$rp"; st=$?
is "$st" 143 "run: SIGTERM powers it off; CMD's status (killed by SIGTERM) comes back"
no_residue "$n"

done_testing
