#!/bin/sh
# The committed extension vectors are exactly what the independent
# generator (tests/vectors/e4x_vectors.py, Python 'cryptography') makes.
set -u
out="${TMPDIR:-/tmp}/e4x.$$.json"
trap 'rm -f "$out"' EXIT
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
"$py" "$top_srcdir/tests/vectors/e4x_vectors.py" e4-extensions "$out" || { echo "FAIL: generator"; exit 1; }
cmp "$out" "$top_srcdir/tests/vectors/e4-extensions.json" ||
	{ echo "FAIL: tests/vectors/e4-extensions.json differs from the generator's output"; exit 1; }
n=$(grep -c '"ack"' "$out")
[ "$n" -eq 11 ] || { echo "FAIL: $n steps, expected 11"; exit 1; }
echo "PASS: 11 extension steps reproduced"
