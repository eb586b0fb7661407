#!/bin/sh
# Broker throughput with the E4 plugin against the same broker without it,
# interleaved in one run: one publisher, one subscriber, loopback.
# Usage: broker.sh BUILD_DIR SRC_DIR   (N messages per run: BENCH_MSGS,
# rounds: BENCH_ROUNDS, plugin module: BENCH_PLUGIN, default the one built)
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
	e4t_wait_port "$port"
}

start plain </dev/null
plain=$port
printf 'plugin %s\nplugin_opt_protect bench/#\nplugin_opt_c2_username c2\nplugin_opt_mode symkey\n' "$plugin" | start sym
sym=$port
printf 'plugin %s\nplugin_opt_protect bench/#\nplugin_opt_c2_username c2\nplugin_opt_mode pubkey\nplugin_opt_verify_signatures true\n' "$plugin" | start pkv
pkv=$port
printf 'plugin %s\nplugin_opt_protect bench/#\nplugin_opt_c2_username c2\nplugin_opt_mode pubkey\nplugin_opt_verify_signatures false\n' "$plugin" | start pkn
pkn=$port

# Median of the numbers on stdin.
median() {
	sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# One measurement: port mode qos size; the rate, "!" appended when messages were lost.
run() {
	"$build/bench/bench-broker" "$1" "$2" "$3" "$4" "$n" |
		awk '{print $2 ($4 == $6 ? "" : "!")}'
}

printf "%-28s %12s %12s %8s\n" "case ($n msgs, $rounds rounds)" "plain msg/s" "e4 msg/s" "ratio"
for qos in 0 1; do
	for size in 64 1024; do
		for mode in symkey pubkey-verify pubkey-noverify; do
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
			a=$(tr -d '!' <"$E4T_DIR/a" | median); b=$(tr -d '!' <"$E4T_DIR/b" | median)
			ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.3f", b / a; else print "nan" }')
			printf "%-28s %12s %12s %8s %s\n" "$mode qos$qos ${size}B" "$a" "$b" "$ratio" \
				"$([ "$lost" -gt 0 ] && echo "($lost runs lost messages)")"
			echo "metric: broker_${mode}_qos${qos}_${size}_incomplete_runs $lost"
			echo "metric: broker_${mode}_qos${qos}_${size}_msgs_per_s $b"
			echo "metric: broker_plain_for_${mode}_qos${qos}_${size}_msgs_per_s $a"
			echo "metric: broker_${mode}_qos${qos}_${size}_vs_plain $ratio"
		done
	done
done
