#!/bin/sh
# Retained messages on a protected topic (issue 15, item 4): a retained
# frame reaches each new subscriber (mosquitto checks it again, as its
# publisher, for each), and a zero-length retained publish (MQTT's way to
# delete it) is allowed, by mosquitto_pub MQTT 5 and 3.1.1.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
e4p_start <<EOF2
allow_anonymous true
plugin_opt_protect data/#
plugin_opt_c2_username c2
EOF2
D=$E4T_DIR

# Prints what a new subscriber to $1 receives within a second (retained only).
retained() {
	mosquitto_sub -p "$E4T_PORT" -V 5 -i "new$(e4p_next)" -t "$1" -F '%t %x' -W 1 2>/dev/null || true
}

for v in 5 311; do
	e4p_frame "$D/r.$v" now "retained $v"
	e4p_expect ok "v$v: retained frame" dev -t "data/r$v" -r -f "$D/r.$v"
	e4t_eq "$(retained "data/r$v")" "data/r$v $(e4p_hex "$D/r.$v")" "v$v: first new subscriber"
	e4t_eq "$(retained "data/r$v")" "data/r$v $(e4p_hex "$D/r.$v")" "v$v: second new subscriber"
	if [ "$v" = 5 ]; then
		e4p_expect ok "v5: zero-length retained publish" other -t data/r5 -r -n
	else
		mosquitto_pub -p "$E4T_PORT" -V mqttv311 -q 1 -i other -t data/r311 -r -n || e4t_fail "v3.1.1 clear"
	fi
	e4t_eq "$(retained "data/r$v")" "" "v$v: retained message deleted"
done
e4p_expect refused "an empty publish that is not retained" other -t data/x -n
echo "retain: all checks passed"
