#!/bin/bash
# Real distributions as subhosts (SPEC 5): Debian bookworm trees made with
# mmdebstrap from this machine's APT sources, booted with INIT=sysv
# (subhost-init runs sysvinit's rc scripts), with sysvinit's own
# /sbin/init, and with systemd; administered from inside (runlevel,
# reboot, poweroff, systemctl, journalctl) and stopped from the host.
#
# Trees: tools/debian-tree.sh keeps one tarball per package list under
# $SUBHOST_TEST_CACHE (/var/cache/subhost-test), named after a hash of the
# suite, the package list and the APT sources used; made when missing or
# older than 7 days (~20-30 s each), reused otherwise (also by later runs),
# and extracted into the test directory (~2 s) for every run.  Delete the
# directory to force a rebuild.
#
# Boot identity: /proc/sys/kernel/random/boot_id is the host's, so
# subhost covers it with a new random id at every boot of the subhost;
# that is what `journalctl --list-boots` counts.  The tests check that it
# changes with each reboot and differs from the host's.
. "$(dirname "$0")/lib.sh"

CACHE=${SUBHOST_TEST_CACHE:-/var/cache/subhost-test}
SUITE=bookworm
SYSV_PKGS=sysvinit-core,cron,rsyslog,orphan-sysvinit-scripts,procps
SYSTEMD_PKGS=systemd-sysv,dbus,procps

if ! needs "mmdebstrap (tools/install-deps.sh)" -- command -v mmdebstrap; then
	done_testing; exit
fi

# tree DIR PKGS: the cached tree of PKGS (tools/debian-tree.sh) extracted into DIR.
tree() {
	local out
	out=$(SUBHOST_TREE_CACHE=$CACHE "$(dirname "$0")/../../tools/debian-tree.sh" "$SUITE" "$2" "$1" 2>&1) ||
		{ diag "$out"; return 1; }
	case $out in *built*) diag "$(echo "$out" | grep built)" ;; esac
	return 0
}

# systemd's groups in the host's v1 hierarchies (systemd without a
# cgroup2 of its own mounts them and makes init.scope, system.slice,
# dev-hugepages.mount... there).  Only unit-named groups count: other
# tests and tools on this machine (LXC's lxc.pivot, limits' subhost/NAME)
# are not ours to judge.
v1_dirs() {
	local h
	for h in /sys/fs/cgroup/*/; do
		[ "$(stat -f -c %T "$h" 2>/dev/null)" = cgroupfs ] || continue
		find "$h" -mindepth 1 -maxdepth 3 -type d \( -name '*.slice' -o -name '*.scope' \
			-o -name '*.mount' -o -name '*.service' -o -name '*.socket' \) 2>/dev/null
	done | sort
}
V1_BEFORE=$(v1_dirs)
no_v1_residue() {
	local new; new=$(comm -13 <(echo "$V1_BEFORE") <(v1_dirs))
	[ -z "$new" ]; ok $? "${1:-no new group in the v1 cgroup hierarchies of the host}" || diag "$new"
}
newpid() { local p; p=$(st_get "$1" pid); [ -n "$p" ] && [ "$p" != "$2" ] && st_is "$1" status running; }
inq() { "$SUBHOST" go "$1" -- sh -c "$2" </dev/null 2>&1; }
# run a command that ends the subhost from inside (the go may be killed with it)
ending() { ( "$SUBHOST" go "$1" -- sh -c "$2" </dev/null >"$T_ROOT/ending.out" 2>&1; exit $? ) 2>/dev/null; }
boot_id() { inq "$1" 'cat /proc/sys/kernel/random/boot_id'; }
HOST_BOOT_ID=$(cat /proc/sys/kernel/random/boot_id)

SYSV_TREE=$T_ROOT/tree-sysv
SYSTEMD_TREE=$T_ROOT/tree-systemd
tree "$SYSV_TREE" "$SYSV_PKGS"; ok $? "a $SUITE tree with $SYSV_PKGS (mmdebstrap, cached)" || { done_testing; exit; }
tree "$SYSTEMD_TREE" "$SYSTEMD_PKGS"; ok $? "a $SUITE tree with $SYSTEMD_PKGS (mmdebstrap, cached)" || { done_testing; exit; }

# A script of the tree's rc 0 leaves a mark in UPPER: proof that rc 0 ran.
# (Written and installed from inside: update-rc.d makes insserv's order
# for Debian's concurrent rc, and UPPER must not change under a mounted
# overlay.)
rc0_mark() {
	"$SUBHOST" go "$1" -- sh -c 'cat > /etc/init.d/rc0-mark && chmod 755 /etc/init.d/rc0-mark &&
		update-rc.d rc0-mark defaults && ls /etc/rc0.d' <<'EOF' 2>&1 | grep -q 'K[0-9]*rc0-mark'
#!/bin/sh
### BEGIN INIT INFO
# Provides:          rc0-mark
# Required-Start:
# Required-Stop:
# Default-Start:
# Default-Stop:      0
# Short-Description: leaves a mark when rc 0 runs
### END INIT INFO
[ "$1" = stop ] && echo "rc0 ran" >> /var/log/rc0-mark
exit 0
EOF
}
quiet() { "$@" >/dev/null 2>&1; }

# ==== sysvinit, INIT=sysv: subhost-init runs the tree's rc scripts ==========
n=$(uniq_name sysv); mk "$n" "LOWER=$SYSV_TREE" "INIT=sysv"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n: INIT=sysv over the sysvinit tree" || diag "$(tail -20 "$DIR/log")"
rc0_mark "$n"; ok $? "update-rc.d inside installs an rc 0 script"
is "$(inq "$n" runlevel)" "N 2" "runlevel inside says N 2"
like "$(inq "$n" 'who -r')" 'run-level 2' "who -r inside says run-level 2"
check "rc 2 started cron (its rc script ran)" -- wait_for 50 sh -c "\"$SUBHOST\" go $n -- pidof cron >/dev/null </dev/null"
check "rc 2 started rsyslogd" -- wait_for 50 sh -c "\"$SUBHOST\" go $n -- pidof rsyslogd >/dev/null </dev/null"
like "$(inq "$n" 'service cron status')" 'cron is running' "service cron status inside: running"
is "$(inq "$n" hostname)" "$n" "the hostname is the subhost's (the tree has no /etc/hostname)"
mid=$(inq "$n" 'cat /etc/machine-id')
like "$mid" '^[0-9a-f]{32}$' "/etc/machine-id is a machine id"
is "$(cat "$DIR/root/etc/machine-id" 2>/dev/null)" "$mid" "... kept in UPPER"
b1=$(boot_id "$n")
like "$b1" '^[0-9a-f-]{36}$' "a boot id inside"
[ "$b1" != "$HOST_BOOT_ID" ]; ok $? "... that is not the host's"
is "$(inq "$n" 'grep -c "^0::/$" /proc/1/cgroup; stat -f -c %T /sys/fs/cgroup')" "1
cgroup2fs" "pid 1 is at the root of its own cgroup namespace, with cgroup2 on /sys/fs/cgroup"
inq "$n" 'touch /run/boot-mark' >/dev/null
pid=$(st_get "$n" pid); sv=$(st_get "$n" supervisor_pid)
ending "$n" reboot; st=$?
wait_for 150 newpid "$n" "$pid"; ok $? "reboot inside brings it back with a new pid 1 (go status $st)" || diag "$(tail -20 "$DIR/log")"
is "$(st_get "$n" supervisor_pid)" "$sv" "... under the same supervisor"
like "$(cat "$DIR/log")" 'running /etc/init.d/rc 6' "... after rc 6 ran"
b2=$(boot_id "$n")
[ -n "$b2" ] && [ "$b2" != "$b1" ]; ok $? "... with a new boot id ($b1 -> $b2)"
inq "$n" 'test ! -e /run/boot-mark'; ok $? "... and a fresh /run"
is "$(inq "$n" runlevel)" "N 2" "... in runlevel 2 again"
is "$(inq "$n" 'cat /etc/machine-id')" "$mid" "... with the same machine id"
check "... and cron up again" -- wait_for 50 sh -c "\"$SUBHOST\" go $n -- pidof cron >/dev/null </dev/null"
ending "$n" poweroff; st=$?
wait_for 150 gone "$n"; ok $? "poweroff inside ends the subhost (go status $st)" || diag "$(tail -20 "$DIR/log")"
like "$(cat "$DIR/log")" 'running /etc/init.d/rc 0' "... after rc 0"
is "$(cat "$DIR/root/var/log/rc0-mark" 2>/dev/null)" "rc0 ran" "... whose scripts ran (the rc 0 script left its mark, once)"
no_residue "$n"
no_v1_residue

# RUNLEVEL, telinit, STOP_SIGNAL
n=$(uniq_name bad); mk "$n" "LOWER=$SYSV_TREE" "INIT=sysv" "STOP_SIGNAL=KILL"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); is "$?" 2 "STOP_SIGNAL=KILL: a configuration error"
like "$out" "$n.conf:[0-9]+: STOP_SIGNAL=KILL is invalid" "... naming the file and line"
n=$(uniq_name rl3); mk "$n" "LOWER=$SYSV_TREE" "INIT=sysv" "RUNLEVEL= 3" "STOP_SIGNAL = initctl"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n with RUNLEVEL=3, STOP_SIGNAL=initctl"
is "$(inq "$n" runlevel)" "N 3" "runlevel inside says N 3"
inq "$n" 'telinit 5' >/dev/null
wait_for 50 sh -c "[ \"\$(\"$SUBHOST\" go $n -- runlevel </dev/null)\" = '3 5' ]"
ok $? "telinit 5 inside: runlevel says 3 5" || diag "$(inq "$n" runlevel)"
"$SUBHOST" stop --timeout 20 "$n" </dev/null; ok $? "subhost stop $n"
like "$(cat "$DIR/log")" 'powering off: runlevel 0 request on /run/initctl' "... asked through /run/initctl (STOP_SIGNAL)"
like "$(cat "$DIR/log")" 'running /etc/init.d/rc 0' "... ran rc 0"
no_residue "$n"

# ==== sysvinit's own /sbin/init as pid 1 ====================================
n=$(uniq_name sinit); mk "$n" "LOWER=$SYSV_TREE" "INIT=/sbin/init"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n: INIT=/sbin/init (sysvinit)"
check "sysvinit reaches runlevel 2" -- wait_for 100 sh -c "[ \"\$(\"$SUBHOST\" go $n -- runlevel </dev/null)\" = 'N 2' ]"
like "$(inq "$n" 'cat /proc/1/cmdline | tr "\0" " "')" '^init' "pid 1 is sysvinit's init"
check "its rc 2 started cron" -- wait_for 50 sh -c "\"$SUBHOST\" go $n -- pidof cron >/dev/null </dev/null"
t0=$(date +%s)
"$SUBHOST" stop --timeout 20 "$n" </dev/null; ok $? "subhost stop $n"
t=$(( $(date +%s) - t0 ))
[ "$t" -lt 20 ]; ok $? "... within its timeout (${t} s)"
like "$(cat "$DIR/log")" 'runlevel 0 request on /run/initctl' "... by a runlevel 0 request on /run/initctl"
like "$(cat "$DIR/log")" 'concurrent boot in runlevel 0' "... on which sysvinit ran rc 0"
no_residue "$n"

# ==== systemd ==============================================================
# sd_ready NAME: is-system-running --wait answers (the private socket is
# there a moment after pid 1 starts); prints its answer.
sd_ready() {
	local i out
	for i in $(seq 60); do
		out=$(inq "$1" 'systemctl is-system-running --wait')
		case $out in running|degraded|maintenance|stopping) break ;; esac
		sleep 0.5
	done
	echo "$out"
}
# failed units, each with the line of its log that says why
failed_units() {
	inq "$1" 'for u in $(systemctl list-units --failed --plain --no-legend | cut -d" " -f1); do
		echo "$u: $(journalctl -b -u "$u" -p warning --no-pager -q -o cat | tail -1)"; done'
}
n=$(uniq_name sd); mk "$n" "LOWER=$SYSTEMD_TREE" "INIT=/sbin/init"
SD=$n SD_DIR=$DIR
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n: INIT=/sbin/init (systemd)" || diag "$(tail -20 "$DIR/log")"
like "$(inq "$n" 'systemctl is-system-running')" '^(running|degraded)$' \
	"boot returned once systemd said READY=1: systemctl answers at once"
like "$(grep -a -e 'Reached target.*Multi-User' -e 'pid 1 is up' "$DIR/log" | sed 's/.*\(Multi-User\|pid 1 is up\).*/\1/' | tr '\n' ' ')" \
	'^Multi-User pid 1 is up $' "... (the log: multi-user.target reached, then up)"
state=$(sd_ready "$n")
like "$state" '^(running|degraded)$' "systemctl is-system-running --wait: $state"
f=$(failed_units "$n")
diag "failed units: ${f:-none}"
is "$f" "" "no unit failed"
like "$(inq "$n" 'systemctl status --no-pager; echo status=$?')" 'State: running' "go: systemctl status works"
out=$(inq "$n" 'systemctl status --no-pager 2>&1 >/dev/null')
is "$out" "" "... without complaints (no pid 0 in the cgroup)"
like "$(inq "$n" 'systemctl status dbus --no-pager')" 'CGroup: /system.slice/dbus.service' "go: systemctl status dbus shows its cgroup"
like "$(inq "$n" 'journalctl -b --no-pager -q')" 'Startup finished' "go: journalctl -b works"
is "$(inq "$n" 'stat -f -c %T /sys/fs/cgroup')" cgroup2fs "cgroup2 on /sys/fs/cgroup inside (unified mode)"
like "$(inq "$n" 'systemd-detect-virt -c')" '^(container-other|subhost)$' "systemd sees a container"
cg=$(st_get "$n" cgroup)
check "systemd's slices live in the subhost's group" -- test -d "$cg/system.slice" -a -d "$cg/init.scope"
no_v1_residue "systemd made nothing in the host's v1 hierarchies"
mid=$(inq "$n" 'cat /etc/machine-id')
like "$mid" '^[0-9a-f]{32}$' "/etc/machine-id is a machine id"
is "$(cat "$DIR/root/etc/machine-id" 2>/dev/null)" "$mid" "... kept in UPPER"
b1=$(boot_id "$n")
[ "$b1" != "$HOST_BOOT_ID" ]; ok $? "the boot id is not the host's"
pid=$(st_get "$n" pid)
ending "$n" 'systemctl reboot'; st=$?
wait_for 150 newpid "$n" "$pid"; ok $? "systemctl reboot inside: back with a new pid 1 (go status $st)" || diag "$(tail -20 "$DIR/log")"
like "$(sd_ready "$n")" '^(running|degraded)$' "... and running again"
b2=$(boot_id "$n")
[ -n "$b2" ] && [ "$b2" != "$b1" ]; ok $? "... with a new boot id"
is "$(inq "$n" 'journalctl --list-boots --no-pager | grep -c "^ *-*[0-9]"')" 2 "journalctl --list-boots: two boots"
is "$(inq "$n" 'cat /etc/machine-id')" "$mid" "the machine id stays"
ending "$n" 'systemctl poweroff'; st=$?
wait_for 150 gone "$n"; ok $? "systemctl poweroff inside ends the subhost (go status $st)" || diag "$(tail -20 "$DIR/log")"
like "$(cat "$DIR/log")" 'killed by signal 2' "... pid 1 ended as for a power off (SIGINT from reboot(2))"
no_residue "$n"
no_v1_residue

"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n again"
like "$(sd_ready "$n")" '^(running|degraded)$' "running"
t0=$(date +%s)
"$SUBHOST" stop --timeout 30 "$n" </dev/null; ok $? "subhost stop $n"
t=$(( $(date +%s) - t0 ))
[ "$t" -lt 30 ]; ok $? "... shut down cleanly within its timeout (${t} s)"
like "$(cat "$DIR/log")" 'powering off: SIGRTMIN\+4 \(pid 1 runs systemd\)' "... asked with SIGRTMIN+4"
like "$(cat "$DIR/log")" 'Reached target.*System Power Off' "... and systemd went through poweroff.target"
no_residue "$n"
no_v1_residue

# the supervisor killed: pid 1 goes with it, the next command cleans up
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n once more"
like "$(sd_ready "$n")" '^(running|degraded)$' "running"
pid=$(st_get "$n" pid)
kill -KILL "$(st_get "$n" supervisor_pid)"
wait_for 100 dead "$pid"; ok $? "SIGKILL of its supervisor takes systemd down"
"$SUBHOST" stop "$n" </dev/null 2>/dev/null; is "$?" 3 "stop afterwards: not running (and cleans up)"
no_residue "$n"
no_v1_residue

# ==== side by side: the two trees and a subhost over the host root ==========
a=$(uniq_name sva); mk "$a" "LOWER=$SYSV_TREE" "INIT=sysv"; A_DIR=$DIR
b=$(uniq_name sdb); mk "$b" "LOWER=$SYSTEMD_TREE" "INIT=/sbin/init"; B_DIR=$DIR
c=$(uniq_name hst); mk "$c"; C_DIR=$DIR
for x in "$a" "$b" "$c"; do
	"$SUBHOST" boot "$T_ROOT/$x/$x.conf" </dev/null; ok $? "boot $x beside the others"
done
like "$(sd_ready "$b")" '^(running|degraded)$' "$b (systemd) reaches running"
is "$(inq "$a" runlevel)" "N 2" "$a (sysv) is in runlevel 2"
is "$(inq "$a" 'cat /proc/1/comm'):$(inq "$b" 'cat /proc/1/comm'):$(inq "$c" 'cat /proc/1/comm')" \
	"subhost-init:systemd:subhost-init" "each has its own pid 1"
is "$(inq "$a" hostname):$(inq "$b" hostname):$(inq "$c" hostname)" "$a:$b:$c" "each its own hostname"
ids=$(for x in "$a" "$b" "$c"; do boot_id "$x"; done; echo "$HOST_BOOT_ID")
is "$(echo "$ids" | sort -u | wc -l)" 4 "four different boot ids (three subhosts and the host)"
is "$(inq "$b" 'ps -e --no-headers | grep -c -e cron -e rsyslogd')" 0 "the systemd subhost does not see the sysv one's services"
pa=$(st_get "$a" pid); pc=$(st_get "$c" pid)
"$SUBHOST" stop "$b" </dev/null; ok $? "stop the systemd subhost"
st_is "$a" pid "$pa" && st_is "$c" pid "$pc"; ok $? "the others keep their pid 1"
check "$a still answers, cron still up" -- quiet inq "$a" 'pidof cron'
check "$c still answers" -- quiet inq "$c" true
ending "$a" halt
wait_for 150 gone "$a"; ok $? "halt inside $a ends it alone"
like "$(cat "$A_DIR/log")" 'initctl runlevel request: (power off|halt) requested' "... through /run/initctl (sysvinit's halt: shutdown -h)"
check "$c still answers" -- quiet inq "$c" true
"$SUBHOST" stop "$c" </dev/null; ok $? "stop $c"
for x in "$a" "$b" "$c"; do no_residue "$x"; done
no_v1_residue "no new group in the host's v1 cgroup hierarchies after all"

done_testing
