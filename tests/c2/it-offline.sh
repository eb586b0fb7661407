#!/bin/sh
# A device offline during a rotation catches up when it returns: the
# rotation activates after rotation_timeout (audited) and stays unfinished
# (topic show names the device) until it acked the retirement, the C2 keeps
# retrying the offline device with fresh timestamps, and on return it
# converges and reads the others' messages again.  Also a device key
# rotation (SetIDKey): the old key works until the ack under the new one.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"

c2t_setup symkey "ack_timeout 1s" "retry_max_interval 2s" "rotation_timeout 3s"
c2t_start_daemon
T=site/door
c2 topic add $T >/dev/null || e4t_fail "topic add"
for d in hall gate yard; do
	c2t_device $d
	c2 link $d $T >/dev/null || e4t_fail "link $d"
done
c2t_sim sim1.log -t $T -i 150 hall="$E4T_DIR/hall.store" gate="$E4T_DIR/gate.store"
SIM1=$SIM_PID
c2t_sim sim2.log -t $T yard="$E4T_DIR/yard.store"
SIM2=$SIM_PID
e4t_wait_for 20 c2t_outbox_empty || e4t_fail "links not acked"

e4t_say "yard goes offline; the topic rotates without it"
kill "$SIM2"
wait "$SIM2" 2>/dev/null
c2 topic rotate $T >/dev/null || e4t_fail "rotate"
sleep 1
e4t_eq "$(c2t_topic_field $T rotating)" True "rotation waits for the offline device"
# Activated after the timeout, then retiring: yard still owes the retirement of the old key.
e4t_wait_for 15 sh -c "\"$E4C2\" -c \"$C2CONF\" --json topic show $T | grep -q '\"phase\":\"retiring\"'" ||
	e4t_fail "rotation not activated after the timeout"
c2 --json audit | grep -q 'acked 2/3 (timeout)' || e4t_fail "timeout activation not audited"
# hall and gate ack ReplaceTopicKey within moments; yard stays named.
e4t_wait_for 10 sh -c "\"$E4C2\" -c \"$C2CONF\" --json topic show $T | grep -q '\"waiting\":\[\"yard\"\]'" ||
	e4t_fail "topic show does not name yard alone: $(c2 --json topic show $T)"
e4t_eq "$(c2t_topic_field $T rotating)" True "not reported finished while yard may accept the old key"
fp=$(c2t_topic_field $T fingerprint)
sleep 1
e4t_eq "$(c2t_sim_fp "$SIM1" hall sim1.log)" "$fp" "hall has the new key"
c2 --json device show yard | grep -q '"pending":[1-9]' || e4t_fail "yard has nothing pending"

e4t_say "yard returns after several retries and catches up"
sleep 2
c2t_sim sim2b.log -t $T yard="$E4T_DIR/yard.store"
SIM2=$SIM_PID
e4t_wait_for 20 c2t_topic_settled $T || e4t_fail "yard did not catch up"
sleep 0.5
e4t_eq "$(c2t_sim_fp "$SIM2" yard sim2b.log)" "$fp" "yard converged"
mark=$(c2t_mark sim2b.log)
sleep 2
n=$(c2t_count_after sim2b.log "$mark" '"event":"recv"')
[ "$n" -ge 5 ] || e4t_fail "yard received only $n messages after catching up"
e4t_eq "$(c2t_count_after sim2b.log "$mark" undecryptable)" 0 "undecryptable after catch-up"
c2 --json status | grep -q '"retried":[1-9]' || e4t_fail "no retry counted"

e4t_say "device key rotation: acked under the new key, commands keep flowing"
c2 device rotate-key gate >/dev/null || e4t_fail "rotate-key"
e4t_wait_for 15 c2t_outbox_empty || e4t_fail "SetIDKey not acked"
c2 topic rotate $T >/dev/null || e4t_fail "rotate after rekey"
e4t_wait_for 15 c2t_topic_settled $T || e4t_fail "rotation after SetIDKey"
fp=$(c2t_topic_field $T fingerprint)
sleep 0.5
e4t_eq "$(c2t_sim_fp "$SIM1" gate sim1.log)" "$fp" "gate follows after its key rotation"
c2 --json audit | grep -q '"command.failed"' && e4t_fail "a command failed"
echo "PASS"
