#!/bin/sh
# The options table of e4c2d is the reference: every option appears in
# man/e4c2d.conf.5 and conf/e4c2d.conf and vice versa, and the defaults
# written in conf/e4c2d.conf are the real defaults.
set -u
fail=0
C2D="$top_builddir/c2/e4c2d"
MAN="$top_srcdir/man/e4c2d.conf.5"
CONF="$top_srcdir/conf/e4c2d.conf"
empty=$(mktemp -d "${top_builddir}/tests/c2-options.XXXXXX") || exit 1
trap 'rm -rf "$empty"' EXIT
: >"$empty/empty.conf"

"$C2D" -c "$empty/empty.conf" -t >"$empty/defaults" || { echo "e4c2d -t failed"; exit 1; }
table=$(cut -d' ' -f1 "$empty/defaults" | sort)
man=$(sed -n 's/^\.It Cm \([a-z_0-9]*\).*/\1/p' "$MAN" | sort)
conf=$(sed -n 's/^#\{0,1\}\([a-z][a-z_0-9]*\) .*/\1/p' "$CONF" | sort)
n=$(echo "$table" | wc -l)
[ "$n" -ge 20 ] || { echo "only $n options in the table"; fail=1; }

for o in $table; do
	echo "$man" | grep -qx "$o" || { echo "option $o missing from e4c2d.conf.5"; fail=1; }
	echo "$conf" | grep -qx "$o" || { echo "option $o missing from conf/e4c2d.conf"; fail=1; }
done
for o in $man; do
	case "$o" in yes|no) continue ;; esac
	echo "$table" | grep -qx "$o" || { echo "e4c2d.conf.5 documents unknown option $o"; fail=1; }
done
for o in $conf; do
	echo "$table" | grep -qx "$o" || { echo "conf/e4c2d.conf sets unknown option $o"; fail=1; }
done

# The commented defaults, uncommented, must give exactly the defaults.
sed -n 's/^#\([a-z][a-z_0-9]* .*\)/\1/p' "$CONF" >"$empty/sample.conf"
"$C2D" -c "$empty/sample.conf" -t >"$empty/sample" || { echo "sample config refused"; fail=1; }
if ! cmp -s "$empty/defaults" "$empty/sample"; then
	echo "defaults in conf/e4c2d.conf differ from the table:"
	diff "$empty/defaults" "$empty/sample"
	fail=1
fi

# -t output is itself a valid configuration.
"$C2D" -c "$empty/defaults" -t >"$empty/again" && cmp -s "$empty/defaults" "$empty/again" ||
	{ echo "e4c2d -t output does not parse back"; fail=1; }

# A malformed line is refused with its line number.
printf 'mode symkey\nmqtt_port 70000\n' >"$empty/bad.conf"
out=$("$C2D" -c "$empty/bad.conf" -t 2>&1) && { echo "bad port accepted"; fail=1; }
echo "$out" | grep -q ':2: mqtt_port: 70000 out of range' || { echo "bad port message: $out"; fail=1; }
printf 'frobnicate 1\n' >"$empty/bad.conf"
out=$("$C2D" -c "$empty/bad.conf" -t 2>&1) && { echo "unknown option accepted"; fail=1; }
echo "$out" | grep -q ":1: unknown option 'frobnicate'" || { echo "unknown option message: $out"; fail=1; }

echo "$n options checked against the man page and the sample configuration"
exit $fail
