#!/bin/bash
# What a subhost over the host root sees of the host, and what it can
# change: processes, hostname, files, /proc, /dev, /sys, /run, hidden paths;
# and from the host: mount table, the subhost's root through nsenter, and
# one subhost's upper layer from inside another.
. "$(dirname "$0")/lib.sh"


n=$(uniq_name iso); mk "$n"
mark=marker-$n
touch "$DIR/root/$mark"         # only in UPPER, made before the boot
host_hostname=$(hostname)
host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
host_issue=$(cksum < /etc/issue.net 2>/dev/null)
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot $n" || { diag "$(cat "$DIR/log")"; done_testing; exit; }
pid=$(st_get "$n" pid); svpid=$(st_get "$n" supervisor_pid)

# ---- processes and names -------------------------------------------------
is "$(in_sh "$n" 'cat /proc/1/comm')" subhost-init "/proc/1/comm inside is subhost-init"
is "$(in_sh "$n" 'hostname')" "$n" "hostname inside is the subhost's name"
is "$(in_sh "$n" 'cat /proc/sys/kernel/hostname')" "$n" "/proc/sys/kernel/hostname inside is the name"
pids=$(in_sh "$n" 'for p in /proc/[0-9]*; do echo ${p#/proc/}; done' | sort -n | tr '\n' ' ')
like "$pids" '^1 [0-9]+ $' "only pid 1 and the go shell are visible inside (got: $pids)"
like "$(in_sh "$n" 'echo $$')" '^[0-9]{1,3}$' "the go shell has a small pid inside (its own pid namespace)"
is "$(in_sh "$n" 'cat /proc/1/status' | awk '/^PPid:/{print $2}')" 0 "pid 1's parent is outside the namespace"
in_sh "$n" "test ! -e /proc/$svpid/comm || ! grep -qx subhost-sv /proc/$svpid/comm"
ok $? "the supervisor (host pid $svpid) is not visible inside"
in_sh "$n" "! grep -l subhost-sv /proc/[0-9]*/comm"
ok $? "no process named subhost-sv inside"
in_sh "$n" "kill -0 $$" 2>/dev/null
[ $? != 0 ]; ok $? "a host process (the test's shell, pid $$) cannot be signalled inside"

# ---- files land in UPPER ---------------------------------------------------
f=sh-test-$n
in_sh "$n" "echo inside > /root/$f && echo inside > /etc/$f"
ok $? "writing /root/$f and /etc/$f inside works"
is "$(cat "$DIR/root/root/$f" 2>/dev/null)" inside "/root/$f landed in UPPER"
is "$(cat "$DIR/root/etc/$f" 2>/dev/null)" inside "/etc/$f landed in UPPER"
check "the host's /root/$f does not exist" -- test ! -e "/root/$f"
check "the host's /etc/$f does not exist" -- test ! -e "/etc/$f"
in_sh "$n" "echo x >> /etc/issue.net"
check "appending to a host file inside copies it up" -- test -f "$DIR/root/etc/issue.net"
is "$(cksum < /etc/issue.net 2>/dev/null)" "$host_issue" "the host's /etc/issue.net is unchanged"

# ---- /proc ----------------------------------------------------------------
in_sh "$n" 'echo evil > /proc/sys/kernel/hostname' 2>/dev/null
[ $? != 0 ]; ok $? "/proc/sys/kernel/hostname cannot be written inside"
is "$(hostname)" "$host_hostname" "the host's hostname is unchanged"
is "$(in_sh "$n" hostname)" "$n" "and the subhost's too"
in_sh "$n" 'echo 1 > /proc/sys/kernel/sysrq' 2>/dev/null
[ $? != 0 ]; ok $? "/proc/sys/kernel cannot be written inside"
want=$((1 - host_fwd))
in_sh "$n" "echo $want > /proc/sys/net/ipv4/ip_forward"
ok $? "/proc/sys/net/ipv4/ip_forward can be written inside"
is "$(in_sh "$n" 'cat /proc/sys/net/ipv4/ip_forward')" "$want" "the subhost sees its own value"
is "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "the host's ip_forward is unchanged"
is "$(in_sh "$n" 'timeout 2 cat /proc/kmsg 2>/dev/null | wc -c')" 0 "/proc/kmsg reads nothing inside"
is "$(in_sh "$n" 'timeout 2 cat /proc/kcore 2>/dev/null | head -c 100 | wc -c')" 0 "/proc/kcore reads nothing inside"
in_sh "$n" 'echo b > /proc/sysrq-trigger' 2>/dev/null
[ $? != 0 ]; ok $? "/proc/sysrq-trigger cannot be written inside"
# pid 1 holds stdio (the console) plus its own signalfd and /run/initctl:
# nothing the supervisor or the host had open.
fds=$(in_sh "$n" 'for f in /proc/1/fd/*; do echo "${f##*/} $(readlink $f)"; done')
is "$(echo "$fds" | awk '$1 <= 2 {print $1}' | tr '\n' ' ')" "0 1 2 " "pid 1 has fds 0, 1, 2"
is "$(echo "$fds" | awk '$1 > 2' | grep -v -E ' (anon_inode:\[signalfd\]|/run/initctl)$')" "" \
	"pid 1's other fds are only its own signalfd and /run/initctl" || diag "$fds"
like "$(in_sh "$n" 'ls -l /proc/1/fd')" '-> /dev/(console|pts/[0-9]+)' "pid 1's stdio is the console"
like "$(in_sh "$n" 'readlink /proc/1/exe')" '^/memfd:' "/proc/1/exe is a memfd"
like "$(readlink "/proc/$pid/exe")" '^/memfd:' "from the host, too, pid 1's exe is a memfd, not a host path"
in_sh "$n" 'echo x > /proc/1/exe' 2>/dev/null
[ $? != 0 ]; ok $? "/proc/1/exe cannot be written through"

# ---- what root inside may not do to the host -----------------------------------
is "$(in_sh "$n" 'tr "\0" "\n" < /proc/1/environ | cut -d= -f1 | sort | tr "\n" " "')" \
	"HOME PATH SUBHOST_NOTIFY_FD TERM container " "pid 1's environment is its own (nothing of the caller's)"
bnd=$(in_sh "$n" 'sed -n "s/^CapBnd:[[:space:]]*//p" /proc/self/status')
for c in 16:SYS_MODULE 17:SYS_RAWIO 25:SYS_TIME 34:SYSLOG; do
	(( (0x${bnd:-0} >> ${c%%:*}) & 1 )); [ $? != 0 ]; ok $? "CAP_${c#*:} is not in the bounding set inside"
done
(( (0x${bnd:-0} >> 21) & 1 )); ok $? "CAP_SYS_ADMIN stays (root inside administers its own mounts)"
in_sh "$n" 'date -s "@$(date +%s)"' >/dev/null 2>&1; [ $? != 0 ]; ok $? "the clock cannot be set inside"
in_sh "$n" "mkdir -p /tmp/mnt-$n && mount -t tmpfs inside-$n /tmp/mnt-$n && hostname other-$n"
ok $? "root inside can mount in its own tree and set its own hostname"
grep -q "inside-$n" /proc/self/mountinfo; [ $? != 0 ]; ok $? "a mount made inside does not reach the host"
check "the directory made inside is not on the host" -- test ! -e "/tmp/mnt-$n"
is "$(hostname)" "$host_hostname" "the host's hostname is unchanged"
in_sh "$n" "umount /tmp/mnt-$n && hostname $n"

# ---- /dev, /sys, /run --------------------------------------------------------
for d in null zero full random urandom tty; do
	in_sh "$n" "test -c /dev/$d"; ok $? "/dev/$d is a character device"
done
in_sh "$n" 'test -L /dev/ptmx && test -c /dev/pts/ptmx'; ok $? "/dev/ptmx links to the devpts ptmx"
in_sh "$n" 'test -e /dev/console'; ok $? "/dev/console exists"
in_sh "$n" 'test -d /dev/pts && test -d /dev/shm'; ok $? "/dev/pts and /dev/shm are directories"
is "$(in_sh "$n" 'readlink /dev/fd; readlink /dev/stdin; readlink /dev/stdout; readlink /dev/stderr' | tr '\n' ' ')" \
	"/proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 " "/dev/fd and /dev/std* links"
in_sh "$n" 'test ! -e /dev/core && test ! -L /dev/core'; ok $? "there is no /dev/core"
is "$(in_sh "$n" 'ls /dev/sd* /dev/vd* /dev/nvme* /dev/mem /dev/kmsg /dev/loop* 2>/dev/null | wc -l')" 0 \
	"no host block devices, /dev/mem or /dev/kmsg"
is "$(in_sh "$n" 'head -c 4 /dev/zero | wc -c')" 4 "/dev/zero works"
in_sh "$n" 'echo x > /dev/full' 2>/dev/null; [ $? != 0 ]; ok $? "/dev/full is full"
in_sh "$n" 'touch /dev/shm/x && rm /dev/shm/x'; ok $? "/dev/shm is writable"
like "$(in_sh "$n" 'awk '\''$5 == "/sys" {print $6}'\'' /proc/self/mountinfo')" '(^|,)ro(,|$)' "/sys is mounted read-only"
in_sh "$n" 'echo x > /sys/kernel/uevent_helper' 2>/dev/null; [ $? != 0 ]; ok $? "/sys cannot be written"
is "$(in_sh "$n" 'stat -f -c %T /run')" tmpfs "/run is a tmpfs"
in_sh "$n" 'test -d /run/lock'; ok $? "/run/lock exists"
in_sh "$n" 'test ! -e /run/subhost'; ok $? "the host's /run/subhost is not in /run"

# ---- hidden host paths ---------------------------------------------------
mkdir -p /var/lib/subhost
hid=/var/lib/subhost/.test-$n
mkdir "$hid" && EXTRA_CLEAN+=("rm -rf '$hid'")
is "$(in_sh "$n" 'ls -A /var/lib/subhost | wc -l')" 0 "/var/lib/subhost is empty inside"
is "$(in_sh "$n" "ls -A '$DIR' | wc -l")" 0 "the subhost's own BASE is empty inside"
in_sh "$n" "test ! -e '$DIR/root/$mark' && test ! -e '$DIR/root/root/$f'"
ok $? "UPPER is not reachable inside through its host path"
in_sh "$n" "touch '$DIR/x'" 2>/dev/null; [ $? != 0 ]; ok $? "BASE cannot be written inside"
in_sh "$n" "test -e /$mark"; ok $? "the marker made in UPPER is at / inside"

# ---- from the host ----------------------------------------------------------
like "$(grep -F " $DIR" /proc/self/mountinfo)" '^$' "the host's mountinfo has nothing under BASE or LIVE"
is "$(ls -A "$DIR/live" | wc -l)" 0 "LIVE is an empty directory on the host"
nsenter -t "$pid" -m test -e "/$mark"; ok $? "nsenter -t PID1 -m sees the subhost's root (the marker)"
nsenter -t "$pid" -m test ! -e /run/subhost; ok $? "nsenter -t PID1 -m does not see the host's /run/subhost"
[ "$(awk '$5 == "/"' "/proc/$pid/mountinfo" | sed 's/.* - //' | awk '{print $1}')" = overlay ]
ok $? "the subhost's / is the overlay"
grep -F " $DIR" "/proc/$pid/mountinfo" | grep -v ' - tmpfs hidden ' >/dev/null
[ $? != 0 ]; ok $? "the subhost's mount table shows no host mount under BASE (only the hiding tmpfs)"

"$SUBHOST" stop "$n" </dev/null; ok $? "stop $n"
no_residue "$n"

# ---- RAM_SIZE=none: /run comes from the layers; /run/subhost stays hidden ----
n=$(uniq_name rnon); mk "$n" "RAM_SIZE=none"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n with RAM_SIZE=none"
[ "$(in_sh "$n" 'stat -f -c %T /run')" != tmpfs ] || [ "$(stat -f -c %T /run)" = tmpfs ]
ok $? "RAM_SIZE=none: /run is not a tmpfs of its own"
is "$(in_sh "$n" 'ls -A /run/subhost 2>/dev/null | wc -l')" 0 "RAM_SIZE=none: the host's /run/subhost is empty inside"
in_sh "$n" "test ! -e /run/subhost/$n/state"; ok $? "RAM_SIZE=none: its own state file is not visible"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop $n"
no_residue "$n"

# ---- one subhost's UPPER from inside another --------------------------------
# a boots first; b boots later, once with BASE under /var/lib/subhost (the
# default home) and once with BASE in the test directory; a must see
# neither upper layer, nor b's /var/lib/subhost home.
a=$(uniq_name a); mk "$a"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $a"

b=$(uniq_name b); mkdir -p "/var/lib/subhost/$b"
EXTRA_CLEAN+=("$SUBHOST stop --force $b; rm -rf /var/lib/subhost/$b")
bd=/var/lib/subhost/$b
mkdir -p "$bd/root" "$bd/work" "$bd/live"
printf 'BASE=.\nSTART=none\nLOG=%s/log\n' "$bd" > "$bd/$b.conf"
touch "$bd/root/marker-$b"
"$SUBHOST" boot "$bd/$b.conf" </dev/null; ok $? "boot $b (BASE $bd)"
in_sh "$b" "test -e /marker-$b"; ok $? "$b sees its own marker at /"
in_sh "$a" "test ! -e '$bd/root/marker-$b'"; ok $? "$a does not see $b's marker at $b's BASE path"
is "$(in_sh "$a" 'ls -A /var/lib/subhost | wc -l')" 0 "$a sees /var/lib/subhost empty"
touch "$bd/root/late-$b"
in_sh "$a" "test ! -e '$bd/root/late-$b'"; ok $? "$a does not see a file added to $b's UPPER later"
"$SUBHOST" stop "$b" </dev/null; ok $? "stop $b"
check "nothing of $b remains (state, netns, mounts)" -- test ! -e "/run/subhost/$b" -a ! -e "/run/netns/$b"
like "$(grep -F " $bd" /proc/self/mountinfo)" '^$' "no mount under $bd remains"

c=$(uniq_name c); mk "$c"
touch "$DIR/root/marker-$c"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $c (BASE $DIR, after $a)"
in_sh "$c" "test -e /marker-$c"; ok $? "$c sees its own marker at /"
in_sh "$a" "test ! -e '$DIR/root/marker-$c'"
ok $? "$a (booted earlier) does not see $c's marker at $c's BASE path"
in_sh "$a" "echo a > /root/$f"
in_sh "$c" "test ! -e '$T_ROOT/$a/root/root/$f' && ls -A '$T_ROOT/$a' | wc -l | grep -qx 0"
ok $? "$c (booted later) sees $a's BASE empty"
"$SUBHOST" stop "$c" </dev/null; ok $? "stop $c"
no_residue "$c"
"$SUBHOST" stop "$a" </dev/null; ok $? "stop $a"
no_residue "$a"

# ---- two subhosts booted at the same moment still cannot read each other --
pa=$(uniq_name para); mk "$pa"; ca=$CONF; da=$DIR
pb=$(uniq_name parb); mk "$pb"; cb=$CONF; db=$DIR
touch "$da/root/marker-of-a" "$db/root/marker-of-b"
"$SUBHOST" boot "$ca" </dev/null & j1=$!
"$SUBHOST" boot "$cb" </dev/null & j2=$!
wait $j1; r1=$?; wait $j2; r2=$?
[ "$r1" = 0 ] && [ "$r2" = 0 ]
ok $? "two subhosts over the host root boot in parallel"
in_sh "$pa" "test ! -e '$db/root/marker-of-b' && test -z \"\$(ls -A '$db')\""
ok $? "the first cannot see the second's BASE"
in_sh "$pb" "test ! -e '$da/root/marker-of-a' && test -z \"\$(ls -A '$da')\""
ok $? "the second cannot see the first's BASE"
"$SUBHOST" stop "$pa"; "$SUBHOST" stop "$pb"
no_residue "$pa"; no_residue "$pb"

done_testing
