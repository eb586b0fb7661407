# tests/tools/lib.sh - helpers for the tests of the e4 command (sourced).
# Builds on tests/integration/lib.sh (scratch directory, cleanup trap).

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=$(cd "$top_srcdir" && pwd)
export top_builddir top_srcdir
. "$top_srcdir/tests/integration/lib.sh"

E4="$top_builddir/sdk/tools/e4"
[ -x "$E4" ] || e4t_fail "e4 command not built at $E4"
VECTORS="$top_srcdir/tests/vectors/e4v1-public.json"
E4T_CHECKS=0

# Counts one passed check.
pass() {
	E4T_CHECKS=$((E4T_CHECKS + 1))
}

# Runs "$@" with a line of input and asserts exit status $2 and that
# stderr is one line containing $3.
# Usage: expect_fail_in INPUT STATUS MESSAGE-SUBSTRING CMD...
expect_fail_in() {
	printf '%s\n' "$1" >"$E4T_DIR/in"
	shift
	expect_fail "$@" <"$E4T_DIR/in"
}

# The same with the caller's stdin: expect_fail STATUS MESSAGE-SUBSTRING CMD...
expect_fail() {
	want=$1; msg=$2; shift 2
	"$@" >"$E4T_DIR/out" 2>"$E4T_DIR/err"
	got=$?
	[ "$got" -eq "$want" ] || e4t_fail "[$*]: exit $got, expected $want (stderr: $(cat "$E4T_DIR/err"))"
	grep -qF -- "$msg" "$E4T_DIR/err" || e4t_fail "[$*]: stderr [$(cat "$E4T_DIR/err")] lacks [$msg]"
	[ "$(wc -l <"$E4T_DIR/err")" -eq 1 ] || e4t_fail "[$*]: stderr is not one line: $(cat "$E4T_DIR/err")"
	[ -s "$E4T_DIR/out" ] && [ "$want" -ne 0 ] && e4t_fail "[$*]: wrote to stdout on failure"
	pass
}

# Reads a field of the vector file: vec 'python expression on d'.
vec() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); v=$1
print(v if not isinstance(v, list) else '\n'.join(' '.join(str(x) for x in r) for r in v))" "$VECTORS"
}

# Prints the closing line of a test script.
done_checks() {
	echo "$E4T_CHECKS passed, 0 failed"
}
