#!/usr/bin/env bash
# bench/distro.sh - boot-to-ready of a Debian systemd tree: subhost against
# systemd-nspawn -b, on the same tree, in one run, paired.
#
#   sudo bench/distro.sh            (root; see bench/README.md)
#
# The tree: Debian bookworm minbase + systemd-sysv, dbus, procps, made by
# tools/debian-tree.sh from this machine's APT sources (cached under
# /var/cache/subhost-test) and extracted once.  Each run boots it afresh:
# subhost over an empty UPPER (INIT=/sbin/init), nspawn with
# --volatile=overlay (a fresh tmpfs upper), both without a network
# (subhost: a netns with lo only; nspawn: --private-network).
#
# Ready = `systemctl is-system-running --wait` inside answers running or
# degraded, asked through nsenter into pid 1's mount and pid namespaces
# the same way for both, every 10 ms until its socket is there.  Then the
# instance is stopped (subhost stop; SIGTERM to nspawn, which halts the
# container) and that is timed too.
#
# Environment:
#   BENCH_RUNS=10        boots per tool
#   BENCH_NO_INSTALL=1   never call apt-get (systemd-container, mmdebstrap)
#   SUBHOST_BIN          default: build/subhost beside this script, else PATH's
#   SUBHOST_INIT         set to build/subhost-init with the build tree
# Markdown on stdout, progress on stderr.
set -u -o pipefail
export LC_ALL=C

RUNS=${BENCH_RUNS:-10}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }
case $RUNS in ''|*[!0-9]*|0) die "BENCH_RUNS must be a positive integer" ;; esac
[ "$(id -u)" = 0 ] || die "must run as root"

if [ "${BENCH_NO_INSTALL:-0}" != 1 ] && command -v apt-get >/dev/null; then
	for p in systemd-container mmdebstrap; do
		dpkg -s "$p" >/dev/null 2>&1 && continue
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >&2 || say "bench: could not install $p"
	done
fi
# This tree's build first (an installed subhost may predate INIT=/sbin/init
# support), else the one in PATH.
SUBHOST=${SUBHOST_BIN:-}
if [ -z "$SUBHOST" ]; then
	if [ -x "$HERE/../build/subhost" ]; then
		SUBHOST=$(cd "$HERE/../build" && pwd)/subhost
		[ -n "${SUBHOST_INIT:-}" ] || export SUBHOST_INIT=${SUBHOST%/*}/subhost-init
	elif command -v subhost >/dev/null 2>&1; then
		SUBHOST=$(command -v subhost)
	fi
fi
[ -x "$SUBHOST" ] || die "no subhost binary (make, or set SUBHOST_BIN)"

W=$(mktemp -d /var/tmp/subhost-bench-distro.XXXXXX)
NAME=bd$$
NSPAWN_PID=
# nspawn run from outside a systemd host leaves its empty payload and
# supervisor groups behind: remove those this run made.
CG_BEFORE=$(ls -d /sys/fs/cgroup/*/payload /sys/fs/cgroup/*/supervisor 2>/dev/null)
cleanup() {
	local d
	[ -e "/run/subhost/$NAME" ] && "$SUBHOST" stop --force "$NAME" >/dev/null 2>&1
	[ -n "$NSPAWN_PID" ] && kill -KILL "$NSPAWN_PID" 2>/dev/null && wait "$NSPAWN_PID" 2>/dev/null
	for d in /sys/fs/cgroup/*/payload /sys/fs/cgroup/*/supervisor; do
		[ -d "$d" ] || continue
		grep -qxF "$d" <<<"$CG_BEFORE" || find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "bench: the tree"
"$HERE/../tools/debian-tree.sh" bookworm systemd-sysv,dbus,procps "$W/tree" >/dev/null || die "no tree"
mkdir -p "$W/sh/root" "$W/sh/work" "$W/sh/live"
cat > "$W/sh/$NAME.conf" <<EOF
BASE=.
LOWER=$W/tree
INIT=/sbin/init
LOG=$W/sh/log
EOF

now_us() { local t; t=$(date +%s%N); echo $(( t / 1000 )); }
# ready PID: is-system-running --wait inside pid PID's namespaces; 0 if running/degraded
ready() {
	local st
	st=$(nsenter -t "$1" -m -p systemctl is-system-running --wait 2>/dev/null)
	case $st in running|degraded) return 0 ;; esac
	return 1
}
poll_ready() {  # poll_ready PID: up to 60 s
	local i
	for i in $(seq 6000); do ready "$1" && return 0; sleep 0.01; done
	return 1
}
# the container's pid 1 below nspawn: a descendant whose innermost pid is 1
nspawn_pid1() {
	local p q
	for p in $(pgrep -P "$1"); do
		for q in "$p" $(pgrep -P "$p"); do
			[ "$(awk '/^NSpid:/ {print $NF}' "/proc/$q/status" 2>/dev/null)" = 1 ] && { echo "$q"; return 0; }
		done
	done
	return 1
}

declare -a SH_BOOT SH_STOP NS_BOOT NS_STOP
for r in $(seq "$RUNS"); do
	say "bench: run $r/$RUNS"
	# subhost
	rm -rf "$W/sh/root" "$W/sh/work" && mkdir -p "$W/sh/root" "$W/sh/work"
	t0=$(now_us)
	"$SUBHOST" boot "$W/sh/$NAME.conf" </dev/null >&2 || die "subhost boot failed: $(tail -5 "$W/sh/log")"
	pid=$(sed -n 's/^pid=//p' "/run/subhost/$NAME/state")
	poll_ready "$pid" || die "subhost: not ready in 60 s"
	t1=$(now_us)
	"$SUBHOST" stop "$NAME" </dev/null >&2 || die "subhost stop failed"
	t2=$(now_us)
	SH_BOOT+=($((t1 - t0))); SH_STOP+=($((t2 - t1)))
	# systemd-nspawn
	t0=$(now_us)
	systemd-nspawn -q --register=no --keep-unit --private-network --volatile=overlay \
		-b -D "$W/tree" >"$W/nspawn.log" 2>&1 </dev/null &
	NSPAWN_PID=$!
	pid=
	for i in $(seq 6000); do pid=$(nspawn_pid1 "$NSPAWN_PID") && break; sleep 0.005; done
	[ -n "$pid" ] || die "nspawn: no pid 1: $(tail -5 "$W/nspawn.log")"
	poll_ready "$pid" || die "nspawn: not ready in 60 s: $(tail -5 "$W/nspawn.log")"
	t1=$(now_us)
	kill -TERM "$NSPAWN_PID"
	wait "$NSPAWN_PID" 2>/dev/null
	t2=$(now_us)
	NSPAWN_PID=
	NS_BOOT+=($((t1 - t0))); NS_STOP+=($((t2 - t1)))
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.0f", u/1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
sb=$(median "${SH_BOOT[@]}"); ss=$(median "${SH_STOP[@]}")
nb=$(median "${NS_BOOT[@]}"); ns=$(median "${NS_STOP[@]}")
cat <<EOF
## Boot a Debian systemd tree to ready ($RUNS runs each, paired, medians)

Tree: bookworm minbase + systemd-sysv, dbus, procps. Ready:
\`systemctl is-system-running --wait\` answers running or degraded.

| | boot to ready | stop | boot vs subhost |
|---|---:|---:|---:|
| subhost (INIT=/sbin/init) | $(ms "$sb") ms | $(ms "$ss") ms | 1.00 |
| systemd-nspawn -b --volatile=overlay | $(ms "$nb") ms | $(ms "$ns") ms | $(ratio "$nb" "$sb") |

$(uname -r), $(nproc) CPUs; $(systemd-nspawn --version | head -1).
EOF
