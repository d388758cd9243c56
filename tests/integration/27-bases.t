#!/bin/bash
# Layered bases (LOWER=@OTHER, cage's chains) and `subhost create` /
# `subhost destroy`.
. "$(dirname "$0")/lib.sh"

# Bases are found as CONFDIR/NAME.conf: a conf directory of the test's own.
export SUBHOST_CONFDIR=$T_ROOT/conf
mkdir -p "$SUBHOST_CONFDIR"

# base NAME [LINE...]: a subhost whose conf sits in the conf directory.
base() {
	local n=$1; shift
	mk "$n" "$@"
	mv "$CONF" "$SUBHOST_CONFDIR/$n.conf"
	sed -i "s|^BASE=.*|BASE=$DIR|" "$SUBHOST_CONFDIR/$n.conf"
	CONF=$SUBHOST_CONFDIR/$n.conf
}

# ---- a chain C -> @B -> @A over a plain directory ------------------------
a=$(uniq_name ba) b=$(uniq_name bb) c=$(uniq_name bc)
mkdir -p "$T_ROOT/tree/etc"
echo tree > "$T_ROOT/tree/etc/level"
echo tree-only > "$T_ROOT/tree/etc/tree-only"
base "$a" "LOWER=$T_ROOT/tree"; ADIR=$DIR
base "$b" "LOWER=@$a"; BDIR=$DIR
base "$c" "LOWER=@$b"; CDIR=$DIR
mkdir -p "$ADIR/root/etc" "$BDIR/root/etc"
echo A > "$ADIR/root/etc/level"; echo A > "$ADIR/root/etc/a-only"
echo B > "$BDIR/root/etc/level"; echo B > "$BDIR/root/etc/b-only"
"$SUBHOST" boot "$c" </dev/null 2>"$T_ROOT/err"
ok $? "boot C standing on @B standing on @A" || diag "$(cat "$T_ROOT/err")"
is "$(st_get "$c" lower)" "$BDIR/root:$ADIR/root:$T_ROOT/tree" "C's layers: B's UPPER, A's UPPER, A's LOWER"
# The tree has no userland: read the view through pid 1's root.
ls_in() { cat "/proc/$(st_get "$c" pid)/root$1" 2>&1; }
is "$(ls_in /etc/level)" B "a file in B hides the same path in A and the tree"
is "$(ls_in /etc/a-only)" A "A's own file shows through B"
is "$(ls_in /etc/b-only)" B "B's own file shows"
is "$(ls_in /etc/tree-only)" tree-only "the tree at the bottom shows through all"
echo C > "/proc/$(st_get "$c" pid)/root/etc/level"
[ "$(cat "$CDIR/root/etc/level" 2>/dev/null)" = C ] && [ "$(cat "$BDIR/root/etc/level")" = B ]
ok $? "a write in C lands in C's UPPER; B's UPPER is untouched"

# A running base is fine: boot B while C stands on it.
"$SUBHOST" boot "$b" </dev/null
ok $? "B boots while C stands on it"
"$SUBHOST" stop "$b"; "$SUBHOST" stop "$c"
no_residue "$b"; no_residue "$c"

# clean compares C's UPPER with the chain: B's copy is the one that shows.
cp -p "$BDIR/root/etc/b-only" "$CDIR/root/etc/b-only"
cp -p "$ADIR/root/etc/a-only" "$CDIR/root/etc/a-only"
echo A > "$CDIR/root/etc/level-a"; cp -p "$ADIR/root/etc/level" "$CDIR/root/etc/level"
out=$("$SUBHOST" clean --dry-run "$c" 2>&1)
ok $? "clean --dry-run of C on its chain" || diag "$out"
is "$(echo "$out" | sed -n 's/^would remove //p' | grep -v '/$' | sort | tr '\n' ' ')" "/etc/a-only /etc/b-only " \
	"it would remove exactly the copies identical to what the chain shows (not A's level, hidden by B's)"

# ---- a chain standing on the host root ------------------------------------
# Every UPPER on the root filesystem lies inside "/": overlayfs alone
# would refuse the stack (ELOOP).
h=$(uniq_name bh) g=$(uniq_name bg)
base "$h"; HDIR=$DIR
base "$g" "LOWER=@$h"
mkdir -p "$HDIR/root/etc"
echo from-h > "$HDIR/root/etc/from-h"
"$SUBHOST" boot "$g" </dev/null 2>"$T_ROOT/err"
ok $? "boot G standing on @H standing on the host root" || diag "$(cat "$T_ROOT/err")"
is "$(in_sh "$g" 'cat /etc/from-h')" from-h "H's file shows in G"
is "$(in_sh "$g" 'hostname')" "$g" "and G runs the host's userland"
"$SUBHOST" stop "$g"; no_residue "$g"

# ---- errors ----------------------------------------------------------------
x=$(uniq_name bx) y=$(uniq_name by)
base "$x" "LOWER=@$y"
base "$y" "LOWER=@$x"
out=$("$SUBHOST" boot "$x" </dev/null 2>&1); st=$?
is "$st" 2 "a cycle of bases: exit 2"
like "$out" "$x.conf:[0-9]+: LOWER=@$y: the bases form a cycle \($x -> $y -> $x\)" "and the message shows the cycle" || diag "$out"
no_residue "$x"

m=$(uniq_name bm)
base "$m" "LOWER=@no$m"
out=$("$SUBHOST" boot "$m" </dev/null 2>&1); st=$?
is "$st" 2 "a missing base: exit 2"
like "$out" "LOWER=@no$m: no subhost no$m .*expected .*/no$m.conf" "and the message names what was expected" || diag "$out"
no_residue "$m"

d=$(uniq_name bd) e=$(uniq_name be)
truncate -s 8M "$T_ROOT/disk.img" && mkfs.ext4 -q "$T_ROOT/disk.img"
base "$d" "DISKS=( vda:0:$T_ROOT/disk.img )"
base "$e" "LOWER=@$d"
out=$("$SUBHOST" boot "$e" </dev/null 2>&1); st=$?
is "$st" 2 "a base whose root is a disk image cannot be stacked: exit 2"
like "$out" "base $d .*keeps its root in a disk image" "and the message says why" || diag "$out"
no_residue "$e"

# ---- create / destroy ---------------------------------------------------------
p=$(uniq_name cp) q=$(uniq_name cq)
out=$("$SUBHOST" create "$p" --dir "$T_ROOT/$p" 2>&1)
ok $? "create $p" || diag "$out"
[ -f "$SUBHOST_CONFDIR/$p.conf" ] && [ -d "$T_ROOT/$p/root" ] && [ -d "$T_ROOT/$p/work" ] && [ -d "$T_ROOT/$p/live" ]
ok $? "create wrote the conf and made root, work and live"
is "$(stat -c %a "$T_ROOT/$p")" 700 "BASE is mode 0700"
is "$(stat -c %a "$T_ROOT/$p/root")" 755 "its root is 0755 (the subhost's /)"
T_NAMES+=("$p" "$q")
out=$("$SUBHOST" create "$p" 2>&1); st=$?
is "$st" 2 "create of an existing name: exit 2"
like "$out" "$p.conf exists" "and it says so" || diag "$out"
"$SUBHOST" create "$q" --base "@$p" --dir "$T_ROOT/$q" >/dev/null
ok $? "create $q --base @$p"
grep -qx "LOWER=@$p" "$SUBHOST_CONFDIR/$q.conf"
ok $? "its conf stands on @$p"
out=$("$SUBHOST" create "$(uniq_name cz)" --base "@nosuch" 2>&1); st=$?
is "$st" 2 "create --base @missing: exit 2"
like "$out" "no subhost nosuch" "and it says so" || diag "$out"
out=$("$SUBHOST" create "$(uniq_name cz)" --base /nonexistent/dir 2>&1); st=$?
is "$st" 2 "create --base with a missing directory: exit 2"
out=$("$SUBHOST" create "this-name-is-far-too-long" 2>&1); st=$?
is "$st" 2 "create with a name too long: exit 2"
like "$out" "expected 1-15 characters" "and the message says what a name is" || diag "$out"

echo from-p > "$T_ROOT/$p/root/from-p"
"$SUBHOST" boot "$q" </dev/null
ok $? "boot the created $q"
is "$(in_sh "$q" 'cat /from-p')" from-p "it sees its base's files"
out=$("$SUBHOST" destroy "$p" --yes 2>&1); st=$?
is "$st" 1 "destroy of a base another subhost stands on is refused"
like "$out" "$q.conf stands on it" "and names the dependent" || diag "$out"
[ -f "$T_ROOT/$p/root/from-p" ]; ok $? "and nothing of it was removed"
out=$("$SUBHOST" destroy "$q" --yes 2>&1); st=$?
is "$st" 4 "destroy of a running subhost: exit 4"
[ -f "$SUBHOST_CONFDIR/$q.conf" ] && [ -d "$T_ROOT/$q/root" ]; ok $? "and nothing was removed"
"$SUBHOST" stop "$q"
out=$("$SUBHOST" destroy "$q" 2>&1); st=$?
is "$st" 2 "destroy without --yes: exit 2"
like "$out" "would remove UPPER $T_ROOT/$q/root" "it lists what it would remove" || diag "$out"
[ -f "$SUBHOST_CONFDIR/$q.conf" ] && [ -d "$T_ROOT/$q/root" ]; ok $? "and removes nothing"
"$SUBHOST" destroy "$q" --yes >/dev/null
ok $? "destroy --yes"
[ ! -e "$SUBHOST_CONFDIR/$q.conf" ] && [ ! -e "$T_ROOT/$q" ]
ok $? "the conf and the directories are gone"
no_residue "$q"
# A BASE that holds other files keeps them.
echo keep > "$T_ROOT/$p/notes.txt"
"$SUBHOST" destroy "$p" --yes >/dev/null
ok $? "destroy $p (now nothing stands on it)"
[ -f "$T_ROOT/$p/notes.txt" ] && [ ! -e "$T_ROOT/$p/root" ] && [ ! -e "$SUBHOST_CONFDIR/$p.conf" ]
ok $? "UPPER, WORK, LIVE and the conf went; a file of the admin's in BASE stayed"
out=$("$SUBHOST" destroy "$p" --yes 2>&1); st=$?
is "$st" 2 "destroy of a subhost that does not exist: exit 2"

done_testing
