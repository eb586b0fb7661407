#!/bin/sh
# The SDK core must never allocate: none of its objects may reference an
# allocator.  The crypto backends are exempt (they call OpenSSL and
# libsodium, which allocate on their own).  Objects are searched under
# E4_OBJDIR (default: sdk/ of the build tree, the current directory when
# make check runs), in libtool's .libs/ or beside the .lo files.
set -eu
objdir="${E4_OBJDIR:-${top_builddir:-.}/sdk}"
modules="util siv frame replay command client recv state memory file"
status=0
checked=0
for m in $modules; do
	objs=$(find "$objdir" -name "libe4core_la-$m.o" -type f 2>/dev/null)
	if [ -z "$objs" ]; then
		echo "no object for SDK module $m under $objdir" >&2
		status=1
		continue
	fi
	for o in $objs; do
		syms=$(nm -u "$o") || { echo "nm failed on $o" >&2; status=1; continue; }
		bad=$(printf '%s\n' "$syms" | awk '{ print $NF }' |
			grep -E '^(malloc|calloc|realloc|reallocarray|free|strdup|strndup|aligned_alloc|posix_memalign|memalign|valloc)(@.*)?$' || true)
		if [ -n "$bad" ]; then
			echo "allocator referenced by $o: $(echo $bad)" >&2
			status=1
		fi
		checked=$((checked + 1))
	done
done
echo "checked $checked SDK objects for allocator references"
exit $status
