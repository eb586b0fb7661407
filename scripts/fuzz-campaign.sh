#!/bin/sh
# Runs every libFuzzer target built under the build directory (tests/fuzz/
# fuzz_*: SDK, plugin, C2) for SECONDS each and reports, per target, the
# executions, the edges covered (cov), the features (ft) and the corpus
# size; ends with the totals.  Each target starts from its seed corpus
# (tests/fuzz/seed/<name>/ made by `make fuzz`) and its crash regressions
# (tests/fuzz/regressions/<name>-*), plus a dictionary tests/fuzz/fuzz_<name>.dict
# when one exists.  A crash leaves its input in tests/fuzz/campaign/ and
# fails the run: copy it to tests/fuzz/regressions/<name>-<what>.
# usage: scripts/fuzz-campaign.sh SECONDS [BUILD_DIR]   (run `make fuzz-all` first)
set -u
secs=${1:?usage: fuzz-campaign.sh SECONDS [BUILD_DIR]}
build=${2:-.}
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$build" || exit 1
out=tests/fuzz/campaign
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"
targets=$(ls tests/fuzz/fuzz_* 2>/dev/null | grep -v '\.[a-z]*$')
[ -n "$targets" ] || { echo "no fuzz targets under $build/tests/fuzz (make fuzz-all)" >&2; exit 1; }
total_exec=0
ntargets=0
crashes=0
printf '%-28s %12s %8s %8s %8s %s\n' target executions cov ft corpus result | tee -a "$summary"
for bin in $targets; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	t=${name#fuzz_}
	work="$out/$t"
	rm -rf "$work" && mkdir -p "$work/corpus"
	[ -d "tests/fuzz/seed/$t" ] && cp "tests/fuzz/seed/$t"/* "$work/corpus/" 2>/dev/null
	cp "$src/tests/fuzz/regressions/$t"-* "$work/corpus/" 2>/dev/null
	dict=
	[ -f "$src/tests/fuzz/$name.dict" ] && dict="-dict=$src/tests/fuzz/$name.dict"
	# shellcheck disable=SC2086
	"$bin" $dict -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=1024 \
		-artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$work/log" | tail -n 1 | cut -d' ' -f2)
	files=$(ls "$work/corpus" | wc -l)
	result=ok
	if [ $rc -ne 0 ] || ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* >/dev/null 2>&1; then
		result="FAILED (exit $rc, see $work/log)"
		crashes=$((crashes + 1))
		tail -n 40 "$work/log"
	fi
	printf '%-28s %12s %8s %8s %8s %s\n' "$name" "${execs:-0}" "${cov:-?}" "${ft:-?}" "$files" "$result" |
		tee -a "$summary"
	total_exec=$((total_exec + ${execs:-0}))
	ntargets=$((ntargets + 1))
done
echo "targets: $ntargets, seconds each: $secs, executions: $total_exec, failures: $crashes" | tee -a "$summary"
[ $crashes -eq 0 ]
