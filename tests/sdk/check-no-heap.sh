#!/bin/sh
# The SDK core must never allocate: its objects may not reference an allocator.
set -eu
objdir="${top_builddir:-.}/sdk/src"
status=0
for o in "$objdir"/.libs/*.o "$objdir"/*.o; do
	[ -f "$o" ] || continue
	case "$o" in *openssl*|*sodium*) continue ;; esac
	if nm -u "$o" | grep -Ew '(malloc|calloc|realloc|free|strdup|strndup)$'; then
		echo "allocator referenced by $o" >&2
		status=1
	fi
done
ls "$objdir"/*.o "$objdir"/.libs/*.o >/dev/null 2>&1 || { echo "no SDK objects found under $objdir" >&2; exit 1; }
exit $status
