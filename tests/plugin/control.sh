#!/bin/sh
# The control channel: only the C2 publishes commands on e4/<id>; they
# reach device <id> only, whatever others subscribe to; only the device
# publishes e4/<id>/ack and only the C2 receives acks; $CONTROL/e4/v1 and
# the presence events are the C2's alone.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
e4p_start <<EOF2
allow_anonymous true
plugin_opt_protect data/#
plugin_opt_c2_username c2
EOF2
D=$E4T_DIR
DEV=00112233445566778899aabbccddeeff
OTHER=ffeeddccbbaa99887766554433221100

# The C2 listens to presence events and acks.
e4p_sub c2-events "$D/events" -u c2 -t '$CONTROL/e4/v1/events'
e4p_sub c2-acks "$D/acks" -u c2 -t 'e4/+/ack'
# A curious client subscribes to everything it can.
e4p_sub "$OTHER" "$D/spy" -t '#' -t 'e4/#' -t 'e4/+'
# It cannot subscribe to the device's control topic or acks by name.
mosquitto_sub -p "$E4T_PORT" -V 5 -i "$OTHER-2" -t "e4/$DEV" -W 2 >"$D/denied" 2>&1
grep -q "All subscription requests were denied" "$D/denied" || e4t_fail "control topic subscription allowed"
mosquitto_sub -p "$E4T_PORT" -V 5 -i "$OTHER-3" -t "e4/$DEV/ack" -W 2 >"$D/denied2" 2>&1
grep -q "All subscription requests were denied" "$D/denied2" || e4t_fail "ack subscription allowed"
mosquitto_sub -p "$E4T_PORT" -V 5 -i "$OTHER-4" -t '$CONTROL/e4/v1/events' -W 2 >"$D/denied3" 2>&1
grep -q "All subscription requests were denied" "$D/denied3" || e4t_fail "events subscription allowed"
e4t_say "subscriptions to e4/<id>, e4/<id>/ack and the events refused"

# The device subscribes to its control topic: the C2 sees it online.
e4p_sub "$DEV" "$D/device" -t "e4/$DEV"
DEVICE_PID=$E4T_LAST_PID
e4p_wait_lines "$D/events" 1
grep -q "^\$CONTROL/e4/v1/events .*" "$D/events" || e4t_fail "no event"
ev=$(sed 's/^[^ ]* //' "$D/events" | head -n 1 | e4p_unhex)
e4t_eq "$(echo "$ev" | e4p_json "doc['event'] + ' ' + doc['id']")" "online $DEV" "online event"
e4t_say "online event: $ev"

e4p_frame "$D/cmd" now "command"
e4p_frame "$D/cmd2" now "forged command"
e4p_frame "$D/ack" now "ack"
e4p_expect refused "command from another client" "$OTHER-pub" -t "e4/$DEV" -f "$D/cmd2"
e4p_expect refused "command from the device itself" "$DEV-x" -t "e4/$DEV" -f "$D/cmd2"
e4p_expect refused "publish under e4/ by a non-C2" "$OTHER-pub" -t "e4/$DEV/other" -m x
e4p_expect ok "command from the C2" c2cmd -u c2 -t "e4/$DEV" -f "$D/cmd"
e4p_expect refused "ack from another client" "$OTHER-pub" -t "e4/$DEV/ack" -f "$D/ack"
e4p_expect ok "ack from the device" "$DEV-ack" -t "e4/$DEV/ack" -f "$D/ack"
e4p_expect refused "management request from a non-C2" "$OTHER-pub" -t '$CONTROL/e4/v1' \
	-m '{"commands":[{"command":"getStatistics"}]}'
e4p_expect ok "sentinel on a public topic" "$OTHER-pub" -t public -m sentinel

e4p_wait_lines "$D/device" 1
e4p_wait_lines "$D/acks" 1
e4p_wait_lines "$D/spy" 1
sleep 0.3
e4t_eq "$(cat "$D/device")" "e4/$DEV $(e4p_hex "$D/cmd")" "the device got the command"
e4t_eq "$(cat "$D/acks")" "e4/$DEV/ack $(e4p_hex "$D/ack")" "the C2 got the ack"
e4t_eq "$(cat "$D/spy")" "public $(printf sentinel | od -An -tx1 | tr -d ' \n')" "the spy got only the sentinel"

# The device leaves: the C2 sees it offline.
kill "$DEVICE_PID"
e4p_wait_lines "$D/events" 2
ev=$(sed 's/^[^ ]* //' "$D/events" | sed -n 2p | e4p_unhex)
e4t_eq "$(echo "$ev" | e4p_json "doc['event'] + ' ' + doc['id']")" "offline $DEV" "offline event"
e4t_say "offline event: $ev"

e4t_eq "$(e4p_stat refused.controlPublish)" 3 "controlPublish refusals"
e4t_eq "$(e4p_stat refused.controlSubscribe)" 2 "controlSubscribe refusals"
e4t_eq "$(e4p_stat refused.ackPublish)" 1 "ackPublish refusals"
e4t_eq "$(e4p_stat refused.managementAccess)" 2 "managementAccess refusals"
# The spy's wildcards matched the command and the ack: both withheld.
# The broker checks READ once per matching subscription (#, e4/#, e4/+).
e4t_eq "$(e4p_stat refused.controlRead)" 3 "controlRead refusals"
e4t_eq "$(e4p_stat refused.ackRead)" 2 "ackRead refusals"
echo "control: all checks passed"
