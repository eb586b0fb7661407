#!/bin/sh
# Broker throughput with the E4 plugin against the same broker without it,
# interleaved in one run: one publisher, one subscriber, loopback.
# Usage: broker.sh BUILD_DIR SRC_DIR   (N messages per run: BENCH_MSGS,
# rounds: BENCH_ROUNDS, plugin module: BENCH_PLUGIN, default the one built;
# subsets: BENCH_QOS, BENCH_SIZES, BENCH_MODES)
# A run where the subscriber did not get every message is marked with "!"
# (a plugin that drops frames would otherwise look fast).
set -u
build=$1
src=$2
top_builddir=$build
E4T_BASE="$build/bench/scratch"
. "$src/tests/integration/lib.sh"
e4t_init
plugin=${BENCH_PLUGIN:-$build/plugin/.libs/mosquitto_e4.so}
[ -f "$plugin" ] || e4t_fail "plugin not built: $plugin"
[ -x "$build/bench/bench-broker" ] || e4t_fail "bench-broker not built (make bench)"
n=${BENCH_MSGS:-20000}
rounds=${BENCH_ROUNDS:-3}

# Starts a broker with config lines from stdin; sets $port.
start() {
	name=$1
	port=$(e4t_free_port)
	{
		echo "listener $port 127.0.0.1"
		echo "allow_anonymous true"
		echo "max_queued_messages 0"
		echo "log_type error"
		[ "$(id -u)" = 0 ] && echo "user root"
		cat
	} >"$E4T_DIR/$name.conf"
	e4t_bg e4t_run_broker -c "$E4T_DIR/$name.conf"
	echo "$E4T_LAST_PID" >"$E4T_DIR/pid.$port"
	e4t_wait_port "$port"
}

# CPU time (user + system, clock ticks) used so far by the broker on port $1.
ticks() {
	awk '{print $14 + $15}' "/proc/$(cat "$E4T_DIR/pid.$1")/stat"
}

# (Here-documents, not pipes: start must run in this shell so that the
# cleanup trap knows the brokers' pids.)
start plain </dev/null
plain=$port
start sym <<EOF
plugin $plugin
plugin_opt_protect bench/#
plugin_opt_c2_username c2
plugin_opt_mode symkey
EOF
sym=$port
start pkv <<EOF
plugin $plugin
plugin_opt_protect bench/#
plugin_opt_c2_username c2
plugin_opt_mode pubkey
plugin_opt_verify_signatures true
EOF
pkv=$port
start pkn <<EOF
plugin $plugin
plugin_opt_protect bench/#
plugin_opt_c2_username c2
plugin_opt_mode pubkey
plugin_opt_verify_signatures false
EOF
pkn=$port

# Median of the numbers on stdin.
median() {
	sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# One measurement: port mode qos size; prints the rate ("!" appended when
# messages were lost) and the broker's CPU microseconds per message.
run() {
	t0=$(ticks "$1")
	r=$("$build/bench/bench-broker" "$1" "$2" "$3" "$4" "$n" |
		awk '{print $2 ($4 == $6 ? "" : "!")}')
	awk -v r="$r" -v a="$t0" -v b="$(ticks "$1")" -v hz="$(getconf CLK_TCK)" -v n="$n" \
		'BEGIN {printf "%s %.2f\n", r, (b - a) / hz * 1e6 / n}'
}

printf "%-28s %12s %12s %8s %10s %10s\n" "case ($n msgs, $rounds rounds)" "plain msg/s" "e4 msg/s" "ratio" \
	"plain us" "e4 us"
for qos in ${BENCH_QOS:-0 1}; do
	for size in ${BENCH_SIZES:-64 1024}; do
		for mode in ${BENCH_MODES:-symkey pubkey-verify pubkey-noverify}; do
			: >"$E4T_DIR/a"; : >"$E4T_DIR/b"
			case $mode in
			symkey) p=$sym; m=symkey ;;
			pubkey-verify) p=$pkv; m=pubkey ;;
			*) p=$pkn; m=pubkey ;;
			esac
			r=0
			while [ $r -lt "$rounds" ]; do
				run "$plain" "$m" $qos $size >>"$E4T_DIR/a"
				run "$p" "$m" $qos $size >>"$E4T_DIR/b"
				r=$((r + 1))
			done
			lost=$(cat "$E4T_DIR/a" "$E4T_DIR/b" | grep -c '!')
			a=$(awk '{print $1}' "$E4T_DIR/a" | tr -d '!' | median)
			b=$(awk '{print $1}' "$E4T_DIR/b" | tr -d '!' | median)
			ca=$(awk '{print $2}' "$E4T_DIR/a" | median)
			cb=$(awk '{print $2}' "$E4T_DIR/b" | median)
			ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.3f", b / a; else print "nan" }')
			printf "%-28s %12s %12s %8s %10s %10s %s\n" "$mode qos$qos ${size}B" "$a" "$b" "$ratio" \
				"$ca" "$cb" "$([ "$lost" -gt 0 ] && echo "($lost runs lost messages)")"
			echo "metric: broker_${mode}_qos${qos}_${size}_cpu_us_per_msg $cb"
			echo "metric: broker_plain_for_${mode}_qos${qos}_${size}_cpu_us_per_msg $ca"
			awk -v a="$ca" -v b="$cb" -v m="${mode}_qos${qos}_${size}" \
				'BEGIN {if (b > 0) printf "metric: broker_%s_plain_vs_e4_cpu %.3f\n", m, a / b}'
			echo "metric: broker_${mode}_qos${qos}_${size}_incomplete_runs $lost"
			echo "metric: broker_${mode}_qos${qos}_${size}_msgs_per_s $b"
			echo "metric: broker_plain_for_${mode}_qos${qos}_${size}_msgs_per_s $a"
			echo "metric: broker_${mode}_qos${qos}_${size}_vs_plain $ratio"
		done
	done
done
