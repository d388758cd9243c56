#!/bin/bash
# Networking (SPEC 2 CABLES/BRIDGES/ADDRESS/GATEWAY, net.c): cables on a
# bridge of the test's own, static addressing from the host, a real
# service (nginx) reached from another network namespace, MACs, the
# status counters, /etc/network/interfaces, the pretend-boot BRIDGES
# form, VLANs, validation errors, quick reboot cycles and reboot from
# inside.
#
# Traffic stays between network namespaces made here: a private bridge
# with no address (the host's own namespace gets no 10.x address), a
# "client" netns with one veth on it, and the subhosts.  The 10.x/24 is
# drawn at random per run.
. "$(dirname "$0")/lib.sh"

command -v ip >/dev/null || skip_all "needs iproute2"

NET=10.$((RANDOM % 200 + 20)).$((RANDOM % 250))      # this run's 10.a.b (a /24)
BR=shbr$RANDOM                                      # the test's bridge
CL=shcl$RANDOM                                      # the client netns
CLV=shcv$RANDOM                                     # its veth's host end
BR2=                                                # a second bridge, made on demand

# ---- the test's side: bridge and client netns ------------------------------------
ip link add "$BR" type bridge || skip_all "cannot create a bridge"
EXTRA_CLEAN+=("ip link del '$BR'")
ip link set "$BR" up
ip netns add "$CL" || skip_all "cannot create a network namespace"
EXTRA_CLEAN+=("ip netns del '$CL'" "ip link del '$CLV'")
ip link add "$CLV" type veth peer name c0 netns "$CL" &&
	ip link set "$CLV" master "$BR" up &&
	ip -n "$CL" link set lo up &&
	ip -n "$CL" addr add "$NET.3/24" dev c0 &&
	ip -n "$CL" link set c0 up
ok $? "the client netns $CL ($NET.3/24) is on bridge $BR" || { done_testing; exit; }
check "the host namespace has no address in $NET.0/24" -- \
	sh -c "! ip -o addr show | grep -qF ' $NET.'"
cl() { ip netns exec "$CL" "$@"; }

master_of() { basename "$(readlink "/sys/class/net/$1/master" 2>/dev/null)" 2>/dev/null; }
mac_in() { "$SUBHOST" go "$1" -- cat "/sys/class/net/${2:-eth0}/address" </dev/null 2>/dev/null; }
# jget NAME EXPR: a python expression over j = `status NAME --json`
jget() {
	"$SUBHOST" status "$1" --json </dev/null 2>/dev/null |
		python3 -c "import json,sys
j=json.load(sys.stdin)
print($2)" 2>/dev/null
}
boot_ok() {     # boot_ok NAME: boot $CONF, ok, diag the log on failure
	local out
	out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1)
	ok $? "boot $1" || { diag "$out" "$(tail -20 "$T_ROOT/$1/log" 2>/dev/null)"; return 1; }
}
stop_ok() { "$SUBHOST" stop "$1" </dev/null; ok $? "stop $1"; }
# boot_fails NAME EXPECTED-STATUS REGEX DESC: boot $CONF must fail so.
boot_fails() {
	local n=$1 want=$2 re=$3 desc=$4 st
	out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
	is "$st" "$want" "$desc: boot exits $want" || diag "$out"
	like "$out" "$re" "$desc: the message names the problem"
	[[ $out =~ ^subhost:\  ]]; ok $? "$desc: a 'subhost: ...' message" || diag "$out"
}
brports() { ls "/sys/class/net/$BR/brif" 2>/dev/null | sort | tr '\n' ' '; }
ports0=$(brports)

# ---- 1. nginx in a subhost, fetched from the client netns ---------------------------
n=$(uniq_name web)
if needs "nginx (nginx-light) installed on the host" -- test -x /etc/init.d/nginx -a -x /usr/sbin/nginx &&
   needs "curl on the host" -- command -v curl; then
	mk "$n" "CABLES= $BR=" "ADDRESS= eth0=$NET.2/24" "GATEWAY= $NET.1" "START= nginx"
	if boot_ok "$n"; then
		like "$(ip netns exec "$n" ip -o -4 addr show dev eth0 2>/dev/null)" "inet $NET\.2/24" \
			"ADDRESS: eth0 has $NET.2/24 inside"
		like "$(ip netns exec "$n" ip route show default 2>/dev/null)" "^default via $NET\.1 dev eth0" \
			"GATEWAY: the default route is via $NET.1 on eth0"
		is "$(master_of "${n}0")" "$BR" "${n}0 is enslaved to $BR"
		head -c 20000 /dev/urandom > "$T_ROOT/x.html"
		"$SUBHOST" go "$n" -- sh -c 'cat > /var/www/html/x.html' < "$T_ROOT/x.html"
		ok $? "write /var/www/html/x.html inside"
		"$SUBHOST" go "$n" -- cat /var/www/html/x.html </dev/null > "$T_ROOT/x.inside"
		check "the file inside is the one written" -- cmp -s "$T_ROOT/x.html" "$T_ROOT/x.inside"
		wait_for 50 cl curl -s -o /dev/null --max-time 2 "http://$NET.2/"
		cl curl -s --max-time 5 -o "$T_ROOT/x.got" -w '%{http_code}' "http://$NET.2/x.html" > "$T_ROOT/x.code"
		ok $? "curl from $CL fetches http://$NET.2/x.html" || diag "$(tail -5 "$DIR/log")"
		is "$(cat "$T_ROOT/x.code")" 200 "HTTP status 200"
		check "the fetched file is byte for byte the one inside" -- cmp "$T_ROOT/x.got" "$T_ROOT/x.inside"
		check "the file landed in UPPER" -- cmp -s "$DIR/root/var/www/html/x.html" "$T_ROOT/x.html"
		check "the host's /var/www/html/x.html does not exist" -- test ! -e /var/www/html/x.html
		code=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1/x.html" 2>/dev/null)
		[ "$code" != 200 ]; ok $? "the host's own loopback does not serve the subhost's x.html ($code)"
		stop_ok "$n"
	fi
	no_residue "$n"
fi

# ---- 2. two subhosts on one bridge, configured MACs ---------------------------------
a=$(uniq_name pa); b=$(uniq_name pb)
MACA=02:aa:bb:cc:dd:01 MACB=02:aa:bb:cc:dd:02
mk "$a" "CABLES= $BR=$MACA" "ADDRESS= eth0=$NET.11/24"; CA=$CONF DA=$DIR
mk "$b" "CABLES= $BR=$MACB" "ADDRESS= eth0=$NET.12/24"; CB=$CONF
CONF=$CA; boot_ok "$a"
CONF=$CB; boot_ok "$b"
is "$(mac_in "$a")" "$MACA" "$a: eth0's MAC inside is the configured $MACA"
is "$(mac_in "$b")" "$MACB" "$b: eth0's MAC inside is the configured $MACB"
for x in "$a" "$b"; do
	like "$(ip -o link show "${x}0" 2>/dev/null)" "master $BR state UP" \
		"${x}0 exists on the host, up, master $BR"
	is "$(master_of "${x}0")" "$BR" "/sys/class/net/${x}0/master is $BR"
	is "$("$SUBHOST" go "$x" -- cat /sys/class/net/eth0/operstate </dev/null)" up "$x: eth0 is up inside"
	is "$("$SUBHOST" go "$x" -- sh -c 'ls /sys/class/net | sort | tr "\n" " "' </dev/null)" "eth0 lo " \
		"$x: inside there are only lo and eth0"
done
check "with ADDRESS no /etc/network/interfaces is written into UPPER" -- test ! -e "$DA/root/etc/network/interfaces"
rx0=$(jget "$a" 'j["cables"][0]["rx_bytes"]')
if "$SUBHOST" go "$a" -- sh -c 'command -v ping' </dev/null >/dev/null; then
	"$SUBHOST" go "$a" -- ping -c1 -W2 "$NET.12" </dev/null >/dev/null
	ok $? "$a pings $b ($NET.12)"
	"$SUBHOST" go "$b" -- ping -c3 -i0.2 -W2 "$NET.11" </dev/null >/dev/null
	ok $? "$b pings $a ($NET.11)"
	"$SUBHOST" go "$a" -- ping -c3 -i0.2 -W2 "$NET.12" </dev/null >/dev/null
	ok $? "$a pings $b again (3 packets)"
else
	# no ping inside: a TCP connection through bash's /dev/tcp to a listener
	"$SUBHOST" go "$b" -- sh -c "timeout 5 nc -l -p 7 >/dev/null &" </dev/null
	"$SUBHOST" go "$a" -- timeout 5 bash -c "echo hi > /dev/tcp/$NET.12/7" </dev/null
	ok $? "$a reaches $b ($NET.12:7) over TCP"
fi
cl ping -c1 -W2 "$NET.11" >/dev/null; ok $? "the client netns pings $a"
neigh=$("$SUBHOST" go "$b" -- ip neigh show "$NET.11" </dev/null 2>/dev/null)
like "$neigh" "lladdr $MACA" "$b sees $a's configured MAC in its neighbour table"
# status --json
js=$("$SUBHOST" status "$a" --json </dev/null); ok $? "status $a --json"
is "$(jget "$a" 'len(j["cables"])')" 1 "status --json: one cable"
is "$(jget "$a" 'j["cables"][0]["host"]')" "${a}0" "status --json: host end ${a}0"
is "$(jget "$a" 'j["cables"][0]["inside"]')" eth0 "status --json: inside eth0"
is "$(jget "$a" 'j["cables"][0]["bridge"]')" "$BR" "status --json: bridge $BR"
is "$(jget "$a" 'j["cables"][0]["mac"]')" "$MACA" "status --json: mac $MACA"
is "$(jget "$a" 'all(isinstance(j["cables"][0][k], int) for k in ("rx_bytes", "tx_bytes"))')" True \
	"status --json: rx_bytes and tx_bytes are integers" || diag "$js"
s0=$(cat "/sys/class/net/${a}0/statistics/rx_bytes")
rx1=$(jget "$a" 'j["cables"][0]["rx_bytes"]'); tx1=$(jget "$a" 'j["cables"][0]["tx_bytes"]')
s1=$(cat "/sys/class/net/${a}0/statistics/rx_bytes")
[ -n "$rx0" ] && [ -n "$rx1" ] && [ "$rx1" -gt "$rx0" ]
ok $? "status --json: rx_bytes grows with traffic ($rx0 -> $rx1)"
[ -n "$rx1" ] && [ "$s0" -le "$rx1" ] && [ "$rx1" -le "$s1" ]
ok $? "rx_bytes is the host end's counter ($s0 <= $rx1 <= $s1)"
[ -n "$tx1" ] && [ "$tx1" -gt 0 ]; ok $? "status --json: tx_bytes > 0 ($tx1)"
like "$("$SUBHOST" status "$a" </dev/null)" "eth0 <-> ${a}0.*$BR.*$MACA" "status (text) shows the cable"
like "$("$SUBHOST" list --json </dev/null)" "\"host\":\"${a}0\"" "list --json shows the cable"
stop_ok "$a"
no_residue "$a"
is "$(master_of "${b}0")" "$BR" "$b's cable is untouched by $a's stop"
"$SUBHOST" go "$b" -- cat /sys/class/net/eth0/operstate </dev/null >/dev/null; ok $? "$b still works"
stop_ok "$b"
no_residue "$b"
is "$(brports)" "$ports0" "the bridge has only the test's own ports again"

# ---- 2b. two cables in one subhost; status with a cable deleted by hand ----------------
n=$(uniq_name two); mk "$n" "CABLES= = $BR=" "ADDRESS= eth1=$NET.21/24" "GATEWAY= $NET.1"
if boot_ok "$n"; then
	is "$("$SUBHOST" go "$n" -- sh -c 'ls /sys/class/net | sort | tr "\n" " "' </dev/null)" "eth0 eth1 lo " \
		"two cables: eth0 and eth1 inside"
	is "$(master_of "${n}0"),$(master_of "${n}1")" ",$BR" "${n}0 has no bridge, ${n}1 is on $BR"
	like "$(ip netns exec "$n" ip route show default 2>/dev/null)" "^default via $NET\.1 dev eth1" \
		"GATEWAY goes on eth1, the cable whose ADDRESS subnet holds it"
	cl ping -c1 -W2 "$NET.21" >/dev/null; ok $? "the client pings eth1 ($NET.21)"
	is "$(jget "$n" '" ".join(c["host"] + "/" + c["inside"] + "/" + c["bridge"] for c in j["cables"])')" \
		"${n}0/eth0/ ${n}1/eth1/$BR" "status --json lists both cables"
	# the host admin deletes the first cable: status must still print valid JSON
	ip link del "${n}0"
	wait_for 10 sh -c "! ip netns exec '$n' ip link show eth0 >/dev/null 2>&1"
	js=$("$SUBHOST" status "$n" --json </dev/null)
	echo "$js" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null
	ok $? "status --json is valid JSON after ${n}0 was deleted by hand" || diag "$js"
	like "$js" "\"host\":\"${n}1\"" "and it still shows ${n}1"
	stop_ok "$n"
fi
no_residue "$n"

# ---- 3. /etc/network/interfaces without ADDRESS -------------------------------------
n=$(uniq_name ifs); mk "$n" "CABLES= $BR="
if boot_ok "$n"; then
	f=$DIR/root/etc/network/interfaces
	check "UPPER/etc/network/interfaces was written" -- test -f "$f"
	for l in "auto lo" "iface lo inet loopback" "auto eth0" "iface eth0 inet manual"; do
		grep -qx "$l" "$f" 2>/dev/null; ok $? "it has '$l'" || diag "$(cat "$f" 2>/dev/null)"
	done
	grep -q eth1 "$f" 2>/dev/null; [ $? != 0 ]; ok $? "and no eth1 (one cable)"
	is "$(stat -c %a "$f" 2>/dev/null)" 644 "it is mode 644"
	is "$("$SUBHOST" go "$n" -- cat /etc/network/interfaces </dev/null)" "$(cat "$f" 2>/dev/null)" \
		"the subhost sees it at /etc/network/interfaces"
	is "$(ip netns exec "$n" ip -o -4 addr show dev eth0 2>/dev/null)" "" "without ADDRESS eth0 has no IPv4 address"
	stop_ok "$n"
fi
no_residue "$n"
n=$(uniq_name ifk); mk "$n" "CABLES= $BR= =02:aa:bb:cc:dd:03"
mkdir -p "$DIR/root/etc/network"
printf '# mine, keep it\nauto lo\niface lo inet loopback\n' > "$DIR/root/etc/network/interfaces"
chmod 600 "$DIR/root/etc/network/interfaces"
cp -p "$DIR/root/etc/network/interfaces" "$DIR/interfaces.orig"
if boot_ok "$n"; then
	check "an existing UPPER/etc/network/interfaces is left untouched (content)" -- \
		cmp "$DIR/root/etc/network/interfaces" "$DIR/interfaces.orig"
	is "$(stat -c %a "$DIR/root/etc/network/interfaces")" 600 "and mode"
	stop_ok "$n"
fi
no_residue "$n"

# ---- 4. the tiny form: CABLES= = ------------------------------------------------------
n=$(uniq_name tiny); mk "$n" "CABLES= ="
if boot_ok "$n"; then
	like "$(ip -o link show "${n}0" 2>/dev/null)" "state UP" "${n}0 exists on the host and is up"
	is "$(master_of "${n}0")" "" "${n}0 has no master"
	is "$("$SUBHOST" go "$n" -- cat /sys/class/net/eth0/operstate </dev/null)" up "eth0 is up inside"
	m1=$(mac_in "$n")
	like "$m1" '^[0-9a-f][26ae](:[0-9a-f]{2}){5}$' "eth0's MAC ($m1) is unicast, locally administered"
	h1=$(cat "/sys/class/net/${n}0/address" 2>/dev/null)
	like "$h1" '^[0-9a-f][26ae](:[0-9a-f]{2}){5}$' "${n}0's MAC ($h1) is unicast, locally administered"
	[ "$m1" != "$h1" ]; ok $? "the two ends have different MACs"
	is "$(jget "$n" 'j["cables"][0]["bridge"]')" "" "status --json: no bridge"
	stop_ok "$n"
	wait_for 10 sh -c "! ip link show '${n}0' >/dev/null 2>&1"
	boot_ok "$n"
	is "$(mac_in "$n")" "$m1" "after a new boot eth0 has the same MAC (stable)"
	is "$(cat "/sys/class/net/${n}0/address" 2>/dev/null)" "$h1" "and ${n}0 too"
	stop_ok "$n"
fi
no_residue "$n"

# ---- 5. BRIDGES=( BR:MAC ), the pretend-boot form -------------------------------------
n=$(uniq_name brs); MAC5=02:aa:bb:cc:dd:05
mk "$n" "BRIDGES=( $BR:$MAC5 )" "ADDRESS= eth0=$NET.5/24"
if boot_ok "$n"; then
	is "$(mac_in "$n")" "$MAC5" "BRIDGES: eth0's MAC inside is $MAC5"
	is "$(master_of "${n}0")" "$BR" "BRIDGES: ${n}0 is enslaved to $BR"
	like "$(ip -o link show "${n}0" 2>/dev/null)" "state UP" "BRIDGES: ${n}0 is up"
	cl ping -c1 -W2 "$NET.5" >/dev/null; ok $? "BRIDGES: the client netns pings $NET.5"
	is "$(jget "$n" 'j["cables"][0]["host"] + " " + j["cables"][0]["bridge"] + " " + j["cables"][0]["mac"]')" \
		"${n}0 $BR $MAC5" "BRIDGES: status --json shows host, bridge, mac"
	stop_ok "$n"
fi
no_residue "$n"
n=$(uniq_name brb); mk "$n" "BRIDGES=( $BR:02:aa:bb:cc:dd:06 )" "CABLES= $BR="
boot_fails "$n" 2 "both CABLES .* and BRIDGES" "CABLES and BRIDGES together"
no_residue "$n"

# ---- 6. VLAN cables -------------------------------------------------------------------
vp=shvp$RANDOM
vlan_ok=0
if ip link add "$vp" type veth peer name "${vp}p" 2>/dev/null; then
	ip link add link "$vp" name "$vp.7" type vlan id 7 2>/dev/null && vlan_ok=1
	ip link del "$vp" 2>/dev/null
fi
n=$(uniq_name vl)
if [ "$vlan_ok" = 0 ]; then
	# no 802.1Q in this kernel: the boot must fail, say so, and undo everything
	mk "$n" "CABLES= $BR= =.7"
	boot_fails "$n" 1 "VLAN ${n}0\.7 on ${n}0.*802\.1Q" "VLAN without kernel support"
	like "$out" "cable 1 \(line [0-9]+\)" "VLAN without kernel support: the message names the cable and line"
	no_residue "$n"
	is "$(brports)" "$ports0" "VLAN without kernel support: no port left on $BR"
	skip "tagged traffic over a VLAN cable: this kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q)"
else
	# NAME0 without a bridge carries VLAN 7 tagged; NAME0.7 is on $BR, so the
	# client's untagged frames reach eth0.7 inside, tagged on the cable.
	# (A VLAN on a bridge port would take the tagged frames before the bridge.)
	mk "$n" "CABLES= = $BR=.7"
	if boot_ok "$n"; then
		like "$(ip -d -o link show "${n}0.7" 2>/dev/null)" "vlan protocol 802\.1Q id 7" "${n}0.7 is VLAN 7"
		like "$(ip -o link show "${n}0.7" 2>/dev/null)" "@${n}0:" "on ${n}0"
		like "$(ip -o link show "${n}0.7" 2>/dev/null)" "master $BR" "${n}0.7 is enslaved to $BR"
		like "$(ip -o link show "${n}0.7" 2>/dev/null)" "state UP|,UP" "${n}0.7 is up"
		is "$(master_of "${n}0")" "" "${n}0 has no master"
		is "$("$SUBHOST" go "$n" -- sh -c 'ls /sys/class/net | sort | tr "\n" " "' </dev/null)" "eth0 lo " \
			"inside: only eth0 (the VLAN takes no inside index)"
		VNET=10.$((RANDOM % 200 + 20)).$((RANDOM % 250))
		cl ip addr add "$VNET.3/24" dev c0
		"$SUBHOST" go "$n" -- sh -c "ip link add link eth0 name eth0.7 type vlan id 7 &&
			ip addr add $VNET.2/24 dev eth0.7 && ip link set eth0.7 up" </dev/null
		ok $? "inside: make eth0.7 with $VNET.2/24"
		cl ping -c1 -W2 "$VNET.2" >/dev/null; ok $? "the client reaches eth0.7 inside through ${n}0.7 (tagged on the cable)"
		cl ip addr del "$VNET.3/24" dev c0
		stop_ok "$n"
	fi
	no_residue "$n"
fi
n=$(uniq_name vl0); mk "$n" "CABLES= =.7"
boot_fails "$n" 2 "VLAN needs a previous cable" "a VLAN as the first cable"
no_residue "$n"

# ---- 7. validation errors --------------------------------------------------------------
nobr=shnb$RANDOM
n=$(uniq_name nbr); mk "$n" "CABLES= $nobr="
boot_fails "$n" 1 "bridge $nobr does not exist" "missing bridge"
like "$out" "cable 0 \(line [0-9]+\)" "missing bridge: the message names the cable and line"
no_residue "$n"

n=$(uniq_name nbr); mk "$n" "CABLES= $CLV="
boot_fails "$n" 1 "$CLV is not a bridge" "a 'bridge' that is a veth"
no_residue "$n"

# a host interface named NAME0 that is not ours: a veth pair on the host
n=$(uniq_name tkn); mk "$n" "CABLES= $BR="
ip link add "${n}0" type veth peer name "${n}p"
EXTRA_CLEAN+=("ip link del '${n}0'")
ifx0=$(ip -o link show "${n}0" 2>/dev/null | cut -d: -f1)
boot_fails "$n" 1 "host interface ${n}0 already exists" "host interface name taken"
is "$(ip -o link show "${n}0" 2>/dev/null | cut -d: -f1)" "$ifx0" "the foreign ${n}0 is untouched (same ifindex)"
is "$(master_of "${n}0")" "" "and not enslaved to $BR"
check "no netns $n was left" -- test ! -e "/run/netns/$n"
ip link del "${n}0"
no_residue "$n"

# the same, with the foreign veth's other end in a live netns (looks like a stale cable)
n=$(uniq_name tkm); mk "$n" "CABLES= $BR="
ip link add "${n}0" type veth peer name "${n}p" netns "$CL"
EXTRA_CLEAN+=("ip link del '${n}0'")
ifx0=$(ip -o link show "${n}0" 2>/dev/null | cut -d: -f1)
t0=$(date +%s%N)
boot_fails "$n" 1 "host interface ${n}0 already exists.*still in use" "host interface taken, its peer in a live netns"
t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -lt 5000 ]; ok $? "it gives up within 5 s ($(( (t1 - t0) / 1000000 )) ms)"
is "$(ip -o link show "${n}0" 2>/dev/null | cut -d: -f1)" "$ifx0" "the foreign ${n}0 is untouched"
ip link del "${n}0"
no_residue "$n"

n=$(uniq_name lnam)xyz; mk "$n" "CABLES= $BR="      # 15 characters: NAME0 would be 16
is "${#n}" 15 "a 15-character name ($n)"
boot_fails "$n" 2 "NAME \"$n\" is too long for host interface names" "15-character NAME with a cable"
like "$out" "\.conf(:[0-9]+)?: " "15-character NAME: the message has the file"
no_residue "$n"
n=$(uniq_name lnam)xy; mk "$n" "CABLES= $BR="       # 14 characters: NAME0 is exactly 15
if boot_ok "$n"; then
	is "$(master_of "${n}0")" "$BR" "a 14-character name: ${n}0 (15 characters) is on $BR"
	stop_ok "$n"
fi
no_residue "$n"
n=$(uniq_name lnam)xyz; mk "$n"          # 15 characters, no cable: fine
if boot_ok "$n"; then stop_ok "$n"; fi
no_residue "$n"

n=$(uniq_name mac); mk "$n" "CABLES= $BR=02:aa:bb:cc:dd"
boot_fails "$n" 2 "MAC" "malformed MAC"
like "$out" "$n\.conf:[0-9]+: .*02:aa:bb:cc:dd" "malformed MAC: file:line and the MAC"
no_residue "$n"
n=$(uniq_name mac); mk "$n" "CABLES= $BR=03:aa:bb:cc:dd:01"
boot_fails "$n" 2 "unicast" "multicast MAC"
like "$out" "$n\.conf:[0-9]+: " "multicast MAC: file:line"
no_residue "$n"
n=$(uniq_name mac); mk "$n" "CABLES= $BR=02:aa:bb:cc:dd:0g"
boot_fails "$n" 2 "MAC" "MAC with a non-hex digit"
no_residue "$n"
n=$(uniq_name dup); mk "$n" "CABLES= $BR=02:aa:bb:cc:dd:07 $BR=02:AA:BB:CC:DD:07"
boot_fails "$n" 2 "MAC 02:aa:bb:cc:dd:07 is used twice|also cable" "duplicate MAC"
like "$out" "$n\.conf:[0-9]+: " "duplicate MAC: file:line"
no_residue "$n"

for bad in "eth0=$NET.300/24" "eth0=$NET.2/33" "eth0=$NET.2/x" "eth0=foo/24" "eth=$NET.2/24" "eth00=$NET.2/24"; do
	n=$(uniq_name cidr); mk "$n" "CABLES= $BR=" "ADDRESS= $bad"
	boot_fails "$n" 2 "ADDRESS entry \"${bad//./\\.}\" is malformed" "malformed ADDRESS $bad"
	like "$out" "$n\.conf:[0-9]+: " "malformed ADDRESS $bad: file:line"
	no_residue "$n"
done
n=$(uniq_name eth1); mk "$n" "CABLES= $BR=" "ADDRESS= eth1=$NET.2/24"
boot_fails "$n" 2 "there is no eth1" "ADDRESS for a cable that does not exist"
no_residue "$n"
n=$(uniq_name gw); mk "$n" "CABLES= $BR=" "ADDRESS= eth0=$NET.2/24" "GATEWAY= 10.255.255.1"
boot_fails "$n" 2 "GATEWAY 10\.255\.255\.1 is not inside the subnet" "GATEWAY outside every ADDRESS subnet"
no_residue "$n"
n=$(uniq_name gw); mk "$n" "CABLES= $BR=" "ADDRESS= eth0=$NET.2/24" "GATEWAY= $NET.999"
boot_fails "$n" 2 "GATEWAY=.* is malformed" "malformed GATEWAY"
no_residue "$n"
n=$(uniq_name dupa); mk "$n" "CABLES= $BR=" "ADDRESS= eth0=$NET.2/24 eth0=$NET.2/24"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
[ "$st" = 1 ] || [ "$st" = 2 ]; ok $? "the same ADDRESS twice: boot fails with 1 or 2 (got $st)" || diag "$out"
like "$out" "ADDRESS" "the same ADDRESS twice: the message names ADDRESS"
no_residue "$n"
n=$(uniq_name sfl); mk "$n" "CABLES= $BR=" "ADDRESS= eth0=$NET.30/24" "START= /bin/false"
out=$("$SUBHOST" boot "$CONF" </dev/null 2>&1); st=$?
is "$st" 1 "a START entry that fails after the cables exist: boot exits 1" || diag "$out"
like "$out" "/bin/false" "the message names the failing START entry"
no_residue "$n" "and the cable, the netns and everything else are undone"
is "$(brports)" "$ports0" "after all the failed boots the bridge has only the test's own ports"
is "$(ip netns list | grep -c "^$CL\b")" 1 "the client netns is still there"

# ---- 8. stop and boot again at once, 50 times ------------------------------------------
n=$(uniq_name cyc); mk "$n" "CABLES= $BR=02:aa:bb:cc:dd:08" "ADDRESS= eth0=$NET.8/24"
if boot_ok "$n"; then
	bad=""
	for i in $(seq 1 50); do
		o=$("$SUBHOST" stop "$n" </dev/null 2>&1) || { bad+=" stop#$i: $o;"; break; }
		o=$("$SUBHOST" boot "$CONF" </dev/null 2>&1) || { bad+=" boot#$i: $o;"; break; }
		[ "$(master_of "${n}0")" = "$BR" ] || bad+=" #$i: ${n}0 not on $BR;"
	done
	is "$bad" "" "50 times stop then boot at once: no failure"
	cl ping -c1 -W2 "$NET.8" >/dev/null; ok $? "after the 50th boot the client pings $NET.8"
	is "$(mac_in "$n")" 02:aa:bb:cc:dd:08 "and eth0 still has the configured MAC"
	"$SUBHOST" stop "$n" </dev/null; ok $? "the last stop"
	left() { ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -x "${n}[0-9.]*"; ip netns list | grep -w "$n"; }
	wait_for 10 sh -c "[ -z \"\$(ip -o link show | awk -F': ' '{print \$2}' | cut -d@ -f1 | grep -x '${n}[0-9.]*'; ip netns list | grep -w '$n')\" ]"
	is "$(left)" "" "within 1 s of the last stop, ip link and ip netns show nothing of $n"
fi
no_residue "$n"

# ---- 9. reboot from inside keeps the cable ------------------------------------------------
newpid() { local p; p=$(st_get "$1" pid); [ -n "$p" ] && [ "$p" != "$2" ] && st_is "$1" status running; }
telinit_in() {  # as in 45-poweroff-reboot.t: one 384-byte init_request for runlevel $2
	local lvl
	lvl=$(printf '\\%03o' "'$2")
	( "$SUBHOST" go "$1" -- sh -c "{ printf '\\151\\031\\011\\003\\001\\000\\000\\000'; printf '$lvl\\000\\000\\000\\000\\000\\000\\000'; head -c 368 /dev/zero; } | dd of=/run/initctl bs=384 count=1 iflag=fullblock status=none" </dev/null; exit $? ) 2>/dev/null
}
n=$(uniq_name rbt); MAC9=02:aa:bb:cc:dd:09
mk "$n" "CABLES= $BR=$MAC9" "ADDRESS= eth0=$NET.9/24"
if boot_ok "$n"; then
	pid=$(st_get "$n" pid)
	h9=$(cat "/sys/class/net/${n}0/address" 2>/dev/null)
	telinit_in "$n" 6; st=$?
	[ "$st" = 0 ] || [ "$st" -gt 128 ]; ok $? "write a runlevel 6 request to /run/initctl ($st)"
	wait_for 100 newpid "$n" "$pid"; ok $? "it is running again with another pid 1" || diag "$(tail -5 "$DIR/log")"
	is "$(mac_in "$n")" "$MAC9" "after the reboot: eth0 inside has $MAC9"
	is "$(master_of "${n}0")" "$BR" "after the reboot: ${n}0 is enslaved to $BR"
	is "$(cat "/sys/class/net/${n}0/address" 2>/dev/null)" "$h9" "after the reboot: ${n}0 has the same MAC"
	like "$(ip netns exec "$n" ip -o -4 addr show dev eth0 2>/dev/null)" "inet $NET\.9/24" "after the reboot: ADDRESS again"
	cl ping -c1 -W2 "$NET.9" >/dev/null; ok $? "after the reboot: the client pings $NET.9"
	is "$(jget "$n" 'j["cables"][0]["host"] + " " + j["cables"][0]["mac"]')" "${n}0 $MAC9" "after the reboot: status --json"
	stop_ok "$n"
fi
no_residue "$n"

is "$(brports)" "$ports0" "at the end the bridge has only the test's own ports"
done_testing
