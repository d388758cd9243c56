#!/usr/bin/env bash
# bench/bench.sh - subhost against its peers on one machine, in one run.
#
#   sudo bench/bench.sh            (root; see bench/README.md)
#
# Environment:
#   BENCH_RUNS=30        runs per tool and measurement
#   BENCH_DENSITY=100    idle subhosts booted for the density figure (0 = skip)
#   BENCH_CABLES=1       boot and stop with veth cables on a bridge (0 = skip)
#   BENCH_NO_INSTALL=1   never call apt-get; missing peers are skipped
#   BENCH_RAW=DIR        also keep the raw samples (microseconds) in DIR
#   SUBHOST_BIN          the subhost binary (default: `subhost` in PATH, else
#                        the build tree next to this script)
#   SUBHOST_INIT         passed on to subhost (set automatically for the build tree)
#
# Prints Markdown on stdout; progress and notes go to stderr.  Exits 0
# unless it cannot run at all (not root, no busybox, no C compiler).

set -u -o pipefail
export LC_ALL=C

RUNS=${BENCH_RUNS:-30}
DENSITY=${BENCH_DENSITY:-100}
CABLES_ON=${BENCH_CABLES:-1}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER_PKGS=(bubblewrap crun systemd-container lxc busybox-static)

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

case $RUNS in ''|*[!0-9]*|0) die "BENCH_RUNS must be a positive integer" ;; esac
case $DENSITY in ''|*[!0-9]*) die "BENCH_DENSITY must be a non-negative integer" ;; esac
case $CABLES_ON in 0|1) ;; *) die "BENCH_CABLES must be 0 or 1" ;; esac
[ "$(id -u)" = 0 ] || die "must run as root (namespaces, mounts, cgroups)"

# ---------------------------------------------------------------- peers --
install_peers() {
	local missing=() p
	[ "${BENCH_NO_INSTALL:-0}" = 1 ] && return 0
	command -v apt-get >/dev/null 2>&1 || return 0
	for p in "${PEER_PKGS[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "bench: installing ${missing[*]}"
	apt-get update -qq >&2 || say "bench: apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 ||
		say "bench: apt-get install failed; missing peers will be skipped"
}
install_peers

SUBHOST=${SUBHOST_BIN:-}
if [ -z "$SUBHOST" ]; then
	if command -v subhost >/dev/null 2>&1; then
		SUBHOST=$(command -v subhost)
	elif [ -x "$HERE/../build/subhost" ]; then
		SUBHOST=$(cd "$HERE/../build" && pwd)/subhost
		if [ -z "${SUBHOST_INIT:-}" ] && [ -x "${SUBHOST%/*}/subhost-init" ]; then
			export SUBHOST_INIT=${SUBHOST%/*}/subhost-init
		fi
	fi
fi
[ -n "${SUBHOST_INIT:-}" ] && export SUBHOST_INIT

BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
	[ -x "$b" ] && { BUSYBOX=$b; break; }
done
[ -n "$BUSYBOX" ] || die "no busybox (install busybox-static)"
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || die "no C compiler ($CC) for bench/minimal.c"

# ------------------------------------------------------------- scratch --
T=$(mktemp -d /var/tmp/subhost-bench.XXXXXX) || die "mktemp failed"
ROOT=$T/root
RES=$T/res
LOG=$T/log
mkdir -p "$RES" "$LOG"
BOOTED=()            # subhost names that may be up
LXC_UP=()            # lxc containers that may be up
CRUN_UP=()           # crun containers that may exist
CRUN_PID='' CRUN_IN='' CRUN_OUT=''
CAB_BR=''            # the bridge of the cables section, while it exists
PIVOT_BEFORE=$(find /sys/fs/cgroup -maxdepth 2 -name lxc.pivot 2>/dev/null | sort)

cleanup() {
	local n m
	trap - EXIT INT TERM
	for n in "${BOOTED[@]}"; do
		[ -d "/run/subhost/$n" ] || continue
		timeout 30 "$SUBHOST" stop "$n" >/dev/null 2>&1 ||
			timeout 30 "$SUBHOST" stop "$n" --force >/dev/null 2>&1
	done
	for n in "${LXC_UP[@]}"; do
		timeout 30 lxc-stop -P "$T/lxc" -n "$n" -k >/dev/null 2>&1
	done
	[ -n "$CAB_BR" ] && ip link del "$CAB_BR" 2>/dev/null
	if [ -n "$CRUN_PID" ]; then
		for n in "${CRUN_UP[@]}"; do
			printf 'crun delete -f %q\n' "$n" 1>&"$CRUN_IN" 2>/dev/null &&
				read -r -t 30 _ _ _ <&"$CRUN_OUT" 2>/dev/null
		done
		eval "exec $CRUN_IN>&-" 2>/dev/null
		wait "$CRUN_PID" 2>/dev/null
	fi
	# lxc leaves empty lxc.pivot cgroups behind; remove the ones we made.
	for n in $(find /sys/fs/cgroup -maxdepth 2 -name lxc.pivot 2>/dev/null | sort); do
		grep -qxF "$n" <<<"$PIVOT_BEFORE" || rmdir "$n" 2>/dev/null
	done
	# Anything still mounted below the scratch dir, deepest first.
	for m in $(awk -v t="$T" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	[ -n "${BENCH_RAW:-}" ] && mkdir -p "$BENCH_RAW" && cp -r "$RES"/. "$BENCH_RAW"/ 2>/dev/null
	rm -rf --one-file-system "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fair common root: static busybox with its applet links, os-release
# (nspawn wants one), passwd and group, the empty mount points.
build_root() {
	mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,usr/lib,etc,root,proc,sys,dev,run,tmp,var/tmp}
	chmod 1777 "$ROOT/tmp" "$ROOT/var/tmp"
	cp "$BUSYBOX" "$ROOT/bin/busybox"
	chroot "$ROOT" /bin/busybox --install -s ||
		die "busybox --install failed in the chroot (is $BUSYBOX static?)"
	printf 'ID=busybox\nNAME=BusyBox\nPRETTY_NAME="BusyBox bench root"\nVERSION_ID=1\n' \
		>"$ROOT/usr/lib/os-release"
	ln -sf ../usr/lib/os-release "$ROOT/etc/os-release"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$ROOT/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
}
build_root
"$CC" -std=gnu17 -O2 -o "$T/minimal" "$HERE/minimal.c" 2>"$LOG/minimal.cc" ||
	die "cannot compile bench/minimal.c: $(tail -3 "$LOG/minimal.cc")"

# --------------------------------------------------------------- timing --
# EPOCHREALTIME is read without forking; T_US/T_RC are the result.
T_US=0 T_RC=0
timeit() {
	local log=$1 a b
	shift
	a=$EPOCHREALTIME
	"$@" </dev/null >/dev/null 2>>"$log"
	T_RC=$?
	b=$EPOCHREALTIME
	T_US=$(( ${b/./} - ${a/./} ))
}

# crun only runs in a private mount namespace without /sys/fs/cgroup/unified.
# One such shell serves every crun command and times it itself, so the
# unshare cost is paid once and not per run.
start_crun_server() {
	coproc CRUNSRV {
		exec unshare -m --propagation private bash -c '
			umount /sys/fs/cgroup/unified 2>/dev/null
			while IFS= read -r line; do
				a=$EPOCHREALTIME
				eval "$line" </dev/null >/dev/null 2>>"$1"
				rc=$?
				b=$EPOCHREALTIME
				echo "$rc ${a/./} ${b/./}"
			done' bench-crun "$LOG/crun.err"
	}
	CRUN_PID=$CRUNSRV_PID CRUN_IN=${CRUNSRV[1]} CRUN_OUT=${CRUNSRV[0]}
}
crun_do() {              # crun_do ARGS... (already %q-quoted words)
	local rc a b
	T_RC=1 T_US=0
	printf '%s\n' "$*" 1>&"$CRUN_IN" 2>/dev/null || return
	read -r -t 120 rc a b <&"$CRUN_OUT" || { say "bench: crun server stopped answering"; return; }
	T_RC=$rc T_US=$(( b - a ))
}

# Nearest-rank percentiles of a file of microsecond samples, in ms:
# "median p10 p90 n".
stats() {
	[ -s "$1" ] || { echo "- - - 0"; return; }
	sort -n "$1" | awk '
		{ v[NR] = $1 }
		function rank(p,  r) { r = int(p * NR); if (r < p * NR) r++; if (r < 1) r = 1; return v[r] }
		END {
			med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.2f %.2f %.2f %d\n", med / 1000, rank(0.1) / 1000, rank(0.9) / 1000, NR
		}'
}

declare -A SKIP=() FAIL=()
note_skip() {            # note_skip TOOL WHY
	SKIP[$1]=$2
	say "bench: skipping $1: $2"
}
lastlines() { tail -n 3 "$1" 2>/dev/null | tr '\n' ' ' | cut -c1-200; }
proc_state() {           # proc_state PID -> "STATE STARTTIME" ("- -" if gone)
	local f
	f=$(cat "/proc/$1/stat" 2>/dev/null) || { echo "- -"; return; }
	f=${f##*) }
	set -- $f
	echo "$1 ${20}"
}

# ---------------------------------------------------- startup: the tools --
# Each run_TOOL I does one run of /bin/true and sets T_US/T_RC.
run_minimal() { timeit "$LOG/minimal.err" "$T/minimal" "$ROOT" "$T/min" /bin/true; }
run_subhost() { timeit "$LOG/subhost.err" "$SUBHOST" run "$T/sr/sr.conf" -- /bin/true; }
run_subhost_hostroot() { timeit "$LOG/subhost_hostroot.err" "$SUBHOST" run "$T/sh/sh.conf" -- /bin/true; }
run_bwrap() {
	timeit "$LOG/bwrap.err" bwrap --unshare-pid --unshare-ipc --unshare-uts --unshare-net \
		--bind "$ROOT" / --proc /proc --dev /dev /bin/true
}
CRUN_SEQ=0
run_crun() {
	local id=bench$$-$((CRUN_SEQ++))
	crun_do "crun run --bundle $(printf %q "$T/crun/true") $id"
}
run_lxc() { timeit "$LOG/lxc.err" lxc-execute -P "$T/lxc" -n benchx -f "$T/lxc/exec.conf" -- /bin/true; }
run_nspawn() {
	timeit "$LOG/nspawn.err" systemd-nspawn -q --register=no --keep-unit --private-network \
		-M shbench -D "$ROOT" /bin/true
}

subhost_conf() {         # subhost_conf FILE NAME BASE LOWER
	mkdir -p "$3/live" "$3/root" "$3/work"
	cat >"$1" <<-EOF
	# written by bench/bench.sh
	NAME=$2
	BASE=$3
	LOWER=$4
	START=none
	LOG=$3/log
	EOF
}

setup_subhost() {
	[ -n "$SUBHOST" ] || { note_skip subhost "no subhost binary (set SUBHOST_BIN or put subhost in PATH)"; return 1; }
	subhost_conf "$T/sr/sr.conf" shb-run "$T/sr" "$ROOT"
}
setup_subhost_hostroot() {
	[ -n "$SUBHOST" ] || { note_skip subhost_hostroot "no subhost binary"; return 1; }
	mkdir -p "$T/sh"
	subhost_conf "$T/sh/sh.conf" shb-host "$T/sh" /
}
setup_minimal() { :; }
setup_bwrap() { command -v bwrap >/dev/null 2>&1 || { note_skip bwrap "bwrap not installed"; return 1; }; }
setup_nspawn() { command -v systemd-nspawn >/dev/null 2>&1 || { note_skip nspawn "systemd-nspawn not installed"; return 1; }; }
setup_lxc() {
	command -v lxc-execute >/dev/null 2>&1 || { note_skip lxc "lxc-execute not installed"; return 1; }
	mkdir -p "$T/lxc"
	cat >"$T/lxc/exec.conf" <<-EOF
	lxc.rootfs.path = dir:$ROOT
	lxc.mount.auto = proc:mixed sys:ro
	lxc.autodev = 1
	lxc.net.0.type = empty
	lxc.apparmor.profile = unconfined
	EOF
	{ cat "$T/lxc/exec.conf"; echo "lxc.init.cmd = /bin/sleep 2147483647"; } >"$T/lxc/daemon.conf"
}
crun_bundle() {          # crun_bundle DIR ARGS-JSON
	mkdir -p "$1" &&
	(cd "$1" && crun spec >/dev/null 2>>"$LOG/crun.err") &&
	jq --arg r "$ROOT" --argjson a "$2" '
		.root.path = $r | .root.readonly = false |
		.process.terminal = false | .process.args = $a |
		.linux.namespaces = [{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network"}]
	' "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"
}
setup_crun() {
	command -v crun >/dev/null 2>&1 || { note_skip crun "crun not installed"; return 1; }
	command -v jq >/dev/null 2>&1 || { note_skip crun "jq is needed to edit the OCI spec"; return 1; }
	crun_bundle "$T/crun/true" '["/bin/true"]' &&
	crun_bundle "$T/crun/idle" '["/bin/sleep","2147483647"]' ||
		{ note_skip crun "could not make an OCI bundle: $(lastlines "$LOG/crun.err")"; return 1; }
	start_crun_server
}

ALL_TOOLS=(minimal subhost subhost_hostroot bwrap crun lxc nspawn)
declare -A LABEL=(
	[minimal]="minimal (bare C sequence)"
	[subhost]="subhost run (LOWER=busybox root)"
	[subhost_hostroot]="subhost run (LOWER=/ host root)"
	[bwrap]="bwrap"
	[crun]="crun run"
	[lxc]="lxc-execute"
	[nspawn]="systemd-nspawn"
)
TOOLS=()
for t in "${ALL_TOOLS[@]}"; do
	"setup_$t" || continue
	# Two warm-up runs (page cache, first-use costs); both must succeed.
	"run_$t" 0
	if [ "$T_RC" = 0 ]; then "run_$t" 0; fi
	if [ "$T_RC" != 0 ]; then
		note_skip "$t" "trial run failed (exit $T_RC): $(lastlines "$LOG/$t.err")"
		continue
	fi
	TOOLS+=("$t")
	: >"$RES/startup.$t"
done

say "bench: startup of /bin/true, $RUNS runs of: ${TOOLS[*]}"
n=${#TOOLS[@]}
for ((i = 0; i < RUNS; i++)); do
	# Round robin, starting one tool further each iteration.
	for ((k = 0; k < n; k++)); do
		t=${TOOLS[(i + k) % n]}
		"run_$t" "$i"
		if [ "$T_RC" = 0 ]; then
			echo "$T_US" >>"$RES/startup.$t"
		else
			FAIL[$t]=$(( ${FAIL[$t]:-0} + 1 ))
		fi
	done
done

# ------------------------------------------------------- boot and stop --
# subhost boot/stop of an idle subhost (START=none); for comparison
# lxc-start -d / lxc-stop -k and crun run -d / crun delete -f of a
# container whose pid 1 is `sleep`.
have() { local x; for x in "${TOOLS[@]}"; do [ "$x" = "$1" ] && return 0; done; return 1; }

bs_subhost() {
	timeit "$LOG/subhost-boot.err" "$SUBHOST" boot "$T/sb/sb.conf"
	[ "$T_RC" = 0 ] || return 1
	echo "$T_US" >>"$RES/boot.subhost"
	timeit "$LOG/subhost-stop.err" "$SUBHOST" stop shb-boot
	[ "$T_RC" = 0 ] || return 1
	echo "$T_US" >>"$RES/stop.subhost"
}
bs_lxc() {
	LXC_UP=(benchd)
	timeit "$LOG/lxc-boot.err" lxc-start -P "$T/lxc" -n benchd -f "$T/lxc/daemon.conf" -d
	[ "$T_RC" = 0 ] || return 1
	echo "$T_US" >>"$RES/boot.lxc"
	timeit "$LOG/lxc-stop.err" lxc-stop -P "$T/lxc" -n benchd -k
	[ "$T_RC" = 0 ] || return 1
	LXC_UP=()
	echo "$T_US" >>"$RES/stop.lxc"
}
bs_crun() {
	local id=benchd$$-$((CRUN_SEQ++))
	CRUN_UP=("$id")
	crun_do "crun run -d --bundle $(printf %q "$T/crun/idle") $id"
	[ "$T_RC" = 0 ] || return 1
	echo "$T_US" >>"$RES/boot.crun"
	crun_do "crun delete -f $id"
	[ "$T_RC" = 0 ] || return 1
	CRUN_UP=()
	echo "$T_US" >>"$RES/stop.crun"
}

BS=()
if have subhost; then
	mkdir -p "$T/sb"
	subhost_conf "$T/sb/sb.conf" shb-boot "$T/sb" "$ROOT"
	BOOTED+=(shb-boot)
	BS+=(subhost)
fi
have lxc && BS+=(lxc)
have crun && BS+=(crun)
say "bench: boot/stop, $RUNS runs of: ${BS[*]}"
declare -A BSFAIL=()
for ((i = 0; i < RUNS; i++)); do
	n=${#BS[@]}
	for ((k = 0; k < n; k++)); do
		t=${BS[(i + k) % n]}
		"bs_$t" || BSFAIL[$t]=$(( ${BSFAIL[$t]:-0} + 1 ))
	done
done

# -------------------------------------------- boot and stop with cables --
# subhost boot/stop with 0, 1 and 4 cables on a bridge made here (no
# address on it), a boot of the 1-cable subhost right after its own stop,
# systemd-nspawn running /bin/true with a veth (and, if it works, with
# --network-bridge), and lxc-start -d / lxc-stop -k with a veth on the
# bridge.  Each cab_ROW does one cycle and sets CB_BOOT and CB_STOP (us;
# empty when the tool has no separate boot and stop), CB_SUM, CB_STALE (1:
# a host end of an earlier run was still there when the boot began, so
# subhost had to wait for it) and CB_LINGER (1: a host end was still there
# when stop returned).  The checks are stat()s in sysfs, no fork.
CAB_ROWS=(c0 c1 c4 cr nsveth nsbr lxcveth)
declare -A CABLABEL=(
	[c0]="subhost, 0 cables"
	[c1]="subhost, 1 cable"
	[c4]="subhost, 4 cables"
	[cr]="subhost, 1 cable, booted again right after its stop"
	[nsveth]="systemd-nspawn --network-veth /bin/true (one run)"
	[nsbr]="systemd-nspawn --network-bridge=BR /bin/true (one run)"
	[lxcveth]="lxc-start -d / lxc-stop -k, veth on BR (init: sleep)"
)
declare -A CABNAME=() CABN=() CABFAIL=() CABSTALE=() CABLINGER=() CABCOUNT=()
CAB=()                   # rows that passed their warm-up
CAB_LINES=()             # lines under the table
CAB_PIDS=()              # "PID STARTTIME" of every subhost supervisor and pid 1
CAB_NS=shn$$             # nspawn machine name: host ends ve-shnPID / vb-shnPID
CAB_VETH_BEFORE=" "      # veth* interfaces (lxc's names) before the section
CB_BOOT='' CB_STOP='' CB_SUM=0 CB_STALE=0 CB_LINGER=0

hostends_there() {       # hostends_there NAME N: is some NAME0..NAME<N-1> there?
	local i
	for ((i = 0; i < $2; i++)); do
		[ -e "/sys/class/net/$1$i" ] && return 0
	done
	return 1
}
cab_remember_pids() {    # from /run/subhost/NAME/state, read without forking
	local k v sp='' ss='' p='' ps=''
	[ -r "/run/subhost/$1/state" ] || return 0
	while IFS='=' read -r k v; do
		case $k in
		supervisor_pid) sp=$v ;; supervisor_start) ss=$v ;;
		pid) p=$v ;; pid_start) ps=$v ;;
		esac
	done <"/run/subhost/$1/state"
	[ -n "$sp" ] && CAB_PIDS+=("$sp $ss")
	[ -n "$p" ] && CAB_PIDS+=("$p $ps")
}
cab_subhost() {          # cab_subhost NAME N LOG
	CB_BOOT='' CB_STOP='' CB_SUM=0 CB_STALE=0 CB_LINGER=0
	hostends_there "$1" "$2" && CB_STALE=1
	timeit "$3" "$SUBHOST" boot "$T/cab/$1/$1.conf"
	[ "$T_RC" = 0 ] || return 1
	CB_BOOT=$T_US
	cab_remember_pids "$1"
	timeit "$3" "$SUBHOST" stop "$1"
	if [ "$T_RC" != 0 ]; then
		"$SUBHOST" stop "$1" --force >/dev/null 2>>"$3"
		return 1
	fi
	CB_STOP=$T_US
	CB_SUM=$((CB_BOOT + CB_STOP))
	hostends_there "$1" "$2" && CB_LINGER=1
	return 0
}
cab_c0() { cab_subhost "${CABNAME[c0]}" 0 "$LOG/cab-c0.err"; }
cab_c1() { cab_subhost "${CABNAME[c1]}" 1 "$LOG/cab-c1.err"; }
cab_c4() { cab_subhost "${CABNAME[c4]}" 4 "$LOG/cab-c4.err"; }
cab_cr() {               # an untimed cycle, then the timed one at once
	cab_subhost "${CABNAME[cr]}" 1 "$LOG/cab-cr.err" || return 1
	cab_subhost "${CABNAME[cr]}" 1 "$LOG/cab-cr.err"
}
cab_nspawn() {           # cab_nspawn LOG NSPAWN-NETWORK-OPTION
	CB_BOOT='' CB_STOP='' CB_SUM=0 CB_STALE=0 CB_LINGER=0
	[ -e "/sys/class/net/ve-$CAB_NS" ] || [ -e "/sys/class/net/vb-$CAB_NS" ] && CB_STALE=1
	timeit "$1" systemd-nspawn -q --register=no --keep-unit "$2" -M "$CAB_NS" -D "$ROOT" /bin/true
	[ "$T_RC" = 0 ] || return 1
	CB_SUM=$T_US
	[ -e "/sys/class/net/ve-$CAB_NS" ] || [ -e "/sys/class/net/vb-$CAB_NS" ] && CB_LINGER=1
	return 0
}
cab_nsveth() { cab_nspawn "$LOG/cab-nsveth.err" --network-veth; }
cab_nsbr() { cab_nspawn "$LOG/cab-nsbr.err" "--network-bridge=$CAB_BR"; }
cab_lxcveth() {          # lxc names its host ends vethXXXXXX, a new one each time
	local p
	CB_BOOT='' CB_STOP='' CB_SUM=0 CB_STALE=0 CB_LINGER=0
	LXC_UP=(benchv)
	timeit "$LOG/cab-lxcveth.err" lxc-start -P "$T/lxc" -n benchv -f "$T/lxc/veth.conf" -d
	[ "$T_RC" = 0 ] || return 1
	CB_BOOT=$T_US
	timeit "$LOG/cab-lxcveth.err" lxc-stop -P "$T/lxc" -n benchv -k
	[ "$T_RC" = 0 ] || return 1
	LXC_UP=()
	CB_STOP=$T_US
	CB_SUM=$((CB_BOOT + CB_STOP))
	for p in "/sys/class/net/$CAB_BR/brif/"veth*; do
		[ -e "$p" ] && CB_LINGER=1
	done
	return 0
}

cab_sub_setup() {        # cab_sub_setup ROW NAME N
	local i c=''
	[ -n "$SUBHOST" ] || { note_skip "cables: ${CABLABEL[$1]}" "no subhost binary"; return 1; }
	CABNAME[$1]=$2 CABN[$1]=$3
	mkdir -p "$T/cab/$2"
	subhost_conf "$T/cab/$2/$2.conf" "$2" "$T/cab/$2" "$ROOT"
	for ((i = 0; i < $3; i++)); do c+=" $CAB_BR="; done
	[ "$3" -gt 0 ] && echo "CABLES=$c" >>"$T/cab/$2/$2.conf"
	BOOTED+=("$2")
}
cab_setup_c0() { cab_sub_setup c0 "shc$$"a 0; }
cab_setup_c1() { cab_sub_setup c1 "shc$$"b 1; }
cab_setup_c4() { cab_sub_setup c4 "shc$$"c 4; }
cab_setup_cr() { cab_sub_setup cr "shc$$"d 1; }
cab_setup_nsveth() {
	command -v systemd-nspawn >/dev/null 2>&1 || { note_skip "cables: ${CABLABEL[nsveth]}" "systemd-nspawn not installed"; return 1; }
}
cab_setup_nsbr() {
	command -v systemd-nspawn >/dev/null 2>&1 || { note_skip "cables: ${CABLABEL[nsbr]}" "systemd-nspawn not installed"; return 1; }
}
cab_setup_lxcveth() {
	command -v lxc-start >/dev/null 2>&1 || { note_skip "cables: ${CABLABEL[lxcveth]}" "lxc-start not installed"; return 1; }
	mkdir -p "$T/lxc"
	cat >"$T/lxc/veth.conf" <<-EOF
	lxc.rootfs.path = dir:$ROOT
	lxc.mount.auto = proc:mixed sys:ro
	lxc.autodev = 1
	lxc.net.0.type = veth
	lxc.net.0.link = $CAB_BR
	lxc.net.0.flags = up
	lxc.apparmor.profile = unconfined
	lxc.init.cmd = /bin/sleep 2147483647
	EOF
}

# Our interfaces still on the host, one per line: the subhosts' host
# ends, nspawn's, the bridge's ports, and lxc-style veth* that were not
# there before the section.
cab_ifs() {
	local r i p n
	for r in c0 c1 c4 cr; do
		[ -n "${CABNAME[$r]:-}" ] || continue
		for ((i = 0; i < ${CABN[$r]}; i++)); do
			[ -e "/sys/class/net/${CABNAME[$r]}$i" ] && echo "${CABNAME[$r]}$i"
		done
	done
	for p in "ve-$CAB_NS" "vb-$CAB_NS"; do
		[ -e "/sys/class/net/$p" ] && echo "$p"
	done
	if [ -n "$CAB_BR" ]; then
		for p in "/sys/class/net/$CAB_BR/brif/"*; do
			[ -e "$p" ] && echo "${p##*/}"
		done
	fi
	for p in /sys/class/net/veth*; do
		n=${p##*/}
		[ -e "$p" ] && [[ $CAB_VETH_BEFORE != *" $n "* ]] && echo "$n"
	done
	return 0
}

cables() {
	local t i k n x
	command -v ip >/dev/null 2>&1 || { CAB_LINES+=("- skipped: \`ip\` (iproute2) is not installed"); return; }
	for x in /sys/class/net/veth*; do [ -e "$x" ] && CAB_VETH_BEFORE+="${x##*/} "; done
	CAB_BR=shbbr$$
	if ! ip link add "$CAB_BR" type bridge 2>>"$LOG/cab-bridge.err"; then
		CAB_BR=''
		CAB_LINES+=("- skipped: cannot create a bridge: $(lastlines "$LOG/cab-bridge.err")")
		return
	fi
	# No address on the host: not even the IPv6 link-local one the kernel
	# would give the bridge once a port is up.
	ip link set dev "$CAB_BR" addrgenmode none 2>>"$LOG/cab-bridge.err" ||
		say "bench: cables: cannot set addrgenmode none on $CAB_BR; it may get an IPv6 link-local address"
	if ! ip link set dev "$CAB_BR" up 2>>"$LOG/cab-bridge.err"; then
		CAB_LINES+=("- skipped: cannot bring the bridge up: $(lastlines "$LOG/cab-bridge.err")")
		return
	fi
	for t in "${CAB_ROWS[@]}"; do
		"cab_setup_$t" || continue
		# Two warm-up cycles; both must succeed.
		if ! { "cab_$t" && "cab_$t"; }; then
			note_skip "cables: ${CABLABEL[$t]}" "trial run failed (exit $T_RC): $(lastlines "$LOG/cab-$t.err")"
			continue
		fi
		CAB+=("$t")
		: >"$RES/cab-sum.$t"
	done
	say "bench: boot/stop with cables on $CAB_BR, $RUNS runs of: ${CAB[*]}"
	n=${#CAB[@]}
	for ((i = 0; i < RUNS; i++)); do
		for ((k = 0; k < n; k++)); do
			t=${CAB[(i + k) % n]}
			if "cab_$t"; then
				[ -n "$CB_BOOT" ] && echo "$CB_BOOT" >>"$RES/cab-boot.$t"
				[ -n "$CB_STOP" ] && echo "$CB_STOP" >>"$RES/cab-stop.$t"
				echo "$CB_SUM" >>"$RES/cab-sum.$t"
				CABCOUNT[$t]=$(( ${CABCOUNT[$t]:-0} + 1 ))
				CABSTALE[$t]=$(( ${CABSTALE[$t]:-0} + CB_STALE ))
				CABLINGER[$t]=$(( ${CABLINGER[$t]:-0} + CB_LINGER ))
				if [ "$CB_STALE" = 1 ] && [ -n "$CB_BOOT" ]; then
					echo "$CB_BOOT" >>"$RES/cab-waited.$t"
				fi
			else
				CABFAIL[$t]=$(( ${CABFAIL[$t]:-0} + 1 ))
			fi
		done
	done
	cab_check
}

# Everything gone?  First give the kernel time to finish the asynchronous
# veth removal (bounded), then delete the bridge and look again.
cab_check() {
	local t0 t1 x r name n_state=0 n_netns=0 n_cg=0 n_mounts=0 n_procs=0 n_zombies=0 n_lxc=0
	local p start st xs left gone n_addr
	local -a ifs=()
	t0=$EPOCHREALTIME
	for ((x = 0; x < 100; x++)); do
		mapfile -t ifs < <(cab_ifs)
		[ ${#ifs[@]} -eq 0 ] && break
		sleep 0.05
	done
	t1=$EPOCHREALTIME
	gone="all veth host ends gone $(awk -v a="${t0/./}" -v b="${t1/./}" 'BEGIN { printf "%.0f", (b - a) / 1000 }') ms after the last cycle"
	[ ${#ifs[@]} -gt 0 ] && gone="host ends still there 5 s after the last cycle: ${ifs[*]}"
	n_addr=$(ip -o addr show dev "$CAB_BR" 2>/dev/null | wc -l)
	ip link del "$CAB_BR" 2>>"$LOG/cab-bridge.err"
	x=$CAB_BR
	[ -e "/sys/class/net/$x" ] || CAB_BR=''
	mapfile -t ifs < <(cab_ifs)
	for r in c0 c1 c4 cr; do
		name=${CABNAME[$r]:-}
		[ -n "$name" ] || continue
		[ -e "/run/subhost/$name" ] && n_state=$((n_state + 1))
		[ -e "/run/netns/$name" ] && n_netns=$((n_netns + 1))
		for cg in /sys/fs/cgroup/subhost/"$name" /sys/fs/cgroup/unified/subhost/"$name" /sys/fs/cgroup/*/subhost/"$name"; do
			[ -e "$cg" ] && { n_cg=$((n_cg + 1)); break; }
		done
	done
	n_mounts=$(awk -v t="$T/cab/" 'index($2, t) == 1' /proc/self/mounts | wc -l)
	for p in "${CAB_PIDS[@]}"; do
		read -r p start <<<"$p"
		read -r st xs < <(proc_state "$p")
		[ "$xs" = "$start" ] || continue
		if [ "$st" = Z ]; then n_zombies=$((n_zombies + 1)); else n_procs=$((n_procs + 1)); fi
	done
	# lxc: the container directory and its cgroups.
	[ -e "$T/lxc/benchv" ] && n_lxc=$((n_lxc + 1))
	n_lxc=$((n_lxc + $(find /sys/fs/cgroup -maxdepth 3 -type d -name '*benchv*' 2>/dev/null | wc -l)))
	if [ -e "/sys/class/net/$x" ] || [ $((${#ifs[@]} + n_state + n_netns + n_cg + n_mounts + n_procs + n_lxc)) -gt 0 ]; then
		left="LEFT BEHIND: bridge $x $([ -e "/sys/class/net/$x" ] && echo present || echo deleted), ${#ifs[@]} interfaces${ifs[*]:+ (${ifs[*]})}, $n_state state dirs, $n_netns netns, $n_cg cgroups, $n_mounts mounts, $n_procs processes, $n_lxc lxc container dirs/cgroups"
	else
		left="nothing left (no bridge $x, veth, netns, subhost state, cgroup, mount, process or lxc container dir/cgroup)"
	fi
	[ "$n_zombies" -gt 0 ] && left+=" ($n_zombies exited processes not yet reaped by the host's pid 1)"
	CAB_LINES+=("- after the section: $gone; the bridge had $n_addr addresses; $left")
}
[ "$CABLES_ON" = 1 ] && cables

# -------------------------------------------------------------- density --
mem_avail_kb() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
pss_kb() { awk '/^Pss:/ { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
state_pids() {           # state_pids NAME -> "SUPERVISOR PID1"
	local f=/run/subhost/$1/state sp='' p=''
	if [ -r "$f" ]; then
		sp=$(sed -n 's/^supervisor_pid=//p' "$f")
		p=$(sed -n 's/^pid=//p' "$f")
	fi
	if [ -z "$sp" ] || [ -z "$p" ]; then
		local js
		js=$("$SUBHOST" status "$1" --json 2>/dev/null)
		sp=$(sed -n 's/.*"supervisor_pid" *: *\([0-9]*\).*/\1/p' <<<"$js" | head -1)
		p=$(sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p' <<<"$js" | head -1)
	fi
	echo "${sp:-0} ${p:-0}"
}

DENS_LINES=()
density() {
	local k name before after pss=0 sp p up=0 t0 t1 stopfail=0 left
	local -a names=()
	sync
	sleep 1
	before=$(mem_avail_kb)
	say "bench: density: booting $DENSITY idle subhosts"
	t0=$EPOCHREALTIME
	for ((k = 1; k <= DENSITY; k++)); do
		name=$(printf 'shd%05d' "$k")
		mkdir -p "$T/dens/$name"
		subhost_conf "$T/dens/$name/$name.conf" "$name" "$T/dens/$name" "$ROOT"
		BOOTED+=("$name")    # before the boot: a signal may end us right after it
		timeit "$LOG/density.err" "$SUBHOST" boot "$T/dens/$name/$name.conf"
		if [ "$T_RC" != 0 ]; then
			say "bench: density: boot $k failed (exit $T_RC): $(lastlines "$LOG/density.err")"
			break
		fi
		names+=("$name")
		echo "$T_US" >>"$RES/density-boot"
	done
	t1=$EPOCHREALTIME
	up=${#names[@]}
	if [ "$up" -eq 0 ]; then
		DENS_LINES+=("- density: no subhost booted ($(lastlines "$LOG/density.err"))")
		return
	fi
	sleep 2
	after=$(mem_avail_kb)
	for name in "${names[@]}"; do
		read -r sp p < <(state_pids "$name")
		[ "$sp" -gt 0 ] && pss=$(( pss + $(pss_kb "$sp") ))
		[ "$p" -gt 0 ] && pss=$(( pss + $(pss_kb "$p") ))
		[ "$sp" -gt 0 ] && [ "$p" -gt 0 ] || say "bench: density: no pids for $name"
		for x in "$sp" "$p"; do
			[ "$x" -gt 0 ] && echo "$x $(proc_state "$x" | cut -d' ' -f2)" >>"$T/dens/pids"
		done
	done
	local bt; bt=$(stats "$RES/density-boot")
	DENS_LINES+=("- density: $up of $DENSITY idle subhosts up in $(awk -v a="${t0/./}" -v b="${t1/./}" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') s (boot median $(cut -d' ' -f1 <<<"$bt") ms, p90 $(cut -d' ' -f3 <<<"$bt") ms)")
	DENS_LINES+=("- memory per subhost: PSS of supervisor + pid 1 $(awk -v s="$pss" -v n="$up" 'BEGIN { printf "%.2f", s / n / 1024 }') MB; MemAvailable drop $(awk -v a="$before" -v b="$after" -v n="$up" 'BEGIN { printf "%.2f", (a - b) / n / 1024 }') MB (kernel objects included; $(( (before - after) / 1024 )) MB for all $up)")

	t0=$EPOCHREALTIME
	for name in "${names[@]}"; do
		"$SUBHOST" stop "$name" >/dev/null 2>>"$LOG/density.err" || stopfail=$((stopfail + 1))
	done
	t1=$EPOCHREALTIME
	# Teardown is synchronous by contract; allow a moment for the kernel's
	# asynchronous netns cleanup before looking.
	sleep 1
	left=""
	local n_state=0 n_netns=0 n_mounts=0 n_procs=0 n_cg=0
	for name in "${names[@]}"; do
		[ -e "/run/subhost/$name" ] && n_state=$((n_state + 1))
		[ -e "/run/netns/$name" ] && n_netns=$((n_netns + 1))
		for cg in /sys/fs/cgroup/subhost/"$name" /sys/fs/cgroup/unified/subhost/"$name" /sys/fs/cgroup/*/subhost/"$name"; do
			[ -e "$cg" ] && { n_cg=$((n_cg + 1)); break; }
		done
	done
	n_mounts=$(awk -v t="$T/dens/" 'index($2, t) == 1' /proc/self/mounts | wc -l)
	# A process counts as left when the same pid with the same start time
	# still exists and is not a zombie (on hosts whose pid 1 reaps lazily,
	# exited supervisors linger as zombies for a while).
	local n_zombies=0 st start x
	while read -r p start; do
		read -r st x < <(proc_state "$p")
		[ "$x" = "$start" ] || continue
		if [ "$st" = Z ]; then n_zombies=$((n_zombies + 1)); else n_procs=$((n_procs + 1)); fi
	done <"$T/dens/pids"
	[ $((n_state + n_netns + n_mounts + n_procs + n_cg)) -eq 0 ] && left="nothing left" ||
		left="LEFT BEHIND: $n_state state dirs, $n_netns netns, $n_mounts overlay/other mounts, $n_procs processes, $n_cg cgroups"
	[ "$n_zombies" -gt 0 ] && left+=" ($n_zombies exited processes not yet reaped by the host's pid 1)"
	DENS_LINES+=("- stopping all $up: $(awk -v a="${t0/./}" -v b="${t1/./}" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') s, $stopfail failed; after stop: $left")
}
if [ "$DENSITY" -gt 0 ]; then
	if have subhost; then density
	else DENS_LINES+=("- density: skipped (subhost not available)"); fi
fi

# --------------------------------------------------------------- report --
ratio() {                # ratio MEDIAN BASE
	awk -v m="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && m != "-") printf "%.2f", m / b; else printf "n/a" }'
}
ver() { "$@" 2>/dev/null | head -1 | tr -s ' ' | cut -c1-60; }

echo "# subhost benchmark"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); kernel: $(uname -r) ($(uname -m)); $(nproc) CPUs; $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "- runs per figure: $RUNS (paired round robin, after 2 warm-up runs each); density: $DENSITY"
echo "- subhost: ${SUBHOST:-none}${SUBHOST_INIT:+ (SUBHOST_INIT=$SUBHOST_INIT)}"
echo "- peers: $(ver bwrap --version); $(ver crun --version); lxc $(ver lxc-execute --version); $(ver systemd-nspawn --version)"
echo
echo "## Startup of /bin/true (namespaces + root + exec + teardown)"
echo
echo "| tool | median ms | p10 | p90 | ratio to subhost |"
echo "|---|---:|---:|---:|---:|"
base=-
have subhost && base=$(stats "$RES/startup.subhost" | cut -d' ' -f1)
for t in "${ALL_TOOLS[@]}"; do
	if [ -n "${SKIP[$t]:-}" ]; then
		echo "| ${LABEL[$t]} | skipped | | | |"
		continue
	fi
	read -r med p10 p90 _ < <(stats "$RES/startup.$t")
	extra=
	[ -n "${FAIL[$t]:-}" ] && extra=" (${FAIL[$t]} failed runs)"
	echo "| ${LABEL[$t]}$extra | $med | $p10 | $p90 | $(ratio "$med" "$base") |"
done
echo
echo "## Boot and stop of an idle instance"
echo
echo "| tool | boot median ms | p10 | p90 | stop median ms | p10 | p90 |"
echo "|---|---:|---:|---:|---:|---:|---:|"
declare -A BSLABEL=(
	[subhost]="subhost boot / stop (START=none)"
	[lxc]="lxc-start -d / lxc-stop -k (init: sleep)"
	[crun]="crun run -d / crun delete -f (init: sleep)"
)
for t in "${BS[@]}"; do
	read -r bm b10 b90 _ < <(stats "$RES/boot.$t")
	read -r sm s10 s90 _ < <(stats "$RES/stop.$t")
	extra=
	[ -n "${BSFAIL[$t]:-}" ] && extra=" (${BSFAIL[$t]} failed cycles)"
	echo "| ${BSLABEL[$t]}$extra | $bm | $b10 | $b90 | $sm | $s10 | $s90 |"
done
[ ${#BS[@]} -eq 0 ] && echo "| (nothing could be measured) | | | | | | |"
echo
echo "## Boot and stop with cables"
echo
if [ "$CABLES_ON" != 1 ]; then
	echo "- skipped (BENCH_CABLES=0)"
else
	if [ ${#CAB[@]} -gt 0 ]; then
		echo "A bridge made for the run (no address on the host), BR below; subhost's cables are \`CABLES= BR=\` entries (eth0… inside, NAME0… on BR). Boot+stop is the median of the per-cycle sums; nspawn runs /bin/true, so it has only that figure."
		echo
		echo "| tool / config | boot median ms | stop median ms | boot+stop median ms | p10 | p90 | ratio to subhost, 1 cable |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
		cbase=-
		[ -s "$RES/cab-sum.c1" ] && cbase=$(stats "$RES/cab-sum.c1" | cut -d' ' -f1)
		for t in "${CAB_ROWS[@]}"; do
			if [ -n "${SKIP["cables: ${CABLABEL[$t]}"]:-}" ]; then
				echo "| ${CABLABEL[$t]} | skipped | | | | | |"
				continue
			fi
			bm=$(stats "$RES/cab-boot.$t" | cut -d' ' -f1)
			sm=$(stats "$RES/cab-stop.$t" | cut -d' ' -f1)
			read -r tm t10 t90 _ < <(stats "$RES/cab-sum.$t")
			extra=
			[ -n "${CABFAIL[$t]:-}" ] && extra=" (${CABFAIL[$t]} failed cycles)"
			echo "| ${CABLABEL[$t]}$extra | $bm | $sm | $tm | $t10 | $t90 | $(ratio "$tm" "$cbase") |"
		done
		echo
		# Host ends: lingering after stop, and boots that found one (and waited).
		hl() {           # hl ROW -> "k of n"
			echo "${2:-0} of ${CABCOUNT[$1]:-0}"
		}
		sub_linger=0 sub_n=0
		for t in c1 c4 cr; do
			sub_linger=$((sub_linger + ${CABLINGER[$t]:-0})) sub_n=$((sub_n + ${CABCOUNT[$t]:-0}))
		done
		rr_stale=0 rr_n=0
		for t in c1 c4; do
			rr_stale=$((rr_stale + ${CABSTALE[$t]:-0})) rr_n=$((rr_n + ${CABCOUNT[$t]:-0}))
		done
		wait_note="in the round robin, $rr_stale of $rr_n boots of the 1- and 4-cable subhosts found a host end of their previous run and had to wait"
		if [ -n "${CABCOUNT[cr]:-}" ]; then
			w=-
			[ -s "$RES/cab-waited.cr" ] && w=$(stats "$RES/cab-waited.cr" | cut -d' ' -f1)
			wait_note+="; booted right after its stop, the 1-cable subhost found one in $(hl cr "${CABSTALE[cr]:-0}") boots (median boot of those $w ms, against $(stats "$RES/cab-boot.c1" | cut -d' ' -f1) ms for \"subhost, 1 cable\", whose previous stop was a round earlier)"
		fi
		echo "- veth host ends: the kernel removes a cable's host end asynchronously, after the subhost's netns is gone, so \`subhost stop\` returns before it has gone (still there when stop returned: $sub_linger of $sub_n stops of cabled subhosts) and the next boot of the same name waits for it, up to 1 s, without logging it; timed here by checking for the host end just before each boot: $wait_note."
		for t in nsveth nsbr lxcveth; do
			[ -n "${CABCOUNT[$t]:-}" ] || continue
			echo "  - ${CABLABEL[$t]}: host end still there when the command returned in $(hl "$t" "${CABLINGER[$t]:-0}") runs$([ "$t" != lxcveth ] && echo "; one of an earlier run there before the start in $(hl "$t" "${CABSTALE[$t]:-0}")")."
		done
	fi
	for l in "${CAB_LINES[@]}"; do echo "$l"; done
fi
echo
echo "## Density"
echo
for l in "${DENS_LINES[@]}"; do echo "$l"; done
[ ${#DENS_LINES[@]} -eq 0 ] && echo "- skipped (BENCH_DENSITY=0)"
if [ ${#SKIP[@]} -gt 0 ]; then
	echo
	echo "## Skipped"
	echo
	for t in "${!SKIP[@]}"; do echo "- $t: ${SKIP[$t]}"; done
fi
echo
echo "Medians from one run on a possibly shared machine: compare ratios within a run, not across runs."
exit 0
