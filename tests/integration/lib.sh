# tests/integration/lib.sh - shared helpers for integration tests (sourced).
#
# Tests run a real mosquitto on a random loopback port.  Scratch state
# lives in a private directory under the build tree (never /tmp: it holds
# keys), removed at exit together with every process started here.
# If mosquitto is missing the test fails: it never skips.

set -u
# Debian's own tools first: a python3 shim earlier in PATH (pyenv) costs
# seconds per call and lacks python3-cryptography.
PATH="/usr/bin:/usr/sbin:/bin:/sbin:$PATH"
export PATH
E4T_DIR=""
E4T_PIDS=""

# Fails the test with a message.
e4t_fail() {
	echo "FAIL: $*" >&2
	# Kept for e4t_cleanup, which repeats it after the logs it prints, so
	# that the reason is in the last lines a CI job shows.
	[ -n "${E4T_DIR:-}" ] && [ -d "$E4T_DIR" ] && echo "FAIL: $*" >>"$E4T_DIR/failure"
	exit 1
}

# Prints a step of the test.
e4t_say() {
	echo "--- $*"
}

# Creates the private scratch directory ($E4T_DIR) and the exit trap.
e4t_init() {
	base="${E4T_BASE:-${top_builddir:-.}/tests/scratch}"
	mkdir -p "$base"
	E4T_DIR=$(mktemp -d "$base/$(basename "$0" .sh).XXXXXX") || e4t_fail "mktemp"
	E4T_DIR=$(cd "$E4T_DIR" && pwd)
	chmod 700 "$E4T_DIR"
	trap e4t_cleanup EXIT INT TERM
}

# Kills everything started with e4t_bg and removes the scratch directory.
e4t_cleanup() {
	rc=$?
	for p in $E4T_PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $E4T_PIDS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	if [ $rc -ne 0 ] && [ -n "$E4T_DIR" ]; then
		for f in "$E4T_DIR"/*.log; do
			[ -f "$f" ] || continue
			echo "=== $f"; tail -n 40 "$f"
		done
		[ -f "$E4T_DIR/failure" ] && { echo "=== the test failed:"; cat "$E4T_DIR/failure"; }
	fi
	[ -n "$E4T_DIR" ] && [ -z "${E4T_KEEP:-}" ] && rm -rf "$E4T_DIR"
	exit $rc
}

# Starts a command in the background and remembers its pid in $E4T_LAST_PID.
e4t_bg() {
	"$@" &
	E4T_LAST_PID=$!
	E4T_PIDS="$E4T_PIDS $E4T_LAST_PID"
}

# Prints a free TCP port on 127.0.0.1.
e4t_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until something listens on 127.0.0.1:$1 (up to 10 s).
e4t_wait_port() {
	i=0
	while ! python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && e4t_fail "nothing listens on port $1"
		sleep 0.1
	done
}

# Path of the mosquitto broker binary (fails when missing).
e4t_mosquitto() {
	for m in "${MOSQUITTO:-}" /usr/sbin/mosquitto "$(command -v mosquitto 2>/dev/null)"; do
		[ -n "$m" ] && [ -x "$m" ] && { echo "$m"; return 0; }
	done
	e4t_fail "mosquitto not installed (apt-get install mosquitto)"
}

# Runs (execs: call it in a background subshell) the broker; with an AddressSanitizer build the instrumented plugin
# needs the ASan runtime preloaded into the (uninstrumented) broker.
e4t_run_broker() {
	case "${E4_SANITIZE:-}" in
	*address*)
		exec env LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
		ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$(e4t_mosquitto)" "$@" ;;
	*)
		exec "$(e4t_mosquitto)" "$@" ;;
	esac
}

# Prints the environment (for env(1)) a broker needs to load the plugin
# of this build: the ASan runtime first when sanitizers are compiled in.
e4t_broker_env() {
	case "${E4_SANITIZE:-}" in
	*address*) echo "LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0" ;;
	*) echo "E4T_PLAIN_BROKER=1" ;;
	esac
}

# Starts a broker on a fresh port with extra config lines from stdin.
# Sets E4T_PORT, E4T_BROKER_PID and E4T_BROKER_CONF.
e4t_start_broker() {
	E4T_PORT=$(e4t_free_port)
	E4T_BROKER_CONF="$E4T_DIR/mosquitto.conf"
	{
		echo "listener $E4T_PORT 127.0.0.1"
		echo "persistence false"
		echo "log_dest file $E4T_DIR/mosquitto.log"
		echo "log_type all"
		# As conf/mosquitto-example.conf recommends (acks reach the C2 at once).
		echo "set_tcp_nodelay true"
		# As root the broker would switch to the mosquitto user, which cannot
		# write into the private scratch directory.
		[ "$(id -u)" = 0 ] && echo "user root"
		cat
	} >"$E4T_BROKER_CONF"
	e4t_bg e4t_run_broker -c "$E4T_BROKER_CONF"
	E4T_BROKER_PID=$E4T_LAST_PID
	e4t_wait_port "$E4T_PORT"
}

# Restarts the broker with the same configuration and port.
e4t_restart_broker() {
	kill "$E4T_BROKER_PID" 2>/dev/null
	wait "$E4T_BROKER_PID" 2>/dev/null
	e4t_bg e4t_run_broker -c "$E4T_BROKER_CONF"
	E4T_BROKER_PID=$E4T_LAST_PID
	e4t_wait_port "$E4T_PORT"
}

# Asserts that two strings are equal.
e4t_eq() {
	[ "$1" = "$2" ] || e4t_fail "${3:-values differ}: expected [$2], got [$1]"
}

# Waits up to $1 seconds for the command "$2..." to succeed.
e4t_wait_for() {
	t=$1; shift
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt $((t * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}
