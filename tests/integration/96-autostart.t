#!/bin/bash
# subhost autostart start|stop|status on a list in overlay-boot's
# /etc/subhosts.conf format (a list of our own, by --list and $SUBHOST_LIST;
# the host's /etc is not touched).
. "$(dirname "$0")/lib.sh"

a=$(uniq_name asa); mk "$a"; confa=$CONF
b=$(uniq_name asb); mk "$b"; confb=$CONF
x=$(uniq_name asx); mk "$x"; confx=$CONF      # booted by hand, not listed
# b is listed by name: its conf is found in a conf directory of our own
export SUBHOST_CONFDIR=$T_ROOT/confdir
mkdir -p "$SUBHOST_CONFDIR"
printf 'BASE=%s\nSTART= none\nLOG=%s/log\n' "$T_ROOT/$b" "$T_ROOT/$b" > "$SUBHOST_CONFDIR/$b.conf"
bad=$T_ROOT/nowhere/bad.conf

list=$T_ROOT/subhosts.conf
cat > "$list" <<EOF
# This file is used by subhosts boot facility to start overlay-boot(8)
# subhosts upon system boot.  Lines with '#' and blank lines are ignored.

$confa
$bad
	$b
$confx # a trailing comment drops the whole line, as overlay-boot's grep -v '#' did
EOF

# ---- start ----------------------------------------------------------------------
out=$("$SUBHOST" autostart start --list "$list" </dev/null 2>"$T_ROOT/err"); st=$?
err=$(cat "$T_ROOT/err")
is "$st" 1 "start with a bad entry exits 1"
wait_for 20 st_is "$a" status running; ok $? "the first entry ($a, by conf path) runs"
wait_for 20 st_is "$b" status running; ok $? "the entry after the bad one ($b, by name) runs"
like "$out" "(^|"$'\n'")$confa: booted" "stdout: $confa booted" || diag "$out"
like "$out" "(^|"$'\n'")$b: booted" "stdout: $b booted" || diag "$out"
like "$err" "subhost: autostart: $list:5: $bad: No such file or directory" \
	"the bad entry is reported with its list line and why" || diag "$err"
like "$err" "$list:7: ignored: a line with '#' is a comment" "a '#' after an entry drops the line, with a warning"
like "$err" "1 of 3 entries of $list failed" "a summary counts the failures"
gone "$x"; ok $? "the commented-out entry was not booted"

pida=$(st_get "$a" supervisor_pid); pidb=$(st_get "$b" supervisor_pid)
out=$(SUBHOST_LIST=$list "$SUBHOST" autostart start </dev/null 2>/dev/null); st=$?
is "$st" 1 "start again (list from \$SUBHOST_LIST): still 1 for the bad entry"
like "$out" "$confa: already running" "a running entry is left alone" || diag "$out"
is "$(st_get "$a" supervisor_pid) $(st_get "$b" supervisor_pid)" "$pida $pidb" "the running subhosts were not booted again"

# ---- status -------------------------------------------------------------------
"$SUBHOST" boot "$confx" </dev/null; ok $? "boot $x by hand"
out=$("$SUBHOST" autostart status --list "$list" </dev/null); st=$?
is "$st" 3 "status exits 3 while an entry does not run"
like "$(echo "$out" | sed -n 1p)" '^ *LINE +NAME +STATE +PID +ENTRY' "status prints a header"
is "$(echo "$out" | awk 'NR > 1 {print $1, $2, $3}' | tr '\n' ' ')" "4 $a running 5 - bad 6 $b running " \
	"status lists every entry by line: two running, the bad one" || diag "$out"
like "$(echo "$out" | awk '$1 == 4')" " $(st_get "$a" pid) +$confa\$" "status shows pid 1 and the entry"
like "$(echo "$out" | awk '$1 == 5')" "$bad: No such file or directory" "status says why an entry is bad"

# ---- stop ------------------------------------------------------------------------
out=$("$SUBHOST" autostart stop --list "$list" </dev/null 2>&1); st=$?
is "$st" 0 "stop exits 0" || diag "$out"
is "$(echo "$out" | grep -E ': (stopped|not running)$' | tr '\n' ' ')" \
	"$b: stopped $bad: not running $confa: stopped " "stop goes through the list in reverse order"
gone "$a" && gone "$b"; ok $? "the listed subhosts are gone"
no_residue "$a"; no_residue "$b"
st_is "$x" status running; ok $? "a subhost that is not listed keeps running"
out=$("$SUBHOST" autostart status --list "$list" </dev/null); st=$?
is "$st" 3 "status after stop exits 3"
is "$(echo "$out" | awk 'NR > 1 {print $3}' | tr '\n' ' ')" "stopped bad stopped " "status: stopped, bad, stopped"
"$SUBHOST" stop "$x" </dev/null; ok $? "stop $x"

# ---- a conf that went away after the boot: stop still finds its subhost -------
list2=$T_ROOT/list2
echo "$confa" > "$list2"
"$SUBHOST" autostart start --list "$list2" </dev/null >/dev/null; ok $? "start a one-entry list"
is "$("$SUBHOST" autostart status --list "$list2" </dev/null | awk 'NR == 2 {print $3}')" running "status: running"
mv "$confa" "$confa.away"
out=$("$SUBHOST" autostart stop --list "$list2" </dev/null 2>&1); st=$?
is "$st" 0 "stop after its conf was removed exits 0" || diag "$out"
gone "$a"; ok $? "and stopped it: it was matched by the conf path its supervisor recorded"
mv "$confa.away" "$confa"
no_residue "$a"

# ---- boots run N at a time ----------------------------------------------------
# A START command that sleeps 2 s: three boots take >= 6 s one at a time.
p=(); list3=$T_ROOT/list3; : > "$list3"
for i in 1 2 3; do
	n=$(uniq_name asp$i); mk "$n" "START= /slow"; p+=("$n"); echo "$CONF" >> "$list3"
	printf '#!/bin/sh\nexec sleep 2\n' > "$DIR/root/slow"; chmod 755 "$DIR/root/slow"
done
t0=$(date +%s.%N)
"$SUBHOST" autostart start --list "$list3" --jobs 3 </dev/null >/dev/null; ok $? "start three slow boots, --jobs 3"
t3=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
"$SUBHOST" autostart stop --list "$list3" </dev/null >/dev/null; ok $? "stop them"
t0=$(date +%s.%N)
SUBHOST_JOBS=1 "$SUBHOST" autostart start --list "$list3" </dev/null >/dev/null; ok $? "start them again, SUBHOST_JOBS=1"
t1=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
awk -v t="$t1" 'BEGIN { exit !(t >= 6) }'; ok $? "one at a time takes >= 6 s (took $t1 s)"
awk -v t="$t3" 'BEGIN { exit !(t < 5) }'; ok $? "three at a time overlap (took $t3 s)"
"$SUBHOST" autostart stop --list "$list3" </dev/null >/dev/null; ok $? "stop them"
for n in "${p[@]}"; do no_residue "$n"; done

# ---- usage and unreadable lists ---------------------------------------------
out=$("$SUBHOST" autostart start --list "$T_ROOT/nonexistent" </dev/null 2>&1); st=$?
is "$st" 1 "a list given by --list that does not exist: exit 1"
like "$out" "$T_ROOT/nonexistent: No such file or directory" "and the message names it"
"$SUBHOST" autostart restart --list "$list" </dev/null >/dev/null 2>&1; is "$?" 2 "an unknown action exits 2"
"$SUBHOST" autostart </dev/null >/dev/null 2>&1; is "$?" 2 "no action exits 2"
"$SUBHOST" autostart start --jobs 0 --list "$list" </dev/null >/dev/null 2>&1; is "$?" 2 "--jobs 0 exits 2"
SUBHOST_JOBS=x "$SUBHOST" autostart status --list "$list" </dev/null >/dev/null 2>&1; is "$?" 2 "SUBHOST_JOBS=x exits 2"
: > "$T_ROOT/empty"
out=$("$SUBHOST" autostart start --list "$T_ROOT/empty" </dev/null 2>&1); st=$?
is "$st:$out" "0:" "an empty list: nothing to do, exit 0"
is "$("$SUBHOST" autostart status --list "$T_ROOT/empty" </dev/null; echo $?)" \
	"$(printf ' LINE NAME            STATE          PID  ENTRY\n0')" "status of an empty list: a header, exit 0"

done_testing
