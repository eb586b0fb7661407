# tests/c2/lib-c2.sh - helpers for the C2 integration tests (sourced after
# tests/integration/lib.sh): broker, daemon, CLI and simulated devices, all
# under the test's private scratch directory.

C2D="$top_builddir/c2/e4c2d"
E4C2="$top_builddir/c2/e4c2"
SIM="$top_builddir/tests/c2/e4devsim"
# The system interpreter: a version manager's shim can take seconds to start.
C2T_PY=python3
[ -x /usr/bin/python3 ] && C2T_PY=/usr/bin/python3

# Starts a broker suited to C2 fan-out and writes the C2 configuration.
# $1: mode (symkey or pubkey); further arguments: extra configuration lines.
# (No pipes into these functions: they must run in the test's own shell.)
c2t_setup() {
	e4t_init
	e4t_start_broker <<EOF
allow_anonymous true
max_queued_messages 100000
max_inflight_messages 0
EOF
	C2CONF="$E4T_DIR/e4c2d.conf"
	c2mode=$1
	shift
	{
		echo "mode $c2mode"
		echo "database $E4T_DIR/c2.db"
		echo "master_key_file $E4T_DIR/master.key"
		echo "socket $E4T_DIR/c2.sock"
		echo "mqtt_host 127.0.0.1"
		echo "mqtt_port $E4T_PORT"
		echo "mqtt_client_id e4c2d-test"
		echo "log_level debug"
		for line in "$@"; do echo "$line"; done
	} >"$C2CONF"
	"$E4C2" -c "$C2CONF" init >/dev/null || e4t_fail "e4c2 init"
}

# Runs the CLI with the test configuration.
c2() {
	"$E4C2" -c "$C2CONF" "$@"
}

# True when the daemon answers and is connected to the broker.
c2t_connected() {
	c2 --json status 2>/dev/null | grep -q '"connected":true'
}

# Starts the daemon (log appended to c2d.log) and waits until it is connected.
c2t_start_daemon() {
	e4t_bg "$C2D" -c "$C2CONF" 2>>"$E4T_DIR/c2d.log"
	C2D_PID=$E4T_LAST_PID
	e4t_wait_for 10 c2t_connected || e4t_fail "e4c2d did not connect"
}

# Reads one field of `e4c2 --json topic show $1` (topic object or top level).
c2t_topic_field() {
	c2 --json topic show "$1" | "$C2T_PY" -c "import json,sys; r=json.load(sys.stdin); t=r['topic']; print(t['$2'] if '$2' in t else r['$2'])"
}

# True when topic $1 is not rotating and every SetTopicKey was acked.
c2t_topic_settled() {
	c2 --json topic show "$1" | "$C2T_PY" -c "import json,sys; t=json.load(sys.stdin)['topic']; sys.exit(0 if not t['rotating'] and t['acked']==t['total'] else 1)"
}

# True when no command is pending in the outbox.
c2t_outbox_empty() {
	c2 --json status | "$C2T_PY" -c "import json,sys; sys.exit(0 if json.load(sys.stdin)['pending']==0 else 1)"
}

# Adds device $1 and exports its store to $E4T_DIR/$1.store.
c2t_device() {
	c2 device add "$1" --export "$E4T_DIR/$1.store" >/dev/null || e4t_fail "device add $1"
}

# Starts the simulator: $1 log file name under $E4T_DIR, then its arguments.
c2t_sim() {
	log=$1
	shift
	e4t_bg "$SIM" -p "$E4T_PORT" "$@" >"$E4T_DIR/$log" 2>>"$E4T_DIR/sim-stderr.log"
	SIM_PID=$E4T_LAST_PID
}

# Prints the current topic key fingerprint of device $2 in simulator $1 (log $3).
c2t_sim_fp() {
	kill -USR1 "$1"
	sleep 0.3
	grep "\"dev\":\"$2\",\"event\":\"state\"" "$E4T_DIR/$3" | tail -n 1 |
		"$C2T_PY" -c "import json,sys; print(json.loads(sys.stdin.read())['fp'])"
}

# Counts lines of simulator log $1 matching the pattern $2.
c2t_count() {
	grep -c -- "$2" "$E4T_DIR/$1" || true
}

# Number of lines in simulator log $1 (a mark for c2t_count_after).
c2t_mark() {
	wc -l <"$E4T_DIR/$1"
}

# Counts lines of log $1 after line $2 matching the pattern $3.
c2t_count_after() {
	tail -n +"$(($2 + 1))" "$E4T_DIR/$1" | grep -c -- "$3" || true
}

# Fails unless every device named after $3 in simulator $1 (log $2) holds
# the topic key whose fingerprint is $3 (one state dump for all of them).
c2t_expect_fp() {
	pid=$1
	log=$2
	want=$3
	shift 3
	kill -USR1 "$pid"
	sleep 0.3
	grep '"event":"state"' "$E4T_DIR/$log" | tail -n 200 | "$C2T_PY" -c '
import json, sys
want, devs = sys.argv[1], sys.argv[2:]
last = {}
for line in sys.stdin:
    j = json.loads(line)
    last[j["dev"]] = j["fp"]
bad = [d + "=" + last.get(d, "?") for d in devs if last.get(d) != want]
if bad:
    print("devices without key " + want + ": " + " ".join(bad))
    sys.exit(1)' "$want" "$@" || e4t_fail "devices did not converge"
}
