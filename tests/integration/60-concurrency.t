#!/bin/bash
# Many boots at once: of one subhost (exactly one wins) and of many
# different subhosts (all succeed, all stop, nothing of any remains).
. "$(dirname "$0")/lib.sh"

# residue_all NAME...: lib.sh's residue for many names, reading the process
# list, links and mount table once (residue forks per process: slow x 50).
residue_all() {
	local links cwds mi name base cg
	links=$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1)
	cwds=$(find /proc/[0-9]*/cwd -maxdepth 0 -printf '%p %l\n' 2>/dev/null)
	mi=$(cat /proc/self/mountinfo)
	for name; do
		base=$T_ROOT/$name
		[ -e "/run/subhost/$name" ] && echo "state dir /run/subhost/$name"
		[ -e "/run/netns/$name" ] && echo "netns /run/netns/$name"
		grep -F " $base" <<<"$mi" | sed 's/^/mount: /'
		for cg in /sys/fs/cgroup/subhost/$name /sys/fs/cgroup/unified/subhost/$name; do
			[ -e "$cg" ] && echo "cgroup $cg"
		done
		grep -x "${name}[0-9]*" <<<"$links" | sed 's/^/interface: /'
		grep -F " $base/live" <<<"$cwds" | grep -E " $base/live\$" | sed 's/^/process in live: /'
	done
	return 0
}

# ---- 20 parallel boots of one subhost ------------------------------------------
n=$(uniq_name one); mk "$n"
for i in $(seq 1 20); do
	( "$SUBHOST" boot "$CONF" </dev/null >"$DIR/boot$i.out" 2>&1; echo $? > "$DIR/boot$i.st" ) &
done
wait
sts=$(cat "$DIR"/boot*.st | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
is "$sts" "0x1 4x19 " "20 parallel boots of one subhost: one exits 0, 19 exit 4" || diag "$(cat "$DIR"/boot*.out | sort | uniq -c)"
is "$(grep -L -x "subhost: $n: already running" $(grep -l -x 4 "$DIR"/boot*.st | sed 's/\.st$/.out/') 2>/dev/null)" "" \
	"every loser says 'already running'"
is "$(st_get "$n" status)" running "the winner runs"
pid=$(st_get "$n" pid)
cg=$(st_get "$n" cgroup)
if [ -n "$cg" ]; then
	is "$(cat "$cg/cgroup.procs" | tr '\n' ' ')" "$pid " "one pid 1 in its cgroup, nothing else"
fi
is "$(pgrep -c -f -x ".*subhost boot $CONF")" 1 "one supervisor holds it"
is "$("$SUBHOST" list </dev/null | awk -v n="$n" '$1 == n' | wc -l)" 1 "list shows it once"
"$SUBHOST" go "$n" -- true </dev/null; ok $? "it works"

# ---- 20 parallel go into it --------------------------------------------------------
for i in $(seq 1 20); do
	( "$SUBHOST" go "$n" -- sh -c "echo $i > /root/go-$i; exit $((i % 5))" </dev/null; echo $? > "$DIR/go$i.st" ) &
done
wait
bad=""
for i in $(seq 1 20); do [ "$(cat "$DIR/go$i.st")" = $((i % 5)) ] || bad+=" $i"; done
is "$bad" "" "20 parallel go: each exits with its own command's status"
is "$(ls "$DIR/root/root" | grep -c '^go-')" 20 "20 parallel go: every write landed in UPPER"

"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"

# ---- 20 parallel stops of one subhost ----------------------------------------------
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n again"
for i in $(seq 1 20); do
	( "$SUBHOST" stop "$n" </dev/null >"$DIR/stop$i.out" 2>&1; echo $? > "$DIR/stop$i.st" ) &
done
wait
bad=$(cat "$DIR"/stop*.st | grep -v -x -e 0 -e 3 | sort | uniq -c)
is "$bad" "" "20 parallel stops: each exits 0 (or 3 once it is gone)" || diag "$(cat "$DIR"/stop*.out | sort | uniq -c)"
like "$(cat "$DIR"/stop*.st | sort -u | tr '\n' ' ')" '^0 ' "at least one stop exits 0"
no_residue "$n"

# ---- 50 different subhosts in parallel ----------------------------------------------
names=()
for i in $(seq 1 50); do
	m=$(printf 'p%02d%s' "$i" "$(uniq_name x | cut -c2-)")    # unique, <= 15 characters
	mk "$m"; names+=("$m")
done
t0=$(date +%s%N)
for m in "${names[@]}"; do
	( "$SUBHOST" boot "$T_ROOT/$m/$m.conf" </dev/null >"$T_ROOT/$m/boot.out" 2>&1; echo $? > "$T_ROOT/$m/boot.st" ) &
done
wait
t1=$(date +%s%N)
bad=""
for m in "${names[@]}"; do [ "$(cat "$T_ROOT/$m/boot.st")" = 0 ] || bad+=" $m($(cat "$T_ROOT/$m/boot.st"): $(cat "$T_ROOT/$m/boot.out"))"; done
is "$bad" "" "50 different subhosts booted in parallel: all exit 0"
diag "50 parallel boots took $(( (t1 - t0) / 1000000 )) ms"
bad=""
for m in "${names[@]}"; do
	[ "$(st_get "$m" status)" = running ] && [ -e "/run/netns/$m" ] || bad+=" $m"
done
is "$bad" "" "all 50 run, each with its netns"
is "$(for m in "${names[@]}"; do st_get "$m" pid; done | sort -u | wc -l)" 50 "50 distinct pid 1s"
is "$("$SUBHOST" list </dev/null | awk 'NR > 1 {print $1}' | grep -c -x -F "$(printf '%s\n' "${names[@]}")")" 50 \
	"list shows all 50"
bad=""
for m in "${names[@]:0:5}"; do
	[ "$("$SUBHOST" go "$m" -- hostname </dev/null)" = "$m" ] || bad+=" $m"
done
is "$bad" "" "go into some of them: each has its own hostname"
for m in "${names[@]}"; do
	( "$SUBHOST" stop "$m" </dev/null >"$T_ROOT/$m/stop.out" 2>&1; echo $? > "$T_ROOT/$m/stop.st" ) &
done
wait
bad=""
for m in "${names[@]}"; do [ "$(cat "$T_ROOT/$m/stop.st")" = 0 ] || bad+=" $m($(cat "$T_ROOT/$m/stop.out"))"; done
is "$bad" "" "all 50 stopped in parallel: every stop exits 0"
left=$(residue_all "${names[@]}")
is "$left" "" "nothing of any of the 50 remains on the host"
is "$(ls /run/subhost 2>/dev/null | grep -c -x -F "$(printf '%s\n' "${names[@]}")")" 0 "no state directory of them remains"

done_testing
