#!/bin/bash
# tools/debian-tree.sh SUITE PACKAGES [DIR]
#
# A cached Debian tree for tests and benchmarks: mmdebstrap --variant=minbase
# --include=PACKAGES SUITE, from this machine's APT sources (its "deb"
# entries for SUITE, SUITE-updates, SUITE-security: the same choice as
# src/bootstrap.c), without the host's /etc/hostname.  The tarball is kept
# in $SUBHOST_TREE_CACHE (default /var/cache/subhost-test), named after a
# hash of the suite, the package list and the sources; it is made when
# missing or older than 7 days and reused otherwise.  Delete it to force a
# rebuild.
#
# Prints the tarball's path; with DIR, also extracts it there (~2 s).
# Progress goes to stderr.  Exit status 1 when there is no source for
# SUITE or mmdebstrap fails (its last lines on stderr).
set -u -o pipefail
[ $# -ge 2 ] || { echo "usage: $0 SUITE PACKAGES [DIR]" >&2; exit 2; }
suite=$1 pkgs=$2 dir=${3:-}
cache=${SUBHOST_TREE_CACHE:-/var/cache/subhost-test}

host_sources() {
	python3 - "$1" <<'PY'
import glob, os, re, sys
suite = sys.argv[1]
def ok(s): return s == suite or s.startswith(suite + "-") or s.startswith(suite + "/")
out = []
files = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list") +
                                           glob.glob("/etc/apt/sources.list.d/*.sources"))
for f in files:
    if not os.path.exists(f): continue
    text = open(f).read()
    if f.endswith(".sources"):
        for para in re.split(r"\n\s*\n", text):
            fields, last = {}, None
            for line in para.splitlines():
                if line.startswith("#"): continue
                if line[:1] in (" ", "\t") and last: fields[last] += "\n" + line.strip(); continue
                if ":" in line:
                    k, v = line.split(":", 1); last = k.strip().lower(); fields[last] = v.strip()
            if fields.get("enabled", "yes").lower() != "yes" or "deb" not in fields.get("types", "").split():
                continue
            sb = fields.get("signed-by", "")
            opt = "[signed-by=%s] " % sb if sb.startswith("/") and "\n" not in sb else ""
            comps = " ".join(fields.get("components", "main").split())
            for u in fields.get("uris", "").split():
                for s in fields.get("suites", "").split():
                    if ok(s): out.append("deb %s%s %s %s" % (opt, u, s, comps))
    else:
        for line in text.splitlines():
            w = line.split("#")[0].split()
            if len(w) < 3 or w[0] != "deb": continue
            if w[1].startswith("["):
                i = next((k for k, x in enumerate(w) if x.endswith("]")), None)
                if i is None: continue
                w = [w[0]] + w[i + 1:]
            if len(w) >= 3 and ok(w[2]): out.append(" ".join(w))
print("\n".join(out))
PY
}

srcs=$(host_sources "$suite") || exit 1
[ -n "$srcs" ] || { echo "debian-tree: no APT source for $suite on this machine" >&2; exit 1; }
key=$(printf '%s\n%s\n%s\n' "$suite" "$pkgs" "$srcs" | sha256sum | cut -c1-16)
tar=$cache/$suite-$key.tar
mkdir -p "$cache" || exit 1
if [ -z "$(find "$tar" -mtime -7 2>/dev/null)" ]; then
	mirrors=()
	while IFS= read -r l; do mirrors+=("$l"); done <<<"$srcs"
	t0=$(date +%s)
	log=$(mktemp)
	# (the host's name would rename the subhost at boot: bootstrap.c removes it too)
	if ! mmdebstrap --quiet --variant=minbase --include="$pkgs" \
		--customize-hook='rm -f "$1/etc/hostname"' \
		"$suite" "$tar.tmp.tar" "${mirrors[@]}" </dev/null >"$log" 2>&1; then
		echo "debian-tree: mmdebstrap $suite $pkgs failed:" >&2
		tail -20 "$log" >&2
		rm -f "$tar.tmp.tar" "$log"
		exit 1
	fi
	rm -f "$log"
	mv "$tar.tmp.tar" "$tar" || exit 1
	echo "debian-tree: built $tar ($pkgs) in $(( $(date +%s) - t0 )) s" >&2
fi
if [ -n "$dir" ]; then
	mkdir -p "$dir" && tar -C "$dir" -xf "$tar" || exit 1
fi
echo "$tar"
