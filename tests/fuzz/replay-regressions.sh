#!/bin/sh
# Replays every crash regression of tests/fuzz/regressions/ through its SDK
# fuzz target (built without libFuzzer, by the normal compiler, sanitized in
# the ASan pass), then 20000 deterministic random and mutated inputs per
# target.  Any crash, abort or sanitizer report fails the test.
set -u
b="${top_builddir:-.}/tests/fuzz"
r="${top_srcdir:-.}/tests/fuzz/regressions"
total=0
for t in unprotect_msg unprotect_cmd frame_open ack_open deserialize; do
	files=$(ls "$r/$t"-* 2>/dev/null)
	# shellcheck disable=SC2086
	out=$("$b/replay_$t" -r 20000 -s 4242 $files 2>&1) || {
		echo "$out" | tail -n 30
		echo "FAIL: replay_$t"
		exit 1
	}
	n=$(echo "$files" | grep -c . || true)
	echo "$t: $n regression file(s), 20000 random inputs: ok"
	total=$((total + n + 20000))
done
echo "inputs replayed: $total"
echo "PASS"
