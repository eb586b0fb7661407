#!/bin/sh
# Crash safety: kill -9 of e4c2d in the middle of rotations (at several
# moments), and a broker restart mid-rotation, lose no command: after
# restarts every device converges on the C2's keys and nothing failed.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"

c2t_setup symkey "ack_timeout 1s" "retry_max_interval 2s"
c2t_start_daemon
DEVS="d1 d2 d3 d4 d5 d6"
args=""
for t in crash/a crash/b; do c2 topic add $t >/dev/null || e4t_fail "topic add $t"; done
for d in $DEVS; do
	c2t_device $d
	for t in crash/a crash/b; do c2 link $d $t >/dev/null || e4t_fail "link $d $t"; done
	args="$args $d=$E4T_DIR/$d.store"
done
# shellcheck disable=SC2086
c2t_sim sim.log -t crash/a -i 500 $args
SIM1=$SIM_PID
e4t_wait_for 30 c2t_outbox_empty || e4t_fail "links not acked"

# Checks that both topics settled and every device holds crash/a's key.
converged() {
	for t in crash/a crash/b; do
		e4t_wait_for 40 c2t_topic_settled $t || e4t_fail "$1: $t not settled"
	done
	e4t_wait_for 40 c2t_outbox_empty || e4t_fail "$1: outbox not drained"
	# shellcheck disable=SC2086
	c2t_expect_fp "$SIM1" sim.log "$(c2t_topic_field crash/a fingerprint)" $DEVS
}

for delay in 0.05 0.3 0.8; do
	e4t_say "kill -9 of e4c2d $delay s into a rotation of both topics"
	c2 topic rotate crash/a >/dev/null || e4t_fail "rotate a"
	c2 topic rotate crash/b >/dev/null || e4t_fail "rotate b"
	sleep $delay
	kill -9 "$C2D_PID"
	wait "$C2D_PID" 2>/dev/null
	c2t_start_daemon
	converged "after kill at $delay s"
done

e4t_say "broker restart in the middle of a rotation"
c2 topic rotate crash/a >/dev/null || e4t_fail "rotate a"
c2 device rotate-key d3 >/dev/null || e4t_fail "rotate-key d3"
sleep 0.1
e4t_restart_broker
converged "after the broker restart"

e4t_say "kill -9 right after a device key rotation was queued"
c2 device rotate-key d4 >/dev/null || e4t_fail "rotate-key d4"
c2 topic rotate crash/a >/dev/null || e4t_fail "rotate a"
kill -9 "$C2D_PID"
wait "$C2D_PID" 2>/dev/null
c2t_start_daemon
converged "after kill during SetIDKey"
c2 --json audit --limit 1000 | grep -q '"command.failed"' && e4t_fail "a command failed"
e4t_eq "$(c2t_topic_field crash/a epoch)" 6 "epoch of crash/a"
echo "PASS"
