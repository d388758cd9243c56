#!/bin/bash
# Boots that must fail: each with a message that names the problem, the
# documented exit status, and nothing left on the host. Plus the
# "already running" / "not running" statuses of the other commands.
. "$(dirname "$0")/lib.sh"

# cannot DESCRIPTION: a test that needs a missing feature: skip (fail with MUST_WORK=1)
cannot() { if [ "${MUST_WORK:-0}" = 1 ]; then ok 1 "$1 (MUST_WORK=1)"; else skip "$1"; fi; }

# boot_fails NAME EXPECTED-STATUS REGEX DESC: boot $CONF must fail so.
boot_fails() {
	local n=$1 want=$2 re=$3 desc=$4 st
	out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
	is "$st" "$want" "$desc: boot exits $want" || diag "$out"
	like "$out" "$re" "$desc: the message names the problem"
	[ "$(echo "$out" | grep -c .)" -ge 1 ] && [[ $out =~ ^(subhost|overlay-boot):\  ]]
	ok $? "$desc: one 'subhost: ...' message" || diag "$out"
}

# ---- configuration errors: exit 2, nothing touched ---------------------------
n=$(uniq_name lowr); mk "$n" "LOWER=/nonexistent-$n"
boot_fails "$n" 2 "LOWER=/nonexistent-$n does not exist" "nonexistent LOWER"
like "$out" "$n\.conf:[0-9]+" "nonexistent LOWER: the message has file:line"
no_residue "$n"

n=$(uniq_name uppr); mk "$n" "UPPER=upperfile"
touch "$DIR/upperfile"
boot_fails "$n" 2 "UPPER=.*upperfile is not a directory" "UPPER is a file"
no_residue "$n"

n=$(uniq_name live); mk "$n" "LIVE=nolive"
boot_fails "$n" 2 "LIVE=.*nolive does not exist" "missing LIVE"
no_residue "$n"

n=$(uniq_name work); mk "$n" "WORK=tmpwork"
mkdir -p "$DIR/tmpwork"
if mount -t tmpfs -o size=1m "tmpwork-$n" "$DIR/tmpwork"; then
	EXTRA_CLEAN+=("umount '$DIR/tmpwork'")
	boot_fails "$n" 2 "WORK=.*tmpwork is on another filesystem than UPPER" "WORK on another filesystem"
	umount "$DIR/tmpwork"
	no_residue "$n"
else
	cannot "mount a tmpfs for WORK"
fi

n=$(uniq_name rupp); mk "$n"
if mount --bind -o ro "$DIR/root" "$DIR/root" && ! touch "$DIR/root/probe" 2>/dev/null; then
	EXTRA_CLEAN+=("umount '$DIR/root'")
	out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
	[ "$st" != 0 ]; ok $? "read-only UPPER: boot fails (status $st)" || diag "$out"
	like "$out" "UPPER=.*not writable|[Rr]ead-only" "read-only UPPER: the message says UPPER is read-only"
	umount "$DIR/root"
	no_residue "$n"
else
	umount "$DIR/root" 2>/dev/null
	cannot "make a read-only bind mount"
fi

n=$(uniq_name badl); mk "$n"
printf 'START=none\nthis is not a key value line\n' >> "$CONF"
line=$(grep -n 'this is not' "$CONF" | cut -d: -f1)
boot_fails "$n" 2 "$n\.conf:$line: expected KEY=VALUE" "a malformed line"
no_residue "$n"

n=$(uniq_name long); long=${n}abcd   # 16 characters
mk "$n" "NAME=$long"
boot_fails "$n" 2 "name \"$long\" is invalid" "a 16-character NAME"
no_residue "$n"; no_residue "$long"
n=$(uniq_name bad); mk "$n" "NAME=a/b"
boot_fails "$n" 2 'name "a/b" is invalid' "a NAME with a slash"
no_residue "$n"

n=$(uniq_name cmd); mk "$n" "START=!exit 3"
boot_fails "$n" 2 "START.*failed.*exit status 3" "a failing !command value"
like "$out" "$n\.conf:[0-9]+" "a failing !command: the message has file:line"
no_residue "$n"

n=$(uniq_name nob); mk "$n"
sed -i '/^BASE=/d' "$CONF"
boot_fails "$n" 2 "BASE is not set" "no BASE"
no_residue "$n"

# ---- unknown key: a warning, and it boots ----------------------------------
n=$(uniq_name unk); mk "$n" "FROBNICATE_$n=yes"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 0 "an unknown key: boot still exits 0" || diag "$out"
like "$out" "warning: .*$n\.conf:[0-9]+: unknown key FROBNICATE_$n" "an unknown key: a warning with file:line"
is "$(st_get "$n" status)" running "an unknown key: it runs"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"

# ---- runtime failures: exit 1, everything undone ---------------------------
n=$(uniq_name pre); mk "$n" "PREMOUNT=/bin/false"
boot_fails "$n" 1 'PREMOUNT "/bin/false" failed: exit status 1' "a failing PREMOUNT"
no_residue "$n"

n=$(uniq_name post); mk "$n" "POSTMOUNT=/bin/false"
boot_fails "$n" 1 'POSTMOUNT "/bin/false" failed: exit status 1' "a failing POSTMOUNT"
no_residue "$n"

# Hooks that succeed get their argument (UPPER, LIVE) and environment.
n=$(uniq_name hook); mk "$n" "PREMOUNT=./hook.sh pre" "POSTMOUNT=./hook.sh post"
cat > "$DIR/hook.sh" <<'EOF'
#!/bin/sh
echo "$1 arg=$2 NAME=$NAME ACTION=$ACTION pwd=$(pwd)" >> hook.out
if [ "$1" = post ]; then
	stat -f -c "dev=%T" "$2/dev" >> hook.out
	test -c "$2/dev/null" && echo devnull >> hook.out
fi
exit 0
EOF
chmod +x "$DIR/hook.sh"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot with PREMOUNT and POSTMOUNT hooks"
like "$(sed -n 1p "$DIR/hook.out" 2>/dev/null)" "^pre arg=$DIR/root NAME=$n ACTION=overlay-boot pwd=$DIR\$" \
	"PREMOUNT gets UPPER, NAME, ACTION and runs in BASE"
like "$(sed -n 2p "$DIR/hook.out" 2>/dev/null)" "^post arg=$DIR/live NAME=$n " "POSTMOUNT gets LIVE"
like "$(sed -n '3,4p' "$DIR/hook.out" 2>/dev/null | tr '\n' ' ')" "^dev=tmpfs devnull" \
	"POSTMOUNT runs once the root is assembled (LIVE/dev is the new /dev)"
like "$(grep -F " $DIR" /proc/self/mountinfo)" '^$' "the hooks' view of LIVE did not reach the host's mount table"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"

n=$(uniq_name svc); mk "$n" "START= nosuch-service-xyz"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
[ "$st" != 0 ]; ok $? "a START service that does not exist: boot fails (status $st)" || diag "$out"
is "$st" 1 "a START service that does not exist: status 1"
like "$out" "nosuch-service-xyz" "the message names the service"
no_residue "$n"

n=$(uniq_name svc2); mk "$n" "START= /bin/true /bin/false"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 1 "a START command that fails: boot exits 1" || diag "$out"
like "$out" "/bin/false" "the message names the command"
no_residue "$n"

n=$(uniq_name init); mk "$n"
out=$(SUBHOST_INIT=/nonexistent/subhost-init "$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 1 "a missing pid 1 program: boot exits 1" || diag "$out"
like "$out" "^subhost: $n: .*/nonexistent/subhost-init" "the message names the program"
no_residue "$n"

# ---- a foreign network namespace of the same name ----------------------------
n=$(uniq_name nns); mk "$n"
if ip netns add "$n"; then
	EXTRA_CLEAN+=("ip netns del '$n'")
	ip -n "$n" link add "fgn$n" type dummy 2>/dev/null || ip -n "$n" link set lo up
	before=$(ip -n "$n" -o link show | awk -F': ' '{print $2}' | sort | tr '\n' ' ')
	boot_fails "$n" 1 "network namespace /run/netns/$n already exists" "netns name collision"
	check "the foreign netns is still there" -- test -e "/run/netns/$n"
	is "$(ip -n "$n" -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort | tr '\n' ' ')" "$before" \
		"the foreign netns is untouched"
	check "no state of $n" -- test ! -e "/run/subhost/$n"
	ip netns del "$n"; ok $? "delete the foreign netns"
	no_residue "$n"
else
	cannot "ip netns add"
fi

# ---- already running / not running -----------------------------------------
n=$(uniq_name twice); mk "$n"
"$SUBHOST" boot "$CONF" </dev/null; ok $? "boot $n"
pid=$(st_get "$n" pid)
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 4 "a second boot exits 4"
is "$out" "subhost: $n: already running" "a second boot says already running"
is "$(st_get "$n" pid)" "$pid" "the running subhost is untouched"
out=$("$SUBHOST" run "$CONF" -- true </dev/null 2>&1); st=$?
is "$st" 4 "run of a running subhost exits 4" || diag "$out"
"$SUBHOST" go "$n" -- true </dev/null; ok $? "it still works"
"$SUBHOST" stop "$n" </dev/null; ok $? "stop"
no_residue "$n"
out=$("$SUBHOST" stop "$n" </dev/null 2>&1); st=$?
is "$st" 3 "stop of a stopped subhost exits 3"
is "$out" "subhost: $n: not running" "stop says not running"
out=$("$SUBHOST" go "$n" -- true </dev/null 2>&1); st=$?
is "$st" 3 "go into a stopped subhost exits 3"
is "$out" "subhost: $n: not running" "go says not running"
out=$("$SUBHOST" status "$n" </dev/null 2>&1); st=$?
is "$st" 3 "status of a stopped subhost exits 3"
is "$out" "subhost: $n: not running" "status says not running"
"$SUBHOST" status --json "$n" </dev/null >/dev/null 2>&1; is "$?" 3 "status --json of a stopped subhost exits 3"
no_residue "$n" "the not-running commands created nothing"
"$SUBHOST" go "bad/name" -- true </dev/null >/dev/null 2>&1; is "$?" 2 "go with an invalid name exits 2"
"$SUBHOST" status "$(printf 'x%.0s' {1..16})" </dev/null >/dev/null 2>&1; is "$?" 2 "status with a 16-character name exits 2"

# ---- a START service that never finishes: boot --timeout fails and undoes --
n=$(uniq_name hng)
mk "$n" "START= /hang-forever"
printf '#!/bin/sh\nexec sleep 600\n' > "$DIR/root/hang-forever"; chmod 755 "$DIR/root/hang-forever"
t0=$(date +%s)
out=$("$SUBHOST" boot --timeout 1 "$CONF" </dev/null 2>&1); st=$?
is "$st" 1 "boot --timeout 1 with a hanging START service exits 1"
like "$out" "not ready after 1 s" "and says why" || diag "$out"
[ $(( $(date +%s) - t0 )) -lt 10 ]
ok $? "within the timeout, not after the service"
no_residue "$n"
"$SUBHOST" boot --timeout x "$CONF" </dev/null >/dev/null 2>&1
is "$?" 2 "boot --timeout with a non-number is a usage error"

done_testing
