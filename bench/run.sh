#!/bin/sh
# Runs every benchmark program and prints their tables and metric lines.
set -eu
dir=${BENCH_DIR:-bench}
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "## SDK speed and footprint"
"$dir/bench-sdk" "${BENCH_SECONDS:-0.5}"
