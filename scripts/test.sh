#!/bin/sh
# Runs every test: installs dependencies (Debian 12, as root), builds in
# _build/ and runs `make check`; then builds again in _build-san/ with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the whole suite
# a second time; then runs the SDK unit tests under valgrind.  Prints the
# logs of failing tests and ends with one line "N passed, N failed".
# Then runs every libFuzzer target for 10 s (make fuzz-smoke) as one step.
# E4_TEST_QUICK=1 skips the sanitizer, valgrind and fuzzing passes.
set -u
# Sanitizer reports must end the process with an error (tests/fault/sanitizers.sh
# checks it; leaks are reported by default): no recovery, whatever the caller's environment says.
ASAN_OPTIONS="halt_on_error=1:abort_on_error=0"
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS
# Debian's own tools first: a python3 shim earlier in PATH (pyenv) costs
# seconds per call and lacks python3-cryptography.
PATH="/usr/bin:/usr/sbin:/bin:/sbin:$PATH"
export PATH
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
sh scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0

# Counts the .trs results under $1 (a build directory), printing failures.
count_results() {
	label=$1
	for trs in $(find "$2" -name '*.trs' | sort); do
		res=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
		case "$res" in
		PASS) passed=$((passed + 1)) ;;
		*)
			failed=$((failed + 1))
			echo "=== $label ${trs%.trs}.log ($res)"
			tail -n 80 "${trs%.trs}.log"
			;;
		esac
	done
}

# Configures ($2 = flags) and builds in directory $1, then runs make check.
build_and_check() {
	dir=$1 flags=$2 label=$3
	mkdir -p "$dir"
	echo "== $label: configure $flags"
	if ! (cd "$dir" && "$top/configure" --enable-silent-rules $flags >build.log 2>&1 &&
	      make -j"$(nproc)" >>build.log 2>&1); then
		tail -n 60 "$dir/build.log"
		echo "=== $label: build failed"
		failed=$((failed + 1))
		return
	fi
	find "$dir" -name '*.trs' -delete
	echo "== $label: make check"
	(cd "$dir" && make -j"$(($(nproc) * 2))" check >check.log 2>&1)
	status=$?
	before=$failed
	count_results "$label" "$dir"
	if [ $status -ne 0 ] && [ $failed -eq $before ]; then
		tail -n 60 "$dir/check.log"
		failed=$((failed + 1))
	fi
}

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi >autoreconf.log 2>&1 || { cat autoreconf.log; echo "0 passed, 1 failed"; exit 1; }
fi

build_and_check "$top/_build" "${E4_CONFIGURE_FLAGS:-}" "default"
if [ -z "${E4_TEST_QUICK:-}" ]; then
	build_and_check "$top/_build-san" "--enable-asan --enable-ubsan ${E4_CONFIGURE_FLAGS:-}" "asan+ubsan"
	echo "== valgrind: SDK unit tests"
	if [ -x "$top/_build/tests/sdk/test-sdk" ] &&
	   CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$top/_build/tests/sdk/test-sdk" >"$top/_build/valgrind.log" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "=== valgrind: SDK unit tests"
		tail -n 60 "$top/_build/valgrind.log"
	fi
	echo "== fuzz-smoke: every fuzz target for 5 s"
	if (cd "$top/_build" && make -j"$(nproc)" fuzz-smoke FUZZ_SECONDS=5 >fuzz-smoke.log 2>&1); then
		passed=$((passed + 1))
		grep -E '^(fuzz_|targets:)' "$top/_build/fuzz-smoke.log"
	else
		failed=$((failed + 1))
		echo "=== fuzz-smoke"
		tail -n 60 "$top/_build/fuzz-smoke.log"
	fi
fi
# Further passes (other crypto backends, the microcontroller target):
# each scripts/test.d/*.sh is sourced and may call build_and_check or
# add to $passed and $failed itself.
for part in "$top"/scripts/test.d/*.sh; do
	[ -f "$part" ] || continue
	# shellcheck disable=SC1090
	. "$part"
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
