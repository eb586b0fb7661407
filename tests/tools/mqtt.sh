#!/bin/sh
# mqtt.sh - e4 pub / e4 sub through a real mosquitto broker on loopback:
# two devices exchange messages both ways in symkey and pubkey mode, a
# plain mosquitto_sub sees only ciphertext, a command published with
# mosquitto_pub is applied by a running e4 sub and acknowledged on
# e4/<id>/ack, undecryptable messages do not stop e4 sub, and e4 pub and
# e4 sub share one store.
. "$top_srcdir/tests/tools/lib.sh"
e4t_init
cd "$E4T_DIR" || exit 1
ACKCHECK="$top_builddir/tests/tools/ackcheck"
command -v mosquitto_sub >/dev/null && command -v mosquitto_pub >/dev/null ||
	e4t_fail "mosquitto_sub/mosquitto_pub missing (apt-get install mosquitto-clients)"
"$E4" sub --help >/dev/null 2>&1 || e4t_fail "e4 was built without libmosquitto"
PC="$top_builddir/sdk/tools/libe4mqtt.pc"
[ -f "$PC" ] && ! grep -q @ "$PC" && grep -q "^Requires: libe4" "$PC" || e4t_fail "libe4mqtt.pc not generated or not substituted"

e4t_start_broker <<EOF2
allow_anonymous true
EOF2
P=$E4T_PORT
LOG="$E4T_DIR/mosquitto.log"

# Waits until client $1 has sent at least $2 SUBSCRIBE packets.
wait_subs() {
	e4t_wait_for 10 sh -c "[ \$(grep -c 'Received SUBSCRIBE from $1\$' '$LOG') -ge $2 ]" ||
		e4t_fail "client $1 did not subscribe ($2)"
}

# Waits up to $2 s for pid $1 to exit and returns its status.
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($2 * 10)) ] && e4t_fail "process $1 still running after $2 s"
		sleep 0.1
	done
	wait "$1"
}

K1=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
K2=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
AK=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
BK=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
AID=$("$E4" id dev-a); BID=$("$E4" id dev-b)

e4t_say "symkey: A and B hold the key of plant/1"
"$E4" device init --store a.store --alias dev-a --key "$AK" >/dev/null || e4t_fail "init a"
"$E4" device init --store b.store --alias dev-b --key "$BK" >/dev/null || e4t_fail "init b"
for s in a b; do "$E4" device set-topic-key --store $s.store --topic plant/1 --key "$K1" >/dev/null; done

e4t_bg mosquitto_sub -p "$P" -t 'plant/#' -t 'e4/#' -v -i spy >spy.out
SPY=$E4T_LAST_PID
e4t_bg "$E4" sub --store b.store -p "$P" -q 1 -t 'plant/#' -v -C 3 >b.out 2>b.err
BSUB=$E4T_LAST_PID
e4t_bg "$E4" sub --store a.store -p "$P" -t plant/1 -C 3 >a.out 2>a.err
ASUB=$E4T_LAST_PID
wait_subs spy 1; wait_subs "$BID" 2; wait_subs "$AID" 2
pass

e4t_say "A publishes, B prints the plaintext; garbage does not stop B"
"$E4" pub --store a.store -p "$P" -q 1 -t plant/1 -m "top-secret-one" || e4t_fail "e4 pub a"
grep -q "Received CONNECT from .* as $AID-pub" "$LOG" || grep -q "$AID-pub" "$LOG" || e4t_fail "pub client id is not <id>-pub"
e4t_wait_for 10 grep -q "plant/1 top-secret-one" b.out || e4t_fail "B did not print: $(cat b.out b.err)"
mosquitto_pub -p "$P" -t plant/1 -m "not a frame" || e4t_fail mosquitto_pub
e4t_wait_for 10 grep -q "message on plant/1 refused: frame too short" b.err || e4t_fail "garbage: $(cat b.err)"
kill -0 $BSUB 2>/dev/null || e4t_fail "e4 sub stopped on a bad message"
pass

e4t_say "a SetTopicKey command published with mosquitto_pub is applied by the running e4 sub and acknowledged"
HT=$("$E4" hash-topic plant/2)
printf '%s' "03${K2}${HT}" | "$E4" protect --hex --key "$BK" >cmd.hex
python3 -c "import sys; sys.stdout.buffer.write(bytes.fromhex(open('cmd.hex').read().strip()))" >cmd.bin
e4t_bg mosquitto_sub -p "$P" -t "e4/$BID/ack" -C 1 -F '%x' -i acker >ack.hex
ACKSUB=$E4T_LAST_PID
wait_subs acker 1
mosquitto_pub -p "$P" -t "e4/$BID" -f cmd.bin || e4t_fail "publishing the command"
wait_exit $ACKSUB 10
e4t_wait_for 10 grep -q "set key for topic hash $HT" b.err || e4t_fail "command not applied: $(cat b.err)"
"$ACKCHECK" "$BK" "$(tr -d '\n' <ack.hex)" "$(cat cmd.hex)" >ack.out || e4t_fail "ack does not open"
grep -q "status 0 digest match" ack.out || e4t_fail "ack: $(cat ack.out)"
"$E4" device show --store b.store | grep -qx "topic-hash $HT current" || e4t_fail "command not saved to the store"
pass

e4t_say "the command's key works: A (provisioned directly) publishes on plant/2, B prints it"
"$E4" device set-topic-key --store a.store --topic plant/2 --key "$K2" >/dev/null
echo "second-secret" | "$E4" pub --store a.store -p "$P" -q 1 -t plant/2 || e4t_fail "e4 pub plant/2"
e4t_wait_for 10 grep -q "plant/2 second-secret" b.out || e4t_fail "B did not print plant/2: $(cat b.out b.err)"

e4t_say "B publishes with e4 pub on the store its e4 sub is using; A receives, B's sub stays connected"
"$E4" pub --store b.store -p "$P" -t plant/1 -l <<'EOF2' || e4t_fail "e4 pub b"
line-one-secret
line-two-secret
EOF2
wait_exit $ASUB 10 || e4t_fail "A's e4 sub failed: $(cat a.err)"
# A's sub also saw A's own first message (same topic key).
e4t_eq "$(cat a.out)" "$(printf 'top-secret-one\nline-one-secret\nline-two-secret')" "A's output"
wait_exit $BSUB 10 || e4t_fail "B's e4 sub failed: $(cat b.err)"
grep -q "plant/1 line-one-secret" b.out || e4t_fail "B's sub lost its connection: $(cat b.out)"
grep -q "already connected\|Socket error on client $BID," "$LOG" && e4t_fail "the pub and sub client ids collided"
pass

e4t_say "pubkey: C and D exchange signed messages both ways"
C2=$("$E4" keygen --curve | awk '$1=="public-key"{print $2}')
"$E4" keygen >c.kp; "$E4" keygen >d.kp
CP=$(awk '$1=="public-key"{print $2}' c.kp); DP=$(awk '$1=="public-key"{print $2}' d.kp)
CID=$("$E4" id dev-c); DID=$("$E4" id dev-d)
"$E4" device init --store c.store --alias dev-c --sign-key "$(awk '$1=="secret-key"{print $2}' c.kp)" --c2-pub "$C2" >/dev/null
"$E4" device init --store d.store --alias dev-d --sign-key "$(awk '$1=="secret-key"{print $2}' d.kp)" --c2-pub "$C2" >/dev/null
"$E4" device set-pubkey --store c.store --id "$DID" --pub "$DP" >/dev/null
"$E4" device set-pubkey --store d.store --id "$CID" --pub "$CP" >/dev/null
for s in c d; do "$E4" device set-topic-key --store $s.store --topic plant/pk --key "$K1" >/dev/null; done
e4t_bg "$E4" sub --store d.store -p "$P" -V mqttv5 -t plant/pk -C 1 >d.out 2>d.err
DSUB=$E4T_LAST_PID
e4t_bg "$E4" sub --store c.store -p "$P" -t plant/pk -C 2 --hex >c.out 2>c.err
CSUB=$E4T_LAST_PID
wait_subs "$DID" 2; wait_subs "$CID" 2
"$E4" pub --store c.store -p "$P" -V 5 -t plant/pk -m "signed-secret" || e4t_fail "e4 pub c"
wait_exit $DSUB 10 || e4t_fail "D: $(cat d.err)"
e4t_eq "$(cat d.out)" "signed-secret" "D's output"
# C's own sub sees its own frame too (a device knows its own public key).
"$E4" pub --store d.store -p "$P" -t plant/pk --hex -m 00ff10 || e4t_fail "e4 pub d"
wait_exit $CSUB 10 || e4t_fail "C: $(cat c.err)"
e4t_eq "$(cat c.out)" "$(printf 'signed-secret' | od -An -tx1 | tr -d ' \n')
00ff10" "C's output"
pass

e4t_say "the third party saw every frame but no plaintext"
sleep 0.3
kill $SPY 2>/dev/null
for t in plant/1 plant/2 plant/pk "e4/$BID" "e4/$BID/ack"; do
	grep -aq "^$t " spy.out || e4t_fail "the third party did not receive $t"
done
for secret in top-secret-one second-secret line-one-secret line-two-secret signed-secret; do
	grep -aq "$secret" spy.out && e4t_fail "the third party saw the plaintext $secret"
done
grep -aq "$K2" spy.out && e4t_fail "the third party saw the new topic key"
pass

e4t_say "-W: a timeout before -C messages is a failure, without -C it is the normal end"
expect_fail 1 "timed out after 1 s (0 of 1 messages)" "$E4" sub --store a.store -p "$P" -t quiet/topic -C 1 -W 1
"$E4" sub --store a.store -p "$P" -t quiet/topic -W 1 >w.out 2>&1 || e4t_fail "-W without -C: $(cat w.out)"
pass

e4t_say "e4 sub reconnects and resubscribes after a broker restart"
e4t_bg "$E4" sub --store a.store -p "$P" -t plant/1 -C 1 >r.out 2>r.err
RSUB=$E4T_LAST_PID
before=$(grep -c "Received SUBSCRIBE from $AID\$" "$LOG")
wait_subs "$AID" $((before + 2))
e4t_restart_broker
wait_subs "$AID" $((before + 4))
"$E4" pub --store b.store -p "$P" -t plant/1 -m "after-restart" || e4t_fail "e4 pub after restart"
wait_exit $RSUB 10 || e4t_fail "e4 sub after restart: $(cat r.err)"
e4t_eq "$(cat r.out)" "after-restart" "message after the restart"
pass

e4t_say "a frame e4 sub already opened stays refused after the store changed under it"
"$E4" device init --store r.store --alias dev-r --key "$AK" >/dev/null || e4t_fail "init r"
"$E4" device set-topic-key --store r.store --topic plant/r --key "$K1" >/dev/null
RID=$("$E4" id dev-r)
printf 'replay-me' | "$E4" device protect --store a.store --topic plant/r >/dev/null 2>&1 &&
	e4t_fail "a.store has no key for plant/r"
"$E4" device set-topic-key --store a.store --topic plant/r --key "$K1" >/dev/null
printf 'replay-me' | "$E4" device protect --store a.store --topic plant/r >f.bin || e4t_fail "protect f"
e4t_bg "$E4" sub --store r.store -p "$P" -t plant/r -C 2 >rp.out 2>rp.err
RPSUB=$E4T_LAST_PID
wait_subs "$RID" 2
mosquitto_pub -p "$P" -t plant/r -f f.bin || e4t_fail "mosquitto_pub f"
e4t_wait_for 10 grep -q "^replay-me\$" rp.out || e4t_fail "first copy not printed: $(cat rp.err)"
"$E4" device set-topic-key --store r.store --topic other/r --key "$K2" >/dev/null || e4t_fail "store change"
mosquitto_pub -p "$P" -t plant/r -f f.bin || e4t_fail "mosquitto_pub f again"
e4t_wait_for 10 grep -q "message on plant/r refused: replayed message" rp.err ||
	e4t_fail "replay after the reload not refused: $(cat rp.out rp.err)"
"$E4" pub --store a.store -p "$P" -t plant/r -m "fresh-one" || e4t_fail "e4 pub fresh"
wait_exit $RPSUB 10 || e4t_fail "e4 sub (replay): $(cat rp.err)"
e4t_eq "$(tr '\n' ' ' <rp.out)" "replay-me fresh-one " "messages printed around the reload"
pass

e4t_say "usage errors of pub/sub"
expect_fail 2 "missing --store PATH" "$E4" sub -p "$P"
expect_fail 2 "missing -t TOPIC" "$E4" pub --store a.store -m x
expect_fail 2 "-q: 3 is larger than 2" "$E4" sub --store a.store -q 3
expect_fail 2 "-V: unknown protocol version 'mqttv6'" "$E4" sub --store a.store -V mqttv6
expect_fail 2 "give only one of -m, -f" "$E4" pub --store a.store -t x -m a -n
expect_fail 1 "cannot connect to 127.0.0.1:1:" "$E4" pub --store a.store -h 127.0.0.1 -p 1 -t x -m a
expect_fail 1 "no key for this topic" "$E4" pub --store a.store -p "$P" -t nokey -m a
done_checks
