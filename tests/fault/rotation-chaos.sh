#!/bin/sh
# Fault injection during key replacements to a fleet: E4_CHAOS_DEVICES
# simulated devices (default 100, in processes of 50) share one topic; each
# of E4_CHAOS_ITER iterations (default 12) starts a topic rotation, a leave
# rekey (a device is unlinked) or a device key rotation, and at a random
# moment drawn from a fixed seed (E4_CHAOS_SEED, default 8) kills e4c2d
# with SIGKILL, restarts the broker, or both.  After each iteration the
# replacement must finish (the replaced key retired everywhere); at the end
# every member holds the C2's current key and no other key of the topic,
# every unlinked device holds none, no device accepts a replaced device key,
# no command failed or is left queued, every command the C2 recorded as
# acknowledged was applied by its device (none lost) and no key-changing
# command was applied twice (tests/fault/chaos-check.py).
# The CI figure run: E4_CHAOS_DEVICES=200 E4_CHAOS_ITER=20 (about 6 min here).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"
NDEV=${E4_CHAOS_DEVICES:-100}
ITER=${E4_CHAOS_ITER:-12}
SEED=${E4_CHAOS_SEED:-8}
T=chaos/t

# True when no command is queued, every member acked the current key and
# the last rotation retired the replaced key everywhere (shell only: this is
# polled often, by a loaded machine).
settled() {
	c2 --json status | grep -q '"pending":0,' || return 1
	a=$(c2 --json topic show $T | sed -n 's/.*"rotating":false,"phase":"active","members":[0-9]*,"acked":\([0-9]*\),"total":\([0-9]*\),"retired":\([0-9]*\),"retiring":\([0-9]*\)}.*/\1 \2 \3 \4/p')
	[ -n "$a" ] || return 1
	set -- $a
	[ "$1" = "$2" ] && [ "$3" = "$4" ]
}

c2t_setup symkey "ack_timeout 2s" "retry_max_interval 2s"
c2t_start_daemon
c2 topic add $T >/dev/null || e4t_fail "topic add"
e4t_say "provisioning $NDEV devices"
i=0
SIMS=""
while [ $i -lt "$NDEV" ]; do
	args=""
	j=0
	while [ $j -lt 50 ] && [ $i -lt "$NDEV" ]; do
		d=dev$i
		c2 device add $d --export "$E4T_DIR/$d.store" >/dev/null || e4t_fail "device add $d"
		c2 link $d $T >/dev/null || e4t_fail "link $d"
		args="$args $d=$E4T_DIR/$d.store"
		i=$((i + 1))
		j=$((j + 1))
	done
	# shellcheck disable=SC2086
	c2t_sim "sim$i.log" -t $T $args
	SIMS="$SIMS $SIM_PID:sim$i.log"
done
e4t_wait_for 90 settled || e4t_fail "links not acked"

# The fault plan: one line "operation device kind delay" per iteration, from
# the seed; a leave unlinks a device that is still a member (at most a
# quarter of the fleet), a rekey rotates the device key of a member.
python3 -c "
import random
r = random.Random($SEED)
members = list(range($NDEV))
for _ in range($ITER):
    op = r.choice(['rotate', 'leave', 'rekey'])
    if op == 'leave' and len(members) <= $NDEV * 3 // 4:
        op = 'rotate'
    dev = r.choice(members)
    if op == 'leave':
        members.remove(dev)
    print(op, 'dev%d' % dev, r.choice(['c2', 'broker', 'both']), '%.2f' % r.uniform(0.0, 1.2))
" >"$E4T_DIR/plan"
kills=0
restarts=0
n=0
EVICTED=""
rotations=0
while read -r op dev kind delay; do
	n=$((n + 1))
	case $op in
	rotate) c2 topic rotate $T >/dev/null || e4t_fail "rotate $n"
		rotations=$((rotations + 1)) ;;
	leave) c2 unlink "$dev" $T >/dev/null || e4t_fail "unlink $dev ($n)"
		EVICTED="$EVICTED,$dev"
		rotations=$((rotations + 1)) ;;
	rekey) c2 device rotate-key "$dev" >/dev/null || e4t_fail "rotate-key $dev ($n)" ;;
	esac
	sleep "$delay"
	case $kind in
	c2|both)
		kill -9 "$C2D_PID"
		wait "$C2D_PID" 2>/dev/null
		kills=$((kills + 1)) ;;
	esac
	case $kind in
	broker|both)
		e4t_restart_broker
		restarts=$((restarts + 1)) ;;
	esac
	case $kind in
	c2|both) c2t_start_daemon ;;
	esac
	e4t_wait_for 60 settled || e4t_fail "iteration $n ($op $dev, $kind at $delay s): not done"
done <"$E4T_DIR/plan"
e4t_say "faults injected: $kills kill -9 of e4c2d, $restarts broker restarts, during $(grep -c '^rotate' "$E4T_DIR/plan") rotations, $(grep -c '^leave' "$E4T_DIR/plan") leave rekeys and $(grep -c '^rekey' "$E4T_DIR/plan") device key rotations"

want=$(c2t_topic_field $T fingerprint)
e4t_eq "$(c2t_topic_field $T epoch)" "$((rotations + 1))" "epoch of $T"
for s in $SIMS; do kill -USR1 "${s%%:*}"; done
sleep 1
kill -9 "$C2D_PID"
wait "$C2D_PID" 2>/dev/null
logs=""
for s in $SIMS; do logs="$logs $E4T_DIR/${s#*:}"; done
# shellcheck disable=SC2086
CHAOS_EVICTED=${EVICTED#,} python3 "$top_srcdir/tests/fault/chaos-check.py" "$E4T_DIR/c2.db" "$want" "$NDEV" $logs ||
	e4t_fail "devices and C2 disagree"
echo "PASS"
