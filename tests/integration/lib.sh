# lib.sh - TAP helpers for subhost's root integration tests (bash).
#
# Every test file: `. "$(dirname "$0")/lib.sh"`, then ok/is/like calls,
# then `done_testing`.  Subhosts made with new_subhost get unique names
# and are stopped and removed on exit, also when the test fails.
set -u
SUBHOST=${SUBHOST_BIN:-$(command -v subhost)}
export SUBHOST_INIT=${SUBHOST_INIT:-}
[ -n "$SUBHOST_INIT" ] || unset SUBHOST_INIT
T_ROOT=$(mktemp -d /var/tmp/subhost-test.XXXXXX)
T_N=0
T_FAILED=0
T_NAMES=()

ok() {          # ok CONDITION-STATUS DESCRIPTION  (use: ok $? "desc" or test ...; ok $? ...)
	local st=$1; shift
	T_N=$((T_N + 1))
	if [ "$st" = 0 ]; then
		echo "ok $T_N - $*"
	else
		echo "not ok $T_N - $*"
		T_FAILED=$((T_FAILED + 1))
	fi
	return "$st"
}
check() {       # check DESCRIPTION -- COMMAND...   (ok if COMMAND succeeds)
	local desc=$1; shift; [ "$1" = -- ] && shift
	"$@"; ok $? "$desc"
}
is() {          # is GOT EXPECTED DESCRIPTION
	local got=$1 exp=$2; shift 2
	[ "$got" = "$exp" ]; ok $? "$*" || diag "got: '$got'" "expected: '$exp'"
}
like() {        # like GOT REGEX DESCRIPTION
	local got=$1 re=$2; shift 2
	[[ $got =~ $re ]]; ok $? "$*" || diag "got: '$got'" "expected to match: $re"
}
diag() { local l; for l in "$@"; do echo "# $l" >&2; done; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N # SKIP $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
done_testing() { echo "1..$T_N"; [ "$T_FAILED" = 0 ]; }

require_root() { [ "$(id -u)" = 0 ] || skip_all "needs root"; }

# A unique subhost name (<= 12 chars so NAME<i> interface names fit).
uniq_name() {
	local p=${1:-t}
	printf '%s%04x%04x' "${p:0:4}" $((RANDOM)) $(($$ & 0xffff))
}

# new_subhost NAME [conf lines...]: a directory with live/root/work and
# NAME.conf (BASE=. plus the given lines); prints the conf path.
new_subhost() {
	local name=$1; shift
	local d=$T_ROOT/$name
	mkdir -p "$d/live" "$d/root" "$d/work"
	{ echo "BASE=."; local l; for l in "$@"; do echo "$l"; done; } > "$d/$name.conf"
	T_NAMES+=("$name")
	echo "$name" >> "$T_ROOT/.names"     # also when called as $(new_subhost ...)
	echo "$d/$name.conf"
}

# Facts of a subhost left on the host; empty output means nothing leaked.
residue() {
	local name=$1 base=$T_ROOT/$1
	[ -e "/run/subhost/$name" ] && echo "state dir /run/subhost/$name"
	[ -e "/run/netns/$name" ] && echo "netns /run/netns/$name"
	grep -F " $base" /proc/self/mountinfo | sed 's/^/mount: /'
	local cg
	for cg in /sys/fs/cgroup/subhost/$name /sys/fs/cgroup/unified/subhost/$name; do
		[ -e "$cg" ] && echo "cgroup $cg"
	done
	# The kernel removes a deleted netns's host-side veth ends 10-300 ms later.
	wait_for 10 sh -c "! ip -o link show 2>/dev/null | awk -F': ' '{print \$2}' | cut -d@ -f1 | grep -qx '${name}[0-9.]*'"
	ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -x "${name}[0-9.]*" | sed 's/^/interface: /'
	find /proc/[0-9]*/cwd -maxdepth 0 -lname "$base/live" 2>/dev/null | sed 's/^/process in LIVE: /'
	# Loop devices over the subhost's images (autoclear: the kernel detaches
	# them once the last mount is gone, which can take a moment).
	wait_for 20 sh -c "! grep -qsF '$base/' /sys/block/loop*/loop/backing_file"
	grep -sHF "$base/" /sys/block/loop*/loop/backing_file |
		sed 's,^/sys/block/\([^/]*\)/loop/backing_file:,loop device /dev/\1 over ,'
	return 0
}
no_residue() {  # no_residue NAME [DESC]
	local r; r=$(residue "$1")
	[ -z "$r" ]; ok $? "${2:-nothing of $1 remains on the host}" || diag "$r"
}

# Wait up to $2 tenths of a second for a command to succeed.
wait_for() {
	local n=$1; shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	"$@"
}

# ---- helpers shared by the test files --------------------------------------
# mk NAME [LINE...]: new_subhost in this shell (not in $(...), so that the
# exit cleanup knows the name), START=none and a log inside the test dir;
# sets DIR and CONF.
mk() {
	local n=$1; shift
	new_subhost "$n" "START= none" "LOG=$T_ROOT/$n/log" "$@" >/dev/null
	DIR=$T_ROOT/$n CONF=$T_ROOT/$n/$n.conf
}
st_get() { sed -n "s/^$2=//p" "/run/subhost/$1/state" 2>/dev/null; }   # st_get NAME KEY
st_is() { [ "$(st_get "$1" "$2")" = "$3" ]; }   # for wait_for
dead() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }   # gone or a zombie
gone() { [ ! -e "/run/subhost/$1" ]; }
in_sh() { local n=$1; shift; "$SUBHOST" go "$n" -- sh -c "$*" </dev/null; }
needs() {       # needs DESCRIPTION -- COMMAND: skip unless COMMAND works (fail with MUST_WORK=1)
	local desc=$1; shift; [ "$1" = -- ] && shift
	"$@" >/dev/null 2>&1 && return 0
	if [ "${MUST_WORK:-0}" = 1 ]; then ok 1 "$desc (MUST_WORK=1)"; else skip "$desc: not available"; fi
	return 1
}

# Commands a test adds (EXTRA_CLEAN+=("umount X")) run first at exit.
EXTRA_CLEAN=()
t_cleanup() {
	local c n
	for c in "${EXTRA_CLEAN[@]}"; do eval "$c" >/dev/null 2>&1; done
	for n in "${T_NAMES[@]}" $(cat "$T_ROOT/.names" 2>/dev/null); do
		[ -e "/run/subhost/$n" ] && "$SUBHOST" stop --force "$n" >/dev/null 2>&1
	done
	rm -rf "$T_ROOT"
}
trap t_cleanup EXIT
require_root
