#!/bin/sh
# Install what subhost needs to build and test on Debian 12 (run as root).
# The test suite starts real Debian services (cron, rsyslog, nginx) inside
# subhosts; installing them must not start them on the host, so a
# policy-rc.d refuses service starts for the duration of the install.
set -e
BUILD="build-essential pkg-config libnl-3-dev libnl-route-3-dev libcap-dev libseccomp-dev
       libblkid-dev libcmocka-dev musl-tools scdoc clang cppcheck libclang-rt-14-dev
       debhelper dpkg-dev fakeroot lintian"
TEST="iproute2 psmisc procps util-linux kmod perl python3 curl iputils-ping
      cron rsyslog orphan-sysvinit-scripts nginx-light tmux fdisk e2fsprogs
      mmdebstrap debian-archive-keyring
      bash-completion man-db groff-base systemd"
missing=""
for p in $BUILD $TEST; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# temporary, from subhost tools/install-deps.sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	own_policy=1
fi
trap '[ -n "$own_policy" ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
