#!/bin/sh
# Runs every benchmark program and prints their tables and metric lines.
set -eu
dir=${BENCH_DIR:-bench}
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "## SDK speed and footprint"
"$dir/bench-sdk" "${BENCH_SECONDS:-0.5}"

# Instructions per message under callgrind: the difference between runs of
# 1,000 and 11,000 operations, divided by 10,000 (setup cost cancels out).
if command -v valgrind >/dev/null 2>&1; then
	echo "## SDK instructions per message (callgrind)"
	tmp=$(mktemp -d)
	for size in 64 1024 4096; do
		for op in protect unprotect siv ceiling; do
			for n in 1000 11000; do
				valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$n" \
					"$dir/bench-sdk" --ops $op $n $size >/dev/null 2>&1
				eval "ir_$n=\$(sed -n 's/^summary: //p' \"\$tmp/cg.\$n\")"
			done
			# shellcheck disable=SC2154
			per=$(( (ir_11000 - ir_1000) / 10000 ))
			eval "ir_$op=$per"
			printf "%-10s %5d bytes %8d instructions\n" "$op" "$size" "$per"
			echo "metric: ${op}_${size}_instructions $per"
		done
		# Fewer instructions is faster: the ratio is baseline / SDK.
		# shellcheck disable=SC2154
		awk -v s="$size" -v p="$ir_protect" -v u="$ir_unprotect" -v a="$ir_siv" -v b="$ir_ceiling" 'BEGIN {
			printf "%5d bytes: protect %.2fx a, %.2fx b; unprotect %.2fx a, %.2fx b (instruction ratios)\n", s, a / p, b / p, a / u, b / u
			printf "metric: protect_%d_vs_openssl_siv_instructions %.3f\n", s, a / p
			printf "metric: protect_%d_vs_ceiling_instructions %.3f\n", s, b / p
			printf "metric: unprotect_%d_vs_openssl_siv_instructions %.3f\n", s, a / u
			printf "metric: unprotect_%d_vs_ceiling_instructions %.3f\n", s, b / u
		}'
	done
	rm -rf "$tmp"
fi

echo "## SDK footprint: peak stack (stack painting)"
"$dir/bench-stack"

# .text of the symkey core: the SDK objects without the pubkey backend
# (crypto/sodium.c) and the store backends (store/); client.c and recv.c
# still hold the pubkey branches.  state.c (the state blob of save/load)
# is counted separately.
if [ -n "${BUILD_DIR:-}" ] && command -v size >/dev/null 2>&1; then
	echo "## SDK footprint: .text of the symkey core (PIC objects, as built)"
	o="$BUILD_DIR/sdk/src/.libs"
	core=$(size "$o"/libe4core_la-client.o "$o"/libe4core_la-command.o "$o"/libe4core_la-frame.o \
		"$o"/libe4core_la-recv.o "$o"/libe4core_la-replay.o "$o"/libe4core_la-siv.o \
		"$o"/libe4core_la-util.o "$BUILD_DIR/sdk/src/crypto/.libs/libe4core_la-openssl.o" |
		awk 'NR > 1 {t += $1} END {print t}')
	state=$(size "$o"/libe4core_la-state.o | awk 'NR > 1 {print $1}')
	pk=$(size "$BUILD_DIR/sdk/src/crypto/.libs/libe4core_la-sodium.o" | awk 'NR > 1 {print $1}')
	printf "symkey core %d bytes, + state blob %d, pubkey backend %d\n" "$core" "$state" "$pk"
	echo "metric: text_symkey_core_bytes $core"
	echo "metric: text_state_blob_bytes $state"
	echo "metric: text_pubkey_backend_bytes $pk"
fi

# Heap: allocations counted by valgrind for 1,000 and 2,000 operations;
# the difference is what 1,000 protect/unprotect calls allocate.
if command -v valgrind >/dev/null 2>&1; then
	echo "## SDK heap use per 1,000 operations (valgrind)"
	allocs() {
		valgrind "$dir/bench-sdk" --ops "$1" "$2" 64 2>&1 |
			sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
	}
	for op in protect unprotect; do
		h_1000=$(allocs $op 1000)
		h_2000=$(allocs $op 2000)
		# shellcheck disable=SC2154
		d=$((h_2000 - h_1000))
		printf "%-10s %6d allocations per 1,000 messages\n" "$op" "$d"
		echo "metric: heap_allocs_per_1000_${op} $d"
	done
fi

# The plugin's own work per message, in process (its code against broker
# stubs): nanoseconds, and instructions under callgrind (one_message only).
if [ -x "$dir/bench-plugin" ]; then
	echo "## Broker plugin: checks per message, in process"
	ptmp=$(mktemp -d)
	"$dir/bench-plugin" 20000 | tee "$ptmp/plugin.out"
	awk '/ns\/message/ {
		name = $0; sub(/ +[0-9]+ ns\/message.*/, "", name); gsub(/[^a-z]+/, "_", name)
		for (i = 1; i <= NF; i++) if ($i == "ns/message") v = $(i - 1)
		print "metric: plugin_" name "_ns_per_msg " v }' "$ptmp/plugin.out"
	if command -v valgrind >/dev/null 2>&1; then
		for sc in 1 2 4; do
			m=2000   # scenario 4 (Ed25519) runs a tenth of them
			k=$([ $sc = 4 ] && echo 200 || echo 2000)
			valgrind --tool=callgrind --toggle-collect=one_message \
				--callgrind-out-file="$ptmp/cgp.$sc" "$dir/bench-plugin" "$m" "$sc" >/dev/null 2>&1
			ir=$(sed -n 's/^summary: //p' "$ptmp/cgp.$sc")
			per=$(awk -v i="$ir" -v m="$k" 'BEGIN {printf "%.0f", i / m}')
			name=$(case $sc in 1) echo unprotected ;; 2) echo symkey ;; 4) echo pubkey_verified ;; esac)
			printf "%-18s %9s instructions per message (callgrind)\n" "$name" "$per"
			echo "metric: plugin_${name}_instructions_per_msg $per"
		done
	fi
	rm -rf "$ptmp"
fi

# The C2 engine alone: its CPU per device rotated, SDK devices in process,
# no broker (BENCH_C2_ENGINE devices, default 10000; 0 skips it).
if [ -x "$dir/bench-c2engine" ] && [ "${BENCH_C2_ENGINE:-10000}" -gt 0 ]; then
	echo "## C2 engine: rotation of ${BENCH_C2_ENGINE:-10000} members, devices in process (no broker)"
	rm -rf "$dir/scratch/c2engine"
	mkdir -p "$dir/scratch"
	"$dir/bench-c2engine" "$dir/scratch/c2engine" "${BENCH_C2_ENGINE:-10000}" 3
fi

if [ -n "${BUILD_DIR:-}" ] && [ -x "$dir/bench-fleet" ]; then
	echo "## C2: topic rotation with N connected devices, device add"
	sh "$SRC_DIR/bench/c2.sh" "$BUILD_DIR" "$SRC_DIR"
fi

if [ -n "${BUILD_DIR:-}" ] && [ -x "$dir/bench-broker" ] && [ -f "${BENCH_PLUGIN:-$BUILD_DIR/plugin/.libs/mosquitto_e4.so}" ]; then
	echo "## Broker throughput, plugin vs plain broker (interleaved)"
	sh "$SRC_DIR/bench/broker.sh" "$BUILD_DIR" "$SRC_DIR"
fi

# Nothing started here may outlive the run.
if [ -n "${BUILD_DIR:-}" ]; then
	left=$(pgrep -f "$BUILD_DIR/bench/" 2>/dev/null | grep -v "^$$\$" | wc -l)
	echo "## Processes left behind by the benchmarks: $left"
	echo "metric: leftover_processes $left"
fi
