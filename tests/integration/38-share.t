#!/bin/bash
# subhost share / unshare (and overlay-share): a host directory shows in a
# running subhost at once, writes go through, --ro refuses them, nosuid and
# nodev, private propagation; a symlink planted inside cannot send the
# mount out of the subhost; unshare takes it away; clear errors; after stop
# nothing remains.
. "$(dirname "$0")/lib.sh"

mountinfo() { in_sh "$1" 'cat /proc/self/mountinfo'; }
mountopts() {   # mountopts NAME PATH: options of the topmost mount on PATH inside NAME
	mountinfo "$1" | awk -v p="$2" '$5 == p { o = $6 } END { print o }'
}
optional() {    # optional NAME PATH: the optional fields (shared:N, master:N) of that mount
	mountinfo "$1" | awk -v p="$2" '$5 == p { o = ""; for (i = 7; $i != "-"; i++) o = o $i " " } END { print o }'
}
# The host's mount points, but for network namespaces and other test runs'
# directories (the machine may run other tests at the same time).
host_mounts() {
	awk '{ print $5 }' /proc/self/mountinfo | grep -v '^/run/netns/' |
		grep -v "^/var/tmp/subhost-test\.[^/]*\(/\|\$\)" | sort
	grep -F " $T_ROOT" /proc/self/mountinfo | awk '{ print $5 }' | sort
}

n=$(uniq_name shr)
mk "$n"
H=$T_ROOT/host-$n
mkdir -p "$H/sub"
echo hello > "$H/f"
echo file > "$T_ROOT/single-$n"
# HOSTDIR a shared mount, as under systemd (where / is shared): a copy in
# its peer group would carry mounts between the host and the subhost.
mount --bind "$H" "$H" && mount --make-shared "$H" && EXTRA_CLEAN+=("umount -l '$H'")

# ---- not running ----------------------------------------------------------
out=$("$SUBHOST" share "$CONF" "$H:/srv/shared" 2>&1); st=$?
is "$st" 3 "share into a stopped subhost: exit 3"
like "$out" "not running" "and says so"
out=$("$SUBHOST" unshare "$CONF" /srv/shared 2>&1); st=$?
is "$st" 3 "unshare from a stopped subhost: exit 3"

host_pre=$(host_mounts | grep -vx "$H")
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot"
host0=$(host_mounts)

# ---- share ------------------------------------------------------------------
"$SUBHOST" share "$CONF" "$H:/srv/shared"
ok $? "share HOSTDIR:SUBDIR into the running subhost"
is "$(in_sh "$n" 'cat /srv/shared/f')" hello "the host file shows inside at once"
in_sh "$n" 'echo from-inside > /srv/shared/new'
is "$(cat "$H/new" 2>/dev/null)" from-inside "a write inside lands in the host directory"
echo later > "$H/later"
is "$(in_sh "$n" 'cat /srv/shared/later')" later "and a host write shows inside"
opts=$(mountopts "$n" /srv/shared)
like "$opts" "^rw,nosuid,nodev" "the share is nosuid,nodev in the subhost's mountinfo" || diag "$opts"
is "$(optional "$n" /srv/shared)" "" "with private propagation (no shared:/master: peer of the host's mounts)"
[ -d "$DIR/root/srv/shared" ]
ok $? "the missing mount point was made inside (in UPPER)"
is "$(host_mounts)" "$host0" "the host's mount table is unchanged"
like "$(cat /run/subhost/"$n"/shares 2>/dev/null)" " rw $H /srv/shared\$" "the share is recorded in the state directory"

# A mount made inside, under the share, stays inside.
if in_sh "$n" 'mount -t tmpfs inner /srv/shared/sub' 2>/dev/null; then
	is "$(in_sh "$n" 'grep -c " /srv/shared/sub " /proc/self/mountinfo')" 1 "root inside can mount under the share"
	is "$(host_mounts)" "$host0" "and that mount does not reach the host (HOSTDIR is a shared mount)"
	in_sh "$n" 'umount /srv/shared/sub'
else
	skip "mount is not permitted inside"; skip "mount is not permitted inside"
fi

# ---- --ro, and a file ---------------------------------------------------------
"$SUBHOST" share --ro "$n" "$H:/srv/ro"
ok $? "share --ro NAME (a name, not a conf path)"
err=$(in_sh "$n" 'echo x > /srv/ro/x' 2>&1)
[ $? != 0 ] && [ ! -e "$H/x" ]
ok $? "--ro refuses writes inside and nothing reaches the host"
like "$err" "Read-only file system" "with EROFS"
like "$(mountopts "$n" /srv/ro)" "^ro,nosuid,nodev" "mounted ro,nosuid,nodev"
"$SUBHOST" share "$CONF" "$H:/srv/ro2:ro"
ok $? "HOSTDIR:SUBDIR:ro is the same as --ro"
like "$(mountopts "$n" /srv/ro2)" "^ro," "read-only too"
"$SUBHOST" share "$CONF" "$T_ROOT/single-$n:/etc/single"
ok $? "a file can be shared"
is "$(in_sh "$n" 'cat /etc/single')" file "and shows inside"

# ---- symlinks planted inside -------------------------------------------------
mkdir -p "$T_ROOT/victim-$n"       # exists on the host, and inside through LOWER=/
in_sh "$n" "ln -s / /srv/to-root; ln -s ../../../../.. /srv/dotdot; \
	ln -s $T_ROOT/victim-$n /srv/abs; ln -s /nonexistent-$n /srv/dangling"
host1=$(host_mounts)
for l in to-root dotdot; do
	out=$("$SUBHOST" share "$CONF" "$H:/srv/$l" 2>&1); st=$?
	is "$st" 1 "SUBDIR a symlink to the subhost's root (/srv/$l): refused (exit 1)"
	like "$out" "/srv/$l inside the subhost is \\(or leads to\\) a mount point" "and says why"
done
out=$("$SUBHOST" share "$CONF" "$H:/srv/dangling" 2>&1); st=$?
is "$st" 1 "SUBDIR a symlink to nothing: refused"
like "$out" "symlink to nothing" "and says why"
[ ! -e "/nonexistent-$n" ] && [ ! -e "$DIR/root/nonexistent-$n" ]
ok $? "its target was created neither on the host nor inside"
"$SUBHOST" share "$CONF" "$H:/srv/abs"
ok $? "SUBDIR a symlink to an absolute path: followed inside the subhost"
is "$(in_sh "$n" "cat $T_ROOT/victim-$n/f")" hello "the share is on that path inside the subhost"
[ ! -e "$T_ROOT/victim-$n/f" ]
ok $? "not on the host's directory of that name"
is "$(host_mounts)" "$host1" "the host's mount table is unchanged"
is "$(host_mounts)" "$host0" "(still the one from before any share)"

# ---- unshare -------------------------------------------------------------------
"$SUBHOST" unshare "$CONF" /srv/shared
ok $? "unshare SUBDIR"
in_sh "$n" 'test -e /srv/shared/f'
[ $? != 0 ]; ok $? "the host files are gone from inside"
[ -z "$(mountopts "$n" /srv/shared)" ]
ok $? "no mount on /srv/shared inside any more"
[ -f "$H/f" ] && [ -f "$H/new" ]
ok $? "the host directory is untouched"
"$SUBHOST" unshare "$CONF" /srv/abs
ok $? "unshare through the symlink it was shared through"
out=$("$SUBHOST" unshare "$CONF" /proc 2>&1); st=$?
is "$st" 1 "unshare of a mount that share did not make: exit 1"
like "$out" "not a share made by \"subhost share\"" "and says so"
[ -n "$(mountopts "$n" /proc)" ]; ok $? "/proc is still mounted inside"
out=$("$SUBHOST" unshare "$CONF" /srv 2>&1); st=$?
is "$st" 1 "unshare of a directory that is no mount point: exit 1"
like "$out" "not a mount point" "and says so"
out=$("$SUBHOST" unshare "$CONF" /srv/../proc 2>&1); st=$?
is "$st" 2 "SUBDIR with ..: exit 2"

# ---- bad arguments -----------------------------------------------------------
out=$("$SUBHOST" share "$CONF" "$T_ROOT/missing-$n:/srv/m" 2>&1); st=$?
is "$st" 2 "a missing HOSTDIR: exit 2"
like "$out" "HOSTDIR $T_ROOT/missing-$n: No such file or directory" "with a clear message"
out=$("$SUBHOST" share "$CONF" "$H:/srv/../../etc" 2>&1); st=$?
is "$st" 2 "SUBDIR with ..: exit 2"
out=$("$SUBHOST" share "$CONF" 2>&1); st=$?
is "$st" 2 "share without HOSTDIR: usage, exit 2"

# ---- overlay-share DIR NAME (overlay-boot 1.6) ---------------------------------
ln -sf "$SUBHOST" "$T_ROOT/overlay-share"
like "$("$T_ROOT/overlay-share" "$H")" "^Select subhost:.* $n( |\$)" "overlay-share DIR lists the running subhosts"
"$T_ROOT/overlay-share" "$H" "$n"
ok $? "overlay-share DIR NAME"
is "$(in_sh "$n" "cat $H/f")" hello "DIR shows at the same path inside"
out=$("$T_ROOT/overlay-share" "$T_ROOT/single-$n" "$n" 2>&1); st=$?
is "$st" 1 "overlay-share of a file: exit 1 (a directory is expected)"
like "$out" "not a directory" "and says so"

# ---- stop ------------------------------------------------------------------------
"$SUBHOST" stop "$n"
ok $? "stop with shares in place"
umount "$H"         # the test's own
no_residue "$n"
is "$(host_mounts)" "$host_pre" "no share mount remains on the host"
[ ! -e /run/subhost/"$n" ]
ok $? "the share records went with the state directory"

done_testing
