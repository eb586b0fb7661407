#!/bin/sh
# Replay-cache eviction (issue 15, item 1): after a frame passed, 64
# copies of its tag with later timestamps, then 63 distinct fresh frames
# (one fewer than plugin_opt_replay_cache) spread over two topics, must
# not make the broker forget it: the replayed frame stays refused and is
# delivered once.  Raw MQTT 5 (reason codes) and 3.1.1 (delivery counts).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
e4p_start <<EOF2
allow_anonymous true
plugin_opt_protect data/#
plugin_opt_c2_username c2
plugin_opt_replay_cache 64
EOF2
D=$E4T_DIR
RAW="python3 $top_srcdir/tests/plugin/mqttraw.py $E4T_PORT"
e4p_sub watcher "$D/watch" -t 'data/#'

for v in 4 5; do
	e4p_frame "$D/cap.$v" now "captured v$v"
	e4p_expect ok "v$v: frame published" dev -t data/t -f "$D/cap.$v"
	steps=""
	# The captured tag with later timestamps (the old cache's eviction attack).
	for k in $(seq 1 64); do
		python3 -c 'import sys,struct; f=open(sys.argv[1],"rb").read(); ts=struct.unpack("<Q",f[:8])[0]
sys.stdout.buffer.write(struct.pack("<Q", ts + 1 + int(sys.argv[2]) % 50) + f[8:])' "$D/cap.$v" "$k" >"$D/same.$v.$k"
		steps="$steps pub:1:$k:data/t@$D/same.$v.$k"
	done
	# 63 distinct frames: one fewer than the cache holds.
	for k in $(seq 1 63); do
		e4p_frame "$D/flood.$v.$k" now "flood $v $k"
		steps="$steps pub:1:$((100 + k)):data/f$((k % 2))@$D/flood.$v.$k"
	done
	out=$($RAW v$v connect:attacker$v $steps "pub:1:999:data/t@$D/cap.$v" disconnect) ||
		e4t_fail "v$v: attack: $out"
	if [ "$v" = 5 ]; then
		e4t_eq "$(echo "$out" | grep -c '^puback [0-9]* 135$')" 65 "v5: same-tag copies and the replay refused"
		e4t_eq "$(echo "$out" | tail -1)" "puback 999 135" "v5: replay after the flood refused"
	fi
done
e4p_frame "$D/end" now "sentinel"
e4p_expect ok "sentinel" dev -t data/end -f "$D/end"
e4p_wait_lines "$D/watch" 129
sleep 0.3
for v in 4 5; do
	e4t_eq "$(grep -c "^data/t $(e4p_hex "$D/cap.$v")\$" "$D/watch")" 1 "v$v: captured frame delivered once"
	e4t_eq "$(grep -c "^data/t " "$D/watch")" 2 "no same-tag copy delivered"
done
e4t_eq "$(e4p_stat refused.replay)" 130 "replay refusals"
echo "evict: all checks passed"
