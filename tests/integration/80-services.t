#!/bin/bash
# Real Debian services through START: each started in its own session
# inside the subhost, stopped in reverse order at power off, and nothing of
# them running on the host.  Needs cron and rsyslog (with
# orphan-sysvinit-scripts for its init script), which `make check`
# installs through tools/install-deps.sh.
. "$(dirname "$0")/lib.sh"

for svc in cron rsyslog; do
	if [ ! -x /etc/init.d/$svc ]; then
		[ "${MUST_WORK:-0}" = 1 ] && { ok 1 "/etc/init.d/$svc is installed"; done_testing; exit 1; }
		skip_all "/etc/init.d/$svc is not installed"
	fi
done

name=$(uniq_name svc)
conf=$(new_subhost "$name" "START= cron rsyslog" "LOG=$T_ROOT/$name/log")
base=$T_ROOT/$name
host_cron=$(pgrep -x cron | sort | tr '\n' ' ')

"$SUBHOST" boot "$conf"
ok $? "boot with START= cron rsyslog"

inside=$("$SUBHOST" go "$name" -- sh -c 'for p in /proc/[0-9]*; do cat $p/comm; done' 2>&1 | sort | tr '\n' ' ')
like "$inside" "(^| )cron( |$)" "cron runs inside"
like "$inside" "(^| )rsyslogd( |$)" "rsyslogd runs inside"

sid=$("$SUBHOST" go "$name" -- sh -c 'for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = cron ] && { set -- $(cat $p/stat | sed "s/.*) //"); echo $4; }; done' | head -1)
[ -n "$sid" ] && [ "$sid" != 0 ] && [ "$sid" != 1 ]
ok $? "cron has its own session (sid $sid), not pid 1's"

"$SUBHOST" go "$name" -- sh -c 'logger -t subhosttest hello-from-inside; sleep 0.5'
"$SUBHOST" go "$name" -- sh -c 'grep -q hello-from-inside /var/log/syslog /var/log/messages 2>/dev/null'
ok $? "rsyslog inside wrote the subhost's own log"
! grep -qs hello-from-inside /var/log/syslog
ok $? "the host's /var/log/syslog is untouched"
[ -e "$base/root/var/log/syslog" ] || [ -e "$base/root/var/log/messages" ]
ok $? "the subhost's syslog file is in UPPER"

"$SUBHOST" stop "$name"
ok $? "stop"
log=$(cat "$base/log")
order=$(grep -oE 'subhost-init: (starting|stopping) (cron|rsyslog)$' <<<"$log" | sed 's/subhost-init: //' | tr '\n' ',')
is "$order" "starting cron,starting rsyslog,stopping rsyslog,stopping cron," \
	"services started in order and stopped in reverse (log)"
no_residue "$name"
done_testing
