#!/bin/bash
# The adversarial suite (SECURITY.md): root inside a subhost tries what it
# must not be able to do to the host, case by case, and each case asserts
# the safe outcome.  The cases run once per mode in MODES; a mode is a
# label and the conf lines that make it ("idmap|IDMAP=..." is added by the
# IDMAP work).  Commands that would harm the host if a defence failed are
# either guarded (sysrq) or given arguments that do nothing (the current
# value, a NULL pointer, bad flags).  Prints, per mode, the number of
# cases and how many held.
. "$(dirname "$0")/lib.sh"

ADV=$(cd "$(dirname "$0")/adv" && pwd)
PY=/usr/bin/python3
MODES=("default|" "idmap|IDMAP=0:2100000:65536")

needs "python3 at $PY (the probes use it inside)" -- test -x $PY || { done_testing; exit; }

# ---- cases: a case is the asserts from one acase to the next ---------------
A_NAME="" A_N=0 A_OK=0 A_START=0 A_BAD=()
acase() { aclose; A_NAME=$1; A_START=$T_FAILED; A_N=$((A_N + 1)); echo "# case $A_N: $1"; }
aclose() {
	[ -n "$A_NAME" ] || return 0
	if [ "$T_FAILED" = "$A_START" ]; then A_OK=$((A_OK + 1)); else A_BAD+=("$A_NAME"); fi
	A_NAME=""
}
areport() {     # areport MODE
	aclose
	echo "# adversarial cases, mode $1: $A_N cases, $A_OK held${A_BAD[*]:+, failed: ${A_BAD[*]}}"
	A_N=0 A_OK=0 A_BAD=()
}
gox() { "$SUBHOST" go "$N" "$@" </dev/null; }          # a command inside, as root
go_cmd_pid() {  # go_cmd_pid PID: the host pid of the sleep that `subhost go` PID runs
	local h; h=$(pgrep -P "$1" | head -1)
	[ -n "$h" ] && pgrep -P "$h" -x sleep | head -1 | grep .
}
status_of() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
capmask() {     # what a subhost keeps: our bounding set (in a user namespace
	# of its own, IDMAP: every capability) but the dropped ones
	local drop=0 c base=0x$(status_of $$ CapBnd)
	[ "${1:-}" = idmap ] && base=$(( (1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1 ))
	for c in 16 17 25 33 32 34 35 36 30 20 39 38 37 40; do drop=$((drop | (1 << c))); done
	printf '%016x' $(( base & ~drop ))
}
# as the host user nobody, without capabilities even while exec resolves
# the path (setpriv alone execs before they are gone)
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups /bin/sh -c '"$@"' sh "$@"; }

run_mode() {
	local label=$1 lines=() IFS='|'
	read -r -a lines <<< "${2:-}"
	unset IFS
	local n; n=$(uniq_name adv)
	local share=$T_ROOT/share-$n
	mkdir -p "$share"
	# a setuid-root program in a shared host directory: nosuid must hold
	cp /usr/bin/id "$share/sid" && chmod 4755 "$share/sid"
	mk "$n" "SHARE=$share:/mnt/share" "${lines[@]}"
	N=$n
	mkdir -p "$DIR/root/opt/adv" && cp "$ADV"/*.py "$DIR/root/opt/adv/" && chmod 755 "$DIR/root/opt" "$DIR/root/opt/adv"
	# IDMAP: UPPER belongs to root inside, whose host ids the map says
	local l; for l in "${lines[@]}"; do
		[[ $l =~ ^IDMAP=0:([0-9]+): ]] && chown -R "${BASH_REMATCH[1]}:${BASH_REMATCH[1]}" "$DIR/root" "$DIR/work"
	done
	echo "# ==== mode $label: ${lines[*]:-(default conf)}"
	"$SUBHOST" boot "$CONF" </dev/null
	ok $? "[$label] boot $n" || { diag "$(cat "$DIR/log")"; return; }
	local pid; pid=$(st_get "$n" pid)

	acase "descriptors: pid 1 and a go session hold nothing of the host"
	# pid 1 holds stdio (the console) and its own signalfd and /run/initctl
	# FIFO, nothing else: not the notify socket (closed once READY), not
	# the supervisor's lock, log, netns or cgroup descriptors.
	local fds; fds=$(ls -l "/proc/$pid/fd" | awk 'NR > 1 {print $9, $11}')
	is "$(echo "$fds" | awk '$1 <= 2 {print $1}' | tr '\n' ' ')" "0 1 2 " "[$label] pid 1 has fds 0 1 2"
	is "$(echo "$fds" | awk '$1 > 2 {print $2}' | sed 's/^anon_inode:\[signalfd\]$/signalfd/' | sort | tr '\n' ' ')" \
		"/run/initctl signalfd " "[$label] and otherwise exactly its signalfd and /run/initctl" || diag "$fds"
	like "$(ls -l "/proc/$pid/fd" | awk 'NR > 1 && $9 <= 2 {print $11}' | sort -u | tr '\n' ' ')" '^/dev/pts/[0-9]+ $' \
		"[$label] pid 1's stdio is the console pty"
	# the caller holds fd 7 and a secret variable; neither reaches the
	# command (looked at from the host: inside, any lister has fds of its own)
	( exec 7</etc/hostname; ADV_SECRET=x exec "$SUBHOST" go "$n" -- sleep 3 </dev/null ) &
	local gp=$! cp=""
	wait_for 50 go_cmd_pid "$gp" >/dev/null; cp=$(go_cmd_pid "$gp")
	is "$(ls "/proc/${cp:-0}/fd" 2>/dev/null | sort -n | tr '\n' ' ')" "0 1 2 " \
		"[$label] a go command holds only stdio (the caller's fd 7 stays out)"
	[ -n "$cp" ] && ! tr '\0' '\n' < "/proc/$cp/environ" | grep -q ADV_SECRET
	ok $? "[$label] and none of the caller's variables"
	wait "$gp"
	is "$(ADV_SECRET=x gox -- sh -c 'env | grep -c ADV_SECRET')" 0 "[$label] the caller's environment stays out"
	is "$(tr '\0' '\n' < "/proc/$pid/environ" | cut -d= -f1 | sort | tr '\n' ' ')" \
		"HOME PATH SUBHOST_NOTIFY_FD TERM container " "[$label] pid 1's environment is its own"

	acase "binaries: /proc/1/exe and a go command's helper are sealed memfds"
	like "$(readlink "/proc/$pid/exe")" '^/memfd:subhost-init' "[$label] pid 1 runs from a memfd"
	gox -- sh -c 'echo x >> /proc/1/exe' 2>/dev/null; [ $? != 0 ]; ok $? "[$label] writing through /proc/1/exe fails"
	gox -- sh -c 'exec 3</proc/1/exe && echo x >> /proc/self/fd/3' 2>/dev/null; [ $? != 0 ]
	ok $? "[$label] reopening it for writing through a held descriptor fails"

	acase "sysrq-trigger: masked, 'b' refused"
	if [ ! -e /proc/sysrq-trigger ]; then
		skip "[$label] this kernel has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ)"
		gox -- sh -c 'echo b > /proc/sysrq-trigger' 2>/dev/null; [ $? != 0 ]
		ok $? "[$label] echo b > /proc/sysrq-trigger fails"
	else
	local sq; sq=$(gox -- stat -c '%t:%T %m' /proc/sysrq-trigger)
	is "$sq" "1:3 /proc/sysrq-trigger" "[$label] /proc/sysrq-trigger inside is /dev/null, mounted over the real one"
	if [ "$sq" = "1:3 /proc/sysrq-trigger" ]; then     # never write 'b' into the real one
		gox -- sh -c 'echo b > /proc/sysrq-trigger' 2>/dev/null; [ $? != 0 ]
		ok $? "[$label] echo b > /proc/sysrq-trigger is refused"
	else
		ok 1 "[$label] (not writing 'b': the mask is missing)"
	fi
	fi

	acase "/proc/sys/kernel: writes refused (the current values, so a failure would change nothing)"
	local k
	for k in hostname core_pattern sysrq modprobe panic; do
		[ -e "/proc/sys/kernel/$k" ] || continue
		gox -- sh -c "cat /proc/sys/kernel/$k > /tmp/v && cat /tmp/v > /proc/sys/kernel/$k" 2>/dev/null
		[ $? != 0 ]; ok $? "[$label] write /proc/sys/kernel/$k is refused"
	done

	acase "/sys: read-only, uevent_helper refused"
	gox -- sh -c 'cat /sys/kernel/uevent_helper > /tmp/u; cat /tmp/u > /sys/kernel/uevent_helper' 2>/dev/null
	[ $? != 0 ]; ok $? "[$label] write /sys/kernel/uevent_helper is refused"
	like "$(gox -- awk '$5 == "/sys" {print $6}' /proc/self/mountinfo)" '(^|,)ro(,|$)' "[$label] /sys is mounted read-only"

	acase "masked: /proc/kcore, /proc/keys, /proc/kallsyms and friends read nothing"
	local f
	for f in kcore keys kallsyms timer_list sched_debug kmsg; do
		[ -e "/proc/$f" ] || continue
		is "$(gox -- sh -c "timeout 2 head -c 64 /proc/$f 2>/dev/null | wc -c")" 0 "[$label] /proc/$f reads nothing"
	done
	[ "$(head -c 64 /proc/kallsyms | wc -c)" -gt 0 ]; ok $? "[$label] (on the host /proc/kallsyms does read: the mask is what hides it)"

	acase "devices: no block device node, no host disk even through devtmpfs"
	gox -- sh -c 'mknod /tmp/adv-blk b 8 0' 2>/dev/null; [ $? != 0 ]
	ok $? "[$label] mknod of a block device is refused"
	gox -- sh -c 'test ! -e /tmp/adv-blk'; ok $? "[$label] and no node was made"
	if [ "$label" = idmap ]; then
		gox -- sh -c 'mknod /tmp/adv-chr c 1 3' 2>/dev/null; [ $? != 0 ]
		ok $? "[$label] no device node at all can be made (the kernel refuses mknod in a user namespace)"
	else
		gox -- sh -c 'mknod /tmp/adv-chr c 1 3 && test -c /tmp/adv-chr && rm /tmp/adv-chr' 2>/dev/null
		ok $? "[$label] (a character node such as null can be made: the refusal is about block devices)"
	fi
	# a host disk of the test's own: a loop device with a marker on it
	local img=$T_ROOT/disk-$n.img disk
	head -c 1048576 /dev/zero > "$img" && echo "ADV-DISK-MARKER-$n" | dd of="$img" conv=notrunc status=none
	disk=$(losetup -f --show "$img") && EXTRA_CLEAN+=("losetup -d $disk")
	disk=${disk#/dev/}
	like "$(head -c 64 "/dev/$disk" | tr -d '\0')" "ADV-DISK-MARKER" "[$label] (the host reads its disk /dev/$disk)"
	# root inside may be able to mount devtmpfs (the host's /dev): the
	# device filter must still refuse its disks
	out=$(gox -- sh -c "mkdir -p /tmp/adv-dev && mount -t devtmpfs adv /tmp/adv-dev 2>/dev/null || exit 9;
		test -b /tmp/adv-dev/$disk && echo node; head -c 512 /tmp/adv-dev/$disk > /dev/null 2>&1 && echo READ; umount /tmp/adv-dev" 2>&1)
	[[ $out != *READ* ]]; ok $? "[$label] the host's disk $disk cannot be read, even from a devtmpfs mount (got: ${out//$'\n'/ })"
	losetup -d "/dev/$disk"
	gox -- sh -c 'head -c 1 /dev/urandom >/dev/null && echo x > /dev/null'; ok $? "[$label] (its own /dev/null and /dev/urandom work)"

	acase "kernel modules: modprobe, insmod and the system calls fail"
	gox -- sh -c 'modprobe -q dummy' 2>/dev/null; [ $? != 0 ]; ok $? "[$label] modprobe fails"
	gox -- sh -c 'insmod /nonexistent-adv.ko' 2>/dev/null; [ $? != 0 ]; ok $? "[$label] insmod fails"

	acase "system calls that act on the whole host are refused with EPERM"
	local sc; sc=$(gox -- $PY /opt/adv/syscalls.py 2>&1)
	if [[ $sc == SKIP* ]]; then
		skip "[$label] $sc"
	else
		for k in keyctl add_key request_key bpf perf_event_open swapon swapoff kexec_load kexec_file_load \
			 init_module finit_module delete_module acct settimeofday clock_settime syslog \
			 open_by_handle_at iopl ioperm; do
			is "$(echo "$sc" | awk -v k="$k" '$1 == k {print $2}')" EPERM "[$label] $k: EPERM"
		done
		if [ "$label" = idmap ] && [ "$(cat /proc/sys/vm/unprivileged_userfaultfd 2>/dev/null)" = 0 ]; then
			skip "[$label] userfaultfd: vm.unprivileged_userfaultfd=0 refuses it to a user namespace's root"
		else
			[ "$(echo "$sc" | awk '$1 == "userfaultfd" {print $2}')" != EPERM ]
			ok $? "[$label] userfaultfd is allowed (SECURITY.md says why)"
		fi
	fi

	acase "capabilities as documented, no NO_NEW_PRIVS, seccomp on"
	local want; want=$(capmask "$label")
	is "$(status_of "$pid" CapBnd)" "$want" "[$label] pid 1: CapBnd is every capability but the dropped ones"
	is "$(status_of "$pid" CapInh)/$(status_of "$pid" CapAmb)" "0000000000000000/0000000000000000" "[$label] pid 1: CapInh and CapAmb are empty"
	is "$(status_of "$pid" Seccomp)/$(status_of "$pid" NoNewPrivs)" "2/0" "[$label] pid 1: a seccomp filter, no NO_NEW_PRIVS"
	is "$(gox -- awk '/^(CapBnd|CapInh|CapAmb|NoNewPrivs|Seccomp):/ {printf "%s%s ", $1, $2}' /proc/self/status)" \
		"CapInh:0000000000000000 CapBnd:$want CapAmb:0000000000000000 NoNewPrivs:0 Seccomp:2 " \
		"[$label] a go session: the same sets, the same filter"
	# setuid works inside (no NO_NEW_PRIVS): a setuid-root copy of id run as nobody
	is "$(gox -- sh -c 'cp /usr/bin/id /tmp/adv-sid && chmod 4755 /tmp/adv-sid && setpriv --reuid=65534 --regid=65534 --clear-groups /tmp/adv-sid -u; rm -f /tmp/adv-sid')" \
		0 "[$label] setuid programs inside still work (a setuid-root id run by nobody says euid 0)"

	acase "open_by_handle_at is refused"
	local hd; hd=$(gox -- $PY /opt/adv/handle.py /dev/shm/adv-handle 2>&1)
	like "$hd" 'name OK' "[$label] name_to_handle_at works (the handle exists)" || diag "$hd"
	like "$hd" 'open EPERM' "[$label] open_by_handle_at with it is refused"

	acase "the clock: date -s refused, the host's clock unchanged"
	local t0 t1; t0=$(date +%s)
	gox -- date -s "@$((t0 + 86400 * 3))" >/dev/null 2>&1; [ $? != 0 ]; ok $? "[$label] date -s is refused"
	t1=$(date +%s)
	[ $((t1 - t0)) -ge 0 ] && [ $((t1 - t0)) -lt 60 ]; ok $? "[$label] the host's clock did not move ($t0 -> $t1)" ||
		date -s "@$((t0 + 1))" >/dev/null    # put it back if the defence failed

	acase "hostname inside is the subhost's own"
	local hn; hn=$(hostname)
	gox -- hostname "adv-$n"; ok $? "[$label] hostname adv-$n inside works"
	is "$(hostname)" "$hn" "[$label] the host's hostname is unchanged"
	gox -- hostname "$n"

	acase "shares: nosuid and nodev"
	like "$(gox -- awk '$5 == "/mnt/share" {print $6}' /proc/self/mountinfo)" '(^|,)nosuid(,|.*,)nodev(,|$)' \
		"[$label] the SHARE is mounted nosuid,nodev"
	is "$(gox -- setpriv --reuid=65534 --regid=65534 --clear-groups /mnt/share/sid -u)" 65534 \
		"[$label] a setuid-root program in a share does not raise nobody to root"

	acase "TIOCSTI cannot push input into the host's terminal"
	local ti
	ti=$($PY "$ADV/tiocsti.py" control)
	like "$ti" 'PENDING 1$' "[$label] (the probe sees a TIOCSTI that reaches a terminal)"
	ti=$($PY "$ADV/tiocsti.py" "$SUBHOST" "$n" tty)
	like "$ti" 'PENDING 0 ' "[$label] stdin a terminal: nothing reaches it (a new pty inside)" || diag "$ti"
	like "$ti" '0:Operation_not_permitted 1:Operation_not_permitted 2:Operation_not_permitted' \
		"[$label] and TIOCSTI on the inside pty is refused too" || diag "$ti"
	ti=$($PY "$ADV/tiocsti.py" "$SUBHOST" "$n" notty)
	like "$ti" 'PENDING 0 ' "[$label] stdout the host's terminal, stdin not: nothing reaches it" || diag "$ti"
	like "$ti" '1:Operation_not_permitted 2:Operation_not_permitted' "[$label] TIOCSTI on it is refused (EPERM)" || diag "$ti"
	local r; r=$(uniq_name run); mk "$r" "${lines[@]}"
	ti=$($PY "$ADV/tiocsti.py" "$SUBHOST" "$CONF" run)
	like "$ti" 'PENDING 0 .*STATUS 0' "[$label] subhost run with the caller's terminal as stdout: nothing reaches it" || diag "$ti"
	like "$ti" '1:Operation_not_permitted 2:Operation_not_permitted' "[$label] TIOCSTI from run's command is refused" || diag "$ti"
	no_residue "$r"
	DIR=$T_ROOT/$n CONF=$T_ROOT/$n/$n.conf

	acase "CVE-2019-5736: writing to /proc/<go process>/exe never changes a host binary"
	local bin=$T_ROOT/bin-$n
	mkdir -p "$bin" && cp "$SUBHOST" "$bin/subhost" && cp "${SUBHOST_INIT:-$(dirname "$SUBHOST")/subhost-init}" "$bin/subhost-init" &&
		cp /bin/sleep "$bin/control-sleep"
	local sums0; sums0=$(cd "$bin" && cksum subhost subhost-init)
	local tgt; tgt=$(stat -c '%d:%i' "$bin/subhost" "$bin/subhost-init" "$bin/control-sleep" | tr '\n' ' ')
	# stat's %d is the kernel's st_dev; python's os.stat gives the same number
	gox -- sh -c "rm -f /tmp/adv-stop /tmp/adv-attack.log; setsid $PY /opt/adv/attack.py /tmp/adv-stop ADV_SECRET $tgt >/dev/null 2>&1 &"
	wait_for 50 gox -- test -e /tmp/adv-attack.log
	local i fails=0
	for i in $(seq 100); do
		ADV_SECRET=x SUBHOST_INIT="$bin/subhost-init" timeout -k 5 30 "$bin/subhost" go "$n" -- true </dev/null ||
			fails=$((fails + 1))
	done
	is "$fails" 0 "[$label] the host ran subhost go 100 times (a copy of the binary as SUBHOST_BIN)"
	# control: a host binary forked into the subhost's pid namespace (as
	# `go` did before it used the sealed helper) is caught and overwritten
	nsenter -t "$pid" -p -- "$bin/control-sleep" 1
	sleep 0.5
	gox -- touch /tmp/adv-stop
	wait_for 100 gox -- grep -q '^DONE' /tmp/adv-attack.log
	local alog; alog=$(gox -- cat /tmp/adv-attack.log)
	echo "$alog" | grep '^DONE' | sed "s/^/# [$label] attacker: /"
	is "$(cd "$bin" && cksum subhost subhost-init)" "$sums0" "[$label] the copies of subhost and subhost-init are unchanged"
	if [ "$label" = idmap ]; then
		# root inside is an unprivileged host user: the kernel refuses even this
		! echo "$alog" | grep -q "WROTE dev:ino=$(stat -c '%d:%i' "$bin/control-sleep")"
		ok $? "[$label] (control: even a host binary that nsenter -p ran in its pid namespace was not overwritten)" || diag "$alog"
	else
		like "$alog" "WROTE dev:ino=$(stat -c '%d:%i' "$bin/control-sleep")" \
			"[$label] (control: the attacker did overwrite a host binary that nsenter -p ran in its pid namespace)" || diag "$alog"
	fi
	# (the control's processes: nsenter before its exec, then control-sleep)
	local gohost; gohost=$(echo "$alog" | grep '^HOST' | grep -v -E 'exe=[^ ]*/(nsenter|control-sleep) ')
	is "$(echo -n "$gohost" | grep -c .)" 0 \
		"[$label] no go process showed the attacker any host file (exe or mapping)" || diag "$(echo "$gohost" | head)"
	is "$(echo "$alog" | grep -c '^LEAK')" 0 "[$label] no go process showed the caller's environment"
	like "$(echo "$alog" | grep '^DONE')" 'procs=[0-9]{2,}' "[$label] the attacker saw the go processes"

	acase "ptrace: the host side of go is out of reach, the inside side holds nothing"
	# the host-side processes of a go session (the caller and the helper)
	# are not in the subhost's pid namespace: nothing inside can name them
	"$SUBHOST" go "$n" -- sleep 3 </dev/null &
	local gp=$! hp=""
	wait_for 50 pgrep -P "$gp" >/dev/null; hp=$(pgrep -P "$gp" | head -1)
	[ -n "$hp" ] && [ "$(readlink "/proc/$gp/ns/pid")" != "$(readlink "/proc/$pid/ns/pid")" ] &&
		[ "$(readlink "/proc/$hp/ns/pid")" != "$(readlink "/proc/$pid/ns/pid")" ]
	ok $? "[$label] the go process ($gp) and its helper (${hp:-?}) are outside the subhost's pid namespace"
	like "$(readlink "/proc/$hp/exe")" '^/memfd:subhost-go' "[$label] the helper runs from a sealed memfd"
	local pt; pt=$(gox -- $PY -c "
import ctypes; libc = ctypes.CDLL(None, use_errno=True)
for p in ($gp, ${hp:-0}):
    r = libc.ptrace(16, p, 0, 0); print(p, 'attached' if r == 0 else ctypes.get_errno())")
	[[ $pt != *attached* ]]; ok $? "[$label] ptrace of their pids from inside fails ($pt)"
	wait "$gp"
	# Root inside keeps CAP_SYS_PTRACE (start-stop-daemon, strace): it may
	# attach to a go command between fork and exec; the CVE case above
	# showed that such a process holds no host file and no host variable.
	diag "[$label] go commands the attacker caught before exec: $(echo "$alog" | grep -o 'memfd=[0-9]*'), attached: $(echo "$alog" | grep -c '^ATTACHED')"

	acase "kill -9 1 and reboot -f inside affect only the subhost"
	local boots up0; boots=$(st_get "$n" boots); up0=$(cut -d. -f1 /proc/uptime)
	gox -- kill -9 1; sleep 0.3
	check "[$label] kill -9 1 inside: pid 1 ($pid) lives on" -- kill -0 "$pid"
	is "$(st_get "$n" status)" running "[$label] and the subhost runs"
	# reboot(2) with RB_AUTOBOOT, as reboot -f does; only from inside a pid namespace
	( gox -- $PY -c "
import ctypes, os
# only from inside the subhost's pid namespace (there reboot(2) ends the namespace)
assert open('/proc/1/comm').read().strip() == 'subhost-init'
assert os.readlink('/proc/self/ns/pid') == os.readlink('/proc/1/ns/pid')
ctypes.CDLL(None).reboot(0x01234567)" ) >/dev/null 2>&1
	wait_for 100 sh -c "[ \"\$(sed -n 's/^boots=//p' /run/subhost/$n/state)\" = $((boots + 1)) ] && grep -q '^status=running' /run/subhost/$n/state"
	ok $? "[$label] reboot -f inside: the subhost boots again (boots $boots -> $((boots + 1)))"
	[ "$(cut -d. -f1 /proc/uptime)" -ge "$up0" ]; ok $? "[$label] and the host did not (its uptime goes on)"

	"$SUBHOST" stop "$n" </dev/null; ok $? "[$label] stop $n"
	no_residue "$n" "[$label] nothing of $n remains"

	acase "a setuid program planted in UPPER cannot be run by a host user"
	local sb; sb=$(mktemp -d /var/tmp/subhost-adv-suid.XXXXXX)
	EXTRA_CLEAN+=("rm -rf '$sb'")
	chmod 0755 "$sb"
	local s; s=$(uniq_name suid)
	mkdir -p "$sb/$s/root" "$sb/$s/work" "$sb/$s/live" && chmod 0755 "$sb/$s"
	{ echo "BASE=."; echo "START= none"; echo "LOG=$sb/$s.log"; printf '%s\n' "${lines[@]}"; } > "$sb/$s/$s.conf"
	T_NAMES+=("$s")
	"$SUBHOST" boot "$sb/$s/$s.conf" </dev/null; ok $? "[$label] boot $s (BASE $sb/$s, mode 0755)"
	"$SUBHOST" go "$s" -- sh -c 'cp /usr/bin/id /usr/local/bin/adv-sid && chmod 4755 /usr/local/bin/adv-sid' </dev/null
	local planted=$sb/$s/root/usr/local/bin/adv-sid
	if [ "$label" = idmap ]; then
		like "$(stat -c '%a %u' "$planted" 2>/dev/null)" "^4755 [1-9][0-9]*$" "[$label] the planted file is setuid to root inside, an unprivileged host id, in UPPER"
	else
		is "$(stat -c '%a %U' "$planted" 2>/dev/null)" "4755 root" "[$label] the planted file is setuid root in UPPER"
	fi
	is "$(stat -c %a "$sb/$s")" 700 "[$label] boot closed BASE to group and others (mode 700)"
	like "$(cat "$sb/$s.log")" "$sb/$s: mode 0755 -> 0700" "[$label] and logged it"
	out=$(as_nobody "$planted" -u 2>&1); st=$?
	[ "$st" != 0 ] && [ "$out" != 0 ]; ok $? "[$label] a host user (nobody) cannot run it ($out)"
	is "$(as_nobody /usr/bin/id -u)" 65534 "[$label] (nobody can run programs it can reach)"
	"$SUBHOST" stop "$s" </dev/null; ok $? "[$label] stop $s"

	areport "$label"
}

for m in "${MODES[@]}"; do
	run_mode "${m%%|*}" "${m#*|}"
done

# ---- the defences are what stops it: the same attacks with them lifted ------
# (controls: each shows that a case above could fail)
n=$(uniq_name advc); mk "$n" "SECCOMP=none" "CAPS_KEEP=sys_time"
N=$n
"$SUBHOST" boot "$CONF" </dev/null; ok $? "control: boot $n with SECCOMP=none CAPS_KEEP=sys_time"
ti=$($PY "$ADV/tiocsti.py" "$SUBHOST" "$n" notty)
like "$ti" 'PENDING [1-9]' "control: without the filter, TIOCSTI from inside does reach the host's terminal" || diag "$ti"
is "$(gox -- awk '$1 == "Seccomp:" {print $2}' /proc/self/status)" 0 "control: SECCOMP=none: no filter"
[ $(( 0x$(status_of "$(st_get "$n" pid)" CapBnd) >> 25 & 1 )) = 1 ]; ok $? "control: CAPS_KEEP=sys_time keeps it in the bounding set"
"$SUBHOST" stop "$n" </dev/null; ok $? "control: stop $n"
no_residue "$n"

done_testing
