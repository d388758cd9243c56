#!/bin/bash
# A supervisor killed with SIGKILL: the subhost dies with it, and the next
# list/boot/stop/go/status finds the stale state and cleans it. A pid 1
# killed from the host: the supervisor tears everything down.
. "$(dirname "$0")/lib.sh"

all_dead() { local p; for p in "$@"; do dead "$p" || return 1; done; return 0; }

# boot_and_kill NAME: boot, leave two processes behind inside, SIGKILL the
# supervisor; checks that everything inside dies within a second.
boot_and_kill() {
	local n=$1 pid svpid cg procs
	"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n" || return 1
	"$SUBHOST" go "$n" -- sh -c 'sleep 300 >/dev/null 2>&1 & (trap "" TERM HUP; sleep 300) >/dev/null 2>&1 &' </dev/null
	pid=$(st_get "$n" pid); svpid=$(st_get "$n" supervisor_pid); cg=$(st_get "$n" cgroup)
	procs=$pid
	[ -n "$cg" ] && procs=$(cat "$cg/cgroup.procs")
	[ "$(echo "$procs" | wc -w)" -ge 3 ] || [ -z "$cg" ]
	ok $? "$n has pid 1 and two leftovers ($(echo $procs))"
	kill -KILL "$svpid"
	# shellcheck disable=SC2086
	wait_for 10 all_dead $procs
	ok $? "SIGKILL to the supervisor: within a second every process of $n is gone"
	check "the supervisor is gone" -- wait_for 10 all_dead "$svpid"
	if [ -n "$cg" ]; then
		is "$(cat "$cg/cgroup.procs" 2>/dev/null)" "" "its cgroup is empty"
	fi
	STALE_PID=$pid
}

# ---- list cleans the stale state; boot works again ----------------------------------
n=$(uniq_name lst); mk "$n"
boot_and_kill "$n"
check "stale state is left for the next command to find" -- test -e "/run/subhost/$n/state"
out=$("$SUBHOST" list </dev/null 2>&1 >/dev/null); st=$?
is "$st" 0 "list exits 0"
like "$out" "subhost: $n: removed stale state" "list reports the stale state it removed"
[ -z "$("$SUBHOST" list </dev/null 2>/dev/null | awk -v n="$n" '$1 == n')" ]; ok $? "list does not show it"
no_residue "$n" "list cleaned everything of $n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot of the same conf works again"
is "$(st_get "$n" status)" running "it runs"
[ "$(st_get "$n" pid)" != "$STALE_PID" ]; ok $? "with a new pid 1"
"$SUBHOST" go "$n" -- true </dev/null; ok $? "go works"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"

# ---- boot right after the kill cleans by itself ------------------------------------
n=$(uniq_name bt); mk "$n"
boot_and_kill "$n"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 0 "boot over stale state exits 0" || diag "$out"
is "$(st_get "$n" status)" running "it runs"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"

# ---- stop / go / status after the kill: 3, and clean -----------------------------------
n=$(uniq_name stp); mk "$n"
boot_and_kill "$n"
out=$("$SUBHOST" stop "$n" </dev/null 2>&1); st=$?
is "$st" 3 "stop of a subhost with a dead supervisor exits 3"
like "$out" "^subhost: $n: not running" "stop says not running"
no_residue "$n" "stop cleaned the stale state"

n=$(uniq_name go); mk "$n"
boot_and_kill "$n"
"$SUBHOST" go "$n" -- true </dev/null 2>/dev/null; is "$?" 3 "go into a subhost with a dead supervisor exits 3"
no_residue "$n" "go cleaned the stale state"

n=$(uniq_name sts); mk "$n"
boot_and_kill "$n"
out=$("$SUBHOST" status "$n" </dev/null 2>&1); st=$?
is "$st" 3 "status of a subhost with a dead supervisor exits 3"
like "$out" "not running" "status says not running"
no_residue "$n" "status cleaned the stale state"

# ---- pid 1 killed from the host: the supervisor tears down --------------------------
n=$(uniq_name p1); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n"
pid=$(st_get "$n" pid); svpid=$(st_get "$n" supervisor_pid)
kill -KILL "$pid"
wait_for 50 gone "$n"; ok $? "SIGKILL to pid 1: the supervisor tears the subhost down"
wait_for 50 all_dead "$svpid"; ok $? "and exits"
no_residue "$n"
like "$(cat "$DIR/log")" "killed by signal 9" "the log says how pid 1 ended"

# ---- a stale lock directory without state (a boot that died early) -----------------
n=$(uniq_name lk); mk "$n"
mkdir -p "/run/subhost/$n" && : > "/run/subhost/$n/lock"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot over an unlocked, stateless lock file works"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"

# ---- the stale netns / cgroup of a dead supervisor do not block a new boot ---------
n=$(uniq_name ns); mk "$n"
boot_and_kill "$n"
check "the dead subhost's netns is still there" -- test -e "/run/netns/$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot reuses the name (its stale netns was cleaned first)"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"

done_testing
