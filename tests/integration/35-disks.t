#!/bin/bash
# Disk images: DISKS (root from partition 2 of a GPT or MBR image, data disks
# as block devices inside, UPPER = LOWER), IMAGE (writes persist in the
# image), the overlay-diskfile forms of overlay-boot confs, bad images, and
# no loop device, mount or state left after stop, a poweroff inside, a
# failed boot or SIGKILL of the supervisor.
. "$(dirname "$0")/lib.sh"

needs "sfdisk (package fdisk)" -- command -v sfdisk || { done_testing; exit; }
needs "mkfs.ext4 -d (package e2fsprogs)" -- sh -c 'mkfs.ext4 2>&1 | grep -q -- "-d "' || { done_testing; exit; }

# A root tree for the images: a marker, and mount points; the userland is
# the host's /usr, shared read-only (Debian's / is usr-merged).
TREE=$T_ROOT/tree
mkdir -p "$TREE/etc" "$TREE/root" "$TREE/tmp" "$TREE/usr" "$TREE/upper" "$TREE/work"
echo from-disk > "$TREE/etc/marker"
for l in bin sbin lib lib64; do ln -s usr/$l "$TREE/$l"; done

# mkimage IMG LABEL: a 64 MiB image, partition 1 (8 MiB) left unformatted,
# partition 2 (40 MiB) an ext4 holding TREE, partition 3 swap.
mkimage() {
	local img=$1 label=$2 start fs=$T_ROOT/fs.$$
	truncate -s 64M "$img"
	printf 'label: %s\n,8M\n,40M\n,8M,S\n' "$label" | sfdisk -q "$img" || return 1
	start=$(sfdisk -d "$img" | sed -n 's|^.*2 : start= *\([0-9]*\),.*|\1|p')
	rm -f "$fs"; truncate -s 40M "$fs"
	mkfs.ext4 -q -d "$TREE" "$fs" && dd if="$fs" of="$img" bs=512 seek="$start" conv=notrunc status=none
	rm -f "$fs"
	start=$(sfdisk -d "$img" | sed -n 's|^.*3 : start= *\([0-9]*\),.*|\1|p')
	rm -f "$fs"; truncate -s 8M "$fs"; mkswap -q "$fs" >/dev/null 2>&1
	dd if="$fs" of="$img" bs=512 seek="$start" conv=notrunc status=none
	rm -f "$fs"
}
ROOTCONF=("START= none" "SHARE= /usr:/usr:ro" "RAM_SIZE= none")
fstype() { in_sh "$1" 'cat /proc/self/mountinfo' | awk -v p="$2" '$5 == p { t = $(NF - 2) } END { print t }'; }
loops_of() { grep -lsF "$1" /sys/block/loop*/loop/backing_file | cut -d/ -f4; }   # loop devices over $1

# ---- the root from partition 2 of a GPT and of an MBR image -----------------
for label in gpt dos; do
	n=$(uniq_name "$label"); mk "$n" "DISKS=( vda:2:disk.img )" "${ROOTCONF[@]}"
	mkimage "$DIR/disk.img" "$label"; ok $? "$label: an image with sfdisk and mkfs.ext4"
	sum=$(sha256sum < "$DIR/disk.img")
	"$SUBHOST" boot "$CONF" </dev/null; ok $? "$label: boot from partition 2" || diag "$(tail -5 "$DIR/log")"
	is "$(in_sh "$n" 'cat /etc/marker')" from-disk "$label: the root is the partition's filesystem"
	is "$(fstype "$n" /)" overlay "$label: under an overlay"
	loop=$(loops_of "$DIR/disk.img")
	is "$(echo "$loop" | wc -w)" 1 "$label: one loop device over the image ($loop)"
	is "$(cat "/sys/block/$loop/ro" 2>/dev/null)" 1 "$label: read-only"
	is "$(cat "/sys/block/$loop/loop/offset" 2>/dev/null)" $((9 * 1024 * 1024)) "$label: at the partition's offset"
	is "$(cat "/sys/block/$loop/loop/autoclear" 2>/dev/null)" 1 "$label: autoclear"
	[ -z "$(grep -F "$DIR" /proc/self/mountinfo)" ]; ok $? "$label: nothing is mounted on the host"
	in_sh "$n" 'echo written > /etc/new; echo changed > /etc/marker'
	is "$(cat "$DIR/root/etc/new" 2>/dev/null)" written "$label: a new file lands in UPPER"
	is "$(cat "$DIR/root/etc/marker" 2>/dev/null)" changed "$label: a changed file is copied up into UPPER"
	is "$(st_get "$n" lower)" "$DIR/disk.img partition 2" "$label: status shows the disk as the lower layer"
	"$SUBHOST" stop "$n" </dev/null; ok $? "$label: stop"
	is "$(sha256sum < "$DIR/disk.img")" "$sum" "$label: the image is unchanged"
	no_residue "$n"
done

# ---- a data disk appears inside as a block device ---------------------------
n=$(uniq_name data); mk "$n" "${ROOTCONF[@]}"
mkimage "$DIR/disk.img" dos; cp "$DIR/disk.img" "$DIR/disk2.img"
truncate -s 16M "$DIR/data.img" && mkfs.ext4 -q "$DIR/data.img"
echo "DISKS=( vda:2:disk.img vdb:2:disk2.img vdc::data.img )" >> "$CONF"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot with data disks" || diag "$(tail -5 "$DIR/log")"
check "/dev/vdb2 is a block device inside" -- in_sh "$n" 'test -b /dev/vdb2'
check "/dev/vdc (a whole-image filesystem) is one too" -- in_sh "$n" 'test -b /dev/vdc'
[ ! -e /dev/vdb2 ] || [ -b /dev/vdb2 ]; ok $? "nothing was made in the host's /dev"
is "$(in_sh "$n" 'mkdir -p /mnt/b; mount /dev/vdb2 /mnt/b && cat /mnt/b/etc/marker; umount /mnt/b')" from-disk \
	"root inside mounts /dev/vdb2 and reads its files"
in_sh "$n" 'mkdir -p /mnt/c; mount /dev/vdc /mnt/c && echo kept > /mnt/c/file && umount /mnt/c'
ok $? "and writes to /dev/vdc"
# The root disk's loop was open to the boot, not to root inside: not even
# through a devtmpfs of its own, where every loop device has a node.
rootloop=$(sed -n "s|.*disk.img on /dev/\(loop[0-9]*\).*|\1|p" "$DIR/log" | head -1)
dataloop=$(sed -n "s|.*data.img on /dev/\(loop[0-9]*\).*|\1|p" "$DIR/log" | head -1)
out=$(in_sh "$n" "mkdir -p /mnt/dt && mount -t devtmpfs d /mnt/dt && head -c 512 /mnt/dt/$rootloop | wc -c; head -c 512 /mnt/dt/$dataloop | wc -c; umount /mnt/dt" 2>/dev/null | tr '\n' ' ')
is "$out" "0 512 " "inside, the root disk's loop ($rootloop) cannot be read, a data disk's ($dataloop) can" || diag "$(grep -i device "$DIR/log")"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
is "$(debugfs -R 'cat /file' "$DIR/data.img" 2>/dev/null)" kept "the write is in data.img"
no_residue "$n"
# one partition as the read-only root and a writable data disk: refused
sed -i 's/vdb:2:disk2.img/vdb:2:disk.img/' "$CONF"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 1 "the root's partition as a data disk too: boot fails" || diag "$out"
like "$out" "partition 2 of .*/disk.img is in use" "because it is in use"
no_residue "$n"

# ---- UPPER = LOWER: the partition is the root itself, read-write ------------
n=$(uniq_name rw); mk "$n" "${ROOTCONF[@]}" "DISKS=( vda:2:disk.img )" "LOWER= mnt" "UPPER= mnt"
mkdir -p "$DIR/mnt"; mkimage "$DIR/disk.img" gpt
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot with UPPER = LOWER" || diag "$(tail -5 "$DIR/log")"
is "$(fstype "$n" /)" ext4 "the root is the partition itself, no overlay"
in_sh "$n" 'echo direct > /root/direct'
"$SUBHOST" stop "$n" </dev/null
[ -z "$(ls -A "$DIR/mnt")" ]; ok $? "the mount point on the host stayed empty"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot again"
is "$(in_sh "$n" 'cat /root/direct')" direct "the write went into the image"
"$SUBHOST" stop "$n" </dev/null
no_residue "$n"

# ---- IMAGE: writes persist in the image across stop and boot ----------------
n=$(uniq_name img); mk "$n" "IMAGE= $n.img"
truncate -s 32M "$DIR/$n.img" && mkfs.ext4 -q "$DIR/$n.img"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot with IMAGE (a fresh filesystem)" || diag "$(tail -5 "$DIR/log")"
is "$(st_get "$n" upper)" "$DIR/mnt/root" "UPPER is the image's root"
in_sh "$n" 'echo persisted > /etc/in-image'
[ ! -e "$DIR/mnt/root" ] && [ -z "$(grep -F "$DIR" /proc/self/mountinfo)" ]
ok $? "the image is not mounted on the host"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
is "$(debugfs -R 'cat /root/etc/in-image' "$DIR/$n.img" 2>/dev/null)" persisted "the write is in the image"
debugfs -R 'ls /' "$DIR/$n.img" 2>/dev/null | grep -qw work; ok $? "with root and work at its top"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot again"
is "$(in_sh "$n" 'cat /etc/in-image')" persisted "the subhost sees its earlier write"
# two subhosts never write one filesystem
n2=$(uniq_name img2); mk "$n2" "IMAGE= $DIR/$n.img"
out=$("$SUBHOST" boot "$T_ROOT/$n2/$n2.conf" </dev/null 2>&1); st=$?
is "$st" 1 "a second subhost on the same image: boot fails" || diag "$out"
like "$out" "$n\.img is in use" "because the image is in use"
no_residue "$n2"
"$SUBHOST" stop "$n" </dev/null
no_residue "$n"

# ---- overlay-diskfile, as in overlay-boot confs ------------------------------
BIN=$T_ROOT/bin; mkdir -p "$BIN"; ln -sf "$SUBHOST" "$BIN/overlay-diskfile"; ln -sf "$SUBHOST" "$BIN/overlay-stop"
export PATH=$BIN:$PATH
n=$(uniq_name dfl); mk "$n" "${ROOTCONF[@]}" "LOWER=!overlay-diskfile mnt/ disk.img 2"
mkdir -p "$DIR/mnt"; mkimage "$DIR/disk.img" gpt
sum=$(sha256sum < "$DIR/disk.img")
"$SUBHOST" boot "$CONF" </dev/null; ok $? "LOWER=!overlay-diskfile mnt/ disk.img 2: boot" || diag "$(tail -5 "$DIR/log")"
is "$(in_sh "$n" 'cat /etc/marker')" from-disk "the lower layer is partition 2"
is "$(st_get "$n" lower)" "$DIR/mnt" "LOWER is mnt"
[ -z "$(grep -F "$DIR" /proc/self/mountinfo)" ]; ok $? "the mount is not on the host"
is "$(cat "/sys/block/$(loops_of "$DIR/disk.img")/ro" 2>/dev/null)" 1 "the loop device of a LOWER is read-only"
in_sh "$n" 'echo up > /etc/new'
is "$(cat "$DIR/root/etc/new" 2>/dev/null)" up "writes land in UPPER"
out=$(overlay-stop "$CONF" </dev/null 2>&1); ok $? "overlay-stop CONF stops it" || diag "$out"
is "$(sha256sum < "$DIR/disk.img")" "$sum" "the image is unchanged"
no_residue "$n"

n=$(uniq_name dfu); mk "$n" "${ROOTCONF[@]}" "UPPER=!overlay-diskfile mnt/upper disk.img 2" "WORK=mnt/work"
mkdir -p "$DIR/mnt"; mkimage "$DIR/disk.img" dos
"$SUBHOST" boot "$CONF" </dev/null; ok $? "UPPER=!overlay-diskfile mnt/upper disk.img 2, WORK=mnt/work: boot" \
	|| diag "$(tail -5 "$DIR/log")"
in_sh "$n" 'echo on-disk > /root/upper-file'
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 2 "booting it again while it runs fails" || diag "$out"
like "$out" "$n is running already" "and says it runs"
is "$(in_sh "$n" 'cat /root/upper-file')" on-disk "the running one is untouched"
# a poweroff inside: the mount and the loop go with the subhost
"$SUBHOST" go "$n" -- kill -TERM 1 </dev/null
wait_for 100 gone "$n"; ok $? "poweroff inside (SIGTERM to pid 1)"
no_residue "$n" "nothing remains after a poweroff inside"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot again"
is "$(in_sh "$n" 'cat /root/upper-file')" on-disk "the write persisted in the image"
out=$(overlay-stop "$CONF" </dev/null 2>&1); ok $? "overlay-stop CONF stops it (UPPER is not on the host)" || diag "$out"
no_residue "$n"

# a failed boot after the mount: nothing remains either
n=$(uniq_name dff); mk "$n" "${ROOTCONF[@]}" "LOWER=!overlay-diskfile mnt/ disk.img 2" "START= /bin/false"
mkdir -p "$DIR/mnt"; mkimage "$DIR/disk.img" gpt
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
[ "$st" != 0 ]; ok $? "a boot whose START fails, with overlay-diskfile: fails ($st)"
no_residue "$n" "nothing remains after the failed boot"

# ---- SIGKILL of the supervisor ---------------------------------------------
kill_sv() {     # kill_sv NAME LOOPS: SIGKILL the supervisor; every loop device goes
	local n=$1 want=$2 dir=$T_ROOT/$1
	is "$(loops_of "$dir/" | wc -l)" "$want" "$n: $want loop device(s) while it runs"
	kill -KILL "$(st_get "$n" supervisor_pid)"
	wait_for 50 sh -c "! grep -qsF '$dir/' /sys/block/loop*/loop/backing_file"
	ok $? "$n: SIGKILL of the supervisor: the loop devices go with the subhost"
	"$SUBHOST" list >/dev/null 2>&1
	no_residue "$n"
}
n=$(uniq_name kil); mk "$n" "${ROOTCONF[@]}" "DISKS=( vda:2:disk.img vdb::data.img )" "IMAGE= $n.img"
mkimage "$DIR/disk.img" gpt
truncate -s 16M "$DIR/data.img" && mkfs.ext4 -q "$DIR/data.img"
truncate -s 16M "$DIR/$n.img" && mkfs.ext4 -q "$DIR/$n.img"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot with DISKS and IMAGE" || diag "$(tail -5 "$DIR/log")"
# a reboot from inside (telinit 6 on /run/initctl) keeps the same disks
( "$SUBHOST" go "$n" -- sh -c "{ printf '\\151\\031\\011\\003\\001\\000\\000\\000'; printf '6\\000\\000\\000\\000\\000\\000\\000'; head -c 368 /dev/zero; } | dd of=/run/initctl bs=384 count=1 iflag=fullblock status=none" </dev/null ) 2>/dev/null
wait_for 100 sh -c "[ \"\$(sed -n 's/^boots=//p' /run/subhost/$n/state)\" = 2 ] && grep -q '^status=running' /run/subhost/$n/state"
ok $? "reboot from inside"
check "after the reboot /dev/vdb is there" -- in_sh "$n" 'test -b /dev/vdb'
in_sh "$n" 'mkdir -p /mnt/d && mount /dev/vdb /mnt/d'; ok $? "a data disk mounted inside"
kill_sv "$n" 3

n=$(uniq_name kid); mk "$n" "${ROOTCONF[@]}" "LOWER=!overlay-diskfile mnt/ disk.img 2"
mkdir -p "$DIR/mnt"; mkimage "$DIR/disk.img" gpt
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot with overlay-diskfile" || diag "$(tail -5 "$DIR/log")"
kill_sv "$n" 1

# ---- bad images and entries: clear errors naming FILE:LINE ------------------
IMG=$T_ROOT/bad.img; mkimage "$IMG" dos
boot_fails() {  # boot_fails DESC REGEX LINE...: boot of a fresh subhost with LINE... fails with status 2
	local desc=$1 re=$2 st; shift 2
	n=$(uniq_name bad); mk "$n" "${ROOTCONF[@]}" "$@"
	out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
	is "$st" 2 "$desc: exit 2" || diag "$out"
	like "$out" "$n\.conf:[0-9]+: .*$re" "$desc: says so, with file:line" || diag "$out"
	no_residue "$n"
}
boot_fails "missing DISKS image" "image .*nosuch\.img does not exist" "DISKS=( vda:2:nosuch.img )"
boot_fails "missing IMAGE" "image .*nosuch\.img does not exist" "IMAGE=nosuch.img"
boot_fails "no such partition" "has no partition 7: its dos partition table has partitions 1, 2, 3" "DISKS=( vda:7:$IMG )"
boot_fails "unformatted partition" "partition 1 of .* holds no filesystem" "DISKS=( vda:1:$IMG )"
boot_fails "swap partition" "partition 3 of .* holds swap .*not a filesystem" "DISKS=( vda:3:$IMG )"
boot_fails "a table, not a filesystem" "holds a dos partition table, not a filesystem" "DISKS=( vda::$IMG )"
boot_fails "a data disk without the partition" "DISKS entry vdb:4:" "DISKS=( vda:2:$IMG vdb:4:$IMG )"
boot_fails "bad DISKS syntax" "DISKS entry \"vda-2-disk.img\" is malformed: expected DEV:PART:IMAGE" "DISKS=( vda-2-disk.img )"
boot_fails "bad partition number" "partition \"two\" is invalid" "DISKS=( vda:two:$IMG )"
if command -v mkfs.minix >/dev/null && ! grep -qw minix /proc/filesystems; then
	truncate -s 4M "$T_ROOT/minix.img"; mkfs.minix "$T_ROOT/minix.img" >/dev/null 2>&1
	boot_fails "a filesystem this kernel lacks" "holds a minix filesystem, which this kernel cannot mount" \
		"DISKS=( vda::$T_ROOT/minix.img )"
else
	skip "no mkfs.minix, or this kernel mounts minix"
fi

done_testing
