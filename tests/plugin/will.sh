#!/bin/sh
# Wills (issue 15, item 2), raw MQTT packets: a Will carrying a captured
# frame is refused as a replay when the broker sends it; an honest Will
# carrying a fresh frame is delivered once, and that frame published
# again by another client is a replay.  MQTT 3.1.1 and 5.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
e4p_start <<EOF2
allow_anonymous true
plugin_opt_protect data/#
plugin_opt_c2_username c2
EOF2
D=$E4T_DIR
RAW="python3 $top_srcdir/tests/plugin/mqttraw.py $E4T_PORT"
e4p_sub watcher "$D/watch" -t 'data/#'

for v in 4 5; do
	e4p_frame "$D/cap.$v" now "captured v$v"
	e4p_frame "$D/will.$v" now "honest will v$v"
	e4p_expect ok "v$v: frame published" dev -t data/t -f "$D/cap.$v"
	# The captured frame as the Will of a connection that then drops.
	$RAW v$v "connect:thief$v:will=data/t@$D/cap.$v" drop >/dev/null || e4t_fail "v$v: thief"
	# An honest Will.
	$RAW v$v "connect:dev$v:will=data/w@$D/will.$v" drop >/dev/null || e4t_fail "v$v: device"
	e4t_wait_for 5 grep -q "^data/w $(e4p_hex "$D/will.$v")\$" "$D/watch" ||
		e4t_fail "v$v: honest Will not delivered"
	e4p_expect refused "v$v: the honest Will's frame replayed" other -t data/w -f "$D/will.$v"
done
e4p_frame "$D/end" now "sentinel"
e4p_expect ok "sentinel" dev -t data/end -f "$D/end"
e4p_wait_lines "$D/watch" 5
sleep 0.3
for v in 4 5; do
	e4t_eq "$(grep -c "^data/t $(e4p_hex "$D/cap.$v")\$" "$D/watch")" 1 "v$v: captured frame delivered once (not as a Will)"
	e4t_eq "$(grep -c "^data/w $(e4p_hex "$D/will.$v")\$" "$D/watch")" 1 "v$v: honest Will delivered once"
done
e4t_eq "$(wc -l <"$D/watch" | tr -d ' ')" 5 "messages delivered"
e4t_eq "$(e4p_stat refused.replay)" 4 "replay refusals (two Wills, two publishes)"
grep -q 'e4: refused publish from "thief4" on "data/t": replay' "$D/mosquitto.log" ||
	e4t_fail "Will refusal not logged"
echo "will: all checks passed"
