#!/bin/bash
# subhost clean (and overlay-clean-root): exactly the UPPER files identical
# to what the lower layers show go, nothing else; the subhost looks the
# same before and after; symlinks are never followed; whiteouts and opaque
# directories (in UPPER and in lower layers) are honoured; only while
# stopped; mounts below a LOWER=/ layer are not compared with.
. "$(dirname "$0")/lib.sh"

needs "python3 (extended attributes, the view inside)" -- python3 -c 'import os' || { done_testing; exit; }

xset() { python3 -c 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode(), follow_symlinks=False)' "$@"; }
xget() { python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$@"; }

# What the subhost shows: every entry of its root filesystem (not /proc,
# /dev, /usr... : other mounts, listed in mountinfo), with type, mode, owner, size, content
# hash or symlink target, and extended attributes.
VIEW_PY='
import os, stat, hashlib
# (overlayfs gives non-directories the st_dev of their layer: skip mounts by mountinfo)
mounts = set()
with open("/proc/self/mountinfo") as f:
    for line in f:
        mounts.add(line.split()[4].replace("\\040", " "))
def xattrs(p):
    try:
        names = sorted(os.listxattr(p, follow_symlinks=False))
    except OSError as e:
        return "xattrs:" + e.strerror
    return ",".join(n + "=" + os.getxattr(p, n, follow_symlinks=False).hex() for n in names)
def walk(d):
    for n in sorted(os.listdir(d)):
        p = os.path.join(d, n)
        if p in mounts:
            continue
        st = os.lstat(p)
        m = st.st_mode
        what = "-"
        if stat.S_ISREG(m):
            with open(p, "rb") as f:
                what = hashlib.sha256(f.read()).hexdigest()
        elif stat.S_ISLNK(m):
            what = os.readlink(p)
        size = "-" if stat.S_ISDIR(m) else st.st_size
        print(p, oct(m), st.st_uid, st.st_gid, size, what, xattrs(p))
        if stat.S_ISDIR(m):
            walk(p)
walk("/")
'
view() { "$SUBHOST" go "$1" -- python3 -c "$VIEW_PY" </dev/null; }

# A root with a userland but nothing of the host's root filesystem: the
# skeleton's /usr is the host's, shared read-only.
skeleton() {
	local d=$1 l
	mkdir -p "$d"/{usr,etc,root,tmp,dev,proc,sys,run}
	for l in bin sbin lib lib32 lib64; do [ -L /$l ] && ln -s "$(readlink /$l)" "$d/$l"; done
	chmod 1777 "$d/tmp"
}
upper_list() { (cd "$1" && find . -mindepth 1 | sed 's/^\.//' | sort); }
# The paths clean printed, one per line, sorted.
printed() { sed -n "s/^$1 //p" | sort; }

# ---- one lower layer: every kind of difference ---------------------------
n=$(uniq_name cln)
LAYERS=$T_ROOT/layers-$n         # outside BASE: no_residue looks there
mk "$n" "LOWER= $LAYERS/low" "SHARE= /usr:/usr:ro"
mkdir -p "$LAYERS"
mount -t tmpfs -o size=8m "$n-layers" "$LAYERS" && EXTRA_CLEAN+=("umount -l '$LAYERS'")
L=$LAYERS/low U=$DIR/root
skeleton "$L"
mkdir -p "$L/data" "$U/data"
needs "user.* attributes on tmpfs" -- xset "$L/data" user.probe 1 || { done_testing; exit; }
python3 -c 'import os,sys; os.removexattr(sys.argv[1], "user.probe")' "$L/data"
# lower and upper copies: same, and different in one property each
for f in same content mode owner xattr xsame; do echo "file $f" > "$L/data/$f"; done
cp -a "$L/data/." "$U/data/"
echo "file cOntent" > "$U/data/content"         # same size, other bytes
chmod 600 "$U/data/mode"
chown 1:1 "$U/data/owner"
xset "$U/data/xattr" user.note differs
xset "$L/data/xsame" user.note same; xset "$U/data/xsame" user.note same
echo "only above" > "$U/data/upper-only"
ln -s target "$L/data/lnk-same"; ln -s target "$U/data/lnk-same"
ln -s target "$L/data/lnk-diff"; ln -s tarGet "$U/data/lnk-diff"
# a symlink in UPPER that leads out of it, over a lower directory whose
# file is identical to the host file it points at: nothing may follow it
mkdir -p "$T_ROOT/$n-outside" "$L/data/escape"
echo victim > "$T_ROOT/$n-outside/victim"; echo victim > "$L/data/escape/victim"
ln -s "$T_ROOT/$n-outside" "$U/data/escape"
ln -s / "$U/data/to-root"
# a whiteout in UPPER deletes a lower file; an opaque UPPER directory
# hides the lower one's files, even identical ones
echo deleted > "$L/data/deleted"; mknod "$U/data/deleted" c 0 0
mkdir -p "$L/data/opq" "$U/data/opq"
echo o > "$L/data/opq/f"; echo o > "$U/data/opq/f"; echo hidden > "$L/data/opq/g"
xset "$U/data/opq" trusted.overlay.opaque y
# a directory emptied by the clean goes; one of another mode stays
mkdir -p "$L/data/emptied" "$U/data/emptied" "$L/data/dmode" "$U/data/dmode" "$U/data/newdir"
echo e > "$L/data/emptied/f"; cp -a "$L/data/emptied/f" "$U/data/emptied/f"
echo d > "$L/data/dmode/f"; cp -a "$L/data/dmode/f" "$U/data/dmode/f"
chmod 700 "$U/data/dmode"
mkfifo "$U/data/fifo"
expected="/data/dmode/f
/data/emptied
/data/emptied/f
/data/lnk-same
/data/same
/data/xsame"

"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot a subhost on a test tree"
before=$(view "$n")
like "$before" "/data/same " "the view inside shows the files" || diag "$before"
[[ $before != *"/data/deleted "* && $before != *"/data/opq/g "* ]]
ok $? "the whiteout and the opaque directory hide what they should"
out=$("$SUBHOST" clean "$CONF" 2>&1); st=$?
is "$st" 4 "clean refuses while the subhost runs (exit 4)"
like "$out" "is running: stop it" "and says why"
"$SUBHOST" status "$n" >/dev/null
ok $? "the subhost still runs"
"$SUBHOST" stop "$n"
ok $? "stop"
no_residue "$n"

list0=$(upper_list "$U")
out=$("$SUBHOST" clean --dry-run "$CONF"); st=$?
is "$st" 0 "clean --dry-run"
is "$(printf '%s\n' "$out" | printed 'would remove' | sed 's|/$||')" "$expected" \
	"--dry-run lists exactly the identical files and the directory they empty"
is "$(upper_list "$U")" "$list0" "--dry-run removes nothing"
bytes=0
for p in $expected; do bytes=$((bytes + $(stat -c %b "$U$p") * 512)); done
like "$out" "would remove 5 files and 1 directory from $U, freeing $bytes bytes" "and says what it would free"

out=$("$SUBHOST" clean --verbose "$CONF"); st=$?
is "$st" 0 "clean --verbose"
is "$(printf '%s\n' "$out" | printed removed | sed 's|/$||')" "$expected" "clean removes the same list"
like "$out" "removed 5 files and 1 directory from $U, freed $bytes bytes" "and reports files and bytes freed"
is "$(upper_list "$U")" "$(comm -23 <(echo "$list0") <(echo "$expected"))" "nothing else was removed"
like "$out" "kept /data/content: content differs" "--verbose says why a file stays (content)"
like "$out" "kept /data/mode: mode differs" "(mode)"
like "$out" "kept /data/owner: owner differs" "(owner)"
like "$out" "kept /data/xattr: extended attributes differ" "(extended attributes)"
like "$out" "kept /data/lnk-diff: symlink target differs" "(symlink target)"
is "$(cat "$T_ROOT/$n-outside/victim" 2>/dev/null)" victim "the host file behind an UPPER symlink is untouched"
[ -L "$U/data/escape" ] && [ -L "$U/data/to-root" ] && [ -c "$U/data/deleted" ] && [ -p "$U/data/fifo" ]
ok $? "symlinks leading out, the whiteout and the fifo stay"
[ -f "$U/data/opq/f" ] && [ "$(xget "$U/data/opq" trusted.overlay.opaque)" = y ]
ok $? "the opaque directory and its file stay, still opaque"
[ -d "$U/data/dmode" ] && [ -d "$U/data/newdir" ]
ok $? "a directory of another mode and an UPPER-only one stay"
[ -z "$(ls -A /run/subhost/"$n" 2>/dev/null)" ] && [ ! -e /run/subhost/"$n" ]
ok $? "clean leaves no state behind"

"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot again"
after=$(view "$n")
is "$after" "$before" "the subhost shows exactly what it showed before the clean"
"$SUBHOST" stop "$n"
no_residue "$n"
out=$("$SUBHOST" clean "$CONF"); st=$?
like "$out" "removed 0 files and 0 directories" "a second clean finds nothing more (exit $st)"
umount "$LAYERS"

# ---- two lower layers: whiteouts and opaque directories below ------------
n=$(uniq_name cl2)
LAYERS=$T_ROOT/layers-$n
mk "$n" "LOWER= $LAYERS/top:$LAYERS/mid" "SHARE= /usr:/usr:ro"
mkdir -p "$LAYERS"
mount -t tmpfs -o size=8m "$n-layers" "$LAYERS" && EXTRA_CLEAN+=("umount -l '$LAYERS'")
T=$LAYERS/top M=$LAYERS/mid U=$DIR/root
mkdir -p "$T"
skeleton "$M"
mkdir -p "$T/d" "$M/d" "$U/d"
echo A > "$M/d/a"; echo A > "$U/d/a"                         # only mid has it: identical
echo B > "$M/d/b"; echo B2 > "$T/d/b"; echo B > "$U/d/b"     # top's shows: differs
echo C > "$M/d/c"; mknod "$T/d/c" c 0 0; echo C > "$U/d/c"   # top deletes it
mkdir -p "$T/o" "$M/o" "$U/o"
xset "$T/o" trusted.overlay.opaque y                          # top's o hides mid's
echo X > "$T/o/x"; echo X > "$U/o/x"
echo Y > "$M/o/y"; echo Y > "$U/o/y"
echo file > "$T/n"; mkdir -p "$M/n" "$U/n"                   # a file in top hides mid's dir
echo F > "$M/n/f"; echo F > "$U/n/f"
mkdir -p "$T/e" "$M/e" "$U/e"
echo E > "$T/e/f"; echo E > "$U/e/f"; echo below > "$M/e/g"
expected="/d/a
/e
/e/f
/o/x"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot on two lower layers"
before=$(view "$n")
like "$before" "/d/b .* $(echo B | sha256sum | cut -d' ' -f1)" "UPPER's d/b shows over top's" || diag "$before"
"$SUBHOST" stop "$n"
list0=$(upper_list "$U")
ln -sf "$SUBHOST" "$T_ROOT/overlay-clean-root"
out=$("$SUBHOST" clean -n "$CONF")
is "$(printf '%s\n' "$out" | printed 'would remove' | sed 's|/$||')" "$expected" \
	"--dry-run: only what the topmost layer with the path shows identically"
out=$("$T_ROOT/overlay-clean-root" "$CONF" </dev/null); st=$?
is "$st" 0 "overlay-clean-root CONF cleans"
like "$out" "removed 3 files and 1 directory" "the same three files and one directory"
is "$(upper_list "$U")" "$(comm -23 <(echo "$list0") <(echo "$expected"))" "and nothing else"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot again"
is "$(view "$n")" "$before" "the view is unchanged"
is "$(in_sh "$n" 'cat /e/g /e/f /o/x; ls /o; cat /n/f; ls /d')" "below
E
X
x
y
F
a
b
c" "files of both layers and UPPER show as before (o/y, n/f and d/c from UPPER)"
"$SUBHOST" stop "$n"
no_residue "$n"
umount "$LAYERS"

# ---- LOWER=/: the host's other mounts are not the lower layer ----------------
n=$(uniq_name cl3)
mk "$n"
U=$DIR/root
mkdir -p "$T_ROOT/$n-plain" "$T_ROOT/mnt-$n"
echo under > "$T_ROOT/mnt-$n/under"    # on / itself, under the mount: what overlayfs shows
mount -t tmpfs -o size=1m "$n-mnt" "$T_ROOT/mnt-$n" && EXTRA_CLEAN+=("umount -l '$T_ROOT/mnt-$n'")
echo plain > "$T_ROOT/$n-plain/f"
echo mounted > "$T_ROOT/mnt-$n/f"
mkdir -p "$U$T_ROOT/$n-plain" "$U$T_ROOT/mnt-$n"
cp -a "$T_ROOT/$n-plain/f" "$U$T_ROOT/$n-plain/f"
cp -a "$T_ROOT/mnt-$n/f" "$U$T_ROOT/mnt-$n/f"
echo under > "$U$T_ROOT/mnt-$n/under"
out=$("$SUBHOST" clean --dry-run --verbose "$CONF"); st=$?
is "$st" 0 "clean with LOWER=/"
is "$(printf '%s\n' "$out" | printed 'would remove')" "$T_ROOT/$n-plain/
$T_ROOT/$n-plain/f
$T_ROOT/mnt-$n/under" "copies of files of / go (and an emptied directory), also one under a host mount"
like "$out" "kept $T_ROOT/mnt-$n/f: not in the lower layers" "a copy of a file on the host mount stays: overlayfs shows the directory under it"
umount "$T_ROOT/mnt-$n"

# ---- errors -----------------------------------------------------------------
n=$(uniq_name cl4)
mk "$n" "UPPER= root" "LOWER= root"
out=$("$SUBHOST" clean "$CONF" 2>&1); st=$?
is "$st" 2 "UPPER = LOWER: exit 2"
like "$out" "no overlay, nothing to clean" "with a clear message"
out=$("$SUBHOST" clean 2>&1); st=$?
is "$st" 2 "clean without NAME: usage, exit 2"
out=$("$SUBHOST" clean "$T_ROOT/nonexistent.conf" 2>&1); st=$?
is "$st" 2 "a missing conf: exit 2"

done_testing
