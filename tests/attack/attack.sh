#!/bin/sh
# Attacks by an authenticated but malicious client (mallory, a provisioned
# device and member of the data topic) against a broker running the E4
# plugin, with the real C2 and two honest devices (alice, bob) publishing
# all along.  Mallory tries to read other devices' control and ack topics
# (direct, #, +, shared subscriptions, retained messages), to publish
# commands, to forge acks, to replay captured data frames and commands,
# to use $CONTROL or the C2's username, and floods garbage.  Every attempt
# must be refused and counted by the plugin (getStatistics as the C2), no
# control byte may reach mallory, and the honest traffic and the rotations
# done during the attack must go through.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"
E4="$top_builddir/sdk/tools/e4"
FLOOD=${E4_ATTACK_FLOOD:-500}
T=att/data

e4t_init
D=$E4T_DIR
umask 077
mosquitto_passwd -b -c "$D/passwd" e4c2 c2secret 2>/dev/null || e4t_fail "mosquitto_passwd"
printf 'c2secret' >"$D/c2.pass"
e4p_start <<BROKER
allow_anonymous true
password_file $D/passwd
max_queued_messages 100000
plugin_opt_protect att/#, e4/#
plugin_opt_c2_username e4c2
plugin_opt_state_file $D/e4-state.json
BROKER
C2CONF="$D/e4c2d.conf"
cat >"$C2CONF" <<C2CONF
mode symkey
database $D/c2.db
master_key_file $D/master.key
socket $D/c2.sock
mqtt_host 127.0.0.1
mqtt_port $E4T_PORT
mqtt_client_id e4c2d-attack
mqtt_username e4c2
mqtt_password_file $D/c2.pass
ack_timeout 1s
log_level debug
C2CONF
"$E4C2" -c "$C2CONF" init >/dev/null || e4t_fail "e4c2 init"
c2t_start_daemon
c2 topic add $T >/dev/null || e4t_fail "topic add"
for d in alice bob mallory; do
	c2t_device $d
	c2 link $d $T >/dev/null || e4t_fail "link $d"
done
ALICE=$("$E4" id alice)
MAL=$("$E4" id mallory)
c2t_sim sim.log -t $T -i 200 alice="$D/alice.store" bob="$D/bob.store"
# Mallory's own device runs honestly too (it acks its commands).
c2t_sim mallory.log -t $T mallory="$D/mallory.store"
e4t_wait_for 30 c2t_outbox_empty || e4t_fail "links not acked"
E4P_C2=e4c2
E4P_PASS=c2secret
ATTEMPTS=0

# Prints getStatistics as one JSON object.
stats() {
	e4p_control e4c2 '{"commands":[{"command":"getStatistics"}]}' |
		e4p_json "json.dumps(doc['responses'][0]['data'])"
}

# Asserts that counters $2 (names joined by +) of "refused" grew from
# snapshot $1 to now ($3: label).
grew() {
	now=$(stats)
	echo "$now" >"$D/stats.last"
	inc=$(python3 -c 'import json,sys; a,b=json.loads(sys.argv[1]),json.loads(sys.argv[2]); print(sum(b["refused"][k]-a["refused"][k] for k in sys.argv[3].split("+")))' "$1" "$now" "$2")
	[ "$inc" -gt 0 ] || e4t_fail "$3: refused.$2 did not grow"
	e4t_say "$3: refused and counted (refused.$2 +$inc)"
	ATTEMPTS=$((ATTEMPTS + inc))
}

# Writes the hex on stdin as bytes to file $1.
unhex_to() {
	python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))' >"$1"
}

e4t_say "mallory listens where it should not"
s0=$(stats)
for f in "e4/$ALICE" "e4/$ALICE/ack" 'e4/+' 'e4/+/ack' '#' 'e4/#' '+/+' "\$share/g/e4/$ALICE" \
	'$share/g/e4/#' '$share/g/#' '$CONTROL/e4/v1/#'; do
	n=$(e4p_next)
	e4t_bg mosquitto_sub -p "$E4T_PORT" -V 5 -i "$MAL-l$n" -F '%t %x' -t "$f" >"$D/mal.$n" 2>&1
	e4p_wait_sub "$MAL-l$n"
done
# Mallory also captures its own commands, to replay them elsewhere.
e4p_sub "$MAL-own" "$D/mal.own" -t "e4/$MAL"
e4t_say "topic rotation, and device key rotations of alice and mallory, during the attack"
c2 topic rotate $T >/dev/null || e4t_fail "rotate"
c2 device rotate-key alice >/dev/null || e4t_fail "rotate-key alice"
c2 device rotate-key mallory >/dev/null || e4t_fail "rotate-key mallory"
e4t_wait_for 30 c2t_topic_settled $T || e4t_fail "topic not settled"
e4t_wait_for 30 grep -q "\"dev\":\"alice\".*\"code\":2,\"status\":\"ok\"" "$D/sim.log" ||
	e4t_fail "alice did not apply SetIDKey"
sleep 0.5
# (Mallory's listeners share its identity: its own control topic is allowed.)
leaks=$(cat "$D"/mal.[0-9]* | grep -E '^(e4/|\$CONTROL)' | grep -v "^e4/$MAL " || true)
[ -z "$leaks" ] || e4t_fail "control traffic reached mallory: $leaks"
grew "$s0" controlSubscribe+controlRead+ackRead "11 subscriptions to others' control/ack topics (direct, #, +, \$share): subscriptions and deliveries"
grep -q "^e4/$MAL " "$D/mal.own" || e4t_fail "mallory did not get its own commands (test setup)"
grep "^e4/$MAL " "$D/mal.own" | tail -n 1 | cut -d' ' -f2 | unhex_to "$D/cmd.bin"

e4t_say "mallory publishes commands and acks"
s0=$(stats)
e4p_expect refused "mallory's command replayed to alice" "$MAL-pub" -t "e4/$ALICE" -f "$D/cmd.bin"
e4p_expect refused "retained command to alice" "$MAL-pub" -r -t "e4/$ALICE" -f "$D/cmd.bin"
e4p_expect refused "command elsewhere under e4/" "$MAL-pub" -t "e4/x/y" -f "$D/cmd.bin"
grew "$s0" controlPublish "commands published by a device"
s0=$(stats)
e4p_expect refused "forged ack for alice" "$MAL-pub" -t "e4/$ALICE/ack" -f "$D/cmd.bin"
grew "$s0" ackPublish "ack forged for another device"
s0=$(stats)
e4p_expect refused "\$CONTROL request" "$MAL-pub" -t '$CONTROL/e4/v1' \
	-m '{"commands":[{"command":"removeDevicePubKey","id":"00112233445566778899aabbccddeeff"}]}'
grew "$s0" managementAccess "\$CONTROL request by a device"
if mosquitto_pub -p "$E4T_PORT" -V 5 -q 1 -i "$MAL-x" -u e4c2 -P guess -t "e4/$ALICE" \
	-f "$D/cmd.bin" 2>"$D/guess.err"; then
	e4t_fail "connected as the C2 with a wrong password"
fi
e4t_say "the C2's username with a wrong password: $(head -n 1 "$D/guess.err")"
ATTEMPTS=$((ATTEMPTS + 1))

e4t_say "mallory replays data frames it captured as a member"
e4p_sub "$MAL-d" "$D/mal.data" -t "$T"
e4p_wait_lines "$D/mal.data" 3
s0=$(stats)
grep "^$T " "$D/mal.data" | head -n 3 | cut -d' ' -f2 >"$D/frames.hex"
while read -r h; do
	echo "$h" | unhex_to "$D/frame.bin"
	e4p_expect refused "replayed data frame" "$MAL-pub" -t "$T" -f "$D/frame.bin"
done <"$D/frames.hex"
grew "$s0" replay "3 captured data frames replayed"
s0=$(stats)
e4p_expect refused "retained plaintext" "$MAL-pub" -r -t "$T" -m "hello"
grew "$s0" tooShort "retained plaintext on a protected topic"

e4t_say "mallory floods 2 x $FLOOD garbage messages"
s0=$(stats)
python3 -c "
import random
r = random.Random(7)
for i in range($FLOOD):
    print(''.join(chr(r.randrange(33, 127)) for _ in range(r.randrange(1, 200))))
" >"$D/flood.txt"
timeout 60 mosquitto_pub -p "$E4T_PORT" -V 5 -q 1 -i "$MAL-flood" -t "$T" -l <"$D/flood.txt" 2>"$D/flood.err" || :
timeout 60 mosquitto_pub -p "$E4T_PORT" -V 5 -q 0 -i "$MAL-flood" -t "e4/$MAL/ack" -l <"$D/flood.txt" 2>>"$D/flood.err" || :
sleep 1
s1=$(stats)
echo "$s1" >"$D/stats.last"
flood=$(python3 -c 'import json,sys; a,b=json.loads(sys.argv[1]),json.loads(sys.argv[2]); print(b["refusedTotal"]-a["refusedTotal"])' "$s0" "$s1")
# Every garbage message the broker received was refused (the client may
# give up on some at the end of its input).
got=$(grep -cE "(Received|Denied) PUBLISH from $MAL-flood " "$D/mosquitto.log")
[ "$got" -ge "$FLOOD" ] || e4t_fail "flood: the broker received only $got messages"
e4t_eq "$flood" "$got" "flood messages refused (of those received)"
e4t_say "flood: $got garbage messages received by the broker, $flood refused and counted"
ATTEMPTS=$((ATTEMPTS + flood))

e4t_say "honest traffic still flows"
mark=$(c2t_mark sim.log)
sleep 2
got=$(c2t_count_after sim.log "$mark" '"event":"recv"')
[ "$got" -ge 10 ] || e4t_fail "honest devices received only $got messages in 2 s"
e4t_eq "$(c2t_count sim.log '"event":"undecryptable"')" 0 "undecryptable messages at honest devices"
grep '"event":"recv"' "$D/sim.log" | grep -qv '"msg":"\(alice\|bob\) ' && e4t_fail "a foreign message reached a device"
c2 --json audit --limit 1000 | grep -q '"command.failed"' && e4t_fail "a C2 command failed"
total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["refusedTotal"])' "$D/stats.last")
e4t_say "attempts refused and counted: $ATTEMPTS (plugin refusedTotal $total); honest messages received in 2 s: $got"
echo "PASS"
