#!/bin/sh
# Proves check-no-heap.sh inspects real objects: it passes on a copy of
# the SDK's objects, fails when one references malloc, fails when one is
# missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top="${top_builddir:-.}"
scratch="$top/tests/scratch"
mkdir -p "$scratch"
dir=$(mktemp -d "$scratch/noheap.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
mkdir -p "$dir/sdk/.libs"
find "$top/sdk" -name 'libe4core_la-*.o' -type f -exec cp {} "$dir/sdk/.libs/" \;
E4_OBJDIR="$dir/sdk" sh "$here/check-no-heap.sh" || { echo "FAIL: clean objects refused" >&2; exit 1; }

cat >"$dir/evil.c" <<'SRC'
#include <stdlib.h>
void *evil(void);
void *evil(void) { return malloc(16); }
SRC
${CC:-cc} -c -o "$dir/sdk/.libs/libe4core_la-util.o" "$dir/evil.c"
if E4_OBJDIR="$dir/sdk" sh "$here/check-no-heap.sh" 2>"$dir/err"; then
	echo "FAIL: an object calling malloc was accepted" >&2
	exit 1
fi
grep -q 'allocator referenced by .*libe4core_la-util.o: malloc' "$dir/err" || { cat "$dir/err"; exit 1; }

rm -f "$dir/sdk/.libs/libe4core_la-util.o"
if E4_OBJDIR="$dir/sdk" sh "$here/check-no-heap.sh" 2>"$dir/err"; then
	echo "FAIL: a missing object went unnoticed" >&2
	exit 1
fi
grep -q 'no object for SDK module util' "$dir/err" || { cat "$dir/err"; exit 1; }
echo "check-no-heap.sh: accepts clean objects, refuses malloc, notices missing objects"
