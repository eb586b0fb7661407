#!/bin/sh
# Shared subscriptions (issue 15, item 5): a member refused at delivery
# still takes its turn of a group's messages, so $share filters that can
# match a device's control topic or the acks are refused at SUBSCRIBE to
# anyone who may not read every topic they match (paho, MQTT 3.1.1 and
# 5), and a device in a shared group with no outsider gets every command.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
python3 -c 'import paho.mqtt.client' 2>/dev/null || e4t_fail "python3-paho-mqtt missing (apt-get install python3-paho-mqtt)"
e4p_start <<EOF2
allow_anonymous true
plugin_opt_protect data/#
plugin_opt_c2_username c2
EOF2
D=$E4T_DIR
ID=00112233445566778899aabbccddeeff
SUB="python3 $top_srcdir/tests/plugin/shared.py $E4T_PORT"

for v in 4 5; do
	out=$($SUB $v "outsider$v" - "\$share/g/e4/$ID" "\$share/g/e4/+/ack" "\$share/g/e4/$ID/ack" \
		"\$share/g/#" "\$share/g/e4/+" "\$share/g/data/#") || e4t_fail "v$v: outsider: $out"
	e4t_eq "$(echo "$out" | tr '\n' ' ')" "\$share/g/e4/$ID refused \$share/g/e4/+/ack refused \$share/g/e4/$ID/ack refused \$share/g/# refused \$share/g/e4/+ refused \$share/g/data/# granted " "v$v: outsider"
	out=$($SUB $v "$ID-v$v" - "\$share/g/e4/$ID" "\$share/g/e4/$ID/#") || e4t_fail "v$v: device: $out"
	e4t_eq "$(echo "$out" | tr '\n' ' ')" "\$share/g/e4/$ID granted \$share/g/e4/$ID/# refused " "v$v: device"
	out=$($SUB $v "c2-v$v" c2 "\$share/g/e4/+/ack" "\$share/g/e4/$ID") || e4t_fail "v$v: c2: $out"
	e4t_eq "$(echo "$out" | tr '\n' ' ')" "\$share/g/e4/+/ack granted \$share/g/e4/$ID refused " "v$v: c2"
	e4t_say "v$v: shared subscriptions decided at SUBSCRIBE"
done

# The device's shared group with an outsider's attempt to join it: every command arrives.
e4p_sub "$ID-a" "$D/dev" -t "\$share/g/e4/$ID"
e4p_sub intruder "$D/intruder" -t "\$share/g/e4/$ID"
for k in 1 2 3 4 5 6; do
	e4p_frame "$D/cmd$k" now "command $k"
	e4p_expect ok "command $k" c2pub -u c2 -t "e4/$ID" -f "$D/cmd$k"
done
e4p_wait_lines "$D/dev" 6
e4t_eq "$(wc -l <"$D/dev" | tr -d ' ')" 6 "every command reached the device"
e4t_eq "$(grep -c "^e4/" "$D/intruder" || true)" 0 "the intruder received nothing"
echo "shared: all checks passed"
