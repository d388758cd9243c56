#!/bin/bash
# cgroup limits on this hybrid host (v1 controllers, v2 grouping): memory,
# pids and CPU hold inside the subhost, also for `subhost go`; bad values
# are configuration errors; nothing of the subhost's groups remains after.
. "$(dirname "$0")/lib.sh"

v1() {          # v1 CONTROLLER: the mount point of that v1 hierarchy
	awk -v c="$1" '$9 == "cgroup" { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $5 }' \
		/proc/self/mountinfo | head -1
}
no_groups() {   # no_groups NAME: no cgroup directory of NAME in any hierarchy
	local left
	left=$(find /sys/fs/cgroup -maxdepth 4 -type d -path "*/subhost/$1" 2>/dev/null)
	[ -z "$left" ]; ok $? "no cgroup directory of $1 remains in any hierarchy" || diag "$left"
}
needs "python3 on the host (used inside)" -- command -v python3 || { done_testing; exit; }

# ---- MEMORY_MAX -------------------------------------------------------------
n=$(uniq_name mem)
mk "$n" "MEMORY_MAX= 64M"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot with MEMORY_MAX=64M"
if mm=$(v1 memory) && [ -n "$mm" ]; then
	is "$(cat "$mm/subhost/$n/memory.limit_in_bytes" 2>/dev/null)" 67108864 "the v1 memory group holds the limit"
else
	is "$(cat "/sys/fs/cgroup/subhost/$n/memory.max" 2>/dev/null)" 67108864 "memory.max holds the limit"
fi
in_sh "$n" 'python3 -c "b = bytearray(200 << 20); print(len(b))"' >/dev/null 2>&1; st=$?
is "$st" 137 "a 200 MB allocation inside is killed (SIGKILL: the OOM killer)"
is "$(st_get "$n" status)" running "the subhost keeps running"
is "$(in_sh "$n" 'echo alive')" alive "and still answers"
python3 -c 'b = bytearray(200 << 20)'
ok $? "the host itself can still allocate 200 MB"
"$SUBHOST" stop "$n"
ok $? "stop"
no_residue "$n"; no_groups "$n"

# ---- PIDS_MAX ---------------------------------------------------------------
n=$(uniq_name pid)
mk "$n" "PIDS_MAX= 50"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot with PIDS_MAX=50"
out=$(in_sh "$n" 'n=0; while [ $n -lt 120 ]; do sleep 30 </dev/null >/dev/null 2>&1 & n=$((n+1)); done 2>&1 | tail -1; echo started') 2>&1
pm=$(v1 pids)
cur=$(cat "$pm/subhost/$n/pids.current" 2>/dev/null || cat "/sys/fs/cgroup/subhost/$n/pids.current" 2>/dev/null)
[ -n "$cur" ] && [ "$cur" -le 50 ]
ok $? "a fork loop of 120 sleeps is held at 50 processes (now $cur)"
like "$out" "fork|resource|Resource|again" "and the shell was refused further forks" || diag "$out"
t0=$(date +%s%N)
"$SUBHOST" stop --timeout 10 "$n"
ok $? "stop still works"
[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 8000 ]
ok $? "and promptly"
no_residue "$n"; no_groups "$n"

# ---- CPU_MAX ----------------------------------------------------------------
n=$(uniq_name cpu)
mk "$n" "CPU_MAX= 20%"
"$SUBHOST" boot "$CONF" </dev/null
ok $? "boot with CPU_MAX=20%"
cg=$(st_get "$n" cgroup)
usage() { awk '$1 == "usage_usec" { print $2 }' "$cg/cpu.stat"; }
"$SUBHOST" go "$n" -- sh -c 'while :; do :; done' </dev/null & busy=$!
sleep 0.5
u0=$(usage); t0=$(date +%s%N)
sleep 5
u1=$(usage); t1=$(date +%s%N)
kill "$busy" 2>/dev/null
pct=$(( (u1 - u0) * 100000 / ((t1 - t0) / 1000) / 1000 ))
[ "$pct" -ge 15 ] && [ "$pct" -le 25 ]
ok $? "a busy loop started with go is held to 20% ±5 of one CPU (measured $pct%)"
"$SUBHOST" stop "$n"
no_residue "$n"; no_groups "$n"

# ---- bad values -------------------------------------------------------------
for bad in "MEMORY_MAX= lots" "CPU_MAX= 150" "PIDS_MAX= 0" "CPU_WEIGHT= 20000"; do
	n=$(uniq_name bad)
	mk "$n" "$bad"
	out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
	is "$st" 2 "$bad: exit 2"
	like "$out" "$n\\.conf:[0-9]+: .*expected" "$bad: the message names file, line and what was expected" || diag "$out"
	no_residue "$n"
done

done_testing
