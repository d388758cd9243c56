#!/bin/bash
# Root layouts and init modes from the conf: SHARE (dir, file, :ro),
# UPPER = LOWER (bind, no overlay), several LOWER layers, /etc/adjtime,
# INIT=sysv and INIT=/program, and the overlay-boot program names.
. "$(dirname "$0")/lib.sh"

mountinfo() { in_sh "$1" 'cat /proc/self/mountinfo'; }   # read inside, parsed here
mountopts() {   # mountopts NAME PATH: the options of PATH's mount inside NAME
	mountinfo "$1" | awk -v p="$2" '$5 == p { o = $6 } END { print o }'
}

# ---- SHARE ------------------------------------------------------------------
n=$(uniq_name shr)
mkdir -p "$T_ROOT/$n-host/rw" "$T_ROOT/$n-host/ro"
echo host-data > "$T_ROOT/$n-host/ro/data"
echo file-data > "$T_ROOT/$n-host/single"
mk "$n" "SHARE= $T_ROOT/$n-host/rw:/srv/rw" "SHARE= $T_ROOT/$n-host/ro:/srv/ro:ro" \
	"SHARE= $T_ROOT/$n-host/single:/etc/single-file"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot with three SHAREs"
in_sh "$n" 'echo from-inside > /srv/rw/new'
is "$(cat "$T_ROOT/$n-host/rw/new" 2>/dev/null)" from-inside "a write into a shared dir lands in the host dir at once"
is "$(in_sh "$n" 'cat /srv/ro/data')" host-data "a read-only share shows the host's file"
in_sh "$n" 'echo x > /srv/ro/data' 2>/dev/null
[ $? != 0 ] && [ "$(cat "$T_ROOT/$n-host/ro/data")" = host-data ]
ok $? ":ro refuses writes and the host file is unchanged"
is "$(in_sh "$n" 'cat /etc/single-file')" file-data "a file can be shared"
like "$(mountopts "$n" /srv/rw)" "nosuid" "shares are nosuid"
like "$(mountopts "$n" /srv/rw)" "nodev" "shares are nodev"
like "$(mountopts "$n" /srv/ro)" "^ro," "the :ro share is mounted read-only"
[ -d "$DIR/root/srv/rw" ]
ok $? "the mount point was created in UPPER, not on the host"
[ ! -e /srv/rw ] || [ -d /srv/rw ]
ok $? "nothing was created on the host's own /srv"
"$SUBHOST" stop "$n"; no_residue "$n"

# ---- UPPER = LOWER: a bind mount, no overlay -------------------------------
n=$(uniq_name bnd)
mk "$n" "UPPER= root" "LOWER= root" "RAM_SIZE= none"
# a minimal root of its own: the host's /usr as a read-only share
mkdir -p "$DIR/root/usr" "$DIR/root/etc" "$DIR/root/root" "$DIR/root/tmp"
for l in bin sbin lib lib64; do ln -s usr/$l "$DIR/root/$l"; done
echo "SHARE= /usr:/usr:ro" >> "$CONF"
echo bind-marker > "$DIR/root/etc/marker"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot with UPPER = LOWER"
is "$(in_sh "$n" 'cat /etc/marker')" bind-marker "the root is UPPER itself"
fstype=$(mountinfo "$n" | awk '$5 == "/" { t = $9 } END { print t }')
isnt_overlay() { [ "$fstype" != overlay ]; }
isnt_overlay
ok $? "no overlay: the root is a bind mount ($fstype)"
in_sh "$n" 'echo direct > /root/written'
is "$(cat "$DIR/root/root/written" 2>/dev/null)" direct "writes go straight into the directory"
[ -z "$(ls -A "$DIR/work")" ]
ok $? "WORK is not used"
"$SUBHOST" stop "$n"; no_residue "$n"

# ---- several LOWER layers, topmost first ------------------------------------
# overlayfs refuses a layer nested inside another on the same filesystem
# (ELOOP), and everything on the root filesystem is inside "/": subhost
# presents the outer layer through a read-only view of its own.
n=$(uniq_name nst)
mk "$n"
mkdir -p "$DIR/inner/etc"
echo inner > "$DIR/inner/etc/layer-inner"
echo "LOWER= inner:/" >> "$CONF"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1)
ok $? "nested LOWER layers (inner:/ on one filesystem) boot" || diag "$out"
is "$(in_sh "$n" 'cat /etc/layer-inner')" inner "the inner layer shows on top"
is "$(in_sh "$n" 'cat /etc/os-release')" "$(cat /etc/os-release)" "and the host root below it"
"$SUBHOST" stop "$n"; no_residue "$n"
n=$(uniq_name dup)
mk "$n"
mkdir -p "$DIR/inner"
echo "LOWER= inner:./inner" >> "$CONF"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 2 "a layer listed twice: exit 2"
like "$out" "conf:[0-9]+: LOWER=inner:./inner: layer .*/inner is listed twice" "and the message names it" || diag "$out"
no_residue "$n"

# Layers on a filesystem of their own stack fine over the host root.
n=$(uniq_name lay)
mk "$n"
mkdir -p "$DIR/layers"
mount -t tmpfs -o size=1m layers "$DIR/layers" && EXTRA_CLEAN+=("umount -l '$DIR/layers'")
mkdir -p "$DIR/layers/top/etc" "$DIR/layers/mid/etc"
ln -s layers/top "$DIR/top"; ln -s layers/mid "$DIR/mid"
echo top > "$DIR/top/etc/layer-both"
echo mid > "$DIR/mid/etc/layer-both"
echo mid-only > "$DIR/mid/etc/layer-mid"
echo "LOWER= top:mid:/" >> "$CONF"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot with LOWER= top:mid:/"
is "$(in_sh "$n" 'cat /etc/layer-both')" top "the topmost layer hides the same path below it"
is "$(in_sh "$n" 'cat /etc/layer-mid')" mid-only "a file only in a lower layer shows through"
[ -x "$(in_sh "$n" 'command -v sh')" ] || in_sh "$n" 'true'
ok $? "the host root under both still provides the userland"
in_sh "$n" 'echo changed > /etc/layer-both'
[ "$(cat "$DIR/layers/top/etc/layer-both")" = top ] && [ "$(cat "$DIR/root/etc/layer-both")" = changed ]
ok $? "a write copies up into UPPER; the lower layer is untouched"
is "$(st_get "$n" lower)" "$DIR/layers/top:$DIR/layers/mid:/" "state records the layers (resolved)"
"$SUBHOST" stop "$n"
umount "$DIR/layers"        # the test's own mount, not the subhost's
no_residue "$n"

# ---- /etc/adjtime is shared read-only ---------------------------------------
n=$(uniq_name adj)
if [ ! -e /etc/adjtime ]; then
	printf '0.0 0 0.0\n0\nUTC\n' > /etc/adjtime && EXTRA_CLEAN+=("rm -f /etc/adjtime")
fi
before=$(md5sum < /etc/adjtime)
mk "$n"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot (for /etc/adjtime)"
is "$(in_sh "$n" 'cat /etc/adjtime' | md5sum)" "$before" "/etc/adjtime inside is the host's"
in_sh "$n" 'echo x >> /etc/adjtime' 2>/dev/null
[ $? != 0 ] && [ "$(md5sum < /etc/adjtime)" = "$before" ]
ok $? "and cannot be written from inside"
"$SUBHOST" stop "$n"; no_residue "$n"

# ---- INIT=sysv: rc S, rc 2; rc 0 at power off ------------------------------
n=$(uniq_name sysv)
mk "$n" "INIT= sysv"
mkdir -p "$DIR/root/etc/init.d"
cat > "$DIR/root/etc/init.d/rc" <<'RC'
#!/bin/sh
echo "rc $1 RUNLEVEL=$RUNLEVEL PREVLEVEL=$PREVLEVEL" >> /var/log/rc-calls
RC
chmod 755 "$DIR/root/etc/init.d/rc"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot with INIT=sysv"
calls=$(in_sh "$n" 'cut -d" " -f1,2 /var/log/rc-calls' | tr '\n' ',')
is "$calls" "rc S,rc 2," "rc S then rc 2 ran at boot"
"$SUBHOST" stop "$n"
ok $? "stop"
calls=$(cut -d" " -f1,2 "$DIR/root/var/log/rc-calls" | tr '\n' ',')
is "$calls" "rc S,rc 2,rc 0," "rc 0 ran at power off"
no_residue "$n"

# ---- INIT=/program: exec'd as pid 1 ------------------------------------------
n=$(uniq_name exe)
mk "$n" "INIT= /sbin/myinit --flag"
mkdir -p "$DIR/root/sbin"
cat > "$DIR/root/sbin/myinit" <<'INIT'
#!/bin/sh
echo "args: $*" > /run/myinit-args
echo "container=$container" >> /run/myinit-args
trap 'echo bye > /var/tmp/myinit-bye; exit 0' TERM
while :; do sleep 1 & wait $!; done
INIT
chmod 755 "$DIR/root/sbin/myinit"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot with INIT=/sbin/myinit --flag"
is "$(in_sh "$n" 'cat /proc/1/cmdline | tr "\0" " "')" "/bin/sh /sbin/myinit --flag " "the program is pid 1, with its arguments"
is "$(in_sh "$n" 'cat /run/myinit-args' | tr '\n' ',')" "args: --flag,container=subhost," "it got container=subhost"
"$SUBHOST" stop --timeout 10 "$n"
ok $? "stop sends it SIGTERM and it ends"
is "$(cat "$DIR/root/var/tmp/myinit-bye" 2>/dev/null)" bye "its TERM handler ran"
no_residue "$n"

# ---- overlay-boot's program names --------------------------------------------
n=$(uniq_name ovl)
mk "$n"
for a in overlay-boot overlay-stop overlay-go; do ln -sf "$SUBHOST" "$T_ROOT/$a"; done
"$T_ROOT/overlay-boot" "$CONF" </dev/null
ok $? "overlay-boot CONF boots"
is "$("$T_ROOT/overlay-go" "$n" -- hostname </dev/null)" "$n" "overlay-go NAME -- CMD runs inside"
"$T_ROOT/overlay-stop" "$CONF" </dev/null
ok $? "overlay-stop CONF stops"
no_residue "$n"

done_testing
