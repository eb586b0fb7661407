#!/bin/sh
# Honest retransmissions (issue 15, item 3), raw MQTT packets: a QoS 2
# PUBLISH whose PUBREC is lost is resent with DUP=1 and the same packet id
# in the resumed session; it must be acknowledged (MQTT 5: PUBREC 0x00,
# not 0x87 "Not authorized", after which the client would end the flow and
# the message would never be released) and delivered exactly once.  A QoS
# 1 resend is acknowledged (PUBACK 0x00) and not delivered twice.  The
# same frame from another client is still a replay.  MQTT 3.1.1 and 5.
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
	e4p_frame "$D/q2.$v" now "qos2 v$v"
	e4p_frame "$D/q1.$v" now "qos1 v$v"
	# First attempt: PUBREC comes back but the client never sees it (drop).
	$RAW v$v connect:pub$v:clean=1 disconnect >/dev/null || e4t_fail "v$v: clean start"
	out=$($RAW v$v connect:pub$v:clean=0 "pub:2:7:data/q2@$D/q2.$v" "pub:1:9:data/q1@$D/q1.$v" drop) ||
		e4t_fail "v$v: first attempt: $out"
	e4t_eq "$(echo "$out" | sed -n 2p)" "pubrec 7 0" "v$v: first PUBREC"
	e4t_eq "$(echo "$out" | sed -n 3p)" "puback 9 0" "v$v: first PUBACK"
	# The resumed session: resend both with DUP=1, then release the QoS 2 one.
	out=$($RAW v$v connect:pub$v:clean=0 "pub:2:7:data/q2@$D/q2.$v:dup" "pub:1:9:data/q1@$D/q1.$v:dup" \
		pubrel:7 disconnect) || e4t_fail "v$v: resend: $out"
	e4t_eq "$(echo "$out" | sed -n 1p)" "connack 1 0" "v$v: session resumed"
	e4t_eq "$(echo "$out" | sed -n 2p)" "pubrec 7 0" "v$v: PUBREC of the QoS 2 resend"
	e4t_eq "$(echo "$out" | sed -n 3p)" "puback 9 0" "v$v: PUBACK of the QoS 1 resend"
	e4t_eq "$(echo "$out" | sed -n 4p)" "pubcomp 7 0" "v$v: PUBCOMP"
	e4t_say "v$v: resends acknowledged"
	# Another client sending the same frames: replays (0x87 in MQTT 5).
	out=$($RAW v$v connect:thief$v "pub:2:3:data/q2@$D/q2.$v" "pub:1:4:data/q1@$D/q1.$v" disconnect) ||
		e4t_fail "v$v: replay: $out"
	if [ "$v" = 5 ]; then
		e4t_eq "$(echo "$out" | sed -n 2,3p | tr '\n' ' ')" "pubrec 3 135 puback 4 135 " "v5: replays refused"
	fi
done
e4p_frame "$D/end" now "sentinel"
e4p_expect ok "sentinel" dev -t data/end -f "$D/end"
e4p_wait_lines "$D/watch" 5
sleep 0.3
for v in 4 5; do
	e4t_eq "$(grep -c "^data/q2 $(e4p_hex "$D/q2.$v")\$" "$D/watch")" 1 "v$v: QoS 2 frame delivered once"
	e4t_eq "$(grep -c "^data/q1 $(e4p_hex "$D/q1.$v")\$" "$D/watch")" 1 "v$v: QoS 1 frame delivered once"
done
e4t_eq "$(wc -l <"$D/watch" | tr -d ' ')" 5 "messages delivered"
e4t_eq "$(e4p_stat refused.replay)" 4 "replay refusals"
echo "resend: all checks passed"
