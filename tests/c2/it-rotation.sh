#!/bin/sh
# Zero-loss rotation and rekey on unlink, with a real mosquitto, e4c2d and
# simulated devices publishing all along: no member ever gets an
# undecryptable message; after an unlink, a copy of the removed device's
# keys (an eavesdropper that ignores RemoveTopic) reads nothing new.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"

c2t_setup symkey "ack_timeout 2s" "retry_max_interval 3s"
c2t_start_daemon
T=plant/line1
c2 topic add $T >/dev/null || e4t_fail "topic add"
for d in ann ben cat; do
	c2t_device $d
	c2 link $d $T >/dev/null || e4t_fail "link $d"
done
c2t_sim sim.log -t $T -i 100 ann="$E4T_DIR/ann.store" ben="$E4T_DIR/ben.store" \
	cat="$E4T_DIR/cat.store"
SIM1=$SIM_PID
e4t_wait_for 20 c2t_topic_settled $T || e4t_fail "topic not settled"
e4t_wait_for 20 c2t_outbox_empty || e4t_fail "link commands not acked"

sleep 1
mark=$(c2t_mark sim.log)
e4t_say "three rotations while every device publishes"
fp0=$(c2t_topic_field $T fingerprint)
for i in 1 2 3; do
	c2 topic rotate $T --wait 2>/dev/null >/dev/null || e4t_fail "rotation $i"
	sleep 0.5
done
e4t_eq "$(c2t_topic_field $T epoch)" 4 "epoch after three rotations"
fp=$(c2t_topic_field $T fingerprint)
[ "$fp" != "$fp0" ] || e4t_fail "key did not change"
sleep 1
c2t_expect_fp "$SIM1" sim.log "$fp" ann ben cat
e4t_eq "$(c2t_count_after sim.log "$mark" undecryptable)" 0 "undecryptable messages during rotations"
e4t_say "$(c2t_count_after sim.log "$mark" '"event":"recv"') messages received, none lost to rotation"
c2 --json audit | grep -q 'epoch 4 acked 3/3' || e4t_fail "activation not audited"

e4t_say "unlink cat: the topic is rekeyed for ann and ben"
cp "$E4T_DIR/cat.store" "$E4T_DIR/spy.store"
c2 unlink cat $T >/dev/null || e4t_fail "unlink"
e4t_wait_for 20 c2t_topic_settled $T || e4t_fail "rekey not settled"
e4t_eq "$(c2t_topic_field $T epoch)" 5 "epoch after unlink"
fp2=$(c2t_topic_field $T fingerprint)
sleep 1
e4t_eq "$(c2t_sim_fp "$SIM1" ann sim.log)" "$fp2" "key of ann after rekey"
e4t_eq "$(c2t_sim_fp "$SIM1" cat sim.log)" "none" "cat still holds the topic key"

e4t_say "an eavesdropper with cat's old keys reads nothing published afterwards"
c2t_sim spy.log -e -t $T cat="$E4T_DIR/spy.store"
sleep 3
e4t_eq "$(c2t_count spy.log '"event":"recv"')" 0 "messages read by the removed device"
n=$(c2t_count spy.log undecryptable)
[ "$n" -ge 10 ] || e4t_fail "eavesdropper saw only $n messages"
tail -n +"$mark" "$E4T_DIR/sim.log" | grep '"dev":"ann"\|"dev":"ben"' | grep -q undecryptable &&
	e4t_fail "a remaining member got an undecryptable message"
e4t_say "$n messages unreadable for the removed device"
echo "PASS"
