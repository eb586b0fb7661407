#!/bin/sh
# C2 benchmark: time from `e4c2 topic rotate` to the last ack with N
# connected simulated devices (bench-fleet: one MQTT connection each), and
# `device add` throughput into a database of M devices with the daemon's
# RSS.  Loopback only; everything started here is stopped at exit.
# Usage: c2.sh BUILD_DIR SRC_DIR
#   BENCH_C2_DEVICES  fleet sizes, space separated (default "1000 10000")
#   BENCH_C2_ADD      devices in the add database (default 100000)
#   BENCH_C2_CLI_ADD  adds timed through the e4c2 CLI (default 200)
#   BENCH_C2_CONF    extra e4c2d.conf lines, ';'-separated (e.g. "max_inflight 2048")
#   BENCH_C2_NAGLE=1  Nagle's algorithm left on in the broker and the fleet
#                     (the defaults of mosquitto and libmosquitto), for comparison
#   BENCH_C2_STRACE=1 / BENCH_C2_PERF=1: system call counts / perf profile
#                     of e4c2d during the rotation (slows it down)
set -u
build=$1
src=$2
top_builddir=$build
E4T_BASE="$build/bench/scratch"
. "$src/tests/integration/lib.sh"
C2D="$build/c2/e4c2d"
E4C2="$build/c2/e4c2"
FLEET="$build/bench/bench-fleet"
BATCH="$src/bench/c2-batch.py"
sizes=${BENCH_C2_DEVICES:-1000 10000}
nadd=${BENCH_C2_ADD:-100000}
ncli=${BENCH_C2_CLI_ADD:-200}

# libmosquitto uses three descriptors per client (its socket and a socket
# pair): the fleet is split over several processes of at most $per devices.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
maxfd=$(ulimit -n)
per=$(( (maxfd - 64) / 3 ))
[ "$per" -gt 5000 ] && per=5000
per=${BENCH_C2_PER:-$per}

now_ms() {
	date +%s%3N
}

# Field $1 of the JSON answer of `e4c2 --json status`.
status_field() {
	"$E4C2" -c "$conf" --json status | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

# kB value of field $2 in /proc/$1/status.
proc_kb() {
	awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"
}

# Runs a command in the background and waits for it, so that an interrupt
# reaches the cleanup trap at once (dash defers traps until a foreground
# command ends).
bg_wait() {
	"$@" &
	E4T_PIDS="$E4T_PIDS $!"
	wait $!
}

# CPU time (user + system, in clock ticks) used so far by process $1.
cpu_ticks() {
	awk '{print $14 + $15}' "/proc/$1/stat"
}

# Starts a broker configured as for the C2 (tests/c2/lib-c2.sh), a fresh C2
# database and the daemon; sets $dir, $port, $conf, $c2pid, $brokerpid.
setup() {
	dir="$E4T_DIR/$1"
	mkdir -p "$dir"
	port=$(e4t_free_port)
	{
		echo "listener $port 127.0.0.1"
		echo "persistence false"
		echo "allow_anonymous true"
		echo "max_queued_messages 100000"
		echo "max_inflight_messages 0"
		echo "log_dest file $dir/mosquitto.log"
		echo "log_type error"
		echo "log_type warning"
		# As conf/mosquitto-example.conf: acks to the C2 go out at once, not
		# after its delayed TCP ACK (it sends nothing back for QoS 0 acks).
		[ -z "${BENCH_C2_NAGLE:-}" ] && echo "set_tcp_nodelay true"
		[ "$(id -u)" = 0 ] && echo "user root"
	} >"$dir/mosquitto.conf"
	e4t_bg e4t_run_broker -c "$dir/mosquitto.conf"
	brokerpid=$E4T_LAST_PID
	e4t_wait_port "$port"
	conf="$dir/e4c2d.conf"
	{
		echo "mode symkey"
		echo "database $dir/c2.db"
		echo "master_key_file $dir/master.key"
		echo "socket $dir/c2.sock"
		echo "mqtt_host 127.0.0.1"
		echo "mqtt_port $port"
		echo "mqtt_client_id e4c2d-bench"
		echo "log_level warn"
		printf '%s\n' "${BENCH_C2_CONF:-}" | tr ';' '\n' | sed 's/^ *//'
	} >"$conf"
	"$E4C2" -c "$conf" init >/dev/null || e4t_fail "e4c2 init"
	e4t_bg "$C2D" -c "$conf" 2>>"$dir/c2d.log"
	c2pid=$E4T_LAST_PID
	e4t_wait_for 10 sh -c "'$E4C2' -c '$conf' --json status | grep -q '\"connected\":true'" ||
		e4t_fail "e4c2d did not connect"
}

# Stops the daemon and the broker of the current setup.
teardown() {
	kill "$c2pid" "$brokerpid" 2>/dev/null
	wait "$c2pid" "$brokerpid" 2>/dev/null
}

# Sums the last status lines of the fleet processes (last_ms: the latest).
fleet_status() {
	for f in "$dir"/fleet.out.*; do tail -n 1 "$f"; done |
		awk '$1 == "status" {c += $3; k += $5; f += $7; if ($9 > l) l = $9; n++}
		     END {printf "status connected %d commands %d failed %d last_ms %.0f procs %d\n", c, k, f, l, n}'
}

# Waits until the fleet status satisfies the awk condition $1 (timeout $2 s).
wait_fleet() {
	t=$(( $2 * 10 ))
	while [ $t -gt 0 ]; do
		fleet_status | awk "($1) {ok=1} END {exit !ok}" && return 0
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}

# True when topic $1 finished rotating and every member acked.
topic_settled() {
	"$E4C2" -c "$conf" --json topic show "$1" | python3 -c "import json,sys; t=json.load(sys.stdin)['topic']; sys.exit(0 if not t['rotating'] and t['acked']==t['total'] else 1)"
}

# Rotation benchmark with $1 devices.
rotate_bench() {
	n=$1
	[ "$per" -ge 100 ] && [ $((n + 64)) -le "$maxfd" ] || e4t_fail "ulimit -n is $maxfd: too low for $n devices"
	setup "rot$n"
	bg_wait python3 "$BATCH" "$dir/c2.sock" add dev 0 "$n" "$dir/fleet.keys" >"$dir/add.out" ||
		e4t_fail "batch add"
	split -l "$per" -d "$dir/fleet.keys" "$dir/fleet.keys."
	fleetpids=""
	for k in "$dir"/fleet.keys.*; do
		e4t_bg "$FLEET" -p "$port" -f "$k" ${BENCH_C2_NAGLE:+-N} >"$dir/fleet.out.${k##*.}" 2>>"$dir/fleet.err"
		fleetpids="$fleetpids $E4T_LAST_PID"
	done
	wait_fleet "\$3 >= $n" $((30 + n / 100)) || e4t_fail "$n devices did not connect"
	"$E4C2" -c "$conf" topic add bench/t >/dev/null || e4t_fail "topic add"
	t0=$(now_ms)
	bg_wait python3 "$BATCH" "$dir/c2.sock" link dev 0 "$n" bench/t >"$dir/link.out" || e4t_fail "link"
	wait_fleet "\$5 >= $n" $((60 + n / 50)) || e4t_fail "not every device acked its link"
	e4t_wait_for 60 sh -c "[ \"\$('$E4C2' -c '$conf' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"pending\"])')\" = 0 ]" ||
		e4t_fail "outbox did not drain after the links"
	link_s=$(awk -v a="$t0" -v b="$(now_ms)" 'BEGIN {printf "%.2f", (b - a) / 1000}')
	# Rotation: SetTopicKeyNext to every member, then SetTopicKey, then ReplaceTopicKey
	# (the replaced key retired): finished at the last ack of the third.
	c0=$(cpu_ticks "$c2pid"); b0=$(cpu_ticks "$brokerpid"); f0=$(for p in $fleetpids; do cpu_ticks "$p"; done | awk '{t += $1} END {print t}')
	if [ -n "${BENCH_C2_STRACE:-}" ]; then
		strace -c -w -o "$dir/strace.out" -p "$c2pid" 2>/dev/null &
		stracepid=$!
		sleep 0.5
	fi
	if [ -n "${BENCH_C2_PERF:-}" ]; then
		perf record -q -g -o "$dir/perf.data" -p "$c2pid" 2>/dev/null &
		perfpid=$!
		sleep 0.5
	fi
	t0=$(now_ms)
	"$E4C2" -c "$conf" topic rotate bench/t >/dev/null || e4t_fail "topic rotate"
	wait_fleet "\$5 >= $((4 * n))" $((60 + n / 20)) || e4t_fail "the fleet did not ack the rotation"
	c1=$(cpu_ticks "$c2pid"); b1=$(cpu_ticks "$brokerpid")
	last=$(fleet_status | awk '{print $9}')
	e4t_wait_for $((60 + n / 20)) topic_settled bench/t || e4t_fail "rotation did not settle"
	settled=$(now_ms)
	if [ -n "${BENCH_C2_STRACE:-}" ]; then
		kill "$stracepid"; wait "$stracepid" 2>/dev/null
		echo "# e4c2d system calls during the rotation of $n devices:"
		sed -n '1,12p' "$dir/strace.out" | sed 's/^/# /'
	fi
	if [ -n "${BENCH_C2_PERF:-}" ]; then
		kill -INT "$perfpid"; wait "$perfpid" 2>/dev/null
		echo "# e4c2d profile during the rotation of $n devices (perf, self time by shared object, then symbol):"
		perf report -i "$dir/perf.data" --stdio --no-children --sort dso 2>/dev/null | grep '%' | head -n 8 | sed 's/^/# /'
		perf report -i "$dir/perf.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null | grep '%' | head -n 20 | sed 's/^/# /'
	fi
	tck=$(getconf CLK_TCK)
	cpu_c2=$(awk -v a="$c0" -v b="$(cpu_ticks "$c2pid")" -v t="$tck" 'BEGIN {printf "%.2f", (b - a) / t}')
	cpu_br=$(awk -v a="$b0" -v b="$(cpu_ticks "$brokerpid")" -v t="$tck" 'BEGIN {printf "%.2f", (b - a) / t}')
	cpu_fl=$(awk -v a="$f0" -v b="$(for p in $fleetpids; do cpu_ticks "$p"; done | awk '{t += $1} END {print t}')" -v t="$tck" 'BEGIN {printf "%.2f", (b - a) / t}')
	failed=$(fleet_status | awk '{print $7}')
	hwm=$(proc_kb "$c2pid" VmHWM)
	rss=$(proc_kb "$c2pid" VmRSS)
	rot_s=$(awk -v a="$t0" -v b="$last" 'BEGIN {printf "%.3f", (b - a) / 1000}')
	set_s=$(awk -v a="$t0" -v b="$settled" 'BEGIN {printf "%.3f", (b - a) / 1000}')
	per_s=$(awk -v n="$n" -v s="$rot_s" 'BEGIN {printf "%.0f", n / s}')
	printf "%-8s %10s %12s %10s %10s %12s %8s\n" "$n" "$link_s" "$rot_s" "$per_s" "$set_s" "$hwm" "$failed"
	echo "metric: c2_rotate_${n}_seconds $rot_s"
	echo "metric: c2_rotate_${n}_devices_per_s $per_s"
	echo "metric: c2_rotate_${n}_settled_seconds $set_s"
	echo "metric: c2_link_${n}_seconds $link_s"
	echo "metric: c2_rotate_${n}_e4c2d_vmhwm_kb $hwm"
	echo "metric: c2_rotate_${n}_e4c2d_vmrss_kb $rss"
	echo "metric: c2_rotate_${n}_failed_commands $failed"
	echo "# CPU seconds from rotate to settled: e4c2d $cpu_c2, mosquitto $cpu_br, fleet $cpu_fl"
	# Up to the last ack (read within 0.1 s of it): what the rotation itself cost.
	cpu_c2a=$(awk -v a="$c0" -v b="$c1" -v t="$tck" 'BEGIN {printf "%.2f", (b - a) / t}')
	cpu_bra=$(awk -v a="$b0" -v b="$b1" -v t="$tck" 'BEGIN {printf "%.2f", (b - a) / t}')
	echo "# CPU seconds from rotate to the last ack: e4c2d $cpu_c2a, mosquitto $cpu_bra"
	echo "metric: c2_rotate_${n}_e4c2d_cpu_seconds_to_last_ack $cpu_c2a"
	echo "metric: c2_rotate_${n}_broker_cpu_seconds_to_last_ack $cpu_bra"
	echo "metric: c2_rotate_${n}_e4c2d_cpu_seconds $cpu_c2"
	echo "metric: c2_rotate_${n}_broker_cpu_seconds $cpu_br"
	echo "metric: c2_rotate_${n}_fleet_cpu_seconds $cpu_fl"
	# What the C2 alone could do with a core of its own.
	awk -v n="$n" -v c="$cpu_c2" 'BEGIN {if (c > 0) printf "metric: c2_rotate_%d_devices_per_e4c2d_cpu_second %.0f\n", n, n / c}'
	# shellcheck disable=SC2086
	kill $fleetpids 2>/dev/null
	# shellcheck disable=SC2086
	wait $fleetpids 2>/dev/null
	teardown
	rm -f "$dir"/fleet.keys*
}

# Device add throughput: CLI round trips, then the batch path up to $1 devices.
add_bench() {
	m=$1
	setup add
	t0=$(now_ms)
	i=0
	while [ $i -lt "$ncli" ]; do
		"$E4C2" -c "$conf" device add "cli$i" >/dev/null || e4t_fail "device add cli$i"
		i=$((i + 1))
	done
	cli_per_s=$(awk -v n="$ncli" -v a="$t0" -v b="$(now_ms)" 'BEGIN {printf "%.0f", n * 1000 / (b - a)}')
	rest=$((m - ncli))
	out=$(python3 "$BATCH" "$dir/c2.sock" add dev 0 "$rest") || e4t_fail "batch add"
	batch_per_s=$(echo "$out" | awk '{printf "%.0f", $6}')
	last_per_s=$(echo "$out" | awk '{printf "%.0f", $8}')
	total=$(status_field devices 2>/dev/null || echo "$m")
	# A listing walks every device: the daemon's peak with all of them.
	t0=$(now_ms)
	"$E4C2" -c "$conf" --json device list >/dev/null || e4t_fail "device list"
	list_s=$(awk -v a="$t0" -v b="$(now_ms)" 'BEGIN {printf "%.2f", (b - a) / 1000}')
	hwm=$(proc_kb "$c2pid" VmHWM)
	rss=$(proc_kb "$c2pid" VmRSS)
	dbkb=$(du -k "$dir/c2.db" | awk '{print $1}')
	printf "%-10s %12s %14s %14s %12s %12s %10s %10s\n" "$m" "$cli_per_s" "$batch_per_s" "$last_per_s" "$rss" "$hwm" "$dbkb" "$list_s"
	echo "metric: c2_add_cli_per_s $cli_per_s"
	echo "metric: c2_add_batch_per_s $batch_per_s"
	echo "metric: c2_add_batch_last_tenth_per_s $last_per_s"
	echo "metric: c2_add_${m}_e4c2d_vmrss_kb $rss"
	echo "metric: c2_add_${m}_e4c2d_vmhwm_kb $hwm"
	echo "metric: c2_add_${m}_db_kb $dbkb"
	echo "metric: c2_add_${m}_device_list_seconds $list_s"
	: "$total"
	teardown
}

e4t_init
echo "ulimit -n $maxfd"
printf "%-8s %10s %12s %10s %10s %12s %8s\n" devices "link s" "rotate s" "dev/s" "settled s" "e4c2d HWM kB" failed
for n in $sizes; do
	rotate_bench "$n"
done
printf "%-10s %12s %14s %14s %12s %12s %10s %10s\n" devices "CLI add/s" "batch add/s" "last 10% /s" "RSS kB" "HWM kB" "db kB" "list s"
add_bench "$nadd"
