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
	for op in protect unprotect; do
		for size in 64 1024; do
			for n in 1000 11000; do
				valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$n" \
					"$dir/bench-sdk" --ops $op $n $size >/dev/null 2>&1
				eval "ir_$n=\$(sed -n 's/^summary: //p' \"\$tmp/cg.\$n\")"
			done
			# shellcheck disable=SC2154
			per=$(( (ir_11000 - ir_1000) / 10000 ))
			printf "%-10s %5d bytes %8d instructions\n" "$op" "$size" "$per"
			echo "metric: ${op}_${size}_instructions $per"
		done
	done
	rm -rf "$tmp"
fi

if [ -n "${BUILD_DIR:-}" ] && [ -x "$dir/bench-broker" ] && [ -f "$BUILD_DIR/plugin/.libs/mosquitto_e4.so" ]; then
	echo "## Broker throughput, plugin vs plain broker (interleaved)"
	sh "$SRC_DIR/bench/broker.sh" "$BUILD_DIR" "$SRC_DIR"
fi
