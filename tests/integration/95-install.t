#!/bin/bash
# The Debian package and the install layout: make deb, lintian, apt-get
# install, the installed names (overlay-boot/overlay-stop), man pages, the
# init script on an autostart list, the systemd units, the completion, and
# apt-get remove / purge with a subhost running.  The package is purged at
# the end and every file of the host's /etc that the test touches is put
# back as it was.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
export DEBIAN_FRONTEND=noninteractive
for t in dpkg-buildpackage dh lintian apt-get systemd-analyze man; do
	command -v "$t" >/dev/null || { needs "$t (tools/install-deps.sh)" -- false; done_testing; exit; }
done
if dpkg-query -W -f='${Status}' subhost 2>/dev/null | grep -q 'ok installed'; then
	skip_all "the subhost package is installed here: this test would purge it"
fi
VERSION=$("$SUBHOST" --version | awk '{print $2}')
ARCH=$(dpkg --print-architecture)

# Files of the package that a `make install` may have put on this host:
# kept aside, and back at the end (after the purge).
saved=$T_ROOT/saved; mkdir -p "$saved"
EXTRA_CLEAN+=("apt-get purge -y subhost")
for f in /etc/init.d/subhosts /etc/default/subhost /lib/systemd/system/subhosts.service \
	 /lib/systemd/system/subhost@.service /usr/share/bash-completion/completions/subhost; do
	if [ -e "$f" ]; then
		mkdir -p "$saved$(dirname "$f")" && mv "$f" "$saved$f"
		EXTRA_CLEAN+=("mv '$saved$f' '$f'")
	fi
done
[ -d /etc/subhost ] && EXTRA_CLEAN+=("mkdir -p /etc/subhost")

# ---- make deb, lintian ---------------------------------------------------------
# (not the variables of a make that runs this test, e.g. SANITIZE=1)
unset MAKEFLAGS MFLAGS MAKELEVEL
make -C "$SRC" deb BUILDDIR="$T_ROOT/b" >"$T_ROOT/deb.log" 2>&1
ok $? "make deb" || diag "$(tail -20 "$T_ROOT/deb.log")"
deb=$T_ROOT/b/deb/subhost_${VERSION}_$ARCH.deb
[ -f "$deb" ]; ok $? "make deb leaves subhost_${VERSION}_$ARCH.deb in BUILDDIR/deb" || diag "$(ls "$T_ROOT/b/deb")"
is "$(dpkg-deb -f "$deb" Version)" "$VERSION" "the package version is subhost --version's"
like "$(dpkg-deb -f "$deb" Depends)" 'libc6.*libnl-route-3-200' "Depends come from the libraries linked (shlibs)"
is "$(dpkg-deb -I "$deb" conffiles | sort | tr '\n' ' ')" "/etc/default/subhost /etc/init.d/subhosts " \
	"conffiles: /etc/default/subhost and the init script"
mkdir -p "$T_ROOT/ctl" && dpkg-deb -e "$deb" "$T_ROOT/ctl"
out=$(grep -lE 'invoke-rc\.d|deb-systemd-invoke|systemctl .*(start|stop|restart)' "$T_ROOT"/ctl/*inst "$T_ROOT"/ctl/*rm 2>/dev/null)
is "$out" "" "no maintainer script starts, stops or restarts anything"
[ ! -e "$T_ROOT/ctl/prerm" ]; ok $? "there is no prerm: nothing runs before a removal or upgrade"

out=$(lintian --fail-on error "$deb" 2>&1); st=$?
is "$st" 0 "lintian finds no errors" || diag "$out"
is "$(echo "$out" | grep -c '^E:')" 0 "lintian prints no E: line"

# Every Build-Depends is in tools/install-deps.sh, so CI can build it.
missing=""
for p in $(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$SRC/debian/control" | sed 's/^Build-Depends://; /^[A-Z]/d' |
	   tr ',' '\n' | sed 's/[(<].*//; s/ //g' | grep -v '^$' | sed 's/^debhelper-compat$/debhelper/'); do
	grep -qw -- "$p" "$SRC/tools/install-deps.sh" || missing="$missing $p"
done
is "$missing" "" "every Build-Depends is installed by tools/install-deps.sh"

# ---- make install / uninstall with DESTDIR, in the package's build tree -----
copy=$T_ROOT/b/deb/subhost-$VERSION di=$T_ROOT/destdir
make -C "$copy" install DESTDIR="$di" PREFIX=/usr >"$T_ROOT/install.log" 2>&1
ok $? "make install DESTDIR PREFIX=/usr" || diag "$(tail -5 "$T_ROOT/install.log")"
for f in usr/sbin/subhost usr/lib/subhost/subhost-init usr/sbin/overlay-boot usr/sbin/overlay-stop \
	 usr/sbin/overlay-go usr/share/man/man8/subhost.8 usr/share/man/man8/overlay-boot.8 \
	 usr/share/man/man5/subhost.conf.5 usr/share/man/man8/subhost-init.8 \
	 usr/share/bash-completion/completions/subhost usr/share/bash-completion/completions/overlay-go \
	 etc/init.d/subhosts etc/default/subhost usr/lib/systemd/system/subhost@.service \
	 usr/lib/systemd/system/subhosts.service; do
	[ -e "$di/$f" ] || echo "$f"
done > "$T_ROOT/absent"
is "$(cat "$T_ROOT/absent")" "" "make install puts every file in place"
[ -d "$di/etc/subhost" ]; ok $? "make install makes /etc/subhost"
is "$(readlink "$di/usr/sbin/overlay-boot")" subhost "overlay-boot is a link to subhost"
like "$(grep ExecStart "$di/usr/lib/systemd/system/subhost@.service")" "=/usr/sbin/subhost boot --foreground" \
	"the unit names the installed binary"
make -C "$copy" uninstall DESTDIR="$di" PREFIX=/usr >>"$T_ROOT/install.log" 2>&1
ok $? "make uninstall"
is "$(find "$di" ! -type d)" "" "make uninstall removes every file make install put there"

# ---- apt-get install ------------------------------------------------------------
apt-get install -y "$deb" >"$T_ROOT/apt.log" 2>&1
ok $? "apt-get install ./subhost_*.deb" || diag "$(tail -20 "$T_ROOT/apt.log")"
like "$(dpkg-query -W -f='${Status} ${Version}' subhost)" "install ok installed $VERSION" "the package is installed"
is "$(/usr/sbin/subhost --version)" "subhost $VERSION" "the installed subhost --version"
for f in /usr/sbin/overlay-boot /usr/sbin/overlay-stop /usr/sbin/overlay-go /usr/lib/subhost/subhost-init \
	 /etc/init.d/subhosts /etc/default/subhost /lib/systemd/system/subhost@.service \
	 /lib/systemd/system/subhosts.service /usr/share/bash-completion/completions/subhost; do
	[ -e "$f" ] || echo "$f"
done > "$T_ROOT/absent"
is "$(cat "$T_ROOT/absent")" "" "the package installs the names, pid 1, the init script, the units, the completion"
ls /etc/rc2.d/S*subhosts >/dev/null 2>&1 && ls /etc/rc0.d/K*subhosts >/dev/null 2>&1
ok $? "the init script is registered (started in 2-5, stopped in 0, 1, 6)"
[ -L /etc/systemd/system/multi-user.target.wants/subhosts.service ]
ok $? "subhosts.service is enabled (an empty list boots nothing)"
[ ! -e /etc/subhosts.conf ]; ok $? "no autostart list is installed: nothing boots until one is written"

# ---- man pages -------------------------------------------------------------------
pages=$(dpkg -L subhost | grep '^/usr/share/man/man./')
[ "$(echo "$pages" | wc -l)" -ge 6 ]; ok $? "the package has the man pages and the overlay-* links" || diag "$pages"
bad=""
for p in $pages; do
	w=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
	[ -z "$w" ] && [ -n "$(MANWIDTH=80 man -l "$p" 2>/dev/null | head -3)" ] || bad="$bad $p: $w"
done
is "$bad" "" "man -l renders every page without a warning"
out=$(MANWIDTH=100 man -l /usr/share/man/man8/subhost.8.gz 2>/dev/null)
for c in $(/usr/sbin/subhost --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\).*/\1/p'); do
	sect=$(echo "$out" | sed -n "/^   $c\$/,/^   [a-z]/p")
	[[ $sect == *"subhost $c"* && $sect == *Options* && $sect == *"Exit status"* && $sect == *Examples* ]] ||
		echo "$c"
done > "$T_ROOT/nosect"
is "$(cat "$T_ROOT/nosect")" "" "subhost(8) has a section per command with synopsis, options, exit status, examples"
# (-a: a `make install` in /usr/local may come first in the search path)
like "$(man -aw overlay-boot 2>/dev/null)" '(^|'$'\n'')/usr/share/man/man8/(overlay-boot|subhost)\.8\.gz('$'\n''|$)' "man overlay-boot finds the package's subhost(8)"

# ---- the overlay-boot names, installed ------------------------------------------
o=$(uniq_name obt); mk "$o"; confo=$CONF
env -u SUBHOST_INIT /usr/sbin/overlay-boot "$confo" </dev/null; ok $? "overlay-boot CONF (installed)"
st_is "$o" status running; ok $? "it runs"
is "$(env -u SUBHOST_INIT /usr/sbin/overlay-go "$o" -- hostname </dev/null)" "$o" "overlay-go NAME -- hostname"
env -u SUBHOST_INIT /usr/sbin/overlay-stop "$confo" </dev/null; ok $? "overlay-stop CONF (installed)"
gone "$o"; ok $? "it is gone"
no_residue "$o"

# ---- systemd units ---------------------------------------------------------------
units=$T_ROOT/units; mkdir -p "$units"
ln -s /lib/systemd/system/subhost@.service "$units/subhost@web.service"
out=$(systemd-analyze verify --man=no /lib/systemd/system/subhosts.service "$units/subhost@web.service" 2>&1); st=$?
is "$st:$out" "0:" "systemd-analyze verify: subhosts.service and subhost@web.service, no complaint"
sed 's/^KillMode=.*/KillMode=bogus/; s|^ExecStart=.*|ExecStart=/nonexistent/subhost|' \
	/lib/systemd/system/subhost@.service > "$units/broken@.service"
ln -s broken@.service "$units/broken@x.service"
systemd-analyze verify --man=no "$units/broken@x.service" >/dev/null 2>&1
[ $? != 0 ]; ok $? "systemd-analyze verify fails on a broken copy (the check can fail)"
u=$(cat /lib/systemd/system/subhost@.service)
like "$u" $'\nKillMode=mixed\n' "subhost@.service: KillMode=mixed (SIGTERM to the supervisor alone)"
like "$u" $'\nDelegate=yes\n' "subhost@.service: Delegate=yes"
like "$u" $'\nAfter=network-online.target' "subhost@.service: after network-online.target"
like "$u" $'\nWants=network-online.target' "subhost@.service: wants network-online.target"

# ---- the init script on an autostart list -----------------------------------------
hdr=$(sed -n '/^### BEGIN INIT INFO/,/^### END INIT INFO/p' /etc/init.d/subhosts)
like "$hdr" $'\n# Required-Start: +\\$network \\$remote_fs\n' "LSB header: starts after \$network and \$remote_fs"
like "$hdr" $'\n# Required-Stop: +\\$network \\$remote_fs\n' "LSB header: stops before them"
like "$hdr" $'\n# Default-Start: +2 3 4 5\n# Default-Stop: +0 1 6\n' "LSB header: runlevels"
p=$(uniq_name isp); mk "$p"; confp=$CONF
q=$(uniq_name isq); mk "$q"; confq=$CONF
list=$T_ROOT/subhosts.conf
printf '# autostart\n%s\n%s\n%s\n' "$confp" "$T_ROOT/none/none.conf" "$confq" > "$list"
out=$(env -u SUBHOST_INIT SUBHOST_LIST="$list" /etc/init.d/subhosts start </dev/null 2>&1); st=$?
is "$st" 1 "init script start: exit 1 (one entry is bad)" || diag "$out"
st_is "$p" status running && st_is "$q" status running; ok $? "it booted the two good entries"
like "$out" "$list:3: $T_ROOT/none/none.conf: No such file" "and reported the bad one by line" || diag "$out"
out=$(SUBHOST_LIST="$list" /etc/init.d/subhosts status </dev/null 2>&1); st=$?
is "$st" 3 "init script status: exit 3 (not every entry runs)"
is "$(echo "$out" | awk 'NR > 1 {print $1, $3}' | tr '\n' ' ')" "2 running 3 bad 4 running " \
	"init script status lists the entries" || diag "$out"
sv=$(st_get "$p" supervisor_pid)
out=$(SUBHOST_LIST="$list" /etc/init.d/subhosts restart </dev/null 2>&1); st=$?
is "$st" 3 "init script restart is refused (exit 3)"
like "$out" "restart is refused.*use stop and start" "and says so" || diag "$out"
is "$(st_get "$p" supervisor_pid)" "$sv" "restart touched no subhost"
out=$(SUBHOST_LIST="$list" /etc/init.d/subhosts stop </dev/null 2>&1); st=$?
is "$st" 0 "init script stop" || diag "$out"
gone "$p" && gone "$q"; ok $? "it stopped both"
no_residue "$p"; no_residue "$q"

# ---- the installed completion, loaded by bash-completion ------------------------
if needs "bash-completion" -- test -r /usr/share/bash-completion/bash_completion; then
	out=$(bash -c '. /usr/share/bash-completion/bash_completion
		__load_completion subhost; __load_completion overlay-go
		complete -p subhost overlay-go' 2>&1)
	like "$out" $'complete -F _subhost subhost\ncomplete -F _subhost overlay-go' \
		"bash-completion loads the completion for subhost and overlay-go" || diag "$out"
fi

# ---- upgrade and remove with a subhost running --------------------------------------
r=$(uniq_name rmv); mk "$r"
cp "$CONF" "/etc/subhost/$r.conf"; sed -i "s|^BASE=.*|BASE=$DIR|" "/etc/subhost/$r.conf"
EXTRA_CLEAN=("rm -f '/etc/subhost/$r.conf'" "${EXTRA_CLEAN[@]}")
env -u SUBHOST_INIT /usr/sbin/subhost boot "$r" </dev/null; ok $? "boot $r from /etc/subhost/$r.conf (installed)"
sv=$(st_get "$r" supervisor_pid); pid1=$(st_get "$r" pid)
echo "# changed by the test" >> /etc/default/subhost
apt-get install -y --reinstall "$deb" >>"$T_ROOT/apt.log" 2>&1; ok $? "apt-get install --reinstall (an upgrade)"
[ "$(st_get "$r" supervisor_pid)" = "$sv" ] && [ -e "/proc/$pid1" ]; ok $? "the running subhost was not touched by it"
apt-get remove -y subhost >>"$T_ROOT/apt.log" 2>&1; ok $? "apt-get remove subhost"
like "$(dpkg-query -W -f='${Status}' subhost)" "deinstall ok config-files" "removed, its conffiles kept"
[ ! -e /usr/sbin/subhost ]; ok $? "/usr/sbin/subhost is gone"
[ -f "/etc/subhost/$r.conf" ]; ok $? "the conf in /etc/subhost stays"
like "$(tail -1 /etc/default/subhost)" "changed by the test" "/etc/default/subhost stays, with the admin's change"
[ "$(st_get "$r" supervisor_pid)" = "$sv" ] && [ -e "/proc/$pid1" ] && st_is "$r" status running
ok $? "the running subhost is unharmed: same supervisor, same pid 1"
is "$("$SUBHOST" go "$r" -- hostname </dev/null)" "$r" "and it still answers"
"$SUBHOST" stop "$r" </dev/null; ok $? "stop it (with the build's subhost)"
no_residue "$r"
rm -f "/etc/subhost/$r.conf"

# ---- purge: the machine as before ---------------------------------------------------
apt-get purge -y subhost >>"$T_ROOT/apt.log" 2>&1; ok $? "apt-get purge subhost"
dpkg-query -W -f='${Status}' subhost 2>/dev/null | grep -q 'ok installed\|config-files'
[ $? != 0 ]; ok $? "the package is gone"
left=$(ls -d /etc/default/subhost /etc/init.d/subhosts /etc/rc?.d/*subhosts \
	/etc/systemd/system/multi-user.target.wants/subhosts.service /lib/systemd/system/subhost*.service \
	/usr/lib/subhost 2>/dev/null)
is "$left" "" "purge leaves no file of the package"

done_testing
