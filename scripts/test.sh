#!/bin/sh
# Runs every test: installs dependencies (Debian 12, as root), builds in
# _build/, runs `make check`, prints the logs of failing tests and ends
# with one line "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
sh scripts/deps.sh || exit 1

build="$top/_build"
log="$top/_build/build.log"
mkdir -p "$build"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi >"$build/autoreconf.log" 2>&1 || { cat "$build/autoreconf.log"; echo "0 passed, 1 failed"; exit 1; }
fi
cd "$build" || exit 1
if ! { ../configure --enable-silent-rules ${E4_CONFIGURE_FLAGS:-} >"$log" 2>&1 &&
       make -j"$(nproc)" >>"$log" 2>&1; }; then
	tail -n 60 "$log"
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
make -j"$(nproc)" check >"$build/check.log" 2>&1
status=$?

passed=0
failed=0
for trs in $(find . -name '*.trs' | sort); do
	res=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
	case "$res" in
	PASS) passed=$((passed + 1)) ;;
	*)
		failed=$((failed + 1))
		echo "=== ${trs%.trs}.log ($res)"
		tail -n 80 "${trs%.trs}.log"
		;;
	esac
done
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then
	tail -n 60 "$build/check.log"
	failed=1
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
