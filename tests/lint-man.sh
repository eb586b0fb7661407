#!/bin/sh
# Lints every man page with mandoc -Tlint (warnings and worse fail).
set -u
status=0
n=0
for p in $MAN_PAGES; do
	f="$top_srcdir/$p"
	n=$((n + 1))
	if ! mandoc -Tlint -Wwarning "$f"; then
		status=1
	fi
done
echo "$n man pages linted"
[ "$n" -gt 0 ] || { echo "no man pages listed" >&2; exit 1; }
exit $status
