#!/bin/bash
# subhost list [--json] and subhost status NAME [--json].
. "$(dirname "$0")/lib.sh"

# json FILTER-EXPRESSION < JSON: evaluate a Python expression on `d`
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); r=eval(sys.argv[1]); print(r if not isinstance(r,bool) else int(r))' "$1"; }

a=$(uniq_name lsa); mk "$a"; confa=$CONF; dira=$DIR
b=$(uniq_name lsb); mk "$b" "HOSTNAME=host-$b"; confb=$CONF
"$SUBHOST" boot "$confa" </dev/null; ok $? "boot $a"
"$SUBHOST" boot "$confb" </dev/null; ok $? "boot $b"
pida=$(st_get "$a" pid); pidb=$(st_get "$b" pid)

# ---- list ----------------------------------------------------------------------
out=$("$SUBHOST" list </dev/null 2>&1); st=$?
is "$st" 0 "list exits 0"
like "$(echo "$out" | sed -n 1p)" '^NAME +STATE +PID +UPTIME +ROOT +LOWER' "list prints a header"
row=$(echo "$out" | awk -v n="$a" '$1 == n')
is "$(echo "$row" | awk '{print $2, $3}')" "running $pida" "list shows $a running with its pid 1's host pid"
is "$(echo "$row" | awk '{print $5, $6}')" "$dira/live /" "list shows $a's root and lower layers"
like "$(echo "$row" | awk '{print $4}')" '^[0-9]+s$' "list shows an uptime in seconds"
is "$(echo "$out" | awk -v n="$b" '$1 == n {print $2, $3}')" "running $pidb" "list shows $b too"

out=$("$SUBHOST" list --json </dev/null); st=$?
is "$st" 0 "list --json exits 0"
echo "$out" | json 'isinstance(d, list)' | grep -qx 1; ok $? "list --json is a JSON array" || diag "$out"
is "$(echo "$out" | json "[e['state'] for e in d if e['name'] == '$a']")" "['running']" "list --json has $a, running"
is "$(echo "$out" | json "[e['pid'] for e in d if e['name'] == '$a'][0]")" "$pida" "list --json has $a's pid"
is "$(echo "$out" | json "[e['supervisor_pid'] for e in d if e['name'] == '$b'][0]")" "$(st_get "$b" supervisor_pid)" \
	"list --json has $b's supervisor pid"
"$SUBHOST" list extra </dev/null >/dev/null 2>&1; is "$?" 2 "list with an unknown argument exits 2"

# ---- status ----------------------------------------------------------------------
out=$("$SUBHOST" status "$a" </dev/null); st=$?
is "$st" 0 "status $a exits 0"
like "$out" "(^|"$'\n'")state: +running" "status: state running"
like "$out" "(^|"$'\n'")pid: +$pida("$'\n'"|$)" "status: pid"
like "$out" "(^|"$'\n'")upper: +$dira/root" "status: upper"
like "$out" "(^|"$'\n'")netns: +/run/netns/$a" "status: netns"
like "$out" "(^|"$'\n'")boots: +1" "status: boots 1"
like "$(cd / && "$SUBHOST" status "$confb" </dev/null)" "(^|"$'\n'")hostname: +host-$b" "status CONF works and shows HOSTNAME"
is "$("$SUBHOST" go "$b" -- hostname </dev/null)" "host-$b" "HOSTNAME sets the hostname inside"

out=$("$SUBHOST" status --json "$a" </dev/null); st=$?
is "$st" 0 "status --json exits 0"
for k in pid supervisor_pid live upper cgroup lower boots; do
	echo "$out" | json "'$k' in d" | grep -qx 1; ok $? "status --json has $k" || diag "$out"
done
is "$(echo "$out" | json "d['pid']")" "$pida" "status --json: pid"
is "$(echo "$out" | json "d['supervisor_pid']")" "$(st_get "$a" supervisor_pid)" "status --json: supervisor_pid"
is "$(echo "$out" | json "d['live']")" "$dira/live" "status --json: live"
is "$(echo "$out" | json "d['upper']")" "$dira/root" "status --json: upper"
is "$(echo "$out" | json "d['cgroup']")" "$(st_get "$a" cgroup)" "status --json: cgroup"
is "$(echo "$out" | json "d['state']")" running "status --json: state"
is "$(echo "$out" | json "d['boots']")" 1 "status --json: boots"
"$SUBHOST" go "$a" -- sh -c 'sleep 30 >/dev/null 2>&1 &' </dev/null
is "$("$SUBHOST" status --json "$a" </dev/null | json "d['processes']")" 2 "status --json: processes counts pid 1 and a leftover"
out=$("$SUBHOST" status --json "$a" "$b" </dev/null 2>&1); is "$?" 2 "status with two names exits 2"

# ---- after stop --------------------------------------------------------------------
"$SUBHOST" stop "$a" </dev/null; ok $? "stop $a"
no_residue "$a"
out=$("$SUBHOST" list </dev/null 2>&1)
[ -z "$(echo "$out" | awk -v n="$a" '$1 == n')" ]; ok $? "list no longer shows $a"
is "$(echo "$out" | awk -v n="$b" '$1 == n {print $2}')" running "list still shows $b"
is "$("$SUBHOST" list --json </dev/null | json "len([e for e in d if e['name'] == '$a'])")" 0 "list --json no longer has $a"
"$SUBHOST" stop "$b" </dev/null; ok $? "stop $b"
no_residue "$b"

done_testing
