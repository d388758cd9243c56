#!/bin/bash
# IDMAP (SPEC 8, idmap.c, userns.c): subhosts in a user namespace, root
# inside mapped to unprivileged host ids.  With the host root as LOWER
# and with a plain directory; what root inside is and owns; what it
# cannot do to the host (files it does not own, modules, the clock,
# reboot, sysctls, sysrq, device nodes, the hidden host paths); its own
# network and cgroup; go, run, reboot, poweroff, stop and SIGKILL of the
# supervisor without residue; and the errors for bad values and for an
# UPPER that belongs to someone else.
#
# The subordinate id files are the test's own ($SUBHOST_SUBUID and
# $SUBHOST_SUBGID), for a user that exists only there.  Host ids are
# drawn at random per run, far above any real account.
. "$(dirname "$0")/lib.sh"

needs "user namespaces" -- unshare -U true || { done_testing; exit; }
kmaj=$(uname -r | cut -d. -f1) kmin=$(uname -r | cut -d. -f2)
needs "Linux 6.3 or later (idmapped mounts of ext4 and tmpfs as overlay layers)" -- \
	test "$kmaj" -gt 6 -o \( "$kmaj" = 6 -a "$kmin" -ge 3 \) || { done_testing; exit; }

B=$(( (RANDOM % 1500 + 200) * 65536 ))     # host uid of root inside
BG=$(( B + 65536 ))                        # host gid of root inside
U=subhost-idmap-test
export SUBHOST_SUBUID=$T_ROOT/subuid SUBHOST_SUBGID=$T_ROOT/subgid
{ echo "# test ranges"; echo "$U:$((B - 1000)):1000"; echo "$U:$B:65536"
  echo "small:$((B + 5 * 65536)):1000"; } > "$SUBHOST_SUBUID"
{ echo "$U:$BG:65536"; echo "small:$((B + 5 * 65536)):65536"; } > "$SUBHOST_SUBGID"

boot_ok() {     # boot_ok NAME: boot $CONF, ok, diag the log on failure
	local out
	out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1)
	ok $? "boot $1" || { diag "$out" "$(tail -20 "$T_ROOT/$1/log" 2>/dev/null)"; return 1; }
}
owner() { stat -c %u:%g "$1" 2>/dev/null; }
newpid() { local p; p=$(st_get "$1" pid); [ -n "$p" ] && [ "$p" != "$2" ] && st_is "$1" status running; }

# ---- LOWER=/ (the host root), IDMAP=USER, services mode --------------------------
n=$(uniq_name idr)
printf '#!/bin/sh\nid -u > /run/started-as\n' > "$T_ROOT/start-$n"; chmod 755 "$T_ROOT/start-$n"
mk "$n" "IDMAP=$U" "START=$T_ROOT/start-$n"
SHARE=$T_ROOT/share-$n; mkdir -p "$SHARE"
echo s3cret > "$SHARE/secret"; chmod 600 "$SHARE/secret"
echo mine > "$SHARE/ours"; chown "$B:$BG" "$SHARE/ours"; chmod 600 "$SHARE/ours"
echo "SHARE=$SHARE:/mnt/share" >> "$CONF"
SUB=$T_ROOT/submnt-$n; mkdir -p "$SUB"
mount -t tmpfs sub "$SUB" && EXTRA_CLEAN+=("umount -l '$SUB'") && touch "$SUB/marker"
chown 0:0 "$DIR/root"
host_passwd=$(stat -c '%u:%g %s %Y' /etc/passwd)
boot_ok "$n" || { done_testing; exit; }
pid=$(st_get "$n" pid)
is "$(owner "$DIR/root")" "$B:$BG" "the new (empty) UPPER was handed to root inside ($B:$BG)"
is "$(owner "$DIR/work")" "$B:$BG" "so was WORK"
[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
ok $? "pid 1 has its own user namespace"
is "$(awk '/^Uid:/{print $2}' "/proc/$pid/status")" "$B" "pid 1 runs as host uid $B"
is "$(awk '/^Gid:/{print $2}' "/proc/$pid/status")" "$BG" "and host gid $BG"
is "$(awk '{print $1, $2, $3}' "/proc/$pid/uid_map")" "0 $B 65536" \
	"uid map: the first range of $U with 65536 ids (not the smaller one before it)"
is "$(awk '{print $1, $2, $3}' "/proc/$pid/gid_map")" "0 $BG 65536" "gid map from the subgid file"
is "$(in_sh "$n" 'id -u; id -g')" "$(printf '0\n0')" "inside, id says root (uid 0, gid 0)"
is "$(in_sh "$n" 'cat /proc/self/uid_map' | awk '{print $1, $2, $3}')" "0 $B 65536" \
	"inside, /proc/self/uid_map shows the mapping"
is "$(in_sh "$n" 'cat /run/started-as')" 0 "the START command ran as root inside"
is "$(in_sh "$n" 'stat -c %u:%g /usr /etc/passwd /')" "$(printf '0:0\n0:0\n0:0')" \
	"the host's root-owned files show as root's through the idmapped lower"
in_sh "$n" 'touch /newfile && mkdir -p /root/made && touch /etc/passwd && echo x > /run/x'
ok $? "root inside creates files, copies up a host file, writes /run"
is "$(owner "$DIR/root/newfile")" "$B:$BG" "a file made inside is owned by $B:$BG in UPPER"
is "$(owner "$DIR/root/root/made")" "$B:$BG" "so is a directory"
is "$(owner "$DIR/root/etc/passwd")" "$B:$BG" "a copied-up host file is owned by the mapped root"
is "$(stat -c '%u:%g %s %Y' /etc/passwd)" "$host_passwd" "the host's /etc/passwd is untouched"
# host objects root inside does not own
is "$(in_sh "$n" 'stat -c %u:%g /mnt/share/secret')" "65534:65534" \
	"a host file of host root in a SHARE shows as nobody's"
out=$(in_sh "$n" 'cat /mnt/share/secret' 2>&1); st=$?
[ "$st" != 0 ] && [[ $out != *s3cret* ]]
ok $? "root inside cannot read a host file of mode 0600 owned by host root" || diag "$out"
! in_sh "$n" 'echo x >> /mnt/share/secret' 2>/dev/null
ok $? "nor write it"
! in_sh "$n" 'rm -f /mnt/share/secret; chmod 644 /mnt/share/secret; chown 0 /mnt/share/secret' 2>/dev/null &&
	[ "$(stat -c '%a %u' "$SHARE/secret")" = "600 0" ] && [ "$(cat "$SHARE/secret")" = s3cret ]
ok $? "nor remove, chmod or chown it"
is "$(in_sh "$n" 'cat /mnt/share/ours')" mine "a SHARE file owned by $B (root inside) is its own"
in_sh "$n" "test ! -e $SUB/marker && test -d $SUB"
ok $? "LOWER=/ is the root filesystem only: a host submount's files are not there"
out=$(in_sh "$n" 'ls /var/lib/subhost' 2>&1)
[ $? != 0 ]; ok $? "the host's /var/lib/subhost stays hidden" || diag "$out"
out=$(in_sh "$n" "umount /var/lib/subhost; umount -l $DIR; ls $DIR/root" 2>&1)
[ $? != 0 ] && [[ $out != *newfile* ]]
ok $? "root inside cannot unmount what hides host paths (the mounts are locked)" || diag "$out"
out=$(in_sh "$n" 'mount -o remount,rw /sys && echo REMOUNTED' 2>&1)
[[ $out != *REMOUNTED* ]]; ok $? "nor make the read-only /sys writable" || diag "$out"
# the kernel's checks against the host's user namespace
out=$(in_sh "$n" 'python3 -c "
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(\"/dev/null\", os.O_RDONLY)
print(libc.syscall(313, fd, b\"\", 0), ctypes.get_errno())"' 2>&1)
host=$(python3 -c "
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall(313, -1, b'', 0); print(ctypes.get_errno())")
if [ "$host" = 38 ]; then
	like "$out" "^-1 (1|38)$" "finit_module fails inside (EPERM from the seccomp filter, or ENOSYS: this kernel has no module loading)"
else
	is "$out" "-1 1" "root inside cannot load a module (finit_module: EPERM)"
fi
year=$(date +%Y)
! in_sh "$n" 'date -s "2001-02-03 04:05:06"' >/dev/null 2>&1
ok $? "root inside cannot set the clock"
is "$(date +%Y)" "$year" "the host's clock is unchanged"
hn=$(hostname)
in_sh "$n" 'hostname renamed && hostname' >/dev/null 2>&1
is "$(hostname)" "$hn" "hostname inside does not change the host's"
! in_sh "$n" 'echo h > /proc/sysrq-trigger' 2>/dev/null
ok $? "a write to /proc/sysrq-trigger is refused"
out=$(in_sh "$n" 'umount -l /proc/sys; for f in vm/drop_caches kernel/ctrl-alt-del kernel/hostname; do
	echo 1 > /proc/sys/$f && echo WROTE $f; done' 2>&1)
[[ $out != *WROTE* ]]
ok $? "/proc/sys/kernel and vm stay unwritable even with the read-only mount removed" || diag "$out"
out=$(in_sh "$n" 'umount /proc/kmsg; head -c 1 /proc/kmsg && echo READ' 2>&1)
[[ $out != *READ* ]]; ok $? "/proc/kmsg stays unreadable with its mask removed" || diag "$out"
! in_sh "$n" 'mknod /root/blk b 8 0' 2>/dev/null
ok $? "mknod of a block device is refused"
is "$(in_sh "$n" 'head -c 4 /dev/zero | od -An -tx1 | tr -d " "; echo hi > /dev/null && echo ok')" \
	"$(printf '00000000\nok')" "the device nodes of /dev work"
is "$(in_sh "$n" 'stat -c %U:%G /dev/null /dev/tty')" "$(printf 'root:root\nroot:tty')" \
	"/dev belongs to root inside (tty to the tty group)"
# its own cgroup: delegated, and what an init makes there goes at stop
cg=$(st_get "$n" cgroup)
if [ -n "$cg" ]; then
	is "$(owner "$cg") $(owner "$cg/cgroup.procs") $(owner "$cg/cgroup.subtree_control")" \
		"$B:$BG $B:$BG $B:$BG" "the cgroup and its delegation files belong to root inside"
	in_sh "$n" 'mkdir -p /run/cg && mount -t cgroup2 none /run/cg && mkdir /run/cg/made-inside'
	ok $? "root inside mounts its cgroup2 and makes a group"
	is "$(in_sh "$n" 'grep -x 1 /sys/fs/cgroup/cgroup.procs; test -e /sys/fs/cgroup/subhost && echo HOST')" 1 \
		"the cgroup2 of /sys/fs/cgroup is the subhost's group, not the host's tree"
	check "the group is under the subhost's on the host" -- test -d "$cg/made-inside"
else
	needs "cgroup2 hierarchy" -- false
fi
# reboot(2) inside reboots only the subhost
in_sh "$n" 'python3 -c "import ctypes; ctypes.CDLL(None).reboot(0x01234567)"' >/dev/null 2>&1
wait_for 100 newpid "$n" "$pid"; ok $? "reboot(2) inside reboots the subhost, not the host"
is "$(st_get "$n" boots)" 2 "it booted twice"
is "$(in_sh "$n" 'id -u; cat /newfile && echo kept')" "$(printf '0\nkept')" \
	"after the reboot: root again, UPPER kept"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop $n"
no_residue "$n"
is "$(owner "$DIR/root/newfile")" "$B:$BG" "UPPER keeps the mapped owners"

# ---- a plain directory as LOWER, explicit extents, poweroff inside ------------------
LOW=$T_ROOT/lower
mkdir -p "$LOW/bin" "$LOW/etc" "$LOW/root" "$LOW/tmp" "$LOW/sbin"
if cp "$(command -v busybox)" "$LOW/bin/" 2>/dev/null; then
	for a in sh id cat ls touch stat mkdir hostname ip mount umount echo kill sleep; do
		ln -s busybox "$LOW/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' > "$LOW/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\n' > "$LOW/etc/group"
	printf '#!/bin/sh\nid -u > /run/started-as\n' > "$LOW/sbin/started"; chmod 755 "$LOW/sbin/started"
	mkdir -p "$LOW/home/u"; echo private > "$LOW/home/u/file"
	chown -R 1000:1000 "$LOW/home/u"; chmod 700 "$LOW/home/u"
	C=$(( B + 2 * 65536 ))
	n=$(uniq_name idd); mk "$n" "LOWER=$LOW" \
		"IDMAP=( u:0:$C:65536 g:0:$((C + 65536)):65536 )" "START=/sbin/started"
	boot_ok "$n"
	pid=$(st_get "$n" pid)
	is "$(awk '{print $1, $2, $3}' "/proc/$pid/uid_map") $(awk '{print $1, $2, $3}' "/proc/$pid/gid_map")" \
		"0 $C 65536 0 $((C + 65536)) 65536" "explicit u: and g: extents (a bash array)"
	is "$(in_sh "$n" 'cat /run/started-as; stat -c %u:%g /bin/busybox /home/u/file')" "$(printf '0\n0:0\n1000:1000')" \
		"a directory lower: host ids show as the same ids inside"
	in_sh "$n" 'touch /made'; is "$(owner "$DIR/root/made")" "$C:$((C + 65536))" \
		"a file made inside is owned by the mapped ids"
	is "$(in_sh "$n" 'cat /home/u/file')" private "root inside reads a file of uid 1000 (mapped, so DAC_OVERRIDE applies)"
	# a copy-up that changes nothing: identical to the lower file but for
	# the owner, which UPPER holds as the mapped host ids
	echo same > "$LOW/etc/same"; chmod 644 "$LOW/etc/same"
	in_sh "$n" 'chmod 644 /etc/same; chmod 600 /etc/group'
	( "$SUBHOST" go "$n" -- sh -c 'kill -TERM 1' </dev/null >/dev/null 2>&1 )
	wait_for 100 gone "$n"; ok $? "kill -TERM 1 inside powers the subhost off"
	no_residue "$n"
	is "$(owner "$DIR/root/etc/same")" "$C:$((C + 65536))" "(the copy-up is owned by the mapped ids in UPPER)"
	out=$("$SUBHOST" clean --dry-run "$CONF" 2>&1)
	like "$out" "would remove /etc/same" "clean compares owners through the map: the unchanged copy-up goes" || diag "$out"
	[[ $out != *"would remove /etc/group"* ]]; ok $? "and the file whose mode changed stays" || diag "$out"
else
	needs "busybox for a directory lower" -- false
fi

# ---- run, and SIGKILL of the supervisor -------------------------------------------------
n=$(uniq_name idk); mk "$n" "IDMAP=$U"
out=$("$SUBHOST" run "$CONF" -- sh -c 'id -u; cat /proc/self/uid_map' </dev/null 2>&1); st=$?
is "$st" 0 "run with IDMAP exits 0" || diag "$out"
is "$(echo $out)" "0 0 $B 65536" "run: CMD is root inside, mapped to $B"
no_residue "$n" "run leaves nothing"
boot_ok "$n"
"$SUBHOST" go "$n" -- sh -c 'sleep 300 >/dev/null 2>&1 &' </dev/null
pid=$(st_get "$n" pid) svpid=$(st_get "$n" supervisor_pid)
kill -KILL "$svpid"
wait_for 20 dead "$pid"; ok $? "SIGKILL to the supervisor: pid 1 dies"
"$SUBHOST" list </dev/null >/dev/null 2>&1
no_residue "$n" "after SIGKILL of the supervisor, list cleans everything"
boot_ok "$n"
"$SUBHOST" stop "$n" </dev/null; ok $? "it boots again, and stops"
no_residue "$n"

# ---- cables: root inside configures its own interface --------------------------------
NET=10.$((RANDOM % 200 + 20)).$((RANDOM % 250))
BR=shib$RANDOM CL=shic$RANDOM CLV=shiv$RANDOM
if ip link add "$BR" type bridge 2>/dev/null; then
	EXTRA_CLEAN+=("ip link del '$BR'" "ip netns del '$CL'" "ip link del '$CLV'")
	ip link set "$BR" up && ip netns add "$CL" &&
		ip link add "$CLV" type veth peer name c0 netns "$CL" &&
		ip link set "$CLV" master "$BR" up && ip -n "$CL" link set lo up &&
		ip -n "$CL" addr add "$NET.3/24" dev c0 && ip -n "$CL" link set c0 up
	ok $? "a client netns on the test's bridge"
	n=$(uniq_name idn); mk "$n" "IDMAP=$U" "CABLES=$BR=" "ADDRESS=eth0=$NET.2/24"
	boot_ok "$n"
	ip netns exec "$CL" ping -c 1 -W 2 "$NET.2" >/dev/null
	ok $? "the client reaches the subhost's ADDRESS over the cable"
	in_sh "$n" "ip addr add $NET.7/24 dev eth0 && ip link set eth0 mtu 1400"
	ok $? "root inside adds an address and sets the MTU of its own interface"
	is "$(ip netns exec "$n" cat /sys/class/net/eth0/mtu)" 1400 "the MTU changed"
	ip netns exec "$CL" ping -c 1 -W 2 "$NET.7" >/dev/null
	ok $? "the client reaches the address root inside added"
	is "$(in_sh "$n" 'cat /sys/class/net/eth0/address')" "$(ip netns exec "$n" cat /sys/class/net/eth0/address)" \
		"inside, /sys shows its own netns"
	"$SUBHOST" stop "$n" </dev/null; ok $? "stop $n"
	no_residue "$n"
else
	needs "a bridge for the cable test" -- false
fi

# ---- a layered base on the host root (@OTHER), and a root disk image -----------------
# Nested layers (the base's UPPER lies inside "/") go through an alias
# overlay over their idmapped stand-ins.
export SUBHOST_CONFDIR=$T_ROOT/conf
mkdir -p "$SUBHOST_CONFDIR"
h=$(uniq_name idh); mk "$h"; HDIR=$DIR
mv "$CONF" "$SUBHOST_CONFDIR/$h.conf"; sed -i "s|^BASE=.*|BASE=$HDIR|" "$SUBHOST_CONFDIR/$h.conf"
mkdir -p "$HDIR/root/etc"; echo from-base > "$HDIR/root/etc/from-base"
n=$(uniq_name idl); mk "$n" "IDMAP=$U" "LOWER=@$h"
boot_ok "$n"
is "$(in_sh "$n" 'cat /etc/from-base; stat -c %u:%g /etc/from-base /usr')" \
	"$(printf 'from-base\n0:0\n0:0')" "@BASE over the host root: the base's and the host's files are root's"
in_sh "$n" 'echo mine > /etc/from-base'
is "$(owner "$DIR/root/etc/from-base") $(cat "$HDIR/root/etc/from-base")" "$B:$BG from-base" \
	"a change lands in our UPPER, mapped; the base's UPPER is untouched"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop $n"
no_residue "$n"
unset SUBHOST_CONFDIR
if command -v mkfs.ext4 >/dev/null && mkfs.ext4 2>&1 | grep -q -- "-d "; then
	TREE=$T_ROOT/disktree
	mkdir -p "$TREE/etc" "$TREE/usr" "$TREE/root" "$TREE/tmp"
	for l in bin sbin lib lib64; do ln -s usr/$l "$TREE/$l"; done
	echo from-disk > "$TREE/etc/marker"
	n=$(uniq_name idi); mk "$n" "IDMAP=$U" "DISKS=( vda:0:disk.img )" "SHARE= /usr:/usr:ro" "RAM_SIZE= none"
	truncate -s 32M "$DIR/disk.img" && mkfs.ext4 -q -d "$TREE" "$DIR/disk.img"
	ok $? "an ext4 image"
	boot_ok "$n"
	is "$(in_sh "$n" 'cat /etc/marker; stat -c %u:%g /etc/marker')" "$(printf 'from-disk\n0:0')" \
		"a root disk: its files are root's through the idmapped layer"
	in_sh "$n" 'echo changed > /etc/marker'
	is "$(owner "$DIR/root/etc/marker")" "$B:$BG" "a change lands in UPPER, mapped"
	"$SUBHOST" stop "$n" </dev/null; ok $? "stop $n"
	no_residue "$n"
	[ -z "$(grep -lsF "$DIR/disk.img" /sys/block/loop*/loop/backing_file)" ]; ok $? "no loop device is left"
else
	needs "mkfs.ext4 -d (package e2fsprogs)" -- false
fi

# ---- a real init: systemd manages its delegated cgroup, as root inside ------------------
if needs "mmdebstrap (tools/install-deps.sh) for a systemd tree" -- command -v mmdebstrap; then
	SDT=$T_ROOT/tree-systemd
	out=$(SUBHOST_TREE_CACHE=${SUBHOST_TEST_CACHE:-/var/cache/subhost-test} \
		"$(dirname "$0")/../../tools/debian-tree.sh" bookworm systemd-sysv,dbus,procps "$SDT" 2>&1)
	ok $? "a bookworm tree with systemd (cached)" || diag "$out"
	n=$(uniq_name ids); mk "$n" "LOWER=$SDT" "INIT=/sbin/init" "IDMAP=$U"
	boot_ok "$n"
	pid=$(st_get "$n" pid)
	like "$(in_sh "$n" 'systemctl is-system-running --wait')" '^(running|degraded)$' "systemd runs"
	is "$(in_sh "$n" 'systemctl list-units --failed --plain --no-legend')" "" "no unit failed"
	is "$(awk '/^Uid:/{print $2}' "/proc/$pid/status")" "$B" "systemd is host uid $B"
	cg=$(st_get "$n" cgroup)
	is "$(owner "$cg/system.slice") $(owner "$cg/init.scope")" "$B:$BG $B:$BG" \
		"its slices are in the subhost's group, made by root inside"
	is "$(owner "$DIR/root/etc/machine-id")" "$B:$BG" "the machine id in UPPER is root inside's"
	ps -o uid= --ppid "$pid" | awk -v b="$B" '$1 < b || $1 > b + 65535 { bad = 1 } END { exit bad }'
	ok $? "every service runs as a mapped host uid"
	"$SUBHOST" stop "$n" </dev/null; ok $? "stop $n"
	no_residue "$n"
fi

# ---- bad values: clear errors naming file:line, nothing created --------------------------
bad_value() {   # bad_value VALUE REGEX DESC
	local n out st
	n=$(uniq_name idb); mk "$n"
	echo "IDMAP=$1" >> "$CONF"
	line=$(grep -c '' "$CONF")
	out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
	is "$st" 2 "$3: boot exits 2" || diag "$out"
	like "$out" "^subhost: $n: $CONF:$line: IDMAP=" "$3: the message names the file and line"
	like "$out" "$2" "$3: the message says what is wrong"
	[ "$(owner "$DIR/root")" = 0:0 ] && [ ! -e "/run/subhost/$n" ]
	ok $? "$3: nothing was touched"
	no_residue "$n"
}
bad_value subhost-no-such-user "unknown user subhost-no-such-user: not in the passwd database and not in $SUBHOST_SUBUID" \
	"an unknown user"
bad_value small "the uids ranges of small in $SUBHOST_SUBUID are too small \(the largest has 1000\): expected one of at least 65536" \
	"a range too small"
bad_value "0:$B:65536 100:$((B + 100000)):10" "uid extents 0:$B:65536 and 100:$((B + 100000)):10 overlap inside" \
	"overlapping extents"
bad_value "u:0:$B:65536 g:0:$BG:1000" "gids 1000..65535 inside are not mapped" "a gid map short of 65536"
bad_value "0:0:65536" "maps to host id 0, the host's root" "a map onto host root"
bad_value "0:$B" "\"0:$B\" is not an extent: expected \[u:\|g:\|b:\]INSIDE:HOST:COUNT" "a malformed extent"

# ---- an UPPER that belongs to someone else ---------------------------------------------
n=$(uniq_name idu); mk "$n" "IDMAP=$U"
echo old > "$DIR/root/old-file"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 1 "an UPPER with files of another owner: boot exits 1" || diag "$out"
like "$out" "UPPER $DIR/root is owned by 0:0, not by root inside \($B:$BG\): it was used without IDMAP" \
	"the message says whose it is and why that matters"
is "$(owner "$DIR/root") $(owner "$DIR/root/old-file")" "0:0 0:0" "UPPER is left as it was"
no_residue "$n"
chown -R "$B:$BG" "$DIR/root"
boot_ok "$n"
is "$(in_sh "$n" 'stat -c %u /old-file; cat /old-file')" "$(printf '0\nold')" \
	"once its files are shifted to the mapped ids, it boots and they are root's"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop $n"
no_residue "$n"

# ---- a lower layer whose filesystem cannot be idmapped ----------------------------------
RAM=$T_ROOT/ramfs
mkdir -p "$RAM"
if mount -t ramfs ram "$RAM" 2>/dev/null; then
	EXTRA_CLEAN+=("umount -l '$RAM'")
	n=$(uniq_name idf); mk "$n" "IDMAP=$U" "LOWER=$RAM"
	out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
	is "$st" 1 "a ramfs LOWER: boot exits 1" || diag "$out"
	like "$out" "LOWER layer $RAM is on ramfs filesystem .*which has no idmapped mounts" \
		"the message names the layer and its filesystem"
	no_residue "$n"
else
	needs "ramfs" -- false
fi

done_testing
