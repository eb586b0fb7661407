#!/bin/sh
# scripts/package-test.sh - builds the Debian packages of this tree with
# dpkg-buildpackage in a scratch directory (_build/package), checks them
# with lintian, then runs tests/package/install.sh, which installs them on
# THIS machine (as root), runs the broker, the daemon and two devices, and
# purges them.  Not part of "make check".  Debian 12, as root.
#   E4_PKG_SKIP_INSTALL=1  build and lint only
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
scratch="$top/_build/package"
start=$(date +%s)

# Prints the elapsed time since the start of the script.
elapsed() {
	echo "$(( $(date +%s) - start )) s"
}

# Stops the script with a message.
die() {
	echo "package-test: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (the test installs packages)"

# --- packaging tools (not in scripts/deps.sh: only this script needs them)
sh "$top/scripts/deps.sh" || die "scripts/deps.sh failed"
missing=""
for p in debhelper dpkg-dev fakeroot lintian openssl; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null || die "apt-get install$missing failed"
fi

# --- a clean copy of the tree: tracked and new (not ignored) files ------
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version) || die "debian/changelog"
src="$scratch/e4-$version"
rm -rf "$scratch"
mkdir -p "$src"
(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src") ||
	die "copying the source tree"
(cd "$src" && dpkg-checkbuilddeps) || die "missing build dependencies (see above)"

# --- build ---------------------------------------------------------------
echo "dpkg-buildpackage -us -uc -b in $src (log: $scratch/build.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b -j2) >"$scratch/build.log" 2>&1; then
	tail -n 60 "$scratch/build.log"
	die "dpkg-buildpackage failed after $(elapsed)"
fi
echo "built in $(elapsed):"
for d in "$scratch"/*.deb; do
	printf '  %-45s %8s bytes, installed %6s KiB\n' "$(basename "$d")" "$(stat -c %s "$d")" \
		"$(dpkg-deb -f "$d" Installed-Size)"
done

# --- lintian -------------------------------------------------------------
changes=$(ls "$scratch"/e4_*.changes)
lintian --info --display-info --pedantic "$changes" >"$scratch/lintian.log" 2>&1
lrc=$?
echo "lintian: $(grep -c '^E:' "$scratch/lintian.log") error(s), $(grep -c '^W:' "$scratch/lintian.log") warning(s), $(grep -c '^I:' "$scratch/lintian.log") info, $(grep -c '^P:' "$scratch/lintian.log") pedantic"
grep '^[EWIP]:' "$scratch/lintian.log" | sort | uniq -c | sed 's/^/  /'
if grep -q '^E:' "$scratch/lintian.log" || [ $lrc -ge 2 ]; then
	die "lintian reports errors (or failed: exit $lrc)"
fi

[ -n "${E4_PKG_SKIP_INSTALL:-}" ] && { echo "package-test: built and linted in $(elapsed)"; exit 0; }

# --- install, run, purge ------------------------------------------------
sh "$top/tests/package/install.sh" "$scratch" || die "install test failed after $(elapsed)"
echo "package-test: PASS in $(elapsed)"
