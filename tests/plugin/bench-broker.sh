#!/bin/sh
# Broker CPU time per message with and without the plugin, on loopback
# (not part of make check).  Run from the build tree:
#   top_builddir=. top_srcdir=.. sh ../tests/plugin/bench-broker.sh [N]
# One subscriber receives every message; the figure is the broker's
# user+system CPU time over N messages (from /proc/PID/stat).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
N=${1:-100000}
PUB="$top_builddir/tests/plugin/bench-pub"
DEV=00112233445566778899aabbccddeeff
"$E4FRAME" keypair >"$E4T_DIR/keys"
PK=$(sed -n 1p "$E4T_DIR/keys")
SK=$(sed -n 2p "$E4T_DIR/keys")

# CPU ticks used so far by the broker.
ticks() {
	awk '{print $14 + $15}' "/proc/$E4T_BROKER_PID/stat"
}

# measure LABEL N KIND [SK SENDER]: prints the broker's CPU per message.
measure() {
	label=$1 n=$2
	shift 2
	e4t_bg mosquitto_sub -p "$E4T_PORT" -i bench-sub -t 'sensors/#' -C "$n" -W 300
	sub=$E4T_LAST_PID
	e4p_wait_sub bench-sub
	t0=$(ticks)
	s0=$(date +%s.%N)
	"$PUB" "$E4T_PORT" sensors/room1/temp "$n" "$@" >/dev/null || e4t_fail "bench-pub"
	wait "$sub"
	s1=$(date +%s.%N)
	t1=$(ticks)
	hz=$(getconf CLK_TCK)
	awk -v l="$label" -v n="$n" -v t="$((t1 - t0))" -v hz="$hz" -v w0="$s0" -v w1="$s1" \
		'BEGIN { printf "%-40s %7.2f us CPU/message, %8.0f messages/s wall (%d messages)\n", l, t / hz * 1e6 / n, n / (w1 - w0), n }'
}

stop() {
	kill "$E4T_BROKER_PID"
	wait "$E4T_BROKER_PID" 2>/dev/null
}

e4t_start_broker <<EOF2
allow_anonymous true
log_type error
EOF2
measure "no plugin, symkey-sized payload" "$N" symkey
stop
e4p_start <<EOF2
allow_anonymous true
log_type error
plugin_opt_protect sensors/#
plugin_opt_c2_username c2
plugin_opt_replay_cache 262144
EOF2
measure "plugin, unprotected topic (plaintext)" "$N" plain
stop
e4p_start <<EOF2
allow_anonymous true
log_type error
plugin_opt_protect sensors/#
plugin_opt_c2_username c2
plugin_opt_replay_cache 262144
EOF2
measure "plugin, symkey frames" "$N" symkey
stop
for verify in false true; do
	e4p_start <<EOF2
allow_anonymous true
plugin_opt_protect sensors/#
plugin_opt_c2_username c2
plugin_opt_mode pubkey
plugin_opt_verify_signatures $verify
plugin_opt_replay_cache 262144
EOF2
	e4p_control c2 "{\"commands\":[{\"command\":\"setDevicePubKey\",\"id\":\"$DEV\",\"pubkey\":\"$PK\"}]}" >/dev/null
	n=$N
	[ "$verify" = true ] && n=$((N / 5))
	measure "plugin, pubkey frames, verify=$verify" "$n" pubkey "$SK" "$DEV"
	stop
done
