#!/bin/sh
# Public-key mode end to end: the C2 key pair, devices whose Ed25519 keys
# the C2 generates or that register their own public key, members' public
# keys distributed per topic (signed messages verify), SetC2Key rotation
# (after which the command key of the previous C2 key opens nothing) and a
# device key rotation announced to the other members.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"

c2t_setup pubkey "ack_timeout 1s" "retry_max_interval 2s"
c2t_start_daemon
T=pk/chat
c2 topic add $T >/dev/null || e4t_fail "topic add"
for d in kim lee; do
	c2t_device $d
	c2 link $d $T >/dev/null || e4t_fail "link $d"
done
c2 --json device show kim | grep -q '"pubkey":"[0-9a-f]\{64\}"' || e4t_fail "no public key shown"
out=$(c2 device add pat --legacy 2>&1) && e4t_fail "legacy device accepted in pubkey mode"
echo "$out" | grep -q "symkey mode only" || e4t_fail "legacy message: $out"
out=$(c2 device add pat --pubkey 12 2>&1) && e4t_fail "short public key accepted"
echo "$out" | grep -q "64 hex" || e4t_fail "pubkey message: $out"
c2 device add pat --pubkey "$(printf 'ab%.0s' $(seq 32))" >/dev/null || e4t_fail "registered public key"
c2 device add pat2 --pubkey "$(printf 'cd%.0s' $(seq 32))" --export "$E4T_DIR/pat2.store" \
	>/dev/null 2>&1 && e4t_fail "exported a device without a secret"
c2 device rotate-key pat >/dev/null 2>&1 && e4t_fail "rotated a key the C2 does not hold"

c2t_sim sim.log -m pubkey -t $T -i 150 kim="$E4T_DIR/kim.store" lee="$E4T_DIR/lee.store"
SIM1=$SIM_PID
e4t_wait_for 20 c2t_topic_settled $T || e4t_fail "topic not settled"
c2 device remove pat >/dev/null || e4t_fail "remove pat"
e4t_wait_for 20 c2t_outbox_empty || e4t_fail "outbox not drained"
sleep 1
mark=$(c2t_mark sim.log)
sleep 2
c2t_expect_fp "$SIM1" sim.log "$(c2t_topic_field $T fingerprint)" kim lee
n=$(c2t_count_after sim.log "$mark" '"dev":"lee","event":"recv","msg":"kim')
[ "$n" -ge 5 ] || e4t_fail "lee verified only $n signed messages from kim"
e4t_eq "$(c2t_count_after sim.log "$mark" undecryptable)" 0 "unverifiable messages"

e4t_say "C2 key rotation (SetC2Key): commands keep working under the new key, the old one opens none"
cp "$E4T_DIR/lee.store" "$E4T_DIR/lee-stolen.store"
timeout 30 "$E4C2" -c "$C2CONF" c2key rotate --wait >/dev/null 2>&1 || e4t_fail "c2key rotate --wait"
c2 --json status | grep -q '"retiring":{"topic_keys":0,"installing":0,"device_keys":0}' ||
	e4t_fail "status after c2key rotate: $(c2 --json status)"
e4t_wait_for 20 c2t_outbox_empty || e4t_fail "SetC2Key not acked"
# Whoever kept the command key derived from the previous C2 key (stored in the
# device's state) sends ResetTopics on lee's control topic: lee refuses it.
LEE=$("$top_builddir/sdk/tools/e4" id lee)
OLDCMD=$("$C2T_PY" -c "import sys; print(open(sys.argv[1],'rb').read()[36:68].hex())" "$E4T_DIR/lee-stolen.store")
printf '01' | "$top_builddir/sdk/tools/e4" protect --hex --key "$OLDCMD" |
	"$C2T_PY" -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))' >"$E4T_DIR/reset.cmd"
mark=$(c2t_mark sim.log)
mosquitto_pub -p "$E4T_PORT" -i old-c2 -q 1 -t "e4/$LEE" -f "$E4T_DIR/reset.cmd" || e4t_fail "mosquitto_pub"
sleep 1
e4t_eq "$(c2t_count_after sim.log "$mark" '"dev":"lee","event":"command","code":1,"status":"ok"')" 0 \
	"ResetTopics under the previous C2 key applied"
[ "$(c2t_count_after sim.log "$mark" '"dev":"lee","event":"command","code":-1')" -ge 1 ] ||
	e4t_fail "lee did not see the forged command"
c2 topic rotate $T >/dev/null || e4t_fail "rotate after SetC2Key"
e4t_wait_for 20 c2t_topic_settled $T || e4t_fail "rotation under the new C2 key"
sleep 0.5
c2t_expect_fp "$SIM1" sim.log "$(c2t_topic_field $T fingerprint)" kim lee

e4t_say "device key rotation: the new public key reaches the other member"
c2 device rotate-key kim >/dev/null || e4t_fail "rotate-key kim"
e4t_wait_for 20 c2t_outbox_empty || e4t_fail "SetIDKey/SetPubKey not acked"
sleep 0.5
mark=$(c2t_mark sim.log)
sleep 2
n=$(c2t_count_after sim.log "$mark" '"dev":"lee","event":"recv","msg":"kim')
[ "$n" -ge 5 ] || e4t_fail "lee verified only $n messages signed with kim's new key"
e4t_eq "$(c2t_count_after sim.log "$mark" undecryptable)" 0 "unverifiable after key rotation"
c2 --json audit --limit 1000 | grep -q '"command.failed"' && e4t_fail "a command failed"
echo "PASS"
