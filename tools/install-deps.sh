#!/bin/sh
# Install what subhost needs to build and test on Debian 12 (run as root).
set -e
PKGS="build-essential pkg-config libnl-3-dev libnl-route-3-dev libcap-dev libseccomp-dev
      libblkid-dev libcmocka-dev musl-tools scdoc clang cppcheck iproute2 psmisc procps
      util-linux kmod perl python3 bubblewrap cron rsyslog orphan-sysvinit-scripts
      nginx-light curl iputils-ping"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing
fi
