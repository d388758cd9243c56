#!/bin/sh
# `make demo`: boot a demonstration subhost over the host's own root, show
# it, run a command inside, stop it and show that nothing is left.
set -eu
SUBHOST=${SUBHOST:-$(command -v subhost || echo /usr/local/sbin/subhost)}
NAME=demo$$
BASE=/var/lib/subhost/$NAME
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() {
	"$SUBHOST" stop "$NAME" >/dev/null 2>&1 || true
	rm -rf "$BASE"
}
trap cleanup EXIT INT TERM

say "a subhost is a directory with live, root and work, and a conf"
mkdir -p "$BASE/live" "$BASE/root" "$BASE/work"
cat > "$BASE/$NAME.conf" <<CONF
# $BASE/$NAME.conf: the host's own root under a private upper layer
BASE=.
START= none
CONF
cat "$BASE/$NAME.conf"

say "subhost boot $BASE/$NAME.conf"
"$SUBHOST" boot "$BASE/$NAME.conf"

say "subhost list"
"$SUBHOST" list

say "subhost go $NAME -- ... (a command inside)"
"$SUBHOST" go "$NAME" -- sh -c 'echo "hostname: $(hostname)"; echo "pid 1: $(cat /proc/1/comm)";
	echo "processes:"; ps -e -o pid,comm 2>/dev/null || ls /proc | grep -c "^[0-9]";
	echo hello > /root/written-inside; echo "wrote /root/written-inside"'
echo "on the host, the write landed in UPPER: $(cat "$BASE/root/root/written-inside")"
test ! -e /root/written-inside && echo "and the host's /root is untouched"

say "subhost stop $NAME"
"$SUBHOST" stop "$NAME"

say "nothing is left"
left=0
[ -e "/run/subhost/$NAME" ] && { echo "left: /run/subhost/$NAME"; left=1; }
[ -e "/run/netns/$NAME" ] && { echo "left: /run/netns/$NAME"; left=1; }
grep -q " $BASE" /proc/self/mountinfo && { echo "left: mounts under $BASE"; left=1; }
for cg in /sys/fs/cgroup/subhost/$NAME /sys/fs/cgroup/unified/subhost/$NAME; do
	[ -e "$cg" ] && { echo "left: $cg"; left=1; }
done
if [ "$left" = 0 ]; then
	echo "no state, netns, mount or cgroup of $NAME remains"
else
	exit 1
fi
