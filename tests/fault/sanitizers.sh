#!/bin/sh
# The sanitizer pass of CI must fail on a report: in an ASan build a heap
# overflow and a leak end the process with an error, in a UBSan build a
# signed overflow does (-fno-sanitize-recover), with the options CI uses.
# With both, UBSan's object-size check may report the heap overflow first.
set -u
canary="${top_builddir:-.}/tests/fault/san-canary"
"$canary" || { echo "FAIL: canary without error exited $?"; exit 1; }
checked=0
# Runs the canary with $1 and expects a failure mentioning $2.
expect_report() {
	out=$("$canary" "$1" 2>&1)
	rc=$?
	[ $rc -ne 0 ] || { echo "FAIL: '$1' error not reported (exit 0): $out"; exit 1; }
	echo "$out" | grep -qE "$2" || { echo "FAIL: '$1' report lacks '$2': $out"; exit 1; }
	echo "ok: '$1' stopped the process (exit $rc, $2)"
	checked=$((checked + 1))
}
case "${E4_SANITIZE:-}" in
*address*)
	expect_report heap "heap-buffer-overflow|insufficient space for an object"
	expect_report leak "detected memory leaks" ;;
esac
case "${E4_SANITIZE:-}" in
*undefined*) expect_report int "signed integer overflow" ;;
esac
echo "sanitizer reports checked: $checked (E4_SANITIZE='${E4_SANITIZE:-}')"
echo "PASS"
