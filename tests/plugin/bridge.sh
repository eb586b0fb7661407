#!/bin/sh
# Messages arriving over a bridge skip the broker's ACL checks: the plugin
# checks them in the MESSAGE event.  Broker B (plugin) bridges data/# in
# from broker A (no plugin): plaintext, stale frames and replays published
# on A die at B, frames pass.
# Also: a Will message on a protected topic must be a frame.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
D=$E4T_DIR
# Broker A: no plugin.
PORT_A=$(e4t_free_port)
{
	echo "listener $PORT_A 127.0.0.1"
	echo "allow_anonymous true"
	echo "persistence false"
	echo "log_dest file $D/broker-a.log"
	echo "log_type all"
	[ "$(id -u)" = 0 ] && echo "user root"
} >"$D/broker-a.conf"
e4t_bg env $(e4t_broker_env) "$(e4t_mosquitto)" -c "$D/broker-a.conf"
e4t_wait_port "$PORT_A"
# Broker B: the plugin, and a bridge pulling data/# in from A (messages
# that arrive on B's own bridge connection skip B's ACL checks).
e4p_start <<EOF2
allow_anonymous true
plugin_opt_protect data/#
plugin_opt_c2_username c2
connection from-a
address 127.0.0.1:$PORT_A
bridge_protocol_version mqttv50
topic data/# in 1
restart_timeout 1
EOF2
PORT_B=$E4T_PORT
e4t_wait_for 20 grep -q "Received SUBSCRIBE from .*from-a" "$D/broker-a.log" || e4t_fail "bridge did not subscribe"
e4t_say "broker B bridged to broker A"

e4p_sub watcher "$D/watch" -t 'data/#'
e4p_frame "$D/f1" now "over the bridge"
e4p_frame "$D/f2" now "sentinel"
e4p_frame "$D/old" now-700 "stale"
# Published on A: A has no plugin, so every publish succeeds there.
for args in "-m plaintext" "-f $D/f1" "-f $D/f1" "-f $D/old" "-f $D/f2"; do
	# shellcheck disable=SC2086
	mosquitto_pub -p "$PORT_A" -V 5 -q 1 -i pub-a -t data/x $args || e4t_fail "publish on A"
done
e4p_wait_lines "$D/watch" 2
sleep 0.5
e4t_eq "$(wc -l <"$D/watch" | tr -d ' ')" 2 "bridged messages delivered at B"
e4t_eq "$(sed -n 1p "$D/watch")" "data/x $(e4p_hex "$D/f1")" "bridged frame"
e4t_eq "$(sed -n 2p "$D/watch")" "data/x $(e4p_hex "$D/f2")" "bridged sentinel"
grep -q 'e4: refused bridged message from ".*" on "data/x": tooShort' "$D/mosquitto.log" ||
	e4t_fail "bridged plaintext not refused in MESSAGE"
e4t_eq "$(e4p_stat refused.tooShort)" 1 "bridged plaintext refused"
e4t_eq "$(e4p_stat refused.replay)" 1 "bridged replay refused"
e4t_eq "$(e4p_stat refused.tooOld)" 1 "bridged stale frame refused"
e4t_say "bridged plaintext, replay and stale frame refused at B; frames delivered"

# Wills: mosquitto 2.0.11 checks them (ACL WRITE, with the payload) when
# it sends them; a plaintext Will on a protected topic is refused then.
e4t_bg mosquitto_sub -p "$PORT_B" -V 5 -i willer -t x --will-topic data/will --will-payload plain
WILLER=$E4T_LAST_PID
e4p_wait_sub willer
kill -9 "$WILLER"
e4t_wait_for 5 grep -q 'e4: refused publish from "willer" on "data/will": tooShort' "$D/mosquitto.log" ||
	e4t_fail "plaintext Will not refused"
e4p_frame "$D/f3" now "last sentinel"
mosquitto_pub -p "$PORT_B" -V 5 -q 1 -i pub-b -t data/y -f "$D/f3" || e4t_fail "publish on B"
e4p_wait_lines "$D/watch" 3
e4t_eq "$(sed -n 3p "$D/watch")" "data/y $(e4p_hex "$D/f3")" "Will not delivered"
e4t_eq "$(e4p_stat refused.tooShort)" 2 "plaintext Will refused"
e4t_say "plaintext Will refused when the broker sent it"
echo "bridge: all checks passed"
