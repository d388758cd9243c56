#!/bin/bash
# boot and stop: what the host holds while a subhost runs, and that stop
# (or the end of a --foreground supervisor) leaves nothing behind.
. "$(dirname "$0")/lib.sh"

cg_root() {
	local d
	for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		[ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ] && { echo "$d"; return 0; }
	done
	return 1
}

# ---- boot in the background, look at it from the host, stop it ----------
n=$(uniq_name boot); mk "$n"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 0 "boot $n exits 0" || diag "$out" "$(cat "$DIR/log" 2>/dev/null)"
is "$out" "" "boot prints nothing on success"
check "state file /run/subhost/$n/state exists" -- test -f "/run/subhost/$n/state"
check "lock /run/subhost/$n/lock exists" -- test -f "/run/subhost/$n/lock"
is "$(st_get "$n" status)" running "state says running"
pid=$(st_get "$n" pid); svpid=$(st_get "$n" supervisor_pid)
check "pid 1 (host pid $pid) is alive" -- kill -0 "${pid:-0}"
check "supervisor (host pid $svpid) is alive" -- kill -0 "${svpid:-0}"
is "$(cat "/proc/$svpid/comm" 2>/dev/null)" subhost-sv "the supervisor's process name is subhost-sv"
is "$(awk '/^PPid:/{print $2}' "/proc/$pid/status" 2>/dev/null)" "$svpid" "pid 1 is the supervisor's child"
is "$(awk '/^NSpid:/{print $NF}' "/proc/$pid/status" 2>/dev/null)" 1 "it is pid 1 of its own pid namespace"
for ns in mnt pid ipc uts cgroup time net; do
	[ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ]
	ok $? "pid 1 has its own $ns namespace"
done
check "netns /run/netns/$n exists" -- test -e "/run/netns/$n"
is "$(readlink "/proc/$pid/ns/net")" "$(ip netns exec "$n" readlink /proc/self/ns/net 2>/dev/null)" \
	"ip netns exec $n enters pid 1's network namespace"
like "$(ip netns exec "$n" ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | tr '\n' ' ')" '^lo $' \
	"the netns has only lo (no CABLES)"
like "$(ip netns exec "$n" ip -o link show lo 2>/dev/null)" 'UP' "lo is up inside"
if cg=$(cg_root); then
	check "cgroup $cg/subhost/$n exists" -- test -d "$cg/subhost/$n"
	grep -qx "$pid" "$cg/subhost/$n/cgroup.procs"
	ok $? "pid 1 is in the subhost's cgroup"
	is "$(st_get "$n" cgroup)" "$cg/subhost/$n" "state records the cgroup"
else
	needs "cgroup2 hierarchy" -- false
fi
like "$(grep -F " $DIR" /proc/self/mountinfo)" '^$' "the host's mount table shows nothing under BASE"
like "$(cat "$DIR/log" 2>/dev/null)" 'pid 1 is up' "the log records the boot"
out=$("$SUBHOST" stop "$n" </dev/null 2>&1); st=$?
is "$st" 0 "stop $n exits 0" || diag "$out"
check "pid 1 is gone after stop" -- dead "$pid"
check "supervisor is gone after stop" -- dead "$svpid"
no_residue "$n"
like "$(cat "$DIR/log" 2>/dev/null)" 'torn down' "the log records the teardown"

# ---- boot by NAME through SUBHOST_CONFDIR, stop by CONF -----------------
n=$(uniq_name name); mk "$n"
SUBHOST_CONFDIR=$DIR "$SUBHOST" boot "$n" </dev/null
ok $? "boot NAME finds \$SUBHOST_CONFDIR/NAME.conf"
is "$(st_get "$n" status)" running "it runs"
is "$(st_get "$n" conf)" "$CONF" "state records the conf path"
"$SUBHOST" stop "$CONF" </dev/null
ok $? "stop CONF stops it"
no_residue "$n"

# ---- an overlay-boot style conf: NAME from the file, BASE absolute -------
n=$(uniq_name ovb); mk "$n"
d2=$T_ROOT/$n-other; mkdir -p "$d2"
printf 'BASE=%s\nSTART=none\nLOG=%s/log\n' "$DIR" "$DIR" > "$d2/$n.conf"
"$SUBHOST" boot "$d2/$n.conf" </dev/null
ok $? "boot with an absolute BASE in a conf elsewhere"
is "$(st_get "$n" base)" "$DIR" "BASE is the absolute one"
is "$(st_get "$n" upper)" "$DIR/root" "UPPER defaults to BASE/root"
is "$(st_get "$n" live)" "$DIR/live" "LIVE defaults to BASE/live"
is "$(st_get "$n" lower)" "/" "LOWER defaults to /"
"$SUBHOST" stop "$n" </dev/null
ok $? "stop"
no_residue "$n"

# ---- --foreground: the supervisor stays; SIGTERM powers off --------------
n=$(uniq_name fg); mk "$n"
"$SUBHOST" boot --foreground "$CONF" </dev/null >"$DIR/fg.out" 2>"$DIR/fg.err" &
fg=$!
wait_for 100 st_is "$n" status running
ok $? "boot --foreground reaches running" || diag "$(cat "$DIR/fg.err")"
is "$(st_get "$n" supervisor_pid)" "$fg" "the foreground process is the supervisor"
like "$(cat "$DIR/fg.err")" 'pid 1 is up' "it logs its steps to stderr"
"$SUBHOST" go "$n" -- true </dev/null
ok $? "go works while the foreground supervisor runs"
kill -TERM "$fg"
wait "$fg"
is "$?" 0 "SIGTERM: the foreground supervisor powers off and exits 0"
no_residue "$n"

# ---- stop --force and stop --timeout ------------------------------------
n=$(uniq_name frc); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n"
"$SUBHOST" go "$n" -- sh -c 'trap "" TERM; sleep 100 >/dev/null 2>&1 & exit 0' </dev/null
"$SUBHOST" stop --force "$n" </dev/null
ok $? "stop --force exits 0"
no_residue "$n" "stop --force leaves nothing"

n=$(uniq_name tmo); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n"
"$SUBHOST" stop --timeout 0 "$n" </dev/null 2>/dev/null
ok $? "stop --timeout 0 exits 0"
no_residue "$n" "stop --timeout 0 leaves nothing"

# ---- stop while it is still booting (a slow PREMOUNT) --------------------
# The power off must not be lost: the boot is undone, or the subhost powers
# off as soon as pid 1 is up, well before stop's timeout.
n=$(uniq_name sdb); mk "$n" "PREMOUNT=sleep 2; true"
"$SUBHOST" boot "$CONF" </dev/null >"$DIR/boot.out" 2>&1 &
bp=$!
wait_for 50 test -e "/run/subhost/$n/state"
sleep 0.3
t0=$SECONDS
out=$("$SUBHOST" stop --timeout 15 "$n" </dev/null 2>&1); st=$?
el=$((SECONDS - t0))
wait "$bp"; bst=$?
[ "$st" = 0 ] || [ "$st" = 1 ]; ok $? "stop during boot exits 0 (or 1: try again) (status $st, boot status $bst)" || diag "$out"
[ "$el" -lt 10 ]; ok $? "stop during boot does not wait for its timeout (took ${el}s)" || diag "$out" "$(cat "$DIR/log")"
"$SUBHOST" stop --force "$n" </dev/null >/dev/null 2>&1
wait_for 50 test ! -e "/run/subhost/$n"
no_residue "$n"

# ---- the detached supervisor keeps none of the caller's descriptors --------
# A caller that reads boot's output to EOF through another descriptor (make's
# jobserver pipe, a 3>&1 capture) must not wait for the subhost to end.
n=$(uniq_name fds); mk "$n"
timeout 5 bash -c 'x=$("$0" boot "$1" 3>&1 </dev/null >/dev/null 2>&1)' "$SUBHOST" "$CONF"
st=$?
is "$st" 0 "boot with a pipe on fd 3 returns at once (a 3>&1 capture sees EOF)"
svpid=$(st_get "$n" supervisor_pid)
fds=$(ls -l "/proc/$svpid/fd" 2>/dev/null | grep -c -E 'pipe:|socket:')
is "$fds" 0 "the supervisor holds no pipe or socket of its caller" || diag "$(ls -l "/proc/$svpid/fd")"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"

# ---- usage errors --------------------------------------------------------
"$SUBHOST" boot </dev/null >/dev/null 2>&1; is "$?" 2 "boot without an argument exits 2"
"$SUBHOST" stop --timeout x foo </dev/null >/dev/null 2>&1; is "$?" 2 "stop --timeout x exits 2"
"$SUBHOST" nosuchcommand </dev/null >/dev/null 2>&1; is "$?" 2 "an unknown command exits 2"
out=$("$SUBHOST" boot "$T_ROOT/nosuch/nosuch.conf" </dev/null 2>&1); st=$?
is "$st" 2 "boot of a missing conf file exits 2"
like "$out" "nosuch\.conf" "and names the file"

# ---- one sealed copy of subhost-init for all running subhosts -------------
init_inode() {  # the inode of the memfd NAME's supervisor runs pid 1 from
	local sp fd
	sp=$(st_get "$1" supervisor_pid); fd=$(st_get "$1" init_fd)
	stat -L -c %i "/proc/$sp/fd/$fd" 2>/dev/null
}
a=$(uniq_name sha); mk "$a"; ca=$CONF
b=$(uniq_name shb); mk "$b"; cb=$CONF
"$SUBHOST" boot "$ca" </dev/null && "$SUBHOST" boot "$cb" </dev/null
ok $? "two subhosts boot"
ia=$(init_inode "$a"); ib=$(init_inode "$b")
[ -n "$ia" ] && [ "$ia" = "$ib" ]
ok $? "the second reuses the first's sealed copy of subhost-init ($ia = $ib)"
sp=$(st_get "$a" supervisor_pid); fd=$(st_get "$a" init_fd)
! printf x 2>/dev/null >>"/proc/$sp/fd/$fd"
ok $? "and that copy cannot be written (sealed)"
is "$("$SUBHOST" go "$b" -- cat /proc/1/comm </dev/null)" subhost-init "pid 1 of the second runs from it"
"$SUBHOST" stop "$a" && "$SUBHOST" stop "$b"
ok $? "both stop"
no_residue "$a"
no_residue "$b"

done_testing
