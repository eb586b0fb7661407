# tests/plugin/lib-plugin.sh - helpers for the plugin's integration tests
# (sourced after tests/integration/lib.sh).  A real mosquitto loads the
# freshly built module; real mosquitto_pub/mosquitto_sub clients (MQTT v5)
# talk to it; frames come from tests/plugin/e4frame (the SDK).

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
E4P_SO="$(cd "$top_builddir" && pwd)/plugin/.libs/mosquitto_e4.so"
E4FRAME="$top_builddir/tests/plugin/e4frame"
E4P_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
E4P_N=0

[ -f "$E4P_SO" ] || e4t_fail "plugin not built: $E4P_SO"
[ -x "$E4FRAME" ] || e4t_fail "helper not built: $E4FRAME"
command -v mosquitto_pub >/dev/null || e4t_fail "mosquitto_pub missing (apt-get install mosquitto-clients)"

# Starts a broker loading the plugin; stdin holds extra lines (plugin_opt_*...).
e4p_start() {
	extra=$(cat)
	# Not a pipe: e4t_start_broker must run in this shell to set E4T_PORT.
	e4t_start_broker <<EOF
plugin $E4P_SO
$extra
EOF
}

# Waits until the broker log shows a SUBSCRIBE from client id $1.
e4p_wait_sub() {
	e4t_wait_for 5 grep -q "Received SUBSCRIBE from $1\$" "$E4T_DIR/mosquitto.log" ||
		e4t_fail "client $1 did not subscribe"
}

# Starts a subscriber in the background: e4p_sub ID OUTFILE [mosquitto_sub args...].
e4p_sub() {
	id=$1 out=$2
	shift 2
	e4t_bg mosquitto_sub -p "$E4T_PORT" -V 5 -i "$id" -F '%t %x' "$@" >"$out" 2>"$out.err"
	e4p_wait_sub "$id"
}

# Publishes with MQTT v5 QoS 1 and prints "refused" or "ok": e4p_pub ID [args...].
e4p_pub() {
	id=$1
	shift
	E4P_N=$(e4p_next)
	err="$E4T_DIR/pub.$E4P_N.err"
	mosquitto_pub -p "$E4T_PORT" -V 5 -q 1 -i "$id" "$@" 2>"$err" || e4t_fail "mosquitto_pub failed: $(cat "$err")"
	if grep -q "Not authorized" "$err"; then echo refused; else echo ok; fi
}

# Asserts the outcome of a publish: e4p_expect ok|refused LABEL ID [args...].
e4p_expect() {
	want=$1 label=$2
	shift 2
	got=$(e4p_pub "$@")
	e4t_eq "$got" "$want" "$label"
	e4t_say "$label: $got"
}

# Writes a binary symkey frame to a file: e4p_frame FILE TS MESSAGE.
e4p_frame() {
	"$E4FRAME" -b symkey "$E4P_KEY" "$2" "$3" >"$1" || e4t_fail "e4frame failed"
}

# Hex of a file.
e4p_hex() {
	od -An -v -tx1 "$1" | tr -d ' \n'
}

# Decodes hex on stdin.
e4p_unhex() {
	python3 -c 'import sys; sys.stdout.write(bytes.fromhex(sys.stdin.read().strip()).decode())'
}

# Prints a fresh number (kept in a file: callers may run in subshells).
e4p_next() {
	n=$(($(cat "$E4T_DIR/.counter" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$E4T_DIR/.counter"
	echo "$n"
}

# Sends a $CONTROL request as the C2 (username $1) and prints the response.
e4p_control() {
	user=$1 req=$2
	E4P_N=$(e4p_next)
	out="$E4T_DIR/resp.$E4P_N"
	mosquitto_sub -p "$E4T_PORT" -V 5 -i "resp$E4P_N" -u "$user" ${E4P_PASS:+-P "$E4P_PASS"} \
		-t '$CONTROL/e4/v1/response' -C 1 -W 5 >"$out" 2>&1 &
	spid=$!
	e4p_wait_sub "resp$E4P_N"
	mosquitto_pub -p "$E4T_PORT" -V 5 -q 1 -i "req$E4P_N" -u "$user" ${E4P_PASS:+-P "$E4P_PASS"} \
		-t '$CONTROL/e4/v1' -m "$req" || e4t_fail "cannot send control request"
	wait "$spid"
	cat "$out"
}

# Reads a value from a JSON document on stdin: e4p_json 'expr over doc'.
e4p_json() {
	python3 -c "import json,sys; doc=json.load(sys.stdin); print($1)"
}

# Prints a counter of getStatistics (e.g. refused.tooShort, framesPassed).
e4p_stat() {
	e4p_control "${E4P_C2:-c2}" '{"commands":[{"command":"getStatistics"}]}' |
		e4p_json "doc['responses'][0]['data']$(echo ".$1" | sed "s/\.\([A-Za-z]*\)/['\1']/g")"
}

# Waits until file $1 has at least $2 lines.
e4p_wait_lines() {
	e4t_wait_for 5 sh -c "[ \$(wc -l <'$1') -ge $2 ]" || e4t_fail "$1: fewer than $2 lines: $(cat "$1")"
}
